// The simulator's EPOLL_CTL and EPOLL_WAIT against the kernel's answers
// (tests/kernel/ops/ctl/epoll_test.cpp; io_uring/epoll.c, fs/eventpoll.c, Linux 6.18).
#include <fcntl.h>
#include <gtest/gtest.h>

#include "ctl/sim_ctl_support.hpp"
#include "ringkit/sim/world/epoll.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

std::uint64_t data_of(const epoll_event& ev) { return ev.data.u64; }
std::uint32_t events_of(const epoll_event& ev) { return ev.events; }

epoll_event event_of(std::uint32_t events, std::uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return ev;
}

class SimEpoll : public ::testing::TestWithParam<bool> {
 protected:
  epoll_event events[4] = {};
  World world{WorldOptions{.seed = 11,
                           .faults = GetParam() ? FaultProfile::reorder() : FaultProfile::none()}};
  std::unique_ptr<SimRing> ring = make_ring(world, 8);
  int epfd = create_epoll(world).value_or(-1);
  WorldPipe pipe = make_world_pipe(world);

  std::int32_t run_ctl(const op::EpollCtl& ctl) {
    EXPECT_EQ(submit(*ring, {with(ctl.build(), 100)}), 1);
    const std::vector<Cqe> cqes = wait_for(*ring, 1);
    if (cqes.size() != 1 || cqes[0].user_data != 100) {
      ADD_FAILURE() << "expected one CQE for the EPOLL_CTL";
      return 1;
    }
    return cqes[0].res;
  }
  // What an epoll_wait(2) would report now (at most 4), through the instance directly.
  std::vector<epoll_event> ready_now() {
    epoll_event now[4];
    auto* ep = static_cast<EpollFile*>(world.fds().get(epfd));
    const int n = ep->send_events(now, 4);
    return std::vector<epoll_event>(now, now + (n > 0 ? n : 0));
  }
  abi::Sqe wait_sqe(op::FileRef epoll, std::uint32_t max, std::uint64_t ud) {
    return with(op::EpollWait(epoll, events, max).build(), ud);
  }
};

TEST_P(SimEpoll, AddRegistersTheFile) {
  epoll_event ev = event_of(EPOLLIN, 77);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  EXPECT_TRUE(ready_now().empty());
  pipe.write("x");
  const std::vector<epoll_event> ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(events_of(ready[0]), std::uint32_t{EPOLLIN});
  EXPECT_EQ(data_of(ready[0]), 77u);
}

TEST_P(SimEpoll, CtlErrors) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), -EEXIST);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epfd}, op::Fd{pipe.write_fd}, &ev)), -ENOENT);
  EXPECT_EQ(run_ctl(op::EpollCtl::remove(op::Fd{epfd}, op::Fd{pipe.write_fd})), -ENOENT);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{pipe.write_fd}, op::Fd{pipe.read_fd}, &ev)), -EINVAL);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{epfd}, &ev)), -EINVAL);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{999}, &ev)), -EBADF);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{999}, op::Fd{pipe.read_fd}, &ev)), -EBADF);
  // An unknown op is -EINVAL from do_epoll_ctl, after the descriptor checks.
  EXPECT_EQ(run_ctl(op::EpollCtl(op::Fd{epfd}, 9, op::Fd{pipe.write_fd}, &ev)), -EINVAL);
  EXPECT_EQ(run_ctl(op::EpollCtl(op::Fd{epfd}, 9, op::Fd{999}, &ev)), -EBADF);
  epoll_event exclusive = event_of(EPOLLIN | EPOLLEXCLUSIVE, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epfd}, op::Fd{pipe.read_fd}, &exclusive)), -EINVAL);
}

TEST_P(SimEpoll, RegularFilesCannotBeWatched) {
  const result<FileRef> file = world.fs().openat(nullptr, "/f", O_CREAT | O_RDWR, 0644);
  ASSERT_TRUE(file.has_value());
  const int fd = world.fds().install(*file).value_or(-1);
  epoll_event ev = event_of(EPOLLIN, 1);
  // file_can_poll: a regular file has no ->poll (-EPERM, before the epfd is looked at).
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{fd}, &ev)), -EPERM);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{pipe.read_fd}, op::Fd{fd}, &ev)), -EPERM);
}

TEST_P(SimEpoll, NestedLoopsAreEloop) {
  const int other = create_epoll(world).value_or(-1);
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{other}, &ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{other}, op::Fd{epfd}, &ev)), -ELOOP);
}

TEST_P(SimEpoll, ModifyReplacesEventsAndDataAndRemoveUnregisters) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  epoll_event changed = event_of(EPOLLIN, 0xabcdef);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epfd}, op::Fd{pipe.read_fd}, &changed)), 0);
  pipe.write("x");
  std::vector<epoll_event> ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(data_of(ready[0]), 0xabcdefu);
  EXPECT_EQ(run_ctl(op::EpollCtl::remove(op::Fd{epfd}, op::Fd{pipe.read_fd})), 0);
  EXPECT_TRUE(ready_now().empty());
  EXPECT_EQ(run_ctl(op::EpollCtl::remove(op::Fd{epfd}, op::Fd{pipe.read_fd})), -ENOENT);
}

TEST_P(SimEpoll, WaitWithEventsReadyCompletesAtOnce) {
  epoll_event ev = event_of(EPOLLIN, 55);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  pipe.write("x");
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 4, 1)}), 1);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 1, 0}}));
  EXPECT_EQ(events_of(events[0]), std::uint32_t{EPOLLIN});
  EXPECT_EQ(data_of(events[0]), 55u);
}

TEST_P(SimEpoll, WaitPendsUntilAWatchedFileIsReady) {
  epoll_event ev = event_of(EPOLLIN, 56);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 4, 1)}), 1);
  world.run_for(1'000'000'000);
  EXPECT_TRUE(drain(*ring).empty());
  pipe.write("x");
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 1, 0}}));
  EXPECT_EQ(data_of(events[0]), 56u);
}

TEST_P(SimEpoll, WaitReportsAtMostMaxeventsAndStaysLevelTriggered) {
  WorldPipe second = make_world_pipe(world);
  epoll_event first_ev = event_of(EPOLLIN, 1);
  epoll_event second_ev = event_of(EPOLLIN, 2);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &first_ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{second.read_fd}, &second_ev)), 0);
  pipe.write("x");
  second.write("y");
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 1, 1)}), 1);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 1, 0}}));
  EXPECT_EQ(data_of(events[0]), 1u);
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 4, 2)}), 1);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{2, 2, 0}}));
  // The one not reported comes first: reported items go behind the others.
  EXPECT_EQ(data_of(events[0]), 2u);
  EXPECT_EQ(data_of(events[1]), 1u);
}

TEST_P(SimEpoll, EdgeTriggeredAndOneshot) {
  WorldPipe second = make_world_pipe(world);
  epoll_event et = event_of(EPOLLIN | EPOLLET, 1);
  epoll_event oneshot = event_of(EPOLLIN | EPOLLONESHOT, 2);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &et)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{second.read_fd}, &oneshot)), 0);
  pipe.write("x");
  second.write("y");
  EXPECT_EQ(ready_now().size(), 2u);
  EXPECT_TRUE(ready_now().empty());  // both still readable, neither reported again
  pipe.write("x");                   // a new edge
  second.write("y");                 // the oneshot item stays disabled
  std::vector<epoll_event> ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(data_of(ready[0]), 1u);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epfd}, op::Fd{second.read_fd}, &oneshot)), 0);
  ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(data_of(ready[0]), 2u);
}

TEST_P(SimEpoll, WaitOnRegisteredEpollFd) {
  epoll_event ev = event_of(EPOLLIN, 57);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.read_fd}, &ev)), 0);
  const int fds[] = {epfd};
  ASSERT_TRUE(ring->register_files(fds));
  pipe.write("x");
  ASSERT_EQ(submit(*ring, {wait_sqe(op::FixedFile{0}, 4, 1)}), 1);
  EXPECT_EQ(wait_for(*ring, 1), (std::vector<Cqe>{{1, 1, 0}}));
  EXPECT_EQ(data_of(events[0]), 57u);
}

TEST_P(SimEpoll, WaitErrors) {
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 0, 1), wait_sqe(op::Fd{pipe.read_fd}, 4, 2),
                           wait_sqe(op::Fd{999}, 4, 3)}),
            3);
  EXPECT_EQ(sorted(wait_for(*ring, 3)),
            (std::vector<Cqe>{{1, -EINVAL, 0}, {2, -EINVAL, 0}, {3, -EBADF, 0}}));
}

TEST_P(SimEpoll, CancelledWaitIsEcanceledLikeAPoll) {
  ASSERT_EQ(submit(*ring, {wait_sqe(op::Fd{epfd}, 4, 1)}), 1);
  world.run_for(1'000'000'000);
  ASSERT_EQ(submit(*ring, {with(op::AsyncCancel(1).build(), 2)}), 1);
  EXPECT_EQ(sorted(wait_for(*ring, 2)), (std::vector<Cqe>{{1, -ECANCELED, 0}, {2, 0, 0}}));
}

TEST_P(SimEpoll, ClosingTheLastReferenceDropsTheItem) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epfd}, op::Fd{pipe.write_fd}, &ev)), 0);
  auto* ep = static_cast<EpollFile*>(world.fds().get(epfd));
  EXPECT_EQ(ep->watched(), 1u);
  pipe.writer = nullptr;
  ASSERT_TRUE(world.fds().close(pipe.write_fd));
  EXPECT_TRUE(ready_now().empty());
  EXPECT_EQ(ep->watched(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Faults, SimEpoll, ::testing::Bool());

}  // namespace
}  // namespace ringkit::sim
