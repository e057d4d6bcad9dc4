// Request: one submitted SQE inside the simulated kernel (the kernel's struct io_kiocb).
#pragma once

#include <boost/intrusive/list.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/scheduler.hpp"
#include "ringkit/abi/opcode.hpp"
#include "ringkit/abi/sqe.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim::detail {

class RingCore;

enum class RequestState : std::uint8_t {
  free,
  linked,    // waits for the link member before it
  deferred,  // waits behind a drain barrier
  issuing,   // scheduled to issue after its latency
  waiting,   // parked: on a file's wait list, a timer, a futex...
  done,
};

class Request final : public Waiter {
 public:
  using Hook = boost::intrusive::list_member_hook<
      boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

  RingCore* ring = nullptr;
  abi::Sqe sqe{};  // the first 64 bytes as submitted (the kernel reads them once, at prep)
  std::uint64_t user_data = 0;
  std::uint64_t seq = 0;  // submission order on its ring (drain barriers count by it)
  abi::Opcode opcode = abi::Opcode::nop;
  std::uint8_t sqe_flags = 0;
  RequestState state = RequestState::free;

  // Link chain: the member after this one, and this member's armed LINK_TIMEOUT.
  Request* link_next = nullptr;
  Request* link_timeout = nullptr;    // on the request a LINK_TIMEOUT guards
  Request* timeout_target = nullptr;  // on the LINK_TIMEOUT: the request it guards
  // The next request completed inline in the same submission, whose CQEs post together when it
  // ends (the kernel's submit_state.compl_reqs).
  Request* compl_next = nullptr;
  bool failed = false;               // REQ_F_FAIL: breaks a soft link, posts even with SKIP_SUCCESS
  bool skip_link_cqes = false;       // REQ_F_SKIP_LINK_CQES: a skip-success member failed
  bool drain = false;                // REQ_F_IO_DRAIN (on a link head: the whole link)
  bool prep_failed = false;          // failed at submit: never issued
  bool issued = false;               // issued at least once (its link timeout is armed)
  bool error_is_success = false;     // a negative res does not fail the link (ETIME_SUCCESS)
  bool queued_as_task_work = false;  // started by its link predecessor or a drain's release
  bool cancel_pending = false;       // IO_POLL_CANCEL_FLAG: its task work ends it (-ECANCELED)
  // Queued as task work and out of every cancel list: a oneshot internal poll that found its
  // file ready when armed (IO_APOLL_READY), or a poll POLL_REMOVE took out of the cancel hash,
  // whose -ECANCELED posts from that task work.
  bool queued_unhashed = false;
  // A zero-copy send's notification, allocated at prep (io_send_zc_prep -> io_alloc_notif):
  // from then on the request's CQE carries F_MORE (io_send_zc, io_sendrecv_fail), except when a
  // link failure cancels it, and the notification (F_NOTIF, notif_res) posts after it, however
  // the request ends (io_send_zc_cleanup -> io_notif_flush).
  bool notif_armed = false;
  std::int32_t notif_res = 0;
  std::uint64_t extra1 = 0;  // the big CQE's extra words (CQE32 rings)
  std::uint64_t extra2 = 0;
  std::int32_t res = 0;  // the terminal result (set by a submit-time failure)
  std::uint32_t cflags = 0;

  Event event;         // issue after latency, timer expiry
  Hook inflight_hook;  // in its ring's in-flight list while submitted and not done
  Hook list_hook;      // op-owned lists: timeouts by count, cancelable waiters...

  FileRef file;  // the file the op acts on, once resolved (a reference, like fget)
  // The registered slot `file` came from (-1: a plain fd), and the held tag it keeps back once
  // that slot is replaced (-1: none): the kernel's req->file_node reference.
  std::int32_t fixed_slot = -1;
  std::int32_t held_tag = -1;
  // The same for a registered buffer the op uses (req->buf_node).
  std::int32_t fixed_buffer = -1;
  std::int32_t held_buffer_tag = -1;
  // An array the op copies at prep when it does not fit its state (an iovec array, a futex
  // waitv array): IORING_FEAT_SUBMIT_STABLE lets the application reuse its memory once
  // submitted. Kept with its capacity across reuse, so steady state allocates nothing.
  template <class T>
  std::span<const T> copy_at_prep(const T* source, std::size_t count) {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::max_align_t));
    prep_copy_.resize(count * sizeof(T));
    std::memcpy(prep_copy_.data(), source, count * sizeof(T));
    return prep_copied<T>(count);
  }
  template <class T>
  [[nodiscard]] std::span<const T> prep_copied(std::size_t count) const noexcept {
    // memcpy into the bytes created the T objects (implicit-lifetime types).
    return {std::launder(reinterpret_cast<const T*>(prep_copy_.data())), count};
  }
  // The same side copy as a list of byte strings (paths, names, values): cleared, then
  // appended to; append returns where the bytes start.
  void clear_prep_copy() noexcept { prep_copy_.clear(); }
  std::size_t append_prep_copy(const void* source, std::size_t n) {
    const std::size_t at = prep_copy_.size();
    prep_copy_.resize(at + n);
    if (n != 0) std::memcpy(prep_copy_.data() + at, source, n);
    return at;
  }
  [[nodiscard]] std::string_view prep_copy_string(std::size_t at, std::size_t n) const noexcept {
    return {reinterpret_cast<const char*>(prep_copy_.data()) + at, n};
  }
  std::int64_t done_bytes = 0;  // progress across retries (partial transfers, MSG_WAITALL)

  // Op-private state: each op keeps its decoded builder and whatever else it needs here.
  template <class T>
  T& data() noexcept {
    static_assert(sizeof(T) <= sizeof(storage_) && alignof(T) <= alignof(std::max_align_t));
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    return *std::launder(reinterpret_cast<T*>(storage_));
  }
  template <class T>
  T& emplace_data(const T& value) noexcept {
    static_assert(sizeof(T) <= sizeof(storage_) && alignof(T) <= alignof(std::max_align_t));
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    return *::new (static_cast<void*>(storage_)) T(value);
  }

  [[nodiscard]] bool has_flag(std::uint8_t f) const noexcept { return (sqe_flags & f) != 0; }
  [[nodiscard]] bool linked() const noexcept {
    return has_flag(abi::sqe_flag::io_link | abi::sqe_flag::io_hardlink);
  }

  void on_ready(std::uint32_t events) noexcept override;

  // Back to the pool's initial state (keeps nothing from the last use). Inline: every request
  // pays for it. Field by field rather than destroy-and-rebuild: the SQE copies and the op's
  // state are overwritten at the next submission (zeroing their 350 bytes showed up in the NOP
  // benchmark); user_data, seq, opcode and sqe_flags are set by every submission before
  // anything reads them.
  [[gnu::always_inline]] void reset() noexcept {
    unlink();
    interest = 0;
    state = RequestState::free;
    link_next = nullptr;
    link_timeout = nullptr;
    timeout_target = nullptr;
    compl_next = nullptr;
    failed = false;
    skip_link_cqes = false;
    drain = false;
    prep_failed = false;
    issued = false;
    error_is_success = false;
    queued_as_task_work = false;
    cancel_pending = false;
    queued_unhashed = false;
    notif_armed = false;
    notif_res = 0;
    extra1 = 0;
    extra2 = 0;
    res = 0;
    cflags = 0;
    event.cancel();
    event.fire = nullptr;
    event.owner = nullptr;
    inflight_hook.unlink();
    list_hook.unlink();
    file.reset();
    fixed_slot = -1;
    held_tag = -1;
    fixed_buffer = -1;
    held_buffer_tag = -1;
    done_bytes = 0;
  }

  // The second half of an SQE128. Here, with the op state, rather than after `sqe`: most rings
  // never use it, and the fields every request touches stay on fewer cache lines.
  abi::Sqe sqe_hi{};

 private:
  alignas(std::max_align_t) std::byte storage_[160];
  std::vector<std::byte> prep_copy_;  // operator new aligns it for any fundamental type
};

}  // namespace ringkit::sim::detail
