#include <gtest/gtest.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "ringkit/op/ctl.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit {
namespace {

using op::DecodeMode;
using testing::decode_errno;
using testing::fake_ptr;
using testing::sqe_from_bytes;

// ---- POLL_ADD / POLL_REMOVE ----

TEST(OpCtl, PollAddBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::PollAdd(op::Fd{5}, POLLIN | POLLOUT).build(),
                        sqe_from_bytes({
                            0x06, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,  // fd 5
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x00, 0x00, 0x00, 0x00,                          // len: oneshot
                            0x05, 0x00, 0x00, 0x00,                          // POLLIN|POLLOUT
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, PollAddMultishotFixedBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::PollAdd::multishot(op::FixedFile{2}, POLLIN).build(),
                        sqe_from_bytes({
                            0x06, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // FIXED_FILE, slot 2
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x01, 0x00, 0x00, 0x00,                          // len: ADD_MULTI
                            0x01, 0x00, 0x00, 0x00,                          // POLLIN
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, PollAddErrors) {
  abi::Sqe sqe = op::PollAdd(op::Fd{5}, POLLIN).build();
  sqe.len = abi::poll::add_level;  // rejected by io_poll_add_prep
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollAdd(op::Fd{5}, POLLIN).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollAdd(op::Fd{5}, POLLIN).build();
  sqe.ioprio = 1;  // ignored by the kernel
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe, DecodeMode::kernel), 0);
  sqe = op::PollAdd::multishot(op::Fd{5}, POLLIN).build();
  sqe.flags |= abi::sqe_flag::cqe_skip_success;
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollAdd(op::Fd{5}, POLLIN).build();
  sqe.flags |= abi::sqe_flag::buffer_select;
  EXPECT_EQ(decode_errno<op::PollAdd>(sqe, DecodeMode::kernel), EOPNOTSUPP);
}

TEST(OpCtl, PollRemoveBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::PollRemove(0x1122334455667788).build(),
                        sqe_from_bytes({
                            0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // fd -1
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // addr: target
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, PollUpdateBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::PollRemove(0x10).update_events(POLLOUT, true).update_user_data(0x20).build(),
      sqe_from_bytes({
          0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // fd -1
          0x20, 0,    0,    0,    0,    0,    0,    0,     // off: new user_data
          0x10, 0,    0,    0,    0,    0,    0,    0,     // addr: old user_data
          0x07, 0x00, 0x00, 0x00,                          // MULTI|UPDATE_EVENTS|UPDATE_USER_DATA
          0x04, 0x00, 0x00, 0x00,                          // POLLOUT
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
      }));
}

TEST(OpCtl, PollRemoveErrors) {
  abi::Sqe sqe = op::PollRemove(1).build();
  sqe.len = abi::poll::add_multi;  // "meaningless without update"
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollRemove(1).build();
  sqe.off = 5;  // new user_data without UPDATE_USER_DATA
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollRemove(1).build();
  sqe.op_flags = POLLIN;  // events without UPDATE_EVENTS
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::PollRemove(1).build();
  sqe.fd = 3;  // never read
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe, DecodeMode::kernel), 0);
  sqe = op::PollRemove(1).update_user_data(9).build();
  sqe.len |= abi::poll::add_multi;  // accepted by the kernel, not built
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::PollRemove>(sqe, DecodeMode::kernel), 0);
}

// ---- TIMEOUT / LINK_TIMEOUT / TIMEOUT_REMOVE ----

TEST(OpCtl, TimeoutBytes) {
  const auto* ts = fake_ptr<abi::KernelTimespec>(0x7f0011223340);
  RINGKIT_EXPECT_SQE_EQ(op::Timeout(ts).count(3).boottime().etime_success().build(),
                        sqe_from_bytes({
                            0x0b, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // fd -1
                            0x03, 0,    0,    0,    0,    0,    0,    0,     // off: count 3
                            0x40, 0x33, 0x22, 0x11, 0x00, 0x7f, 0,    0,     // addr: ts
                            0x01, 0x00, 0x00, 0x00,                          // len 1
                            0x24, 0x00, 0x00, 0x00,                       // BOOTTIME|ETIME_SUCCESS
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                        }));
}

TEST(OpCtl, TimeoutMultishotBytes) {
  const auto* ts = fake_ptr<abi::KernelTimespec>(0x1000);
  RINGKIT_EXPECT_SQE_EQ(op::Timeout::multishot(ts, 5).realtime().build(),
                        sqe_from_bytes({
                            0x0b, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0x05, 0,    0,    0,    0,    0,    0,    0,     // off: 5 repeats
                            0x00, 0x10, 0,    0,    0,    0,    0,    0,     // addr
                            0x01, 0x00, 0x00, 0x00,                          // len 1
                            0x48, 0x00, 0x00, 0x00,                          // MULTISHOT|REALTIME
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, TimeoutErrors) {
  const auto* ts = fake_ptr<abi::KernelTimespec>(0x1000);
  abi::Sqe sqe = op::Timeout(ts).build();
  sqe.len = 2;
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Timeout(ts).build();
  sqe.op_flags = abi::timeout::boottime | abi::timeout::realtime;
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Timeout::multishot(ts).build();
  sqe.op_flags |= abi::timeout::abs;
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Timeout(ts).build();
  sqe.op_flags = abi::timeout::update;  // a TIMEOUT_REMOVE flag
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Timeout(ts).build();
  sqe.off = std::uint64_t{1} << 40;  // the kernel reads a u32
  EXPECT_EQ(decode_errno<op::Timeout>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), 0);
  sqe = op::Timeout(ts).build();
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(decode_errno<op::Timeout>(sqe, DecodeMode::kernel), EOPNOTSUPP);
}

TEST(OpCtl, LinkTimeoutBytes) {
  const auto* ts = fake_ptr<abi::KernelTimespec>(0x2000);
  RINGKIT_EXPECT_SQE_EQ(op::LinkTimeout(ts).absolute().build(),
                        sqe_from_bytes({
                            0x0f, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x00, 0x20, 0,    0,    0,    0,    0,    0,     // addr
                            0x01, 0x00, 0x00, 0x00,                          // len 1
                            0x01, 0x00, 0x00, 0x00,                          // ABS
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, LinkTimeoutErrors) {
  abi::Sqe sqe = op::LinkTimeout(fake_ptr<abi::KernelTimespec>(8)).build();
  sqe.off = 1;  // "off && is_timeout_link"
  EXPECT_EQ(decode_errno<op::LinkTimeout>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::LinkTimeout(fake_ptr<abi::KernelTimespec>(8)).build();
  sqe.op_flags = abi::timeout::multishot;  // passes prep, never built
  EXPECT_EQ(decode_errno<op::LinkTimeout>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::LinkTimeout>(sqe, DecodeMode::kernel), 0);
}

TEST(OpCtl, TimeoutRemoveBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::TimeoutRemove(0xabcd).build(),
                        sqe_from_bytes({
                            0x0c, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0xcd, 0xab, 0,    0,    0,    0,    0,    0,     // addr: target
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, TimeoutUpdateLinkBytes) {
  const auto* ts = fake_ptr<abi::KernelTimespec>(0x3000);
  RINGKIT_EXPECT_SQE_EQ(op::TimeoutRemove::update_link(0x42, ts, true).build(),
                        sqe_from_bytes({
                            0x0c, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0x00, 0x30, 0,    0,    0,    0,    0,    0,     // addr2: ts
                            0x42, 0,    0,    0,    0,    0,    0,    0,     // addr: target
                            0,    0,    0,    0,                             //
                            0x13, 0x00, 0x00, 0x00,  // ABS|UPDATE|LINK_TIMEOUT_UPDATE
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                        }));
}

TEST(OpCtl, TimeoutRemoveErrors) {
  abi::Sqe sqe = op::TimeoutRemove(1).build();
  sqe.flags = abi::sqe_flag::fixed_file;  // io_timeout_remove_prep: REQ_F_FIXED_FILE
  EXPECT_EQ(decode_errno<op::TimeoutRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::TimeoutRemove(1).build();
  sqe.op_flags = abi::timeout::abs;  // removal takes no flags
  EXPECT_EQ(decode_errno<op::TimeoutRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::TimeoutRemove::update(1, fake_ptr<abi::KernelTimespec>(8)).build();
  sqe.op_flags |= abi::timeout::boottime;  // no clock on update
  EXPECT_EQ(decode_errno<op::TimeoutRemove>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::TimeoutRemove(1).build();
  sqe.off = 77;  // addr2 is read only for an update
  EXPECT_EQ(decode_errno<op::TimeoutRemove>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::TimeoutRemove>(sqe, DecodeMode::kernel), 0);
}

// ---- ASYNC_CANCEL ----

TEST(OpCtl, AsyncCancelBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::AsyncCancel(0x99).all().build(),
                        sqe_from_bytes({
                            0x0e, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  // fd -1
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x99, 0,    0,    0,    0,    0,    0,    0,     // addr: user_data
                            0,    0,    0,    0,                             //
                            0x01, 0x00, 0x00, 0x00,                          // ALL
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, AsyncCancelByFixedFdBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::AsyncCancel::by_fd(op::FixedFile{7}).build(),
                        sqe_from_bytes({
                            0x0e, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  // fd: slot 7
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,                             //
                            0x0a, 0x00, 0x00, 0x00,                          // FD|FD_FIXED
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, AsyncCancelByOpcodeAndUserDataBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::AsyncCancel::by_opcode(abi::Opcode::read).match_user_data(0x55).build(),
                        sqe_from_bytes({
                            0x0e, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x55, 0,    0,    0,    0,    0,    0,    0,     // addr: user_data
                            0x16, 0x00, 0x00, 0x00,  // len: IORING_OP_READ (22)
                            0x30, 0x00, 0x00, 0x00,  // OP|USERDATA
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                            0,    0,    0,    0,    0,    0,    0,    0,  //
                        }));
}

TEST(OpCtl, AsyncCancelErrors) {
  abi::Sqe sqe = op::AsyncCancel::any().build();
  sqe.op_flags |= abi::async_cancel::fd;  // FD with ANY
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::AsyncCancel(1).build();
  sqe.op_flags = 1u << 6;
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::AsyncCancel(1).build();
  sqe.off = 1;
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::AsyncCancel(1).build();
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe, DecodeMode::kernel), EOPNOTSUPP);
  sqe = op::AsyncCancel::by_opcode(abi::Opcode::nop).build();
  sqe.len = 200;  // 6.18 takes it; not a valid opcode
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::AsyncCancel>(sqe, DecodeMode::kernel), 0);
}

// ---- PROVIDE_BUFFERS / REMOVE_BUFFERS ----

TEST(OpCtl, ProvideBuffersBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::ProvideBuffers(fake_ptr<void>(0x10000), 4096, 8, op::BufGroup{3}, 100).build(),
      sqe_from_bytes({
          0x1f, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,  // fd: 8 buffers
          0x64, 0,    0,    0,    0,    0,    0,    0,     // off: first bid 100
          0x00, 0x00, 0x01, 0,    0,    0,    0,    0,     // addr
          0x00, 0x10, 0x00, 0x00,                          // len 4096
          0,    0,    0,    0,                             //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0x03, 0x00, 0,    0,    0,    0,    0,    0,     // buf_group 3
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
      }));
}

TEST(OpCtl, ProvideBuffersErrors) {
  auto base = [] { return op::ProvideBuffers(fake_ptr<void>(0x10000), 64, 4, {1}, 0).build(); };
  abi::Sqe sqe = base();
  sqe.fd = 0;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), E2BIG);
  sqe.fd = -1;  // read into a u64
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), E2BIG);
  sqe = base();
  sqe.len = 0;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), EINVAL);
  sqe = base();
  sqe.off = 0x10000;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), E2BIG);
  sqe = base();
  sqe.off = 0xfffe;  // 0xfffe + 4 > 65536
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), EINVAL);
  sqe = base();
  sqe.addr = ~std::uint64_t{0} - 8;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), EOVERFLOW);
  sqe = base();
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), EOPNOTSUPP);
  sqe = base();
  sqe.ioprio = 1;
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::ProvideBuffers>(sqe, DecodeMode::kernel), 0);
}

TEST(OpCtl, RemoveBuffersBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::RemoveBuffers(65536, op::BufGroup{0x1234}).build(),
                        sqe_from_bytes({
                            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,  // fd: 65536
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x34, 0x12, 0,    0,    0,    0,    0,    0,     // buf_group
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, RemoveBuffersErrors) {
  abi::Sqe sqe = op::RemoveBuffers(1, {1}).build();
  sqe.fd = 65537;
  EXPECT_EQ(decode_errno<op::RemoveBuffers>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::RemoveBuffers(1, {1}).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<op::RemoveBuffers>(sqe, DecodeMode::kernel), EINVAL);
}

// ---- MSG_RING ----

TEST(OpCtl, MsgRingDataBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::MsgRing(op::Fd{9}, 0x100, 0xfeed).cqe_flags(0x8000).build(),
                        sqe_from_bytes({
                            0x28, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,  // fd: ring 9
                            0xed, 0xfe, 0,    0,    0,    0,    0,    0,     // off: user_data
                            0,    0,    0,    0,    0,    0,    0,    0,     // addr: MSG_DATA
                            0x00, 0x01, 0x00, 0x00,                          // len: res 0x100
                            0x02, 0x00, 0x00, 0x00,                          // FLAGS_PASS
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,                             //
                            0x00, 0x80, 0x00, 0x00,                          // file_index: flags
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, MsgRingSendFdBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::MsgRing::send_fd(op::FixedFile{1}, op::FixedFile{4}, op::DestSlot::slot(6), 0x77)
          .skip_target_cqe()
          .build(),
      sqe_from_bytes({
          0x28, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // FIXED_FILE, ring slot 1
          0x77, 0,    0,    0,    0,    0,    0,    0,     // off: user_data
          0x01, 0,    0,    0,    0,    0,    0,    0,     // addr: MSG_SEND_FD
          0,    0,    0,    0,                             //
          0x01, 0x00, 0x00, 0x00,                          // CQE_SKIP
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,                             //
          0x07, 0x00, 0x00, 0x00,                          // file_index: slot 6 + 1
          0x04, 0,    0,    0,    0,    0,    0,    0,     // addr3: source slot 4
          0,    0,    0,    0,    0,    0,    0,    0,     //
      }));
}

TEST(OpCtl, MsgRingErrors) {
  abi::Sqe sqe = op::MsgRing(op::Fd{9}, 1, 2).build();
  sqe.op_flags = abi::msg_ring::cqe_skip;  // MSG_DATA refuses it
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing(op::Fd{9}, 1, 2).build();
  sqe.splice_fd_in = 4;  // file_index without FLAGS_PASS
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing(op::Fd{9}, 1, 2).build();
  sqe.addr = 2;  // no such command
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing(op::Fd{9}, 1, 2).build();
  sqe.personality = 1;  // io_msg_ring_prep reads it
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing::send_fd(op::Fd{9}, op::FixedFile{0}, op::DestSlot::alloc(), 0).build();
  sqe.len = 1;
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing::send_fd(op::Fd{9}, op::FixedFile{0}, op::DestSlot::descriptor(), 0).build();
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::MsgRing(op::Fd{9}, 1, 2).build();
  sqe.ioprio = 3;
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::MsgRing>(sqe, DecodeMode::kernel), 0);
}

// ---- EPOLL_CTL / EPOLL_WAIT ----

TEST(OpCtl, EpollCtlBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::EpollCtl::add(op::Fd{3}, op::Fd{-2}, fake_ptr<epoll_event>(0x5000)).build(),
      sqe_from_bytes({
          0x1d, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // epfd 3
          0xfe, 0xff, 0xff, 0xff, 0,    0,    0,    0,     // off: (u32) -2
          0x00, 0x50, 0,    0,    0,    0,    0,    0,     // addr: event
          0x01, 0x00, 0x00, 0x00,                          // EPOLL_CTL_ADD
          0,    0,    0,    0,                             //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
      }));
}

TEST(OpCtl, EpollCtlErrors) {
  abi::Sqe sqe = op::EpollCtl::remove(op::Fd{3}, op::Fd{4}).build();
  EXPECT_EQ(sqe.addr, 0u);
  sqe.len = 9;  // not an EPOLL_CTL_* op
  EXPECT_EQ(decode_errno<op::EpollCtl>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::EpollCtl::remove(op::Fd{3}, op::Fd{4}).build();
  sqe.buf_index = 1;
  EXPECT_EQ(decode_errno<op::EpollCtl>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::EpollCtl::remove(op::Fd{3}, op::Fd{4}).build();
  sqe.addr = 0x10;  // no event for DEL
  EXPECT_EQ(decode_errno<op::EpollCtl>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::EpollCtl>(sqe, DecodeMode::kernel), 0);
}

TEST(OpCtl, EpollWaitBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::EpollWait(op::FixedFile{2}, fake_ptr<epoll_event>(0x6000), 16).build(),
                        sqe_from_bytes({
                            0x3b, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // FIXED_FILE slot 2
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x00, 0x60, 0,    0,    0,    0,    0,    0,     // addr: events
                            0x10, 0x00, 0x00, 0x00,                          // maxevents 16
                            0,    0,    0,    0,                             //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, EpollWaitErrors) {
  abi::Sqe sqe = op::EpollWait(op::Fd{2}, fake_ptr<epoll_event>(0x6000), 16).build();
  sqe.off = 1;
  EXPECT_EQ(decode_errno<op::EpollWait>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::EpollWait(op::Fd{2}, fake_ptr<epoll_event>(0x6000), 16).build();
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(decode_errno<op::EpollWait>(sqe, DecodeMode::kernel), EOPNOTSUPP);
}

// ---- WAITID ----

TEST(OpCtl, WaitidBytes) {
  RINGKIT_EXPECT_SQE_EQ(
      op::Waitid(P_PID, 1234, fake_ptr<siginfo_t>(0x7000), WEXITED | WNOHANG).build(),
      sqe_from_bytes({
          0x32, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00,  // fd: pid 1234
          0x00, 0x70, 0,    0,    0,    0,    0,    0,     // addr2: infop
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0x01, 0x00, 0x00, 0x00,                          // len: P_PID
          0,    0,    0,    0,                             //
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,                             //
          0x05, 0x00, 0x00, 0x00,                          // file_index: WEXITED|WNOHANG
          0,    0,    0,    0,    0,    0,    0,    0,     //
          0,    0,    0,    0,    0,    0,    0,    0,     //
      }));
}

TEST(OpCtl, WaitidErrors) {
  abi::Sqe sqe = op::Waitid(P_ALL, 0, nullptr, WEXITED).build();
  sqe.op_flags = 1;  // waitid_flags
  EXPECT_EQ(decode_errno<op::Waitid>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::Waitid(P_ALL, 0, nullptr, WEXITED).build();
  sqe.addr = 1;
  EXPECT_EQ(decode_errno<op::Waitid>(sqe, DecodeMode::kernel), EINVAL);
}

// ---- FUTEX_WAIT / FUTEX_WAKE / FUTEX_WAITV ----

TEST(OpCtl, FutexWaitBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::FutexWait(fake_ptr<std::uint32_t>(0x8000), 7).private_futex().build(),
                        sqe_from_bytes({
                            0x33, 0x00, 0x00, 0x00, 0x82, 0x00, 0x00, 0x00,  // U32|PRIVATE
                            0x07, 0,    0,    0,    0,    0,    0,    0,     // addr2: value
                            0x00, 0x80, 0,    0,    0,    0,    0,    0,     // addr: futex
                            0,    0,    0,    0,                             //
                            0,    0,    0,    0,                             //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0xff, 0xff, 0xff, 0xff, 0,    0,    0,    0,     // addr3: mask any
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, FutexWakeBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::FutexWake(fake_ptr<std::uint32_t>(0x8000), 1).mask(0x3).build(),
                        sqe_from_bytes({
                            0x34, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // U32
                            0x01, 0,    0,    0,    0,    0,    0,    0,     // addr2: count
                            0x00, 0x80, 0,    0,    0,    0,    0,    0,     // addr
                            0,    0,    0,    0,                             //
                            0,    0,    0,    0,                             //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                            0x03, 0,    0,    0,    0,    0,    0,    0,     // addr3: mask
                            0,    0,    0,    0,    0,    0,    0,    0,     //
                        }));
}

TEST(OpCtl, FutexErrors) {
  const auto* f = fake_ptr<std::uint32_t>(0x8000);
  abi::Sqe sqe = op::FutexWait(f, 1).build();
  sqe.fd = static_cast<std::int32_t>(abi::futex::size_u64);
  EXPECT_EQ(decode_errno<op::FutexWait>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FutexWait(f, 1).build();
  sqe.off = std::uint64_t{1} << 32;  // value wider than the futex
  EXPECT_EQ(decode_errno<op::FutexWait>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FutexWake(f, 1).build();
  sqe.op_flags = 1;  // futex_flags
  EXPECT_EQ(decode_errno<op::FutexWake>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FutexWake(f, 1).build();
  sqe.fd |= static_cast<std::int32_t>(abi::futex::numa);  // passes prep, never built
  EXPECT_EQ(decode_errno<op::FutexWake>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::FutexWake>(sqe, DecodeMode::kernel), 0);
  sqe = op::FutexWake(f, 1).mask(0).build();
  EXPECT_EQ(decode_errno<op::FutexWake>(sqe, DecodeMode::kernel), EINVAL);
}

TEST(OpCtl, FutexWaitvBytes) {
  RINGKIT_EXPECT_SQE_EQ(op::FutexWaitv(fake_ptr<abi::FutexWaitv>(0x9000), 128).build(),
                        sqe_from_bytes({
                            0x35, 0x00, 0x00, 0x00, 0, 0, 0, 0,  // fd 0
                            0,    0,    0,    0,    0, 0, 0, 0,  //
                            0x00, 0x90, 0,    0,    0, 0, 0, 0,  // addr: vector
                            0x80, 0x00, 0x00, 0x00,              // len 128
                            0,    0,    0,    0,                 //
                            0,    0,    0,    0,    0, 0, 0, 0,  //
                            0,    0,    0,    0,    0, 0, 0, 0,  //
                            0,    0,    0,    0,    0, 0, 0, 0,  //
                            0,    0,    0,    0,    0, 0, 0, 0,  //
                        }));
}

TEST(OpCtl, FutexWaitvErrors) {
  abi::Sqe sqe = op::FutexWaitv(fake_ptr<abi::FutexWaitv>(0x9000), 129).build();
  EXPECT_EQ(decode_errno<op::FutexWaitv>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FutexWaitv(fake_ptr<abi::FutexWaitv>(0x9000), 1).build();
  sqe.fd = 2;
  EXPECT_EQ(decode_errno<op::FutexWaitv>(sqe, DecodeMode::kernel), EINVAL);
  sqe = op::FutexWaitv(fake_ptr<abi::FutexWaitv>(0x9000), 1).build();
  sqe.flags = abi::sqe_flag::fixed_file;  // no file: ignored by the kernel
  EXPECT_EQ(decode_errno<op::FutexWaitv>(sqe), EINVAL);
  EXPECT_EQ(decode_errno<op::FutexWaitv>(sqe, DecodeMode::kernel), 0);
}

TEST(OpCtl, WrongOpcodeIsRefused) {
  abi::Sqe sqe = op::PollRemove(1).build();
  EXPECT_FALSE(op::TimeoutRemove::decode(sqe));
  EXPECT_FALSE(op::AsyncCancel::decode(sqe, DecodeMode::kernel));
}

TEST(OpCtl, ConstexprBuild) {
  constexpr abi::Sqe sqe = op::AsyncCancel::by_opcode(abi::Opcode::recv).all().build();
  static_assert(sqe.opcode == 14 && sqe.len == 27 && sqe.fd == -1);
  static_assert(op::AsyncCancel::decode(sqe).has_value());
  constexpr abi::Sqe poll = op::PollAdd(op::Fd{1}, 1).build();
  static_assert(op::PollAdd::decode(poll).has_value());
  static_assert(op::RemoveBuffers::decode(op::RemoveBuffers(2, {5}).build()).has_value());
}

}  // namespace
}  // namespace ringkit
