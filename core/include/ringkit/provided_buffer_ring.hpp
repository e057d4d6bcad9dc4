// ProvidedBufferRing: the application's half of a provided-buffer ring (IORING_REGISTER_PBUF_RING).
//
// It owns the ring memory in the kernel's io_uring_buf_ring layout (entries * 16 bytes, the u16
// tail overlaid on entry 0's resv, page-aligned as the kernel requires) and, in its managed
// form, `entries` buffers of one size whose ids are their indexes. It registers the ring on a
// Ring and unregisters it on destruction, through that same Ring, so the code is the same on the
// kernel and in the simulator.
//
// The low-level calls follow liburing's io_uring_buf_ring_add/advance: add() writes an entry
// after the published tail, advance() publishes entries with a release store of the tail.
// The managed calls add bookkeeping: which buffers the kernel holds, and, for incremental
// consumption (IOU_PBUF_RING_INC, 6.12), where in a buffer the next completion's data starts.
//
// Lifetime: the Ring must outlive this object, and no request may still be using the group
// when it is destroyed (the kernel writes into the buffers until the request completes).
// Not thread-safe; recycle from the thread that reaps completions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "ringkit/abi/buf_ring.hpp"
#include "ringkit/abi/cqe.hpp"
#include "ringkit/op/types.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

class Ring;

struct ProvidedBufferRingOptions {
  std::uint16_t bgid = 0;
  std::uint32_t entries = 0;      // a power of two, at most 32768
  std::uint32_t buffer_size = 0;  // bytes per buffer, > 0
  // IOU_PBUF_RING_INC (Linux 6.12): a completion uses only the bytes it needs and the rest of
  // the buffer stays in the ring; its CQE has IORING_CQE_F_BUF_MORE while the kernel keeps it.
  bool incremental = false;
  // With incremental: a buffer with fewer bytes left than this counts as used up.
  std::uint32_t min_left = 0;
};

class ProvidedBufferRing {
 public:
  // Allocates the ring and entries * buffer_size bytes of buffers, queues every buffer (bid i is
  // buffer i) and registers the ring for options.bgid on `ring`. Errors: EINVAL for a bad size,
  // min_left without incremental or a zero buffer_size; EOVERFLOW when the buffers do not fit
  // in memory; ENOMEM; otherwise the kernel's answer to the registration (EEXIST: the group is
  // taken).
  static result<ProvidedBufferRing> create(Ring& ring,
                                           const ProvidedBufferRingOptions& options) noexcept;

  ProvidedBufferRing(ProvidedBufferRing&& other) noexcept;
  ProvidedBufferRing& operator=(ProvidedBufferRing&& other) noexcept;
  ProvidedBufferRing(const ProvidedBufferRing&) = delete;
  ProvidedBufferRing& operator=(const ProvidedBufferRing&) = delete;
  // Unregisters (if still registered) and frees the memory.
  ~ProvidedBufferRing();

  // Unregisters now and reports the kernel's answer; the memory stays until destruction.
  result<void> unregister() noexcept;
  [[nodiscard]] bool registered() const noexcept { return ring_ != nullptr; }

  [[nodiscard]] std::uint16_t bgid() const noexcept { return bgid_; }
  [[nodiscard]] op::BufGroup group() const noexcept { return op::BufGroup{bgid_}; }
  [[nodiscard]] std::uint32_t entries() const noexcept { return entries_; }
  [[nodiscard]] std::uint32_t mask() const noexcept { return abi::buf_ring_mask(entries_); }
  [[nodiscard]] std::uint32_t buffer_size() const noexcept { return buffer_size_; }
  [[nodiscard]] bool incremental() const noexcept { return incremental_; }
  [[nodiscard]] std::uint32_t min_left() const noexcept { return min_left_; }

  // The shared ring memory (entries Buf entries), for a simulator or a hand-made registration.
  [[nodiscard]] abi::Buf* ring_memory() const noexcept { return ring_memory_; }

  // ---- low level (liburing's io_uring_buf_ring_add / _advance) --------------------------------
  // Writes entry (tail + offset) & mask; the kernel sees it only after advance().
  void add(std::uint64_t addr, std::uint32_t len, std::uint16_t bid,
           std::uint32_t offset = 0) noexcept;
  // Publishes `count` entries written by add() (release store of the tail).
  void advance(std::uint16_t count) noexcept;
  // The published tail.
  [[nodiscard]] std::uint16_t tail() const noexcept { return tail_; }

  // ---- managed buffers --------------------------------------------------------------------
  // Buffer `bid`, whole (empty span for an id out of range).
  [[nodiscard]] std::span<std::byte> buffer(std::uint16_t bid) const noexcept;
  // The bytes a completion delivered into its buffer. The CQE must carry IORING_CQE_F_BUFFER
  // with an id of this ring and res >= 0 (else EINVAL), and the buffer must be the kernel's
  // (else EALREADY: a CQE taken twice, or one of another group). With incremental consumption
  // the data starts where the previous completion for that buffer ended. Unless the CQE has
  // IORING_CQE_F_BUF_MORE, the buffer is the application's afterwards, until recycle().
  result<std::span<std::byte>> take(const abi::Cqe& cqe) noexcept;
  // Hands buffer `bid` back to the kernel: add() + advance(1). EINVAL for an id out of range,
  // EBUSY when the kernel still holds it (recycling twice would hand it out twice).
  result<void> recycle(std::uint16_t bid) noexcept;
  // Whether the kernel holds buffer `bid` (queued, or partly used with F_BUF_MORE).
  [[nodiscard]] bool held_by_kernel(std::uint16_t bid) const noexcept;
  // How many managed buffers the kernel holds.
  [[nodiscard]] std::uint32_t held_by_kernel_count() const noexcept { return held_count_; }

 private:
  struct BufferState {
    std::uint32_t consumed = 0;  // bytes of the buffer incremental completions used so far
    bool kernel_holds = false;
  };
  struct MemoryRelease {
    std::size_t
        bytes;  // no initializer: it would make the enclosing class's default ctor ill-formed
    void operator()(void* p) const noexcept;
  };
  using Mapping = std::unique_ptr<void, MemoryRelease>;

  ProvidedBufferRing() noexcept = default;
  void release() noexcept;
  [[nodiscard]] std::uint64_t buffer_address(std::uint16_t bid) const noexcept;

  Ring* ring_ = nullptr;  // registered on; nullptr once unregistered
  Mapping ring_mapping_;
  Mapping buffer_mapping_;
  std::unique_ptr<BufferState[]> states_;
  abi::Buf* ring_memory_ = nullptr;
  std::byte* buffers_ = nullptr;
  std::uint32_t entries_ = 0;
  std::uint32_t buffer_size_ = 0;
  std::uint32_t min_left_ = 0;
  std::uint32_t held_count_ = 0;
  std::uint16_t bgid_ = 0;
  std::uint16_t tail_ = 0;
  bool incremental_ = false;
};

}  // namespace ringkit
