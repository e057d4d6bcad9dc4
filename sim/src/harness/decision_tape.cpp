#include "ringkit/sim/harness/decision_tape.hpp"

#include <algorithm>

namespace ringkit::sim::harness {

std::vector<std::uint64_t> codes_of_trace(const std::vector<TraceEvent>& events) {
  std::vector<std::uint64_t> codes;
  for (const TraceEvent& e : events) {
    if (e.kind != TraceEvent::Kind::decision) continue;
    codes.push_back(code_of_value(e.user_data, static_cast<std::uint64_t>(e.time_ns)));
  }
  while (!codes.empty() && codes.back() == 0) codes.pop_back();
  return codes;
}

TraceMeasure measure_trace(const std::vector<TraceEvent>& events, const FaultProfile& chaos) {
  const std::uint32_t highest =
      std::max({chaos.latency_spike_ppm, chaos.io_error_ppm, chaos.short_rw_ppm, chaos.no_space_ppm,
                chaos.conn_reset_ppm, chaos.enter_eintr_ppm, chaos.enter_eagain_ppm,
                chaos.enter_ebusy_ppm, chaos.buffer_starvation_ppm, chaos.cq_pressure_ppm});
  TraceMeasure m;
  for (const TraceEvent& e : events) {
    if (e.kind != TraceEvent::Kind::decision) continue;
    ++m.decisions;
    if (static_cast<std::uint64_t>(e.time_ns) == chance_bound && e.user_data < highest) ++m.faults;
  }
  return m;
}

}  // namespace ringkit::sim::harness
