// Network family, the transfers: SEND, RECV, SENDMSG, RECVMSG, SEND_ZC, SENDMSG_ZC (io_uring/net.c,
// Linux 6.18).
//
// The kernel's rules kept here: a transfer that would block waits for the socket (its internal
// poll) and tries again; MSG_DONTWAIT answers -EAGAIN instead (REQ_F_NOWAIT). MSG_WAITALL on a
// stream keeps partial progress (req.done_bytes, io_net_retry) until all of it moved; a short
// result under MSG_WAITALL, or a truncated one, fails the link (req_set_fail). Receives flag
// IORING_CQE_F_SOCK_NONEMPTY from tcp_inq_hint. Provided buffers are selected before the
// receive (-ENOBUFS when the group has none), recycled when it would block, committed with the
// bytes moved. A multishot receive posts F_MORE CQEs until -ENOBUFS, an error, end of stream,
// its total limit, or a full CQ ends it; a multishot RECVMSG lays each buffer out as struct
// io_uring_recvmsg_out, the name's room, the control room, then the payload. A zero-copy send
// posts its result with F_MORE, then its notification (F_NOTIF, res 0, or
// IORING_NOTIF_USAGE_ZC_COPIED with REPORT_USAGE: loopback always copies).
// Not simulated: bundles (IORING_RECVSEND_BUNDLE answers -EOPNOTSUPP at prep), control data.
#include <algorithm>
#include <array>
#include <optional>

#include "ops/net_support.hpp"
#include "ringkit/op/net_msg.hpp"
#include "ringkit/op/net_sendrecv.hpp"

namespace ringkit::sim::detail {

namespace {

namespace rs = abi::recvsend;
using net::socket_of;

struct XferState {
  std::uint64_t addr = 0;  // buffer, iovec array (SEND_VECTORIZED), or the msghdr
  std::uint32_t len = 0;   // bytes (iovec count when vectorized; per-completion cap multishot)
  std::uint32_t msg_flags = 0;
  std::int32_t fd = -1;
  std::uint16_t ioprio = 0;
  std::uint16_t buf_index = 0;  // the buffer group (select) or the registered buffer (zc)
  bool fixed_file = false;
  bool is_msg = false;
  bool zc = false;
  bool select = false;
  bool multishot = false;
  bool polled = false;  // POLL_FIRST: the poll was armed once
  bool has_limit = false;
  std::uint32_t mshot_left = 0;  // what is left of a multishot RECV's total budget
  // The msghdr as prep read it (io_msg_copy_hdr).
  std::uint64_t msg_name = 0;
  std::uint32_t namelen = 0;
  std::uint64_t control = 0;
  std::uint64_t controllen = 0;
  std::uint64_t iov = 0;
  std::uint64_t iovlen = 0;
  net::CopiedAddress<sizeof(sockaddr_in)> dest;  // SEND/SEND_ZC's sendto address
};

template <abi::Opcode Op>
using Builder = op::net_detail::SendRecv<Op>;

// The common part of every prep: the builder's kernel-mode decode, then what issue needs.
template <abi::Opcode Op>
int prep_xfer(Request& req) noexcept {
  constexpr op::net_detail::SendRecvKind kind = op::net_detail::send_recv_kind(Op);
  if constexpr (kind.zc) {
    // io_send_zc_prep, in its order: reserved fields, then "we don't support
    // IOSQE_CQE_SKIP_SUCCESS just yet", then the notification is allocated; every later
    // failure gets F_MORE and the notification (the engine posts both).
    if (req.sqe.pad2 != 0 || req.sqe.addr3 != 0) return -EINVAL;
    if (req.has_flag(abi::sqe_flag::cqe_skip_success)) return -EINVAL;
    req.notif_armed = true;
    // io_notif_tw_complete: loopback copies (or nothing was sent): report says "copied".
    req.notif_res = (req.sqe.ioprio & rs::send_zc_report_usage)
                        ? static_cast<std::int32_t>(abi::notif_usage_zc_copied)
                        : 0;
  }
  const ringkit::result<Builder<Op>> b = Builder<Op>::decode(req.sqe, op::DecodeMode::kernel);
  if (!b) return -b.error().value();
  XferState st;
  st.fd = b->file().raw();
  st.fixed_file = b->file().fixed();
  st.msg_flags = b->msg_flags();
  st.ioprio = b->ioprio();
  st.is_msg = kind.msg;
  st.zc = kind.zc;
  // Bundles (6.10) are not simulated: fail loudly rather than answer differently.
  if (st.ioprio & rs::recvsend_bundle) return -EOPNOTSUPP;
  if constexpr (kind.zc) st.buf_index = b->fixed_buffer().value;
  if constexpr (kind.selects) {
    st.select = b->selects_buffer();
    if (st.select) st.buf_index = b->buffer_group().id;
  }
  if constexpr (kind.receives) st.multishot = b->is_multishot();
  if constexpr (Op == abi::Opcode::recv) {
    st.mshot_left = b->total_limit();
    st.has_limit = st.multishot && st.mshot_left != 0;
  }
  if constexpr (!kind.msg) {
    st.addr = b->buf_address();
    st.len = b->len();
    if (st.ioprio & rs::send_vectorized) {
      // io_send_setup imports the iovec array: more than UIO_MAXIOV is -EINVAL, an array
      // that cannot be read -EFAULT.
      if (st.len > net::max_iov) return -EINVAL;
      if (st.addr == 0 && st.len != 0) return -EFAULT;
    }
  } else {
    // io_msg_copy_hdr reads the msghdr once, at prep.
    if (b->msg_address() == 0) return -EFAULT;
    st.addr = b->msg_address();
    msghdr m{};
    std::memcpy(&m, reinterpret_cast<const void*>(b->msg_address()), sizeof m);
    st.msg_name = reinterpret_cast<std::uint64_t>(m.msg_name);
    st.namelen = m.msg_namelen;
    st.control = reinterpret_cast<std::uint64_t>(m.msg_control);
    st.controllen = m.msg_controllen;
    st.iov = reinterpret_cast<std::uint64_t>(m.msg_iov);
    st.iovlen = m.msg_iovlen;
    if (m.msg_iov == nullptr && m.msg_iovlen != 0) return -EFAULT;  // copying the iovecs
    if (st.select) {
      // io_recvmsg_copy_hdr: with buffer selection at most one iovec, whose length caps it.
      if (m.msg_iovlen > 1) return -EINVAL;
      st.len = m.msg_iovlen == 1 ? static_cast<std::uint32_t>(m.msg_iov[0].iov_len) : 0;
    } else if (m.msg_iovlen > net::max_iov) {
      return -EMSGSIZE;  // import_iovec
    }
  }
  if constexpr (kind.sendto) {
    if (b->to_address() != 0) {
      const int rc = st.dest.copy(b->to_address(), b->to_len());  // io_send_setup
      if (rc != 0) return rc;
    }
  }
  req.emplace_data(st);
  return 0;
}

// The iovecs a transfer names when it selects no buffer.
std::span<const iovec> user_iov(const XferState& st, iovec& single) noexcept {
  if (st.is_msg) return {reinterpret_cast<const iovec*>(st.iov), st.iovlen};
  if (st.ioprio & rs::send_vectorized) return {reinterpret_cast<const iovec*>(st.addr), st.len};
  single = iovec{reinterpret_cast<void*>(st.addr), st.len};
  return {&single, 1};
}

// The user memory is this process's: a null base with a length would crash the simulator where
// the kernel's copy faults, so it answers -EFAULT as copy_{from,to}_user would.
bool has_null_buffer(std::span<const iovec> iov) noexcept {
  for (const iovec& v : iov) {
    if (v.iov_base == nullptr && v.iov_len != 0) return true;
  }
  return false;
}

// A result with the progress of earlier retries (io_send / io_recv: ret += done_io, or done_io
// when this attempt failed).
std::int32_t with_progress(std::int64_t ret, std::int64_t done) noexcept {
  if (ret >= 0) return static_cast<std::int32_t>(ret + done);
  return static_cast<std::int32_t>(done != 0 ? done : ret);
}

// ---- sends ----

// The end of a send. A zero-copy send's F_MORE and notification come from the engine
// (Request::notif_armed).
void finish_send(Request& req, std::int32_t res, std::uint32_t cflags) noexcept {
  req.ring->complete(req, res, cflags);
}

void issue_send(Request& req) noexcept {
  RingCore& ring = *req.ring;
  XferState& st = req.data<XferState>();
  if (!net::ensure_file(req, st.fd, st.fixed_file)) return finish_send(req, -EBADF, 0);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return finish_send(req, -ENOTSOCK, 0);
  if ((st.ioprio & rs::poll_first) && !st.polled) {
    st.polled = true;
    return net::wait_ready(req, *sock, poll_event::out);
  }
  std::optional<ProvidedBuffers::Selection> sel;
  iovec single{};
  std::span<const iovec> iov;
  if (st.select) {
    sel = ring.provided_buffers.select(st.buf_index, st.len);  // io_send_select_buffer
    if (!sel) return finish_send(req, -ENOBUFS, 0);
    single = iovec{reinterpret_cast<void*>(sel->addr), sel->len};
    iov = {&single, 1};
  } else {
    iov = user_iov(st, single);
  }
  if (iov.size() > net::max_iov) return finish_send(req, -EMSGSIZE, 0);
  if (has_null_buffer(iov)) return finish_send(req, -EFAULT, 0);
  if (st.zc && (st.ioprio & rs::fixed_buf)) {
    // io_send_zc_import / io_import_reg_vec: every byte inside the registered buffer.
    for (const iovec& v : iov) {
      if (!ring.buffers.resolve(st.buf_index, reinterpret_cast<std::uint64_t>(v.iov_base),
                                v.iov_len)) {
        return finish_send(req, -EFAULT, 0);
      }
    }
  }
  net::draw_conn_reset(ring, *sock);
  const bool waitall = (st.msg_flags & MSG_WAITALL) != 0;
  const bool nowait = (st.msg_flags & MSG_DONTWAIT) != 0;
  const std::uint64_t total = net::iov_bytes(iov);
  // io_sendmsg_prep / io_send_zc_prep add MSG_NOSIGNAL: no SIGPIPE, -EPIPE instead. On a
  // stream MSG_ZEROCOPY tells the socket this is a zero-copy send (those never stay corked);
  // the user's own MSG_ZEROCOPY without SO_ZEROCOPY copies (tcp_sendmsg_locked), so it is
  // dropped.
  int flags = static_cast<int>(st.msg_flags | MSG_NOSIGNAL) & ~MSG_DONTWAIT;
  if (net::is_stream(*sock)) {
    flags = (flags & ~MSG_ZEROCOPY) | (st.zc ? MSG_ZEROCOPY : 0);
  }
  std::array<iovec, net::max_iov> part;
  std::int64_t ret = 0;
  for (;;) {
    const std::uint64_t remaining = total - static_cast<std::uint64_t>(req.done_bytes);
    const std::uint64_t limit =
        net::is_stream(*sock) && !waitall ? fault_short_len(ring, remaining) : remaining;
    msghdr m{};
    m.msg_iov = part.data();
    m.msg_iovlen = net::slice_iov(iov, static_cast<std::uint64_t>(req.done_bytes), limit, part);
    if (st.is_msg) {
      m.msg_name = reinterpret_cast<void*>(st.msg_name);
      m.msg_namelen = st.namelen;
      m.msg_control = reinterpret_cast<void*>(st.control);
      m.msg_controllen = st.controllen;
    } else if (st.dest.present) {
      m.msg_name = st.dest.bytes;
      m.msg_namelen = st.dest.len;
    }
    ret = sock->sendmsg(&m, flags);
    if (ret == -EAGAIN && !nowait) return ring.park(req, *sock, poll_event::out);
    // io_net_retry: MSG_WAITALL on a stream keeps what went and sends the rest.
    if (waitall && net::is_stream(*sock) && ret > 0 &&
        static_cast<std::uint64_t>(ret) < remaining) {
      req.done_bytes += ret;
      continue;
    }
    break;
  }
  const std::int32_t res = with_progress(ret, req.done_bytes);
  if (waitall && (res < 0 || static_cast<std::uint64_t>(res) < total)) mark_failed(req);
  // io_send_finish: a selected buffer is put whatever the result.
  const std::uint32_t cflags = sel ? ring.provided_buffers.commit(*sel, res > 0 ? res : 0) : 0u;
  finish_send(req, res, cflags);
}

// ---- receives ----

// Writes recvmsg's results back to the caller's msghdr (____sys_recvmsg): the name's length
// (only with a name), the flags, and the control length used (none: no control data here).
void write_back_msghdr(Request& req, const msghdr& m) noexcept {
  auto* user = reinterpret_cast<msghdr*>(req.data<XferState>().addr);
  if (m.msg_name != nullptr) user->msg_namelen = m.msg_namelen;
  user->msg_flags = m.msg_flags;
  user->msg_controllen = 0;
}

// Stream + MSG_WAITALL + a provided buffer: the kernel keeps the selected buffer across retries
// and fills it; selections here never outlive an issue, so the receive waits until the whole
// buffer's worth is queued (or the stream can give no more) and then moves it in one step.
bool waitall_buffer_ready(const Socket& sock, std::uint32_t want) noexcept {
  if (sock.queued_bytes() >= want) return true;
  return (sock.poll() & (poll_event::rdhup | poll_event::err | poll_event::hup)) != 0;
}

void issue_recv_once(Request& req, Socket& sock) noexcept {
  RingCore& ring = *req.ring;
  const XferState& st = req.data<XferState>();
  const bool waitall = (st.msg_flags & MSG_WAITALL) != 0;
  const bool nowait = (st.msg_flags & MSG_DONTWAIT) != 0;
  std::optional<ProvidedBuffers::Selection> sel;
  iovec single{};
  std::span<const iovec> iov;
  if (st.select) {
    sel = ring.provided_buffers.select(st.buf_index, st.len);
    if (!sel) return ring.complete(req, -ENOBUFS);
    if (waitall && net::is_stream(sock) && !waitall_buffer_ready(sock, sel->len)) {
      if (nowait) return ring.complete(req, -EAGAIN);
      return ring.park(req, sock, poll_event::in);
    }
    single = iovec{reinterpret_cast<void*>(sel->addr), sel->len};
    iov = {&single, 1};
  } else {
    iov = user_iov(st, single);
  }
  if (iov.size() > net::max_iov) return ring.complete(req, -EMSGSIZE);
  if (has_null_buffer(iov)) return ring.complete(req, -EFAULT);
  const std::uint64_t total = net::iov_bytes(iov);
  const int flags = static_cast<int>(st.msg_flags) & ~MSG_DONTWAIT;
  std::array<iovec, net::max_iov> part;
  msghdr m{};
  std::int64_t ret = 0;
  for (;;) {
    const std::uint64_t remaining = total - static_cast<std::uint64_t>(req.done_bytes);
    std::uint64_t limit =
        net::is_stream(sock) && !waitall ? fault_short_len(ring, remaining) : remaining;
    if (sel && net::is_stream(sock)) {
      limit = net::fault_starved_len(ring, limit, sock.queued_bytes());
    }
    m = msghdr{};
    m.msg_iov = part.data();
    m.msg_iovlen = net::slice_iov(iov, static_cast<std::uint64_t>(req.done_bytes), limit, part);
    if (st.is_msg) {
      m.msg_name = reinterpret_cast<void*>(st.msg_name);
      m.msg_namelen = st.namelen;
    }
    ret = sock.recvmsg(&m, flags);
    if (ret == -EAGAIN && !nowait) return ring.park(req, sock, poll_event::in);
    if (waitall && net::is_stream(sock) && ret > 0 && static_cast<std::uint64_t>(ret) < remaining) {
      req.done_bytes += ret;  // io_net_retry
      continue;
    }
    break;
  }
  const std::int32_t res = with_progress(ret, req.done_bytes);
  // io_recv: short under MSG_WAITALL, or truncated, fails the link.
  if (waitall && res >= 0 &&
      (static_cast<std::uint64_t>(res) < total || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)) {
    mark_failed(req);
  }
  if (st.is_msg && ret >= 0) write_back_msghdr(req, m);
  std::uint32_t cflags = net::nonempty_flag(sock, ret);
  // Nothing received: the buffer is recycled (no F_BUFFER).
  if (sel && res > 0) cflags |= ring.provided_buffers.commit(*sel, res);
  ring.complete(req, res, cflags);
}

void issue_recv_multishot(Request& req, Socket& sock) noexcept {
  RingCore& ring = *req.ring;
  XferState& st = req.data<XferState>();
  const int flags = static_cast<int>(st.msg_flags) & ~MSG_DONTWAIT;
  // io_recvmsg_prep_multishot: header, then room for the name and the control data.
  const std::uint64_t hdr =
      st.is_msg ? sizeof(abi::RecvmsgOut) + std::uint64_t{st.namelen} + st.controllen : 0;
  for (;;) {
    const std::optional<ProvidedBuffers::Selection> sel =
        ring.provided_buffers.select(st.buf_index, st.len);
    if (!sel) return ring.complete(req, -ENOBUFS);
    if (sel->len < hdr) return ring.complete(req, -EFAULT);
    const auto payload_room = static_cast<std::uint64_t>(sel->len - hdr);
    const std::uint64_t limit =
        net::is_stream(sock)
            ? net::fault_starved_len(ring, fault_short_len(ring, payload_room), sock.queued_bytes())
            : payload_room;
    iovec payload{reinterpret_cast<std::byte*>(sel->addr) + hdr, static_cast<std::size_t>(limit)};
    sockaddr_storage name{};
    msghdr m{};
    m.msg_iov = &payload;
    m.msg_iovlen = 1;
    if (st.is_msg && st.namelen != 0) {
      m.msg_name = &name;
      m.msg_namelen = sizeof name;
    }
    const std::int64_t ret = sock.recvmsg(&m, flags);
    if (ret == -EAGAIN) return ring.park(req, sock, poll_event::in);  // buffer recycled
    if (ret < 0) return ring.complete(req, static_cast<std::int32_t>(ret));
    std::int64_t res = ret;
    if (st.is_msg) {
      // io_recvmsg_multishot: payloadlen is what recvmsg returned, the CQE counts the whole
      // layout with the payload clipped to its room.
      abi::RecvmsgOut out{};
      out.namelen = m.msg_name != nullptr ? m.msg_namelen : 0;
      out.controllen = 0;
      out.payloadlen = static_cast<std::uint32_t>(ret);
      out.flags = static_cast<std::uint32_t>(m.msg_flags);
      auto* base = reinterpret_cast<std::byte*>(sel->addr);
      std::memcpy(base, &out, sizeof out);
      std::memcpy(base + sizeof out, &name, std::min<std::size_t>(out.namelen, st.namelen));
      res = static_cast<std::int64_t>(hdr) +
            std::min<std::int64_t>(ret, static_cast<std::int64_t>(payload_room));
    } else if (ret == 0) {
      // End of stream: the buffer is recycled and the request ends.
      return ring.complete(req, 0, net::nonempty_flag(sock, ret));
    }
    bool finished = ret == 0;
    const auto res32 = static_cast<std::int32_t>(res);
    const std::uint32_t cflags =
        ring.provided_buffers.commit(*sel, res32) | net::nonempty_flag(sock, ret);
    if (st.has_limit) {
      // io_recv_finish: the completion that uses up the total budget ends the request.
      st.mshot_left -= std::min(static_cast<std::uint32_t>(res32), st.mshot_left);
      if (st.mshot_left == 0) finished = true;
    }
    if (finished || !ring.post_more(req, res32, cflags | abi::cqe_flag::more)) {
      return ring.complete(req, res32, cflags);
    }
    // io_recv_finish: receive again at once only when the socket is known not empty or its
    // state is unknown (UDP reports no msg_inq); otherwise wait for data before selecting.
    if (net::is_stream(sock) && !(cflags & abi::cqe_flag::sock_nonempty)) {
      return ring.park(req, sock, poll_event::in);
    }
  }
}

void issue_recv(Request& req) noexcept {
  RingCore& ring = *req.ring;
  XferState& st = req.data<XferState>();
  if (!net::ensure_file(req, st.fd, st.fixed_file)) return ring.complete(req, -EBADF);
  Socket* sock = socket_of(req.file.get());
  if (sock == nullptr) return ring.complete(req, -ENOTSOCK);
  if ((st.ioprio & rs::poll_first) && !st.polled) {
    st.polled = true;
    return net::wait_ready(req, *sock, poll_event::in);
  }
  net::draw_conn_reset(ring, *sock);
  if (st.multishot) return issue_recv_multishot(req, *sock);
  issue_recv_once(req, *sock);
}

}  // namespace

const OpHandler op_handler_send{&prep_xfer<abi::Opcode::send>, &issue_send, nullptr, true};
const OpHandler op_handler_sendmsg{&prep_xfer<abi::Opcode::sendmsg>, &issue_send, nullptr, false};
// A zero-copy send cancelled while it waits gets F_MORE (io_sendrecv_fail) and its
// notification (io_send_zc_cleanup) from the engine, like any other ending.
const OpHandler op_handler_send_zc{&prep_xfer<abi::Opcode::send_zc>, &issue_send, nullptr, false};
const OpHandler op_handler_sendmsg_zc{&prep_xfer<abi::Opcode::sendmsg_zc>, &issue_send, nullptr,
                                      false};
const OpHandler op_handler_recv{&prep_xfer<abi::Opcode::recv>, &issue_recv, nullptr, true};
const OpHandler op_handler_recvmsg{&prep_xfer<abi::Opcode::recvmsg>, &issue_recv, nullptr, true};

}  // namespace ringkit::sim::detail
