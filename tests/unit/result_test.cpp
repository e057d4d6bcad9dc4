#include "ringkit/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ringkit {
namespace {

result<int> parse_positive(int x) {
  if (x <= 0) return Error{EINVAL};
  return x;
}

TEST(Result, HoldsValue) {
  const result<int> r = parse_positive(7);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 7);
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(r.value_or(3), 7);
}

TEST(Result, HoldsErrorInSystemCategory) {
  const result<int> r = parse_positive(-1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().value(), EINVAL);
  EXPECT_EQ(r.error().code(), std::error_code(EINVAL, std::system_category()));
  EXPECT_EQ(&r.error().code().category(), &std::system_category());
  EXPECT_TRUE(r.error().code() == std::errc::invalid_argument);
  EXPECT_TRUE(r.error() == std::errc::invalid_argument);
  EXPECT_FALSE(r.error() == std::errc::bad_file_descriptor);
  EXPECT_EQ(r.value_or(3), 3);
}

TEST(Result, MoveOnlyValues) {
  result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r);
  std::unique_ptr<int> owned = std::move(r).value();
  EXPECT_EQ(*owned, 5);
}

TEST(Result, NonTrivialValuesCopyAndMove) {
  result<std::string> a = std::string(100, 'x');
  result<std::string> b = a;
  EXPECT_EQ(b->size(), 100u);
  result<std::string> c = Error{ENOENT};
  c = b;
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, std::string(100, 'x'));
  c = Error{EBADF};
  EXPECT_EQ(c.error().value(), EBADF);
}

TEST(Result, VoidSpecialisation) {
  const result<void> ok;
  EXPECT_TRUE(ok.has_value());
  const result<void> bad = Error{EBUSY};
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().value(), EBUSY);
}

TEST(Result, ErrorFromKernelNegatesErrno) {
  const Error e = error_from_kernel(-EAGAIN);
  EXPECT_EQ(e.value(), EAGAIN);
  EXPECT_EQ(e.reason(), ErrorReason::none);
}

TEST(Result, ErrorsCompareByErrnoReasonAndDetail) {
  EXPECT_EQ((Error{EINVAL, ErrorReason::entries_zero}), (Error{EINVAL, ErrorReason::entries_zero}));
  EXPECT_NE((Error{EINVAL, ErrorReason::entries_zero}), (Error{EINVAL}));
  EXPECT_NE((Error{EINVAL, ErrorReason::entries_too_large, 1}),
            (Error{EINVAL, ErrorReason::entries_too_large, 2}));
}

void read_value_of_error() {
  const result<int> r = Error{EINVAL, ErrorReason::entries_zero};
  (void)r.value();
}

void read_error_of_value() {
  const result<int> r = 1;
  (void)r.error();
}

TEST(ResultDeathTest, ValueOfErrorAbortsWithTheMessage) {
  EXPECT_DEATH(read_value_of_error(), "ring option entries must not be 0");
}

TEST(ResultDeathTest, ErrorOfValueAborts) {
  EXPECT_DEATH(read_error_of_value(), "error\\(\\) of a result holding a value");
}

}  // namespace
}  // namespace ringkit
