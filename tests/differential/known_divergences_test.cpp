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

// Fixed sim bug: a multishot POLL_ADD that finds its file ready when armed does not post at once.
// The kernel (__io_arm_poll_handler with EPOLLET and no EPOLLONESHOT) hands the first CQE to task
// work (__io_poll_execute), which runs after the submit; an ASYNC_CANCEL later in that submit
// finds the poll still hashed, marks it cancelled (__io_poll_cancel -> io_poll_cancel_req: 0),
// and the task work ends it with -ECANCELED alone. Kernel: ud 1 {-ECANCELED}, ud 2 {0}; the
// simulator posted {POLLIN, F_MORE} at arming, then {-ECANCELED}.
TEST(DifferentialFixedDivergence, MultishotPollReadyWhenArmedPostsFromTaskWork) {
  Program p;
  Batch b;
  b.feed[0] = "a";
  Op poll;
  poll.kind = OpKind::poll_multishot;
  b.ops = {poll, cancel(1)};
  p.batches.push_back(b);
  expect_agreement(p);
}

// Fixed sim bug (engine, fail_chain_at_submit): a link whose head fails at init (here
// IOSQE_IO_DRAIN refused with -EOPNOTSUPP because the same SQE has IOSQE_CQE_SKIP_SUCCESS:
// io_init_req sets ctx->drain_disabled first) is failed as a whole at submit, and the
// LINK_TIMEOUT guarding the head must post -ECANCELED (io_disarm_next). The simulator dropped it.
// Kernel: ud 1 {-EOPNOTSUPP}, ud 2 {-ECANCELED}; simulator: ud 1 {-EOPNOTSUPP}, ud 2 nothing.
TEST(DifferentialFixedDivergence, InitFailedChainPostsItsLinkTimeout) {
  Program p;
  Batch b;
  b.feed = {"a", "a"};
  Op read;
  read.kind = OpKind::file_read;
  read.skip_success = true;
  read.drain = true;
  read.link = Link::soft;
  Op guard;
  guard.kind = OpKind::link_timeout;
  guard.long_timeout = true;
  guard.ms = long_timeout_ms;
  b.ops = {read, guard};
  p.batches.push_back(b);
  p.buf_entries = 2;
  p.register_files = true;
  expect_agreement(p);
}

// Fixed sim bug, the same engine path: [NOP skip-success ->link, LINK_TIMEOUT ->link,
// LINK_TIMEOUT]. The second LINK_TIMEOUT fails at init (-EINVAL: a LINK_TIMEOUT may not follow
// one), failing the link at submit. Kernel: ud 1 {-ECANCELED}, ud 2 {-ECANCELED} (disarmed),
// none for ud 3 (the skip-success failure silences the rest); the simulator posted none for ud 2.
TEST(DifferentialFixedDivergence, SkippingChainWithTwoLinkTimeouts) {
  Program p;
  Batch b;
  Op first = nop(Link::soft);
  first.skip_success = true;
  Op guard;
  guard.kind = OpKind::link_timeout;
  guard.long_timeout = true;
  guard.ms = long_timeout_ms;
  guard.link = Link::soft;
  Op second = guard;
  second.link = Link::none;
  b.ops = {first, guard, second};
  p.batches.push_back(b);
  expect_agreement(p);
}

// Fixed sim bug (ASYNC_CANCEL of a poll-armed request, ops/ctl_cancel.cpp): two ASYNC_CANCELs
// of one multishot POLL_ADD in the same submit. The kernel marks the poll cancelled and leaves it
// hashed until its task work runs (io_poll_cancel_req), so the second cancel finds it too, ready
// when armed (its first CQE queued as task work) or parked. Kernel: ud 1 {-ECANCELED}, ud 2 {0},
// ud 3 {0}; the simulator answered ud 3 {-ENOENT}.
TEST(DifferentialFixedDivergence, SecondCancelOfAMultishotInOneSubmit) {
  for (const char* feed : {"a", ""}) {
    Program p;
    Batch b;
    b.feed[0] = feed;
    Op poll;
    poll.kind = OpKind::poll_multishot;
    b.ops = {poll, cancel(1), cancel(1)};
    p.batches.push_back(b);
    expect_agreement(p);
  }
}

// Fixed sim bug (rw ops, READ_MULTISHOT): issued inline, the kernel's io_read_mshot
// reads once, posts that CQE with F_MORE and returns -EAGAIN, so its next read waits for the poll
// it arms (task work, after the submit). A cancel later in the same submit finds it armed.
// Kernel: ud 1 {1 "a", F_BUFFER|F_MORE} {-ECANCELED}, ud 2 {0}; the simulator reads on inline
// to end of file: ud 1 {1 "a", ...} {0}, ud 2 {-ENOENT}.
TEST(DifferentialFixedDivergence, ReadMultishotPostsOnceThenWaitsForItsPoll) {
  Program p;
  p.buf_entries = 2;
  Batch b;
  b.feed[0] = "a";
  b.close_writer = {true, true};
  Op read;
  read.kind = OpKind::read_multishot;
  read.select = true;
  b.ops = {read, cancel(1)};
  p.batches.push_back(b);
  expect_agreement(p);
}

// Fixed runner bug (seen only on a CI machine whose file writes went to io-wq): a LINK_TIMEOUT
// with no link to guard fails at init and ends the submission there (io_submit_sqes), leaving
// the cancel in the SQ. The runner used to leave it for whichever later enter ran: on the kernel
// the wait for the still-running write submitted it, on the simulator nothing did. The runner
// now submits what is left at once, so both run it.
TEST(DifferentialFixedDivergence, SqesLeftByAFailedInitAreSubmittedByTheRunner) {
  Program p;
  Batch b;
  Op write;
  write.kind = OpKind::file_write;
  write.data = "a";
  Op lone_link_timeout;
  lone_link_timeout.kind = OpKind::link_timeout;
  lone_link_timeout.long_timeout = true;
  Op unmatched = cancel(1000);
  unmatched.skip_success = true;
  b.ops = {write, lone_link_timeout, unmatched};
  p.batches.push_back(b);
  expect_agreement(p);
}
}  // namespace
}  // namespace ringkit::differential
