// The kernel's half of a provided-buffer ring: how io_uring/kbuf.c (Linux 6.18.y) picks buffers
// from an io_uring_buf_ring and commits what a transfer used.
//
// The simulator runs its buffer selection through this, and the tests use it as the "kernel"
// opposite ProvidedBufferRing, so both halves of the protocol are written down once:
// - select (io_ring_buffer_select): the tail is read with acquire; tail == head means no buffer
//   (the request fails with -ENOBUFS); otherwise the head entry is used, its length clipping the
//   request's (a request length of 0 takes the whole buffer).
// - commit (io_kbuf_commit): a negative length commits nothing; a plain ring moves head by nr;
//   an incremental ring (IOU_PBUF_RING_INC, io_kbuf_inc_commit) eats `len` bytes from the head
//   entry, rewriting its addr/len in the shared memory, and moves head only when what is left
//   is below min_left (0 and 1 both mean "empty"); a zero-length transfer consumes nothing.
//   A buffer not fully consumed is reported with IORING_CQE_F_BUF_MORE.
// The head is the kernel's private counter (u16, like bl->head); the application only sees it
// through IORING_REGISTER_PBUF_STATUS.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "ringkit/abi/buf_ring.hpp"
#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/register.hpp"

namespace ringkit {

class BufRingConsumer {
 public:
  struct Selection {
    std::uint64_t addr = 0;
    std::uint32_t len = 0;  // the request's length after clipping to the buffer
    std::uint16_t bid = 0;
  };

  // `ring` is the registered memory (entries a valid buf-ring size); flags and min_left as in
  // the BufReg that registered it.
  BufRingConsumer(abi::Buf* ring, std::uint32_t entries, std::uint16_t flags,
                  std::uint32_t min_left) noexcept
      : ring_(ring),
        mask_(abi::buf_ring_mask(entries)),
        incremental_((flags & abi::pbuf_ring::inc) != 0),
        min_left_sub_one_(min_left == 0 ? 0 : min_left - 1) {}

  [[nodiscard]] std::uint16_t head() const noexcept { return head_; }
  [[nodiscard]] bool incremental() const noexcept { return incremental_; }
  // The application's tail, as the kernel reads it (acquire: entries written before it).
  [[nodiscard]] std::uint16_t tail() const noexcept {
    auto* tail = reinterpret_cast<std::uint16_t*>(reinterpret_cast<std::byte*>(ring_) +
                                                  abi::buf_ring_tail_offset);
    return std::atomic_ref<std::uint16_t>(*tail).load(std::memory_order_acquire);
  }
  // Buffers the kernel could select now.
  [[nodiscard]] std::uint16_t available() const noexcept {
    return static_cast<std::uint16_t>(tail() - head_);
  }

  // The buffer a request wanting `want` bytes (0: any) would get; nullopt means -ENOBUFS.
  [[nodiscard]] std::optional<Selection> select(std::uint32_t want) const noexcept {
    if (tail() == head_) return std::nullopt;
    const abi::Buf& buf = ring_[head_ & mask_];
    Selection s;
    s.addr = buf.addr;
    s.len = (want == 0 || want > buf.len) ? buf.len : want;
    s.bid = buf.bid;
    return s;
  }

  // Commits a transfer of `len` bytes (negative: it failed) over `nr` selected buffers; returns
  // true when the buffers are used up, false when an incremental buffer still has room (its CQE
  // then carries IORING_CQE_F_BUF_MORE).
  bool commit(std::int32_t len, std::uint32_t nr = 1) noexcept {
    if (len < 0) return true;
    if (!incremental_) {
      head_ = static_cast<std::uint16_t>(head_ + nr);
      return true;
    }
    if (len == 0) return false;  // stable fix 3ecd3e03: nothing used, nothing consumed
    auto remaining = static_cast<std::uint32_t>(len);
    while (remaining != 0) {
      abi::Buf& buf = ring_[head_ & mask_];
      const std::uint32_t this_len = remaining < buf.len ? remaining : buf.len;
      const std::uint32_t left = buf.len - this_len;
      // A zero-length entry stops the walk instead of looping over the ring.
      if (left > min_left_sub_one_ || this_len == 0) {
        buf.addr += this_len;
        buf.len = left;
        return false;
      }
      buf.len = 0;
      ++head_;
      remaining -= this_len;
    }
    return true;
  }

  // The CQE flags of a completion that used buffer `bid`.
  [[nodiscard]] static constexpr std::uint32_t cqe_flags(std::uint16_t bid, bool used_up) noexcept {
    return abi::cqe_flag::buffer | (std::uint32_t{bid} << abi::cqe_flag::buffer_shift) |
           (used_up ? 0u : abi::cqe_flag::buf_more);
  }

 private:
  abi::Buf* ring_;
  std::uint32_t mask_;
  bool incremental_;
  std::uint32_t min_left_sub_one_;
  std::uint16_t head_ = 0;
};

}  // namespace ringkit
