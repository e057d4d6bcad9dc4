// The echo server and its clients, on one ring. The server takes connections with a multishot
// ACCEPT, receives with a multishot RECV into a provided-buffer ring, and sends each received
// buffer back straight from the ring's memory (one SEND in flight per connection, short sends
// resumed), handing the buffer back to the ring when its bytes are sent. A RECV that ends (no
// buffers: -ENOBUFS, a full CQ) is re-armed when the ring has buffers again. Clients connect,
// send a seeded message and read it back; a client whose connection breaks (injected resets)
// starts over on a new connection.
// Oracle: every byte a client reads back is the byte it sent at that offset; at the end every
// client got its whole message and the server closed every connection.
// Planted bug: a receive buffer goes back to the ring as soon as its CQE is seen, while its
// bytes still wait to be sent, so a later receive can overwrite them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "example_support.hpp"
#include "ringkit/examples/workloads.hpp"
#include "ringkit/ops.hpp"
#include "ringkit/provided_buffer_ring.hpp"
#include "ringkit/sim/harness/ring_helpers.hpp"

namespace ringkit::examples {

namespace {

using sim::harness::Environment;
using sim::harness::Status;

enum class Kind : std::uint8_t {
  accept = 1,
  server_recv,
  server_send,
  server_cancel,
  server_close,
  listener_cancel,
  listener_close,
  client_socket,
  client_connect,
  client_send,
  client_recv,
  client_cancel,
  client_close,
};
constexpr std::uint64_t tag(Kind k, std::size_t index) {
  return (std::uint64_t{static_cast<std::uint8_t>(k)} << 56) | index;
}
constexpr Kind kind_of(std::uint64_t user_data) { return static_cast<Kind>(user_data >> 56); }
constexpr std::size_t index_of(std::uint64_t user_data) {
  return static_cast<std::size_t>(user_data & 0x00ff'ffff'ffff'ffffULL);
}

constexpr std::uint16_t buffer_group = 1;
constexpr std::uint32_t buffer_count = 16;
constexpr std::uint32_t buffer_bytes = 64;
constexpr std::uint64_t max_attempts = 1'000;

struct Segment {
  std::uint16_t bid;
  std::uint32_t offset;
  std::uint32_t len;
};

struct Connection {
  int fd = -1;
  bool open = false;  // until its CLOSE completed
  bool recv_armed = false;
  bool send_in_flight = false;
  bool cancel_in_flight = false;
  bool cancel_sent = false;
  bool close_sent = false;
  bool eof = false;
  bool broken = false;
  std::deque<Segment> queue;
};

struct Client {
  enum class State : std::uint8_t { idle, opening, connecting, running, closing, done };
  State state = State::idle;
  std::vector<std::byte> message;
  std::vector<std::byte> echoed;
  std::size_t sent = 0;
  std::size_t received = 0;
  int fd = -1;
  bool send_in_flight = false;
  bool recv_in_flight = false;
  int cancels_in_flight = 0;
  bool failed = false;
  bool complete = false;
  std::uint64_t attempts = 0;
};

class Echo final : public sim::harness::Workload {
 public:
  explicit Echo(bool planted_bug) : planted_bug_(planted_bug) {}
  // Requests still in flight (a run that failed part way) point into this object's memory:
  // they end before it goes.
  ~Echo() override {
    if (ring_) (void)sim::harness::cancel_and_drain(*ring_, ledger_, std::chrono::milliseconds(10));
  }

  Status start(Environment& env) override {
    // The program's shape from the decisions (0: one client, one byte), the bytes from the seed.
    sim::DecisionSource& shape = env.decisions();
    Prng prng(env.workload_seed() ^ 0xec40'0000ULL);
    clients_.resize(shape.between(1, 5));
    for (Client& c : clients_) {
      c.message.resize(shape.between(1, 3000));
      prng.fill(c.message);
      c.echoed.resize(c.message.size());
    }
    result<std::unique_ptr<Ring>> made = env.make_ring({.entries = 64});
    if (!made) return Status::fatal("ring: " + made.error().message());
    ring_ = std::move(*made);
    result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
        *ring_, {.bgid = buffer_group, .entries = buffer_count, .buffer_size = buffer_bytes});
    if (!buffers) return Status::fatal("buffer ring: " + buffers.error().message());
    buffers_.emplace(std::move(*buffers));

    Blocking io(*ring_, env);
    const result<std::int32_t> s = io.run(op::Socket(AF_INET, SOCK_STREAM, 0).build());
    if (!s || *s < 0)
      return Status::fatal("socket: " + (s ? describe_res(*s) : s.error().message()));
    listener_ = *s;
    address_.sin_family = AF_INET;
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address_.sin_port = 0;
    const result<std::int32_t> b = io.run(
        op::Bind(op::Fd{listener_}, reinterpret_cast<const sockaddr*>(&address_), sizeof address_)
            .build());
    if (!b || *b < 0) return Status::fatal("bind: " + (b ? describe_res(*b) : b.error().message()));
    const result<std::int32_t> l = io.run(op::Listen(op::Fd{listener_}, 64).build());
    if (!l || *l < 0)
      return Status::fatal("listen: " + (l ? describe_res(*l) : l.error().message()));
    const result<std::uint16_t> port = env.local_port(listener_);
    if (!port) return Status::fatal("getsockname: " + port.error().message());
    address_.sin_port = htons(*port);
    arm_accept();
    return Status::success();
  }

  Status step(Environment& env) override {
    if (!ring_) return Status::fatal("step without a ring");
    if (Status s = drive(); !s.ok()) return s;
    if (ledger_.in_flight() == 0) return Status::success();
    const auto handle = [this](const abi::Cqe& c) { return on_cqe(c); };
    if (Status s = pump_and_reap(*ring_, ledger_, env.step_timeout(), handle); !s.ok()) return s;
    return drive();
  }

  [[nodiscard]] bool done() const noexcept override {
    if (!ring_ || !listener_closed_) return false;
    for (const Client& c : clients_) {
      if (c.state != Client::State::done) return false;
    }
    for (const Connection& conn : conns_) {
      if (conn.open) return false;
    }
    return true;
  }
  [[nodiscard]] std::uint64_t in_flight() const noexcept override { return ledger_.in_flight(); }
  [[nodiscard]] std::uint64_t ops() const noexcept override { return ledger_.ops(); }

  Status check(Environment&) override {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      const Client& c = clients_[i];
      if (!c.complete || c.received != c.message.size()) {
        return Status::violation("client " + std::to_string(i) + " got " +
                                 std::to_string(c.received) + " of " +
                                 std::to_string(c.message.size()) + " bytes back");
      }
    }
    if (buffers_->held_by_kernel_count() != buffer_count) {
      return Status::violation("the server lost receive buffers: the ring holds " +
                               std::to_string(buffers_->held_by_kernel_count()) + " of " +
                               std::to_string(buffer_count));
    }
    return Status::success();
  }

 private:
  bool push(abi::Sqe sqe, std::uint64_t user_data) {
    sqe.user_data = user_data;
    if (!ring_->push(sqe)) return false;
    ledger_.submitted();
    return true;
  }

  void arm_accept() {
    accept_armed_ = push(op::Accept::multishot(op::Fd{listener_}).build(), tag(Kind::accept, 0));
  }

  // Submits whatever each connection and client is ready for.
  Status drive() {
    bool all_clients_done = true;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (Status s = drive_client(i); !s.ok()) return s;
      all_clients_done = all_clients_done && clients_[i].state == Client::State::done;
    }
    for (std::size_t i = 0; i < conns_.size(); ++i) drive_connection(i);
    if (!accept_armed_ && !stopping_ && !all_clients_done) arm_accept();
    if (all_clients_done && !stopping_) {
      // Every client is served: stop accepting, then close the listener.
      stopping_ = true;
      if (accept_armed_) {
        if (!push(op::AsyncCancel(tag(Kind::accept, 0)).build(), tag(Kind::listener_cancel, 0))) {
          stopping_ = false;
        }
      }
    }
    if (stopping_ && !accept_armed_ && !listener_close_sent_) {
      listener_close_sent_ =
          push(op::Close(op::Fd{listener_}).build(), tag(Kind::listener_close, 0));
    }
    return Status::success();
  }

  void drive_connection(std::size_t i) {
    Connection& c = conns_[i];
    if (!c.open || c.close_sent) return;
    if (!c.broken && !c.send_in_flight && !c.queue.empty()) {
      const Segment& s = c.queue.front();
      const std::byte* bytes = buffers_->buffer(s.bid).data() + s.offset;
      c.send_in_flight =
          push(op::Send(op::Fd{c.fd}, bytes, s.len).build(), tag(Kind::server_send, i));
    }
    if (!c.recv_armed && !c.eof && !c.broken && buffers_->held_by_kernel_count() > 0) {
      c.recv_armed = push(op::Recv::multishot(op::Fd{c.fd}, buffers_->group()).build(),
                          tag(Kind::server_recv, i));
    }
    if ((c.eof || c.broken) && c.recv_armed && !c.cancel_sent) {
      c.cancel_sent = c.cancel_in_flight =
          push(op::AsyncCancel(tag(Kind::server_recv, i)).build(), tag(Kind::server_cancel, i));
    }
    if (c.broken && !c.send_in_flight) drop_queue(c);
    const bool idle = !c.recv_armed && !c.send_in_flight && !c.cancel_in_flight;
    if ((c.eof || c.broken) && idle && c.queue.empty()) {
      c.close_sent = push(op::Close(op::Fd{c.fd}).build(), tag(Kind::server_close, i));
    }
  }

  void drop_queue(Connection& c) {
    for (const Segment& s : c.queue) {
      if (!planted_bug_) (void)buffers_->recycle(s.bid);
    }
    c.queue.clear();
  }

  Status drive_client(std::size_t i) {
    Client& c = clients_[i];
    switch (c.state) {
      case Client::State::idle:
        if (c.complete) {
          c.state = Client::State::done;
          break;
        }
        if (++c.attempts > max_attempts) {
          return Status::fatal("client " + std::to_string(i) + " failed " +
                               std::to_string(max_attempts) + " connections");
        }
        if (push(op::Socket(AF_INET, SOCK_STREAM, 0).build(), tag(Kind::client_socket, i))) {
          c.state = Client::State::opening;
          c.sent = c.received = 0;
          c.failed = false;
        } else {
          --c.attempts;
        }
        break;
      case Client::State::running:
        if (c.failed || c.received == c.message.size()) {
          if (c.failed && c.cancels_in_flight == 0) {
            if (c.send_in_flight && push(op::AsyncCancel(tag(Kind::client_send, i)).build(),
                                         tag(Kind::client_cancel, i))) {
              ++c.cancels_in_flight;
            }
            if (c.recv_in_flight && push(op::AsyncCancel(tag(Kind::client_recv, i)).build(),
                                         tag(Kind::client_cancel, i))) {
              ++c.cancels_in_flight;
            }
          }
          if (!c.send_in_flight && !c.recv_in_flight && c.cancels_in_flight == 0 &&
              push(op::Close(op::Fd{c.fd}).build(), tag(Kind::client_close, i))) {
            c.complete = !c.failed;
            c.state = Client::State::closing;
          }
          break;
        }
        if (!c.send_in_flight && c.sent < c.message.size()) {
          c.send_in_flight = push(op::Send(op::Fd{c.fd}, c.message.data() + c.sent,
                                           static_cast<std::uint32_t>(c.message.size() - c.sent))
                                      .build(),
                                  tag(Kind::client_send, i));
        }
        if (!c.recv_in_flight) {
          c.recv_in_flight =
              push(op::Recv(op::Fd{c.fd}, c.echoed.data() + c.received,
                            static_cast<std::uint32_t>(c.message.size() - c.received))
                       .build(),
                   tag(Kind::client_recv, i));
        }
        break;
      default:
        break;
    }
    return Status::success();
  }

  Status on_cqe(const abi::Cqe& cqe) {
    const std::size_t i = index_of(cqe.user_data);
    const std::int32_t res = cqe.res;
    const bool more = (cqe.flags & abi::cqe_flag::more) != 0;
    switch (kind_of(cqe.user_data)) {
      case Kind::accept:
        if (!more) accept_armed_ = false;
        if (res >= 0) {
          Connection conn;
          conn.fd = res;
          conn.open = true;
          conns_.push_back(std::move(conn));
        } else if (res != -ECANCELED && res != -ECONNABORTED && res != -EINTR) {
          return Status::fatal("accept: " + describe_res(res));
        }
        return Status::success();
      case Kind::server_recv:
        return on_server_recv(conns_.at(i), cqe);
      case Kind::server_send: {
        Connection& c = conns_.at(i);
        c.send_in_flight = false;
        if (res < 0) {
          if (res != -EPIPE && res != -ECONNRESET)
            return Status::fatal("send: " + describe_res(res));
          c.broken = true;
          return Status::success();
        }
        Segment& s = c.queue.front();
        const auto sent = static_cast<std::uint32_t>(res);
        s.offset += sent;
        s.len -= sent;
        if (s.len == 0) {
          if (!planted_bug_) (void)buffers_->recycle(s.bid);
          c.queue.pop_front();
        }
        return Status::success();
      }
      case Kind::server_cancel:
        conns_.at(i).cancel_in_flight = false;
        return Status::success();
      case Kind::server_close:
        conns_.at(i).open = false;
        return Status::success();
      case Kind::listener_cancel:
        return Status::success();
      case Kind::listener_close:
        if (res < 0) return Status::fatal("close the listener: " + describe_res(res));
        listener_closed_ = true;
        return Status::success();
      case Kind::client_socket: {
        Client& c = clients_.at(i);
        if (res < 0) return Status::fatal("client socket: " + describe_res(res));
        c.fd = res;
        if (push(op::Connect(op::Fd{c.fd}, reinterpret_cast<const sockaddr*>(&address_),
                             sizeof address_)
                     .build(),
                 tag(Kind::client_connect, i))) {
          c.state = Client::State::connecting;
        } else {
          return Status::fatal("the SQ is full");
        }
        return Status::success();
      }
      case Kind::client_connect: {
        Client& c = clients_.at(i);
        c.state = Client::State::running;
        if (res < 0) c.failed = true;
        return Status::success();
      }
      case Kind::client_send: {
        Client& c = clients_.at(i);
        c.send_in_flight = false;
        if (res < 0) {
          c.failed = true;
        } else {
          c.sent += static_cast<std::size_t>(res);
        }
        return Status::success();
      }
      case Kind::client_recv:
        return on_client_recv(i, res);
      case Kind::client_cancel:
        --clients_.at(i).cancels_in_flight;
        return Status::success();
      case Kind::client_close:
        clients_.at(i).state = Client::State::idle;
        return Status::success();
    }
    return Status::fatal("a CQE nobody asked for: user_data " + std::to_string(cqe.user_data));
  }

  Status on_server_recv(Connection& c, const abi::Cqe& cqe) {
    if ((cqe.flags & abi::cqe_flag::more) == 0) c.recv_armed = false;
    if (cqe.res > 0) {
      const result<std::span<std::byte>> bytes = buffers_->take(cqe);
      if (!bytes)
        return Status::fatal("a receive CQE without its buffer: " + bytes.error().message());
      const std::uint16_t bid = abi::cqe_buffer_id(cqe.flags);
      c.queue.push_back(Segment{bid, 0, static_cast<std::uint32_t>(bytes->size())});
      if (planted_bug_) (void)buffers_->recycle(bid);  // the bug: its bytes are not sent yet
      return Status::success();
    }
    if (cqe.res == 0) {
      c.eof = true;
    } else if (cqe.res != -ENOBUFS && cqe.res != -ECANCELED) {
      if (cqe.res != -ECONNRESET && cqe.res != -EPIPE) {
        return Status::fatal("recv: " + describe_res(cqe.res));
      }
      c.broken = true;
    }
    return Status::success();
  }

  Status on_client_recv(std::size_t i, std::int32_t res) {
    Client& c = clients_.at(i);
    c.recv_in_flight = false;
    if (res <= 0) {
      c.failed = true;  // the server went away (reset), or we cancelled
      return Status::success();
    }
    const auto n = static_cast<std::size_t>(res);
    if (std::memcmp(c.echoed.data() + c.received, c.message.data() + c.received, n) != 0) {
      std::size_t at = c.received;
      while (c.echoed[at] == c.message[at]) ++at;
      return Status::violation("client " + std::to_string(i) + " got a wrong byte back at offset " +
                               std::to_string(at) + " of its message");
    }
    c.received += n;
    return Status::success();
  }

  bool planted_bug_;
  std::unique_ptr<Ring> ring_;
  std::optional<ProvidedBufferRing> buffers_;  // after ring_: unregistered before it goes
  int listener_ = -1;
  sockaddr_in address_{};
  bool accept_armed_ = false;
  bool stopping_ = false;
  bool listener_close_sent_ = false;
  bool listener_closed_ = false;
  std::vector<Connection> conns_;
  std::vector<Client> clients_;
  sim::harness::RequestLedger ledger_;
};

}  // namespace

std::unique_ptr<sim::harness::Workload> make_echo(bool planted_bug) {
  return std::make_unique<Echo>(planted_bug);
}

}  // namespace ringkit::examples
