#include "ringkit/ring.hpp"

#include <cerrno>
#include <csignal>

namespace ringkit {

namespace {

// The kernel's sigset is _NSIG bits; it rejects any other size (liburing passes _NSIG / 8).
constexpr std::uint32_t kernel_sigset_bytes = _NSIG / 8;

template <class T>
T* at_offset(void* base, std::uint32_t offset) noexcept {
  return reinterpret_cast<T*>(static_cast<std::byte*>(base) + offset);
}

result<abi::KernelTimespec> to_kernel_timespec(std::chrono::nanoseconds timeout) noexcept {
  if (timeout.count() < 0) return Error{EINVAL};
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  return abi::KernelTimespec{seconds.count(), (timeout - seconds).count()};
}

}  // namespace

Ring::~Ring() = default;

void Ring::attach(const abi::Params& params, void* sq_ring, void* cq_ring, void* sqes) noexcept {
  params_ = params;
  const abi::SqringOffsets& so = params.sq_off;
  const abi::CqringOffsets& co = params.cq_off;

  sq_.khead = at_offset<std::uint32_t>(sq_ring, so.head);
  sq_.ktail = at_offset<std::uint32_t>(sq_ring, so.tail);
  sq_.kflags = at_offset<std::uint32_t>(sq_ring, so.flags);
  sq_.kdropped = at_offset<std::uint32_t>(sq_ring, so.dropped);
  sq_.mask = *at_offset<std::uint32_t>(sq_ring, so.ring_mask);
  sq_.entries = *at_offset<std::uint32_t>(sq_ring, so.ring_entries);
  sq_.sqes = static_cast<abi::Sqe*>(sqes);
  sq_.sqe_shift = (params.flags & abi::setup::sqe128) ? 1 : 0;
  sq_.array = (params.flags & abi::setup::no_sqarray) ? nullptr
                                                      : at_offset<std::uint32_t>(sq_ring, so.array);
  if (sq_.array != nullptr) {
    for (std::uint32_t i = 0; i < sq_.entries; ++i) sq_.array[i] = i;
  }
  // Resume where the kernel is (a fresh ring starts at 0; an attached one may not).
  sq_.sqe_head = sq_.sqe_tail = *sq_.ktail;

  cq_.khead = at_offset<std::uint32_t>(cq_ring, co.head);
  cq_.ktail = at_offset<std::uint32_t>(cq_ring, co.tail);
  // Kernels before 5.8 report no CQ flags word (offset 0 would alias the head).
  cq_.kflags = co.flags != 0 ? at_offset<std::uint32_t>(cq_ring, co.flags) : nullptr;
  cq_.koverflow = at_offset<std::uint32_t>(cq_ring, co.overflow);
  cq_.mask = *at_offset<std::uint32_t>(cq_ring, co.ring_mask);
  cq_.entries = *at_offset<std::uint32_t>(cq_ring, co.ring_entries);
  cq_.cqes = at_offset<abi::Cqe>(cq_ring, co.cqes);
  cq_.cqe_shift = (params.flags & abi::setup::cqe32) ? 1 : 0;
}

void Ring::detach() noexcept {
  sq_ = SubmissionQueue{};
  cq_ = CompletionQueue{};
}

result<std::uint32_t> Ring::submit_and_wait_timeout(std::uint32_t wait_nr,
                                                    std::chrono::nanoseconds timeout,
                                                    const sigset_t* sigmask) noexcept {
  if (!has_feature(abi::feature::ext_arg)) return Error{ENOSYS, ErrorReason::ext_arg_not_supported};
  const result<abi::KernelTimespec> ts = to_kernel_timespec(timeout);
  if (!ts) return ts.error();
  const std::uint32_t to_submit = flush_sq();
  bool need_enter = false;
  const std::uint32_t flags = enter_flags_for(to_submit, wait_nr, need_enter) |
                              abi::enter_flag::getevents | abi::enter_flag::ext_arg;
  abi::GeteventsArg arg{};
  arg.sigmask = reinterpret_cast<std::uint64_t>(sigmask);
  arg.sigmask_sz = kernel_sigset_bytes;
  arg.ts = reinterpret_cast<std::uint64_t>(&ts.value());
  return do_enter(EnterCall{to_submit, wait_nr, flags, &arg, sizeof arg});
}

result<const abi::Cqe*> Ring::wait_cqe_with(const abi::GeteventsArg* arg) noexcept {
  for (;;) {
    if (const abi::Cqe* cqe = peek_cqe(); cqe != nullptr) return cqe;
    std::uint32_t flags = abi::enter_flag::getevents;
    if (arg != nullptr) flags |= abi::enter_flag::ext_arg;
    // min_complete 1: the kernel returns once a CQE is posted, on a signal (EINTR) or at the
    // timeout (ETIME); a successful return without a CQE (a flushed backlog that another waiter
    // took) just means look again.
    const result<std::uint32_t> entered =
        do_enter(EnterCall{0, 1, flags, arg, arg != nullptr ? sizeof *arg : 0});
    if (!entered) return entered.error();
  }
}

result<const abi::Cqe*> Ring::wait_cqe() noexcept { return wait_cqe_with(nullptr); }

result<const abi::Cqe*> Ring::wait_cqe_timeout(std::chrono::nanoseconds timeout) noexcept {
  if (!has_feature(abi::feature::ext_arg)) return Error{ENOSYS, ErrorReason::ext_arg_not_supported};
  const result<abi::KernelTimespec> ts = to_kernel_timespec(timeout);
  if (!ts) return ts.error();
  abi::GeteventsArg arg{};
  arg.ts = reinterpret_cast<std::uint64_t>(&ts.value());
  return wait_cqe_with(&arg);
}

result<std::uint32_t> Ring::wait_cqes(std::span<abi::Cqe> out, std::uint32_t wait_nr) noexcept {
  std::uint32_t copied = copy_cqes(out);
  if (copied != 0 || out.empty()) return copied;
  if (wait_nr == 0 && !cq_needs_flush()) return 0u;
  const result<std::uint32_t> entered =
      do_enter(EnterCall{0, wait_nr, abi::enter_flag::getevents, nullptr, 0});
  if (!entered) return entered.error();
  copied = copy_cqes(out);
  return copied;
}

result<void> Ring::squeue_wait() noexcept {
  const result<std::uint32_t> entered =
      do_enter(EnterCall{0, 0, abi::enter_flag::sq_wait, nullptr, 0});
  if (!entered) return entered.error();
  return {};
}

result<std::uint32_t> Ring::enter(std::uint32_t to_submit, std::uint32_t min_complete,
                                  std::uint32_t flags, const void* arg,
                                  std::size_t argsz) noexcept {
  return do_enter(EnterCall{to_submit, min_complete, flags, arg, argsz});
}

result<void> Ring::set_cq_eventfd_enabled(bool enabled) noexcept {
  if (cq_.kflags == nullptr) return Error{EOPNOTSUPP};
  std::atomic_ref<std::uint32_t> flags(*cq_.kflags);
  if (enabled) {
    flags.fetch_and(~abi::cq_ring_flag::eventfd_disabled, std::memory_order_release);
  } else {
    flags.fetch_or(abi::cq_ring_flag::eventfd_disabled, std::memory_order_release);
  }
  return {};
}

bool Ring::cq_eventfd_enabled() const noexcept {
  return cq_.kflags == nullptr ||
         (load_acquire(cq_.kflags) & abi::cq_ring_flag::eventfd_disabled) == 0;
}

}  // namespace ringkit
