// RawKernelRing: the Ring base on the running kernel through raw syscalls (no liburing).
//
// For tests only: it checks that the ABI mirror and the Ring base's inline queue code agree with
// the real kernel before the kernel backend exists, and it stays as a liburing-free oracle.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "ringkit/ring.hpp"
#include "ringkit/ring_options.hpp"

namespace ringkit::testing {

class RawKernelRing final : public Ring {
 public:
  // Validates `options` like every backend, then io_uring_setup + mmap. On failure the error
  // says why (availability reasons included), and nothing is left open.
  static result<std::unique_ptr<RawKernelRing>> create(const RingOptions& options) noexcept;
  ~RawKernelRing() override;

  std::string_view backend_name() const noexcept override { return "raw-kernel"; }
  int ring_fd() const noexcept override { return fd_; }
  result<void> register_ring_fd() noexcept override;
  result<void> unregister_ring_fd() noexcept override;

 protected:
  result<std::uint32_t> do_enter(const EnterCall& call) noexcept override;
  result<std::uint32_t> do_register(abi::RegisterOp op, void* arg,
                                    std::uint32_t nr_args) noexcept override;

 private:
  RawKernelRing() = default;

  int fd_ = -1;
  int registered_index_ = -1;
  void* rings_ = nullptr;
  std::size_t rings_bytes_ = 0;
  void* sqes_ = nullptr;
  std::size_t sqes_bytes_ = 0;
};

// Whether this process can create an io_uring at all (uring::io_uring_available); if not, `why`
// says why.
bool kernel_io_uring_available(std::string& why);

}  // namespace ringkit::testing
