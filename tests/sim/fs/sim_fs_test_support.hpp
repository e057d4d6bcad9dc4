// Helpers for the simulator's file-system op tests: a world (without faults, or reordering
// completions) with a ring, a directory "/d" open as a dirfd, and submit-and-collect calls.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/sim_test_support.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::testing {

inline std::string text_of(const std::optional<fs_detail::Bytes>& bytes) {
  if (!bytes) return "<none>";
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

// Everything a File holds from offset 0 (files) or queued (pipes: consumed).
inline std::string read_all(File& f, std::int64_t offset = 0) {
  std::string out;
  char buf[256];
  for (;;) {
    iovec v{buf, sizeof buf};
    const std::int64_t n = f.read(std::span<const iovec>(&v, 1), offset, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (offset >= 0) offset += n;
  }
  return out;
}

inline std::int64_t write_text(File& f, std::string_view s, std::int64_t offset = -1) {
  iovec v{const_cast<char*>(s.data()), s.size()};
  return f.write(std::span<const iovec>(&v, 1), offset, 0);
}

struct FaultCase {
  const char* name;
  bool reorder;
};

inline void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

inline std::string fault_case_name(const ::testing::TestParamInfo<FaultCase>& info) {
  return info.param.name;
}

// Each test runs without faults and with reordered completions (latencies drawn per request).
class SimFsTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  SimFsTest()
      : world(WorldOptions{
            .seed = 11,
            .faults = GetParam().reorder ? FaultProfile::reorder() : FaultProfile::none()}) {}

  void SetUp() override {
    ring = make_ring(world, 16);
    ASSERT_NE(ring, nullptr);
    ASSERT_TRUE(world.fs().mkdir_p("/d"));
    dirfd = open_fd("/d", O_RDONLY | O_DIRECTORY);
    ASSERT_GE(dirfd, 0);
  }

  [[nodiscard]] op::Fd dir() const { return op::Fd{dirfd}; }

  // Opens `path` in the world (no ring) and installs it: the descriptor.
  int open_fd(std::string_view path, std::uint64_t flags, std::uint32_t mode = 0644) {
    const result<FileRef> f = world.fs().openat(nullptr, path, flags, mode);
    EXPECT_TRUE(f) << path;
    if (!f) return -1;
    const result<int> fd = world.fds().install(*f);
    return fd ? *fd : -1;
  }
  // Creates /d/<name> holding `contents`; returns an O_RDWR descriptor of it.
  int make_file(std::string_view name, std::string_view contents) {
    const std::string path = "/d/" + std::string(name);
    EXPECT_TRUE(world.fs().create_file(path, contents));
    return open_fd(path, O_RDWR);
  }
  std::string contents(std::string_view name) {
    return text_of(world.fs().read_file("/d/" + std::string(name)));
  }
  // The File behind a descriptor ("" when it is not open, which fails the test).
  std::string read_fd(int fd, std::int64_t offset = 0) {
    File* f = world.fds().get(fd);
    EXPECT_NE(f, nullptr) << "fd " << fd;
    return f != nullptr ? read_all(*f, offset) : std::string();
  }
  // A pipe installed in the fd table: {read end, write end}.
  std::pair<int, int> make_pipe_fds(std::uint32_t flags = 0) {
    result<PipePair> p = make_pipe(flags);
    EXPECT_TRUE(p);
    const result<int> r = world.fds().install(p->reader);
    const result<int> w = world.fds().install(p->writer);
    return {r ? *r : -1, w ? *w : -1};
  }

  // Submits `sqe` (user_data 1) and returns its CQE's res.
  std::int32_t run_res(abi::Sqe sqe, std::uint8_t flags = 0) {
    const std::vector<Cqe> cqes = run({with(sqe, 1, flags)});
    return cqes.size() == 1 ? cqes[0].res : INT32_MIN;
  }
  template <class Builder>
  std::int32_t run_res(const Builder& b, std::uint8_t flags = 0) {
    return run_res(b.build(), flags);
  }
  // Submits `sqes` and waits for one CQE each; returns them in completion order.
  std::vector<Cqe> run(std::initializer_list<abi::Sqe> sqes) {
    EXPECT_EQ(submit(*ring, sqes), static_cast<std::int64_t>(sqes.size()));
    std::vector<Cqe> out;
    while (out.size() < sqes.size()) {
      const result<std::uint32_t> r = ring->submit_and_wait(1);
      EXPECT_TRUE(r) << (r ? "" : r.error().message());
      if (!r) break;
      for (const Cqe& c : drain(*ring)) out.push_back(c);
    }
    EXPECT_EQ(out.size(), sqes.size());
    return out;
  }

  // The contents of registered slot `slot` read through a descriptor FIXED_FD_INSTALL makes,
  // or "<res N>" when the install fails (-EBADF: an empty slot).
  std::string read_slot(std::uint32_t slot) {
    const std::int32_t fd = run_res(op::FixedFdInstall(op::FixedFile{slot}));
    if (fd < 0) return "<res " + std::to_string(fd) + ">";
    std::string out = read_fd(fd);
    EXPECT_TRUE(world.fds().close(fd));
    return out;
  }
  // Whether a slot holds a file: NOP with IOSQE_FIXED_FILE looks it up.
  bool slot_used(std::uint32_t slot) { return run_res(op::Nop().file(op::FixedFile{slot})) == 0; }

  World world;
  std::unique_ptr<SimRing> ring;
  int dirfd = -1;
};

#define RINGKIT_SIM_FS_SUITE(suite)                                                                \
  INSTANTIATE_TEST_SUITE_P(Faults, suite,                                                          \
                           ::testing::Values(::ringkit::sim::testing::FaultCase{"none", false},    \
                                             ::ringkit::sim::testing::FaultCase{"reorder", true}), \
                           ::ringkit::sim::testing::fault_case_name)

}  // namespace ringkit::sim::testing
