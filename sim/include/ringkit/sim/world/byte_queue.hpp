// ByteQueue: a bounded FIFO of bytes (a ring buffer), the storage of pipes and stream sockets.
//
// Storage is allocated when the capacity is set, never per operation. Helpers move bytes
// between the queue and iovec arrays, the shape read/write/sendmsg/recvmsg hand over.
#pragma once

#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace ringkit::sim {

// Total length of an iovec array.
[[nodiscard]] inline std::size_t iov_length(std::span<const iovec> iov) noexcept {
  std::size_t total = 0;
  for (const iovec& v : iov) total += v.iov_len;
  return total;
}

// Copies up to `n` bytes from `iov` (starting `skip` bytes in) into `out`; returns the count.
inline std::size_t iov_gather(std::span<const iovec> iov, std::size_t skip, std::byte* out,
                              std::size_t n) noexcept {
  std::size_t done = 0;
  for (const iovec& v : iov) {
    if (done == n) break;
    if (skip >= v.iov_len) {
      skip -= v.iov_len;
      continue;
    }
    const std::size_t take = std::min(v.iov_len - skip, n - done);
    std::memcpy(out + done, static_cast<const std::byte*>(v.iov_base) + skip, take);
    done += take;
    skip = 0;
  }
  return done;
}

// Copies `n` bytes from `in` into `iov` (starting `skip` bytes in); returns the count copied.
inline std::size_t iov_scatter(std::span<const iovec> iov, std::size_t skip, const std::byte* in,
                               std::size_t n) noexcept {
  std::size_t done = 0;
  for (const iovec& v : iov) {
    if (done == n) break;
    if (skip >= v.iov_len) {
      skip -= v.iov_len;
      continue;
    }
    const std::size_t take = std::min(v.iov_len - skip, n - done);
    std::memcpy(static_cast<std::byte*>(v.iov_base) + skip, in + done, take);
    done += take;
    skip = 0;
  }
  return done;
}

class ByteQueue {
 public:
  ByteQueue() noexcept = default;
  explicit ByteQueue(std::size_t capacity) noexcept { set_capacity(capacity); }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t free_space() const noexcept {
    return size_ >= capacity_ ? 0 : capacity_ - size_;
  }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  // Changes the capacity, keeping the queued bytes; a capacity below size() keeps them all and
  // accepts nothing until enough is consumed. (Allocates: a configuration call, not per op.)
  void set_capacity(std::size_t capacity) noexcept {
    std::vector<std::byte> fresh(std::max(capacity, size_));
    copy_out(0, fresh.data(), size_);
    storage_.swap(fresh);
    head_ = 0;
    capacity_ = capacity;
  }

  // Appends up to free_space() bytes from `iov` (skipping `skip` bytes); returns the count.
  std::size_t push_iov(std::span<const iovec> iov, std::size_t skip, std::size_t n) noexcept {
    n = std::min(n, free_space());
    std::size_t done = 0;
    while (done < n) {
      const std::size_t tail = (head_ + size_) % storage_.size();
      const std::size_t run = std::min(n - done, storage_.size() - tail);
      iov_gather(iov, skip + done, storage_.data() + tail, run);
      size_ += run;
      done += run;
    }
    return done;
  }
  std::size_t push(std::span<const std::byte> bytes) noexcept {
    const iovec v{const_cast<std::byte*>(bytes.data()), bytes.size()};  // read only
    return push_iov(std::span<const iovec>(&v, 1), 0, bytes.size());
  }

  // Copies up to `n` bytes starting `offset` bytes into the queue, without consuming.
  std::size_t peek_iov(std::span<const iovec> iov, std::size_t skip, std::size_t offset,
                       std::size_t n) const noexcept {
    if (offset >= size_) return 0;
    n = std::min(n, size_ - offset);
    std::size_t done = 0;
    while (done < n) {
      const std::size_t pos = (head_ + offset + done) % storage_.size();
      const std::size_t run = std::min(n - done, storage_.size() - pos);
      iov_scatter(iov, skip + done, storage_.data() + pos, run);
      done += run;
    }
    return done;
  }
  std::size_t peek(std::span<std::byte> out, std::size_t offset = 0) const noexcept {
    const iovec v{out.data(), out.size()};
    return peek_iov(std::span<const iovec>(&v, 1), 0, offset, out.size());
  }
  // Drops up to `n` bytes from the front; returns the count.
  std::size_t consume(std::size_t n) noexcept {
    n = std::min(n, size_);
    if (n == 0) return 0;
    head_ = (head_ + n) % storage_.size();
    size_ -= n;
    if (size_ == 0) head_ = 0;
    return n;
  }
  // Drops up to `n` bytes from the back (the newest); returns the count.
  std::size_t drop_back(std::size_t n) noexcept {
    n = std::min(n, size_);
    size_ -= n;
    if (size_ == 0) head_ = 0;
    return n;
  }
  void clear() noexcept {
    head_ = 0;
    size_ = 0;
  }

 private:
  void copy_out(std::size_t offset, std::byte* out, std::size_t n) const noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = storage_[(head_ + offset + i) % storage_.size()];
  }

  std::vector<std::byte> storage_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace ringkit::sim
