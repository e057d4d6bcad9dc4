#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

#include "ringkit/op/net.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit {
namespace {

using op::BufGroup;
using op::BufIndex;
using op::DecodeMode;
using op::DestSlot;
using op::Fd;
using op::FixedFile;
using testing::fake_ptr;
using testing::sqe_from_bytes;

static_assert(op::sock_cloexec == SOCK_CLOEXEC);
static_assert(op::sock_nonblock == SOCK_NONBLOCK);
static_assert(op::msg_waitall == MSG_WAITALL);

// decode() fails with `errno_value` in both modes.
template <class Builder>
void expect_refused(const abi::Sqe& sqe, int errno_value) {
  for (DecodeMode mode : {DecodeMode::strict, DecodeMode::kernel}) {
    const auto r = Builder::decode(sqe, mode);
    ASSERT_FALSE(r) << "mode " << static_cast<int>(mode);
    EXPECT_EQ(r.error().value(), errno_value) << "mode " << static_cast<int>(mode);
  }
}

// decode() fails with EINVAL when strict and succeeds in kernel mode.
template <class Builder>
void expect_strict_only(const abi::Sqe& sqe) {
  const auto strict = Builder::decode(sqe);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().value(), EINVAL);
  EXPECT_TRUE(Builder::decode(sqe, DecodeMode::kernel));
}

// ---- SENDMSG ---------------------------------------------------------------------------------

TEST(OpNet, SendmsgBytes) {
  const abi::Sqe sqe =
      op::Sendmsg(Fd{5}, fake_ptr<msghdr>(0x1000)).msg_flags(MSG_DONTWAIT).poll_first().build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x09, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00,  // poll_first
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x10, 0,    0,    0,    0,    0,    0,     // msg
                                 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,  // len 1
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, SendmsgErrors) {
  const abi::Sqe good = op::Sendmsg(Fd{5}, fake_ptr<msghdr>(0x1000)).build();
  abi::Sqe sqe = good;
  sqe.ioprio = abi::recvsend::recvsend_bundle;  // no bundle for SENDMSG
  expect_refused<op::Sendmsg>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio = abi::recvsend::recv_multishot;
  expect_refused<op::Sendmsg>(sqe, EINVAL);
  sqe = good;
  sqe.off = 8;  // addr2
  expect_refused<op::Sendmsg>(sqe, EINVAL);
  sqe = good;
  sqe.splice_fd_in = 1;  // file_index
  expect_refused<op::Sendmsg>(sqe, EINVAL);
  sqe = good;
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(op::Sendmsg::decode(sqe, DecodeMode::kernel).error().value(), EOPNOTSUPP);
  sqe = good;
  sqe.len = 3;  // liburing writes 1; the kernel does not look
  expect_strict_only<op::Sendmsg>(sqe);
  sqe = good;
  sqe.addr3 = 1;
  expect_strict_only<op::Sendmsg>(sqe);
}

// ---- RECVMSG ---------------------------------------------------------------------------------

TEST(OpNet, RecvmsgMultishotBytes) {
  const abi::Sqe sqe =
      op::Recvmsg::multishot(FixedFile{3}, fake_ptr<msghdr>(0x2000), BufGroup{7}).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x0a, 0x21, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x20, 0,    0,    0,    0,    0,    0,     //
                                 0x01, 0x00, 0x00, 0x00, 0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x07, 0x00, 0,    0,    0,    0,    0,    0,     // group 7
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, RecvmsgErrors) {
  const abi::Sqe good =
      op::Recvmsg::multishot(Fd{3}, fake_ptr<msghdr>(0x2000), BufGroup{7}).build();
  abi::Sqe sqe = good;
  sqe.flags = 0;  // multishot needs a buffer group
  sqe.buf_index = 0;
  expect_refused<op::Recvmsg>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = MSG_WAITALL;
  expect_refused<op::Recvmsg>(sqe, EINVAL);
  sqe = good;
  sqe.splice_fd_in = 5;
  expect_refused<op::Recvmsg>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio |= abi::recvsend::recvsend_bundle;
  expect_refused<op::Recvmsg>(sqe, EINVAL);
  sqe = op::Recvmsg(Fd{3}, fake_ptr<msghdr>(0x2000)).build();
  sqe.buf_index = 4;  // a group without BUFFER_SELECT is not read
  expect_strict_only<op::Recvmsg>(sqe);
  const auto plain = op::Recvmsg::select_buffer(Fd{1}, nullptr, BufGroup{9});
  const auto decoded = op::Recvmsg::decode(plain.build());
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->selects_buffer());
  EXPECT_EQ(decoded->buffer_group(), BufGroup{9});
  EXPECT_FALSE(decoded->is_multishot());
}

// ---- ACCEPT ----------------------------------------------------------------------------------

TEST(OpNet, AcceptBytes) {
  const abi::Sqe sqe = op::Accept(Fd{4}, fake_ptr<sockaddr>(0x3000), fake_ptr<socklen_t>(0x3100))
                           .flags(op::sock_nonblock)
                           .build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x0d, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                                 0x00, 0x31, 0,    0,    0,    0,    0,    0,     // addrlen
                                 0x00, 0x30, 0,    0,    0,    0,    0,    0,     // addr
                                 0,    0,    0,    0,    0x00, 0x08, 0x00, 0x00,  // NONBLOCK
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, AcceptMultishotDirectBytes) {
  const abi::Sqe sqe = op::Accept::multishot_direct(FixedFile{1}).poll_first().build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x0d, 0x01, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0xff, 0xff, 0xff, 0xff,  // ALLOC
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
  const auto decoded = op::Accept::decode(sqe);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->dest().allocated());
  EXPECT_TRUE(decoded->is_multishot());
}

TEST(OpNet, AcceptErrors) {
  const abi::Sqe good = op::Accept(Fd{4}).build();
  abi::Sqe sqe = good;
  sqe.len = 1;
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = good;
  sqe.buf_index = 1;
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio = 1u << 3;
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = 1;  // not CLOEXEC / NONBLOCK
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = op::Accept::direct(Fd{4}, nullptr, nullptr, DestSlot::slot(2)).build();
  sqe.op_flags = op::sock_cloexec;  // CLOEXEC means nothing for a slot
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = op::Accept::direct(Fd{4}, nullptr, nullptr, DestSlot::slot(2)).build();
  sqe.ioprio = abi::accept::multishot;  // multishot needs ALLOC
  expect_refused<op::Accept>(sqe, EINVAL);
  sqe = good;
  sqe.flags = abi::sqe_flag::buffer_select;
  expect_refused<op::Accept>(sqe, EOPNOTSUPP);
  sqe = good;
  sqe.pad2 = 1;
  expect_strict_only<op::Accept>(sqe);
}

// ---- CONNECT / BIND / LISTEN / SHUTDOWN --------------------------------------------------------

TEST(OpNet, ConnectBytes) {
  const abi::Sqe sqe = op::Connect(Fd{6}, fake_ptr<sockaddr>(0x4000), 16).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x10, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,  //
                                 0x10, 0,    0,    0,    0,    0,    0,    0,     // addrlen 16
                                 0x00, 0x40, 0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, BindBytes) {
  const abi::Sqe sqe = op::Bind(FixedFile{13}, fake_ptr<sockaddr>(0x9000), 28).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x38, 0x01, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00,  //
                                 0x1c, 0,    0,    0,    0,    0,    0,    0,     // addrlen 28
                                 0x00, 0x90, 0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, ConnectAndBindErrors) {
  abi::Sqe sqe = op::Connect(Fd{6}, nullptr, 0).build();
  sqe.len = 1;
  expect_refused<op::Connect>(sqe, EINVAL);
  sqe = op::Connect(Fd{6}, nullptr, 0).build();
  sqe.op_flags = 1;
  expect_refused<op::Connect>(sqe, EINVAL);
  sqe = op::Connect(Fd{6}, nullptr, 0).build();
  sqe.off = 1ull << 40;  // the kernel reads the length as an int
  expect_strict_only<op::Connect>(sqe);
  sqe = op::Bind(Fd{6}, nullptr, 0).build();
  sqe.splice_fd_in = 1;
  expect_refused<op::Bind>(sqe, EINVAL);
  sqe = op::Bind(Fd{6}, nullptr, 0).build();
  sqe.buf_index = 1;
  expect_refused<op::Bind>(sqe, EINVAL);
  sqe = op::Bind(Fd{6}, nullptr, 0).build();
  sqe.flags = abi::sqe_flag::buffer_select;
  expect_refused<op::Bind>(sqe, EOPNOTSUPP);
}

TEST(OpNet, ListenBytes) {
  const abi::Sqe sqe = op::Listen(Fd{14}, 128).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x39, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x80, 0,    0,    0,    0,    0,    0,    0,     // backlog
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
  abi::Sqe bad = sqe;
  bad.off = 1;  // addr2
  expect_refused<op::Listen>(bad, EINVAL);
  bad = sqe;
  bad.addr = 1;
  expect_refused<op::Listen>(bad, EINVAL);
  bad = sqe;
  bad.ioprio = 1;
  expect_strict_only<op::Listen>(bad);
}

TEST(OpNet, ShutdownBytes) {
  const abi::Sqe sqe = op::Shutdown(Fd{9}, SHUT_RDWR).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x22, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x02, 0,    0,    0,    0,    0,    0,    0,     // how
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, ShutdownErrors) {
  const abi::Sqe good = op::Shutdown(Fd{9}, SHUT_WR).build();
  abi::Sqe sqe = good;
  sqe.off = 1;
  expect_refused<op::Shutdown>(sqe, EINVAL);
  sqe = good;
  sqe.addr = 1;
  expect_refused<op::Shutdown>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = 1;
  expect_refused<op::Shutdown>(sqe, EINVAL);
  sqe = good;
  sqe.buf_index = 1;
  expect_refused<op::Shutdown>(sqe, EINVAL);
  sqe = good;
  sqe.splice_fd_in = 1;
  expect_refused<op::Shutdown>(sqe, EINVAL);
  sqe = good;
  sqe.addr3 = 1;
  expect_strict_only<op::Shutdown>(sqe);
}

// ---- SEND / RECV -------------------------------------------------------------------------------

TEST(OpNet, SendtoBytes) {
  const abi::Sqe sqe =
      op::Send(Fd{7}, fake_ptr<const void>(0x5000), 100).to(fake_ptr<sockaddr>(0x5100), 16).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x1a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  //
                                 0x00, 0x51, 0,    0,    0,    0,    0,    0,     // addr2
                                 0x00, 0x50, 0,    0,    0,    0,    0,    0,     // buf
                                 0x64, 0,    0,    0,    0,    0,    0,    0,     // len 100
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0x10, 0x00, 0x00, 0x00,  // addr_len
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, SendErrors) {
  const abi::Sqe good = op::Send(Fd{7}, nullptr, 0).build();
  abi::Sqe sqe = good;
  sqe.splice_fd_in = 1 << 16;  // __pad3
  expect_refused<op::Send>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio = abi::recvsend::recvsend_bundle;  // 6.18 prep accepts it; this builder never sets it
  expect_strict_only<op::Send>(sqe);
  sqe = good;
  sqe.ioprio = abi::recvsend::fixed_buf;
  expect_refused<op::Send>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio = abi::recvsend::send_vectorized;  // the kernel's, not this builder's
  expect_strict_only<op::Send>(sqe);
  sqe = good;
  sqe.splice_fd_in = 16;  // addr_len without an address
  expect_strict_only<op::Send>(sqe);
  const auto select = op::Send::select_buffer(Fd{7}, BufGroup{3}, 64);
  const auto decoded = op::Send::decode(select.build());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, select);
}

TEST(OpNet, RecvMultishotBytes) {
  const abi::Sqe sqe = op::Recv::multishot(Fd{8}, BufGroup{2}).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x1b, 0x20, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x02, 0x00, 0,    0,    0,    0,    0,    0,     // group 2
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, RecvErrors) {
  const abi::Sqe good = op::Recv(Fd{8}, nullptr, 10).build();
  abi::Sqe sqe = good;
  sqe.ioprio = abi::recvsend::recv_multishot;  // without a buffer group
  expect_refused<op::Recv>(sqe, EINVAL);
  sqe = good;
  sqe.splice_fd_in = 100;  // a total limit is multishot only
  expect_refused<op::Recv>(sqe, EINVAL);
  sqe = good;
  sqe.off = 1;  // addr2
  expect_refused<op::Recv>(sqe, EINVAL);
  sqe = op::Recv::multishot(Fd{8}, BufGroup{2}).build();
  sqe.op_flags = MSG_WAITALL;
  expect_refused<op::Recv>(sqe, EINVAL);
  sqe = op::Recv::multishot(Fd{8}, BufGroup{2}).build();
  sqe.addr = 0x1000;  // the buffer comes from the group
  expect_strict_only<op::Recv>(sqe);
  const auto limited = op::Recv::multishot(Fd{8}, BufGroup{2}, 512).total_limit(4096);
  EXPECT_EQ(limited.build().splice_fd_in, 4096);
  EXPECT_EQ(*op::Recv::decode(limited.build()), limited);
}

// ---- SOCKET ------------------------------------------------------------------------------------

TEST(OpNet, SocketDirectAllocBytes) {
  const abi::Sqe sqe =
      op::Socket::direct(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, DestSlot::alloc()).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x2d, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // AF_INET
                                 0x01, 0x08, 0,    0,    0,    0,    0,    0,     // type
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0xff, 0xff, 0xff, 0xff,  // ALLOC
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, SocketErrors) {
  const abi::Sqe good = op::Socket(AF_INET6, SOCK_DGRAM, 17).build();
  abi::Sqe sqe = good;
  sqe.op_flags = 1;  // rw_flags
  expect_refused<op::Socket>(sqe, EINVAL);
  sqe = good;
  sqe.addr = 1;
  expect_refused<op::Socket>(sqe, EINVAL);
  sqe = good;
  sqe.off |= 0x10;  // a type flag the kernel does not know
  expect_refused<op::Socket>(sqe, EINVAL);
  sqe = op::Socket::direct(AF_INET6, SOCK_DGRAM, 0, DestSlot::slot(0)).build();
  sqe.off |= op::sock_cloexec;
  expect_refused<op::Socket>(sqe, EINVAL);
  sqe = good;
  sqe.flags = abi::sqe_flag::fixed_file;  // SOCKET takes no file
  expect_strict_only<op::Socket>(sqe);
  sqe = good;
  sqe.off |= 1ull << 40;  // read as an int
  expect_strict_only<op::Socket>(sqe);
}

// ---- URING_CMD
// -----------------------------------------------------------------------------------

TEST(OpNet, UringCmdGetsockoptBytes) {
  const abi::Sqe sqe =
      op::UringCmd::getsockopt(Fd{10}, SOL_SOCKET, SO_RCVBUF, fake_ptr<void>(0x6000), 4).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x2e, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,  //
                                 0x02, 0,    0,    0,    0,    0,    0,    0,     // cmd_op
                                 0x01, 0,    0,    0,    0x08, 0,    0,    0,     // level, name
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0x04, 0,    0,    0,     // optlen
                                 0x00, 0x60, 0,    0,    0,    0,    0,    0,     // optval
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, UringCmdSiocinqBytes) {
  const abi::Sqe sqe = op::UringCmd::siocoutq(FixedFile{4}).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x2e, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,  //
                                 0x01, 0,    0,    0,    0,    0,    0,    0,     // SIOCOUTQ
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, UringCmdErrors) {
  const abi::Sqe good = op::UringCmd::siocinq(Fd{4}).build();
  abi::Sqe sqe = good;
  sqe.off |= 1ull << 32;  // __pad1
  expect_refused<op::UringCmd>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = 1u << 2;
  expect_refused<op::UringCmd>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = abi::uring_cmd::multishot;  // without a buffer group
  expect_refused<op::UringCmd>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = abi::uring_cmd::fixed;
  sqe.flags = abi::sqe_flag::buffer_select;
  expect_refused<op::UringCmd>(sqe, EINVAL);
  sqe = good;
  sqe.off = 77;  // not a socket command: fails at issue, not at prep
  expect_strict_only<op::UringCmd>(sqe);
  sqe = good;
  sqe.addr3 = 1;  // SIOCINQ reads no argument
  expect_strict_only<op::UringCmd>(sqe);
}

// ---- SEND_ZC / SENDMSG_ZC / RECV_ZC
// --------------------------------------------------------------

TEST(OpNet, SendZcFixedBytes) {
  const abi::Sqe sqe = op::SendZc(Fd{11}, fake_ptr<const void>(0x7000), 4096)
                           .report_usage()
                           .fixed_buffer(BufIndex{5})
                           .build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x2f, 0x00, 0x0c, 0x00, 0x0b, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x70, 0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x10, 0,    0,    0,    0,    0,    0,     // len 4096
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x05, 0,    0,    0,    0,    0,    0,    0,     // buf 5
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, SendZcErrors) {
  const abi::Sqe good = op::SendZc(Fd{11}, nullptr, 1).build();
  abi::Sqe sqe = good;
  sqe.addr3 = 1;
  expect_refused<op::SendZc>(sqe, EINVAL);
  sqe = good;
  sqe.pad2 = 1;
  expect_refused<op::SendZc>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio = abi::recvsend::recv_multishot;
  expect_refused<op::SendZc>(sqe, EINVAL);
  sqe = good;
  sqe.flags = abi::sqe_flag::buffer_select;
  expect_refused<op::SendZc>(sqe, EOPNOTSUPP);
  sqe = good;
  sqe.buf_index = 3;  // read only with FIXED_BUF
  expect_strict_only<op::SendZc>(sqe);
  sqe = good;
  sqe.ioprio = abi::recvsend::fixed_buf | abi::recvsend::send_vectorized;
  expect_refused<op::SendZc>(sqe, EINVAL);
}

TEST(OpNet, SendmsgZcBytes) {
  const abi::Sqe sqe = op::SendmsgZc(Fd{12}, fake_ptr<msghdr>(0x8000)).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x30, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,  //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x80, 0,    0,    0,    0,    0,    0,     //
                                 0x01, 0,    0,    0,    0,    0,    0,    0,     // len 1
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
  abi::Sqe bad = sqe;
  bad.off = 1;  // addr2
  expect_refused<op::SendmsgZc>(bad, EINVAL);
  bad = sqe;
  bad.splice_fd_in = 1;
  expect_refused<op::SendmsgZc>(bad, EINVAL);
  bad = sqe;
  bad.addr3 = 1;
  expect_refused<op::SendmsgZc>(bad, EINVAL);
}

TEST(OpNet, RecvZcBytes) {
  const abi::Sqe sqe = op::RecvZc(FixedFile{2}, 1).len(65536).build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x3a, 0x01, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00,  // multishot
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0x00, 0x00, 0x01, 0x00, 0,    0,    0,    0,     // len 64 KiB
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0x01, 0,    0,    0,     // ifq 1
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
}

TEST(OpNet, RecvZcErrors) {
  const abi::Sqe good = op::RecvZc(Fd{2}, 0).build();
  abi::Sqe sqe = good;
  sqe.ioprio = 0;  // multishot is required
  expect_refused<op::RecvZc>(sqe, EINVAL);
  sqe = good;
  sqe.op_flags = MSG_DONTWAIT;  // msg_flags are undefined for RECV_ZC
  expect_refused<op::RecvZc>(sqe, EINVAL);
  sqe = good;
  sqe.addr = 1;
  expect_refused<op::RecvZc>(sqe, EINVAL);
  sqe = good;
  sqe.off = 1;  // addr2
  expect_refused<op::RecvZc>(sqe, EINVAL);
  sqe = good;
  sqe.ioprio |= abi::recvsend::fixed_buf;
  expect_refused<op::RecvZc>(sqe, EINVAL);
  sqe = good;
  sqe.flags = abi::sqe_flag::buffer_select;
  expect_refused<op::RecvZc>(sqe, EOPNOTSUPP);
  sqe = good;
  sqe.buf_index = 1;
  expect_strict_only<op::RecvZc>(sqe);
  const auto limited = op::RecvZc(Fd{2}, 3).len(100).poll_first();
  EXPECT_EQ(*op::RecvZc::decode(limited.build()), limited);
}

// ---- common ------------------------------------------------------------------------------------

TEST(OpNet, CommonFieldsAreNotTheOpsBusiness) {
  abi::Sqe sqe = op::Listen(Fd{3}, 5).build();
  sqe.user_data = 1;
  sqe.personality = 2;
  sqe.flags |= abi::sqe_flag::io_link | abi::sqe_flag::async;
  const auto r = op::Listen::decode(sqe);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backlog(), 5);
}

TEST(OpNet, WrongOpcodeIsRefused) {
  abi::Sqe sqe = op::Listen(Fd{3}, 5).build();
  EXPECT_FALSE(op::Bind::decode(sqe));
  EXPECT_FALSE(op::Shutdown::decode(sqe));
}

TEST(OpNet, ConstexprBuild) {
  constexpr abi::Sqe socket = op::Socket(AF_UNIX, SOCK_STREAM, 0).build();
  static_assert(socket.opcode == 45 && socket.fd == AF_UNIX && socket.off == 1);
  static_assert(op::Socket::decode(socket).has_value());
  constexpr abi::Sqe recv = op::Recv::multishot(Fd{1}, BufGroup{4}).build();
  static_assert(recv.buf_index == 4 && recv.flags == abi::sqe_flag::buffer_select);
  static_assert(op::Recv::decode(recv).has_value());
  constexpr abi::Sqe cmd = op::UringCmd::siocinq(Fd{1}).build();
  static_assert(op::UringCmd::decode(cmd).has_value());
  constexpr abi::Sqe zc = op::RecvZc(Fd{1}, 0).build();
  static_assert(op::RecvZc::decode(zc).has_value());
}

}  // namespace
}  // namespace ringkit
