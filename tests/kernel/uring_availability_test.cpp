// Why io_uring is unavailable: each diagnosis branch from injected facts, the sysctl reader on
// files, and end to end in forked children where a seccomp filter refuses io_uring_setup.
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

#include "uring_test_support.hpp"

namespace ringkit {
namespace {

using uring::SystemFacts;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

SystemFacts facts(int disabled, std::uint64_t memlock = 65536) {
  SystemFacts f;
  f.io_uring_disabled = disabled;
  f.memlock_limit = memlock;
  return f;
}

TEST(UringAvailability, SysctlOneMeansOnlyTheIoUringGroup) {
  const Error e = uring::explain_setup_failure(EPERM, facts(1));
  EXPECT_EQ(e.value(), EPERM);
  EXPECT_EQ(e.reason(), ErrorReason::io_uring_disabled_by_sysctl);
  EXPECT_EQ(e.detail(), 1u);
  const std::string m = e.message();
  EXPECT_TRUE(contains(m, "kernel.io_uring_disabled")) << m;
  EXPECT_TRUE(contains(m, "got 1: only processes in the group kernel.io_uring_group")) << m;
}

TEST(UringAvailability, SysctlTwoMeansNobody) {
  const Error e = uring::explain_setup_failure(EPERM, facts(2));
  EXPECT_EQ(e.reason(), ErrorReason::io_uring_disabled_by_sysctl);
  EXPECT_EQ(e.detail(), 2u);
  const std::string m = e.message();
  EXPECT_TRUE(contains(m, "got 2: io_uring is disabled for every process")) << m;
}

TEST(UringAvailability, EpermWithTheSysctlAllowingIsSeccomp) {
  for (const int disabled : {0, -1}) {  // 0, or no sysctl at all (before 6.6)
    const Error e = uring::explain_setup_failure(EPERM, facts(disabled));
    EXPECT_EQ(e.value(), EPERM);
    EXPECT_EQ(e.reason(), ErrorReason::io_uring_blocked_by_seccomp) << disabled;
    EXPECT_TRUE(contains(e.message(), "seccomp")) << e.message();
  }
}

TEST(UringAvailability, EnosysIsAKernelWithoutIoUring) {
  const Error e = uring::explain_setup_failure(ENOSYS, facts(0));
  EXPECT_EQ(e.value(), ENOSYS);
  EXPECT_EQ(e.reason(), ErrorReason::io_uring_not_in_kernel);
  EXPECT_TRUE(contains(e.message(), "CONFIG_IO_URING")) << e.message();
}

TEST(UringAvailability, EnomemNamesTheMemlockLimit) {
  const Error e = uring::explain_setup_failure(ENOMEM, facts(0, 65536));
  EXPECT_EQ(e.value(), ENOMEM);
  EXPECT_EQ(e.reason(), ErrorReason::memlock_limit_too_low);
  EXPECT_EQ(e.detail(), 65536u);
  EXPECT_TRUE(contains(e.message(), "RLIMIT_MEMLOCK is 65536 bytes")) << e.message();
  EXPECT_TRUE(contains(e.message(), "ulimit -l")) << e.message();
  const Error unlimited =
      uring::explain_setup_failure(ENOMEM, facts(0, std::numeric_limits<std::uint64_t>::max()));
  EXPECT_TRUE(contains(unlimited.message(), "RLIMIT_MEMLOCK is unlimited")) << unlimited.message();
}

TEST(UringAvailability, OtherErrnosPassThrough) {
  for (const int err : {EINVAL, EMFILE, ENFILE, EFAULT}) {
    const Error e = uring::explain_setup_failure(err, facts(2));
    EXPECT_EQ(e.value(), err);
    EXPECT_EQ(e.reason(), ErrorReason::none);
  }
}

TEST(UringAvailability, SysctlReaderReadsTheFile) {
  char path[] = "/tmp/ringkit-sysctl-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  const auto write_file = [&](const char* text) { std::ofstream(path) << text; };
  write_file("2\n");
  EXPECT_EQ(uring::read_io_uring_disabled(path), 2);
  write_file("0\n");
  EXPECT_EQ(uring::read_io_uring_disabled(path), 0);
  write_file("not a number\n");
  EXPECT_EQ(uring::read_io_uring_disabled(path), -1);
  unlink(path);
  EXPECT_EQ(uring::read_io_uring_disabled(path), -1);  // absent, as before Linux 6.6
}

TEST(UringAvailability, SystemFactsAreThisProcesses) {
  const SystemFacts f = uring::read_system_facts();
  EXPECT_EQ(f.io_uring_disabled, uring::read_io_uring_disabled());
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_MEMLOCK, &limit), 0);
  if (limit.rlim_cur == RLIM_INFINITY) {
    EXPECT_EQ(f.memlock_limit, std::numeric_limits<std::uint64_t>::max());
  } else {
    EXPECT_EQ(f.memlock_limit, limit.rlim_cur);
  }
}

TEST(UringAvailability, AvailabilityAgreesWithCreatingARing) {
  const result<void> available = uring::io_uring_available();
  const auto ring = UringRing::create(testing::ring_options(1));
  ASSERT_EQ(static_cast<bool>(available), static_cast<bool>(ring));
  if (!available) {
    EXPECT_EQ(available.error(), ring.error());
    EXPECT_NE(available.error().reason(), ErrorReason::none) << available.error().message();
  }
}

// In a forked child: a seccomp filter makes io_uring_setup fail with `errno_value`, then the
// child exits with 0 when io_uring_available() reports `expected`, 1 when it reports something
// else, 2 when the filter could not be installed.
int child_under_seccomp(int errno_value, ErrorReason expected) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K,
                 SECCOMP_RET_ERRNO | (static_cast<unsigned>(errno_value) & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) _exit(2);
    const result<void> available = uring::io_uring_available();
    if (!available && available.error().value() == errno_value &&
        available.error().reason() == expected)
      _exit(0);
    std::fprintf(stderr, "child: %s\n",
                 available ? "available" : available.error().message().c_str());
    _exit(1);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(UringAvailability, SeccompRefusalIsDiagnosedEndToEnd) {
  const int disabled = uring::read_io_uring_disabled();
  if (disabled == 1 || disabled == 2)
    GTEST_SKIP() << "kernel.io_uring_disabled is " << disabled << ": EPERM means the sysctl";
  const int code = child_under_seccomp(EPERM, ErrorReason::io_uring_blocked_by_seccomp);
  if (code == 2) GTEST_SKIP() << "cannot install a seccomp filter here";
  EXPECT_EQ(code, 0);
}

TEST(UringAvailability, EnosysIsDiagnosedEndToEnd) {
  const int code = child_under_seccomp(ENOSYS, ErrorReason::io_uring_not_in_kernel);
  if (code == 2) GTEST_SKIP() << "cannot install a seccomp filter here";
  EXPECT_EQ(code, 0);
}

TEST(UringAvailability, UringRingCreateCarriesTheDiagnosis) {
  // The same path through UringRing::create, not only the probe function.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) _exit(2);
    const auto ring = UringRing::create(testing::ring_options(8));
    _exit(!ring && ring.error().reason() == ErrorReason::io_uring_not_in_kernel ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "cannot install a seccomp filter here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// In a forked child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, a ring's memory exceeds the
// limit on kernels that charge it there: UringRing::create says so.
TEST(UringAvailability, MemlockLimitIsDiagnosedEndToEnd) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2]{};
    if (syscall(SYS_capget, &header, caps) != 0) _exit(2);
    caps[0].effective &= ~(1u << CAP_IPC_LOCK);
    if (syscall(SYS_capset, &header, caps) != 0) _exit(2);
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_MEMLOCK, &none) != 0) _exit(2);
    const auto ring = UringRing::create(testing::ring_options(1024));
    if (ring) _exit(3);
    _exit(ring.error().value() == ENOMEM &&
                  ring.error().reason() == ErrorReason::memlock_limit_too_low &&
                  ring.error().detail() == 0
              ? 0
              : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "cannot drop CAP_IPC_LOCK or lower the limit";
  if (WEXITSTATUS(status) == 3)
    GTEST_SKIP() << "this kernel does not charge ring memory to RLIMIT_MEMLOCK (5.12 and later "
                    "releases before the ring memory regions)";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace ringkit
