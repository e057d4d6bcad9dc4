#include "support/raw_kernel_ring.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "ringkit/uring/availability.hpp"

namespace ringkit::testing {

namespace {

int sys_setup(std::uint32_t entries, abi::Params* p) noexcept {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}

}  // namespace

bool kernel_io_uring_available(std::string& why) {
  const result<void> available = uring::io_uring_available();
  if (available) return true;
  why = available.error().message();
  return false;
}

result<std::unique_ptr<RawKernelRing>> RawKernelRing::create(const RingOptions& options) noexcept {
  // Everything but the flags that need memory or threads this helper does not manage.
  const std::uint32_t supported =
      abi::setup::known_flags &
      ~(abi::setup::no_mmap | abi::setup::registered_fd_only | abi::setup::cqe_mixed);
  result<abi::Params> validated = validate_ring_options(options, supported);
  if (!validated) return validated.error();
  abi::Params params = *validated;

  std::unique_ptr<RawKernelRing> ring(new RawKernelRing());
  ring->fd_ = sys_setup(params.sq_entries, &params);
  if (ring->fd_ < 0) return uring::explain_setup_failure(errno);

  // One mapping serves both rings (IORING_FEAT_SINGLE_MMAP, every kernel since 5.4).
  const std::size_t sq_bytes = params.sq_off.array != 0
                                   ? params.sq_off.array + params.sq_entries * sizeof(std::uint32_t)
                                   : 0;
  const std::size_t cq_bytes =
      params.cq_off.cqes + params.cq_entries * ((params.flags & abi::setup::cqe32) ? 32u : 16u);
  ring->rings_bytes_ = sq_bytes > cq_bytes ? sq_bytes : cq_bytes;
  ring->rings_ = mmap(nullptr, ring->rings_bytes_, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, ring->fd_, abi::mmap_offset::sq_ring);
  if (ring->rings_ == MAP_FAILED) {
    ring->rings_ = nullptr;
    return Error{errno};
  }
  ring->sqes_bytes_ = params.sq_entries * ((params.flags & abi::setup::sqe128) ? 128u : 64u);
  ring->sqes_ = mmap(nullptr, ring->sqes_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     ring->fd_, abi::mmap_offset::sqes);
  if (ring->sqes_ == MAP_FAILED) {
    ring->sqes_ = nullptr;
    return Error{errno};
  }
  ring->attach(params, ring->rings_, ring->rings_, ring->sqes_);
  return ring;
}

RawKernelRing::~RawKernelRing() {
  detach();
  // Closing only starts the kernel's asynchronous cancellation; tests using this helper leave
  // nothing in flight that writes into their memory (UringRing drains; this oracle does not).
  if (sqes_ != nullptr) munmap(sqes_, sqes_bytes_);
  if (rings_ != nullptr) munmap(rings_, rings_bytes_);
  if (fd_ >= 0) close(fd_);
}

result<std::uint32_t> RawKernelRing::do_enter(const EnterCall& call) noexcept {
  std::uint32_t flags = call.flags;
  int fd = fd_;
  if (registered_index_ >= 0) {
    flags |= abi::enter_flag::registered_ring;
    fd = registered_index_;
  }
  const long r = syscall(__NR_io_uring_enter, fd, call.to_submit, call.min_complete, flags,
                         call.arg, call.argsz);
  if (r < 0) return Error{errno};
  return static_cast<std::uint32_t>(r);
}

result<std::uint32_t> RawKernelRing::do_register(abi::RegisterOp op, void* arg,
                                                 std::uint32_t nr_args) noexcept {
  const long r = syscall(__NR_io_uring_register, fd_, static_cast<unsigned>(op), arg, nr_args);
  if (r < 0) return Error{errno};
  return static_cast<std::uint32_t>(r);
}

result<void> RawKernelRing::register_ring_fd() noexcept {
  if (registered_index_ >= 0) return Error{EEXIST};
  abi::RsrcUpdate update{};
  update.offset = ~0u;  // let the kernel pick a slot
  update.data = static_cast<std::uint64_t>(fd_);
  const result<std::uint32_t> r = do_register(abi::RegisterOp::register_ring_fds, &update, 1);
  if (!r) return r.error();
  registered_index_ = static_cast<int>(update.offset);
  return {};
}

result<void> RawKernelRing::unregister_ring_fd() noexcept {
  if (registered_index_ < 0) return Error{EINVAL};
  abi::RsrcUpdate update{};
  update.offset = static_cast<std::uint32_t>(registered_index_);
  const result<std::uint32_t> r = do_register(abi::RegisterOp::unregister_ring_fds, &update, 1);
  if (!r) return r.error();
  registered_index_ = -1;
  return {};
}

}  // namespace ringkit::testing
