// FileSlotTable: the registered-file table (direct descriptors) with the kernel's rules.
//
// io_uring keeps registered files in a table of slots plus a bitmap of used slots; requests
// name a slot instead of an fd (IOSQE_FIXED_FILE), and "direct" variants of openat, accept,
// socket and friends install into a slot, either a chosen one (file_index = slot + 1) or one
// the kernel allocates from the alloc range (IORING_FILE_INDEX_ALLOC). This class is that table
// as Linux 6.18 runs it (io_uring/filetable.c, rsrc.c), errno for errno, so:
// - the simulator uses it as its kernel-side table;
// - an application can mirror the kernel's table on either backend and know, before the CQE
//   arrives, which slot an allocation will pick (the allocator is deterministic).
// A slot holds an opaque `file` handle (the simulator's object id, or the caller's fd) and the
// resource tag registered with it. Resolving an fd to a file is the caller's part (the kernel's
// fget): the register/update calls take a resolver that answers with a handle or an error.
//
// Allocation (io_file_bitmap_get): search for a free slot from the hint up to the range's end,
// then once more from the range's start up to the old hint; -ENFILE when both fail. Installing
// into an empty slot moves the hint past it, freeing a slot moves the hint onto it — even when
// that slot is outside the alloc range, so the kernel can hand out a slot below the range
// start after such a free. That quirk is kept: the table must allocate what the kernel does.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "ringkit/result.hpp"

namespace ringkit {

class FileSlotTable {
 public:
  // IORING_MAX_FIXED_FILES.
  static constexpr std::uint32_t max_slots = 1u << 20;
  // IORING_REGISTER_FILES_SKIP in an update: leave the slot as it is.
  static constexpr int skip_fd = -2;

  struct Slot {
    std::uint64_t file = 0;
    std::uint64_t tag = 0;
    friend constexpr bool operator==(const Slot&, const Slot&) noexcept = default;
  };
  struct AllocRange {
    std::uint32_t start = 0;
    std::uint32_t end = 0;  // exclusive
    friend constexpr bool operator==(const AllocRange&, const AllocRange&) noexcept = default;
  };

  FileSlotTable() noexcept = default;

  [[nodiscard]] bool registered() const noexcept { return size_ != 0; }
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] std::uint32_t used() const noexcept { return used_; }
  [[nodiscard]] AllocRange alloc_range() const noexcept { return range_; }
  [[nodiscard]] std::uint32_t alloc_hint() const noexcept { return hint_; }

  // IORING_REGISTER_FILES(2) with `nr` empty slots: EBUSY (already registered), EINVAL (0),
  // EMFILE (above max_slots or `nofile_limit`, the caller's RLIMIT_NOFILE), ENOMEM. The alloc
  // range becomes the whole table.
  result<void> create(std::uint32_t nr, std::uint64_t nofile_limit = max_slots) noexcept;

  // IORING_REGISTER_FILES(2) proper (io_sqe_files_register): fds[i] goes to slot i; -1 leaves
  // it empty (EINVAL if it has a tag); resolve(fd) -> result<std::uint64_t> is the kernel's
  // fget (EBADF for a bad fd or an io_uring fd). On any error nothing stays registered.
  // tags may be empty (no tags) or as long as fds.
  template <class Resolve>
  result<void> register_files(std::span<const int> fds, std::span<const std::uint64_t> tags,
                              Resolve&& resolve, std::uint64_t nofile_limit = max_slots) noexcept;

  // IORING_UNREGISTER_FILES: ENXIO when nothing is registered. on_release(slot_index, Slot) runs
  // for every occupied slot, in slot order (where the kernel drops its references and posts
  // tags).
  template <class Release>
  result<void> destroy(Release&& on_release) noexcept;
  result<void> destroy() noexcept {
    return destroy([](std::uint32_t, const Slot&) noexcept {});
  }

  // IORING_REGISTER_FILES_UPDATE(2) / IORING_OP_FILES_UPDATE at a fixed offset
  // (__io_sqe_files_update): EINVAL (no entries), EOVERFLOW (offset + count wraps), ENXIO (no
  // table), EINVAL (range past the table); per
  // entry, skip_fd keeps the slot, -1 clears it, another fd replaces it; skip_fd or -1 with a
  // tag is EINVAL. Stops at the first failing entry: returns how many were done if any, else
  // that entry's error (the kernel's `done ? done : err`). on_release sees every replaced or
  // cleared occupant.
  template <class Resolve, class Release>
  result<std::uint32_t> update(std::uint32_t offset, std::span<const int> fds,
                               std::span<const std::uint64_t> tags, Resolve&& resolve,
                               Release&& on_release) noexcept;

  // io_install_fixed_file: put `value` into `slot` (0-based), replacing an occupant (returned,
  // for its tag). ENXIO without a table, EINVAL past its end.
  result<std::optional<Slot>> install(std::uint32_t slot, const Slot& value) noexcept;
  // __io_fixed_fd_install with IORING_FILE_INDEX_ALLOC: allocates a slot (see above) and
  // installs there; returns the slot. ENFILE when the range is full (or nothing registered).
  result<std::uint32_t> install_alloc(const Slot& value) noexcept;
  // The slot install_alloc would pick now, without changing anything.
  [[nodiscard]] result<std::uint32_t> peek_alloc() const noexcept;
  // io_fixed_fd_remove (IORING_OP_CLOSE on a direct descriptor): ENXIO without a table, EINVAL
  // past its end, EBADF for an empty slot. Returns what was there.
  result<Slot> remove(std::uint32_t slot) noexcept;

  // The occupant of `slot`, or nullptr (empty, out of range, no table): a request naming such a
  // slot fails with EBADF.
  [[nodiscard]] const Slot* get(std::uint32_t slot) const noexcept;
  [[nodiscard]] bool occupied(std::uint32_t slot) const noexcept { return get(slot) != nullptr; }

  // IORING_REGISTER_FILE_ALLOC_RANGE (io_register_file_alloc_range): EOVERFLOW when off + len
  // wraps, EINVAL when it passes the table (or nothing is registered and len + off > 0).
  result<void> set_alloc_range(std::uint32_t off, std::uint32_t len) noexcept;

 private:
  static constexpr std::uint32_t word_bits = 64;
  [[nodiscard]] bool bit(std::uint32_t i) const noexcept {
    return ((bitmap_[i / word_bits] >> (i % word_bits)) & 1u) != 0;
  }
  void set_bit(std::uint32_t i) noexcept;    // io_file_bitmap_set: hint = i + 1
  void clear_bit(std::uint32_t i) noexcept;  // io_file_bitmap_clear: hint = i
  // find_next_zero_bit(bitmap, size, from): the first clear bit in [from, size), or size.
  [[nodiscard]] std::uint32_t find_next_zero(std::uint32_t size, std::uint32_t from) const noexcept;
  // io_file_bitmap_get on a copy of the hint; writes the hint the kernel would leave.
  [[nodiscard]] result<std::uint32_t> find_alloc(std::uint32_t& hint) const noexcept;
  void reset() noexcept;

  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<std::uint64_t[]> bitmap_;
  std::uint32_t size_ = 0;
  std::uint32_t used_ = 0;
  std::uint32_t hint_ = 0;
  AllocRange range_{};
};

// ---- templates ----------------------------------------------------------------------------

template <class Resolve>
result<void> FileSlotTable::register_files(std::span<const int> fds,
                                           std::span<const std::uint64_t> tags, Resolve&& resolve,
                                           std::uint64_t nofile_limit) noexcept {
  if (!tags.empty() && tags.size() != fds.size()) return Error{EINVAL};
  if (fds.size() > max_slots) return registered() ? Error{EBUSY} : Error{EMFILE};
  const result<void> created = create(static_cast<std::uint32_t>(fds.size()), nofile_limit);
  if (!created) return created;
  for (std::uint32_t i = 0; i < fds.size(); ++i) {
    const std::uint64_t tag = tags.empty() ? 0 : tags[i];
    if (fds[i] == -1) {
      if (tag != 0) {
        reset();
        return Error{EINVAL};
      }
      continue;
    }
    const result<std::uint64_t> file = resolve(fds[i]);
    if (!file) {
      reset();
      return file.error();
    }
    slots_[i] = Slot{*file, tag};
    set_bit(i);
  }
  range_ = AllocRange{0, size_};
  hint_ = 0;
  return {};
}

template <class Release>
result<void> FileSlotTable::destroy(Release&& on_release) noexcept {
  if (!registered()) return Error{ENXIO};
  // io_rsrc_data_free drops the nodes from the table's end: tags post last slot first.
  for (std::uint32_t i = size_; i-- > 0;)
    if (bit(i)) on_release(i, slots_[i]);
  reset();
  return {};
}

template <class Resolve, class Release>
result<std::uint32_t> FileSlotTable::update(std::uint32_t offset, std::span<const int> fds,
                                            std::span<const std::uint64_t> tags, Resolve&& resolve,
                                            Release&& on_release) noexcept {
  // The order of the checks is io_register_files_update's, then __io_sqe_files_update's.
  if (fds.empty() || (!tags.empty() && tags.size() != fds.size())) return Error{EINVAL};
  if (fds.size() > 0xffffffffu - offset) return Error{EOVERFLOW};
  if (!registered()) return Error{ENXIO};
  if (offset + fds.size() > size_) return Error{EINVAL};
  std::uint32_t done = 0;
  Error failure{};
  for (; done < fds.size(); ++done) {
    const int fd = fds[done];
    const std::uint64_t tag = tags.empty() ? 0 : tags[done];
    if ((fd == skip_fd || fd == -1) && tag != 0) {
      failure = Error{EINVAL};
      break;
    }
    if (fd == skip_fd) continue;
    const std::uint32_t i = offset + done;
    if (bit(i)) {
      on_release(i, slots_[i]);
      slots_[i] = Slot{};
      clear_bit(i);
    }
    if (fd != -1) {
      const result<std::uint64_t> file = resolve(fd);
      if (!file) {
        failure = file.error();
        break;
      }
      slots_[i] = Slot{*file, tag};
      set_bit(i);
    }
  }
  if (done != 0) return done;
  if (failure.value() != 0) return failure;
  return std::uint32_t{0};
}

}  // namespace ringkit
