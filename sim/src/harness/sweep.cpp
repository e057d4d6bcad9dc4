// Many seeds, on `jobs` threads: each World is single-threaded and independent, so seeds run in
// parallel and only the tallies are shared.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "ringkit/sim/harness/runner.hpp"

namespace ringkit::sim::harness {

SweepReport sweep(const WorkloadInfo& info, const SweepOptions& options,
                  const SweepProgress& progress) {
  SweepReport report;
  const auto started = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> next{options.first_seed};
  std::atomic<bool> stop{false};
  std::mutex mutex;

  const auto worker = [&] {
    for (;;) {
      if (stop.load(std::memory_order_relaxed)) return;
      const std::uint64_t seed = next.fetch_add(1, std::memory_order_relaxed);
      // The range is inclusive and may end at UINT64_MAX: stop on wrap-around too.
      if (seed > options.last_seed || seed < options.first_seed) return;
      SeedPlan plan = plan_for_seed(seed, options.run.limits);
      if (options.profile) plan.profile = *options.profile;
      const bool check = options.determinism_every != 0 &&
                         (seed - options.first_seed) % options.determinism_every == 0;
      SeedReport one = check ? run_seed_checked(info, options.planted_bug, plan, options.run)
                             : run_seed(info, options.planted_bug, plan, options.run);
      const std::lock_guard lock(mutex);
      ++report.seeds_run;
      report.ops += one.run.ops;
      report.virtual_ns += one.run.elapsed_ns;
      if (one.run.crashed_machine) ++report.crashes_injected;
      if (one.run.outcome != Outcome::pass) {
        report.failures.push_back(std::move(one));
        if (options.stop_after_failures != 0 &&
            report.failures.size() >= options.stop_after_failures) {
          stop.store(true, std::memory_order_relaxed);
        }
      }
      if (progress) progress(report.seeds_run, report.failures.size());
    }
  };

  const unsigned jobs = std::max(1u, options.jobs);
  if (jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned i = 0; i < jobs; ++i) threads.emplace_back(worker);
    for (std::thread& t : threads) t.join();
  }
  std::sort(report.failures.begin(), report.failures.end(),
            [](const SeedReport& a, const SeedReport& b) { return a.plan.seed < b.plan.seed; });
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace ringkit::sim::harness
