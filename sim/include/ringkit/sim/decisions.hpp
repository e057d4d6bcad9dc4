// DecisionSource: the one place every nondeterministic choice of the simulator comes from.
//
// Completion order, latencies, short counts, faults, which sectors of an unsynced write survive
// a crash: all are draws from one DecisionSource, so a run is a function of (program, source).
// Implementations: SeededDecisions (a PRNG from a 64-bit seed, here), a byte tape (libFuzzer
// input) and a rapidcheck generator (shrinkable schedules).
#pragma once

#include <cstdint>

namespace ringkit::sim {

class DecisionSource {
 public:
  DecisionSource(const DecisionSource&) = delete;
  DecisionSource& operator=(const DecisionSource&) = delete;
  virtual ~DecisionSource() = default;

  // A value in [0, bound); 0 when bound <= 1. Implementations must accept any bound.
  virtual std::uint64_t below(std::uint64_t bound) noexcept = 0;

  // True with probability per_million / 1e6 (0 never draws: a disabled fault costs nothing and
  // does not shift later draws).
  bool chance(std::uint32_t per_million) noexcept {
    if (per_million == 0) return false;
    if (per_million >= 1'000'000) return true;
    return below(1'000'000) < per_million;
  }
  // A value in [lo, hi] (inclusive).
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return hi <= lo ? lo : lo + below(hi - lo + 1);
  }

 protected:
  DecisionSource() noexcept = default;
};

// A seeded PRNG (SplitMix64 to expand the seed, xoshiro256** to draw): fast, well mixed, and
// the same on every platform and compiler, which std::mt19937 with std::uniform_int_distribution
// is not.
class SeededDecisions final : public DecisionSource {
 public:
  explicit SeededDecisions(std::uint64_t seed) noexcept;
  std::uint64_t below(std::uint64_t bound) noexcept override;
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  // Draws made so far.
  [[nodiscard]] std::uint64_t draws() const noexcept { return draws_; }

 private:
  std::uint64_t next() noexcept;

  std::uint64_t seed_;
  std::uint64_t state_[4];
  std::uint64_t draws_ = 0;
};

}  // namespace ringkit::sim
