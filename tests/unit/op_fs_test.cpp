#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>

#include "ringkit/op/fs.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit {
namespace {

using op::DecodeMode;
using op::DestSlot;
using op::Fd;
using op::FixedFile;
using testing::decode_errno;
using testing::fake_ptr;
using testing::sqe_from_bytes;

constexpr std::int32_t at_fdcwd = -100;
constexpr auto u32(int v) { return static_cast<std::uint32_t>(v); }

// ---- golden bytes, one or more per opcode ----

TEST(OpFs, OpenatBytes) {
  const auto b = op::Openat(Fd{at_fdcwd}, fake_ptr<const char>(0x1000), u32(O_CREAT))
                     .mode(0644)
                     .dest(DestSlot::slot(2));
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x12, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff,  // opcode 18, fd AT_FDCWD
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: path
          0xa4, 0x01, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,  // len: mode 0644, open_flags O_CREAT
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // file_index: slot 2 + 1
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
  EXPECT_EQ(op::Openat::decode(b.build()).value(), b);
}

TEST(OpFs, Openat2Bytes) {
  const auto b = op::Openat2(Fd{5}, fake_ptr<const char>(0x2000), fake_ptr<const open_how>(0x3000))
                     .dest(DestSlot::alloc());
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x1c, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,  // opcode 28, fd 5
          0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: open_how
          0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: path
          0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len: 24
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // file_index: IORING_FILE_INDEX_ALLOC
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
  EXPECT_EQ(op::Openat2::decode(b.build()).value(), b);
}

TEST(OpFs, CloseBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::Close(Fd{7}).build(),
                        sqe_from_bytes({
                            0x13, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  // opcode 19, fd 7
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, CloseDirectBytes) {
  const auto b = op::Close::direct(FixedFile{4});
  RINGKIT_EXPECT_SQE_EQ(
      b.build(), sqe_from_bytes({
                     0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // opcode 19, fd 0
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,  // file_index: slot 4 + 1
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                 }));
  const auto d = op::Close::decode(b.build());
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->is_direct());
  EXPECT_EQ(d->slot(), FixedFile{4});
}

TEST(OpFs, StatxBytes) {
  const auto b = op::Statx(Fd{at_fdcwd}, fake_ptr<const char>(0x1000), u32(AT_SYMLINK_NOFOLLOW),
                           0x7ff, fake_ptr<struct statx>(0x4000));
  RINGKIT_EXPECT_SQE_EQ(b.build(),
                        sqe_from_bytes({
                            0x15, 0x00, 0x00, 0x00,
                            0x9c, 0xff, 0xff, 0xff,  // opcode 21, fd AT_FDCWD
                            0x00, 0x40, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // off: struct statx *
                            0x00, 0x10, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // addr: path
                            0xff, 0x07, 0x00, 0x00,
                            0x00, 0x01, 0x00, 0x00,  // len: mask, statx_flags AT_SYMLINK_NOFOLLOW
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, RenameatBytes) {
  const auto b =
      op::Renameat(Fd{3}, fake_ptr<const char>(0x1000), Fd{4}, fake_ptr<const char>(0x2000))
          .flags(1);
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x23, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // opcode 35, old dirfd 3
          0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: new path
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: old path
          0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // len: new dirfd 4, RENAME_NOREPLACE
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpFs, UnlinkatBytes) {
  const auto b = op::Unlinkat(Fd{at_fdcwd}, fake_ptr<const char>(0x1000)).remove_dir();
  RINGKIT_EXPECT_SQE_EQ(
      b.build(), sqe_from_bytes({
                     0x24, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff,  // opcode 36, fd AT_FDCWD
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: path
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,  // unlink_flags AT_REMOVEDIR
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                 }));
}

TEST(OpFs, MkdiratBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::Mkdirat(Fd{at_fdcwd}, fake_ptr<const char>(0x1000), 0755).build(),
      sqe_from_bytes({
          0x25, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff,  // opcode 37, fd AT_FDCWD
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: path
          0xed, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len: mode 0755
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpFs, SymlinkatBytes) {
  const auto b =
      op::Symlinkat(fake_ptr<const char>(0x1000), Fd{at_fdcwd}, fake_ptr<const char>(0x2000));
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x26, 0x00, 0x00, 0x00, 0x9c, 0xff, 0xff, 0xff,  // opcode 38, new dirfd AT_FDCWD
          0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: link path
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: target
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpFs, LinkatBytes) {
  const auto b =
      op::Linkat(Fd{3}, fake_ptr<const char>(0x1000), Fd{at_fdcwd}, fake_ptr<const char>(0x2000))
          .flags(AT_SYMLINK_FOLLOW);
  RINGKIT_EXPECT_SQE_EQ(b.build(),
                        sqe_from_bytes({
                            0x27, 0x00, 0x00, 0x00,
                            0x03, 0x00, 0x00, 0x00,  // opcode 39, old dirfd 3
                            0x00, 0x20, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // off: new path
                            0x00, 0x10, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // addr: old path
                            0x9c, 0xff, 0xff, 0xff,
                            0x00, 0x04, 0x00, 0x00,  // len: new dirfd AT_FDCWD, AT_SYMLINK_FOLLOW
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                        }));
  EXPECT_EQ(op::Linkat::decode(b.build())->new_dir(), Fd{at_fdcwd});
}

TEST(OpFs, FsetxattrBytes) {
  const auto b =
      op::Fsetxattr(FixedFile{2}, fake_ptr<const char>(0x1000), fake_ptr<const void>(0x2000), 16)
          .flags(1);
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x29, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // opcode 41, IOSQE_FIXED_FILE, slot 2
          0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: value
          0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: name
          0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // len 16, XATTR_CREATE
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpFs, SetxattrBytes) {
  const auto b = op::Setxattr(fake_ptr<const char>(0x3000), fake_ptr<const char>(0x1000),
                              fake_ptr<const void>(0x2000), 16)
                     .flags(2);
  RINGKIT_EXPECT_SQE_EQ(
      b.build(), sqe_from_bytes({
                     0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // opcode 42, fd 0
                     0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: value
                     0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: name
                     0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // len 16, XATTR_REPLACE
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr3: path
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                 }));
}

TEST(OpFs, FgetxattrBytes) {
  const auto b = op::Fgetxattr(Fd{9}, fake_ptr<const char>(0x1000), fake_ptr<void>(0x2000), 64);
  RINGKIT_EXPECT_SQE_EQ(b.build(),
                        sqe_from_bytes({
                            0x2b, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  // opcode 43, fd 9
                            0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: value
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: name
                            0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len 64
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, GetxattrBytes) {
  const auto b = op::Getxattr(fake_ptr<const char>(0x3000), fake_ptr<const char>(0x1000),
                              fake_ptr<void>(0x2000), 64);
  RINGKIT_EXPECT_SQE_EQ(b.build(),
                        sqe_from_bytes({
                            0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // opcode 44, fd 0
                            0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: value
                            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: name
                            0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len 64
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr3: path
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, SpliceBytes) {
  const auto b = op::Splice(FixedFile{1}, Fd{6}, 4096).off_out(16).flags(SPLICE_F_MOVE);
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x1e, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  // opcode 30, fd_out 6
          0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: off_out 16
          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // addr: off_in -1
          0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80,  // len 4096, SPLICE_F_FD_IN_FIXED | MOVE
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // splice_fd_in: slot 1
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
  EXPECT_EQ(b.off_in(), -1);
  EXPECT_EQ(op::Splice::decode(b.build()).value(), b);
}

TEST(OpFs, TeeBytes) {
  const auto b = op::Tee(Fd{3}, FixedFile{4}, 100).flags(SPLICE_F_NONBLOCK);
  RINGKIT_EXPECT_SQE_EQ(
      b.build(),
      sqe_from_bytes({
          0x21, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // opcode 33, IOSQE_FIXED_FILE, slot 4
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x64, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // len 100, SPLICE_F_NONBLOCK
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // splice_fd_in: fd 3
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
  EXPECT_EQ(op::Tee::decode(b.build()).value(), b);
}

TEST(OpFs, PipeBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::Pipe(fake_ptr<std::int32_t>(0x5000)).flags(O_CLOEXEC).build(),
                        sqe_from_bytes({
                            0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // opcode 62, fd 0
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: int[2]
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,  // pipe_flags O_CLOEXEC
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, PipeDirectBytes) {
  const auto b = op::Pipe(fake_ptr<std::int32_t>(0x5000)).flags(O_NONBLOCK).dest(DestSlot::slot(3));
  RINGKIT_EXPECT_SQE_EQ(
      b.build(), sqe_from_bytes({
                     0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // opcode 62, fd 0
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: int[2]
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,  // pipe_flags O_NONBLOCK
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  // file_index: slot 3 + 1
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                 }));
}

TEST(OpFs, FixedFdInstallBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::FixedFdInstall(FixedFile{7}).no_cloexec().build(),
      sqe_from_bytes({
          0x36, 0x01, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  // opcode 54, IOSQE_FIXED_FILE, slot 7
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // IORING_FIXED_FD_NO_CLOEXEC
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      }));
}

TEST(OpFs, FilesUpdateBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::FilesUpdate(fake_ptr<std::int32_t>(0x5000), 3, 10).build(),
                        sqe_from_bytes({
                            0x14, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // opcode 20, fd -1
                            0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off: offset 10
                            0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr: fds
                            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len: 3
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                        }));
}

TEST(OpFs, FilesUpdateAllocBytes) {
  const auto b = op::FilesUpdate::alloc(fake_ptr<std::int32_t>(0x5000), 2);
  RINGKIT_EXPECT_SQE_EQ(b.build(),
                        sqe_from_bytes({
                            0x14, 0x00, 0x00, 0x00,
                            0xff, 0xff, 0xff, 0xff,  // opcode 20, fd -1
                            0xff, 0xff, 0xff, 0xff,
                            0xff, 0xff, 0xff, 0xff,  // off: IORING_FILE_INDEX_ALLOC, sign-extended
                            0x00, 0x50, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // addr: fds
                            0x02, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  // len: 2
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                            0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00,  //
                        }));
  const auto d = op::FilesUpdate::decode(b.build());
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->allocates());
}

// ---- decode errors ----

TEST(OpFs, FixedFileIsEbadfForOpsWithoutAFile) {
  auto with_fixed = [](abi::Sqe s) {
    s.flags |= abi::sqe_flag::fixed_file;
    return s;
  };
  const abi::Sqe openat = with_fixed(op::Openat(Fd{3}, fake_ptr<const char>(8), 0).build());
  const abi::Sqe statx = with_fixed(
      op::Statx(Fd{3}, fake_ptr<const char>(8), 0, 1, fake_ptr<struct statx>(16)).build());
  const abi::Sqe mkdirat = with_fixed(op::Mkdirat(Fd{3}, fake_ptr<const char>(8), 0).build());
  const abi::Sqe setxattr = with_fixed(
      op::Setxattr(fake_ptr<const char>(8), fake_ptr<const char>(16), fake_ptr<const void>(24), 1)
          .build());
  const abi::Sqe close = with_fixed(op::Close(Fd{3}).build());
  for (DecodeMode mode : {DecodeMode::strict, DecodeMode::kernel}) {
    EXPECT_EQ(op::Openat::decode(openat, mode).error().value(), EBADF);
    EXPECT_EQ(op::Statx::decode(statx, mode).error().value(), EBADF);
    EXPECT_EQ(op::Mkdirat::decode(mkdirat, mode).error().value(), EBADF);
    EXPECT_EQ(op::Setxattr::decode(setxattr, mode).error().value(), EBADF);
    EXPECT_EQ(op::Close::decode(close, mode).error().value(), EBADF);
  }
}

TEST(OpFs, FieldCheckComesBeforeEbadf) {
  abi::Sqe sqe =
      op::Statx(Fd{3}, fake_ptr<const char>(8), 0, 1, fake_ptr<struct statx>(16)).build();
  sqe.flags |= abi::sqe_flag::fixed_file;
  sqe.buf_index = 1;  // io_statx_prep checks buf_index first
  EXPECT_EQ(decode_errno<op::Statx>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpFs, BufferSelectIsEopnotsupp) {
  auto with_bs = [](abi::Sqe s) {
    s.flags |= abi::sqe_flag::buffer_select;
    return s;
  };
  EXPECT_EQ(decode_errno<op::Openat>(with_bs(op::Openat(Fd{3}, fake_ptr<const char>(8), 0).build()),
                                     DecodeMode::kernel),
            EOPNOTSUPP);
  EXPECT_EQ(
      decode_errno<op::Splice>(with_bs(op::Splice(Fd{1}, Fd{2}, 3).build()), DecodeMode::kernel),
      EOPNOTSUPP);
  EXPECT_EQ(
      decode_errno<op::FilesUpdate>(
          with_bs(op::FilesUpdate(fake_ptr<std::int32_t>(8), 1, 0).build()), DecodeMode::kernel),
      EOPNOTSUPP);
  EXPECT_EQ(decode_errno<op::Pipe>(with_bs(op::Pipe(fake_ptr<std::int32_t>(8)).build()),
                                   DecodeMode::kernel),
            EOPNOTSUPP);
  EXPECT_EQ(decode_errno<op::FixedFdInstall>(with_bs(op::FixedFdInstall(FixedFile{1}).build()),
                                             DecodeMode::kernel),
            EOPNOTSUPP);
}

TEST(OpFs, OpenatDirectWithCloexecIsEinval) {
  const abi::Sqe sqe =
      op::Openat(Fd{3}, fake_ptr<const char>(8), u32(O_CLOEXEC)).dest(DestSlot::slot(0)).build();
  EXPECT_EQ(decode_errno<op::Openat>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Openat>(sqe, DecodeMode::kernel), EINVAL);
  // A normal descriptor may be O_CLOEXEC.
  EXPECT_EQ(
      decode_errno<op::Openat>(op::Openat(Fd{3}, fake_ptr<const char>(8), u32(O_CLOEXEC)).build(),
                               DecodeMode::kernel),
      0);
}

TEST(OpFs, OpenatIgnoredAndRejectedFields) {
  abi::Sqe sqe = op::Openat(Fd{3}, fake_ptr<const char>(8), 0).build();
  sqe.off = 5;  // never read by io_openat_prep
  EXPECT_EQ(decode_errno<op::Openat>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Openat>(sqe, DecodeMode::kernel), 0);
  sqe = op::Openat(Fd{3}, fake_ptr<const char>(8), 0).build();
  sqe.buf_index = 1;
  EXPECT_EQ(decode_errno<op::Openat>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpFs, Openat2SizeAndOpenFlags) {
  abi::Sqe sqe =
      op::Openat2(Fd{3}, fake_ptr<const char>(8), fake_ptr<const open_how>(16)).size(23).build();
  EXPECT_EQ(decode_errno<op::Openat2>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Openat2(Fd{3}, fake_ptr<const char>(8), fake_ptr<const open_how>(16)).size(32).build();
  EXPECT_EQ(decode_errno<op::Openat2>(sqe, DecodeMode::kernel), 0);
  sqe.op_flags = u32(O_CREAT);  // OPENAT2 takes its flags from open_how only
  EXPECT_EQ(decode_errno<op::Openat2>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Openat2>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, CloseRules) {
  abi::Sqe sqe = op::Close::direct(FixedFile{1}).build();
  sqe.fd = 3;  // both a slot and an fd
  EXPECT_EQ(decode_errno<op::Close>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Close(Fd{3}).build();
  sqe.len = 1;
  EXPECT_EQ(decode_errno<op::Close>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Close(Fd{3}).build();
  sqe.addr3 = 1;
  EXPECT_EQ(decode_errno<op::Close>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Close>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, PathOpFieldRules) {
  abi::Sqe sqe = op::Unlinkat(Fd{3}, fake_ptr<const char>(8)).flags(AT_SYMLINK_NOFOLLOW).build();
  EXPECT_EQ(decode_errno<op::Unlinkat>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Unlinkat(Fd{3}, fake_ptr<const char>(8)).build();
  sqe.len = 1;
  EXPECT_EQ(decode_errno<op::Unlinkat>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Mkdirat(Fd{3}, fake_ptr<const char>(8), 0).build();
  sqe.op_flags = 1;
  EXPECT_EQ(decode_errno<op::Mkdirat>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Symlinkat(fake_ptr<const char>(8), Fd{3}, fake_ptr<const char>(16)).build();
  sqe.len = 1;
  EXPECT_EQ(decode_errno<op::Symlinkat>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Renameat(Fd{3}, fake_ptr<const char>(8), Fd{4}, fake_ptr<const char>(16)).build();
  sqe.splice_fd_in = 1;
  EXPECT_EQ(decode_errno<op::Renameat>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Linkat(Fd{3}, fake_ptr<const char>(8), Fd{4}, fake_ptr<const char>(16)).build();
  sqe.ioprio = 1;  // io_init_req: no .ioprio in LINKAT's opdef
  EXPECT_EQ(decode_errno<op::Linkat>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Linkat>(sqe, DecodeMode::kernel), EINVAL);
  sqe.ioprio = 0;
  sqe.pad2 = 1;  // never read
  EXPECT_EQ(decode_errno<op::Linkat>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Linkat>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, XattrFlags) {
  abi::Sqe sqe = op::Fgetxattr(Fd{3}, fake_ptr<const char>(8), fake_ptr<void>(16), 4).build();
  sqe.op_flags = 1;  // getxattr takes no flags
  EXPECT_EQ(decode_errno<op::Fgetxattr>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Fsetxattr(Fd{3}, fake_ptr<const char>(8), fake_ptr<const void>(16), 4).flags(4).build();
  EXPECT_EQ(decode_errno<op::Fsetxattr>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Setxattr(fake_ptr<const char>(8), fake_ptr<const char>(8), fake_ptr<const void>(16), 4)
            .build();
  sqe.fd = 5;  // never read
  EXPECT_EQ(decode_errno<op::Setxattr>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Setxattr>(sqe, DecodeMode::kernel), 0);
  // The fd forms take registered files.
  EXPECT_TRUE(op::Fgetxattr::decode(
      op::Fgetxattr(FixedFile{3}, fake_ptr<const char>(8), fake_ptr<void>(16), 4).build()));
}

TEST(OpFs, SpliceAndTeeRules) {
  abi::Sqe sqe = op::Splice(Fd{1}, Fd{2}, 3).build();
  sqe.op_flags = 1u << 4;  // not a SPLICE_F_*
  EXPECT_EQ(decode_errno<op::Splice>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Tee(Fd{1}, Fd{2}, 3).build();
  sqe.off = 1;  // TEE has no offsets
  EXPECT_EQ(decode_errno<op::Tee>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Tee(Fd{1}, Fd{2}, 3).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<op::Tee>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Splice(Fd{1}, Fd{2}, 3).build();
  sqe.buf_index = 1;
  EXPECT_EQ(decode_errno<op::Splice>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Splice>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, PipeRules) {
  abi::Sqe sqe = op::Pipe(fake_ptr<std::int32_t>(8)).build();
  sqe.fd = 1;
  EXPECT_EQ(decode_errno<op::Pipe>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Pipe(fake_ptr<std::int32_t>(8)).flags(O_APPEND).build();
  EXPECT_EQ(decode_errno<op::Pipe>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Pipe(fake_ptr<std::int32_t>(8)).build();
  sqe.flags = abi::sqe_flag::fixed_file;  // PIPE takes no file: ignored
  EXPECT_EQ(decode_errno<op::Pipe>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Pipe>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, FixedFdInstallRules) {
  abi::Sqe sqe = op::FixedFdInstall(FixedFile{1}).build();
  sqe.flags = 0;  // must be a registered file
  EXPECT_EQ(decode_errno<op::FixedFdInstall>(sqe, DecodeMode::kernel), EBADF);
  sqe = op::FixedFdInstall(FixedFile{1}).build();
  sqe.op_flags = 2;
  EXPECT_EQ(decode_errno<op::FixedFdInstall>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FixedFdInstall(FixedFile{1}).build();
  sqe.addr3 = 1;
  EXPECT_EQ(decode_errno<op::FixedFdInstall>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpFs, FilesUpdateRules) {
  abi::Sqe sqe = op::FilesUpdate(fake_ptr<std::int32_t>(8), 0, 0).build();
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe, DecodeMode::kernel), EINVAL);  // no fds
  sqe = op::FilesUpdate(fake_ptr<std::int32_t>(8), 1, 0).build();
  sqe.flags = abi::sqe_flag::fixed_file;
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FilesUpdate(fake_ptr<std::int32_t>(8), 1, 0).build();
  sqe.off = 1ull << 40;  // offset is a u32: the upper half is ignored
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe, DecodeMode::kernel), 0);
  sqe = op::FilesUpdate(fake_ptr<std::int32_t>(8), 1, 0).build();
  sqe.fd = 4;  // never read
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::FilesUpdate>(sqe, DecodeMode::kernel), 0);
}

TEST(OpFs, WrongOpcodeIsRefused) {
  abi::Sqe sqe = op::Close(Fd{3}).build();
  EXPECT_FALSE(op::Tee::decode(sqe));
  EXPECT_FALSE(op::Unlinkat::decode(sqe, DecodeMode::kernel));
}

TEST(OpFs, ConstexprBuild) {
  constexpr abi::Sqe close = op::Close::direct(FixedFile{2}).build();
  static_assert(close.splice_fd_in == 3 && close.fd == 0);
  static_assert(op::Close::decode(close).has_value());
  constexpr abi::Sqe tee = op::Tee(FixedFile{1}, Fd{2}, 3).build();
  static_assert(tee.op_flags == abi::splice::f_fd_in_fixed);
  static_assert(op::Tee::decode(tee).has_value());
  constexpr abi::Sqe install = op::FixedFdInstall(FixedFile{4}).build();
  static_assert(install.flags == abi::sqe_flag::fixed_file);
  static_assert(op::FixedFdInstall::decode(install).has_value());
}

}  // namespace
}  // namespace ringkit
