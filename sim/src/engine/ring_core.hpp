// RingCore: the simulated kernel's side of one ring (the kernel's struct io_ring_ctx).
//
// It owns the ring memory (the kernel's layout), consumes SQEs, runs requests by the kernel's
// rules for links, drain, skip-success and link timeouts, and posts CQEs with the kernel's
// overflow behaviour. Ops (ops/*.cpp) act through it: complete(), post_more(), park().
#pragma once

#include <bitset>
#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "engine/op_handler.hpp"
#include "engine/provided_buffers.hpp"
#include "engine/request.hpp"
#include "ringkit/abi/cqe.hpp"
#include "ringkit/abi/register.hpp"
#include "ringkit/abi/setup.hpp"
#include "ringkit/file_slot_table.hpp"
#include "ringkit/registered_buffer_table.hpp"
#include "ringkit/result.hpp"
#include "ringkit/ring_layout.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim {
class SimRing;
}

namespace ringkit::sim::detail {

class RingCore {
 public:
  using RequestList = boost::intrusive::list<
      Request, boost::intrusive::member_hook<Request, Request::Hook, &Request::inflight_hook>,
      boost::intrusive::constant_time_size<false>>;
  using OpList = boost::intrusive::list<
      Request, boost::intrusive::member_hook<Request, Request::Hook, &Request::list_hook>,
      boost::intrusive::constant_time_size<false>>;

  RingCore(World& world, const abi::Params& params) noexcept;
  RingCore(const RingCore&) = delete;
  RingCore& operator=(const RingCore&) = delete;
  ~RingCore();

  // ---- memory, as SimRing::attach() needs it ----
  [[nodiscard]] const abi::Params& params() const noexcept { return params_; }
  [[nodiscard]] void* rings_memory() noexcept { return rings_.get(); }
  [[nodiscard]] void* sqes_memory() noexcept { return sqes_.get(); }
  [[nodiscard]] bool allocated() const noexcept { return rings_ && sqes_; }

  [[nodiscard]] World& world() noexcept { return world_; }
  [[nodiscard]] std::uint16_t id() const noexcept { return id_; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  void set_fd(int fd) noexcept { fd_ = fd; }
  [[nodiscard]] std::uint32_t setup_flags() const noexcept { return params_.flags; }

  // Whether the world's kernel release has opcode `op` at all (IORING_OP_LAST of that release).
  [[nodiscard]] bool kernel_has(abi::Opcode op) const noexcept {
    return abi::opcode_since(op) <= world_.kernel();
  }
  // The same from a mask built once (the world's kernel never changes): every submission asks.
  [[nodiscard]] bool kernel_has_opcode(std::uint8_t op) const noexcept {
    static_assert(abi::opcode_count <= 64);
    return op < abi::opcode_count && ((kernel_opcodes_ >> op) & 1) != 0;
  }
  // In the probe: the profile's kernel has it (the simulator runs every opcode it has).
  [[nodiscard]] bool op_supported(abi::Opcode op) const noexcept;

  // ---- io_uring_enter ----
  result<std::uint32_t> enter(std::uint32_t to_submit, std::uint32_t min_complete,
                              std::uint32_t flags, const void* arg, std::size_t argsz) noexcept;

  // ---- what ops call ----
  // The terminal completion of `req`: posts its CQE (unless skip-success applies), then moves
  // its link on and frees it. `req` must not be touched afterwards.
  void complete(Request& req, std::int32_t res, std::uint32_t cflags = 0) noexcept;
  // A non-terminal CQE of a multishot request (cflags should carry F_MORE). False when the CQ
  // cannot take it without overflowing: the kernel then ends the multishot, and the op must
  // complete() with this result instead.
  [[nodiscard]] bool post_more(Request& req, std::int32_t res, std::uint32_t cflags) noexcept;
  // A CQE that belongs to no request (msg_ring's target, resource tags, send_zc's notification):
  // always posted, overflowing into the backlog when needed.
  void post_aux(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                std::uint64_t extra1 = 0, std::uint64_t extra2 = 0) noexcept;
  // Waits until `file` reports one of `events` (or err/hup), then issues `req` again.
  void park(Request& req, File& file, std::uint32_t events) noexcept;
  // Issues `req` again at absolute virtual time `t_ns` (a timer).
  void schedule_at(Request& req, std::int64_t t_ns) noexcept;
  // Issues `req` after a latency drawn from the fault profile.
  void schedule_issue(Request& req) noexcept;
  void schedule_issue_after(Request& req, std::int64_t latency_ns) noexcept;
  // A request's latency from the fault profile (0 without latency faults, drawing nothing).
  std::int64_t draw_latency() noexcept {
    const FaultProfile& f = world_.faults();
    if ((f.latency_min_ns | f.latency_max_ns) == 0 &&
        (f.latency_spike_ppm | f.cq_pressure_ppm) == 0) {
      return 0;
    }
    return draw_latency_from(f);
  }
  std::int64_t draw_latency_from(const FaultProfile& f) noexcept;
  // Cancels a request that is in flight (parked, scheduled, linked or deferred): 0 when it was
  // cancelled, -ENOENT when it is not in flight (linked members not started, or done).
  int cancel(Request& req, std::int32_t res = -ECANCELED) noexcept;
  // A request armed on a file's poll: parked on it, or woken with its task work queued (the
  // kernel keeps both in its cancel hash until the task work runs).
  [[nodiscard]] static bool poll_armed(const Request& req) noexcept;
  // ASYNC_CANCEL of a poll-armed request (io_poll_cancel_req): marked cancelled, it stays
  // findable (a second cancel in the same submission also answers 0) until its task work runs
  // and ends it with -ECANCELED. Returns 0.
  int cancel_armed_poll(Request& req) noexcept;
  // POLL_REMOVE of a parked poll (io_poll_disarm, then task work): out of every cancel list now,
  // ended with -ECANCELED by its task work.
  void remove_armed_poll(Request& req) noexcept;

  // The file an SQE names: a descriptor of the world's fd table, or a registered slot when
  // IOSQE_FIXED_FILE is set. nullptr: the op answers -EBADF.
  [[nodiscard]] FileRef resolve_file(std::int32_t fd, bool fixed) noexcept;

  // In-flight requests in submission order (cancel, drain, teardown).
  [[nodiscard]] RequestList& inflight() noexcept { return inflight_; }
  // Count-based timeouts wait here (ops/timeout.cpp).
  [[nodiscard]] OpList& timeouts() noexcept { return timeouts_; }
  // Completion events as count-based timeouts count them: every CQE posted, except those of
  // timeouts that expired (the kernel's cached_cq_tail - cq_timeouts).
  [[nodiscard]] std::uint64_t cq_count_for_timeouts() const noexcept {
    return cq_events_ - cq_timeouts_;
  }
  void count_expired_timeout() noexcept { ++cq_timeouts_; }
  // The last member of the link being assembled by this submission, or nullptr (what a
  // LINK_TIMEOUT attaches to).
  [[nodiscard]] Request* link_last() const noexcept {
    return link_head_ != nullptr ? link_last_ : nullptr;
  }

  FileSlotTable files;
  RegisteredBufferTable buffers;
  ProvidedBuffers provided_buffers;  // groups for IOSQE_BUFFER_SELECT

  // ---- registration state the register calls change (engine/ring_register.cpp) ----
  bool enabled = true;  // false while IORING_SETUP_R_DISABLED waits for ENABLE_RINGS
  bool ring_fd_registered = false;
  FileRef cq_eventfd;  // IORING_REGISTER_EVENTFD(_ASYNC)
  bool cq_eventfd_async = false;
  [[nodiscard]] bool restrictions_active() const noexcept { return restricted_; }
  [[nodiscard]] bool restriction_allows(const Request& req) const noexcept;
  [[nodiscard]] bool personality_registered(std::uint16_t id) const noexcept;
  result<std::uint32_t> do_register(abi::RegisterOp op, void* arg, std::uint32_t nr_args) noexcept;
  // A registered slot's handle for world fd `fd` (a File reference), and its release.
  result<std::uint64_t> file_handle(int fd) noexcept;
  // `index` is the slot's: requests that took the file from it keep its tag back.
  void release_slot(std::uint32_t index, const FileSlotTable::Slot& slot) noexcept;
  // The same for a caller that does not say which slot: the tag is posted at once.
  void release_slot(const FileSlotTable::Slot& slot) noexcept { release_slot(no_slot, slot); }
  // IORING_REGISTER_FILES(2) with the kernel's all-or-nothing rule for the references taken.
  result<void> register_files_releasing(std::span<const int> fds,
                                        std::span<const std::uint64_t> tags) noexcept;
  // A registered buffer leaving the table: its tag waits for the requests using it.
  void release_buffer_entry(std::uint32_t index,
                            const RegisteredBufferTable::Entry& entry) noexcept;
  static constexpr std::uint32_t no_slot = ~0u;
  [[nodiscard]] std::uint32_t* cq_flags_word() noexcept { return cq_flags_; }

 private:
  friend class ringkit::sim::SimRing;

  std::uint32_t* word(std::uint32_t offset) noexcept {
    return reinterpret_cast<std::uint32_t*>(rings_.get() + offset);
  }

  // Submission. submit_one, init_request, queue_chain and start_at_submit are inlined into
  // submit's loop (ring_submit.cpp): one call per submission rather than four per request.
  std::uint32_t submit(std::uint32_t to_submit) noexcept;
  // Returns false when submission must stop after this SQE (a failure without SUBMIT_ALL).
  bool submit_one(const abi::Sqe* slot) noexcept;
  bool submit_failed(Request* req, int err) noexcept;
  int init_request(Request& req) noexcept;
  void queue_chain(Request& head) noexcept;
  void queue_behind_drain(Request& head) noexcept;
  void start(Request& req) noexcept;
  void start_at_submit(Request& req) noexcept;
  void start_released(Request& req) noexcept;
  bool may_start(const Request& req) noexcept;
  std::uint64_t earliest_inflight_seq() noexcept {
    return inflight_.empty() ? submitted_ : inflight_.front().seq;
  }
  void fail_chain_at_submit(Request& head) noexcept;
  void run_deferred() noexcept;

  // Completion.
  void post_cqe(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                std::uint64_t extra1, std::uint64_t extra2, std::uint8_t opcode) noexcept;
  bool cq_has_room() const noexcept;
  void write_cqe(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                 std::uint64_t extra1, std::uint64_t extra2) noexcept;
  void flush_overflow() noexcept;
  void queue_overflow(std::uint64_t user_data, std::int32_t res, std::uint32_t cflags,
                      std::uint64_t extra1, std::uint64_t extra2) noexcept;
  void complete_scheduled(Request& req, std::int32_t res, std::uint32_t cflags) noexcept;
  void complete_now(Request& req) noexcept;
  void post_completion(Request& req) noexcept;
  void release_completed(Request& req) noexcept;
  void release_linked(Request& req) noexcept;
  void flush_batch() noexcept;
  void finish_link(Request& req) noexcept;
  void fail_links(Request& req) noexcept;
  void issue(Request& req) noexcept;
  // Ends a cancelled request: the op's cancel hook may keep a partial result.
  void end_cancelled(Request& req, std::int32_t res) noexcept;
  static void fire_event(Event& e) noexcept;

  // Waiting.
  result<std::uint32_t> wait(std::uint32_t min_complete, std::uint32_t flags, const void* arg,
                             std::size_t argsz) noexcept;
  std::uint32_t cq_ready() noexcept;

  Request* alloc_request() noexcept {
    if (free_.empty()) [[unlikely]]
      return alloc_request_slow();
    Request* req = free_.back();
    free_.pop_back();
    return req;
  }
  Request* alloc_request_slow() noexcept;
  void free_request(Request& req) noexcept;
  void put_held_tags(const Request& req) noexcept;

  World& world_;
  abi::Params params_;
  RingLayout layout_;
  std::unique_ptr<std::byte[]> rings_;
  std::unique_ptr<abi::Sqe[]> sqes_;
  std::uint16_t id_ = 0;
  int fd_ = -1;
  std::uint64_t kernel_opcodes_ = 0;  // bit n: kernel_has(opcode n)

  // Kernel-side ring words.
  std::uint32_t* sq_head_ = nullptr;
  std::uint32_t* sq_tail_ = nullptr;
  std::uint32_t* sq_flags_ = nullptr;
  std::uint32_t* sq_dropped_ = nullptr;
  std::uint32_t* sq_array_ = nullptr;
  std::uint32_t* cq_head_ = nullptr;
  std::uint32_t* cq_tail_ = nullptr;
  std::uint32_t* cq_overflow_ = nullptr;
  std::uint32_t* cq_flags_ = nullptr;
  std::byte* cqes_ = nullptr;
  std::uint32_t cqe_size_ = sizeof(abi::Cqe);

  // Link being assembled across submit_one calls (the kernel's submit_state.link).
  Request* link_head_ = nullptr;
  Request* link_last_ = nullptr;
  // Requests completed inline during this submission, their CQEs not posted yet.
  bool in_submit_ = false;
  Request* batch_head_ = nullptr;
  Request* batch_tail_ = nullptr;

  std::uint64_t submitted_ = 0;    // requests submitted (the next request's seq)
  std::uint64_t completed_ = 0;    // requests that reached their terminal completion
  std::uint64_t cq_events_ = 0;    // CQEs posted (or queued in the backlog)
  std::uint64_t cq_timeouts_ = 0;  // of which expired timeouts
  bool drain_active_ = false;
  bool drain_disabled_ = false;    // a CQE_SKIP_SUCCESS request was seen: drain is refused
  bool drain_next_ = false;        // a drain inside a link also drains what follows the link
  std::uint64_t hold_until_ = 0;   // requests from this seq wait for a drained link to finish
  std::deque<Request*> deferred_;  // behind a drain barrier, in submission order
  // Tags of replaced or unregistered file slots that requests still hold (the kernel's
  // io_rsrc_node refs): posted when the last of them is freed. Entries with refs 0 are reused.
  struct HeldTag {
    std::uint64_t tag = 0;
    std::uint32_t refs = 0;
  };
  std::vector<HeldTag> held_tags_;

  struct OverflowCqe {
    std::uint64_t user_data;
    std::int32_t res;
    std::uint32_t flags;
    std::uint64_t extra1;
    std::uint64_t extra2;
  };
  std::deque<OverflowCqe> overflow_;

  RequestList inflight_;
  OpList timeouts_;

  // Restrictions (IORING_REGISTER_RESTRICTIONS) and personalities.
  bool restricted_ = false;
  bool restrictions_registered_ = false;
  std::bitset<256> allowed_register_ops_;
  std::bitset<256> allowed_sqe_ops_;
  std::uint8_t allowed_sqe_flags_ = 0;
  std::uint8_t required_sqe_flags_ = 0;
  std::vector<std::uint16_t> personalities_;  // sorted ids
  std::uint16_t next_personality_ = 1;
  std::uint32_t iowq_max_workers_[2] = {0, 0};

  // Request pool: chunks never move, so requests keep their address.
  std::vector<std::unique_ptr<Request[]>> chunks_;
  std::vector<Request*> free_;
};

// The RingCore of a Request's ring.
inline RingCore& ring_of(Request& req) noexcept { return *req.ring; }

void arm_link_timeout(Request& timeout) noexcept;  // ops/timeout.cpp

// Inline: a request issued at submit runs it from inside the submission loop.
inline void RingCore::issue(Request& req) noexcept {
  if (!req.issued) {
    req.issued = true;
    // The guarding LINK_TIMEOUT starts counting when its request starts (io_arm_ltimeout).
    if (req.link_timeout != nullptr) arm_link_timeout(*req.link_timeout);
  }
  req.state = RequestState::waiting;
  op_handler(req.opcode).issue(req);
}

}  // namespace ringkit::sim::detail
