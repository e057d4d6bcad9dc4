// Socket: an AF_INET stream (TCP) or datagram (UDP) socket on the virtual loopback.
//
// Calls answer like the matching syscalls in non-blocking form: a count, 0, or -errno, with
// -EAGAIN for "would block" (the engine parks the request on this File and retries when it
// wakes). Rules verified against net/socket.c, net/ipv4/af_inet.c, tcp.c, tcp_input.c (tcp_reset),
// udp.c, datagram.c and net/core/sock.c; the notable ones:
// - stream connect to a listener completes at once (both ends established, the server end
//   queued for accept) while the accept queue holds <= backlog entries (sk_acceptq_is_full);
//   a full queue gives -EAGAIN (the SYN would be dropped and retried) and the socket stays
//   "connecting" until the engine retries; no listener -> -ECONNREFUSED; listening, connected
//   or once-connected sockets -> -EISCONN; another address while connecting -> -EALREADY.
// - each direction is bounded by the receiver's receive buffer (default 64 KiB of payload):
//   send takes what fits or -EAGAIN. SO_SNDBUF is stored and reported but does not bound
//   anything (loopback delivery is immediate).
// - recv reads queued data first, then reports: EOF (0) after the peer's FIN; a pending error
//   (SO_ERROR, cleared when reported); 0 after the own SHUT_RD; -ENOTCONN when never
//   connected; else -EAGAIN. MSG_WAITALL does not wait in non-blocking form (Linux returns
//   what is there; io_uring's retry loop is the engine's).
// - closing with unread received data (or closing a never-accepted server end) resets the
//   connection: the peer reads what it has, then gets -ECONNRESET (-EPIPE if it had received
//   a FIN: tcp_reset in CLOSE_WAIT), then 0, and sends give -EPIPE. A plain close is a FIN:
//   the peer reads EOF, its first send is swallowed and answered by a reset (-EPIPE pending),
//   so the next send gives -EPIPE.
// - send on an unconnected stream is -EPIPE (sk_stream_wait_connect), after the own SHUT_WR
//   -EPIPE. No SIGPIPE is raised.
// - MSG_MORE corks a stream send (tcp_push sets TCP_NAGLE_CORK, tcp_nagle_check holds a partial
//   segment): the bytes are taken (they count against the peer's receive room) but the peer
//   cannot read them until a push: the next send without MSG_MORE that moves bytes (a zero-length
//   send pushes nothing: tcp_sendmsg_locked only pushes when it copied), any zero-copy send (it
//   never corks, measured on 6.18), corked bytes reaching one MSS (tcp_push_one sends the full
//   segment and its ACK pushes the rest through tcp_data_snd_check), a segment or FIN arriving
//   from the peer (tcp_data_snd_check), TCP_NODELAY set to 1 (__tcp_sock_set_nodelay),
//   shutdown(SHUT_WR) or close (tcp_send_fin pushes before the FIN), or the zero-window probe
//   timer (tcp_check_probe_timer: tcp_probe0_base = TCP_RTO_MIN, 200 ms after the first corked
//   send; tcp_write_wakeup sends it). A reset drops them (tcp_write_queue_purge). The MSS is a
//   fresh loopback connection's (32741: tcp_bound_to_half_wnd of the first 65483-byte window);
//   Linux grows it to 65483 once the windows grow, which is not modelled. The timer needs the
//   world's scheduler (Network::attach_timers); without one the bytes wait for a push.
// - datagrams keep boundaries; a datagram that does not fit the receiver's queue, or has no
//   receiver, is dropped silently (ICMP errors, so ECONNREFUSED on connected UDP, are not
//   modelled); MSG_TRUNC returns the real length; the payload limit is 65507 (-EMSGSIZE).
// - MSG_MORE on a datagram socket holds the datagram (udp_sendmsg corkreq): later sends append
//   to it, to the destination of the send that started it, until one without MSG_MORE sends
//   it whole; growing it past 65507 is -EMSGSIZE and drops it; close drops it.
// - options: SOL_SOCKET SO_REUSEADDR, SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF (Linux doubles the
//   value, clamps to 212992 and a minimum), SO_ERROR (get, clears), SO_TYPE, SO_DOMAIN,
//   SO_PROTOCOL, SO_ACCEPTCONN, SO_KEEPALIVE; IPPROTO_TCP TCP_NODELAY. Everything else is
//   -ENOPROTOOPT (Linux supports more: they are not modelled).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "ringkit/result.hpp"
#include "ringkit/sim/file.hpp"
#include "ringkit/sim/world/byte_queue.hpp"
#include "ringkit/sim/world/network.hpp"

namespace ringkit::sim {

inline constexpr std::size_t socket_default_stream_buffer = 65536;
inline constexpr std::size_t udp_max_payload = 65507;  // 65535 - IP header - UDP header
// A fresh loopback connection's MSS (TCP_MAXSEG): half of the first 65483-byte window.
inline constexpr std::size_t tcp_loopback_mss = 32741;
// TCP_RTO_MIN: when the zero-window probe timer pushes corked bytes (tcp_probe0_base).
inline constexpr std::int64_t tcp_cork_timer_ns = 200'000'000;

namespace detail {
struct CorkTimer;
// Frees a CorkTimer (socket_stream.cpp), so the type stays private to the stream code.
struct CorkTimerDelete {
  void operator()(CorkTimer* timer) const noexcept;
};
}  // namespace detail

class Socket final : public File {
 public:
  enum class State : std::uint8_t { closed, listening, connecting, established };

  Socket(boost::intrusive_ptr<detail::NetState> net, int type, int protocol,
         std::uint32_t status) noexcept;
  ~Socket() override;

  [[nodiscard]] FileKind kind() const noexcept override { return FileKind::socket; }
  [[nodiscard]] std::uint32_t poll() const noexcept override;
  // recv/send with flags 0; the offset is ignored (sockets are streams).
  std::int64_t read(std::span<const iovec> iov, std::int64_t offset,
                    std::uint32_t rw_flags) noexcept override;
  std::int64_t write(std::span<const iovec> iov, std::int64_t offset,
                     std::uint32_t rw_flags) noexcept override;

  std::int64_t bind(const sockaddr* addr, socklen_t len) noexcept;
  std::int64_t listen(int backlog) noexcept;
  // accept4(2): flags SOCK_NONBLOCK|SOCK_CLOEXEC (else EINVAL); `addr`/`len` may be null.
  result<FileRef> accept(sockaddr* addr, socklen_t* len, int flags) noexcept;
  std::int64_t connect(const sockaddr* addr, socklen_t len) noexcept;
  std::int64_t getsockname(sockaddr* addr, socklen_t* len) const noexcept;
  std::int64_t getpeername(sockaddr* addr, socklen_t* len) const noexcept;
  std::int64_t shutdown(int how) noexcept;

  std::int64_t send(std::span<const std::byte> bytes, int flags) noexcept;
  std::int64_t sendto(std::span<const std::byte> bytes, int flags, const sockaddr* addr,
                      socklen_t len) noexcept;
  std::int64_t recv(std::span<std::byte> bytes, int flags) noexcept;
  std::int64_t recvfrom(std::span<std::byte> bytes, int flags, sockaddr* addr,
                        socklen_t* len) noexcept;
  // msg_name/msg_namelen in and out, iovec arrays; control data is not modelled: sendmsg with
  // msg_controllen > 0 is -EINVAL, recvmsg produces none (msg_controllen = 0).
  std::int64_t sendmsg(const msghdr* msg, int flags) noexcept;
  std::int64_t recvmsg(msghdr* msg, int flags) noexcept;

  std::int64_t setsockopt(int level, int name, const void* value, socklen_t len) noexcept;
  std::int64_t getsockopt(int level, int name, void* value, socklen_t* len) const noexcept;
  // Payload capacities directly (tests): the receive queue bound and the stored send size.
  void set_buffer_sizes(std::size_t receive_bytes, std::size_t send_bytes) noexcept;

  // Fault injection: the connection is aborted as if each end received an RST.
  void inject_reset() noexcept;

  // Inspection.
  [[nodiscard]] int type() const noexcept { return type_; }
  [[nodiscard]] State state() const noexcept { return state_; }
  // Bytes the peer can read now (corked bytes of the peer's are not among them).
  [[nodiscard]] std::size_t queued_bytes() const noexcept { return rx_.size() - rx_held_; }
  // Bytes this end sent with MSG_MORE that the peer cannot read yet.
  [[nodiscard]] std::size_t corked_bytes() const noexcept {
    return peer_ != nullptr ? peer_->rx_held_ : 0;
  }
  [[nodiscard]] std::size_t receive_capacity() const noexcept { return rx_.capacity(); }
  [[nodiscard]] std::size_t accept_queue_size() const noexcept { return accept_queue_.size(); }
  [[nodiscard]] int pending_error() const noexcept { return pending_error_; }
  [[nodiscard]] std::uint64_t dropped_datagrams() const noexcept { return dropped_; }
  [[nodiscard]] InetAddress local_address() const noexcept { return local_; }
  // The peer's FIN arrived (SOCK_DONE): tcp_inq_hint then reports one more byte, so io_uring
  // flags a receive with IORING_CQE_F_SOCK_NONEMPTY even when no data is left.
  [[nodiscard]] bool fin_received() const noexcept { return fin_received_; }
  // The payload length of the next queued datagram, 0 when none (udp_ioctl's SIOCINQ).
  [[nodiscard]] std::size_t next_datagram_length() const noexcept {
    return datagrams_.empty() ? 0 : datagrams_.front().len;
  }

 private:
  friend class detail::NetState;
  struct Datagram {
    InetAddress from;
    std::size_t len;
  };

  [[nodiscard]] bool is_stream() const noexcept { return type_ == SOCK_STREAM; }
  [[nodiscard]] bool bound() const noexcept { return bind_seq_ != 0; }
  std::int64_t bind_to(std::uint32_t addr, std::uint16_t port) noexcept;
  void rebind_address(std::uint32_t addr) noexcept;
  int take_error() noexcept;

  // Stream (socket_stream.cpp).
  std::int64_t connect_stream(InetAddress dst) noexcept;
  std::int64_t disconnect() noexcept;
  std::int64_t stream_send(std::span<const iovec> iov, int flags) noexcept;
  std::int64_t stream_recv(std::span<const iovec> iov, int flags) noexcept;
  [[nodiscard]] std::uint32_t stream_poll() const noexcept;
  void stop_listening() noexcept;
  void stop_connecting() noexcept;
  void wake_connectors() noexcept;
  void receive_fin(bool peer_gone) noexcept;
  void receive_reset() noexcept;
  void release_stream() noexcept;
  // Corking: push this end's corked bytes (the peer may read them); a segment from the peer
  // arrived (tcp_data_snd_check pushes what this end corked); the peer's corked bytes vanish.
  void push_corked() noexcept;
  void segment_arrived() noexcept;
  void drop_held() noexcept;
  void arm_cork_timer() noexcept;
  void cancel_cork_timer() noexcept;
  friend struct detail::CorkTimer;

  // Datagram (socket_dgram.cpp).
  std::int64_t connect_dgram(const sockaddr* addr, socklen_t len) noexcept;
  std::int64_t dgram_send(std::span<const iovec> iov, int flags, const sockaddr* addr,
                          socklen_t len) noexcept;
  std::int64_t dgram_recv(std::span<const iovec> iov, int flags, InetAddress* from,
                          bool* truncated) noexcept;
  [[nodiscard]] std::uint32_t dgram_poll() const noexcept;
  void deliver_datagram(InetAddress src, InetAddress dst, std::span<const iovec> iov,
                        std::size_t total) noexcept;

  std::int64_t send_iov(std::span<const iovec> iov, int flags, const sockaddr* addr,
                        socklen_t len) noexcept;
  std::int64_t recv_iov(std::span<const iovec> iov, int flags, InetAddress* from, bool* has_from,
                        bool* truncated) noexcept;

  boost::intrusive_ptr<detail::NetState> net_;
  int type_;
  int protocol_;
  State state_ = State::closed;
  std::uint64_t bind_seq_ = 0;  // 0: not in the bind table
  bool user_bound_port_ = false;
  bool user_bound_addr_ = false;
  InetAddress local_{};
  InetAddress remote_{};
  bool has_remote_ = false;     // datagram default peer / stream peer address
  bool was_connected_ = false;  // sock->state == SS_CONNECTED: reconnecting is -EISCONN
  bool fin_received_ = false;
  bool peer_closed_ = false;  // the peer end is gone: the next send is answered by a reset
  bool pending_child_ = false;
  std::uint8_t shutdown_ = 0;  // RCV_SHUTDOWN 1, SEND_SHUTDOWN 2
  int pending_error_ = 0;
  Socket* peer_ = nullptr;

  ByteQueue rx_;
  std::size_t rx_held_ = 0;  // the tail of rx_ the peer corked (MSG_MORE), not readable yet
  std::unique_ptr<detail::CorkTimer, detail::CorkTimerDelete>
      cork_timer_;  // made at the first corked send
  std::deque<Datagram> datagrams_;
  // UDP MSG_MORE (udp_sendmsg's corkreq): the pending datagram's bytes, its route fixed by the
  // send that started it (up->pending). Dropped with the socket (udp_destroy_sock).
  bool dgram_corked_ = false;
  InetAddress corked_src_{};
  InetAddress corked_dst_{};
  std::vector<std::byte> corked_payload_;
  std::uint64_t dropped_ = 0;
  int rcvbuf_reported_;
  int sndbuf_reported_;
  std::size_t snd_payload_;

  bool reuseaddr_ = false;
  bool reuseport_ = false;
  bool keepalive_ = false;
  bool nodelay_ = false;

  int backlog_ = 0;
  std::deque<FileRef> accept_queue_;
  std::vector<Socket*> connectors_;  // sockets waiting for room in this listener's queue
  Socket* connecting_to_ = nullptr;
  InetAddress connect_target_{};
};

}  // namespace ringkit::sim
