// Stateful model test: ProvidedBufferRing (the application) and BufRingConsumer (the kernel)
// exchanging buffers through the shared ring memory, against a plain model of who holds which
// buffer, in what ring order, and how much of it incremental consumption has used.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "prop/buf_ring_model.hpp"
#include "ringkit/buf_ring_consumer.hpp"
#include "ringkit/provided_buffer_ring.hpp"
#include "ringkit/ring_options.hpp"
#include "support/scripted_ring.hpp"

namespace ringkit {
namespace {

using namespace abi;
using testing::ScriptedRing;

using PendingCqe = testing::PendingBufCqe;
using Model = testing::BufRingModel;

struct Sut {
  ProvidedBufferRing* ring;
  BufRingConsumer* kernel;
};

using Cmd = rc::state::Command<Model, Sut>;

// The kernel selects the head buffer for a request of `want` bytes and transfers part of it.
struct KernelTransfer : Cmd {
  std::uint32_t want = *rc::gen::inRange<std::uint32_t>(0, 300);
  std::uint32_t permille = *rc::gen::inRange<std::uint32_t>(0, 1001);

  std::uint32_t transferred(const Model& m) const {
    const std::uint16_t bid = m.kernel_queue.front();
    const std::uint32_t left = m.size - m.used[bid];
    const std::uint32_t len = (want == 0 || want > left) ? left : want;
    return static_cast<std::uint32_t>(std::uint64_t{len} * permille / 1000);
  }

  void apply(Model& m) const override {
    if (m.kernel_queue.empty()) return;  // -ENOBUFS: nothing changes
    const std::uint16_t bid = m.kernel_queue.front();
    const std::uint32_t t = transferred(m);
    PendingCqe cqe{bid, static_cast<std::int32_t>(t), false, m.next_fill, m.used[bid]};
    if (!m.incremental) {
      m.kernel_queue.pop_front();
    } else if (t == 0) {
      cqe.more = true;
    } else {
      m.used[bid] += t;
      if (m.size - m.used[bid] >= m.keep()) {
        cqe.more = true;
      } else {
        m.kernel_queue.pop_front();
      }
    }
    m.pending.push_back(cqe);
    ++m.next_fill;
  }

  void run(const Model& m, Sut& sut) const override {
    const auto sel = sut.kernel->select(want);
    if (m.kernel_queue.empty()) {
      RC_ASSERT(!sel);
      return;
    }
    RC_ASSERT(sel.has_value());
    const std::uint16_t bid = m.kernel_queue.front();
    RC_ASSERT(sel->bid == bid);
    const auto base = reinterpret_cast<std::uint64_t>(sut.ring->buffer(bid).data());
    RC_ASSERT(sel->addr == base + m.used[bid]);
    const std::uint32_t t = transferred(m);
    RC_ASSERT(t <= sel->len);
    std::memset(reinterpret_cast<void*>(sel->addr), m.next_fill, t);
    const bool used_up = sut.kernel->commit(static_cast<std::int32_t>(t));
    Model next = m;
    apply(next);
    RC_ASSERT(used_up == !next.pending.back().more);
  }

  void show(std::ostream& os) const override {
    os << "KernelTransfer(want=" << want << ", permille=" << permille << ")";
  }
};

// The application takes a posted completion (the oldest one of its buffer).
struct Take : Cmd {
  std::size_t pick;
  explicit Take(const Model& m) {
    RC_PRE(!m.pending.empty());
    pick = *rc::gen::inRange<std::size_t>(0, m.pending.size());
  }
  // Shrinking replays commands on other states: re-check what the constructor assumed.
  void checkPreconditions(const Model& m) const override { RC_PRE(pick < m.pending.size()); }
  std::size_t index(const Model& m) const {
    // The CQ keeps one buffer's completions in order: take the first pending one of its bid.
    const std::uint16_t bid = m.pending[pick].bid;
    for (std::size_t i = 0; i < m.pending.size(); ++i)
      if (m.pending[i].bid == bid) return i;
    return pick;
  }
  void apply(Model& m) const override {
    const std::size_t i = index(m);
    const PendingCqe c = m.pending[i];
    m.pending.erase(m.pending.begin() + static_cast<std::ptrdiff_t>(i));
    if (!c.more) {
      m.app_owned[c.bid] = true;
      m.used[c.bid] = 0;
    }
  }
  void run(const Model& m, Sut& sut) const override {
    const PendingCqe& c = m.pending[index(m)];
    Cqe cqe{};
    cqe.res = c.res;
    cqe.flags = BufRingConsumer::cqe_flags(c.bid, !c.more);
    const auto data = sut.ring->take(cqe);
    RC_ASSERT(data.has_value());
    RC_ASSERT(data->size() == static_cast<std::size_t>(c.res));
    RC_ASSERT(data->data() == sut.ring->buffer(c.bid).data() + c.offset);
    RC_ASSERT(std::all_of(data->begin(), data->end(),
                          [&](std::byte b) { return b == std::byte{c.fill}; }));
  }
  void show(std::ostream& os) const override { os << "Take(" << pick << ")"; }
};

// A completion for a buffer the application already holds (taken twice): refused.
struct TakeTwice : Cmd {
  std::uint16_t bid;
  explicit TakeTwice(const Model& m) {
    bid = *rc::gen::inRange<std::uint16_t>(0, static_cast<std::uint16_t>(m.entries));
    checkPreconditions(m);
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(bid < m.entries && static_cast<bool>(m.app_owned[bid]));
  }
  void run(const Model&, Sut& sut) const override {
    Cqe cqe{};
    cqe.flags = BufRingConsumer::cqe_flags(bid, true);
    RC_ASSERT(sut.ring->take(cqe).error() == std::errc::connection_already_in_progress);
  }
  void show(std::ostream& os) const override { os << "TakeTwice(" << bid << ")"; }
};

// The application hands a buffer back (or tries to: one it does not hold, or out of range).
struct Recycle : Cmd {
  std::uint16_t bid;
  explicit Recycle(const Model& m) {
    bid = *rc::gen::inRange<std::uint16_t>(0, static_cast<std::uint16_t>(m.entries + 1));
  }
  void apply(Model& m) const override {
    if (bid < m.entries && m.app_owned[bid]) {
      m.app_owned[bid] = false;
      m.kernel_queue.push_back(bid);
    }
  }
  void run(const Model& m, Sut& sut) const override {
    const result<void> r = sut.ring->recycle(bid);
    if (bid >= m.entries) {
      RC_ASSERT(r.error() == std::errc::invalid_argument);
    } else if (m.app_owned[bid]) {
      RC_ASSERT(r.has_value());
    } else {
      RC_ASSERT(r.error() == std::errc::device_or_resource_busy);
    }
  }
  void show(std::ostream& os) const override { os << "Recycle(" << bid << ")"; }
};

// Both sides agree on the counts after every step.
struct CheckCounts : Cmd {
  void run(const Model& m, Sut& sut) const override {
    RC_ASSERT(sut.kernel->available() == m.kernel_queue.size());
    const auto owned =
        static_cast<std::uint32_t>(std::count(m.app_owned.begin(), m.app_owned.end(), true));
    RC_ASSERT(sut.ring->held_by_kernel_count() == m.entries - owned);
    for (std::uint16_t bid = 0; bid < m.entries; ++bid)
      RC_ASSERT(sut.ring->held_by_kernel(bid) == !m.app_owned[bid]);
  }
  void show(std::ostream& os) const override { os << "CheckCounts"; }
};

void run_model(bool incremental) {
  const auto entries = std::uint32_t{1} << *rc::gen::inRange(0, 6);
  const auto size = *rc::gen::inRange<std::uint32_t>(1, 200);
  const std::uint32_t min_left = incremental ? *rc::gen::inRange<std::uint32_t>(0, 40) : 0;

  RingOptions o;
  o.entries = 4;
  ScriptedRing scripted(validate_ring_options(o, setup::known_flags).value());
  BufReg reg{};
  scripted.on_register = [&](ScriptedRing&, RegisterOp op, void* arg,
                             std::uint32_t) -> result<std::uint32_t> {
    if (op == RegisterOp::register_pbuf_ring) std::memcpy(&reg, arg, sizeof(reg));
    return 0u;
  };
  ProvidedBufferRingOptions options;
  options.entries = entries;
  options.buffer_size = size;
  options.incremental = incremental;
  options.min_left = min_left;
  auto pbr = ProvidedBufferRing::create(scripted, options);
  RC_ASSERT(pbr.has_value());
  BufRingConsumer kernel(reinterpret_cast<Buf*>(reg.ring_addr), reg.ring_entries, reg.flags,
                         reg.min_left);

  Model model;
  model.entries = entries;
  model.size = size;
  model.incremental = incremental;
  model.min_left = min_left;
  for (std::uint16_t bid = 0; bid < entries; ++bid) model.kernel_queue.push_back(bid);
  model.used.assign(entries, 0);
  model.app_owned.assign(entries, false);

  Sut sut{&*pbr, &kernel};
  rc::state::check(
      model, sut,
      rc::state::gen::execOneOfWithArgs<KernelTransfer, Take, TakeTwice, Recycle, CheckCounts>());
}

RC_GTEST_PROP(BufRingModel, WholeBuffers, ()) { run_model(false); }

RC_GTEST_PROP(BufRingModel, IncrementalConsumption, ()) { run_model(true); }

}  // namespace
}  // namespace ringkit
