// The Ring interface: one io_uring instance, whichever "kernel" runs it.
//
// A Ring holds pointers into SQ/CQ ring memory laid out exactly as the kernel lays it out, so
// acquiring SQEs and reading CQEs are inline, non-virtual and allocation-free, as in liburing.
// Only crossing into the kernel is virtual, and it crosses with the kernel's own arguments:
// do_enter() takes io_uring_enter(2)'s, do_register() takes io_uring_register(2)'s. The typed
// calls below encode those arguments once, here, for every backend; a backend only carries them
// to its kernel (the real one, or the simulator playing it). One virtual call per batch.
//
// Not thread-safe: like a liburing ring, one thread submits and reaps at a time.
#pragma once

#include <signal.h>
#include <sys/uio.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/enter.hpp"
#include "ringkit/abi/register.hpp"
#include "ringkit/abi/setup.hpp"
#include "ringkit/abi/sqe.hpp"
#include "ringkit/probe.hpp"
#include "ringkit/result.hpp"

namespace ringkit {

class Ring {
 public:
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  virtual ~Ring();

  // Which kernel plays this ring ("kernel", "sim").
  [[nodiscard]] virtual std::string_view backend_name() const noexcept = 0;
  // The ring's file descriptor (a virtual one in the simulator): the target of msg_ring and
  // attach_wq_fd.
  [[nodiscard]] virtual int ring_fd() const noexcept = 0;

  // ---- Setup facts --------------------------------------------------------------------------
  // io_uring_params as the kernel returned them (resolved sizes, flags, features, offsets).
  [[nodiscard]] const abi::Params& params() const noexcept { return params_; }
  [[nodiscard]] std::uint32_t setup_flags() const noexcept { return params_.flags; }
  [[nodiscard]] std::uint32_t features() const noexcept { return params_.features; }
  [[nodiscard]] bool has_feature(std::uint32_t feature_bit) const noexcept {
    return (params_.features & feature_bit) == feature_bit;
  }

  // ---- Submission queue (inline; never enters the kernel) -----------------------------------
  // The next free SQE, zeroed, or nullptr when the SQ is full. It is submitted by the next
  // submit*() call, in acquisition order.
  [[nodiscard]] abi::Sqe* get_sqe() noexcept;
  // Copies a built SQE into the SQ; false when the SQ is full.
  [[nodiscard]] bool push(const abi::Sqe& sqe) noexcept;
  // Copies all SQEs or none; false (nothing queued) when they do not all fit.
  [[nodiscard]] bool push_all(std::span<const abi::Sqe> sqes) noexcept;
  // SQEs acquired but not yet consumed by the kernel.
  [[nodiscard]] std::uint32_t sq_ready() const noexcept;
  [[nodiscard]] std::uint32_t sq_space() const noexcept { return sq_.entries - sq_ready(); }
  [[nodiscard]] std::uint32_t sq_entries() const noexcept { return sq_.entries; }
  // The SQ ring flags: IORING_SQ_NEED_WAKEUP, IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN.
  [[nodiscard]] std::uint32_t sq_flags() const noexcept;
  // SQEs the kernel dropped because their index was invalid.
  [[nodiscard]] std::uint32_t sq_dropped() const noexcept;

  // ---- Completion queue (inline; never enters the kernel) -----------------------------------
  [[nodiscard]] std::uint32_t cq_ready() const noexcept;
  [[nodiscard]] std::uint32_t cq_entries() const noexcept { return cq_.entries; }
  // The oldest unconsumed CQE, or nullptr. It stays valid until cq_advance() passes it.
  [[nodiscard]] const abi::Cqe* peek_cqe() const noexcept;
  // The same on a CQE32 ring (IORING_SETUP_CQE32); nullptr on other rings.
  [[nodiscard]] const abi::Cqe32* peek_cqe32() const noexcept;
  // Calls f(const Cqe&) for every ready CQE, oldest first, without consuming them; returns how
  // many it visited. Consume them afterwards with cq_advance(count).
  template <class F>
  std::uint32_t for_each_cqe(F&& f) noexcept(noexcept(f(std::declval<const abi::Cqe&>())));
  // Marks n CQEs consumed, handing their slots back to the kernel.
  void cq_advance(std::uint32_t n) noexcept;
  void cqe_seen() noexcept { cq_advance(1); }
  // Copies up to out.size() ready CQEs into out and consumes them; returns the count.
  std::uint32_t copy_cqes(std::span<abi::Cqe> out) noexcept;
  // CQEs the kernel dropped because the CQ was full (without IORING_FEAT_NODROP).
  [[nodiscard]] std::uint32_t cq_overflow() const noexcept;
  // IORING_CQ_EVENTFD_DISABLED: pause or resume eventfd notifications (EOPNOTSUPP on a kernel
  // whose CQ ring has no flags word, before 5.8).
  result<void> set_cq_eventfd_enabled(bool enabled) noexcept;
  [[nodiscard]] bool cq_eventfd_enabled() const noexcept;
  // The kernel holds completions back (CQ overflow backlog, or deferred task work) that only an
  // enter with IORING_ENTER_GETEVENTS will post.
  [[nodiscard]] bool cq_needs_flush() const noexcept;

  // ---- Entering the kernel (one virtual call per batch) -------------------------------------
  // Publishes acquired SQEs and hands them to the kernel; returns how many it consumed. With
  // SQPOLL it only wakes the poller when the kernel asks (IORING_SQ_NEED_WAKEUP). -EINTR,
  // -EAGAIN, -EBUSY come back as errors; nothing is retried behind the caller's back.
  result<std::uint32_t> submit() noexcept { return submit_and_wait(0); }
  // Submits, then waits until at least wait_nr CQEs are ready.
  result<std::uint32_t> submit_and_wait(std::uint32_t wait_nr) noexcept;
  // Submits, then waits for wait_nr CQEs at most `timeout` (IORING_ENTER_EXT_ARG); an expired
  // wait with nothing submitted is ETIME. sigmask, if given, is applied during the wait.
  result<std::uint32_t> submit_and_wait_timeout(std::uint32_t wait_nr,
                                                std::chrono::nanoseconds timeout,
                                                const sigset_t* sigmask = nullptr) noexcept;
  // Waits for one CQE (entering the kernel only if none is ready) and returns it unconsumed.
  result<const abi::Cqe*> wait_cqe() noexcept;
  // The same with a time limit; ETIME when it passes.
  result<const abi::Cqe*> wait_cqe_timeout(std::chrono::nanoseconds timeout) noexcept;
  // Copies ready CQEs into out; when none is ready and wait_nr > 0 (or the kernel holds
  // completions back), first waits for wait_nr of them. Returns the count copied.
  result<std::uint32_t> wait_cqes(std::span<abi::Cqe> out, std::uint32_t wait_nr) noexcept;
  // With SQPOLL: waits until the SQ has a free entry (IORING_ENTER_SQ_WAIT).
  result<void> squeue_wait() noexcept;
  // io_uring_enter(2) as is: no SQ publishing, no flag logic. arg/argsz as the kernel takes them
  // (a sigset with _NSIG/8, or io_uring_getevents_arg with IORING_ENTER_EXT_ARG).
  result<std::uint32_t> enter(std::uint32_t to_submit, std::uint32_t min_complete,
                              std::uint32_t flags, const void* arg = nullptr,
                              std::size_t argsz = 0) noexcept;

  // ---- Registration (one virtual call each; the kernel's errno comes back as the error) -----
  result<void> register_files(std::span<const int> fds) noexcept;
  result<void> register_files_sparse(std::uint32_t count) noexcept;
  result<void> register_files_tags(std::span<const int> fds,
                                   std::span<const std::uint64_t> tags) noexcept;
  // Replaces slots from `offset` (-1 clears a slot, IORING_REGISTER_FILES_SKIP keeps it);
  // returns how many were updated.
  result<std::uint32_t> register_files_update(std::uint32_t offset,
                                              std::span<const int> fds) noexcept;
  result<std::uint32_t> register_files_update_tag(std::uint32_t offset, std::span<const int> fds,
                                                  std::span<const std::uint64_t> tags) noexcept;
  result<void> unregister_files() noexcept;
  // The slots IORING_FILE_INDEX_ALLOC may hand out: [offset, offset + count).
  result<void> register_file_alloc_range(std::uint32_t offset, std::uint32_t count) noexcept;

  result<void> register_buffers(std::span<const iovec> buffers) noexcept;
  result<void> register_buffers_sparse(std::uint32_t count) noexcept;
  result<void> register_buffers_tags(std::span<const iovec> buffers,
                                     std::span<const std::uint64_t> tags) noexcept;
  result<std::uint32_t> register_buffers_update_tag(std::uint32_t offset,
                                                    std::span<const iovec> buffers,
                                                    std::span<const std::uint64_t> tags) noexcept;
  result<void> unregister_buffers() noexcept;

  result<void> register_eventfd(int eventfd) noexcept;
  // Notifies only for completions that did not complete inline.
  result<void> register_eventfd_async(int eventfd) noexcept;
  result<void> unregister_eventfd() noexcept;

  // A provided-buffer ring at ring_addr (entries a power of two, kernel layout of
  // io_uring_buf_ring) for buffer group bgid; flags: IOU_PBUF_RING_MMAP, IOU_PBUF_RING_INC.
  result<void> register_buf_ring(std::uint64_t ring_addr, std::uint32_t entries, std::uint16_t bgid,
                                 std::uint16_t flags = 0) noexcept;
  result<void> unregister_buf_ring(std::uint16_t bgid) noexcept;
  // The kernel's head of buffer group bgid (IORING_REGISTER_PBUF_STATUS, Linux 6.8).
  result<std::uint32_t> buf_ring_head(std::uint16_t bgid) noexcept;

  // Registers the calling task's credentials; returns the personality id for sqe.personality.
  result<std::uint16_t> register_personality() noexcept;
  result<void> unregister_personality(std::uint16_t id) noexcept;

  // Only on a ring set up with IORING_SETUP_R_DISABLED, before enable_rings().
  result<void> register_restrictions(std::span<const abi::Restriction> restrictions) noexcept;
  result<void> enable_rings() noexcept;

  // CPU affinity of the io-wq workers: `mask` is a cpu_set_t's bytes.
  result<void> register_iowq_affinity(std::span<const std::byte> mask) noexcept;
  result<void> unregister_iowq_affinity() noexcept;
  // Limits {bounded, unbounded} io-wq workers (0 leaves one unchanged); returns the old limits.
  result<std::array<std::uint32_t, 2>> register_iowq_max_workers(
      std::array<std::uint32_t, 2> limits) noexcept;

  // Synchronous cancel (IORING_REGISTER_SYNC_CANCEL, Linux 6.0): the kernel's non-negative
  // result on success; -ENOENT (no match), -EALREADY, -ETIME (its timeout passed) as errors.
  result<std::uint32_t> register_sync_cancel(const abi::SyncCancelReg& cancel) noexcept;

  // Registers the ring's own fd so later enters skip the fd lookup
  // (IORING_ENTER_REGISTERED_RING). The backend owns how the fd is named.
  virtual result<void> register_ring_fd() noexcept = 0;
  virtual result<void> unregister_ring_fd() noexcept = 0;

  // Which opcodes this kernel supports (IORING_REGISTER_PROBE).
  result<Probe> probe() noexcept;

  // io_uring_register(2) as is, for calls without a typed wrapper: the kernel's return value.
  result<std::uint32_t> register_raw(abi::RegisterOp op, void* arg, std::uint32_t nr_args) noexcept;

 protected:
  // io_uring_enter(2)'s arguments. The backend adds what only it knows (its fd, or
  // IORING_ENTER_REGISTERED_RING) and returns the syscall's result: the count consumed, or the
  // kernel's errno as the error.
  struct EnterCall {
    std::uint32_t to_submit = 0;
    std::uint32_t min_complete = 0;
    std::uint32_t flags = 0;
    const void* arg = nullptr;
    std::size_t argsz = 0;
  };

  Ring() noexcept = default;

  // Points the inline accessors at ring memory the backend mapped (or allocated) for `params`:
  // sq_ring/cq_ring hold the ring headers at params.sq_off/cq_off (one mapping may serve both),
  // sqes is the SQE array. Initialises the SQ index array (when present) to the identity, as
  // liburing does, so slot i always submits SQE i.
  void attach(const abi::Params& params, void* sq_ring, void* cq_ring, void* sqes) noexcept;
  // Forgets the ring memory (before a backend unmaps it).
  void detach() noexcept;

  virtual result<std::uint32_t> do_enter(const EnterCall& call) noexcept = 0;
  virtual result<std::uint32_t> do_register(abi::RegisterOp op, void* arg,
                                            std::uint32_t nr_args) noexcept = 0;

 private:
  struct SubmissionQueue {
    std::uint32_t* khead = nullptr;
    std::uint32_t* ktail = nullptr;
    std::uint32_t* kflags = nullptr;
    std::uint32_t* kdropped = nullptr;
    std::uint32_t* array = nullptr;  // nullptr with IORING_SETUP_NO_SQARRAY
    abi::Sqe* sqes = nullptr;
    std::uint32_t mask = 0;
    std::uint32_t entries = 0;
    std::uint32_t sqe_shift = 0;  // 1 with SQE128: slot i starts at sqes[i << 1]
    // [sqe_head, sqe_tail) are acquired but not yet published to the kernel.
    std::uint32_t sqe_head = 0;
    std::uint32_t sqe_tail = 0;
  };
  struct CompletionQueue {
    std::uint32_t* khead = nullptr;
    std::uint32_t* ktail = nullptr;
    std::uint32_t* kflags = nullptr;
    std::uint32_t* koverflow = nullptr;
    abi::Cqe* cqes = nullptr;
    std::uint32_t mask = 0;
    std::uint32_t entries = 0;
    std::uint32_t cqe_shift = 0;  // 1 with CQE32: slot i starts at cqes[i << 1]
  };

  static std::uint32_t load_acquire(const std::uint32_t* p) noexcept {
    return std::atomic_ref<std::uint32_t>(*const_cast<std::uint32_t*>(p))
        .load(std::memory_order_acquire);
  }
  static void store_release(std::uint32_t* p, std::uint32_t v) noexcept {
    std::atomic_ref<std::uint32_t>(*p).store(v, std::memory_order_release);
  }

  abi::Sqe* next_sqe_slot() noexcept;
  // Publishes acquired SQEs (tail store-release); returns how many the kernel has yet to consume.
  std::uint32_t flush_sq() noexcept;
  // Whether submitting needs an enter and with which flags (SQPOLL wake-up, CQ flush, IOPOLL).
  std::uint32_t enter_flags_for(std::uint32_t to_submit, std::uint32_t wait_nr,
                                bool& need_enter) const noexcept;
  result<const abi::Cqe*> wait_cqe_with(const abi::GeteventsArg* arg) noexcept;

  SubmissionQueue sq_{};
  CompletionQueue cq_{};
  abi::Params params_{};
};

// ---- inline definitions ---------------------------------------------------------------------

inline abi::Sqe* Ring::next_sqe_slot() noexcept {
  // The kernel advances khead as it consumes; acquire pairs with its release.
  const std::uint32_t head = load_acquire(sq_.khead);
  if (sq_.sqe_tail - head >= sq_.entries) return nullptr;
  abi::Sqe* slot = &sq_.sqes[(sq_.sqe_tail & sq_.mask) << sq_.sqe_shift];
  ++sq_.sqe_tail;
  return slot;
}

inline abi::Sqe* Ring::get_sqe() noexcept {
  abi::Sqe* slot = next_sqe_slot();
  if (slot != nullptr) {
    // Zero the whole slot (both halves with SQE128): stale bytes would be read as arguments.
    for (std::uint32_t i = 0; i <= sq_.sqe_shift; ++i) slot[i] = abi::Sqe{};
  }
  return slot;
}

inline bool Ring::push(const abi::Sqe& sqe) noexcept {
  abi::Sqe* slot = next_sqe_slot();
  if (slot == nullptr) return false;
  slot[0] = sqe;
  if (sq_.sqe_shift != 0) slot[1] = abi::Sqe{};
  return true;
}

inline bool Ring::push_all(std::span<const abi::Sqe> sqes) noexcept {
  if (sqes.size() > sq_space()) return false;
  for (const abi::Sqe& sqe : sqes) (void)push(sqe);
  return true;
}

inline std::uint32_t Ring::sq_ready() const noexcept {
  return sq_.sqe_tail - load_acquire(sq_.khead);
}

inline std::uint32_t Ring::sq_flags() const noexcept { return load_acquire(sq_.kflags); }

inline std::uint32_t Ring::sq_dropped() const noexcept { return load_acquire(sq_.kdropped); }

inline std::uint32_t Ring::cq_ready() const noexcept {
  // The kernel publishes CQEs with a release store of ktail; only we write khead.
  return load_acquire(cq_.ktail) - *cq_.khead;
}

inline const abi::Cqe* Ring::peek_cqe() const noexcept {
  const std::uint32_t head = *cq_.khead;
  if (load_acquire(cq_.ktail) == head) return nullptr;
  return &cq_.cqes[(head & cq_.mask) << cq_.cqe_shift];
}

inline const abi::Cqe32* Ring::peek_cqe32() const noexcept {
  if (cq_.cqe_shift == 0) return nullptr;
  return reinterpret_cast<const abi::Cqe32*>(peek_cqe());
}

template <class F>
inline std::uint32_t Ring::for_each_cqe(F&& f) noexcept(
    noexcept(f(std::declval<const abi::Cqe&>()))) {
  const std::uint32_t head = *cq_.khead;
  const std::uint32_t tail = load_acquire(cq_.ktail);
  for (std::uint32_t i = head; i != tail; ++i) f(cq_.cqes[(i & cq_.mask) << cq_.cqe_shift]);
  return tail - head;
}

inline void Ring::cq_advance(std::uint32_t n) noexcept {
  // Release: our reads of the CQEs happen before the kernel may overwrite their slots.
  if (n != 0) store_release(cq_.khead, *cq_.khead + n);
}

inline std::uint32_t Ring::copy_cqes(std::span<abi::Cqe> out) noexcept {
  const std::uint32_t head = *cq_.khead;
  const std::uint32_t ready = load_acquire(cq_.ktail) - head;
  const std::uint32_t count = ready < out.size() ? ready : static_cast<std::uint32_t>(out.size());
  for (std::uint32_t i = 0; i < count; ++i)
    out[i] = cq_.cqes[((head + i) & cq_.mask) << cq_.cqe_shift];
  cq_advance(count);
  return count;
}

inline std::uint32_t Ring::cq_overflow() const noexcept { return load_acquire(cq_.koverflow); }

inline bool Ring::cq_needs_flush() const noexcept {
  return (sq_flags() & (abi::sq_ring_flag::cq_overflow | abi::sq_ring_flag::taskrun)) != 0;
}

// Submitting is inline so the only call on the path is the backend's do_enter: on CPUs with
// return-stack mitigations every return after the syscall costs a mispredict.
inline std::uint32_t Ring::flush_sq() noexcept {
  const std::uint32_t tail = sq_.sqe_tail;
  if (sq_.sqe_head != tail) {
    sq_.sqe_head = tail;
    // Release: the SQE bytes are visible before the kernel (or SQ thread) sees the new tail.
    store_release(sq_.ktail, tail);
  }
  return tail - load_acquire(sq_.khead);
}

inline std::uint32_t Ring::enter_flags_for(std::uint32_t to_submit, std::uint32_t wait_nr,
                                           bool& need_enter) const noexcept {
  std::uint32_t flags = 0;
  need_enter = false;
  if (to_submit != 0) {
    if (!(params_.flags & abi::setup::sqpoll)) {
      need_enter = true;
    } else {
      // The SQ thread may have gone to sleep after we published the tail: the full fence
      // orders our tail store before the flag load (liburing's io_uring_smp_mb()).
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (sq_flags() & abi::sq_ring_flag::need_wakeup) {
        flags |= abi::enter_flag::sq_wakeup;
        need_enter = true;
      }
    }
  }
  // IOPOLL rings only complete when reaped; a CQ backlog or deferred task work only posts
  // completions when asked.
  if (wait_nr != 0 || (params_.flags & abi::setup::iopoll) || cq_needs_flush()) {
    flags |= abi::enter_flag::getevents;
    need_enter = true;
  }
  return flags;
}

inline result<std::uint32_t> Ring::submit_and_wait(std::uint32_t wait_nr) noexcept {
  const std::uint32_t to_submit = flush_sq();
  bool need_enter = false;
  const std::uint32_t flags = enter_flags_for(to_submit, wait_nr, need_enter);
  if (!need_enter) return to_submit;
  return do_enter(EnterCall{to_submit, wait_nr, flags, nullptr, 0});
}

}  // namespace ringkit
