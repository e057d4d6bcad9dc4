// FSYNC, SYNC_FILE_RANGE, FALLOCATE, FTRUNCATE, FADVISE and MADVISE in the simulator: the
// 6.18 kernel's results (tests/kernel/ops/files/sync_space_test.cpp and experiments on this
// kernel) and their effect on the file system's current and durable images.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

constexpr std::uint32_t sfr_all =
    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;

TEST(SimRwSync, FsyncAndFdatasyncMakeWritesDurable) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/s", "old!");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "new", 3, 0).build()), 3);
  EXPECT_EQ(durable_text(world, "/s"), "old!");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).datasync().build()), 0);
  EXPECT_EQ(durable_text(world, "/s"), "new!");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "+more", 5, 4).build()), 5);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).build()), 0);
  EXPECT_EQ(durable_text(world, "/s"), "new!+more");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).range(0, 4).build()), 0);
}

TEST(SimRwSync, FsyncErrors) {
  World world;
  auto ring = make_ring(world);
  const auto pipe = open_pipe(world);
  const int efd = open_eventfd(world);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{-1}).build()), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{pipe.read_end}).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{efd}).build()), -EINVAL);
  // io_fsync_prep: a negative offset fails at submit, before the file is looked up.
  ASSERT_EQ(submit(*ring, {with(op::Fsync(op::Fd{-1}).range(~std::uint64_t{4}, 0).build(), 1,
                                abi::sqe_flag::io_hardlink),
                           with(op::Nop().build(), 2)}),
            2);
  EXPECT_EQ(drain(*ring), (std::vector<Cqe>{{1, -EINVAL, 0}, {2, -ECANCELED, 0}}));
}

TEST(SimRwSync, SyncFileRangeWrittenAndWaitedIsDurable) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/r", "aaaaaaaa");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "bbbbbbbb", 8, 0).build()), 8);
  // Only waiting, no write-out: nothing is durable.
  EXPECT_EQ(
      run_res(*ring,
              op::SyncFileRange(op::Fd{fd}, 0, 4).sync_flags(SYNC_FILE_RANGE_WAIT_BEFORE).build()),
      0);
  EXPECT_EQ(durable_text(world, "/r"), "aaaaaaaa");
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{fd}, 0, 4).sync_flags(sfr_all).build()), 0);
  EXPECT_EQ(durable_text(world, "/r"), "bbbbaaaa");
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{fd}, 0, 1).sync_flags(0x100).build()), -EINVAL);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::SyncFileRange(op::Fd{pipe.read_end}, 0, 0).build()), -ESPIPE);
}

TEST(SimRwSync, FallocateModes) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/fa", "");
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 8192).build()), 0);
  EXPECT_EQ(file_text(world, "/fa"), std::string(8192, '\0'));
  const int y = open_file(world, "/y", std::string(3 * 4096, 'y'));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 4096, 4096).mode(FALLOC_FL_PUNCH_HOLE).build()),
            -EOPNOTSUPP);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 4096, 4096)
                               .mode(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
                               .build()),
            0);
  EXPECT_EQ(file_text(world, "/y"),
            std::string(4096, 'y') + std::string(4096, '\0') + std::string(4096, 'y'));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{y}, 0, 1 << 20).mode(FALLOC_FL_KEEP_SIZE).build()),
            0);
  EXPECT_EQ(file_text(world, "/y").size(), 3u * 4096);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 0).build()), -EINVAL);
}

TEST(SimRwSync, FallocateErrorsByFileKind) {
  World world;
  auto ring = make_ring(world);
  EXPECT_TRUE(world.fs().create_file("/ro", ""));
  const int ro = *world.fds().install(*world.fs().openat(nullptr, "/ro", O_RDONLY, 0));
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{ro}, 0, 4096).build()), -EBADF);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{pipe.write_end}, 0, 10).build()), -ESPIPE);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{pipe.read_end}, 0, 10).build()), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{open_eventfd(world)}, 0, 10).build()), -ENODEV);
  // Capacity: an allocation that does not fit is all or nothing.
  world.fs().set_capacity(world.fs().used_bytes() + 4096);
  const int fd = open_file(world, "/big", "", O_RDWR);
  EXPECT_EQ(run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 1 << 20).build()), -ENOSPC);
  EXPECT_EQ(file_text(world, "/big"), "");
}

TEST(SimRwSync, FtruncateShrinksAndExtends) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/ft", "0123456789");
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, 4).build()), 0);
  EXPECT_EQ(file_text(world, "/ft"), "0123");
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, 6).build()), 0);
  EXPECT_EQ(file_text(world, "/ft"), std::string("0123\0\0", 6));
  EXPECT_EQ(durable_text(world, "/ft"), "0123456789");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::Fd{fd}).build()), 0);
  EXPECT_EQ(durable_text(world, "/ft"), std::string("0123\0\0", 6));
  EXPECT_TRUE(world.fs().create_file("/ro", "abc"));
  const int ro = *world.fds().install(*world.fs().openat(nullptr, "/ro", O_RDONLY, 0));
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{ro}, 0).build()), -EINVAL);
  EXPECT_EQ(file_text(world, "/ro"), "abc");
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{pipe.write_end}, 0).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Ftruncate(op::Fd{fd}, ~std::uint64_t{0}).build()), -EINVAL);
}

TEST(SimRwSync, FadviseValidatesLikeGenericFadvise) {
  World world;
  auto ring = make_ring(world);
  const int fd = open_file(world, "/fadv", std::string(4096, 'z'));
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, POSIX_FADV_DONTNEED).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 0, POSIX_FADV_NOREUSE).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, 6).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 4096, 99).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, 0, 0x8000000000000000ULL, 0).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{fd}, ~std::uint64_t{4095}, 10, 0).build()), 0);
  const auto pipe = open_pipe(world);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{pipe.read_end}, 0, 0, 99).build()), -ESPIPE);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{open_eventfd(world)}, 0, 0, 0).build()), 0);
  EXPECT_EQ(run_res(*ring, op::Fadvise(op::Fd{-1}, 0, 0, 0).build()), -EBADF);
  EXPECT_EQ(file_text(world, "/fadv"), std::string(4096, 'z'));
}

// MADV_DONTNEED on private anonymous memory drops the pages: they read back as zeros.
TEST(SimRwSync, MadviseActsOnTheProcessMemory) {
  World world;
  auto ring = make_ring(world);
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* bytes = static_cast<unsigned char*>(mem);
  bytes[0] = 0xab;
  bytes[page] = 0xcd;
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes + page, page, MADV_DONTNEED).build()), 0);
  EXPECT_EQ(bytes[0], 0xab);
  EXPECT_EQ(bytes[page], 0x00);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes + 1, page, MADV_DONTNEED).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, page, 12345).build()), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, 0, MADV_NORMAL).build()), 0);
  munmap(bytes + page, page);
  EXPECT_EQ(run_res(*ring, op::Madvise(bytes, 2 * page, MADV_DONTNEED).build()), -ENOMEM);
  munmap(bytes, page);
}

}  // namespace
}  // namespace ringkit::sim
