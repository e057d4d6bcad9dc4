#include "ringkit/sim/harness/trace_export.hpp"

#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <utility>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/opcode.hpp"

namespace ringkit::sim::harness {

namespace {

std::string op_name(std::uint8_t opcode) {
  const std::string_view name = abi::opcode_name(static_cast<abi::Opcode>(opcode));
  return name.empty() ? "OP_" + std::to_string(opcode) : std::string(name);
}

// Microseconds since the first event, as Chrome's "ts" wants them.
std::string micros(std::int64_t ns, std::int64_t origin) {
  char out[40];
  std::snprintf(out, sizeof out, "%.3f", static_cast<double>(ns - origin) / 1000.0);
  return out;
}

}  // namespace

std::string chrome_trace_json(const std::vector<TraceEvent>& events, std::string_view title) {
  std::string out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":\"";
  for (const char c : title) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  out += "\"},\"traceEvents\":[\n";
  std::int64_t origin = 0;
  for (const TraceEvent& e : events) {
    if (e.kind != TraceEvent::Kind::decision) {
      origin = e.time_ns;
      break;
    }
  }
  // Requests in flight by (ring, user_data), oldest first: a CQE ends the oldest.
  std::map<std::pair<std::uint16_t, std::uint64_t>, std::deque<std::uint64_t>> open;
  std::uint64_t next_id = 1;
  bool first = true;
  const auto emit = [&out, &first](const std::string& record) {
    if (!first) out += ",\n";
    first = false;
    out += record;
  };
  char ud[24];
  for (const TraceEvent& e : events) {
    std::snprintf(ud, sizeof ud, "0x%" PRIx64, e.user_data);
    const std::string common =
        ",\"pid\":1,\"tid\":" + std::to_string(e.ring) + ",\"ts\":" + micros(e.time_ns, origin);
    switch (e.kind) {
      case TraceEvent::Kind::sqe: {
        const std::uint64_t id = next_id++;
        open[{e.ring, e.user_data}].push_back(id);
        emit("{\"name\":\"" + op_name(e.opcode) + "\",\"cat\":\"request\",\"ph\":\"b\",\"id\":" +
             std::to_string(id) + common + ",\"args\":{\"user_data\":\"" + ud +
             "\",\"sqe_flags\":" + std::to_string(e.flags) + "}}");
        break;
      }
      case TraceEvent::Kind::cqe: {
        auto it = open.find({e.ring, e.user_data});
        const bool more = (e.flags & abi::cqe_flag::more) != 0;
        const std::string args = ",\"args\":{\"user_data\":\"" + std::string(ud) +
                                 "\",\"res\":" + std::to_string(e.res) +
                                 ",\"cqe_flags\":" + std::to_string(e.flags) + "}}";
        if (it == open.end() || it->second.empty()) {
          // A CQE of no request in this trace (F_NOTIF after its request ended, msg_ring).
          emit("{\"name\":\"" + op_name(e.opcode) +
               " CQE\",\"cat\":\"cqe\",\"ph\":\"i\",\"s\":\"t\"" + common + args);
          break;
        }
        const std::uint64_t id = it->second.front();
        emit("{\"name\":\"" + op_name(e.opcode) + "\",\"cat\":\"request\",\"ph\":\"" +
             (more ? "n" : "e") + "\",\"id\":" + std::to_string(id) + common + args);
        if (!more) {
          it->second.pop_front();
          if (it->second.empty()) open.erase(it);
        }
        break;
      }
      case TraceEvent::Kind::crash:
        emit("{\"name\":\"machine crash\",\"cat\":\"crash\",\"ph\":\"i\",\"s\":\"g\"" + common +
             "}");
        break;
      case TraceEvent::Kind::decision:
        break;
    }
  }
  out += "\n]}\n";
  return out;
}

}  // namespace ringkit::sim::harness
