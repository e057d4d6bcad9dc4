// Engine rules found by the control conformance suite: a submit-time failure posts after the
// inline completions of the requests before it, a cancel does not see requests submitted after
// it, and a replaced registered file's tag waits for the requests still holding the file.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "ringkit/sim/world/pipe.hpp"
#include "sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::submit;
using testing::wait_for;
using testing::with;

// io_submit_fail_init -> io_req_defer_failed: the failure joins the batch's completions.
TEST(SimSubmitOrder, ASubmitTimeFailurePostsAfterEarlierCompletions) {
  World world;
  auto ring = make_ring(world);
  abi::Sqe bad = op::Nop().build();
  bad.personality = 42;  // never registered: -EINVAL at io_init_req
  ASSERT_EQ(submit(*ring, {with(op::Nop().build(), 1), with(bad, 2)}), 2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, 0, 0}, {2, -EINVAL, 0}}));
}

// The cancel runs inline before the SQE after it is even read: ANY finds nothing, under any
// latency.
TEST(SimSubmitOrder, ACancelDoesNotSeeRequestsSubmittedAfterIt) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    World world(WorldOptions{seed, FaultProfile::reorder()});
    auto ring = make_ring(world);
    ASSERT_EQ(submit(*ring, {with(op::AsyncCancel::any().build(), 1), with(op::Nop().build(), 2)}),
              2);
    std::vector<Cqe> cqes = wait_for(*ring, 2);
    std::sort(cqes.begin(), cqes.end(),
              [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
    EXPECT_EQ(cqes, (std::vector<Cqe>{{1, 0, 0}, {2, 0, 0}})) << "seed " << seed;
  }
}

// io_put_rsrc_node: the read took the file from slot 0, so the replaced slot's tag comes after
// the read's CQE.
TEST(SimSubmitOrder, AReplacedSlotTagWaitsForTheRequestHoldingTheFile) {
  for (const bool reorder : {false, true}) {
    World world(WorldOptions{7, reorder ? FaultProfile::reorder() : FaultProfile::none()});
    auto ring = make_ring(world);
    result<PipePair> p = make_pipe(0);
    ASSERT_TRUE(p);
    const int reader = world.fds().install(p->reader).value_or(-1);
    const int writer = world.fds().install(p->writer).value_or(-1);
    const int fds[1] = {reader};
    const std::uint64_t tags[1] = {77};
    ASSERT_TRUE(ring->register_files_tags(fds, tags));
    char buf[8] = {};
    ASSERT_EQ(submit(*ring, {with(op::Read(op::FixedFile{0}, buf, 8, ~0ull).build(), 1)}), 1);
    const result<std::uint32_t> idle =
        ring->submit_and_wait_timeout(1, std::chrono::milliseconds(5));
    ASSERT_FALSE(idle);
    const int clear[1] = {-1};
    ASSERT_TRUE(ring->register_files_update(0, clear));
    EXPECT_TRUE(drain(*ring).empty());  // the read still holds the file
    File* w = world.fds().get(writer);
    ASSERT_NE(w, nullptr);
    const iovec v{const_cast<char*>("late"), 4};
    ASSERT_EQ(w->write(std::span<const iovec>(&v, 1), -1, 0), 4);
    std::vector<Cqe> cqes = wait_for(*ring, 2);
    EXPECT_EQ(cqes, (std::vector<Cqe>{{1, 4, 0}, {77, 0, 0}})) << "reorder " << reorder;
  }
}

}  // namespace
}  // namespace ringkit::sim
