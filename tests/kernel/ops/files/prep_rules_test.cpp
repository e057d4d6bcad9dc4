// The prep rules the file-family builders state, checked on the real kernel: an SQE built by a
// builder and then altered in one field goes to the kernel, and its res must equal both the
// errno written here and what the builder's decode() in kernel mode predicts. A mismatch with
// decode() is a builder bug; one with the number here, a wrong reading of the kernel.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run_one;

// What Builder::decode(sqe, kernel mode) says the kernel answers: 0 (accepted) or -errno.
template <class Builder>
int predicted_res(const abi::Sqe& sqe) {
  const auto decoded = Builder::decode(sqe, op::DecodeMode::kernel);
  return decoded ? 0 : -decoded.error().value();
}

// Submits `sqe` and checks the kernel's res: exactly `expected` when negative, >= 0 otherwise;
// and that decode() agrees.
template <class Builder>
void expect_prep(Ring& ring, abi::Sqe sqe, int expected, const char* what) {
  SCOPED_TRACE(what);
  sqe.user_data = 5;
  const int predicted = predicted_res<Builder>(sqe);
  const abi::Cqe cqe = run_one(ring, sqe);
  EXPECT_EQ(cqe.user_data, 5u);
  if (expected < 0) {
    EXPECT_EQ(cqe.res, expected) << "kernel";
    EXPECT_EQ(predicted, expected) << "decode(kernel mode)";
  } else {
    EXPECT_GE(cqe.res, 0) << "kernel";
    EXPECT_EQ(predicted, 0) << "decode(kernel mode)";
  }
}

class PrepRules : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file_ = make_file(dir_.path("f"), "0123456789");
    ASSERT_GE(file_.get(), 0);
  }

  // `sqe` with `bits` added to its IOSQE flags.
  static abi::Sqe flagged(abi::Sqe sqe, std::uint8_t bits) {
    sqe.flags |= bits;
    return sqe;
  }

  testing::OwnedFd file_;
};

TEST_F(PrepRules, SyncAndSpaceOps) {
  abi::Sqe s = op::Fsync(file_.fd()).build();
  s.addr = 1;
  expect_prep<op::Fsync>(*ring_, s, -EINVAL, "fsync addr");
  s = op::Fsync(file_.fd()).build();
  s.op_flags = 2;
  expect_prep<op::Fsync>(*ring_, s, -EINVAL, "fsync unknown fsync_flags");
  s = op::Fsync(file_.fd()).build();
  s.ioprio = 1;
  expect_prep<op::Fsync>(*ring_, s, -EINVAL, "fsync ioprio (no .ioprio in its opdef)");
  s = op::Fsync(file_.fd()).build();
  s.addr3 = 1;
  expect_prep<op::Fsync>(*ring_, s, 0, "fsync addr3 is never read");

  s = op::SyncFileRange(file_.fd(), 0, 4).build();
  s.splice_fd_in = 1;
  expect_prep<op::SyncFileRange>(*ring_, s, -EINVAL, "sync_file_range splice_fd_in");

  s = op::Fallocate(file_.fd(), 0, 16).build();
  s.op_flags = 1;
  expect_prep<op::Fallocate>(*ring_, s, -EINVAL, "fallocate rw_flags");

  s = op::Fadvise(file_.fd(), 0, 4, POSIX_FADV_NORMAL).build();
  s.buf_index = 1;
  expect_prep<op::Fadvise>(*ring_, s, -EINVAL, "fadvise buf_index");

  if (ring_->supports(abi::Opcode::ftruncate)) {
    s = op::Ftruncate(file_.fd(), 4).build();
    s.addr3 = 1;
    expect_prep<op::Ftruncate>(*ring_, s, -EINVAL, "ftruncate addr3");
    s = op::Ftruncate(file_.fd(), 4).build();
    s.len = 1;
    expect_prep<op::Ftruncate>(*ring_, s, -EINVAL, "ftruncate len");
  }
  EXPECT_EQ(testing::file_contents(file_.get()), "0123456789");
}

TEST_F(PrepRules, ReadWriteOps) {
  char buf[8];
  // BUFFER_SELECT on an op without buffer selection: io_init_req's -EOPNOTSUPP.
  expect_prep<op::Write>(
      *ring_, flagged(op::Write(file_.fd(), "x", 1, 0).build(), abi::sqe_flag::buffer_select),
      -EOPNOTSUPP, "write with IOSQE_BUFFER_SELECT");
  abi::Sqe s = op::Read(file_.fd(), buf, sizeof buf, 0).build();
  s.pad2 = 2;  // an attribute type other than PI
  expect_prep<op::Read>(*ring_, s, -EINVAL, "read attr_type_mask");
  s = op::Read(file_.fd(), buf, sizeof buf, 0).build();
  s.buf_index = 3;  // not read without BUFFER_SELECT
  expect_prep<op::Read>(*ring_, s, 0, "read buf_index ignored");
  // Unknown RWF_* bits fail at issue (kiocb_set_rw_flags), not at prep; decode accepts them.
  s = op::Read(file_.fd(), buf, sizeof buf, 0).rw_flags(0x40000000).build();
  const abi::Cqe cqe = run_one(*ring_, s);
  EXPECT_EQ(cqe.res, -EOPNOTSUPP);
  EXPECT_EQ(predicted_res<op::Read>(s), 0);

  if (ring_->supports(abi::Opcode::read_multishot)) {
    s = op::ReadMultishot(file_.fd(), op::BufGroup{1}, 0).build();
    s.flags &= static_cast<std::uint8_t>(~abi::sqe_flag::buffer_select);
    expect_prep<op::ReadMultishot>(*ring_, s, -EINVAL, "read_multishot without BUFFER_SELECT");
    s = op::ReadMultishot(file_.fd(), op::BufGroup{1}, 0).build();
    s.len = 4;
    expect_prep<op::ReadMultishot>(*ring_, s, -EINVAL, "read_multishot len");
    s = op::ReadMultishot(file_.fd(), op::BufGroup{1}, 0).build();
    s.ioprio = 1;
    expect_prep<op::ReadMultishot>(*ring_, s, -EINVAL, "read_multishot ioprio");
  }
}

TEST_F(PrepRules, OpenAndCloseOps) {
  abi::Sqe s = op::Openat(dir_.dir(), "f", O_RDONLY).build();
  s.buf_index = 1;
  expect_prep<op::Openat>(*ring_, s, -EINVAL, "openat buf_index");
  expect_prep<op::Openat>(
      *ring_, flagged(op::Openat(dir_.dir(), "f", O_RDONLY).build(), abi::sqe_flag::fixed_file),
      -EBADF, "openat IOSQE_FIXED_FILE");

  s = op::Close(op::Fd{999}).build();
  s.off = 1;
  expect_prep<op::Close>(*ring_, s, -EINVAL, "close off");
  s = op::Close(op::Fd{999}).build();
  s.splice_fd_in = 1;  // both a descriptor and a slot
  expect_prep<op::Close>(*ring_, s, -EINVAL, "close fd and file_index");
  expect_prep<op::Close>(*ring_, flagged(op::Close(op::Fd{999}).build(), abi::sqe_flag::fixed_file),
                         -EBADF, "close IOSQE_FIXED_FILE");

  std::int32_t fds[1] = {file_.get()};
  s = op::FilesUpdate(fds, 1, 0).build();
  s.len = 0;
  expect_prep<op::FilesUpdate>(*ring_, s, -EINVAL, "files_update count 0");
  expect_prep<op::FilesUpdate>(
      *ring_, flagged(op::FilesUpdate(fds, 1, 0).build(), abi::sqe_flag::fixed_file), -EINVAL,
      "files_update IOSQE_FIXED_FILE");

  if (ring_->supports(abi::Opcode::fixed_fd_install)) {
    s = op::FixedFdInstall(op::FixedFile{0}).build();
    s.flags &= static_cast<std::uint8_t>(~abi::sqe_flag::fixed_file);
    expect_prep<op::FixedFdInstall>(*ring_, s, -EBADF, "fixed_fd_install without FIXED_FILE");
    s = op::FixedFdInstall(op::FixedFile{0}).build();
    s.op_flags = 2;
    expect_prep<op::FixedFdInstall>(*ring_, s, -EINVAL, "fixed_fd_install unknown flag");
  }
  if (ring_->supports(abi::Opcode::pipe)) {
    std::int32_t pipe_fds[2] = {-1, -1};
    s = op::Pipe(pipe_fds).build();
    s.fd = 1;
    expect_prep<op::Pipe>(*ring_, s, -EINVAL, "pipe fd");
    s = op::Pipe(pipe_fds).build();
    s.op_flags = O_APPEND;
    expect_prep<op::Pipe>(*ring_, s, -EINVAL, "pipe unknown flag");
    EXPECT_EQ(pipe_fds[0], -1);
  }
}

TEST_F(PrepRules, PathOps) {
  struct statx stx {};
  abi::Sqe s = op::Statx(dir_.dir(), "f", 0, STATX_SIZE, &stx).build();
  s.buf_index = 1;
  expect_prep<op::Statx>(*ring_, s, -EINVAL, "statx buf_index");
  expect_prep<op::Statx>(
      *ring_,
      flagged(op::Statx(dir_.dir(), "f", 0, STATX_SIZE, &stx).build(), abi::sqe_flag::fixed_file),
      -EBADF, "statx IOSQE_FIXED_FILE");
  s = op::Statx(dir_.dir(), "f", 0, STATX_SIZE, &stx).build();
  s.addr3 = 7;
  s.pad2 = 7;
  expect_prep<op::Statx>(*ring_, s, 0, "statx addr3 and pad2 ignored");
  EXPECT_EQ(stx.stx_size, 10u);

  s = op::Unlinkat(dir_.dir(), "f").flags(0x100).build();
  expect_prep<op::Unlinkat>(*ring_, s, -EINVAL, "unlinkat unknown flag");
  s = op::Unlinkat(dir_.dir(), "f").build();
  s.len = 1;
  expect_prep<op::Unlinkat>(*ring_, s, -EINVAL, "unlinkat len");
  EXPECT_TRUE(testing::path_exists(dir_.path("f")));

  s = op::Mkdirat(dir_.dir(), "d", 0755).build();
  s.off = 1;
  expect_prep<op::Mkdirat>(*ring_, s, -EINVAL, "mkdirat off");
  s = op::Symlinkat("f", dir_.dir(), "l").build();
  s.len = 1;
  expect_prep<op::Symlinkat>(*ring_, s, -EINVAL, "symlinkat len");
  s = op::Renameat(dir_.dir(), "f", dir_.dir(), "g").build();
  s.splice_fd_in = 1;
  expect_prep<op::Renameat>(*ring_, s, -EINVAL, "renameat splice_fd_in");
  s = op::Linkat(dir_.dir(), "f", dir_.dir(), "h").build();
  s.buf_index = 1;
  expect_prep<op::Linkat>(*ring_, s, -EINVAL, "linkat buf_index");
  EXPECT_FALSE(testing::path_exists(dir_.path("d")));
  EXPECT_FALSE(testing::path_exists(dir_.path("l")));
  EXPECT_FALSE(testing::path_exists(dir_.path("g")));
  EXPECT_FALSE(testing::path_exists(dir_.path("h")));
}

TEST_F(PrepRules, XattrAndSpliceOps) {
  char value[8];
  abi::Sqe s = op::Fgetxattr(file_.fd(), "user.x", value, sizeof value).build();
  s.op_flags = 1;
  expect_prep<op::Fgetxattr>(*ring_, s, -EINVAL, "fgetxattr flags");
  s = op::Fsetxattr(file_.fd(), "user.x", "v", 1).flags(4).build();
  expect_prep<op::Fsetxattr>(*ring_, s, -EINVAL, "fsetxattr unknown flag");
  const std::string path = dir_.path("f");
  expect_prep<op::Setxattr>(
      *ring_,
      flagged(op::Setxattr(path.c_str(), "user.x", "v", 1).build(), abi::sqe_flag::fixed_file),
      -EBADF, "setxattr IOSQE_FIXED_FILE");

  testing::Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  s = op::Splice(file_.fd(), op::Fd{pipe.write_end}, 4).off_in(0).build();
  s.op_flags = 0x100;
  expect_prep<op::Splice>(*ring_, s, -EINVAL, "splice unknown flag");
  s = op::Tee(op::Fd{pipe.read_end}, op::Fd{pipe.write_end}, 4).build();
  s.addr = 1;
  expect_prep<op::Tee>(*ring_, s, -EINVAL, "tee splice_off_in");
  EXPECT_EQ(pipe.drain(), "");
}

TEST_F(PrepRules, MadviseTakesNoFile) {
  // madvise has no file: fd and IOSQE_FIXED_FILE are not looked at, buf_index is -EINVAL.
  alignas(4096) static char page[4096];
  abi::Sqe s = op::Madvise(page, sizeof page, MADV_NORMAL).build();
  s.fd = 12345;
  expect_prep<op::Madvise>(*ring_, s, 0, "madvise fd ignored");
  expect_prep<op::Madvise>(
      *ring_,
      flagged(op::Madvise(page, sizeof page, MADV_NORMAL).build(), abi::sqe_flag::fixed_file), 0,
      "madvise IOSQE_FIXED_FILE ignored");
  s = op::Madvise(page, sizeof page, MADV_NORMAL).build();
  s.buf_index = 1;
  expect_prep<op::Madvise>(*ring_, s, -EINVAL, "madvise buf_index");
}

// io_init_req refuses a non-zero ioprio (-EINVAL) for every opcode whose opdef entry lacks
// .ioprio: of the file family only the reads and writes have it. Each case names an SQE whose
// op, had the kernel accepted it, would do nothing (missing paths, an empty table).
struct IoprioCase {
  const char* name;
  abi::Sqe sqe;
  int decode_predicts;  // what the builder's decode() (kernel mode) says: 0 or -errno
};

class IoprioRule : public PrepRules {
 protected:
  template <class Builder>
  void add(const char* name, const Builder& builder) {
    abi::Sqe sqe = builder.build();
    sqe.ioprio = 1;
    cases_.push_back({name, sqe, predicted_res<Builder>(sqe)});
  }

  void add_file_family_cases() {
    add("NOP", op::Nop());
    add("OPENAT", op::Openat(dir_.dir(), "missing", O_RDONLY));
    add("OPENAT2", op::Openat2(dir_.dir(), "missing", &how_));
    add("CLOSE", op::Close(op::Fd{-1}));
    add("STATX", op::Statx(dir_.dir(), "missing", 0, STATX_SIZE, &stx_));
    add("RENAMEAT", op::Renameat(dir_.dir(), "missing", dir_.dir(), "other"));
    add("UNLINKAT", op::Unlinkat(dir_.dir(), "missing"));
    add("MKDIRAT", op::Mkdirat(dir_.dir(), "missing/dir", 0755));
    add("SYMLINKAT", op::Symlinkat("t", dir_.dir(), "missing/link"));
    add("LINKAT", op::Linkat(dir_.dir(), "missing", dir_.dir(), "other"));
    add("FSETXATTR", op::Fsetxattr(op::Fd{-1}, "user.x", "v", 1));
    add("SETXATTR", op::Setxattr(missing_.c_str(), "user.x", "v", 1));
    add("FGETXATTR", op::Fgetxattr(op::Fd{-1}, "user.x", value_, sizeof value_));
    add("GETXATTR", op::Getxattr(missing_.c_str(), "user.x", value_, sizeof value_));
    add("SPLICE", op::Splice(op::Fd{-1}, op::Fd{-1}, 1));
    add("TEE", op::Tee(op::Fd{-1}, op::Fd{-1}, 1));
    add("FILES_UPDATE", op::FilesUpdate(update_fds_, 1, 0));
    if (ring_->supports(abi::Opcode::fixed_fd_install))
      add("FIXED_FD_INSTALL", op::FixedFdInstall(op::FixedFile{0}));
    if (ring_->supports(abi::Opcode::pipe)) add("PIPE", op::Pipe(pipe_fds_));
    add("FSYNC", op::Fsync(op::Fd{-1}));
    add("FADVISE", op::Fadvise(op::Fd{-1}, 0, 1, 0));
  }

  std::vector<IoprioCase> cases_;
  open_how how_{};
  struct statx stx_ {};
  char value_[4] = {};
  std::int32_t update_fds_[1] = {-1};
  std::int32_t pipe_fds_[2] = {-1, -1};
  std::string missing_ = dir_.path("missing");
};

TEST_F(IoprioRule, KernelRefusesIoprioOnFileOpsWithoutIt) {
  add_file_family_cases();
  for (const IoprioCase& c : cases_) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(run_one(*ring_, c.sqe).res, -EINVAL);
    EXPECT_EQ(pipe_fds_[0], -1);
    // The same SQE without the ioprio gets past io_init_req: ioprio was the reason.
    abi::Sqe control = c.sqe;
    control.ioprio = 0;
    EXPECT_NE(run_one(*ring_, control).res, -EINVAL);
    for (std::int32_t& fd : pipe_fds_) {  // PIPE's control run made a real pipe
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
  // Reads and writes take an I/O priority: best-effort class, level 4 (IOPRIO_PRIO_VALUE(2, 4)).
  char buf[4];
  abi::Sqe read = op::Read(file_.fd(), buf, sizeof buf, 0).ioprio((2 << 13) | 4).build();
  EXPECT_EQ(run_one(*ring_, read).res, 4);
  EXPECT_EQ(predicted_res<op::Read>(read), 0);
}

// decode() in kernel mode predicts the same -EINVAL for every op of the file family.
TEST_F(IoprioRule, DecodePredictsIoprioEinval) {
  add_file_family_cases();
  for (const IoprioCase& c : cases_) {
    EXPECT_EQ(c.decode_predicts, -EINVAL) << c.name << ": decode(kernel mode) accepts ioprio";
  }
}

}  // namespace
}  // namespace ringkit
