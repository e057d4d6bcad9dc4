// Conformance: the errors of io_uring_setup (bad sizes and flags), io_uring_enter (bad flags and
// arguments) and io_uring_register (double registration -EBUSY, unregistering nothing -ENXIO,
// bad descriptors and ranges, probe misuse), compared as error values on both backends.
#include <signal.h>
#include <sys/uio.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "ctl_support.hpp"

namespace ringkit::conformance {
namespace {

using namespace ctl;
using namespace std::chrono_literals;

RINGKIT_CONFORMANCE_SUITE(ConformanceCtlSetupErrors);

struct SetupCase {
  const char* name;
  std::uint32_t entries;
  std::uint32_t flags;
  std::uint32_t cq_entries;
  int errno_value;
};

TYPED_TEST(ConformanceCtlSetupErrors, BadSetupParametersAreRefused) {
  const SetupCase cases[] = {
      {"entries 0", 0, 0, 0, EINVAL},
      {"entries 3", 3, 0, 0, EINVAL},
      {"entries 65536", 65536, 0, 0, EINVAL},
      {"cq 100", 8, 0, 100, EINVAL},
      {"cq 4 < 8", 8, 0, 4, EINVAL},
      {"cq 131072", 8, 0, 131072, EINVAL},
      {"unknown flag", 8, 1u << 20, 0, EINVAL},
      {"sq_aff alone", 8, abi::setup::sq_aff, 0, EINVAL},
      {"sqpoll coop", 8, abi::setup::sqpoll | abi::setup::coop_taskrun, 0, EINVAL},
      {"taskrun_flag alone", 8, abi::setup::taskrun_flag, 0, EINVAL},
      {"defer alone", 8, abi::setup::defer_taskrun, 0, EINVAL},
      {"hybrid alone", 8, abi::setup::hybrid_iopoll, 0, EINVAL},
      {"fd_only alone", 8, abi::setup::registered_fd_only, 0, EINVAL},
  };
  for (const SetupCase& c : cases) {
    RingOptions o;
    o.entries = c.entries;
    o.setup_flags = c.flags;
    o.cq_entries = c.cq_entries;
    const result<std::unique_ptr<Ring>> ring = this->backend.make_ring(o);
    ASSERT_FALSE(ring) << c.name;
    EXPECT_EQ(ring.error().value(), c.errno_value) << c.name << ": " << ring.error().message();
  }
}

TYPED_TEST(ConformanceCtlSetupErrors, SizesResolveAsTheKernelDoes) {
  auto ring = this->make_ring(8);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->sq_entries(), 8u);
  EXPECT_EQ(ring->cq_entries(), 16u);  // twice the SQ by default
  auto sized = this->make_ring(4, 0, 64);
  ASSERT_NE(sized, nullptr);
  EXPECT_EQ(sized->sq_entries(), 4u);
  EXPECT_EQ(sized->cq_entries(), 64u);
  EXPECT_NE(sized->setup_flags() & abi::setup::cqsize, 0u);
}

TYPED_TEST(ConformanceCtlSetupErrors, EnterWithBadFlagsOrArgumentsIsEinval) {
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  // An enter flag no kernel defines.
  EXPECT_EQ(error_of(ring->enter(0, 0, 1u << 8)), EINVAL);
  // IORING_ENTER_EXT_ARG with the wrong argument size.
  abi::GeteventsArg arg{};
  EXPECT_EQ(
      error_of(ring->enter(0, 1, abi::enter_flag::getevents | abi::enter_flag::ext_arg, &arg, 8)),
      EINVAL);
  // A signal mask of the wrong size.
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_EQ(error_of(ring->enter(0, 1, abi::enter_flag::getevents, &mask, 4)), EINVAL);
  // A right-sized mask and nothing to wait for returns at once.
  const result<std::uint32_t> plain =
      ring->enter(0, 0, abi::enter_flag::getevents, &mask, _NSIG / 8);
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(*plain, 0u);
  // IORING_ENTER_SQ_WAKEUP / SQ_WAIT without SQPOLL are accepted and do nothing.
  EXPECT_EQ(error_of(ring->enter(0, 0, abi::enter_flag::sq_wakeup)), 0);
}

TYPED_TEST(ConformanceCtlSetupErrors, WaitsTimeOutWithEtime) {
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(error_of(ring->wait_cqe_timeout(5ms)), ETIME);
  EXPECT_EQ(error_of(ring->submit_and_wait_timeout(1, 5ms)), ETIME);
  ASSERT_TRUE(ring->push(nop(1)));
  const result<std::uint32_t> one = ring->submit_and_wait_timeout(1, 1s);
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(*one, 1u);
  EXPECT_EQ(ring->cq_ready(), 1u);
}

TYPED_TEST(ConformanceCtlSetupErrors, FileRegistrationErrors) {
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(error_of(ring->unregister_files()), ENXIO);                // nothing registered
  EXPECT_EQ(error_of(ring->register_file_alloc_range(0, 1)), EINVAL);  // beyond a 0-slot table
  const int fds[] = {p.first, p.second};
  ASSERT_TRUE(ring->register_files(fds));
  EXPECT_EQ(error_of(ring->register_files(fds)), EBUSY);  // one table per ring
  EXPECT_EQ(error_of(ring->register_files_sparse(8)), EBUSY);
  EXPECT_EQ(error_of(ring->register_files_update(2, std::span(fds, 1))), EINVAL);  // past the end
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(error_of(ring->unregister_files()), ENXIO);
  const int bad[] = {1 << 20};
  EXPECT_EQ(error_of(ring->register_files(bad)), EBADF);
  ASSERT_TRUE(ring->register_files_sparse(8));
  const int update[] = {p.first, abi::register_files_skip, -1};
  const result<std::uint32_t> updated = ring->register_files_update(2, update);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 3u);
  ASSERT_TRUE(ring->register_file_alloc_range(2, 4));
  EXPECT_EQ(error_of(ring->register_file_alloc_range(6, 4)), EINVAL);
}

TYPED_TEST(ConformanceCtlSetupErrors, BufferRegistrationErrors) {
  std::vector<char> a(4096);
  std::vector<char> b(4096);
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(error_of(ring->unregister_buffers()), ENXIO);
  const iovec bufs[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  ASSERT_TRUE(ring->register_buffers(bufs));
  EXPECT_EQ(error_of(ring->register_buffers(bufs)), EBUSY);
  EXPECT_EQ(error_of(ring->register_buffers_sparse(4)), EBUSY);
  ASSERT_TRUE(ring->unregister_buffers());
  EXPECT_EQ(error_of(ring->unregister_buffers()), ENXIO);
  const iovec null_base[] = {{nullptr, 4096}};
  EXPECT_EQ(error_of(ring->register_buffers(null_base)), EFAULT);
}

TYPED_TEST(ConformanceCtlSetupErrors, EventfdRegistrationErrors) {
  const int efd = this->backend.make_eventfd();
  ASSERT_GE(efd, 0);
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(error_of(ring->unregister_eventfd()), ENXIO);
  EXPECT_EQ(error_of(ring->register_eventfd(-1)), EBADF);
  ASSERT_TRUE(ring->register_eventfd(efd));
  EXPECT_EQ(error_of(ring->register_eventfd(efd)), EBUSY);
  EXPECT_EQ(error_of(ring->register_eventfd_async(efd)), EBUSY);
  ASSERT_TRUE(ring->unregister_eventfd());
  EXPECT_EQ(error_of(ring->unregister_eventfd()), ENXIO);
}

TYPED_TEST(ConformanceCtlSetupErrors, ProbeAndRawRegisterErrors) {
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  EXPECT_TRUE(probe->supports(abi::Opcode::nop));
  EXPECT_TRUE(probe->supports(abi::Opcode::timeout));
  EXPECT_FALSE(probe->supports(static_cast<abi::Opcode>(abi::opcode_count)));
  // The kernel wants a zeroed buffer.
  struct {
    abi::ProbeHeader header;
    abi::ProbeOp ops[8];
  } dirty{};
  dirty.header.resv = 1;
  EXPECT_EQ(error_of(ring->register_raw(abi::RegisterOp::register_probe, &dirty, 8)), EINVAL);
  // Past IORING_REGISTER_LAST.
  EXPECT_EQ(error_of(ring->register_raw(static_cast<abi::RegisterOp>(abi::register_op_count),
                                        nullptr, 0)),
            EINVAL);
}

TYPED_TEST(ConformanceCtlSetupErrors, PersonalityAndRestrictionErrors) {
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  const result<std::uint16_t> id = ring->register_personality();
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_GT(*id, 0u);
  abi::Sqe unknown = nop(2);
  unknown.personality = static_cast<std::uint16_t>(*id + 100);
  abi::Sqe known = nop(1);
  known.personality = *id;
  ASSERT_EQ(submit(*ring, {known, unknown}), 2);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 0, 0}, {2, -EINVAL, 0}}));
  ASSERT_TRUE(ring->unregister_personality(*id));
  EXPECT_EQ(error_of(ring->unregister_personality(*id)), EINVAL);
  // Restrictions and enabling only on a ring set up disabled.
  abi::Restriction res[1]{};
  res[0].opcode = abi::restriction_op::sqe_op;
  res[0].arg = static_cast<std::uint8_t>(abi::Opcode::nop);
  EXPECT_EQ(error_of(ring->register_restrictions(res)), EBADFD);
  EXPECT_EQ(error_of(ring->enable_rings()), EBADFD);
}

TYPED_TEST(ConformanceCtlSetupErrors, BufRingRegistrationErrors) {
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  const std::unique_ptr<void, Free> memory(std::aligned_alloc(4096, 4096));
  ASSERT_NE(memory, nullptr);
  const auto address = reinterpret_cast<std::uint64_t>(memory.get());
  ASSERT_TRUE(ring->register_buf_ring(address, 8, 1));
  EXPECT_EQ(error_of(ring->register_buf_ring(address, 8, 1)), EEXIST);
  EXPECT_EQ(error_of(ring->buf_ring_head(9)), ENOENT);
  EXPECT_EQ(error_of(ring->register_buf_ring(address, 3, 2)), EINVAL);  // not a power of two
  ASSERT_TRUE(ring->unregister_buf_ring(1));
  EXPECT_EQ(error_of(ring->unregister_buf_ring(1)), ENOENT);
}

TYPED_TEST(ConformanceCtlSetupErrors, SyncCancelErrors) {
  char buf[4] = {};
  const FdPair p = this->backend.make_pipe(0);
  auto ring = this->make_ring(4);
  ASSERT_NE(ring, nullptr);
  abi::SyncCancelReg cancel{};
  cancel.addr = 1234;
  cancel.fd = -1;
  cancel.timeout = {-1, -1};
  EXPECT_EQ(error_of(ring->register_sync_cancel(cancel)), ENOENT);
  ASSERT_EQ(submit(*ring, {read(op::Fd{p.first}, buf, 4, 1234)}), 1);
  ASSERT_TRUE(ring->register_sync_cancel(cancel));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{1234, -ECANCELED, 0}}));
  abi::SyncCancelReg bad = cancel;
  bad.flags = 1u << 30;
  EXPECT_EQ(error_of(ring->register_sync_cancel(bad)), EINVAL);
}

}  // namespace
}  // namespace ringkit::conformance
