// SENDMSG and RECVMSG on the real kernel: scatter/gather through a msghdr, the peer's address and
// the message flags written back, and multishot RECVMSG, whose every buffer starts with a
// struct io_uring_recvmsg_out (abi::RecvmsgOut), then the name, the control data and the payload.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "net_test_support.hpp"
#include "ringkit/provided_buffer_ring.hpp"

namespace ringkit::testing::net {
namespace {

using abi::cqe_buffer_id;
using abi::cqe_flag::buffer;
using abi::cqe_flag::more;

class MsgOp : public NetRingTest {
 protected:
  void SetUp() override {
    NetRingTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RINGKIT_REQUIRE_OPCODE(*ring_, sendmsg);
    RINGKIT_REQUIRE_OPCODE(*ring_, recvmsg);
    sender_ = udp_socket();
    receiver_ = udp_socket();
    ASSERT_TRUE(sender_.ok() && receiver_.ok());
    receiver_addr_ = loopback(local_port(receiver_.get()));
  }

  // sendto(2) of one datagram to the receiver from `from`.
  void send_datagram(int from, const std::string& data) {
    ASSERT_EQ(
        sendto(from, data.data(), data.size(), 0, as_sockaddr(receiver_addr_), sockaddr_in_len),
        static_cast<ssize_t>(data.size()));
  }

  OwnedFd sender_;
  OwnedFd receiver_;
  sockaddr_in receiver_addr_{};
};

TEST_F(MsgOp, SendmsgGathersTheIovecsIntoOneDatagram) {
  char part1[] = "scatter ";
  char part2[] = "gather";
  iovec iov[2] = {{part1, 8}, {part2, 6}};
  msghdr msg{};
  msg.msg_name = &receiver_addr_;
  msg.msg_namelen = sockaddr_in_len;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  const std::optional<abi::Cqe> cqe = run_op(op::Sendmsg(sender_.fd(), &msg));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 14);
  EXPECT_EQ(cqe->flags, 0u);

  ASSERT_TRUE(wait_readable(receiver_.get()));
  char buf[64] = {};
  sockaddr_in from{};
  socklen_t from_len = sockaddr_in_len;
  ASSERT_EQ(recvfrom(receiver_.get(), buf, sizeof buf, MSG_DONTWAIT, as_sockaddr(from), &from_len),
            14);
  EXPECT_EQ(as_string(buf, 14), "scatter gather");
  EXPECT_EQ(from.sin_port, htons(local_port(sender_.get())));
}

TEST_F(MsgOp, SendmsgOnTcpWritesTheStream) {
  TcpPair pair = tcp_pair();
  ASSERT_TRUE(pair.ok());
  char a[] = "one,";
  char b[] = "two";
  iovec iov[2] = {{a, 4}, {b, 3}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  const std::optional<abi::Cqe> cqe = run_op(op::Sendmsg(pair.client.fd(), &msg));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 7);
  ASSERT_TRUE(wait_readable(pair.server.get()));
  EXPECT_EQ(recv_now(pair.server.get()), "one,two");
}

TEST_F(MsgOp, RecvmsgScattersAndReportsTheSender) {
  send_datagram(sender_.get(), "0123456789");
  char head[4];
  char tail[16];
  iovec iov[2] = {{head, sizeof head}, {tail, sizeof tail}};
  sockaddr_in from{};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sockaddr_in_len;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  const std::optional<abi::Cqe> cqe = run_op(op::Recvmsg(receiver_.fd(), &msg));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 10);
  EXPECT_EQ(cqe->flags, 0u);
  EXPECT_EQ(as_string(head, 4), "0123");
  EXPECT_EQ(as_string(tail, 6), "456789");
  EXPECT_EQ(msg.msg_namelen, sockaddr_in_len);
  EXPECT_EQ(from.sin_family, AF_INET);
  EXPECT_EQ(from.sin_port, htons(local_port(sender_.get())));
  EXPECT_EQ(msg.msg_flags, 0);
}

TEST_F(MsgOp, RecvmsgFlagsATruncatedDatagram) {
  send_datagram(sender_.get(), "too long for four");
  char buf[4];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  const std::optional<abi::Cqe> cqe = run_op(op::Recvmsg(receiver_.fd(), &msg));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, 4);
  EXPECT_EQ(as_string(buf, 4), "too ");
  EXPECT_EQ(msg.msg_flags, MSG_TRUNC);  // written back to the caller's msghdr
}

TEST_F(MsgOp, RecvmsgIntoAProvidedBuffer) {
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring_, {.bgid = 5, .entries = 2, .buffer_size = 64, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  send_datagram(sender_.get(), "picked");
  sockaddr_in from{};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sockaddr_in_len;  // one-shot selection: no iovec, the buffer is the data
  const std::optional<abi::Cqe> cqe =
      run_op(op::Recvmsg::select_buffer(receiver_.fd(), &msg, buffers->group()));
  ASSERT_TRUE(cqe);
  ASSERT_EQ(cqe->res, 6);
  EXPECT_EQ(low_flags(*cqe), buffer);
  EXPECT_EQ(cqe_buffer_id(cqe->flags), 0u);
  const result<std::span<std::byte>> data = buffers->take(*cqe);
  ASSERT_TRUE(data);
  EXPECT_EQ(as_string(data->data(), data->size()), "picked");
  EXPECT_EQ(from.sin_port, htons(local_port(sender_.get())));
}

// What a multishot RECVMSG wrote into one buffer: the header, then name, control and payload.
struct RecvmsgBuffer {
  abi::RecvmsgOut out{};
  sockaddr_in name{};
  std::string payload;
};

RecvmsgBuffer parse_recvmsg_buffer(std::span<const std::byte> bytes, std::uint32_t namelen,
                                   std::uint32_t controllen) {
  RecvmsgBuffer parsed;
  if (bytes.size() < sizeof(abi::RecvmsgOut) + namelen + controllen) {
    ADD_FAILURE() << "buffer shorter than its header: " << bytes.size();
    return parsed;
  }
  std::memcpy(&parsed.out, bytes.data(), sizeof parsed.out);
  std::memcpy(&parsed.name, bytes.data() + sizeof parsed.out,
              std::min<std::size_t>(namelen, sizeof parsed.name));
  const std::size_t payload_at = sizeof parsed.out + namelen + controllen;
  parsed.payload = as_string(bytes.data() + payload_at, bytes.size() - payload_at);
  return parsed;
}

TEST_F(MsgOp, MultishotRecvmsgLaysOutHeaderNameAndPayload) {
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring_, {.bgid = 5, .entries = 4, .buffer_size = 128, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  // The msghdr only says how much room to keep for the name and the control data.
  msghdr msg{};
  msg.msg_namelen = sockaddr_in_len;
  ASSERT_TRUE(ring_->push(
      with_user_data(op::Recvmsg::multishot(receiver_.fd(), &msg, buffers->group()), 8)));
  ASSERT_TRUE(ring_->submit());

  const OwnedFd other_sender = udp_socket();
  ASSERT_TRUE(other_sender.ok());
  const int senders[] = {sender_.get(), other_sender.get()};
  const std::string payloads[] = {"first datagram", "second"};
  for (std::uint16_t i = 0; i < 2; ++i) {
    send_datagram(senders[i], payloads[i]);
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u);
    const abi::Cqe& cqe = cqes[0];
    EXPECT_EQ(cqe.user_data, 8u);
    // res counts the whole buffer: header + the name's room + the control room + payload.
    const auto expected_res = sizeof(abi::RecvmsgOut) + sockaddr_in_len + payloads[i].size();
    ASSERT_EQ(cqe.res, static_cast<std::int32_t>(expected_res));
    EXPECT_EQ(low_flags(cqe), more | buffer);
    EXPECT_EQ(cqe_buffer_id(cqe.flags), i);
    const result<std::span<std::byte>> bytes = buffers->take(cqe);
    ASSERT_TRUE(bytes) << bytes.error().message();
    const RecvmsgBuffer parsed = parse_recvmsg_buffer(*bytes, sockaddr_in_len, 0);
    EXPECT_EQ(parsed.out.namelen, sockaddr_in_len);
    EXPECT_EQ(parsed.out.controllen, 0u);
    EXPECT_EQ(parsed.out.payloadlen, payloads[i].size());
    EXPECT_EQ(parsed.out.flags, 0u);
    EXPECT_EQ(parsed.name.sin_family, AF_INET);
    EXPECT_EQ(parsed.name.sin_port, htons(local_port(senders[i])));
    EXPECT_EQ(parsed.payload, payloads[i]);
  }
  cancel_multishot(*ring_, 8);  // before the buffers go
}

// A 26-byte datagram into 48-byte buffers: 48 - 16 (header) - 16 (name) leaves 16 bytes of
// payload room. payloadlen is what recvmsg(2) returned: what fit, or with MSG_TRUNC asked for,
// the datagram's real length.
class MultishotRecvmsgTruncation : public MsgOp {
 protected:
  void run_case(std::uint32_t msg_flags, std::uint32_t expected_payloadlen) {
    result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
        *ring_, {.bgid = 5, .entries = 2, .buffer_size = 48, .incremental = false, .min_left = 0});
    ASSERT_TRUE(buffers) << buffers.error().message();
    msghdr msg{};
    msg.msg_namelen = sockaddr_in_len;
    ASSERT_TRUE(ring_->push(with_user_data(
        op::Recvmsg::multishot(receiver_.fd(), &msg, buffers->group()).msg_flags(msg_flags), 8)));
    ASSERT_TRUE(ring_->submit());
    const std::string datagram = "abcdefghijklmnopqrstuvwxyz";
    send_datagram(sender_.get(), datagram);
    const std::vector<abi::Cqe> cqes = reap(*ring_, 1);
    ASSERT_EQ(cqes.size(), 1u);
    EXPECT_EQ(cqes[0].res, 48);  // the whole buffer, never more
    EXPECT_EQ(low_flags(cqes[0]), more | buffer);
    const result<std::span<std::byte>> bytes = buffers->take(cqes[0]);
    ASSERT_TRUE(bytes) << bytes.error().message();
    const RecvmsgBuffer parsed = parse_recvmsg_buffer(*bytes, sockaddr_in_len, 0);
    EXPECT_EQ(parsed.out.payloadlen, expected_payloadlen);
    EXPECT_EQ(parsed.out.flags, static_cast<std::uint32_t>(MSG_TRUNC));
    EXPECT_EQ(parsed.payload, datagram.substr(0, 16));
    cancel_multishot(*ring_, 8);
  }
};

TEST_F(MultishotRecvmsgTruncation, PayloadlenIsWhatFit) { run_case(0, 16); }

TEST_F(MultishotRecvmsgTruncation, WithMsgTruncPayloadlenIsTheDatagramLength) {
  run_case(static_cast<std::uint32_t>(MSG_TRUNC), 26);
}

TEST_F(MsgOp, MultishotRecvmsgWithABufferSmallerThanItsHeaderIsEfault) {
  result<ProvidedBufferRing> buffers = ProvidedBufferRing::create(
      *ring_, {.bgid = 5, .entries = 2, .buffer_size = 16, .incremental = false, .min_left = 0});
  ASSERT_TRUE(buffers) << buffers.error().message();
  msghdr msg{};
  msg.msg_namelen = sockaddr_in_len;  // header 16 + name 16 > 16
  send_datagram(sender_.get(), "x");
  const std::optional<abi::Cqe> cqe =
      run_op(op::Recvmsg::multishot(receiver_.fd(), &msg, buffers->group()));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -EFAULT);
  EXPECT_EQ(cqe->flags, 0u);
}

TEST_F(MsgOp, RecvmsgOnANonSocketIsEnotsock) {
  const Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  char buf[4];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  const std::optional<abi::Cqe> cqe = run_op(op::Recvmsg(op::Fd{pipe.read_end}, &msg));
  ASSERT_TRUE(cqe);
  EXPECT_EQ(cqe->res, -ENOTSOCK);
}

}  // namespace
}  // namespace ringkit::testing::net
