// IORING_OP_URING_CMD (5.19) on a socket: the socket commands of io_uring/cmd_net.c
// (enum io_uring_socket_op, in Sqe::off as cmd_op): SIOCINQ, SIOCOUTQ (6.6), GETSOCKOPT,
// SETSOCKOPT (6.7), TX_TIMESTAMP (6.15).
//
// Kernel rules (Linux 6.18):
//  - io_uring_cmd_prep (io_uring/uring_cmd.c): __pad1 (bits 32..63 of off) non-zero is -EINVAL;
//    uring_cmd_flags outside IORING_URING_CMD_MASK (FIXED | MULTISHOT) is -EINVAL; FIXED with
//    IOSQE_BUFFER_SELECT and MULTISHOT without it are -EINVAL; buf_index is read only with
//    FIXED. (These rules are from the 6.18 multishot uring_cmd patches as reviewed on the list;
//    the 6.18 io_issue_defs entry's buffer_select bit is assumed, not read.) The rest of the SQE
//    (addr, len, addr3, __pad2, splice_fd_in, ioprio) belongs to the command: the prep function
//    does not read it.
//  - io_uring_cmd_sock (io_uring/cmd_net.c): GETSOCKOPT/SETSOCKOPT read level (bits 0..31 of
//    addr), optname (bits 32..63), optval (addr3) and optlen (splice_fd_in); SIOCINQ, SIOCOUTQ
//    and TX_TIMESTAMP read nothing else; GETSOCKOPT fails at issue unless level is SOL_SOCKET. An
//    unknown cmd_op fails at issue (-EOPNOTSUPP), not at prep, so kernel-mode decode accepts it.
//    Socket commands use no registered or provided buffer: strict decode wants uring_cmd_flags == 0
//    and cmd_op a known socket command.
// liburing 2.3 has no io_uring_prep_cmd_sock (added in 2.5): no oracle for this builder.
#pragma once

#include "ringkit/op/net_common.hpp"

namespace ringkit::op {

class UringCmd {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::uring_cmd;

  // Bytes queued for reading (SIOCINQ) / not yet sent (SIOCOUTQ): the CQE's res.
  static constexpr UringCmd siocinq(FileRef socket) noexcept {
    return UringCmd(socket, abi::socket_uring_op::siocinq);
  }
  static constexpr UringCmd siocoutq(FileRef socket) noexcept {
    return UringCmd(socket, abi::socket_uring_op::siocoutq);
  }
  // getsockopt(2): optval/optlen as the syscall's, the new length in the CQE's res.
  static UringCmd getsockopt(FileRef socket, std::int32_t level, std::int32_t optname, void* optval,
                             std::int32_t optlen) noexcept {
    return UringCmd(socket, abi::socket_uring_op::getsockopt, level, optname, address_of(optval),
                    optlen);
  }
  // setsockopt(2).
  static UringCmd setsockopt(FileRef socket, std::int32_t level, std::int32_t optname,
                             const void* optval, std::int32_t optlen) noexcept {
    return UringCmd(socket, abi::socket_uring_op::setsockopt, level, optname, address_of(optval),
                    optlen);
  }
  // Transmit timestamps from the error queue as CQE32s (6.15; needs a CQE32 ring).
  static constexpr UringCmd tx_timestamp(FileRef socket) noexcept {
    return UringCmd(socket, abi::socket_uring_op::tx_timestamp);
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint32_t cmd_op() const noexcept { return cmd_op_; }
  [[nodiscard]] constexpr std::int32_t level() const noexcept { return level_; }
  [[nodiscard]] constexpr std::int32_t optname() const noexcept { return optname_; }
  [[nodiscard]] constexpr std::uint64_t optval_address() const noexcept { return optval_; }
  [[nodiscard]] constexpr std::int32_t optlen() const noexcept { return optlen_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.off = cmd_op_;
    sqe.addr = static_cast<std::uint64_t>(static_cast<std::uint32_t>(level_)) |
               (static_cast<std::uint64_t>(static_cast<std::uint32_t>(optname_)) << 32);
    sqe.addr3 = optval_;
    sqe.splice_fd_in = optlen_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<UringCmd> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select);
    const bool select = sqe.flags & abi::sqe_flag::buffer_select;
    d.require((sqe.off >> 32) == 0);  // __pad1
    d.require((sqe.op_flags & ~abi::uring_cmd::mask) == 0);
    if (sqe.op_flags & abi::uring_cmd::fixed) d.require(!select);
    if (sqe.op_flags & abi::uring_cmd::multishot) d.require(select);
    // Strict: a socket command uses neither a registered nor a provided buffer.
    d.require_strict(!select);
    d.unused(field::op_flags, KernelRule::ignores);
    if (!(sqe.op_flags & abi::uring_cmd::fixed)) {
      d.unused(field::buf_index, KernelRule::ignores);
    }
    const auto cmd_op = static_cast<std::uint32_t>(sqe.off);
    d.require_strict(cmd_op <= abi::socket_uring_op::tx_timestamp);
    const bool sockopt =
        cmd_op == abi::socket_uring_op::getsockopt || cmd_op == abi::socket_uring_op::setsockopt;
    if (!sockopt) {
      d.unused(field::addr | field::addr3 | field::splice_fd_in, KernelRule::ignores);
    }
    d.unused(field::len | field::ioprio | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    if (!sockopt) return UringCmd(FileRef::from_sqe(sqe), cmd_op);
    return UringCmd(FileRef::from_sqe(sqe), cmd_op,
                    static_cast<std::int32_t>(static_cast<std::uint32_t>(sqe.addr)),
                    static_cast<std::int32_t>(static_cast<std::uint32_t>(sqe.addr >> 32)),
                    sqe.addr3, sqe.splice_fd_in);
  }

  friend constexpr bool operator==(const UringCmd&, const UringCmd&) noexcept = default;

 private:
  constexpr UringCmd(FileRef file, std::uint32_t cmd_op, std::int32_t level = 0,
                     std::int32_t optname = 0, std::uint64_t optval = 0,
                     std::int32_t optlen = 0) noexcept
      : file_(file),
        cmd_op_(cmd_op),
        level_(level),
        optname_(optname),
        optval_(optval),
        optlen_(optlen) {}

  FileRef file_;
  std::uint32_t cmd_op_;
  std::int32_t level_;
  std::int32_t optname_;
  std::uint64_t optval_;
  std::int32_t optlen_;
};

}  // namespace ringkit::op
