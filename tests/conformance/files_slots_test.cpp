// Conformance: direct descriptors. OPENAT into a chosen slot (res 0) or one the kernel picks from
// the alloc range (IORING_FILE_INDEX_ALLOC: res is the slot, -ENFILE when the range is full),
// CLOSE of a direct slot, FILES_UPDATE with alloc.
#include <fcntl.h>

#include <cerrno>
#include <string>

#include "files_support.hpp"

namespace ringkit::conformance {
namespace {

using files::read_slot;
using files::run_res;

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesSlots);

TYPED_TEST(ConformanceFilesSlots, OpenatDirectIntoAChosenSlotReplacesWhatWasThere) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_GE(this->backend.create_file("direct", "direct bytes", O_RDWR), 0);
  ASSERT_GE(this->backend.create_file("other", "other", O_RDWR), 0);
  ASSERT_TRUE(ring->register_files_sparse(8));
  const op::Fd dir{this->backend.dir_fd()};
  // A chosen slot completes with 0, not a descriptor.
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "direct", O_RDWR).dest(op::DestSlot::slot(5))), 0);
  EXPECT_EQ(read_slot(*ring, 5), "direct bytes");
  EXPECT_EQ(read_slot(*ring, 4), "<res -9>");
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "other", O_RDONLY).dest(op::DestSlot::slot(5))), 0);
  EXPECT_EQ(read_slot(*ring, 5), "other");
  // A failed open leaves the slot alone.
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "missing", O_RDONLY).dest(op::DestSlot::slot(5))),
            -ENOENT);
  EXPECT_EQ(read_slot(*ring, 5), "other");
}

// io_fixed_fd_install: no table is -ENXIO (-ENFILE when allocating), a slot past its end
// -EINVAL; __io_openat_prep: a direct descriptor cannot be O_CLOEXEC (-EINVAL).
TYPED_TEST(ConformanceFilesSlots, OpenatDirectErrors) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_GE(this->backend.create_file("f", "f", O_RDWR), 0);
  const op::Fd dir{this->backend.dir_fd()};
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "f", O_RDONLY).dest(op::DestSlot::slot(0))), -ENXIO);
  // io_file_bitmap_get: no table has no free bit.
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "f", O_RDONLY).dest(op::DestSlot::alloc())), -ENFILE);
  ASSERT_TRUE(ring->register_files_sparse(2));
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "f", O_RDONLY).dest(op::DestSlot::slot(2))), -EINVAL);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "f", O_RDONLY | O_CLOEXEC).dest(op::DestSlot::slot(0))),
            -EINVAL);
  EXPECT_EQ(read_slot(*ring, 0), "<res -9>");
}

// IORING_FILE_INDEX_ALLOC: a free slot of the alloc range, returned in res; a full range is
// -ENFILE. Registering a range restarts the search at its start.
TYPED_TEST(ConformanceFilesSlots, OpenatDirectAllocReturnsTheSlotUntilTheRangeIsFull) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_GE(this->backend.create_file("a", "alpha", O_RDWR), 0);
  ASSERT_GE(this->backend.create_file("b", "beta", O_RDWR), 0);
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(3, 2));
  const op::Fd dir{this->backend.dir_fd()};
  const auto alloc = op::DestSlot::alloc();
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(alloc)), 3);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "b", O_RDONLY).dest(alloc)), 4);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(alloc)), -ENFILE);
  EXPECT_EQ(read_slot(*ring, 3), "alpha");
  EXPECT_EQ(read_slot(*ring, 4), "beta");
  // Closing a slot of the range frees it for the next alloc.
  EXPECT_EQ(run_res(*ring, op::Close::direct(op::FixedFile{3})), 0);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "b", O_RDONLY).dest(alloc)), 3);
  EXPECT_EQ(read_slot(*ring, 3), "beta");
}

// Without a range the whole table is the range. io_file_bitmap_get searches from alloc_hint,
// which every filled slot moves past itself (io_file_bitmap_set), and wraps to the range start.
TYPED_TEST(ConformanceFilesSlots, OpenatDirectAllocSearchesFromTheLastFilledSlotAndWraps) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_GE(this->backend.create_file("a", "alpha", O_RDWR), 0);
  ASSERT_TRUE(ring->register_files_sparse(3));
  const op::Fd dir{this->backend.dir_fd()};
  const auto alloc = op::DestSlot::alloc();
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(op::DestSlot::slot(1))), 0);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(alloc)), 2);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(alloc)), 0);
  EXPECT_EQ(run_res(*ring, op::Openat(dir, "a", O_RDONLY).dest(alloc)), -ENFILE);
}

// io_register_file_alloc_range: the range must lie inside the table (without one: -EINVAL too).
TYPED_TEST(ConformanceFilesSlots, AllocRangeOutsideTheTableIsEinval) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const result<void> no_table = ring->register_file_alloc_range(0, 1);
  ASSERT_FALSE(no_table);
  EXPECT_EQ(no_table.error().value(), EINVAL);
  ASSERT_TRUE(ring->register_files_sparse(4));
  const result<void> past = ring->register_file_alloc_range(2, 3);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().value(), EINVAL);
  EXPECT_TRUE(ring->register_file_alloc_range(2, 2));
}

// CLOSE with file_index closes the slot, not a descriptor; an empty slot is -EBADF.
TYPED_TEST(ConformanceFilesSlots, CloseADirectSlotAndAnEmptyOne) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_GE(this->backend.create_file("d", "slot", O_RDWR), 0);
  ASSERT_TRUE(ring->register_files_sparse(4));
  const op::Fd dir{this->backend.dir_fd()};
  ASSERT_EQ(run_res(*ring, op::Openat(dir, "d", O_RDONLY).dest(op::DestSlot::slot(1))), 0);
  ASSERT_EQ(read_slot(*ring, 1), "slot");
  EXPECT_EQ(run_res(*ring, op::Close::direct(op::FixedFile{1})), 0);
  EXPECT_EQ(read_slot(*ring, 1), "<res -9>");
  EXPECT_EQ(run_res(*ring, op::Close::direct(op::FixedFile{1})), -EBADF);
  EXPECT_EQ(run_res(*ring, op::Close::direct(op::FixedFile{3})), -EBADF);
  // Past the table.
  EXPECT_EQ(run_res(*ring, op::Close::direct(op::FixedFile{4})), -EINVAL);
}

// FILES_UPDATE with IORING_FILE_INDEX_ALLOC writes the chosen slots back into the array.
TYPED_TEST(ConformanceFilesSlots, FilesUpdateAllocWritesTheChosenSlotsBack) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int first = this->backend.create_file("first", "first file", O_RDWR);
  const int second = this->backend.create_file("second", "second file", O_RDWR);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_TRUE(ring->register_files_sparse(8));
  ASSERT_TRUE(ring->register_file_alloc_range(5, 2));
  std::int32_t fds[2] = {first, second};
  EXPECT_EQ(run_res(*ring, op::FilesUpdate::alloc(fds, 2)), 2);
  EXPECT_EQ(fds[0], 5);
  EXPECT_EQ(fds[1], 6);
  EXPECT_EQ(read_slot(*ring, 5), "first file");
  EXPECT_EQ(read_slot(*ring, 6), "second file");
  std::int32_t more[1] = {first};
  EXPECT_EQ(run_res(*ring, op::FilesUpdate::alloc(more, 1)), -ENFILE);
}

}  // namespace
}  // namespace ringkit::conformance
