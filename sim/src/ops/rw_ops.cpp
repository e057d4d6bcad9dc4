// Read/write transfers: READ, WRITE, READV, WRITEV, their _FIXED forms, READV_FIXED,
// WRITEV_FIXED and READ_MULTISHOT (io_uring/rw.c, Linux 6.18). The sync and space ops of the
// family live in rw_sync.cpp.
//
// Rules, each checked against the 6.18 kernel on this machine:
// - prep (io_prep_rwv): a vectored op imports its iovec array at prep: more than UIO_MAXIOV
//   entries is -EINVAL, an array at address 0 -EFAULT (both fail the link at submit).
// - issue, in __io_read/io_write's order: registered buffer ranges (-EFAULT, before the file's
//   mode), buffer selection (-ENOBUFS), the file's mode (-EBADF), kiocb_set_rw_flags (unknown
//   RWF bits and RWF_ATOMIC on reads -EOPNOTSUPP, RWF_APPEND with RWF_NOAPPEND -EINVAL,
//   RWF_DONTCACHE on anything but a regular file -EOPNOTSUPP), RWF_HIPRI on a non-IOPOLL ring
//   -EINVAL, rw_verify_area (an explicit offset < 0 or one whose end wraps: -EINVAL; -1 on a
//   stream is no position at all), then the file's own ->read_iter/->write_iter (sockets refuse
//   a position other than 0: -ESPIPE; pipes ignore it).
// - A file that would block parks the request until it is ready (pipes, sockets and eventfds
//   all support NOWAIT, so even O_NONBLOCK ones wait); RWF_NOWAIT completes with -EAGAIN.
// - A result shorter than asked (EOF included) sets REQ_F_FAIL: it breaks a link.
// - Provided buffers (IOSQE_BUFFER_SELECT): a legacy buffer is consumed by any final result,
//   errors included (io_req_defer_failed puts it), and the CQE carries its id; a ring buffer is
//   committed at selection for files that cannot be polled (io_ring_buffer_select), so every
//   final CQE carries it, and at completion for pollable files, where an error recycles it.
//   Parking recycles either kind.
// - READ_MULTISHOT needs a pollable file (-EBADFD), reads whenever the file is ready, one buffer
//   per F_MORE CQE; EOF (0), an error or -ENOBUFS end it without a buffer; with RWF_NOWAIT it
//   ends with -EAGAIN once nothing is left to read.
// - Fault buffer_starvation_ppm: a pipe read into a provided buffer takes part of what is
//   queued (the writes came in pieces), so buffers run out sooner.
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <span>

#include "ops/net_support.hpp"
#include "ops/op_support.hpp"
#include "ops/rw_support.hpp"
#include "ringkit/op/rw_io.hpp"
#include "ringkit/sim/world/file_system.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::detail {

namespace {

// UIO_MAXIOV: the most iovecs one request imports.
constexpr std::uint32_t uio_maxiov = 1024;
// Every iovec array is copied at prep, as the kernel does (the application may reuse it once
// submitted): up to this many into the op's state, longer ones into the request's side copy.
constexpr std::uint32_t inline_iovecs = 7;

enum RwBits : std::uint8_t {
  rw_writes = 1u << 0,
  rw_vectored = 1u << 1,
  rw_fixed = 1u << 2,
  rw_select = 1u << 3,  // IOSQE_BUFFER_SELECT
  rw_multishot = 1u << 4,
  rw_fixed_file = 1u << 5,
};

struct RwState {
  std::uint64_t addr = 0;  // the buffer, or the iovec array
  std::int64_t off = 0;    // -1: the file position
  std::uint32_t len = 0;   // bytes, or iovecs; with buffer selection the most to move (0: all)
  std::uint32_t rw_flags = 0;
  std::int32_t fd = -1;
  std::uint16_t buf_index = 0;  // the registered buffer, or the buffer group
  std::uint8_t bits = 0;
  bool armed = false;  // file resolved and registered memory checked (first issue)
  iovec iov[inline_iovecs];
};

[[nodiscard]] bool has(const RwState& st, std::uint8_t bit) noexcept {
  return (st.bits & bit) != 0;
}

template <class Builder>
int prep_transfer(Request& req) noexcept {
  const ringkit::result<Builder> decoded = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!decoded) return -decoded.error().value();
  constexpr abi::Opcode opcode = Builder::opcode;
  const abi::Sqe& sqe = req.sqe;
  RwState st{};
  st.addr = sqe.addr;
  st.off = static_cast<std::int64_t>(sqe.off);
  st.len = sqe.len;
  st.rw_flags = sqe.op_flags;
  st.fd = sqe.fd;
  st.buf_index = sqe.buf_index;
  if (req.has_flag(abi::sqe_flag::fixed_file)) st.bits |= rw_fixed_file;
  if (req.has_flag(abi::sqe_flag::buffer_select)) st.bits |= rw_select;
  if constexpr (opcode == abi::Opcode::read_multishot) {
    st.bits |= rw_multishot;
    st.len = 0;  // a whole buffer per read
  } else {
    constexpr op::detail::RwTransferKind kind = op::detail::rw_transfer_kind(opcode);
    if (kind.writes) st.bits |= rw_writes;
    if (kind.fixed) st.bits |= rw_fixed;
    if (kind.vectored && has(st, rw_select)) {
      // io_iov_buffer_select_prep: the one iovec only gives the most to read.
      if (sqe.addr == 0) return -EFAULT;
      st.len = static_cast<std::uint32_t>(
          std::min<std::size_t>(reinterpret_cast<const iovec*>(sqe.addr)->iov_len,
                                std::numeric_limits<std::uint32_t>::max()));
    } else if (kind.vectored) {
      st.bits |= rw_vectored;
      if (sqe.len > uio_maxiov) return -EINVAL;
      if (sqe.len != 0 && sqe.addr == 0) return -EFAULT;
      const auto* user = reinterpret_cast<const iovec*>(sqe.addr);
      for (std::uint32_t i = 0; i < sqe.len; ++i) {
        // __import_iovec: a length that is negative as ssize_t is -EINVAL.
        if (static_cast<std::int64_t>(user[i].iov_len) < 0) return -EINVAL;
        if (i < inline_iovecs) st.iov[i] = user[i];
      }
      // IORING_FEAT_SUBMIT_STABLE: the array is the kernel's copy from here on; a longer one
      // goes to the request's side buffer (which keeps its capacity across reuse).
      if (sqe.len > inline_iovecs) (void)req.copy_at_prep(user, sqe.len);
    }
  }
  req.emplace_data(st);
  return 0;
}

// The iovecs a request moves (not for buffer selection).
std::span<const iovec> request_iovecs(const Request& req, const RwState& st) noexcept {
  if (!has(st, rw_vectored)) {
    return {};
  }
  if (st.len <= inline_iovecs) return {st.iov, st.len};
  return req.prep_copied<iovec>(st.len);
}

// io_import_reg_buf / io_import_reg_vec: every range inside registered buffer buf_index.
int check_registered(RingCore& ring, const Request& req, const RwState& st) noexcept {
  if (!has(st, rw_vectored)) {
    return ring.buffers.resolve(st.buf_index, st.addr, st.len) ? 0 : -EFAULT;
  }
  for (const iovec& v : request_iovecs(req, st)) {
    if (!ring.buffers.resolve(st.buf_index, reinterpret_cast<std::uint64_t>(v.iov_base),
                              v.iov_len)) {
      return -EFAULT;
    }
  }
  return 0;
}

// The buffer a transfer uses and how its CQE flags come about.
struct Selected {
  ProvidedBuffers::Selection sel{};
  bool active = false;
  bool committed = false;  // ring buffer for a non-pollable file, or already put
  bool legacy = false;
  std::uint32_t cflags = 0;
};

// io_buffer_select: 0, or -ENOBUFS.
int select_buffer(RingCore& ring, const RwState& st, const File& file, Selected& out) noexcept {
  const std::optional<ProvidedBuffers::Selection> sel =
      ring.provided_buffers.select(st.buf_index, st.len);
  if (!sel) return -ENOBUFS;
  out.sel = *sel;
  out.active = true;
  out.legacy = !ring.provided_buffers.ring_head(st.buf_index).has_value();
  if (!rw_pollable(file)) {
    // io_ring_buffer_select consumes the buffer at once when the file cannot be polled; a
    // legacy buffer is put by any final result, so committing now gives the same CQE.
    out.cflags = ring.provided_buffers.commit(out.sel, static_cast<std::int32_t>(out.sel.len));
    out.committed = true;
  }
  return 0;
}

// The CQE flags of a final result of a plain (not multishot) transfer with a selected buffer.
std::uint32_t put_buffer(RingCore& ring, Selected& s, std::int64_t res) noexcept {
  if (!s.active) return 0;
  if (s.committed) return s.cflags;
  s.committed = true;
  // A ring buffer of a pollable file: an error recycles it (io_read's io_kbuf_recycle).
  if (res < 0 && !s.legacy) return 0;
  s.cflags = ring.provided_buffers.commit(
      s.sel, static_cast<std::int32_t>(std::max<std::int64_t>(res, 0)));
  return s.cflags;
}

void finish(Request& req, std::int64_t res, std::uint64_t expected, std::uint32_t cflags) noexcept {
  // __io_complete_rw_common: a result other than the length asked fails the link.
  if (res >= 0 && static_cast<std::uint64_t>(res) != expected) mark_failed(req);
  req.ring->complete(req, static_cast<std::int32_t>(res), cflags);
}

// The fault profile's draws for a transfer about to run: -EIO / -ENOSPC, or a shorter length.
// Returns 0 or the errno result; `len` may shrink.
int draw_faults(RingCore& ring, File& file, const RwState& st, std::uint64_t& len) noexcept {
  const bool regular = file.kind() == FileKind::regular;
  if (regular && fault_io_error(ring)) return -EIO;
  if (regular && has(st, rw_writes) && len != 0 &&
      write_extends(static_cast<RegularFile&>(file), st.off, st.rw_flags, len) &&
      fault_no_space(ring)) {
    return -ENOSPC;
  }
  if (short_fault_allowed(file, has(st, rw_writes), len)) len = fault_short_len(ring, len);
  return 0;
}

// Buffer starvation on a pipe read into a provided buffer: the bytes came in several writes, so
// the read takes part of them (not in packet mode, where a short read drops a packet's rest).
std::uint64_t starve_pipe_read(RingCore& ring, File& file, std::uint64_t len) noexcept {
  if (file.kind() != FileKind::pipe_reader) return len;
  const PipeBuffer& buffer = static_cast<PipeEnd&>(file).buffer();
  if (buffer.packet_mode()) return len;
  return net::fault_starved_len(ring, len, buffer.size());
}

// One read or write of `iov` (at most `len` bytes of it) on the request's file.
std::int64_t transfer(File& file, const RwState& st, std::span<const iovec> iov,
                      std::uint64_t len) noexcept {
  thread_local iovec cut[uio_maxiov];
  const std::span<const iovec> use = limit_iovecs(iov, len, cut);
  return has(st, rw_writes) ? file.write(use, st.off, st.rw_flags)
                            : file.read(use, st.off, st.rw_flags);
}

void issue_transfer(Request& req) noexcept {
  RingCore& ring = *req.ring;
  RwState& st = req.data<RwState>();
  if (!st.armed) {
    if (!resolve_op_file(req, st.fd, has(st, rw_fixed_file))) {
      ring.complete(req, -EBADF);
      return;
    }
    if (has(st, rw_fixed)) {
      const int bad = check_registered(ring, req, st);
      if (bad != 0) {
        ring.complete(req, bad);
        return;
      }
      req.fixed_buffer = st.buf_index;  // holds the buffer's node until freed
    }
    st.armed = true;
  }
  File& file = *req.file;
  const bool writes = has(st, rw_writes);

  Selected selected;
  iovec one{reinterpret_cast<void*>(st.addr), st.len};
  std::span<const iovec> iov =
      has(st, rw_vectored) ? request_iovecs(req, st) : std::span<const iovec>(&one, 1);
  if (has(st, rw_select)) {
    const int none = select_buffer(ring, st, file, selected);
    if (none != 0) {
      ring.complete(req, none);
      return;
    }
    one = iovec{reinterpret_cast<void*>(selected.sel.addr), selected.sel.len};
    iov = std::span<const iovec>(&one, 1);
  }
  const std::uint64_t expected = std::min<std::uint64_t>(iovec_total(iov), max_rw_count);
  int bad = check_rw_start(file, writes, st.rw_flags);
  if (bad == 0) bad = check_position(file, st.off, expected);
  if (bad == 0 && has_null_buffer(iov)) bad = null_buffer_result(file, writes, st.off);
  std::uint64_t len = expected;
  if (bad == 0) bad = draw_faults(ring, file, st, len);
  if (bad == 0 && has(st, rw_select)) len = starve_pipe_read(ring, file, len);
  if (bad != 0) {
    // A read of nothing at the end of a file copies nothing: 0, not -EFAULT.
    const std::int64_t res = bad == eof_instead ? 0 : bad;
    finish(req, res, expected, put_buffer(ring, selected, res));
    return;
  }
  const std::int64_t n = transfer(file, st, iov, len);
  if (n == -EAGAIN && (st.rw_flags & rwf_nowait) == 0) {
    // Not committing recycles a selected buffer (the kernel's io_kbuf_recycle before polling).
    ring.park(req, file, writes ? poll_event::out : poll_event::in);
    return;
  }
  finish(req, n, expected, put_buffer(ring, selected, n));
}

// ---- READ_MULTISHOT (io_read_mshot) ----

void issue_read_multishot(Request& req) noexcept {
  RingCore& ring = *req.ring;
  RwState& st = req.data<RwState>();
  const bool first_issue = !st.armed;
  if (!st.armed) {
    if (!resolve_op_file(req, st.fd, has(st, rw_fixed_file))) {
      ring.complete(req, -EBADF);
      return;
    }
    st.armed = true;
  }
  File& file = *req.file;
  if (!rw_pollable(file)) {
    ring.complete(req, -EBADFD);
    return;
  }
  for (;;) {
    const std::optional<ProvidedBuffers::Selection> sel =
        ring.provided_buffers.select(st.buf_index, 0);
    if (!sel) {
      mark_failed(req);
      ring.complete(req, -ENOBUFS);
      return;
    }
    int bad = check_rw_start(file, false, st.rw_flags);
    if (bad == 0) bad = check_position(file, st.off, sel->len);
    if (bad == 0 && sel->addr == 0 && sel->len != 0) bad = -EFAULT;
    std::uint64_t len = sel->len;
    if (bad == 0 && short_fault_allowed(file, false, len)) len = fault_short_len(ring, len);
    if (bad == 0) len = starve_pipe_read(ring, file, len);
    if (bad != 0) {
      ring.complete(req, bad);  // the buffer is recycled: no F_BUFFER
      return;
    }
    const iovec v{reinterpret_cast<void*>(sel->addr), sel->len};
    const std::int64_t n = transfer(file, st, std::span<const iovec>(&v, 1), len);
    const bool nowait = (st.rw_flags & rwf_nowait) != 0;
    if (n == -EAGAIN && !nowait) {
      ring.park(req, file, poll_event::in);
      return;
    }
    if (n <= 0) {
      ring.complete(req, static_cast<std::int32_t>(n));
      return;
    }
    const std::uint32_t cflags =
        ring.provided_buffers.commit(*sel, static_cast<std::int32_t>(n)) | abi::cqe_flag::more;
    if (!ring.post_more(req, static_cast<std::int32_t>(n), cflags)) {
      // The CQ is full: the data CQE becomes the final one.
      ring.complete(req, static_cast<std::int32_t>(n), cflags & ~abi::cqe_flag::more);
      return;
    }
    if (nowait) {
      // The first issue posts its CQE and returns -EAGAIN, which RWF_NOWAIT makes final.
      ring.complete(req, -EAGAIN);
      return;
    }
    const bool ready = (file.poll() & (poll_event::in | poll_event::always)) != 0;
    if (first_issue) {
      // Not issued from the poll handler (no IO_URING_F_MULTISHOT), io_read_mshot reads once
      // and returns IOU_RETRY, which arms the poll: a ready file runs the next read from task
      // work, after the submission; until then the armed poll can be cancelled.
      if (ready) {
        ring.schedule_issue_after(req, 0);
      } else {
        ring.park(req, file, poll_event::in);
      }
      return;
    }
    // io_poll_multishot_retry: read again only while the file is ready.
    if (!ready) {
      ring.park(req, file, poll_event::in);
      return;
    }
  }
}

}  // namespace

const OpHandler op_handler_read{&prep_transfer<op::Read>, &issue_transfer, nullptr, true};
const OpHandler op_handler_write{&prep_transfer<op::Write>, &issue_transfer, nullptr, false};
const OpHandler op_handler_readv{&prep_transfer<op::Readv>, &issue_transfer, nullptr, true};
const OpHandler op_handler_writev{&prep_transfer<op::Writev>, &issue_transfer, nullptr, false};
const OpHandler op_handler_read_fixed{&prep_transfer<op::ReadFixed>, &issue_transfer, nullptr,
                                      false};
const OpHandler op_handler_write_fixed{&prep_transfer<op::WriteFixed>, &issue_transfer, nullptr,
                                       false};
const OpHandler op_handler_readv_fixed{&prep_transfer<op::ReadvFixed>, &issue_transfer, nullptr,
                                       false};
const OpHandler op_handler_writev_fixed{&prep_transfer<op::WritevFixed>, &issue_transfer, nullptr,
                                        false};
const OpHandler op_handler_read_multishot{&prep_transfer<op::ReadMultishot>, &issue_read_multishot,
                                          nullptr, true};

}  // namespace ringkit::sim::detail
