// A recorded run as a picture. Chrome trace / Perfetto JSON (open it in ui.perfetto.dev or
// chrome://tracing): each request is an async slice from its SQE to its last CQE, on a track per
// ring, named by opcode and keyed by a per-request id (user_data is in its args: a value may be
// reused while an earlier request with it is still in flight); a multishot's intermediate CQEs
// are instants inside its slice; a machine crash is a global instant. Decisions are left out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ringkit/sim/trace.hpp"

namespace ringkit::sim::harness {

[[nodiscard]] std::string chrome_trace_json(const std::vector<TraceEvent>& events,
                                            std::string_view title);

// The same run as a self-contained HTML page with an SVG timeline: one bar per request from its
// SQE to its last CQE (lanes packed so bars never overlap), coloured by opcode, outlined red when
// it failed (res < 0), ticks for a multishot's intermediate CQEs, a red line at a machine crash;
// hovering a bar shows opcode, user_data, result and times. No scripts, no external files.
[[nodiscard]] std::string timeline_html(const std::vector<TraceEvent>& events,
                                        std::string_view title);

}  // namespace ringkit::sim::harness
