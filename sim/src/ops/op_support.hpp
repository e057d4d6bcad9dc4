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

// Resolves the op's file (sqe->fd with IOSQE_FIXED_FILE) into req.file; false when it names
// nothing (the op completes with -EBADF).
inline bool resolve_op_file(Request& req, std::int32_t fd, bool fixed) noexcept {
  req.file = req.ring->resolve_file(fd, fixed);
  return static_cast<bool>(req.file);
}

}  // namespace ringkit::sim::detail
