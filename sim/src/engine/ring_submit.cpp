// RingCore: consuming SQEs and starting requests by the kernel's submission rules
// (io_submit_sqes, io_submit_sqe, io_init_req, io_submit_fail_init, io_drain_req; Linux 6.18).
#include <atomic>

#include "engine/op_handler.hpp"
#include "engine/ring_core.hpp"
#include "ops/op_support.hpp"

namespace ringkit::sim::detail {

namespace {

std::uint32_t load_acquire(const std::uint32_t* p) noexcept {
  return std::atomic_ref<std::uint32_t>(*const_cast<std::uint32_t*>(p))
      .load(std::memory_order_acquire);
}

}  // namespace

[[gnu::always_inline]] inline int RingCore::init_request(Request& req) noexcept {
  // io_init_req, in its order.
  if (req.sqe.opcode >= abi::opcode_count) return -EINVAL;
  const std::uint8_t flags = req.sqe_flags;
  if (flags & ~abi::sqe_flag::known_flags) return -EINVAL;
  req.opcode = static_cast<abi::Opcode>(req.sqe.opcode);
  // An opcode newer than the profile's kernel is past its IORING_OP_LAST.
  if (!kernel_has_opcode(req.sqe.opcode)) return -EINVAL;
  const OpHandler& h = op_handler(req.opcode);
  constexpr std::uint8_t checked_flags =
      abi::sqe_flag::buffer_select | abi::sqe_flag::cqe_skip_success | abi::sqe_flag::io_drain;
  if ((flags & checked_flags) != 0 || drain_next_) [[unlikely]] {
    if ((flags & abi::sqe_flag::buffer_select) && !h.buffer_select) return -EOPNOTSUPP;
    // Drain counts CQEs; once any request may skip its CQE the count cannot be trusted, so the
    // ring refuses IOSQE_IO_DRAIN from then on (ctx->drain_disabled, sticky).
    if (flags & abi::sqe_flag::cqe_skip_success) drain_disabled_ = true;
    if (flags & abi::sqe_flag::io_drain) {
      if (drain_disabled_) return -EOPNOTSUPP;
      drain_active_ = true;
      if (link_head_ != nullptr) {
        // Drain inside a link drains the whole link and whatever comes after it.
        link_head_->drain = true;
        drain_next_ = true;
      } else {
        req.drain = true;
      }
    }
    if (drain_next_ && link_head_ == nullptr && !(flags & abi::sqe_flag::io_drain)) {
      drain_next_ = false;
      drain_active_ = true;
      req.drain = true;
    }
  }
  if (!enabled || restricted_ || req.sqe.personality != 0) [[unlikely]] {
    if (!enabled) return -EBADFD;
    if (restrictions_active() && !restriction_allows(req)) return -EACCES;
    if (req.sqe.personality != 0 && !personality_registered(req.sqe.personality)) return -EINVAL;
  }
  return h.prep(req);
}

[[gnu::always_inline]] inline void RingCore::start_at_submit(Request& req) noexcept {
  // io_queue_sqe: the kernel issues a request inline, as it reads it, unless IOSQE_ASYNC sends
  // it to io-wq. The simulator does the same when the request's latency is zero (no latency
  // faults); a latency models a request that went async.
  if (req.sqe_flags & abi::sqe_flag::async) {
    schedule_issue(req);
    return;
  }
  const std::int64_t latency = arms_at_submit(req.opcode) ? 0 : draw_latency();
  if (latency == 0) {
    issue(req);
  } else {
    schedule_issue_after(req, latency);
  }
}

void RingCore::queue_behind_drain(Request& head) noexcept {
  if (deferred_.empty() && may_start(head)) {
    drain_active_ = false;
    start_released(head);
    return;
  }
  head.state = RequestState::deferred;
  deferred_.push_back(&head);
}

[[gnu::always_inline]] inline void RingCore::queue_chain(Request& head) noexcept {
  if (head.failed) [[unlikely]] {
    // io_submit_fail_init -> io_req_defer_failed: the failure joins the batch's deferred
    // completions, so it posts in submission order with the requests completed inline.
    fail_chain_at_submit(head);
    return;
  }
  // io_queue_sqe_fallback / io_drain_req.
  if (drain_active_ || earliest_inflight_seq() < hold_until_) [[unlikely]] {
    queue_behind_drain(head);
    return;
  }
  start_at_submit(head);
}

bool RingCore::submit_failed(Request* req, int err) noexcept {
  // io_submit_fail_init: fail this member, fail the link head with -ECANCELED, and keep
  // assembling the link so that it fails as a whole.
  mark_failed(*req);
  req->res = err;
  req->prep_failed = true;
  if (link_head_ != nullptr && !link_head_->failed) {
    mark_failed(*link_head_);
    link_head_->res = -ECANCELED;
  }
  const bool submit_all = (params_.flags & abi::setup::submit_all) != 0;
  if (!req->linked()) {
    if (link_head_ != nullptr) {
      link_last_->link_next = req;
      req = link_head_;
      link_head_ = link_last_ = nullptr;
    }
    queue_chain(*req);
    return submit_all;
  }
  if (link_head_ != nullptr) {
    link_last_->link_next = req;
  } else {
    link_head_ = req;
  }
  link_last_ = req;
  return true;
}

[[gnu::always_inline]] inline bool RingCore::submit_one(const abi::Sqe* slot) noexcept {
  Request* req = alloc_request();
  if (req == nullptr) return false;
  req->sqe = slot[0];
  if (params_.flags & abi::setup::sqe128) req->sqe_hi = slot[1];
  req->user_data = req->sqe.user_data;
  req->sqe_flags = req->sqe.flags;
  req->seq = submitted_++;
  req->state = RequestState::linked;
  inflight_.push_back(*req);
  world_.trace().record(TraceEvent::Kind::sqe, req->sqe.opcode, id_, req->sqe_flags, 0,
                        world_.clock().now_ns(), req->user_data);
  const int err = init_request(*req);
  if (err != 0) [[unlikely]]
    return submit_failed(req, err);
  if (link_head_ != nullptr) {
    link_last_->link_next = req;
    link_last_ = req;
    if (req->linked()) return true;
    Request* head = link_head_;
    link_head_ = link_last_ = nullptr;
    queue_chain(*head);
    return true;
  }
  if (req->linked()) {
    link_head_ = link_last_ = req;
    return true;
  }
  queue_chain(*req);
  return true;
}

std::uint32_t RingCore::submit(std::uint32_t to_submit) noexcept {
  const std::uint32_t tail = load_acquire(sq_tail_);
  std::uint32_t head = *sq_head_;
  std::uint32_t n = tail - head;
  // io_sqring_entries: never more than the ring holds, whatever the tail claims.
  if (n > params_.sq_entries) n = params_.sq_entries;
  if (to_submit < n) n = to_submit;
  const std::uint32_t mask = params_.sq_entries - 1;
  const std::uint32_t shift = (params_.flags & abi::setup::sqe128) ? 1 : 0;
  std::uint32_t submitted = 0;
  in_submit_ = true;
  while (submitted < n) {
    const std::uint32_t index = sq_array_ != nullptr ? sq_array_[head & mask] : (head & mask);
    ++head;
    if (index >= params_.sq_entries) {
      // io_get_sqe: an invalid index is dropped, counted, and ends this submission.
      ++*sq_dropped_;
      break;
    }
    ++submitted;
    if (!submit_one(&sqes_[std::size_t{index} << shift])) break;
  }
  // io_commit_sqring: the new head is published once, after the loop.
  std::atomic_ref<std::uint32_t>(*sq_head_).store(head, std::memory_order_release);
  // io_submit_state_end: a link still open at the end of the batch goes as it is.
  if (link_head_ != nullptr) {
    Request* h = link_head_;
    link_head_ = link_last_ = nullptr;
    queue_chain(*h);
  }
  in_submit_ = false;
  if (batch_head_ != nullptr) flush_batch();
  return submitted;
}

bool RingCore::may_start(const Request& req) noexcept {
  // Nothing starts while a drained link runs, and a drained request waits for every request
  // submitted before it (inflight_ is in submission order, so its front is the oldest).
  const std::uint64_t earliest = earliest_inflight_seq();
  if (earliest < hold_until_ && req.seq >= hold_until_) return false;
  return !req.drain || earliest == req.seq;
}

void RingCore::start_released(Request& req) noexcept {
  req.queued_as_task_work = true;  // io_queue_deferred: task work
  if (req.drain) {
    // IOSQE_IO_DRAIN (io_uring_enter(2)): later requests do not start before this one (its
    // whole link) completes.
    std::uint64_t members = 1;
    for (const Request* r = req.link_next; r != nullptr; r = r->link_next) ++members;
    hold_until_ = req.seq + members;
  }
  start(req);
}

void RingCore::fail_chain_at_submit(Request& head) noexcept {
  // io_req_defer_failed on the head (hard links do not carry a failure at submit), then
  // io_fail_links for the rest. A LINK_TIMEOUT guarding the head is disarmed on the way
  // (io_disarm_next): -ECANCELED, even when the head's skip-success silences the rest.
  head.sqe_flags &= static_cast<std::uint8_t>(~abi::sqe_flag::io_hardlink);
  const std::int32_t res = head.res;
  // complete() posts the head (a failed request ignores skip-success) and fails the members.
  complete(head, res < 0 ? res : -ECANCELED);
}

void RingCore::start(Request& req) noexcept { schedule_issue(req); }

void RingCore::run_deferred() noexcept {
  // io_queue_deferred: release from the front while the front need not wait.
  while (!deferred_.empty()) {
    Request& front = *deferred_.front();
    if (!may_start(front)) break;
    deferred_.pop_front();
    start_released(front);
  }
}

}  // namespace ringkit::sim::detail
