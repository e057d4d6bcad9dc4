// The one builder behind SEND, RECV, SEND_ZC (net_sendrecv.hpp) and SENDMSG, RECVMSG, SENDMSG_ZC
// (net_msg.hpp): the same SQE fields, told apart by the opcode (SendRecvKind).
//
// Kernel rules (Linux 6.18, io_uring/net.c; checked against 6.18.19's net.c and opdef.c):
//  - io_sendmsg_prep (SENDMSG): addr2 (off) or file_index (splice_fd_in) non-zero is -EINVAL;
//    ioprio outside SENDMSG_FLAGS (POLL_FIRST | BUNDLE | SEND_VECTORIZED) is -EINVAL, BUNDLE on
//    SENDMSG is -EINVAL. len is read but unused for SENDMSG; buf_index, addr3 and __pad2 are
//    never read. SENDMSG has no buffer selection in io_issue_defs: BUFFER_SELECT is -EOPNOTSUPP.
//  - io_sendmsg_prep + io_send_setup (SEND): ioprio outside SENDMSG_FLAGS is -EINVAL (6.18 no
//    longer checks BUNDLE against BUFFER_SELECT at prep); __pad3 (bits 16..31 of splice_fd_in)
//    non-zero is -EINVAL; addr2 (off) is the sendto address and addr_len (bits 0..15 of
//    splice_fd_in) its length, read only when addr2 != 0. buf_index is the buffer group with
//    BUFFER_SELECT, unused otherwise; addr3, __pad2 unused.
//  - io_recvmsg_prep (RECVMSG, RECV): addr2 non-zero is -EINVAL; ioprio outside RECVMSG_FLAGS
//    (POLL_FIRST | RECV_MULTISHOT | BUNDLE) is -EINVAL, BUNDLE on RECVMSG is -EINVAL;
//    RECV_MULTISHOT needs BUFFER_SELECT and no MSG_WAITALL (-EINVAL). buf_index is the buffer
//    group with BUFFER_SELECT and unused otherwise. RECVMSG: splice_fd_in (file_index before
//    6.17, optlen since) non-zero is -EINVAL; len is replaced by the msghdr's iov_len. RECV: len
//    caps each multishot completion (6.16; -EINVAL before); optlen (splice_fd_in) is a multishot
//    total budget (6.17) and -EINVAL without RECV_MULTISHOT: the completion that uses it up
//    ends the request, but only BUNDLE clamps a receive to what is left (io_recv_buf_select),
//    so a plain multishot may overshoot it by one completion; with BUFFER_SELECT addr is unused
//    (the buffer comes from the group); canonical form 0, as liburing's recv_multishot with
//    buf = NULL writes it.
//  - io_send_zc_prep (SEND_ZC, SENDMSG_ZC): __pad2 or addr3 non-zero is -EINVAL (so is
//    IOSQE_CQE_SKIP_SUCCESS, a common flag this decoder leaves alone); ioprio outside
//    IO_ZC_FLAGS_VALID (POLL_FIRST | FIXED_BUF | SEND_ZC_REPORT_USAGE | SEND_VECTORIZED) is
//    -EINVAL; buf_index is the registered buffer with FIXED_BUF (SENDMSG_ZC accepts it since
//    6.15), unused otherwise. No buffer selection in io_issue_defs: BUFFER_SELECT is -EOPNOTSUPP.
//    SEND_ZC: __pad3 is -EINVAL and FIXED_BUF with SEND_VECTORIZED is -EINVAL (io_send_setup).
//    SENDMSG_ZC: addr2 or file_index non-zero is -EINVAL.
// liburing 2.3 (io_uring_prep_sendmsg / recvmsg / recvmsg_multishot / sendmsg_zc) writes
// len = 1 for the msghdr ops; that is the canonical form here (strict decode requires it, the
// kernel ignores it). Canonical strict forms also refuse the ioprio bits these builders do not
// set (BUNDLE, SEND_VECTORIZED), which the kernel accepts where listed above, and an addr_len
// without a sendto address.
#pragma once

#include <sys/socket.h>

#include <type_traits>

#include "ringkit/op/net_common.hpp"

namespace ringkit::op::net_detail {

// What tells the six ops apart.
struct SendRecvKind {
  bool msg;       // addr is a struct msghdr (len 1), not a buffer and its length
  bool receives;  // RECV, RECVMSG: the memory is written to; multishot exists
  bool zc;        // zero-copy sends: FIXED_BUF / REPORT_USAGE, no buffer selection
  bool selects;   // IOSQE_BUFFER_SELECT is accepted (SEND, RECV, RECVMSG)
  bool sendto;    // SEND, SEND_ZC: a destination address in addr2, its length in addr_len
  std::uint16_t kernel_ioprio;  // the ioprio bits prep accepts
  std::uint16_t built_ioprio;   // the ioprio bits these builders set (strict decode)
};

constexpr SendRecvKind send_recv_kind(abi::Opcode op) noexcept {
  using abi::Opcode;
  namespace rs = abi::recvsend;
  const bool msg = op == Opcode::sendmsg || op == Opcode::recvmsg || op == Opcode::sendmsg_zc;
  const bool receives = op == Opcode::recv || op == Opcode::recvmsg;
  const bool zc = op == Opcode::send_zc || op == Opcode::sendmsg_zc;
  std::uint16_t kernel = receives ? recvmsg_flags : zc ? zc_flags : sendmsg_flags;
  if (msg && !zc) kernel &= static_cast<std::uint16_t>(~rs::recvsend_bundle);  // SENDMSG, RECVMSG
  std::uint16_t built = rs::poll_first;
  if (receives) built |= rs::recv_multishot;
  if (zc) built = zc_flags & static_cast<std::uint16_t>(~rs::send_vectorized);
  return SendRecvKind{
      .msg = msg,
      .receives = receives,
      .zc = zc,
      .selects = !zc && (receives || !msg),
      .sendto = !msg && !receives,
      .kernel_ioprio = kernel,
      .built_ioprio = built,
  };
}

template <abi::Opcode Op>
class SendRecv {
  static constexpr SendRecvKind kind = send_recv_kind(Op);
  using Buffer = std::conditional_t<kind.receives, void*, const void*>;
  using Msghdr = std::conditional_t<kind.receives, ::msghdr*, const ::msghdr*>;

 public:
  static constexpr abi::Opcode opcode = Op;

  // `len` bytes at `buf`.
  SendRecv(FileRef file, Buffer buf, std::uint32_t len) noexcept requires(!kind.msg)
      : file_(file), addr_(address_of(buf)), len_(len) {}
  // The message `msg` (which must live until completion).
  SendRecv(FileRef file, Msghdr msg) noexcept requires(kind.msg)
      : file_(file), addr_(address_of(msg)), len_(1) {}

  // SEND: send the next buffer of `group` (IOSQE_BUFFER_SELECT, 6.10), at most `len` bytes (0:
  // all). RECV: into a buffer of `group`, at most `len` bytes (0: the buffer's size).
  static constexpr SendRecv select_buffer(FileRef file, BufGroup group,
                                          std::uint32_t len = 0) noexcept
      requires(Op == abi::Opcode::send || Op == abi::Opcode::recv) {
    SendRecv b(Raw{}, file, 0, len);
    b.select(group);
    return b;
  }
  // RECVMSG: the data goes to a buffer of `group` (IOSQE_BUFFER_SELECT); msg has at most one
  // iovec.
  static SendRecv select_buffer(FileRef file, Msghdr msg, BufGroup group) noexcept
      requires(Op == abi::Opcode::recvmsg) {
    SendRecv b(file, msg);
    b.select(group);
    return b;
  }
  // RECV: one CQE per receive, each in a buffer of `group` (IORING_RECV_MULTISHOT, 6.0); `len`
  // caps each completion (6.16).
  static constexpr SendRecv multishot(FileRef file, BufGroup group, std::uint32_t len = 0) noexcept
      requires(Op == abi::Opcode::recv) {
    SendRecv b = select_buffer(file, group, len);
    b.ioprio_ |= abi::recvsend::recv_multishot;
    return b;
  }
  // RECVMSG: one CQE per message (IORING_RECV_MULTISHOT, 6.0); each buffer starts with
  // RecvmsgOut.
  static SendRecv multishot(FileRef file, Msghdr msg, BufGroup group) noexcept
      requires(Op == abi::Opcode::recvmsg) {
    SendRecv b = select_buffer(file, msg, group);
    b.ioprio_ |= abi::recvsend::recv_multishot;
    return b;
  }

  // MSG_* flags of sendmsg(2) / recvmsg(2) (the kernel adds MSG_NOSIGNAL to sends).
  constexpr SendRecv& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  // Arm poll before trying to send or receive (IORING_RECVSEND_POLL_FIRST).
  constexpr SendRecv& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }
  // sendto(2): the destination address (addr2) and its length (addr_len). 6.0.
  SendRecv& to(const ::sockaddr* addr, std::uint16_t addr_len) noexcept requires(kind.sendto) {
    dest_ = address_of(addr);
    dest_len_ = addr_len;
    return *this;
  }
  // The notification's res says whether the data was copied (SEND_ZC_REPORT_USAGE, 6.2).
  constexpr SendRecv& report_usage() noexcept requires(kind.zc) {
    ioprio_ |= abi::recvsend::send_zc_report_usage;
    return *this;
  }
  // The buffer (SENDMSG_ZC: the msghdr's iovecs, 6.15) lies in registered buffer `index`
  // (IORING_RECVSEND_FIXED_BUF).
  constexpr SendRecv& fixed_buffer(BufIndex index) noexcept requires(kind.zc) {
    ioprio_ |= abi::recvsend::fixed_buf;
    buf_index_ = index.value;
    return *this;
  }
  // RECV multishot only (optlen, 6.17; -EINVAL otherwise): a byte budget, not a hard cap. Each
  // completion's res is taken off it, and the completion that uses it up ends the request (no
  // F_MORE, no extra CQE). Only a BUNDLE receive is shortened to what is left; a plain multishot
  // receive is not, so the bytes delivered may exceed `bytes` by up to one completion.
  constexpr SendRecv& total_limit(std::uint32_t bytes) noexcept requires(Op == abi::Opcode::recv) {
    total_limit_ = bytes;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t buf_address() const noexcept requires(!kind.msg) {
    return addr_;
  }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept requires(!kind.msg) { return len_; }
  [[nodiscard]] constexpr std::uint64_t msg_address() const noexcept requires(kind.msg) {
    return addr_;
  }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr std::uint64_t to_address() const noexcept requires(kind.sendto) {
    return dest_;
  }
  [[nodiscard]] constexpr std::uint16_t to_len() const noexcept requires(kind.sendto) {
    return dest_len_;
  }
  [[nodiscard]] constexpr BufIndex fixed_buffer() const noexcept requires(kind.zc) {
    return BufIndex{buf_index_};
  }
  [[nodiscard]] constexpr std::uint32_t total_limit() const noexcept
      requires(Op == abi::Opcode::recv) {
    return total_limit_;
  }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept requires(kind.selects) {
    return select_;
  }
  [[nodiscard]] constexpr BufGroup buffer_group() const noexcept requires(kind.selects) {
    return BufGroup{buf_index_};
  }
  [[nodiscard]] constexpr bool is_multishot() const noexcept requires(kind.receives) {
    return ioprio_ & abi::recvsend::recv_multishot;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_, select_ ? abi::sqe_flag::buffer_select : 0);
    sqe.addr = addr_;
    sqe.len = len_;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.buf_index = buf_index_;
    sqe.off = dest_;
    sqe.splice_fd_in = static_cast<std::int32_t>(kind.sendto ? dest_len_ : total_limit_);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SendRecv> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    namespace rs = abi::recvsend;
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file |
                       (kind.selects ? abi::sqe_flag::buffer_select : 0));
    const bool select = sqe.flags & abi::sqe_flag::buffer_select;
    const bool multishot = kind.receives && (sqe.ioprio & rs::recv_multishot);
    d.require((sqe.ioprio & ~kind.kernel_ioprio) == 0);
    d.require_strict((sqe.ioprio & ~kind.built_ioprio) == 0);
    if (multishot) {
      d.require(select);
      d.require((sqe.op_flags & msg_waitall) == 0);
    }
    if (kind.zc) d.unused(field::pad2 | field::addr3, KernelRule::einval);
    if (kind.sendto) {
      d.require(pad3_of(sqe.splice_fd_in) == 0);
      if (sqe.off == 0) d.require_strict(addr_len_of(sqe.splice_fd_in) == 0);
    } else {
      d.unused(field::off, KernelRule::einval);  // addr2
    }
    // The msghdr ops: file_index (RECVMSG: optlen since 6.17); RECV: optlen, multishot only.
    if (kind.msg || (kind.receives && !multishot)) {
      d.unused(field::splice_fd_in, KernelRule::einval);
    }
    if (kind.zc && !kind.msg) {
      constexpr std::uint16_t fixed_vectorized = rs::fixed_buf | rs::send_vectorized;
      d.require((sqe.ioprio & fixed_vectorized) != fixed_vectorized);  // io_send_setup
    }
    if (kind.msg) d.require_strict(sqe.len == 1);
    const bool uses_buf_index = select || (kind.zc && (sqe.ioprio & rs::fixed_buf));
    if (!uses_buf_index) d.unused(field::buf_index, KernelRule::ignores);
    if (select && !kind.msg) d.unused(field::addr, KernelRule::ignores);
    if (!kind.zc) d.unused(field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    return SendRecv(sqe);
  }

  friend constexpr bool operator==(const SendRecv&, const SendRecv&) noexcept = default;

 private:
  struct Raw {};
  constexpr SendRecv(Raw, FileRef file, std::uint64_t addr, std::uint32_t len) noexcept
      : file_(file), addr_(addr), len_(len) {}
  // What decode() keeps: the msghdr ops' len is always 1, a selecting op's buf_index only with
  // BUFFER_SELECT (SEND_ZC and SENDMSG_ZC keep theirs, which the kernel reads or ignores).
  constexpr explicit SendRecv(const abi::Sqe& sqe) noexcept
      : file_(FileRef::from_sqe(sqe)),
        addr_(sqe.addr),
        len_(kind.msg ? 1 : sqe.len),
        msg_flags_(sqe.op_flags),
        ioprio_(sqe.ioprio),
        select_(kind.selects && (sqe.flags & abi::sqe_flag::buffer_select)),
        buf_index_(select_ || kind.zc ? sqe.buf_index : std::uint16_t{0}),
        dest_(kind.sendto ? sqe.off : 0),
        dest_len_(kind.sendto ? addr_len_of(sqe.splice_fd_in) : std::uint16_t{0}),
        total_limit_(kind.sendto ? 0 : static_cast<std::uint32_t>(sqe.splice_fd_in)) {}
  constexpr void select(BufGroup group) noexcept {
    select_ = true;
    buf_index_ = group.id;
  }

  FileRef file_;
  std::uint64_t addr_;  // the buffer, or the msghdr
  std::uint32_t len_;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  bool select_ = false;
  std::uint16_t buf_index_ = 0;  // the buffer group, or the registered buffer
  std::uint64_t dest_ = 0;
  std::uint16_t dest_len_ = 0;
  std::uint32_t total_limit_ = 0;
};

}  // namespace ringkit::op::net_detail
