// FileSlotTable and RegisteredBufferTable: the kernel's rules, errno for errno
// (io_uring/filetable.c and rsrc.c, Linux 6.18).
#include <gtest/gtest.h>

#include <vector>

#include "ringkit/file_slot_table.hpp"
#include "ringkit/registered_buffer_table.hpp"

namespace ringkit {
namespace {

using Slot = FileSlotTable::Slot;

// fget stand-in: fds >= 0 are "open files" whose handle is fd + 1000; anything else is EBADF.
result<std::uint64_t> resolve_fd(int fd) {
  if (fd < 0) return Error{EBADF};
  return static_cast<std::uint64_t>(fd) + 1000;
}

struct Released {
  std::vector<std::uint32_t> slots;
  std::vector<std::uint64_t> tags;
  auto sink() {
    return [this](std::uint32_t slot, const Slot& s) {
      slots.push_back(slot);
      tags.push_back(s.tag);
    };
  }
};

TEST(FileSlotTableTest, SparseCreateRules) {
  FileSlotTable t;
  EXPECT_EQ(t.create(0).error(), std::errc::invalid_argument);
  EXPECT_EQ(t.create(FileSlotTable::max_slots + 1).error(), std::errc::too_many_files_open);
  EXPECT_EQ(t.create(100, /*nofile_limit=*/64).error(), std::errc::too_many_files_open);
  ASSERT_TRUE(t.create(8));
  EXPECT_EQ(t.create(8).error(), std::errc::device_or_resource_busy);
  EXPECT_EQ(t.alloc_range(), (FileSlotTable::AllocRange{0, 8}));
  EXPECT_EQ(t.used(), 0u);
  ASSERT_TRUE(t.destroy());
  EXPECT_EQ(t.destroy().error(), std::errc::no_such_device_or_address);  // ENXIO
  EXPECT_EQ(t.alloc_range(), (FileSlotTable::AllocRange{0, 0}));
}

TEST(FileSlotTableTest, RegisterFilesWithHolesAndTags) {
  FileSlotTable t;
  const int fds[] = {5, -1, 7};
  const std::uint64_t tags[] = {11, 0, 33};
  ASSERT_TRUE(t.register_files(fds, tags, resolve_fd));
  EXPECT_EQ(t.get(0)->file, 1005u);
  EXPECT_EQ(t.get(0)->tag, 11u);
  EXPECT_EQ(t.get(1), nullptr);
  EXPECT_EQ(t.get(2)->file, 1007u);
  EXPECT_EQ(t.used(), 2u);
  // The alloc hint restarts at 0 after registration, so the hole is allocated first.
  EXPECT_EQ(t.peek_alloc().value(), 1u);

  Released released;
  ASSERT_TRUE(t.destroy(released.sink()));
  // io_rsrc_data_free releases from the table's end.
  EXPECT_EQ(released.slots, (std::vector<std::uint32_t>{2, 0}));
  EXPECT_EQ(released.tags, (std::vector<std::uint64_t>{33, 11}));
}

TEST(FileSlotTableTest, RegisterFailuresLeaveNothingRegistered) {
  FileSlotTable t;
  const int with_tagged_hole[] = {5, -1};
  const std::uint64_t tags[] = {0, 9};
  EXPECT_EQ(t.register_files(with_tagged_hole, tags, resolve_fd).error(),
            std::errc::invalid_argument);
  EXPECT_FALSE(t.registered());
  const int bad_fd[] = {5, -7};
  EXPECT_EQ(t.register_files(bad_fd, {}, resolve_fd).error(), std::errc::bad_file_descriptor);
  EXPECT_FALSE(t.registered());
  EXPECT_EQ(t.register_files({}, {}, resolve_fd).error(), std::errc::invalid_argument);
}

TEST(FileSlotTableTest, AllocationFollowsTheHintAndWrapsOnce) {
  FileSlotTable t;
  ASSERT_TRUE(t.create(4));
  EXPECT_EQ(t.install_alloc(Slot{1, 0}).value(), 0u);
  EXPECT_EQ(t.install_alloc(Slot{2, 0}).value(), 1u);
  EXPECT_EQ(t.install_alloc(Slot{3, 0}).value(), 2u);
  ASSERT_TRUE(t.remove(0));  // the hint moves onto the freed slot
  EXPECT_EQ(t.alloc_hint(), 0u);
  EXPECT_EQ(t.install_alloc(Slot{4, 0}).value(), 0u);
  EXPECT_EQ(t.install_alloc(Slot{5, 0}).value(), 3u);
  EXPECT_EQ(t.install_alloc(Slot{6, 0}).error(), std::errc::too_many_files_open_in_system);
  ASSERT_TRUE(t.remove(2));
  ASSERT_TRUE(t.install(3, Slot{7, 0}));  // replacing an occupant keeps the hint
  EXPECT_EQ(t.alloc_hint(), 2u);
  EXPECT_EQ(t.install_alloc(Slot{8, 0}).value(), 2u);
}

TEST(FileSlotTableTest, AllocRangeRulesAndTheBelowRangeQuirk) {
  FileSlotTable t;
  EXPECT_EQ(t.set_alloc_range(0, 1).error(), std::errc::invalid_argument);  // no table
  ASSERT_TRUE(t.create(10));
  EXPECT_EQ(t.set_alloc_range(0xffffffffu, 2).error(), std::errc::value_too_large);  // EOVERFLOW
  EXPECT_EQ(t.set_alloc_range(5, 6).error(), std::errc::invalid_argument);
  ASSERT_TRUE(t.set_alloc_range(5, 3));
  EXPECT_EQ(t.install_alloc(Slot{1, 0}).value(), 5u);
  EXPECT_EQ(t.install_alloc(Slot{2, 0}).value(), 6u);
  EXPECT_EQ(t.install_alloc(Slot{3, 0}).value(), 7u);
  EXPECT_EQ(t.install_alloc(Slot{4, 0}).error(), std::errc::too_many_files_open_in_system);
  // Freeing a slot below the range puts the hint there, and the kernel's search starts from
  // the hint, not the range start: it hands out slot 1.
  ASSERT_TRUE(t.install(1, Slot{5, 0}));
  ASSERT_TRUE(t.remove(1));
  EXPECT_EQ(t.install_alloc(Slot{6, 0}).value(), 1u);
  ASSERT_TRUE(t.set_alloc_range(0, 0));  // an empty range allocates nothing
  EXPECT_EQ(t.install_alloc(Slot{7, 0}).error(), std::errc::too_many_files_open_in_system);
}

TEST(FileSlotTableTest, InstallAndRemoveErrors) {
  FileSlotTable t;
  EXPECT_EQ(t.install(0, Slot{1, 0}).error(), std::errc::no_such_device_or_address);
  EXPECT_EQ(t.remove(0).error(), std::errc::no_such_device_or_address);
  EXPECT_EQ(t.install_alloc(Slot{1, 0}).error(), std::errc::too_many_files_open_in_system);
  ASSERT_TRUE(t.create(2));
  EXPECT_EQ(t.install(2, Slot{1, 0}).error(), std::errc::invalid_argument);
  EXPECT_EQ(t.remove(2).error(), std::errc::invalid_argument);
  EXPECT_EQ(t.remove(1).error(), std::errc::bad_file_descriptor);
  auto first = t.install(1, Slot{1, 10});
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_value());
  auto replaced = t.install(1, Slot{2, 20});
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->value(), (Slot{1, 10}));
  EXPECT_EQ(t.remove(1).value(), (Slot{2, 20}));
}

TEST(FileSlotTableTest, UpdateSkipsClearsReplacesAndStopsAtTheFirstError) {
  FileSlotTable t;
  const int empty[] = {3};
  EXPECT_EQ(t.update(0, empty, {}, resolve_fd, Released{}.sink()).error(),
            std::errc::no_such_device_or_address);
  ASSERT_TRUE(t.create(4));
  Released released;
  EXPECT_EQ(t.update(0, {}, {}, resolve_fd, released.sink()).error(), std::errc::invalid_argument);
  EXPECT_EQ(t.update(0xffffffffu, empty, {}, resolve_fd, released.sink()).error(),
            std::errc::value_too_large);
  const int too_many[] = {1, 2, 3, 4, 5};
  EXPECT_EQ(t.update(0, too_many, {}, resolve_fd, released.sink()).error(),
            std::errc::invalid_argument);

  const int initial[] = {1, 2, 3};
  const std::uint64_t initial_tags[] = {100, 200, 300};
  EXPECT_EQ(t.update(0, initial, initial_tags, resolve_fd, released.sink()).value(), 3u);
  const int next[] = {FileSlotTable::skip_fd, -1, 9, -5, 4};
  EXPECT_EQ(t.update(0, std::span(next).first(4), {}, resolve_fd, released.sink()).value(), 3u);
  EXPECT_EQ(t.get(0)->file, 1001u);  // skipped
  EXPECT_EQ(t.get(1), nullptr);      // cleared
  EXPECT_EQ(t.get(2)->file, 1009u);  // replaced
  EXPECT_EQ(t.get(2)->tag, 0u);
  EXPECT_EQ(t.get(3), nullptr);  // -5: EBADF stopped the batch here
  EXPECT_EQ(released.tags, (std::vector<std::uint64_t>{200, 300}));

  const int bad_first[] = {-5};
  EXPECT_EQ(t.update(3, bad_first, {}, resolve_fd, released.sink()).error(),
            std::errc::bad_file_descriptor);
  const int skip_with_tag[] = {FileSlotTable::skip_fd};
  const std::uint64_t tag[] = {1};
  EXPECT_EQ(t.update(0, skip_with_tag, tag, resolve_fd, released.sink()).error(),
            std::errc::invalid_argument);
}

// ---- registered buffers ----------------------------------------------------------------------

iovec iov(void* base, std::size_t len) { return iovec{base, len}; }

TEST(RegisteredBufferTableTest, ValidateFollowsIoBufferValidate) {
  char buf[16];
  EXPECT_TRUE(RegisteredBufferTable::validate(iov(nullptr, 0)));  // sparse
  EXPECT_EQ(RegisteredBufferTable::validate(iov(nullptr, 8)).error(), std::errc::bad_address);
  EXPECT_EQ(RegisteredBufferTable::validate(iov(buf, 0)).error(), std::errc::bad_address);
  EXPECT_EQ(RegisteredBufferTable::validate(iov(buf, (1u << 30) + 1)).error(),
            std::errc::bad_address);
  EXPECT_EQ(
      RegisteredBufferTable::validate(iov(reinterpret_cast<void*>(~std::uintptr_t{0} - 100), 8))
          .error(),
      std::errc::value_too_large);
  EXPECT_TRUE(RegisteredBufferTable::validate(iov(buf, sizeof buf)));
}

TEST(RegisteredBufferTableTest, RegisterResolveAndUnregister) {
  RegisteredBufferTable t;
  char a[64], b[32];
  const iovec bufs[] = {iov(a, sizeof a), iov(nullptr, 0), iov(b, sizeof b)};
  const std::uint64_t tags[] = {1, 0, 3};
  ASSERT_TRUE(t.register_buffers(bufs, tags));
  EXPECT_EQ(t.register_buffers(bufs, {}).error(), std::errc::device_or_resource_busy);
  const auto addr = reinterpret_cast<std::uint64_t>(a);
  EXPECT_TRUE(t.resolve(0, addr, 64));
  EXPECT_TRUE(t.resolve(0, addr + 10, 54));
  EXPECT_EQ(t.resolve(0, addr + 10, 55).error(), std::errc::bad_address);         // past the end
  EXPECT_EQ(t.resolve(0, addr - 1, 2).error(), std::errc::bad_address);           // before it
  EXPECT_EQ(t.resolve(0, ~std::uint64_t{0}, 2).error(), std::errc::bad_address);  // wraps
  EXPECT_EQ(t.resolve(1, addr, 1).error(), std::errc::bad_address);               // sparse slot
  EXPECT_EQ(t.resolve(3, addr, 1).error(), std::errc::bad_address);               // no such index
  EXPECT_EQ(t.resolve(2, reinterpret_cast<std::uint64_t>(b), 32).value().tag, 3u);

  std::vector<std::uint32_t> released;
  ASSERT_TRUE(t.destroy(
      [&](std::uint32_t i, const RegisteredBufferTable::Entry&) { released.push_back(i); }));
  EXPECT_EQ(released, (std::vector<std::uint32_t>{2, 0}));  // from the end, as the kernel
  EXPECT_EQ(t.destroy().error(), std::errc::no_such_device_or_address);
}

TEST(RegisteredBufferTableTest, RegisterErrors) {
  RegisteredBufferTable t;
  char a[8];
  EXPECT_EQ(t.register_buffers({}, {}).error(), std::errc::invalid_argument);
  EXPECT_EQ(t.create(RegisteredBufferTable::max_buffers + 1).error(), std::errc::invalid_argument);
  const iovec tagged_hole[] = {iov(a, 8), iov(nullptr, 0)};
  const std::uint64_t tags[] = {0, 5};
  EXPECT_EQ(t.register_buffers(tagged_hole, tags).error(), std::errc::invalid_argument);
  EXPECT_FALSE(t.registered());
  const iovec bad[] = {iov(a, 8), iov(a, 0)};
  EXPECT_EQ(t.register_buffers(bad, {}).error(), std::errc::bad_address);
  EXPECT_FALSE(t.registered());
}

TEST(RegisteredBufferTableTest, UpdateReplacesAndStopsAtTheFirstError) {
  RegisteredBufferTable t;
  char a[8], b[8];
  const iovec one[] = {iov(a, 8)};
  EXPECT_EQ(t.update(0, one, {}, [](std::uint32_t, const auto&) {}).error(),
            std::errc::no_such_device_or_address);
  ASSERT_TRUE(t.create(3));
  std::vector<std::uint64_t> released_tags;
  auto sink = [&](std::uint32_t, const RegisteredBufferTable::Entry& e) {
    released_tags.push_back(e.tag);
  };
  const iovec first[] = {iov(a, 8), iov(b, 8)};
  const std::uint64_t first_tags[] = {7, 8};
  EXPECT_EQ(t.update(0, first, first_tags, sink).value(), 2u);
  EXPECT_EQ(t.update(2, first, {}, sink).error(), std::errc::invalid_argument);  // past the end
  const iovec second[] = {iov(nullptr, 0), iov(a, 0)};
  EXPECT_EQ(t.update(0, second, {}, sink).value(), 1u);  // slot 0 cleared; slot 1: EFAULT
  EXPECT_EQ(t.get(0), nullptr);
  EXPECT_EQ(t.get(1)->tag, 8u);
  EXPECT_EQ(released_tags, (std::vector<std::uint64_t>{7}));
  EXPECT_EQ(t.update(1, std::span(second).last(1), {}, sink).error(), std::errc::bad_address);
}

}  // namespace
}  // namespace ringkit
