// ringkit trace SEED --out FILE: one seed's run as Chrome trace / Perfetto JSON.
#include <cstdio>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ringkit/sim/harness/profile_text.hpp"
#include "ringkit/sim/harness/trace_export.hpp"

namespace ringkit::cli {

int run_trace(const std::vector<std::string_view>& argv) {
  const Args args(argv, {"help", "planted-bug"},
                  {"workload", "profile", "crash-at", "build", "out", "format"});
  if (!args.error().empty()) return usage_error("trace", args.error());
  if (args.flag("help")) {
    std::printf(
        "usage: ringkit trace SEED --workload NAME --out FILE [--format json|html]\n"
        "                     [--planted-bug] [--profile P] [--crash-at N] [--build ID]\n"
        "\n"
        "Runs one seed on the simulator (as `ringkit replay` does) and writes its trace as\n"
        "Chrome trace / Perfetto JSON to FILE: one async slice per request from its SQE to its\n"
        "last CQE, a track per ring, multishot CQEs as instants, the machine crash as a global\n"
        "instant. Open it in https://ui.perfetto.dev or chrome://tracing.\n"
        "With --format html (the default for a FILE ending in .html) it writes a self-contained\n"
        "HTML page with an SVG timeline instead, for any browser.\n"
        "Exit status: 0 written, 1 the file could not be written, 2 bad arguments.\n");
    return exit_ok;
  }
  const std::optional<std::string> out_path = args.value("out");
  if (!out_path || out_path->empty()) return usage_error("trace", "--out FILE is required");
  std::string format =
      out_path->size() >= 5 && (out_path->ends_with(".html") || out_path->ends_with(".htm"))
          ? "html"
          : "json";
  if (const auto f = args.value("format")) format = *f;
  if (format != "json" && format != "html") {
    return usage_error("trace", "--format wants json or html, got '" + format + "'");
  }
  int exit_code = exit_ok;
  const std::optional<SeedArgs> seed_args = parse_seed_args(args, "trace", exit_code);
  if (!seed_args) return exit_code;

  std::vector<sim::TraceEvent> events;
  const sim::harness::SeedReport report =
      sim::harness::run_seed(*seed_args->info, seed_args->planted_bug, seed_args->plan,
                             sim::harness::SimRunOptions{}, &events);
  const std::string title = "ringkit " + seed_args->info->name + " seed " +
                            std::to_string(seed_args->plan.seed) + ": " +
                            sim::harness::outcome_name(report.run.outcome);
  const std::string json = format == "html" ? sim::harness::timeline_html(events, title)
                                            : sim::harness::chrome_trace_json(events, title);
  std::FILE* file = std::fopen(out_path->c_str(), "w");
  if (file == nullptr) {
    std::perror(("ringkit trace: " + *out_path).c_str());
    return exit_failures;
  }
  const bool written = std::fwrite(json.data(), 1, json.size(), file) == json.size();
  if (std::fclose(file) != 0 || !written) {
    std::perror(("ringkit trace: " + *out_path).c_str());
    return exit_failures;
  }
  std::printf("%s: %zu events (%s) written to %s%s\n", title.c_str(), events.size(),
              sim::harness::profile_to_text(seed_args->plan.profile).c_str(), out_path->c_str(),
              format == "html" ? "" : "; open it in https://ui.perfetto.dev");
  return exit_ok;
}

}  // namespace ringkit::cli
