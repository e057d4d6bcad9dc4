// The kernel's layout of the shared ring memory, for backends that own their rings.
//
// The kernel lays out struct io_rings as: SQ head/tail, CQ head/tail, masks, entry counts,
// sq_dropped, sq_flags, cq_flags, cq_overflow, then the CQE array at the first cache line, then
// (unless IORING_SETUP_NO_SQARRAY) the SQ index array aligned to a cache line. With CQE32 the
// whole offset up to the array doubles (rings_size() in io_uring/io_uring.c). The simulator uses
// this so that its rings are byte-for-byte shaped like the kernel's, and a kernel test checks it
// against the offsets a real io_uring_setup() returns.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ringkit/abi/setup.hpp"

namespace ringkit {

struct RingLayout {
  abi::SqringOffsets sq_off{};
  abi::CqringOffsets cq_off{};
  std::size_t rings_bytes = 0;  // one mapping holds both rings (IORING_FEAT_SINGLE_MMAP)
  std::size_t sqes_bytes = 0;   // the SQE array: entries * 64 (128 with SQE128)
};

// Layout for sizes already resolved by validate_ring_options (powers of two).
[[nodiscard]] RingLayout kernel_ring_layout(std::uint32_t sq_entries, std::uint32_t cq_entries,
                                            std::uint32_t setup_flags) noexcept;

}  // namespace ringkit
