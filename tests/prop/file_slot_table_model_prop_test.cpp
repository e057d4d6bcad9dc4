// Stateful model tests: FileSlotTable and RegisteredBufferTable against plain models written
// from the kernel's rules (a map of used slots and the allocation search stated as "the first
// free slot from the hint to the range end, else from the range start to the old hint").
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <map>
#include <optional>
#include <vector>

#include "ringkit/file_slot_table.hpp"
#include "ringkit/registered_buffer_table.hpp"

namespace ringkit {
namespace {

using Slot = FileSlotTable::Slot;

struct FileModel {
  std::uint32_t size = 0;  // 0: nothing registered
  std::map<std::uint32_t, Slot> used;
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t hint = 0;
  std::uint64_t next_file = 1;

  [[nodiscard]] bool is_free(std::uint32_t s) const { return used.count(s) == 0; }
  // The kernel's io_file_bitmap_get, stated over the map; updates the hint as the kernel does.
  std::optional<std::uint32_t> alloc() {
    if (size == 0) return std::nullopt;
    for (std::uint32_t s = hint; s < end; ++s)
      if (is_free(s)) return s;
    if (hint == start) return std::nullopt;
    const std::uint32_t old_hint = hint;
    hint = start;
    for (std::uint32_t s = start; s < old_hint && s < size; ++s)
      if (is_free(s)) return s;
    return std::nullopt;
  }
  void put(std::uint32_t s, const Slot& v) {
    if (is_free(s)) hint = s + 1;
    used[s] = v;
  }
  void clear(std::uint32_t s) {
    used.erase(s);
    hint = s;
  }
};

using FileCmd = rc::state::Command<FileModel, FileSlotTable>;

struct Create : FileCmd {
  std::uint32_t n = *rc::gen::inRange<std::uint32_t>(0, 200);
  void apply(FileModel& m) const override {
    if (m.size != 0 || n == 0) return;
    m = FileModel{n, {}, 0, n, 0, m.next_file};
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    const result<void> r = t.create(n);
    if (m.size != 0) {
      RC_ASSERT(r.error() == std::errc::device_or_resource_busy);
    } else if (n == 0) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else {
      RC_ASSERT(r.has_value());
    }
  }
  void show(std::ostream& os) const override { os << "Create(" << n << ")"; }
};

struct Destroy : FileCmd {
  void apply(FileModel& m) const override { m = FileModel{0, {}, 0, 0, 0, m.next_file}; }
  void run(const FileModel& m, FileSlotTable& t) const override {
    std::vector<std::uint32_t> released;
    const result<void> r = t.destroy([&](std::uint32_t s, const Slot&) { released.push_back(s); });
    if (m.size == 0) {
      RC_ASSERT(r.error() == std::errc::no_such_device_or_address);
      return;
    }
    RC_ASSERT(r.has_value());
    // io_rsrc_data_free: from the table's end.
    std::vector<std::uint32_t> expected;
    for (auto it = m.used.rbegin(); it != m.used.rend(); ++it) expected.push_back(it->first);
    RC_ASSERT(released == expected);
  }
  void show(std::ostream& os) const override { os << "Destroy"; }
};

struct Install : FileCmd {
  std::uint32_t slot = *rc::gen::inRange<std::uint32_t>(0, 210);
  void apply(FileModel& m) const override {
    if (m.size == 0 || slot >= m.size) return;
    m.put(slot, Slot{m.next_file++, 0});
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    const auto r = t.install(slot, Slot{m.next_file, 0});
    if (m.size == 0) {
      RC_ASSERT(r.error() == std::errc::no_such_device_or_address);
    } else if (slot >= m.size) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else {
      RC_ASSERT(r.has_value());
      const auto it = m.used.find(slot);
      RC_ASSERT(r->has_value() == (it != m.used.end()));
      if (it != m.used.end()) RC_ASSERT(**r == it->second);
    }
  }
  void show(std::ostream& os) const override { os << "Install(" << slot << ")"; }
};

struct InstallAlloc : FileCmd {
  void apply(FileModel& m) const override {
    const auto s = m.alloc();
    if (s) m.put(*s, Slot{m.next_file++, 0});
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    FileModel copy = m;
    const auto expected = copy.alloc();
    RC_ASSERT(t.peek_alloc().has_value() == expected.has_value());
    const auto r = t.install_alloc(Slot{m.next_file, 0});
    if (!expected) {
      RC_ASSERT(r.error() == std::errc::too_many_files_open_in_system);
    } else {
      RC_ASSERT(r.value() == *expected);
    }
  }
  void show(std::ostream& os) const override { os << "InstallAlloc"; }
};

struct Remove : FileCmd {
  std::uint32_t slot = *rc::gen::inRange<std::uint32_t>(0, 210);
  void apply(FileModel& m) const override {
    if (m.size != 0 && slot < m.size && !m.is_free(slot)) m.clear(slot);
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    const auto r = t.remove(slot);
    if (m.size == 0) {
      RC_ASSERT(r.error() == std::errc::no_such_device_or_address);
    } else if (slot >= m.size) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else if (m.is_free(slot)) {
      RC_ASSERT(r.error() == std::errc::bad_file_descriptor);
    } else {
      RC_ASSERT(r.value() == m.used.at(slot));
    }
  }
  void show(std::ostream& os) const override { os << "Remove(" << slot << ")"; }
};

struct SetRange : FileCmd {
  std::uint32_t off = *rc::gen::inRange<std::uint32_t>(0, 210);
  std::uint32_t len = *rc::gen::inRange<std::uint32_t>(0, 210);
  void apply(FileModel& m) const override {
    if (off + len > m.size) return;
    m.start = off;
    m.end = off + len;
    m.hint = off;
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    const result<void> r = t.set_alloc_range(off, len);
    RC_ASSERT(r.has_value() == (off + len <= m.size));
  }
  void show(std::ostream& os) const override { os << "SetRange(" << off << ", " << len << ")"; }
};

struct Update : FileCmd {
  std::uint32_t offset = *rc::gen::inRange<std::uint32_t>(0, 210);
  // fds: -2 skip, -1 clear, -3 a bad fd, >= 0 a file.
  std::vector<int> fds = *rc::gen::container<std::vector<int>>(rc::gen::inRange(-3, 50));
  void apply(FileModel& m) const override {
    if (fds.empty() || m.size == 0 || offset + fds.size() > m.size) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      const int fd = fds[i];
      if (fd == FileSlotTable::skip_fd) continue;
      const auto s = static_cast<std::uint32_t>(offset + i);
      if (!m.is_free(s)) m.clear(s);
      if (fd == -3) break;
      if (fd >= 0) m.put(s, Slot{static_cast<std::uint64_t>(fd) + 1000, 0});
    }
  }
  void run(const FileModel& m, FileSlotTable& t) const override {
    auto resolve = [](int fd) -> result<std::uint64_t> {
      if (fd < 0) return Error{EBADF};
      return static_cast<std::uint64_t>(fd) + 1000;
    };
    const auto r = t.update(offset, fds, {}, resolve, [](std::uint32_t, const Slot&) {});
    if (fds.empty()) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else if (m.size == 0) {
      RC_ASSERT(r.error() == std::errc::no_such_device_or_address);
    } else if (offset + fds.size() > m.size) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else {
      std::size_t done = 0;
      while (done < fds.size() && fds[done] != -3) ++done;
      if (done == 0) {
        RC_ASSERT(r.error() == std::errc::bad_file_descriptor);
      } else {
        RC_ASSERT(r.value() == done);
      }
    }
  }
  void show(std::ostream& os) const override {
    os << "Update(" << offset << ", " << fds.size() << " fds)";
  }
};

// The whole table agrees with the model after every step.
struct CheckTable : FileCmd {
  void run(const FileModel& m, FileSlotTable& t) const override {
    RC_ASSERT(t.size() == m.size);
    RC_ASSERT(t.used() == m.used.size());
    RC_ASSERT(t.alloc_hint() == m.hint);
    RC_ASSERT(t.alloc_range() == (FileSlotTable::AllocRange{m.start, m.end}));
    for (std::uint32_t s = 0; s < m.size; ++s) {
      const Slot* got = t.get(s);
      const auto it = m.used.find(s);
      RC_ASSERT((got != nullptr) == (it != m.used.end()));
      if (got != nullptr) RC_ASSERT(*got == it->second);
    }
  }
  void show(std::ostream& os) const override { os << "CheckTable"; }
};

RC_GTEST_PROP(FileSlotTableModel, AgreesWithTheKernelRules, ()) {
  FileSlotTable table;
  rc::state::check(
      FileModel{}, table,
      rc::state::gen::execOneOfWithArgs<Create, Destroy, Install, InstallAlloc, InstallAlloc,
                                        Remove, SetRange, Update, CheckTable>());
}

// ---- registered buffers: update batches against a model of slots --------------------------

RC_GTEST_PROP(RegisteredBufferTableModel, UpdatesAndLookupsAgree, ()) {
  const auto size = *rc::gen::inRange<std::uint32_t>(1, 40);
  static char memory[4096];
  RegisteredBufferTable table;
  RC_ASSERT(table.create(size).has_value());
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> model(size);  // offset, len

  const auto steps = *rc::gen::inRange(1, 30);
  for (int step = 0; step < steps; ++step) {
    const auto offset = *rc::gen::inRange<std::uint32_t>(0, size + 2);
    const auto count = *rc::gen::inRange<std::size_t>(1, 6);
    std::vector<iovec> batch;
    for (std::size_t i = 0; i < count; ++i) {
      // Mostly valid buffers inside `memory`; sometimes sparse (null, 0) or invalid (len 0).
      const int kind = *rc::gen::inRange(0, 6);
      const auto off = *rc::gen::inRange<std::size_t>(0, 2048);
      const auto len = *rc::gen::inRange<std::size_t>(1, 2048);
      if (kind == 0) {
        batch.push_back(iovec{nullptr, 0});
      } else if (kind == 1) {
        batch.push_back(iovec{memory + off, 0});
      } else {
        batch.push_back(iovec{memory + off, len});
      }
    }
    const auto r = table.update(offset, batch, {}, [](std::uint32_t, const auto&) {});
    if (offset + count > size) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
      continue;
    }
    std::size_t done = 0;
    for (; done < count; ++done) {
      const iovec& b = batch[done];
      if (b.iov_base != nullptr && b.iov_len == 0) break;  // EFAULT stops the batch
      model[offset + done] =
          b.iov_base == nullptr
              ? std::nullopt
              : std::optional(std::pair(
                    static_cast<std::size_t>(static_cast<char*>(b.iov_base) - memory), b.iov_len));
    }
    if (done == 0) {
      RC_ASSERT(r.error() == std::errc::bad_address);
    } else {
      RC_ASSERT(r.value() == done);
    }
    // Every lookup agrees: inside a registered range succeeds, anything else is EFAULT.
    for (std::uint32_t i = 0; i < size; ++i) {
      const auto at = *rc::gen::inRange<std::size_t>(0, 4096);
      const auto len = *rc::gen::inRange<std::size_t>(0, 2048);
      const auto addr = reinterpret_cast<std::uint64_t>(memory) + at;
      const bool inside =
          model[i] && at >= model[i]->first && at + len <= model[i]->first + model[i]->second;
      RC_ASSERT(table.resolve(static_cast<std::uint16_t>(i), addr, len).has_value() == inside);
    }
  }
}

}  // namespace
}  // namespace ringkit
