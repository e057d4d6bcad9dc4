// Teardown with requests in flight: neither cancel_all_and_drain() nor the destructor may return
// while the kernel can still write into memory a request was given.
#include <poll.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "uring_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace std::chrono_literals;
using testing::nop_sqe;
using testing::Pipe;
using testing::ring_options;
using testing::take_cqes;
using testing::with_user_data;
using uring::cqe_sink;

constexpr std::size_t buffer_size = 64;

std::unique_ptr<char[]> filled_buffer() {
  auto buf = std::make_unique<char[]>(buffer_size);
  std::memset(buf.get(), '.', buffer_size);
  return buf;
}

bool untouched(const char* buf) {
  for (std::size_t i = 0; i < buffer_size; ++i) {
    if (buf[i] != '.') return false;
  }
  return true;
}

struct TeardownCase {
  const char* name;
  std::uint32_t flags;
  bool async;             // IOSQE_ASYNC: an io-wq worker blocks in the read
  bool register_ring_fd;  // enters through the registered index
};

class UringTeardownInFlight : public ::testing::TestWithParam<TeardownCase> {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

// A read on a pipe nobody writes to is in flight when the ring is destroyed. Afterwards the
// read must be gone: data written then stays in the pipe, and the buffer was never written.
TEST_P(UringTeardownInFlight, PipeReadInFlightAtDestruction) {
  const TeardownCase& c = GetParam();
  Pipe p;
  ASSERT_TRUE(p.ok());
  auto buf = filled_buffer();
  {
    RINGKIT_MAKE_RING(ring, ring_options(4, c.flags));
    if (c.register_ring_fd) {
      ASSERT_TRUE(ring->register_ring_fd());
    }
    ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{p.read_end}, buf.get(), buffer_size, 0),
                                          1, c.async ? sqe_flag::async : std::uint8_t{0})));
    ASSERT_TRUE(ring->submit());
    // In flight: no completion comes.
    const result<const Cqe*> early = ring->wait_cqe_timeout(30ms);
    ASSERT_FALSE(early);
    ASSERT_EQ(early.error().value(), ETIME);
  }  // destroyed with the read in flight
  // At once: closing alone leaves the cancel to the kernel's asynchronous ring-exit work, and
  // an io-wq worker still blocked in the read would copy this into the buffer meanwhile.
  ASSERT_EQ(write(p.write_end, "late", 4), 4);
  std::this_thread::sleep_for(10ms);  // a read still armed would take it now
  EXPECT_EQ(p.drain(), "late");
  EXPECT_TRUE(untouched(buf.get()));
}

const TeardownCase teardown_cases[] = {
    {"plain", 0, false, false},
    {"plain_async", 0, true, false},
    {"registered_ring_fd", 0, false, true},
    {"sqpoll", setup::sqpoll, false, false},
    {"sqpoll_async", setup::sqpoll, true, false},
    {"coop_taskrun", setup::coop_taskrun | setup::taskrun_flag, false, false},
    {"defer_taskrun", setup::single_issuer | setup::defer_taskrun, false, false},
    {"defer_taskrun_async", setup::single_issuer | setup::defer_taskrun, true, false},
    {"no_mmap", setup::no_mmap, false, false},
    {"registered_fd_only", setup::no_mmap | setup::registered_fd_only, true, false},
};

INSTANTIATE_TEST_SUITE_P(Rings, UringTeardownInFlight, ::testing::ValuesIn(teardown_cases),
                         [](const ::testing::TestParamInfo<TeardownCase>& teardown_case) {
                           return std::string(teardown_case.param.name);
                         });

class UringTeardown : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

TEST_F(UringTeardown, CancelAllAndDrainHandsOverEveryCqe) {
  RINGKIT_MAKE_RING(ring, ring_options(8));
  Pipe p;
  ASSERT_TRUE(p.ok());
  auto plain = filled_buffer();
  auto async = filled_buffer();
  ASSERT_TRUE(ring->push(nop_sqe(7)));  // completes at once, left unconsumed
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{p.read_end}, plain.get(), 8, 0), 1)));
  ASSERT_TRUE(ring->push(
      with_user_data(op::Read(op::Fd{p.read_end}, async.get(), 8, 0), 2, sqe_flag::async)));
  ASSERT_EQ(ring->submit().value(), 3u);
  std::this_thread::sleep_for(20ms);  // let the io-wq worker block in the read
  std::vector<Cqe> seen;
  auto collect = [&](const Cqe& cqe) { seen.push_back(cqe); };
  const result<void> drained = ring->cancel_all_and_drain(5s, cqe_sink(collect));
  ASSERT_TRUE(drained) << drained.error().message();
  ASSERT_EQ(seen.size(), 3u);
  for (const Cqe& cqe : seen) {
    EXPECT_FALSE(UringRing::is_internal_user_data(cqe.user_data));
    if (cqe.user_data == 7) {
      EXPECT_EQ(cqe.res, 0);
    } else {
      // Cancelled: from the poll list (-ECANCELED) or interrupted in the worker (-EINTR).
      EXPECT_TRUE(cqe.res == -ECANCELED || cqe.res == -EINTR) << cqe.user_data << ": " << cqe.res;
    }
  }
  EXPECT_EQ(ring->cq_ready(), 0u);
  EXPECT_TRUE(untouched(plain.get()));
  EXPECT_TRUE(untouched(async.get()));
  // The ring goes on working.
  ASSERT_TRUE(ring->push(nop_sqe(8)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).user_data, 8u);
}

TEST_F(UringTeardown, UnsubmittedSqesNeverRun) {
  Pipe p;
  ASSERT_TRUE(p.ok());
  {
    RINGKIT_MAKE_RING(ring, ring_options(4));
    Sqe* sqe = ring->get_sqe();
    ASSERT_NE(sqe, nullptr);
    *sqe = with_user_data(op::Write(op::Fd{p.write_end}, "x", 1, 0), 9);
    std::vector<Cqe> seen;
    auto collect = [&](const Cqe& cqe) { seen.push_back(cqe); };
    ASSERT_TRUE(ring->cancel_all_and_drain(5s, cqe_sink(collect)));
    EXPECT_TRUE(seen.empty());  // it was never a request
    EXPECT_EQ(ring->sq_ready(), 0u);
    // Another acquired SQE left behind at destruction.
    Sqe* left = ring->get_sqe();
    ASSERT_NE(left, nullptr);
    *left = with_user_data(op::Write(op::Fd{p.write_end}, "y", 1, 0), 10);
  }
  EXPECT_EQ(p.drain(), "");
}

TEST_F(UringTeardown, MultishotPollEndsCancelled) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  Pipe p;
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(ring->push(with_user_data(op::PollAdd::multishot(op::Fd{p.read_end}, POLLIN), 5)));
  ASSERT_TRUE(ring->submit());
  ASSERT_EQ(write(p.write_end, "a", 1), 1);
  const result<const Cqe*> first = ring->wait_cqe_timeout(1s);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_TRUE((*first)->flags & cqe_flag::more);
  ring->cqe_seen();
  std::vector<Cqe> seen;
  auto collect = [&](const Cqe& cqe) { seen.push_back(cqe); };
  ASSERT_TRUE(ring->cancel_all_and_drain(5s, cqe_sink(collect)));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().user_data, 5u);
  EXPECT_EQ(seen.back().res, -ECANCELED);
  EXPECT_FALSE(seen.back().flags & cqe_flag::more);  // its last CQE
}

// Restrictions that allow READ, NOP and IOSQE_IO_DRAIN but no way to cancel: the barrier has
// to wait for the read itself. cancel_all_and_drain reports ETIME, and the destructor waits
// until the read is done, so its buffer is never written after the ring is gone.
TEST_F(UringTeardown, DestructorWaitsForARequestThatCannotBeCancelled) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::r_disabled));
  Restriction res[3]{};
  res[0].opcode = restriction_op::sqe_op;
  res[0].arg = static_cast<std::uint8_t>(Opcode::read);
  res[1].opcode = restriction_op::sqe_op;
  res[1].arg = static_cast<std::uint8_t>(Opcode::nop);
  res[2].opcode = restriction_op::sqe_flags_allowed;
  res[2].arg = sqe_flag::io_drain;
  ASSERT_TRUE(ring->register_restrictions(res));
  ASSERT_TRUE(ring->enable_rings());
  Pipe p;
  ASSERT_TRUE(p.ok());
  auto buf = filled_buffer();
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{p.read_end}, buf.get(), 4, 0), 1)));
  ASSERT_EQ(ring->submit().value(), 1u);
  std::vector<Cqe> seen;
  auto collect = [&](const Cqe& cqe) { seen.push_back(cqe); };
  for (int attempt = 0; attempt < 2; ++attempt) {  // a barrier per call; old ones stay internal
    const result<void> drained = ring->cancel_all_and_drain(100ms, cqe_sink(collect));
    ASSERT_FALSE(drained);
    EXPECT_EQ(drained.error().value(), ETIME);
  }
  EXPECT_TRUE(seen.empty());
  std::thread writer([&] {
    std::this_thread::sleep_for(300ms);
    (void)!write(p.write_end, "late", 4);
  });
  const auto start = std::chrono::steady_clock::now();
  ring.reset();
  const auto took = std::chrono::steady_clock::now() - start;
  writer.join();
  EXPECT_GE(took, 250ms);
  EXPECT_EQ(std::string(buf.get(), 4), "late");  // written before the destructor returned
  EXPECT_EQ(p.drain(), "");
}

TEST_F(UringTeardown, BarrierRefusedByRestrictions) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::r_disabled));
  Restriction res[1]{};
  res[0].opcode = restriction_op::sqe_op;
  res[0].arg = static_cast<std::uint8_t>(Opcode::read);
  ASSERT_TRUE(ring->register_restrictions(res));
  ASSERT_TRUE(ring->enable_rings());
  const result<void> drained = ring->cancel_all_and_drain(1s);
  ASSERT_FALSE(drained);
  EXPECT_EQ(drained.error().value(), EACCES);
  EXPECT_EQ(drained.error().reason(), ErrorReason::drain_barrier_failed);
}

TEST_F(UringTeardown, NeverEnabledRingHasNothingToDrain) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::r_disabled));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ring->cancel_all_and_drain(5s));
  ring.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(UringTeardown, SingleIssuerDrainsOnlyFromItsTask) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::single_issuer));
  result<void> elsewhere;
  std::thread([&] { elsewhere = ring->cancel_all_and_drain(1s); }).join();
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().value(), EEXIST);
  EXPECT_TRUE(ring->cancel_all_and_drain(5s));
}

}  // namespace
}  // namespace ringkit
