// IORING_OP_SEND (5.6), IORING_OP_RECV (5.6), IORING_OP_SEND_ZC (6.0), IORING_OP_RECV_ZC (6.15):
// send(2)/sendto(2) and recv(2) on one buffer, zero-copy send, and zero-copy receive into a
// registered zcrx interface queue. SEND, RECV and SEND_ZC share their builder with the msghdr ops
// (net_detail::SendRecv, net_sendrecv_common.hpp, with their kernel rules).
//
// Kernel rules of RECV_ZC (Linux 6.18, checked against 6.18.19's io_uring/net.c and opdef.c):
// io_recvzc_prep (io_uring/net.c, with the queue in io_uring/zcrx.c): addr, addr2 or addr3
// non-zero is -EINVAL; zcrx_ifq_idx (splice_fd_in) must name a registered queue (-EINVAL,
// checked against the ring, not here); len caps the bytes received (0: no limit); msg_flags
// non-zero is -EINVAL; ioprio outside POLL_FIRST | RECV_MULTISHOT is -EINVAL and RECV_MULTISHOT
// is required (-EINVAL). buf_index and __pad2 are not read.
#pragma once

#include "ringkit/op/net_common.hpp"
#include "ringkit/op/net_msg.hpp"
#include "ringkit/op/net_sendrecv_common.hpp"

namespace ringkit::op {

// send(2) of `len` bytes at `buf`, or sendto(2) with to(); or from a provided buffer.
using Send = net_detail::SendRecv<abi::Opcode::send>;
// recv(2) of up to `len` bytes into `buf`; or into a provided buffer; or multishot.
using Recv = net_detail::SendRecv<abi::Opcode::recv>;
// Zero-copy send(2)/sendto(2): a result CQE (IORING_CQE_F_MORE) and a notification CQE
// (IORING_CQE_F_NOTIF) when the buffer may be reused.
using SendZc = net_detail::SendRecv<abi::Opcode::send_zc>;

// Zero-copy receive through registered zcrx interface queue `ifq` (IORING_OP_RECV_ZC, 6.15):
// multishot (the kernel requires IORING_RECV_MULTISHOT); data lands in the queue's area and each
// completion (a CQE32) says where.
class RecvZc {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::recv_zc;

  constexpr RecvZc(FileRef file, std::uint32_t ifq) noexcept : file_(file), ifq_(ifq) {}

  // Stop after `bytes` (0: no limit), with a final CQE of res 0.
  constexpr RecvZc& len(std::uint32_t bytes) noexcept {
    len_ = bytes;
    return *this;
  }
  constexpr RecvZc& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint32_t ifq() const noexcept { return ifq_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.splice_fd_in = static_cast<std::int32_t>(ifq_);
    sqe.len = len_;
    sqe.ioprio = ioprio_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<RecvZc> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    // addr2 (off), msg_flags (op_flags)
    d.unused(field::addr | field::off | field::addr3 | field::op_flags, KernelRule::einval);
    d.require((sqe.ioprio & ~(abi::recvsend::poll_first | abi::recvsend::recv_multishot)) == 0);
    d.require((sqe.ioprio & abi::recvsend::recv_multishot) != 0);
    d.unused(field::buf_index | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    RecvZc b(FileRef::from_sqe(sqe), static_cast<std::uint32_t>(sqe.splice_fd_in));
    b.len_ = sqe.len;
    b.ioprio_ = sqe.ioprio;
    return b;
  }

  friend constexpr bool operator==(const RecvZc&, const RecvZc&) noexcept = default;

 private:
  FileRef file_;
  std::uint32_t ifq_;
  std::uint32_t len_ = 0;
  std::uint16_t ioprio_ = abi::recvsend::recv_multishot;
};

}  // namespace ringkit::op
