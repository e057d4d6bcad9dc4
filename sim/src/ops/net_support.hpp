// What the network ops share (io_uring/net.c, Linux 6.18): the socket behind a request's file,
// waiting for readiness the way io_uring's internal poll does, addresses copied at prep
// (move_addr_to_kernel), direct-descriptor installs, iovec slicing for retries, and the fault
// draws that apply to stream transfers.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "ops/op_support.hpp"
#include "ringkit/op/types.hpp"
#include "ringkit/sim/world/socket.hpp"

namespace ringkit::sim::detail::net {

// UIO_MAXIOV: the most iovecs one message may carry.
inline constexpr std::size_t max_iov = 1024;

// sock_from_file: the socket behind `file`, or nullptr (the op answers -ENOTSOCK).
inline Socket* socket_of(File* file) noexcept {
  if (file == nullptr || file->kind() != FileKind::socket) return nullptr;
  return static_cast<Socket*>(file);
}

inline bool is_stream(const Socket& s) noexcept { return s.type() == SOCK_STREAM; }

// Resolves the request's file on its first issue (io_assign_file); false when it names nothing.
inline bool ensure_file(Request& req, std::int32_t fd, bool fixed) noexcept {
  if (req.file) return true;
  return resolve_op_file(req, fd, fixed);
}

// Parks `req` until `file` reports `events`; when it already does (a POLL_FIRST request whose
// file is ready), the kernel's poll arm fires at once, so the request is issued again now.
inline void wait_ready(Request& req, File& file, std::uint32_t events) noexcept {
  if ((file.poll() & (events | poll_event::always)) != 0) {
    // __io_arm_poll_handler, oneshot and ready: not hashed, the request is queued as task work
    // (IO_APOLL_READY), so a cancel before it runs finds nothing.
    req.queued_unhashed = true;
    req.ring->schedule_issue(req);
    return;
  }
  req.ring->park(req, file, events);
}

// A socket address copied at prep (move_addr_to_kernel): -EINVAL for a length outside
// 0..sizeof(sockaddr_storage), -EFAULT for a null address with a length. Only the first
// `sizeof bytes` bytes are kept: the simulated protocols (AF_INET) read no further.
template <std::size_t N>
struct CopiedAddress {
  std::uint32_t len = 0;
  bool present = false;
  alignas(8) std::byte bytes[N] = {};

  int copy(std::uint64_t user, std::int64_t ulen) noexcept {
    if (ulen < 0 || ulen > static_cast<std::int64_t>(sizeof(sockaddr_storage))) return -EINVAL;
    len = static_cast<std::uint32_t>(ulen);
    present = true;
    if (ulen == 0) return 0;
    if (user == 0) return -EFAULT;
    std::memcpy(bytes, reinterpret_cast<const void*>(user),
                len < N ? static_cast<std::size_t>(len) : N);
    return 0;
  }
  [[nodiscard]] const sockaddr* get() const noexcept {
    return reinterpret_cast<const sockaddr*>(bytes);
  }
};

// io_fixed_fd_install: puts `file` into the ring's registered table at `dest` (a chosen slot:
// res 0, replacing an occupant; or IORING_FILE_INDEX_ALLOC: res is the slot). -ENXIO without a
// table, -EINVAL past its end, -ENFILE when no slot is free; the file is dropped on failure.
inline std::int32_t install_direct(RingCore& ring, const FileRef& file,
                                   op::DestSlot dest) noexcept {
  File* f = file.get();
  const FileSlotTable::Slot slot{reinterpret_cast<std::uint64_t>(f), 0};
  intrusive_ptr_add_ref(f);  // the slot's reference
  if (dest.allocated()) {
    const result<std::uint32_t> r = ring.files.install_alloc(slot);
    if (!r) {
      intrusive_ptr_release(f);
      return -r.error().value();
    }
    return static_cast<std::int32_t>(*r);
  }
  const result<std::optional<FileSlotTable::Slot>> r = ring.files.install(dest.encoded() - 1, slot);
  if (!r) {
    intrusive_ptr_release(f);
    return -r.error().value();
  }
  if (*r) ring.release_slot(**r);
  return 0;
}

// __get_unused_fd_flags, which accept and socket call before doing anything: -EMFILE when the
// process has no descriptor left, so a connection stays queued. FdTable has no query for it:
// the lowest free descriptor is reserved and given back at once.
inline int reserve_fd(World& world, const FileRef& any) noexcept {
  const result<int> fd = world.fds().install(any);
  if (!fd) return -fd.error().value();
  (void)world.fds().close(*fd);
  return 0;
}

// Copies the part of `iov` that starts `skip` bytes in and holds at most `limit` bytes into
// `out` (a retry's remaining iterator, or a shortened transfer). Returns how many entries.
inline std::size_t slice_iov(std::span<const iovec> iov, std::uint64_t skip, std::uint64_t limit,
                             std::span<iovec> out) noexcept {
  std::size_t n = 0;
  for (const iovec& v : iov) {
    if (n == out.size() || limit == 0) break;
    if (skip >= v.iov_len) {
      skip -= v.iov_len;
      continue;
    }
    std::uint64_t take = v.iov_len - skip;
    if (take > limit) take = limit;
    out[n++] = iovec{static_cast<std::byte*>(v.iov_base) + skip, static_cast<std::size_t>(take)};
    limit -= take;
    skip = 0;
  }
  return n;
}

inline std::uint64_t iov_bytes(std::span<const iovec> iov) noexcept {
  std::uint64_t total = 0;
  for (const iovec& v : iov) total += v.iov_len;
  return total;
}

// fault_conn_reset on an established stream: the connection is aborted as if each end received
// an RST, so the transfer that follows sees what Linux gives after one (queued data first, then
// -ECONNRESET on receive; -ECONNRESET then -EPIPE on send).
inline void draw_conn_reset(RingCore& ring, Socket& sock) noexcept {
  if (!is_stream(sock) || sock.state() != Socket::State::established) return;
  if (fault_conn_reset(ring)) sock.inject_reset();
}

// The fault profile's buffer starvation: a receive into a provided buffer with `room` bytes
// takes only part (1..n-1) of the n = min(room, ready) bytes it would take, as when the bytes
// arrive in several segments, so buffers run out sooner. Draws nothing while the kind is off
// (FaultProfile::none()), nor when fewer than two bytes would move.
inline std::uint64_t fault_starved_len(RingCore& ring, std::uint64_t room,
                                       std::uint64_t ready) noexcept {
  World& w = ring.world();
  const std::uint32_t ppm = w.faults().buffer_starvation_ppm;
  const std::uint64_t would = room < ready ? room : ready;
  if (ppm == 0 || would < 2 || !w.decisions().chance(ppm)) return room;
  return w.decisions().between(1, would - 1);
}

// IORING_CQE_F_SOCK_NONEMPTY after a receive that returned `last` (io_recv_finish: msg_inq > 0).
// Only TCP reports msg_inq (tcp_inq_hint: queued bytes, or 1 once the FIN arrived); an error
// leaves it unset.
inline std::uint32_t nonempty_flag(const Socket& sock, std::int64_t last) noexcept {
  if (!is_stream(sock) || last < 0) return 0;
  return (sock.queued_bytes() > 0 || sock.fin_received()) ? abi::cqe_flag::sock_nonempty : 0;
}

}  // namespace ringkit::sim::detail::net
