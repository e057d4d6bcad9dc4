// RegisteredBufferTable: the registered-buffer table with the kernel's rules.
//
// IORING_REGISTER_BUFFERS pins user memory once so READ_FIXED/WRITE_FIXED (and the fixed forms
// of send_zc, readv/writev) name it by index instead of mapping it per request. This class is
// that table as Linux 6.18 runs it (io_uring/rsrc.c), errno for errno: the simulator's
// kernel-side table, and the application's mirror on either backend. An entry is an address
// range and its resource tag; an empty address makes a sparse (empty) slot.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "ringkit/result.hpp"

namespace ringkit {

class RegisteredBufferTable {
 public:
  // IORING_MAX_REG_BUFFERS.
  static constexpr std::uint32_t max_buffers = 1u << 14;
  // io_validate_user_buf_range's "arbitrary limit" per buffer (SZ_1G).
  static constexpr std::uint64_t max_buffer_bytes = std::uint64_t{1} << 30;
  // MAX_RW_COUNT (INT_MAX & PAGE_MASK with 4 KiB pages): the most one request moves.
  static constexpr std::uint64_t max_rw_count = 0x7ffff000;

  struct Entry {
    std::uint64_t addr = 0;
    std::uint64_t len = 0;
    std::uint64_t tag = 0;
    friend constexpr bool operator==(const Entry&, const Entry&) noexcept = default;
  };

  RegisteredBufferTable() noexcept = default;

  [[nodiscard]] bool registered() const noexcept { return size_ != 0; }
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }

  // io_buffer_validate: a null base is a sparse slot when its length is 0 (else EFAULT); a
  // buffer must be 1 byte .. 1 GiB (else EFAULT) and its page-rounded end must not wrap
  // (EOVERFLOW).
  static result<void> validate(const iovec& buffer) noexcept;

  // IORING_REGISTER_BUFFERS(2) (io_sqe_buffers_register): EBUSY (already registered), EINVAL
  // (0 or more than max_buffers); each iovec validated; a tag on an empty slot is EINVAL.
  // On error nothing stays registered. tags may be empty or as long as buffers.
  result<void> register_buffers(std::span<const iovec> buffers,
                                std::span<const std::uint64_t> tags) noexcept;
  // The sparse form (IORING_RSRC_REGISTER_SPARSE): `nr` empty slots.
  result<void> create(std::uint32_t nr) noexcept;

  // IORING_UNREGISTER_BUFFERS: ENXIO when nothing is registered; on_release(index, Entry) sees
  // every occupied slot in index order.
  template <class Release>
  result<void> destroy(Release&& on_release) noexcept;
  result<void> destroy() noexcept {
    return destroy([](std::uint32_t, const Entry&) noexcept {});
  }

  // IORING_REGISTER_BUFFERS_UPDATE (__io_sqe_buffers_update): EINVAL (no entries), EOVERFLOW
  // (offset + count wraps), ENXIO (no table), EINVAL (past the table); per entry: validate, a
  // tag on an empty iovec is EINVAL, then the slot is replaced (on_release sees the old one).
  // Returns the count done if any, else the first entry's error.
  template <class Release>
  result<std::uint32_t> update(std::uint32_t offset, std::span<const iovec> buffers,
                               std::span<const std::uint64_t> tags, Release&& on_release) noexcept;

  // The entry at `index`, or nullptr (empty or out of range).
  [[nodiscard]] const Entry* get(std::uint32_t index) const noexcept;

  // io_import_fixed's checks for a request on buffer `index` moving [addr, addr + len): EFAULT
  // when there is no such buffer, the range wraps or leaves the buffer, or len > max_rw_count.
  [[nodiscard]] result<Entry> resolve(std::uint16_t index, std::uint64_t addr,
                                      std::uint64_t len) const noexcept;

 private:
  result<void> allocate(std::uint32_t nr) noexcept;
  void reset() noexcept;

  std::unique_ptr<std::optional<Entry>[]> entries_;
  std::uint32_t size_ = 0;
};

template <class Release>
result<void> RegisteredBufferTable::destroy(Release&& on_release) noexcept {
  if (!registered()) return Error{ENXIO};
  // io_rsrc_data_free drops the nodes from the table's end: tags post last entry first.
  for (std::uint32_t i = size_; i-- > 0;)
    if (entries_[i]) on_release(i, *entries_[i]);
  reset();
  return {};
}

template <class Release>
result<std::uint32_t> RegisteredBufferTable::update(std::uint32_t offset,
                                                    std::span<const iovec> buffers,
                                                    std::span<const std::uint64_t> tags,
                                                    Release&& on_release) noexcept {
  if (buffers.empty() || (!tags.empty() && tags.size() != buffers.size())) return Error{EINVAL};
  if (buffers.size() > 0xffffffffu - offset) return Error{EOVERFLOW};
  if (!registered()) return Error{ENXIO};
  if (offset + buffers.size() > size_) return Error{EINVAL};
  std::uint32_t done = 0;
  Error failure{};
  for (; done < buffers.size(); ++done) {
    const iovec& buffer = buffers[done];
    const std::uint64_t tag = tags.empty() ? 0 : tags[done];
    const result<void> valid = validate(buffer);
    if (!valid) {
      failure = valid.error();
      break;
    }
    if (buffer.iov_base == nullptr && tag != 0) {
      failure = Error{EINVAL};
      break;
    }
    std::optional<Entry>& slot = entries_[offset + done];
    if (slot) on_release(offset + done, *slot);
    slot.reset();
    if (buffer.iov_base != nullptr)
      slot = Entry{reinterpret_cast<std::uint64_t>(buffer.iov_base), buffer.iov_len, tag};
  }
  if (done != 0) return done;
  return failure;
}

}  // namespace ringkit
