// Conformance: edge cases of file transfers and registration: zero lengths, O_APPEND, a
// directory, a pipe's wrong end, negative offsets, sparse registered buffers, registration
// errors, and an OPENAT direct with O_CREAT used through its slot.
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <memory>
#include <string>

#include "files_support.hpp"

namespace ringkit::conformance {
namespace {

using files::file_position;
using files::read_slot;
using files::run_res;

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesEdges);

TYPED_TEST(ConformanceFilesEdges, ZeroLengthTransfersCompleteWithZero) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("z", "data", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[4];
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 0, 0)), 0);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, buf, 0, 100)), 0);
  EXPECT_EQ(this->backend.file_contents("z"), "data");  // not extended
  const iovec none{buf, 0};
  EXPECT_EQ(run_res(*ring, op::Readv(op::Fd{fd}, &none, 1, 0)), 0);
  EXPECT_EQ(run_res(*ring, op::Writev(op::Fd{fd}, &none, 1, 0)), 0);
}

// A file opened O_APPEND writes at its end whatever the offset (pwrite(2) on Linux).
TYPED_TEST(ConformanceFilesEdges, AppendModeWritesAtTheEnd) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("app", "base", O_RDWR | O_APPEND);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "+1", 2, 0)), 2);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "+2", 2, file_position)), 2);
  EXPECT_EQ(this->backend.file_contents("app"), "base+1+2");
  // Reads are positioned as usual.
  char buf[4] = {};
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, 3, 1)), 3);
  EXPECT_EQ(std::string(buf, 3), "ase");
}

TYPED_TEST(ConformanceFilesEdges, ReadingADirectoryIsEisdir) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  char buf[8];
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{this->backend.dir_fd()}, buf, sizeof buf, 0)), -EISDIR);
}

TYPED_TEST(ConformanceFilesEdges, APipesWrongEndIsEbadf) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  char buf[4];
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{pipe.first}, "x", 1, file_position)), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{pipe.second}, buf, sizeof buf, file_position)), -EBADF);
}

// A pipe is a stream (FMODE_STREAM): io_kiocb_ppos gives no position, so any offset reads the
// next bytes, unlike pread(2) on a pipe (-ESPIPE).
TYPED_TEST(ConformanceFilesEdges, PipeReadsIgnoreTheOffset) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "abcdef"));
  char buf[8] = {};
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{pipe.first}, buf, 2, file_position)), 2);
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{pipe.first}, buf, 2, 0)), 2);
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{pipe.first}, buf, 2, 5)), 2);
  EXPECT_EQ(std::string(buf, 2), "ef");
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{pipe.second}, "gh", 2, 1000)), 2);
  EXPECT_EQ(this->backend.read_fd(pipe.first, 8), "gh");
}

// A negative offset other than -1 (the file position) is -EINVAL (rw_verify_area).
TYPED_TEST(ConformanceFilesEdges, NegativeOffsetIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("neg", "data", O_RDWR);
  ASSERT_GE(fd, 0);
  char buf[4];
  const std::uint64_t minus_two = ~std::uint64_t{1};
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, minus_two)), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Write(op::Fd{fd}, "x", 1, minus_two)), -EINVAL);
  EXPECT_EQ(this->backend.file_contents("neg"), "data");
}

// An empty slot of a sparse buffer table has no memory: -EFAULT; filled by an update it works.
TYPED_TEST(ConformanceFilesEdges, SparseRegisteredBuffersAreEfaultUntilFilled) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("sparse", "sparse data", O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(ring->register_buffers_sparse(2));
  auto memory = std::make_unique<char[]>(64);
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, memory.get(), 6, 0, op::BufIndex{1})),
            -EFAULT);
  const iovec fill{memory.get(), 64};
  const std::uint64_t no_tag[1] = {0};
  const result<std::uint32_t> updated = ring->register_buffers_update_tag(1, {&fill, 1}, no_tag);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 1u);
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, memory.get(), 6, 0, op::BufIndex{1})), 6);
  EXPECT_EQ(std::string(memory.get(), 6), "sparse");
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, memory.get(), 6, 0, op::BufIndex{0})),
            -EFAULT);
}

// io_sqe_files_register: a table is registered once (-EBUSY), every fd must be open (-EBADF);
// unregistering without a table is -ENXIO.
TYPED_TEST(ConformanceFilesEdges, FileRegistrationErrors) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("reg", "reg", O_RDWR);
  ASSERT_GE(fd, 0);
  const result<void> none = ring->unregister_files();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().value(), ENXIO);
  const int bad[2] = {fd, 1000};
  const result<void> closed = ring->register_files(bad);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().value(), EBADF);
  const int good[1] = {fd};
  ASSERT_TRUE(ring->register_files(good));
  const result<void> twice = ring->register_files(good);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().value(), EBUSY);
  EXPECT_EQ(read_slot(*ring, 0), "reg");
}

// io_sqe_buffers_register: once (-EBUSY); unregistering without a table is -ENXIO.
TYPED_TEST(ConformanceFilesEdges, BufferRegistrationErrors) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const result<void> none = ring->unregister_buffers();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().value(), ENXIO);
  auto memory = std::make_unique<char[]>(64);
  const iovec reg{memory.get(), 64};
  ASSERT_TRUE(ring->register_buffers({&reg, 1}));
  const result<void> twice = ring->register_buffers({&reg, 1});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().value(), EBUSY);
  ASSERT_TRUE(ring->unregister_buffers());
}

// A file created by OPENAT into a slot is written and read through the slot only.
TYPED_TEST(ConformanceFilesEdges, OpenatDirectCreateThenWriteAndReadThroughTheSlot) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(ring->register_files_sparse(2));
  const op::Fd dir{this->backend.dir_fd()};
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "made", O_CREAT | O_RDWR | O_EXCL)
                               .mode(0600)
                               .dest(op::DestSlot::slot(1))),
            0);
  EXPECT_EQ(this->backend.file_contents("made"), "");
  EXPECT_EQ(run_res(*ring, op::Write(op::FixedFile{1}, "direct", 6, file_position)), 6);
  EXPECT_EQ(run_res(*ring, op::Write(op::FixedFile{1}, "!", 1, file_position)), 1);
  EXPECT_EQ(this->backend.file_contents("made"), "direct!");
  EXPECT_EQ(read_slot(*ring, 1), "direct!");
  EXPECT_EQ(run_res(*ring,
                    op::Openat(dir, "made", O_CREAT | O_RDWR | O_EXCL).dest(op::DestSlot::slot(0))),
            -EEXIST);
}

}  // namespace
}  // namespace ringkit::conformance
