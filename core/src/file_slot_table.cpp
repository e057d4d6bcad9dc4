#include "ringkit/file_slot_table.hpp"

#include <bit>
#include <cerrno>
#include <new>

namespace ringkit {

result<void> FileSlotTable::create(std::uint32_t nr, std::uint64_t nofile_limit) noexcept {
  if (registered()) return Error{EBUSY};
  if (nr == 0) return Error{EINVAL};
  if (nr > max_slots || nr > nofile_limit) return Error{EMFILE};
  const std::uint32_t words = (nr + word_bits - 1) / word_bits;
  slots_.reset(new (std::nothrow) Slot[nr]);
  bitmap_.reset(new (std::nothrow) std::uint64_t[words]());
  if (!slots_ || !bitmap_) {
    reset();
    return Error{ENOMEM};
  }
  size_ = nr;
  used_ = 0;
  range_ = AllocRange{0, nr};
  hint_ = 0;
  return {};
}

void FileSlotTable::reset() noexcept {
  slots_.reset();
  bitmap_.reset();
  size_ = 0;
  used_ = 0;
  // io_sqe_files_unregister: io_file_table_set_alloc_range(ctx, 0, 0).
  range_ = AllocRange{};
  hint_ = 0;
}

void FileSlotTable::set_bit(std::uint32_t i) noexcept {
  bitmap_[i / word_bits] |= std::uint64_t{1} << (i % word_bits);
  ++used_;
  hint_ = i + 1;
}

void FileSlotTable::clear_bit(std::uint32_t i) noexcept {
  bitmap_[i / word_bits] &= ~(std::uint64_t{1} << (i % word_bits));
  --used_;
  hint_ = i;
}

std::uint32_t FileSlotTable::find_next_zero(std::uint32_t size, std::uint32_t from) const noexcept {
  // The hint may lie past the range end (it follows installs anywhere in the table); the
  // kernel's find_next_zero_bit then finds nothing, and so do we.
  for (std::uint32_t i = from; i < size;) {
    const std::uint64_t free_bits = ~bitmap_[i / word_bits] >> (i % word_bits);
    if (free_bits != 0) {
      const std::uint32_t found = i + static_cast<std::uint32_t>(std::countr_zero(free_bits));
      return found < size ? found : size;
    }
    i = (i / word_bits + 1) * word_bits;
  }
  return size;
}

result<std::uint32_t> FileSlotTable::find_alloc(std::uint32_t& hint) const noexcept {
  if (!registered()) return Error{ENFILE};
  std::uint32_t end = range_.end;
  // io_file_bitmap_get: from the hint to the end, then once from the start to the old hint.
  // The search bound is the table size at most: the bitmap has no bits beyond it.
  for (;;) {
    const std::uint32_t limit = end < size_ ? end : size_;
    const std::uint32_t found = find_next_zero(limit, hint);
    if (found != limit) return found;
    if (hint == range_.start) break;
    end = hint;
    hint = range_.start;
  }
  return Error{ENFILE};
}

result<std::uint32_t> FileSlotTable::peek_alloc() const noexcept {
  std::uint32_t hint = hint_;
  return find_alloc(hint);
}

result<std::optional<FileSlotTable::Slot>> FileSlotTable::install(std::uint32_t slot,
                                                                  const Slot& value) noexcept {
  if (!registered()) return Error{ENXIO};
  if (slot >= size_) return Error{EINVAL};
  std::optional<Slot> previous;
  if (bit(slot)) {
    // io_reset_rsrc_node found an occupant: the bit stays set and the hint does not move.
    previous = slots_[slot];
  } else {
    set_bit(slot);
  }
  slots_[slot] = value;
  return previous;
}

result<std::uint32_t> FileSlotTable::install_alloc(const Slot& value) noexcept {
  const result<std::uint32_t> slot = find_alloc(hint_);
  if (!slot) return slot;
  const result<std::optional<Slot>> installed = install(*slot, value);
  if (!installed) return installed.error();
  return *slot;
}

result<FileSlotTable::Slot> FileSlotTable::remove(std::uint32_t slot) noexcept {
  if (!registered()) return Error{ENXIO};
  if (slot >= size_) return Error{EINVAL};
  if (!bit(slot)) return Error{EBADF};
  const Slot removed = slots_[slot];
  slots_[slot] = Slot{};
  clear_bit(slot);
  return removed;
}

const FileSlotTable::Slot* FileSlotTable::get(std::uint32_t slot) const noexcept {
  if (slot >= size_ || !bit(slot)) return nullptr;
  return &slots_[slot];
}

result<void> FileSlotTable::set_alloc_range(std::uint32_t off, std::uint32_t len) noexcept {
  if (len > 0xffffffffu - off) return Error{EOVERFLOW};
  if (off + len > size_) return Error{EINVAL};
  // io_file_table_set_alloc_range: the hint restarts at the range start.
  range_ = AllocRange{off, off + len};
  hint_ = off;
  return {};
}

}  // namespace ringkit
