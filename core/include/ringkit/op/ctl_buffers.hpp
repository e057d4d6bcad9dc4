// IORING_OP_PROVIDE_BUFFERS (5.7) and IORING_OP_REMOVE_BUFFERS (5.7): the legacy provided-buffer
// groups (buffers picked by IOSQE_BUFFER_SELECT requests of the group).
//
// Kernel rules (io_uring/kbuf.c, Linux 6.18):
//   io_provide_buffers_prep: rw_flags (op_flags) or splice_fd_in non-zero is -EINVAL; fd (the
//   count, read into a u64 so a negative fd is huge) 0 or above MAX_BIDS_PER_BGID (65536) is
//   -E2BIG; len 0 is -EINVAL; addr + len * count overflowing is -EOVERFLOW; off (the first
//   buffer id) above 65535 is -E2BIG; off + count above 65536 is -EINVAL. buf_group is the group.
//   (An unmapped range is -EFAULT from access_ok: memory, not bytes, so decode does not check.)
//   ioprio, addr3, pad2 are never read.
//   io_remove_buffers_prep: rw_flags, addr, len, off or splice_fd_in non-zero is -EINVAL; fd
//   (the count) 0 or above 65536 is -EINVAL. ioprio, addr3, pad2 are never read.
//   Neither op takes a file or selects a buffer itself (no IOSQE_BUFFER_SELECT).
// liburing 2.3: io_uring_prep_provide_buffers / remove_buffers.
#pragma once

#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

namespace detail {
inline constexpr std::uint64_t max_bids_per_bgid = 1u << 16;  // MAX_BIDS_PER_BGID
// sqe->fd as io_*_buffers_prep reads it: into a u64, sign-extended.
constexpr std::uint64_t buffer_count_of(std::int32_t fd) noexcept {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(fd));
}
}  // namespace detail

class ProvideBuffers {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::provide_buffers;

  // Gives `count` buffers of `buffer_len` bytes each, back to back from `base`, to `group`,
  // with ids first_bid, first_bid + 1, ... (count in 1..65536, first_bid + count <= 65536,
  // buffer_len > 0).
  ProvideBuffers(void* base, std::uint32_t buffer_len, std::uint32_t count, BufGroup group,
                 std::uint16_t first_bid = 0) noexcept
      : addr_(address_of(base)),
        len_(buffer_len),
        count_(count),
        group_(group.id),
        first_bid_(first_bid) {}

  [[nodiscard]] void* base() const noexcept { return pointer_from(addr_); }
  [[nodiscard]] constexpr std::uint64_t base_address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint32_t buffer_len() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] constexpr BufGroup group() const noexcept { return BufGroup{group_}; }
  [[nodiscard]] constexpr std::uint16_t first_bid() const noexcept { return first_bid_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = static_cast<std::int32_t>(count_);
    sqe.addr = addr_;
    sqe.len = len_;
    sqe.off = first_bid_;
    sqe.buf_index = group_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<ProvideBuffers> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::op_flags | field::splice_fd_in, KernelRule::einval);
    const std::uint64_t count = detail::buffer_count_of(sqe.fd);
    d.require(count != 0 && count <= detail::max_bids_per_bgid, E2BIG);
    d.require(sqe.len != 0);
    const std::uint64_t size = std::uint64_t{sqe.len} * count;  // no overflow: both < 2^32+1
    d.require(count > detail::max_bids_per_bgid || sqe.addr <= ~std::uint64_t{0} - size, EOVERFLOW);
    d.require(sqe.off <= 0xffff, E2BIG);
    d.require(sqe.off + count <= detail::max_bids_per_bgid);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    ProvideBuffers p;
    p.addr_ = sqe.addr;
    p.len_ = sqe.len;
    p.count_ = static_cast<std::uint32_t>(sqe.fd);
    p.group_ = sqe.buf_index;
    p.first_bid_ = static_cast<std::uint16_t>(sqe.off);
    return p;
  }

  friend constexpr bool operator==(const ProvideBuffers&, const ProvideBuffers&) noexcept = default;

 private:
  constexpr ProvideBuffers() noexcept = default;
  std::uint64_t addr_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t count_ = 0;
  std::uint16_t group_ = 0;
  std::uint16_t first_bid_ = 0;
};

class RemoveBuffers {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::remove_buffers;

  // Removes up to `count` (1..65536) buffers from `group`; res is how many were removed.
  constexpr RemoveBuffers(std::uint32_t count, BufGroup group) noexcept
      : count_(count), group_(group.id) {}

  [[nodiscard]] constexpr std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] constexpr BufGroup group() const noexcept { return BufGroup{group_}; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = static_cast<std::int32_t>(count_);
    sqe.buf_index = group_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<RemoveBuffers> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::op_flags | field::addr | field::len | field::off | field::splice_fd_in,
             KernelRule::einval);
    const std::uint64_t count = detail::buffer_count_of(sqe.fd);
    d.require(count != 0 && count <= detail::max_bids_per_bgid);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    return RemoveBuffers(static_cast<std::uint32_t>(sqe.fd), BufGroup{sqe.buf_index});
  }

  friend constexpr bool operator==(const RemoveBuffers&, const RemoveBuffers&) noexcept = default;

 private:
  std::uint32_t count_;
  std::uint16_t group_;
};

}  // namespace ringkit::op
