// Conformance: registered buffers (READ_FIXED / WRITE_FIXED, READV_FIXED / WRITEV_FIXED inside a
// registered buffer; -EFAULT outside it or for an index past the table) and registered files
// (IOSQE_FIXED_FILE; -EBADF for an empty slot, past the table, or without a table).
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "files_support.hpp"

namespace ringkit::conformance {
namespace {

using files::file_position;
using files::read_slot;
using files::run_res;

constexpr std::size_t registered_bytes = 4096;

// One registered buffer (index 0) and its memory.
struct RegisteredBuffer {
  explicit RegisteredBuffer(Ring& ring) : memory(new char[registered_bytes]()) {
    const iovec reg{memory.get(), registered_bytes};
    registered = ring.register_buffers({&reg, 1}).has_value();
  }
  char* at(std::size_t offset) const { return memory.get() + offset; }

  std::unique_ptr<char[]> memory;
  bool registered = false;
};

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesFixedBuffers);

TYPED_TEST(ConformanceFilesFixedBuffers, WriteFixedThenReadFixedRoundTrip) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const RegisteredBuffer buf(*ring);
  ASSERT_TRUE(buf.registered);
  const int fd = this->backend.create_file("fixed", "0123456789abcdef", O_RDWR);
  ASSERT_GE(fd, 0);
  std::memcpy(buf.at(100), "registered", 10);
  EXPECT_EQ(run_res(*ring, op::WriteFixed(op::Fd{fd}, buf.at(100), 10, 3, op::BufIndex{0})), 10);
  EXPECT_EQ(this->backend.file_contents("fixed"), "012registereddef");
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(2000), 16, 0, op::BufIndex{0})), 16);
  EXPECT_EQ(std::string(buf.at(2000), 16), "012registereddef");
  // Extending the file, at the file position (still 0: nothing moved it).
  EXPECT_EQ(run_res(*ring, op::WriteFixed(op::Fd{fd}, buf.at(100), 4, 20, op::BufIndex{0})), 4);
  EXPECT_EQ(this->backend.file_contents("fixed"), std::string("012registereddef\0\0\0\0regi", 24));
  EXPECT_EQ(
      run_res(*ring, op::WriteFixed(op::Fd{fd}, buf.at(100), 2, file_position, op::BufIndex{0})),
      2);
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(0), 3, file_position, op::BufIndex{0})),
            3);
  EXPECT_EQ(std::string(buf.at(0), 3), "2re");
}

TYPED_TEST(ConformanceFilesFixedBuffers, ReadFixedIsShortAtEof) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const RegisteredBuffer buf(*ring);
  ASSERT_TRUE(buf.registered);
  const int fd = this->backend.create_file("fixed", "0123456789abcdef", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(0), 64, 10, op::BufIndex{0})), 6);
  EXPECT_EQ(std::string(buf.at(0), 6), "abcdef");
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(0), 64, 16, op::BufIndex{0})), 0);
}

// io_import_reg_buf: the range must lie inside the registered buffer; an index past the table
// finds no node. Both -EFAULT, and nothing is transferred.
TYPED_TEST(ConformanceFilesFixedBuffers, RangeOutsideTheBufferOrIndexPastTheTableIsEfault) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const RegisteredBuffer buf(*ring);
  ASSERT_TRUE(buf.registered);
  const int fd = this->backend.create_file("fixed", "0123456789abcdef", O_RDWR);
  ASSERT_GE(fd, 0);
  // Straddles the end by 6 bytes.
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(registered_bytes - 10), 16, 0,
                                         op::BufIndex{0})),
            -EFAULT);
  char elsewhere[16] = {};
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, elsewhere, 16, 0, op::BufIndex{0})), -EFAULT);
  EXPECT_EQ(run_res(*ring, op::WriteFixed(op::Fd{fd}, elsewhere, 16, 0, op::BufIndex{0})), -EFAULT);
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, buf.at(0), 16, 0, op::BufIndex{1})), -EFAULT);
  EXPECT_EQ(run_res(*ring, op::WriteFixed(op::Fd{fd}, buf.at(0), 16, 0, op::BufIndex{500})),
            -EFAULT);
  EXPECT_EQ(this->backend.file_contents("fixed"), "0123456789abcdef");
}

TYPED_TEST(ConformanceFilesFixedBuffers, FixedTransfersWithoutRegisteredBuffersAreEfault) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("fixed", "data", O_RDWR);
  ASSERT_GE(fd, 0);
  char mem[8] = {};
  EXPECT_EQ(run_res(*ring, op::ReadFixed(op::Fd{fd}, mem, 4, 0, op::BufIndex{0})), -EFAULT);
  EXPECT_EQ(run_res(*ring, op::WriteFixed(op::Fd{fd}, mem, 4, 0, op::BufIndex{0})), -EFAULT);
  EXPECT_EQ(this->backend.file_contents("fixed"), "data");
}

TYPED_TEST(ConformanceFilesFixedBuffers, WritevFixedAndReadvFixedUseIovecsInsideTheBuffer) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::writev_fixed);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::readv_fixed);
  const RegisteredBuffer buf(*ring);
  ASSERT_TRUE(buf.registered);
  const int fd = this->backend.create_file("fixed", "0123456789abcdef", O_RDWR);
  ASSERT_GE(fd, 0);
  std::memcpy(buf.at(0), "AB", 2);
  std::memcpy(buf.at(1000), "CDE", 3);
  const iovec out[2] = {{buf.at(0), 2}, {buf.at(1000), 3}};
  EXPECT_EQ(run_res(*ring, op::WritevFixed(op::Fd{fd}, out, 2, 4, op::BufIndex{0})), 5);
  EXPECT_EQ(this->backend.file_contents("fixed"), "0123ABCDE9abcdef");
  const iovec in[3] = {{buf.at(2000), 4}, {buf.at(3000), 4}, {buf.at(4000), 96}};
  // 16 bytes in the file: 4 + 4 + the last 8 in the third iovec.
  EXPECT_EQ(run_res(*ring, op::ReadvFixed(op::Fd{fd}, in, 3, 0, op::BufIndex{0})), 16);
  EXPECT_EQ(std::string(buf.at(2000), 4), "0123");
  EXPECT_EQ(std::string(buf.at(3000), 4), "ABCD");
  EXPECT_EQ(std::string(buf.at(4000), 8), "E9abcdef");
}

TYPED_TEST(ConformanceFilesFixedBuffers, IovecOutsideTheBufferIsEfault) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::writev_fixed);
  RINGKIT_CONFORMANCE_REQUIRE_OP(*ring, abi::Opcode::readv_fixed);
  const RegisteredBuffer buf(*ring);
  ASSERT_TRUE(buf.registered);
  const int fd = this->backend.create_file("fixed", "0123456789abcdef", O_RDWR);
  ASSERT_GE(fd, 0);
  char elsewhere[8];
  const iovec in[2] = {{buf.at(0), 4}, {elsewhere, sizeof elsewhere}};
  EXPECT_EQ(run_res(*ring, op::ReadvFixed(op::Fd{fd}, in, 2, 0, op::BufIndex{0})), -EFAULT);
  const iovec out[1] = {{buf.at(registered_bytes - 4), 8}};
  EXPECT_EQ(run_res(*ring, op::WritevFixed(op::Fd{fd}, out, 1, 0, op::BufIndex{0})), -EFAULT);
  const iovec fine[1] = {{buf.at(0), 4}};
  EXPECT_EQ(run_res(*ring, op::ReadvFixed(op::Fd{fd}, fine, 1, 0, op::BufIndex{3})), -EFAULT);
  EXPECT_EQ(this->backend.file_contents("fixed"), "0123456789abcdef");
}

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesFixedFiles);

TYPED_TEST(ConformanceFilesFixedFiles, ReadAndWriteThroughARegisteredSlot) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("slot", "slot data", O_RDWR);
  ASSERT_GE(fd, 0);
  const int fds[2] = {-1, fd};  // slot 0 empty, slot 1 the file
  ASSERT_TRUE(ring->register_files(fds));
  char buf[16] = {};
  EXPECT_EQ(run_res(*ring, op::Read(op::FixedFile{1}, buf, sizeof buf, 0)), 9);
  EXPECT_EQ(std::string(buf, 9), "slot data");
  EXPECT_EQ(run_res(*ring, op::Write(op::FixedFile{1}, "SLOT", 4, 0)), 4);
  EXPECT_EQ(this->backend.file_contents("slot"), "SLOT data");
  const iovec iov[2] = {{buf, 2}, {buf + 2, 3}};
  EXPECT_EQ(run_res(*ring, op::Readv(op::FixedFile{1}, iov, 2, 3)), 5);
  EXPECT_EQ(std::string(buf, 5), "T dat");
  EXPECT_EQ(run_res(*ring, op::Fsync(op::FixedFile{1})), 0);
}

TYPED_TEST(ConformanceFilesFixedFiles, EmptySlotPastTheTableOrNoTableIsEbadf) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  char buf[4];
  EXPECT_EQ(run_res(*ring, op::Read(op::FixedFile{0}, buf, sizeof buf, 0)), -EBADF);
  ASSERT_TRUE(ring->register_files_sparse(4));
  EXPECT_EQ(run_res(*ring, op::Read(op::FixedFile{2}, buf, sizeof buf, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Write(op::FixedFile{0}, "x", 1, 0)), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Fsync(op::FixedFile{0})), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Read(op::FixedFile{4}, buf, sizeof buf, 0)), -EBADF);
}

// An empty slot fails the request at issue: the rest of its link is cancelled.
TYPED_TEST(ConformanceFilesFixedFiles, EmptySlotFailsItsLink) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(ring->register_files_sparse(2));
  char buf[4];
  ASSERT_EQ(submit(*ring, {with(op::Read(op::FixedFile{1}, buf, sizeof buf, 0).build(), 1,
                                abi::sqe_flag::io_link),
                           with(op::Nop().build(), 2)}),
            2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, -EBADF, 0}, {2, -ECANCELED, 0}}));
}

// The slot holds its own reference: the file stays usable after its descriptor is closed.
TYPED_TEST(ConformanceFilesFixedFiles, SlotOutlivesTheClosedDescriptor) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int fd = this->backend.create_file("kept", "kept open", O_RDWR);
  ASSERT_GE(fd, 0);
  const int fds[1] = {fd};
  ASSERT_TRUE(ring->register_files(fds));
  this->backend.close_fd(fd);
  EXPECT_EQ(read_slot(*ring, 0), "kept open");
  char buf[4];
  EXPECT_EQ(run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, 0)), -EBADF);
}

// IORING_REGISTER_FILES_UPDATE: -1 empties a slot, a descriptor fills or replaces one.
TYPED_TEST(ConformanceFilesFixedFiles, RegisterFilesUpdateReplacesAndEmptiesSlots) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int first = this->backend.create_file("first", "first file", O_RDWR);
  const int second = this->backend.create_file("second", "second file", O_RDWR);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  const int initial[2] = {first, -1};
  ASSERT_TRUE(ring->register_files(initial));
  const int update[2] = {-1, second};
  const result<std::uint32_t> updated = ring->register_files_update(0, update);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 2u);
  EXPECT_EQ(read_slot(*ring, 0), "<res -9>");
  EXPECT_EQ(read_slot(*ring, 1), "second file");
}

}  // namespace
}  // namespace ringkit::conformance
