// Differential check of the file-family builders' decode() against the real kernel, field by
// field. For a working SQE from a builder, each op-specific field (and IOSQE_FIXED_FILE /
// IOSQE_BUFFER_SELECT) is changed alone, and kernel-mode decode() judges the change:
//   - it refuses it with E: the kernel must answer -E;
//   - it accepts it and decodes to the same builder as the unchanged SQE (the builder says the
//     kernel never reads what changed): the kernel must give the unchanged SQE's result;
//   - it decodes to a different builder: the op uses the field, nothing to compare.
// The values set have their low byte clear where a field has a used low part (write_stream), so
// that such fields are probed in the part the builder calls ignored.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "files_test_support.hpp"

namespace ringkit {
namespace {

using testing::FilesTest;
using testing::make_file;
using testing::run_one;

// One way to change one field.
struct Mutation {
  const char* name;
  void (*apply)(abi::Sqe&);
};

constexpr std::uint64_t bit40 = std::uint64_t{1} << 40;

const std::array<Mutation, 19> mutations = {{
    {"ioprio=1", [](abi::Sqe& s) { s.ioprio ^= 1; }},
    {"ioprio=0x100", [](abi::Sqe& s) { s.ioprio ^= 0x100; }},
    {"fd^1", [](abi::Sqe& s) { s.fd ^= 1; }},
    {"fd^0x100", [](abi::Sqe& s) { s.fd ^= 0x100; }},
    {"off^1", [](abi::Sqe& s) { s.off ^= 1; }},
    {"off^bit40", [](abi::Sqe& s) { s.off ^= bit40; }},
    {"addr^1", [](abi::Sqe& s) { s.addr ^= 1; }},
    {"addr^bit40", [](abi::Sqe& s) { s.addr ^= bit40; }},
    {"len^1", [](abi::Sqe& s) { s.len ^= 1; }},
    {"len^0x100", [](abi::Sqe& s) { s.len ^= 0x100; }},
    {"op_flags^0x100", [](abi::Sqe& s) { s.op_flags ^= 0x100; }},
    {"buf_index^1", [](abi::Sqe& s) { s.buf_index ^= 1; }},
    {"buf_index^0x100", [](abi::Sqe& s) { s.buf_index ^= 0x100; }},
    {"splice_fd_in^0x100", [](abi::Sqe& s) { s.splice_fd_in ^= 0x100; }},
    {"addr3^bit40", [](abi::Sqe& s) { s.addr3 ^= bit40; }},
    {"pad2^bit40", [](abi::Sqe& s) { s.pad2 ^= bit40; }},
    {"pad2^1", [](abi::Sqe& s) { s.pad2 ^= 1; }},
    {"+FIXED_FILE", [](abi::Sqe& s) { s.flags |= abi::sqe_flag::fixed_file; }},
    {"+BUFFER_SELECT", [](abi::Sqe& s) { s.flags |= abi::sqe_flag::buffer_select; }},
}};

class DecodeVsKernel : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file_ = make_file(dir_.path("f"), "0123456789");
    ASSERT_GE(file_.get(), 0);
    ASSERT_TRUE(pipe_.ok() && tee_out_.ok());
    // Slot 0 holds the file (FIXED_FD_INSTALL's source), slots 1..3 are free.
    const int table[4] = {file_.get(), -1, -1, -1};
    ASSERT_TRUE(ring_->register_files(table));
    const iovec reg{registered_.data(), registered_.size()};
    ASSERT_TRUE(ring_->register_buffers({&reg, 1}));
  }

  // The result compared for equality: descriptors differ between runs, so ">= 0" is one class.
  static std::int32_t result_class(std::int32_t res, bool returns_fd) {
    return returns_fd && res >= 0 ? 0 : res;
  }

  // Runs `make()` unchanged, then with each mutation, and checks the kernel against decode().
  // `cleanup` undoes what `make()` and a run did (closes returned descriptors, drains pipes); for
  // an SQE not run it gets a CQE with res -ECANCELED.
  template <class Builder>
  void sweep(const char* op_name, const std::function<abi::Sqe()>& make,
             const std::function<void(const abi::Cqe&)>& cleanup = {}, bool returns_fd = false) {
    const auto run = [&](const abi::Sqe& sqe) {
      const abi::Cqe cqe = run_one(*ring_, sqe);
      if (cleanup) cleanup(cqe);
      return cqe.res;
    };
    const abi::Sqe base = make();
    const auto base_decoded = Builder::decode(base, op::DecodeMode::strict);
    ASSERT_TRUE(base_decoded) << op_name << ": baseline";
    const std::int32_t baseline = result_class(run(base), returns_fd);
    int compared = 0;  // mutations whose kernel result was checked
    for (const Mutation& m : mutations) {
      abi::Sqe sqe = make();
      m.apply(sqe);
      const auto decoded = Builder::decode(sqe, op::DecodeMode::kernel);
      if (decoded && !(*decoded == *base_decoded)) {  // a used field changed: not run
        if (cleanup) cleanup(abi::Cqe{0, -ECANCELED, 0});
        continue;
      }
      const std::int32_t res = result_class(run(sqe), returns_fd);
      ++compared;
      if (decoded) {
        EXPECT_EQ(res, baseline) << op_name << " " << m.name
                                 << ": decode says the kernel ignores it";
      } else {
        EXPECT_EQ(res, -decoded.error().value())
            << op_name << " " << m.name << ": decode predicts -" << decoded.error().value();
      }
    }
    // Every op refuses or ignores some field: a sweep that compared nothing tested nothing.
    EXPECT_GT(compared, 0) << op_name;
  }

  // Closes the descriptor a successful run returned.
  static void close_returned_fd(const abi::Cqe& cqe) {
    if (cqe.res >= 0) close(cqe.res);
  }

  testing::OwnedFd file_;
  testing::Pipe pipe_;
  testing::Pipe tee_out_;
  alignas(4096) std::array<char, 4096> registered_{};
  char buf_[16] = {};
};

TEST_F(DecodeVsKernel, ReadWriteOps) {
  sweep<op::Read>("READ", [&] { return op::Read(file_.fd(), buf_, 4, 0).build(); });
  sweep<op::Write>("WRITE", [&] { return op::Write(file_.fd(), "abcd", 4, 0).build(); });
  const iovec in[1] = {{buf_, 4}};
  const iovec out[1] = {{const_cast<char*>("wxyz"), 4}};
  sweep<op::Readv>("READV", [&] { return op::Readv(file_.fd(), in, 1, 0).build(); });
  sweep<op::Writev>("WRITEV", [&] { return op::Writev(file_.fd(), out, 1, 0).build(); });
  sweep<op::ReadFixed>("READ_FIXED", [&] {
    return op::ReadFixed(file_.fd(), registered_.data(), 4, 0, op::BufIndex{0}).build();
  });
  sweep<op::WriteFixed>("WRITE_FIXED", [&] {
    return op::WriteFixed(file_.fd(), registered_.data(), 4, 0, op::BufIndex{0}).build();
  });
  const iovec fixed[1] = {{registered_.data(), 4}};
  if (ring_->supports(abi::Opcode::readv_fixed)) {
    sweep<op::ReadvFixed>("READV_FIXED", [&] {
      return op::ReadvFixed(file_.fd(), fixed, 1, 0, op::BufIndex{0}).build();
    });
  }
  if (ring_->supports(abi::Opcode::writev_fixed)) {
    sweep<op::WritevFixed>("WRITEV_FIXED", [&] {
      return op::WritevFixed(file_.fd(), fixed, 1, 0, op::BufIndex{0}).build();
    });
  }
}

TEST_F(DecodeVsKernel, SyncAndSpaceOps) {
  sweep<op::Fsync>("FSYNC", [&] { return op::Fsync(file_.fd()).build(); });
  sweep<op::SyncFileRange>("SYNC_FILE_RANGE",
                           [&] { return op::SyncFileRange(file_.fd(), 0, 4).build(); });
  sweep<op::Fallocate>("FALLOCATE", [&] { return op::Fallocate(file_.fd(), 0, 16).build(); });
  sweep<op::Fadvise>("FADVISE",
                     [&] { return op::Fadvise(file_.fd(), 0, 4, POSIX_FADV_NORMAL).build(); });
  alignas(4096) static char page[4096];
  sweep<op::Madvise>("MADVISE", [&] { return op::Madvise(page, 4096, MADV_NORMAL).build(); });
  if (ring_->supports(abi::Opcode::ftruncate))
    sweep<op::Ftruncate>("FTRUNCATE", [&] { return op::Ftruncate(file_.fd(), 10).build(); });
  sweep<op::Nop>("NOP", [] { return op::Nop().build(); });
}

TEST_F(DecodeVsKernel, OpenCloseOps) {
  sweep<op::Openat>(
      "OPENAT", [&] { return op::Openat(dir_.dir(), "f", O_RDONLY | O_CLOEXEC).build(); },
      close_returned_fd, true);
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  sweep<op::Openat2>(
      "OPENAT2", [&] { return op::Openat2(dir_.dir(), "f", &how).build(); }, close_returned_fd,
      true);
  int victim = -1;
  sweep<op::Close>(
      "CLOSE",
      [&] {
        victim = dup(file_.get());
        return op::Close(op::Fd{victim}).build();
      },
      [&](const abi::Cqe& cqe) {
        if (cqe.res < 0) close(victim);  // the ring did not close it
      });
  std::int32_t update[1] = {-1};
  sweep<op::FilesUpdate>("FILES_UPDATE", [&] {
    update[0] = file_.get();
    return op::FilesUpdate(update, 1, 2).build();
  });
  if (ring_->supports(abi::Opcode::fixed_fd_install)) {
    sweep<op::FixedFdInstall>(
        "FIXED_FD_INSTALL", [] { return op::FixedFdInstall(op::FixedFile{0}).build(); },
        close_returned_fd, true);
  }
  if (ring_->supports(abi::Opcode::pipe)) {
    std::int32_t fds[2] = {-1, -1};
    sweep<op::Pipe>(
        "PIPE",
        [&] {
          fds[0] = fds[1] = -1;
          return op::Pipe(fds).build();
        },
        [&](const abi::Cqe&) {
          for (const std::int32_t fd : fds) {
            if (fd >= 0) close(fd);
          }
        });
  }
}

TEST_F(DecodeVsKernel, PathOps) {
  struct statx stx {};
  sweep<op::Statx>("STATX",
                   [&] { return op::Statx(dir_.dir(), "f", 0, STATX_SIZE, &stx).build(); });
  const int dirfd = dir_.dir().value;
  sweep<op::Renameat>("RENAMEAT", [&] {
    (void)make_file(dir_.path("a"), "a");
    return op::Renameat(dir_.dir(), "a", dir_.dir(), "b").build();
  });
  sweep<op::Unlinkat>("UNLINKAT", [&] {
    (void)make_file(dir_.path("u"), "");
    return op::Unlinkat(dir_.dir(), "u").build();
  });
  sweep<op::Mkdirat>("MKDIRAT", [&] {
    unlinkat(dirfd, "d", AT_REMOVEDIR);
    return op::Mkdirat(dir_.dir(), "d", 0755).build();
  });
  sweep<op::Symlinkat>("SYMLINKAT", [&] {
    unlinkat(dirfd, "l", 0);
    return op::Symlinkat("f", dir_.dir(), "l").build();
  });
  sweep<op::Linkat>("LINKAT", [&] {
    unlinkat(dirfd, "h", 0);
    return op::Linkat(dir_.dir(), "f", dir_.dir(), "h").build();
  });
}

TEST_F(DecodeVsKernel, XattrAndSpliceOps) {
  const std::string path = dir_.path("f");
  sweep<op::Fsetxattr>("FSETXATTR",
                       [&] { return op::Fsetxattr(file_.fd(), "user.d", "v", 1).build(); });
  sweep<op::Setxattr>("SETXATTR",
                      [&] { return op::Setxattr(path.c_str(), "user.d", "w", 1).build(); });
  sweep<op::Fgetxattr>(
      "FGETXATTR", [&] { return op::Fgetxattr(file_.fd(), "user.d", buf_, sizeof buf_).build(); });
  sweep<op::Getxattr>(
      "GETXATTR", [&] { return op::Getxattr(path.c_str(), "user.d", buf_, sizeof buf_).build(); });

  const auto drain = [&](const abi::Cqe&) {
    (void)pipe_.drain();
    (void)tee_out_.drain();
  };
  sweep<op::Splice>(
      "SPLICE",
      [&] {
        EXPECT_EQ(write(pipe_.write_end, "spl", 3), 3);
        return op::Splice(op::Fd{pipe_.read_end}, file_.fd(), 3).off_out(0).build();
      },
      drain);
  sweep<op::Tee>(
      "TEE",
      [&] {
        EXPECT_EQ(write(pipe_.write_end, "tee", 3), 3);
        return op::Tee(op::Fd{pipe_.read_end}, op::Fd{tee_out_.write_end}, 3).build();
      },
      drain);
}

}  // namespace
}  // namespace ringkit
