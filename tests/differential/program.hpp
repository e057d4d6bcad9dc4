// The differential test's program model: a random but kernel-deterministic sequence of io_uring
// operations over a few objects (two regular files, a pipe, a loopback TCP pair, a buffer ring,
// the registered file table), run once on the simulator and once on the kernel.
//
// A program is a list of batches; a batch is fed (bytes written into the streams, writers closed,
// provided buffers recycled) by the harness, then its SQEs are submitted at once and every one of
// their CQEs is awaited before the next batch. Inside a batch, SQEs form link chains (an SQE with
// link or hardlink joins the next one). Generation is free; normalize() then makes the program
// deterministic on the kernel:
// - objects: every op touching a file, a stream or the buffer ring sits in ONE chain of its batch,
//   so the order of accesses is the chain's (two chains are ordered only by timing);
// - no read can block: the bytes fed before a stream read must exceed what every earlier read of
//   that stream could take at most (so one byte is left), unless the writer is closed (EOF);
//   otherwise the batch's feed is extended;
// - timeouts are "short" (1-3 ms, they fire) or "long" (1 s, they must be ended early): a long
//   TIMEOUT is kept only when a short LINK_TIMEOUT follows it or a later chain of its batch starts
//   with a cancel of it; a LINK_TIMEOUT after a short TIMEOUT is long, after a long one short, and
//   after anything else long (never firing first: the op may run in io-wq for a while);
// - cancels target: requests of earlier batches (done: -ENOENT), unknown user_data, NOPs and reads
//   of this batch (done inline before the cancel runs), or TIMEOUTs of this batch. A short TIMEOUT
//   target races its own expiry (see race_pairs()); file writes of this batch are not targets
//   (they may be running in io-wq), nor is anything behind one in its chain (the io-wq worker
//   issues it when the write ends), nor a LINK_TIMEOUT guarding a long TIMEOUT.
// Multishot ops, CQE_SKIP_SUCCESS, IO_DRAIN, counting TIMEOUTs and CLOSE: normalize_features().
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace ringkit::differential {

enum class OpKind : std::uint8_t {
  nop,           // NOP, possibly with an injected result
  file_read,     // READ at an offset of file `object`
  file_write,    // WRITE at an offset of file `object`
  stream_read,   // READ of the pipe (object 0) or RECV of the TCP server side (object 1)
  stream_write,  // WRITE into the pipe or SEND from the TCP client side
  timeout,       // TIMEOUT, relative
  link_timeout,  // LINK_TIMEOUT of the previous SQE of the chain
  cancel,        // ASYNC_CANCEL by user_data
  timeout_remove,
  poll_multishot,  // POLL_ADD multishot (POLLIN) on the pipe reader (object 0) or the TCP server
                   // (1)
  read_multishot,  // READ_MULTISHOT of the pipe (object 0) or RECV multishot of the TCP server (1)
  close,           // CLOSE of file `object`'s fd, or with `fixed` of registered slot `object` (0-3)
};

enum class Link : std::uint8_t { none, soft, hard };

inline constexpr std::uint32_t long_timeout_ms = 1000;
inline constexpr std::uint16_t buffer_group = 7;
// user_data of op i (0-based over the whole program) is i + 1; these never name a request.
inline constexpr std::uint64_t unknown_user_data = 1000;
inline constexpr std::size_t file_count = 2;
inline constexpr std::size_t stream_count = 2;  // 0: pipe, 1: TCP (client writes, server reads)

struct Op {
  OpKind kind = OpKind::nop;
  Link link = Link::none;  // joins the next op of the batch
  std::uint8_t object = 0;
  std::uint32_t offset = 0;
  std::uint32_t len = 0;  // reads: bytes asked (0 with select: the whole buffer)
  std::string data;       // writes
  bool fixed = false;     // IOSQE_FIXED_FILE: the object's registered slot
  bool bad_slot = false;  // with fixed: a slot past the table
  bool select = false;    // reads: IOSQE_BUFFER_SELECT from the buffer ring
  bool long_timeout = false;
  std::uint32_t ms = 1;       // timeouts: the duration (normalize() sets it from the class)
  std::uint64_t target = 0;   // cancels: the user_data to cancel
  std::int32_t inject = 0;    // nop: the injected result (0: none)
  std::uint32_t count = 0;    // timeout: completes after this many other CQEs (0: by time only)
  bool skip_success = false;  // IOSQE_CQE_SKIP_SUCCESS
  bool drain = false;         // IOSQE_IO_DRAIN
};

struct Batch {
  std::array<std::string, stream_count> feed;     // written by the harness before submitting
  std::array<bool, stream_count> close_writer{};  // then the writer is closed (EOF)
  bool recycle = false;  // the buffers the application holds go back to the ring first
  std::vector<Op> ops;
};

struct Program {
  std::array<std::string, file_count> file_content;
  bool register_files = false;    // slots: file 0, file 1, pipe reader, TCP server side
  std::uint32_t buf_entries = 0;  // 0: no buffer ring
  std::uint32_t buf_size = 8;
  std::vector<Batch> batches;
};

// Registered slot of each object; bad slots are past the table.
inline constexpr std::uint32_t file_slot(int file) { return static_cast<std::uint32_t>(file); }
inline constexpr std::uint32_t stream_slot(int stream) {
  return static_cast<std::uint32_t>(2 + stream);
}
inline constexpr std::uint32_t bad_slot = 9;

inline std::uint64_t user_data_of(std::size_t global_index) { return global_index + 1; }

inline const char* kind_name(OpKind k) {
  switch (k) {
    case OpKind::nop:
      return "nop";
    case OpKind::file_read:
      return "file_read";
    case OpKind::file_write:
      return "file_write";
    case OpKind::stream_read:
      return "stream_read";
    case OpKind::stream_write:
      return "stream_write";
    case OpKind::timeout:
      return "timeout";
    case OpKind::link_timeout:
      return "link_timeout";
    case OpKind::cancel:
      return "cancel";
    case OpKind::timeout_remove:
      return "timeout_remove";
    case OpKind::poll_multishot:
      return "poll_multishot";
    case OpKind::read_multishot:
      return "read_multishot";
    case OpKind::close:
      return "close";
  }
  return "?";
}

inline bool touches_file(const Op& op) {
  return op.kind == OpKind::file_read || op.kind == OpKind::file_write;
}
inline bool is_multishot(const Op& op) {
  return op.kind == OpKind::poll_multishot || op.kind == OpKind::read_multishot;
}
inline bool touches_stream(const Op& op) {
  return op.kind == OpKind::stream_read || op.kind == OpKind::stream_write || is_multishot(op);
}
inline bool is_cancel(const Op& op) {
  return op.kind == OpKind::cancel || op.kind == OpKind::timeout_remove;
}
inline bool reads(const Op& op) {
  return op.kind == OpKind::file_read || op.kind == OpKind::stream_read;
}
// Takes provided buffers from the ring.
inline bool selects(const Op& op) {
  return (reads(op) && op.select) || op.kind == OpKind::read_multishot;
}

// What an op touches, for the one-chain-per-object rule: files 0-1, streams 10-11, the buffer
// ring 20. A CLOSE of a registered slot touches the object in it (slots 2, 3: the streams).
inline std::vector<int> object_keys(const Op& op) {
  std::vector<int> keys;
  if (touches_file(op)) keys.push_back(op.object);
  if (touches_stream(op)) keys.push_back(10 + op.object);
  if (selects(op)) keys.push_back(20);
  if (op.kind == OpKind::close && !op.bad_slot) {
    keys.push_back(op.object < file_count ? op.object
                                          : 10 + op.object - static_cast<int>(file_count));
  }
  return keys;
}
// Ops that complete inside the submit that issues them (no io-wq, no waiting).
inline bool completes_inline(const Op& op) {
  return op.kind == OpKind::nop || reads(op) || is_cancel(op) || op.kind == OpKind::close;
}

// Where each op of a program sits: its batch, its chain (index of the chain's first op, global)
// and its position in the chain.
struct Place {
  std::size_t batch = 0;
  std::size_t chain_head = 0;
  std::size_t position = 0;
};
inline std::vector<Place> places(const Program& p) {
  std::vector<Place> out;
  std::size_t global = 0;
  for (std::size_t b = 0; b < p.batches.size(); ++b) {
    std::size_t head = global;
    std::size_t pos = 0;
    for (const Op& op : p.batches[b].ops) {
      out.push_back({b, head, pos});
      ++global;
      ++pos;
      if (op.link == Link::none) {
        head = global;
        pos = 0;
      }
    }
  }
  return out;
}

inline std::vector<const Op*> flat_ops(const Program& p) {
  std::vector<const Op*> out;
  for (const Batch& b : p.batches)
    for (const Op& op : b.ops) out.push_back(&op);
  return out;
}

// Cancels whose outcome the kernel does not fix: cancel user_data -> target user_data (a short
// TIMEOUT of the same batch, which may expire before the cancel runs).
inline std::map<std::uint64_t, std::uint64_t> race_pairs(const Program& p) {
  std::map<std::uint64_t, std::uint64_t> out;
  const std::vector<const Op*> ops = flat_ops(p);
  const std::vector<Place> where = places(p);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!is_cancel(*ops[i]) || ops[i]->target == 0 || ops[i]->target > i) continue;
    const std::size_t t = ops[i]->target - 1;
    if (where[t].batch == where[i].batch && ops[t]->kind == OpKind::timeout &&
        !ops[t]->long_timeout) {
      out[user_data_of(i)] = ops[i]->target;
    }
  }
  return out;
}

// A NOP in the place of an op normalize() cannot keep (same link).
inline Op make_nop(Link link) {
  Op op;
  op.link = link;
  return op;
}

// The rules for multishot ops, IOSQE_CQE_SKIP_SUCCESS, IOSQE_IO_DRAIN, counting TIMEOUTs and
// CLOSE (normalize() runs this first; it may append NOPs, so it runs before anything points into
// the batches):
// - a multishot op is a chain of its own and owns its stream (and the buffer ring, when it reads)
//   for its batch: its CQE count depends on the wakeups it sees, and two writes before its task
//   work runs make one wakeup. The runner cancels it at the end of the batch if still armed.
// - a counting TIMEOUT (count > 0) heads its chain, lasts 1 s, and `count` plain NOPs are
//   appended to its batch, so the count is reached in the submit that arms it (res 0); it is not
//   a cancel target of its batch (the kernel flushes the batch's inline CQEs, which reach the
//   count, only at the end of the submit: an implementation detail).
// - CQE_SKIP_SUCCESS: never on timeouts or multishot ops (they end by failing, or stay armed).
//   An op that may post no CQE must be followed in its chain by one that posts, or complete
//   inside the submit, so the runner knows when the batch is over without a drain fence (which
//   the ring refuses once a request skipped: ctx->drain_disabled).
// - IOSQE_IO_DRAIN: only in the last batch (below), not in a batch with a multishot op or a
//   counting TIMEOUT (either would hold
//   the drain), and long TIMEOUTs of a draining batch are short (a cancel queued behind the
//   drain cannot end them early).
inline bool drained_chain(const std::vector<Op>& ops, std::size_t head) {
  // Drain on a member (not the head) forces the head, so the whole chain, to io-wq
  // (io_init_drain: REQ_F_FORCE_ASYNC).
  for (std::size_t j = head; j < ops.size(); ++j) {
    if (j > head && ops[j].drain) return true;
    if (ops[j].link == Link::none) break;
  }
  return false;
}

inline void normalize_features(Program& p) {
  for (Batch& b : p.batches) {
    // IOSQE_IO_DRAIN only in the last batch: after a drain the kernel keeps ctx->drain_active
    // until a request finds nothing deferred, and until then every request waits for all in
    // flight (io_queue_deferred), an armed multishot included (the runner's cancel of it too).
    if (&b != &p.batches.back()) {
      for (Op& op : b.ops) op.drain = false;
    }
    std::vector<Op>& ops = b.ops;
    if (!ops.empty()) ops.back().link = Link::none;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      Op& op = ops[i];
      if (op.kind != OpKind::timeout) op.count = 0;
      if (op.kind == OpKind::close) {
        // Plain: the fd of file 0 or 1; fixed: slots 0-3 (files, pipe reader, TCP server).
        op.object = static_cast<std::uint8_t>(op.object % (op.fixed ? 4 : file_count));
        op.select = false;
      }
      if (is_multishot(op)) {
        op.link = Link::none;
        if (i > 0) ops[i - 1].link = Link::none;
        op.skip_success = false;
        op.drain = false;
        op.select = op.kind == OpKind::read_multishot;
      }
      if (op.kind == OpKind::timeout || op.kind == OpKind::link_timeout) op.skip_success = false;
      // A drained LINK_TIMEOUT member was seen to leave the next batch's requests deferred for
      // good on 6.18; not generated.
      if (op.kind == OpKind::link_timeout) op.drain = false;
    }
    // Chain heads, now that multishot ops stand alone.
    std::vector<std::size_t> head_of(ops.size());
    for (std::size_t i = 0, head = 0; i < ops.size(); ++i) {
      head_of[i] = head;
      if (ops[i].link == Link::none) head = i + 1;
    }
    // Multishot ops own their keys.
    std::map<int, std::size_t> owned;  // key -> the multishot op
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (!is_multishot(ops[i])) continue;
      bool free = true;
      for (const int k : object_keys(ops[i])) free = free && !owned.count(k);
      if (!free) {
        ops[i] = make_nop(Link::none);
        continue;
      }
      for (const int k : object_keys(ops[i])) owned[k] = i;
    }
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (is_multishot(ops[i])) continue;
      for (const int k : object_keys(ops[i])) {
        if (owned.count(k)) {
          ops[i] = make_nop(ops[i].link);
          break;
        }
      }
    }
    bool holds_drain = !owned.empty();
    std::uint32_t appended = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      Op& op = ops[i];
      if (op.count == 0) continue;
      if (head_of[i] != i) {
        op.count = 0;
        continue;
      }
      op.long_timeout = true;
      holds_drain = true;
      appended += op.count;
    }
    for (std::uint32_t n = 0; n < appended; ++n) ops.push_back(make_nop(Link::none));
    head_of.resize(ops.size());
    for (std::size_t i = ops.size() - appended; i < ops.size(); ++i) head_of[i] = i;
    // A drain the ring refuses (a request skipped before, or this one skips: ctx->drain_disabled,
    // -EOPNOTSUPP at init) fails its chain at submit, a LINK_TIMEOUT guarding its head included
    // (known_divergences_test.cpp, InitFailedChainPostsItsLinkTimeout): all generated.
    bool draining = false;
    for (Op& op : ops) {
      if (holds_drain) op.drain = false;
      draining = draining || op.drain;
    }
    if (draining) {
      for (Op& op : ops) {
        if (op.kind == OpKind::timeout && op.count == 0) op.long_timeout = false;
      }
    }
    // Skip-success ops that might end the batch unseen.
    bool drain_before = false;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      Op& op = ops[i];
      drain_before = drain_before || op.drain;
      if (!op.skip_success || op.link != Link::none) continue;
      bool inline_chain = !drain_before;
      for (std::size_t j = head_of[i]; j <= i; ++j) {
        inline_chain = inline_chain && completes_inline(ops[j]) && !ops[j].drain;
      }
      if (!inline_chain) op.skip_success = false;
    }
  }
}

// Makes a generated program deterministic on the kernel (the rules at the top of this file).
inline Program normalize(Program p) {
  normalize_features(p);
  std::vector<Op*> all;
  for (Batch& b : p.batches)
    for (Op& op : b.ops) all.push_back(&op);
  // Chains end at the batch's end; a short TIMEOUT's duration comes from ms (1-3).
  for (Batch& b : p.batches) {
    if (!b.ops.empty()) b.ops.back().link = Link::none;
  }
  for (Op* op : all) {
    if (op->kind == OpKind::timeout || op->kind == OpKind::link_timeout) {
      op->ms = op->long_timeout ? long_timeout_ms : 1 + op->ms % 3;
    }
    if (op->kind != OpKind::timeout && op->kind != OpKind::link_timeout) op->long_timeout = false;
  }
  std::vector<Place> where = places(p);
  // One chain per object per batch; the buffer ring counts as an object.
  {
    std::size_t global = 0;
    for (Batch& b : p.batches) {
      std::map<int, std::size_t> owner;  // object key -> chain head
      for (Op& op : b.ops) {
        const std::size_t head = where[global].chain_head;
        const std::vector<int> keys = object_keys(op);
        bool conflict = false;
        for (const int k : keys) {
          const auto it = owner.find(k);
          if (it != owner.end() && it->second != head) conflict = true;
        }
        if (conflict) {
          op = make_nop(op.link);
        } else {
          for (const int k : keys) owner[k] = head;
        }
        ++global;
      }
    }
  }
  // Streams: reads never block, writes never follow a close. balance = bytes fed minus the most
  // every read so far could have taken: a read needs balance >= 1 (at least one byte left even if
  // every earlier read took its maximum), else the batch's feed grows (fed bytes come first).
  {
    std::array<std::int64_t, stream_count> balance{};
    std::array<bool, stream_count> closed{};
    for (Batch& b : p.batches) {
      for (std::size_t s = 0; s < stream_count; ++s) {
        if (closed[s]) b.feed[s].clear();
        balance[s] += static_cast<std::int64_t>(b.feed[s].size());
      }
      for (Op& op : b.ops) {
        if (!touches_stream(op)) continue;
        const std::size_t s = op.object;
        if (op.kind == OpKind::stream_write && (closed[s] || b.close_writer[s])) {
          op = make_nop(op.link);
          continue;
        }
        if (op.kind == OpKind::read_multishot) {
          // It may take everything the buffer ring holds.
          balance[s] -= static_cast<std::int64_t>(p.buf_entries) * p.buf_size;
          continue;
        }
        if (op.kind != OpKind::stream_read) continue;
        if (!op.select && op.len == 0) op.len = 1;  // a 0-byte plain read proves nothing
        const std::int64_t most =
            op.select ? (op.len == 0 || op.len > p.buf_size ? p.buf_size : op.len) : op.len;
        if (!closed[s] && !b.close_writer[s] && balance[s] < 1) {
          const auto extra = static_cast<std::size_t>(1 - balance[s]);
          b.feed[s] += std::string(extra, static_cast<char>('k' + s));
          balance[s] = 1;
        }
        balance[s] -= most;
      }
      // A RECV that selects a buffer and finds EOF (res 0) keeps its buffer (F_BUFFER) when it
      // ran in io-wq (the buffer was committed when selected: io_ring_buffer_select with
      // IO_URING_F_UNLOCKED), and recycles it when it ran in the submitter. Behind a file WRITE
      // (ext4 buffered writes go to io-wq, and the worker runs the next link itself) it runs in
      // io-wq; the simulator has no io-wq. So no such RECV once the TCP writer may be closed.
      const bool tcp_may_eof = closed[1] || b.close_writer[1];
      bool chain_wrote = false;
      for (std::size_t i = 0, head = 0; i < b.ops.size(); ++i) {
        Op& op = b.ops[i];
        // A chain with a drained member runs in io-wq from its head on.
        if (op.kind == OpKind::file_write || (i == head && drained_chain(b.ops, head)))
          chain_wrote = true;
        if (tcp_may_eof && chain_wrote && op.kind == OpKind::stream_read && op.object == 1 &&
            op.select) {
          op.select = false;
          if (op.len == 0) op.len = 1;
        }
        if (op.link == Link::none) {
          chain_wrote = false;
          head = i + 1;
        }
      }
      for (std::size_t s = 0; s < stream_count; ++s) closed[s] = closed[s] || b.close_writer[s];
    }
  }
  // Cancel targets, then long timeouts without a guard become short.
  where = places(p);
  // Ops an io-wq worker issues whenever it gets to them: behind a file WRITE in their chain, or
  // in a chain with a drained member.
  const auto issued_by_io_wq = [&](std::size_t k) {
    for (std::size_t j = where[k].chain_head; j < k; ++j) {
      if (all[j]->kind == OpKind::file_write) return true;
    }
    for (std::size_t j = where[k].chain_head;
         j < all.size() && where[j].chain_head == where[k].chain_head; ++j) {
      if (j > where[k].chain_head && all[j]->drain) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < all.size(); ++i) {
    Op& op = *all[i];
    if (!is_cancel(op)) continue;
    if (op.target == 0 || op.target > all.size()) {
      op.target = unknown_user_data;
      continue;
    }
    const std::size_t t = op.target - 1;
    if (where[t].batch != where[i].batch || t > i) continue;  // done, or not yet submitted
    // A member behind a file WRITE is issued by the io-wq worker that ran the WRITE, whenever
    // that ends: the cancel may find it not yet issued (-ENOENT), running (-EALREADY) or queued.
    bool behind_write = false;
    for (std::size_t j = where[t].chain_head; j < t; ++j) {
      if (all[j]->kind == OpKind::file_write) behind_write = true;
    }
    // A chain with a drained member runs in io-wq; a counting TIMEOUT ends at the submit's flush.
    for (std::size_t j = where[t].chain_head;
         j < all.size() && where[j].chain_head == where[t].chain_head; ++j) {
      if (j > where[t].chain_head && all[j]->drain) behind_write = true;
    }
    if (all[t]->count != 0) behind_write = true;
    if (behind_write) {
      op.target = unknown_user_data;
      continue;
    }
    const Op& target = *all[t];
    bool allowed = target.kind == OpKind::nop || reads(target) || target.kind == OpKind::timeout ||
                   target.kind == OpKind::close || is_multishot(target);
    if (target.kind == OpKind::link_timeout) {
      // Not a guard of a long TIMEOUT (cancelling the guard would leave it waiting 1 s).
      allowed = !(t > 0 && where[t].position > 0 && all[t - 1]->kind == OpKind::timeout &&
                  all[t - 1]->long_timeout);
    }
    // A short TIMEOUT races its cancel: only one cancel may aim at it. A cancelled multishot
    // stays findable until its task work runs after the submit, so a second cancel of it is
    // deterministic only when both run inline in the submit (both answer 0).
    if (allowed && target.kind == OpKind::timeout && !target.long_timeout) {
      for (std::size_t j = 0; j < i; ++j) {
        if (is_cancel(*all[j]) && all[j]->target == op.target) allowed = false;
      }
    }
    if (allowed && is_multishot(target)) {
      for (std::size_t j = 0; j < i; ++j) {
        if (is_cancel(*all[j]) && all[j]->target == op.target &&
            (issued_by_io_wq(i) || issued_by_io_wq(j)))
          allowed = false;
      }
    }
    if (!allowed) op.target = unknown_user_data;
  }
  // LINK_TIMEOUT classes; then long TIMEOUTs need a guard.
  for (std::size_t i = 0; i < all.size(); ++i) {
    Op& op = *all[i];
    if (op.kind != OpKind::link_timeout) continue;
    const bool after_timeout = where[i].position > 0 && all[i - 1]->kind == OpKind::timeout;
    op.long_timeout = !(after_timeout && all[i - 1]->long_timeout && all[i - 1]->count == 0);
    op.ms = op.long_timeout ? long_timeout_ms : 1 + op.ms % 3;
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    Op& op = *all[i];
    if (op.kind != OpKind::timeout || !op.long_timeout || op.count != 0) continue;
    bool guarded = op.link != Link::none && i + 1 < all.size() &&
                   all[i + 1]->kind == OpKind::link_timeout && !all[i + 1]->long_timeout;
    if (where[i].position == 0) {
      for (std::size_t j = i + 1; j < all.size() && where[j].batch == where[i].batch; ++j) {
        if (is_cancel(*all[j]) && where[j].position == 0 && all[j]->target == user_data_of(i))
          guarded = true;
      }
    }
    if (!guarded) {
      op.long_timeout = false;
      op.ms = 3;
      // Its LINK_TIMEOUT (if any) was long because this was long... it stays long (after a short
      // TIMEOUT a LINK_TIMEOUT is long).
    }
  }
  // A cancel that was a long TIMEOUT's only guard may now aim at a short one: keep one per target.
  for (std::size_t i = 0; i < all.size(); ++i) {
    Op& op = *all[i];
    if (!is_cancel(op) || op.target == unknown_user_data) continue;
    const std::size_t t = op.target - 1;
    if (where[t].batch != where[i].batch || t > i) continue;
    if (all[t]->kind == OpKind::timeout && !all[t]->long_timeout) {
      for (std::size_t j = 0; j < i; ++j) {
        if (is_cancel(*all[j]) && all[j]->target == op.target) op.target = unknown_user_data;
      }
    }
  }
  return p;
}

// ---- generation -------------------------------------------------------------------------------

inline rc::Gen<std::string> gen_bytes(std::size_t min, std::size_t max) {
  return rc::gen::container<std::string>(*rc::gen::inRange<std::size_t>(min, max + 1),
                                         rc::gen::inRange('a', 'j'));
}

inline rc::Gen<Op> gen_op() {
  return rc::gen::exec([] {
    Op op;
    op.kind = *rc::gen::weightedElement<OpKind>({{2, OpKind::nop},
                                                 {4, OpKind::file_read},
                                                 {3, OpKind::file_write},
                                                 {4, OpKind::stream_read},
                                                 {2, OpKind::stream_write},
                                                 {2, OpKind::timeout},
                                                 {2, OpKind::link_timeout},
                                                 {2, OpKind::cancel},
                                                 {1, OpKind::timeout_remove},
                                                 {2, OpKind::poll_multishot},
                                                 {3, OpKind::read_multishot},
                                                 {2, OpKind::close}});
    op.link = *rc::gen::weightedElement<Link>({{3, Link::none}, {2, Link::soft}, {1, Link::hard}});
    op.skip_success = *rc::gen::weightedElement<bool>({{5, false}, {1, true}});
    op.drain = *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
    switch (op.kind) {
      case OpKind::nop:
        op.inject = *rc::gen::element<std::int32_t>(0, 0, -EIO, 3);
        break;
      case OpKind::file_read:
      case OpKind::file_write:
        op.object = *rc::gen::inRange<std::uint8_t>(0, file_count);
        op.offset = *rc::gen::inRange<std::uint32_t>(0, 40);
        if (op.kind == OpKind::file_read) {
          op.len = *rc::gen::inRange<std::uint32_t>(0, 24);
          op.select = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        } else {
          op.data = *gen_bytes(1, 12);
        }
        op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
      case OpKind::stream_read:
      case OpKind::stream_write:
        op.object = *rc::gen::inRange<std::uint8_t>(0, stream_count);
        if (op.kind == OpKind::stream_read) {
          op.len = *rc::gen::inRange<std::uint32_t>(0, 24);
          op.select = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
          op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
          op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        } else {
          op.data = *gen_bytes(1, 12);
        }
        break;
      case OpKind::timeout:
      case OpKind::link_timeout:
        op.long_timeout = *rc::gen::arbitrary<bool>();
        op.ms = *rc::gen::inRange<std::uint32_t>(0, 3);
        if (op.kind == OpKind::timeout) {
          op.count = *rc::gen::weightedElement<std::uint32_t>({{4, 0}, {1, 1}, {1, 2}, {1, 3}});
        }
        break;
      case OpKind::cancel:
      case OpKind::timeout_remove:
        // A user_data of the program (earlier or later), or one past it (unknown).
        op.target = *rc::gen::inRange<std::uint64_t>(0, 24);
        break;
      case OpKind::poll_multishot:
      case OpKind::read_multishot:
        op.object = *rc::gen::inRange<std::uint8_t>(0, stream_count);
        op.fixed = *rc::gen::weightedElement<bool>({{2, false}, {1, true}});
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
      case OpKind::close:
        op.fixed = *rc::gen::arbitrary<bool>();
        op.object = *rc::gen::inRange<std::uint8_t>(0, 4);
        op.bad_slot = op.fixed && *rc::gen::weightedElement<bool>({{9, false}, {1, true}});
        break;
    }
    return op;
  });
}

// Containers (not loops) so that shrinking can drop any op or batch, not only the last ones.
inline rc::Gen<Batch> gen_batch() {
  return rc::gen::exec([] {
    Batch batch;
    for (auto& f : batch.feed) {
      f = *rc::gen::weightedElement<bool>({{1, false}, {1, true}}) ? *gen_bytes(1, 16)
                                                                   : std::string();
    }
    for (auto& c : batch.close_writer) {
      c = *rc::gen::weightedElement<bool>({{7, false}, {1, true}});
    }
    batch.recycle = *rc::gen::arbitrary<bool>();
    batch.ops =
        *rc::gen::resize(8, rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(gen_op())));
    return batch;
  });
}

inline rc::Gen<Program> gen_program() {
  return rc::gen::map(rc::gen::exec([] {
                        Program p;
                        for (auto& c : p.file_content) c = *gen_bytes(0, 24);
                        p.register_files = *rc::gen::weightedElement<bool>({{1, false}, {3, true}});
                        p.buf_entries = *rc::gen::element<std::uint32_t>(0, 1, 2, 4, 8);
                        p.buf_size = *rc::gen::element<std::uint32_t>(4, 8, 16);
                        p.batches = *rc::gen::resize(
                            4,
                            rc::gen::nonEmpty(rc::gen::container<std::vector<Batch>>(gen_batch())));
                        return p;
                      }),
                      [](Program p) { return normalize(std::move(p)); });
}

// ---- printing (rapidcheck's showValue finds these by ADL) -------------------------------------

inline void showValue(const Op& op, std::ostream& os) {
  os << kind_name(op.kind);
  switch (op.kind) {
    case OpKind::nop:
      if (op.inject != 0) os << " inject=" << op.inject;
      break;
    case OpKind::file_read:
    case OpKind::file_write:
      os << " file" << int{op.object} << " off=" << op.offset;
      break;
    case OpKind::stream_read:
    case OpKind::stream_write:
    case OpKind::poll_multishot:
    case OpKind::read_multishot:
      os << (op.object == 0 ? " pipe" : " tcp");
      break;
    case OpKind::timeout:
    case OpKind::link_timeout:
      os << " " << op.ms << "ms" << (op.long_timeout ? "(long)" : "");
      if (op.count != 0) os << " count=" << op.count;
      break;
    case OpKind::close:
      os << (op.fixed ? " slot " : " file") << int{op.object};
      break;
    case OpKind::cancel:
    case OpKind::timeout_remove:
      os << " target=" << op.target;
      break;
  }
  if (reads(op)) os << " len=" << op.len << (op.select ? " select" : "");
  if (op.kind == OpKind::file_write || op.kind == OpKind::stream_write) {
    os << " data=\"" << op.data << "\"";
  }
  if (op.fixed) os << (op.bad_slot ? " fixed(bad slot)" : " fixed");
  if (op.skip_success) os << " skip_success";
  if (op.drain) os << " drain";
  if (op.link == Link::soft) os << " ->link";
  if (op.link == Link::hard) os << " ->hardlink";
}

inline void showValue(const Program& p, std::ostream& os) {
  os << "Program{files=[\"" << p.file_content[0] << "\", \"" << p.file_content[1] << "\"]"
     << (p.register_files ? " registered" : " unregistered") << " buf_ring=";
  if (p.buf_entries == 0) {
    os << "none";
  } else {
    os << p.buf_entries << "x" << p.buf_size;
  }
  os << "\n";
  std::size_t global = 0;
  for (std::size_t b = 0; b < p.batches.size(); ++b) {
    const Batch& batch = p.batches[b];
    os << " batch " << b << ":";
    for (std::size_t s = 0; s < stream_count; ++s) {
      if (!batch.feed[s].empty()) os << (s == 0 ? " feed pipe " : " feed tcp ") << batch.feed[s];
      if (batch.close_writer[s]) os << (s == 0 ? " close pipe writer" : " close tcp client");
    }
    if (batch.recycle) os << " recycle";
    os << "\n";
    for (const Op& op : batch.ops) {
      os << "  ud " << user_data_of(global++) << ": ";
      showValue(op, os);
      os << "\n";
    }
  }
  os << "}";
}

inline std::ostream& operator<<(std::ostream& os, const Program& p) {
  showValue(p, os);
  return os;
}

}  // namespace ringkit::differential
