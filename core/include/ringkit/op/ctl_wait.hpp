// IORING_OP_EPOLL_CTL (5.6), IORING_OP_EPOLL_WAIT (6.15), IORING_OP_WAITID (6.7),
// IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAKE, IORING_OP_FUTEX_WAITV (6.7).
//
// Kernel rules, Linux 6.18:
//   io_epoll_ctl_prep (io_uring/epoll.c): buf_index or splice_fd_in non-zero is -EINVAL; fd is
//   the epoll fd (a plain descriptor: the op takes no file), len the EPOLL_CTL_* op, off the
//   target fd (read as an int), addr the epoll_event (read only when the op has one, i.e. not
//   EPOLL_CTL_DEL). An op other than ADD/DEL/MOD is -EINVAL from do_epoll_ctl at issue (checked
//   here too). ioprio, op_flags, addr3, pad2 are never read.
//   io_epoll_wait_prep (io_uring/epoll.c): off, rw_flags, buf_index or splice_fd_in non-zero is
//   -EINVAL; len is maxevents, addr the events array; takes a file (the epoll fd). ioprio,
//   addr3, pad2 are never read.
//   io_waitid_prep (io_uring/waitid.c): addr, buf_index, addr3 or waitid_flags non-zero is
//   -EINVAL; len is idtype, fd the id, file_index the options, addr2 (off) the siginfo. Bad
//   idtype/options are -EINVAL at issue (kernel_waitid_prepare): not checked here. ioprio and
//   pad2 are never read.
//   io_futex_prep (io_uring/futex.c; FUTEX_WAIT and FUTEX_WAKE): len, futex_flags (op_flags),
//   buf_index or file_index non-zero is -EINVAL; fd holds futex2 flags: bits beyond
//   FUTEX2_VALID_MASK (size, NUMA, MPOL, PRIVATE) are -EINVAL, a size other than U32 is -EINVAL
//   (futex_flags_valid); addr2 (the value) or addr3 (the mask) above 32 bits is -EINVAL
//   (futex_validate_input). A zero mask is -EINVAL at issue (futex_wait/futex_wake: !bitset),
//   checked here too. ioprio and pad2 are never read. NUMA/MPOL pass prep (their node checks
//   read memory) but no builder writes them, so strict decode refuses them.
//   io_futexv_prep (io_uring/futex.c): fd, buf_index, file_index, addr2 (off), futex_flags or
//   addr3 non-zero is -EINVAL; len (the count) 0 or above FUTEX_WAITV_MAX (128) is -EINVAL.
//   ioprio and pad2 are never read.
//   None but EPOLL_WAIT takes a file: IOSQE_FIXED_FILE is ignored by the kernel there.
// liburing 2.3 has io_uring_prep_epoll_ctl only (waitid, futex_* and epoll_wait came later).
#pragma once

#include <sys/epoll.h>
#include <sys/wait.h>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

class EpollCtl {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::epoll_ctl;

  // epoll_ctl(epfd, op, fd, event) with op EPOLL_CTL_ADD / EPOLL_CTL_MOD / EPOLL_CTL_DEL.
  EpollCtl(Fd epfd, int op, Fd fd, epoll_event* event) noexcept
      : epfd_(epfd.value),
        op_(static_cast<std::uint32_t>(op)),
        fd_(fd.value),
        event_(op == EPOLL_CTL_DEL ? 0 : address_of(event)) {}
  [[nodiscard]] static EpollCtl add(Fd epfd, Fd fd, epoll_event* event) noexcept {
    return EpollCtl(epfd, EPOLL_CTL_ADD, fd, event);
  }
  [[nodiscard]] static EpollCtl modify(Fd epfd, Fd fd, epoll_event* event) noexcept {
    return EpollCtl(epfd, EPOLL_CTL_MOD, fd, event);
  }
  [[nodiscard]] static EpollCtl remove(Fd epfd, Fd fd) noexcept {
    return EpollCtl(epfd, EPOLL_CTL_DEL, fd, nullptr);
  }

  [[nodiscard]] constexpr Fd epoll_fd() const noexcept { return Fd{epfd_}; }
  [[nodiscard]] constexpr int op() const noexcept { return static_cast<int>(op_); }
  [[nodiscard]] constexpr Fd fd() const noexcept { return Fd{fd_}; }
  [[nodiscard]] epoll_event* event() const noexcept {
    return static_cast<epoll_event*>(pointer_from(event_));
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = epfd_;
    sqe.len = op_;
    sqe.off = static_cast<std::uint32_t>(fd_);  // liburing: (__u32) fd
    sqe.addr = event_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<EpollCtl> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::buf_index | field::splice_fd_in, KernelRule::einval);
    d.require(sqe.len == EPOLL_CTL_ADD || sqe.len == EPOLL_CTL_DEL || sqe.len == EPOLL_CTL_MOD);
    if (sqe.len == EPOLL_CTL_DEL) d.unused(field::addr, KernelRule::ignores);
    d.require_strict((sqe.off >> 32) == 0);  // read as an int
    d.unused(field::ioprio | field::op_flags | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    EpollCtl e;
    e.epfd_ = sqe.fd;
    e.op_ = sqe.len;
    e.fd_ = static_cast<std::int32_t>(static_cast<std::uint32_t>(sqe.off));
    e.event_ = sqe.addr;
    return e;
  }

  friend constexpr bool operator==(const EpollCtl&, const EpollCtl&) noexcept = default;

 private:
  constexpr EpollCtl() noexcept = default;
  std::int32_t epfd_ = -1;
  std::uint32_t op_ = 0;
  std::int32_t fd_ = -1;
  std::uint64_t event_ = 0;
};

class EpollWait {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::epoll_wait;

  // epoll_wait(epoll, events, maxevents, 0) once `epoll` has events (6.15).
  EpollWait(FileRef epoll, epoll_event* events, std::uint32_t maxevents) noexcept
      : epoll_(epoll), events_(address_of(events)), max_(maxevents) {}

  [[nodiscard]] constexpr FileRef epoll() const noexcept { return epoll_; }
  [[nodiscard]] epoll_event* events() const noexcept {
    return static_cast<epoll_event*>(pointer_from(events_));
  }
  [[nodiscard]] constexpr std::uint32_t maxevents() const noexcept { return max_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, epoll_);
    sqe.addr = events_;
    sqe.len = max_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<EpollWait> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::off | field::op_flags | field::buf_index | field::splice_fd_in,
             KernelRule::einval);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    EpollWait e(FileRef::from_sqe(sqe));
    e.events_ = sqe.addr;
    e.max_ = sqe.len;
    return e;
  }

  friend constexpr bool operator==(const EpollWait&, const EpollWait&) noexcept = default;

 private:
  constexpr explicit EpollWait(FileRef epoll) noexcept : epoll_(epoll) {}
  FileRef epoll_;
  std::uint64_t events_ = 0;
  std::uint32_t max_ = 0;
};

class Waitid {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::waitid;

  // waitid(which, id, infop, options) (6.7): which is P_PID, P_PGID, P_ALL or P_PIDFD.
  Waitid(idtype_t which, std::int32_t id, siginfo_t* infop, int options) noexcept
      : which_(static_cast<std::uint32_t>(which)),
        id_(id),
        options_(options),
        infop_(address_of(infop)) {}

  [[nodiscard]] constexpr std::uint32_t which() const noexcept { return which_; }
  [[nodiscard]] constexpr std::int32_t id() const noexcept { return id_; }
  [[nodiscard]] constexpr int options() const noexcept { return options_; }
  [[nodiscard]] siginfo_t* infop() const noexcept {
    return static_cast<siginfo_t*>(pointer_from(infop_));
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = id_;
    sqe.len = which_;
    sqe.splice_fd_in = options_;
    sqe.off = infop_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Waitid> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::addr | field::buf_index | field::addr3 | field::op_flags, KernelRule::einval);
    d.unused(field::ioprio | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Waitid w;
    w.which_ = sqe.len;
    w.id_ = sqe.fd;
    w.options_ = sqe.splice_fd_in;
    w.infop_ = sqe.off;
    return w;
  }

  friend constexpr bool operator==(const Waitid&, const Waitid&) noexcept = default;

 private:
  constexpr Waitid() noexcept = default;
  std::uint32_t which_ = 0;
  std::int32_t id_ = 0;
  int options_ = 0;
  std::uint64_t infop_ = 0;
};

namespace detail {

// FUTEX2_VALID_MASK of 6.18.
inline constexpr std::uint32_t futex2_valid_mask =
    abi::futex::size_mask | abi::futex::numa | abi::futex::mpol | abi::futex::private_flag;

// FUTEX_WAIT and FUTEX_WAKE: a 32-bit futex (addr), a value (off: the expected value, or the
// number to wake), futex2 flags (fd) and a bitset mask (addr3).
template <abi::Opcode Op>
class FutexOp {
  static constexpr bool wait = Op == abi::Opcode::futex_wait;

 public:
  static constexpr abi::Opcode opcode = Op;

  // FUTEX_WAIT: waits while *futex == value, until a FUTEX_WAKE (futex2 futex_wait, 6.7).
  // FUTEX_WAKE: wakes up to `value` waiters of `futex`; res is how many woke (6.7).
  FutexOp(const std::uint32_t* futex, std::uint32_t value) noexcept
      : addr_(address_of(futex)), value_(value) {}

  // Only waiters whose mask shares a bit with `bits` (default FUTEX_BITSET_MATCH_ANY).
  constexpr FutexOp& mask(std::uint32_t bits) noexcept {
    mask_ = bits;
    return *this;
  }
  // FUTEX2_PRIVATE: the futex is not shared with other processes.
  constexpr FutexOp& private_futex() noexcept {
    flags_ |= abi::futex::private_flag;
    return *this;
  }

  [[nodiscard]] std::uint32_t* futex() const noexcept {
    return static_cast<std::uint32_t*>(pointer_from(addr_));
  }
  [[nodiscard]] constexpr std::uint64_t futex_address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint32_t expected() const noexcept requires(wait) { return value_; }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept requires(!wait) { return value_; }
  [[nodiscard]] constexpr std::uint32_t mask() const noexcept { return mask_; }
  [[nodiscard]] constexpr std::uint32_t futex2_flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = static_cast<std::int32_t>(flags_);
    sqe.addr = addr_;
    sqe.off = value_;
    sqe.addr3 = mask_;
    return sqe;
  }

  // io_futex_prep, for both.
  [[nodiscard]] static constexpr ringkit::result<FutexOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::len | field::op_flags | field::buf_index | field::splice_fd_in,
             KernelRule::einval);
    const auto flags = static_cast<std::uint32_t>(sqe.fd);
    d.require((flags & ~futex2_valid_mask) == 0);
    d.require((flags & abi::futex::size_mask) == abi::futex::size_u32);
    d.require((sqe.off >> 32) == 0);
    d.require((sqe.addr3 >> 32) == 0);
    d.require(sqe.addr3 != 0);  // futex_wait / futex_wake: !bitset is -EINVAL at issue
    d.require_strict((flags & ~(abi::futex::size_mask | abi::futex::private_flag)) == 0);
    d.unused(field::ioprio | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    FutexOp f;
    f.addr_ = sqe.addr;
    f.value_ = static_cast<std::uint32_t>(sqe.off);
    f.mask_ = static_cast<std::uint32_t>(sqe.addr3);
    f.flags_ = flags;
    return f;
  }

  friend constexpr bool operator==(const FutexOp&, const FutexOp&) noexcept = default;

 private:
  constexpr FutexOp() noexcept = default;

  std::uint64_t addr_ = 0;
  std::uint32_t value_ = 0;
  std::uint32_t mask_ = static_cast<std::uint32_t>(abi::futex::bitset_match_any);
  std::uint32_t flags_ = abi::futex::size_u32;
};

}  // namespace detail

using FutexWait = detail::FutexOp<abi::Opcode::futex_wait>;
using FutexWake = detail::FutexOp<abi::Opcode::futex_wake>;

class FutexWaitv {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::futex_waitv;

  // Waits on `count` (1..128) futexes at once; res is the index of the one woken (6.7).
  FutexWaitv(const abi::FutexWaitv* futexes, std::uint32_t count) noexcept
      : addr_(address_of(futexes)), count_(count) {}

  [[nodiscard]] abi::FutexWaitv* futexes() const noexcept {
    return static_cast<abi::FutexWaitv*>(pointer_from(addr_));
  }
  [[nodiscard]] constexpr std::uint64_t futexes_address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept { return count_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.addr = addr_;
    sqe.len = count_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<FutexWaitv> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::fd | field::buf_index | field::splice_fd_in | field::off | field::op_flags |
                 field::addr3,
             KernelRule::einval);
    d.require(sqe.len != 0 && sqe.len <= abi::futex::waitv_max);
    d.unused(field::ioprio | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    FutexWaitv f;
    f.addr_ = sqe.addr;
    f.count_ = sqe.len;
    return f;
  }

  friend constexpr bool operator==(const FutexWaitv&, const FutexWaitv&) noexcept = default;

 private:
  constexpr FutexWaitv() noexcept = default;
  std::uint64_t addr_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace ringkit::op
