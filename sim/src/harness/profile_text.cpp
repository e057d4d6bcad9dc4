#include "ringkit/sim/harness/profile_text.hpp"

#include <cerrno>
#include <charconv>
#include <cstdint>

namespace ringkit::sim::harness {

namespace {

struct RateField {
  const char* name;
  std::uint32_t FaultProfile::*rate;
};
constexpr RateField rate_fields[] = {
    {"latency_spike", &FaultProfile::latency_spike_ppm},
    {"io_error", &FaultProfile::io_error_ppm},
    {"short_rw", &FaultProfile::short_rw_ppm},
    {"no_space", &FaultProfile::no_space_ppm},
    {"conn_reset", &FaultProfile::conn_reset_ppm},
    {"enter_eintr", &FaultProfile::enter_eintr_ppm},
    {"enter_eagain", &FaultProfile::enter_eagain_ppm},
    {"enter_ebusy", &FaultProfile::enter_ebusy_ppm},
    {"buffer_starvation", &FaultProfile::buffer_starvation_ppm},
    {"cq_pressure", &FaultProfile::cq_pressure_ppm},
};

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string profile_to_text(const FaultProfile& p) {
  if (p == FaultProfile::none()) return "none";
  if (p == FaultProfile::reorder()) return "reorder";
  std::string out =
      "latency=" + std::to_string(p.latency_min_ns) + ".." + std::to_string(p.latency_max_ns);
  for (const RateField& f : rate_fields) {
    if (p.*f.rate != 0) out += std::string(",") + f.name + "=" + std::to_string(p.*f.rate);
  }
  if (p.latency_spike_ppm != 0 && p.spike_factor != FaultProfile{}.spike_factor) {
    out += ",spike_factor=" + std::to_string(p.spike_factor);
  }
  if (p.cq_pressure_ppm != 0 && p.cq_burst_ns != FaultProfile{}.cq_burst_ns) {
    out += ",cq_burst_ns=" + std::to_string(p.cq_burst_ns);
  }
  return out;
}

result<FaultProfile> profile_from_text(std::string_view text, std::string* bad) {
  if (text == "none") return FaultProfile::none();
  if (text == "reorder") return FaultProfile::reorder();
  FaultProfile p = FaultProfile::none();
  const auto fail = [bad](std::string_view part) -> result<FaultProfile> {
    if (bad != nullptr) *bad = std::string(part);
    return Error{EINVAL};
  };
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) return fail(part);
    const std::string_view key = part.substr(0, eq);
    const std::string_view value = part.substr(eq + 1);
    if (key == "latency") {
      const std::size_t dots = value.find("..");
      if (dots == std::string_view::npos ||
          !parse_number(value.substr(0, dots), p.latency_min_ns) ||
          !parse_number(value.substr(dots + 2), p.latency_max_ns) || p.latency_min_ns < 0 ||
          p.latency_max_ns < p.latency_min_ns) {
        return fail(part);
      }
      continue;
    }
    if (key == "spike_factor") {
      if (!parse_number(value, p.spike_factor)) return fail(part);
      continue;
    }
    if (key == "cq_burst_ns") {
      if (!parse_number(value, p.cq_burst_ns) || p.cq_burst_ns <= 0) return fail(part);
      continue;
    }
    bool known = false;
    for (const RateField& f : rate_fields) {
      if (key != f.name) continue;
      known = true;
      if (!parse_number(value, p.*f.rate) || p.*f.rate > 1'000'000) return fail(part);
    }
    if (!known) return fail(part);
  }
  return p;
}

}  // namespace ringkit::sim::harness
