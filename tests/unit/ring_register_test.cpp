// The typed registration calls encode io_uring_register(2)'s arguments as liburing 2.3 does
// (src/register.c): same opcode, same nr_args, same structure bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ringkit/ring_options.hpp"
#include "support/scripted_ring.hpp"

namespace ringkit {
namespace {

using namespace abi;
using testing::ScriptedRing;

Params params_for(std::uint32_t entries) {
  RingOptions o;
  o.entries = entries;
  return validate_ring_options(o, setup::known_flags).value();
}

template <class T>
T arg_as(const ScriptedRing::RecordedRegister& r) {
  T value{};
  EXPECT_EQ(r.arg_bytes.size(), sizeof(T));
  std::memcpy(&value, r.arg_bytes.data(), sizeof(T));
  return value;
}

class RingRegister : public ::testing::Test {
 protected:
  ScriptedRing ring{params_for(4)};
  const ScriptedRing::RecordedRegister& last() { return ring.registers.back(); }
};

TEST_F(RingRegister, Files) {
  const int fds[] = {3, 4, -1};
  ASSERT_TRUE(ring.register_files(fds));
  EXPECT_EQ(last().op, RegisterOp::register_files);
  EXPECT_EQ(last().nr_args, 3u);
  EXPECT_EQ(last().arg, fds);
}

TEST_F(RingRegister, FilesSparse) {
  ASSERT_TRUE(ring.register_files_sparse(64));
  EXPECT_EQ(last().op, RegisterOp::register_files2);
  EXPECT_EQ(last().nr_args, sizeof(RsrcRegister));
  const auto reg = arg_as<RsrcRegister>(last());
  EXPECT_EQ(reg.nr, 64u);
  EXPECT_EQ(reg.flags, rsrc_register_sparse);
  EXPECT_EQ(reg.data, 0u);
  EXPECT_EQ(reg.tags, 0u);
}

TEST_F(RingRegister, FilesTags) {
  const int fds[] = {5, 6};
  const std::uint64_t tags[] = {100, 200};
  ASSERT_TRUE(ring.register_files_tags(fds, tags));
  EXPECT_EQ(last().op, RegisterOp::register_files2);
  const auto reg = arg_as<RsrcRegister>(last());
  EXPECT_EQ(reg.nr, 2u);
  EXPECT_EQ(reg.flags, 0u);
  EXPECT_EQ(reg.data, reinterpret_cast<std::uint64_t>(fds));
  EXPECT_EQ(reg.tags, reinterpret_cast<std::uint64_t>(tags));
}

TEST_F(RingRegister, TagsMustMatchEntries) {
  const int fds[] = {5, 6};
  const std::uint64_t tags[] = {100};
  const result<void> r = ring.register_files_tags(fds, tags);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), EINVAL);
  EXPECT_EQ(r.error().reason(), ErrorReason::tags_size_mismatch);
  EXPECT_TRUE(ring.registers.empty());  // refused before reaching the kernel
  const iovec bufs[1] = {};
  EXPECT_EQ(ring.register_buffers_update_tag(0, bufs, {}).error().reason(),
            ErrorReason::tags_size_mismatch);
}

TEST_F(RingRegister, FilesUpdateReturnsTheCount) {
  ring.on_register = [](ScriptedRing&, RegisterOp, void*, std::uint32_t nr) {
    return result<std::uint32_t>(nr);
  };
  const int fds[] = {7, register_files_skip, -1};
  const result<std::uint32_t> n = ring.register_files_update(10, fds);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(last().op, RegisterOp::register_files_update);
  EXPECT_EQ(last().nr_args, 3u);
  const auto up = arg_as<FilesUpdate>(last());
  EXPECT_EQ(up.offset, 10u);
  EXPECT_EQ(up.data, reinterpret_cast<std::uint64_t>(fds));
}

TEST_F(RingRegister, FilesUpdateTag) {
  const int fds[] = {7};
  const std::uint64_t tags[] = {9};
  ASSERT_TRUE(ring.register_files_update_tag(2, fds, tags));
  EXPECT_EQ(last().op, RegisterOp::register_files_update2);
  EXPECT_EQ(last().nr_args, sizeof(RsrcUpdate2));
  const auto up = arg_as<RsrcUpdate2>(last());
  EXPECT_EQ(up.offset, 2u);
  EXPECT_EQ(up.nr, 1u);
  EXPECT_EQ(up.data, reinterpret_cast<std::uint64_t>(fds));
  EXPECT_EQ(up.tags, reinterpret_cast<std::uint64_t>(tags));
}

TEST_F(RingRegister, FileAllocRange) {
  ASSERT_TRUE(ring.register_file_alloc_range(4, 12));
  EXPECT_EQ(last().op, RegisterOp::register_file_alloc_range);
  EXPECT_EQ(last().nr_args, 0u);
  const auto range = arg_as<FileIndexRange>(last());
  EXPECT_EQ(range.off, 4u);
  EXPECT_EQ(range.len, 12u);
  EXPECT_EQ(range.resv, 0u);
}

TEST_F(RingRegister, UnregisterCallsCarryNoArgument) {
  ASSERT_TRUE(ring.unregister_files());
  EXPECT_EQ(last().op, RegisterOp::unregister_files);
  ASSERT_TRUE(ring.unregister_buffers());
  EXPECT_EQ(last().op, RegisterOp::unregister_buffers);
  ASSERT_TRUE(ring.unregister_eventfd());
  EXPECT_EQ(last().op, RegisterOp::unregister_eventfd);
  ASSERT_TRUE(ring.unregister_iowq_affinity());
  EXPECT_EQ(last().op, RegisterOp::unregister_iowq_aff);
  ASSERT_TRUE(ring.enable_rings());
  EXPECT_EQ(last().op, RegisterOp::register_enable_rings);
  for (const auto& r : ring.registers) {
    EXPECT_EQ(r.arg, nullptr);
    EXPECT_EQ(r.nr_args, 0u);
  }
}

TEST_F(RingRegister, Buffers) {
  char a[16];
  char b[32];
  const iovec bufs[] = {{a, sizeof a}, {b, sizeof b}};
  ASSERT_TRUE(ring.register_buffers(bufs));
  EXPECT_EQ(last().op, RegisterOp::register_buffers);
  EXPECT_EQ(last().nr_args, 2u);
  EXPECT_EQ(last().arg, bufs);

  ASSERT_TRUE(ring.register_buffers_sparse(8));
  EXPECT_EQ(last().op, RegisterOp::register_buffers2);
  EXPECT_EQ(arg_as<RsrcRegister>(last()).flags, rsrc_register_sparse);
  EXPECT_EQ(arg_as<RsrcRegister>(last()).nr, 8u);

  const std::uint64_t tags[] = {1, 2};
  ASSERT_TRUE(ring.register_buffers_tags(bufs, tags));
  EXPECT_EQ(last().op, RegisterOp::register_buffers2);
  EXPECT_EQ(arg_as<RsrcRegister>(last()).data, reinterpret_cast<std::uint64_t>(bufs));
  EXPECT_EQ(arg_as<RsrcRegister>(last()).tags, reinterpret_cast<std::uint64_t>(tags));

  ASSERT_TRUE(
      ring.register_buffers_update_tag(1, std::span(bufs).first(1), std::span(tags).first(1)));
  EXPECT_EQ(last().op, RegisterOp::register_buffers_update);
  EXPECT_EQ(last().nr_args, sizeof(RsrcUpdate2));
  EXPECT_EQ(arg_as<RsrcUpdate2>(last()).offset, 1u);
  EXPECT_EQ(arg_as<RsrcUpdate2>(last()).nr, 1u);
}

TEST_F(RingRegister, Eventfd) {
  ASSERT_TRUE(ring.register_eventfd(12));
  EXPECT_EQ(last().op, RegisterOp::register_eventfd);
  EXPECT_EQ(last().nr_args, 1u);
  EXPECT_EQ(arg_as<int>(last()), 12);
  ASSERT_TRUE(ring.register_eventfd_async(13));
  EXPECT_EQ(last().op, RegisterOp::register_eventfd_async);
  EXPECT_EQ(arg_as<int>(last()), 13);
}

TEST_F(RingRegister, BufRing) {
  ASSERT_TRUE(ring.register_buf_ring(0x10000, 64, 3, pbuf_ring::inc));
  EXPECT_EQ(last().op, RegisterOp::register_pbuf_ring);
  EXPECT_EQ(last().nr_args, 1u);
  const auto reg = arg_as<BufReg>(last());
  EXPECT_EQ(reg.ring_addr, 0x10000u);
  EXPECT_EQ(reg.ring_entries, 64u);
  EXPECT_EQ(reg.bgid, 3u);
  EXPECT_EQ(reg.flags, pbuf_ring::inc);

  ASSERT_TRUE(ring.unregister_buf_ring(3));
  EXPECT_EQ(last().op, RegisterOp::unregister_pbuf_ring);
  EXPECT_EQ(arg_as<BufReg>(last()).bgid, 3u);
  EXPECT_EQ(arg_as<BufReg>(last()).ring_addr, 0u);
}

TEST_F(RingRegister, BufRingHeadReadsWhatTheKernelWrote) {
  ring.on_register = [](ScriptedRing&, RegisterOp, void* arg, std::uint32_t) {
    static_cast<BufStatus*>(arg)->head = 17;
    return result<std::uint32_t>(0u);
  };
  const result<std::uint32_t> head = ring.buf_ring_head(5);
  ASSERT_TRUE(head);
  EXPECT_EQ(*head, 17u);
  EXPECT_EQ(last().op, RegisterOp::register_pbuf_status);
  EXPECT_EQ(arg_as<BufStatus>(last()).buf_group, 5u);
}

TEST_F(RingRegister, Personality) {
  ring.on_register = [](ScriptedRing&, RegisterOp op, void*, std::uint32_t) {
    return result<std::uint32_t>(op == RegisterOp::register_personality ? 3u : 0u);
  };
  const result<std::uint16_t> id = ring.register_personality();
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 3u);
  ASSERT_TRUE(ring.unregister_personality(3));
  EXPECT_EQ(last().op, RegisterOp::unregister_personality);
  EXPECT_EQ(last().nr_args, 3u);  // the id travels as nr_args
}

TEST_F(RingRegister, Restrictions) {
  Restriction res[2]{};
  res[0].opcode = static_cast<std::uint16_t>(restriction_op::sqe_op);
  res[0].arg = static_cast<std::uint8_t>(Opcode::read);
  res[1].opcode = static_cast<std::uint16_t>(restriction_op::register_op);
  res[1].arg = static_cast<std::uint8_t>(RegisterOp::register_files);
  ASSERT_TRUE(ring.register_restrictions(res));
  EXPECT_EQ(last().op, RegisterOp::register_restrictions);
  EXPECT_EQ(last().nr_args, 2u);
  EXPECT_EQ(std::memcmp(last().arg_bytes.data(), res, sizeof res), 0);
}

TEST_F(RingRegister, IowqAffinityAndMaxWorkers) {
  const std::byte mask[8] = {std::byte{0x3}};
  ASSERT_TRUE(ring.register_iowq_affinity(mask));
  EXPECT_EQ(last().op, RegisterOp::register_iowq_aff);
  EXPECT_EQ(last().nr_args, 8u);  // the mask's size in bytes

  ring.on_register = [](ScriptedRing&, RegisterOp, void* arg, std::uint32_t) {
    auto* limits = static_cast<std::uint32_t*>(arg);
    limits[0] = 8;  // the kernel writes back the old limits
    limits[1] = 16;
    return result<std::uint32_t>(0u);
  };
  const auto old = ring.register_iowq_max_workers({2, 0});
  ASSERT_TRUE(old);
  EXPECT_EQ((*old)[0], 8u);
  EXPECT_EQ((*old)[1], 16u);
  EXPECT_EQ(last().op, RegisterOp::register_iowq_max_workers);
  EXPECT_EQ(last().nr_args, 2u);
  const auto sent = arg_as<std::array<std::uint32_t, 2>>(last());
  EXPECT_EQ(sent[0], 2u);
  EXPECT_EQ(sent[1], 0u);
}

TEST_F(RingRegister, SyncCancel) {
  SyncCancelReg cancel{};
  cancel.addr = 0x55;
  cancel.fd = -1;
  cancel.flags = async_cancel::all;
  cancel.timeout.tv_sec = -1;
  cancel.timeout.tv_nsec = -1;
  ASSERT_TRUE(ring.register_sync_cancel(cancel));
  EXPECT_EQ(last().op, RegisterOp::register_sync_cancel);
  EXPECT_EQ(last().nr_args, 1u);
  EXPECT_EQ(std::memcmp(last().arg_bytes.data(), &cancel, sizeof cancel), 0);
}

TEST_F(RingRegister, ProbeParsesTheKernelsAnswer) {
  ring.on_register = [](ScriptedRing&, RegisterOp op, void* arg, std::uint32_t nr) {
    EXPECT_EQ(op, RegisterOp::register_probe);
    EXPECT_EQ(nr, 256u);
    auto* header = static_cast<ProbeHeader*>(arg);
    auto* ops = reinterpret_cast<ProbeOp*>(header + 1);
    header->last_op = 62;
    header->ops_len = 63;
    for (std::uint8_t i = 0; i < 63; ++i) {
      ops[i].op = i;
      ops[i].flags = (i % 2 == 0) ? probe_op_supported : 0;
    }
    return result<std::uint32_t>(0u);
  };
  const result<Probe> probe = ring.probe();
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->last_op(), 62u);
  EXPECT_TRUE(probe->supports(Opcode::nop));
  EXPECT_FALSE(probe->supports(Opcode::readv));
  EXPECT_TRUE(probe->supports(Opcode::pipe));
  EXPECT_EQ(probe->supported_count(), 32u);
}

TEST_F(RingRegister, KernelErrorsComeBack) {
  ring.on_register = [](ScriptedRing&, RegisterOp, void*, std::uint32_t) {
    return result<std::uint32_t>(Error{ENXIO});
  };
  const result<void> r = ring.unregister_files();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value(), ENXIO);
  EXPECT_FALSE(ring.probe());
}

}  // namespace
}  // namespace ringkit
