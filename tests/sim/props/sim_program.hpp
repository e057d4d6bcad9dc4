// Random op programs for simulator properties: a generated list of control ops (NOPs that
// succeed or fail, timeouts of every kind, removes, polls, cancels, link timeouts) with random
// link/drain/skip flags, submitted in random batches into a ring with a small CQ, with eventfd
// signals and reaping at random points; then everything left is cancelled and run out.
#pragma once

#include <rapidcheck.h>
#include <sys/eventfd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "engine/sim_test_support.hpp"
#include "props/control_steps.hpp"
#include "ringkit/sim/world/eventfd.hpp"

namespace ringkit::sim::testing {

using StepKind = ControlKind;
inline constexpr int step_kind_count = control_kind_count;

struct Step {
  StepKind kind = StepKind::nop;
  std::uint8_t sqe_flags = 0;
  std::uint32_t param = 0;   // time in us, count, or repeat count
  std::uint32_t target = 0;  // an earlier step's index (remove, cancel)
};

struct Program {
  std::vector<Step> steps;
  std::vector<std::uint32_t> batches;  // sizes, summing to steps.size()
  std::vector<bool> signal_after;      // per batch: signal the eventfd
  std::vector<bool> reap_after;        // per batch: reap the CQ
  std::uint32_t cq_entries = 8;
};

// Small rings, so that the CQ overflows when the program does not reap for a while.
inline constexpr std::uint32_t sq_entries = 8;

// How rapidcheck prints a failing program.
inline void showValue(const Program& p, std::ostream& os) {
  static const char* const names[] = {
      "nop",  "nop_fail",       "timeout", "timeout_count", "timeout_multishot", "timeout_remove",
      "poll", "poll_multishot", "cancel",  "link_timeout"};
  os << "cq_entries " << p.cq_entries << ", batches";
  for (const std::uint32_t b : p.batches) os << " " << b;
  os << "\n";
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    os << "  [" << i + 1 << "] " << names[static_cast<int>(s.kind)] << " param " << s.param
       << " target " << s.target + 1 << " flags 0x" << std::hex << int{s.sqe_flags} << std::dec
       << "\n";
  }
  for (std::size_t b = 0; b < p.batches.size(); ++b) {
    os << "  batch " << b << (p.signal_after[b] ? " signal" : "")
       << (p.reap_after[b] ? " reap" : "") << "\n";
  }
}

inline rc::Gen<Program> gen_program() {
  return rc::gen::exec([] {
    Program p;
    const auto n = *rc::gen::inRange<std::uint32_t>(1, 40);
    bool has_multishot_poll = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      Step s;
      s.kind = static_cast<StepKind>(*rc::gen::inRange(0, step_kind_count));
      s.param = *rc::gen::inRange<std::uint32_t>(1, 100);
      s.target = i == 0 ? 0 : *rc::gen::inRange<std::uint32_t>(0, i);
      const auto f = *rc::gen::inRange(0, 16);
      if (f < 3) s.sqe_flags |= abi::sqe_flag::io_link;
      if (f == 3) s.sqe_flags |= abi::sqe_flag::io_hardlink;
      if (f == 4) s.sqe_flags |= abi::sqe_flag::io_drain;
      if (s.kind == StepKind::poll_multishot) has_multishot_poll = true;
      if (f == 5) s.sqe_flags |= abi::sqe_flag::cqe_skip_success;
      if (f == 6) s.sqe_flags |= abi::sqe_flag::io_link | abi::sqe_flag::cqe_skip_success;
      p.steps.push_back(s);
    }
    // A drain waits for everything before it and holds everything after it; a multishot poll
    // ends only when cancelled, so with one in the program a drain would hold the cancels too,
    // forever (the kernel's rule as well). Such programs get no drain.
    if (has_multishot_poll) {
      for (Step& s : p.steps) s.sqe_flags &= static_cast<std::uint8_t>(~abi::sqe_flag::io_drain);
    }
    std::uint32_t left = n;
    while (left != 0) {
      const auto b =
          *rc::gen::inRange<std::uint32_t>(1, (left < sq_entries ? left : sq_entries) + 1);
      p.batches.push_back(b);
      p.signal_after.push_back(*rc::gen::arbitrary<bool>());
      p.reap_after.push_back(*rc::gen::arbitrary<bool>());
      left -= b;
    }
    p.cq_entries = sq_entries << *rc::gen::inRange(0, 3);
    return p;
  });
}

struct RunResult {
  std::vector<Cqe> cqes;     // every CQE in the order userspace saw them
  std::uint64_t trace_hash;  // the world's trace hash at the end
  std::uint32_t steps;
  bool finished;  // every request reached its end
};

inline constexpr std::uint64_t cancel_user_data = 1'000'000;

// user_data of step i is i + 1.
inline abi::Sqe sqe_of(const Step& s, std::uint32_t index, int eventfd,
                       const abi::KernelTimespec* times) {
  abi::Sqe sqe = control_sqe(s.kind, s.param, s.target, &times[index], eventfd);
  sqe.user_data = index + 1;
  sqe.flags = static_cast<std::uint8_t>(sqe.flags | s.sqe_flags);
  return sqe;
}

inline RunResult run_program(const Program& p, std::uint64_t seed, const FaultProfile& faults) {
  World world(WorldOptions{seed, faults});
  RunResult out{{}, 0, static_cast<std::uint32_t>(p.steps.size()), false};
  RingOptions o;
  o.entries = sq_entries;
  o.cq_entries = p.cq_entries;
  o.setup_flags = abi::setup::submit_all;
  result<std::unique_ptr<SimRing>> made = SimRing::create(world, o);
  RC_ASSERT(made.has_value());
  SimRing& ring = **made;
  result<FileRef> efd_file = make_eventfd(0, EFD_NONBLOCK);
  RC_ASSERT(efd_file.has_value());
  auto* efd = static_cast<EventFd*>(efd_file->get());
  const result<int> efd_fd = world.fds().install(*efd_file);
  RC_ASSERT(efd_fd.has_value());

  std::vector<abi::KernelTimespec> times(p.steps.size());
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    times[i] = abi::KernelTimespec{0, std::int64_t{p.steps[i].param} * 1000};
  }
  const auto reap = [&] {
    for (const Cqe& c : drain(ring)) out.cqes.push_back(c);
  };
  std::uint32_t next = 0;
  for (std::size_t b = 0; b < p.batches.size(); ++b) {
    for (std::uint32_t k = 0; k < p.batches[b]; ++k, ++next) {
      RC_ASSERT(ring.push(sqe_of(p.steps[next], next, *efd_fd, times.data())));
    }
    const result<std::uint32_t> submitted = ring.submit();
    RC_ASSERT(submitted.has_value());
    RC_ASSERT(*submitted == p.batches[b]);
    if (p.signal_after[b]) efd->signal(1);
    world.run_for(20'000);
    if (p.reap_after[b]) reap();
  }
  // Wake oneshot polls, then cancel what is left: multishot polls wait forever.
  efd->signal(1);
  constexpr int cancel_rounds = 8;
  for (int round = 0; round < cancel_rounds; ++round) {
    reap();
    abi::Sqe any = op::AsyncCancel::any().build();
    any.user_data = cancel_user_data + static_cast<std::uint64_t>(round);
    RC_ASSERT(ring.push(any));
    (void)ring.submit_and_wait_timeout(1, std::chrono::seconds(1));
    world.run_for(1'000'000'000);
  }
  world.run_for(1'000'000'000);
  reap();
  int cancels = 0;
  for (const Cqe& c : out.cqes) cancels += c.user_data >= cancel_user_data ? 1 : 0;
  out.finished = cancels == cancel_rounds;
  out.trace_hash = world.trace().hash();
  return out;
}

// Which steps may end without a CQE: a skip-success member that succeeded, and members after a
// failing skip-success member of the same link (REQ_F_SKIP_LINK_CQES).
inline std::vector<bool> may_be_silent(const Program& p) {
  std::vector<bool> silent(p.steps.size(), false);
  std::size_t i = 0;
  for (const std::uint32_t size : p.batches) {
    bool chain_has_skip = false;
    for (std::uint32_t k = 0; k < size; ++k, ++i) {
      const Step& s = p.steps[i];
      if (s.sqe_flags & abi::sqe_flag::cqe_skip_success) chain_has_skip = true;
      silent[i] = chain_has_skip;
      if (!(s.sqe_flags & (abi::sqe_flag::io_link | abi::sqe_flag::io_hardlink)))
        chain_has_skip = false;
    }
  }
  return silent;
}

}  // namespace ringkit::sim::testing
