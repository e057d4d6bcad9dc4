// UringRing: the Ring interface on the running kernel, through liburing 2.3.
//
// liburing sets the ring up and maps it (io_uring_setup + io_uring_queue_mmap), then the Ring
// base points at the kernel's memory and does all SQ/CQ work inline. Only the syscalls cross
// here: io_uring_enter (issued inline, below) and io_uring_register carry the Ring base's
// arguments unchanged, so every register opcode of Linux 6.18 (0..35) passes through. What
// liburing 2.3 predates is done from core's ABI mirror: NO_SQARRAY rings (liburing's init would
// write its index array at offset 0, over the ring heads), and NO_MMAP rings (ringkit allocates the
// memory and hands it over).
//
// Registered ring fd: register_ring_fd() registers the fd in the calling thread's io_uring task
// context, which is the only place the index means anything. Enters and registers from that
// thread use the index (IORING_ENTER_REGISTERED_RING); from any other thread they use the fd, so
// a ring moved between threads never names another ring that happens to sit at that index there.
//
// Teardown: closing a ring fd does not wait for its requests. The kernel cancels them in its
// asynchronous ring-exit work, and until then an io-wq worker (a thread of this process) or
// task work can still write into buffers the requests were given. So the destructor first runs
// cancel_all_and_drain(): it cancels everything, then waits for a NOP submitted with
// IOSQE_IO_DRAIN, which the kernel issues only once every earlier request has finished (since
// Linux 6.16 it waits for every allocated request to be freed). Only then does it unmap and close.
// It waits as long as a request keeps running, retrying the cancel each second: returning
// earlier would let the kernel write into freed memory. Where draining cannot work at all, it
// closes anyway (documented at cancel_all_and_drain): then the kernel's own exit work cancels,
// asynchronously. Destroy a ring on a thread that may enter it: another task of a SINGLE_ISSUER
// ring cannot drain it, and a ring whose fd is registered (or REGISTERED_FD_ONLY) can only be
// unregistered from the registering thread; elsewhere the registration keeps the ring alive
// until that thread exits.
//
// Not thread-safe, like the Ring base: one thread at a time.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/setup.hpp"
#include "ringkit/opcode_support.hpp"
#include "ringkit/ring.hpp"
#include "ringkit/ring_options.hpp"

namespace ringkit::uring {

namespace detail {

// The calling thread's id, cached per thread (0: not yet asked): registered-ring checks run on
// every enter. cache_current_tid() asks the kernel and clears the cache in a forked child.
inline constinit thread_local int cached_tid = 0;
int cache_current_tid() noexcept;
inline int current_tid() noexcept {
  const int tid = cached_tid;
  return tid != 0 ? tid : cache_current_tid();
}

// io_uring_enter's number: 426 on every architecture but alpha (the unified syscall table).
#ifdef SYS_io_uring_enter
inline constexpr long io_uring_enter_nr = SYS_io_uring_enter;
#else
inline constexpr long io_uring_enter_nr = 426;
#endif

// io_uring_enter(2) issued here rather than through liburing's io_uring_enter2: that is a call
// through the PLT, one more return after the syscall, and on CPUs with return-stack mitigations
// (SRSO, RSB filling) each such return mispredicts. Returns the count, or -errno.
[[gnu::always_inline]] inline long enter_syscall(unsigned fd, unsigned to_submit,
                                                 unsigned min_complete, unsigned flags,
                                                 const void* arg, std::size_t argsz) noexcept {
#if defined(__x86_64__)
  // The x86-64 syscall ABI: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; the
  // instruction clobbers rcx and r11, and the kernel writes ring memory (CQEs, heads).
  static_assert(io_uring_enter_nr == 426);
  long ret = io_uring_enter_nr;
  register unsigned long r10 __asm__("r10") = flags;
  register const void* r8 __asm__("r8") = arg;
  register std::size_t r9 __asm__("r9") = argsz;
  __asm__ volatile("syscall"
                   : "+a"(ret)
                   : "D"(static_cast<unsigned long>(fd)),
                     "S"(static_cast<unsigned long>(to_submit)),
                     "d"(static_cast<unsigned long>(min_complete)), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
#else
  const long ret = syscall(io_uring_enter_nr, fd, to_submit, min_complete, flags, arg, argsz);
  return ret < 0 ? -static_cast<long>(errno) : ret;
#endif
}

}  // namespace detail

// Receives each CQE UringRing::cancel_all_and_drain consumes on its way, other than its own.
struct CqeSink {
  void (*on_cqe)(void* context, const abi::Cqe& cqe) noexcept = nullptr;
  void* context = nullptr;
};

// A sink calling f(const abi::Cqe&); f must outlive the call it is passed to.
template <class F>
[[nodiscard]] CqeSink cqe_sink(F& f) noexcept {
  return CqeSink{
      [](void* context, const abi::Cqe& cqe) noexcept { (*static_cast<F*>(context))(cqe); }, &f};
}

class UringRing final : public Ring {
 public:
  // Every IORING_SETUP_* flag of Linux 6.18 except CQE_MIXED: its 16- and 32-byte CQEs share one
  // array (a 32-byte one takes two slots, with skip entries), which the Ring base's inline CQ
  // code does not walk.
  static constexpr std::uint32_t supported_setup_flags =
      abi::setup::known_flags & ~abi::setup::cqe_mixed;

  // SQEs that cancel_all_and_drain submits carry user_data with these top 48 bits; their CQEs
  // never reach the caller. Do not use such values for your own requests.
  static constexpr std::uint64_t internal_user_data_tag = 0x7269'6e67'6b69'0000;  // "ringki"
  static constexpr std::uint64_t internal_user_data_mask = 0xffff'ffff'ffff'0000;
  [[nodiscard]] static constexpr bool is_internal_user_data(std::uint64_t user_data) noexcept {
    return (user_data & internal_user_data_mask) == internal_user_data_tag;
  }

  // Validates `options` (validate_ring_options with supported_setup_flags), sets the ring up
  // and probes its opcodes once. A failed setup says why (availability reasons included);
  // nothing is left open.
  [[nodiscard]] static result<std::unique_ptr<UringRing>> create(
      const RingOptions& options) noexcept;

  // cancel_all_and_drain() until nothing is in flight, then unmap and close.
  ~UringRing() override;

  [[nodiscard]] std::string_view backend_name() const noexcept override { return "kernel"; }
  // The ring's fd; -1 for an IORING_SETUP_REGISTERED_FD_ONLY ring, which has none.
  [[nodiscard]] int ring_fd() const noexcept override { return fd_; }

  // EEXIST when already registered (always, with REGISTERED_FD_ONLY).
  result<void> register_ring_fd() noexcept override;
  // EINVAL when not registered; a REGISTERED_FD_ONLY ring's index cannot be unregistered
  // (EINVAL, registered_fd_only_ring); from a thread other than the registering one, EBADF.
  result<void> unregister_ring_fd() noexcept override;
  // The registered index, or -1.
  [[nodiscard]] int registered_ring_index() const noexcept { return registered_index_; }

  // The kernel's opcodes as probed at creation (the opcode table's versions without a probe).
  [[nodiscard]] const OpcodeSupport& opcode_support() const noexcept { return opcode_support_; }
  [[nodiscard]] bool supports(abi::Opcode op) const noexcept {
    return opcode_support_.supports(op);
  }

  // Cancels every request in flight and waits until the kernel has finished with all of them:
  // afterwards no request of this ring reads or writes user memory any more.
  //
  //  1. SQEs acquired but not yet submitted become NOPs with internal user_data (the Ring base
  //     cannot hand SQ slots back, and they must not start now).
  //  2. IORING_REGISTER_SYNC_CANCEL with ANY|ALL (6.0); where that is refused (older kernels,
  //     restrictions), an IORING_OP_ASYNC_CANCEL SQE with ANY|ALL (5.19) instead.
  //  3. A NOP with IOSQE_IO_DRAIN, then waiting for its CQE, repeating the sync cancel every
  //     50 ms (a request that was waiting for a drain of its own may start meanwhile).
  // Every CQE consumed on the way goes to `sink`, then is consumed (including CQEs that were
  // ready before the call). The ring stays usable.
  //
  // Errors: ETIME when `timeout` passes first (requests may still be running: call again);
  // drain_barrier_failed when the kernel refuses the barrier (restrictions without NOP or
  // IOSQE_IO_DRAIN); the enter's errno otherwise, e.g. EEXIST when another task calls it on an
  // IORING_SETUP_SINGLE_ISSUER ring. A ring never enabled (R_DISABLED) has nothing in flight.
  result<void> cancel_all_and_drain(std::chrono::nanoseconds timeout, CqeSink sink = {}) noexcept;

 protected:
  // Inline: a caller holding a UringRing (final) gets the whole submit path, syscall included,
  // inlined; through Ring& it is one virtual call.
  result<std::uint32_t> do_enter(const EnterCall& call) noexcept override {
    std::uint32_t flags = call.flags;
    int target = fd_;
    if (on_registering_thread()) {
      flags |= abi::enter_flag::registered_ring;
      target = registered_index_;
    } else if (fd_ < 0) {
      return Error{EBADF, ErrorReason::registered_ring_other_thread};
    }
    // arg and argsz go to the kernel as they are (a sigset or getevents arg).
    const long r = detail::enter_syscall(static_cast<unsigned>(target), call.to_submit,
                                         call.min_complete, flags, call.arg, call.argsz);
    if (r < 0) return Error{static_cast<int>(-r)};
    return static_cast<std::uint32_t>(r);
  }
  result<std::uint32_t> do_register(abi::RegisterOp op, void* arg,
                                    std::uint32_t nr_args) noexcept override;

 private:
  struct Liburing;  // liburing's struct io_uring, for rings it mapped
  // Ring memory ringkit allocated for an IORING_SETUP_NO_MMAP ring.
  struct OwnedMemory {
    void* rings = nullptr;
    std::size_t rings_bytes = 0;
    void* sqes = nullptr;
    std::size_t sqes_bytes = 0;
  };

  UringRing() noexcept;

  result<void> set_up(abi::Params& params) noexcept;
  result<void> set_up_mapped(abi::Params& params) noexcept;
  result<void> set_up_with_owned_memory(abi::Params& params) noexcept;
  void release() noexcept;
  // Whether the calling thread is the one whose task context holds registered_index_.
  [[nodiscard]] bool on_registering_thread() const noexcept {
    return registered_index_ >= 0 && registered_tid_ == detail::current_tid();
  }

  // Teardown steps (uring_drain.cpp).
  void neutralise_unsubmitted_sqes() noexcept;
  [[nodiscard]] bool sync_cancel_everything() noexcept;
  result<void> queue_internal(const abi::Sqe& sqe) noexcept;

  std::unique_ptr<Liburing> liburing_;
  OwnedMemory owned_{};
  void* sq_ring_ = nullptr;   // ring header memory (SQ tail lives here)
  abi::Sqe* sqes_ = nullptr;  // the SQE array
  int fd_ = -1;
  int registered_index_ = -1;
  int registered_tid_ = 0;  // thread whose task context holds registered_index_
  bool enabled_ = true;     // false until enable_rings() on an R_DISABLED ring
  std::uint16_t barrier_generation_ = 0;
  OpcodeSupport opcode_support_{};
};

}  // namespace ringkit::uring

namespace ringkit {
using uring::UringRing;
}  // namespace ringkit
