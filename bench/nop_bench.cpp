// NOP throughput: `batch` NOPs queued, one submit_and_wait(batch), every CQE reaped. The NOP
// completes inline, so this measures the submit/reap path and the syscall, nothing else.
//
// nop/default/*: rings with no setup flags, batch 1, 8, 32, 256.
// nop/fast/*:    SINGLE_ISSUER | DEFER_TASKRUN and a registered ring fd, batch 1 and 32;
//                bench_ratios.py compares ringkit's against raw liburing with the same setup and
//                against raw liburing's default setup.
#include <cstdint>
#include <string>

#include "bench_support.hpp"
#include "ringkit/op/nop.hpp"

namespace ringkit::bench {
namespace {

constexpr std::uint32_t ring_entries = 256;  // holds the largest batch

void nop_liburing(benchmark::State& state, RingConfig config) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  LiburingRing ring(config, state);
  if (!ring.ok()) return;
  io_uring* r = ring.get();
  std::uint64_t items = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < batch; ++i) {
      io_uring_sqe* sqe = io_uring_get_sqe(r);
      io_uring_prep_nop(sqe);
      sqe->user_data = i;
    }
    const int submitted = io_uring_submit_and_wait(r, batch);
    if (submitted != static_cast<int>(batch)) {
      state.SkipWithError("io_uring_submit_and_wait submitted fewer than the batch");
      break;
    }
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(r, head, cqe) {
      benchmark::DoNotOptimize(cqe->res);
      ++seen;
    }
    io_uring_cq_advance(r, seen);
    if (seen != batch) {
      state.SkipWithError("fewer CQEs than NOPs after submit_and_wait(batch)");
      break;
    }
    items += seen;
  }
  report_items(state, items);
}

void nop_ringkit(benchmark::State& state, RingConfig config) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  std::unique_ptr<UringRing> owner = make_ringkit_ring(config, state);
  if (!owner) return;
  Ring& ring = *owner;
  std::uint64_t items = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < batch; ++i) {
      abi::Sqe sqe = op::Nop().build();
      sqe.user_data = i;
      (void)ring.push(sqe);  // the ring holds 256 and every iteration reaps all
    }
    const result<std::uint32_t> submitted = ring.submit_and_wait(batch);
    if (!submitted || submitted.value() != batch) {
      state.SkipWithError("submit_and_wait submitted fewer than the batch");
      break;
    }
    const std::uint32_t seen =
        ring.for_each_cqe([](const abi::Cqe& cqe) noexcept { benchmark::DoNotOptimize(cqe.res); });
    ring.cq_advance(seen);
    if (seen != batch) {
      state.SkipWithError("fewer CQEs than NOPs after submit_and_wait(batch)");
      break;
    }
    items += seen;
  }
  report_items(state, items);
}

void register_nop(const std::string& config_name, RingConfig config,
                  std::initializer_list<std::int64_t> batches) {
  for (const char* impl : {"liburing", "ringkit"}) {
    const std::string name = "nop/" + config_name + "/" + impl;
    benchmark::internal::Benchmark* b =
        std::string(impl) == "liburing"
            ? benchmark::RegisterBenchmark(name.c_str(), nop_liburing, config)
            : benchmark::RegisterBenchmark(name.c_str(), nop_ringkit, config);
    b->ArgName("batch");
    use_chosen_clock(b);
    for (const std::int64_t batch : batches) b->Arg(batch);
  }
}

[[maybe_unused]] const bool registered = [] {
  register_nop("default", default_config(ring_entries), {1, 8, 32, 256});
  register_nop("fast", fast_config(ring_entries), {1, 32});
  return true;
}();

}  // namespace
}  // namespace ringkit::bench
