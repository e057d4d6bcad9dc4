// IORING_OP_FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAITV (io_uring/futex.c, Linux 6.18: io_futex_prep,
// io_futexv_prep, io_futex_wait, io_futex_wake, io_futexv_wait; kernel/futex: get_futex_key,
// futex_wait_setup, futex_wake, futex_parse_waitv, futex_wait_multiple_setup).
//
// Futex words are this process's memory (the simulated process is this process); waiters queue
// in the world's FutexTable, so a FUTEX_WAKE from any ring of the world, or
// World::futexes().wake() standing for another thread's futex(2), wakes them.
//
// Departures: NUMA and MPOL futexes (FUTEX2_NUMA, FUTEX2_MPOL) pass prep as in the kernel but
// are not simulated: they complete with -EOPNOTSUPP. A FUTEX_WAITV array is copied at prep, as
// the kernel does, so the application may reuse it once submitted.
#include <atomic>
#include <cstring>

#include "ops/ctl_cancel.hpp"
#include "ops/op_support.hpp"
#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/ctl_wait.hpp"

namespace ringkit::sim::detail {

namespace {

namespace fx = abi::futex;
constexpr std::uint32_t valid_mask = ringkit::op::detail::futex2_valid_mask;
constexpr std::uint32_t match_any = static_cast<std::uint32_t>(fx::bitset_match_any);

struct FutexState {
  std::uint64_t addr = 0;   // the word, or the waitv array
  std::uint64_t value = 0;  // expected value, or how many to wake
  std::uint64_t mask = 0;
  std::uint32_t flags = 0;  // futex2 flags (wait, wake)
  std::uint32_t count = 0;  // waitv entries
  std::int32_t woken = -1;  // the entry a wake took, once woken
};

// futex_flags_valid + futex_validate_input for one futex2 flags word and its value.
int check_futex2(std::uint32_t flags, std::uint64_t value) noexcept {
  if (flags & ~valid_mask) return -EINVAL;
  if ((flags & fx::size_mask) != fx::size_u32) return -EINVAL;
  if (value >> 32) return -EINVAL;
  return 0;
}

// get_futex_key for a 32-bit futex: misaligned is -EINVAL; a shared key needs the page, so an
// address that cannot be mapped (null) is -EFAULT. NUMA/MPOL keys are not simulated.
int check_key(std::uint64_t addr, std::uint32_t flags) noexcept {
  if (flags & (fx::numa | fx::mpol)) return -EOPNOTSUPP;
  if (addr % sizeof(std::uint32_t) != 0) return -EINVAL;
  if (!(flags & fx::private_flag) && addr == 0) return -EFAULT;
  return 0;
}

// futex_get_value_locked: reads the word (-EFAULT for null, the one address known unmapped).
int read_word(std::uint64_t addr, std::uint32_t& value) noexcept {
  if (addr == 0) return -EFAULT;
  auto* word = reinterpret_cast<std::uint32_t*>(static_cast<std::uintptr_t>(addr));
  value = std::atomic_ref<std::uint32_t>(*word).load(std::memory_order_seq_cst);
  return 0;
}

bool is_private(std::uint32_t flags) noexcept { return (flags & fx::private_flag) != 0; }

// The FutexTable's wake callback: the request completes through its own issue (task work).
void on_futex_wake(void* owner, std::uint32_t index) noexcept {
  Request& req = *static_cast<Request*>(owner);
  req.data<FutexState>().woken = static_cast<std::int32_t>(index);
  req.ring->schedule_issue(req);
}

bool cancel_futex(Request& req) noexcept {
  req.ring->world().futexes().unqueue(&req);
  return false;  // -ECANCELED
}

// ---- FUTEX_WAIT / FUTEX_WAKE ----

int prep_futex(Request& req) noexcept {
  const abi::Sqe& sqe = req.sqe;
  if (sqe.len != 0 || sqe.op_flags != 0 || sqe.buf_index != 0 || sqe.splice_fd_in != 0) {
    return -EINVAL;
  }
  FutexState st;
  st.addr = sqe.addr;
  st.value = sqe.off;
  st.mask = sqe.addr3;
  st.flags = static_cast<std::uint32_t>(sqe.fd);
  if (const int err = check_futex2(st.flags, st.value); err != 0) return err;
  if (st.mask >> 32) return -EINVAL;
  req.emplace_data(st);
  return 0;
}

int wait_setup(Request& req, const FutexState& st) noexcept {
  if (st.mask == 0) return -EINVAL;
  if (const int err = check_key(st.addr, st.flags); err != 0) return err;
  std::uint32_t value = 0;
  if (const int err = read_word(st.addr, value); err != 0) return err;
  if (value != static_cast<std::uint32_t>(st.value)) return -EAGAIN;  // -EWOULDBLOCK
  req.ring->world().futexes().queue(st.addr, is_private(st.flags),
                                    static_cast<std::uint32_t>(st.mask), &req, 0, &on_futex_wake);
  return 0;
}

void issue_futex_wait(Request& req) noexcept {
  const FutexState& st = req.data<FutexState>();
  if (st.woken >= 0) {
    req.ring->complete(req, 0);
    return;
  }
  // Queued: it waits on the futex table until a wake or a cancel.
  if (const int err = wait_setup(req, st); err != 0) req.ring->complete(req, err);
}

void issue_futex_wake(Request& req) noexcept {
  const FutexState& st = req.data<FutexState>();
  RingCore& ring = *req.ring;
  if (st.mask == 0) {
    ring.complete(req, -EINVAL);
    return;
  }
  if (const int err = check_key(st.addr, st.flags); err != 0) {
    ring.complete(req, err);
    return;
  }
  // nr_wake is an int: FLAGS_STRICT makes 0 wake none; a "negative" count stops after one.
  const auto nr = static_cast<std::int32_t>(static_cast<std::uint32_t>(st.value));
  if (nr == 0) {
    ring.complete(req, 0);
    return;
  }
  const std::uint32_t count = nr < 0 ? 1u : static_cast<std::uint32_t>(nr);
  const std::uint32_t woken = ring.world().futexes().wake(st.addr, is_private(st.flags), count,
                                                          static_cast<std::uint32_t>(st.mask));
  ring.complete(req, static_cast<std::int32_t>(woken));
}

// ---- FUTEX_WAITV ----

const abi::FutexWaitv* waitv_entries(std::uint64_t addr) noexcept {
  return reinterpret_cast<const abi::FutexWaitv*>(static_cast<std::uintptr_t>(addr));
}

// The kernel's copy of the array, taken at prep (futex_parse_waitv).
abi::FutexWaitv read_entry(const Request& req, std::uint32_t count, std::uint32_t i) noexcept {
  return req.prep_copied<abi::FutexWaitv>(count)[i];
}

int prep_futex_waitv(Request& req) noexcept {
  const abi::Sqe& sqe = req.sqe;
  if (sqe.fd != 0 || sqe.buf_index != 0 || sqe.splice_fd_in != 0 || sqe.off != 0 ||
      sqe.op_flags != 0 || sqe.addr3 != 0) {
    return -EINVAL;
  }
  FutexState st;
  st.addr = sqe.addr;
  st.count = sqe.len;
  if (st.count == 0 || st.count > fx::waitv_max) return -EINVAL;
  // futex_parse_waitv.
  if (st.addr == 0) return -EFAULT;
  (void)req.copy_at_prep(waitv_entries(st.addr), st.count);
  for (std::uint32_t i = 0; i < st.count; ++i) {
    const abi::FutexWaitv e = read_entry(req, st.count, i);
    if ((e.flags & ~valid_mask) || e.reserved != 0) return -EINVAL;
    if (const int err = check_futex2(e.flags, e.val); err != 0) return err;
  }
  req.emplace_data(st);
  return 0;
}

int waitv_setup(Request& req, const FutexState& st) noexcept {
  // Every key first, then each value is compared and its futex queued.
  for (std::uint32_t i = 0; i < st.count; ++i) {
    const abi::FutexWaitv e = read_entry(req, st.count, i);
    if (const int err = check_key(e.uaddr, e.flags); err != 0) return err;
  }
  FutexTable& table = req.ring->world().futexes();
  for (std::uint32_t i = 0; i < st.count; ++i) {
    const abi::FutexWaitv e = read_entry(req, st.count, i);
    std::uint32_t value = 0;
    int err = read_word(e.uaddr, value);
    if (err == 0 && value != static_cast<std::uint32_t>(e.val)) err = -EAGAIN;
    if (err != 0) {
      table.unqueue(&req);
      return err;
    }
    table.queue(e.uaddr, is_private(e.flags), match_any, &req, i, &on_futex_wake);
  }
  return 0;
}

void issue_futex_waitv(Request& req) noexcept {
  const FutexState& st = req.data<FutexState>();
  if (st.woken >= 0) {
    req.ring->complete(req, st.woken);  // io_futexv_complete: the index of the futex woken
    return;
  }
  if (const int err = waitv_setup(req, st); err != 0) req.ring->complete(req, err);
}

}  // namespace

bool futex_wake_claimed(Request& r) noexcept { return r.data<FutexState>().woken >= 0; }

const OpHandler op_handler_futex_wait{&prep_futex, &issue_futex_wait, &cancel_futex, false};
const OpHandler op_handler_futex_wake{&prep_futex, &issue_futex_wake, nullptr, false};
const OpHandler op_handler_futex_waitv{&prep_futex_waitv, &issue_futex_waitv, &cancel_futex, false};

}  // namespace ringkit::sim::detail
