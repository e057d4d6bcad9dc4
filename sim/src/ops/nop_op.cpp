// IORING_OP_NOP (io_uring/nop.c, io_nop_prep / io_nop, Linux 6.18).
#include "ops/op_support.hpp"
#include "ringkit/op/nop.hpp"

namespace ringkit::sim::detail {

namespace {

// What issue needs, kept small: a few scalar stores at prep, so issue neither decodes the SQE
// again nor reloads a copied builder (that copy stalled on store forwarding).
struct NopState {
  std::uint32_t flags;
  std::int32_t injected;
  std::int32_t fd;
  std::uint16_t buffer;
  bool fixed_file;
};

int prep_nop(Request& req) noexcept {
  const ringkit::result<op::Nop> nop = op::Nop::decode(req.sqe, op::DecodeMode::kernel);
  if (!nop) return -nop.error().value();
  const std::uint32_t flags = nop->nop_flags();
  // NOP_CQE32 needs a ring whose CQEs have room for the extra words.
  if ((flags & abi::nop::cqe32) && !(req.ring->setup_flags() & abi::setup::cqe32)) {
    return -EINVAL;
  }
  NopState& st = req.data<NopState>();
  st.flags = flags;
  st.injected = nop->injected_result();
  if (flags & abi::nop::file) {
    st.fd = nop->file().raw();
    st.fixed_file = nop->file().fixed();
  }
  if (flags & abi::nop::fixed_buffer) st.buffer = nop->fixed_buffer().value;
  if (flags & abi::nop::cqe32) {
    req.extra1 = nop->extra1();
    req.extra2 = nop->extra2();
  }
  return 0;
}

// NOP_FILE / NOP_FIXED_BUFFER: the lookups, out of line so that a plain NOP saves no registers.
[[gnu::noinline]] void issue_nop_looking_up(Request& req) noexcept {
  const NopState& st = req.data<NopState>();
  std::int32_t res = (st.flags & abi::nop::inject_result) ? st.injected : 0;
  if (st.flags & abi::nop::file) {
    // The file is looked up and dropped again: NOP only proves it is there.
    if (!req.ring->resolve_file(st.fd, st.fixed_file)) res = -EBADF;
  }
  if (res >= 0 && (st.flags & abi::nop::fixed_buffer)) {
    if (req.ring->buffers.get(st.buffer) == nullptr) res = -EFAULT;
  }
  req.ring->complete(req, res);
}

void issue_nop(Request& req) noexcept {
  const NopState& st = req.data<NopState>();
  if (st.flags & (abi::nop::file | abi::nop::fixed_buffer)) [[unlikely]] {
    return issue_nop_looking_up(req);
  }
  req.ring->complete(req, (st.flags & abi::nop::inject_result) ? st.injected : 0);
}

}  // namespace

const OpHandler op_handler_nop{&prep_nop, &issue_nop, nullptr, false};

}  // namespace ringkit::sim::detail
