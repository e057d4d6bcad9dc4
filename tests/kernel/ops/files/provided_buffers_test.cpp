// Reads into provided buffers (core's ProvidedBufferRing): READ and READV with
// IOSQE_BUFFER_SELECT take one buffer each (IORING_CQE_F_BUFFER and its id, no F_MORE);
// READ_MULTISHOT on a pipe posts one CQE per read, IORING_CQE_F_MORE on all but the last, and
// ends at EOF (res 0), when the group runs dry (-ENOBUFS), or at once on a regular file.
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::submit_and_collect;
using testing::with_user_data;

constexpr std::uint64_t read_tag = 77;  // user_data of every read here

class ProvidedBufferReads : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(pipe_.ok());
  }

  // Registers group `bgid` with `entries` buffers of `size` bytes.
  void make_group(std::uint16_t bgid, std::uint32_t entries, std::uint32_t size) {
    auto made =
        ProvidedBufferRing::create(*ring_, {.bgid = bgid, .entries = entries, .buffer_size = size});
    ASSERT_TRUE(made) << made.error().message();
    buffers_ = std::make_unique<ProvidedBufferRing>(std::move(*made));
  }

  void arm() {
    ASSERT_TRUE(ring_->push(
        with_user_data(op::ReadMultishot(op::Fd{pipe_.read_end}, buffers_->group(), 0), read_tag)));
  }

  void write_pipe(const std::string& bytes) {
    ASSERT_EQ(write(pipe_.write_end, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

  // Checks a data CQE and returns what it delivered (the buffer is the application's again).
  std::string take_data(const abi::Cqe& cqe, bool more) {
    EXPECT_EQ(cqe.user_data, read_tag);
    EXPECT_EQ(cqe.flags & abi::cqe_flag::buffer, abi::cqe_flag::buffer);
    EXPECT_EQ((cqe.flags & abi::cqe_flag::more) != 0, more) << "flags " << cqe.flags;
    const result<std::span<std::byte>> data = buffers_->take(cqe);
    EXPECT_TRUE(data) << data.error().message();
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data->data()), data->size());
  }

  // Closes the write end: the read sees EOF and ends with res 0, no buffer, no F_MORE.
  void expect_eof_ends_it() {
    close(pipe_.write_end);
    pipe_.write_end = -1;
    const auto cqes = submit_and_collect(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].user_data, read_tag);
    EXPECT_EQ(cqes[0].res, 0);
    EXPECT_EQ(cqes[0].flags & (abi::cqe_flag::more | abi::cqe_flag::buffer), 0u);
  }

  testing::Pipe pipe_;
  std::unique_ptr<ProvidedBufferRing> buffers_;
};

// READ with IOSQE_BUFFER_SELECT: len 0 means the whole buffer; each read takes the next one.
TEST_F(ProvidedBufferReads, ReadSelectsOneBufferPerRequest) {
  make_group(4, 2, 8);
  const testing::OwnedFd file = testing::make_file(dir_.path("sel"), "hello world");
  ASSERT_GE(file.get(), 0);
  const auto read_at = [&](std::uint64_t offset) {
    return testing::run_one(
        *ring_,
        with_user_data(op::Read::select_buffer(file.fd(), buffers_->group(), 0, offset), read_tag));
  };
  const abi::Sqe sqe = op::Read::select_buffer(file.fd(), buffers_->group(), 0, 0).build();
  EXPECT_EQ(sqe.flags & abi::sqe_flag::buffer_select, abi::sqe_flag::buffer_select);
  EXPECT_EQ(sqe.buf_index, 4);
  abi::Cqe cqe = read_at(0);
  EXPECT_EQ(cqe.res, 8);
  EXPECT_EQ(abi::cqe_buffer_id(cqe.flags), 0);
  EXPECT_EQ(take_data(cqe, false), "hello wo");
  cqe = read_at(8);
  EXPECT_EQ(cqe.res, 3);
  EXPECT_EQ(abi::cqe_buffer_id(cqe.flags), 1);
  EXPECT_EQ(take_data(cqe, false), "rld");
  // Both buffers are the application's now: the group is empty.
  cqe = read_at(0);
  EXPECT_EQ(cqe.res, -ENOBUFS);
  EXPECT_EQ(cqe.flags & abi::cqe_flag::buffer, 0u);
  // A recycled buffer is handed out again.
  ASSERT_TRUE(buffers_->recycle(1));
  cqe = read_at(6);
  EXPECT_EQ(cqe.res, 5);
  EXPECT_EQ(abi::cqe_buffer_id(cqe.flags), 1);
  EXPECT_EQ(take_data(cqe, false), "world");
}

// READV with IOSQE_BUFFER_SELECT: one iovec, read only for its length, caps the transfer.
TEST_F(ProvidedBufferReads, ReadvSelectsABufferCappedByTheIovec) {
  make_group(6, 2, 16);
  const testing::OwnedFd file = testing::make_file(dir_.path("selv"), "0123456789");
  ASSERT_GE(file.get(), 0);
  const iovec cap{nullptr, 4};
  const abi::Cqe cqe = testing::run_one(
      *ring_,
      with_user_data(op::Readv::select_buffer(file.fd(), &cap, buffers_->group(), 2), read_tag));
  EXPECT_EQ(cqe.res, 4);
  EXPECT_EQ(abi::cqe_buffer_id(cqe.flags), 0);
  EXPECT_EQ(take_data(cqe, false), "2345");
}

class ReadMultishot : public ProvidedBufferReads {
 protected:
  void SetUp() override {
    ProvidedBufferReads::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(read_multishot);
  }
};

TEST_F(ReadMultishot, OneCqePerReadWithBufferAndMoreUntilEof) {
  make_group(7, 4, 16);
  write_pipe("abc");  // already there when the request is issued
  arm();
  auto cqes = submit_and_collect(*ring_, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].res, 3);
  EXPECT_EQ(abi::cqe_buffer_id(cqes[0].flags), 0);  // the ring hands buffers out in queue order
  EXPECT_EQ(take_data(cqes[0], true), "abc");
  ASSERT_TRUE(buffers_->recycle(abi::cqe_buffer_id(cqes[0].flags)));

  write_pipe("defgh");  // arrives while the request waits (poll-armed)
  cqes = submit_and_collect(*ring_, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].res, 5);
  EXPECT_EQ(abi::cqe_buffer_id(cqes[0].flags), 1);
  EXPECT_EQ(take_data(cqes[0], true), "defgh");

  expect_eof_ends_it();
}

// More data than one buffer holds: one full buffer per CQE, then the rest, all still armed.
TEST_F(ReadMultishot, DataLargerThanABufferSpansCqes) {
  make_group(3, 4, 8);
  arm();
  ASSERT_TRUE(ring_->submit());
  write_pipe("0123456789ABCDEFxyz");  // 19 bytes: 8 + 8 + 3
  const auto cqes = submit_and_collect(*ring_, 3);
  ASSERT_EQ(cqes.size(), 3u);
  EXPECT_EQ(cqes[0].res, 8);
  EXPECT_EQ(cqes[1].res, 8);
  EXPECT_EQ(cqes[2].res, 3);
  std::string all;
  for (const abi::Cqe& cqe : cqes) all += take_data(cqe, true);
  EXPECT_EQ(all, "0123456789ABCDEFxyz");
  EXPECT_EQ(abi::cqe_buffer_id(cqes[0].flags), 0);
  EXPECT_EQ(abi::cqe_buffer_id(cqes[1].flags), 1);
  EXPECT_EQ(abi::cqe_buffer_id(cqes[2].flags), 2);
  expect_eof_ends_it();
}

// With every buffer taken and none recycled, the next read finds the group empty: the request
// ends with -ENOBUFS and no F_MORE.
TEST_F(ReadMultishot, EmptyGroupEndsItWithEnobufs) {
  make_group(5, 2, 16);
  arm();
  ASSERT_TRUE(ring_->submit());
  for (std::uint16_t i = 0; i < 2; ++i) {
    write_pipe("chunk" + std::to_string(i));
    const auto cqes = submit_and_collect(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].res, 6);
    EXPECT_EQ(abi::cqe_buffer_id(cqes[0].flags), i);
    EXPECT_EQ(take_data(cqes[0], true), "chunk" + std::to_string(i));
  }
  EXPECT_EQ(buffers_->held_by_kernel_count(), 0u);
  write_pipe("starved");
  const auto cqes = submit_and_collect(*ring_, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].user_data, read_tag);
  EXPECT_EQ(cqes[0].res, -ENOBUFS);
  EXPECT_EQ(cqes[0].flags & abi::cqe_flag::more, 0u);
  EXPECT_EQ(pipe_.drain(), "starved");  // nothing was consumed
}

// A regular file cannot be polled, which a multishot read needs: -EBADFD, no F_MORE.
TEST_F(ReadMultishot, RegularFileIsEbadfd) {
  make_group(9, 2, 16);
  const testing::OwnedFd file = testing::make_file(dir_.path("plain"), "data");
  ASSERT_GE(file.get(), 0);
  const abi::Cqe cqe = testing::run_one(
      *ring_, with_user_data(op::ReadMultishot(file.fd(), buffers_->group(), 0), read_tag));
  EXPECT_EQ(cqe.user_data, read_tag);
  EXPECT_EQ(cqe.res, -EBADFD);
  EXPECT_EQ(cqe.flags & abi::cqe_flag::more, 0u);
}

}  // namespace
}  // namespace ringkit
