// Properties of the fs family builders, and liburing 2.3 as an oracle for their bytes.
//
// Ops of this family with NO liburing 2.3 helper (no oracle, golden bytes only):
//   PIPE (io_uring_prep_pipe came in liburing 2.10), FIXED_FD_INSTALL
//   (io_uring_prep_fixed_fd_install came in 2.6). Variants without a 2.3 helper:
//   Openat/Openat2 with DestSlot::alloc() (2.3's *_direct always add 1 to the index),
//   Openat2 with a size other than sizeof(struct open_how).
#include <gtest/gtest.h>
#include <liburing.h>
#include <rapidcheck/gtest.h>

#include <cstdint>

#include "ringkit/op/fs.hpp"
#include "support/builder_properties.hpp"

namespace ringkit {
namespace {

using op::DestSlot;
using op::Fd;
using op::FileRef;
using op::FixedFile;

using testing::fake_ptr;

std::uint64_t any_address() { return *rc::gen::arbitrary<std::uint64_t>(); }
Fd any_fd() { return Fd{*rc::gen::arbitrary<std::int32_t>()}; }
std::uint32_t any_u32() { return *rc::gen::arbitrary<std::uint32_t>(); }

FileRef any_file() { return *testing::gen_file(); }

DestSlot any_dest() {
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      return DestSlot::descriptor();
    case 1:
      return DestSlot::slot(any_u32());
    default:
      return DestSlot::alloc();
  }
}

constexpr std::uint32_t o_cloexec = O_CLOEXEC;

// ---- generators, one per builder, covering every variant and setter ----

rc::Gen<op::Openat> gen_openat() {
  return rc::gen::exec([] {
    std::uint32_t flags = any_u32();
    op::Openat b(any_fd(), fake_ptr<const char>(any_address()), flags);
    if (*rc::gen::arbitrary<bool>()) b.mode(any_u32());
    const DestSlot dest = any_dest();
    // A direct open with O_CLOEXEC is -EINVAL: the builder's caller must not ask for it.
    if (dest.direct()) {
      flags &= ~o_cloexec;
      b = op::Openat(b.dir(), b.path(), flags).mode(b.mode());
    }
    b.dest(dest);
    return b;
  });
}

rc::Gen<op::Openat2> gen_openat2() {
  return rc::gen::exec([] {
    op::Openat2 b(any_fd(), fake_ptr<const char>(any_address()),
                  fake_ptr<const open_how>(any_address()));
    if (*rc::gen::arbitrary<bool>()) b.size(*rc::gen::inRange<std::uint32_t>(24, 4096));
    b.dest(any_dest());
    return b;
  });
}

rc::Gen<op::Close> gen_close() {
  return rc::gen::exec([] {
    if (*rc::gen::arbitrary<bool>()) return op::Close::direct(FixedFile{any_u32()});
    return op::Close(any_fd());
  });
}

rc::Gen<op::Statx> gen_statx() {
  return rc::gen::exec([] {
    return op::Statx(any_fd(), fake_ptr<const char>(any_address()), any_u32(), any_u32(),
                     fake_ptr<struct statx>(any_address()));
  });
}

// RENAMEAT and LINKAT: (old dir, old path, new dir, new path), flags.
template <class B>
rc::Gen<B> gen_two_paths() {
  return rc::gen::exec([] {
    B b(any_fd(), fake_ptr<const char>(any_address()), any_fd(),
        fake_ptr<const char>(any_address()));
    if (*rc::gen::arbitrary<bool>()) b.flags(any_u32());
    return b;
  });
}
rc::Gen<op::Renameat> gen_renameat() { return gen_two_paths<op::Renameat>(); }
rc::Gen<op::Linkat> gen_linkat() { return gen_two_paths<op::Linkat>(); }

rc::Gen<op::Unlinkat> gen_unlinkat() {
  return rc::gen::exec([] {
    op::Unlinkat b(any_fd(), fake_ptr<const char>(any_address()));
    switch (*rc::gen::inRange(0, 3)) {
      case 1:
        b.remove_dir();
        break;
      case 2:
        b.flags(static_cast<std::uint32_t>(AT_REMOVEDIR));
        break;
      default:
        break;
    }
    return b;
  });
}

rc::Gen<op::Mkdirat> gen_mkdirat() {
  return rc::gen::exec(
      [] { return op::Mkdirat(any_fd(), fake_ptr<const char>(any_address()), any_u32()); });
}

rc::Gen<op::Symlinkat> gen_symlinkat() {
  return rc::gen::exec([] {
    return op::Symlinkat(fake_ptr<const char>(any_address()), any_fd(),
                         fake_ptr<const char>(any_address()));
  });
}

rc::Gen<op::Fsetxattr> gen_fsetxattr() {
  return rc::gen::exec([] {
    op::Fsetxattr b(any_file(), fake_ptr<const char>(any_address()),
                    fake_ptr<const void>(any_address()), any_u32());
    if (*rc::gen::arbitrary<bool>()) b.flags(*rc::gen::inRange<std::uint32_t>(0, 4));
    return b;
  });
}

rc::Gen<op::Setxattr> gen_setxattr() {
  return rc::gen::exec([] {
    op::Setxattr b(fake_ptr<const char>(any_address()), fake_ptr<const char>(any_address()),
                   fake_ptr<const void>(any_address()), any_u32());
    if (*rc::gen::arbitrary<bool>()) b.flags(*rc::gen::inRange<std::uint32_t>(0, 4));
    return b;
  });
}

rc::Gen<op::Fgetxattr> gen_fgetxattr() {
  return rc::gen::exec([] {
    return op::Fgetxattr(any_file(), fake_ptr<const char>(any_address()),
                         fake_ptr<void>(any_address()), any_u32());
  });
}

rc::Gen<op::Getxattr> gen_getxattr() {
  return rc::gen::exec([] {
    return op::Getxattr(fake_ptr<const char>(any_address()), fake_ptr<const char>(any_address()),
                        fake_ptr<void>(any_address()), any_u32());
  });
}

rc::Gen<op::Splice> gen_splice() {
  return rc::gen::exec([] {
    op::Splice b(any_file(), any_file(), any_u32());
    if (*rc::gen::arbitrary<bool>()) b.off_in(*rc::gen::arbitrary<std::int64_t>());
    if (*rc::gen::arbitrary<bool>()) b.off_out(*rc::gen::arbitrary<std::int64_t>());
    // SPLICE_F_ALL, plus the fixed-input bit, which the setter drops (it comes from `in`).
    if (*rc::gen::arbitrary<bool>()) b.flags(any_u32() & (0x0fu | abi::splice::f_fd_in_fixed));
    return b;
  });
}

rc::Gen<op::Tee> gen_tee() {
  return rc::gen::exec([] {
    op::Tee b(any_file(), any_file(), any_u32());
    if (*rc::gen::arbitrary<bool>()) b.flags(any_u32() & (0x0fu | abi::splice::f_fd_in_fixed));
    return b;
  });
}

rc::Gen<op::Pipe> gen_pipe() {
  return rc::gen::exec([] {
    op::Pipe b(fake_ptr<std::int32_t>(any_address()));
    constexpr auto known = static_cast<std::uint32_t>(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_EXCL);
    if (*rc::gen::arbitrary<bool>()) b.flags(any_u32() & known);
    b.dest(any_dest());
    return b;
  });
}

rc::Gen<op::FixedFdInstall> gen_fixed_fd_install() {
  return rc::gen::exec([] {
    op::FixedFdInstall b(FixedFile{any_u32()});
    if (*rc::gen::arbitrary<bool>()) b.no_cloexec();
    return b;
  });
}

rc::Gen<op::FilesUpdate> gen_files_update() {
  return rc::gen::exec([] {
    auto* fds = fake_ptr<std::int32_t>(any_address());
    const std::uint32_t count = *rc::gen::inRange<std::uint32_t>(1, 1u << 20);
    if (*rc::gen::arbitrary<bool>()) return op::FilesUpdate::alloc(fds, count);
    return op::FilesUpdate(fds, count, any_u32());
  });
}

// ---- round trip, canonical, invariants for every builder ----

#define RINGKIT_FS_PROPS(Name, gen, implied) RINGKIT_BUILDER_PROPS(OpFsProp, Name, gen(), implied)

constexpr std::uint8_t fixed = abi::sqe_flag::fixed_file;

RINGKIT_FS_PROPS(Openat, gen_openat, 0)
RINGKIT_FS_PROPS(Openat2, gen_openat2, 0)
RINGKIT_FS_PROPS(Close, gen_close, 0)
RINGKIT_FS_PROPS(Statx, gen_statx, 0)
RINGKIT_FS_PROPS(Renameat, gen_renameat, 0)
RINGKIT_FS_PROPS(Unlinkat, gen_unlinkat, 0)
RINGKIT_FS_PROPS(Mkdirat, gen_mkdirat, 0)
RINGKIT_FS_PROPS(Symlinkat, gen_symlinkat, 0)
RINGKIT_FS_PROPS(Linkat, gen_linkat, 0)
RINGKIT_FS_PROPS(Fsetxattr, gen_fsetxattr, fixed)
RINGKIT_FS_PROPS(Setxattr, gen_setxattr, 0)
RINGKIT_FS_PROPS(Fgetxattr, gen_fgetxattr, fixed)
RINGKIT_FS_PROPS(Getxattr, gen_getxattr, 0)
RINGKIT_FS_PROPS(Splice, gen_splice, fixed)
RINGKIT_FS_PROPS(Tee, gen_tee, fixed)
RINGKIT_FS_PROPS(Pipe, gen_pipe, 0)
RINGKIT_FS_PROPS(FixedFdInstall, gen_fixed_fd_install, fixed)
RINGKIT_FS_PROPS(FilesUpdate, gen_files_update, 0)

#undef RINGKIT_FS_PROPS

// FIXED_FD_INSTALL always carries IOSQE_FIXED_FILE (the kernel answers -EBADF without it).
RC_GTEST_PROP(OpFsProp, FixedFdInstallAlwaysFixed, ()) {
  RC_ASSERT((*gen_fixed_fd_install()).build().flags == abi::sqe_flag::fixed_file);
}

// ---- liburing 2.3 as the oracle ----

RC_GTEST_PROP(OpFsProp, OpenatMatchesLiburing,
              (std::int32_t dfd, std::uint64_t path, std::int32_t flags, std::uint32_t mode,
               bool direct, std::uint32_t slot)) {
  io_uring_sqe expected{};
  auto b =
      op::Openat(Fd{dfd}, fake_ptr<const char>(path), static_cast<std::uint32_t>(flags)).mode(mode);
  if (direct) {
    flags = static_cast<std::int32_t>(static_cast<std::uint32_t>(flags) & ~o_cloexec);
    b = op::Openat(Fd{dfd}, fake_ptr<const char>(path), static_cast<std::uint32_t>(flags))
            .mode(mode)
            .dest(DestSlot::slot(slot));
    io_uring_prep_openat_direct(&expected, dfd, fake_ptr<const char>(path), flags, mode, slot);
  } else {
    io_uring_prep_openat(&expected, dfd, fake_ptr<const char>(path), flags, mode);
  }
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, Openat2MatchesLiburing,
              (std::int32_t dfd, std::uint64_t path, std::uint64_t how, bool direct,
               std::uint32_t slot)) {
  io_uring_sqe expected{};
  auto b = op::Openat2(Fd{dfd}, fake_ptr<const char>(path), fake_ptr<const open_how>(how));
  if (direct) {
    b.dest(DestSlot::slot(slot));
    io_uring_prep_openat2_direct(&expected, dfd, fake_ptr<const char>(path),
                                 fake_ptr<open_how>(how), slot);
  } else {
    io_uring_prep_openat2(&expected, dfd, fake_ptr<const char>(path), fake_ptr<open_how>(how));
  }
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, CloseMatchesLiburing, (std::int32_t fd, bool direct, std::uint32_t slot)) {
  io_uring_sqe expected{};
  abi::Sqe actual;
  if (direct) {
    io_uring_prep_close_direct(&expected, slot);
    actual = op::Close::direct(FixedFile{slot}).build();
  } else {
    io_uring_prep_close(&expected, fd);
    actual = op::Close(Fd{fd}).build();
  }
  testing::check_same_bytes(actual, expected);
}

RC_GTEST_PROP(OpFsProp, StatxMatchesLiburing,
              (std::int32_t dfd, std::uint64_t path, std::int32_t flags, std::uint32_t mask,
               std::uint64_t buf)) {
  io_uring_sqe expected{};
  io_uring_prep_statx(&expected, dfd, fake_ptr<const char>(path), flags, mask,
                      fake_ptr<struct statx>(buf));
  const auto b = op::Statx(Fd{dfd}, fake_ptr<const char>(path), static_cast<std::uint32_t>(flags),
                           mask, fake_ptr<struct statx>(buf));
  testing::check_same_bytes(b.build(), expected);
}

// RENAMEAT and LINKAT: (old dir, old path, new dir, new path), flags, against `prep`.
template <class B, class Prep, class Flags>
void check_two_paths(Prep prep, std::int32_t olddfd, std::uint64_t oldp, std::int32_t newdfd,
                     std::uint64_t newp, Flags flags) {
  io_uring_sqe expected{};
  prep(&expected, olddfd, fake_ptr<const char>(oldp), newdfd, fake_ptr<const char>(newp), flags);
  const auto b = B(Fd{olddfd}, fake_ptr<const char>(oldp), Fd{newdfd}, fake_ptr<const char>(newp))
                     .flags(static_cast<std::uint32_t>(flags));
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, RenameatMatchesLiburing,
              (std::int32_t olddfd, std::uint64_t oldp, std::int32_t newdfd, std::uint64_t newp,
               std::uint32_t flags)) {
  check_two_paths<op::Renameat>(io_uring_prep_renameat, olddfd, oldp, newdfd, newp, flags);
}

RC_GTEST_PROP(OpFsProp, UnlinkatMatchesLiburing,
              (std::int32_t dfd, std::uint64_t path, bool removedir)) {
  const int flags = removedir ? AT_REMOVEDIR : 0;
  io_uring_sqe expected{};
  io_uring_prep_unlinkat(&expected, dfd, fake_ptr<const char>(path), flags);
  const auto b =
      op::Unlinkat(Fd{dfd}, fake_ptr<const char>(path)).flags(static_cast<std::uint32_t>(flags));
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, MkdiratMatchesLiburing,
              (std::int32_t dfd, std::uint64_t path, std::uint32_t mode)) {
  io_uring_sqe expected{};
  io_uring_prep_mkdirat(&expected, dfd, fake_ptr<const char>(path), mode);
  const auto b = op::Mkdirat(Fd{dfd}, fake_ptr<const char>(path), mode);
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, SymlinkatMatchesLiburing,
              (std::uint64_t target, std::int32_t newdfd, std::uint64_t linkpath)) {
  io_uring_sqe expected{};
  io_uring_prep_symlinkat(&expected, fake_ptr<const char>(target), newdfd,
                          fake_ptr<const char>(linkpath));
  const auto b =
      op::Symlinkat(fake_ptr<const char>(target), Fd{newdfd}, fake_ptr<const char>(linkpath));
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, LinkatMatchesLiburing,
              (std::int32_t olddfd, std::uint64_t oldp, std::int32_t newdfd, std::uint64_t newp,
               std::int32_t flags)) {
  check_two_paths<op::Linkat>(io_uring_prep_linkat, olddfd, oldp, newdfd, newp, flags);
}

RC_GTEST_PROP(OpFsProp, FsetxattrMatchesLiburing,
              (std::int32_t fd, bool fixed_file, std::uint64_t name, std::uint64_t value,
               std::uint32_t len)) {
  const int flags = *rc::gen::inRange(0, 4);
  io_uring_sqe expected{};
  io_uring_prep_fsetxattr(&expected, fd, fake_ptr<const char>(name), fake_ptr<const char>(value),
                          flags, len);
  if (fixed_file) io_uring_sqe_set_flags(&expected, IOSQE_FIXED_FILE);
  const FileRef file =
      fixed_file ? FileRef(FixedFile{static_cast<std::uint32_t>(fd)}) : FileRef(Fd{fd});
  const auto b = op::Fsetxattr(file, fake_ptr<const char>(name), fake_ptr<const void>(value), len)
                     .flags(static_cast<std::uint32_t>(flags));
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, SetxattrMatchesLiburing,
              (std::uint64_t path, std::uint64_t name, std::uint64_t value, std::uint32_t len)) {
  const int flags = *rc::gen::inRange(0, 4);
  io_uring_sqe expected{};
  io_uring_prep_setxattr(&expected, fake_ptr<const char>(name), fake_ptr<const char>(value),
                         fake_ptr<const char>(path), flags, len);
  const auto b = op::Setxattr(fake_ptr<const char>(path), fake_ptr<const char>(name),
                              fake_ptr<const void>(value), len)
                     .flags(static_cast<std::uint32_t>(flags));
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, FgetxattrMatchesLiburing,
              (std::int32_t fd, bool fixed_file, std::uint64_t name, std::uint64_t value,
               std::uint32_t len)) {
  io_uring_sqe expected{};
  io_uring_prep_fgetxattr(&expected, fd, fake_ptr<const char>(name), fake_ptr<char>(value), len);
  if (fixed_file) io_uring_sqe_set_flags(&expected, IOSQE_FIXED_FILE);
  const FileRef file =
      fixed_file ? FileRef(FixedFile{static_cast<std::uint32_t>(fd)}) : FileRef(Fd{fd});
  const auto b = op::Fgetxattr(file, fake_ptr<const char>(name), fake_ptr<void>(value), len);
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, GetxattrMatchesLiburing,
              (std::uint64_t path, std::uint64_t name, std::uint64_t value, std::uint32_t len)) {
  io_uring_sqe expected{};
  io_uring_prep_getxattr(&expected, fake_ptr<const char>(name), fake_ptr<char>(value),
                         fake_ptr<const char>(path), len);
  const auto b = op::Getxattr(fake_ptr<const char>(path), fake_ptr<const char>(name),
                              fake_ptr<void>(value), len);
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, SpliceMatchesLiburing,
              (std::int32_t fd_in, bool in_fixed, std::int64_t off_in, std::int32_t fd_out,
               bool out_fixed, std::int64_t off_out, std::uint32_t nbytes)) {
  const std::uint32_t flags = *rc::gen::inRange<std::uint32_t>(0, 16);
  io_uring_sqe expected{};
  io_uring_prep_splice(&expected, fd_in, off_in, fd_out, off_out, nbytes,
                       flags | (in_fixed ? SPLICE_F_FD_IN_FIXED : 0u));
  if (out_fixed) io_uring_sqe_set_flags(&expected, IOSQE_FIXED_FILE);
  const FileRef in =
      in_fixed ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_in)}) : FileRef(Fd{fd_in});
  const FileRef out =
      out_fixed ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_out)}) : FileRef(Fd{fd_out});
  const auto b = op::Splice(in, out, nbytes).off_in(off_in).off_out(off_out).flags(flags);
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, TeeMatchesLiburing,
              (std::int32_t fd_in, bool in_fixed, std::int32_t fd_out, bool out_fixed,
               std::uint32_t nbytes)) {
  const std::uint32_t flags = *rc::gen::inRange<std::uint32_t>(0, 16);
  io_uring_sqe expected{};
  io_uring_prep_tee(&expected, fd_in, fd_out, nbytes,
                    flags | (in_fixed ? SPLICE_F_FD_IN_FIXED : 0u));
  if (out_fixed) io_uring_sqe_set_flags(&expected, IOSQE_FIXED_FILE);
  const FileRef in =
      in_fixed ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_in)}) : FileRef(Fd{fd_in});
  const FileRef out =
      out_fixed ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_out)}) : FileRef(Fd{fd_out});
  const auto b = op::Tee(in, out, nbytes).flags(flags);
  testing::check_same_bytes(b.build(), expected);
}

RC_GTEST_PROP(OpFsProp, FilesUpdateMatchesLiburing,
              (std::uint64_t fds, std::uint32_t nr, std::int32_t offset, bool alloc)) {
  io_uring_sqe expected{};
  if (alloc) {
    io_uring_prep_files_update(&expected, fake_ptr<int>(fds), nr,
                               static_cast<int>(IORING_FILE_INDEX_ALLOC));
    testing::check_same_bytes(op::FilesUpdate::alloc(fake_ptr<std::int32_t>(fds), nr).build(),
                              expected);
  } else {
    io_uring_prep_files_update(&expected, fake_ptr<int>(fds), nr, offset);
    const auto b =
        op::FilesUpdate(fake_ptr<std::int32_t>(fds), nr, static_cast<std::uint32_t>(offset));
    testing::check_same_bytes(b.build(), expected);
  }
}

}  // namespace
}  // namespace ringkit
