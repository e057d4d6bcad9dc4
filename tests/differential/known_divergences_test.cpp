// Minimal programs on which the simulator once disagreed with the kernel: simulator bugs the
// differential test found, kept as regression tests now that they are fixed. The comment above
// each names the bug and the kernel rule.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "compare.hpp"
#include "kernel_backend.hpp"
#include "program.hpp"
#include "runner.hpp"
#include "sim_backend.hpp"

namespace ringkit::differential {
namespace {

Op nop(Link link = Link::none) {
  Op op;
  op.link = link;
  return op;
}
Op cancel(std::uint64_t target, Link link = Link::none) {
  Op op;
  op.kind = OpKind::cancel;
  op.target = target;
  op.link = link;
  return op;
}

// Runs the program (taken as is: no normalize()) on both and expects every observation to agree.
void expect_agreement(const Program& p) {
  conformance::KernelBackend kernel_backend;
  const std::string why = kernel_backend.unavailable_reason();
  if (!why.empty()) GTEST_SKIP() << why;
  conformance::SimBackend sim_backend;
  const Record kernel = run_program(kernel_backend, p);
  const Record sim = run_program(sim_backend, p);
  const Comparison c = compare(p, kernel, sim);
  std::ostringstream os;
  showValue(p, os);
  os << "\nkernel:\n";
  print_record(kernel, os);
  os << "simulator:\n";
  print_record(sim, os);
  for (const Divergence& d : c.divergences) ADD_FAILURE() << "[" << d.kind << "] " << d.detail;
  if (!c.divergences.empty() || std::getenv("RINGKIT_DIFF_TRACE"))
    std::printf("%s\n", os.str().c_str());
}

// Fixed sim bug: ASYNC_CANCEL found a link member whose predecessor completed inline in the same
// submit. In the kernel that member is queued as task work (io_queue_next ->
// io_req_task_queue), which runs only after the submit loop; the cancel, issued inline later in
// that loop, looks only in io-wq, the poll and timeout lists (and waitid/futex) (io_try_cancel,
// io_uring/cancel.c), finds nothing (-ENOENT), and the member then runs. (Behind a TIMEOUT that
// is still pending, the simulator already answers -ENOENT, as the kernel does.)
// Kernel: ud 2 {0}, ud 3 {-ENOENT}; the simulator answered ud 2 {-ECANCELED}, ud 3 {0}.
TEST(DifferentialFixedDivergence, CancelDoesNotFindALinkMemberNotYetIssued) {
  Program p;
  Batch b;
  b.ops = {nop(Link::soft), nop(), cancel(2)};
  p.batches.push_back(b);
  expect_agreement(p);
}

}  // namespace
}  // namespace ringkit::differential
