#include "ringkit/sim/decisions.hpp"

namespace ringkit::sim {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

}  // namespace

SeededDecisions::SeededDecisions(std::uint64_t seed) noexcept : seed_(seed) {
  std::uint64_t x = seed;
  for (std::uint64_t& s : state_) s = splitmix64(x);
}

std::uint64_t SeededDecisions::next() noexcept {
  const std::uint64_t out = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return out;
}

std::uint64_t SeededDecisions::below(std::uint64_t bound) noexcept {
  ++draws_;
  if (bound <= 1) {
    (void)next();  // keep one draw per call, so the stream does not depend on the bounds
    return 0;
  }
  // Rejection sampling: draws below 2^64 mod bound would bias the modulo; unbiased, portable.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t r = next();
    if (r >= threshold) return r % bound;
  }
}

}  // namespace ringkit::sim
