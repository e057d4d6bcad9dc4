#include "ringkit/sim/world/pipe.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "world_net_test_support.hpp"

namespace ringkit::sim {
namespace {

using test::RecordingWaiter;

std::int64_t write_str(File& f, const std::string& s) {
  const iovec v{const_cast<char*>(s.data()), s.size()};
  return f.write(std::span<const iovec>(&v, 1), -1, 0);
}
std::int64_t read_into(File& f, std::vector<char>& buf) {
  const iovec v{buf.data(), buf.size()};
  return f.read(std::span<const iovec>(&v, 1), -1, 0);
}

TEST(SimPipe, FlagsAndKinds) {
  EXPECT_EQ(make_pipe(O_APPEND).error().value(), EINVAL);
  auto p = make_pipe(O_NONBLOCK | O_CLOEXEC).value();
  EXPECT_EQ(p.reader->kind(), FileKind::pipe_reader);
  EXPECT_EQ(p.writer->kind(), FileKind::pipe_writer);
  EXPECT_TRUE(p.reader->status_flags() & O_NONBLOCK);
  EXPECT_FALSE(p.reader->writable());
  EXPECT_FALSE(p.writer->readable());
  std::vector<char> buf(4);
  EXPECT_EQ(read_into(*p.writer, buf), -EBADF);
  EXPECT_EQ(write_str(*p.reader, "x"), -EBADF);
}

TEST(SimPipe, ReadWriteEofAndEpipe) {
  auto p = make_pipe(0).value();
  std::vector<char> buf(16);
  EXPECT_EQ(read_into(*p.reader, buf), -EAGAIN);
  EXPECT_EQ(p.reader->poll(), 0u);
  EXPECT_EQ(p.writer->poll(), poll_event::out | poll_event::wrnorm);
  EXPECT_EQ(write_str(*p.writer, "hello"), 5);
  EXPECT_EQ(p.reader->poll(), poll_event::in | poll_event::rdnorm);
  EXPECT_EQ(read_into(*p.reader, buf), 5);
  EXPECT_EQ(std::string(buf.data(), 5), "hello");
  EXPECT_EQ(write_str(*p.writer, "ab"), 2);
  p.writer.reset();
  EXPECT_EQ(p.reader->poll(), poll_event::in | poll_event::rdnorm | poll_event::hup);
  EXPECT_EQ(read_into(*p.reader, buf), 2);
  EXPECT_EQ(read_into(*p.reader, buf), 0);  // EOF

  auto q = make_pipe(0).value();
  q.reader.reset();
  EXPECT_EQ(write_str(*q.writer, "x"), -EPIPE);
  EXPECT_TRUE(q.writer->poll() & poll_event::err);
}

// pipe_read: "Null read succeeds" before it looks for data, so an empty pipe with a writer
// answers 0, not -EAGAIN.
TEST(SimPipe, AZeroLengthReadIsZeroEvenWhenEmpty) {
  auto p = make_pipe(0).value();
  std::vector<char> none;
  EXPECT_EQ(read_into(*p.reader, none), 0);
  EXPECT_EQ(write_str(*p.writer, "x"), 1);
  EXPECT_EQ(read_into(*p.reader, none), 0);
  std::vector<char> one(1);
  EXPECT_EQ(read_into(*p.reader, one), 1);  // the zero-length read took nothing
}

TEST(SimPipe, BackpressureAndAtomicity) {
  auto p = make_pipe(0).value();
  auto& w = static_cast<PipeEnd&>(*p.writer);
  std::string big(70000, 'a');
  EXPECT_EQ(write_str(w, big), 65536);  // a large write takes what fits
  EXPECT_EQ(write_str(w, "x"), -EAGAIN);
  EXPECT_EQ(w.poll(), 0u);
  std::vector<char> buf(100);
  EXPECT_EQ(read_into(*p.reader, buf), 100);
  // 100 bytes free: a PIPE_BUF-sized write is all or nothing, a larger one is short.
  EXPECT_EQ(write_str(w, std::string(200, 'b')), -EAGAIN);
  EXPECT_EQ(write_str(w, std::string(5000, 'b')), 100);
  EXPECT_EQ(write_str(w, std::string(50, 'b')), -EAGAIN);
  // Not writable by poll until a PIPE_BUF write fits.
  std::vector<char> drain(4095);
  EXPECT_EQ(read_into(*p.reader, drain), 4095);
  EXPECT_EQ(w.poll(), 0u);
  std::vector<char> one(1);
  EXPECT_EQ(read_into(*p.reader, one), 1);
  EXPECT_EQ(w.poll(), poll_event::out | poll_event::wrnorm);
  EXPECT_EQ(write_str(w, std::string(4096, 'c')), 4096);
}

TEST(SimPipe, SetCapacity) {
  auto p = make_pipe(0).value();
  auto& r = static_cast<PipeEnd&>(*p.reader);
  EXPECT_EQ(r.capacity(), 65536);
  EXPECT_EQ(r.set_capacity(5000), 8192);  // power-of-two pages
  EXPECT_EQ(r.set_capacity(0), 4096);
  EXPECT_EQ(r.set_capacity(pipe_max_size * 2), -EPERM);
  EXPECT_EQ(r.set_capacity((std::uint64_t{1} << 31) + 1), -EINVAL);
  EXPECT_EQ(write_str(*p.writer, std::string(4096, 'x')), 4096);
  EXPECT_EQ(write_str(*p.writer, "y"), -EAGAIN);
  EXPECT_EQ(r.set_capacity(16384), 16384);
  EXPECT_EQ(write_str(*p.writer, std::string(8000, 'y')), 8000);
  EXPECT_EQ(r.set_capacity(4096), -EBUSY);
  std::vector<char> buf(12096);
  EXPECT_EQ(read_into(r, buf), 12096);
  EXPECT_EQ(buf[4095], 'x');
  EXPECT_EQ(buf[4096], 'y');
}

TEST(SimPipe, PacketMode) {
  auto p = make_pipe(O_DIRECT).value();
  EXPECT_EQ(write_str(*p.writer, "first"), 5);
  EXPECT_EQ(write_str(*p.writer, "second"), 6);
  std::vector<char> buf(3);
  EXPECT_EQ(read_into(*p.reader, buf), 3);  // the rest of "first" is discarded
  EXPECT_EQ(std::string(buf.data(), 3), "fir");
  std::vector<char> big(100);
  EXPECT_EQ(read_into(*p.reader, big), 6);
  EXPECT_EQ(std::string(big.data(), 6), "second");
  EXPECT_EQ(write_str(*p.writer, std::string(5000, 'z')), 5000);  // two packets
  EXPECT_EQ(read_into(*p.reader, big), 100);
  std::vector<char> rest(8000);
  EXPECT_EQ(read_into(*p.reader, rest), 904);
}

TEST(SimPipe, WaitersWakeOnDataAndClose) {
  auto p = make_pipe(0).value();
  RecordingWaiter rw;
  rw.interest = poll_event::in;
  p.reader->add_waiter(rw);
  EXPECT_EQ(write_str(*p.writer, "a"), 1);
  ASSERT_EQ(rw.calls.size(), 1u);
  EXPECT_EQ(rw.calls[0], poll_event::in);
  // Writer waiting for room; then the reader closes: err wakes it.
  RecordingWaiter ww;
  ww.interest = poll_event::out;
  EXPECT_EQ(write_str(*p.writer, std::string(65535, 'b')), 65535);
  p.writer->add_waiter(ww);
  p.reader.reset();
  ASSERT_EQ(ww.calls.size(), 1u);
  EXPECT_EQ(ww.calls[0], poll_event::err);
}

TEST(SimPipe, SpliceHelpersAndTee) {
  auto a = make_pipe(0).value();
  auto b = make_pipe(0).value();
  auto& ar = static_cast<PipeEnd&>(*a.reader);
  auto& aw = static_cast<PipeEnd&>(*a.writer);
  auto& bw = static_cast<PipeEnd&>(*b.writer);
  auto& br = static_cast<PipeEnd&>(*b.reader);
  EXPECT_EQ(tee_pipe(ar, bw, 10), -EAGAIN);  // empty source with a writer
  EXPECT_EQ(aw.append(test::bytes("abcdef")), 6);
  EXPECT_EQ(tee_pipe(ar, bw, 4), 4);
  EXPECT_EQ(ar.buffer().size(), 6u);  // tee does not consume
  EXPECT_EQ(tee_pipe(ar, ar, 4), -EINVAL);
  EXPECT_EQ(tee_pipe(ar, static_cast<PipeEnd&>(*a.writer), 4), -EINVAL);
  std::byte out[6];
  EXPECT_EQ(ar.peek(out), 6u);
  EXPECT_EQ(test::text(out), "abcdef");
  EXPECT_EQ(ar.consume(2), 2u);
  EXPECT_EQ(br.peek(std::span<std::byte>(out, 4)), 4u);
  EXPECT_EQ(test::text(std::span<const std::byte>(out, 4)), "abcd");
  b.reader.reset();
  EXPECT_EQ(tee_pipe(ar, bw, 4), -EPIPE);
  a.writer.reset();
  ar.consume(100);
  EXPECT_EQ(tee_pipe(ar, bw, 4), 0);  // empty source without writers
}

}  // namespace
}  // namespace ringkit::sim
