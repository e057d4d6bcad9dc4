// Helpers for the simulator's read/write family tests: files, pipes and eventfds installed in a
// world's fd table, and one-request runs.
#pragma once

#include <fcntl.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/sim_test_support.hpp"
#include "ringkit/sim/world.hpp"
#include "ringkit/sim/world/eventfd.hpp"
#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::testing {

// Creates `path` with `text` (durable) and opens it with `flags`; returns the fd.
inline int open_file(World& world, std::string_view path, std::string_view text,
                     std::uint64_t flags = O_RDWR) {
  EXPECT_TRUE(world.fs().create_file(path, text));
  const result<FileRef> f = world.fs().openat(nullptr, path, flags, 0644);
  EXPECT_TRUE(f.has_value());
  if (!f) return -1;
  const result<int> fd = world.fds().install(*f);
  EXPECT_TRUE(fd.has_value());
  return fd ? *fd : -1;
}

struct PipeFds {
  int read_end = -1;
  int write_end = -1;
};

inline PipeFds open_pipe(World& world, std::uint32_t flags = 0) {
  result<PipePair> p = make_pipe(flags);
  EXPECT_TRUE(p.has_value());
  if (!p) return {};
  const result<int> r = world.fds().install(p->reader);
  const result<int> w = world.fds().install(p->writer);
  return {r ? *r : -1, w ? *w : -1};
}

inline int open_eventfd(World& world, std::uint32_t initval = 0) {
  const result<FileRef> e = make_eventfd(initval, 0);
  EXPECT_TRUE(e.has_value());
  if (!e) return -1;
  const result<int> fd = world.fds().install(*e);
  return fd ? *fd : -1;
}

// Writes into a pipe's write end directly (as another process would).
inline void pipe_put(World& world, int write_end, std::string_view bytes) {
  File* f = world.fds().get(write_end);
  ASSERT_NE(f, nullptr);
  const iovec v{const_cast<char*>(bytes.data()), bytes.size()};
  ASSERT_EQ(f->write(std::span<const iovec>(&v, 1), -1, 0),
            static_cast<std::int64_t>(bytes.size()));
}

inline std::string file_text(World& world, std::string_view path) {
  const auto bytes = world.fs().read_file(path);
  if (!bytes) return "<missing>";
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

inline std::string durable_text(World& world, std::string_view path) {
  const auto bytes = world.fs().durable_bytes(path);
  if (!bytes) return "<missing>";
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

// Submits one SQE (user_data 1) and waits for its CQE.
inline Cqe run_one(Ring& ring, abi::Sqe sqe) {
  sqe.user_data = 1;
  EXPECT_EQ(submit(ring, {sqe}), 1);
  const std::vector<Cqe> cqes = wait_for(ring, 1);
  EXPECT_EQ(cqes.size(), 1u);
  return cqes.empty() ? Cqe{0, -9999, 0} : cqes.front();
}

inline std::int32_t run_res(Ring& ring, const abi::Sqe& sqe) { return run_one(ring, sqe).res; }

inline constexpr std::uint64_t file_position = ~std::uint64_t{0};
inline constexpr std::uint32_t f_buffer = abi::cqe_flag::buffer;
inline constexpr std::uint32_t f_more = abi::cqe_flag::more;

inline constexpr std::uint32_t buffer_flags(std::uint16_t bid, std::uint32_t extra = 0) {
  return f_buffer | (std::uint32_t{bid} << 16) | extra;
}

}  // namespace ringkit::sim::testing
