// IORING_OP_ACCEPT (5.5), IORING_OP_CONNECT (5.5), IORING_OP_SHUTDOWN (5.11), IORING_OP_SOCKET
// (5.19), IORING_OP_BIND (6.11), IORING_OP_LISTEN (6.11): the socket life cycle.
//
// Kernel rules (Linux 6.18, io_uring/net.c):
//  - io_accept_prep: len or buf_index non-zero is -EINVAL; ioprio outside ACCEPT_FLAGS
//    (MULTISHOT | DONTWAIT | POLL_FIRST) is -EINVAL; accept_flags outside SOCK_CLOEXEC |
//    SOCK_NONBLOCK is -EINVAL; with a file_index, SOCK_CLOEXEC is -EINVAL and MULTISHOT needs
//    IORING_FILE_INDEX_ALLOC (-EINVAL). addr is the sockaddr, addr2 (off) the socklen_t
//    pointer. addr3 and __pad2 are never read.
//  - io_connect_prep: len, buf_index, rw_flags or splice_fd_in non-zero is -EINVAL; addr2 is the
//    address length (read as an int). ioprio, addr3, __pad2: not read.
//  - io_bind_prep: the same checks and fields as connect.
//  - io_listen_prep: addr, buf_index, rw_flags, splice_fd_in or addr2 non-zero is -EINVAL;
//    len is the backlog.
//  - io_shutdown_prep: off, addr, rw_flags, buf_index or splice_fd_in non-zero is -EINVAL; len
//    is `how`.
//  - io_socket_prep: addr, rw_flags or buf_index non-zero is -EINVAL; fd is the domain, off the
//    type (read as an int), len the protocol, file_index the direct slot; type flags outside
//    SOCK_CLOEXEC | SOCK_NONBLOCK are -EINVAL, SOCK_CLOEXEC with a slot is -EINVAL. SOCKET
//    takes no file: IOSQE_FIXED_FILE is ignored by the kernel (refused when strict).
// None of these ops selects buffers: IOSQE_BUFFER_SELECT is -EOPNOTSUPP. Fields this comment
// does not name are not read by the prep function (KernelRule::ignores).
// liburing 2.3 (prep_accept, accept_direct, multishot_accept, multishot_accept_direct,
// connect, shutdown, socket, socket_direct, socket_direct_alloc) writes exactly these fields;
// socket's type goes to off sign-extended (int to __u64), the canonical form here.
// BIND and LISTEN have no liburing 2.3 helper. (Checked against Linux 6.18.19's io_uring/net.c.)
#pragma once

#include <sys/socket.h>

#include "ringkit/op/net_common.hpp"

namespace ringkit::op {

// accept(2)/accept4(2) on listening socket `file`; the peer address goes to addr/addrlen
// (both may be null).
class Accept {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::accept;

  explicit Accept(FileRef file, ::sockaddr* addr = nullptr, ::socklen_t* addrlen = nullptr) noexcept
      : file_(file), addr_(address_of(addr)), addrlen_(address_of(addrlen)) {}

  // One CQE per connection (IORING_ACCEPT_MULTISHOT, 5.19).
  static Accept multishot(FileRef file, ::sockaddr* addr = nullptr,
                          ::socklen_t* addrlen = nullptr) noexcept {
    Accept b(file, addr, addrlen);
    b.ioprio_ = abi::accept::multishot;
    return b;
  }
  // Into the registered file table (5.15): a chosen slot, or DestSlot::alloc().
  static Accept direct(FileRef file, ::sockaddr* addr, ::socklen_t* addrlen,
                       DestSlot dest) noexcept {
    Accept b(file, addr, addrlen);
    b.dest_ = dest;
    return b;
  }
  // Multishot into slots the kernel allocates (the only direct form multishot allows).
  static Accept multishot_direct(FileRef file, ::sockaddr* addr = nullptr,
                                 ::socklen_t* addrlen = nullptr) noexcept {
    Accept b = multishot(file, addr, addrlen);
    b.dest_ = DestSlot::alloc();
    return b;
  }

  // accept4(2) flags: sock_nonblock, sock_cloexec (not with a direct slot).
  constexpr Accept& flags(std::uint32_t accept_flags) noexcept {
    flags_ = accept_flags;
    return *this;
  }
  // -EAGAIN instead of waiting (IORING_ACCEPT_DONTWAIT, 6.10).
  constexpr Accept& dontwait() noexcept {
    ioprio_ |= abi::accept::dontwait;
    return *this;
  }
  // Arm poll first (IORING_ACCEPT_POLL_FIRST, 6.10).
  constexpr Accept& poll_first() noexcept {
    ioprio_ |= abi::accept::poll_first;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t addr_address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint64_t addrlen_address() const noexcept { return addrlen_; }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return ioprio_; }
  [[nodiscard]] constexpr DestSlot dest() const noexcept { return dest_; }
  [[nodiscard]] constexpr bool is_multishot() const noexcept {
    return ioprio_ & abi::accept::multishot;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.addr = addr_;
    sqe.off = addrlen_;
    sqe.op_flags = flags_;
    sqe.ioprio = ioprio_;
    dest_.to_sqe(sqe);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Accept> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::len | field::buf_index, KernelRule::einval);
    d.require((sqe.ioprio & ~net_detail::accept_flags) == 0);
    const DestSlot dest = DestSlot::from_sqe(sqe);
    refuse_cloexec_slot(d, dest, sqe.op_flags & sock_cloexec);
    if (dest.direct() && (sqe.ioprio & abi::accept::multishot)) d.require(dest.allocated());
    d.require((sqe.op_flags & ~(sock_cloexec | sock_nonblock)) == 0);
    d.unused(field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Accept b;
    b.file_ = FileRef::from_sqe(sqe);
    b.addr_ = sqe.addr;
    b.addrlen_ = sqe.off;
    b.flags_ = sqe.op_flags;
    b.ioprio_ = sqe.ioprio;
    b.dest_ = dest;
    return b;
  }

  friend constexpr bool operator==(const Accept&, const Accept&) noexcept = default;

 private:
  constexpr Accept() noexcept = default;

  FileRef file_ = net_detail::no_file;
  std::uint64_t addr_ = 0;
  std::uint64_t addrlen_ = 0;
  std::uint32_t flags_ = 0;
  std::uint16_t ioprio_ = 0;
  DestSlot dest_ = DestSlot::descriptor();
};

namespace net_detail {

// CONNECT and BIND: `file` and a sockaddr of `addrlen` bytes (which must live until completion).
template <abi::Opcode Op>
class AddrOp {
 public:
  static constexpr abi::Opcode opcode = Op;

  AddrOp(FileRef file, const ::sockaddr* addr, ::socklen_t addrlen) noexcept
      : file_(file), addr_(address_of(addr)), addrlen_(addrlen) {}

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t addr_address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint32_t addrlen() const noexcept { return addrlen_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.addr = addr_;
    sqe.off = addrlen_;
    return sqe;
  }

  // The address length is in addr2, which the kernel reads as an int.
  [[nodiscard]] static constexpr ringkit::result<AddrOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::len | field::buf_index | field::op_flags | field::splice_fd_in,
             KernelRule::einval);
    d.require_strict((sqe.off >> 32) == 0);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    return AddrOp(FileRef::from_sqe(sqe), sqe.addr, static_cast<std::uint32_t>(sqe.off));
  }

  friend constexpr bool operator==(const AddrOp&, const AddrOp&) noexcept = default;

 private:
  constexpr AddrOp(FileRef file, std::uint64_t addr, std::uint32_t addrlen) noexcept
      : file_(file), addr_(addr), addrlen_(addrlen) {}

  FileRef file_;
  std::uint64_t addr_;
  std::uint32_t addrlen_;
};

// LISTEN and SHUTDOWN: `file` and one int in len (the backlog, or `how`); the rest is -EINVAL.
template <abi::Opcode Op>
class LenOp {
  static constexpr bool listen = Op == abi::Opcode::listen;

 public:
  static constexpr abi::Opcode opcode = Op;

  constexpr LenOp(FileRef file, std::int32_t value) noexcept : file_(file), value_(value) {}

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::int32_t backlog() const noexcept requires(listen) { return value_; }
  [[nodiscard]] constexpr std::int32_t how() const noexcept requires(!listen) { return value_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.len = static_cast<std::uint32_t>(value_);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<LenOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::off | field::addr | field::op_flags | field::buf_index | field::splice_fd_in,
             KernelRule::einval);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    return LenOp(FileRef::from_sqe(sqe), static_cast<std::int32_t>(sqe.len));
  }

  friend constexpr bool operator==(const LenOp&, const LenOp&) noexcept = default;

 private:
  FileRef file_;
  std::int32_t value_;
};

}  // namespace net_detail

// connect(2) of `file` to `addr` (which must live until completion).
using Connect = net_detail::AddrOp<abi::Opcode::connect>;
// bind(2) of `file` to `addr` (6.11).
using Bind = net_detail::AddrOp<abi::Opcode::bind>;
// listen(2) on `file` with `backlog` (6.11).
using Listen = net_detail::LenOp<abi::Opcode::listen>;
// shutdown(2) of `file`: `how` is SHUT_RD, SHUT_WR or SHUT_RDWR.
using Shutdown = net_detail::LenOp<abi::Opcode::shutdown>;

// socket(2): `type` may carry sock_nonblock / sock_cloexec.
class Socket {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::socket;

  constexpr Socket(std::int32_t domain, std::int32_t type, std::int32_t protocol) noexcept
      : domain_(domain), type_(type), protocol_(protocol) {}
  // Into the registered file table: a chosen slot, or DestSlot::alloc(). sock_cloexec is
  // refused with a slot.
  static constexpr Socket direct(std::int32_t domain, std::int32_t type, std::int32_t protocol,
                                 DestSlot dest) noexcept {
    Socket b(domain, type, protocol);
    b.dest_ = dest;
    return b;
  }

  [[nodiscard]] constexpr std::int32_t domain() const noexcept { return domain_; }
  [[nodiscard]] constexpr std::int32_t type() const noexcept { return type_; }
  [[nodiscard]] constexpr std::int32_t protocol() const noexcept { return protocol_; }
  [[nodiscard]] constexpr DestSlot dest() const noexcept { return dest_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = domain_;
    sqe.off = static_cast<std::uint64_t>(static_cast<std::int64_t>(type_));
    sqe.len = static_cast<std::uint32_t>(protocol_);
    dest_.to_sqe(sqe);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Socket> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::addr | field::op_flags | field::buf_index, KernelRule::einval);
    const auto type = static_cast<std::int32_t>(static_cast<std::uint32_t>(sqe.off));
    d.require_strict(sqe.off == static_cast<std::uint64_t>(static_cast<std::int64_t>(type)));
    const std::uint32_t type_flags = static_cast<std::uint32_t>(type) & ~sock_type_mask;
    const DestSlot dest = DestSlot::from_sqe(sqe);
    refuse_cloexec_slot(d, dest, type_flags & sock_cloexec);
    d.require((type_flags & ~(sock_cloexec | sock_nonblock)) == 0);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Socket b(sqe.fd, type, static_cast<std::int32_t>(sqe.len));
    b.dest_ = dest;
    return b;
  }

  friend constexpr bool operator==(const Socket&, const Socket&) noexcept = default;

 private:
  std::int32_t domain_;
  std::int32_t type_;
  std::int32_t protocol_;
  DestSlot dest_ = DestSlot::descriptor();
};

}  // namespace ringkit::op
