// Helpers for the simulated file system's tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ringkit/sim/world/file_system.hpp"

namespace ringkit::sim::testing {

// The errno of a failed call, or 0 on success.
template <class R>
int err(const R& r) {
  return r ? 0 : r.error().value();
}

inline std::string text(const std::optional<fs_detail::Bytes>& bytes) {
  if (!bytes) return "<none>";
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

inline std::int64_t write_str(File& f, std::string_view s, std::int64_t offset = -1,
                              std::uint32_t rw_flags = 0) {
  iovec v{const_cast<char*>(s.data()), s.size()};
  return f.write(std::span<const iovec>(&v, 1), offset, rw_flags);
}

inline std::string read_str(File& f, std::size_t n, std::int64_t offset = -1,
                            std::int64_t* res = nullptr) {
  std::string buf(n, '\0');
  iovec v{buf.data(), n};
  const std::int64_t r = f.read(std::span<const iovec>(&v, 1), offset, 0);
  if (res != nullptr) *res = r;
  buf.resize(r > 0 ? static_cast<std::size_t>(r) : 0);
  return buf;
}

class FsTest : public ::testing::Test {
 protected:
  FileRef open(std::string_view path, std::uint64_t flags, std::uint32_t mode = 0644,
               File* dir = nullptr) {
    auto r = fs.openat(dir, path, flags, mode);
    EXPECT_TRUE(r) << path << ": " << (r ? 0 : r.error().value());
    return r ? *r : FileRef{};
  }
  int open_err(std::string_view path, std::uint64_t flags, File* dir = nullptr) {
    return err(fs.openat(dir, path, flags, 0644));
  }

  VirtualClock clock;
  FileSystem fs{clock};
};

}  // namespace ringkit::sim::testing
