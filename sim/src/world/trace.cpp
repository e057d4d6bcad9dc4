#include "ringkit/sim/trace.hpp"

namespace ringkit::sim {

void Trace::keep(const TraceEvent& e) { events_.push_back(e); }

}  // namespace ringkit::sim
