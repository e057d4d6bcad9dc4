// Helpers for the simulator's control-family tests: pipes installed in a world, and CQEs
// sorted by user_data where the kernel does not order them.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "engine/sim_test_support.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::testing {

struct WorldPipe {
  int read_fd = -1;
  int write_fd = -1;
  File* reader = nullptr;
  File* writer = nullptr;

  // Writes `bytes` through the write end, as another process would.
  void write(std::string_view bytes) const {
    const iovec v{const_cast<char*>(bytes.data()), bytes.size()};
    EXPECT_EQ(writer->write(std::span<const iovec>(&v, 1), -1, 0),
              static_cast<std::int64_t>(bytes.size()));
  }
};

inline WorldPipe make_world_pipe(World& world) {
  WorldPipe p;
  result<PipePair> pair = make_pipe(0);
  EXPECT_TRUE(pair.has_value());
  if (!pair) return p;
  p.reader = pair->reader.get();
  p.writer = pair->writer.get();
  p.read_fd = world.fds().install(pair->reader).value_or(-1);
  p.write_fd = world.fds().install(pair->writer).value_or(-1);
  return p;
}

inline std::vector<Cqe> sorted(std::vector<Cqe> cqes) {
  std::stable_sort(cqes.begin(), cqes.end(),
                   [](const Cqe& a, const Cqe& b) { return a.user_data < b.user_data; });
  return cqes;
}

}  // namespace ringkit::sim::testing
