#include <gtest/gtest.h>
#include <liburing.h>
#include <rapidcheck/gtest.h>

#include "ringkit/op/nop.hpp"
#include "support/builder_properties.hpp"

namespace ringkit {
namespace {

using op::Nop;

rc::Gen<Nop> gen_nop() {
  return rc::gen::apply(
      [](bool inject, std::int32_t res, int file_kind, std::int32_t fd, bool fixed_buffer,
         std::uint16_t buf, bool tw, bool big, std::uint64_t e1, std::uint64_t e2) {
        Nop nop;
        if (inject) nop.inject_result(res);
        if (file_kind == 1) nop.file(op::Fd{fd});
        if (file_kind == 2) nop.file(op::FixedFile{static_cast<std::uint32_t>(fd)});
        if (fixed_buffer) nop.fixed_buffer(op::BufIndex{buf});
        if (tw) nop.task_work();
        if (big) nop.cqe32(e1, e2);
        return nop;
      },
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::int32_t>(), rc::gen::inRange(0, 3),
      rc::gen::arbitrary<std::int32_t>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint16_t>(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint64_t>());
}

RC_GTEST_PROP(OpNopProp, RoundTrip, ()) { testing::check_round_trip(*gen_nop()); }

RC_GTEST_PROP(OpNopProp, Canonical, (std::size_t byte, std::uint8_t value)) {
  testing::check_canonical(*gen_nop(), byte, value);
}

RC_GTEST_PROP(OpNopProp, Invariants, ()) { testing::check_invariants(*gen_nop(), 0); }

// liburing 2.3's io_uring_prep_nop is the independent oracle for the plain form.
// (It takes no arguments, so one comparison covers it.)
TEST(OpNopProp, MatchesLiburing) {
  io_uring_sqe expected{};
  io_uring_prep_nop(&expected);
  RINGKIT_EXPECT_SQE_EQ(Nop().build(), testing::as_sqe(expected));
}

}  // namespace
}  // namespace ringkit
