// 4 KiB random reads of a page-cached file at queue depth 32: 32 reads are always queued or in
// flight, each completion immediately replaced by a read of the next offset. Offsets come from
// the fixed-seed xorshift, so both implementations read the same blocks in the same order.
//
// read/plain/*: a plain fd and plain buffers (IORING_OP_READ).
// read/fixed/*: a registered file and registered buffers (IORING_OP_READ_FIXED with
//               IOSQE_FIXED_FILE), which skip the per-request fd lookup and page pinning.
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ringkit/op/rw.hpp"

namespace ringkit::bench {
namespace {

constexpr std::uint32_t block_bytes = 4096;
constexpr std::uint64_t file_bytes = 64ull << 20;
constexpr std::uint64_t file_blocks = file_bytes / block_bytes;
static_assert((file_blocks & (file_blocks - 1)) == 0, "offsets are masked, not divided");
constexpr std::uint32_t queue_depth = 32;
constexpr std::uint32_t ring_entries = 64;

// A 64 MiB file, unlinked at once (it lives as long as the process holds the fd) and read once
// in full so every benchmark reads from the page cache. -1 when it cannot be made.
int cached_file_fd() {
  static const int fd = [] {
    char path[] = "/tmp/ringkit-bench-XXXXXX";
    const int file = mkstemp(path);
    if (file < 0) return -1;
    unlink(path);
    std::vector<unsigned char> chunk(1u << 20);
    for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<unsigned char>(i * 7);
    for (std::uint64_t off = 0; off < file_bytes; off += chunk.size()) {
      if (pwrite(file, chunk.data(), chunk.size(), static_cast<off_t>(off)) !=
          static_cast<ssize_t>(chunk.size())) {
        close(file);
        return -1;
      }
    }
    for (std::uint64_t off = 0; off < file_bytes; off += chunk.size()) {
      if (pread(file, chunk.data(), chunk.size(), static_cast<off_t>(off)) !=
          static_cast<ssize_t>(chunk.size())) {
        close(file);
        return -1;
      }
    }
    return file;
  }();
  return fd;
}

// queue_depth page-aligned 4 KiB buffers, one per in-flight slot (slot = user_data = buf_index).
class ReadBuffers {
 public:
  ReadBuffers() : memory_(std::aligned_alloc(block_bytes, queue_depth * block_bytes)) {
    if (memory_ == nullptr) return;
    for (std::uint32_t i = 0; i < queue_depth; ++i) iovecs_[i] = {slot(i), block_bytes};
  }
  ~ReadBuffers() { std::free(memory_); }
  ReadBuffers(const ReadBuffers&) = delete;
  ReadBuffers& operator=(const ReadBuffers&) = delete;

  [[nodiscard]] bool ok() const noexcept { return memory_ != nullptr; }
  void* slot(std::uint32_t i) noexcept {
    return static_cast<unsigned char*>(memory_) + i * block_bytes;
  }
  [[nodiscard]] const std::array<iovec, queue_depth>& iovecs() const noexcept { return iovecs_; }

 private:
  void* memory_;
  std::array<iovec, queue_depth> iovecs_{};
};

std::uint64_t next_offset(XorShift64& rng) noexcept {
  return (rng.next() & (file_blocks - 1)) * block_bytes;
}

// Completions reaped per submit_and_wait(1): how well each enter batches (the same workload
// should give the same number on both sides; a difference means a different number of syscalls).
void report_completions_per_enter(benchmark::State& state, std::uint64_t items) {
  const auto iterations = static_cast<double>(state.iterations());
  if (iterations > 0) state.counters["per_enter"] = static_cast<double>(items) / iterations;
}

// Runs before the ring is made, so a failure skips the benchmark with a reason.
bool prepare(benchmark::State& state, int fd, const ReadBuffers& buffers) {
  if (fd < 0) {
    state.SkipWithError("could not create and cache the 64 MiB file in /tmp");
    return false;
  }
  if (!buffers.ok()) {
    state.SkipWithError("could not allocate the read buffers");
    return false;
  }
  return true;
}

template <bool Fixed>
void read_liburing(benchmark::State& state) {
  const int fd = cached_file_fd();
  ReadBuffers buffers;  // outlives the ring: the kernel writes into it
  if (!prepare(state, fd, buffers)) return;
  LiburingRing ring(default_config(ring_entries), state);
  if (!ring.ok()) return;
  io_uring* r = ring.get();
  if constexpr (Fixed) {
    if (io_uring_register_files(r, &fd, 1) < 0 ||
        io_uring_register_buffers(r, buffers.iovecs().data(), queue_depth) < 0) {
      state.SkipWithError("registering the file or the buffers failed");
      return;
    }
  }
  XorShift64 rng;
  const auto queue_read = [&](std::uint32_t slot) {
    io_uring_sqe* sqe = io_uring_get_sqe(r);
    if constexpr (Fixed) {
      io_uring_prep_read_fixed(sqe, 0, buffers.slot(slot), block_bytes, next_offset(rng),
                               static_cast<int>(slot));
      sqe->flags |= IOSQE_FIXED_FILE;
    } else {
      io_uring_prep_read(sqe, fd, buffers.slot(slot), block_bytes, next_offset(rng));
    }
    sqe->user_data = slot;
  };
  for (std::uint32_t slot = 0; slot < queue_depth; ++slot) queue_read(slot);

  std::uint64_t items = 0;
  bool short_read = false;
  for (auto _ : state) {
    if (io_uring_submit_and_wait(r, 1) < 0) {
      state.SkipWithError("io_uring_submit_and_wait failed");
      break;
    }
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(r, head, cqe) {
      short_read |= cqe->res != static_cast<int>(block_bytes);
      queue_read(static_cast<std::uint32_t>(cqe->user_data));
      ++seen;
    }
    io_uring_cq_advance(r, seen);
    items += seen;
    if (short_read) {
      state.SkipWithError("a read did not return 4096 bytes");
      break;
    }
  }
  // Untimed: collect the queue_depth reads still queued or in flight before the buffers go.
  for (std::uint32_t outstanding = queue_depth; outstanding != 0;) {
    if (io_uring_submit_and_wait(r, 1) < 0) break;
    outstanding -= io_uring_cq_ready(r);
    io_uring_cq_advance(r, io_uring_cq_ready(r));
  }
  report_completions_per_enter(state, items);
  report_items(state, items);
}

template <bool Fixed>
void read_ringkit(benchmark::State& state) {
  const int fd = cached_file_fd();
  ReadBuffers buffers;  // outlives the ring: the kernel writes into it
  if (!prepare(state, fd, buffers)) return;
  std::unique_ptr<UringRing> owner = make_ringkit_ring(default_config(ring_entries), state);
  if (!owner) return;
  Ring& ring = *owner;
  if constexpr (Fixed) {
    if (!ring.register_files(std::span<const int>(&fd, 1)) ||
        !ring.register_buffers(buffers.iovecs())) {
      state.SkipWithError("registering the file or the buffers failed");
      return;
    }
  }
  XorShift64 rng;
  const auto queue_read = [&](std::uint32_t slot) noexcept {
    abi::Sqe sqe =
        Fixed ? op::ReadFixed(op::FixedFile{0}, buffers.slot(slot), block_bytes, next_offset(rng),
                              op::BufIndex{static_cast<std::uint16_t>(slot)})
                    .build()
              : op::Read(op::Fd{fd}, buffers.slot(slot), block_bytes, next_offset(rng)).build();
    sqe.user_data = slot;
    (void)ring.push(sqe);  // at most queue_depth (< ring_entries) are ever queued
  };
  for (std::uint32_t slot = 0; slot < queue_depth; ++slot) queue_read(slot);

  std::uint64_t items = 0;
  bool short_read = false;
  for (auto _ : state) {
    if (!ring.submit_and_wait(1)) {
      state.SkipWithError("submit_and_wait failed");
      break;
    }
    const std::uint32_t seen = ring.for_each_cqe([&](const abi::Cqe& cqe) noexcept {
      short_read |= cqe.res != static_cast<std::int32_t>(block_bytes);
      queue_read(static_cast<std::uint32_t>(cqe.user_data));
    });
    ring.cq_advance(seen);
    items += seen;
    if (short_read) {
      state.SkipWithError("a read did not return 4096 bytes");
      break;
    }
  }
  // Untimed: collect the queue_depth reads still queued or in flight before the buffers go.
  for (std::uint32_t outstanding = queue_depth; outstanding != 0;) {
    if (!ring.submit_and_wait(1)) break;
    const std::uint32_t ready = ring.cq_ready();
    outstanding -= ready;
    ring.cq_advance(ready);
  }
  report_completions_per_enter(state, items);
  report_items(state, items);
}

[[maybe_unused]] const bool registered = [] {
  use_chosen_clock(benchmark::RegisterBenchmark("read/plain/liburing/qd:32", read_liburing<false>));
  use_chosen_clock(benchmark::RegisterBenchmark("read/plain/ringkit/qd:32", read_ringkit<false>));
  use_chosen_clock(benchmark::RegisterBenchmark("read/fixed/liburing/qd:32", read_liburing<true>));
  use_chosen_clock(benchmark::RegisterBenchmark("read/fixed/ringkit/qd:32", read_ringkit<true>));
  return true;
}();

}  // namespace
}  // namespace ringkit::bench
