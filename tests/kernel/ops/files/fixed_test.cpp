// Registered resources on the real kernel: READ_FIXED / WRITE_FIXED and READV_FIXED /
// WRITEV_FIXED inside registered buffers (-EFAULT outside them or for a missing index), and
// registered files (IOSQE_FIXED_FILE through op::FixedFile; -EBADF for an empty slot).
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run_res;

constexpr std::size_t registered_bytes = 4096;

// A ring with one registered buffer (index 0) and a file.
class FixedBuffers : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const iovec reg{buffer_.data(), buffer_.size()};
    const result<void> registered = ring_->register_buffers({&reg, 1});
    ASSERT_TRUE(registered) << registered.error().message();
    file_ = make_file(dir_.path("fixed"), "0123456789abcdef");
    ASSERT_GE(file_.get(), 0);
  }

  char* at(std::size_t offset) { return buffer_.data() + offset; }

  alignas(4096) std::array<char, registered_bytes> buffer_{};
  testing::OwnedFd file_;
};

TEST_F(FixedBuffers, WriteFixedThenReadFixedRoundTrip) {
  std::memcpy(at(100), "registered", 10);
  EXPECT_EQ(run_res(*ring_, op::WriteFixed(file_.fd(), at(100), 10, 3, op::BufIndex{0})), 10);
  EXPECT_EQ(testing::file_contents(file_.get()), "012registereddef");
  EXPECT_EQ(run_res(*ring_, op::ReadFixed(file_.fd(), at(2000), 16, 0, op::BufIndex{0})), 16);
  EXPECT_EQ(std::string(at(2000), 16), "012registereddef");
}

TEST_F(FixedBuffers, ReadFixedIsShortAtEof) {
  EXPECT_EQ(run_res(*ring_, op::ReadFixed(file_.fd(), at(0), 64, 10, op::BufIndex{0})), 6);
  EXPECT_EQ(std::string(at(0), 6), "abcdef");
  EXPECT_EQ(run_res(*ring_, op::ReadFixed(file_.fd(), at(0), 64, 16, op::BufIndex{0})), 0);
}

// io_import_fixed: the range must lie inside the registered buffer.
TEST_F(FixedBuffers, RangeOutsideTheRegisteredBufferIsEfault) {
  // Straddles the end by 6 bytes.
  EXPECT_EQ(
      run_res(*ring_, op::ReadFixed(file_.fd(), at(registered_bytes - 10), 16, 0, op::BufIndex{0})),
      -EFAULT);
  // Memory that was never registered.
  char elsewhere[16];
  EXPECT_EQ(run_res(*ring_, op::ReadFixed(file_.fd(), elsewhere, 16, 0, op::BufIndex{0})), -EFAULT);
  EXPECT_EQ(run_res(*ring_, op::WriteFixed(file_.fd(), elsewhere, 16, 0, op::BufIndex{0})),
            -EFAULT);
  EXPECT_EQ(testing::file_contents(file_.get()), "0123456789abcdef");
}

// io_find_buf_node finds no node for an index past the table: -EFAULT, as for a bad range.
TEST_F(FixedBuffers, BufIndexOutOfRangeIsEfault) {
  EXPECT_EQ(run_res(*ring_, op::ReadFixed(file_.fd(), at(0), 16, 0, op::BufIndex{1})), -EFAULT);
  EXPECT_EQ(run_res(*ring_, op::WriteFixed(file_.fd(), at(0), 16, 0, op::BufIndex{500})), -EFAULT);
}

TEST_F(FixedBuffers, WritevFixedAndReadvFixedUseIovecsInsideTheBuffer) {
  RINGKIT_REQUIRE_OPCODE(writev_fixed);
  RINGKIT_REQUIRE_OPCODE(readv_fixed);
  std::memcpy(at(0), "AB", 2);
  std::memcpy(at(1000), "CDE", 3);
  const iovec out[2] = {{at(0), 2}, {at(1000), 3}};
  EXPECT_EQ(run_res(*ring_, op::WritevFixed(file_.fd(), out, 2, 4, op::BufIndex{0})), 5);
  EXPECT_EQ(testing::file_contents(file_.get()), "0123ABCDE9abcdef");

  const iovec in[3] = {{at(2000), 4}, {at(3000), 4}, {at(4000), 96}};
  // 16 bytes in the file: 4 + 4 + the last 8 in the third iovec.
  EXPECT_EQ(run_res(*ring_, op::ReadvFixed(file_.fd(), in, 3, 0, op::BufIndex{0})), 16);
  EXPECT_EQ(std::string(at(2000), 4), "0123");
  EXPECT_EQ(std::string(at(3000), 4), "ABCD");
  EXPECT_EQ(std::string(at(4000), 8), "E9abcdef");
}

TEST_F(FixedBuffers, IovecOutsideTheBufferIsEfault) {
  RINGKIT_REQUIRE_OPCODE(readv_fixed);
  RINGKIT_REQUIRE_OPCODE(writev_fixed);
  char elsewhere[8];
  const iovec in[2] = {{at(0), 4}, {elsewhere, sizeof elsewhere}};
  EXPECT_EQ(run_res(*ring_, op::ReadvFixed(file_.fd(), in, 2, 0, op::BufIndex{0})), -EFAULT);
  const iovec out[1] = {{at(registered_bytes - 4), 8}};
  EXPECT_EQ(run_res(*ring_, op::WritevFixed(file_.fd(), out, 1, 0, op::BufIndex{0})), -EFAULT);
  const iovec fine[1] = {{at(0), 4}};
  EXPECT_EQ(run_res(*ring_, op::ReadvFixed(file_.fd(), fine, 1, 0, op::BufIndex{3})), -EFAULT);
  EXPECT_EQ(testing::file_contents(file_.get()), "0123456789abcdef");
}

using FixedFiles = FilesTest;

TEST_F(FixedFiles, ReadAndWriteThroughARegisteredSlot) {
  const testing::OwnedFd file = make_file(dir_.path("slot"), "slot data");
  ASSERT_GE(file.get(), 0);
  const int fds[2] = {-1, file.get()};  // slot 0 empty, slot 1 the file
  ASSERT_TRUE(ring_->register_files(fds));
  char buf[16] = {};
  const abi::Sqe read_sqe = op::Read(op::FixedFile{1}, buf, sizeof buf, 0).build();
  EXPECT_EQ(read_sqe.flags & abi::sqe_flag::fixed_file, abi::sqe_flag::fixed_file);
  EXPECT_EQ(read_sqe.fd, 1);
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{1}, buf, sizeof buf, 0)), 9);
  EXPECT_EQ(std::string(buf, 9), "slot data");
  EXPECT_EQ(run_res(*ring_, op::Write(op::FixedFile{1}, "SLOT", 4, 0)), 4);
  EXPECT_EQ(testing::file_contents(file.get()), "SLOT data");
  EXPECT_EQ(run_res(*ring_, op::Fsync(op::FixedFile{1})), 0);
}

TEST_F(FixedFiles, EmptySlotOfASparseTableIsEbadf) {
  ASSERT_TRUE(ring_->register_files_sparse(4));
  char buf[4];
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{2}, buf, sizeof buf, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring_, op::Fsync(op::FixedFile{0})), -EBADF);
  // Past the table's end as well.
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{4}, buf, sizeof buf, 0)), -EBADF);
}

TEST_F(FixedFiles, FixedFileWithoutATableIsEbadf) {
  char buf[4];
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{0}, buf, sizeof buf, 0)), -EBADF);
}

// The slot keeps the file open after the process closes its own descriptor.
TEST_F(FixedFiles, SlotOutlivesTheClosedDescriptor) {
  testing::OwnedFd file = make_file(dir_.path("kept"), "kept open");
  ASSERT_GE(file.get(), 0);
  const int fds[1] = {file.get()};
  ASSERT_TRUE(ring_->register_files(fds));
  file.reset();
  char buf[16] = {};
  EXPECT_EQ(run_res(*ring_, op::Read(op::FixedFile{0}, buf, sizeof buf, 0)), 9);
  EXPECT_EQ(std::string(buf, 9), "kept open");
}

}  // namespace
}  // namespace ringkit
