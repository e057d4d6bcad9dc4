// A Linux kernel release as major.minor: when an opcode, flag or struct field first appeared.
#pragma once

#include <compare>
#include <cstdint>

namespace ringkit::abi {

struct KernelVersion {
  std::uint16_t major;
  std::uint16_t minor;

  friend constexpr auto operator<=>(const KernelVersion&, const KernelVersion&) noexcept = default;
  friend constexpr bool operator==(const KernelVersion&, const KernelVersion&) noexcept = default;
};
static_assert(sizeof(KernelVersion) == 4);

// The newest kernel this mirror describes: every constant here exists in Linux 6.18.
inline constexpr KernelVersion abi_kernel_version{6, 18};

}  // namespace ringkit::abi
