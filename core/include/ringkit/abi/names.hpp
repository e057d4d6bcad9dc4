// The kernel's names of single flag bits and register opcodes, for messages and traces.
// Opcode names come from the opcode table (opcode_name in opcode.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "ringkit/abi/register.hpp"

namespace ringkit::abi {

// Each takes a single-bit mask, e.g. setup::sqpoll, and returns the kernel's macro name
// ("IORING_SETUP_SQPOLL"); "" for zero, several bits, or a bit Linux 6.18 does not define.
[[nodiscard]] std::string_view setup_flag_name(std::uint32_t bit) noexcept;
[[nodiscard]] std::string_view feature_name(std::uint32_t bit) noexcept;
[[nodiscard]] std::string_view sqe_flag_name(std::uint32_t bit) noexcept;
[[nodiscard]] std::string_view enter_flag_name(std::uint32_t bit) noexcept;

// "IORING_REGISTER_FILES2", "IORING_UNREGISTER_BUFFERS", ...; "" for a value outside 0..35.
[[nodiscard]] std::string_view register_op_name(RegisterOp op) noexcept;

}  // namespace ringkit::abi
