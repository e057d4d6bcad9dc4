// Fuzz target sim_program: the input is both an op program and the simulator's decision tape,
// so coverage guidance searches programs, fault schedules and completion orders together.
//
// Input: a u16 (little-endian) giving the program's length in bytes, the program bytes, then the
// tape (everything after the program). The program decoder (below) turns bytes into the model
// of tests/sim/props/sim_program.hpp — control ops (NOPs that succeed or fail, timeouts of every
// kind, removes, polls, cancels, link timeouts) with link / drain / skip-success flags, in
// batches with eventfd signals and reaping between them — plus READs selecting a buffer from a
// provided-buffer ring, a pipe fed at random points and buffers recycled at random points. The
// tape first draws the fault profile (each kind off when its draw is 0), then feeds the world's
// DecisionSource (TapeDecisions: 0 once it runs out). Enter faults stay off: they make submit()
// itself fail, and this target is about completions.
//
// Checked on every run: every SQE ends with exactly one terminal CQE (none after it; F_MORE only
// on multishot ops; a skip-success chain may be silent), no CQE is lost (every cancel round's
// CQE arrives, even through CQ overflow), no provided buffer is handed out twice
// (ProvidedBufferRing::take refuses a buffer the application already holds), a CQE with
// F_BUFFER has res >= 0, and the same input run twice gives the same CQEs and trace hash.
#include <sys/eventfd.h>
#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz_check.hpp"
#include "props/control_steps.hpp"
#include "ringkit/ops.hpp"
#include "ringkit/provided_buffer_ring.hpp"
#include "ringkit/sim/sim_ring.hpp"
#include "ringkit/sim/tape_decisions.hpp"
#include "ringkit/sim/world/eventfd.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::fuzz {
namespace {

enum class StepKind : std::uint8_t {
  nop,
  nop_fail,
  timeout,
  timeout_count,
  timeout_multishot,
  timeout_remove,
  poll,
  poll_multishot,
  cancel,
  link_timeout,
  read_select,
};
constexpr std::uint32_t step_kind_count = 11;
// The first ten are the properties' control ops, in their order.
static_assert(static_cast<int>(StepKind::read_select) == sim::testing::control_kind_count);
static_assert(static_cast<int>(StepKind::link_timeout) ==
              static_cast<int>(sim::testing::ControlKind::link_timeout));

struct Step {
  StepKind kind = StepKind::nop;
  std::uint8_t sqe_flags = 0;
  std::uint32_t param = 0;   // time in us, count, repeat count or read length
  std::uint32_t target = 0;  // an earlier step's index (remove, cancel)
};

struct Batch {
  std::uint32_t size = 0;
  bool signal = false;        // signal the eventfd after submitting
  std::uint32_t feed = 0;     // bytes written into the pipe after submitting
  bool reap = false;          // reap the CQ
  std::uint32_t recycle = 0;  // buffers handed back after reaping
};

struct Program {
  std::vector<Step> steps;
  std::vector<Batch> batches;
  std::uint32_t cq_entries = 8;
  std::uint32_t buf_entries = 4;
  std::uint32_t buf_size = 16;
  bool incremental = false;
};

constexpr std::uint32_t sq_entries = 8;
constexpr std::uint16_t bgid = 7;
constexpr std::uint64_t cancel_user_data = 1'000'000;
constexpr int cancel_rounds = 8;

bool is_multishot(StepKind k) {
  return k == StepKind::timeout_multishot || k == StepKind::poll_multishot;
}

// The byte-driven program decoder: the same shape gen_program() generates.
Program decode_program(ByteReader& in) {
  Program p;
  const std::uint32_t n = 1 + in.below(40);
  bool has_multishot_poll = false;
  for (std::uint32_t i = 0; i < n; ++i) {
    Step s;
    s.kind = static_cast<StepKind>(in.below(step_kind_count));
    s.param = 1 + in.below(100);
    s.target = i == 0 ? 0 : in.below(i);
    const std::uint32_t f = in.below(16);
    if (f < 3) s.sqe_flags |= abi::sqe_flag::io_link;
    if (f == 3) s.sqe_flags |= abi::sqe_flag::io_hardlink;
    if (f == 4) s.sqe_flags |= abi::sqe_flag::io_drain;
    if (f == 5) s.sqe_flags |= abi::sqe_flag::cqe_skip_success;
    if (f == 6) s.sqe_flags |= abi::sqe_flag::io_link | abi::sqe_flag::cqe_skip_success;
    if (s.kind == StepKind::poll_multishot) has_multishot_poll = true;
    p.steps.push_back(s);
  }
  // A multishot poll ends only when cancelled, and a drain would hold the cancels behind it
  // forever (the kernel's rule too): such programs get no drain.
  if (has_multishot_poll) {
    for (Step& s : p.steps) s.sqe_flags &= static_cast<std::uint8_t>(~abi::sqe_flag::io_drain);
  }
  std::uint32_t left = n;
  while (left != 0) {
    Batch b;
    b.size = 1 + in.below(left < sq_entries ? left : sq_entries);
    const std::uint8_t actions = in.u8();
    b.signal = (actions & 1) != 0;
    b.reap = (actions & 2) != 0;
    b.feed = (actions & 4) != 0 ? 1 + in.below(64) : 0;
    b.recycle = (actions & 8) != 0 ? 1 + in.below(8) : 0;
    p.batches.push_back(b);
    left -= b.size;
  }
  p.cq_entries = sq_entries << in.below(3);
  p.buf_entries = 1u << in.below(4);
  p.buf_size = 1 + in.below(32);
  p.incremental = in.flag();
  return p;
}

// The fault profile, from the tape: each kind on only when its draw says so (0: off).
sim::FaultProfile draw_faults(sim::DecisionSource& d) {
  sim::FaultProfile p = sim::FaultProfile::none();
  const auto maybe = [&d](std::uint32_t& rate) {
    if (d.below(2) == 1) rate = static_cast<std::uint32_t>(d.between(1'000, 200'000));
  };
  if (d.below(2) == 1) {
    p.latency_min_ns = 0;
    p.latency_max_ns = static_cast<std::int64_t>(d.between(1'000, 200'000));
  }
  maybe(p.latency_spike_ppm);
  maybe(p.io_error_ppm);
  maybe(p.short_rw_ppm);
  maybe(p.no_space_ppm);
  maybe(p.conn_reset_ppm);
  maybe(p.buffer_starvation_ppm);
  maybe(p.cq_pressure_ppm);
  return p;
}

// Which steps may end without a CQE: a skip-success member that succeeded, and members after a
// failing skip-success member of the same link (REQ_F_SKIP_LINK_CQES).
std::vector<bool> may_be_silent(const Program& p) {
  std::vector<bool> silent(p.steps.size(), false);
  std::size_t i = 0;
  for (const Batch& b : p.batches) {
    bool chain_has_skip = false;
    for (std::uint32_t k = 0; k < b.size; ++k, ++i) {
      const Step& s = p.steps[i];
      if (s.sqe_flags & abi::sqe_flag::cqe_skip_success) chain_has_skip = true;
      silent[i] = chain_has_skip;
      if (!(s.sqe_flags & (abi::sqe_flag::io_link | abi::sqe_flag::io_hardlink)))
        chain_has_skip = false;
    }
  }
  return silent;
}

struct Cqe {
  std::uint64_t user_data;
  std::int32_t res;
  std::uint32_t flags;
  friend bool operator==(const Cqe&, const Cqe&) = default;
};

struct RunResult {
  std::vector<Cqe> cqes;
  std::uint64_t trace_hash = 0;
  bool finished = false;
};

abi::Sqe sqe_of(const Step& s, std::uint32_t index, int eventfd, int pipe_read,
                const abi::KernelTimespec* times) {
  abi::Sqe sqe{};
  if (s.kind == StepKind::read_select) {
    sqe = op::Read::select_buffer(op::Fd{pipe_read}, op::BufGroup{bgid}, s.param % 48,
                                  ~std::uint64_t{0})
              .build();
  } else {
    sqe = sim::testing::control_sqe(static_cast<sim::testing::ControlKind>(s.kind), s.param,
                                    s.target, &times[index], eventfd);
  }
  sqe.user_data = index + 1;
  sqe.flags = static_cast<std::uint8_t>(sqe.flags | s.sqe_flags);
  return sqe;
}

RunResult run_program(const Program& p, std::span<const std::uint8_t> tape) {
  sim::TapeDecisions decisions(tape);
  sim::WorldOptions options;
  options.faults = draw_faults(decisions);
  sim::World world(decisions, options);
  RunResult out;

  RingOptions o;
  o.entries = sq_entries;
  o.cq_entries = p.cq_entries;
  o.setup_flags = abi::setup::submit_all;
  result<std::unique_ptr<sim::SimRing>> made = sim::SimRing::create(world, o);
  RINGKIT_FUZZ_CHECK(made.has_value());
  sim::SimRing& ring = **made;

  result<sim::FileRef> efd_file = sim::make_eventfd(0, EFD_NONBLOCK);
  RINGKIT_FUZZ_CHECK(efd_file.has_value());
  auto* efd = static_cast<sim::EventFd*>(efd_file->get());
  const result<int> efd_fd = world.fds().install(*efd_file);
  RINGKIT_FUZZ_CHECK(efd_fd.has_value());
  result<int> pipe_read = Error{EBADF};
  result<int> pipe_write = Error{EBADF};
  {
    // The descriptors hold the only references: closing the write end must end the pipe.
    result<sim::PipePair> pipe = sim::make_pipe(0);
    RINGKIT_FUZZ_CHECK(pipe.has_value());
    pipe_read = world.fds().install(pipe->reader);
    pipe_write = world.fds().install(pipe->writer);
    RINGKIT_FUZZ_CHECK(pipe_read.has_value() && pipe_write.has_value());
  }

  ProvidedBufferRingOptions bo;
  bo.bgid = bgid;
  bo.entries = p.buf_entries;
  bo.buffer_size = p.buf_size;
  bo.incremental = p.incremental;
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(ring, bo);
  RINGKIT_FUZZ_CHECK(buffers.has_value());
  std::vector<std::uint16_t> app_held;

  std::vector<abi::KernelTimespec> times(p.steps.size());
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    times[i] = abi::KernelTimespec{0, std::int64_t{p.steps[i].param} * 1000};
  }
  const auto reap = [&] {
    std::vector<Cqe> got;
    ring.for_each_cqe([&got](const abi::Cqe& c) { got.push_back({c.user_data, c.res, c.flags}); });
    ring.cq_advance(static_cast<std::uint32_t>(got.size()));
    for (const Cqe& c : got) {
      out.cqes.push_back(c);
      if (!(c.flags & abi::cqe_flag::buffer)) continue;
      RINGKIT_FUZZ_CHECK(c.res >= 0);
      // A buffer the application holds again before recycling it: handed out twice.
      const result<std::span<std::byte>> bytes =
          buffers->take(abi::Cqe{c.user_data, c.res, c.flags});
      RINGKIT_FUZZ_CHECK(bytes.has_value());
      if (!(c.flags & abi::cqe_flag::buf_more)) {
        app_held.push_back(static_cast<std::uint16_t>(c.flags >> abi::cqe_flag::buffer_shift));
      }
    }
  };
  std::uint8_t next_byte = 0;
  std::uint32_t next = 0;
  for (const Batch& b : p.batches) {
    for (std::uint32_t k = 0; k < b.size; ++k, ++next) {
      RINGKIT_FUZZ_CHECK(ring.push(sqe_of(p.steps[next], next, *efd_fd, *pipe_read, times.data())));
    }
    const result<std::uint32_t> submitted = ring.submit();
    RINGKIT_FUZZ_CHECK(submitted.has_value() && *submitted == b.size);
    if (b.signal) efd->signal(1);
    if (b.feed != 0) {
      std::vector<std::uint8_t> chunk(b.feed);
      for (std::uint8_t& c : chunk) c = next_byte++;
      const iovec v{chunk.data(), chunk.size()};
      sim::File* w = world.fds().get(*pipe_write);
      RINGKIT_FUZZ_CHECK(w != nullptr);
      RINGKIT_FUZZ_CHECK(w->write(std::span<const iovec>(&v, 1), -1, 0) ==
                         static_cast<std::int64_t>(chunk.size()));
    }
    world.run_for(20'000);
    if (b.reap) reap();
    for (std::uint32_t r = 0; r < b.recycle && !app_held.empty(); ++r) {
      RINGKIT_FUZZ_CHECK(buffers->recycle(app_held.back()).has_value());
      app_held.pop_back();
    }
  }
  // Wake oneshot polls, end reads waiting on the pipe (EOF), then cancel what is left:
  // multishot polls wait forever.
  efd->signal(1);
  RINGKIT_FUZZ_CHECK(world.fds().close(*pipe_write).has_value());
  for (int round = 0; round < cancel_rounds; ++round) {
    reap();
    abi::Sqe any = op::AsyncCancel::any().build();
    any.user_data = cancel_user_data + static_cast<std::uint64_t>(round);
    RINGKIT_FUZZ_CHECK(ring.push(any));
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

// RINGKIT_FUZZ_VERBOSE: print the program and the CQEs of each run (to study a crash).
void show(const Program& p, const RunResult& r) {
  if (std::getenv("RINGKIT_FUZZ_VERBOSE") == nullptr) return;
  std::fprintf(stderr, "cq_entries %u, buffers %u x %u%s\n", p.cq_entries, p.buf_entries,
               p.buf_size, p.incremental ? " incremental" : "");
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    std::fprintf(stderr, "  [%zu] kind %d param %u target %u flags 0x%x\n", i + 1,
                 static_cast<int>(s.kind), s.param, s.target + 1, s.sqe_flags);
  }
  for (const Batch& b : p.batches) {
    std::fprintf(stderr, "  batch %u%s%s feed %u recycle %u\n", b.size, b.signal ? " signal" : "",
                 b.reap ? " reap" : "", b.feed, b.recycle);
  }
  std::fprintf(stderr, "CQEs:");
  for (const Cqe& c : r.cqes) {
    std::fprintf(stderr, " {%llu, %d, 0x%x}", static_cast<unsigned long long>(c.user_data), c.res,
                 c.flags);
  }
  std::fprintf(stderr, "\n");
}

void check_one_terminal_cqe_each(const Program& p, const RunResult& r) {
  show(p, r);
  RINGKIT_FUZZ_CHECK(r.finished);  // no cancel CQE lost
  const std::vector<bool> silent = may_be_silent(p);
  std::map<std::uint64_t, std::uint32_t> terminals;
  for (const Cqe& c : r.cqes) {
    if (c.user_data >= cancel_user_data) {
      RINGKIT_FUZZ_CHECK(!(c.flags & abi::cqe_flag::more));
      continue;
    }
    RINGKIT_FUZZ_CHECK(c.user_data >= 1 && c.user_data <= p.steps.size());
    const Step& s = p.steps[c.user_data - 1];
    RINGKIT_FUZZ_CHECK(terminals[c.user_data] == 0u);  // nothing after the terminal CQE
    if (c.flags & abi::cqe_flag::more) {
      RINGKIT_FUZZ_CHECK(is_multishot(s.kind));
    } else {
      ++terminals[c.user_data];
    }
  }
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const std::uint32_t n = terminals[i + 1];
    RINGKIT_FUZZ_CHECK(n <= 1u);
    if (!silent[i]) RINGKIT_FUZZ_CHECK(n == 1u);
  }
}

}  // namespace
}  // namespace ringkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ringkit::fuzz;
  ByteReader header(std::span<const std::uint8_t>(data, size));
  const std::size_t program_len = std::min<std::size_t>(header.u16(), size - header.position());
  const std::span<const std::uint8_t> all(data, size);
  const std::span<const std::uint8_t> program_bytes = all.subspan(header.position(), program_len);
  const std::span<const std::uint8_t> tape = all.subspan(header.position() + program_len);
  ByteReader program_in(program_bytes);
  const Program p = decode_program(program_in);
  const RunResult first = run_program(p, tape);
  check_one_terminal_cqe_each(p, first);
  const RunResult second = run_program(p, tape);
  RINGKIT_FUZZ_CHECK(first.trace_hash == second.trace_hash);
  RINGKIT_FUZZ_CHECK(first.cqes == second.cqes);
  return 0;
}
