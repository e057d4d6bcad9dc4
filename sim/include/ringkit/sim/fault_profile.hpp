// FaultProfile: which faults a simulated world injects, and how often (a swarm profile).
//
// Every fault yields only a result the real operation can return (an I/O error from a file op,
// a short count, a connection reset...), so code that survives the simulator's faults survives
// the kernel's. Probabilities are per million draws; 0 turns a kind off and costs no draw.
#pragma once

#include <cstdint>
#include <string>

namespace ringkit::sim {

class DecisionSource;

struct FaultProfile {
  // Latency of each request from submission (or wake-up) to its issue, uniform in
  // [latency_min_ns, latency_max_ns]; different draws reorder unlinked completions the way the
  // kernel may.
  std::int64_t latency_min_ns = 0;
  std::int64_t latency_max_ns = 0;
  // A latency spike: this often, a request's latency is multiplied by spike_factor.
  std::uint32_t latency_spike_ppm = 0;
  std::uint32_t spike_factor = 100;

  std::uint32_t io_error_ppm = 0;      // -EIO from file reads, writes and syncs
  std::uint32_t short_rw_ppm = 0;      // a read or write moves fewer bytes than asked
  std::uint32_t no_space_ppm = 0;      // -ENOSPC from writes and fallocate
  std::uint32_t conn_reset_ppm = 0;    // a stream connection is reset (ECONNRESET / EPIPE)
  std::uint32_t enter_eintr_ppm = 0;   // io_uring_enter returns -EINTR before waiting
  std::uint32_t enter_eagain_ppm = 0;  // io_uring_enter returns -EAGAIN before submitting
  std::uint32_t enter_ebusy_ppm = 0;   // io_uring_enter returns -EBUSY before submitting
  // A receive into provided buffers takes only part of what is ready, as when the data arrives
  // in several segments: buffers run out sooner (-ENOBUFS ends a multishot).
  std::uint32_t buffer_starvation_ppm = 0;
  // Completions are held back and released together at the next burst boundary (the kernel may
  // complete late, and task work often runs in batches): the CQ fills and overflows sooner.
  std::uint32_t cq_pressure_ppm = 0;
  std::int64_t cq_burst_ns = 1'000'000;

  // No faults, no reordering: every request issues at once, in submission order.
  static FaultProfile none() noexcept { return {}; }
  // Reordering only: latencies of 1..50 us, no faults.
  static FaultProfile reorder() noexcept;
  // A swarm profile: each kind on or off, and its rate, drawn from `d` (one profile per seed,
  // as in swarm testing, so some seeds hammer one fault and others never see it).
  static FaultProfile swarm(DecisionSource& d) noexcept;

  // "latency 1000..50000 ns, io_error 2000 ppm, ..." (only what is on).
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const FaultProfile&, const FaultProfile&) noexcept = default;
};

}  // namespace ringkit::sim
