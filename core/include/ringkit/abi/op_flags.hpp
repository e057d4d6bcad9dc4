// Per-opcode flags and the small structs some opcodes read or write (Linux 6.18).
//
// Each namespace names the SQE field the flags go in. Flags that live in sqe->ioprio are
// std::uint16_t, like that field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

// Sqe::splice_fd_in (file_index) = file_index_alloc: openat/accept/socket/... pick a free
// direct-descriptor slot and return it in cqe->res (IORING_FILE_INDEX_ALLOC).
inline constexpr std::uint32_t file_index_alloc = ~0u;

// FSYNC: Sqe::op_flags (fsync_flags).
namespace fsync {
inline constexpr std::uint32_t datasync = 1u << 0;  // fdatasync(2) semantics
}  // namespace fsync

// TIMEOUT, TIMEOUT_REMOVE, LINK_TIMEOUT: Sqe::op_flags (timeout_flags).
namespace timeout {
inline constexpr std::uint32_t abs = 1u << 0;                  // the timespec is absolute
inline constexpr std::uint32_t update = 1u << 1;               // TIMEOUT_REMOVE: update, not remove
inline constexpr std::uint32_t boottime = 1u << 2;             // CLOCK_BOOTTIME
inline constexpr std::uint32_t realtime = 1u << 3;             // CLOCK_REALTIME
inline constexpr std::uint32_t link_timeout_update = 1u << 4;  // update a LINK_TIMEOUT
inline constexpr std::uint32_t etime_success = 1u << 5;        // -ETIME does not break a link chain
// 6.4: fire repeatedly (Sqe::off = count, 0 = forever), cqe_flag::more on all but the last.
inline constexpr std::uint32_t multishot = 1u << 6;
inline constexpr std::uint32_t clock_mask = boottime | realtime;
inline constexpr std::uint32_t update_mask = update | link_timeout_update;
}  // namespace timeout

// SPLICE, TEE: Sqe::op_flags (splice_flags), on top of splice(2)'s SPLICE_F_*.
namespace splice {
inline constexpr std::uint32_t f_fd_in_fixed = 1u << 31;  // splice_fd_in is a fixed file
}  // namespace splice

// POLL_ADD / POLL_REMOVE command flags: in Sqe::len (op_flags holds the poll events).
namespace poll {
inline constexpr std::uint32_t add_multi = 1u << 0;         // multishot poll
inline constexpr std::uint32_t update_events = 1u << 1;     // POLL_REMOVE: new events
inline constexpr std::uint32_t update_user_data = 1u << 2;  // POLL_REMOVE: new user_data
inline constexpr std::uint32_t add_level = 1u << 3;         // level-triggered
}  // namespace poll

// ASYNC_CANCEL: Sqe::op_flags (cancel_flags); also SyncCancelReg::flags.
namespace async_cancel {
inline constexpr std::uint32_t all = 1u << 0;       // every match, not just the first
inline constexpr std::uint32_t fd = 1u << 1;        // match on fd, not user_data
inline constexpr std::uint32_t any = 1u << 2;       // match any request
inline constexpr std::uint32_t fd_fixed = 1u << 3;  // fd is a fixed file
inline constexpr std::uint32_t userdata = 1u << 4;  // 6.6: match on user_data (the default)
inline constexpr std::uint32_t op = 1u << 5;        // 6.6: match on opcode (Sqe::len)
}  // namespace async_cancel

// SEND, RECV, SENDMSG, RECVMSG, SEND_ZC, SENDMSG_ZC: Sqe::ioprio.
namespace recvsend {
// Arm poll first instead of trying the transfer at once.
inline constexpr std::uint16_t poll_first = 1u << 0;
// RECV/RECVMSG multishot (needs sqe_flag::buffer_select).
inline constexpr std::uint16_t recv_multishot = 1u << 1;
// Sqe::buf_index names a registered buffer.
inline constexpr std::uint16_t fixed_buf = 1u << 2;
// 6.2: the notification CQE's res says whether the data was copied (notif_usage_zc_copied).
inline constexpr std::uint16_t send_zc_report_usage = 1u << 3;
// 6.10: send/recv as many provided buffers as possible at once (feature::recvsend_bundle).
inline constexpr std::uint16_t recvsend_bundle = 1u << 4;
// 6.17: SEND/SEND_ZC: Sqe::addr points to an iovec array, Sqe::len counts it.
inline constexpr std::uint16_t send_vectorized = 1u << 5;
}  // namespace recvsend

// 6.2: bit of a zero-copy notification CQE's res when recvsend::send_zc_report_usage was set
// and the data was copied at least in part (IORING_NOTIF_USAGE_ZC_COPIED).
inline constexpr std::uint32_t notif_usage_zc_copied = 1u << 31;

// ACCEPT: Sqe::ioprio.
namespace accept {
inline constexpr std::uint16_t multishot = 1u << 0;   // one CQE per accepted connection
inline constexpr std::uint16_t dontwait = 1u << 1;    // 6.10: -EAGAIN instead of waiting
inline constexpr std::uint16_t poll_first = 1u << 2;  // 6.10: arm poll first
}  // namespace accept

// MSG_RING: the command in Sqe::addr (enum io_uring_msg_ring_flags), flags in Sqe::op_flags.
namespace msg_ring {
inline constexpr std::uint64_t data = 0;     // post a CQE: res = len, user_data = off
inline constexpr std::uint64_t send_fd = 1;  // install a fixed file in the target ring
// Post no CQE in the source ring (send_fd only).
inline constexpr std::uint32_t cqe_skip = 1u << 0;
// 6.3: the target CQE's flags are Sqe::splice_fd_in (file_index).
inline constexpr std::uint32_t flags_pass = 1u << 1;
}  // namespace msg_ring

// FIXED_FD_INSTALL: Sqe::op_flags (install_fd_flags). 6.8.
namespace fixed_fd {
inline constexpr std::uint32_t no_cloexec = 1u << 0;  // the installed fd is not O_CLOEXEC
}  // namespace fixed_fd

// NOP: Sqe::op_flags (nop_flags). All for testing and benchmarking the ring itself.
namespace nop {
inline constexpr std::uint32_t inject_result = 1u << 0;  // 6.10: res = (int)Sqe::len
inline constexpr std::uint32_t file = 1u << 1;           // 6.13: look up Sqe::fd
inline constexpr std::uint32_t fixed_file = 1u << 2;     // 6.13: ... as a fixed file
inline constexpr std::uint32_t fixed_buffer = 1u << 3;   // 6.13: look up Sqe::buf_index
inline constexpr std::uint32_t tw = 1u << 4;             // 6.17: complete via task work
// 6.18: post a 32-byte CQE (CQE32 or CQE_MIXED ring) with extra1 = off, extra2 = addr.
inline constexpr std::uint32_t cqe32 = 1u << 5;
}  // namespace nop

// URING_CMD: Sqe::op_flags (uring_cmd_flags); the top 8 bits belong to the kernel.
namespace uring_cmd {
inline constexpr std::uint32_t fixed = 1u << 0;           // Sqe::buf_index is a registered buffer
inline constexpr std::uint32_t multishot = 1u << 1;       // 6.18: needs sqe_flag::buffer_select
inline constexpr std::uint32_t mask = fixed | multishot;  // IORING_URING_CMD_MASK of 6.18
}  // namespace uring_cmd

// URING_CMD on a socket: the command in Sqe::off (cmd_op, enum io_uring_socket_op).
namespace socket_uring_op {
inline constexpr std::uint32_t siocinq = 0;       // 6.6
inline constexpr std::uint32_t siocoutq = 1;      // 6.6
inline constexpr std::uint32_t getsockopt = 2;    // 6.7: level/optname in addr, optval in addr3
inline constexpr std::uint32_t setsockopt = 3;    // 6.7
inline constexpr std::uint32_t tx_timestamp = 4;  // 6.15: see namespace tx_timestamp
}  // namespace socket_uring_op

// socket_uring_op::tx_timestamp completions. 6.15.
namespace tx_timestamp {
inline constexpr std::uint32_t hw_shift = 16;                     // IORING_TIMESTAMP_HW_SHIFT
inline constexpr std::uint32_t type_shift = hw_shift + 1;         // IORING_TIMESTAMP_TYPE_SHIFT
inline constexpr std::uint32_t cqe_f_tstamp_hw = 1u << hw_shift;  // IORING_CQE_F_TSTAMP_HW
}  // namespace tx_timestamp

// 6.15: struct io_timespec, the timestamp in a tx_timestamp Cqe32's extra words.
struct IoTimespec {
  std::uint64_t tv_sec;
  std::uint64_t tv_nsec;

  constexpr bool operator==(const IoTimespec&) const noexcept = default;
};
static_assert(sizeof(IoTimespec) == 16);

// FUTEX_WAIT, FUTEX_WAKE: futex2 flags in Sqe::fd (Sqe::op_flags must be 0); FUTEX_WAITV:
// per-entry in FutexWaitv::flags. Values of linux/futex.h; the FUTEX2_* names are 6.7, when
// io_uring's futex ops came (FUTEX_32, FUTEX_WAITV_MAX and FUTEX_PRIVATE_FLAG are older).
namespace futex {
inline constexpr std::uint32_t size_u8 = 0x00;
inline constexpr std::uint32_t size_u16 = 0x01;
inline constexpr std::uint32_t size_u32 = 0x02;  // the only size the kernel accepts (FUTEX_32)
inline constexpr std::uint32_t size_u64 = 0x03;
inline constexpr std::uint32_t size_mask = 0x03;
inline constexpr std::uint32_t numa = 0x04;         // 6.16 (reserved since 6.7): node id follows
inline constexpr std::uint32_t mpol = 0x08;         // 6.16: node from the memory policy
inline constexpr std::uint32_t private_flag = 128;  // FUTEX2_PRIVATE (FUTEX_PRIVATE_FLAG)
inline constexpr std::uint32_t waitv_max = 128;     // FUTEX_WAITV_MAX: max Sqe::len
inline constexpr std::uint64_t bitset_match_any = 0xffffffff;  // Sqe::addr3 mask: any bit
}  // namespace futex

// struct futex_waitv (linux/futex.h), an entry of FUTEX_WAITV's array (Sqe::addr).
struct FutexWaitv {
  std::uint64_t val;
  std::uint64_t uaddr;
  std::uint32_t flags;  // futex::* size and private_flag
  std::uint32_t reserved;

  constexpr bool operator==(const FutexWaitv&) const noexcept = default;
};
static_assert(sizeof(FutexWaitv) == 24);
static_assert(offsetof(FutexWaitv, uaddr) == 8 && offsetof(FutexWaitv, flags) == 16);

// READ_MULTISHOT, WAITID, EPOLL_WAIT, PIPE and the *xattr ops have no io_uring flags of their
// own: READ_MULTISHOT is multishot by opcode (with sqe_flag::buffer_select), WAITID and
// PIPE take their syscalls' flags, the others must have op_flags == 0.

// READ, WRITE, READV, WRITEV and their _FIXED forms: Sqe::pad2 (attr_type_mask) bits, with
// Sqe::addr3 (attr_ptr) pointing to the attribute. 6.14 (feature::rw_attr).
namespace rw {
inline constexpr std::uint64_t attr_flag_pi = 1u << 0;  // attr_ptr -> AttrPi
}  // namespace rw

// 6.14: struct io_uring_attr_pi, block-integrity (protection information) for a read/write.
struct AttrPi {
  std::uint16_t flags;
  std::uint16_t app_tag;
  std::uint32_t len;
  std::uint64_t addr;
  std::uint64_t seed;
  std::uint64_t rsvd;

  constexpr bool operator==(const AttrPi&) const noexcept = default;
};
static_assert(sizeof(AttrPi) == 32);
static_assert(offsetof(AttrPi, len) == 4 && offsetof(AttrPi, addr) == 8 &&
              offsetof(AttrPi, rsvd) == 24);

// struct io_uring_recvmsg_out: what a multishot RECVMSG writes at the start of each buffer,
// followed by the name, the control data and the payload.
struct RecvmsgOut {
  std::uint32_t namelen;
  std::uint32_t controllen;
  std::uint32_t payloadlen;
  std::uint32_t flags;

  constexpr bool operator==(const RecvmsgOut&) const noexcept = default;
};
static_assert(sizeof(RecvmsgOut) == 16);

static_assert(std::is_trivially_copyable_v<RecvmsgOut> && std::is_trivially_copyable_v<AttrPi> &&
              std::is_trivially_copyable_v<FutexWaitv> && std::is_trivially_copyable_v<IoTimespec>);

}  // namespace ringkit::abi
