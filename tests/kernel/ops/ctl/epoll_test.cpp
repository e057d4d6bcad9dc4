// IORING_OP_EPOLL_CTL (5.6) and IORING_OP_EPOLL_WAIT (6.15) on the running kernel, with pipes
// watched by an epoll instance.
#include <sys/epoll.h>

#include "ctl_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

// An epoll instance closed on destruction.
struct Epoll {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  Epoll() = default;
  Epoll(const Epoll&) = delete;
  Epoll& operator=(const Epoll&) = delete;
  ~Epoll() {
    if (fd >= 0) close(fd);
  }
};

// epoll_event is packed on x86-64: read its members by value, never bind references to them.
std::uint64_t data_of(const epoll_event& ev) { return ev.data.u64; }
std::uint32_t events_of(const epoll_event& ev) { return ev.events; }

epoll_event event_of(std::uint32_t events, std::uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return ev;
}

class CtlEpoll : public CtlKernelTest {
 protected:
  void SetUp() override {
    CtlKernelTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_GE(epoll.fd, 0);
    ASSERT_TRUE(pipe.ok());
    RINGKIT_MAKE_RING(made, ring_options(8));
    RINGKIT_REQUIRE_OPCODE(made, Opcode::epoll_ctl);
    ring = std::move(made);
  }

  // Runs one EPOLL_CTL SQE and returns its res.
  std::int32_t run_ctl(const op::EpollCtl& ctl) {
    if (!submit_sqes(*ring, {with_user_data(ctl, 100)})) return 1;
    const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
    if (cqes.size() != 1 || cqes[0].user_data != 100 || cqes[0].flags != 0) {
      ADD_FAILURE() << "expected one CQE for the EPOLL_CTL, got " << cqes.size();
      return 1;
    }
    return cqes[0].res;
  }

  // What epoll_wait(2) reports right now (at most 4 events).
  std::vector<epoll_event> ready_now() const {
    epoll_event now[4];
    const int n = epoll_wait(epoll.fd, now, 4, 0);
    return std::vector<epoll_event>(now, now + (n > 0 ? n : 0));
  }

  // Declared before the ring: a pending EPOLL_WAIT still owns `events` until the ring is gone.
  Epoll epoll;
  Pipe pipe;
  epoll_event events[4] = {};
  std::unique_ptr<UringRing> ring;
};

TEST_F(CtlEpoll, AddRegistersTheFile) {
  epoll_event ev = event_of(EPOLLIN, 77);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  EXPECT_TRUE(ready_now().empty());
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const std::vector<epoll_event> ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(events_of(ready[0]), std::uint32_t{EPOLLIN});
  EXPECT_EQ(data_of(ready[0]), 77u);
}

TEST_F(CtlEpoll, AddTwiceIsEexist) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), -EEXIST);
}

TEST_F(CtlEpoll, ModifyReplacesEventsAndData) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  epoll_event changed = event_of(EPOLLIN, 0xabcdef);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &changed)), 0);
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const std::vector<epoll_event> ready = ready_now();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(data_of(ready[0]), 0xabcdefu);
}

TEST_F(CtlEpoll, ModifyOfUnwatchedFileIsEnoent) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::modify(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), -ENOENT);
}

TEST_F(CtlEpoll, RemoveUnregistersAndSecondRemoveIsEnoent) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::remove(op::Fd{epoll.fd}, op::Fd{pipe.read_end})), 0);
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  EXPECT_TRUE(ready_now().empty());
  EXPECT_EQ(run_ctl(op::EpollCtl::remove(op::Fd{epoll.fd}, op::Fd{pipe.read_end})), -ENOENT);
}

TEST_F(CtlEpoll, NonEpollFdIsEinval) {
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{pipe.write_end}, op::Fd{pipe.read_end}, &ev)),
            -EINVAL);
}

TEST_F(CtlEpoll, ClosedTargetFdIsEbadf) {
  const int closed = dup(pipe.read_end);
  ASSERT_GE(closed, 0);
  close(closed);
  epoll_event ev = event_of(EPOLLIN, 1);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{closed}, &ev)), -EBADF);
}

TEST_F(CtlEpoll, WaitWithEventsReadyCompletesAtOnce) {
  RINGKIT_REQUIRE_OPCODE(ring, Opcode::epoll_wait);
  epoll_event ev = event_of(EPOLLIN, 55);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::Fd{epoll.fd}, events, 4), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  EXPECT_EQ(events_of(events[0]), std::uint32_t{EPOLLIN});
  EXPECT_EQ(data_of(events[0]), 55u);
}

TEST_F(CtlEpoll, WaitPendsUntilAWatchedFileIsReady) {
  RINGKIT_REQUIRE_OPCODE(ring, Opcode::epoll_wait);
  epoll_event ev = event_of(EPOLLIN, 56);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::Fd{epoll.fd}, events, 4), 1)}));
  EXPECT_TRUE(no_cqe_within(*ring));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  EXPECT_EQ(events_of(events[0]), std::uint32_t{EPOLLIN});
  EXPECT_EQ(data_of(events[0]), 56u);
}

TEST_F(CtlEpoll, WaitReportsAtMostMaxevents) {
  RINGKIT_REQUIRE_OPCODE(ring, Opcode::epoll_wait);
  Pipe second;
  ASSERT_TRUE(second.ok());
  epoll_event first_ev = event_of(EPOLLIN, 1);
  epoll_event second_ev = event_of(EPOLLIN, 2);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &first_ev)), 0);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{second.read_end}, &second_ev)), 0);
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  ASSERT_TRUE(write_all(second.write_end, "y"));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::Fd{epoll.fd}, events, 1), 1)}));
  std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::Fd{epoll.fd}, events, 4), 2)}));
  cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{2, 2, 0}));  // level-triggered: both still ready
  EXPECT_EQ(data_of(events[0]) + data_of(events[1]), 3u);
}

TEST_F(CtlEpoll, WaitOnRegisteredEpollFd) {
  RINGKIT_REQUIRE_OPCODE(ring, Opcode::epoll_wait);
  epoll_event ev = event_of(EPOLLIN, 57);
  EXPECT_EQ(run_ctl(op::EpollCtl::add(op::Fd{epoll.fd}, op::Fd{pipe.read_end}, &ev)), 0);
  const int fds[] = {epoll.fd};
  ASSERT_TRUE(ring->register_files(fds));
  ASSERT_TRUE(write_all(pipe.write_end, "x"));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::FixedFile{0}, events, 4), 1)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{1, 1, 0}));
  EXPECT_EQ(data_of(events[0]), 57u);
}

TEST_F(CtlEpoll, CancelledWaitIsEcanceled) {
  RINGKIT_REQUIRE_OPCODE(ring, Opcode::epoll_wait);
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::EpollWait(op::Fd{epoll.fd}, events, 4), 1)}));
  ASSERT_TRUE(submit_sqes(*ring, {with_user_data(op::AsyncCancel(1), 2)}));
  const std::vector<Cqe> cqes = collect_cqes(*ring, 2);
  ASSERT_EQ(cqes.size(), 2u);
  // A pending EPOLL_WAIT waits through io_uring's poll on the epoll file, so it is cancelled as
  // a poll is: res 0 (not the count that futex and waitid cancels answer with).
  EXPECT_EQ(find_cqe(cqes, 2), (Cqe{2, 0, 0}));
  EXPECT_EQ(find_cqe(cqes, 1), (Cqe{1, -ECANCELED, 0}));
}

}  // namespace
}  // namespace ringkit
