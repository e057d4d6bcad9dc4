// What op implementations share: decoding into a request, file lookup, hooks the engine calls
// into op modules (timeouts, eventfd), and the fault draws ops make.
#pragma once

#include <cerrno>
#include <cstdint>

#include "engine/op_handler.hpp"
#include "engine/request.hpp"
#include "engine/ring_core.hpp"
#include "ringkit/op/decode.hpp"

namespace ringkit::sim::detail {

// req_set_fail(): the request failed for its link even if its result is not negative (a short
// read or write); a skip-success request then posts its CQE after all.
void mark_failed(Request& req) noexcept;

// Engine hooks implemented by op modules.
void flush_count_timeouts(RingCore& ring) noexcept;  // ops/timeout.cpp
void arm_link_timeout(Request& timeout) noexcept;    // ops/timeout.cpp
void notify_cq_eventfd(RingCore& ring) noexcept;     // engine/ring_register.cpp

// Decodes req.sqe with Builder's kernel-mode decode() and keeps the builder in the request's
// state: the usual ->prep. Returns 0 or -errno.
template <class Builder>
int prep_with(Request& req) noexcept {
  const ringkit::result<Builder> decoded = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!decoded) return -decoded.error().value();
  req.emplace_data(*decoded);
  return 0;
}

// ---- Fault draws from the world's FaultProfile. Each costs a decision only when its kind is
// on, and each yields only what the real operation can return.

// -EIO from a file-system read, write or sync.
inline bool fault_io_error(RingCore& ring) noexcept {
  World& w = ring.world();
  return w.decisions().chance(w.faults().io_error_ppm);
}
// -ENOSPC from a write or fallocate that needs new blocks.
inline bool fault_no_space(RingCore& ring) noexcept {
  World& w = ring.world();
  return w.decisions().chance(w.faults().no_space_ppm);
}
// The peer resets a stream connection (the op then sees -ECONNRESET, or -EPIPE on send).
inline bool fault_conn_reset(RingCore& ring) noexcept {
  World& w = ring.world();
  return w.decisions().chance(w.faults().conn_reset_ppm);
}
// A short transfer: how many of `len` bytes a read or write moves (1..len-1 when the fault
// fires, else len). Never 0: a short count of 0 would read as EOF.
inline std::uint64_t fault_short_len(RingCore& ring, std::uint64_t len) noexcept {
  World& w = ring.world();
  if (len < 2 || !w.decisions().chance(w.faults().short_rw_ppm)) return len;
  return w.decisions().between(1, len - 1);
}

// Resolves the op's file (sqe->fd with IOSQE_FIXED_FILE) into req.file; false when it names
// nothing (the op completes with -EBADF).
inline bool resolve_op_file(Request& req, std::int32_t fd, bool fixed) noexcept {
  req.file = req.ring->resolve_file(fd, fixed);
  req.fixed_slot = fixed && req.file ? fd : -1;
  return static_cast<bool>(req.file);
}

}  // namespace ringkit::sim::detail
