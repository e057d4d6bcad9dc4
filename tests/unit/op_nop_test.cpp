#include <gtest/gtest.h>

#include "ringkit/op/nop.hpp"
#include "support/sqe_compare.hpp"

namespace ringkit {
namespace {

using op::DecodeMode;
using op::Nop;
using testing::sqe_from_bytes;

TEST(OpNop, PlainBytes) {
  // opcode 0, fd -1, everything else zero: what liburing's io_uring_prep_nop writes.
  RINGKIT_EXPECT_SQE_EQ(Nop().build(), sqe_from_bytes({
                                           0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,  //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                           0,    0,    0,    0,    0,    0,    0,    0,     //
                                       }));
}

TEST(OpNop, EveryFlagBytes) {
  const abi::Sqe sqe = Nop()
                           .inject_result(-5)
                           .file(op::FixedFile{3})
                           .fixed_buffer(op::BufIndex{2})
                           .task_work()
                           .cqe32(0x1122, 0x3344)
                           .build();
  RINGKIT_EXPECT_SQE_EQ(sqe, sqe_from_bytes({
                                 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,  // fd 3
                                 0x22, 0x11, 0,    0,    0,    0,    0,    0,     // off: extra1
                                 0x44, 0x33, 0,    0,    0,    0,    0,    0,     // addr: extra2
                                 0xfb, 0xff, 0xff, 0xff,                          // len: -5
                                 0x3f, 0x00, 0x00, 0x00,                          // all six flags
                                 0,    0,    0,    0,    0,    0,    0,    0,     // user_data
                                 0x02, 0x00, 0,    0,    0,    0,    0,    0,     // buf_index 2
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                                 0,    0,    0,    0,    0,    0,    0,    0,     //
                             }));
  // NOP's fixed file is its own flag, never IOSQE_FIXED_FILE.
  EXPECT_EQ(sqe.flags, 0u);
}

TEST(OpNop, UnknownNopFlagIsEinvalInBothModes) {
  abi::Sqe sqe = Nop().build();
  sqe.op_flags = 1u << 6;
  for (DecodeMode mode : {DecodeMode::strict, DecodeMode::kernel}) {
    const auto r = Nop::decode(sqe, mode);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().value(), EINVAL);
  }
}

TEST(OpNop, UnusedFieldsAreRejectedOnlyWhenStrict) {
  abi::Sqe sqe = Nop().build();
  sqe.addr3 = 9;  // the kernel never reads it for a NOP
  EXPECT_EQ(Nop::decode(sqe).error().value(), EINVAL);
  EXPECT_TRUE(Nop::decode(sqe, DecodeMode::kernel));
  sqe = Nop().build();
  sqe.len = 7;  // read only with INJECT_RESULT
  EXPECT_FALSE(Nop::decode(sqe));
  EXPECT_TRUE(Nop::decode(sqe, DecodeMode::kernel));
}

TEST(OpNop, BufferSelectIsEopnotsupp) {
  abi::Sqe sqe = Nop().build();
  sqe.flags = abi::sqe_flag::buffer_select;
  EXPECT_EQ(Nop::decode(sqe, DecodeMode::kernel).error().value(), EOPNOTSUPP);
}

TEST(OpNop, CommonFieldsAreNotTheOpsBusiness) {
  abi::Sqe sqe = Nop().inject_result(3).build();
  sqe.user_data = 77;
  sqe.personality = 2;
  sqe.flags = abi::sqe_flag::io_link | abi::sqe_flag::cqe_skip_success;
  const auto r = Nop::decode(sqe);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->injected_result(), 3);
}

TEST(OpNop, WrongOpcodeIsRefused) {
  abi::Sqe sqe = Nop().build();
  sqe.opcode = 1;
  EXPECT_FALSE(Nop::decode(sqe));
}

TEST(OpNop, ConstexprBuild) {
  constexpr abi::Sqe sqe = Nop().inject_result(1).build();
  static_assert(sqe.opcode == 0 && sqe.len == 1 && sqe.fd == -1);
  static_assert(Nop::decode(sqe).has_value());
}

}  // namespace
}  // namespace ringkit
