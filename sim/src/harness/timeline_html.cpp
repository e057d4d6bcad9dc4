// The HTML/SVG timeline of a recorded run (trace_export.hpp).
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/opcode.hpp"
#include "ringkit/sim/harness/trace_export.hpp"

namespace ringkit::sim::harness {

namespace {

struct Bar {
  std::uint8_t opcode = 0;
  std::uint16_t ring = 0;
  std::uint64_t user_data = 0;
  std::int64_t start = 0;
  std::int64_t end = -1;  // -1: still in flight when the trace ends
  std::int32_t res = 0;
  std::vector<std::int64_t> ticks;  // intermediate CQEs (F_MORE)
  std::size_t lane = 0;
};

std::string escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char out[128];
  std::snprintf(out, sizeof out, format, a, b, c, d);
  return out;
}

}  // namespace

std::string timeline_html(const std::vector<TraceEvent>& events, std::string_view title) {
  std::vector<Bar> bars;
  std::vector<std::int64_t> crashes;
  std::map<std::pair<std::uint16_t, std::uint64_t>, std::deque<std::size_t>> open;
  std::int64_t t0 = -1;
  std::int64_t t1 = 0;
  for (const TraceEvent& e : events) {
    if (e.kind == TraceEvent::Kind::decision) continue;
    if (t0 < 0) t0 = e.time_ns;
    t1 = e.time_ns > t1 ? e.time_ns : t1;
    if (e.kind == TraceEvent::Kind::crash) {
      crashes.push_back(e.time_ns);
    } else if (e.kind == TraceEvent::Kind::sqe) {
      open[{e.ring, e.user_data}].push_back(bars.size());
      bars.push_back(Bar{e.opcode, e.ring, e.user_data, e.time_ns, -1, 0, {}, 0});
    } else {
      auto it = open.find({e.ring, e.user_data});
      if (it == open.end() || it->second.empty()) continue;  // a CQE of no request here
      Bar& bar = bars[it->second.front()];
      if ((e.flags & abi::cqe_flag::more) != 0) {
        bar.ticks.push_back(e.time_ns);
        continue;
      }
      bar.end = e.time_ns;
      bar.res = e.res;
      it->second.pop_front();
      if (it->second.empty()) open.erase(it);
    }
  }
  if (t0 < 0) t0 = 0;
  const double span = t1 > t0 ? static_cast<double>(t1 - t0) : 1.0;

  // Lanes: the first whose last bar ended before this one starts.
  std::vector<std::int64_t> lane_end;
  for (Bar& bar : bars) {
    const std::int64_t end = bar.end < 0 ? t1 : bar.end;
    std::size_t lane = 0;
    while (lane < lane_end.size() && lane_end[lane] > bar.start) ++lane;
    if (lane == lane_end.size()) lane_end.push_back(0);
    lane_end[lane] = end == bar.start ? end + 1 : end;
    bar.lane = lane;
  }

  constexpr double width = 1200;
  constexpr double left = 10;
  constexpr double row = 14;
  constexpr double axis = 30;
  const double height = axis + row * static_cast<double>(lane_end.size()) + 10;
  const auto x = [&](std::int64_t t) { return left + static_cast<double>(t - t0) / span * width; };

  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + escaped(title) +
      "</title>\n<style>body{font:13px sans-serif;margin:16px}svg{border:1px solid #ccc}"
      "rect.f{stroke:#d00;stroke-width:1.5}rect.o{stroke-dasharray:3 2;stroke:#333}"
      "text{font:10px sans-serif;fill:#444}</style></head><body>\n<h1 style=\"font-size:16px\">" +
      escaped(title) + "</h1>\n<p>" + std::to_string(bars.size()) + " requests over " +
      fmt("%.3f", span / 1000.0) +
      " us of virtual time. A bar is a request from its SQE to its last CQE; red outline: it "
      "failed; dashed: still in flight at the end; ticks: multishot CQEs; red line: machine "
      "crash. Hover a bar for details.</p>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", width + 2 * left) +
         "\" height=\"" + fmt("%.0f", height) + "\">\n";
  for (int i = 0; i <= 10; ++i) {
    const double xi = left + width * i / 10.0;
    out += fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", xi,
               axis - 12, xi, height);
    out += fmt("<text x=\"%.1f\" y=\"12\">%.1f us</text>\n", xi + 2, span * i / 10.0 / 1000.0);
  }
  char line[512];
  for (const Bar& bar : bars) {
    const double x0 = x(bar.start);
    const double x1 = x(bar.end < 0 ? t1 : bar.end);
    const double y = axis + row * static_cast<double>(bar.lane);
    const int hue = (bar.opcode * 47) % 360;
    const std::string_view op = abi::opcode_name(static_cast<abi::Opcode>(bar.opcode));
    const std::string op_text = op.empty() ? "OP " + std::to_string(bar.opcode) : std::string(op);
    const char* cls = bar.end < 0 ? " class=\"o\"" : (bar.res < 0 ? " class=\"f\"" : "");
    std::snprintf(line, sizeof line,
                  "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                  "fill=\"hsl(%d,60%%,65%%)\"%s><title>%s ring %u user_data 0x%" PRIx64
                  " res %s%d, %" PRId64 "..%s ns</title></rect>\n",
                  x0, y, x1 - x0 < 1 ? 1.0 : x1 - x0, row - 3, hue, cls, op_text.c_str(), bar.ring,
                  bar.user_data, bar.end < 0 ? "pending " : "", bar.res, bar.start - t0,
                  bar.end < 0 ? "end" : std::to_string(bar.end - t0).c_str());
    out += line;
    for (const std::int64_t t : bar.ticks) {
      out += fmt("<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#000\"/>", x(t), y,
                 x(t), y + row - 3);
    }
  }
  for (const std::int64_t t : crashes) {
    out +=
        fmt("<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#d00\" "
            "stroke-width=\"2\"><title>machine crash</title></line>\n",
            x(t), axis - 12, x(t), height);
  }
  out += "</svg>\n</body></html>\n";
  return out;
}

}  // namespace ringkit::sim::harness
