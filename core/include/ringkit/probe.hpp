// What a kernel says it supports (IORING_REGISTER_PROBE), as a value type.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>

#include "ringkit/abi/opcode.hpp"
#include "ringkit/abi/register.hpp"

namespace ringkit {

class Probe {
 public:
  // Opcodes are 8-bit, so the kernel can describe at most 256.
  static constexpr std::size_t max_ops = 256;

  constexpr Probe() noexcept = default;
  // From what IORING_REGISTER_PROBE wrote: the header and its ops_len entries.
  [[nodiscard]] static Probe from_kernel(const abi::ProbeHeader& header,
                                         std::span<const abi::ProbeOp> ops) noexcept;

  [[nodiscard]] bool supports(abi::Opcode op) const noexcept {
    return supported_.test(static_cast<std::uint8_t>(op));
  }
  [[nodiscard]] bool supports(std::uint8_t opcode) const noexcept {
    return supported_.test(opcode);
  }
  // The kernel's IORING_OP_LAST - 1.
  [[nodiscard]] std::uint8_t last_op() const noexcept { return last_op_; }
  [[nodiscard]] std::size_t supported_count() const noexcept { return supported_.count(); }

  friend bool operator==(const Probe&, const Probe&) noexcept = default;

 private:
  std::bitset<max_ops> supported_{};
  std::uint8_t last_op_ = 0;
};

}  // namespace ringkit
