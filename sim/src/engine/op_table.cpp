#include <array>

#include "engine/op_handler.hpp"
#include "ringkit/abi/opcode.hpp"

namespace ringkit::sim::detail {

namespace {

// Generated from the opcode table: one entry per opcode, in number order.
constexpr std::array<const OpHandler*, abi::opcode_count> handlers{{
#define RINGKIT_OPCODE(name, number, kernel_name, builder, major, minor) &op_handler_##name,
#include "ringkit/abi/opcodes.def"
}};

}  // namespace

const OpHandler& op_handler(abi::Opcode op) noexcept {
  return *handlers[static_cast<std::size_t>(op)];
}

}  // namespace ringkit::sim::detail
