// UringRing setup, syscalls and release. The only translation unit of the backend that includes
// <liburing.h> for its ring code (never together with <linux/io_uring.h>).
#include "ringkit/uring/uring_ring.hpp"

#include <liburing.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <new>

#include "ringkit/ring_layout.hpp"
#include "ringkit/uring/availability.hpp"
#include "ringkit/uring/kernel_release.hpp"

namespace ringkit::uring {

// liburing's struct io_uring_params and ringkit's mirror are the same bytes.
static_assert(sizeof(io_uring_params) == sizeof(abi::Params));
static_assert(offsetof(io_uring_params, wq_fd) == offsetof(abi::Params, wq_fd) &&
              offsetof(io_uring_params, sq_off) == offsetof(abi::Params, sq_off) &&
              offsetof(io_uring_params, cq_off) == offsetof(abi::Params, cq_off));

struct UringRing::Liburing {
  io_uring ring{};
};

namespace {

std::size_t page_rounded(std::size_t bytes) noexcept {
  const long page = sysconf(_SC_PAGESIZE);
  const std::size_t size = page > 0 ? static_cast<std::size_t>(page) : 4096;
  return (bytes + size - 1) / size * size;
}

// io_uring_setup through liburing, on ringkit's params: the kernel's fd (or registered index),
// or -errno.
int setup_with(abi::Params& params) noexcept {
  io_uring_params p;
  std::memcpy(&p, &params, sizeof p);
  const int r = io_uring_setup(params.sq_entries, &p);
  std::memcpy(&params, &p, sizeof p);
  return r;
}

void* map_anonymous(std::size_t bytes) noexcept {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

namespace detail {

// A forked child's one thread inherits the forking thread's cached id but has a new one; the
// child handler runs on that thread and clears it. It is installed before any id is cached.
int cache_current_tid() noexcept {
  static const bool watching_forks = [] {
    pthread_atfork(nullptr, nullptr, [] { cached_tid = 0; });
    return true;
  }();
  (void)watching_forks;
  cached_tid = static_cast<int>(gettid());
  return cached_tid;
}

}  // namespace detail

UringRing::UringRing() noexcept = default;

result<std::unique_ptr<UringRing>> UringRing::create(const RingOptions& options) noexcept {
  result<abi::Params> validated = validate_ring_options(options, supported_setup_flags);
  if (!validated) return validated.error();
  abi::Params params = *validated;

  std::unique_ptr<UringRing> ring(new (std::nothrow) UringRing());
  if (!ring) return Error{ENOMEM};
  // On failure the destructor releases whatever was set up.
  if (result<void> up = ring->set_up(params); !up) return up.error();
  return ring;
}

result<void> UringRing::set_up(abi::Params& params) noexcept {
  enabled_ = (params.flags & abi::setup::r_disabled) == 0;
  const result<void> up = (params.flags & abi::setup::no_mmap) ? set_up_with_owned_memory(params)
                                                               : set_up_mapped(params);
  if (!up) return up;

  // Probed once, here: before enable_rings() a restricted ring still answers.
  const result<abi::KernelVersion> kernel = running_kernel_release();
  const abi::KernelVersion release = kernel ? *kernel : abi::KernelVersion{0, 0};
  const result<Probe> probed = probe();
  opcode_support_ = probed ? OpcodeSupport::from_probe(*probed, release)
                           : OpcodeSupport::from_kernel_version(release);
  return {};
}

result<void> UringRing::set_up_mapped(abi::Params& params) noexcept {
  liburing_.reset(new (std::nothrow) Liburing());
  if (!liburing_) return Error{ENOMEM};
  const int fd = setup_with(params);
  if (fd < 0) {
    liburing_.reset();
    return explain_setup_failure(-fd);
  }
  // io_uring_queue_init_params() is this setup, this mmap, and an identity SQ index array. The
  // array is attach()'s job; with NO_SQARRAY liburing 2.3 would write it at sq_off.array == 0,
  // over the SQ and CQ heads and tails. Its mmap is right for NO_SQARRAY: the single mapping is
  // sized by the CQ side, which is the larger.
  io_uring_params p;
  std::memcpy(&p, &params, sizeof p);
  const int mapped = io_uring_queue_mmap(fd, &p, &liburing_->ring);
  if (mapped < 0) {
    liburing_.reset();
    close(fd);
    return Error{-mapped};
  }
  fd_ = fd;
  io_uring& ring = liburing_->ring;
  sq_ring_ = ring.sq.ring_ptr;
  sqes_ = reinterpret_cast<abi::Sqe*>(ring.sq.sqes);
  attach(params, ring.sq.ring_ptr, ring.cq.ring_ptr, ring.sq.sqes);
  return {};
}

result<void> UringRing::set_up_with_owned_memory(abi::Params& params) noexcept {
  // IORING_SETUP_NO_MMAP (6.5): the kernel pins memory the application provides, rings at
  // cq_off.user_addr and SQEs at sq_off.user_addr, page-aligned. Since 6.13 it maps any such
  // pages; 6.5 to 6.12 needed each area to fit one page or one huge page.
  const RingLayout layout = kernel_ring_layout(params.sq_entries, params.cq_entries, params.flags);
  owned_.rings_bytes = page_rounded(layout.rings_bytes);
  owned_.sqes_bytes = page_rounded(layout.sqes_bytes);
  owned_.rings = map_anonymous(owned_.rings_bytes);
  if (owned_.rings == nullptr) return Error{errno};
  owned_.sqes = map_anonymous(owned_.sqes_bytes);
  if (owned_.sqes == nullptr) return Error{errno};
  params.cq_off.user_addr = reinterpret_cast<std::uint64_t>(owned_.rings);
  params.sq_off.user_addr = reinterpret_cast<std::uint64_t>(owned_.sqes);

  const int r = setup_with(params);
  if (r < 0) return explain_setup_failure(-r);
  if (params.flags & abi::setup::registered_fd_only) {
    // Not an fd: the ring is registered in this thread's task context, at index r.
    registered_index_ = r;
    registered_tid_ = detail::current_tid();
  } else {
    fd_ = r;
  }
  sq_ring_ = owned_.rings;
  sqes_ = static_cast<abi::Sqe*>(owned_.sqes);
  attach(params, owned_.rings, owned_.rings, owned_.sqes);
  return {};
}

UringRing::~UringRing() {
  if (sq_ring_ != nullptr) {
    // ETIME means requests still run: freeing now would let them write into freed memory.
    for (;;) {
      const result<void> drained = cancel_all_and_drain(std::chrono::seconds(1));
      if (drained || drained.error().value() != ETIME) break;
    }
  }
  release();
}

void UringRing::release() noexcept {
  detach();
  sq_ring_ = nullptr;
  sqes_ = nullptr;
  // The registration holds a reference to the ring; it lives in the registering thread's task
  // context and can only be dropped from there (elsewhere it lasts until that thread exits). For
  // a REGISTERED_FD_ONLY ring this is the close.
  if (registered_index_ >= 0 && on_registering_thread()) {
    abi::RsrcUpdate update{};
    update.offset = static_cast<std::uint32_t>(registered_index_);
    (void)do_register(abi::RegisterOp::unregister_ring_fds, &update, 1);
  }
  registered_index_ = -1;
  if (liburing_) {
    // Unmaps both areas and closes the fd (ringkit never uses liburing's ring-fd registration,
    // so liburing does not unregister anything here).
    io_uring_queue_exit(&liburing_->ring);
    liburing_.reset();
  } else if (fd_ >= 0) {
    close(fd_);
  }
  fd_ = -1;
  // The kernel pinned these pages; unmapping only drops this process's view of them.
  if (owned_.sqes != nullptr) munmap(owned_.sqes, owned_.sqes_bytes);
  if (owned_.rings != nullptr) munmap(owned_.rings, owned_.rings_bytes);
  owned_ = OwnedMemory{};
}

result<std::uint32_t> UringRing::do_register(abi::RegisterOp op, void* arg,
                                             std::uint32_t nr_args) noexcept {
  std::uint32_t opcode = static_cast<std::uint32_t>(op);
  int target = fd_;
  if (fd_ < 0) {
    // REGISTERED_FD_ONLY: only the index names the ring (IORING_REGISTER_USE_REGISTERED_RING).
    if (!on_registering_thread()) return Error{EBADF, ErrorReason::registered_ring_other_thread};
    opcode |= abi::register_use_registered_ring;
    target = registered_index_;
  }
  const int r = io_uring_register(static_cast<unsigned>(target), opcode, arg, nr_args);
  if (r < 0) return Error{-r};
  if (op == abi::RegisterOp::register_enable_rings) enabled_ = true;
  return static_cast<std::uint32_t>(r);
}

result<void> UringRing::register_ring_fd() noexcept {
  if (registered_index_ >= 0) return Error{EEXIST};
  abi::RsrcUpdate update{};
  update.offset = ~0u;  // the kernel picks a free slot and writes it back
  update.data = static_cast<std::uint64_t>(fd_);
  const result<std::uint32_t> r = do_register(abi::RegisterOp::register_ring_fds, &update, 1);
  if (!r) return r.error();
  registered_index_ = static_cast<int>(update.offset);
  registered_tid_ = detail::current_tid();
  return {};
}

result<void> UringRing::unregister_ring_fd() noexcept {
  if (fd_ < 0) return Error{EINVAL, ErrorReason::registered_fd_only_ring};
  if (registered_index_ < 0) return Error{EINVAL};
  if (!on_registering_thread()) return Error{EBADF, ErrorReason::registered_ring_other_thread};
  abi::RsrcUpdate update{};
  update.offset = static_cast<std::uint32_t>(registered_index_);
  const result<std::uint32_t> r = do_register(abi::RegisterOp::unregister_ring_fds, &update, 1);
  if (!r) return r.error();
  registered_index_ = -1;
  return {};
}

}  // namespace ringkit::uring
