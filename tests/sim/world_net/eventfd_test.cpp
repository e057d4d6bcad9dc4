#include "ringkit/sim/world/eventfd.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>

#include <cstring>

#include "world_net_test_support.hpp"

namespace ringkit::sim {
namespace {

std::int64_t write_u64(File& f, std::uint64_t v, std::size_t len = 8) {
  unsigned char buf[16] = {};
  std::memcpy(buf, &v, sizeof v);
  const iovec io{buf, len};
  return f.write(std::span<const iovec>(&io, 1), 0, 0);
}
std::int64_t read_u64(File& f, std::uint64_t* v, std::size_t len = 8) {
  unsigned char buf[16] = {};
  const iovec io{buf, len};
  const std::int64_t rc = f.read(std::span<const iovec>(&io, 1), 0, 0);
  std::memcpy(v, buf, sizeof *v);
  return rc;
}

TEST(SimEventFd, CounterReadWrite) {
  EXPECT_EQ(make_eventfd(0, 0x1234).error().value(), EINVAL);
  FileRef f = make_eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC).value();
  auto& e = static_cast<EventFd&>(*f);
  EXPECT_EQ(f->kind(), FileKind::eventfd);
  std::uint64_t v = 0;
  EXPECT_EQ(read_u64(e, &v, 7), -EINVAL);
  EXPECT_EQ(read_u64(e, &v), 8);
  EXPECT_EQ(v, 3u);
  EXPECT_EQ(read_u64(e, &v), -EAGAIN);
  EXPECT_EQ(write_u64(e, 1, 4), -EINVAL);
  EXPECT_EQ(write_u64(e, ~std::uint64_t{0}), -EINVAL);
  EXPECT_EQ(write_u64(e, 0xfffffffffffffffeULL), 8);
  EXPECT_EQ(e.poll(), poll_event::in | poll_event::rdnorm);  // a write of 1 no longer fits
  EXPECT_EQ(write_u64(e, 1), -EAGAIN);
  EXPECT_EQ(write_u64(e, 0), 8);
  EXPECT_EQ(read_u64(e, &v, 16), 8);
  EXPECT_EQ(v, 0xfffffffffffffffeULL);
  EXPECT_EQ(e.poll(), poll_event::out | poll_event::wrnorm);
}

TEST(SimEventFd, SemaphoreAndSignal) {
  FileRef f = make_eventfd(2, EFD_SEMAPHORE).value();
  auto& e = static_cast<EventFd&>(*f);
  std::uint64_t v = 0;
  EXPECT_EQ(read_u64(e, &v), 8);
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(e.counter(), 1u);
  test::RecordingWaiter w;
  w.interest = poll_event::in;
  EXPECT_EQ(read_u64(e, &v), 8);
  e.add_waiter(w);
  e.signal(5);
  ASSERT_EQ(w.calls.size(), 1u);
  EXPECT_EQ(e.counter(), 5u);
  e.signal(~std::uint64_t{0});  // saturates
  EXPECT_EQ(e.counter(), ~std::uint64_t{0});
  EXPECT_TRUE(e.poll() & poll_event::err);
}

}  // namespace
}  // namespace ringkit::sim
