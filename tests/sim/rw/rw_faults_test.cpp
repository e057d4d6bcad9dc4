// The read/write family under fault profiles: only results the real operation can give appear
// (-EIO and -ENOSPC from regular files only, short counts that fail links, never on pipes'
// atomic writes), and what a result reports is what the file holds.
#include <string>
#include <string_view>
#include <vector>

#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

FaultProfile heavy_faults() {
  FaultProfile f = FaultProfile::reorder();
  f.io_error_ppm = 150'000;
  f.short_rw_ppm = 250'000;
  f.no_space_ppm = 150'000;
  return f;
}

TEST(SimRwFaults, OnlyValidResultsAppear) {
  int seen_eio = 0;
  int seen_enospc = 0;
  int seen_short = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    World world(WorldOptions{.seed = seed, .faults = heavy_faults()});
    auto ring = make_ring(world);
    ASSERT_NE(ring, nullptr);
    const int fd = open_file(world, "/f", "0123456789");
    const auto pipe = open_pipe(world);

    // An overwrite inside the file: -EIO or a prefix written, never -ENOSPC.
    const std::string patch = "ABCDEFGH";
    std::int32_t res = run_res(*ring, op::Write(op::Fd{fd}, patch.data(), 8, 1).build());
    if (res == -EIO) {
      ++seen_eio;
      EXPECT_EQ(file_text(world, "/f"), "0123456789");
    } else {
      ASSERT_GE(res, 1) << "seed " << seed;
      ASSERT_LE(res, 8);
      if (res < 8) ++seen_short;
      const auto n = static_cast<std::size_t>(res);
      // Built with append: GCC 12's -Wrestrict misfires on operator+ chains at -O3.
      std::string expected = "0";
      expected.append(patch, 0, n).append(std::string_view("0123456789").substr(1 + n));
      EXPECT_EQ(file_text(world, "/f"), expected);
    }
    const std::string before = file_text(world, "/f");

    // An extending write may also be -ENOSPC (nothing written).
    res = run_res(*ring, op::Write(op::Fd{fd}, "tail", 4, 10).build());
    if (res == -ENOSPC || res == -EIO) {
      if (res == -ENOSPC) ++seen_enospc;
      EXPECT_EQ(file_text(world, "/f"), before);
    } else {
      ASSERT_GE(res, 1) << "seed " << seed;
      ASSERT_LE(res, 4);
      std::string expected = before;
      expected.append(std::string_view("tail").substr(0, static_cast<std::size_t>(res)));
      EXPECT_EQ(file_text(world, "/f"), expected);
    }
    const std::string now = file_text(world, "/f");

    // A read: -EIO or a prefix of the file's bytes.
    char buf[32] = {};
    res = run_res(*ring, op::Read(op::Fd{fd}, buf, sizeof buf, 0).build());
    if (res != -EIO) {
      ASSERT_GE(res, 1) << "seed " << seed;
      ASSERT_LE(static_cast<std::size_t>(res), now.size());
      EXPECT_EQ(std::string(buf, static_cast<std::size_t>(res)),
                now.substr(0, static_cast<std::size_t>(res)));
    }

    // Syncs: 0 or -EIO; fallocate: 0 or -ENOSPC.
    res = run_res(*ring, op::Fsync(op::Fd{fd}).build());
    EXPECT_TRUE(res == 0 || res == -EIO) << res;
    if (res == 0) {
      EXPECT_EQ(durable_text(world, "/f"), now);
    }
    res = run_res(*ring, op::Fallocate(op::Fd{fd}, 0, 1 << 16).build());
    EXPECT_TRUE(res == 0 || res == -ENOSPC) << res;
    if (res == -ENOSPC) ++seen_enospc;

    // Pipes: no -EIO or -ENOSPC, atomic writes whole, reads a prefix of what is queued.
    res = run_res(*ring, op::Write(op::Fd{pipe.write_end}, "pipe-data", 9, 0).build());
    EXPECT_EQ(res, 9);
    res = run_res(*ring, op::Read(op::Fd{pipe.read_end}, buf, sizeof buf, 0).build());
    ASSERT_GE(res, 1);
    ASSERT_LE(res, 9);
    EXPECT_EQ(std::string(buf, static_cast<std::size_t>(res)),
              std::string("pipe-data").substr(0, static_cast<std::size_t>(res)));
  }
  // The profile is heavy enough that each kind of fault showed up.
  EXPECT_GT(seen_eio, 0);
  EXPECT_GT(seen_enospc, 0);
  EXPECT_GT(seen_short, 0);
}

// A short transfer fails the link even when the fault made it short, and the same seed gives
// the same run.
TEST(SimRwFaults, ShortTransfersBreakLinksDeterministically) {
  const auto run = [](std::uint64_t seed) {
    FaultProfile f;
    f.short_rw_ppm = 500'000;
    World world(WorldOptions{.seed = seed, .faults = f});
    auto ring = make_ring(world);
    const int fd = open_file(world, "/f", std::string(64, 'x'));
    char buf[64];
    EXPECT_EQ(
        submit(*ring, {with(op::Read(op::Fd{fd}, buf, 64, 0).build(), 1, abi::sqe_flag::io_link),
                       with(op::Nop().build(), 2)}),
        2);
    const std::vector<Cqe> cqes = wait_for(*ring, 2);
    EXPECT_EQ(cqes.size(), 2u);
    if (cqes.size() == 2) {
      if (cqes[0].res == 64) {
        EXPECT_EQ(cqes[1].res, 0);
      } else {
        EXPECT_GE(cqes[0].res, 1);
        EXPECT_EQ(cqes[1].res, -ECANCELED);
      }
    }
    return cqes;
  };
  int broken = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<Cqe> first = run(seed);
    EXPECT_EQ(first, run(seed));
    if (first.size() == 2 && first[1].res == -ECANCELED) ++broken;
  }
  EXPECT_GT(broken, 0);
}

}  // namespace
}  // namespace ringkit::sim
