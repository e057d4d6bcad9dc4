// The simulator's FSETXATTR, FGETXATTR, SETXATTR and GETXATTR, asserting what
// tests/kernel/ops/files/xattr_test.cpp observes on Linux 6.18 (a file system with user.*).
#include <fcntl.h>
#include <sys/xattr.h>

#include <cstring>

#include "fs/sim_fs_test_support.hpp"

namespace ringkit::sim {
namespace {

constexpr const char* attr_name = "user.ringkit";

class SimXattrs : public testing::SimFsTest {
 protected:
  void SetUp() override {
    SimFsTest::SetUp();
    fd = make_file("attrs", "body");
    ASSERT_GE(fd, 0);
  }
  std::string value_of(const char* name) {
    char buf[256];
    const result<std::size_t> n =
        world.fs().getxattr(nullptr, "/d/attrs", name, std::as_writable_bytes(std::span(buf)));
    return n ? std::string(buf, *n) : "<errno " + std::to_string(n.error().value()) + ">";
  }
  int fd = -1;
};
RINGKIT_SIM_FS_SUITE(SimXattrs);

TEST_P(SimXattrs, FsetxattrThenFgetxattr) {
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "value-1", 7)), 0);
  EXPECT_EQ(value_of(attr_name), "value-1");
  char buf[64] = {};
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{fd}, attr_name, buf, sizeof buf)), 7);
  EXPECT_EQ(std::string(buf, 7), "value-1");
}

TEST_P(SimXattrs, FgetxattrSizeProbeAndErange) {
  ASSERT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "twelve bytes", 12)), 0);
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{fd}, attr_name, nullptr, 0)), 12);
  char small[4];
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{fd}, attr_name, small, sizeof small)), -ERANGE);
  char buf[32];
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{fd}, "user.absent", buf, sizeof buf)), -ENODATA);
  // A null buffer with a size: the lookup succeeds, the copy faults.
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{fd}, attr_name, nullptr, 32)), -EFAULT);
}

TEST_P(SimXattrs, CreateAndReplaceFlags) {
  ASSERT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "first", 5)), 0);
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "second", 6).flags(XATTR_CREATE)),
            -EEXIST);
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, "user.absent", "second", 6).flags(XATTR_REPLACE)),
            -ENODATA);
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "second", 6).flags(XATTR_REPLACE)), 0);
  EXPECT_EQ(value_of(attr_name), "second");
  EXPECT_EQ(value_of("user.absent"), "<errno " + std::to_string(ENODATA) + ">");
}

TEST_P(SimXattrs, SetxattrAndGetxattrByPath) {
  EXPECT_EQ(run_res(op::Setxattr("/d/attrs", attr_name, "by path", 7)), 0);
  EXPECT_EQ(value_of(attr_name), "by path");
  char buf[32] = {};
  EXPECT_EQ(run_res(op::Getxattr("/d/attrs", attr_name, buf, sizeof buf)), 7);
  EXPECT_EQ(std::string(buf, 7), "by path");
  EXPECT_EQ(run_res(op::Getxattr("/d/missing", attr_name, buf, sizeof buf)), -ENOENT);
  // Relative paths resolve from the cwd ("/").
  EXPECT_EQ(run_res(op::Getxattr("d/attrs", attr_name, buf, sizeof buf)), 7);
}

TEST_P(SimXattrs, FdFormsWorkOnARegisteredFile) {
  const int fds[1] = {fd};
  ASSERT_TRUE(ring->register_files(fds));
  EXPECT_EQ(run_res(op::Fsetxattr(op::FixedFile{0}, attr_name, "fixed", 5)), 0);
  char buf[16] = {};
  EXPECT_EQ(run_res(op::Fgetxattr(op::FixedFile{0}, attr_name, buf, sizeof buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "fixed");
  EXPECT_EQ(value_of(attr_name), "fixed");
  EXPECT_EQ(run_res(op::Fgetxattr(op::FixedFile{1}, attr_name, buf, sizeof buf)), -EBADF);
  EXPECT_EQ(run_res(op::Fgetxattr(op::Fd{999}, attr_name, buf, sizeof buf)), -EBADF);
}

TEST_P(SimXattrs, UnknownNamespaceIsEopnotsupp) {
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, "nonamespace", "v", 1)), -EOPNOTSUPP);
}

// setxattr_copy copies the name and the value at prep (IORING_FEAT_SUBMIT_STABLE).
TEST_P(SimXattrs, NameAndValueAreCopiedAtSubmit) {
  char name[32] = "user.kept";
  char value[16] = "original";
  ASSERT_EQ(
      testing::submit(*ring, {testing::with(op::Fsetxattr(op::Fd{fd}, name, value, 8).build(), 1)}),
      1);
  std::strcpy(name, "user.other");
  std::strcpy(value, "replaced");
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<testing::Cqe>{{1, 0, 0}}));
  EXPECT_EQ(value_of("user.kept"), "original");
}

// However long: a 200-byte name and a 240-byte value (together more than a request's own
// state holds) are the kernel's copies once submitted.
TEST_P(SimXattrs, LongNamesAndValuesAreCopiedAtSubmitToo) {
  std::string name = "user." + std::string(200, 'n');
  const std::string original_name = name;
  std::string value(240, 'v');
  ASSERT_EQ(
      testing::submit(*ring, {testing::with(op::Fsetxattr(op::Fd{fd}, name.c_str(), value.data(),
                                                          static_cast<std::uint32_t>(value.size()))
                                                .build(),
                                            1)}),
      1);
  name.assign(name.size(), 'x');
  value.assign(value.size(), 'x');
  EXPECT_EQ(testing::wait_for(*ring, 1), (std::vector<testing::Cqe>{{1, 0, 0}}));
  EXPECT_EQ(value_of(original_name.c_str()), std::string(240, 'v'));
}

// import_xattr_name and setxattr_copy at prep: "" and overlong names are -ERANGE, a value
// above XATTR_SIZE_MAX -E2BIG, unknown flags -EINVAL.
TEST_P(SimXattrs, PrepRules) {
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, "", "v", 1)), -ERANGE);
  const std::string long_name = "user." + std::string(251, 'n');
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, long_name.c_str(), "v", 1)), -ERANGE);
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, nullptr, "v", 1)), -EFAULT);
  static const char big[65537] = {};
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, big, sizeof big)), -E2BIG);
  EXPECT_EQ(run_res(op::Fsetxattr(op::Fd{fd}, attr_name, "v", 1).flags(4)), -EINVAL);
  abi::Sqe s = op::Fgetxattr(op::Fd{fd}, attr_name, nullptr, 0).build();
  s.op_flags = 1;
  EXPECT_EQ(run_res(s), -EINVAL);
  EXPECT_EQ(run_res(op::Setxattr("/d/attrs", attr_name, "v", 1), abi::sqe_flag::fixed_file),
            -EBADF);
  EXPECT_EQ(run_res(op::Setxattr("", attr_name, "v", 1)), -ENOENT);
  EXPECT_EQ(value_of(attr_name), "<errno " + std::to_string(ENODATA) + ">");
}

}  // namespace
}  // namespace ringkit::sim
