// Provided buffers under random programs: READs with buffer selection (oneshot and multishot)
// on a pipe fed in random chunks, with buffers recycled at random points, from a legacy group
// or a buffer ring (whole or incremental). Every buffer a CQE reports must be one the kernel
// held: none is handed out twice before it is recycled. And the bytes, in CQE order, are the
// pipe's stream in order.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "ringkit/provided_buffer_group.hpp"
#include "ringkit/provided_buffer_ring.hpp"
#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

enum class GroupKind { legacy, ring, incremental_ring };
constexpr std::uint16_t bgid = 5;

void run_buffer_program(GroupKind kind, const FaultProfile& faults) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto entries = 1u << *rc::gen::inRange(2, 5);
  const auto buffer_size = *rc::gen::inRange<std::uint32_t>(4, 33);
  World world(WorldOptions{seed, faults});
  auto ring = make_ring(world, 64);
  RC_ASSERT(ring != nullptr);
  const PipeFds pipe = open_pipe(world);

  std::optional<ProvidedBufferGroup> group;
  std::optional<ProvidedBufferRing> buf_ring;
  std::uint64_t next_user_data = 1;
  const auto submit_sqe = [&](abi::Sqe sqe) {
    sqe.user_data = next_user_data++;
    RC_ASSERT(ring->push(sqe));
    const result<std::uint32_t> r = ring->submit();
    RC_ASSERT(r.has_value());
  };
  if (kind == GroupKind::legacy) {
    result<ProvidedBufferGroup> g = ProvidedBufferGroup::create(bgid, entries, buffer_size);
    RC_ASSERT(g.has_value());
    group.emplace(std::move(*g));
    submit_sqe(group->provide_all().value().build());
  } else {
    ProvidedBufferRingOptions o;
    o.bgid = bgid;
    o.entries = entries;
    o.buffer_size = buffer_size;
    o.incremental = kind == GroupKind::incremental_ring;
    result<ProvidedBufferRing> r = ProvidedBufferRing::create(*ring, o);
    RC_ASSERT(r.has_value());
    buf_ring.emplace(std::move(*r));
  }

  std::string written;
  std::string delivered;
  std::vector<std::uint16_t> app_held;  // buffers taken and not recycled yet
  std::uint64_t multishot_user_data = 0;
  const auto take = [&](const Cqe& c) {
    if (!(c.flags & abi::cqe_flag::buffer)) return;
    const abi::Cqe raw{c.user_data, c.res, c.flags};
    // A provided-buffer CQE must name a buffer the kernel holds: taking it fails with
    // EALREADY when it was handed out before without being recycled.
    result<std::span<std::byte>> bytes = group ? group->take(raw) : buf_ring->take(raw);
    RC_ASSERT(bytes.has_value());
    delivered.append(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    const auto bid = static_cast<std::uint16_t>(c.flags >> abi::cqe_flag::buffer_shift);
    if (!(c.flags & abi::cqe_flag::buf_more)) app_held.push_back(bid);
  };
  const auto reap = [&] {
    for (const Cqe& c : drain(*ring)) {
      if (c.user_data == multishot_user_data && !(c.flags & abi::cqe_flag::more)) {
        multishot_user_data = 0;
      }
      take(c);
    }
  };

  const auto steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    switch (*rc::gen::inRange(0, 5)) {
      case 0: {  // a oneshot READ selecting a buffer
        const auto len = *rc::gen::inRange<std::uint32_t>(0, 2 * buffer_size);
        submit_sqe(
            op::Read::select_buffer(op::Fd{pipe.read_end}, op::BufGroup{bgid}, len, file_position)
                .build());
        break;
      }
      case 1:  // a multishot READ, one at a time (several would race for the same bytes)
        if (multishot_user_data == 0) {
          multishot_user_data = next_user_data;
          submit_sqe(
              op::ReadMultishot(op::Fd{pipe.read_end}, op::BufGroup{bgid}, file_position).build());
        }
        break;
      case 2: {  // bytes arrive
        const auto n = *rc::gen::inRange<std::size_t>(1, 3 * buffer_size);
        std::string chunk;
        for (std::size_t k = 0; k < n; ++k) {
          chunk.push_back(static_cast<char>('a' + (written.size() + k) % 26));
        }
        pipe_put(world, pipe.write_end, chunk);
        written += chunk;
        break;
      }
      case 3:  // the application hands a buffer back
        if (!app_held.empty()) {
          const auto at = *rc::gen::inRange<std::size_t>(0, app_held.size());
          const std::uint16_t bid = app_held[at];
          app_held.erase(app_held.begin() + static_cast<std::ptrdiff_t>(at));
          if (group) {
            submit_sqe(group->provide(bid).value().build());
          } else {
            RC_ASSERT(buf_ring->recycle(bid).has_value());
          }
        }
        break;
      case 4:
        world.run_for(100'000);
        reap();
        break;
    }
  }
  // Close the write side: every read still waiting ends (EOF, or -ENOBUFS without buffers).
  RC_ASSERT(world.fds().close(pipe.write_end).has_value());
  for (int round = 0; round < 4; ++round) {
    world.run_for(1'000'000'000);
    reap();
  }
  RC_CLASSIFY(delivered.empty(), "nothing delivered");
  RC_CLASSIFY(!app_held.empty(), "buffers left with the application");
  // What was delivered is the stream's beginning, in order.
  RC_ASSERT(written.compare(0, delivered.size(), delivered) == 0);
}

RC_GTEST_PROP(SimProvidedBuffers, NoBufferIsHandedOutTwiceLegacyGroup, ()) {
  run_buffer_program(GroupKind::legacy, FaultProfile::none());
}
RC_GTEST_PROP(SimProvidedBuffers, NoBufferIsHandedOutTwiceBufferRing, ()) {
  run_buffer_program(GroupKind::ring, FaultProfile::none());
}
RC_GTEST_PROP(SimProvidedBuffers, NoBufferIsHandedOutTwiceIncrementalRing, ()) {
  run_buffer_program(GroupKind::incremental_ring, FaultProfile::none());
}
RC_GTEST_PROP(SimProvidedBuffers, NoBufferIsHandedOutTwiceWhenReordered, ()) {
  run_buffer_program(GroupKind::ring, FaultProfile::reorder());
}

}  // namespace
}  // namespace ringkit::sim
