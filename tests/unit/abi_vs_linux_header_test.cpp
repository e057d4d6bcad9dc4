// ringkit's ABI mirror against this machine's <linux/io_uring.h> (Linux 6.1 uapi headers):
// every struct field and every constant the header also defines must have the same offset,
// size and value. What the header lacks (6.2 and later) is checked in
// abi_newer_constants_test.cpp; newer macros are checked here too when the header has them.
//
// Never include <liburing.h> in this file: its io_uring.h copy uses the same include guard.
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ringkit/abi.hpp"

// The checks both headers must pass.
#include "abi_header_checks.inc"  // NOLINT(bugprone-suspicious-include)

// Not checked: offsetof(io_uring_buf_ring, bufs). In C it is 0; in C++ this header's
// __DECLARE_FLEX_ARRAY puts an empty struct (size 1 in C++) first and bufs lands at 8. The ring
// is an array of Buf from its first byte, as the kernel (C) sees it.

// ---- futex (linux/futex.h) ----------------------------------------------------------------

RK_SAME_VALUE(rk::futex::size_u32, FUTEX_32);
RK_SAME_VALUE(rk::futex::private_flag, FUTEX_PRIVATE_FLAG);
RK_SAME_VALUE(rk::futex::waitv_max, FUTEX_WAITV_MAX);
RK_SAME_VALUE(rk::futex::bitset_match_any, FUTEX_BITSET_MATCH_ANY);
#ifdef FUTEX2_SIZE_U32
RK_SAME_VALUE(rk::futex::size_u8, FUTEX2_SIZE_U8);
RK_SAME_VALUE(rk::futex::size_u16, FUTEX2_SIZE_U16);
RK_SAME_VALUE(rk::futex::size_u32, FUTEX2_SIZE_U32);
RK_SAME_VALUE(rk::futex::size_u64, FUTEX2_SIZE_U64);
RK_SAME_VALUE(rk::futex::size_mask, FUTEX2_SIZE_MASK);
RK_SAME_VALUE(rk::futex::numa, FUTEX2_NUMA);
RK_SAME_VALUE(rk::futex::private_flag, FUTEX2_PRIVATE);
#endif
RK_SAME_SIZE(rk::FutexWaitv, futex_waitv);
RK_SAME_FIELD(rk::FutexWaitv, val, futex_waitv, val);
RK_SAME_FIELD(rk::FutexWaitv, uaddr, futex_waitv, uaddr);
RK_SAME_FIELD(rk::FutexWaitv, flags, futex_waitv, flags);
RK_SAME_FIELD(rk::FutexWaitv, reserved, futex_waitv, __reserved);

// ---- run-time checks: the same bytes read through both views ------------------------------

namespace {

TEST(AbiVsLinuxHeader, SqeFieldsAliasTheKernelUnionMembers) {
  io_uring_sqe k{};
  k.opcode = IORING_OP_URING_CMD;
  k.flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  k.ioprio = 7;
  k.fd = -5;
  k.cmd_op = 0x11223344u;
  k.__pad1 = 0x55667788u;
  k.addr = 0x0102030405060708u;
  k.len = 99;
  k.poll32_events = 0xdeadbeefu;
  k.user_data = 0xfeedfacecafebeefu;
  k.buf_group = 3;
  k.personality = 4;
  k.addr_len = 0x2211;
  k.__pad3[0] = 0x4433;
  k.addr3 = 12;
  k.__pad2[0] = 13;

  rk::Sqe s{};
  static_assert(sizeof s == sizeof k);
  std::memcpy(&s, &k, sizeof s);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::uring_cmd));
  EXPECT_EQ(s.flags, rk::sqe_flag::fixed_file | rk::sqe_flag::io_link);
  EXPECT_EQ(s.ioprio, 7);
  EXPECT_EQ(s.fd, -5);
  EXPECT_EQ(s.off, 0x5566778811223344u);  // cmd_op is the low half on little-endian
  EXPECT_EQ(s.addr, 0x0102030405060708u);
  EXPECT_EQ(s.len, 99u);
  EXPECT_EQ(s.op_flags, 0xdeadbeefu);
  EXPECT_EQ(s.user_data, 0xfeedfacecafebeefu);
  EXPECT_EQ(s.buf_index, 3);
  EXPECT_EQ(s.personality, 4);
  EXPECT_EQ(s.splice_fd_in, 0x44332211);
  EXPECT_EQ(s.addr3, 12u);
  EXPECT_EQ(s.pad2, 13u);

  // And back: our fields land in the kernel's.
  rk::Sqe t{};
  t.off = 0xaabbccdd00000001u;
  t.splice_fd_in = -1;
  t.op_flags = 0x80000000u;
  std::memcpy(&k, &t, sizeof k);
  EXPECT_EQ(k.off, 0xaabbccdd00000001u);
  EXPECT_EQ(k.cmd_op, 1u);
  EXPECT_EQ(k.file_index, 0xffffffffu);
  EXPECT_EQ(k.splice_flags, SPLICE_F_FD_IN_FIXED);
}

TEST(AbiVsLinuxHeader, CqeAndBufRingShareTheKernelBytes) {
  io_uring_cqe k{};
  k.user_data = 42;
  k.res = -11;
  k.flags = IORING_CQE_F_BUFFER | IORING_CQE_F_MORE | (9u << IORING_CQE_BUFFER_SHIFT);
  rk::Cqe c{};
  std::memcpy(&c, &k, sizeof c);
  EXPECT_EQ(c.user_data, 42u);
  EXPECT_EQ(c.res, -11);
  EXPECT_EQ(c.flags & rk::cqe_flag::more, rk::cqe_flag::more);
  EXPECT_EQ(rk::cqe_buffer_id(c.flags), 9);

  // The kernel's buf_ring tail is our entry 0's resv.
  rk::Buf ring[4]{};
  io_uring_buf_ring k_ring{};
  k_ring.tail = 0x1234;
  std::memcpy(ring, &k_ring, sizeof k_ring);
  EXPECT_EQ(ring[0].resv, 0x1234);
  EXPECT_EQ(rk::buf_ring_size(4), sizeof ring);
}

struct NamedValue {
  std::uint32_t value;
  std::string_view name;
};
// The macro's (or enumerator's) value and its own spelling.
#define RK_NAMED(constant) \
  NamedValue { static_cast<std::uint32_t>(constant), #constant }

TEST(AbiVsLinuxHeader, NameTablesSpellTheHeadersNames) {
  for (const NamedValue& v :
       {RK_NAMED(IORING_SETUP_IOPOLL), RK_NAMED(IORING_SETUP_SQPOLL), RK_NAMED(IORING_SETUP_SQ_AFF),
        RK_NAMED(IORING_SETUP_CQSIZE), RK_NAMED(IORING_SETUP_CLAMP),
        RK_NAMED(IORING_SETUP_ATTACH_WQ), RK_NAMED(IORING_SETUP_R_DISABLED),
        RK_NAMED(IORING_SETUP_SUBMIT_ALL), RK_NAMED(IORING_SETUP_COOP_TASKRUN),
        RK_NAMED(IORING_SETUP_TASKRUN_FLAG), RK_NAMED(IORING_SETUP_SQE128),
        RK_NAMED(IORING_SETUP_CQE32), RK_NAMED(IORING_SETUP_SINGLE_ISSUER),
        RK_NAMED(IORING_SETUP_DEFER_TASKRUN)}) {
    EXPECT_EQ(rk::setup_flag_name(v.value), v.name);
  }
  for (const NamedValue& v : {RK_NAMED(IORING_FEAT_SINGLE_MMAP), RK_NAMED(IORING_FEAT_NODROP),
                              RK_NAMED(IORING_FEAT_SUBMIT_STABLE), RK_NAMED(IORING_FEAT_RW_CUR_POS),
                              RK_NAMED(IORING_FEAT_CUR_PERSONALITY),
                              RK_NAMED(IORING_FEAT_FAST_POLL), RK_NAMED(IORING_FEAT_POLL_32BITS),
                              RK_NAMED(IORING_FEAT_SQPOLL_NONFIXED), RK_NAMED(IORING_FEAT_EXT_ARG),
                              RK_NAMED(IORING_FEAT_NATIVE_WORKERS), RK_NAMED(IORING_FEAT_RSRC_TAGS),
                              RK_NAMED(IORING_FEAT_CQE_SKIP), RK_NAMED(IORING_FEAT_LINKED_FILE)}) {
    EXPECT_EQ(rk::feature_name(v.value), v.name);
  }
  for (const NamedValue& v :
       {RK_NAMED(IOSQE_FIXED_FILE), RK_NAMED(IOSQE_IO_DRAIN), RK_NAMED(IOSQE_IO_LINK),
        RK_NAMED(IOSQE_IO_HARDLINK), RK_NAMED(IOSQE_ASYNC), RK_NAMED(IOSQE_BUFFER_SELECT),
        RK_NAMED(IOSQE_CQE_SKIP_SUCCESS)}) {
    EXPECT_EQ(rk::sqe_flag_name(v.value), v.name);
  }
  for (const NamedValue& v : {RK_NAMED(IORING_ENTER_GETEVENTS), RK_NAMED(IORING_ENTER_SQ_WAKEUP),
                              RK_NAMED(IORING_ENTER_SQ_WAIT), RK_NAMED(IORING_ENTER_EXT_ARG),
                              RK_NAMED(IORING_ENTER_REGISTERED_RING)}) {
    EXPECT_EQ(rk::enter_flag_name(v.value), v.name);
  }
  for (const NamedValue& v :
       {RK_NAMED(IORING_REGISTER_BUFFERS),        RK_NAMED(IORING_UNREGISTER_BUFFERS),
        RK_NAMED(IORING_REGISTER_FILES),          RK_NAMED(IORING_UNREGISTER_FILES),
        RK_NAMED(IORING_REGISTER_EVENTFD),        RK_NAMED(IORING_UNREGISTER_EVENTFD),
        RK_NAMED(IORING_REGISTER_FILES_UPDATE),   RK_NAMED(IORING_REGISTER_EVENTFD_ASYNC),
        RK_NAMED(IORING_REGISTER_PROBE),          RK_NAMED(IORING_REGISTER_PERSONALITY),
        RK_NAMED(IORING_UNREGISTER_PERSONALITY),  RK_NAMED(IORING_REGISTER_RESTRICTIONS),
        RK_NAMED(IORING_REGISTER_ENABLE_RINGS),   RK_NAMED(IORING_REGISTER_FILES2),
        RK_NAMED(IORING_REGISTER_FILES_UPDATE2),  RK_NAMED(IORING_REGISTER_BUFFERS2),
        RK_NAMED(IORING_REGISTER_BUFFERS_UPDATE), RK_NAMED(IORING_REGISTER_IOWQ_AFF),
        RK_NAMED(IORING_UNREGISTER_IOWQ_AFF),     RK_NAMED(IORING_REGISTER_IOWQ_MAX_WORKERS),
        RK_NAMED(IORING_REGISTER_RING_FDS),       RK_NAMED(IORING_UNREGISTER_RING_FDS),
        RK_NAMED(IORING_REGISTER_PBUF_RING),      RK_NAMED(IORING_UNREGISTER_PBUF_RING),
        RK_NAMED(IORING_REGISTER_SYNC_CANCEL),    RK_NAMED(IORING_REGISTER_FILE_ALLOC_RANGE)}) {
    EXPECT_EQ(rk::register_op_name(static_cast<rk::RegisterOp>(v.value)), v.name);
  }
}

TEST(AbiVsLinuxHeader, OpcodesNewerThanTheHeaderAreMarkedNewer) {
  // The header is Linux 6.1: its IORING_OP_LAST splits the table into what 6.1 has and what
  // came later, which must agree with the table's first-kernel column.
  const auto last_in_header = static_cast<std::size_t>(raw(IORING_OP_LAST));
  ASSERT_EQ(last_in_header, 49u);
  for (const rk::OpcodeInfo& info : rk::opcode_table) {
    const auto number = static_cast<std::size_t>(info.op);
    EXPECT_EQ(number < last_in_header, (info.since <= rk::KernelVersion{6, 1}))
        << "opcode " << number << " (" << info.name << ")";
  }
}

}  // namespace
