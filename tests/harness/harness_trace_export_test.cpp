// The Chrome trace / Perfetto export: a slice per request, opened by its SQE and closed by its
// last CQE; the crash as a global instant.
#include <gtest/gtest.h>

#include <string>

#include "ringkit/examples/workloads.hpp"
#include "ringkit/sim/harness/runner.hpp"
#include "ringkit/sim/harness/trace_export.hpp"

namespace ringkit::sim::harness {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HarnessTraceExport, EveryRequestIsOneSliceFromItsSqeToItsCqe) {
  const WorkloadInfo* copy = examples::find_workload("copy");
  ASSERT_NE(copy, nullptr);
  std::vector<TraceEvent> events;
  SeedPlan plan = plan_for_seed(3, PhaseLimits{});
  const SeedReport r = run_seed(*copy, false, plan, SimRunOptions{}, &events);
  ASSERT_EQ(r.run.outcome, Outcome::pass) << r.run.message;
  std::size_t sqes = 0;
  for (const TraceEvent& e : events) sqes += e.kind == TraceEvent::Kind::sqe ? 1 : 0;
  ASSERT_GT(sqes, 10u);
  const std::string json = chrome_trace_json(events, "copy \"3\"");
  EXPECT_EQ(
      json.rfind("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":\"copy \\\"3\\\"\"}", 0),
      0u);
  EXPECT_EQ(count(json, "\"ph\":\"b\""), sqes);
  EXPECT_EQ(count(json, "\"ph\":\"e\""), sqes);  // the copier leaves nothing in flight
  EXPECT_NE(json.find("\"name\":\"READ_FIXED\""), std::string::npos);
  EXPECT_NE(json.find("\"name\":\"WRITE_FIXED\""), std::string::npos);
  EXPECT_EQ(json.substr(json.size() - 4), "\n]}\n");
}

TEST(HarnessTraceExport, ACrashIsAGlobalInstantAndMultishotCqesAreInstantsInTheirSlice) {
  const WorkloadInfo* log = examples::find_workload("log");
  const WorkloadInfo* echo = examples::find_workload("echo");
  ASSERT_NE(log, nullptr);
  ASSERT_NE(echo, nullptr);
  SeedPlan plan = plan_for_seed(0, PhaseLimits{});
  plan.crash_at_step = 5;
  std::vector<TraceEvent> events;
  ASSERT_EQ(run_seed(*log, false, plan, SimRunOptions{}, &events).run.outcome, Outcome::pass);
  EXPECT_EQ(count(chrome_trace_json(events, "log"), "\"name\":\"machine crash\""), 1u);

  plan.crash_at_step = 0;
  ASSERT_EQ(run_seed(*echo, false, plan, SimRunOptions{}, &events).run.outcome, Outcome::pass);
  const std::string json = chrome_trace_json(events, "echo");
  EXPECT_GT(count(json, "\"ph\":\"n\""), 0u);  // RECV (multishot) chunks with F_MORE
  EXPECT_EQ(count(json, "\"ph\":\"b\""), count(json, "\"ph\":\"e\""));
}

TEST(HarnessTraceExport, TheHtmlTimelineHasABarPerRequestAndMarksTheCrash) {
  const WorkloadInfo* log = examples::find_workload("log");
  ASSERT_NE(log, nullptr);
  SeedPlan plan = plan_for_seed(0, PhaseLimits{});
  plan.crash_at_step = 5;
  std::vector<TraceEvent> events;
  ASSERT_EQ(run_seed(*log, false, plan, SimRunOptions{}, &events).run.outcome, Outcome::pass);
  std::size_t sqes = 0;
  for (const TraceEvent& e : events) sqes += e.kind == TraceEvent::Kind::sqe ? 1 : 0;
  const std::string html = timeline_html(events, "log <seed 0>");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<title>log &lt;seed 0&gt;</title>"), std::string::npos);
  EXPECT_EQ(count(html, "<rect "), sqes);
  EXPECT_EQ(count(html, "<title>machine crash</title>"), 1u);
  EXPECT_NE(html.find("<title>FSYNC ring"), std::string::npos);
  EXPECT_EQ(count(html, "<svg "), 1u);
  EXPECT_NE(html.find("</svg>\n</body></html>\n"), std::string::npos);
}

}  // namespace
}  // namespace ringkit::sim::harness
