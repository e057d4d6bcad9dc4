// When and how the Ring base enters the kernel: flags, counts and arguments, one call a batch.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

#include "ringkit/ring_options.hpp"
#include "support/scripted_ring.hpp"

namespace ringkit {
namespace {

using namespace abi;
using testing::ScriptedRing;
using Enter = ScriptedRing::RecordedEnter;

Params params_for(std::uint32_t entries, std::uint32_t flags = 0) {
  RingOptions o;
  o.entries = entries;
  o.setup_flags = flags;
  return validate_ring_options(o, setup::known_flags).value();
}

void queue_nops(ScriptedRing& ring, int n) {
  for (int i = 0; i < n; ++i) {
    Sqe* sqe = ring.get_sqe();
    ASSERT_NE(sqe, nullptr);
    sqe->user_data = static_cast<std::uint64_t>(i);
  }
}

TEST(RingEnter, SubmitWithNothingQueuedDoesNotEnter) {
  ScriptedRing ring(params_for(4));
  const result<std::uint32_t> r = ring.submit();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0u);
  EXPECT_TRUE(ring.enters.empty());
}

TEST(RingEnter, OneEnterPerBatch) {
  ScriptedRing ring(params_for(8));
  queue_nops(ring, 8);
  ASSERT_EQ(ring.submit().value(), 8u);
  ASSERT_EQ(ring.enters.size(), 1u);
  const Enter& e = ring.enters[0];
  EXPECT_EQ(e.call.to_submit, 8u);
  EXPECT_EQ(e.call.min_complete, 0u);
  EXPECT_EQ(e.call.flags, 0u);
  EXPECT_EQ(e.call.arg, nullptr);
}

TEST(RingEnter, SubmitAndWaitAsksForEvents) {
  ScriptedRing ring(params_for(4));
  queue_nops(ring, 2);
  ASSERT_TRUE(ring.submit_and_wait(2));
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.to_submit, 2u);
  EXPECT_EQ(ring.enters[0].call.min_complete, 2u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents);
}

TEST(RingEnter, SqpollEntersOnlyToWakeThePoller) {
  ScriptedRing ring(params_for(4, setup::sqpoll));
  queue_nops(ring, 2);
  // The poller is awake: publishing the tail is enough.
  ASSERT_EQ(ring.submit().value(), 2u);
  EXPECT_TRUE(ring.enters.empty());
  // It went to sleep: wake it.
  ring.kernel_set_sq_flags(sq_ring_flag::need_wakeup);
  ASSERT_TRUE(ring.submit());
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::sq_wakeup);
  EXPECT_EQ(ring.enters[0].call.to_submit, 2u);
}

TEST(RingEnter, CqBacklogOrTaskWorkForcesGetevents) {
  for (std::uint32_t flag : {sq_ring_flag::cq_overflow, sq_ring_flag::taskrun}) {
    ScriptedRing ring(params_for(4));
    ring.kernel_set_sq_flags(flag);
    EXPECT_TRUE(ring.cq_needs_flush());
    ASSERT_TRUE(ring.submit());
    ASSERT_EQ(ring.enters.size(), 1u) << flag;
    EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents);
    EXPECT_EQ(ring.enters[0].call.to_submit, 0u);
  }
}

TEST(RingEnter, IopollAlwaysReaps) {
  ScriptedRing ring(params_for(4, setup::iopoll));
  ASSERT_TRUE(ring.submit());
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents);
}

TEST(RingEnter, KernelErrorsComeBackUntouched) {
  for (int e : {EINTR, EAGAIN, EBUSY, EBADR}) {
    ScriptedRing ring(params_for(4));
    ring.on_enter = [e](ScriptedRing&, const auto&) -> result<std::uint32_t> { return Error{e}; };
    queue_nops(ring, 2);
    const result<std::uint32_t> r = ring.submit();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().value(), e);
    EXPECT_EQ(ring.enters.size(), 1u);  // no silent retry
    EXPECT_EQ(ring.sq_ready(), 2u);     // nothing lost: the SQEs are still queued
    ring.on_enter = nullptr;
    EXPECT_EQ(ring.submit().value(), 2u);
  }
}

TEST(RingEnter, WaitWithTimeoutNeedsExtArg) {
  ScriptedRing ring(params_for(4), /*features=*/0);
  const result<std::uint32_t> r = ring.submit_and_wait_timeout(1, std::chrono::milliseconds(5));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == std::errc::function_not_supported);
  EXPECT_EQ(r.error().reason(), ErrorReason::ext_arg_not_supported);
  EXPECT_TRUE(ring.enters.empty());
}

TEST(RingEnter, WaitWithTimeoutPassesGeteventsArg) {
  ScriptedRing ring(params_for(4), feature::ext_arg);
  KernelTimespec seen{};
  ring.on_enter = [&](ScriptedRing& r, const auto& call) -> result<std::uint32_t> {
    const auto* arg = static_cast<const GeteventsArg*>(call.arg);
    std::memcpy(&seen, reinterpret_cast<const void*>(arg->ts), sizeof seen);
    return r.kernel_consume(call.to_submit);
  };
  sigset_t mask;
  sigemptyset(&mask);
  queue_nops(ring, 1);
  ASSERT_TRUE(ring.submit_and_wait_timeout(1, std::chrono::milliseconds(2500), &mask));
  ASSERT_EQ(ring.enters.size(), 1u);
  const Enter& e = ring.enters[0];
  EXPECT_EQ(e.call.flags, enter_flag::getevents | enter_flag::ext_arg);
  EXPECT_EQ(e.call.to_submit, 1u);
  EXPECT_EQ(e.call.min_complete, 1u);
  ASSERT_EQ(e.call.argsz, sizeof(GeteventsArg));
  GeteventsArg arg{};
  std::memcpy(&arg, e.arg_bytes.data(), sizeof arg);
  EXPECT_EQ(arg.sigmask, reinterpret_cast<std::uint64_t>(&mask));
  EXPECT_EQ(arg.sigmask_sz, _NSIG / 8);
  EXPECT_EQ(seen.tv_sec, 2);
  EXPECT_EQ(seen.tv_nsec, 500000000);
}

TEST(RingEnter, NegativeTimeoutIsInvalid) {
  ScriptedRing ring(params_for(4), feature::ext_arg);
  const auto r = ring.wait_cqe_timeout(std::chrono::nanoseconds(-1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), EINVAL);
  EXPECT_TRUE(ring.enters.empty());
}

TEST(RingEnter, WaitCqeReturnsAReadyOneWithoutEntering) {
  ScriptedRing ring(params_for(4));
  ASSERT_TRUE(ring.kernel_post(42, 0));
  const result<const Cqe*> cqe = ring.wait_cqe();
  ASSERT_TRUE(cqe);
  EXPECT_EQ((*cqe)->user_data, 42u);
  EXPECT_TRUE(ring.enters.empty());
  EXPECT_EQ(ring.cq_ready(), 1u);  // returned unconsumed
}

TEST(RingEnter, WaitCqeEntersForOne) {
  ScriptedRing ring(params_for(4));
  ring.on_enter = [](ScriptedRing& r, const auto&) -> result<std::uint32_t> {
    r.kernel_post(7, -ETIME);
    return 0u;
  };
  const result<const Cqe*> cqe = ring.wait_cqe();
  ASSERT_TRUE(cqe);
  EXPECT_EQ((*cqe)->user_data, 7u);
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.min_complete, 1u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents);
}

TEST(RingEnter, WaitCqeTimeoutReportsEtime) {
  ScriptedRing ring(params_for(4), feature::ext_arg);
  ring.on_enter = [](ScriptedRing&, const auto&) -> result<std::uint32_t> { return Error{ETIME}; };
  const auto r = ring.wait_cqe_timeout(std::chrono::microseconds(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ETIME);
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents | enter_flag::ext_arg);
}

TEST(RingEnter, WaitCqesCopiesReadyOrWaits) {
  ScriptedRing ring(params_for(4));
  std::array<Cqe, 4> out{};
  EXPECT_EQ(ring.wait_cqes(out, 0).value(), 0u);  // nothing ready, nothing asked: no enter
  EXPECT_TRUE(ring.enters.empty());
  ring.on_enter = [](ScriptedRing& r, const auto&) -> result<std::uint32_t> {
    r.kernel_post(1, 0);
    r.kernel_post(2, 0);
    return 0u;
  };
  ASSERT_EQ(ring.wait_cqes(out, 2).value(), 2u);
  EXPECT_EQ(out[0].user_data, 1u);
  EXPECT_EQ(out[1].user_data, 2u);
  EXPECT_EQ(ring.enters.back().call.min_complete, 2u);
  EXPECT_EQ(ring.cq_ready(), 0u);
}

TEST(RingEnter, SqueueWaitUsesSqWait) {
  ScriptedRing ring(params_for(4, setup::sqpoll));
  ASSERT_TRUE(ring.squeue_wait());
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::sq_wait);
}

TEST(RingEnter, RawEnterIsPassedThrough) {
  ScriptedRing ring(params_for(4));
  ASSERT_TRUE(ring.enter(3, 2, enter_flag::getevents | enter_flag::abs_timer));
  ASSERT_EQ(ring.enters.size(), 1u);
  EXPECT_EQ(ring.enters[0].call.to_submit, 3u);
  EXPECT_EQ(ring.enters[0].call.min_complete, 2u);
  EXPECT_EQ(ring.enters[0].call.flags, enter_flag::getevents | enter_flag::abs_timer);
}

}  // namespace
}  // namespace ringkit
