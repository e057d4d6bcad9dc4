// Runs one differential Program on a conformance Backend (the simulator or the kernel) and records
// what an application could observe: every user_data's CQEs (res, flags, and the bytes a read
// delivered), the provided-buffer ids handed out per batch, the files' final bytes and the bytes
// left unread in each stream.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "conformance_backend.hpp"
#include "program.hpp"
#include "ringkit/abi/cqe.hpp"
#include "ringkit/ops.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::differential {

struct CqeRecord {
  std::int32_t res = 0;
  std::uint32_t flags = 0;
  std::string data;  // reads: the bytes delivered (into the op's buffer or the selected one)
  friend bool operator==(const CqeRecord&, const CqeRecord&) = default;
};

struct Record {
  std::string setup;                    // what failed while setting up ("" when all went well)
  std::vector<std::int64_t> submitted;  // per batch: submit()'s answer
  std::vector<std::size_t> missing;     // per batch: CQEs still missing at the deadline
  std::vector<std::vector<std::uint16_t>> bids;          // per batch: buffer ids handed out, sorted
  std::map<std::uint64_t, std::vector<CqeRecord>> cqes;  // by user_data, in arrival order
  std::vector<std::string> notes;  // anomalies (a buffer id handed out twice...)
  std::vector<std::string> files;
  std::vector<std::string> streams_left;
};

inline std::ostream& operator<<(std::ostream& os, const CqeRecord& c) {
  os << "{res " << c.res << ", flags 0x" << std::hex << c.flags << std::dec;
  if (c.flags & abi::cqe_flag::buffer) os << " (bid " << abi::cqe_buffer_id(c.flags) << ")";
  if (!c.data.empty()) os << ", data \"" << c.data << "\"";
  return os << "}";
}

inline void print_record(const Record& r, std::ostream& os) {
  if (!r.setup.empty()) os << " setup: " << r.setup << "\n";
  for (const auto& [ud, v] : r.cqes) {
    os << "  ud " << ud << ":";
    for (const CqeRecord& c : v) os << " " << c;
    os << "\n";
  }
  for (std::size_t f = 0; f < r.files.size(); ++f)
    os << "  file" << f << " \"" << r.files[f] << "\"\n";
  for (std::size_t s = 0; s < r.streams_left.size(); ++s)
    os << "  " << (s == 0 ? "pipe" : "tcp") << " left \"" << r.streams_left[s] << "\"\n";
  for (const std::string& n : r.notes) os << "  note: " << n << "\n";
}

namespace runner_detail {

// Per op: the memory its SQE points at, which must live until its CQE.
struct OpMemory {
  std::string buffer;
  abi::KernelTimespec ts{};
};

inline abi::Sqe build_sqe(const Op& op, OpMemory& mem, const conformance::FdPair& pipe,
                          const conformance::FdPair& tcp, const std::vector<int>& file_fds) {
  const auto slot_of = [&](std::uint32_t slot) -> op::FileRef {
    return op::FixedFile{op.bad_slot ? bad_slot : slot};
  };
  const op::BufGroup group{buffer_group};
  abi::Sqe sqe{};
  switch (op.kind) {
    case OpKind::nop:
      sqe = op.inject != 0 ? op::Nop().inject_result(op.inject).build() : op::Nop().build();
      break;
    case OpKind::file_read:
    case OpKind::file_write: {
      const op::FileRef file =
          op.fixed ? slot_of(file_slot(op.object)) : op::FileRef(op::Fd{file_fds[op.object]});
      if (op.kind == OpKind::file_write) {
        mem.buffer = op.data;
        sqe = op::Write(file, mem.buffer.data(), static_cast<std::uint32_t>(mem.buffer.size()),
                        op.offset)
                  .build();
      } else if (op.select) {
        sqe = op::Read::select_buffer(file, group, op.len, op.offset).build();
      } else {
        mem.buffer.assign(op.len, '\0');
        sqe = op::Read(file, mem.buffer.data(), op.len, op.offset).build();
      }
      break;
    }
    case OpKind::stream_read:
    case OpKind::stream_write: {
      const bool is_pipe = op.object == 0;
      if (op.kind == OpKind::stream_write) {
        mem.buffer = op.data;
        const auto len = static_cast<std::uint32_t>(mem.buffer.size());
        sqe = is_pipe ? op::Write(op::Fd{pipe.second}, mem.buffer.data(), len, ~0ULL).build()
                      : op::Send(op::Fd{tcp.first}, mem.buffer.data(), len).build();
        break;
      }
      const op::FileRef file = op.fixed ? slot_of(stream_slot(op.object))
                                        : op::FileRef(op::Fd{is_pipe ? pipe.first : tcp.second});
      if (op.select) {
        sqe = is_pipe ? op::Read::select_buffer(file, group, op.len, ~0ULL).build()
                      : op::Recv::select_buffer(file, group, op.len).build();
      } else {
        mem.buffer.assign(op.len, '\0');
        sqe = is_pipe ? op::Read(file, mem.buffer.data(), op.len, ~0ULL).build()
                      : op::Recv(file, mem.buffer.data(), op.len).build();
      }
      break;
    }
    case OpKind::timeout:
    case OpKind::link_timeout:
      mem.ts.tv_sec = op.ms / 1000;
      mem.ts.tv_nsec = static_cast<std::int64_t>(op.ms % 1000) * 1'000'000;
      if (op.kind == OpKind::link_timeout) {
        sqe = op::LinkTimeout(&mem.ts).build();
      } else if (op.count != 0) {
        sqe = op::Timeout(&mem.ts).count(op.count).build();
      } else {
        sqe = op::Timeout(&mem.ts).build();
      }
      break;
    case OpKind::cancel:
      sqe = op::AsyncCancel(op.target).build();
      break;
    case OpKind::timeout_remove:
      sqe = op::TimeoutRemove(op.target).build();
      break;
    case OpKind::poll_multishot:
    case OpKind::read_multishot: {
      const bool is_pipe = op.object == 0;
      const op::FileRef file = op.fixed ? slot_of(stream_slot(op.object))
                                        : op::FileRef(op::Fd{is_pipe ? pipe.first : tcp.second});
      if (op.kind == OpKind::poll_multishot) {
        sqe = op::PollAdd::multishot(file, POLLIN).build();
      } else {
        sqe = is_pipe ? op::ReadMultishot(file, group, ~0ULL).build()
                      : op::Recv::multishot(file, group).build();
      }
      break;
    }
    case OpKind::close:
      if (op.fixed) {
        sqe = op::Close::direct(op::FixedFile{op.bad_slot ? bad_slot : op.object}).build();
      } else {
        sqe = op::Close(op::Fd{file_fds[op.object]}).build();
      }
      break;
  }
  if (op.skip_success) sqe.flags |= abi::sqe_flag::cqe_skip_success;
  if (op.drain) sqe.flags |= abi::sqe_flag::io_drain;
  if (op.link == Link::soft) sqe.flags |= abi::sqe_flag::io_link;
  if (op.link == Link::hard) sqe.flags |= abi::sqe_flag::io_hardlink;
  return sqe;
}

}  // namespace runner_detail

// The kernel's real time limit for one batch (its long timeouts end after 1 s at most); the
// simulator's waits are virtual.
inline constexpr std::chrono::milliseconds batch_deadline{3000};
// The runner's own cancels of multishot ops still armed at the end of their batch.
inline constexpr std::uint64_t runner_cancel_base = 100000;

inline Record run_program(conformance::Backend& backend, const Program& p) {
  Record rec;
  std::vector<int> file_fds;
  for (std::size_t f = 0; f < file_count; ++f) {
    const std::string name = "f" + std::to_string(f);
    file_fds.push_back(backend.create_file(name, p.file_content[f]));
  }
  const conformance::FdPair pipe = backend.make_pipe();
  const conformance::FdPair tcp = backend.tcp_pair();
  if (file_fds[0] < 0 || file_fds[1] < 0 || pipe.first < 0 || tcp.first < 0) {
    rec.setup = "objects";
    return rec;
  }
  if (backend.is_kernel()) {
    // Nagle would hold a small segment back until the previous one is acknowledged (delayed
    // ACKs: up to 40 ms), so a receive could see part of what was sent. The simulator's TCP
    // has no Nagle.
    const int one = 1;
    setsockopt(tcp.first, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(tcp.second, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  RingOptions options;
  options.entries = 64;
  result<std::unique_ptr<Ring>> made = backend.make_ring(options);
  if (!made) {
    rec.setup = "ring: " + made.error().message();
    return rec;
  }
  std::unique_ptr<Ring> ring = std::move(*made);
  if (p.register_files) {
    const int fds[] = {file_fds[0], file_fds[1], pipe.first, tcp.second};
    const result<void> r = ring->register_files(fds);
    if (!r) rec.setup = "register_files: " + r.error().message();
  }
  std::optional<ProvidedBufferRing> buffers;
  if (p.buf_entries != 0) {
    result<ProvidedBufferRing> b = ProvidedBufferRing::create(
        *ring, ProvidedBufferRingOptions{
                   .bgid = buffer_group, .entries = p.buf_entries, .buffer_size = p.buf_size});
    if (!b) {
      rec.setup += "buf_ring: " + b.error().message();
      return rec;
    }
    buffers.emplace(std::move(*b));
  }

  std::array<bool, stream_count> writer_open{true, true};
  const std::array<int, stream_count> writers{pipe.second, tcp.first};
  std::vector<std::uint16_t> app_holds;  // buffer ids taken and not yet recycled
  std::size_t global = 0;
  for (const Batch& batch : p.batches) {
    for (std::size_t s = 0; s < stream_count; ++s) {
      if (writer_open[s] && !batch.feed[s].empty() && !backend.write_fd(writers[s], batch.feed[s]))
        rec.notes.push_back("feed failed");
      if (writer_open[s] && batch.close_writer[s]) {
        backend.close_fd(writers[s]);
        writer_open[s] = false;
      }
    }
    if (batch.recycle && buffers) {
      std::sort(app_holds.begin(), app_holds.end());
      for (const std::uint16_t bid : app_holds) {
        if (!buffers->recycle(bid)) rec.notes.push_back("recycle " + std::to_string(bid));
      }
      app_holds.clear();
    }
    std::vector<runner_detail::OpMemory> memory(batch.ops.size());
    std::map<std::uint64_t, std::size_t> index_of;  // user_data -> op of this batch
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      abi::Sqe sqe = runner_detail::build_sqe(batch.ops[i], memory[i], pipe, tcp, file_fds);
      sqe.user_data = user_data_of(global + i);
      index_of[sqe.user_data] = i;
      if (!ring->push(sqe)) rec.notes.push_back("SQ full");
    }
    const result<std::uint32_t> sub = ring->submit();
    rec.submitted.push_back(sub ? static_cast<std::int64_t>(*sub) : -sub.error().value());
    // A request that fails at init ends the submission there (io_submit_sqes without
    // IORING_SETUP_SUBMIT_ALL); the rest stay in the SQ. Submit them now, as an application
    // would, rather than with whichever later enter happens to run (that depends on timing).
    while (sub && ring->sq_ready() != 0) {
      const result<std::uint32_t> more = ring->submit();
      if (!more || *more == 0) {
        rec.notes.push_back("resubmit stalled");
        break;
      }
      rec.notes.push_back("resubmitted " + std::to_string(*more));  // compared like the rest
    }

    // A batch is over when every op that must post has posted its last CQE (one without
    // F_MORE). An op with CQE_SKIP_SUCCESS completes inside the submit or before a later member
    // of its chain posts (normalize()), so it needs no wait of its own. A multishot op still armed
    // then is cancelled by the runner (user_data runner_cancel_base + its own).
    std::map<std::uint64_t, bool> ended;  // user_data -> its last CQE arrived
    std::vector<std::uint16_t> bids;
    const auto reap = [&] {
      std::uint32_t n = ring->for_each_cqe([&](const abi::Cqe& c) {
        CqeRecord r{c.res, c.flags, {}};
        const auto it = index_of.find(c.user_data);
        if (it != index_of.end() && reads(batch.ops[it->second]) && c.res > 0) {
          const Op& op = batch.ops[it->second];
          if (!op.select) {
            r.data = memory[it->second].buffer.substr(0, static_cast<std::size_t>(c.res));
          }
        }
        if ((c.flags & abi::cqe_flag::buffer) && buffers) {
          const std::uint16_t bid = abi::cqe_buffer_id(c.flags);
          bids.push_back(bid);
          const result<std::span<std::byte>> got = buffers->take(c);
          if (got) {
            r.data.assign(reinterpret_cast<const char*>(got->data()), got->size());
            app_holds.push_back(bid);
          } else {
            rec.notes.push_back("take bid " + std::to_string(bid) + ": " + got.error().message());
          }
        }
        if (!(c.flags & abi::cqe_flag::more)) ended[c.user_data] = true;
        rec.cqes[c.user_data].push_back(std::move(r));
      });
      ring->cq_advance(n);
    };
    // Waits until every one of `uds` ended; returns how many did not by the deadline.
    const auto wait_for = [&](const std::vector<std::uint64_t>& uds) {
      const auto left_open = [&] {
        std::size_t open = 0;
        for (const std::uint64_t ud : uds)
          if (!ended.count(ud)) ++open;
        return open;
      };
      reap();
      const auto deadline = std::chrono::steady_clock::now() + batch_deadline;
      while (left_open() != 0 && std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
            deadline - std::chrono::steady_clock::now());
        const result<std::uint32_t> w = ring->submit_and_wait_timeout(1, left);
        reap();
        // The simulator answers a wait nothing can satisfy with EDEADLK, and its virtual clock
        // passes the deadline at once (ETIME): either way nothing more will come.
        if (!w && w.error().value() != EINTR && left_open() != 0 && !backend.is_kernel()) break;
      }
      return left_open();
    };
    std::vector<std::uint64_t> must_end;
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      if (!batch.ops[i].skip_success && !is_multishot(batch.ops[i]))
        must_end.push_back(user_data_of(global + i));
    }
    std::size_t missing = wait_for(must_end);
    // Task work (a multishot's wakeup, its end of stream) runs when the ring is waited on: one
    // short wait lets it run before the runner decides which multishots are still armed.
    bool armed = false;
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      armed = armed || (is_multishot(batch.ops[i]) && !ended.count(user_data_of(global + i)));
    }
    if (armed) {
      (void)ring->submit_and_wait_timeout(1, std::chrono::milliseconds(1));
      reap();
    }
    std::vector<std::uint64_t> cancels;
    for (std::size_t i = 0; i < batch.ops.size(); ++i) {
      const std::uint64_t ud = user_data_of(global + i);
      if (!is_multishot(batch.ops[i]) || ended.count(ud)) continue;
      abi::Sqe sqe = op::AsyncCancel(ud).build();
      sqe.user_data = runner_cancel_base + ud;
      if (!ring->push(sqe)) rec.notes.push_back("SQ full");
      cancels.push_back(ud);
      cancels.push_back(sqe.user_data);
    }
    if (!cancels.empty()) {
      if (!ring->submit()) rec.notes.push_back("runner cancel submit");
      missing += wait_for(cancels);
    }
    rec.missing.push_back(missing);
    std::sort(bids.begin(), bids.end());
    rec.bids.push_back(std::move(bids));
    global += batch.ops.size();
  }
  {  // CQEs posted after their batch was done (none expected)
    std::uint32_t n = ring->for_each_cqe([&](const abi::Cqe& c) {
      rec.cqes[c.user_data].push_back(CqeRecord{c.res, c.flags, {}});
    });
    ring->cq_advance(n);
  }
  for (std::size_t f = 0; f < file_count; ++f) {
    rec.files.push_back(backend.file_contents("f" + std::to_string(f)));
  }
  rec.streams_left.push_back(backend.read_fd(pipe.first, 4096));
  rec.streams_left.push_back(backend.read_fd(tcp.second, 4096));
  buffers.reset();  // unregisters through the ring, before the ring goes
  ring.reset();
  return rec;
}

}  // namespace ringkit::differential
