// Every opcode builder (ringkit::op), and the build-time proof that the opcode table and the
// builder list agree: opcodes.def names a builder for each opcode 0..62, and that builder's
// opcode must be the table's.
#pragma once

#include "ringkit/abi/opcode.hpp"
#include "ringkit/op/ctl.hpp"
#include "ringkit/op/fs.hpp"
#include "ringkit/op/net.hpp"
#include "ringkit/op/nop.hpp"
#include "ringkit/op/rw.hpp"

namespace ringkit::op::detail {

#define RINGKIT_OPCODE(enum_name, number, kernel_name, builder, major, minor)        \
  static_assert(::ringkit::op::builder::opcode == ::ringkit::abi::Opcode::enum_name, \
                "opcodes.def names " #builder " for " kernel_name);
#include "ringkit/abi/opcodes.def"

// One builder per opcode: counted from the same table.
#define RINGKIT_OPCODE(enum_name, number, kernel_name, builder, major, minor) +1
inline constexpr std::size_t builder_count = 0
#include "ringkit/abi/opcodes.def"
    ;
static_assert(builder_count == abi::opcode_count, "a builder for every opcode 0..62");

}  // namespace ringkit::op::detail
