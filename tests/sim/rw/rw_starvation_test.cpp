// Fault kind buffer_starvation_ppm on pipe reads into provided buffers (READ_MULTISHOT and READ
// with IOSQE_BUFFER_SELECT): each read takes part of what is queued, so the group runs dry
// sooner; every data CQE still carries its buffer and F_MORE, the end carries no buffer, and the
// bytes arrive whole and in order. FaultProfile::none() draws nothing.
#include <string>
#include <vector>

#include "ringkit/provided_buffer_ring.hpp"
#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

constexpr std::uint32_t f_buffer = abi::cqe_flag::buffer;
constexpr std::uint32_t f_more = abi::cqe_flag::more;

FaultProfile starving(std::uint32_t ppm) {
  FaultProfile p = FaultProfile::reorder();
  p.buffer_starvation_ppm = ppm;
  return p;
}

std::string sent_text() { return std::string(100, 'p').replace(0, 10, "0123456789"); }

struct Outcome {
  std::vector<Cqe> cqes;
  std::string received;
  std::uint64_t decisions = 0;
};

// READ_MULTISHOT into 4 buffers of 16 bytes from a pipe holding 100 bytes.
Outcome multishot_run(const FaultProfile& faults, std::uint64_t seed) {
  World world{WorldOptions{.seed = seed, .faults = faults}};
  world.trace().set_recording(true);
  auto ring = make_ring(world, 16);
  const PipeFds pipe = open_pipe(world);
  auto b = ProvidedBufferRing::create(*ring, {.bgid = 2, .entries = 4, .buffer_size = 16});
  EXPECT_TRUE(b.has_value());
  Outcome out;
  if (!b) return out;
  pipe_put(world, pipe.write_end, sent_text());
  EXPECT_EQ(submit(*ring,
                   {with(op::ReadMultishot(op::Fd{pipe.read_end}, op::BufGroup{2}, 0).build(), 7)}),
            1);
  for (int i = 0; i < 32; ++i) {
    world.run_for(1'000'000);
    for (const Cqe& c : drain(*ring)) out.cqes.push_back(c);
    if (!out.cqes.empty() && (out.cqes.back().flags & f_more) == 0) break;
  }
  for (const Cqe& c : out.cqes) {
    if ((c.flags & f_buffer) == 0 || c.res <= 0) continue;
    abi::Cqe raw{};
    raw.user_data = c.user_data;
    raw.res = c.res;
    raw.flags = c.flags;
    const result<std::span<std::byte>> taken = b->take(raw);
    EXPECT_TRUE(taken.has_value());
    if (taken)
      out.received += std::string(reinterpret_cast<const char*>(taken->data()), taken->size());
  }
  for (const TraceEvent& e : world.trace().events()) {
    out.decisions += e.kind == TraceEvent::Kind::decision ? 1u : 0u;
  }
  return out;
}

void expect_rules(const Outcome& o) {
  ASSERT_EQ(o.cqes.size(), 5u);  // four buffers, then -ENOBUFS (the pipe still holds data)
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(o.cqes[i].flags & (f_buffer | f_more), f_buffer | f_more) << "CQE " << i;
    EXPECT_GT(o.cqes[i].res, 0) << "CQE " << i;
  }
  EXPECT_EQ(o.cqes[4], (Cqe{7, -ENOBUFS, 0}));
  EXPECT_EQ(o.received, sent_text().substr(0, o.received.size()));
}

TEST(SimRwStarvation, WithoutTheFaultEachBufferIsFilled) {
  const Outcome o = multishot_run(FaultProfile::none(), 1);
  expect_rules(o);
  EXPECT_EQ(o.received.size(), 64u);
  EXPECT_EQ(o.decisions, 0u);
}

TEST(SimRwStarvation, StarvedMultishotReadsFillLess) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SCOPED_TRACE(seed);
    const Outcome o = multishot_run(starving(1'000'000), seed);
    expect_rules(o);
    for (std::size_t i = 0; i < 4 && i < o.cqes.size(); ++i) EXPECT_LT(o.cqes[i].res, 16);
    EXPECT_LT(o.received.size(), 64u);
    EXPECT_GT(o.decisions, 0u);
  }
}

TEST(SimRwStarvation, ASelectedReadTakesPartOfThePipe) {
  World world{WorldOptions{.seed = 3, .faults = starving(1'000'000)}};
  auto ring = make_ring(world, 16);
  const PipeFds pipe = open_pipe(world);
  auto b = ProvidedBufferRing::create(*ring, {.bgid = 2, .entries = 2, .buffer_size = 64});
  ASSERT_TRUE(b.has_value());
  pipe_put(world, pipe.write_end, "0123456789");
  const Cqe c = run_one(
      *ring, op::Read::select_buffer(op::Fd{pipe.read_end}, op::BufGroup{2}, 64, 0).build());
  EXPECT_GE(c.res, 1);
  EXPECT_LT(c.res, 10);
  EXPECT_EQ(c.flags & f_buffer, f_buffer);
}

}  // namespace
}  // namespace ringkit::sim
