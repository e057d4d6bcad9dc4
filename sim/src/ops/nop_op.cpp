// IORING_OP_NOP (io_uring/nop.c, io_nop_prep / io_nop, Linux 6.18).
#include "ops/op_support.hpp"
#include "ringkit/op/nop.hpp"

namespace ringkit::sim::detail {

namespace {

// Prep validates; issue decodes the SQE copy again instead of keeping the decoded builder in
// the request: copying it there right after building it stalled on store forwarding, a
// measurable share of the simulator's NOP cost.
int prep_nop(Request& req) noexcept {
  const ringkit::result<op::Nop> nop = op::Nop::decode(req.sqe, op::DecodeMode::kernel);
  if (!nop) return -nop.error().value();
  // NOP_CQE32 needs a ring whose CQEs have room for the extra words.
  if ((nop->nop_flags() & abi::nop::cqe32) && !(req.ring->setup_flags() & abi::setup::cqe32)) {
    return -EINVAL;
  }
  return 0;
}

void issue_nop(Request& req) noexcept {
  const ringkit::result<op::Nop> decoded = op::Nop::decode(req.sqe, op::DecodeMode::kernel);
  const op::Nop& nop = *decoded;  // prep accepted these bytes
  std::int32_t res = (nop.nop_flags() & abi::nop::inject_result) ? nop.injected_result() : 0;
  if (nop.has_file()) {
    const op::FileRef f = nop.file();
    // The file is looked up and dropped again: NOP only proves it is there.
    if (!req.ring->resolve_file(f.raw(), f.fixed())) res = -EBADF;
  }
  if (res >= 0 && (nop.nop_flags() & abi::nop::fixed_buffer)) {
    if (req.ring->buffers.get(nop.fixed_buffer().value) == nullptr) res = -EFAULT;
  }
  if (nop.nop_flags() & abi::nop::cqe32) {
    req.extra1 = nop.extra1();
    req.extra2 = nop.extra2();
  }
  req.ring->complete(req, res);
}

}  // namespace

const OpHandler op_handler_nop{true, &prep_nop, &issue_nop, nullptr, false};

}  // namespace ringkit::sim::detail
