// PROVIDE_BUFFERS and REMOVE_BUFFERS: legacy provided-buffer lists (io_uring/kbuf.c). The
// groups themselves live in RingCore::provided_buffers; ops that select from them use
// ProvidedBuffers::select() and commit().
#include "ops/op_support.hpp"
#include "ringkit/op/ctl_buffers.hpp"

namespace ringkit::sim::detail {

namespace {

void issue_provide_buffers(Request& req) noexcept {
  const op::ProvideBuffers p = req.data<op::ProvideBuffers>();
  const std::int32_t res = req.ring->provided_buffers.provide(
      p.group().id, p.base_address(), p.buffer_len(), p.count(), p.first_bid());
  req.ring->complete(req, res);
}

void issue_remove_buffers(Request& req) noexcept {
  const op::RemoveBuffers r = req.data<op::RemoveBuffers>();
  req.ring->complete(req, req.ring->provided_buffers.remove(r.group().id, r.count()));
}

}  // namespace

const OpHandler op_handler_provide_buffers{&prep_with<op::ProvideBuffers>, &issue_provide_buffers,
                                           nullptr, false};
const OpHandler op_handler_remove_buffers{&prep_with<op::RemoveBuffers>, &issue_remove_buffers,
                                          nullptr, false};

}  // namespace ringkit::sim::detail
