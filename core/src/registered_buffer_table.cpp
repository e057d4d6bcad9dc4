#include "ringkit/registered_buffer_table.hpp"

#include <cerrno>
#include <new>

namespace ringkit {

namespace {
constexpr std::uint64_t page_size = 4096;
}

result<void> RegisteredBufferTable::validate(const iovec& buffer) noexcept {
  if (buffer.iov_base == nullptr) return buffer.iov_len != 0 ? Error{EFAULT} : result<void>{};
  if (buffer.iov_len == 0 || buffer.iov_len > max_buffer_bytes) return Error{EFAULT};
  const auto base = reinterpret_cast<std::uint64_t>(buffer.iov_base);
  const std::uint64_t accounted = (buffer.iov_len + page_size - 1) & ~(page_size - 1);
  if (base > ~std::uint64_t{0} - accounted) return Error{EOVERFLOW};
  return {};
}

result<void> RegisteredBufferTable::allocate(std::uint32_t nr) noexcept {
  if (registered()) return Error{EBUSY};
  if (nr == 0 || nr > max_buffers) return Error{EINVAL};
  entries_.reset(new (std::nothrow) std::optional<Entry>[nr]);
  if (!entries_) return Error{ENOMEM};
  size_ = nr;
  return {};
}

void RegisteredBufferTable::reset() noexcept {
  entries_.reset();
  size_ = 0;
}

result<void> RegisteredBufferTable::create(std::uint32_t nr) noexcept { return allocate(nr); }

result<void> RegisteredBufferTable::register_buffers(std::span<const iovec> buffers,
                                                     std::span<const std::uint64_t> tags) noexcept {
  if (!tags.empty() && tags.size() != buffers.size()) return Error{EINVAL};
  if (registered()) return Error{EBUSY};
  if (buffers.size() > max_buffers) return Error{EINVAL};
  const result<void> allocated = allocate(static_cast<std::uint32_t>(buffers.size()));
  if (!allocated) return allocated;
  for (std::uint32_t i = 0; i < size_; ++i) {
    const iovec& buffer = buffers[i];
    const std::uint64_t tag = tags.empty() ? 0 : tags[i];
    const result<void> valid = validate(buffer);
    if (!valid) {
      reset();
      return valid;
    }
    if (buffer.iov_base == nullptr) {
      if (tag != 0) {
        reset();
        return Error{EINVAL};
      }
      continue;
    }
    entries_[i] = Entry{reinterpret_cast<std::uint64_t>(buffer.iov_base), buffer.iov_len, tag};
  }
  return {};
}

const RegisteredBufferTable::Entry* RegisteredBufferTable::get(std::uint32_t index) const noexcept {
  if (index >= size_ || !entries_[index]) return nullptr;
  return &*entries_[index];
}

result<RegisteredBufferTable::Entry> RegisteredBufferTable::resolve(
    std::uint16_t index, std::uint64_t addr, std::uint64_t len) const noexcept {
  const Entry* entry = get(index);
  if (entry == nullptr) return Error{EFAULT};
  if (len > ~std::uint64_t{0} - addr) return Error{EFAULT};
  if (addr < entry->addr || addr + len > entry->addr + entry->len) return Error{EFAULT};
  if (len > max_rw_count) return Error{EFAULT};
  return *entry;
}

}  // namespace ringkit
