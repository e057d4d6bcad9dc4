// normalize(): makes a freely generated program (program_generate.hpp) deterministic on the
// kernel:
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
//   of this batch (done inline before the cancel runs), TIMEOUTs or multishot ops of this batch. A
//   short TIMEOUT target races its own expiry (see race_pairs()), so only one cancel aims at it; a
//   multishot may be cancelled twice when both cancels run inline (a cancelled poll stays findable
//   until its task work runs after the submit); file writes of this batch are not targets
//   (they may be running in io-wq), nor is anything behind one in its chain (the io-wq worker
//   issues it when the write ends), nor a LINK_TIMEOUT guarding a long TIMEOUT.
// Multishot ops, CQE_SKIP_SUCCESS, IO_DRAIN, counting TIMEOUTs and CLOSE: normalize_features().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "program.hpp"

namespace ringkit::differential {

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
  // Ops an io-wq worker issues whenever it gets to them: behind a file WRITE in their chain, in
  // a chain with a drained member, or submitted at or after a drained op of their batch
  // (io_init_req sets REQ_F_FORCE_ASYNC on every request while ctx->drain_active).
  const auto issued_by_io_wq = [&](std::size_t k) {
    for (std::size_t j = where[k].chain_head; j < k; ++j) {
      if (all[j]->kind == OpKind::file_write) return true;
    }
    for (std::size_t j = 0; j <= k; ++j) {
      if (where[j].batch == where[k].batch && all[j]->drain) return true;
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
    if (where[t].batch != where[i].batch) continue;  // done
    if (t > i) {
      // Not yet submitted when an inline cancel runs; one an io-wq worker issues later may find
      // it or not, by timing.
      if (issued_by_io_wq(i)) op.target = unknown_user_data;
      continue;
    }
    // A target an io-wq worker issues may be found not yet issued (-ENOENT), running (-EALREADY)
    // or queued, by timing; a counting TIMEOUT ends at the submit's flush.
    if (issued_by_io_wq(t) || all[t]->count != 0) {
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

}  // namespace ringkit::differential
