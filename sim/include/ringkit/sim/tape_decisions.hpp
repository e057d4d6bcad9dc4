// TapeDecisions: a DecisionSource that reads its draws from a byte tape (a fuzzer's input).
//
// Each draw below `bound` takes the fewest bytes that can hold bound - 1 (1 byte for bounds up
// to 256, 2 up to 65536, ... 8), reads them little-endian and reduces the value modulo bound.
// A bound of 0 or 1 has one answer and takes no byte. When the tape runs out (fewer bytes left
// than a draw needs) the draw is 0 and the leftover bytes are dropped: 0 is the simplest choice
// (no fault, no delay, the first candidate), so a fuzzer shrinking an input by cutting its end
// turns the run into the plainest schedule instead of a different random one. Modulo reduction
// is biased for bounds that are not powers of two; a fuzzer does not care, and every value of
// [0, bound) stays reachable. Note that chance(ppm) of an exhausted tape is true for any non-zero
// rate (a drawn 0 is below it): a harness that wants "short tape = quiet run" draws which faults
// are on from the tape first, with 0 meaning off (fuzz/sim_program.cpp does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ringkit/sim/decisions.hpp"

namespace ringkit::sim {

class TapeDecisions final : public DecisionSource {
 public:
  // `tape` must outlive this object.
  explicit TapeDecisions(std::span<const std::uint8_t> tape) noexcept : tape_(tape) {}

  std::uint64_t below(std::uint64_t bound) noexcept override;

  // How many bytes a draw below `bound` takes (0 for bounds 0 and 1).
  [[nodiscard]] static std::size_t bytes_for(std::uint64_t bound) noexcept;

  // Bytes read so far, and left.
  [[nodiscard]] std::size_t consumed() const noexcept { return position_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return tape_.size() - position_; }
  // Whether a draw found the tape too short (and answered 0).
  [[nodiscard]] bool exhausted() const noexcept { return exhausted_; }
  // Draws made so far.
  [[nodiscard]] std::uint64_t draws() const noexcept { return draws_; }

 private:
  std::span<const std::uint8_t> tape_;
  std::size_t position_ = 0;
  std::uint64_t draws_ = 0;
  bool exhausted_ = false;
};

}  // namespace ringkit::sim
