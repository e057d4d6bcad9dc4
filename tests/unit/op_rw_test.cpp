#include <gtest/gtest.h>

#include <cstdint>

#include "ringkit/op/rw.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit {
namespace {

using op::BufGroup;
using op::BufIndex;
using op::DecodeMode;
using op::Fadvise;
using op::Fallocate;
using op::Fd;
using op::FixedFile;
using op::Fsync;
using op::Ftruncate;
using op::Madvise;
using op::Read;
using op::ReadFixed;
using op::ReadMultishot;
using op::Readv;
using op::ReadvFixed;
using op::SyncFileRange;
using op::Write;
using op::WriteFixed;
using op::Writev;
using op::WritevFixed;
using testing::decode_errno;
using testing::fake_ptr;
using testing::sqe_from_bytes;

const iovec* iov(std::uint64_t address) { return fake_ptr<const iovec>(address); }

// ---- golden bytes: one or more per opcode ----

TEST(OpRw, ReadBytes) {
  // READ (22): fd 5, off 0x40, addr 0x1000, len 0x200.
  RINGKIT_EXPECT_SQE_EQ(Read(Fd{5}, fake_ptr(0x1000), 0x200, 0x40).build(),
                        sqe_from_bytes({
                            0x16, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,  //
                            0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, ReadSelectBufferBytes) {
  // FIXED_FILE|BUFFER_SELECT, slot 2, off -1 (file position), addr 0, buf_group 7.
  RINGKIT_EXPECT_SQE_EQ(Read::select_buffer(FixedFile{2}, BufGroup{7}, 0, ~0ull).build(),
                        sqe_from_bytes({
                            0x16, 0x21, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, WriteBytes) {
  // WRITE (23): ioprio 0x4003, RWF_DSYNC, write_stream 4 in splice_fd_in byte 44.
  RINGKIT_EXPECT_SQE_EQ(
      Write(Fd{3}, fake_ptr(0x2000), 16, 0).ioprio(0x4003).rw_flags(2).write_stream(4).build(),
      sqe_from_bytes({
          0x17, 0x00, 0x03, 0x40, 0x03, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpRw, ReadvBytes) {
  // READV (1): 3 iovecs at 0x3000, off 8.
  RINGKIT_EXPECT_SQE_EQ(Readv(Fd{4}, iov(0x3000), 3, 8).build(),
                        sqe_from_bytes({
                            0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, ReadvSelectBufferBytes) {
  // BUFFER_SELECT: one iovec (len 1), buf_group 1.
  RINGKIT_EXPECT_SQE_EQ(Readv::select_buffer(Fd{4}, iov(0x3000), BufGroup{1}, 0).build(),
                        sqe_from_bytes({
                            0x01, 0x20, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, WritevBytes) {
  // WRITEV (2): fixed slot 1, RWF_APPEND.
  RINGKIT_EXPECT_SQE_EQ(Writev(FixedFile{1}, iov(0x3000), 2, 0x100).rw_flags(0x10).build(),
                        sqe_from_bytes({
                            0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  //
                            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x02, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, ReadFixedBytes) {
  // READ_FIXED (4): buf_index 9.
  RINGKIT_EXPECT_SQE_EQ(ReadFixed(Fd{6}, fake_ptr(0x4000), 0x1000, 0, BufIndex{9}).build(),
                        sqe_from_bytes({
                            0x04, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, WriteFixedBytes) {
  // WRITE_FIXED (5): fixed slot 1, buf_index 0x102.
  RINGKIT_EXPECT_SQE_EQ(
      WriteFixed(FixedFile{1}, fake_ptr(0x4000), 0x1000, 0x10, BufIndex{0x102}).build(),
      sqe_from_bytes({
          0x05, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  //
          0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpRw, ReadvFixedBytes) {
  // READV_FIXED (60).
  RINGKIT_EXPECT_SQE_EQ(ReadvFixed(Fd{6}, iov(0x5000), 4, 0, BufIndex{3}).build(),
                        sqe_from_bytes({
                            0x3c, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, WritevFixedBytes) {
  // WRITEV_FIXED (61), write_stream 2.
  RINGKIT_EXPECT_SQE_EQ(WritevFixed(Fd{6}, iov(0x5000), 4, 0, BufIndex{3}).write_stream(2).build(),
                        sqe_from_bytes({
                            0x3d, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, ReadMultishotBytes) {
  // READ_MULTISHOT (49): BUFFER_SELECT, addr = len = 0, buf_group 5.
  RINGKIT_EXPECT_SQE_EQ(ReadMultishot(Fd{7}, BufGroup{5}, 0).build(),
                        sqe_from_bytes({
                            0x31, 0x20, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FsyncBytes) {
  // FSYNC (3): IORING_FSYNC_DATASYNC in fsync_flags.
  RINGKIT_EXPECT_SQE_EQ(Fsync(Fd{8}).datasync().build(),
                        sqe_from_bytes({
                            0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FsyncRangeBytes) {
  // FSYNC of a range: off 0x1000, len 0x800, fixed slot 2.
  RINGKIT_EXPECT_SQE_EQ(Fsync(FixedFile{2}).range(0x1000, 0x800).build(),
                        sqe_from_bytes({
                            0x03, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, SyncFileRangeBytes) {
  // SYNC_FILE_RANGE (8): off 0x1000, len 0x2000, SYNC_FILE_RANGE_WRITE.
  RINGKIT_EXPECT_SQE_EQ(SyncFileRange(Fd{8}, 0x1000, 0x2000).sync_flags(2).build(),
                        sqe_from_bytes({
                            0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,  //
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x20, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FallocateBytes) {
  // FALLOCATE (17): off = offset, addr = length, len = mode (FALLOC_FL_KEEP_SIZE).
  RINGKIT_EXPECT_SQE_EQ(Fallocate(Fd{9}, 0x10, 0x100000).mode(1).build(),
                        sqe_from_bytes({
                            0x11, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  //
                            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FadviseBytes) {
  // FADVISE (24): length in len, POSIX_FADV_DONTNEED.
  RINGKIT_EXPECT_SQE_EQ(Fadvise(Fd{9}, 0, 0x1000, 4).build(),
                        sqe_from_bytes({
                            0x18, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x10, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FadviseLongBytes) {
  // A length over 32 bits goes in addr (6.7), len 0.
  RINGKIT_EXPECT_SQE_EQ(Fadvise(Fd{9}, 0x20, 0x100000000ull, 4).build(),
                        sqe_from_bytes({
                            0x18, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  //
                            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, MadviseBytes) {
  // MADVISE (25): fd -1, addr, length in len, MADV_DONTNEED.
  RINGKIT_EXPECT_SQE_EQ(Madvise(fake_ptr(0x7000), 0x2000, 4).build(),
                        sqe_from_bytes({
                            0x19, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x20, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, MadviseLongBytes) {
  // A length over 32 bits goes in off (6.7), len 0.
  RINGKIT_EXPECT_SQE_EQ(Madvise(fake_ptr(0x7000), 0x200000000ull, 4).build(),
                        sqe_from_bytes({
                            0x19, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  //
                            0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpRw, FtruncateBytes) {
  // FTRUNCATE (55): the length in off.
  RINGKIT_EXPECT_SQE_EQ(Ftruncate(Fd{10}, 0x1234).build(),
                        sqe_from_bytes({
                            0x37, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,  //
                            0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

// ---- the 64-byte attribute pointer and mask (6.14) ----

TEST(OpRw, PiAttributeGoesInAddr3AndPad2) {
  const abi::AttrPi attr{};
  const abi::Sqe sqe = Write(Fd{3}, fake_ptr(0x2000), 16, 0).pi(attr).build();
  EXPECT_EQ(sqe.addr3, op::address_of(&attr));
  EXPECT_EQ(sqe.pad2, abi::rw::attr_flag_pi);
  const auto r = Write::decode(sqe);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_pi());
  EXPECT_EQ(r->pi_address(), op::address_of(&attr));
}

// ---- decode: errors and the strict/kernel split ----

TEST(OpRw, UnknownAttributeMaskIsEinvalInBothModes) {
  abi::Sqe sqe = Read(Fd{5}, fake_ptr(0x1000), 8, 0).build();
  sqe.pad2 = 2;
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpRw, Addr3WithoutAttributeIsIgnoredByTheKernel) {
  abi::Sqe sqe = Readv(Fd{5}, iov(0x1000), 2, 0).build();
  sqe.addr3 = 0x1234;
  EXPECT_EQ(decode_errno<Readv>(sqe, DecodeMode::strict), EINVAL);
  const auto r = Readv::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_pi());
  EXPECT_EQ(r->build().addr3, 0u);
}

TEST(OpRw, BufferSelectOnlyWhereTheOpdefAllowsIt) {
  const abi::Sqe sqes[] = {
      Write(Fd{1}, fake_ptr(0x10), 1, 0).build(),
      Writev(Fd{1}, iov(0x10), 1, 0).build(),
      ReadFixed(Fd{1}, fake_ptr(0x10), 1, 0, BufIndex{0}).build(),
      WriteFixed(Fd{1}, fake_ptr(0x10), 1, 0, BufIndex{0}).build(),
      ReadvFixed(Fd{1}, iov(0x10), 1, 0, BufIndex{0}).build(),
      WritevFixed(Fd{1}, iov(0x10), 1, 0, BufIndex{0}).build(),
      Fsync(Fd{1}).build(),
      SyncFileRange(Fd{1}, 0, 0).build(),
      Fallocate(Fd{1}, 0, 1).build(),
      Fadvise(Fd{1}, 0, 1, 0).build(),
      Madvise(fake_ptr(0x1000), 1, 0).build(),
      Ftruncate(Fd{1}, 0).build(),
  };
  for (abi::Sqe sqe : sqes) {
    sqe.flags |= abi::sqe_flag::buffer_select;
    for (DecodeMode mode : {DecodeMode::strict, DecodeMode::kernel}) {
      int err = 0;
      switch (static_cast<abi::Opcode>(sqe.opcode)) {
        case abi::Opcode::write:
          err = decode_errno<Write>(sqe, mode);
          break;
        case abi::Opcode::writev:
          err = decode_errno<Writev>(sqe, mode);
          break;
        case abi::Opcode::read_fixed:
          err = decode_errno<ReadFixed>(sqe, mode);
          break;
        case abi::Opcode::write_fixed:
          err = decode_errno<WriteFixed>(sqe, mode);
          break;
        case abi::Opcode::readv_fixed:
          err = decode_errno<ReadvFixed>(sqe, mode);
          break;
        case abi::Opcode::writev_fixed:
          err = decode_errno<WritevFixed>(sqe, mode);
          break;
        case abi::Opcode::fsync:
          err = decode_errno<Fsync>(sqe, mode);
          break;
        case abi::Opcode::sync_file_range:
          err = decode_errno<SyncFileRange>(sqe, mode);
          break;
        case abi::Opcode::fallocate:
          err = decode_errno<Fallocate>(sqe, mode);
          break;
        case abi::Opcode::fadvise:
          err = decode_errno<Fadvise>(sqe, mode);
          break;
        case abi::Opcode::madvise:
          err = decode_errno<Madvise>(sqe, mode);
          break;
        case abi::Opcode::ftruncate:
          err = decode_errno<Ftruncate>(sqe, mode);
          break;
        default:
          FAIL();
      }
      EXPECT_EQ(err, EOPNOTSUPP) << "opcode " << int{sqe.opcode};
    }
  }
}

TEST(OpRw, ReadDecodesBothForms) {
  const auto plain = Read::decode(Read(FixedFile{3}, fake_ptr(0x1000), 8, 2).build());
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->selects_buffer());
  EXPECT_EQ(plain->file(), op::FileRef(FixedFile{3}));
  EXPECT_EQ(plain->address(), 0x1000u);
  const auto select = Read::decode(Read::select_buffer(Fd{4}, BufGroup{9}, 64, 0).build());
  ASSERT_TRUE(select);
  EXPECT_TRUE(select->selects_buffer());
  EXPECT_EQ(select->buf_group(), BufGroup{9});
  EXPECT_EQ(select->length(), 64u);
}

TEST(OpRw, ReadIgnoresBufIndexWithoutSelectAndAddrWithIt) {
  abi::Sqe sqe = Read(Fd{5}, fake_ptr(0x1000), 8, 0).build();
  sqe.buf_index = 3;
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::kernel), 0);
  sqe = Read::select_buffer(Fd{5}, BufGroup{1}, 8, 0).build();
  sqe.addr = 0x1000;
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::strict), EINVAL);
  const auto r = Read::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address(), 0u);
}

TEST(OpRw, ReadvSelectBufferNeedsExactlyOneIovec) {
  abi::Sqe sqe = Readv::select_buffer(Fd{5}, iov(0x1000), BufGroup{1}, 0).build();
  sqe.len = 2;
  EXPECT_EQ(decode_errno<Readv>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Readv>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpRw, ReadMultishotRules) {
  const abi::Sqe good = ReadMultishot(Fd{7}, BufGroup{5}, 0).build();
  abi::Sqe sqe = good;
  sqe.flags = 0;  // "must be used with provided buffers"
  EXPECT_EQ(decode_errno<ReadMultishot>(sqe, DecodeMode::kernel), EINVAL);
  sqe = good;
  sqe.len = 64;
  EXPECT_EQ(decode_errno<ReadMultishot>(sqe, DecodeMode::kernel), EINVAL);
  sqe = good;
  sqe.addr = 0x1000;
  EXPECT_EQ(decode_errno<ReadMultishot>(sqe, DecodeMode::kernel), EINVAL);
  sqe = good;
  sqe.ioprio = 1;  // no .ioprio in its opdef entry
  EXPECT_EQ(decode_errno<ReadMultishot>(sqe, DecodeMode::kernel), EINVAL);
  const auto r = ReadMultishot::decode(good);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->buf_group(), BufGroup{5});
}

TEST(OpRw, WriteStreamIsOneByte) {
  abi::Sqe sqe = Write(Fd{3}, fake_ptr(0x10), 1, 0).write_stream(7).build();
  sqe.splice_fd_in |= 0x100;  // __pad4: never read
  EXPECT_EQ(decode_errno<Write>(sqe, DecodeMode::strict), EINVAL);
  const auto r = Write::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->write_stream(), 7);
  // Reads never use it.
  sqe = Read(Fd{3}, fake_ptr(0x10), 1, 0).build();
  sqe.splice_fd_in = 7;
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Read>(sqe, DecodeMode::kernel), 0);
}

TEST(OpRw, FsyncRules) {
  abi::Sqe sqe = Fsync(Fd{8}).build();
  sqe.op_flags = 2;  // only IORING_FSYNC_DATASYNC exists
  EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::kernel), EINVAL);
  for (auto field : {&abi::Sqe::addr, &abi::Sqe::addr3}) {
    sqe = Fsync(Fd{8}).build();
    sqe.*field = 1;
    EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::strict), EINVAL);
  }
  sqe = Fsync(Fd{8}).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Fsync(Fd{8}).build();
  sqe.addr3 = 1;
  EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::kernel), 0);
  sqe = Fsync(Fd{8}).build();
  sqe.ioprio = 1;
  EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Fsync(Fd{8}).build();
  sqe.splice_fd_in = 1;
  EXPECT_EQ(decode_errno<Fsync>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpRw, SyncFileRangeAndFallocateRules) {
  abi::Sqe sqe = SyncFileRange(Fd{8}, 0, 0).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<SyncFileRange>(sqe, DecodeMode::kernel), EINVAL);
  sqe = SyncFileRange(Fd{8}, 0, 0).build();
  sqe.op_flags = 0xff;  // judged by sync_file_range() at issue, not at prep
  EXPECT_EQ(decode_errno<SyncFileRange>(sqe, DecodeMode::strict), 0);
  sqe = Fallocate(Fd{9}, 0, 1).build();
  sqe.op_flags = 1;  // rw_flags
  EXPECT_EQ(decode_errno<Fallocate>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Fallocate(Fd{9}, 0, 1).build();
  sqe.buf_index = 1;
  EXPECT_EQ(decode_errno<Fallocate>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Fallocate(Fd{9}, 0, 1).build();
  sqe.pad2 = 1;
  EXPECT_EQ(decode_errno<Fallocate>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Fallocate>(sqe, DecodeMode::kernel), 0);
}

TEST(OpRw, AdviseLengthEncodings) {
  // A short length in addr works on 6.7+ but is not canonical.
  abi::Sqe sqe = Fadvise(Fd{9}, 0, 0, 4).build();
  sqe.addr = 5;
  EXPECT_EQ(decode_errno<Fadvise>(sqe, DecodeMode::strict), EINVAL);
  auto fa = Fadvise::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(fa);
  EXPECT_EQ(fa->length(), 5u);
  // With addr set, len is never read.
  sqe.addr = 0x100000000ull;
  sqe.len = 3;
  EXPECT_EQ(decode_errno<Fadvise>(sqe, DecodeMode::strict), EINVAL);
  fa = Fadvise::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(fa);
  EXPECT_EQ(fa->length(), 0x100000000ull);
  EXPECT_EQ(fa->build().len, 0u);
  sqe = Fadvise(Fd{9}, 0, 0, 4).build();
  sqe.splice_fd_in = 1;
  EXPECT_EQ(decode_errno<Fadvise>(sqe, DecodeMode::kernel), EINVAL);

  sqe = Madvise(fake_ptr(0x1000), 0x10, 4).build();
  sqe.off = 0x20;
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::strict), EINVAL);
  const auto ma = Madvise::decode(sqe, DecodeMode::kernel);
  ASSERT_TRUE(ma);
  EXPECT_EQ(ma->length(), 0x20u);
  sqe = Madvise(fake_ptr(0x1000), 0x10, 4).build();
  sqe.buf_index = 1;
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpRw, MadviseTakesNoFile) {
  abi::Sqe sqe = Madvise(fake_ptr(0x1000), 0x10, 4).build();
  sqe.fd = 3;
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::kernel), 0);
  sqe = Madvise(fake_ptr(0x1000), 0x10, 4).build();
  sqe.flags = abi::sqe_flag::fixed_file;
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Madvise>(sqe, DecodeMode::kernel), 0);
}

TEST(OpRw, FtruncateRules) {
  for (auto field : {&abi::Sqe::addr, &abi::Sqe::addr3}) {
    abi::Sqe sqe = Ftruncate(Fd{10}, 5).build();
    sqe.*field = 1;
    EXPECT_EQ(decode_errno<Ftruncate>(sqe, DecodeMode::kernel), EINVAL);
  }
  abi::Sqe sqe = Ftruncate(Fd{10}, 5).build();
  sqe.len = 1;
  EXPECT_EQ(decode_errno<Ftruncate>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Ftruncate(Fd{10}, 5).build();
  sqe.op_flags = 1;
  EXPECT_EQ(decode_errno<Ftruncate>(sqe, DecodeMode::kernel), EINVAL);
  sqe = Ftruncate(Fd{10}, 5).build();
  sqe.pad2 = 1;
  EXPECT_EQ(decode_errno<Ftruncate>(sqe, DecodeMode::strict), EINVAL);
  EXPECT_EQ(decode_errno<Ftruncate>(sqe, DecodeMode::kernel), 0);
}

TEST(OpRw, UnknownSqeFlagIsStrictOnly) {
  abi::Sqe sqe = ReadFixed(Fd{1}, fake_ptr(0x10), 1, 0, BufIndex{0}).build();
  sqe.flags |= 0x80;
  EXPECT_EQ(decode_errno<ReadFixed>(sqe, DecodeMode::strict), EINVAL);
}

TEST(OpRw, WrongOpcodeIsRefused) {
  const abi::Sqe sqe = Write(Fd{1}, fake_ptr(0x10), 1, 0).build();
  EXPECT_FALSE(Read::decode(sqe));
  EXPECT_FALSE(WriteFixed::decode(sqe));
}

TEST(OpRw, ConstexprBuild) {
  constexpr abi::Sqe sel = Read::select_buffer(Fd{1}, BufGroup{2}, 0, 0).build();
  static_assert(sel.opcode == 22 && sel.flags == abi::sqe_flag::buffer_select &&
                sel.buf_index == 2);
  static_assert(Read::decode(sel).has_value());
  constexpr abi::Sqe ms = ReadMultishot(FixedFile{1}, BufGroup{3}, 0).rw_flags(8).build();
  static_assert(ms.opcode == 49 && ms.op_flags == 8);
  static_assert(ReadMultishot::decode(ms).has_value());
  constexpr abi::Sqe fs = Fsync(Fd{1}).datasync().build();
  static_assert(Fsync::decode(fs).has_value() && fs.op_flags == 1);
  static_assert(Fallocate::decode(Fallocate(Fd{1}, 0, 1).mode(3).build())->mode() == 3);
  static_assert(Fadvise::decode(Fadvise(Fd{1}, 0, 1ull << 40, 4).build())->length() == 1ull << 40);
  static_assert(Ftruncate::decode(Ftruncate(Fd{1}, 9).build())->length() == 9);
  static_assert(SyncFileRange::decode(SyncFileRange(Fd{1}, 1, 2).build()).has_value());
}

}  // namespace
}  // namespace ringkit
