// How an opcode plugs into the simulated kernel: one OpHandler per opcode of the table
// (ringkit/abi/opcodes.def), declared here for every opcode, so the dispatch table cannot miss
// one (a missing definition is a link error).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ringkit/abi/opcode.hpp"

namespace ringkit::sim::detail {

class Request;

struct OpHandler {
  // Submit time (the kernel's ->prep): decode the SQE with the builder's kernel-mode decode()
  // and keep what issue() needs in the request's state. Returns 0 or -errno, which fails the
  // request at submit (and its whole link).
  int (*prep)(Request& req) noexcept = nullptr;
  // Run the op now: its latency has passed, or a file it waited on became ready. It must end
  // with exactly one of RingCore::complete, park, or keeping itself scheduled.
  void (*issue)(Request& req) noexcept = nullptr;
  // The request is cancelled while parked or scheduled (async cancel, link timeout, teardown):
  // undo what issue() armed. The engine then completes it with -ECANCELED (or what the op
  // leaves in req.res when it returns true: some ops report their own result on cancel).
  bool (*cancel)(Request& req) noexcept = nullptr;
  // Whether IOSQE_BUFFER_SELECT is the op's to interpret (recv, read...).
  bool buffer_select = false;
};

#define RINGKIT_OPCODE(name, number, kernel_name, builder, major, minor) \
  extern const OpHandler op_handler_##name;
#include "ringkit/abi/opcodes.def"

// Every opcode's handler, in number order (generated from the opcode table).
inline constexpr std::array<const OpHandler*, abi::opcode_count> op_handlers{{
#define RINGKIT_OPCODE(name, number, kernel_name, builder, major, minor) &op_handler_##name,
#include "ringkit/abi/opcodes.def"
}};

// The handler of an opcode number (< IORING_OP_LAST). Inline: it runs on every request.
[[nodiscard]] inline const OpHandler& op_handler(abi::Opcode op) noexcept {
  return *op_handlers[static_cast<std::size_t>(op)];
}

// Ops whose first issue only arms something other requests look up (a timer, a poll, a futex
// wait): the kernel arms them inline at submission, in submission order, so a remove, update
// or wake submitted after them always finds them. They take no latency before that first
// issue, even when other requests do.
[[nodiscard]] constexpr bool arms_at_submit(abi::Opcode op) noexcept {
  switch (op) {
    case abi::Opcode::timeout:
    case abi::Opcode::poll_add:
    case abi::Opcode::futex_wait:
    case abi::Opcode::futex_waitv:
      return true;
    default:
      return false;
  }
}

}  // namespace ringkit::sim::detail
