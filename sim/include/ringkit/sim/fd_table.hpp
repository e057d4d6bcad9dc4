// FdTable: the simulated process's file descriptor table.
//
// The simulator's fds are its own namespace, not the host's: fd 7 in a simulated world names a
// simulated File. Allocation follows the kernel's rule (the lowest free number), starting at 3
// because 0, 1 and 2 belong to stdio in every real process and code under test may assume so.
#pragma once

#include <cstdint>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim {

class FdTable {
 public:
  static constexpr int first_fd = 3;
  // RLIMIT_NOFILE's usual soft limit: install() fails with EMFILE at this many descriptors.
  static constexpr int default_limit = 1024;

  FdTable() noexcept = default;

  // Installs `file` at the lowest free descriptor; EMFILE when the table is full.
  result<int> install(FileRef file, bool cloexec = false) noexcept;
  // Whether `n` more descriptors fit under the limit (the n lowest free numbers are below it).
  [[nodiscard]] bool has_room(std::uint32_t n) const noexcept;
  // get_unused_fd_flags for `n` descriptors at once: EMFILE unless has_room(n); on success the
  // next `n` install() calls cannot fail (nor allocate). Ops that install two descriptors (PIPE)
  // call it first so they fail before installing either, as the kernel reserves both numbers
  // before it installs a file. (ENFILE, the system-wide file limit, is not modelled.)
  result<void> reserve(std::uint32_t n) noexcept;
  // The File behind `fd`, or nullptr (the caller answers EBADF).
  [[nodiscard]] File* get(int fd) const noexcept;
  [[nodiscard]] FileRef ref(int fd) const noexcept { return FileRef(get(fd)); }
  [[nodiscard]] bool cloexec(int fd) const noexcept;
  // Drops the descriptor (close(2)); EBADF when it is not open. The File lives on while
  // requests or registered slots still hold it.
  result<void> close(int fd) noexcept;
  // How many descriptors are open.
  [[nodiscard]] std::uint32_t open_count() const noexcept { return open_; }
  void set_limit(int limit) noexcept { limit_ = limit; }

 private:
  struct Entry {
    FileRef file;
    bool cloexec = false;
  };
  std::vector<Entry> entries_;  // index fd - first_fd
  std::uint32_t open_ = 0;
  int limit_ = default_limit;
};

}  // namespace ringkit::sim
