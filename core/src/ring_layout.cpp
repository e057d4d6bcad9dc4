#include "ringkit/ring_layout.hpp"

#include <cstddef>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/sqe.hpp"

namespace ringkit {

namespace {

// struct io_rings (io_uring/io_uring.h): the fixed header before the CQE array.
constexpr std::uint32_t sq_head = 0;
constexpr std::uint32_t sq_tail = 4;
constexpr std::uint32_t cq_head = 8;
constexpr std::uint32_t cq_tail = 12;
constexpr std::uint32_t sq_ring_mask = 16;
constexpr std::uint32_t cq_ring_mask = 20;
constexpr std::uint32_t sq_ring_entries = 24;
constexpr std::uint32_t cq_ring_entries = 28;
constexpr std::uint32_t sq_dropped = 32;
constexpr std::uint32_t sq_flags = 36;
constexpr std::uint32_t cq_flags = 40;
constexpr std::uint32_t cq_overflow = 44;
// The CQE array is ____cacheline_aligned_in_smp.
constexpr std::size_t cache_line = 64;
constexpr std::uint32_t cqes = 64;

constexpr std::size_t align_up(std::size_t value, std::size_t alignment) noexcept {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

RingLayout kernel_ring_layout(std::uint32_t sq_entries, std::uint32_t cq_entries,
                              std::uint32_t setup_flags) noexcept {
  RingLayout layout;
  layout.sq_off.head = sq_head;
  layout.sq_off.tail = sq_tail;
  layout.sq_off.ring_mask = sq_ring_mask;
  layout.sq_off.ring_entries = sq_ring_entries;
  layout.sq_off.flags = sq_flags;
  layout.sq_off.dropped = sq_dropped;
  layout.cq_off.head = cq_head;
  layout.cq_off.tail = cq_tail;
  layout.cq_off.ring_mask = cq_ring_mask;
  layout.cq_off.ring_entries = cq_ring_entries;
  layout.cq_off.overflow = cq_overflow;
  layout.cq_off.cqes = cqes;
  layout.cq_off.flags = cq_flags;

  // rings_size(): header plus CQEs, all doubled with CQE32, then the SQ array on a cache line.
  std::size_t offset = cqes + std::size_t{cq_entries} * sizeof(abi::Cqe);
  if (setup_flags & abi::setup::cqe32) offset *= 2;
  if (setup_flags & abi::setup::no_sqarray) {
    layout.sq_off.array = 0;
    layout.rings_bytes = offset;
  } else {
    offset = align_up(offset, cache_line);
    layout.sq_off.array = static_cast<std::uint32_t>(offset);
    layout.rings_bytes = offset + std::size_t{sq_entries} * sizeof(std::uint32_t);
  }
  const std::size_t sqe_bytes =
      (setup_flags & abi::setup::sqe128) ? 2 * sizeof(abi::Sqe) : sizeof(abi::Sqe);
  layout.sqes_bytes = std::size_t{sq_entries} * sqe_bytes;
  return layout;
}

}  // namespace ringkit
