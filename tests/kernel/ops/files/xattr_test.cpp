// FSETXATTR, FGETXATTR, SETXATTR and GETXATTR on a file in /tmp, with a user.* attribute,
// cross-checked against the xattr syscalls. A file system without user xattrs makes the op
// itself answer -EOPNOTSUPP: then the test skips, printing that answer.
#include <sys/xattr.h>

#include <cerrno>
#include <string>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run_res;

constexpr const char* attr_name = "user.ringkit";

class Xattrs : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    path_ = dir_.path("attrs");
    file_ = make_file(path_, "body");
    ASSERT_GE(file_.get(), 0);
  }

  // Sets attr_name to `value` with FSETXATTR; skips when the file system has no user xattrs.
  void set_or_skip(const std::string& value) {
    const std::int32_t res =
        run_res(*ring_, op::Fsetxattr(file_.fd(), attr_name, value.data(),
                                      static_cast<std::uint32_t>(value.size())));
    if (res == -EOPNOTSUPP) GTEST_SKIP() << "/tmp's file system refuses user xattrs (EOPNOTSUPP)";
    ASSERT_EQ(res, 0);
  }

  std::string syscall_value(const char* name) const {
    char buf[256];
    const ssize_t n = getxattr(path_.c_str(), name, buf, sizeof buf);
    return n < 0 ? "<errno " + std::to_string(errno) + ">"
                 : std::string(buf, static_cast<std::size_t>(n));
  }

  std::string path_;
  testing::OwnedFd file_;
};

TEST_F(Xattrs, FsetxattrThenFgetxattr) {
  RINGKIT_REQUIRE_OPCODE(fsetxattr);
  RINGKIT_REQUIRE_OPCODE(fgetxattr);
  set_or_skip("value-1");
  if (IsSkipped()) return;
  EXPECT_EQ(syscall_value(attr_name), "value-1");
  char buf[64] = {};
  // res is the value's size.
  EXPECT_EQ(run_res(*ring_, op::Fgetxattr(file_.fd(), attr_name, buf, sizeof buf)), 7);
  EXPECT_EQ(std::string(buf, 7), "value-1");
}

// getxattr(2)'s size rules: 0 asks for the size only; a buffer too small is -ERANGE.
TEST_F(Xattrs, FgetxattrSizeProbeAndErange) {
  RINGKIT_REQUIRE_OPCODE(fsetxattr);
  RINGKIT_REQUIRE_OPCODE(fgetxattr);
  set_or_skip("twelve bytes");
  if (IsSkipped()) return;
  EXPECT_EQ(run_res(*ring_, op::Fgetxattr(file_.fd(), attr_name, nullptr, 0)), 12);
  char small[4];
  EXPECT_EQ(run_res(*ring_, op::Fgetxattr(file_.fd(), attr_name, small, sizeof small)), -ERANGE);
  char buf[32];
  EXPECT_EQ(run_res(*ring_, op::Fgetxattr(file_.fd(), "user.absent", buf, sizeof buf)), -ENODATA);
}

TEST_F(Xattrs, CreateAndReplaceFlags) {
  RINGKIT_REQUIRE_OPCODE(fsetxattr);
  set_or_skip("first");
  if (IsSkipped()) return;
  const char second[] = "second";
  EXPECT_EQ(run_res(*ring_, op::Fsetxattr(file_.fd(), attr_name, second, 6).flags(XATTR_CREATE)),
            -EEXIST);
  EXPECT_EQ(
      run_res(*ring_, op::Fsetxattr(file_.fd(), "user.absent", second, 6).flags(XATTR_REPLACE)),
      -ENODATA);
  EXPECT_EQ(run_res(*ring_, op::Fsetxattr(file_.fd(), attr_name, second, 6).flags(XATTR_REPLACE)),
            0);
  EXPECT_EQ(syscall_value(attr_name), "second");
  EXPECT_EQ(syscall_value("user.absent"), "<errno " + std::to_string(ENODATA) + ">");
}

TEST_F(Xattrs, SetxattrAndGetxattrByPath) {
  RINGKIT_REQUIRE_OPCODE(setxattr);
  RINGKIT_REQUIRE_OPCODE(getxattr);
  const char value[] = "by path";
  const std::int32_t set = run_res(*ring_, op::Setxattr(path_.c_str(), attr_name, value, 7));
  if (set == -EOPNOTSUPP) GTEST_SKIP() << "/tmp's file system refuses user xattrs (EOPNOTSUPP)";
  ASSERT_EQ(set, 0);
  EXPECT_EQ(syscall_value(attr_name), "by path");
  char buf[32] = {};
  EXPECT_EQ(run_res(*ring_, op::Getxattr(path_.c_str(), attr_name, buf, sizeof buf)), 7);
  EXPECT_EQ(std::string(buf, 7), "by path");
  const std::string missing = dir_.path("missing");
  EXPECT_EQ(run_res(*ring_, op::Getxattr(missing.c_str(), attr_name, buf, sizeof buf)), -ENOENT);
}

// The fd forms take a registered file like any other file op.
TEST_F(Xattrs, FdFormsWorkOnARegisteredFile) {
  RINGKIT_REQUIRE_OPCODE(fsetxattr);
  RINGKIT_REQUIRE_OPCODE(fgetxattr);
  const int fds[1] = {file_.get()};
  ASSERT_TRUE(ring_->register_files(fds));
  const char value[] = "fixed";
  const std::int32_t set = run_res(*ring_, op::Fsetxattr(op::FixedFile{0}, attr_name, value, 5));
  if (set == -EOPNOTSUPP) GTEST_SKIP() << "/tmp's file system refuses user xattrs (EOPNOTSUPP)";
  ASSERT_EQ(set, 0);
  char buf[16] = {};
  EXPECT_EQ(run_res(*ring_, op::Fgetxattr(op::FixedFile{0}, attr_name, buf, sizeof buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "fixed");
  EXPECT_EQ(syscall_value(attr_name), "fixed");
}

// A name outside every namespace prefix is refused by the VFS before any file system sees it.
TEST_F(Xattrs, UnknownNamespaceIsEopnotsupp) {
  RINGKIT_REQUIRE_OPCODE(fsetxattr);
  const char value[] = "v";
  EXPECT_EQ(run_res(*ring_, op::Fsetxattr(file_.fd(), "nonamespace", value, 1)), -EOPNOTSUPP);
}

}  // namespace
}  // namespace ringkit
