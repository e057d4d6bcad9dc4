// NOP throughput: `batch` NOPs queued, one submit_and_wait(batch), every CQE reaped. The NOP
// completes inline, so this measures the submit/reap path and the syscall, nothing else.
//
// nop/default/*: rings with no setup flags, batch 1, 8, 32, 256.
// nop/fast/*:    SINGLE_ISSUER | DEFER_TASKRUN and a registered ring fd, batch 1 and 32;
//                bench_ratios.py compares ringkit's against raw liburing with the same setup and
//                against raw liburing's default setup.
// nop/fast-inlined/ringkit: the same, calling through UringRing& instead of Ring&, so the
//                submit path is inlined into the loop (compared with nop/fast/liburing).
//
// nop-paired/<ringkit config>-vs-<liburing config>/*: both rings in one benchmark, alternating
// chunks of about 1024 NOPs (liburing first, then ringkit first), each chunk timed on the
// thread's CPU clock. "ratio" is the median over chunk pairs of liburing's time / ringkit's
// (ringkit's throughput relative to liburing's): load from other processes changes slowly
// compared with a chunk, so it hits both sides of a pair alike, where separately run benchmarks
// can land in different load.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "ringkit/op/nop.hpp"

namespace ringkit::bench {
namespace {

constexpr std::uint32_t ring_entries = 256;  // holds the largest batch

// One batch through raw liburing; nullptr on success, else what went wrong.
[[gnu::always_inline]] inline const char* liburing_nop_batch(io_uring* r, std::uint32_t batch) {
  for (std::uint32_t i = 0; i < batch; ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(r);
    io_uring_prep_nop(sqe);
    sqe->user_data = i;
  }
  const int submitted = io_uring_submit_and_wait(r, batch);
  if (submitted != static_cast<int>(batch)) {
    return "io_uring_submit_and_wait submitted fewer than the batch";
  }
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  io_uring_for_each_cqe(r, head, cqe) {
    benchmark::DoNotOptimize(cqe->res);
    ++seen;
  }
  io_uring_cq_advance(r, seen);
  if (seen != batch) return "fewer CQEs than NOPs after submit_and_wait(batch)";
  return nullptr;
}

// The same batch through ringkit: RingRef Ring calls through the interface (one virtual call per
// batch); RingRef UringRing names the final class, so the compiler may inline the enter path,
// syscall included.
template <class RingRef>
[[gnu::always_inline]] inline const char* ringkit_nop_batch(RingRef& ring, std::uint32_t batch) {
  for (std::uint32_t i = 0; i < batch; ++i) {
    abi::Sqe sqe = op::Nop().build();
    sqe.user_data = i;
    (void)ring.push(sqe);  // the ring holds 256 and every batch reaps all
  }
  const result<std::uint32_t> submitted = ring.submit_and_wait(batch);
  if (!submitted || submitted.value() != batch) {
    return "submit_and_wait submitted fewer than the batch";
  }
  const std::uint32_t seen =
      ring.for_each_cqe([](const abi::Cqe& cqe) noexcept { benchmark::DoNotOptimize(cqe.res); });
  ring.cq_advance(seen);
  if (seen != batch) return "fewer CQEs than NOPs after submit_and_wait(batch)";
  return nullptr;
}

void nop_liburing(benchmark::State& state, RingConfig config) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  LiburingRing ring(config, state);
  if (!ring.ok()) return;
  io_uring* r = ring.get();
  std::uint64_t items = 0;
  for (auto _ : state) {
    if (const char* failed = liburing_nop_batch(r, batch); failed != nullptr) {
      state.SkipWithError(failed);
      break;
    }
    items += batch;
  }
  report_items(state, items);
}

template <class RingRef>
void nop_ringkit(benchmark::State& state, RingConfig config) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  std::unique_ptr<UringRing> owner = make_ringkit_ring(config, state);
  if (!owner) return;
  RingRef& ring = *owner;
  std::uint64_t items = 0;
  for (auto _ : state) {
    if (const char* failed = ringkit_nop_batch(ring, batch); failed != nullptr) {
      state.SkipWithError(failed);
      break;
    }
    items += batch;
  }
  report_items(state, items);
}

// The clock the chunks are timed on: the thread's CPU time (wall time with
// RINGKIT_BENCH_REAL_TIME=1, as for the other benchmarks).
clockid_t chunk_clock() {
  const char* real_time = std::getenv("RINGKIT_BENCH_REAL_TIME");
  return real_time != nullptr && std::string_view(real_time) == "1" ? CLOCK_MONOTONIC
                                                                    : CLOCK_THREAD_CPUTIME_ID;
}

double now_ns(clockid_t clock) noexcept {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double>& values) {
  if (values.empty()) return 0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

struct PairedConfigs {
  RingConfig liburing;
  RingConfig ringkit;
};

template <class RingRef>
void nop_paired(benchmark::State& state, PairedConfigs configs) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  const std::uint32_t chunk = std::max<std::uint32_t>(1, 1024 / batch);  // batches per chunk
  const double ops = static_cast<double>(chunk) * batch;
  LiburingRing lib(configs.liburing, state);
  if (!lib.ok()) return;
  std::unique_ptr<UringRing> owner = make_ringkit_ring(configs.ringkit, state);
  if (!owner) return;
  RingRef& ring = *owner;
  io_uring* r = lib.get();
  const clockid_t clock = chunk_clock();
  std::vector<double> lib_ns;
  std::vector<double> rk_ns;
  std::vector<double> ratios;
  // Reserved up front: no allocation inside the timed loop.
  const auto iterations = static_cast<std::size_t>(state.max_iterations);
  lib_ns.reserve(iterations);
  rk_ns.reserve(iterations);
  ratios.reserve(iterations);

  const char* failed = nullptr;
  const auto time_liburing = [&] {
    const double start = now_ns(clock);
    for (std::uint32_t c = 0; c < chunk && failed == nullptr; ++c) {
      failed = liburing_nop_batch(r, batch);
    }
    return now_ns(clock) - start;
  };
  const auto time_ringkit = [&] {
    const double start = now_ns(clock);
    for (std::uint32_t c = 0; c < chunk && failed == nullptr; ++c) {
      failed = ringkit_nop_batch(ring, batch);
    }
    return now_ns(clock) - start;
  };

  std::uint64_t items = 0;
  bool liburing_first = true;
  for (auto _ : state) {
    double lib_time = 0;
    double rk_time = 0;
    // Alternating which goes first cancels what running second costs or gains (warm caches).
    if (liburing_first) {
      lib_time = time_liburing();
      rk_time = time_ringkit();
    } else {
      rk_time = time_ringkit();
      lib_time = time_liburing();
    }
    liburing_first = !liburing_first;
    if (failed != nullptr) {
      state.SkipWithError(failed);
      break;
    }
    lib_ns.push_back(lib_time / ops);
    rk_ns.push_back(rk_time / ops);
    if (rk_time > 0) ratios.push_back(lib_time / rk_time);
    items += 2ull * chunk * batch;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["ratio"] = median(ratios);
  state.counters["liburing_ns_per_op"] = median(lib_ns);
  state.counters["ringkit_ns_per_op"] = median(rk_ns);
}

// ringkit's side of config_name calls through Ring&; with `inlined`, it is also registered as
// "<config_name>-inlined", calling through UringRing& (the same ring, the enter path inlined).
// bench_ratios.py compares that one with liburing's config_name.
void register_nop(const std::string& config_name, RingConfig config,
                  std::initializer_list<std::int64_t> batches, bool inlined = false) {
  const auto add = [&](const std::string& name, void (*fn)(benchmark::State&, RingConfig)) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), fn, config);
    b->ArgName("batch");
    use_chosen_clock(b);
    for (const std::int64_t batch : batches) b->Arg(batch);
  };
  add("nop/" + config_name + "/liburing", nop_liburing);
  add("nop/" + config_name + "/ringkit", nop_ringkit<Ring>);
  if (inlined) add("nop/" + config_name + "-inlined/ringkit", nop_ringkit<UringRing>);
}

void register_paired(const std::string& name, PairedConfigs configs,
                     void (*fn)(benchmark::State&, PairedConfigs),
                     std::initializer_list<std::int64_t> batches) {
  benchmark::internal::Benchmark* b =
      benchmark::RegisterBenchmark(("nop-paired/" + name).c_str(), fn, configs);
  b->ArgName("batch");
  for (const std::int64_t batch : batches) b->Arg(batch);
}

[[maybe_unused]] const bool registered = [] {
  const RingConfig plain = default_config(ring_entries);
  const RingConfig fast = fast_config(ring_entries);
  register_nop("default", plain, {1, 8, 32, 256});
  register_nop("fast", fast, {1, 32}, /*inlined=*/true);
  register_paired("default-vs-default", {plain, plain}, nop_paired<Ring>, {1, 8, 32, 256});
  register_paired("fast-vs-fast", {fast, fast}, nop_paired<Ring>, {1, 32});
  register_paired("fast-vs-default", {plain, fast}, nop_paired<Ring>, {1, 32});
  register_paired("fast-inlined-vs-default", {plain, fast}, nop_paired<UringRing>, {1, 32});
  return true;
}();

}  // namespace
}  // namespace ringkit::bench
