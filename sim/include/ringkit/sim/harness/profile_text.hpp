// A fault profile as text and back, for replay command lines: "none", "reorder", or
// "latency=1000..50000,io_error=2000,short_rw=800" (only what is on; spike_factor and
// cq_burst_ns when their kind is on).
#pragma once

#include <string>
#include <string_view>

#include "ringkit/result.hpp"
#include "ringkit/sim/fault_profile.hpp"

namespace ringkit::sim::harness {

[[nodiscard]] std::string profile_to_text(const FaultProfile& profile);
// EINVAL for an unknown key or a malformed number; `bad` (if given) gets the offending part.
result<FaultProfile> profile_from_text(std::string_view text, std::string* bad = nullptr);

}  // namespace ringkit::sim::harness
