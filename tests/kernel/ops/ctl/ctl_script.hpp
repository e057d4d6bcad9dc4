// Table-driven control tests: a case is a short script run against a fresh ring (submit a batch of
// SQEs, expect silence, write into a pipe, reap exact CQEs), so each kernel fact is one row of
// data rather than another copy of the same setup and assertions.
#pragma once

#include <deque>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ctl_test_support.hpp"

namespace ringkit::testing {

using Sqes = std::vector<abi::Sqe>;

// What a script's SQEs may point into. Declared before the ring, so it outlives the requests
// the ring's destructor cancels.
struct ScriptEnv {
  Pipe pipe;
  Pipe second;
  char bufs[4][8] = {};
  std::deque<abi::KernelTimespec> times;

  [[nodiscard]] op::Fd read_fd() const { return op::Fd{pipe.read_end}; }
  [[nodiscard]] op::Fd second_read_fd() const { return op::Fd{second.read_end}; }
  // A read of `len` bytes of `from` into buffer `index` (pending while that pipe is empty).
  abi::Sqe read(const Pipe& from, std::size_t index, std::uint64_t user_data,
                std::uint8_t flags = 0, std::uint32_t len = 8) {
    return with_user_data(op::Read(op::Fd{from.read_end}, bufs[index], len, ~0ull), user_data,
                          flags);
  }
  // A write to the pipe's read end: -EBADF when it runs.
  abi::Sqe failing_write(std::uint64_t user_data, std::uint8_t flags = 0) {
    static const char byte = 'x';
    return with_user_data(op::Write(read_fd(), &byte, 1, ~0ull), user_data, flags);
  }
  // A relative timespec (absolute: CLOCK_MONOTONIC now plus `d`) that lives as long as the env.
  const abi::KernelTimespec* after(std::chrono::nanoseconds d, bool absolute = false) {
    return &times.emplace_back(absolute ? monotonic_after(d) : kernel_timespec(d));
  }
};

struct Step {
  enum class Kind { submit, quiet, write, reap_in_order, reap_in_any_order, drain, buffer };
  Kind kind;
  std::function<Sqes(ScriptEnv&)> sqes;
  std::vector<abi::Cqe> cqes;
  std::string bytes;
  std::chrono::milliseconds quiet_for{20};
  std::size_t buffer = 0;
};

// Pushes and submits the SQEs (the kernel must consume them all).
inline Step submit(std::function<Sqes(ScriptEnv&)> sqes) {
  return Step{Step::Kind::submit, std::move(sqes), {}, {}, {}, 0};
}
inline Step submit(Sqes sqes) {
  return submit([sqes = std::move(sqes)](ScriptEnv&) { return sqes; });
}
// No CQE arrives for `d`.
inline Step quiet(std::chrono::milliseconds d = std::chrono::milliseconds{20}) {
  return Step{Step::Kind::quiet, {}, {}, {}, d, 0};
}
// Writes `bytes` into the env's pipe.
inline Step write_pipe(std::string bytes) {
  return Step{Step::Kind::write, {}, {}, std::move(bytes), {}, 0};
}
// Exactly these CQEs arrive, in this order (only where the kernel guarantees it).
inline Step reap_in_order(std::vector<abi::Cqe> cqes) {
  return Step{Step::Kind::reap_in_order, {}, std::move(cqes), {}, {}, 0};
}
// Exactly these CQEs arrive, in any order.
inline Step reap_in_any_order(std::vector<abi::Cqe> cqes) {
  return Step{Step::Kind::reap_in_any_order, {}, std::move(cqes), {}, {}, 0};
}
// The env's pipe holds exactly `bytes`, which are taken.
inline Step drained(std::string bytes) {
  return Step{Step::Kind::drain, {}, {}, std::move(bytes), {}, 0};
}
// Buffer `index` of the env starts with `bytes`.
inline Step buffer_holds(std::size_t index, std::string bytes) {
  return Step{Step::Kind::buffer, {}, {}, std::move(bytes), {}, index};
}

struct ScriptCase {
  ScriptCase(const char* case_name, std::vector<Step> case_steps, abi::KernelVersion min = {0, 0},
             std::uint32_t feature_bit = 0)
      : name(case_name), steps(std::move(case_steps)), since(min), feature(feature_bit) {}
  const char* name;
  std::vector<Step> steps;
  abi::KernelVersion since;  // skipped on older kernels (flags the probe cannot report)
  std::uint32_t feature;     // IORING_FEAT_* the case needs, 0 for none
};

inline void PrintTo(const ScriptCase& c, std::ostream* os) { *os << c.name; }

// Names each instance of a table-driven test after its case.
template <class Case>
std::string case_name(const ::testing::TestParamInfo<Case>& param_info) {
  return param_info.param.name;
}

// Reaps `expected.size()` CQEs; they must be exactly `expected`, in order unless `any_order`
// (then each CQE matches a distinct expected one).
inline ::testing::AssertionResult reaps(Ring& ring, const std::vector<abi::Cqe>& expected,
                                        bool any_order) {
  const std::vector<abi::Cqe> cqes = collect_cqes(ring, expected.size());
  auto failure = [&]() {
    auto out = ::testing::AssertionFailure();
    out << "expected" << (any_order ? " (any order)" : "") << ":";
    for (const abi::Cqe& c : expected) out << ' ' << ::testing::PrintToString(c);
    out << "\n     got:";
    for (const abi::Cqe& c : cqes) out << ' ' << ::testing::PrintToString(c);
    return out;
  };
  if (cqes.size() != expected.size()) return failure();
  if (!any_order) return cqes == expected ? ::testing::AssertionSuccess() : failure();
  std::vector<bool> used(cqes.size(), false);
  for (const abi::Cqe& want : expected) {
    std::size_t i = 0;
    while (i < cqes.size() && (used[i] || !(cqes[i] == want))) ++i;
    if (i == cqes.size()) return failure();
    used[i] = true;
  }
  return ::testing::AssertionSuccess();
}

inline void run_script(const ScriptCase& c) {
  RINGKIT_REQUIRE_KERNEL(c.since);
  ScriptEnv env;
  ASSERT_TRUE(env.pipe.ok() && env.second.ok());
  RINGKIT_MAKE_RING(ring, ring_options(8));
  if (c.feature != 0) RINGKIT_REQUIRE_FEATURE(*ring, c.feature);
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    const Step& step = c.steps[i];
    switch (step.kind) {
      case Step::Kind::submit: {
        const Sqes sqes = step.sqes(env);
        ASSERT_TRUE(submit_sqes(*ring, sqes));
        break;
      }
      case Step::Kind::quiet:
        ASSERT_TRUE(no_cqe_within(*ring, step.quiet_for));
        break;
      case Step::Kind::write:
        ASSERT_TRUE(write_all(env.pipe.write_end, step.bytes));
        break;
      case Step::Kind::reap_in_order:
      case Step::Kind::reap_in_any_order:
        ASSERT_TRUE(reaps(*ring, step.cqes, step.kind == Step::Kind::reap_in_any_order));
        break;
      case Step::Kind::drain:
        ASSERT_EQ(env.pipe.drain(), step.bytes);
        break;
      case Step::Kind::buffer:
        ASSERT_EQ(std::string(env.bufs[step.buffer], step.bytes.size()), step.bytes);
        break;
    }
  }
}

// Every control suite of scripts shares this fixture; each file derives its own suite name.
class CtlScriptTest : public CtlKernelTest, public ::testing::WithParamInterface<ScriptCase> {};

// Declares suite `suite` with one test per case of `cases` (an array of ScriptCase), named after
// the case.
#define RINGKIT_CTL_SCRIPT_SUITE(suite, cases)                          \
  class suite : public ::ringkit::testing::CtlScriptTest {};            \
  TEST_P(suite, Script) { ::ringkit::testing::run_script(GetParam()); } \
  INSTANTIATE_TEST_SUITE_P(Kernel, suite, ::testing::ValuesIn(cases),   \
                           ::ringkit::testing::case_name<::ringkit::testing::ScriptCase>)

}  // namespace ringkit::testing
