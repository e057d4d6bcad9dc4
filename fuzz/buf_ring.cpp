// Fuzz target buf_ring: an operation stream over ProvidedBufferRing (the application's half)
// and BufRingConsumer (the kernel's half, as the simulator runs it) sharing one registered ring,
// checked against a plain model after every step.
//
// Input: byte 0 picks the mode (bit 0: raw; bit 1: incremental), then the ring's entries
// (1 << (b % 6)), buffer size (1..200) and min_left (incremental only); then one operation per
// selector byte, its arguments following.
// - managed mode (the way applications use it): the kernel transfers part of the head buffer
//   (plain or incremental consumption), the application takes a posted completion, takes one
//   twice (EALREADY), recycles a buffer (EINVAL out of range, EBUSY when the kernel holds it),
//   and the counts of who holds what agree with the model. Bytes written by the "kernel" are
//   read back by take() at the offset the model predicts.
// - raw mode (liburing's io_uring_buf_ring_add / _advance): entries are written at tail+offset
//   and published by advance(); the shared memory, the tail the kernel reads, and what the
//   kernel selects and commits match the model.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz_check.hpp"
#include "prop/buf_ring_model.hpp"
#include "ringkit/buf_ring_consumer.hpp"
#include "ringkit/provided_buffer_ring.hpp"
#include "ringkit/sim/sim_ring.hpp"

namespace ringkit::fuzz {
namespace {

constexpr std::uint16_t bgid = 3;

using PendingCqe = testing::PendingBufCqe;
using Model = testing::BufRingModel;

void kernel_transfer(Model& m, ProvidedBufferRing& ring, BufRingConsumer& kernel, ByteReader& in) {
  const std::uint32_t want = in.u16() % 300;
  const std::uint32_t permille = in.u16() % 1001;
  const auto sel = kernel.select(want);
  if (m.kernel_queue.empty()) {
    RINGKIT_FUZZ_CHECK(!sel);  // -ENOBUFS
    return;
  }
  RINGKIT_FUZZ_CHECK(sel.has_value());
  const std::uint16_t bid = m.kernel_queue.front();
  RINGKIT_FUZZ_CHECK(sel->bid == bid);
  const auto base = reinterpret_cast<std::uint64_t>(ring.buffer(bid).data());
  RINGKIT_FUZZ_CHECK(sel->addr == base + m.used[bid]);
  const std::uint32_t left = m.size - m.used[bid];
  const std::uint32_t len = (want == 0 || want > left) ? left : want;
  RINGKIT_FUZZ_CHECK(sel->len == len);
  const auto t = static_cast<std::uint32_t>(std::uint64_t{len} * permille / 1000);
  std::memset(reinterpret_cast<void*>(sel->addr), m.next_fill, t);
  const bool used_up = kernel.commit(static_cast<std::int32_t>(t));

  PendingCqe cqe{bid, static_cast<std::int32_t>(t), false, m.next_fill, m.used[bid]};
  if (!m.incremental) {
    m.kernel_queue.pop_front();
  } else if (t == 0) {
    cqe.more = true;  // nothing used, nothing consumed
  } else {
    m.used[bid] += t;
    if (m.size - m.used[bid] >= m.keep()) {
      cqe.more = true;
    } else {
      m.kernel_queue.pop_front();
    }
  }
  RINGKIT_FUZZ_CHECK(used_up == !cqe.more);
  m.pending.push_back(cqe);
  ++m.next_fill;
}

void take(Model& m, ProvidedBufferRing& ring, ByteReader& in) {
  if (m.pending.empty()) return;
  // The CQ keeps one buffer's completions in order: take the first pending one of its bid.
  const std::uint16_t bid = m.pending[in.u8() % m.pending.size()].bid;
  std::size_t i = 0;
  while (m.pending[i].bid != bid) ++i;
  const PendingCqe c = m.pending[i];
  m.pending.erase(m.pending.begin() + static_cast<std::ptrdiff_t>(i));
  abi::Cqe cqe{};
  cqe.res = c.res;
  cqe.flags = BufRingConsumer::cqe_flags(c.bid, !c.more);
  const auto data = ring.take(cqe);
  RINGKIT_FUZZ_CHECK(data.has_value());
  RINGKIT_FUZZ_CHECK(data->size() == static_cast<std::size_t>(c.res));
  RINGKIT_FUZZ_CHECK(data->data() == ring.buffer(c.bid).data() + c.offset);
  RINGKIT_FUZZ_CHECK(
      std::all_of(data->begin(), data->end(), [&](std::byte b) { return b == std::byte{c.fill}; }));
  if (!c.more) {
    m.app_owned[c.bid] = true;
    m.used[c.bid] = 0;
  }
}

void take_twice(const Model& m, ProvidedBufferRing& ring, ByteReader& in) {
  const auto bid = static_cast<std::uint16_t>(in.u8() % m.entries);
  if (!m.app_owned[bid]) return;
  abi::Cqe cqe{};
  cqe.flags = BufRingConsumer::cqe_flags(bid, true);
  const auto data = ring.take(cqe);
  RINGKIT_FUZZ_CHECK(!data.has_value());
  RINGKIT_FUZZ_CHECK(data.error() == std::errc::connection_already_in_progress);
}

void recycle(Model& m, ProvidedBufferRing& ring, ByteReader& in) {
  const auto bid = static_cast<std::uint16_t>(in.u8() % (m.entries + 1));
  const result<void> r = ring.recycle(bid);
  if (bid >= m.entries) {
    RINGKIT_FUZZ_CHECK(!r && r.error() == std::errc::invalid_argument);
  } else if (m.app_owned[bid]) {
    RINGKIT_FUZZ_CHECK(r.has_value());
    m.app_owned[bid] = false;
    m.kernel_queue.push_back(bid);
  } else {
    RINGKIT_FUZZ_CHECK(!r && r.error() == std::errc::device_or_resource_busy);
  }
}

void check_counts(const Model& m, const ProvidedBufferRing& ring, const BufRingConsumer& kernel) {
  RINGKIT_FUZZ_CHECK(kernel.available() == m.kernel_queue.size());
  const auto owned =
      static_cast<std::uint32_t>(std::count(m.app_owned.begin(), m.app_owned.end(), true));
  RINGKIT_FUZZ_CHECK(ring.held_by_kernel_count() == m.entries - owned);
  for (std::uint16_t bid = 0; bid < m.entries; ++bid) {
    RINGKIT_FUZZ_CHECK(ring.held_by_kernel(bid) == !m.app_owned[bid]);
  }
}

void run_managed(Model& m, ProvidedBufferRing& ring, BufRingConsumer& kernel, ByteReader& in) {
  for (int step = 0; step < 400 && !in.empty(); ++step) {
    switch (in.below(5)) {
      case 0:
        kernel_transfer(m, ring, kernel, in);
        break;
      case 1:
        take(m, ring, in);
        break;
      case 2:
        take_twice(m, ring, in);
        break;
      case 3:
        recycle(m, ring, in);
        break;
      default:
        break;
    }
    check_counts(m, ring, kernel);
  }
}

// The raw protocol: the model is the ring memory (addr, len, bid of each entry), the tail the
// application published and the kernel's head.
void run_raw(std::uint32_t entries, ProvidedBufferRing& ring, BufRingConsumer& kernel,
             ByteReader& in) {
  std::vector<abi::Buf> memory(ring.ring_memory(), ring.ring_memory() + entries);
  std::uint16_t tail = ring.tail();
  std::uint16_t head = 0;
  const std::uint32_t mask = entries - 1;
  for (int step = 0; step < 400 && !in.empty(); ++step) {
    switch (in.below(3)) {
      case 0: {  // add
        const std::uint64_t addr = in.u64();
        const std::uint32_t len = in.u32();
        const std::uint16_t bid = in.u16();
        const std::uint32_t offset = in.u8();
        ring.add(addr, len, bid, offset);
        abi::Buf& e = memory[(tail + offset) & mask];
        e.addr = addr;
        e.len = len;
        e.bid = bid;
        break;
      }
      case 1: {  // advance
        const auto count = static_cast<std::uint16_t>(in.u8() % (entries + 1));
        ring.advance(count);
        tail = static_cast<std::uint16_t>(tail + count);
        break;
      }
      default: {  // the kernel selects and commits a whole buffer
        const std::uint32_t want = in.u32();
        const auto sel = kernel.select(want);
        if (tail == head) {
          RINGKIT_FUZZ_CHECK(!sel);
          break;
        }
        RINGKIT_FUZZ_CHECK(sel.has_value());
        const abi::Buf& e = memory[head & mask];
        RINGKIT_FUZZ_CHECK(sel->addr == e.addr && sel->bid == e.bid);
        RINGKIT_FUZZ_CHECK(sel->len == ((want == 0 || want > e.len) ? e.len : want));
        RINGKIT_FUZZ_CHECK(kernel.commit(static_cast<std::int32_t>(sel->len & 0x7fffffff)));
        head = static_cast<std::uint16_t>(head + 1);
        break;
      }
    }
    RINGKIT_FUZZ_CHECK(ring.tail() == tail);
    RINGKIT_FUZZ_CHECK(kernel.tail() == tail);
    RINGKIT_FUZZ_CHECK(kernel.head() == head);
    RINGKIT_FUZZ_CHECK(kernel.available() == static_cast<std::uint16_t>(tail - head));
    for (std::uint32_t i = 0; i < entries; ++i) {
      const abi::Buf& shared = ring.ring_memory()[i];
      RINGKIT_FUZZ_CHECK(shared.addr == memory[i].addr && shared.len == memory[i].len &&
                         shared.bid == memory[i].bid);
    }
  }
}

}  // namespace
}  // namespace ringkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ringkit;
  fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
  const std::uint8_t mode = in.u8();
  const bool raw = (mode & 1) != 0;
  const bool incremental = !raw && (mode & 2) != 0;
  const std::uint32_t entries = 1u << (in.u8() % 6);
  const std::uint32_t buffer_size = 1 + in.u8() % 200;
  const std::uint32_t min_left = incremental ? in.u8() % 40 : 0;

  sim::World world;
  RingOptions o;
  o.entries = 4;
  result<std::unique_ptr<sim::SimRing>> made = sim::SimRing::create(world, o);
  RINGKIT_FUZZ_CHECK(made.has_value());
  ProvidedBufferRingOptions options;
  options.bgid = fuzz::bgid;
  options.entries = entries;
  options.buffer_size = buffer_size;
  options.incremental = incremental;
  options.min_left = min_left;
  result<ProvidedBufferRing> ring = ProvidedBufferRing::create(**made, options);
  RINGKIT_FUZZ_CHECK(ring.has_value());
  BufRingConsumer kernel(ring->ring_memory(), entries,
                         incremental ? abi::pbuf_ring::inc : std::uint16_t{0}, min_left);
  if (raw) {
    fuzz::run_raw(entries, *ring, kernel, in);
    return 0;
  }
  fuzz::Model m;
  m.entries = entries;
  m.size = buffer_size;
  m.incremental = incremental;
  m.min_left = min_left;
  for (std::uint16_t bid = 0; bid < entries; ++bid) m.kernel_queue.push_back(bid);
  m.used.assign(entries, 0);
  m.app_owned.assign(entries, false);
  fuzz::check_counts(m, *ring, kernel);
  fuzz::run_managed(m, *ring, kernel, in);
  return 0;
}
