// The submission queue entry (struct io_uring_sqe), flat and union-free.
//
// Each field is the raw integer at the kernel's offset; the kernel's unions become one field
// whose name is the most common member, and the table below says which other members share it.
// Builders write these fields; decode() reads them back.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

// The sub-word aliases (cmd_op, level/optname, addr_len, write_stream, poll_events) sit at the
// low-address end of their field, which is its low-order bits only on little-endian machines.
static_assert(std::endian::native == std::endian::little,
              "ringkit's flat Sqe maps the kernel's sub-word union members as low-order bits");

// Which kernel union members each field carries (Linux 6.18):
//
//  off  field         kernel members sharing the bytes
//  ---  ------------  ----------------------------------------------------------------------
//   0   opcode        opcode
//   1   flags         flags (IOSQE_*)
//   2   ioprio        ioprio; send/recv flags (IORING_RECVSEND_*), accept flags (IORING_ACCEPT_*)
//   4   fd            fd; FUTEX_WAIT/WAKE: futex2 flags
//   8   off           off | addr2 | cmd_op (bits 0..31) + __pad1 (bits 32..63)
//  16   addr          addr | splice_off_in | level (bits 0..31) + optname (bits 32..63)
//  24   len           len
//  28   op_flags      rw_flags | fsync_flags | poll_events (bits 0..15) | poll32_events |
//                     sync_range_flags | msg_flags | timeout_flags | accept_flags |
//                     cancel_flags | open_flags | statx_flags | fadvise_advice | splice_flags |
//                     rename_flags | unlink_flags | hardlink_flags | xattr_flags |
//                     msg_ring_flags | uring_cmd_flags | waitid_flags | futex_flags |
//                     install_fd_flags | nop_flags | pipe_flags
//  32   user_data     user_data
//  40   buf_index     buf_index | buf_group
//  42   personality   personality
//  44   splice_fd_in  splice_fd_in | file_index | zcrx_ifq_idx | optlen |
//                     addr_len (bits 0..15) + __pad3 | write_stream (bits 0..7) + __pad4 (6.16)
//  48   addr3         addr3 | attr_ptr (6.14) | optval | cmd[0..7] (SQE128: start of 80 bytes)
//  56   pad2          __pad2[0] | attr_type_mask (6.14) | cmd[8..15]
struct Sqe {
  std::uint8_t opcode;
  std::uint8_t flags;
  std::uint16_t ioprio;
  std::int32_t fd;
  std::uint64_t off;
  std::uint64_t addr;
  std::uint32_t len;
  std::uint32_t op_flags;
  std::uint64_t user_data;
  std::uint16_t buf_index;
  std::uint16_t personality;
  std::int32_t splice_fd_in;
  std::uint64_t addr3;
  std::uint64_t pad2;

  constexpr bool operator==(const Sqe&) const noexcept = default;
};
static_assert(sizeof(Sqe) == 64);
static_assert(alignof(Sqe) == 8);
static_assert(std::is_standard_layout_v<Sqe> && std::is_trivially_copyable_v<Sqe>);
static_assert(offsetof(Sqe, opcode) == 0 && offsetof(Sqe, flags) == 1 &&
              offsetof(Sqe, ioprio) == 2 && offsetof(Sqe, fd) == 4 && offsetof(Sqe, off) == 8 &&
              offsetof(Sqe, addr) == 16 && offsetof(Sqe, len) == 24 &&
              offsetof(Sqe, op_flags) == 28 && offsetof(Sqe, user_data) == 32 &&
              offsetof(Sqe, buf_index) == 40 && offsetof(Sqe, personality) == 42 &&
              offsetof(Sqe, splice_fd_in) == 44 && offsetof(Sqe, addr3) == 48 &&
              offsetof(Sqe, pad2) == 56);

// One slot of an IORING_SETUP_SQE128 ring: the kernel's cmd[] (80 bytes for URING_CMD) starts
// at addr3, so cmd[0..15] are addr3/pad2 and cmd[16..79] are cmd_tail.
struct Sqe128 {
  Sqe sqe;
  std::uint8_t cmd_tail[64];

  constexpr bool operator==(const Sqe128&) const noexcept = default;
};
static_assert(sizeof(Sqe128) == 128);
static_assert(offsetof(Sqe128, cmd_tail) == 64);
static_assert(std::is_standard_layout_v<Sqe128> && std::is_trivially_copyable_v<Sqe128>);

// Bytes of cmd[] an SQE128 slot carries (from addr3 to the end of the slot).
inline constexpr std::size_t sqe128_cmd_bytes = 80;
static_assert(offsetof(Sqe, addr3) + sqe128_cmd_bytes == sizeof(Sqe128));

// sqe->flags (IOSQE_*).
namespace sqe_flag {
inline constexpr std::uint8_t fixed_file_bit = 0;
inline constexpr std::uint8_t io_drain_bit = 1;
inline constexpr std::uint8_t io_link_bit = 2;
inline constexpr std::uint8_t io_hardlink_bit = 3;
inline constexpr std::uint8_t async_bit = 4;
inline constexpr std::uint8_t buffer_select_bit = 5;
inline constexpr std::uint8_t cqe_skip_success_bit = 6;

// fd is an index into the registered file table.
inline constexpr std::uint8_t fixed_file = 1u << fixed_file_bit;
// Start only after every earlier SQE has completed.
inline constexpr std::uint8_t io_drain = 1u << io_drain_bit;
// The next SQE starts when this one completes; a failure cancels the rest of the chain.
inline constexpr std::uint8_t io_link = 1u << io_link_bit;
// Like io_link, but a failure does not break the chain.
inline constexpr std::uint8_t io_hardlink = 1u << io_hardlink_bit;
// Always issue from an io-wq worker.
inline constexpr std::uint8_t async = 1u << async_bit;
// Pick a provided buffer from buf_group.
inline constexpr std::uint8_t buffer_select = 1u << buffer_select_bit;
// Post no CQE when the request succeeds.
inline constexpr std::uint8_t cqe_skip_success = 1u << cqe_skip_success_bit;

inline constexpr std::uint8_t known_flags =
    fixed_file | io_drain | io_link | io_hardlink | async | buffer_select | cqe_skip_success;
}  // namespace sqe_flag

}  // namespace ringkit::abi

namespace ringkit {
using abi::Sqe;
}  // namespace ringkit
