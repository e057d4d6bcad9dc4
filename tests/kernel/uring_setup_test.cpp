// UringRing setup: every setup flag it honours (the ring is created, params() shows the flag, a
// NOP round-trips), the flags' own behaviour, invalid parameters, and the opcode probe.
#include <poll.h>
#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

#include "uring_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using testing::nop_sqe;
using testing::Pipe;
using testing::ring_options;
using testing::take_cqes;
using testing::with_user_data;

class UringSetup : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

// Three NOPs in, three CQEs out in order, through whichever CQE size the ring has.
void expect_nops_round_trip(UringRing& ring) {
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.push(nop_sqe(100 + i)));
  const result<std::uint32_t> submitted = ring.submit_and_wait(3);
  ASSERT_TRUE(submitted) << submitted.error().message();
  EXPECT_EQ(*submitted, 3u);
  for (std::uint64_t i = 0; i < 3; ++i) {
    const Cqe* cqe = ring.peek_cqe();
    ASSERT_NE(cqe, nullptr) << i;
    EXPECT_EQ(cqe->user_data, 100 + i);
    EXPECT_EQ(cqe->res, 0);
    if (ring.setup_flags() & setup::cqe32) {
      ASSERT_NE(ring.peek_cqe32(), nullptr);
      EXPECT_EQ(ring.peek_cqe32()->user_data, 100 + i);
    }
    ring.cqe_seen();
  }
  EXPECT_EQ(ring.cq_ready(), 0u);
  EXPECT_EQ(ring.sq_ready(), 0u);
}

struct FlagCase {
  const char* name;
  std::uint32_t flags;
  std::uint32_t entries = 8;
  std::uint32_t cq_entries = 0;
};

class UringSetupFlag : public ::testing::TestWithParam<FlagCase> {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

TEST_P(UringSetupFlag, CreatedFlagVisibleNopRoundTrips) {
  const FlagCase& c = GetParam();
  RingOptions o = ring_options(c.entries, c.flags, c.cq_entries);
  o.sq_thread_idle_ms = 50;
  RINGKIT_MAKE_RING(ring, o);
  EXPECT_EQ(ring->backend_name(), "kernel");
  const std::uint32_t expected = c.flags | (c.cq_entries != 0 ? setup::cqsize : 0u);
  EXPECT_EQ(ring->setup_flags() & expected, expected);
  EXPECT_EQ(ring->params().flags, ring->setup_flags());
  EXPECT_EQ(ring->sq_entries(), std::min(c.entries, setup::max_sq_entries));
  if (c.cq_entries != 0) {
    EXPECT_EQ(ring->cq_entries(), std::min(c.cq_entries, setup::max_cq_entries));
  }
  expect_nops_round_trip(*ring);
  expect_nops_round_trip(*ring);  // again, past the first slots
}

const FlagCase flag_cases[] = {
    {"plain", 0},
    {"iopoll", setup::iopoll},
    {"hybrid_iopoll", setup::iopoll | setup::hybrid_iopoll},
    {"sqpoll", setup::sqpoll},
    {"sqpoll_sq_aff", setup::sqpoll | setup::sq_aff},
    {"cqsize", 0, 8, 64},
    {"clamp", setup::clamp, 65536},
    {"clamp_cqsize", setup::clamp, 1024, 131072},
    {"submit_all", setup::submit_all},
    {"coop_taskrun", setup::coop_taskrun},
    {"coop_taskrun_flag", setup::coop_taskrun | setup::taskrun_flag},
    {"sqe128", setup::sqe128},
    {"cqe32", setup::cqe32},
    {"sqe128_cqe32", setup::sqe128 | setup::cqe32},
    {"single_issuer", setup::single_issuer},
    {"defer_taskrun", setup::single_issuer | setup::defer_taskrun},
    {"defer_taskrun_flag", setup::single_issuer | setup::defer_taskrun | setup::taskrun_flag},
    {"no_sqarray", setup::no_sqarray},
    {"no_sqarray_sqe128", setup::no_sqarray | setup::sqe128},
    {"no_mmap", setup::no_mmap},
    {"no_mmap_big", setup::no_mmap, 1024},  // rings span several pages
    {"no_mmap_sqe128_cqe32", setup::no_mmap | setup::sqe128 | setup::cqe32},
    {"no_mmap_no_sqarray", setup::no_mmap | setup::no_sqarray},
    {"registered_fd_only", setup::no_mmap | setup::registered_fd_only},
};

INSTANTIATE_TEST_SUITE_P(Flags, UringSetupFlag, ::testing::ValuesIn(flag_cases),
                         [](const ::testing::TestParamInfo<FlagCase>& flag_case) {
                           return std::string(flag_case.param.name);
                         });

TEST_F(UringSetup, ClampResolvesSizes) {
  RINGKIT_MAKE_RING(ring, ring_options(65536, setup::clamp, 0));
  EXPECT_EQ(ring->sq_entries(), setup::max_sq_entries);
  EXPECT_EQ(ring->cq_entries(), 2 * setup::max_sq_entries);
}

TEST_F(UringSetup, NoSqArrayHasNoIndexArrayAndWraps) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::no_sqarray));
  EXPECT_EQ(ring->params().sq_off.array, 0u);
  // One at a time past the ring size, then full batches: slot i is SQE i with no index array.
  for (std::uint64_t i = 0; i < 9; ++i) {
    ASSERT_TRUE(ring->push(nop_sqe(i)));
    ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
    const std::vector<Cqe> cqes = take_cqes(*ring);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].user_data, i);
  }
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(ring->push(nop_sqe(50 + i)));
    EXPECT_FALSE(ring->push(nop_sqe(99)));  // full
    ASSERT_EQ(ring->submit_and_wait(4).value(), 4u);
    const std::vector<Cqe> cqes = take_cqes(*ring);
    ASSERT_EQ(cqes.size(), 4u);
    for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(cqes[i].user_data, 50 + i);
  }
}

TEST_F(UringSetup, NoMmapUsesMemoryRingkitProvides) {
  RINGKIT_MAKE_RING(ring, ring_options(16, setup::no_mmap));
  EXPECT_NE(ring->params().sq_off.user_addr, 0u);
  EXPECT_NE(ring->params().cq_off.user_addr, 0u);
  EXPECT_GE(ring->ring_fd(), 0);
  expect_nops_round_trip(*ring);
}

TEST_F(UringSetup, RegisteredFdOnlyRingHasOnlyItsIndex) {
  RINGKIT_MAKE_RING(ring, ring_options(8, setup::no_mmap | setup::registered_fd_only));
  EXPECT_EQ(ring->ring_fd(), -1);
  EXPECT_GE(ring->registered_ring_index(), 0);
  // Registers go through IORING_REGISTER_USE_REGISTERED_RING.
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  EXPECT_TRUE(probe->supports(Opcode::nop));
  EXPECT_EQ(ring->register_ring_fd().error().value(), EEXIST);
  const result<void> unregister = ring->unregister_ring_fd();
  ASSERT_FALSE(unregister);
  EXPECT_EQ(unregister.error().value(), EINVAL);
  EXPECT_EQ(unregister.error().reason(), ErrorReason::registered_fd_only_ring);
  // Another thread has no such index (or another ring there): refused before the kernel.
  result<std::uint32_t> elsewhere = Error{0};
  std::thread([&] {
    ASSERT_TRUE(ring->push(nop_sqe(7)));
    elsewhere = ring->submit();
  }).join();
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().value(), EBADF);
  EXPECT_EQ(elsewhere.error().reason(), ErrorReason::registered_ring_other_thread);
  // The NOP queued there is still in the SQ; this thread submits it.
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).user_data, 7u);
}

TEST_F(UringSetup, SqpollWakesASleepingThread) {
  RingOptions o = ring_options(8, setup::sqpoll);
  o.sq_thread_idle_ms = 1;
  RINGKIT_MAKE_RING(ring, o);
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  ASSERT_TRUE(ring->submit());
  ASSERT_TRUE(ring->wait_cqe_timeout(std::chrono::seconds(5)));
  ring->cqe_seen();
  // After its 1 ms idle time the SQ thread sleeps and says so.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(ring->sq_flags() & sq_ring_flag::need_wakeup) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(ring->sq_flags() & sq_ring_flag::need_wakeup);
  // submit() sees the flag and enters with IORING_ENTER_SQ_WAKEUP; without it the NOP would sit
  // in the SQ and the wait below would time out.
  ASSERT_TRUE(ring->push(nop_sqe(2)));
  ASSERT_TRUE(ring->submit());
  const result<const Cqe*> cqe = ring->wait_cqe_timeout(std::chrono::seconds(5));
  ASSERT_TRUE(cqe) << cqe.error().message();
  EXPECT_EQ((*cqe)->user_data, 2u);
  ring->cqe_seen();
}

TEST_F(UringSetup, SqpollSqueueWaitReturnsWithRoom) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::sqpoll));
  for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(ring->push(nop_sqe(i)));
  ASSERT_TRUE(ring->submit());
  const result<void> waited = ring->squeue_wait();
  ASSERT_TRUE(waited) << waited.error().message();
  // io_sqpoll_wait_sq returns once the kernel's internal SQ head shows room; the head userspace
  // reads is published at the end of the poller's batch, so it may lag for a moment.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ring->sq_ready() == 4u && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_LT(ring->sq_ready(), 4u);
  std::array<Cqe, 4> cqes{};
  std::uint32_t got = 0;
  while (got < 4) {
    const result<std::uint32_t> n = ring->wait_cqes(std::span(cqes).subspan(got), 1);
    ASSERT_TRUE(n) << n.error().message();
    got += *n;
  }
}

TEST_F(UringSetup, DisabledRingNeedsEnableAndKeepsItsRestrictions) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::r_disabled));
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  const result<std::uint32_t> early = ring->submit();
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().value(), EBADFD);
  Restriction res[2]{};
  res[0].opcode = restriction_op::sqe_op;
  res[0].arg = static_cast<std::uint8_t>(Opcode::nop);
  res[1].opcode = restriction_op::register_op;
  res[1].arg = static_cast<std::uint8_t>(RegisterOp::register_probe);
  ASSERT_TRUE(ring->register_restrictions(res));
  ASSERT_TRUE(ring->enable_rings());
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).res, 0);
  // READ is off the list: -EACCES in its CQE; registering files is too.
  char buf[4];
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{0}, buf, 4, 0), 2)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).res, -EACCES);
  const result<void> files = ring->register_files_sparse(4);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().value(), EACCES);
  EXPECT_TRUE(ring->probe());  // on the list
}

TEST_F(UringSetup, AttachWqSharesAnotherRingsWorkers) {
  RINGKIT_MAKE_RING(first, ring_options(8));
  RingOptions o = ring_options(8, setup::attach_wq);
  o.attach_wq_fd = first->ring_fd();
  RINGKIT_MAKE_RING(second, o);
  EXPECT_TRUE(second->setup_flags() & setup::attach_wq);
  EXPECT_EQ(second->params().wq_fd, static_cast<std::uint32_t>(first->ring_fd()));
  expect_nops_round_trip(*second);
  // Work forced to io-wq runs on the shared pool.
  Pipe p;
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(write(p.write_end, "wq", 2), 2);
  char buf[2];
  ASSERT_TRUE(
      second->push(with_user_data(op::Read(op::Fd{p.read_end}, buf, 2, 0), 9, sqe_flag::async)));
  ASSERT_EQ(second->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*second).at(0).res, 2);
}

TEST_F(UringSetup, AttachWqToSomethingElseIsTheKernelsError) {
  Pipe p;
  ASSERT_TRUE(p.ok());
  RingOptions o = ring_options(8, setup::attach_wq);
  o.attach_wq_fd = p.read_end;  // not a ring
  const auto not_a_ring = UringRing::create(o);
  ASSERT_FALSE(not_a_ring);
  EXPECT_EQ(not_a_ring.error().value(), EINVAL);
  o.attach_wq_fd = 1 << 20;  // no such fd: the kernel says ENXIO (io_attach_sq_data, io-wq)
  const auto closed = UringRing::create(o);
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().value(), ENXIO);
  o.attach_wq_fd = -1;
  const auto missing = UringRing::create(o);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason(), ErrorReason::attach_wq_without_fd);
}

TEST_F(UringSetup, BigEntriesCarryNopCqe32Extras) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::sqe128 | setup::cqe32));
  ASSERT_TRUE(ring->push(with_user_data(op::Nop().cqe32(0x1111, 0x2222), 5)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  const Cqe32* cqe = ring->peek_cqe32();
  ASSERT_NE(cqe, nullptr);
  EXPECT_EQ(cqe->user_data, 5u);
  if (cqe->res == -EINVAL && ring->opcode_support().kernel() < KernelVersion{6, 18})
    GTEST_SKIP() << "kernel lacks IORING_NOP_CQE32 (6.18)";
  ASSERT_EQ(cqe->res, 0);
  EXPECT_EQ(cqe->extra1, 0x1111u);
  EXPECT_EQ(cqe->extra2, 0x2222u);
  ring->cqe_seen();
  // On a 16-byte CQ ring the same NOP is refused.
  RINGKIT_MAKE_RING(small, ring_options(4));
  EXPECT_EQ(small->peek_cqe32(), nullptr);
  ASSERT_TRUE(small->push(with_user_data(op::Nop().cqe32(1, 2), 6)));
  ASSERT_EQ(small->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*small).at(0).res, -EINVAL);
}

TEST_F(UringSetup, DeferTaskrunPostsOnlyWhenAskedForEvents) {
  RINGKIT_MAKE_RING(
      ring, ring_options(4, setup::single_issuer | setup::defer_taskrun | setup::taskrun_flag));
  Pipe p;
  ASSERT_TRUE(p.ok());
  char buf[8] = {};
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{p.read_end}, buf, sizeof buf, 0), 3)));
  ASSERT_EQ(ring->submit().value(), 1u);
  EXPECT_EQ(ring->cq_ready(), 0u);
  // The write completes the read in the kernel, but its CQE waits as deferred task work.
  ASSERT_EQ(write(p.write_end, "defer", 5), 5);
  EXPECT_EQ(ring->cq_ready(), 0u);
  EXPECT_TRUE(ring->sq_flags() & sq_ring_flag::taskrun);
  EXPECT_TRUE(ring->cq_needs_flush());
  // An enter with IORING_ENTER_GETEVENTS runs it.
  ASSERT_TRUE(ring->submit_and_wait(1));
  const std::vector<Cqe> cqes = take_cqes(*ring);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0].user_data, 3u);
  EXPECT_EQ(cqes[0].res, 5);
  EXPECT_EQ(std::string(buf, 5), "defer");
  EXPECT_FALSE(ring->sq_flags() & sq_ring_flag::taskrun);
}

TEST_F(UringSetup, SingleIssuerRefusesAnotherTask) {
  RINGKIT_MAKE_RING(ring, ring_options(4, setup::single_issuer));
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  result<std::uint32_t> elsewhere = Error{0};
  std::thread([&] { elsewhere = ring->submit(); }).join();
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().value(), EEXIST);
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);  // the creator still can
}

TEST_F(UringSetup, SqAffToACpuThatDoesNotExistIsEinval) {
  RingOptions o = ring_options(4, setup::sqpoll | setup::sq_aff);
  o.sq_thread_cpu = 1u << 20;
  const auto ring = UringRing::create(o);
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error().value(), EINVAL);
}

struct InvalidCase {
  const char* name;
  RingOptions options;
  int errno_value;
  ErrorReason reason;
};

RingOptions invalid(std::uint32_t entries, std::uint32_t flags, std::uint32_t cq_entries = 0) {
  return ring_options(entries, flags, cq_entries);
}

TEST_F(UringSetup, InvalidOptionsAreNamedErrors) {
  const InvalidCase cases[] = {
      {"entries 0", invalid(0, 0), EINVAL, ErrorReason::entries_zero},
      {"entries 3", invalid(3, 0), EINVAL, ErrorReason::entries_not_power_of_two},
      {"entries 65536", invalid(65536, 0), EINVAL, ErrorReason::entries_too_large},
      {"cq 100", invalid(8, 0, 100), EINVAL, ErrorReason::cq_entries_not_power_of_two},
      {"cq 4 < 8", invalid(8, 0, 4), EINVAL, ErrorReason::cq_entries_below_entries},
      {"cq 131072", invalid(8, 0, 131072), EINVAL, ErrorReason::cq_entries_too_large},
      {"unknown flag", invalid(8, 1u << 20), EINVAL, ErrorReason::setup_flags_unknown},
      {"sq_aff alone", invalid(8, setup::sq_aff), EINVAL, ErrorReason::sq_aff_without_sqpoll},
      {"sqpoll coop", invalid(8, setup::sqpoll | setup::coop_taskrun), EINVAL,
       ErrorReason::sqpoll_with_taskrun_mode},
      {"taskrun_flag alone", invalid(8, setup::taskrun_flag), EINVAL,
       ErrorReason::taskrun_flag_without_taskrun_mode},
      {"defer alone", invalid(8, setup::defer_taskrun), EINVAL,
       ErrorReason::defer_taskrun_without_single_issuer},
      {"hybrid alone", invalid(8, setup::hybrid_iopoll), EINVAL,
       ErrorReason::hybrid_iopoll_without_iopoll},
      {"fd_only alone", invalid(8, setup::registered_fd_only), EINVAL,
       ErrorReason::registered_fd_only_without_no_mmap},
      {"cqe_mixed", invalid(8, setup::cqe_mixed), ENOSYS, ErrorReason::setup_flag_unsupported},
  };
  for (const InvalidCase& c : cases) {
    const auto ring = UringRing::create(c.options);
    ASSERT_FALSE(ring) << c.name;
    EXPECT_EQ(ring.error().value(), c.errno_value) << c.name;
    EXPECT_EQ(ring.error().reason(), c.reason) << c.name << ": " << ring.error().message();
  }
  const auto mixed = UringRing::create(invalid(8, setup::cqe_mixed));
  EXPECT_EQ(mixed.error().detail(), setup::cqe_mixed);
  EXPECT_NE(mixed.error().message().find("IORING_SETUP_CQE_MIXED"), std::string::npos);
}

// ---- opcode support -------------------------------------------------------------------------

TEST(UringKernelRelease, ParsesUnameReleases) {
  EXPECT_EQ(parse_kernel_release("6.18.44-fc-v657").value(), (KernelVersion{6, 18}));
  EXPECT_EQ(parse_kernel_release("5.4").value(), (KernelVersion{5, 4}));
  EXPECT_EQ(parse_kernel_release("10.0.1-rc1").value(), (KernelVersion{10, 0}));
  EXPECT_EQ(parse_kernel_release("6.1-custom").value(), (KernelVersion{6, 1}));
  for (const char* bad : {"", "6", "6.", ".18", "abc", "6.x", "99999.1", "6.99999"})
    EXPECT_FALSE(parse_kernel_release(bad)) << bad;
  static_assert(parse_kernel_release("6.18.44").value() == KernelVersion{6, 18});
}

TEST(UringKernelRelease, RunningReleaseIsUnames) {
  utsname u{};
  ASSERT_EQ(uname(&u), 0);
  const result<KernelVersion> running = uring::running_kernel_release();
  ASSERT_TRUE(running) << u.release;
  unsigned major = 0;
  unsigned minor = 0;
  ASSERT_EQ(std::sscanf(u.release, "%u.%u", &major, &minor), 2);
  EXPECT_EQ(running->major, major);
  EXPECT_EQ(running->minor, minor);
}

TEST(UringOpcodeSupport, WithoutAProbeTheTableDecides) {
  const OpcodeSupport old = OpcodeSupport::from_kernel_version({5, 1});
  EXPECT_EQ(old.source(), OpcodeSupport::Source::kernel_version);
  EXPECT_TRUE(old.supports(Opcode::nop));
  EXPECT_TRUE(old.supports(Opcode::readv));
  EXPECT_FALSE(old.supports(Opcode::read));  // 5.6
  const result<void> missing = old.require(Opcode::read);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().value(), EOPNOTSUPP);
  EXPECT_EQ(missing.error().reason(), ErrorReason::opcode_not_supported);
  EXPECT_EQ(missing.error().detail(), static_cast<std::uint64_t>(Opcode::read));
  EXPECT_FALSE(OpcodeSupport{}.supports(Opcode::nop));
  EXPECT_FALSE(old.supports(static_cast<Opcode>(200)));
}

TEST(UringOpcodeSupport, WithAProbeTheKernelDecides) {
  ProbeHeader header{};
  header.last_op = 62;
  ProbeOp ops[2]{};
  ops[0].op = static_cast<std::uint8_t>(Opcode::read);
  ops[0].flags = probe_op_supported;
  ops[1].op = static_cast<std::uint8_t>(Opcode::futex_wait);  // listed, not supported
  const Probe probe = Probe::from_kernel(header, ops);
  // A backport: READ on a release older than 5.6 is supported because the probe says so.
  const OpcodeSupport s = OpcodeSupport::from_probe(probe, {5, 4});
  EXPECT_TRUE(s.supports(Opcode::read));
  EXPECT_FALSE(s.kernel_release_has(Opcode::read));
  EXPECT_FALSE(s.supports(Opcode::futex_wait));
  EXPECT_FALSE(s.supports(Opcode::nop));  // not in this probe
}

TEST_F(UringSetup, ProbedOpcodesMatchTheTableOnThisKernel) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  const OpcodeSupport& support = ring->opcode_support();
  ASSERT_EQ(support.source(), OpcodeSupport::Source::probe);
  const result<KernelVersion> running = uring::running_kernel_release();
  ASSERT_TRUE(running);
  EXPECT_EQ(support.kernel(), *running);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe);
  for (const OpcodeInfo& info : opcode_table) {
    EXPECT_EQ(ring->supports(info.op), probe->supports(info.op)) << info.name;
    // The kernel has nothing the table says is newer than it (a backport would show here).
    if (probe->supports(info.op)) {
      EXPECT_TRUE(support.kernel_release_has(info.op)) << info.name;
    }
  }
  EXPECT_TRUE(ring->supports(Opcode::nop));
  EXPECT_TRUE(ring->opcode_support().require(Opcode::read));
}

}  // namespace
}  // namespace ringkit
