// The simulator's POLL_ADD, POLL_REMOVE (and update) and ASYNC_CANCEL, by the kernel's rules
// (io_uring/poll.c, io_uring/cancel.c, Linux 6.18).
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/sim_test_support.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::drain;
using testing::make_ring;
using testing::submit;
using testing::wait_for;
using testing::with;

constexpr std::uint32_t in = poll_event::in;
constexpr std::uint32_t out = poll_event::out;
constexpr std::uint32_t pri = poll_event::pri;
constexpr std::uint32_t hup = poll_event::hup;
constexpr std::uint32_t more = abi::cqe_flag::more;

// A file whose readiness the test sets; every change wakes its waiters, as a real object does.
class FlagFile final : public File {
 public:
  FlagFile() noexcept : File(O_RDWR) {}
  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::eventfd; }
  [[nodiscard]] std::uint32_t poll() const noexcept override { return mask_; }
  void set(std::uint32_t mask) noexcept {
    mask_ = mask;
    wake();
  }

 private:
  std::uint32_t mask_ = 0;
};

struct Installed {
  FlagFile* file;
  int fd;
};

Installed install(World& world, std::uint32_t mask = 0) {
  auto* f = new FlagFile();
  f->set(mask);
  const result<int> fd = world.fds().install(FileRef(f));
  EXPECT_TRUE(fd.has_value());
  return {f, fd ? *fd : -1};
}

// CQEs of different requests in user_data order (the kernel does not order a cancel's CQE
// against its target's); one request's CQEs keep their order.
std::vector<Cqe> by_user_data(std::vector<Cqe> cqes) {
  std::stable_sort(cqes.begin(), cqes.end(),
                   [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  return cqes;
}

abi::Sqe poll(int fd, std::uint32_t events, std::uint64_t user_data) {
  return with(op::PollAdd(op::Fd{fd}, events).build(), user_data);
}
abi::Sqe poll_multi(int fd, std::uint32_t events, std::uint64_t user_data) {
  return with(op::PollAdd::multishot(op::Fd{fd}, events).build(), user_data);
}

// ---- POLL_ADD ----

TEST(SimPoll, OneshotReadyNowCompletesWithTheRequestedEvents) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world, in | out);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), 0}}));
  EXPECT_FALSE(f.file->has_waiters());
}

TEST(SimPoll, HangupIsReportedUnasked) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world, hup | out);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, static_cast<std::int32_t>(hup), 0}}));
}

TEST(SimPoll, OneshotWaitsUntilAnEventItAskedFor) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  EXPECT_TRUE(drain(*ring).empty());
  f.file->set(out);  // not asked for: still waiting
  world.run_for(0);  // what is due now runs
  EXPECT_TRUE(drain(*ring).empty());
  f.file->set(in | out);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), 0}}));
  EXPECT_FALSE(f.file->has_waiters());
}

TEST(SimPoll, BadDescriptorIsEbadf) {
  World world;
  auto ring = make_ring(world);
  ASSERT_EQ(submit(*ring, {poll(77, in, 1)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EBADF, 0}}));
}

TEST(SimPoll, MultishotPostsMoreOnEveryWakeUp) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world, in);
  ASSERT_EQ(submit(*ring, {poll_multi(f.fd, in, 1)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), more}}));
  f.file->set(in);
  world.run_for(0);  // what is due now runs
  f.file->set(in | pri);
  EXPECT_EQ(wait_for(*ring, 2), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), more},
                                                  {1, static_cast<std::int32_t>(in), more}}));
  EXPECT_TRUE(f.file->has_waiters());
  // Wake-ups before the poll runs again make one CQE (io_poll_check_events drops every
  // reference it saw), with the events true when it runs.
  f.file->set(in);
  f.file->set(in | pri);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), more}}));
}

TEST(SimPoll, MultishotEndsWithoutMoreWhenTheCqIsFull) {
  World world;
  auto ring = make_ring(world, 1);  // 2 CQEs
  const Installed f = install(world, in);
  ASSERT_EQ(submit(*ring, {poll_multi(f.fd, in, 1)}), 1);
  f.file->set(in);
  world.run_for(0);  // what is due now runs
  // The CQ is full: the third CQE ends the poll and goes to the overflow backlog.
  f.file->set(in);
  world.run_for(0);  // what is due now runs
  EXPECT_FALSE(f.file->has_waiters());
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), more},
                                            {1, static_cast<std::int32_t>(in), more}}));
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), 0}}));
  f.file->set(in);
  world.run_for(0);  // what is due now runs
  EXPECT_TRUE(drain(*ring).empty());
}

TEST(SimPoll, AWaitOnAPollThatNothingWakesIsADeadlock) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  const result<std::uint32_t> r = ring->submit_and_wait(1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().value(), EDEADLK);
  EXPECT_EQ(r.error().reason(), ErrorReason::sim_wait_never_completes);
  // Waking the file later still completes it.
  f.file->set(in);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), 0}}));
}

// ---- POLL_REMOVE ----

TEST(SimPollRemove, UnknownUserDataIsEnoent) {
  World world;
  auto ring = make_ring(world);
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(42).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, -ENOENT, 0}}));
}

TEST(SimPollRemove, RemovesAnArmedPoll) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).build(), 2)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}}));
  EXPECT_FALSE(f.file->has_waiters());
  // Only POLL_ADD requests are found.
  const abi::KernelTimespec t{1, 0};
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&t).build(), 3)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(3).build(), 4)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{4, -ENOENT, 0}}));
}

TEST(SimPollRemove, UpdateEventsReArmsAndChecksAtOnce) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world, out);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  // Not ready for the new events either: it waits with them.
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).update_events(pri).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, 0, 0}}));
  f.file->set(out | in);  // the old events no longer count
  world.run_for(0);       // what is due now runs
  EXPECT_TRUE(drain(*ring).empty());
  // Ready for the new events: the poll completes with them.
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).update_events(out).build(), 3)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)),
            (std::vector<Cqe>{{1, static_cast<std::int32_t>(out), 0}, {3, 0, 0}}));
  EXPECT_FALSE(f.file->has_waiters());
}

TEST(SimPollRemove, UpdateUserData) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).update_user_data(9).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, 0, 0}}));
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).build(), 3)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, -ENOENT, 0}}));
  f.file->set(in);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{9, static_cast<std::int32_t>(in), 0}}));
}

TEST(SimPollRemove, UpdateCannotSwitchOneshotAndMultishot) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll_multi(f.fd, in, 1), poll(f.fd, in, 2)}), 2);
  // ADD_MULTI in an update is accepted and means nothing; its absence changes nothing either.
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).update_events(out).build(), 3),
                           with(op::PollRemove(2).update_events(out, true).build(), 4)}),
            2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, 0, 0}, {4, 0, 0}}));
  f.file->set(out);
  EXPECT_EQ(by_user_data(wait_for(*ring, 2)),
            (std::vector<Cqe>{{1, static_cast<std::int32_t>(out), more},
                              {2, static_cast<std::int32_t>(out), 0}}));
}

TEST(SimPollRemove, AWokenPollIsAlreadyCompleting) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  // The wake-up takes 1 us to reach the poll; the remove runs before that.
  FaultProfile slow;
  slow.latency_min_ns = slow.latency_max_ns = 1000;
  world.set_faults(slow);
  f.file->set(in);
  world.set_faults(FaultProfile::none());
  ASSERT_EQ(submit(*ring, {with(op::PollRemove(1).build(), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, -EALREADY, 0}}));
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, static_cast<std::int32_t>(in), 0}}));
}

// ---- ASYNC_CANCEL ----

abi::Sqe cancel(op::AsyncCancel c, std::uint64_t user_data) { return with(c.build(), user_data); }

TEST(SimAsyncCancel, ByUserData) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 2)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}}));
  EXPECT_FALSE(f.file->has_waiters());
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 3)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, -ENOENT, 0}}));
}

TEST(SimAsyncCancel, NeverMatchesItself) {
  World world;
  auto ring = make_ring(world);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(5), 5)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{5, -ENOENT, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::any(), 6)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{6, 0, 0}}));
}

TEST(SimAsyncCancel, ATimeout) {
  World world;
  auto ring = make_ring(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&t).build(), 1)}), 1);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(1), 2)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}}));
}

TEST(SimAsyncCancel, WithoutAllOnlyTheFirstMatchInSubmissionOrder) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 7), poll(f.fd, out, 7)}), 2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7), 2)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{2, 0, 0}, {7, -ECANCELED, 0}}));
  f.file->set(out);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{7, static_cast<std::int32_t>(out), 0}}));
}

TEST(SimAsyncCancel, AllReturnsTheCountAndZeroForNone) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 7), with(op::Timeout(&t).build(), 7), poll(f.fd, in, 8)}),
            3);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).all(), 2)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)),
            (std::vector<Cqe>{{2, 2, 0}, {7, -ECANCELED, 0}, {7, -ECANCELED, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).all(), 3)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{3, 0, 0}}));
  EXPECT_TRUE(f.file->has_waiters());  // user_data 8 is untouched
}

TEST(SimAsyncCancel, AnyCancelsEverythingAndCounts) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(
      submit(*ring, {poll(f.fd, in, 1), with(op::Timeout(&t).build(), 2), poll_multi(f.fd, in, 3)}),
      3);
  // ANY alone already means every request (the kernel's `all` is ALL | ANY).
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::any(), 4)}), 1);
  EXPECT_EQ(
      by_user_data(drain(*ring)),
      (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, -ECANCELED, 0}, {3, -ECANCELED, 0}, {4, 3, 0}}));
  EXPECT_FALSE(f.file->has_waiters());
}

TEST(SimAsyncCancel, ByFileMatchesTheFileWhicheverWayItWasNamed) {
  World world;
  auto ring = make_ring(world);
  const Installed a = install(world);
  const Installed b = install(world);
  const int fds[] = {b.fd};
  ASSERT_TRUE(ring->register_files(fds).has_value());
  ASSERT_EQ(submit(*ring, {poll(a.fd, in, 1), poll(a.fd, in, 2), poll(b.fd, in, 3),
                           with(op::PollAdd(op::FixedFile{0}, in).build(), 4)}),
            4);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{a.fd}), 10)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{1, -ECANCELED, 0}, {10, 0, 0}}));
  // The registered slot holds b's file: it matches the poll on b's descriptor and the one on
  // the slot (the kernel compares files).
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::FixedFile{0}).all(), 11)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)),
            (std::vector<Cqe>{{3, -ECANCELED, 0}, {4, -ECANCELED, 0}, {11, 2, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{99}), 12),
                           cancel(op::AsyncCancel::by_fd(op::FixedFile{5}), 13)}),
            2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{12, -EBADF, 0}, {13, -EBADF, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_fd(op::Fd{b.fd}), 14)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{14, -ENOENT, 0}}));
}

TEST(SimAsyncCancel, ByOpcode) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(submit(*ring, {poll(f.fd, in, 1), with(op::Timeout(&t).build(), 2)}), 2);
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_opcode(abi::Opcode::timeout), 3)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{2, -ECANCELED, 0}, {3, 0, 0}}));
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel::by_opcode(abi::Opcode::timeout), 4)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{4, -ENOENT, 0}}));
  EXPECT_TRUE(f.file->has_waiters());
}

TEST(SimAsyncCancel, UserDataWithOtherKeysNeedsEveryKeyToMatch) {
  World world;
  auto ring = make_ring(world);
  const Installed f = install(world);
  const Installed g = install(world);
  const abi::KernelTimespec t{10, 0};
  ASSERT_EQ(submit(*ring, {with(op::Timeout(&t).build(), 7), poll(f.fd, in, 7), poll(g.fd, in, 8)}),
            3);
  // user_data 7 and POLL_ADD: the poll, not the timeout submitted before it.
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).match_opcode(abi::Opcode::poll_add), 1)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{1, 0, 0}, {7, -ECANCELED, 0}}));
  // user_data 7 on g's file: nothing has both.
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7).match_fd(op::Fd{g.fd}), 2)}), 1);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{2, -ENOENT, 0}}));
  // g's file and POLL_ADD, no user_data key: the poll with user_data 8.
  ASSERT_EQ(
      submit(*ring,
             {cancel(op::AsyncCancel::by_fd(op::Fd{g.fd}).match_opcode(abi::Opcode::poll_add), 3)}),
      1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{3, 0, 0}, {8, -ECANCELED, 0}}));
  // The timeout is still there.
  ASSERT_EQ(submit(*ring, {cancel(op::AsyncCancel(7), 4)}), 1);
  EXPECT_EQ(by_user_data(drain(*ring)), (std::vector<Cqe>{{4, 0, 0}, {7, -ECANCELED, 0}}));
}

}  // namespace
}  // namespace ringkit::sim
