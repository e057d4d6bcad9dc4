// ProvidedBufferRing against BufRingConsumer (the kernel's half) on a scripted ring: the
// registration bytes, the ring memory, and the hand-over of buffers in both directions.
#include "ringkit/provided_buffer_ring.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "ringkit/buf_ring_consumer.hpp"
#include "ringkit/provided_buffer_group.hpp"
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

BufReg reg_of(const ScriptedRing::RecordedRegister& r) {
  BufReg reg{};
  EXPECT_EQ(r.nr_args, 1u);
  EXPECT_EQ(r.arg_bytes.size(), sizeof(reg));  // the copy taken during the call
  std::memcpy(&reg, r.arg_bytes.data(), sizeof(reg));
  return reg;
}

Cqe cqe_for(std::int32_t res, std::uint32_t flags) {
  Cqe c{};
  c.res = res;
  c.flags = flags;
  return c;
}

class ProvidedBufferRingTest : public ::testing::Test {
 protected:
  ScriptedRing ring{params_for(4)};
  std::vector<BufReg> registered;

  void SetUp() override {
    ring.on_register = [this](ScriptedRing&, RegisterOp op, void* arg,
                              std::uint32_t) -> result<std::uint32_t> {
      if (op == RegisterOp::register_pbuf_ring) {
        BufReg reg{};
        std::memcpy(&reg, arg, sizeof(reg));
        registered.push_back(reg);
      }
      return 0u;
    };
  }

  ProvidedBufferRing make(std::uint32_t entries, std::uint32_t size, bool inc = false,
                          std::uint32_t min_left = 0) {
    ProvidedBufferRingOptions o;
    o.bgid = 7;
    o.entries = entries;
    o.buffer_size = size;
    o.incremental = inc;
    o.min_left = min_left;
    auto r = ProvidedBufferRing::create(ring, o);
    EXPECT_TRUE(r) << r.error().message();
    return std::move(*r);
  }

  BufRingConsumer consumer_of(const ProvidedBufferRing& pbr) const {
    const BufReg& reg = registered.back();
    EXPECT_EQ(reg.ring_addr, reinterpret_cast<std::uint64_t>(pbr.ring_memory()));
    return BufRingConsumer(reinterpret_cast<Buf*>(reg.ring_addr), reg.ring_entries, reg.flags,
                           reg.min_left);
  }
};

TEST_F(ProvidedBufferRingTest, RegistersPageAlignedRingWithEveryBufferQueued) {
  ProvidedBufferRing pbr = make(8, 100);
  ASSERT_EQ(ring.registers.size(), 1u);
  EXPECT_EQ(ring.registers[0].op, RegisterOp::register_pbuf_ring);
  const BufReg reg = reg_of(ring.registers[0]);
  EXPECT_EQ(reg.ring_addr % 4096, 0u);
  EXPECT_EQ(reg.ring_addr, reinterpret_cast<std::uint64_t>(pbr.ring_memory()));
  EXPECT_EQ(reg.ring_entries, 8u);
  EXPECT_EQ(reg.bgid, 7);
  EXPECT_EQ(reg.flags, 0);
  EXPECT_EQ(reg.min_left, 0u);
  for (std::uint16_t bid = 0; bid < 8; ++bid) {
    const Buf& e = pbr.ring_memory()[bid];
    EXPECT_EQ(e.bid, bid);
    EXPECT_EQ(e.len, 100u);
    EXPECT_EQ(e.addr, reinterpret_cast<std::uint64_t>(pbr.buffer(bid).data()));
    EXPECT_TRUE(pbr.held_by_kernel(bid));
  }
  // The tail overlays entry 0's resv.
  EXPECT_EQ(pbr.ring_memory()[0].resv, 8);
  EXPECT_EQ(pbr.tail(), 8);
  EXPECT_EQ(pbr.held_by_kernel_count(), 8u);
  EXPECT_EQ(consumer_of(pbr).available(), 8);
}

TEST_F(ProvidedBufferRingTest, KernelTakesInRingOrderAndRecycledBuffersGoToTheBack) {
  ProvidedBufferRing pbr = make(4, 64);
  BufRingConsumer kernel = consumer_of(pbr);
  for (std::uint16_t expected = 0; expected < 4; ++expected) {
    const auto sel = kernel.select(0);
    ASSERT_TRUE(sel);
    EXPECT_EQ(sel->bid, expected);
    EXPECT_EQ(sel->len, 64u);
    std::memset(reinterpret_cast<void*>(sel->addr), 'a' + expected, 10);
    EXPECT_TRUE(kernel.commit(10));
    const auto data = pbr.take(cqe_for(10, BufRingConsumer::cqe_flags(sel->bid, true)));
    ASSERT_TRUE(data);
    EXPECT_EQ(data->size(), 10u);
    EXPECT_EQ(static_cast<char>((*data)[0]), 'a' + expected);
  }
  EXPECT_FALSE(kernel.select(0));  // empty: the request would fail with -ENOBUFS
  ASSERT_TRUE(pbr.recycle(2));
  ASSERT_TRUE(pbr.recycle(0));
  EXPECT_EQ(kernel.available(), 2);
  EXPECT_EQ(kernel.select(0)->bid, 2);
  EXPECT_TRUE(kernel.commit(1));
  EXPECT_EQ(kernel.select(0)->bid, 0);
}

TEST_F(ProvidedBufferRingTest, RequestLengthIsClippedToTheBuffer) {
  ProvidedBufferRing pbr = make(2, 64);
  BufRingConsumer kernel = consumer_of(pbr);
  EXPECT_EQ(kernel.select(16)->len, 16u);
  EXPECT_EQ(kernel.select(1000)->len, 64u);
  EXPECT_EQ(kernel.select(0)->len, 64u);
}

TEST_F(ProvidedBufferRingTest, MisuseIsRefusedWithoutLosingBuffers) {
  ProvidedBufferRing pbr = make(2, 32);
  EXPECT_EQ(pbr.recycle(0).error(), std::errc::device_or_resource_busy);    // kernel holds it
  EXPECT_EQ(pbr.recycle(2).error(), std::errc::invalid_argument);           // not ours
  EXPECT_EQ(pbr.take(cqe_for(4, 0)).error(), std::errc::invalid_argument);  // no F_BUFFER
  EXPECT_EQ(pbr.take(cqe_for(-5, BufRingConsumer::cqe_flags(0, true))).error(),
            std::errc::invalid_argument);
  EXPECT_EQ(pbr.take(cqe_for(33, BufRingConsumer::cqe_flags(0, true))).error(),
            std::errc::invalid_argument);  // longer than the buffer
  ASSERT_TRUE(pbr.take(cqe_for(4, BufRingConsumer::cqe_flags(1, true))));
  EXPECT_EQ(pbr.take(cqe_for(4, BufRingConsumer::cqe_flags(1, true))).error(),
            std::errc::connection_already_in_progress);  // EALREADY: taken twice
  EXPECT_EQ(pbr.held_by_kernel_count(), 1u);
  ASSERT_TRUE(pbr.recycle(1));
  EXPECT_EQ(pbr.held_by_kernel_count(), 2u);
}

TEST_F(ProvidedBufferRingTest, IncrementalConsumptionContinuesInTheSameBuffer) {
  ProvidedBufferRing pbr = make(2, 100, /*inc=*/true);
  EXPECT_EQ(registered.back().flags, pbuf_ring::inc);
  BufRingConsumer kernel = consumer_of(pbr);
  const std::uint64_t base = reinterpret_cast<std::uint64_t>(pbr.buffer(0).data());

  auto sel = kernel.select(0);
  EXPECT_EQ(sel->addr, base);
  EXPECT_FALSE(kernel.commit(30));  // 70 left: F_BUF_MORE
  auto first = pbr.take(cqe_for(30, BufRingConsumer::cqe_flags(0, false)));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data(), pbr.buffer(0).data());
  EXPECT_TRUE(pbr.held_by_kernel(0));

  sel = kernel.select(0);  // the same buffer, moved on by 30 bytes
  EXPECT_EQ(sel->bid, 0);
  EXPECT_EQ(sel->addr, base + 30);
  EXPECT_EQ(sel->len, 70u);
  EXPECT_FALSE(kernel.commit(0));  // a zero-length transfer consumes nothing
  EXPECT_TRUE(kernel.commit(70));  // used up: head moves on
  auto second = pbr.take(cqe_for(70, BufRingConsumer::cqe_flags(0, true)));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->data(), pbr.buffer(0).data() + 30);
  EXPECT_FALSE(pbr.held_by_kernel(0));
  EXPECT_EQ(kernel.select(0)->bid, 1);

  ASSERT_TRUE(pbr.recycle(0));  // back with its full length and address
  EXPECT_EQ(pbr.ring_memory()[0].addr, base);
  EXPECT_EQ(pbr.ring_memory()[0].len, 100u);
}

TEST_F(ProvidedBufferRingTest, MinLeftRetiresANearlyFullBuffer) {
  ProvidedBufferRing pbr = make(2, 100, /*inc=*/true, /*min_left=*/16);
  EXPECT_EQ(registered.back().min_left, 16u);
  BufRingConsumer kernel = consumer_of(pbr);
  EXPECT_FALSE(kernel.commit(84));  // 16 left: still usable
  EXPECT_TRUE(kernel.commit(1));    // 15 left < min_left: retired
  EXPECT_EQ(kernel.select(0)->bid, 1);
}

TEST_F(ProvidedBufferRingTest, InvalidOptionsFailBeforeTouchingTheRing) {
  ProvidedBufferRingOptions o;
  o.entries = 3;
  o.buffer_size = 10;
  EXPECT_EQ(ProvidedBufferRing::create(ring, o).error(), std::errc::invalid_argument);
  o.entries = 65536;
  EXPECT_EQ(ProvidedBufferRing::create(ring, o).error(), std::errc::invalid_argument);
  o.entries = 4;
  o.buffer_size = 0;
  EXPECT_EQ(ProvidedBufferRing::create(ring, o).error(), std::errc::invalid_argument);
  o.buffer_size = 10;
  o.min_left = 4;  // only with incremental
  EXPECT_EQ(ProvidedBufferRing::create(ring, o).error(), std::errc::invalid_argument);
  EXPECT_TRUE(ring.registers.empty());
}

TEST_F(ProvidedBufferRingTest, KernelRefusalIsReturnedAndNothingIsUnregistered) {
  ring.on_register = [](ScriptedRing&, RegisterOp, void*, std::uint32_t) -> result<std::uint32_t> {
    return Error{EEXIST};
  };
  ProvidedBufferRingOptions o;
  o.entries = 4;
  o.buffer_size = 10;
  EXPECT_EQ(ProvidedBufferRing::create(ring, o).error(), std::errc::file_exists);
  EXPECT_EQ(ring.registers.size(), 1u);  // the attempt only; no unregister of a failed ring
}

TEST_F(ProvidedBufferRingTest, DestructionUnregistersThroughTheRingOnce) {
  {
    ProvidedBufferRing pbr = make(4, 16);
    ProvidedBufferRing moved = std::move(pbr);  // the moved-from object owns nothing
    EXPECT_FALSE(pbr.registered());             // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(moved.registered());
  }
  ASSERT_EQ(ring.registers.size(), 2u);
  EXPECT_EQ(ring.registers[1].op, RegisterOp::unregister_pbuf_ring);
  EXPECT_EQ(reg_of(ring.registers[1]).bgid, 7);
}

TEST_F(ProvidedBufferRingTest, ExplicitUnregisterReportsTheKernelsAnswer) {
  ProvidedBufferRing pbr = make(4, 16);
  ring.on_register = [](ScriptedRing&, RegisterOp, void*, std::uint32_t) -> result<std::uint32_t> {
    return Error{ENOENT};
  };
  EXPECT_EQ(pbr.unregister().error(), std::errc::no_such_file_or_directory);
  EXPECT_FALSE(pbr.registered());
  EXPECT_TRUE(pbr.unregister());  // nothing left to unregister
}

TEST_F(ProvidedBufferRingTest, LowLevelAddAndAdvanceFollowLiburing) {
  ProvidedBufferRing pbr = make(4, 16);
  BufRingConsumer kernel = consumer_of(pbr);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(kernel.commit(1));
  char extra[2][8];
  // Entries written at tail + offset are invisible until advance() publishes them.
  pbr.add(reinterpret_cast<std::uint64_t>(extra[0]), 8, 100, 0);
  pbr.add(reinterpret_cast<std::uint64_t>(extra[1]), 8, 101, 1);
  EXPECT_EQ(kernel.available(), 0);
  pbr.advance(2);
  EXPECT_EQ(kernel.available(), 2);
  EXPECT_EQ(kernel.select(0)->bid, 100);
  EXPECT_EQ(kernel.select(0)->addr, reinterpret_cast<std::uint64_t>(extra[0]));
}

// ---- legacy provided buffers -----------------------------------------------------------------

TEST(ProvidedBufferGroupTest, ProvidesAllThenOneAtATimeInTheKernelsListOrder) {
  auto group = ProvidedBufferGroup::create(3, 4, 32);
  ASSERT_TRUE(group);
  auto all = group->provide_all();
  ASSERT_TRUE(all);
  const Sqe sqe = all->build();
  EXPECT_EQ(sqe.opcode, static_cast<std::uint8_t>(Opcode::provide_buffers));
  EXPECT_EQ(sqe.fd, 4);
  EXPECT_EQ(sqe.len, 32u);
  EXPECT_EQ(sqe.off, 0u);
  EXPECT_EQ(sqe.buf_index, 3);
  EXPECT_EQ(sqe.addr, reinterpret_cast<std::uint64_t>(group->buffer(0).data()));
  EXPECT_EQ(group->provide_all().error(), std::errc::device_or_resource_busy);
  EXPECT_EQ(group->kernel_next().value(), 0);

  // The kernel selects from the front: 0, then 1.
  ASSERT_TRUE(group->take(cqe_for(5, BufRingConsumer::cqe_flags(0, true))));
  ASSERT_TRUE(group->take(cqe_for(5, BufRingConsumer::cqe_flags(1, true))));
  EXPECT_EQ(group->kernel_next().value(), 2);
  auto one = group->provide(0);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->build().fd, 1);
  EXPECT_EQ(one->build().off, 0u);
  EXPECT_EQ(one->build().addr, reinterpret_cast<std::uint64_t>(group->buffer(0).data()));
  EXPECT_EQ(group->provide(0).error(), std::errc::device_or_resource_busy);
  EXPECT_EQ(group->provide(4).error(), std::errc::invalid_argument);
  EXPECT_EQ(group->held_by_kernel_count(), 3u);

  // REMOVE_BUFFERS returned 2: the front two (2 and 3); 0, provided last, stays.
  EXPECT_EQ(group->remove_all().build().fd, 4);
  ASSERT_TRUE(group->removed(2));
  EXPECT_FALSE(group->held_by_kernel(2));
  EXPECT_FALSE(group->held_by_kernel(3));
  EXPECT_TRUE(group->held_by_kernel(0));
  EXPECT_EQ(group->removed(2).error(), std::errc::invalid_argument);  // only one left
  ASSERT_TRUE(group->removed(1));
  EXPECT_EQ(group->kernel_next().error(), std::errc::no_buffer_space);
}

TEST(ProvidedBufferGroupTest, RefusesBadSizesAndForeignCompletions) {
  EXPECT_EQ(ProvidedBufferGroup::create(0, 0, 8).error(), std::errc::invalid_argument);
  EXPECT_EQ(ProvidedBufferGroup::create(0, 65537, 8).error(), std::errc::invalid_argument);
  EXPECT_EQ(ProvidedBufferGroup::create(0, 2, 0).error(), std::errc::invalid_argument);
  auto group = ProvidedBufferGroup::create(0, 2, 8);
  ASSERT_TRUE(group);
  // Nothing provided yet: a completion naming buffer 0 cannot be ours.
  EXPECT_EQ(group->take(cqe_for(1, BufRingConsumer::cqe_flags(0, true))).error(),
            std::errc::connection_already_in_progress);
  ASSERT_TRUE(group->provide_all());
  EXPECT_EQ(group->take(cqe_for(9, BufRingConsumer::cqe_flags(0, true))).error(),
            std::errc::invalid_argument);  // more than the buffer holds
}

}  // namespace
}  // namespace ringkit
