// UringRing's enter path: the registered ring fd (and which thread may use it), waits with
// timeouts and signal masks, the kernel's errors, and the CQ overflow backlog.
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <csignal>
#include <thread>

#include "uring_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace std::chrono_literals;
using testing::nop_sqe;
using testing::ring_options;
using testing::take_cqes;

class UringEnter : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

// Replaces `fd` with /dev/null while alive (and puts the original back): an enter that names
// the ring by fd then fails, one that uses the registered index does not.
class FdHidden {
 public:
  explicit FdHidden(int fd) : fd_(fd), saved_(dup(fd)) {
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(null_fd, fd_);
    close(null_fd);
  }
  FdHidden(const FdHidden&) = delete;
  FdHidden& operator=(const FdHidden&) = delete;
  ~FdHidden() {
    dup2(saved_, fd_);
    close(saved_);
  }

 private:
  int fd_;
  int saved_;
};

TEST_F(UringEnter, RegisteredRingFdIsWhatEntersUse) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  ASSERT_EQ(ring->registered_ring_index(), -1);
  {
    FdHidden hidden(ring->ring_fd());
    ASSERT_TRUE(ring->push(nop_sqe(1)));
    const result<std::uint32_t> by_fd = ring->submit();
    ASSERT_FALSE(by_fd);  // the fd now names /dev/null
    EXPECT_EQ(by_fd.error().value(), EOPNOTSUPP);
  }
  ASSERT_TRUE(ring->register_ring_fd());
  ASSERT_GE(ring->registered_ring_index(), 0);
  EXPECT_EQ(ring->register_ring_fd().error().value(), EEXIST);
  {
    FdHidden hidden(ring->ring_fd());
    // The queued NOP and a new one go in through the index, never touching the fd.
    ASSERT_TRUE(ring->push(nop_sqe(2)));
    const result<std::uint32_t> by_index = ring->submit_and_wait(2);
    ASSERT_TRUE(by_index) << by_index.error().message();
    EXPECT_EQ(*by_index, 2u);
    const std::vector<Cqe> cqes = take_cqes(*ring);
    ASSERT_EQ(cqes.size(), 2u);
    EXPECT_EQ(cqes[0].user_data, 1u);
    EXPECT_EQ(cqes[1].user_data, 2u);
    // Another thread has no such registration: it must use the fd, which is hidden.
    result<std::uint32_t> elsewhere = Error{0};
    std::thread([&] {
      ASSERT_TRUE(ring->push(nop_sqe(3)));
      elsewhere = ring->submit();
    }).join();
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().value(), EOPNOTSUPP);
    // Unregistering belongs to the registering thread too.
    result<void> unregister_elsewhere = Error{0};
    std::thread([&] { unregister_elsewhere = ring->unregister_ring_fd(); }).join();
    ASSERT_FALSE(unregister_elsewhere);
    EXPECT_EQ(unregister_elsewhere.error().reason(), ErrorReason::registered_ring_other_thread);
  }
  // With the fd back, the other thread's NOP goes in through the fd.
  result<std::uint32_t> elsewhere = Error{0};
  std::thread([&] { elsewhere = ring->submit_and_wait(1); }).join();
  ASSERT_TRUE(elsewhere) << elsewhere.error().message();
  EXPECT_EQ(take_cqes(*ring).at(0).user_data, 3u);
  ASSERT_TRUE(ring->unregister_ring_fd());
  EXPECT_EQ(ring->registered_ring_index(), -1);
  EXPECT_EQ(ring->unregister_ring_fd().error().value(), EINVAL);
  {
    FdHidden hidden(ring->ring_fd());
    ASSERT_TRUE(ring->push(nop_sqe(4)));
    EXPECT_EQ(ring->submit().error().value(), EOPNOTSUPP);  // back to the fd
  }
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
}

// A forked child keeps the parent's thread-local state but not its io_uring task context: the
// registered index means nothing there, so its enters must name the ring by fd.
TEST_F(UringEnter, ForkedChildDoesNotUseTheParentsRegistration) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  ASSERT_TRUE(ring->register_ring_fd());
  ASSERT_TRUE(ring->enter(0, 0, 0));  // this thread: through the index
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Nothing to submit or wait for: the ring's state is left alone.
    const result<std::uint32_t> entered = ring->enter(0, 0, 0);
    _exit(entered ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(UringEnter, WaitsTimeOutWithEtime) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::ext_arg);
  const auto start = std::chrono::steady_clock::now();
  const result<const Cqe*> cqe = ring->wait_cqe_timeout(20ms);
  ASSERT_FALSE(cqe);
  EXPECT_EQ(cqe.error().value(), ETIME);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 15ms);
  const result<std::uint32_t> nothing = ring->submit_and_wait_timeout(1, 5ms);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().value(), ETIME);
  // With something to submit the count comes back, and the wait ended with its CQE.
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  const result<std::uint32_t> one = ring->submit_and_wait_timeout(1, 5s);
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(*one, 1u);
  EXPECT_EQ(ring->cq_ready(), 1u);
  // A negative time is refused before the kernel.
  EXPECT_EQ(ring->wait_cqe_timeout(-1ms).error().value(), EINVAL);
}

volatile std::sig_atomic_t usr1_delivered = 0;
void on_usr1(int) { usr1_delivered = 1; }

TEST_F(UringEnter, SigmaskIsAppliedDuringTheWait) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::ext_arg);
  struct sigaction handler {};
  handler.sa_handler = on_usr1;
  sigemptyset(&handler.sa_mask);
  struct sigaction previous_handler {};
  ASSERT_EQ(sigaction(SIGUSR1, &handler, &previous_handler), 0);  // no SA_RESTART
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigset_t nothing;
  sigemptyset(&nothing);
  sigset_t previous_mask;
  const pthread_t self = pthread_self();
  const auto send_usr1_soon = [self] {
    std::this_thread::sleep_for(100ms);
    pthread_kill(self, SIGUSR1);
  };

  // The thread blocks SIGUSR1; the wait's empty mask lets it in, so it interrupts the wait.
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &previous_mask), 0);
  usr1_delivered = 0;
  std::thread sender(send_usr1_soon);
  const result<std::uint32_t> interrupted = ring->submit_and_wait_timeout(1, 10s, &nothing);
  sender.join();
  ASSERT_FALSE(interrupted);
  EXPECT_EQ(interrupted.error().value(), EINTR);
  EXPECT_EQ(usr1_delivered, 1);

  // The thread takes SIGUSR1; the wait's mask holds it off until the wait times out.
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr), 0);
  usr1_delivered = 0;
  std::thread late_sender(send_usr1_soon);
  const result<std::uint32_t> timed_out = ring->submit_and_wait_timeout(1, 1s, &usr1);
  late_sender.join();
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().value(), ETIME);
  EXPECT_EQ(usr1_delivered, 1);  // delivered once the thread's own mask was back

  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  sigaction(SIGUSR1, &previous_handler, nullptr);
}

TEST_F(UringEnter, KernelErrorsComeBackAsTheyAre) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  // An enter flag no kernel defines.
  EXPECT_EQ(ring->enter(0, 0, 1u << 8).error().value(), EINVAL);
  // IORING_ENTER_EXT_ARG with the wrong argument size.
  GeteventsArg arg{};
  EXPECT_EQ(ring->enter(0, 1, enter_flag::getevents | enter_flag::ext_arg, &arg, 8).error().value(),
            EINVAL);
  // A signal mask of the wrong size.
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_EQ(ring->enter(0, 1, enter_flag::getevents, &mask, 4).error().value(), EINVAL);
  // The raw call with a right-sized mask and nothing to wait for returns at once.
  const result<std::uint32_t> plain = ring->enter(0, 0, enter_flag::getevents, &mask, _NSIG / 8);
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(*plain, 0u);
}

TEST_F(UringEnter, CqOverflowBacklogIsFlushed) {
  RINGKIT_MAKE_RING(ring, ring_options(4, 0, 4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::nodrop);
  for (std::uint64_t batch = 0; batch < 3; ++batch) {
    for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(ring->push(nop_sqe(batch * 4 + i)));
    ASSERT_EQ(ring->submit().value(), 4u);
  }
  // Four fit the CQ; the kernel keeps the other eight and says so.
  EXPECT_EQ(ring->cq_ready(), 4u);
  EXPECT_TRUE(ring->sq_flags() & sq_ring_flag::cq_overflow);
  EXPECT_TRUE(ring->cq_needs_flush());
  std::array<Cqe, 12> cqes{};
  std::uint32_t got = ring->copy_cqes(cqes);
  ASSERT_EQ(got, 4u);
  // Nothing to submit, but the backlog makes submit() enter with GETEVENTS.
  ASSERT_TRUE(ring->submit());
  got += ring->copy_cqes(std::span(cqes).subspan(got));
  ASSERT_EQ(got, 8u);
  // wait_cqes flushes too when the CQ is empty but the kernel holds CQEs back.
  const result<std::uint32_t> rest = ring->wait_cqes(std::span(cqes).subspan(got), 0);
  ASSERT_TRUE(rest) << rest.error().message();
  got += *rest;
  ASSERT_EQ(got, 12u);
  for (std::uint64_t i = 0; i < 12; ++i) EXPECT_EQ(cqes[i].user_data, i);  // order kept
  EXPECT_FALSE(ring->cq_needs_flush());
  EXPECT_EQ(ring->cq_overflow(), 0u);  // nothing dropped
}

}  // namespace
}  // namespace ringkit
