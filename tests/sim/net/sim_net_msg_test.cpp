// The simulator's SENDMSG and RECVMSG: scatter/gather, the peer's address and the flags written
// back, buffer selection, and multishot RECVMSG's buffer layout (struct io_uring_recvmsg_out,
// name room, control room, payload) (tests/kernel/ops/net/msg_test.cpp, Linux 6.18).
#include <gtest/gtest.h>

#include <cstring>

#include "net_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::sim::net_testing {
namespace {

using abi::cqe_buffer_id;
using abi::cqe_flag::buffer;
using abi::cqe_flag::more;
using abi::cqe_flag::sock_nonempty;

class SimMsgOp : public SimNetTest {
 protected:
  void send_datagram(int from, const std::string& data) {
    ASSERT_EQ(sock(world, from).sendto(bytes(data), 0, sa(receiver_addr), sin_len),
              static_cast<std::int64_t>(data.size()));
  }
  ProvidedBufferRing make_buffers(std::uint32_t entries, std::uint32_t size) {
    result<ProvidedBufferRing> b = ProvidedBufferRing::create(
        *ring,
        {.bgid = 5, .entries = entries, .buffer_size = size, .incremental = false, .min_left = 0});
    EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message());
    return std::move(*b);
  }
  static abi::Cqe raw(const Cqe& c) {
    abi::Cqe r{};
    r.user_data = c.user_data;
    r.res = c.res;
    r.flags = c.flags;
    return r;
  }

  int sender = udp_socket(world);
  int receiver = udp_socket(world);
  sockaddr_in receiver_addr = loopback(port_of(world, receiver));
};
RINGKIT_SIM_NET_PROFILES(SimMsgOp);

TEST_P(SimMsgOp, SendmsgGathersTheIovecsIntoOneDatagram) {
  char part1[] = "scatter ";
  char part2[] = "gather";
  iovec iov[2] = {{part1, 8}, {part2, 6}};
  msghdr msg{};
  msg.msg_name = &receiver_addr;
  msg.msg_namelen = sin_len;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  EXPECT_EQ(run_one(op::Sendmsg(op::Fd{sender}, &msg).build()), (Cqe{1, 14, 0}));
  char buf[64] = {};
  sockaddr_in from{};
  socklen_t from_len = sin_len;
  ASSERT_EQ(sock(world, receiver)
                .recvfrom(std::as_writable_bytes(std::span<char>(buf)), 0, sa(from), &from_len),
            14);
  EXPECT_EQ(as_string(buf, 14), "scatter gather");
  EXPECT_EQ(ntohs(from.sin_port), port_of(world, sender));
}

TEST_P(SimMsgOp, SendmsgOnTcpWritesTheStream) {
  const TcpPair p = tcp_pair(world);
  char a[] = "one,";
  char b[] = "two";
  iovec iov[2] = {{a, 4}, {b, 3}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  EXPECT_EQ(run_one(op::Sendmsg(op::Fd{p.client}, &msg).build()).res, 7);
  EXPECT_EQ(recv_now(world, p.server), "one,two");
}

TEST_P(SimMsgOp, TheMsghdrIsReadAtSubmit) {
  const TcpPair p = tcp_pair(world);
  char a[] = "kept";
  iovec iov{a, 4};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ASSERT_TRUE(ring->push(testing::with(op::Sendmsg(op::Fd{p.client}, &msg).build(), 1)));
  ASSERT_TRUE(ring->submit());
  msg.msg_iovlen = 0;  // io_msg_copy_hdr already copied it
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<Cqe>{{1, 4, 0}}));
}

TEST_P(SimMsgOp, RecvmsgScattersAndReportsTheSender) {
  send_datagram(sender, "0123456789");
  char head[4];
  char tail[16];
  iovec iov[2] = {{head, sizeof head}, {tail, sizeof tail}};
  sockaddr_in from{};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sin_len;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  msg.msg_flags = 0x7777;
  EXPECT_EQ(run_one(op::Recvmsg(op::Fd{receiver}, &msg).build()), (Cqe{1, 10, 0}));
  EXPECT_EQ(as_string(head, 4), "0123");
  EXPECT_EQ(as_string(tail, 6), "456789");
  EXPECT_EQ(msg.msg_namelen, sin_len);
  EXPECT_EQ(from.sin_family, AF_INET);
  EXPECT_EQ(ntohs(from.sin_port), port_of(world, sender));
  EXPECT_EQ(msg.msg_flags, 0);
}

TEST_P(SimMsgOp, RecvmsgFlagsATruncatedDatagram) {
  send_datagram(sender, "too long for four");
  char buf[4];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  EXPECT_EQ(run_one(op::Recvmsg(op::Fd{receiver}, &msg).build()).res, 4);
  EXPECT_EQ(as_string(buf, 4), "too ");
  EXPECT_EQ(msg.msg_flags, MSG_TRUNC);
}

TEST_P(SimMsgOp, RecvmsgOnTcpFlagsSockNonempty) {
  const TcpPair p = tcp_pair(world);
  send_all(world, p.client, "abcdef");
  char buf[3];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  EXPECT_EQ(run_one(op::Recvmsg(op::Fd{p.server}, &msg).build()), (Cqe{1, 3, sock_nonempty}));
}

TEST_P(SimMsgOp, RecvmsgIntoAProvidedBuffer) {
  ProvidedBufferRing buffers = make_buffers(2, 64);
  send_datagram(sender, "picked");
  sockaddr_in from{};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sin_len;
  const Cqe c =
      run_one(op::Recvmsg::select_buffer(op::Fd{receiver}, &msg, buffers.group()).build());
  ASSERT_EQ(c.res, 6);
  EXPECT_EQ(low_flags(c), buffer);
  EXPECT_EQ(cqe_buffer_id(c.flags), 0u);
  const result<std::span<std::byte>> data = buffers.take(raw(c));
  ASSERT_TRUE(data);
  EXPECT_EQ(as_string(data->data(), data->size()), "picked");
  EXPECT_EQ(ntohs(from.sin_port), port_of(world, sender));
}

TEST_P(SimMsgOp, RecvmsgSelectingWithTwoIovecsIsEinvalAtPrep) {
  ProvidedBufferRing buffers = make_buffers(2, 64);
  char a[4];
  char b[4];
  iovec iov[2] = {{a, 4}, {b, 4}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  EXPECT_EQ(
      run_one(op::Recvmsg::select_buffer(op::Fd{receiver}, &msg, buffers.group()).build()).res,
      -EINVAL);
}

struct RecvmsgBuffer {
  abi::RecvmsgOut out{};
  sockaddr_in name{};
  std::string payload;
};

RecvmsgBuffer parse(std::span<const std::byte> bytes, std::uint32_t namelen) {
  RecvmsgBuffer parsed;
  if (bytes.size() < sizeof(abi::RecvmsgOut) + namelen) {
    ADD_FAILURE() << "buffer shorter than its header: " << bytes.size();
    return parsed;
  }
  std::memcpy(&parsed.out, bytes.data(), sizeof parsed.out);
  std::memcpy(&parsed.name, bytes.data() + sizeof parsed.out,
              std::min<std::size_t>(namelen, sizeof parsed.name));
  const std::size_t at = sizeof parsed.out + namelen;
  parsed.payload = as_string(bytes.data() + at, bytes.size() - at);
  return parsed;
}

TEST_P(SimMsgOp, MultishotRecvmsgLaysOutHeaderNameAndPayload) {
  ProvidedBufferRing buffers = make_buffers(4, 128);
  msghdr msg{};
  msg.msg_namelen = sin_len;
  submit_only(op::Recvmsg::multishot(op::Fd{receiver}, &msg, buffers.group()).build(), 8);
  const int other_sender = udp_socket(world);
  const int senders[] = {sender, other_sender};
  const std::string payloads[] = {"first datagram", "second"};
  for (std::uint16_t i = 0; i < 2; ++i) {
    send_datagram(senders[i], payloads[i]);
    const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].user_data, 8u);
    ASSERT_EQ(cqes[0].res,
              static_cast<std::int32_t>(sizeof(abi::RecvmsgOut) + sin_len + payloads[i].size()));
    EXPECT_EQ(low_flags(cqes[0]), more | buffer);  // UDP: never SOCK_NONEMPTY
    EXPECT_EQ(cqe_buffer_id(cqes[0].flags), i);
    const result<std::span<std::byte>> b = buffers.take(raw(cqes[0]));
    ASSERT_TRUE(b);
    const RecvmsgBuffer parsed = parse(*b, sin_len);
    EXPECT_EQ(parsed.out.namelen, sin_len);
    EXPECT_EQ(parsed.out.controllen, 0u);
    EXPECT_EQ(parsed.out.payloadlen, payloads[i].size());
    EXPECT_EQ(parsed.out.flags, 0u);
    EXPECT_EQ(parsed.name.sin_family, AF_INET);
    EXPECT_EQ(ntohs(parsed.name.sin_port), port_of(world, senders[i]));
    EXPECT_EQ(parsed.payload, payloads[i]);
  }
}

TEST_P(SimMsgOp, MultishotRecvmsgTakesEveryQueuedDatagram) {
  ProvidedBufferRing buffers = make_buffers(4, 128);
  send_datagram(sender, "aaa");
  send_datagram(sender, "bb");
  msghdr msg{};
  msg.msg_namelen = sin_len;
  const std::vector<Cqe> cqes =
      run(op::Recvmsg::multishot(op::Fd{receiver}, &msg, buffers.group()).build(), 15, 2);
  ASSERT_EQ(cqes.size(), 2u);
  EXPECT_EQ(cqes[0], (Cqe{15, 35, more | buffer}));
  EXPECT_EQ(cqes[1], (Cqe{15, 34, more | buffer | (1u << abi::cqe_flag::buffer_shift)}));
}

TEST_P(SimMsgOp, UdpMultishotEndsWithEnobufsRightAfterItsLastBuffer) {
  ProvidedBufferRing buffers = make_buffers(1, 64);
  msghdr msg{};
  msg.msg_namelen = sin_len;
  submit_only(op::Recvmsg::multishot(op::Fd{receiver}, &msg, buffers.group()).build(), 41);
  EXPECT_TRUE(pending().empty());
  send_datagram(sender, "one");
  // UDP reports no msg_inq: the kernel receives again at once, finds no buffer and ends.
  EXPECT_EQ(testing::wait_for(*ring, 2),
            (std::vector<Cqe>{{41, 35, more | buffer}, {41, -ENOBUFS, 0}}));
}

TEST_P(SimMsgOp, NullBuffersAreEfault) {
  msghdr msg{};
  msg.msg_iovlen = 1;  // and no iovec array
  EXPECT_EQ(run_one(op::Recvmsg(op::Fd{receiver}, &msg).build()).res, -EFAULT);
  const TcpPair p = tcp_pair(world);
  EXPECT_EQ(run_one(op::Send(op::Fd{p.client}, nullptr, 4).build(), 2).res, -EFAULT);
}

class SimMultishotRecvmsgTruncation : public SimMsgOp {
 protected:
  void run_case(std::uint32_t msg_flags, std::uint32_t expected_payloadlen) {
    ProvidedBufferRing buffers = make_buffers(2, 48);
    msghdr msg{};
    msg.msg_namelen = sin_len;
    submit_only(op::Recvmsg::multishot(op::Fd{receiver}, &msg, buffers.group())
                    .msg_flags(msg_flags)
                    .build(),
                8);
    const std::string datagram = "abcdefghijklmnopqrstuvwxyz";
    send_datagram(sender, datagram);
    const std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].res, 48);
    EXPECT_EQ(low_flags(cqes[0]), more | buffer);
    const result<std::span<std::byte>> b = buffers.take(raw(cqes[0]));
    ASSERT_TRUE(b);
    const RecvmsgBuffer parsed = parse(*b, sin_len);
    EXPECT_EQ(parsed.out.payloadlen, expected_payloadlen);
    EXPECT_EQ(parsed.out.flags, static_cast<std::uint32_t>(MSG_TRUNC));
    EXPECT_EQ(parsed.payload, datagram.substr(0, 16));
  }
};
RINGKIT_SIM_NET_PROFILES(SimMultishotRecvmsgTruncation);

TEST_P(SimMultishotRecvmsgTruncation, PayloadlenIsWhatFit) { run_case(0, 16); }

TEST_P(SimMultishotRecvmsgTruncation, WithMsgTruncPayloadlenIsTheDatagramLength) {
  run_case(static_cast<std::uint32_t>(MSG_TRUNC), 26);
}

TEST_P(SimMsgOp, MultishotRecvmsgWithABufferSmallerThanItsHeaderIsEfault) {
  ProvidedBufferRing buffers = make_buffers(2, 16);
  msghdr msg{};
  msg.msg_namelen = sin_len;
  send_datagram(sender, "x");
  EXPECT_EQ(run_one(op::Recvmsg::multishot(op::Fd{receiver}, &msg, buffers.group()).build()),
            (Cqe{1, -EFAULT, 0}));
}

TEST_P(SimMsgOp, MultishotRecvmsgOnTcpHasNoNameAndEndsWithAHeaderOnlyBuffer) {
  ProvidedBufferRing buffers = make_buffers(4, 64);
  const TcpPair p = tcp_pair(world);
  msghdr msg{};
  msg.msg_namelen = sin_len;
  submit_only(op::Recvmsg::multishot(op::Fd{p.server}, &msg, buffers.group()).build(), 13);
  send_all(world, p.client, "tcpdata");
  std::vector<Cqe> cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{13, 39, more | buffer}));
  const result<std::span<std::byte>> b = buffers.take(raw(cqes[0]));
  ASSERT_TRUE(b);
  const RecvmsgBuffer parsed = parse(*b, sin_len);
  EXPECT_EQ(parsed.out.namelen, 0u);  // a stream has no source address
  EXPECT_EQ(parsed.out.payloadlen, 7u);
  EXPECT_EQ(parsed.payload, "tcpdata");
  // End of stream: io_recvmsg_multishot still lays out a header (payloadlen 0) and finishes.
  ASSERT_TRUE(world.fds().close(p.client));
  cqes = testing::wait_for(*ring, 1);
  ASSERT_EQ(cqes.size(), 1u);
  EXPECT_EQ(cqes[0], (Cqe{13, 32, buffer | sock_nonempty | (1u << abi::cqe_flag::buffer_shift)}));
}

TEST_P(SimMsgOp, RecvmsgOnANonSocketIsEnotsock) {
  char buf[4];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  EXPECT_EQ(run_one(op::Recvmsg(op::Fd{make_pipe_fds(world).read_end}, &msg).build()).res,
            -ENOTSOCK);
}

TEST_P(SimMsgOp, SendmsgWithControlDataIsRefusedLoudly) {
  char a[] = "x";
  iovec iov{a, 1};
  char control[32] = {};
  msghdr msg{};
  msg.msg_name = &receiver_addr;
  msg.msg_namelen = sin_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  EXPECT_EQ(run_one(op::Sendmsg(op::Fd{sender}, &msg).build()).res, -EINVAL);
}

}  // namespace
}  // namespace ringkit::sim::net_testing
