// The simulated world's event queue: everything that happens later (a request's issue after its
// latency, a timer's expiry) is an Event ordered by (time, sequence). Ties keep scheduling
// order, so a run is a function of the decisions that chose the times.
#pragma once

#include <boost/intrusive/list.hpp>
#include <boost/intrusive/set.hpp>
#include <cstdint>
#include <optional>

#include "ringkit/sim/clock.hpp"

namespace ringkit::sim::detail {

struct Event {
  using Hook =
      boost::intrusive::set_member_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;
  using NowHook = boost::intrusive::list_member_hook<
      boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;
  Hook hook;         // in the time-ordered queue (due later than when it was scheduled)
  NowHook now_hook;  // in the due-now FIFO (scheduled for the time it was scheduled at)
  std::int64_t time = 0;
  std::uint64_t seq = 0;
  void (*fire)(Event&) noexcept = nullptr;
  void* owner = nullptr;

  [[nodiscard]] bool scheduled() const noexcept { return hook.is_linked() || now_hook.is_linked(); }
  // The checks inline (most events are not scheduled when cancelled), the unlinks not.
  void cancel() noexcept {
    if (hook.is_linked()) unlink_from_queue();
    if (now_hook.is_linked()) now_hook.unlink();
  }

 private:
  [[gnu::noinline]] void unlink_from_queue() noexcept { hook.unlink(); }
};

class Scheduler {
 public:
  explicit Scheduler(VirtualClock& clock) noexcept : clock_(clock) {}
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler() {
    queue_.clear();
    now_.clear();
  }

  // (Re)schedules `e` at absolute time `t` (never before now). Events for now go to a FIFO
  // rather than the tree: most are (zero latency in a fault-free world), and appending keeps
  // their sequence order in O(1).
  void at(Event& e, std::int64_t t) noexcept {
    e.cancel();
    e.seq = next_seq_++;
    if (t <= clock_.now_ns()) {
      e.time = clock_.now_ns();
      now_.push_back(e);
      return;
    }
    e.time = t;
    queue_.insert(e);
  }
  void after(Event& e, std::int64_t delay_ns) noexcept { at(e, clock_.now_ns() + delay_ns); }

  // Runs every event due at the current time, including ones they schedule for now; returns
  // how many ran.
  std::uint64_t run_due() noexcept {
    std::uint64_t ran = 0;
    for (;;) {
      // The earlier by (time, seq) of the tree's first due event and the FIFO's front.
      const bool tree_due = !queue_.empty() && queue_.begin()->time <= clock_.now_ns();
      Event* e = nullptr;
      if (tree_due && (now_.empty() || ByTime{}(*queue_.begin(), now_.front()))) {
        e = &*queue_.begin();
        queue_.erase(queue_.begin());
      } else if (!now_.empty()) {
        e = &now_.front();
        now_.pop_front();
      } else {
        break;
      }
      ++ran;
      e->fire(*e);
    }
    return ran;
  }
  [[nodiscard]] std::optional<std::int64_t> next_time() const noexcept {
    if (!now_.empty()) return clock_.now_ns();
    if (queue_.empty()) return std::nullopt;
    return queue_.begin()->time;
  }
  [[nodiscard]] bool idle() const noexcept { return queue_.empty() && now_.empty(); }
  [[nodiscard]] VirtualClock& clock() noexcept { return clock_; }

 private:
  struct ByTime {
    bool operator()(const Event& a, const Event& b) const noexcept {
      return a.time != b.time ? a.time < b.time : a.seq < b.seq;
    }
  };
  using Queue = boost::intrusive::multiset<
      Event, boost::intrusive::member_hook<Event, Event::Hook, &Event::hook>,
      boost::intrusive::compare<ByTime>, boost::intrusive::constant_time_size<false>>;
  using NowList =
      boost::intrusive::list<Event,
                             boost::intrusive::member_hook<Event, Event::NowHook, &Event::now_hook>,
                             boost::intrusive::constant_time_size<false>>;

  VirtualClock& clock_;
  Queue queue_;
  NowList now_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace ringkit::sim::detail
