// io_uring_register(2): opcodes, flags and argument structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ringkit/abi/enter.hpp"
#include "ringkit/abi/op_flags.hpp"  // async_cancel::*, the flags of SyncCancelReg

namespace ringkit::abi {

// io_uring_register(2) opcodes (enum io_uring_register_op), all of Linux 6.18.
enum class RegisterOp : std::uint32_t {
  register_buffers = 0,
  unregister_buffers = 1,
  register_files = 2,
  unregister_files = 3,
  register_eventfd = 4,
  unregister_eventfd = 5,
  register_files_update = 6,
  register_eventfd_async = 7,
  register_probe = 8,
  register_personality = 9,
  unregister_personality = 10,
  register_restrictions = 11,
  register_enable_rings = 12,
  register_files2 = 13,  // with tags (RsrcRegister)
  register_files_update2 = 14,
  register_buffers2 = 15,
  register_buffers_update = 16,
  register_iowq_aff = 17,
  unregister_iowq_aff = 18,
  register_iowq_max_workers = 19,
  register_ring_fds = 20,
  unregister_ring_fds = 21,
  register_pbuf_ring = 22,
  unregister_pbuf_ring = 23,
  register_sync_cancel = 24,
  register_file_alloc_range = 25,
  register_pbuf_status = 26,    // 6.8
  register_napi = 27,           // 6.9
  unregister_napi = 28,         // 6.9
  register_clock = 29,          // 6.12
  register_clone_buffers = 30,  // 6.12
  register_send_msg_ring = 31,  // 6.13: MSG_RING without a source ring
  register_zcrx_ifq = 32,       // 6.15 (number reserved before resize_rings)
  register_resize_rings = 33,   // 6.13
  register_mem_region = 34,     // 6.13
  register_query = 35,          // 6.18
};

// IORING_REGISTER_LAST of Linux 6.18: opcodes 0..35 exist, 36 is EINVAL.
inline constexpr std::uint32_t register_op_count = 36;

// 6.3: OR'ed into the opcode, the fd argument is a registered ring index
// (feature::reg_reg_ring). IORING_REGISTER_USE_REGISTERED_RING.
inline constexpr std::uint32_t register_use_registered_ring = 1u << 31;

// IORING_REGISTER_IOWQ_MAX_WORKERS takes a u32[2] indexed by these (enum io_wq_type).
namespace iowq {
inline constexpr std::uint32_t bound = 0;
inline constexpr std::uint32_t unbound = 1;
}  // namespace iowq

// ---- registered files and buffers -------------------------------------------------------

// RsrcRegister::flags: register an all-empty table of `nr` slots (IORING_RSRC_REGISTER_SPARSE).
inline constexpr std::uint32_t rsrc_register_sparse = 1u << 0;
// In a files-update array: leave this slot as it is (IORING_REGISTER_FILES_SKIP).
inline constexpr std::int32_t register_files_skip = -2;

// struct io_uring_rsrc_register: argument of register_files2 / register_buffers2.
struct RsrcRegister {
  std::uint32_t nr;
  std::uint32_t flags;  // rsrc_register_sparse
  std::uint64_t resv2;
  std::uint64_t data;  // int* fds, or iovec* buffers
  std::uint64_t tags;  // u64* tags, or 0

  constexpr bool operator==(const RsrcRegister&) const noexcept = default;
};
static_assert(sizeof(RsrcRegister) == 32);
static_assert(offsetof(RsrcRegister, data) == 16 && offsetof(RsrcRegister, tags) == 24);

// struct io_uring_rsrc_update: argument of register_files_update, (un)register_ring_fds.
struct RsrcUpdate {
  std::uint32_t offset;
  std::uint32_t resv;
  std::uint64_t data;  // int* fds (the kernel's io_uring_files_update calls it fds)

  constexpr bool operator==(const RsrcUpdate&) const noexcept = default;
};
static_assert(sizeof(RsrcUpdate) == 16);
static_assert(offsetof(RsrcUpdate, data) == 8);

// struct io_uring_files_update: the same bytes as RsrcUpdate (deprecated name).
using FilesUpdate = RsrcUpdate;

// struct io_uring_rsrc_update2: argument of register_files_update2 / register_buffers_update.
struct RsrcUpdate2 {
  std::uint32_t offset;
  std::uint32_t resv;
  std::uint64_t data;
  std::uint64_t tags;
  std::uint32_t nr;
  std::uint32_t resv2;

  constexpr bool operator==(const RsrcUpdate2&) const noexcept = default;
};
static_assert(sizeof(RsrcUpdate2) == 32);
static_assert(offsetof(RsrcUpdate2, tags) == 16 && offsetof(RsrcUpdate2, nr) == 24);

// struct io_uring_file_index_range: register_file_alloc_range, slots [off, off + len).
struct FileIndexRange {
  std::uint32_t off;
  std::uint32_t len;
  std::uint64_t resv;

  constexpr bool operator==(const FileIndexRange&) const noexcept = default;
};
static_assert(sizeof(FileIndexRange) == 16);

// ---- probe and restrictions -------------------------------------------------------------

// ProbeOp::flags: the opcode is supported (IO_URING_OP_SUPPORTED).
inline constexpr std::uint16_t probe_op_supported = 1u << 0;

// struct io_uring_probe_op.
struct ProbeOp {
  std::uint8_t op;
  std::uint8_t resv;
  std::uint16_t flags;  // probe_op_supported
  std::uint32_t resv2;

  constexpr bool operator==(const ProbeOp&) const noexcept = default;
};
static_assert(sizeof(ProbeOp) == 8);
static_assert(offsetof(ProbeOp, flags) == 2 && offsetof(ProbeOp, resv2) == 4);

// struct io_uring_probe without its flexible ops[] array, which follows it in memory.
struct ProbeHeader {
  std::uint8_t last_op;  // the kernel's IORING_OP_LAST - 1
  std::uint8_t ops_len;  // entries written to ops[]
  std::uint16_t resv;
  std::uint32_t resv2[3];

  constexpr bool operator==(const ProbeHeader&) const noexcept = default;
};
static_assert(sizeof(ProbeHeader) == 16);
static_assert(alignof(ProbeHeader) == alignof(ProbeOp), "ops[] follows the header directly");

// Bytes of a probe buffer with room for `ops` entries (nr_args of register_probe).
[[nodiscard]] constexpr std::size_t probe_size(std::size_t ops) noexcept {
  return sizeof(ProbeHeader) + ops * sizeof(ProbeOp);
}

// Restriction::opcode values (enum io_uring_register_restriction_op).
namespace restriction_op {
inline constexpr std::uint16_t register_op = 0;         // allow a register opcode (arg)
inline constexpr std::uint16_t sqe_op = 1;              // allow an SQE opcode (arg)
inline constexpr std::uint16_t sqe_flags_allowed = 2;   // allow these sqe_flag bits (arg)
inline constexpr std::uint16_t sqe_flags_required = 3;  // require these sqe_flag bits (arg)
}  // namespace restriction_op

// struct io_uring_restriction: one entry of register_restrictions.
struct Restriction {
  std::uint16_t opcode;  // restriction_op::*
  std::uint8_t arg;      // the kernel's union: register_op | sqe_op | sqe_flags
  std::uint8_t resv;
  std::uint32_t resv2[3];

  constexpr bool operator==(const Restriction&) const noexcept = default;
};
static_assert(sizeof(Restriction) == 16);
static_assert(offsetof(Restriction, arg) == 2 && offsetof(Restriction, resv2) == 4);

// ---- provided-buffer rings --------------------------------------------------------------

// BufReg::flags (enum io_uring_register_pbuf_ring_flags).
namespace pbuf_ring {
// 6.4: the kernel allocates the ring; mmap it at pbuf_ring_mmap_offset(bgid).
inline constexpr std::uint16_t mmap = 1;
// 6.12: buffers are consumed incrementally (cqe_flag::buf_more).
inline constexpr std::uint16_t inc = 2;
}  // namespace pbuf_ring

// struct io_uring_buf_reg: argument of (un)register_pbuf_ring.
struct BufReg {
  std::uint64_t ring_addr;
  std::uint32_t ring_entries;  // a power of two, < 65536
  std::uint16_t bgid;
  std::uint16_t flags;  // pbuf_ring::*; "pad" before 6.4
  // Smallest useful remainder of an incrementally consumed buffer: less left and the kernel
  // moves on to the next buffer. Only with pbuf_ring::inc, else EINVAL. A stable-tree fix
  // (mainline 7.1, in 6.18.y; this machine's 6.18.44 has it); older kernels reserve these
  // bytes, so a nonzero value is EINVAL there.
  std::uint32_t min_left;
  std::uint32_t resv[5];

  constexpr bool operator==(const BufReg&) const noexcept = default;
};
static_assert(sizeof(BufReg) == 40);
static_assert(offsetof(BufReg, bgid) == 12 && offsetof(BufReg, flags) == 14 &&
              offsetof(BufReg, min_left) == 16 && offsetof(BufReg, resv) == 20);

// 6.8: struct io_uring_buf_status, argument of register_pbuf_status.
struct BufStatus {
  std::uint32_t buf_group;  // in
  std::uint32_t head;       // out: the kernel's head of that ring
  std::uint32_t resv[8];

  constexpr bool operator==(const BufStatus&) const noexcept = default;
};
static_assert(sizeof(BufStatus) == 40);

// ---- cancel, napi, clock, clone, regions, query -----------------------------------------

// struct io_uring_sync_cancel_reg: argument of register_sync_cancel. Flags are
// async_cancel::* (op_flags.hpp).
struct SyncCancelReg {
  std::uint64_t addr;  // user_data to match
  std::int32_t fd;
  std::uint32_t flags;
  KernelTimespec timeout;  // {-1, -1}: wait forever
  std::uint8_t opcode;     // 6.6 (async_cancel::op); part of pad[4] before
  std::uint8_t pad[7];
  std::uint64_t pad2[3];

  constexpr bool operator==(const SyncCancelReg&) const noexcept = default;
};
static_assert(sizeof(SyncCancelReg) == 64);
static_assert(offsetof(SyncCancelReg, fd) == 8 && offsetof(SyncCancelReg, timeout) == 16 &&
              offsetof(SyncCancelReg, opcode) == 32 && offsetof(SyncCancelReg, pad2) == 40);

// Napi::opcode (enum io_uring_napi_op) and, for register_op, the op_param tracking strategy
// (enum io_uring_napi_tracking_strategy). 6.15.
namespace napi {
inline constexpr std::uint8_t register_op = 0;    // op_param: a tracking strategy
inline constexpr std::uint8_t static_add_id = 1;  // op_param: a NAPI id to track
inline constexpr std::uint8_t static_del_id = 2;  // op_param: a NAPI id to drop
inline constexpr std::uint32_t tracking_dynamic = 0;
inline constexpr std::uint32_t tracking_static = 1;
inline constexpr std::uint32_t tracking_inactive = 255;
}  // namespace napi

// 6.9: struct io_uring_napi, argument of (un)register_napi. opcode and op_param are 6.15
// (pad[3] and resv before; zero there means register_op with dynamic tracking).
struct Napi {
  std::uint32_t busy_poll_to;  // busy-poll timeout, us
  std::uint8_t prefer_busy_poll;
  std::uint8_t opcode;  // napi::register_op, static_add_id, static_del_id
  std::uint8_t pad[2];
  std::uint32_t op_param;
  std::uint32_t resv;

  constexpr bool operator==(const Napi&) const noexcept = default;
};
static_assert(sizeof(Napi) == 16);
static_assert(offsetof(Napi, prefer_busy_poll) == 4 && offsetof(Napi, opcode) == 5 &&
              offsetof(Napi, pad) == 6 && offsetof(Napi, op_param) == 8 &&
              offsetof(Napi, resv) == 12);

// 6.12: struct io_uring_clock_register, argument of register_clock.
struct ClockRegister {
  std::uint32_t clockid;  // CLOCK_MONOTONIC or CLOCK_BOOTTIME
  std::uint32_t resv[3];

  constexpr bool operator==(const ClockRegister&) const noexcept = default;
};
static_assert(sizeof(ClockRegister) == 16);

// CloneBuffers::flags.
namespace clone_buffers_flag {
inline constexpr std::uint32_t src_registered = 1u << 0;  // 6.12: src_fd is a registered ring
inline constexpr std::uint32_t dst_replace = 1u << 1;     // 6.13: replace existing buffers
}  // namespace clone_buffers_flag

// 6.12: struct io_uring_clone_buffers, argument of register_clone_buffers. src_off, dst_off
// and nr are 6.13 (pad before; zero there means the whole table).
struct CloneBuffers {
  std::uint32_t src_fd;
  std::uint32_t flags;  // clone_buffers_flag::*
  std::uint32_t src_off;
  std::uint32_t dst_off;
  std::uint32_t nr;
  std::uint32_t pad[3];

  constexpr bool operator==(const CloneBuffers&) const noexcept = default;
};
static_assert(sizeof(CloneBuffers) == 32);
static_assert(offsetof(CloneBuffers, src_off) == 8 && offsetof(CloneBuffers, nr) == 16);

// Flags of RegionDesc and MemRegionReg. 6.13.
namespace mem_region {
inline constexpr std::uint32_t type_user = 1;     // RegionDesc::flags: memory at user_addr
inline constexpr std::uint64_t reg_wait_arg = 1;  // MemRegionReg::flags: RegWait entries
}  // namespace mem_region

// 6.13: struct io_uring_region_desc.
struct RegionDesc {
  std::uint64_t user_addr;
  std::uint64_t size;
  std::uint32_t flags;  // mem_region::type_user
  std::uint32_t id;
  std::uint64_t mmap_offset;  // out, for kernel-allocated regions
  std::uint64_t resv[4];

  constexpr bool operator==(const RegionDesc&) const noexcept = default;
};
static_assert(sizeof(RegionDesc) == 64);
static_assert(offsetof(RegionDesc, flags) == 16 && offsetof(RegionDesc, mmap_offset) == 24);

// 6.13: struct io_uring_mem_region_reg, argument of register_mem_region.
struct MemRegionReg {
  std::uint64_t region_uptr;  // RegionDesc*
  std::uint64_t flags;        // mem_region::reg_wait_arg
  std::uint64_t resv[2];

  constexpr bool operator==(const MemRegionReg&) const noexcept = default;
};
static_assert(sizeof(MemRegionReg) == 32);

// QueryHdr::query_op values. 6.18.
namespace query_op {
inline constexpr std::uint32_t opcodes = 0;  // answer: QueryOpcode
}  // namespace query_op

// 6.18: struct io_uring_query_hdr (linux/io_uring/query.h). register_query takes the first
// of a chain of these as its argument, with nr_args 0.
struct QueryHdr {
  std::uint64_t next_entry;  // QueryHdr* of the next query, or 0
  std::uint64_t query_data;  // the answer buffer
  std::uint32_t query_op;    // query_op::*
  std::uint32_t size;        // in: bytes at query_data; out: bytes written
  std::int32_t result;       // out: 0 or -errno
  std::uint32_t resv[3];

  constexpr bool operator==(const QueryHdr&) const noexcept = default;
};
static_assert(sizeof(QueryHdr) == 40);
static_assert(offsetof(QueryHdr, query_op) == 16 && offsetof(QueryHdr, result) == 24);

// 6.18: struct io_uring_query_opcode, the answer to query_op::opcodes.
struct QueryOpcode {
  std::uint32_t nr_request_opcodes;   // IORING_OP_LAST
  std::uint32_t nr_register_opcodes;  // IORING_REGISTER_LAST
  std::uint64_t feature_flags;        // feature::*
  std::uint64_t ring_setup_flags;     // setup::*
  std::uint64_t enter_flags;          // enter_flag::*
  std::uint64_t sqe_flags;            // sqe_flag::*
  std::uint32_t nr_query_opcodes;
  std::uint32_t pad;

  constexpr bool operator==(const QueryOpcode&) const noexcept = default;
};
static_assert(sizeof(QueryOpcode) == 48);
static_assert(offsetof(QueryOpcode, feature_flags) == 8 &&
              offsetof(QueryOpcode, nr_query_opcodes) == 40);

static_assert(std::is_trivially_copyable_v<RsrcRegister> && std::is_trivially_copyable_v<BufReg> &&
              std::is_trivially_copyable_v<SyncCancelReg> && std::is_trivially_copyable_v<Napi> &&
              std::is_trivially_copyable_v<RegionDesc> && std::is_trivially_copyable_v<QueryHdr>);

}  // namespace ringkit::abi
