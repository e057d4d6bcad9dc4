#include "ringkit/sim/harness/sim_environment.hpp"

#include <cerrno>

#include "ringkit/sim/sim_ring.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim::harness {

SimEnvironment::SimEnvironment(std::uint64_t seed, const FaultProfile& chaos, bool record_trace)
    : seed_(seed),
      chaos_(chaos),
      world_(std::make_unique<World>(WorldOptions{.seed = seed, .faults = healed(chaos)})) {
  world_->trace().set_recording(record_trace);
  // Durable at once, as a directory that existed before the program ran.
  (void)world_->fs().mkdir_p(scratch_, true);
}

SimEnvironment::SimEnvironment(std::uint64_t seed, const FaultProfile& chaos,
                               DecisionSource& decisions, bool record_trace)
    : seed_(seed),
      chaos_(chaos),
      world_(
          std::make_unique<World>(decisions, WorldOptions{.seed = seed, .faults = healed(chaos)})) {
  world_->trace().set_recording(record_trace);
  (void)world_->fs().mkdir_p(scratch_, true);
}

result<std::unique_ptr<Ring>> SimEnvironment::make_ring(const RingOptions& options) noexcept {
  result<std::unique_ptr<SimRing>> ring = SimRing::create(*world_, options);
  if (!ring) return ring.error();
  return std::unique_ptr<Ring>(std::move(*ring));
}

result<std::uint16_t> SimEnvironment::local_port(int fd) noexcept {
  File* file = world_->fds().get(fd);
  if (file == nullptr) return Error{EBADF};
  if (file->kind() != FileKind::socket) return Error{ENOTSOCK};
  return static_cast<Socket*>(file)->local_address().port;
}

std::int64_t SimEnvironment::now_ns() const noexcept { return world_->clock().now_ns(); }

result<void> SimEnvironment::crash() noexcept {
  world_->crash();
  return {};
}

void SimEnvironment::set_chaos(bool on) noexcept {
  world_->set_faults(on ? chaos_ : healed(chaos_));
}

FaultProfile SimEnvironment::healed(const FaultProfile& chaos) noexcept {
  FaultProfile p = FaultProfile::none();
  p.latency_min_ns = chaos.latency_min_ns;
  p.latency_max_ns = chaos.latency_max_ns;
  return p;
}

}  // namespace ringkit::sim::harness
