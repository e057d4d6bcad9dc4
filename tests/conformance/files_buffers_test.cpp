// Conformance: reads into provided buffers. READ with IOSQE_BUFFER_SELECT from a legacy group
// (PROVIDE_BUFFERS; core's ProvidedBufferGroup): one buffer per request, F_BUFFER and its id,
// -ENOBUFS when the group is empty or missing. READ_MULTISHOT on a pipe, from a buffer ring
// (core's ProvidedBufferRing) or a legacy group: one CQE per read with F_MORE and F_BUFFER, a
// final CQE without F_MORE at EOF (res 0), when the group runs dry (-ENOBUFS), or at once on a
// file that cannot be polled (-EBADFD).
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <memory>
#include <string>

#include "files_support.hpp"
#include "ringkit/provided_buffer_group.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::conformance {
namespace {

using files::file_position;
using files::run_one;

constexpr std::uint32_t more = abi::cqe_flag::more;

std::uint32_t buffer_flags(std::uint16_t bid) {
  return abi::cqe_flag::buffer | (std::uint32_t{bid} << abi::cqe_flag::buffer_shift);
}

abi::Cqe as_abi(const Cqe& c) { return abi::Cqe{c.user_data, c.res, c.flags}; }

// The bytes a CQE delivered into a buffer of `buffers` (a ProvidedBufferRing or -Group).
template <class Buffers>
std::string take(Buffers& buffers, const Cqe& c) {
  const result<std::span<std::byte>> data = buffers.take(as_abi(c));
  EXPECT_TRUE(data) << data.error().message();
  if (!data) return "<no data>";
  return std::string(reinterpret_cast<const char*>(data->data()), data->size());
}

// Provides every buffer of `group` with one PROVIDE_BUFFERS; its res is 0.
void provide_all(Ring& ring, ProvidedBufferGroup& group) {
  result<op::ProvideBuffers> provide = group.provide_all();
  ASSERT_TRUE(provide) << provide.error().message();
  EXPECT_EQ(run_one(ring, with(provide->build(), 50)), (Cqe{50, 0, 0}));
}

ProvidedBufferGroup make_group(std::uint16_t bgid, std::uint32_t count, std::uint32_t size) {
  result<ProvidedBufferGroup> g = ProvidedBufferGroup::create(bgid, count, size);
  EXPECT_TRUE(g) << g.error().message();
  return std::move(*g);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesLegacyBuffers);

// len 0 takes the whole buffer; each read takes the front buffer of the group; a legacy buffer
// is consumed by every result, EOF (res 0) included; an empty or unknown group is -ENOBUFS.
TYPED_TEST(ConformanceFilesLegacyBuffers, ReadSelectsOneBufferPerRequestUntilEnobufs) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("sel", "hello world", O_RDWR);
  ASSERT_GE(fd, 0);
  ProvidedBufferGroup group = make_group(4, 3, 8);
  provide_all(*ring, group);
  const auto read_at = [&](std::uint32_t len, std::uint64_t offset, std::uint16_t bgid = 4) {
    return run_one(
        *ring,
        with(op::Read::select_buffer(op::Fd{fd}, op::BufGroup{bgid}, len, offset).build(), 1));
  };
  Cqe c = read_at(0, 0);
  EXPECT_EQ(c, (Cqe{1, 8, buffer_flags(0)}));
  EXPECT_EQ(take(group, c), "hello wo");
  c = read_at(5, 8);  // a length below the buffer's caps the read
  EXPECT_EQ(c, (Cqe{1, 3, buffer_flags(1)}));
  EXPECT_EQ(take(group, c), "rld");
  c = read_at(0, 11);
  EXPECT_EQ(c, (Cqe{1, 0, buffer_flags(2)}));
  EXPECT_EQ(take(group, c), "");
  EXPECT_EQ(group.held_by_kernel_count(), 0u);
  EXPECT_EQ(read_at(0, 0), (Cqe{1, -ENOBUFS, 0}));
  EXPECT_EQ(read_at(0, 0, 99), (Cqe{1, -ENOBUFS, 0}));
  // A buffer given back is selected again.
  result<op::ProvideBuffers> again = group.provide(1);
  ASSERT_TRUE(again);
  EXPECT_EQ(run_one(*ring, with(again->build(), 50)), (Cqe{50, 0, 0}));
  c = read_at(0, 6);
  EXPECT_EQ(c, (Cqe{1, 5, buffer_flags(1)}));
  EXPECT_EQ(take(group, c), "world");
}

// A read parked on an empty pipe selects its buffer when the data arrives.
TYPED_TEST(ConformanceFilesLegacyBuffers, PipeReadTakesTheBufferWhenDataArrives) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ProvidedBufferGroup group = make_group(2, 2, 8);
  provide_all(*ring, group);
  ASSERT_EQ(
      submit(
          *ring,
          {with(
              op::Read::select_buffer(op::Fd{pipe.first}, group.group(), 0, file_position).build(),
              1)}),
      1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "0123456789"));
  const Cqes cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{1, 8, buffer_flags(0)}}));
  EXPECT_EQ(take(group, cqes[0]), "01234567");
  EXPECT_EQ(this->backend.read_fd(pipe.first, 16), "89");
}

TYPED_TEST(ConformanceFilesLegacyBuffers, ReadMultishotPostsBuffersUntilTheGroupRunsDry) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ProvidedBufferGroup group = make_group(5, 2, 8);
  provide_all(*ring, group);
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "abc"));
  ASSERT_EQ(
      submit(*ring, {with(op::ReadMultishot(op::Fd{pipe.first}, group.group(), 0).build(), 7)}), 1);
  Cqes cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 3, buffer_flags(0) | more}}));
  EXPECT_EQ(take(group, cqes[0]), "abc");
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "defgh"));
  cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 5, buffer_flags(1) | more}}));
  EXPECT_EQ(take(group, cqes[0]), "defgh");
  // Both buffers are the application's: the request waits until data comes, then finds the
  // group empty and ends with -ENOBUFS, leaving the data in the pipe.
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "starved"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, -ENOBUFS, 0}}));
  EXPECT_TRUE(nothing_within(*ring));
  EXPECT_EQ(this->backend.read_fd(pipe.first, 16), "starved");
}

TYPED_TEST(ConformanceFilesLegacyBuffers, ReadMultishotEndsAtEof) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ProvidedBufferGroup group = make_group(6, 4, 4);
  provide_all(*ring, group);
  ASSERT_EQ(
      submit(*ring, {with(op::ReadMultishot(op::Fd{pipe.first}, group.group(), 0).build(), 7)}), 1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "0123456"));  // 4 + 3
  Cqes cqes = wait_cqes(*ring, 2);
  ASSERT_EQ(cqes, (Cqes{{7, 4, buffer_flags(0) | more}, {7, 3, buffer_flags(1) | more}}));
  EXPECT_EQ(take(group, cqes[0]) + take(group, cqes[1]), "0123456");
  this->backend.close_fd(pipe.second);
  // The final CQE: res 0, no F_MORE, and no buffer (the kernel keeps it).
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, 0, 0}}));
  EXPECT_EQ(group.held_by_kernel_count(), 2u);
}

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesBufferRing);

TYPED_TEST(ConformanceFilesBufferRing, ReadMultishotOneCqePerReadUntilEof) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  result<ProvidedBufferRing> buffers =
      ProvidedBufferRing::create(*ring, {.bgid = 7, .entries = 4, .buffer_size = 8});
  ASSERT_TRUE(buffers) << buffers.error().message();
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "abc"));  // there at issue
  ASSERT_EQ(
      submit(*ring, {with(op::ReadMultishot(op::Fd{pipe.first}, buffers->group(), 0).build(), 7)}),
      1);
  Cqes cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 3, buffer_flags(0) | more}}));
  EXPECT_EQ(take(*buffers, cqes[0]), "abc");
  ASSERT_TRUE(buffers->recycle(0));
  EXPECT_TRUE(nothing_within(*ring));
  // More than a buffer holds: one full buffer per CQE, then the rest, in ring order.
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "0123456789ABCDEFxyz"));
  cqes = wait_cqes(*ring, 3);
  ASSERT_EQ(cqes, (Cqes{{7, 8, buffer_flags(1) | more},
                        {7, 8, buffer_flags(2) | more},
                        {7, 3, buffer_flags(3) | more}}));
  EXPECT_EQ(take(*buffers, cqes[0]) + take(*buffers, cqes[1]) + take(*buffers, cqes[2]),
            "0123456789ABCDEFxyz");
  this->backend.close_fd(pipe.second);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

TYPED_TEST(ConformanceFilesBufferRing, ReadMultishotEndsWithEnobufsWhenTheRingIsEmpty) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  result<ProvidedBufferRing> buffers =
      ProvidedBufferRing::create(*ring, {.bgid = 5, .entries = 2, .buffer_size = 16});
  ASSERT_TRUE(buffers) << buffers.error().message();
  ASSERT_EQ(
      submit(*ring, {with(op::ReadMultishot(op::Fd{pipe.first}, buffers->group(), 0).build(), 7)}),
      1);
  for (std::uint16_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(nothing_within(*ring));
    ASSERT_TRUE(this->backend.write_fd(pipe.second, "chunk" + std::to_string(i)));
    const Cqes cqes = wait_cqes(*ring, 1);
    ASSERT_EQ(cqes, (Cqes{{7, 6, buffer_flags(i) | more}}));
    EXPECT_EQ(take(*buffers, cqes[0]), "chunk" + std::to_string(i));
  }
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "starved"));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, -ENOBUFS, 0}}));
  EXPECT_EQ(this->backend.read_fd(pipe.first, 16), "starved");
}

// A multishot read needs a file it can poll (-EBADFD) and a group that exists (-ENOBUFS).
TYPED_TEST(ConformanceFilesBufferRing, ReadMultishotOnARegularFileOrWithoutAGroupFails) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const int fd = this->backend.create_file("plain", "data", O_RDWR);
  ASSERT_GE(fd, 0);
  result<ProvidedBufferRing> buffers =
      ProvidedBufferRing::create(*ring, {.bgid = 9, .entries = 2, .buffer_size = 16});
  ASSERT_TRUE(buffers) << buffers.error().message();
  EXPECT_EQ(run_one(*ring, with(op::ReadMultishot(op::Fd{fd}, buffers->group(), 0).build(), 7)),
            (Cqe{7, -EBADFD, 0}));
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "x"));
  EXPECT_EQ(
      run_one(*ring, with(op::ReadMultishot(op::Fd{pipe.first}, op::BufGroup{77}, 0).build(), 7)),
      (Cqe{7, -ENOBUFS, 0}));
}

// READ with IOSQE_BUFFER_SELECT from a ring: the buffer goes with the CQE; an empty ring is
// -ENOBUFS.
TYPED_TEST(ConformanceFilesBufferRing, ReadSelectsFromTheRingUntilEnobufs) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("sel", "hello world", O_RDWR);
  ASSERT_GE(fd, 0);
  result<ProvidedBufferRing> buffers =
      ProvidedBufferRing::create(*ring, {.bgid = 4, .entries = 2, .buffer_size = 8});
  ASSERT_TRUE(buffers) << buffers.error().message();
  const auto read_at = [&](std::uint64_t offset) {
    return run_one(
        *ring, with(op::Read::select_buffer(op::Fd{fd}, buffers->group(), 0, offset).build(), 1));
  };
  Cqe c = read_at(0);
  EXPECT_EQ(c, (Cqe{1, 8, buffer_flags(0)}));
  EXPECT_EQ(take(*buffers, c), "hello wo");
  c = read_at(8);
  EXPECT_EQ(c, (Cqe{1, 3, buffer_flags(1)}));
  EXPECT_EQ(take(*buffers, c), "rld");
  EXPECT_EQ(read_at(0), (Cqe{1, -ENOBUFS, 0}));
  ASSERT_TRUE(buffers->recycle(1));
  c = read_at(6);
  EXPECT_EQ(c, (Cqe{1, 5, buffer_flags(1)}));
  EXPECT_EQ(take(*buffers, c), "world");
}

// READV with IOSQE_BUFFER_SELECT: one iovec, read only for its length, caps the transfer.
TYPED_TEST(ConformanceFilesBufferRing, ReadvSelectsABufferCappedByTheIovec) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("selv", "0123456789", O_RDWR);
  ASSERT_GE(fd, 0);
  result<ProvidedBufferRing> buffers =
      ProvidedBufferRing::create(*ring, {.bgid = 6, .entries = 2, .buffer_size = 16});
  ASSERT_TRUE(buffers) << buffers.error().message();
  const iovec cap{nullptr, 4};
  const Cqe c = run_one(
      *ring, with(op::Readv::select_buffer(op::Fd{fd}, &cap, buffers->group(), 2).build(), 1));
  EXPECT_EQ(c, (Cqe{1, 4, buffer_flags(0)}));
  EXPECT_EQ(take(*buffers, c), "2345");
}

// IOU_PBUF_RING_INC (6.12): a read uses only the bytes it needs; the buffer stays with the kernel
// (IORING_CQE_F_BUF_MORE) and the next read continues in it; the read that fills it up posts no
// F_BUF_MORE and the next one moves on to the next buffer.
TYPED_TEST(ConformanceFilesBufferRing, IncrementalRingFillsOneBufferAcrossReads) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::read_multishot);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring, {.bgid = 3, .entries = 2, .buffer_size = 8, .incremental = true});
  ASSERT_TRUE(buffers) << buffers.error().message();
  constexpr std::uint32_t buf_more = abi::cqe_flag::buf_more;
  ASSERT_EQ(
      submit(*ring, {with(op::ReadMultishot(op::Fd{pipe.first}, buffers->group(), 0).build(), 7)}),
      1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "abc"));
  Cqes cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 3, buffer_flags(0) | more | buf_more}}));
  EXPECT_EQ(take(*buffers, cqes[0]), "abc");
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "defgh"));  // exactly the 5 bytes left
  cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 5, buffer_flags(0) | more}}));
  EXPECT_EQ(take(*buffers, cqes[0]), "defgh");
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "ij"));
  cqes = wait_cqes(*ring, 1);
  ASSERT_EQ(cqes, (Cqes{{7, 2, buffer_flags(1) | more | buf_more}}));
  EXPECT_EQ(take(*buffers, cqes[0]), "ij");
  this->backend.close_fd(pipe.second);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{7, 0, 0}}));
}

// A plain READ from an incremental ring on a regular file: the same buffer until it is used up.
TYPED_TEST(ConformanceFilesBufferRing, IncrementalRingReadOfAFile) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("inc", "0123456789", O_RDWR);
  ASSERT_GE(fd, 0);
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring, {.bgid = 2, .entries = 2, .buffer_size = 8, .incremental = true});
  ASSERT_TRUE(buffers) << buffers.error().message();
  const auto read = [&](std::uint32_t len, std::uint64_t offset) {
    return run_one(
        *ring, with(op::Read::select_buffer(op::Fd{fd}, buffers->group(), len, offset).build(), 1));
  };
  Cqe c = read(3, 0);
  EXPECT_EQ(c, (Cqe{1, 3, buffer_flags(0) | abi::cqe_flag::buf_more}));
  EXPECT_EQ(take(*buffers, c), "012");
  c = read(0, 3);  // len 0: the rest of the buffer
  EXPECT_EQ(c, (Cqe{1, 5, buffer_flags(0)}));
  EXPECT_EQ(take(*buffers, c), "34567");
  // A file that cannot be polled commits the buffer at selection for the length asked
  // (io_kbuf_commit from io_buffer_select), so a short read still uses up all 8 bytes.
  c = read(0, 8);
  EXPECT_EQ(c, (Cqe{1, 2, buffer_flags(1)}));
  EXPECT_EQ(take(*buffers, c), "89");
}

}  // namespace
}  // namespace ringkit::conformance
