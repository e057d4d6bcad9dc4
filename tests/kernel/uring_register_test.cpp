// Every registration call of the Ring interface on UringRing: what it does on the kernel, and at
// least one kernel error each, which must come back as the kernel's errno.
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

#include "uring_test_support.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace std::chrono_literals;
using testing::nop_sqe;
using testing::Pipe;
using testing::ring_options;
using testing::take_cqes;
using testing::with_user_data;

class UringRegister : public ::testing::Test {
 protected:
  void SetUp() override { RINGKIT_REQUIRE_IO_URING(); }
};

template <class T>
int error_of(const result<T>& r) {
  return r ? 0 : r.error().value();
}

// The next CQE within a second (tag CQEs are posted when the kernel drops a resource).
Cqe next_cqe(Ring& ring) {
  const result<const Cqe*> cqe = ring.wait_cqe_timeout(1s);
  if (!cqe) {
    ADD_FAILURE() << "no CQE: " << cqe.error().message();
    return Cqe{};
  }
  const Cqe copy = **cqe;
  ring.cqe_seen();
  return copy;
}

// ---- files ----------------------------------------------------------------------------------

TEST_F(UringRegister, FilesPlain) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  Pipe p;
  ASSERT_TRUE(p.ok());
  const int fds[] = {p.read_end, p.write_end};
  ASSERT_TRUE(ring->register_files(fds));
  EXPECT_EQ(error_of(ring->register_files(fds)), EBUSY);  // one table per ring
  // Slot 0 is the read end.
  ASSERT_EQ(write(p.write_end, "hi", 2), 2);
  char buf[2] = {};
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::FixedFile{0}, buf, 2, 0), 1)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).res, 2);
  EXPECT_EQ(std::string(buf, 2), "hi");
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(error_of(ring->unregister_files()), ENXIO);
  const int bad[] = {1 << 20};
  EXPECT_EQ(error_of(ring->register_files(bad)), EBADF);
}

TEST_F(UringRegister, FilesSparseUpdateAndAllocRange) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  EXPECT_EQ(error_of(ring->register_file_alloc_range(0, 1)), EINVAL);  // beyond a 0-slot table
  ASSERT_TRUE(ring->register_files_sparse(8));
  EXPECT_EQ(error_of(ring->register_files_sparse(8)), EBUSY);
  const int fds[] = {STDIN_FILENO, register_files_skip, -1};
  const result<std::uint32_t> updated = ring->register_files_update(2, fds);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 3u);
  EXPECT_EQ(error_of(ring->register_files_update(8, std::span(fds, 1))), EINVAL);
  ASSERT_TRUE(ring->register_file_alloc_range(2, 4));
  EXPECT_EQ(error_of(ring->register_file_alloc_range(6, 4)), EINVAL);
  ASSERT_TRUE(ring->unregister_files());
}

TEST_F(UringRegister, FilesTagsPostWhenDropped) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::rsrc_tags);
  Pipe p;
  ASSERT_TRUE(p.ok());
  const int first[] = {p.read_end};
  const std::uint64_t first_tag[] = {0x77};
  // ringkit refuses mismatched tags itself.
  const std::uint64_t two_tags[] = {1, 2};
  const result<void> mismatch = ring->register_files_tags(first, two_tags);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().reason(), ErrorReason::tags_size_mismatch);
  ASSERT_TRUE(ring->register_files_tags(first, first_tag));
  EXPECT_EQ(error_of(ring->register_files_tags(first, first_tag)), EBUSY);
  // Replacing slot 0 drops the read end: its tag comes back as a CQE.
  const int second[] = {p.write_end};
  const std::uint64_t second_tag[] = {0x78};
  const result<std::uint32_t> n = ring->register_files_update_tag(0, second, second_tag);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1u);
  const Cqe dropped = next_cqe(*ring);
  EXPECT_EQ(dropped.user_data, 0x77u);
  EXPECT_EQ(dropped.res, 0);
  EXPECT_EQ(error_of(ring->register_files_update_tag(5, second, second_tag)), EINVAL);
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(next_cqe(*ring).user_data, 0x78u);
}

// ---- buffers --------------------------------------------------------------------------------

TEST_F(UringRegister, BuffersPlain) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  std::vector<char> a(4096);
  std::vector<char> b(4096);
  const iovec bufs[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  ASSERT_TRUE(ring->register_buffers(bufs));
  EXPECT_EQ(error_of(ring->register_buffers(bufs)), EBUSY);
  Pipe p;
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(write(p.write_end, "fixed", 5), 5);
  ASSERT_TRUE(ring->push(
      with_user_data(op::ReadFixed(op::Fd{p.read_end}, b.data() + 10, 5, 0, op::BufIndex{1}), 1)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).res, 5);
  EXPECT_EQ(std::string(b.data() + 10, 5), "fixed");
  ASSERT_TRUE(ring->unregister_buffers());
  EXPECT_EQ(error_of(ring->unregister_buffers()), ENXIO);
  const iovec null_base[] = {{nullptr, 4096}};
  EXPECT_EQ(error_of(ring->register_buffers(null_base)), EFAULT);
}

TEST_F(UringRegister, BuffersSparseTagsAndUpdate) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  RINGKIT_REQUIRE_FEATURE(*ring, feature::rsrc_tags);
  std::vector<char> a(4096);
  std::vector<char> b(4096);
  const iovec bufs[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  const std::uint64_t tags[] = {0x10, 0x20};
  ASSERT_TRUE(ring->register_buffers_tags(bufs, tags));
  EXPECT_EQ(error_of(ring->register_buffers_tags(bufs, tags)), EBUSY);
  const std::uint64_t new_tag[] = {0x21};
  const result<std::uint32_t> n =
      ring->register_buffers_update_tag(1, std::span(bufs).first(1), new_tag);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(next_cqe(*ring).user_data, 0x20u);  // the replaced buffer's tag
  EXPECT_EQ(error_of(ring->register_buffers_update_tag(2, std::span(bufs).first(1), new_tag)),
            EINVAL);  // beyond the table
  ASSERT_TRUE(ring->unregister_buffers());
  ASSERT_TRUE(ring->register_buffers_sparse(4));
  EXPECT_EQ(error_of(ring->register_buffers_sparse(4)), EBUSY);
  ASSERT_TRUE(ring->unregister_buffers());
}

// ---- eventfd --------------------------------------------------------------------------------

TEST_F(UringRegister, EventfdPlainAsyncAndUnregister) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  const int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  ASSERT_GE(efd, 0);
  std::uint64_t count = 0;
  EXPECT_EQ(error_of(ring->register_eventfd(-1)), EBADF);
  ASSERT_TRUE(ring->register_eventfd(efd));
  EXPECT_EQ(error_of(ring->register_eventfd(efd)), EBUSY);
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  ASSERT_TRUE(ring->submit_and_wait(1));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), static_cast<ssize_t>(sizeof count));
  // Paused through the CQ ring flag: no signal.
  ASSERT_TRUE(ring->set_cq_eventfd_enabled(false));
  EXPECT_FALSE(ring->cq_eventfd_enabled());
  ASSERT_TRUE(ring->push(nop_sqe(2)));
  ASSERT_TRUE(ring->submit_and_wait(1));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), -1);
  ASSERT_TRUE(ring->set_cq_eventfd_enabled(true));
  ASSERT_TRUE(ring->unregister_eventfd());
  EXPECT_EQ(error_of(ring->unregister_eventfd()), ENXIO);
  // Async: quiet for inline completions, signalled for one an io-wq worker completes.
  ASSERT_TRUE(ring->register_eventfd_async(efd));
  ASSERT_TRUE(ring->push(nop_sqe(3)));
  ASSERT_TRUE(ring->submit_and_wait(1));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), -1);
  EXPECT_EQ(errno, EAGAIN);
  Pipe p;
  ASSERT_TRUE(p.ok());
  char buf[1];
  ASSERT_TRUE(
      ring->push(with_user_data(op::Read(op::Fd{p.read_end}, buf, 1, 0), 4, sqe_flag::async)));
  ASSERT_TRUE(ring->submit());
  ASSERT_EQ(write(p.write_end, "x", 1), 1);
  ASSERT_TRUE(ring->wait_cqe_timeout(1s));
  ring->cqe_seen();
  EXPECT_EQ(read(efd, &count, sizeof count), static_cast<ssize_t>(sizeof count));
  ASSERT_TRUE(ring->unregister_eventfd());
  close(efd);
}

// ---- probe, personality, restrictions -------------------------------------------------------

TEST_F(UringRegister, Probe) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  const result<Probe> probe = ring->probe();
  ASSERT_TRUE(probe) << probe.error().message();
  EXPECT_TRUE(probe->supports(Opcode::nop));
  EXPECT_GE(probe->last_op(), static_cast<std::uint8_t>(Opcode::nop));
  // The kernel wants a zeroed buffer.
  struct {
    ProbeHeader header;
    ProbeOp ops[8];
  } dirty{};
  dirty.header.resv = 1;
  EXPECT_EQ(error_of(ring->register_raw(RegisterOp::register_probe, &dirty, 8)), EINVAL);
}

TEST_F(UringRegister, Personality) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  const result<std::uint16_t> id = ring->register_personality();
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_GT(*id, 0u);
  Sqe with_personality = nop_sqe(1);
  with_personality.personality = *id;
  Sqe unknown_personality = nop_sqe(2);
  unknown_personality.personality = static_cast<std::uint16_t>(*id + 100);
  ASSERT_TRUE(ring->push(with_personality));
  ASSERT_TRUE(ring->push(unknown_personality));
  ASSERT_EQ(ring->submit_and_wait(2).value(), 2u);
  const std::vector<Cqe> cqes = take_cqes(*ring);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0].res, 0);
  EXPECT_EQ(cqes[1].res, -EINVAL);
  ASSERT_TRUE(ring->unregister_personality(*id));
  EXPECT_EQ(error_of(ring->unregister_personality(*id)), EINVAL);
}

TEST_F(UringRegister, RestrictionsAndEnableRings) {
  RINGKIT_MAKE_RING(enabled, ring_options(4));
  Restriction res[1]{};
  res[0].opcode = restriction_op::sqe_op;
  res[0].arg = static_cast<std::uint8_t>(Opcode::nop);
  EXPECT_EQ(error_of(enabled->register_restrictions(res)), EBADFD);  // only while disabled
  EXPECT_EQ(error_of(enabled->enable_rings()), EBADFD);

  RINGKIT_MAKE_RING(ring, ring_options(4, setup::r_disabled));
  ASSERT_TRUE(ring->register_restrictions(res));
  EXPECT_EQ(error_of(ring->register_restrictions(res)), EBUSY);  // once
  ASSERT_TRUE(ring->enable_rings());
  EXPECT_EQ(error_of(ring->register_personality()), EACCES);  // register ops are listed too
  ASSERT_TRUE(ring->push(nop_sqe(1)));
  ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
  EXPECT_EQ(take_cqes(*ring).at(0).res, 0);
}

// ---- io-wq ----------------------------------------------------------------------------------

TEST_F(UringRegister, IowqAffinity) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  cpu_set_t mask;
  CPU_ZERO(&mask);
  CPU_SET(0, &mask);
  const auto bytes = std::as_bytes(std::span(&mask, 1));
  ASSERT_TRUE(ring->register_iowq_affinity(bytes));
  EXPECT_EQ(error_of(ring->register_iowq_affinity(bytes.first(0))), EINVAL);
  ASSERT_TRUE(ring->unregister_iowq_affinity());
  // Unregistering has no error of its own; a restricted ring refuses it like any unlisted call.
  RINGKIT_MAKE_RING(restricted, ring_options(4, setup::r_disabled));
  Restriction res[1]{};
  res[0].opcode = restriction_op::register_op;
  res[0].arg = static_cast<std::uint8_t>(RegisterOp::register_iowq_aff);
  ASSERT_TRUE(restricted->register_restrictions(res));
  ASSERT_TRUE(restricted->enable_rings());
  ASSERT_TRUE(restricted->register_iowq_affinity(bytes));
  EXPECT_EQ(error_of(restricted->unregister_iowq_affinity()), EACCES);
}

TEST_F(UringRegister, IowqMaxWorkers) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  const auto first = ring->register_iowq_max_workers({4, 8});
  ASSERT_TRUE(first) << first.error().message();
  const auto second = ring->register_iowq_max_workers({0, 0});  // 0: read without changing
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)[iowq::bound], 4u);
  EXPECT_EQ((*second)[iowq::unbound], 8u);
  std::uint32_t one[1] = {1};
  EXPECT_EQ(error_of(ring->register_raw(RegisterOp::register_iowq_max_workers, one, 1)), EINVAL);
}

// ---- provided-buffer rings ------------------------------------------------------------------

// Page-aligned memory for a buffer ring, unmapped on destruction.
struct BufRingMemory {
  std::size_t bytes;
  void* base;
  explicit BufRingMemory(std::uint32_t entries)
      : bytes(buf_ring_size(entries) < 4096 ? 4096 : buf_ring_size(entries)),
        base(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {}
  ~BufRingMemory() { munmap(base, bytes); }
  Buf* bufs() const { return static_cast<Buf*>(base); }
  std::uint64_t address() const { return reinterpret_cast<std::uint64_t>(base); }
  void publish_tail(std::uint16_t tail) const {
    std::atomic_ref<std::uint16_t>(bufs()[0].resv).store(tail, std::memory_order_release);
  }
};

TEST_F(UringRegister, BufRingRegisterAndUnregister) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  BufRingMemory memory(8);
  ASSERT_NE(memory.base, MAP_FAILED);
  ASSERT_TRUE(ring->register_buf_ring(memory.address(), 8, 1));
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 8, 1)), EEXIST);
  const result<std::uint32_t> head = ring->buf_ring_head(1);
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(*head, 0u);
  EXPECT_EQ(error_of(ring->buf_ring_head(9)), ENOENT);
  EXPECT_EQ(error_of(ring->register_buf_ring(memory.address(), 3, 2)), EINVAL);
  ASSERT_TRUE(ring->unregister_buf_ring(1));
  EXPECT_EQ(error_of(ring->unregister_buf_ring(1)), ENOENT);
}

TEST_F(UringRegister, BufRingKernelAllocated) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  ASSERT_TRUE(ring->register_buf_ring(0, 8, 3, pbuf_ring::mmap));
  void* mapped = mmap(nullptr, buf_ring_size(8), PROT_READ | PROT_WRITE, MAP_SHARED,
                      ring->ring_fd(), static_cast<off_t>(pbuf_ring_mmap_offset(3)));
  ASSERT_NE(mapped, MAP_FAILED) << std::strerror(errno);
  munmap(mapped, buf_ring_size(8));
  ASSERT_TRUE(ring->unregister_buf_ring(3));
}

TEST_F(UringRegister, BufRingIncrementalConsumption) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  BufRingMemory memory(8);
  ASSERT_NE(memory.base, MAP_FAILED);
  const result<void> registered = ring->register_buf_ring(memory.address(), 8, 5, pbuf_ring::inc);
  if (!registered && registered.error().value() == EINVAL &&
      ring->opcode_support().kernel() < KernelVersion{6, 12})
    GTEST_SKIP() << "kernel lacks IOU_PBUF_RING_INC (6.12)";
  ASSERT_TRUE(registered) << registered.error().message();
  std::array<char, 64> storage{};
  memory.bufs()[0].addr = reinterpret_cast<std::uint64_t>(storage.data());
  memory.bufs()[0].len = storage.size();
  memory.bufs()[0].bid = 42;
  memory.publish_tail(1);
  Pipe p;
  ASSERT_TRUE(p.ok());
  for (const char* chunk : {"0123456789", "abcde"}) {
    const auto len = static_cast<ssize_t>(std::strlen(chunk));
    ASSERT_EQ(write(p.write_end, chunk, static_cast<std::size_t>(len)), len);
    ASSERT_TRUE(ring->push(
        with_user_data(op::Read::select_buffer(op::Fd{p.read_end}, op::BufGroup{5}, 0, 0), 1)));
    ASSERT_EQ(ring->submit_and_wait(1).value(), 1u);
    const Cqe cqe = take_cqes(*ring).at(0);
    EXPECT_EQ(cqe.res, len);
    EXPECT_TRUE(cqe.flags & cqe_flag::buffer);
    EXPECT_TRUE(cqe.flags & cqe_flag::buf_more);  // the buffer has room left
    EXPECT_EQ(cqe_buffer_id(cqe.flags), 42u);
  }
  // Both reads landed back to back in the one buffer.
  EXPECT_EQ(std::string(storage.data(), 15), "0123456789abcde");
  EXPECT_EQ(ring->buf_ring_head(5).value(), 0u);  // not consumed whole yet
  ASSERT_TRUE(ring->unregister_buf_ring(5));
}

// ---- cancel ---------------------------------------------------------------------------------

TEST_F(UringRegister, SyncCancel) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  SyncCancelReg cancel{};
  cancel.addr = 1234;
  cancel.fd = -1;
  cancel.timeout = {-1, -1};
  EXPECT_EQ(error_of(ring->register_sync_cancel(cancel)), ENOENT);
  Pipe p;
  ASSERT_TRUE(p.ok());
  char buf[4];
  ASSERT_TRUE(ring->push(with_user_data(op::Read(op::Fd{p.read_end}, buf, 4, 0), 1234)));
  ASSERT_EQ(ring->submit().value(), 1u);
  ASSERT_TRUE(ring->register_sync_cancel(cancel));
  const Cqe cancelled = next_cqe(*ring);
  EXPECT_EQ(cancelled.user_data, 1234u);
  EXPECT_EQ(cancelled.res, -ECANCELED);
  SyncCancelReg bad = cancel;
  bad.flags = 1u << 30;
  EXPECT_EQ(error_of(ring->register_sync_cancel(bad)), EINVAL);
}

// ---- the raw call ---------------------------------------------------------------------------

// Every register opcode, with no argument, gets the same answer through UringRing as through
// the bare syscall on an identical ring: nothing is filtered or rewritten on the way.
TEST_F(UringRegister, EveryRegisterOpcodeReachesTheKernel) {
  RINGKIT_MAKE_RING(through_ringkit, ring_options(4));
  RINGKIT_MAKE_RING(through_syscall, ring_options(4));
  for (std::uint32_t op = 0; op <= register_op_count; ++op) {
    const long raw = syscall(__NR_io_uring_register, through_syscall->ring_fd(), op, nullptr, 0);
    const int raw_errno = raw < 0 ? errno : 0;
    const result<std::uint32_t> r =
        through_ringkit->register_raw(static_cast<RegisterOp>(op), nullptr, 0);
    EXPECT_EQ(error_of(r), raw_errno)
        << register_op_name(static_cast<RegisterOp>(op)) << " (" << op << ")";
  }
  // Past IORING_REGISTER_LAST.
  EXPECT_EQ(error_of(through_ringkit->register_raw(static_cast<RegisterOp>(register_op_count),
                                                   nullptr, 0)),
            EINVAL);
}

TEST_F(UringRegister, OpcodesNewerThanLiburingPassThrough) {
  RINGKIT_MAKE_RING(ring, ring_options(4));
  // IORING_REGISTER_CLOCK (6.12).
  ClockRegister clock{};
  clock.clockid = CLOCK_BOOTTIME;
  const result<std::uint32_t> clocked = ring->register_raw(RegisterOp::register_clock, &clock, 0);
  if (!clocked && clocked.error().value() == EINVAL &&
      ring->opcode_support().kernel() < KernelVersion{6, 12})
    GTEST_SKIP() << "kernel lacks IORING_REGISTER_CLOCK (6.12)";
  ASSERT_TRUE(clocked) << clocked.error().message();
  clock.clockid = CLOCK_REALTIME;  // not one io_uring waits on
  EXPECT_EQ(error_of(ring->register_raw(RegisterOp::register_clock, &clock, 0)), EINVAL);
  // IORING_REGISTER_QUERY (6.18): the kernel describes itself.
  if (ring->opcode_support().kernel() < KernelVersion{6, 18}) return;
  QueryOpcode answer{};
  QueryHdr query{};
  query.query_data = reinterpret_cast<std::uint64_t>(&answer);
  query.query_op = query_op::opcodes;
  query.size = sizeof answer;
  const result<std::uint32_t> queried = ring->register_raw(RegisterOp::register_query, &query, 0);
  ASSERT_TRUE(queried) << queried.error().message();
  EXPECT_EQ(query.result, 0);
  EXPECT_EQ(answer.nr_request_opcodes, opcode_count);
  EXPECT_EQ(answer.nr_register_opcodes, register_op_count);
  EXPECT_EQ(answer.feature_flags & ring->features(), ring->features());
}

}  // namespace
}  // namespace ringkit
