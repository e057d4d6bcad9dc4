#include "ringkit/sim/fault_profile.hpp"

#include <string>

#include "ringkit/sim/decisions.hpp"

namespace ringkit::sim {

FaultProfile FaultProfile::reorder() noexcept {
  FaultProfile p;
  p.latency_min_ns = 1'000;
  p.latency_max_ns = 50'000;
  return p;
}

FaultProfile FaultProfile::swarm(DecisionSource& d) noexcept {
  FaultProfile p = reorder();
  // Each kind is on for about half the seeds, at a rate between 0.1% and 5%.
  const auto maybe = [&d](std::uint32_t& rate) {
    if (d.below(2) == 0) rate = static_cast<std::uint32_t>(d.between(1'000, 50'000));
  };
  p.latency_max_ns = static_cast<std::int64_t>(d.between(1'000, 200'000));
  maybe(p.latency_spike_ppm);
  maybe(p.io_error_ppm);
  maybe(p.short_rw_ppm);
  maybe(p.no_space_ppm);
  maybe(p.conn_reset_ppm);
  maybe(p.enter_eintr_ppm);
  maybe(p.enter_eagain_ppm);
  maybe(p.enter_ebusy_ppm);
  maybe(p.buffer_starvation_ppm);
  maybe(p.cq_pressure_ppm);
  return p;
}

std::string FaultProfile::describe() const {
  std::string out =
      "latency " + std::to_string(latency_min_ns) + ".." + std::to_string(latency_max_ns) + " ns";
  const auto add = [&out](const char* name, std::uint32_t ppm) {
    if (ppm != 0) out += std::string(", ") + name + " " + std::to_string(ppm) + " ppm";
  };
  add("latency_spike", latency_spike_ppm);
  if (latency_spike_ppm != 0) out += " (x" + std::to_string(spike_factor) + ")";
  add("io_error", io_error_ppm);
  add("short_rw", short_rw_ppm);
  add("no_space", no_space_ppm);
  add("conn_reset", conn_reset_ppm);
  add("enter_eintr", enter_eintr_ppm);
  add("enter_eagain", enter_eagain_ppm);
  add("enter_ebusy", enter_ebusy_ppm);
  add("buffer_starvation", buffer_starvation_ppm);
  add("cq_pressure", cq_pressure_ppm);
  if (cq_pressure_ppm != 0) out += " (burst " + std::to_string(cq_burst_ns) + " ns)";
  return out;
}

}  // namespace ringkit::sim
