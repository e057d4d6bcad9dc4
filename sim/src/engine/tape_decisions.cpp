#include "ringkit/sim/tape_decisions.hpp"

namespace ringkit::sim {

std::size_t TapeDecisions::bytes_for(std::uint64_t bound) noexcept {
  if (bound <= 1) return 0;
  // The largest value a draw must express is bound - 1.
  std::uint64_t largest = bound - 1;
  std::size_t n = 0;
  while (largest != 0) {
    ++n;
    largest >>= 8;
  }
  return n;
}

std::uint64_t TapeDecisions::below(std::uint64_t bound) noexcept {
  ++draws_;
  const std::size_t n = bytes_for(bound);
  if (n == 0) return 0;
  if (remaining() < n) {
    // Out of tape: every later draw is 0 too (nothing is left to read).
    position_ = tape_.size();
    exhausted_ = true;
    return 0;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    value |= std::uint64_t{tape_[position_ + i]} << (8 * i);
  }
  position_ += n;
  return value % bound;
}

}  // namespace ringkit::sim
