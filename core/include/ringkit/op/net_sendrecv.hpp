// IORING_OP_SEND (5.6), IORING_OP_RECV (5.6), IORING_OP_SEND_ZC (6.0), IORING_OP_RECV_ZC (6.15):
// send(2)/sendto(2) and recv(2) on one buffer, zero-copy send, and zero-copy receive into a
// registered zcrx interface queue.
//
// Kernel rules (Linux 6.18):
//  - io_sendmsg_prep + io_send_setup (io_uring/net.c, SEND): ioprio outside SENDMSG_FLAGS
//    (POLL_FIRST | BUNDLE | SEND_VECTORIZED) is -EINVAL (6.18 no longer checks BUNDLE against
//    BUFFER_SELECT at prep); __pad3 (bits 16..31 of splice_fd_in) non-zero is -EINVAL; addr2 (off)
//    is the sendto address and addr_len (bits 0..15 of splice_fd_in) its length, read only when
//    addr2 != 0. buf_index is the buffer group with BUFFER_SELECT, unused otherwise; addr3, __pad2
//    unused.
//  - io_recvmsg_prep (io_uring/net.c, RECV): addr2 non-zero is -EINVAL; ioprio outside
//    RECVMSG_FLAGS (POLL_FIRST | RECV_MULTISHOT | BUNDLE) is -EINVAL; RECV_MULTISHOT needs
//    BUFFER_SELECT and no MSG_WAITALL (-EINVAL); len caps each multishot completion (6.16;
//    -EINVAL before); optlen (splice_fd_in) is a multishot total limit (6.17) and -EINVAL
//    without RECV_MULTISHOT. With BUFFER_SELECT addr is not used (the buffer comes from the
//    group); canonical form 0, as liburing's recv_multishot with buf = NULL writes it.
//  - io_send_zc_prep (io_uring/net.c, SEND_ZC): __pad2 or addr3 non-zero is -EINVAL; ioprio
//    outside IO_ZC_FLAGS_VALID (POLL_FIRST | FIXED_BUF | SEND_ZC_REPORT_USAGE |
//    SEND_VECTORIZED) is -EINVAL; __pad3 is -EINVAL and FIXED_BUF with SEND_VECTORIZED is
//    -EINVAL (io_send_setup); buf_index is the registered buffer with FIXED_BUF, unused
//    otherwise. No buffer selection in io_issue_defs: BUFFER_SELECT is -EOPNOTSUPP.
//  - io_recvzc_prep (io_uring/net.c, with the queue in io_uring/zcrx.c, RECV_ZC): addr, addr2
//    or addr3 non-zero is -EINVAL; zcrx_ifq_idx (splice_fd_in) must name a registered queue
//    (-EINVAL, checked against the ring, not here); len caps the bytes received (0: no limit);
//    msg_flags non-zero is -EINVAL; ioprio outside POLL_FIRST | RECV_MULTISHOT is -EINVAL and
//    RECV_MULTISHOT is required (-EINVAL). buf_index and __pad2 are not read.
// (Checked against Linux 6.18.19's io_uring/net.c and opdef.c.)
// Canonical strict forms also refuse the ioprio bits these builders do not set (BUNDLE,
// SEND_VECTORIZED), and an addr_len without a sendto address.
#pragma once

#include <sys/socket.h>

#include "ringkit/op/net_common.hpp"
#include "ringkit/op/net_msg.hpp"

namespace ringkit::op {

// send(2) of `len` bytes at `buf`, or sendto(2) with to(); or from a provided buffer.
class Send {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::send;

  Send(FileRef file, const void* buf, std::uint32_t len) noexcept
      : file_(file), buf_(address_of(buf)), len_(len) {}

  // Send the next buffer of `group` (IOSQE_BUFFER_SELECT, 6.10), at most `len` bytes (0: all).
  static constexpr Send select_buffer(FileRef file, BufGroup group,
                                      std::uint32_t len = 0) noexcept {
    Send b;
    b.file_ = file;
    b.len_ = len;
    b.select_ = true;
    b.group_ = group.id;
    return b;
  }

  constexpr Send& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  constexpr Send& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }
  // sendto(2): the destination address (addr2) and its length (addr_len). 6.0.
  Send& to(const ::sockaddr* addr, std::uint16_t addr_len) noexcept {
    dest_ = address_of(addr);
    addr_len_ = addr_len;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t buf_address() const noexcept { return buf_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr std::uint64_t to_address() const noexcept { return dest_; }
  [[nodiscard]] constexpr std::uint16_t to_len() const noexcept { return addr_len_; }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept { return select_; }
  [[nodiscard]] constexpr BufGroup buffer_group() const noexcept { return BufGroup{group_}; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe =
        make_sqe(opcode, static_cast<std::uint8_t>(file_.sqe_flags() |
                                                   (select_ ? abi::sqe_flag::buffer_select : 0)));
    sqe.fd = file_.raw();
    sqe.addr = buf_;
    sqe.len = len_;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.off = dest_;
    sqe.splice_fd_in = addr_len_;
    sqe.buf_index = select_ ? group_ : std::uint16_t{0};
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Send> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select);
    const bool select = sqe.flags & abi::sqe_flag::buffer_select;
    d.require(net_detail::pad3_of(sqe.splice_fd_in) == 0);
    d.require((sqe.ioprio & ~net_detail::sendmsg_flags) == 0);
    d.require_strict((sqe.ioprio & ~abi::recvsend::poll_first) == 0);
    if (sqe.off == 0) d.require_strict(net_detail::addr_len_of(sqe.splice_fd_in) == 0);
    if (select) {
      d.unused(&abi::Sqe::addr, KernelRule::ignores);
    } else {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    }
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Send b;
    b.file_ = FileRef::from_sqe(sqe);
    b.buf_ = sqe.addr;
    b.len_ = sqe.len;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.dest_ = sqe.off;
    b.addr_len_ = net_detail::addr_len_of(sqe.splice_fd_in);
    b.select_ = select;
    b.group_ = select ? sqe.buf_index : std::uint16_t{0};
    return b;
  }

  friend constexpr bool operator==(const Send&, const Send&) noexcept = default;

 private:
  constexpr Send() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t buf_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  std::uint64_t dest_ = 0;
  std::uint16_t addr_len_ = 0;
  bool select_ = false;
  std::uint16_t group_ = 0;
};

// recv(2) of up to `len` bytes into `buf`; or into a provided buffer; or multishot.
class Recv {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::recv;

  Recv(FileRef file, void* buf, std::uint32_t len) noexcept
      : file_(file), buf_(address_of(buf)), len_(len) {}

  // Into a buffer of `group` (IOSQE_BUFFER_SELECT), at most `len` bytes (0: the buffer's size).
  static constexpr Recv select_buffer(FileRef file, BufGroup group,
                                      std::uint32_t len = 0) noexcept {
    Recv b;
    b.file_ = file;
    b.len_ = len;
    b.select_ = true;
    b.group_ = group.id;
    return b;
  }
  // One CQE per receive, each in a buffer of `group` (IORING_RECV_MULTISHOT, 6.0); `len` caps
  // each completion (6.16).
  static constexpr Recv multishot(FileRef file, BufGroup group, std::uint32_t len = 0) noexcept {
    Recv b = select_buffer(file, group, len);
    b.ioprio_ |= abi::recvsend::recv_multishot;
    return b;
  }

  constexpr Recv& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  constexpr Recv& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }
  // Multishot only: stop after `bytes` in total (optlen, 6.17); the kernel refuses it otherwise.
  constexpr Recv& total_limit(std::uint32_t bytes) noexcept {
    total_limit_ = bytes;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t buf_address() const noexcept { return buf_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr std::uint32_t total_limit() const noexcept { return total_limit_; }
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
    sqe.addr = buf_;
    sqe.len = len_;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.splice_fd_in = static_cast<std::int32_t>(total_limit_);
    sqe.buf_index = select_ ? group_ : std::uint16_t{0};
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Recv> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select);
    const bool select = sqe.flags & abi::sqe_flag::buffer_select;
    const bool multishot = sqe.ioprio & abi::recvsend::recv_multishot;
    d.unused(&abi::Sqe::off, KernelRule::einval);  // addr2
    d.require((sqe.ioprio & ~net_detail::recvmsg_flags) == 0);
    if (multishot) {
      d.require(select);
      d.require((sqe.op_flags & msg_waitall) == 0);
    } else {
      d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);  // optlen
    }
    d.require_strict((sqe.ioprio & ~(abi::recvsend::poll_first | abi::recvsend::recv_multishot)) ==
                     0);
    if (select) {
      d.unused(&abi::Sqe::addr, KernelRule::ignores);
    } else {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    }
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Recv b;
    b.file_ = FileRef::from_sqe(sqe);
    b.buf_ = sqe.addr;
    b.len_ = sqe.len;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.total_limit_ = static_cast<std::uint32_t>(sqe.splice_fd_in);
    b.select_ = select;
    b.group_ = select ? sqe.buf_index : std::uint16_t{0};
    return b;
  }

  friend constexpr bool operator==(const Recv&, const Recv&) noexcept = default;

 private:
  constexpr Recv() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t buf_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  std::uint32_t total_limit_ = 0;
  bool select_ = false;
  std::uint16_t group_ = 0;
};

// Zero-copy send(2)/sendto(2): a result CQE (IORING_CQE_F_MORE) and a notification CQE
// (IORING_CQE_F_NOTIF) when the buffer may be reused.
class SendZc {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::send_zc;

  SendZc(FileRef file, const void* buf, std::uint32_t len) noexcept
      : file_(file), buf_(address_of(buf)), len_(len) {}

  constexpr SendZc& msg_flags(std::uint32_t flags) noexcept {
    msg_flags_ = flags;
    return *this;
  }
  constexpr SendZc& poll_first() noexcept {
    ioprio_ |= abi::recvsend::poll_first;
    return *this;
  }
  // The notification's res says whether the data was copied (SEND_ZC_REPORT_USAGE, 6.2).
  constexpr SendZc& report_usage() noexcept {
    ioprio_ |= abi::recvsend::send_zc_report_usage;
    return *this;
  }
  // buf lies in registered buffer `index` (IORING_RECVSEND_FIXED_BUF).
  constexpr SendZc& fixed_buffer(BufIndex index) noexcept {
    ioprio_ |= abi::recvsend::fixed_buf;
    buf_index_ = index.value;
    return *this;
  }
  // sendto(2): the destination address (addr2) and its length (addr_len).
  SendZc& to(const ::sockaddr* addr, std::uint16_t addr_len) noexcept {
    dest_ = address_of(addr);
    addr_len_ = addr_len;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t buf_address() const noexcept { return buf_; }
  [[nodiscard]] constexpr std::uint32_t len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t msg_flags() const noexcept { return msg_flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr BufIndex fixed_buffer() const noexcept { return BufIndex{buf_index_}; }
  [[nodiscard]] constexpr std::uint64_t to_address() const noexcept { return dest_; }
  [[nodiscard]] constexpr std::uint16_t to_len() const noexcept { return addr_len_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.addr = buf_;
    sqe.len = len_;
    sqe.op_flags = msg_flags_;
    sqe.ioprio = ioprio_;
    sqe.buf_index = buf_index_;
    sqe.off = dest_;
    sqe.splice_fd_in = addr_len_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SendZc> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::pad2, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::einval);
    d.require((sqe.ioprio & ~net_detail::zc_flags) == 0);
    d.require(net_detail::pad3_of(sqe.splice_fd_in) == 0);
    constexpr std::uint16_t fixed_vectorized =
        abi::recvsend::fixed_buf | abi::recvsend::send_vectorized;
    d.require((sqe.ioprio & fixed_vectorized) != fixed_vectorized);
    d.require_strict((sqe.ioprio & abi::recvsend::send_vectorized) == 0);
    if (sqe.off == 0) d.require_strict(net_detail::addr_len_of(sqe.splice_fd_in) == 0);
    if (!(sqe.ioprio & abi::recvsend::fixed_buf)) {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    }
    if (!d.ok()) return d.error();
    SendZc b;
    b.file_ = FileRef::from_sqe(sqe);
    b.buf_ = sqe.addr;
    b.len_ = sqe.len;
    b.msg_flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.buf_index_ = sqe.buf_index;
    b.dest_ = sqe.off;
    b.addr_len_ = net_detail::addr_len_of(sqe.splice_fd_in);
    return b;
  }

  friend constexpr bool operator==(const SendZc&, const SendZc&) noexcept = default;

 private:
  constexpr SendZc() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t buf_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t msg_flags_ = 0;
  std::uint16_t ioprio_ = 0;
  std::uint16_t buf_index_ = 0;
  std::uint64_t dest_ = 0;
  std::uint16_t addr_len_ = 0;
};

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
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.splice_fd_in = static_cast<std::int32_t>(ifq_);
    sqe.len = len_;
    sqe.ioprio = ioprio_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<RecvZc> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::off, KernelRule::einval);  // addr2
    d.unused(&abi::Sqe::addr3, KernelRule::einval);
    d.unused(&abi::Sqe::op_flags, KernelRule::einval);  // msg_flags
    d.require((sqe.ioprio & ~(abi::recvsend::poll_first | abi::recvsend::recv_multishot)) == 0);
    d.require((sqe.ioprio & abi::recvsend::recv_multishot) != 0);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
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
