// The differential test's program model: a random but kernel-deterministic sequence of io_uring
// operations over a few objects (two regular files, a pipe, a loopback TCP pair, a buffer ring,
// the registered file table), run once on the simulator and once on the kernel.
//
// A program is a list of batches; a batch is fed (bytes written into the streams, writers closed,
// provided buffers recycled) by the harness, then its SQEs are submitted at once and every one of
// their CQEs is awaited before the next batch. Inside a batch, SQEs form link chains (an SQE with
// link or hardlink joins the next one). program_generate.hpp generates programs freely;
// program_normalize.hpp then makes them deterministic on the kernel.
#pragma once

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
