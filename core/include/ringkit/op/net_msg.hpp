// IORING_OP_SENDMSG (5.3), IORING_OP_RECVMSG (5.3), IORING_OP_SENDMSG_ZC (6.1): sendmsg(2) and
// recvmsg(2) on a struct msghdr.
//
// Kernel rules (Linux 6.18, io_uring/net.c):
//  - io_sendmsg_prep (SENDMSG): addr2 (off) or file_index (splice_fd_in) non-zero is -EINVAL;
//    ioprio outside SENDMSG_FLAGS (POLL_FIRST | BUNDLE | SEND_VECTORIZED) is -EINVAL, BUNDLE on
//    SENDMSG is -EINVAL. len is read but unused for SENDMSG; buf_index, addr3 and __pad2 are
//    never read. SENDMSG has no buffer selection in io_issue_defs: BUFFER_SELECT is -EOPNOTSUPP.
//  - io_recvmsg_prep (RECVMSG): addr2 non-zero is -EINVAL; splice_fd_in (file_index before
//    6.17, optlen since) non-zero is -EINVAL; ioprio outside RECVMSG_FLAGS (POLL_FIRST |
//    RECV_MULTISHOT | BUNDLE) is -EINVAL, BUNDLE on RECVMSG is -EINVAL; RECV_MULTISHOT needs
//    BUFFER_SELECT and no MSG_WAITALL (-EINVAL). buf_index is the buffer group with
//    BUFFER_SELECT and unused otherwise; len is replaced by the msghdr's iov_len.
//  - io_send_zc_prep (SENDMSG_ZC): __pad2 or addr3 non-zero is -EINVAL (so is
//    IOSQE_CQE_SKIP_SUCCESS, a common flag this decoder leaves alone); ioprio outside
//    IO_ZC_FLAGS_VALID (POLL_FIRST | FIXED_BUF | SEND_ZC_REPORT_USAGE | SEND_VECTORIZED) is
//    -EINVAL; addr2 or file_index non-zero is -EINVAL; buf_index is read (used with FIXED_BUF,
//    which SENDMSG_ZC accepts since 6.15). No buffer selection: BUFFER_SELECT is -EOPNOTSUPP.
// liburing 2.3 (io_uring_prep_sendmsg / recvmsg / recvmsg_multishot / sendmsg_zc) writes
// len = 1; that is the canonical form here (strict decode requires it, the kernel ignores it).
// Canonical strict forms also refuse the ioprio bits these builders do not set (BUNDLE,
// SEND_VECTORIZED), which the kernel accepts where listed above.
// (Checked against Linux 6.18.19's io_uring/net.c; BUFFER_SELECT support per io_issue_defs.)
#pragma once

#include <sys/socket.h>

#include "ringkit/op/net_common.hpp"

namespace ringkit::op {

inline constexpr std::uint32_t msg_waitall = 0x100;  // MSG_WAITALL

// sendmsg(2) on `file` with the message `msg` (which must live until completion).
class Sendmsg {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::sendmsg;

  Sendmsg(FileRef file, const ::msghdr* msg) noexcept : file_(file), msg_(address_of(msg)) {}

  // MSG_* flags for sendmsg(2) (the kernel adds MSG_NOSIGNAL).
  constexpr Sendmsg& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  // Arm poll before trying to send (IORING_RECVSEND_POLL_FIRST).
  constexpr Sendmsg& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t msg_address() const noexcept { return msg_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.addr = msg_;
    sqe.len = 1;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Sendmsg> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::off, KernelRule::einval);           // addr2
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);  // file_index
    d.require((sqe.ioprio & ~net_detail::sendmsg_flags) == 0);
    d.require((sqe.ioprio & abi::recvsend::recvsend_bundle) == 0);
    d.require_strict((sqe.ioprio & ~abi::recvsend::poll_first) == 0);
    d.require_strict(sqe.len == 1);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Sendmsg b;
    b.file_ = FileRef::from_sqe(sqe);
    b.msg_ = sqe.addr;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    return b;
  }

  friend constexpr bool operator==(const Sendmsg&, const Sendmsg&) noexcept = default;

 private:
  constexpr Sendmsg() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t msg_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
};

// recvmsg(2) on `file` into the message `msg`; with a buffer group, the data goes to a provided
// buffer (one, or one per completion when multishot).
class Recvmsg {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::recvmsg;

  Recvmsg(FileRef file, ::msghdr* msg) noexcept : file_(file), msg_(address_of(msg)) {}

  // The data goes to a buffer of `group` (IOSQE_BUFFER_SELECT); msg has at most one iovec.
  static Recvmsg select_buffer(FileRef file, ::msghdr* msg, BufGroup group) noexcept {
    Recvmsg b(file, msg);
    b.select_ = true;
    b.group_ = group.id;
    return b;
  }
  // One CQE per message (IORING_RECV_MULTISHOT, 6.0); each buffer starts with RecvmsgOut.
  static Recvmsg multishot(FileRef file, ::msghdr* msg, BufGroup group) noexcept {
    Recvmsg b = select_buffer(file, msg, group);
    b.ioprio_ |= abi::recvsend::recv_multishot;
    return b;
  }

  constexpr Recvmsg& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  constexpr Recvmsg& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t msg_address() const noexcept { return msg_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept { return select_; }
  [[nodiscard]] constexpr BufGroup buffer_group() const noexcept { return BufGroup{group_}; }
  [[nodiscard]] constexpr bool is_multishot() const noexcept {
    return ioprio_ & abi::recvsend::recv_multishot;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe =
        make_sqe(opcode, static_cast<std::uint8_t>(file_.sqe_flags() |
                                                   (select_ ? abi::sqe_flag::buffer_select : 0)));
    sqe.fd = file_.raw();
    sqe.addr = msg_;
    sqe.len = 1;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.buf_index = select_ ? group_ : std::uint16_t{0};
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Recvmsg> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select);
    const bool select = sqe.flags & abi::sqe_flag::buffer_select;
    const bool multishot = sqe.ioprio & abi::recvsend::recv_multishot;
    d.unused(&abi::Sqe::off, KernelRule::einval);           // addr2
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);  // file_index / optlen
    d.require((sqe.ioprio & ~net_detail::recvmsg_flags) == 0);
    d.require((sqe.ioprio & abi::recvsend::recvsend_bundle) == 0);
    if (multishot) {
      d.require(select);
      d.require((sqe.op_flags & msg_waitall) == 0);
    }
    d.require_strict(sqe.len == 1);
    if (!select) d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Recvmsg b;
    b.file_ = FileRef::from_sqe(sqe);
    b.msg_ = sqe.addr;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.select_ = select;
    b.group_ = select ? sqe.buf_index : std::uint16_t{0};
    return b;
  }

  friend constexpr bool operator==(const Recvmsg&, const Recvmsg&) noexcept = default;

 private:
  constexpr Recvmsg() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t msg_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  bool select_ = false;
  std::uint16_t group_ = 0;
};

// Zero-copy sendmsg(2): a first CQE with the result (IORING_CQE_F_MORE), then a notification CQE
// (IORING_CQE_F_NOTIF) when the kernel no longer needs the buffers.
class SendmsgZc {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::sendmsg_zc;

  SendmsgZc(FileRef file, const ::msghdr* msg) noexcept : file_(file), msg_(address_of(msg)) {}

  constexpr SendmsgZc& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  constexpr SendmsgZc& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }
  // The notification's res says whether the data was copied (SEND_ZC_REPORT_USAGE, 6.2).
  constexpr SendmsgZc& report_usage() noexcept {
    ioprio_ |= abi::recvsend::send_zc_report_usage;
    return *this;
  }
  // The msghdr's iovecs lie in registered buffer `index` (RECVSEND_FIXED_BUF, 6.15).
  constexpr SendmsgZc& fixed_buffer(BufIndex index) noexcept {
    ioprio_ |= abi::recvsend::fixed_buf;
    buf_index_ = index.value;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t msg_address() const noexcept { return msg_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr BufIndex fixed_buffer() const noexcept { return BufIndex{buf_index_}; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.addr = msg_;
    sqe.len = 1;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.buf_index = buf_index_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SendmsgZc> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::pad2, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::einval);
    d.unused(&abi::Sqe::off, KernelRule::einval);           // addr2
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);  // file_index
    d.require((sqe.ioprio & ~net_detail::zc_flags) == 0);
    d.require_strict((sqe.ioprio & abi::recvsend::send_vectorized) == 0);
    d.require_strict(sqe.len == 1);
    if (!(sqe.ioprio & abi::recvsend::fixed_buf)) {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    }
    if (!d.ok()) return d.error();
    SendmsgZc b;
    b.file_ = FileRef::from_sqe(sqe);
    b.msg_ = sqe.addr;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.buf_index_ = sqe.buf_index;
    return b;
  }

  friend constexpr bool operator==(const SendmsgZc&, const SendmsgZc&) noexcept = default;

 private:
  constexpr SendmsgZc() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t msg_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  std::uint16_t buf_index_ = 0;
};

}  // namespace ringkit::op
