#include "ringkit/sim/world.hpp"

#include <new>

#include "engine/ring_core.hpp"
#include "engine/ring_file.hpp"
#include "engine/scheduler.hpp"

namespace ringkit::sim {

World::World(const WorldOptions& options)
    : owned_decisions_(new (std::nothrow) SeededDecisions(options.seed)),
      decisions_(owned_decisions_.get()),
      faults_(options.faults),
      kernel_(options.kernel),
      scheduler_(new (std::nothrow) detail::Scheduler(clock_)) {
  // The network's timers (a corked stream's push after 200 ms) run on the world's clock.
  if (scheduler_) net_.attach_timers(*scheduler_);
}

World::World(DecisionSource& decisions, const WorldOptions& options)
    : decisions_(&decisions),
      faults_(options.faults),
      kernel_(options.kernel),
      scheduler_(new (std::nothrow) detail::Scheduler(clock_)) {
  if (scheduler_) net_.attach_timers(*scheduler_);
}

World::~World() = default;

void World::crash() noexcept {
  TraceEvent e;
  e.kind = TraceEvent::Kind::crash;
  e.time_ns = clock_.now_ns();
  trace_.record(e);
  fs_.crash(decisions());
}

std::uint64_t World::run_for(std::int64_t limit_ns) noexcept {
  const std::int64_t end = clock_.now_ns() + limit_ns;
  std::uint64_t ran = scheduler_->run_due();
  for (;;) {
    const std::optional<std::int64_t> next = scheduler_->next_time();
    if (!next || *next > end) break;
    clock_.advance_to(*next);
    ran += scheduler_->run_due();
  }
  return ran;
}

std::uint16_t World::attach_ring(detail::RingCore& ring) noexcept {
  rings_.push_back(&ring);
  return static_cast<std::uint16_t>(rings_.size() - 1);
}

detail::RingCore* World::ring_of(const File* file) const noexcept {
  if (file == nullptr || file->kind() != FileKind::ring) return nullptr;
  const std::uint16_t id = static_cast<const detail::RingFile*>(file)->ring_id();
  return id < rings_.size() ? rings_[id] : nullptr;
}

void World::detach_ring(detail::RingCore& ring) noexcept {
  if (ring.id() < rings_.size() && rings_[ring.id()] == &ring) rings_[ring.id()] = nullptr;
}

}  // namespace ringkit::sim
