// Properties of the simulated kernel over random control-op programs: every request ends with
// exactly one terminal CQE (a multishot: one without F_MORE, its last), nothing is lost when
// the CQ overflows, and the same seed gives the same trace while other seeds reorder.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "sim_program.hpp"

namespace ringkit::sim {
namespace {

using testing::Cqe;
using testing::Program;
using testing::RunResult;
using testing::Step;
using testing::StepKind;

bool is_multishot(StepKind k) {
  return k == StepKind::timeout_multishot || k == StepKind::poll_multishot;
}

void check_one_terminal_cqe_each(const Program& p, const RunResult& r) {
  RC_ASSERT(r.finished);
  const std::vector<bool> silent = testing::may_be_silent(p);
  std::map<std::uint64_t, std::uint32_t> terminals;  // ordered: deterministic reports
  for (const Cqe& c : r.cqes) {
    if (c.user_data >= testing::cancel_user_data) {
      RC_ASSERT(!(c.flags & abi::cqe_flag::more));
      continue;
    }
    RC_ASSERT(c.user_data >= 1 && c.user_data <= p.steps.size());
    const Step& s = p.steps[c.user_data - 1];
    // Nothing after a request's terminal CQE.
    RC_ASSERT(terminals[c.user_data] == 0u);
    if (c.flags & abi::cqe_flag::more) {
      RC_ASSERT(is_multishot(s.kind));
    } else {
      ++terminals[c.user_data];
    }
  }
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const std::uint32_t n = terminals[i + 1];
    if (n != 1u) {
      RC_LOG() << "step " << i + 1 << ": " << n << " terminal CQEs; all CQEs:";
      for (const Cqe& c : r.cqes) RC_LOG() << " " << c;
      RC_LOG() << "\n";
    }
    RC_ASSERT(n <= 1u);
    if (!silent[i]) RC_ASSERT(n == 1u);
  }
}

RC_GTEST_PROP(SimProgram, EveryRequestEndsWithExactlyOneTerminalCqeInOrder, ()) {
  const Program p = *testing::gen_program();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  check_one_terminal_cqe_each(p, testing::run_program(p, seed, FaultProfile::none()));
}

RC_GTEST_PROP(SimProgram, EveryRequestEndsUnderReorderingAndCqPressure, ()) {
  const Program p = *testing::gen_program();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  check_one_terminal_cqe_each(p, testing::run_program(p, seed, FaultProfile::reorder()));
}

RC_GTEST_PROP(SimProgram, EveryRequestEndsUnderASwarmProfile, ()) {
  const Program p = *testing::gen_program();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  SeededDecisions profile_source(seed ^ 0x9e3779b97f4a7c15ULL);
  FaultProfile faults = FaultProfile::swarm(profile_source);
  // Enter faults make submit() fail on purpose; this property is about completions.
  faults.enter_eagain_ppm = faults.enter_ebusy_ppm = faults.enter_eintr_ppm = 0;
  check_one_terminal_cqe_each(p, testing::run_program(p, seed, faults));
}

RC_GTEST_PROP(SimProgram, TheSameSeedGivesTheSameTrace, ()) {
  const Program p = *testing::gen_program();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const RunResult a = testing::run_program(p, seed, FaultProfile::reorder());
  const RunResult b = testing::run_program(p, seed, FaultProfile::reorder());
  RC_ASSERT(a.trace_hash == b.trace_hash);
  RC_ASSERT(a.cqes == b.cqes);
}

TEST(SimProgram, DifferentSeedsGiveDifferentOrdersWhereTheProgramAllowsIt) {
  // Twelve unlinked NOPs in one batch: nothing orders them, so seeds should disagree.
  Program p;
  p.steps.assign(12, Step{});
  p.batches = {8, 4};
  p.signal_after = {false, false};
  p.reap_after = {true, true};
  p.cq_entries = 16;
  std::vector<std::vector<std::uint64_t>> orders;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const RunResult r = testing::run_program(p, seed, FaultProfile::reorder());
    std::vector<std::uint64_t> order;
    for (const Cqe& c : r.cqes) {
      if (c.user_data < testing::cancel_user_data) order.push_back(c.user_data);
    }
    ASSERT_EQ(order.size(), 12u);
    orders.push_back(order);
  }
  std::sort(orders.begin(), orders.end());
  EXPECT_GE(std::unique(orders.begin(), orders.end()) - orders.begin(), 6);
}

}  // namespace
}  // namespace ringkit::sim
