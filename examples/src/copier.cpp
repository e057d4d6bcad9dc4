// The copier: copies a file of seeded bytes through registered buffers, each chunk a linked
// READ_FIXED -> WRITE_FIXED chain (the write starts only when the read completed in full: a short
// read breaks the link and the write ends -ECANCELED). A chunk is done when both moved all its
// bytes; anything else (faults: EIO, ENOSPC, short counts) copies the chunk again.
// Oracle: the destination's bytes equal the source's.
// Planted bug: a short write is taken for a whole one, leaving a hole in the copy.
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <deque>
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

constexpr std::uint32_t chunk_size = 4096;
constexpr std::uint32_t slot_count = 4;  // chains in flight, one registered buffer each
constexpr std::uint64_t max_retries_per_chunk = 10'000;

class Copier final : public sim::harness::Workload {
 public:
  explicit Copier(bool planted_bug) : planted_bug_(planted_bug) {}
  // Requests still in flight (a run that failed part way) point into this object's memory:
  // they end before it goes.
  ~Copier() override {
    if (ring_) (void)sim::harness::cancel_and_drain(*ring_, ledger_, std::chrono::milliseconds(10));
  }

  Status start(Environment& env) override {
    // The program's shape from the decisions (0: one whole chunk), the bytes from the seed.
    sim::DecisionSource& shape = env.decisions();
    const std::uint64_t whole_chunks = shape.between(1, 64);
    const std::uint64_t cut = shape.between(0, chunk_size - 1);
    source_.resize(whole_chunks * chunk_size - cut);
    Prng prng(env.workload_seed() ^ 0xc0b1'e500ULL);
    prng.fill(source_);
    result<std::unique_ptr<Ring>> made = env.make_ring({.entries = 32});
    if (!made) return Status::fatal("ring: " + made.error().message());
    ring_ = std::move(*made);
    Blocking io(*ring_, env);
    src_path_ = env.scratch_dir() + "/copy-source";
    dst_path_ = env.scratch_dir() + "/copy-destination";

    // The source, written by the workload itself so both backends start alike.
    result<int> writer = io.open(src_path_, O_CREAT | O_WRONLY | O_TRUNC);
    if (!writer) return Status::fatal("open " + src_path_ + ": " + writer.error().message());
    if (result<void> w = io.write_all(*writer, source_, 0); !w) {
      return Status::fatal("writing the source: " + w.error().message());
    }
    if (result<void> c = io.close(*writer); !c)
      return Status::fatal("close: " + c.error().message());

    result<int> src = io.open(src_path_, O_RDONLY);
    result<int> dst = io.open(dst_path_, O_CREAT | O_WRONLY | O_TRUNC);
    if (!src || !dst) return Status::fatal("opening the files to copy");
    src_ = *src;
    dst_ = *dst;

    buffers_.resize(std::size_t{slot_count} * chunk_size);
    std::vector<iovec> iov(slot_count);
    for (std::uint32_t i = 0; i < slot_count; ++i) {
      iov[i] = iovec{buffers_.data() + std::size_t{i} * chunk_size, chunk_size};
    }
    if (result<void> r = ring_->register_buffers(iov); !r) {
      return Status::fatal("register_buffers: " + r.error().message());
    }
    const std::size_t chunks = (source_.size() + chunk_size - 1) / chunk_size;
    retries_.assign(chunks, 0);
    for (std::size_t c = 0; c < chunks; ++c) pending_.push_back(c);
    slots_.resize(slot_count);
    return Status::success();
  }

  Status step(Environment& env) override {
    if (!ring_) return Status::success();
    for (std::uint32_t s = 0; s < slot_count && !pending_.empty(); ++s) {
      if (slots_[s].busy) continue;
      if (ring_->sq_space() < 2) break;
      submit_chain(s, pending_.front());
      pending_.pop_front();
    }
    if (ledger_.in_flight() == 0) return Status::success();
    const auto handle = [this](const abi::Cqe& c) { return on_cqe(c); };
    if (Status s = pump_and_reap(*ring_, ledger_, env.step_timeout(), handle); !s.ok()) return s;
    return Status::success();
  }

  [[nodiscard]] bool done() const noexcept override {
    return ring_ != nullptr && chunks_done_ == retries_.size();
  }
  [[nodiscard]] std::uint64_t in_flight() const noexcept override { return ledger_.in_flight(); }
  [[nodiscard]] std::uint64_t ops() const noexcept override { return ledger_.ops(); }

  Status check(Environment& env) override {
    Blocking io(*ring_, env);
    if (result<void> c = io.close(src_); !c) return Status::fatal("close: " + c.error().message());
    if (result<void> c = io.close(dst_); !c) return Status::fatal("close: " + c.error().message());
    result<int> copy = io.open(dst_path_, O_RDONLY);
    if (!copy) return Status::fatal("open the copy: " + copy.error().message());
    result<std::vector<std::byte>> bytes = io.read_all(*copy);
    (void)io.close(*copy);
    if (!bytes) return Status::fatal("reading the copy: " + bytes.error().message());
    if (bytes->size() != source_.size()) {
      return Status::violation("the copy has " + std::to_string(bytes->size()) +
                               " bytes, the source " + std::to_string(source_.size()));
    }
    for (std::size_t i = 0; i < source_.size(); ++i) {
      if ((*bytes)[i] != source_[i]) {
        return Status::violation("the copy differs from the source at byte " + std::to_string(i) +
                                 " (chunk " + std::to_string(i / chunk_size) + ")");
      }
    }
    return Status::success();
  }

 private:
  struct Slot {
    bool busy = false;
    std::size_t chunk = 0;
    std::uint32_t len = 0;
    int seen = 0;  // CQEs of the chain seen (2 ends it)
    std::int32_t read_res = 0;
    std::int32_t write_res = 0;
  };

  // user_data: slot * 2 + 1 for the read, + 2 for the write (never 0).
  void submit_chain(std::uint32_t s, std::size_t chunk) {
    Slot& slot = slots_[s];
    const std::uint64_t offset = std::uint64_t{chunk} * chunk_size;
    const std::uint64_t left = source_.size() - offset;
    slot = Slot{.busy = true,
                .chunk = chunk,
                .len = static_cast<std::uint32_t>(left < chunk_size ? left : chunk_size)};
    std::byte* buf = buffers_.data() + std::size_t{s} * chunk_size;
    abi::Sqe read = op::ReadFixed(op::Fd{src_}, buf, slot.len, offset,
                                  op::BufIndex{static_cast<std::uint16_t>(s)})
                        .build();
    read.flags |= abi::sqe_flag::io_link;
    read.user_data = std::uint64_t{s} * 2 + 1;
    abi::Sqe write = op::WriteFixed(op::Fd{dst_}, buf, slot.len, offset,
                                    op::BufIndex{static_cast<std::uint16_t>(s)})
                         .build();
    write.user_data = std::uint64_t{s} * 2 + 2;
    (void)ring_->push(read);
    (void)ring_->push(write);
    ledger_.submitted(2);
  }

  Status on_cqe(const abi::Cqe& c) {
    if (c.user_data == 0 || c.user_data > std::uint64_t{slot_count} * 2) {
      return Status::fatal("a CQE nobody asked for: user_data " + std::to_string(c.user_data));
    }
    const std::uint64_t s = (c.user_data - 1) / 2;
    Slot& slot = slots_[s];
    const bool is_read = (c.user_data - 1) % 2 == 0;
    (is_read ? slot.read_res : slot.write_res) = c.res;
    // Errors the faults inject, and -ECANCELED for a write whose read fell short.
    if (c.res < 0 && !injected_io_error(c.res) && c.res != -ECANCELED) {
      return Status::fatal(std::string(is_read ? "read" : "write") + " of chunk " +
                           std::to_string(slot.chunk) + ": " + describe_res(c.res));
    }
    if (++slot.seen < 2) return Status::success();
    const auto whole = static_cast<std::int32_t>(slot.len);
    const bool copied =
        slot.read_res == whole && (slot.write_res == whole || (planted_bug_ && slot.write_res > 0));
    slot.busy = false;
    if (copied) {
      ++chunks_done_;
      return Status::success();
    }
    if (++retries_[slot.chunk] > max_retries_per_chunk) {
      return Status::fatal("chunk " + std::to_string(slot.chunk) + " failed " +
                           std::to_string(max_retries_per_chunk) + " times");
    }
    pending_.push_back(slot.chunk);
    return Status::success();
  }

  bool planted_bug_;
  std::unique_ptr<Ring> ring_;
  std::vector<std::byte> source_;
  std::vector<std::byte> buffers_;
  std::string src_path_;
  std::string dst_path_;
  int src_ = -1;
  int dst_ = -1;
  std::vector<Slot> slots_;
  std::deque<std::size_t> pending_;
  std::vector<std::uint64_t> retries_;
  std::size_t chunks_done_ = 0;
  sim::harness::RequestLedger ledger_;
};

}  // namespace

std::unique_ptr<sim::harness::Workload> make_copier(bool planted_bug) {
  return std::make_unique<Copier>(planted_bug);
}

}  // namespace ringkit::examples
