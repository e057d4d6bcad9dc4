#include "ringkit/provided_buffer_ring.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <new>
#include <utility>

#include "ringkit/abi/register.hpp"
#include "ringkit/ring.hpp"

namespace ringkit {

namespace {

// Anonymous mappings: page-aligned (the kernel rejects a ring address that is not), zeroed,
// and never shared with the allocator's other users.
void* map_anonymous(std::size_t bytes) noexcept {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

void ProvidedBufferRing::MemoryRelease::operator()(void* p) const noexcept {
  if (p != nullptr) munmap(p, bytes);
}

result<ProvidedBufferRing> ProvidedBufferRing::create(
    Ring& ring, const ProvidedBufferRingOptions& options) noexcept {
  if (!abi::buf_ring_entries_valid(options.entries)) return Error{EINVAL};
  if (options.buffer_size == 0) return Error{EINVAL};
  if (options.min_left != 0 && !options.incremental) return Error{EINVAL};
  // Each buffer must be addressable by a 32-bit length and the whole set by a size_t.
  const std::uint64_t total = std::uint64_t{options.entries} * options.buffer_size;
  if (total > (std::uint64_t{1} << 40)) return Error{EOVERFLOW};

  ProvidedBufferRing r;
  r.entries_ = options.entries;
  r.buffer_size_ = options.buffer_size;
  r.bgid_ = options.bgid;
  r.incremental_ = options.incremental;
  r.min_left_ = options.min_left;

  const std::size_t ring_bytes = abi::buf_ring_size(options.entries);
  r.ring_mapping_ = Mapping(map_anonymous(ring_bytes), MemoryRelease{ring_bytes});
  const auto buffer_bytes = static_cast<std::size_t>(total);
  r.buffer_mapping_ = Mapping(map_anonymous(buffer_bytes), MemoryRelease{buffer_bytes});
  r.states_.reset(new (std::nothrow) BufferState[options.entries]);
  if (!r.ring_mapping_ || !r.buffer_mapping_ || !r.states_) return Error{ENOMEM};
  r.ring_memory_ = static_cast<abi::Buf*>(r.ring_mapping_.get());
  r.buffers_ = static_cast<std::byte*>(r.buffer_mapping_.get());

  // Queue every buffer before the kernel can look: registration reads the tail right away.
  for (std::uint32_t bid = 0; bid < options.entries; ++bid) {
    const auto id = static_cast<std::uint16_t>(bid);
    r.add(r.buffer_address(id), options.buffer_size, id, bid);
    r.states_[bid].kernel_holds = true;
  }
  // entries <= 32768 fits the u16 tail.
  r.advance(static_cast<std::uint16_t>(options.entries));
  r.held_count_ = options.entries;

  abi::BufReg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(r.ring_memory_);
  reg.ring_entries = options.entries;
  reg.bgid = options.bgid;
  reg.flags = options.incremental ? abi::pbuf_ring::inc : std::uint16_t{0};
  reg.min_left = options.min_left;
  const result<std::uint32_t> registered =
      ring.register_raw(abi::RegisterOp::register_pbuf_ring, &reg, 1);
  if (!registered) return registered.error();
  r.ring_ = &ring;
  return r;
}

ProvidedBufferRing::ProvidedBufferRing(ProvidedBufferRing&& other) noexcept
    : ring_(std::exchange(other.ring_, nullptr)),
      ring_mapping_(std::move(other.ring_mapping_)),
      buffer_mapping_(std::move(other.buffer_mapping_)),
      states_(std::move(other.states_)),
      ring_memory_(std::exchange(other.ring_memory_, nullptr)),
      buffers_(std::exchange(other.buffers_, nullptr)),
      entries_(std::exchange(other.entries_, 0u)),
      buffer_size_(other.buffer_size_),
      min_left_(other.min_left_),
      held_count_(std::exchange(other.held_count_, 0u)),
      bgid_(other.bgid_),
      tail_(other.tail_),
      incremental_(other.incremental_) {}

ProvidedBufferRing& ProvidedBufferRing::operator=(ProvidedBufferRing&& other) noexcept {
  if (this != &other) {
    release();
    ring_ = std::exchange(other.ring_, nullptr);
    ring_mapping_ = std::move(other.ring_mapping_);
    buffer_mapping_ = std::move(other.buffer_mapping_);
    states_ = std::move(other.states_);
    ring_memory_ = std::exchange(other.ring_memory_, nullptr);
    buffers_ = std::exchange(other.buffers_, nullptr);
    entries_ = std::exchange(other.entries_, 0u);
    buffer_size_ = other.buffer_size_;
    min_left_ = other.min_left_;
    held_count_ = std::exchange(other.held_count_, 0u);
    bgid_ = other.bgid_;
    tail_ = other.tail_;
    incremental_ = other.incremental_;
  }
  return *this;
}

ProvidedBufferRing::~ProvidedBufferRing() { release(); }

void ProvidedBufferRing::release() noexcept {
  // Unregister before unmapping: the kernel must stop reading the ring first. A failure here
  // has no one to report to; unregister() is the call that reports.
  (void)unregister();
  ring_mapping_.reset();
  buffer_mapping_.reset();
  states_.reset();
  ring_memory_ = nullptr;
  buffers_ = nullptr;
}

result<void> ProvidedBufferRing::unregister() noexcept {
  if (ring_ == nullptr) return {};
  Ring* ring = std::exchange(ring_, nullptr);
  return ring->unregister_buf_ring(bgid_);
}

void ProvidedBufferRing::add(std::uint64_t addr, std::uint32_t len, std::uint16_t bid,
                             std::uint32_t offset) noexcept {
  abi::Buf& entry = ring_memory_[(tail_ + offset) & mask()];
  entry.addr = addr;
  entry.len = len;
  entry.bid = bid;
  // entry.resv is left alone: in entry 0 it is the tail.
}

void ProvidedBufferRing::advance(std::uint16_t count) noexcept {
  tail_ = static_cast<std::uint16_t>(tail_ + count);
  auto* tail = reinterpret_cast<std::uint16_t*>(reinterpret_cast<std::byte*>(ring_memory_) +
                                                abi::buf_ring_tail_offset);
  // Release: the entries written by add() are visible before the kernel sees the new tail.
  std::atomic_ref<std::uint16_t>(*tail).store(tail_, std::memory_order_release);
}

std::uint64_t ProvidedBufferRing::buffer_address(std::uint16_t bid) const noexcept {
  return reinterpret_cast<std::uint64_t>(buffers_ + std::size_t{bid} * buffer_size_);
}

std::span<std::byte> ProvidedBufferRing::buffer(std::uint16_t bid) const noexcept {
  if (bid >= entries_) return {};
  return {buffers_ + std::size_t{bid} * buffer_size_, buffer_size_};
}

bool ProvidedBufferRing::held_by_kernel(std::uint16_t bid) const noexcept {
  return bid < entries_ && states_[bid].kernel_holds;
}

result<std::span<std::byte>> ProvidedBufferRing::take(const abi::Cqe& cqe) noexcept {
  if ((cqe.flags & abi::cqe_flag::buffer) == 0 || cqe.res < 0) return Error{EINVAL};
  const std::uint16_t bid = abi::cqe_buffer_id(cqe.flags);
  if (bid >= entries_) return Error{EINVAL};
  BufferState& state = states_[bid];
  if (!state.kernel_holds) return Error{EALREADY};
  const auto len = static_cast<std::uint32_t>(cqe.res);
  const std::uint32_t start = incremental_ ? state.consumed : 0;
  if (len > buffer_size_ - start) return Error{EINVAL};
  if (incremental_) state.consumed = start + len;
  if ((cqe.flags & abi::cqe_flag::buf_more) == 0 || !incremental_) {
    state.kernel_holds = false;
    --held_count_;
  }
  return std::span<std::byte>(buffers_ + std::size_t{bid} * buffer_size_ + start, len);
}

result<void> ProvidedBufferRing::recycle(std::uint16_t bid) noexcept {
  if (bid >= entries_) return Error{EINVAL};
  BufferState& state = states_[bid];
  if (state.kernel_holds) return Error{EBUSY};
  state.kernel_holds = true;
  state.consumed = 0;
  ++held_count_;
  add(buffer_address(bid), buffer_size_, bid);
  advance(1);
  return {};
}

}  // namespace ringkit
