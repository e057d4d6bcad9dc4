// The model of a provided-buffer ring that the stateful property test
// (buf_ring_model_prop_test.cpp) and the buf_ring fuzz target check ProvidedBufferRing against:
// which buffers the kernel holds, in ring order, what each incremental buffer has used, which
// the application owns, and the CQEs posted and not yet taken.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

namespace ringkit::testing {

struct PendingBufCqe {
  std::uint16_t bid;
  std::int32_t res;
  bool more;  // IORING_CQE_F_BUF_MORE
  std::uint8_t fill;
  std::uint32_t offset;  // where in the buffer the data starts
};

struct BufRingModel {
  std::uint32_t entries = 0;
  std::uint32_t size = 0;
  bool incremental = false;
  std::uint32_t min_left = 0;
  std::deque<std::uint16_t> kernel_queue;  // ring order, head first
  std::vector<std::uint32_t> used;         // bytes of each buffer consumed (incremental)
  std::vector<bool> app_owned;
  std::vector<PendingBufCqe> pending;  // posted, not yet taken, oldest first
  std::uint8_t next_fill = 1;

  // How many bytes a buffer must keep to stay in the ring (min_left; 0 and 1 both mean 1).
  [[nodiscard]] std::uint32_t keep() const { return std::max<std::uint32_t>(min_left, 1); }
};

}  // namespace ringkit::testing
