// Fault kind buffer_starvation_ppm: a receive into provided buffers takes only part of what is
// ready (as when data arrives in several segments), so buffers run out sooner. The rules that
// must hold anyway: every data CQE of a multishot carries F_BUFFER and F_MORE, the one final
// CQE carries neither F_MORE nor (when res <= 0) F_BUFFER, the bytes arrive whole and in order,
// and -ENOBUFS ends a multishot whose ring ran dry. FaultProfile::none() draws nothing.
#include <gtest/gtest.h>

#include <string>

#include "net_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_flag::buffer;
using abi::cqe_flag::more;

FaultProfile starving(std::uint32_t ppm) {
  FaultProfile p = FaultProfile::reorder();
  p.buffer_starvation_ppm = ppm;
  return p;
}

abi::Cqe raw(const Cqe& c) {
  abi::Cqe r{};
  r.user_data = c.user_data;
  r.res = c.res;
  r.flags = c.flags;
  return r;
}

// 200 bytes: more than the eight 16-byte buffers hold, so every run ends with -ENOBUFS.
std::string sent_text() {
  return std::string(200, 'x').replace(0, 26, "abcdefghijklmnopqrstuvwxyz");
}

struct Outcome {
  std::vector<Cqe> cqes;
  std::string received;
  std::uint64_t decisions = 0;
};

std::uint64_t decision_count(const Trace& trace) {
  std::uint64_t n = 0;
  for (const TraceEvent& e : trace.events()) n += e.kind == TraceEvent::Kind::decision ? 1u : 0u;
  return n;
}

// A multishot RECV into 8 buffers of 16 bytes, fed 200 bytes at once. Returns every CQE of the
// multishot, the bytes it received and how many decisions were drawn.
Outcome multishot_run(const FaultProfile& faults, std::uint64_t seed) {
  World world{WorldOptions{.seed = seed, .faults = faults}};
  world.trace().set_recording(true);
  auto ring = testing::make_ring(world, 64);
  const TcpPair pair = tcp_pair(world);
  result<ProvidedBufferRing> b = ProvidedBufferRing::create(
      *ring, {.bgid = 3, .entries = 8, .buffer_size = 16, .incremental = false, .min_left = 0});
  EXPECT_TRUE(b.has_value());
  Outcome out;
  if (!b) return out;
  abi::Sqe sqe = op::Recv::multishot(op::Fd{pair.server}, b->group()).build();
  sqe.user_data = 5;
  EXPECT_TRUE(ring->push(sqe));
  EXPECT_TRUE(ring->submit());
  world.run_for(1'000'000);
  send_all(world, pair.client, sent_text());
  for (int i = 0; i < 64; ++i) {
    world.run_for(1'000'000);
    for (const Cqe& c : testing::drain(*ring)) out.cqes.push_back(c);
    if (!out.cqes.empty() && (out.cqes.back().flags & more) == 0) break;
  }
  for (const Cqe& c : out.cqes) {
    if ((c.flags & buffer) == 0 || c.res <= 0) continue;
    const result<std::span<std::byte>> taken = b->take(raw(c));
    EXPECT_TRUE(taken.has_value());
    if (taken) out.received += as_string(taken->data(), taken->size());
  }
  out.decisions = decision_count(world.trace());
  return out;
}

void expect_multishot_rules(const Outcome& o) {
  ASSERT_FALSE(o.cqes.empty());
  for (std::size_t i = 0; i + 1 < o.cqes.size(); ++i) {
    EXPECT_EQ(o.cqes[i].flags & (buffer | more), buffer | more) << "CQE " << i;
    EXPECT_GT(o.cqes[i].res, 0) << "CQE " << i;
    EXPECT_LE(o.cqes[i].res, 16) << "CQE " << i;
  }
  const Cqe& last = o.cqes.back();
  EXPECT_EQ(last.flags & more, 0u);
  if (last.res <= 0) {
    EXPECT_EQ(last.flags & buffer, 0u);
  }
  EXPECT_EQ(o.received, sent_text().substr(0, o.received.size()));  // whole and in order
}

TEST(SimBufferStarvation, WithoutTheFaultEachBufferIsFilled) {
  const Outcome o = multishot_run(FaultProfile::none(), 1);
  expect_multishot_rules(o);
  ASSERT_EQ(o.cqes.size(), 9u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(o.cqes[i].res, 16);
  EXPECT_EQ(o.cqes[8], (Cqe{5, -ENOBUFS, 0}));
  EXPECT_EQ(o.received.size(), 128u);
  EXPECT_EQ(o.decisions, 0u);  // FaultProfile::none() draws nothing
}

TEST(SimBufferStarvation, StarvedReceivesRunTheRingDryWithTheRulesIntact) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SCOPED_TRACE(seed);
    const Outcome o = multishot_run(starving(1'000'000), seed);
    expect_multishot_rules(o);
    EXPECT_GT(o.decisions, 0u);
    // Every receive took less than a full buffer: the eight buffers hold less than 128 bytes.
    ASSERT_EQ(o.cqes.size(), 9u);
    for (std::size_t i = 0; i < 8; ++i) EXPECT_LT(o.cqes[i].res, 16);
    EXPECT_EQ(o.cqes[8], (Cqe{5, -ENOBUFS, 0}));
    EXPECT_LT(o.received.size(), 128u);
  }
}

// At a lower rate some receives starve and some do not; the rules hold for every seed.
TEST(SimBufferStarvation, PartialRatesKeepTheRules) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SCOPED_TRACE(seed);
    const Outcome o = multishot_run(starving(300'000), seed);
    expect_multishot_rules(o);
    EXPECT_EQ(o.cqes.back().res, -ENOBUFS);
  }
}

TEST(SimBufferStarvation, ASingleShotRecvTakesPartOfWhatIsQueued) {
  World world{WorldOptions{.seed = 4, .faults = starving(1'000'000)}};
  auto ring = testing::make_ring(world, 16);
  const TcpPair pair = tcp_pair(world);
  result<ProvidedBufferRing> b = ProvidedBufferRing::create(
      *ring, {.bgid = 3, .entries = 4, .buffer_size = 64, .incremental = false, .min_left = 0});
  ASSERT_TRUE(b.has_value());
  send_all(world, pair.client, "0123456789");
  abi::Sqe sqe = op::Recv::select_buffer(op::Fd{pair.server}, b->group()).build();
  sqe.user_data = 9;
  ASSERT_TRUE(ring->push(sqe));
  const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_GE(cqes[0].res, 1);
  EXPECT_LT(cqes[0].res, 10);
  EXPECT_EQ(cqes[0].flags & buffer, buffer);
  const result<std::span<std::byte>> taken = b->take(raw(cqes[0]));
  ASSERT_TRUE(taken.has_value());
  const std::string got = as_string(taken->data(), taken->size());
  EXPECT_EQ(got, std::string("0123456789").substr(0, got.size()));
  EXPECT_EQ(recv_now(world, pair.server), std::string("0123456789").substr(got.size()));
}

}  // namespace
}  // namespace ringkit::sim::net_testing
