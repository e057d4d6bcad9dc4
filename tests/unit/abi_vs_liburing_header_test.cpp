// ringkit's ABI mirror against liburing 2.3's <liburing.h> and its copy of io_uring.h: the
// same layout and constant checks as abi_vs_linux_header_test.cpp, against the header the
// kernel backend is built with, plus liburing's own encodings: what its io_uring_prep_*
// helpers and buffer-ring helpers write must read back through ringkit's flat structs as
// ringkit documents it.
//
// Never include <linux/io_uring.h> in this file: liburing's copy uses the same include guard
// (LINUX_IO_URING_H), so whichever comes first silently wins.
#include <gtest/gtest.h>
#include <liburing.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "ringkit/abi.hpp"

// The checks both headers must pass.
#include "abi_header_checks.inc"  // NOLINT(bugprone-suspicious-include)

// liburing's copy of the header declares bufs[0], not a __DECLARE_FLEX_ARRAY: bufs is at 0.
static_assert(offsetof(io_uring_buf_ring, bufs) == 0);

// ---- liburing's encodings, read through ringkit's structs --------------------------------

namespace {

// What a liburing prep helper wrote, seen as a ringkit Sqe.
rk::Sqe as_sqe(const io_uring_sqe& k) {
  rk::Sqe s{};
  std::memcpy(&s, &k, sizeof s);
  return s;
}

std::uint64_t address(const void* p) { return reinterpret_cast<std::uint64_t>(p); }

TEST(AbiVsLiburingHeader, NopIsAllZeroButTheOpcode) {
  io_uring_sqe k{};
  std::memset(&k, 0xff, sizeof k);
  io_uring_prep_nop(&k);
  k.user_data = 0;  // prep helpers leave user_data alone
  rk::Sqe expected{};
  expected.opcode = static_cast<std::uint8_t>(rk::Opcode::nop);
  expected.fd = -1;
  EXPECT_EQ(as_sqe(k), expected);
}

TEST(AbiVsLiburingHeader, ReadFixedAndFsync) {
  io_uring_sqe k{};
  char buf[16];
  io_uring_prep_read_fixed(&k, 3, buf, sizeof buf, 512, 2);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::read_fixed));
  EXPECT_EQ(s.fd, 3);
  EXPECT_EQ(s.addr, address(buf));
  EXPECT_EQ(s.len, sizeof buf);
  EXPECT_EQ(s.off, 512u);
  EXPECT_EQ(s.buf_index, 2);

  io_uring_prep_fsync(&k, 4, IORING_FSYNC_DATASYNC);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::fsync));
  EXPECT_EQ(s.op_flags, rk::fsync::datasync);
}

TEST(AbiVsLiburingHeader, TimeoutCancelAndMsgRing) {
  io_uring_sqe k{};
  __kernel_timespec ts{1, 2};
  io_uring_prep_timeout(&k, &ts, 5, IORING_TIMEOUT_ABS | IORING_TIMEOUT_BOOTTIME);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::timeout));
  EXPECT_EQ(s.addr, address(&ts));
  EXPECT_EQ(s.len, 1u);
  EXPECT_EQ(s.off, 5u);
  EXPECT_EQ(s.op_flags, rk::timeout::abs | rk::timeout::boottime);

  io_uring_prep_cancel64(&k, 77, IORING_ASYNC_CANCEL_ALL);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::async_cancel));
  EXPECT_EQ(s.addr, 77u);
  EXPECT_EQ(s.op_flags, rk::async_cancel::all);

  io_uring_prep_msg_ring(&k, 9, 100, 0xabc, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::msg_ring));
  EXPECT_EQ(s.fd, 9);
  EXPECT_EQ(s.addr, rk::msg_ring::data);
  EXPECT_EQ(s.len, 100u);
  EXPECT_EQ(s.off, 0xabcu);
}

TEST(AbiVsLiburingHeader, DirectDescriptorSlotsAreOffByOne) {
  io_uring_sqe k{};
  io_uring_prep_accept_direct(&k, 5, nullptr, nullptr, 0, 4);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::accept));
  EXPECT_EQ(s.splice_fd_in, 5);  // slot 4 is encoded as 4 + 1

  io_uring_prep_socket_direct_alloc(&k, AF_INET, SOCK_STREAM, 0, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::socket));
  EXPECT_EQ(static_cast<std::uint32_t>(s.splice_fd_in), rk::file_index_alloc);

  io_uring_prep_multishot_accept(&k, 5, nullptr, nullptr, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.ioprio, rk::accept::multishot);
}

TEST(AbiVsLiburingHeader, PollRecvSendAndSpliceFlags) {
  io_uring_sqe k{};
  io_uring_prep_poll_multishot(&k, 6, POLLIN);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::poll_add));
  EXPECT_EQ(s.len, rk::poll::add_multi);
  EXPECT_EQ(s.op_flags, static_cast<std::uint32_t>(POLLIN));  // poll32_events, little-endian

  char buf[8];
  io_uring_prep_recv_multishot(&k, 6, buf, sizeof buf, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::recv));
  EXPECT_EQ(s.ioprio & rk::recvsend::recv_multishot, rk::recvsend::recv_multishot);

  io_uring_prep_send_zc(&k, 6, buf, sizeof buf, MSG_NOSIGNAL, IORING_RECVSEND_POLL_FIRST);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::send_zc));
  EXPECT_EQ(s.ioprio, rk::recvsend::poll_first);
  EXPECT_EQ(s.op_flags, static_cast<std::uint32_t>(MSG_NOSIGNAL));

  io_uring_prep_splice(&k, 7, 10, 8, 20, 30, SPLICE_F_FD_IN_FIXED);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::splice));
  EXPECT_EQ(s.splice_fd_in, 7);
  EXPECT_EQ(s.addr, 10u);  // splice_off_in
  EXPECT_EQ(s.fd, 8);
  EXPECT_EQ(s.off, 20u);
  EXPECT_EQ(s.len, 30u);
  EXPECT_EQ(s.op_flags, rk::splice::f_fd_in_fixed);

  io_uring_sqe_set_flags(&k, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
  EXPECT_EQ(as_sqe(k).flags, rk::sqe_flag::io_link | rk::sqe_flag::cqe_skip_success);
}

// liburing 2.3 indexes its zero-length bufs[] array; GCC's -Warray-bounds flags the inlined
// helper at -O2 although the memory (ring[8]) is there.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
TEST(AbiVsLiburingHeader, BufRingHelpersWriteRingkitsLayout) {
  rk::Buf ring[8]{};
  auto* br = reinterpret_cast<io_uring_buf_ring*>(ring);
  const int mask = io_uring_buf_ring_mask(8);
  EXPECT_EQ(static_cast<std::uint32_t>(mask), rk::buf_ring_mask(8));
  io_uring_buf_ring_init(br);
  io_uring_buf_ring_add(br, reinterpret_cast<void*>(std::uintptr_t{0x1000}), 64, 7, mask, 0);
  io_uring_buf_ring_add(br, reinterpret_cast<void*>(std::uintptr_t{0x2000}), 32, 9, mask, 1);
  io_uring_buf_ring_advance(br, 2);
  EXPECT_EQ(ring[0].addr, 0x1000u);
  EXPECT_EQ(ring[0].len, 64u);
  EXPECT_EQ(ring[0].bid, 7);
  EXPECT_EQ(ring[1].addr, 0x2000u);
  EXPECT_EQ(ring[1].bid, 9);
  // The tail liburing advanced is entry 0's resv, at byte 14.
  EXPECT_EQ(ring[0].resv, 2);
  std::uint16_t tail = 0;
  std::memcpy(&tail, reinterpret_cast<const unsigned char*>(ring) + rk::buf_ring_tail_offset,
              sizeof tail);
  EXPECT_EQ(tail, 2);
}
#pragma GCC diagnostic pop

TEST(AbiVsLiburingHeader, OpcodesNewerThanTheHeaderAreMarkedNewer) {
  const auto last_in_header = static_cast<std::size_t>(raw(IORING_OP_LAST));
  ASSERT_EQ(last_in_header, 49u);  // liburing 2.3 mirrors Linux 6.1
  for (const rk::OpcodeInfo& info : rk::opcode_table) {
    const auto number = static_cast<std::size_t>(info.op);
    EXPECT_EQ(number < last_in_header, (info.since <= rk::KernelVersion{6, 1}))
        << "opcode " << number << " (" << info.name << ")";
  }
}

}  // namespace
