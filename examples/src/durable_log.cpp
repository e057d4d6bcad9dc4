// The durable log: appends seeded records to a file, each as a linked WRITE -> FSYNC chain, and
// acknowledges a record only when both completed in full. The file's name is made durable by
// fsyncing its directory after creating it. After a machine crash it reopens the log, keeps the
// longest valid prefix (every record checked byte for byte), truncates what follows and goes on.
// Oracle: after a crash every acknowledged record is still there; at the end the log holds
// exactly the records, in order.
// Planted bug: a record is acknowledged as soon as its write completes, before its fsync.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "example_support.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/ops.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"

namespace ringkit::examples {

namespace {

using sim::harness::Environment;
using sim::harness::Status;

// A record: magic, payload length, sequence number (little-endian u32s), then the payload.
constexpr std::uint32_t record_magic = 0x524b'4c47;  // "RKLG"
constexpr std::uint64_t write_tag = 1;
constexpr std::uint64_t fsync_tag = 2;
constexpr std::uint64_t max_retries = 10'000;

void put_u32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
}

class DurableLog final : public sim::harness::Workload {
 public:
  explicit DurableLog(bool planted_bug) : planted_bug_(planted_bug) {}
  // Requests still in flight (a run that failed part way) point into this object's memory:
  // they end before it goes.
  ~DurableLog() override {
    if (ring_) (void)sim::harness::cancel_and_drain(*ring_, ledger_, std::chrono::milliseconds(10));
  }

  Status start(Environment& env) override {
    // The program's shape from the decisions (0: the fewest, shortest records), the bytes from
    // the seed.
    sim::DecisionSource& shape = env.decisions();
    Prng prng(env.workload_seed() ^ 0x10'9000ULL);
    records_.resize(shape.between(8, 40));
    for (std::size_t i = 0; i < records_.size(); ++i) {
      std::vector<std::byte> payload(shape.between(1, 700));
      prng.fill(payload);
      std::vector<std::byte>& r = records_[i];
      put_u32(r, record_magic);
      put_u32(r, static_cast<std::uint32_t>(payload.size()));
      put_u32(r, static_cast<std::uint32_t>(i));
      r.insert(r.end(), payload.begin(), payload.end());
    }
    path_ = env.scratch_dir() + "/log";
    if (Status s = open_ring(env); !s.ok()) return s;
    Blocking io(*ring_, env);
    result<int> fd = io.open(path_, O_CREAT | O_RDWR | O_TRUNC);
    if (!fd) return Status::fatal("open " + path_ + ": " + fd.error().message());
    fd_ = *fd;
    return sync_directory(env);
  }

  Status step(Environment& env) override {
    if (!ring_) return Status::fatal("step without a ring");
    if (!chain_in_flight_ && next_ < records_.size()) submit_chain();
    if (ledger_.in_flight() == 0) return Status::success();
    const auto handle = [this](const abi::Cqe& c) { return on_cqe(c); };
    if (Status s = pump_and_reap(*ring_, ledger_, env.step_timeout(), handle); !s.ok()) return s;
    return Status::success();
  }

  [[nodiscard]] bool done() const noexcept override {
    return !records_.empty() && acked_ == records_.size() && !chain_in_flight_;
  }
  [[nodiscard]] std::uint64_t in_flight() const noexcept override { return ledger_.in_flight(); }
  [[nodiscard]] std::uint64_t ops() const noexcept override { return ledger_.ops() + past_ops_; }

  Status check(Environment& env) override {
    result<std::vector<std::byte>> bytes = read_log(env);
    if (!bytes) return Status::fatal("reading the log: " + bytes.error().message());
    const std::size_t valid = valid_prefix(*bytes);
    if (valid != records_.size()) {
      return Status::violation("the log holds " + std::to_string(valid) + " valid records of " +
                               std::to_string(records_.size()));
    }
    if (bytes->size() != end_offset_) {
      return Status::violation("the log has " + std::to_string(bytes->size() - end_offset_) +
                               " bytes after its last record");
    }
    return Status::success();
  }

  [[nodiscard]] bool survives_crash() const noexcept override { return true; }

  void drop_rings() noexcept override {
    past_ops_ += ledger_.ops();
    ledger_ = {};
    ring_.reset();
    fd_ = -1;
    chain_in_flight_ = false;
  }

  Status recover(Environment& env) override {
    if (Status s = open_ring(env); !s.ok()) return s;
    Blocking io(*ring_, env);
    result<int> fd = io.open(path_, O_RDWR);
    if (!fd) {
      if (fd.error().value() == ENOENT && acked_ != 0) {
        return Status::violation("the log vanished in the crash with " + std::to_string(acked_) +
                                 " records acknowledged");
      }
      if (fd.error().value() != ENOENT) return Status::fatal("reopen: " + fd.error().message());
      fd = io.open(path_, O_CREAT | O_RDWR | O_TRUNC);
      if (!fd) return Status::fatal("create " + path_ + ": " + fd.error().message());
      fd_ = *fd;
      if (Status s = sync_directory(env); !s.ok()) return s;
    }
    fd_ = *fd;
    result<std::vector<std::byte>> bytes = read_log(env);
    if (!bytes) return Status::fatal("reading the log after the crash: " + bytes.error().message());
    const std::size_t valid = valid_prefix(*bytes);
    if (valid < acked_) {
      return Status::violation("record " + std::to_string(valid) +
                               " was acknowledged durable but did not survive the crash (" +
                               std::to_string(acked_) + " acknowledged, " + std::to_string(valid) +
                               " intact)");
    }
    // What survived is durable now; a torn record after it goes.
    acked_ = next_ = valid;
    end_offset_ = 0;
    for (std::size_t i = 0; i < valid; ++i) end_offset_ += records_[i].size();
    for (std::uint64_t attempt = 0;; ++attempt) {
      const result<std::int32_t> res = io.run(op::Ftruncate(op::Fd{fd_}, end_offset_).build());
      if (!res) return Status::fatal("ftruncate: " + res.error().message());
      if (*res == 0) break;
      if (!injected_io_error(*res) || attempt > max_retries) {
        return Status::fatal("ftruncate: " + describe_res(*res));
      }
    }
    if (result<void> s = io.fsync(fd_); !s) return Status::fatal("fsync: " + s.error().message());
    return Status::success();
  }

 private:
  Status open_ring(Environment& env) {
    result<std::unique_ptr<Ring>> made = env.make_ring({.entries = 16});
    if (!made) return Status::fatal("ring: " + made.error().message());
    ring_ = std::move(*made);
    return Status::success();
  }

  // A new name is durable only once its directory is fsynced.
  Status sync_directory(Environment& env) {
    Blocking io(*ring_, env);
    result<int> dir = io.open(env.scratch_dir(), O_RDONLY | O_DIRECTORY);
    if (!dir) return Status::fatal("open the directory: " + dir.error().message());
    if (result<void> s = io.fsync(*dir); !s) {
      return Status::fatal("fsync the directory: " + s.error().message());
    }
    (void)io.close(*dir);
    return Status::success();
  }

  result<std::vector<std::byte>> read_log(Environment& env) {
    Blocking io(*ring_, env);
    return io.read_all(fd_);
  }

  // How many records, from the start, are intact.
  [[nodiscard]] std::size_t valid_prefix(const std::vector<std::byte>& bytes) const {
    std::size_t off = 0;
    std::size_t n = 0;
    while (n < records_.size()) {
      const std::vector<std::byte>& r = records_[n];
      if (bytes.size() - off < r.size()) break;
      if (!std::equal(r.begin(), r.end(), bytes.begin() + static_cast<std::ptrdiff_t>(off))) break;
      off += r.size();
      ++n;
    }
    return n;
  }

  void submit_chain() {
    const std::vector<std::byte>& r = records_[next_];
    abi::Sqe write =
        op::Write(op::Fd{fd_}, r.data(), static_cast<std::uint32_t>(r.size()), end_offset_).build();
    write.flags |= abi::sqe_flag::io_link;
    write.user_data = write_tag;
    abi::Sqe sync = op::Fsync(op::Fd{fd_}).build();
    sync.user_data = fsync_tag;
    (void)ring_->push(write);
    (void)ring_->push(sync);
    ledger_.submitted(2);
    chain_in_flight_ = true;
    chain_cqes_ = 0;
    write_res_ = fsync_res_ = 0;
  }

  Status on_cqe(const abi::Cqe& c) {
    if (c.user_data != write_tag && c.user_data != fsync_tag) {
      return Status::fatal("a CQE nobody asked for: user_data " + std::to_string(c.user_data));
    }
    const bool is_write = c.user_data == write_tag;
    (is_write ? write_res_ : fsync_res_) = c.res;
    if (c.res < 0 && !injected_io_error(c.res) && c.res != -ECANCELED) {
      return Status::fatal(std::string(is_write ? "write" : "fsync") + " of record " +
                           std::to_string(next_) + ": " + describe_res(c.res));
    }
    const auto whole = static_cast<std::int32_t>(records_[next_].size());
    if (is_write && planted_bug_ && c.res == whole && acked_ == next_) ++acked_;  // too early
    if (++chain_cqes_ < 2) return Status::success();
    chain_in_flight_ = false;
    if (write_res_ == whole && (fsync_res_ == 0 || planted_bug_)) {
      if (acked_ == next_) ++acked_;
      end_offset_ += records_[next_].size();
      ++next_;
      retries_ = 0;
    } else if (++retries_ > max_retries) {
      return Status::fatal("record " + std::to_string(next_) + " failed " +
                           std::to_string(max_retries) + " times");
    }
    return Status::success();
  }

  bool planted_bug_;
  std::unique_ptr<Ring> ring_;
  std::string path_;
  int fd_ = -1;
  std::vector<std::vector<std::byte>> records_;
  std::size_t next_ = 0;   // the record being appended
  std::size_t acked_ = 0;  // records acknowledged durable
  std::uint64_t end_offset_ = 0;
  bool chain_in_flight_ = false;
  int chain_cqes_ = 0;
  std::int32_t write_res_ = 0;
  std::int32_t fsync_res_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t past_ops_ = 0;
  sim::harness::RequestLedger ledger_;
};

}  // namespace

std::unique_ptr<sim::harness::Workload> make_durable_log(bool planted_bug) {
  return std::make_unique<DurableLog>(planted_bug);
}

}  // namespace ringkit::examples
