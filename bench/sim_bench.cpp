// The simulator against the kernel, in one benchmark each so that machine load hits both alike:
// chunks of about 1024 operations alternate between a SimRing and a kernel UringRing, both
// driven through the same Ring& code, each chunk timed on the thread's CPU clock. "ratio" is
// the median over chunk pairs of the kernel's time / the simulator's (the simulator's
// throughput relative to the kernel's); the bars are ratio >= 3 for NOPs and >= 1 for
// reads.
//
// sim-vs-kernel/nop/batch:32: 32 NOPs, one submit_and_wait(32), every CQE reaped.
// sim-vs-kernel/read4k/depth:32: 32 random 4 KiB READs of a 16 MiB file (page-cached for the
//   kernel, in the simulated file system for the simulator), submitted and reaped together.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ringkit/op/nop.hpp"
#include "ringkit/op/rw_io.hpp"
#include "ringkit/sim/sim_ring.hpp"

namespace ringkit::bench {
namespace {

constexpr std::uint32_t batch = 32;
constexpr std::uint32_t block_bytes = 4096;
constexpr std::uint64_t file_bytes = 16ull << 20;
constexpr std::uint64_t file_blocks = file_bytes / block_bytes;

double cpu_now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double median_of(std::vector<double>& values) {
  if (values.empty()) return 0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// One batch of work on either ring; nullptr on success, else what went wrong.
using BatchFn = const char* (*)(Ring&, int fd, std::byte* buffers, XorShift64& rng);

const char* nop_batch(Ring& ring, int, std::byte*, XorShift64&) {
  for (std::uint32_t i = 0; i < batch; ++i) {
    abi::Sqe sqe = op::Nop().build();
    sqe.user_data = i;
    (void)ring.push(sqe);
  }
  const result<std::uint32_t> submitted = ring.submit_and_wait(batch);
  if (!submitted || *submitted != batch) return "submit_and_wait submitted fewer than the batch";
  const std::uint32_t seen =
      ring.for_each_cqe([](const abi::Cqe& cqe) noexcept { benchmark::DoNotOptimize(cqe.res); });
  ring.cq_advance(seen);
  return seen == batch ? nullptr : "fewer CQEs than NOPs";
}

const char* read_batch(Ring& ring, int fd, std::byte* buffers, XorShift64& rng) {
  for (std::uint32_t i = 0; i < batch; ++i) {
    const std::uint64_t offset = (rng.next() & (file_blocks - 1)) * block_bytes;
    abi::Sqe sqe =
        op::Read(op::Fd{fd}, buffers + std::size_t{i} * block_bytes, block_bytes, offset).build();
    sqe.user_data = i;
    (void)ring.push(sqe);
  }
  const result<std::uint32_t> submitted = ring.submit_and_wait(batch);
  if (!submitted || *submitted != batch) return "submit_and_wait submitted fewer than the batch";
  bool short_read = false;
  const std::uint32_t seen = ring.for_each_cqe([&short_read](const abi::Cqe& cqe) noexcept {
    short_read |= cqe.res != static_cast<std::int32_t>(block_bytes);
  });
  ring.cq_advance(seen);
  if (seen != batch) return "fewer CQEs than READs";
  return short_read ? "a READ did not return 4096 bytes" : nullptr;
}

// A 16 MiB file in /tmp, unlinked at once and read once so the page cache holds it.
int kernel_file() {
  char path[] = "/tmp/ringkit-sim-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  unlink(path);
  std::vector<char> chunk(1 << 20, 'k');
  for (std::uint64_t off = 0; off < file_bytes; off += chunk.size()) {
    if (pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(off)) !=
        static_cast<ssize_t>(chunk.size())) {
      close(fd);
      return -1;
    }
  }
  for (std::uint64_t off = 0; off < file_bytes; off += chunk.size()) {
    if (pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(off)) !=
        static_cast<ssize_t>(chunk.size())) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

void sim_vs_kernel(benchmark::State& state, BatchFn fn, bool with_file) {
  constexpr std::uint32_t chunk = 1024 / batch;  // batches per timed chunk
  constexpr double ops = double{chunk} * batch;
  std::unique_ptr<UringRing> kernel = make_ringkit_ring(default_config(256), state);
  if (!kernel) return;
  sim::World world;
  RingOptions options;
  options.entries = 256;
  result<std::unique_ptr<sim::SimRing>> made = sim::SimRing::create(world, options);
  if (!made) {
    state.SkipWithError(("SimRing::create: " + made.error().message()).c_str());
    return;
  }
  sim::SimRing& simulated = **made;

  int kernel_fd = -1;
  int sim_fd = -1;
  if (with_file) {
    kernel_fd = kernel_file();
    if (kernel_fd < 0) {
      state.SkipWithError("could not create and cache the 16 MiB file in /tmp");
      return;
    }
    const std::vector<std::byte> content(file_bytes, std::byte{'s'});
    if (!world.fs().create_file("/data", content)) {
      state.SkipWithError("could not create /data in the simulated file system");
      close(kernel_fd);
      return;
    }
    const result<sim::FileRef> opened = world.fs().openat(nullptr, "/data", O_RDONLY, 0);
    const result<int> installed =
        opened ? world.fds().install(*opened) : result<int>(opened.error());
    if (!installed) {
      state.SkipWithError("could not open /data in the simulated file system");
      close(kernel_fd);
      return;
    }
    sim_fd = *installed;
  }
  std::vector<std::byte> buffers(std::size_t{batch} * block_bytes);
  XorShift64 kernel_rng;
  XorShift64 sim_rng;

  const char* failed = nullptr;
  const auto time_side = [&](Ring& ring, int fd, XorShift64& rng) {
    const double start = cpu_now_ns();
    for (std::uint32_t c = 0; c < chunk && failed == nullptr; ++c) {
      failed = fn(ring, fd, buffers.data(), rng);
    }
    return cpu_now_ns() - start;
  };
  std::vector<double> kernel_ns;
  std::vector<double> sim_ns;
  std::vector<double> ratios;
  bool kernel_first = true;
  for (auto _ : state) {
    double k = 0;
    double s = 0;
    // Alternating which goes first cancels what running second costs or gains.
    if (kernel_first) {
      k = time_side(*kernel, kernel_fd, kernel_rng);
      s = time_side(simulated, sim_fd, sim_rng);
    } else {
      s = time_side(simulated, sim_fd, sim_rng);
      k = time_side(*kernel, kernel_fd, kernel_rng);
    }
    kernel_first = !kernel_first;
    if (failed != nullptr) {
      state.SkipWithError(failed);
      break;
    }
    kernel_ns.push_back(k / ops);
    sim_ns.push_back(s / ops);
    if (s > 0) ratios.push_back(k / s);
  }
  if (kernel_fd >= 0) close(kernel_fd);
  state.counters["ratio"] = median_of(ratios);
  state.counters["kernel_ns_per_op"] = median_of(kernel_ns);
  state.counters["sim_ns_per_op"] = median_of(sim_ns);
}

[[maybe_unused]] const bool registered = [] {
  benchmark::RegisterBenchmark("sim-vs-kernel/nop/batch:32", sim_vs_kernel, &nop_batch, false);
  benchmark::RegisterBenchmark("sim-vs-kernel/read4k/depth:32", sim_vs_kernel, &read_batch, true);
  return true;
}();

}  // namespace
}  // namespace ringkit::bench
