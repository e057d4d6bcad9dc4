// Differential test: random op programs (program*.hpp) run on the simulator (no faults) and on
// this machine's kernel; every observable result must agree, except the few answers the kernel
// itself leaves open (compare.hpp, docs/differential.md). RC_PARAMS=max_success=N sets the number
// of programs (300 under CTest; 10000 runs in a few minutes).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

#include "compare.hpp"
#include "kernel_backend.hpp"
#include "program.hpp"
#include "program_generate.hpp"
#include "runner.hpp"
#include "sim_backend.hpp"

namespace ringkit::differential {
namespace {

// Fidelity counts over the whole binary run (shrinking re-runs included).
struct Fidelity {
  std::size_t programs = 0;
  std::size_t agreed = 0;
  std::size_t diverged = 0;
  std::map<std::string, std::size_t> divergences;  // by kind
  std::map<std::string, std::size_t> allowed;      // differences the kernel allows, by kind
  std::string skipped;                             // why no program ran (no kernel io_uring)
};
Fidelity& fidelity() {
  static Fidelity f;
  return f;
}

class FidelitySummary : public ::testing::Environment {
 public:
  void TearDown() override {
    const Fidelity& f = fidelity();
    // RINGKIT_FIDELITY_OUT names a file for tests/fidelity/report.cmake: one count a line.
    if (const char* out = std::getenv("RINGKIT_FIDELITY_OUT"); out != nullptr) {
      if (std::FILE* file = std::fopen(out, "w"); file != nullptr) {
        std::fprintf(file, "programs %zu\nagreed %zu\ndiverged %zu\n", f.programs, f.agreed,
                     f.diverged);
        for (const auto& [kind, n] : f.divergences) {
          std::fprintf(file, "divergence %s %zu\n", kind.c_str(), n);
        }
        for (const auto& [kind, n] : f.allowed)
          std::fprintf(file, "allowed %s %zu\n", kind.c_str(), n);
        if (!f.skipped.empty()) std::fprintf(file, "skipped %s\n", f.skipped.c_str());
        std::fclose(file);
      }
    }
    if (f.programs == 0) return;
    std::printf(
        "\n[ fidelity ] %zu programs run on simulator and kernel: %zu agreed, %zu diverged\n",
        f.programs, f.agreed, f.diverged);
    for (const auto& [kind, n] : f.divergences) {
      std::printf("[ fidelity ]   divergence %-28s %zu\n", kind.c_str(), n);
    }
    for (const auto& [kind, n] : f.allowed) {
      std::printf("[ fidelity ]   allowed    %-28s %zu\n", kind.c_str(), n);
    }
  }
};
[[maybe_unused]] ::testing::Environment* const fidelity_summary =
    ::testing::AddGlobalTestEnvironment(new FidelitySummary);

// Runs `p` on both and compares; counts the outcome. `shown` gets both records.
Comparison run_both(const Program& p, std::string* shown = nullptr) {
  conformance::SimBackend sim_backend;
  conformance::KernelBackend kernel_backend;
  const Record sim = run_program(sim_backend, p);
  const Record kernel = run_program(kernel_backend, p);
  Comparison c = compare(p, kernel, sim);
  if (shown != nullptr) {
    std::ostringstream os;
    os << "kernel:\n";
    print_record(kernel, os);
    os << "simulator:\n";
    print_record(sim, os);
    *shown = os.str();
  }
  Fidelity& f = fidelity();
  ++f.programs;
  if (c.divergences.empty()) {
    ++f.agreed;
  } else {
    ++f.diverged;
    for (const Divergence& d : c.divergences) ++f.divergences[d.kind];
  }
  for (const std::string& a : c.allowed) ++f.allowed[a];
  return c;
}

RC_GTEST_PROP(Differential, SimulatorAgreesWithTheKernel, ()) {
  static const std::string why = [] {
    conformance::KernelBackend probe;
    return probe.unavailable_reason();
  }();
  if (!why.empty()) {
    fidelity().skipped = why;
    GTEST_SKIP() << why;
  }
  const Program p = *gen_program();
  std::string records;
  const Comparison c = run_both(p, &records);
  // RINGKIT_DIFF_TRACE=1: every program and the kernel's answers (to see what the generator makes).
  if (std::getenv("RINGKIT_DIFF_TRACE") != nullptr) {
    std::ostringstream os;
    showValue(p, os);
    os << "\n";
    conformance::KernelBackend again;
    print_record(run_program(again, p), os);
    std::printf("%s\n", os.str().c_str());
  }
  if (!c.divergences.empty()) {
    std::string what;
    for (const Divergence& d : c.divergences) what += "\n  [" + d.kind + "] " + d.detail;
    RC_FAIL("simulator and kernel diverge:" + what + "\n" + records);
  }
}

}  // namespace
}  // namespace ringkit::differential
