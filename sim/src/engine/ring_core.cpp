// RingCore: memory, the request pool, and completion (CQ posting, overflow, links).
// Submission is in ring_submit.cpp, waiting in ring_enter.cpp.
#include "engine/ring_core.hpp"

#include <fcntl.h>

#include <atomic>
#include <new>

#include "engine/op_handler.hpp"
#include "ops/op_support.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim::detail {

namespace {

std::uint32_t load_acquire(const std::uint32_t* p) noexcept {
  return std::atomic_ref<std::uint32_t>(*const_cast<std::uint32_t*>(p))
      .load(std::memory_order_acquire);
}
void store_release(std::uint32_t* p, std::uint32_t v) noexcept {
  std::atomic_ref<std::uint32_t>(*p).store(v, std::memory_order_release);
}

// Features this simulated kernel implements (Linux 6.18 reports all 18 bits; the simulator
// leaves out what it does not do: bundles and read/write attributes).
constexpr std::uint32_t sim_features =
    abi::feature::single_mmap | abi::feature::nodrop | abi::feature::submit_stable |
    abi::feature::rw_cur_pos | abi::feature::cur_personality | abi::feature::fast_poll |
    abi::feature::poll_32bits | abi::feature::sqpoll_nonfixed | abi::feature::ext_arg |
    abi::feature::native_workers | abi::feature::rsrc_tags | abi::feature::cqe_skip |
    abi::feature::linked_file | abi::feature::reg_reg_ring | abi::feature::min_timeout |
    abi::feature::no_iowait;

}  // namespace

void Request::on_ready(std::uint32_t) noexcept { ring->schedule_issue(*this); }

bool RingCore::op_supported(abi::Opcode op) const noexcept { return kernel_has(op); }

RingCore::RingCore(World& world, const abi::Params& params) noexcept
    : world_(world),
      params_(params),
      layout_(kernel_ring_layout(params.sq_entries, params.cq_entries, params.flags)),
      rings_(new (std::nothrow) std::byte[layout_.rings_bytes]()),
      sqes_(new (std::nothrow) abi::Sqe[layout_.sqes_bytes / sizeof(abi::Sqe)]()) {
  if (!allocated()) return;
  params_.sq_off = layout_.sq_off;
  params_.cq_off = layout_.cq_off;
  params_.features = sim_features;
  sq_head_ = word(layout_.sq_off.head);
  sq_tail_ = word(layout_.sq_off.tail);
  sq_flags_ = word(layout_.sq_off.flags);
  sq_dropped_ = word(layout_.sq_off.dropped);
  if (!(params.flags & abi::setup::no_sqarray)) sq_array_ = word(layout_.sq_off.array);
  cq_head_ = word(layout_.cq_off.head);
  cq_tail_ = word(layout_.cq_off.tail);
  cq_overflow_ = word(layout_.cq_off.overflow);
  cq_flags_ = word(layout_.cq_off.flags);
  cqes_ = rings_.get() + layout_.cq_off.cqes;
  cqe_size_ = (params.flags & abi::setup::cqe32) ? 2 * sizeof(abi::Cqe) : sizeof(abi::Cqe);
  *word(layout_.sq_off.ring_mask) = params.sq_entries - 1;
  *word(layout_.sq_off.ring_entries) = params.sq_entries;
  *word(layout_.cq_off.ring_mask) = params.cq_entries - 1;
  *word(layout_.cq_off.ring_entries) = params.cq_entries;
  // The simulated SQ poller is always asleep: every submit enters, which is when the simulator
  // consumes SQEs (a real poller may sleep at any time too).
  if (params.flags & abi::setup::sqpoll) *sq_flags_ |= abi::sq_ring_flag::need_wakeup;
  enabled = !(params.flags & abi::setup::r_disabled);
  for (std::size_t op = 0; op < abi::opcode_count; ++op) {
    if (kernel_has(static_cast<abi::Opcode>(op))) kernel_opcodes_ |= std::uint64_t{1} << op;
  }
  id_ = world_.attach_ring(*this);
}

RingCore::~RingCore() {
  // Tear down like a closing ring: cancel everything, post nothing (nobody reads the CQ).
  while (!inflight_.empty()) {
    Request& req = inflight_.front();
    req.inflight_hook.unlink();
    req.event.cancel();
    req.unlink();  // from a file's wait list
    req.list_hook.unlink();
    if (req.state == RequestState::waiting || req.state == RequestState::issuing) {
      const OpHandler& h = op_handler(req.opcode);
      if (h.cancel != nullptr) (void)h.cancel(req);
    }
    req.file.reset();
  }
  deferred_.clear();
  // Registered slots hold file references; a closing ring drops them (no CQ left for tags).
  (void)files.destroy([](std::uint32_t, const FileSlotTable::Slot& slot) noexcept {
    intrusive_ptr_release(reinterpret_cast<File*>(slot.file));
  });
  (void)buffers.destroy();
  world_.detach_ring(*this);
}

Request* RingCore::alloc_request_slow() noexcept {
  {
    constexpr std::size_t chunk = 64;
    std::unique_ptr<Request[]> block(new (std::nothrow) Request[chunk]);
    if (!block) return nullptr;
    free_.reserve(free_.size() + chunk);
    for (std::size_t i = chunk; i-- > 0;) {
      block[i].ring = this;
      free_.push_back(&block[i]);
    }
    chunks_.push_back(std::move(block));
  }
  Request* req = free_.back();
  free_.pop_back();
  return req;
}

void RingCore::put_held_tags(const Request& req) noexcept {
  // io_put_rsrc_node: the last request holding a replaced slot's file posts its tag, after the
  // request's own CQE.
  for (const std::int32_t h : {req.held_tag, req.held_buffer_tag}) {
    if (h < 0) continue;
    HeldTag& held = held_tags_[static_cast<std::size_t>(h)];
    if (--held.refs == 0) post_aux(held.tag, 0, 0);
  }
}

// Inline (here and in flush_batch): every request ends through it. always_inline: clang does
// not inline these on its own.
[[gnu::always_inline]] inline void RingCore::free_request(Request& req) noexcept {
  if ((req.held_tag & req.held_buffer_tag) != -1) [[unlikely]] {  // either holds a tag
    put_held_tags(req);
  }
  req.reset();
  free_.push_back(&req);
}

FileRef RingCore::resolve_file(std::int32_t fd, bool fixed) noexcept {
  if (fixed) {
    if (fd < 0) return nullptr;
    const FileSlotTable::Slot* slot = files.get(static_cast<std::uint32_t>(fd));
    return slot == nullptr ? nullptr : FileRef(reinterpret_cast<File*>(slot->file));
  }
  // fget (io_file_get_normal) refuses O_PATH descriptions: the op answers -EBADF.
  FileRef f = world_.fds().ref(fd);
  if (f && (f->status_flags() & O_PATH) != 0) return nullptr;
  return f;
}

// ---- CQ --------------------------------------------------------------------------------------

inline bool RingCore::cq_has_room() const noexcept {
  return load_acquire(cq_tail_) - load_acquire(cq_head_) < params_.cq_entries;
}

std::uint32_t RingCore::cq_ready() noexcept {
  return load_acquire(cq_tail_) - load_acquire(cq_head_);
}

[[gnu::always_inline]] inline void RingCore::write_cqe(std::uint64_t user_data, std::int32_t res,
                                                       std::uint32_t cflags, std::uint64_t extra1,
                                                       std::uint64_t extra2) noexcept {
  const std::uint32_t tail = *cq_tail_;
  std::byte* slot = cqes_ + std::size_t{tail & (params_.cq_entries - 1)} * cqe_size_;
  abi::Cqe cqe{};
  cqe.user_data = user_data;
  cqe.res = res;
  cqe.flags = cflags;
  std::memcpy(slot, &cqe, sizeof cqe);
  if (cqe_size_ > sizeof(abi::Cqe)) {
    const std::uint64_t big[2] = {extra1, extra2};
    std::memcpy(slot + sizeof(abi::Cqe), big, sizeof big);
  }
  store_release(cq_tail_, tail + 1);
}

void RingCore::queue_overflow(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                              std::uint64_t extra1, std::uint64_t extra2) noexcept {
  overflow_.push_back(OverflowCqe{user_data, res, cflags, extra1, extra2});
  std::atomic_ref<std::uint32_t>(*sq_flags_)
      .fetch_or(abi::sq_ring_flag::cq_overflow, std::memory_order_release);
}

// Inline: the batch flush posts every CQE of a submission through it.
[[gnu::always_inline]] inline void RingCore::post_cqe(std::uint64_t user_data, std::int32_t res,
                                                      std::uint32_t cflags, std::uint64_t extra1,
                                                      std::uint64_t extra2,
                                                      std::uint8_t opcode) noexcept {
  world_.trace().record(TraceEvent::Kind::cqe, opcode, id_, cflags, res, world_.clock().now_ns(),
                        user_data);
  ++cq_events_;
  // Once a backlog exists, new CQEs queue behind it so that userspace sees them in order
  // (io_cqe_cache_refill refuses the ring while IO_CHECK_CQ_OVERFLOW is set).
  if (overflow_.empty() && cq_has_room()) [[likely]] {
    write_cqe(user_data, res, cflags, extra1, extra2);
  } else {
    queue_overflow(user_data, res, cflags, extra1, extra2);
  }
  if (cq_eventfd) [[unlikely]]
    notify_cq_eventfd(*this);
}

void RingCore::flush_overflow() noexcept {
  while (!overflow_.empty() && cq_has_room()) {
    const OverflowCqe& o = overflow_.front();
    write_cqe(o.user_data, o.res, o.flags, o.extra1, o.extra2);
    overflow_.pop_front();
  }
  if (overflow_.empty()) {
    std::atomic_ref<std::uint32_t>(*sq_flags_)
        .fetch_and(~abi::sq_ring_flag::cq_overflow, std::memory_order_release);
  }
}

bool RingCore::post_more(Request& req, std::int32_t res, std::uint32_t cflags) noexcept {
  // io_req_post_cqe: completions deferred in this submission post first, so that CQEs are not
  // reordered.
  if (batch_head_ != nullptr) flush_batch();
  if (!overflow_.empty() || !cq_has_room()) return false;
  post_cqe(req.user_data, res, cflags, 0, 0, static_cast<std::uint8_t>(req.opcode));
  if (!timeouts_.empty()) flush_count_timeouts(*this);
  return true;
}

void RingCore::post_aux(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                        std::uint64_t extra1, std::uint64_t extra2) noexcept {
  post_cqe(user_data, res, cflags, extra1, extra2, 0xff);
  if (!timeouts_.empty()) flush_count_timeouts(*this);
}

// ---- completion and links ----------------------------------------------------------------

namespace {

// req_set_fail(): a failing request always posts its CQE, and a skip-success request that fails
// makes the members its failure cancels skip theirs (REQ_F_SKIP_LINK_CQES).
void set_fail(Request& req) noexcept {
  req.failed = true;
  if (req.sqe_flags & abi::sqe_flag::cqe_skip_success) {
    req.sqe_flags &= static_cast<std::uint8_t>(~abi::sqe_flag::cqe_skip_success);
    req.skip_link_cqes = true;
  }
}

}  // namespace

void mark_failed(Request& req) noexcept { set_fail(req); }

void RingCore::complete_scheduled(Request& req, std::int32_t res, std::uint32_t cflags) noexcept {
  req.event.cancel();
  complete(req, res, cflags);
}

void RingCore::complete(Request& req, std::int32_t res, std::uint32_t cflags) noexcept {
  // Only tail calls on the way (no registers to save): a scheduled event is cancelled through
  // complete_scheduled, which comes back here.
  if (req.event.scheduled()) [[unlikely]]
    return complete_scheduled(req, res, cflags);
  req.unlink();
  req.list_hook.unlink();
  if (res < 0 && !req.error_is_success) set_fail(req);
  req.res = res;
  req.cflags = cflags;
  if (!in_submit_) return complete_now(req);
  // Completed inline during submission: its CQE posts with the batch's when the submission
  // ends (io_req_complete_defer, io_submit_flush_completions). Nothing can find it meanwhile.
  req.state = RequestState::done;
  if (batch_tail_ != nullptr) {
    batch_tail_->compl_next = &req;
  } else {
    batch_head_ = &req;
  }
  batch_tail_ = &req;
}

// Inline (here and in flush_batch), like the two below.
[[gnu::always_inline]] inline void RingCore::post_completion(Request& req) noexcept {
  const bool skip = (req.sqe_flags & abi::sqe_flag::cqe_skip_success) && !req.failed;
  if (req.notif_armed) [[unlikely]]
    req.cflags |= abi::cqe_flag::more;
  if (!skip)
    post_cqe(req.user_data, req.res, req.cflags, req.extra1, req.extra2,
             static_cast<std::uint8_t>(req.opcode));
}

[[gnu::always_inline]] inline void RingCore::release_completed(Request& req) noexcept {
  // One test for the three things that make a release more than freeing.
  if (req.notif_armed | ((reinterpret_cast<std::uintptr_t>(req.link_timeout) |
                          reinterpret_cast<std::uintptr_t>(req.link_next)) != 0)) [[unlikely]] {
    release_linked(req);
    return;
  }
  req.inflight_hook.unlink();
  req.state = RequestState::done;
  ++completed_;
  free_request(req);
}

void RingCore::complete_now(Request& req) noexcept {
  post_completion(req);
  release_completed(req);
  if (!timeouts_.empty()) flush_count_timeouts(*this);
  if (!deferred_.empty()) run_deferred();
}

void RingCore::release_linked(Request& req) noexcept {
  // The notification is task work queued when the request is freed: after the CQEs of the
  // whole batch it completed in.
  if (req.notif_armed) post_aux(req.user_data, req.notif_res, abi::cqe_flag::notif);
  req.inflight_hook.unlink();
  req.state = RequestState::done;
  ++completed_;
  // A LINK_TIMEOUT guarding this request is disarmed and completes with -ECANCELED after it
  // (io_disarm_next); the chain goes on past it. io_disarm_next completes the timeout without
  // req_set_fail: a skip-success LINK_TIMEOUT that was disarmed posts nothing.
  Request* guard = req.link_timeout;
  if (guard != nullptr) {
    req.link_timeout = nullptr;
    req.link_next = guard->link_next;
    guard->link_next = nullptr;
    guard->timeout_target = nullptr;
    guard->error_is_success = true;
    complete(*guard, -ECANCELED);
  }
  if (req.link_next != nullptr) finish_link(req);
  free_request(req);
}

void RingCore::flush_batch() noexcept {
  // __io_submit_flush_completions: every CQE of the batch, in completion order; then the
  // counting timeouts see them; then the requests are freed, which moves their links on.
  Request* const first = batch_head_;
  batch_head_ = batch_tail_ = nullptr;
  for (Request* r = first; r != nullptr; r = r->compl_next) post_completion(*r);
  if (!timeouts_.empty()) flush_count_timeouts(*this);
  for (Request* r = first; r != nullptr;) {
    Request* next = r->compl_next;
    r->compl_next = nullptr;
    release_completed(*r);
    r = next;
  }
  if (!timeouts_.empty()) flush_count_timeouts(*this);
  if (!deferred_.empty()) run_deferred();
}

void RingCore::finish_link(Request& req) noexcept {
  Request* next = req.link_next;
  req.link_next = nullptr;
  if (next == nullptr) return;
  if (req.failed && !(req.sqe_flags & abi::sqe_flag::io_hardlink)) {
    req.link_next = next;
    fail_links(req);
    return;
  }
  next->queued_as_task_work = true;  // io_queue_next: task work, not an inline issue
  start(*next);
}

void RingCore::fail_links(Request& req) noexcept {
  // io_fail_links: every member after `req` completes with -ECANCELED, or with its own error
  // if it failed at submit; all post, unless the failure came from a skip-success member.
  const bool ignore_cqes = req.skip_link_cqes;
  Request* link = req.link_next;
  req.link_next = nullptr;
  while (link != nullptr) {
    Request* next = link->link_next;
    link->link_next = nullptr;
    const std::int32_t res = link->failed ? link->res : -ECANCELED;
    link->event.cancel();
    if (!ignore_cqes) {
      post_cqe(link->user_data, res, 0, 0, 0, static_cast<std::uint8_t>(link->opcode));
    }
    // io_fail_links does not run the op's fail hook (no F_MORE), but freeing the request
    // still flushes a zero-copy send's notification.
    if (link->notif_armed) post_aux(link->user_data, link->notif_res, abi::cqe_flag::notif);
    link->inflight_hook.unlink();
    link->state = RequestState::done;
    ++completed_;
    free_request(*link);
    link = next;
  }
}

void RingCore::end_cancelled(Request& req, std::int32_t res) noexcept {
  const OpHandler& h = op_handler(req.opcode);
  req.event.cancel();
  req.unlink();
  req.list_hook.unlink();
  if (h.cancel != nullptr && h.cancel(req)) {
    complete(req, req.res, req.cflags);
  } else {
    complete(req, res);
  }
}

bool RingCore::poll_armed(const Request& req) noexcept {
  if (req.state == RequestState::issuing) return req.issued && !req.queued_unhashed;
  return req.state == RequestState::waiting && static_cast<const Waiter&>(req).is_linked();
}

void RingCore::remove_armed_poll(Request& req) noexcept {
  req.queued_unhashed = true;
  cancel_armed_poll(req);
}

int RingCore::cancel_armed_poll(Request& req) noexcept {
  req.cancel_pending = true;
  if (req.state == RequestState::waiting) {
    // io_poll_execute: the cancel takes ownership and queues the task work itself.
    req.unlink();
    schedule_issue_after(req, 0);
  }
  return 0;
}

int RingCore::cancel(Request& req, std::int32_t res) noexcept {
  switch (req.state) {
    case RequestState::issuing:
    case RequestState::waiting:
      end_cancelled(req, res);
      return 0;
    case RequestState::deferred:
      for (auto it = deferred_.begin(); it != deferred_.end(); ++it) {
        if (*it == &req) {
          deferred_.erase(it);
          break;
        }
      }
      complete(req, res);
      return 0;
    case RequestState::linked:
      // Not started: it goes when its predecessor fails it; the kernel finds only started
      // requests (and link heads) in its cancel lists.
      return -ENOENT;
    case RequestState::free:
    case RequestState::done:
      break;
  }
  return -ENOENT;
}

// ---- scheduling ----------------------------------------------------------------------------

void RingCore::fire_event(Event& e) noexcept {
  Request& req = *static_cast<Request*>(e.owner);
  // io_poll_check_events: a cancel flag set since the wakeup wins over the events.
  if (req.cancel_pending) [[unlikely]] {
    req.ring->end_cancelled(req, -ECANCELED);
    return;
  }
  req.queued_unhashed = false;
  req.ring->issue(req);
}

void RingCore::schedule_at(Request& req, std::int64_t t_ns) noexcept {
  req.state = RequestState::waiting;
  req.event.fire = &RingCore::fire_event;
  req.event.owner = &req;
  world_.scheduler().at(req.event, t_ns);
}

std::int64_t RingCore::draw_latency_from(const FaultProfile& f) noexcept {
  std::int64_t latency = f.latency_min_ns;
  if (f.latency_max_ns > f.latency_min_ns) {
    latency = static_cast<std::int64_t>(
        world_.decisions().between(static_cast<std::uint64_t>(f.latency_min_ns),
                                   static_cast<std::uint64_t>(f.latency_max_ns)));
  }
  if (world_.decisions().chance(f.latency_spike_ppm)) latency *= f.spike_factor;
  if (f.cq_burst_ns > 0 && world_.decisions().chance(f.cq_pressure_ppm)) {
    // CQ pressure: held back to the next burst boundary, where others complete with it.
    const std::int64_t now = world_.clock().now_ns();
    const std::int64_t due = add_time_saturating(now, latency);
    latency = (due / f.cq_burst_ns + 1) * f.cq_burst_ns - now;
  }
  return latency;
}

void RingCore::schedule_issue(Request& req) noexcept {
  schedule_issue_after(req, !req.issued && arms_at_submit(req.opcode) ? 0 : draw_latency());
}

void RingCore::schedule_issue_after(Request& req, std::int64_t latency_ns) noexcept {
  req.state = RequestState::issuing;
  req.event.fire = &RingCore::fire_event;
  req.event.owner = &req;
  world_.scheduler().after(req.event, latency_ns);
}

void RingCore::park(Request& req, File& file, std::uint32_t events) noexcept {
  req.state = RequestState::waiting;
  req.interest = events;
  file.add_waiter(req);
}

}  // namespace ringkit::sim::detail
