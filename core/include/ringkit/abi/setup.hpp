// io_uring_setup(2): flags, features, ring-memory offsets and struct io_uring_params.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

// io_uring_params->flags (IORING_SETUP_*), every bit Linux 6.18 accepts (0..18).
namespace setup {
inline constexpr std::uint32_t iopoll = 1u << 0;          // busy-poll I/O completions
inline constexpr std::uint32_t sqpoll = 1u << 1;          // a kernel thread polls the SQ
inline constexpr std::uint32_t sq_aff = 1u << 2;          // sq_thread_cpu is valid
inline constexpr std::uint32_t cqsize = 1u << 3;          // cq_entries is valid
inline constexpr std::uint32_t clamp = 1u << 4;           // clamp sizes instead of EINVAL
inline constexpr std::uint32_t attach_wq = 1u << 5;       // share wq_fd's io-wq
inline constexpr std::uint32_t r_disabled = 1u << 6;      // start disabled (ENABLE_RINGS)
inline constexpr std::uint32_t submit_all = 1u << 7;      // keep submitting after an error
inline constexpr std::uint32_t coop_taskrun = 1u << 8;    // no IPI to run task work
inline constexpr std::uint32_t taskrun_flag = 1u << 9;    // raise sq_ring_flag::taskrun
inline constexpr std::uint32_t sqe128 = 1u << 10;         // 128-byte SQEs
inline constexpr std::uint32_t cqe32 = 1u << 11;          // 32-byte CQEs
inline constexpr std::uint32_t single_issuer = 1u << 12;  // one task submits
inline constexpr std::uint32_t defer_taskrun = 1u << 13;  // task work only when waiting
// 6.5: the application provides the ring memory (sq_off/cq_off.user_addr).
inline constexpr std::uint32_t no_mmap = 1u << 14;
// 6.5: register the ring fd in itself and return that index, not an fd.
inline constexpr std::uint32_t registered_fd_only = 1u << 15;
// 6.6: no SQ index array; SQ slot i is SQE i.
inline constexpr std::uint32_t no_sqarray = 1u << 16;
// 6.13: hybrid (sleep, then poll) completion polling with iopoll.
inline constexpr std::uint32_t hybrid_iopoll = 1u << 17;
// 6.18: 16- and 32-byte CQEs in one ring; a 32-byte one has cqe_flag::f_32.
inline constexpr std::uint32_t cqe_mixed = 1u << 18;

inline constexpr std::uint32_t known_flags =
    iopoll | sqpoll | sq_aff | cqsize | clamp | attach_wq | r_disabled | submit_all | coop_taskrun |
    taskrun_flag | sqe128 | cqe32 | single_issuer | defer_taskrun | no_mmap | registered_fd_only |
    no_sqarray | hybrid_iopoll | cqe_mixed;
static_assert(known_flags == (1u << 19) - 1);

// The kernel's IORING_MAX_ENTRIES and IORING_MAX_CQ_ENTRIES (io_uring/io_uring.h, not uapi):
// larger sizes are EINVAL unless setup::clamp is given.
inline constexpr std::uint32_t max_sq_entries = 32768;
inline constexpr std::uint32_t max_cq_entries = 2 * max_sq_entries;
}  // namespace setup

// io_uring_params->features (IORING_FEAT_*), as set by Linux 6.18 (mask 0x3ffff).
namespace feature {
inline constexpr std::uint32_t single_mmap = 1u << 0;      // SQ and CQ rings share one mmap
inline constexpr std::uint32_t nodrop = 1u << 1;           // CQ overflow is kept, not dropped
inline constexpr std::uint32_t submit_stable = 1u << 2;    // SQE data is copied at submit
inline constexpr std::uint32_t rw_cur_pos = 1u << 3;       // off == -1 means current position
inline constexpr std::uint32_t cur_personality = 1u << 4;  // ops run with submitter's creds
inline constexpr std::uint32_t fast_poll = 1u << 5;        // internal poll instead of a thread
inline constexpr std::uint32_t poll_32bits = 1u << 6;      // poll32_events
inline constexpr std::uint32_t sqpoll_nonfixed = 1u << 7;  // SQPOLL without fixed files
inline constexpr std::uint32_t ext_arg = 1u << 8;          // enter_flag::ext_arg
inline constexpr std::uint32_t native_workers = 1u << 9;   // io-wq workers are threads of the task
inline constexpr std::uint32_t rsrc_tags = 1u << 10;       // tagged resource registration
inline constexpr std::uint32_t cqe_skip = 1u << 11;        // sqe_flag::cqe_skip_success
inline constexpr std::uint32_t linked_file = 1u << 12;     // files of linked SQEs resolved late
// 6.3: IORING_REGISTER_USE_REGISTERED_RING.
inline constexpr std::uint32_t reg_reg_ring = 1u << 13;
// 6.10: recvsend::recvsend_bundle.
inline constexpr std::uint32_t recvsend_bundle = 1u << 14;
// 6.12: GeteventsArg::min_wait_usec.
inline constexpr std::uint32_t min_timeout = 1u << 15;
// 6.14: read/write attributes (Sqe::addr3 = attr_ptr, Sqe::pad2 = attr_type_mask).
inline constexpr std::uint32_t rw_attr = 1u << 16;
// 6.15: enter_flag::no_iowait.
inline constexpr std::uint32_t no_iowait = 1u << 17;

inline constexpr std::uint32_t known_flags =
    single_mmap | nodrop | submit_stable | rw_cur_pos | cur_personality | fast_poll | poll_32bits |
    sqpoll_nonfixed | ext_arg | native_workers | rsrc_tags | cqe_skip | linked_file | reg_reg_ring |
    recvsend_bundle | min_timeout | rw_attr | no_iowait;
static_assert(known_flags == 0x3ffffu);
}  // namespace feature

// The SQ ring's flags word (IORING_SQ_*), written by the kernel.
namespace sq_ring_flag {
inline constexpr std::uint32_t need_wakeup = 1u << 0;  // SQPOLL thread sleeps: enter to wake
inline constexpr std::uint32_t cq_overflow = 1u << 1;  // CQEs wait in the overflow backlog
inline constexpr std::uint32_t taskrun = 1u << 2;      // task work pending: enter to run it
}  // namespace sq_ring_flag

// The CQ ring's flags word (IORING_CQ_*), written by the application.
namespace cq_ring_flag {
inline constexpr std::uint32_t eventfd_disabled = 1u << 0;  // no eventfd notifications
}  // namespace cq_ring_flag

// mmap(2) offsets of the ring memory (IORING_OFF_*).
namespace mmap_offset {
inline constexpr std::uint64_t sq_ring = 0;
inline constexpr std::uint64_t cq_ring = 0x8000000;
inline constexpr std::uint64_t sqes = 0x10000000;
// 6.4: a kernel-allocated provided-buffer ring (pbuf_ring::mmap), at
// pbuf_ring | (bgid << pbuf_shift).
inline constexpr std::uint64_t pbuf_ring = 0x80000000;
inline constexpr std::uint64_t pbuf_shift = 16;
// 6.4: the bits of an offset that select the region.
inline constexpr std::uint64_t mmap_mask = 0xf8000000;
}  // namespace mmap_offset

[[nodiscard]] constexpr std::uint64_t pbuf_ring_mmap_offset(std::uint16_t bgid) noexcept {
  return mmap_offset::pbuf_ring | (std::uint64_t{bgid} << mmap_offset::pbuf_shift);
}

// struct io_sqring_offsets: byte offsets of the SQ ring's fields in its mmap.
struct SqringOffsets {
  std::uint32_t head;
  std::uint32_t tail;
  std::uint32_t ring_mask;
  std::uint32_t ring_entries;
  std::uint32_t flags;
  std::uint32_t dropped;
  std::uint32_t array;
  std::uint32_t resv1;
  std::uint64_t user_addr;  // 6.5 (setup::no_mmap); resv2 before

  constexpr bool operator==(const SqringOffsets&) const noexcept = default;
};
static_assert(sizeof(SqringOffsets) == 40);
static_assert(offsetof(SqringOffsets, array) == 24 && offsetof(SqringOffsets, user_addr) == 32);
static_assert(std::is_trivially_copyable_v<SqringOffsets>);

// struct io_cqring_offsets: byte offsets of the CQ ring's fields in its mmap.
struct CqringOffsets {
  std::uint32_t head;
  std::uint32_t tail;
  std::uint32_t ring_mask;
  std::uint32_t ring_entries;
  std::uint32_t overflow;
  std::uint32_t cqes;
  std::uint32_t flags;
  std::uint32_t resv1;
  std::uint64_t user_addr;  // 6.5 (setup::no_mmap); resv2 before

  constexpr bool operator==(const CqringOffsets&) const noexcept = default;
};
static_assert(sizeof(CqringOffsets) == 40);
static_assert(offsetof(CqringOffsets, flags) == 24 && offsetof(CqringOffsets, user_addr) == 32);
static_assert(std::is_trivially_copyable_v<CqringOffsets>);

// struct io_uring_params: passed to io_uring_setup(2), filled in by the kernel.
struct Params {
  std::uint32_t sq_entries;
  std::uint32_t cq_entries;
  std::uint32_t flags;           // setup::*
  std::uint32_t sq_thread_cpu;   // with setup::sq_aff
  std::uint32_t sq_thread_idle;  // SQPOLL idle time, ms
  std::uint32_t features;        // feature::*, set by the kernel
  std::uint32_t wq_fd;           // with setup::attach_wq
  std::uint32_t resv[3];
  SqringOffsets sq_off;
  CqringOffsets cq_off;

  constexpr bool operator==(const Params&) const noexcept = default;
};
static_assert(sizeof(Params) == 120);
static_assert(offsetof(Params, wq_fd) == 24 && offsetof(Params, resv) == 28 &&
              offsetof(Params, sq_off) == 40 && offsetof(Params, cq_off) == 80);
static_assert(std::is_standard_layout_v<Params> && std::is_trivially_copyable_v<Params>);

}  // namespace ringkit::abi
