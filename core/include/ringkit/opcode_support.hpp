// Whether an opcode can be used on a given kernel: ringkit must have a builder for it (the opcode
// table) and the kernel must have it.
//
// The kernel's own answer is its probe (IORING_REGISTER_PROBE, Linux 5.6). It also covers what a
// version number cannot: opcodes a distribution backported, and opcodes compiled out (FUTEX_*
// without CONFIG_FUTEX, EPOLL_CTL without CONFIG_EPOLL). Without a probe (kernels before 5.6, or
// a ring whose restrictions refuse it) the answer falls back to the opcode table's first kernel
// release against the running one. Cross-backend: the kernel backend builds it from the real
// probe and uname, the simulator from its kernel profile.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string_view>

#include "ringkit/abi/kernel_version.hpp"
#include "ringkit/abi/opcode.hpp"
#include "ringkit/probe.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

// major.minor of a kernel release string as uname(2) gives it ("6.18.44-fc-v657" -> 6.18);
// EINVAL when it does not start with "<major>.<minor>".
[[nodiscard]] constexpr result<abi::KernelVersion> parse_kernel_release(
    std::string_view release) noexcept {
  std::uint32_t parts[2] = {0, 0};
  std::size_t i = 0;
  for (std::uint32_t& part : parts) {
    const std::size_t start = i;
    while (i < release.size() && release[i] >= '0' && release[i] <= '9') {
      part = part * 10 + static_cast<std::uint32_t>(release[i] - '0');
      if (part > 0xffff) return Error{EINVAL};
      ++i;
    }
    if (i == start) return Error{EINVAL};
    if (&part == &parts[0]) {
      if (i == release.size() || release[i] != '.') return Error{EINVAL};
      ++i;
    }
  }
  return abi::KernelVersion{static_cast<std::uint16_t>(parts[0]),
                            static_cast<std::uint16_t>(parts[1])};
}

class OpcodeSupport {
 public:
  enum class Source : std::uint8_t { probe, kernel_version };

  // Nothing supported, from no information.
  OpcodeSupport() noexcept = default;

  // The probe decides; `kernel` is kept for kernel_release_has().
  [[nodiscard]] static OpcodeSupport from_probe(const Probe& probe,
                                                abi::KernelVersion kernel) noexcept {
    return OpcodeSupport(Source::probe, probe, kernel);
  }
  // No probe: an opcode is supported when the kernel is at least its first release.
  [[nodiscard]] static OpcodeSupport from_kernel_version(abi::KernelVersion kernel) noexcept {
    return OpcodeSupport(Source::kernel_version, Probe{}, kernel);
  }

  [[nodiscard]] Source source() const noexcept { return source_; }
  [[nodiscard]] abi::KernelVersion kernel() const noexcept { return kernel_; }

  // The opcode table's answer alone: the running release is at least the opcode's first one.
  [[nodiscard]] bool kernel_release_has(abi::Opcode op) const noexcept {
    return abi::is_known_opcode(static_cast<std::uint8_t>(op)) && abi::opcode_since(op) <= kernel_;
  }

  // Whether `op` can be submitted here.
  [[nodiscard]] bool supports(abi::Opcode op) const noexcept {
    if (!abi::is_known_opcode(static_cast<std::uint8_t>(op))) return false;
    return source_ == Source::probe ? probe_.supports(op) : kernel_release_has(op);
  }

  // EOPNOTSUPP naming the opcode when it cannot be submitted here.
  [[nodiscard]] result<void> require(abi::Opcode op) const noexcept {
    if (supports(op)) return {};
    return Error{EOPNOTSUPP, ErrorReason::opcode_not_supported, static_cast<std::uint8_t>(op)};
  }

 private:
  OpcodeSupport(Source source, const Probe& probe, abi::KernelVersion kernel) noexcept
      : probe_(probe), kernel_(kernel), source_(source) {}

  Probe probe_{};
  abi::KernelVersion kernel_{0, 0};
  Source source_ = Source::kernel_version;
};

}  // namespace ringkit
