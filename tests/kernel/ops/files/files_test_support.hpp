// Helpers for the file-family kernel tests: a scratch directory, a fixture owning a ring and that
// directory, and submit-and-collect calls that fail instead of hanging.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "uring_test_support.hpp"

namespace ringkit::testing {

// Long enough for any of these operations on a local file system; short enough that a request
// the kernel never completes fails the test instead of blocking CI.
inline constexpr std::chrono::seconds files_wait_limit{2};

// A directory made with mkdtemp under /tmp, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    char name[] = "/tmp/ringkit-files-XXXXXX";
    if (mkdtemp(name) != nullptr) path_ = name;
    if (!path_.empty()) fd_ = open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    if (fd_ >= 0) close(fd_);
    if (!path_.empty()) {
      nftw(
          path_.c_str(),
          [](const char* p, const struct stat*, int, struct FTW*) { return remove(p); }, 16,
          FTW_DEPTH | FTW_PHYS);
    }
  }

  [[nodiscard]] bool ok() const { return fd_ >= 0; }
  // The directory as a dirfd for the *at operations.
  [[nodiscard]] op::Fd dir() const { return op::Fd{fd_}; }
  [[nodiscard]] std::string path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  int fd_ = -1;
};

// A descriptor closed on destruction.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  OwnedFd(OwnedFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  OwnedFd& operator=(OwnedFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  ~OwnedFd() { reset(); }

  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] op::Fd fd() const { return op::Fd{fd_}; }

 private:
  int fd_ = -1;
};

// Creates (or truncates) `path` holding `contents`, opened O_RDWR.
inline OwnedFd make_file(const std::string& path, const std::string& contents) {
  OwnedFd file(open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (file.get() < 0) return file;
  if (!contents.empty() && pwrite(file.get(), contents.data(), contents.size(), 0) !=
                               static_cast<ssize_t>(contents.size())) {
    file.reset();
  }
  return file;
}

// The whole content of an open file, read with pread (the file position is left alone).
inline std::string file_contents(int fd) {
  std::string out;
  char buf[4096];
  for (off_t off = 0;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    off += n;
  }
  return out;
}

inline std::string file_contents(const std::string& path) {
  OwnedFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return file.get() < 0 ? std::string("<cannot open>") : file_contents(file.get());
}

inline bool path_exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// The size fstat reports, or -1.
inline off_t file_size(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? st.st_size : -1;
}

// Submits everything queued and collects `count` CQEs in completion order. Fewer come back when
// the kernel has not posted them within files_wait_limit (the caller's size check then fails).
inline std::vector<abi::Cqe> submit_and_collect(Ring& ring, std::size_t count) {
  std::vector<abi::Cqe> out;
  const result<std::uint32_t> submitted = ring.submit();
  EXPECT_TRUE(submitted) << submitted.error().message();
  if (!submitted) return out;
  const auto deadline = std::chrono::steady_clock::now() + files_wait_limit;
  while (out.size() < count) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) break;
    const result<const abi::Cqe*> cqe = ring.wait_cqe_timeout(left);
    if (!cqe) {
      EXPECT_EQ(cqe.error().value(), ETIME) << cqe.error().message();
      break;
    }
    out.push_back(**cqe);
    ring.cqe_seen();
  }
  EXPECT_EQ(out.size(), count) << "CQEs missing after " << files_wait_limit.count() << " s";
  return out;
}

// Queues `sqes`, submits them and collects one CQE per SQE.
inline std::vector<abi::Cqe> run(Ring& ring, std::initializer_list<abi::Sqe> sqes) {
  for (const abi::Sqe& sqe : sqes) {
    if (!ring.push(sqe)) {
      ADD_FAILURE() << "SQ full";
      return {};
    }
  }
  return submit_and_collect(ring, sqes.size());
}

// Queues one SQE and returns its CQE (user_data ~0 with res INT32_MIN when none came).
inline abi::Cqe run_one(Ring& ring, const abi::Sqe& sqe) {
  const std::vector<abi::Cqe> cqes = run(ring, {sqe});
  if (cqes.size() != 1) return abi::Cqe{~std::uint64_t{0}, INT32_MIN, 0};
  return cqes[0];
}

// Builds with `builder`, tags with user_data 1 and returns the CQE's res.
template <class Builder>
std::int32_t run_res(Ring& ring, const Builder& builder, std::uint8_t flags = 0) {
  const abi::Cqe cqe = run_one(ring, with_user_data(builder, 1, flags));
  EXPECT_EQ(cqe.user_data, 1u);
  return cqe.res;
}

// Reads up to 64 bytes at offset 0 of registered slot `slot`: the text, or "<res N>" on error.
inline std::string read_slot(Ring& ring, std::uint32_t slot) {
  char buf[64];
  const std::int32_t res = run_res(ring, op::Read(op::FixedFile{slot}, buf, sizeof buf, 0));
  if (res < 0) return "<res " + std::to_string(res) + ">";
  return std::string(buf, static_cast<std::size_t>(res));
}

// How many descriptors the process has open (the entries of /proc/self/fd), or -1.
inline int open_fd_count() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}

// A fixture with a 16-entry ring and a scratch directory; skips when io_uring is unusable. It
// fails a test that leaves descriptors open (ops that return one must have it closed).
class FilesTest : public ::testing::Test {
 protected:
  // Runs before the derived fixtures' members exist and after they are gone.
  FilesTest() : fds_at_start_(open_fd_count()) {}
  ~FilesTest() override {
    ring_.reset();
    const int left = open_fd_count();
    if (left != fds_at_start_)
      ADD_FAILURE() << "descriptors open: " << fds_at_start_ << " before, " << left << " after";
  }

  void SetUp() override {
    RINGKIT_REQUIRE_IO_URING();
    auto made = UringRing::create(ring_options(16));
    ASSERT_TRUE(made) << made.error().message();
    ring_ = std::move(*made);
    ASSERT_TRUE(dir_.ok()) << "mkdtemp under /tmp failed";
  }

  // Whether the ring's probe lacks `op` (RINGKIT_REQUIRE_OPCODE skips on it).
  [[nodiscard]] bool lacks(abi::Opcode op) const { return !ring_->supports(op); }

  ScratchDir dir_;
  const int fds_at_start_;
  std::unique_ptr<UringRing> ring_;
};

// Skips the current test (from a FilesTest body) when the probe lacks opcode `op`.
#define RINGKIT_REQUIRE_OPCODE(op)                                             \
  do {                                                                         \
    if (lacks(::ringkit::abi::Opcode::op))                                     \
      GTEST_SKIP() << "kernel lacks IORING_OP_"                                \
                   << ::ringkit::abi::opcode_name(::ringkit::abi::Opcode::op); \
  } while (0)

}  // namespace ringkit::testing
