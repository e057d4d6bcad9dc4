// TapeDecisions: draws read little-endian from the tape, reduced modulo the bound, with the
// fewest bytes the bound needs; 0 once the tape runs out; the same tape gives the same world.
#include "ringkit/sim/tape_decisions.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ringkit/sim/world.hpp"

namespace ringkit::sim {
namespace {

TEST(TapeDecisions, BytesPerDrawFollowTheBound) {
  EXPECT_EQ(TapeDecisions::bytes_for(0), 0u);
  EXPECT_EQ(TapeDecisions::bytes_for(1), 0u);
  EXPECT_EQ(TapeDecisions::bytes_for(2), 1u);
  EXPECT_EQ(TapeDecisions::bytes_for(256), 1u);
  EXPECT_EQ(TapeDecisions::bytes_for(257), 2u);
  EXPECT_EQ(TapeDecisions::bytes_for(65536), 2u);
  EXPECT_EQ(TapeDecisions::bytes_for(65537), 3u);
  EXPECT_EQ(TapeDecisions::bytes_for(1'000'000), 3u);
  EXPECT_EQ(TapeDecisions::bytes_for(~std::uint64_t{0}), 8u);
}

TEST(TapeDecisions, ReadsLittleEndianAndReducesModuloTheBound) {
  const std::vector<std::uint8_t> tape = {7, 0x34, 0x12, 200, 0x40, 0x42, 0x0f};
  TapeDecisions d(tape);
  EXPECT_EQ(d.below(10), 7u);
  EXPECT_EQ(d.below(65536), 0x1234u);
  EXPECT_EQ(d.below(100), 0u);  // 200 % 100
  EXPECT_EQ(d.consumed(), 4u);
  // 0x0f4240 = 1'000'000, reduced below 1'000'000.
  EXPECT_EQ(d.below(1'000'000), 0u);
  EXPECT_EQ(d.consumed(), 7u);
  EXPECT_FALSE(d.exhausted());
  EXPECT_EQ(d.draws(), 4u);
}

TEST(TapeDecisions, BoundsZeroAndOneTakeNoByte) {
  const std::vector<std::uint8_t> tape = {5};
  TapeDecisions d(tape);
  EXPECT_EQ(d.below(0), 0u);
  EXPECT_EQ(d.below(1), 0u);
  EXPECT_EQ(d.consumed(), 0u);
  EXPECT_EQ(d.below(6), 5u);
}

TEST(TapeDecisions, AnExhaustedTapeAnswersZeroForEveryLaterDraw) {
  const std::vector<std::uint8_t> tape = {9, 0xff};
  TapeDecisions d(tape);
  EXPECT_EQ(d.below(256), 9u);
  // Two bytes needed, one left: 0, and the leftover byte is dropped.
  EXPECT_EQ(d.below(1000), 0u);
  EXPECT_TRUE(d.exhausted());
  EXPECT_EQ(d.remaining(), 0u);
  EXPECT_EQ(d.below(2), 0u);
  EXPECT_EQ(d.below(~std::uint64_t{0}), 0u);
  // A drawn 0 is below any non-zero rate: chance() of an exhausted tape is true (see the header).
  EXPECT_TRUE(d.chance(1));
  EXPECT_FALSE(d.chance(0));
  EXPECT_EQ(d.between(3, 9), 3u);
}

TEST(TapeDecisions, EveryValueBelowTheBoundIsReachable) {
  std::vector<bool> seen(37, false);
  for (int b = 0; b < 256; ++b) {
    const std::vector<std::uint8_t> tape = {static_cast<std::uint8_t>(b)};
    TapeDecisions d(tape);
    seen[d.below(37)] = true;
  }
  for (std::size_t v = 0; v < seen.size(); ++v) EXPECT_TRUE(seen[v]) << v;
}

TEST(TapeDecisions, AWorldOnTheSameTapeRecordsTheSameDraws) {
  const std::vector<std::uint8_t> tape = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::uint64_t hashes[2] = {};
  for (std::uint64_t& h : hashes) {
    TapeDecisions d(tape);
    World world(d, WorldOptions{});
    for (int i = 0; i < 6; ++i) (void)world.decisions().below(300);
    h = world.trace().hash();
    EXPECT_EQ(d.consumed(), tape.size());
    EXPECT_TRUE(d.exhausted());
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

}  // namespace
}  // namespace ringkit::sim
