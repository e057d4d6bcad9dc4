#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "ringkit/abi/setup.hpp"
#include "ringkit/error.hpp"

namespace ringkit {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ErrorMessage, PlainErrnoIsStrerror) {
  EXPECT_EQ(Error{EBADF}.message(), std::strerror(EBADF));
  EXPECT_TRUE(Error{EBADF}.reason_text().empty());
}

TEST(ErrorMessage, NamesTheOptionAndTheValue) {
  const std::string m = Error{EINVAL, ErrorReason::entries_not_power_of_two, 100}.message();
  EXPECT_TRUE(contains(m, std::strerror(EINVAL))) << m;
  EXPECT_TRUE(contains(m, "entries must be a power of two")) << m;
  EXPECT_TRUE(contains(m, "got 100")) << m;
}

TEST(ErrorMessage, NamesTheUnsupportedSetupFlag) {
  const std::string m =
      Error{ENOSYS, ErrorReason::setup_flag_unsupported, abi::setup::sqpoll}.message();
  EXPECT_TRUE(contains(m, "IORING_SETUP_SQPOLL")) << m;
  EXPECT_TRUE(contains(m, "0x2")) << m;
  EXPECT_TRUE(contains(m, "not supported by this backend")) << m;
}

TEST(ErrorMessage, NamesTheSysctlValue) {
  const std::string m = Error{EPERM, ErrorReason::io_uring_disabled_by_sysctl, 2}.message();
  EXPECT_TRUE(contains(m, "kernel.io_uring_disabled")) << m;
  EXPECT_TRUE(contains(m, "got 2")) << m;
  const std::string s = Error{EPERM, ErrorReason::io_uring_blocked_by_seccomp}.message();
  EXPECT_TRUE(contains(s, "seccomp")) << s;
}

TEST(ErrorMessage, EveryReasonHasItsOwnNameAndSentence) {
  std::set<std::string_view> names;
  std::set<std::string_view> sentences;
  const auto last = static_cast<int>(last_error_reason);
  for (int i = 1; i <= last; ++i) {
    const auto reason = static_cast<ErrorReason>(i);
    const std::string_view name = reason_name(reason);
    const std::string_view sentence = Error{EINVAL, reason}.reason_text();
    EXPECT_NE(name, "unknown") << i;
    EXPECT_FALSE(sentence.empty()) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    EXPECT_TRUE(sentences.insert(sentence).second) << "duplicate sentence for " << name;
  }
  EXPECT_EQ(reason_name(ErrorReason::none), "none");
}

}  // namespace
}  // namespace ringkit
