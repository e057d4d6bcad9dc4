// File-system family, pipe plumbing: SPLICE and TEE (io_uring/splice.c, fs/splice.c do_splice,
// do_tee, Linux 6.18).
//
// Both run in io-wq in the kernel (REQ_F_FORCE_ASYNC), blocking: a splice that must wait for
// data in its input pipe, room in its output pipe, or a socket parks on that file and runs
// again when it is ready, unless SPLICE_F_NONBLOCK or an O_NONBLOCK pipe makes it -EAGAIN.
// Pipes are byte streams here; "full" is what their poll() says (no room for a PIPE_BUF write).
#include <fcntl.h>

#include <algorithm>
#include <array>

#include "ops/fs_op_support.hpp"
#include "ringkit/op/fs_splice.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::detail {

namespace {

constexpr std::uint32_t splice_f_nonblock = 0x02;  // SPLICE_F_NONBLOCK
constexpr std::size_t chunk_bytes = 4096;          // bytes moved per step through a file

struct SpliceState {
  op::FileRef in{op::Fd{-1}};
  op::FileRef out{op::Fd{-1}};
  std::int64_t off_in = -1;  // -1: none (the file position)
  std::int64_t off_out = -1;
  std::uint32_t len = 0;
  std::uint32_t flags = 0;  // SPLICE_F_* without SPLICE_F_FD_IN_FIXED
  bool tee = false;
  File* in_file = nullptr;  // the input's reference once resolved (req.file holds the output)
};

template <class Builder>
int prep_splice(Request& req) noexcept {
  const ringkit::result<Builder> s = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!s) return -s.error().value();
  SpliceState st;
  st.in = s->in();
  st.out = s->out();
  st.len = s->len();
  st.flags = s->flags();
  if constexpr (Builder::opcode == abi::Opcode::splice) {
    st.off_in = s->off_in();
    st.off_out = s->off_out();
  } else {
    st.tee = true;
  }
  req.emplace_data(st);
  return 0;
}

void drop_input(SpliceState& st) noexcept {
  if (st.in_file != nullptr) intrusive_ptr_release(st.in_file);
  st.in_file = nullptr;
}

// What one attempt decided: a result, or a file to wait on.
struct Step {
  std::int64_t res = 0;
  File* wait_on = nullptr;
  std::uint32_t events = 0;
};

Step done(std::int64_t res) noexcept { return Step{res, nullptr, 0}; }
Step wait_for(File& file, std::uint32_t events) noexcept { return Step{0, &file, events}; }

PipeEnd* as_pipe(File& f) noexcept {
  const FileKind k = f.kind();
  return k == FileKind::pipe_reader || k == FileKind::pipe_writer ? static_cast<PipeEnd*>(&f)
                                                                  : nullptr;
}

bool nonblocking(const File& f) noexcept { return (f.status_flags() & O_NONBLOCK) != 0; }
bool pipe_full(const PipeEnd& writer) noexcept { return (writer.poll() & poll_event::out) == 0; }

// ipipe_prep: wait while the input pipe is empty and has writers.
bool input_must_wait(const PipeEnd& in, bool nonblock, Step& step) noexcept {
  if (in.buffer().size() != 0 || !in.buffer().has_writer()) return false;
  step = nonblock ? done(-EAGAIN) : wait_for(const_cast<PipeEnd&>(in), poll_event::in);
  return true;
}

// opipe_prep / wait_for_space: -EPIPE without readers, wait while full.
bool output_must_wait(const PipeEnd& out, bool nonblock, Step& step) noexcept {
  if (!out.buffer().has_reader()) {
    step = done(-EPIPE);
    return true;
  }
  if (!pipe_full(out)) return false;
  step = nonblock ? done(-EAGAIN) : wait_for(const_cast<PipeEnd&>(out), poll_event::out);
  return true;
}

// splice_pipe_to_pipe / link_pipe (tee: copy without consuming).
Step pipe_to_pipe(PipeEnd& in, PipeEnd& out, std::size_t len, bool nonblock, bool tee) noexcept {
  Step step;
  if (input_must_wait(in, nonblock, step) || output_must_wait(out, nonblock, step)) return step;
  if (tee) return done(tee_pipe(in, out, len));
  const std::size_t n = std::min({len, in.buffer().size(), out.buffer().free_space()});
  std::array<std::byte, chunk_bytes> chunk;
  std::size_t moved = 0;
  while (moved < n) {
    const std::size_t run = std::min(n - moved, chunk.size());
    const std::size_t got = in.peek(std::span<std::byte>(chunk.data(), run));
    const std::int64_t put = out.append(std::span<const std::byte>(chunk.data(), got));
    if (put <= 0) break;
    in.consume(static_cast<std::size_t>(put));
    moved += static_cast<std::size_t>(put);
  }
  return done(static_cast<std::int64_t>(moved));
}

// splice_file_to_pipe: wait for room, then the file's ->splice_read (regular files read up to
// EOF at the offset; sockets take what has arrived, or wait for it).
Step file_to_pipe(RingCore& ring, File& in, std::int64_t* off, PipeEnd& out, std::size_t len,
                  bool nonblock) noexcept {
  Step step;
  if (output_must_wait(out, nonblock, step)) return step;
  const FileKind kind = in.kind();
  if (kind != FileKind::regular && kind != FileKind::socket)
    return done(-EINVAL);  // no splice_read
  if (kind == FileKind::regular && fault_io_error(ring)) return done(-EIO);
  const std::size_t n = std::min(len, out.buffer().free_space());
  std::array<std::byte, chunk_bytes> chunk;
  std::size_t moved = 0;
  while (moved < n) {
    const std::size_t run = std::min(n - moved, chunk.size());
    const iovec v{chunk.data(), run};
    const std::int64_t got = in.read(std::span<const iovec>(&v, 1), off != nullptr ? *off : -1, 0);
    if (got == -EAGAIN && moved == 0) {
      return nonblock || nonblocking(in) ? done(-EAGAIN) : wait_for(in, poll_event::in);
    }
    if (got < 0) return done(moved != 0 ? static_cast<std::int64_t>(moved) : got);
    if (got == 0) break;
    const std::int64_t put =
        out.append(std::span<const std::byte>(chunk.data(), static_cast<std::size_t>(got)));
    if (put <= 0) break;
    moved += static_cast<std::size_t>(put);
    if (off != nullptr) *off += put;
    if (static_cast<std::size_t>(got) < run) break;
  }
  return done(static_cast<std::int64_t>(moved));
}

// do_splice_from: wait for data in the pipe (0 once it is empty without writers), then the
// file's ->splice_write (iter_file_splice_write, splice_to_socket).
Step pipe_to_file(RingCore& ring, PipeEnd& in, File& out, std::int64_t* off, std::size_t len,
                  bool nonblock) noexcept {
  Step step;
  if (input_must_wait(in, nonblock, step)) return step;
  const FileKind kind = out.kind();
  if (kind != FileKind::regular && kind != FileKind::socket)
    return done(-EINVAL);                       // no splice_write
  if (in.buffer().size() == 0) return done(0);  // no writers left: EOF
  if (kind == FileKind::regular && fault_io_error(ring)) return done(-EIO);
  const std::size_t n = std::min(len, in.buffer().size());
  std::array<std::byte, chunk_bytes> chunk;
  std::size_t moved = 0;
  while (moved < n) {
    const std::size_t run =
        in.peek(std::span<std::byte>(chunk.data(), std::min(n - moved, chunk.size())));
    const iovec v{chunk.data(), run};
    const std::int64_t put =
        out.write(std::span<const iovec>(&v, 1), off != nullptr ? *off : -1, 0);
    if (put == -EAGAIN && moved == 0) {
      return nonblocking(out) ? done(-EAGAIN) : wait_for(out, poll_event::out);
    }
    if (put <= 0) return done(moved != 0 ? static_cast<std::int64_t>(moved) : put);
    in.consume(static_cast<std::size_t>(put));
    moved += static_cast<std::size_t>(put);
    if (off != nullptr) *off += put;
    if (static_cast<std::size_t>(put) < run) break;
  }
  return done(static_cast<std::int64_t>(moved));
}

// do_splice / do_tee on resolved files.
Step splice_step(RingCore& ring, SpliceState& st, File& in, File& out) noexcept {
  // FMODE_READ / FMODE_WRITE (O_PATH descriptions have neither).
  if (!fs_ops::usable_file(in) || !fs_ops::usable_file(out) || !in.readable() || !out.writable()) {
    return done(-EBADF);
  }
  PipeEnd* ipipe = as_pipe(in);
  PipeEnd* opipe = as_pipe(out);
  std::uint32_t flags = st.flags;
  if (st.tee || (ipipe != nullptr && opipe != nullptr)) {
    if (ipipe == nullptr || opipe == nullptr) return done(-EINVAL);
    if (!st.tee && (st.off_in != -1 || st.off_out != -1)) return done(-ESPIPE);
    if (&ipipe->buffer() == &opipe->buffer()) return done(-EINVAL);  // splicing to itself
    if (nonblocking(in) || nonblocking(out)) flags |= splice_f_nonblock;
    return pipe_to_pipe(*ipipe, *opipe, st.len, (flags & splice_f_nonblock) != 0, st.tee);
  }
  if (ipipe != nullptr) {
    if (st.off_in != -1) return done(-ESPIPE);
    if (st.off_out != -1 && out.kind() != FileKind::regular) return done(-EINVAL);  // FMODE_PWRITE
    if ((out.status_flags() & O_APPEND) != 0) return done(-EINVAL);
    if (st.off_out < -1) return done(-EINVAL);  // rw_verify_area
    if (nonblocking(in)) flags |= splice_f_nonblock;
    return pipe_to_file(ring, *ipipe, out, st.off_out != -1 ? &st.off_out : nullptr, st.len,
                        (flags & splice_f_nonblock) != 0);
  }
  if (opipe != nullptr) {
    if (st.off_out != -1) return done(-ESPIPE);
    if (st.off_in != -1 && in.kind() != FileKind::regular) return done(-EINVAL);  // FMODE_PREAD
    if (st.off_in < -1) return done(-EINVAL);
    if (nonblocking(out)) flags |= splice_f_nonblock;
    return file_to_pipe(ring, in, st.off_in != -1 ? &st.off_in : nullptr, *opipe, st.len,
                        (flags & splice_f_nonblock) != 0);
  }
  return done(-EINVAL);  // neither end is a pipe
}

void finish(Request& req, SpliceState& st, std::int64_t res) noexcept {
  drop_input(st);
  // io_splice / io_tee: anything but the full length fails the link.
  if (res != static_cast<std::int64_t>(st.len)) mark_failed(req);
  req.ring->complete(req, static_cast<std::int32_t>(res));
}

void issue_splice(Request& req) noexcept {
  RingCore& ring = *req.ring;
  SpliceState& st = req.data<SpliceState>();
  if (st.in_file == nullptr) {
    // The output is the request's file (io_init_req); the input comes from io_splice_get_file.
    if (!resolve_op_file(req, st.out.raw(), st.out.fixed())) {
      finish(req, st, -EBADF);
      return;
    }
    FileRef in = ring.resolve_file(st.in.raw(), st.in.fixed());
    if (!in) {
      finish(req, st, -EBADF);
      return;
    }
    st.in_file = in.detach();
    if (st.len == 0) {  // do_splice / do_tee are not called
      finish(req, st, 0);
      return;
    }
  }
  const Step step = splice_step(ring, st, *st.in_file, *req.file);
  if (step.wait_on != nullptr) {
    ring.park(req, *step.wait_on, step.events);
    return;
  }
  finish(req, st, step.res);
}

// A splice that has started is blocked inside an io-wq worker: cancelling it signals the worker,
// and the wait in fs/splice.c ends with -ERESTARTSYS, which reaches the CQE as is (checked on
// 6.18.44: the splice's res is -512 and ASYNC_CANCEL's is -EALREADY). One cancelled before it
// ran is -ECANCELED.
constexpr std::int32_t erestartsys = 512;

bool cancel_splice(Request& req) noexcept {
  SpliceState& st = req.data<SpliceState>();
  const bool started = st.in_file != nullptr;
  drop_input(st);
  if (!started) return false;
  req.res = -erestartsys;
  mark_failed(req);
  return true;
}

}  // namespace

const OpHandler op_handler_splice{&prep_splice<op::Splice>, &issue_splice, &cancel_splice, false};
const OpHandler op_handler_tee{&prep_splice<op::Tee>, &issue_splice, &cancel_splice, false};

}  // namespace ringkit::sim::detail
