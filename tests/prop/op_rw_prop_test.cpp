// Properties of the read/write family's builders, and liburing 2.3 as the oracle for bytes.
//
// Ops of this family with NO liburing 2.3 helper (so no oracle property): READV_FIXED,
// WRITEV_FIXED (6.15), READ_MULTISHOT (6.7; io_uring_prep_read_multishot is liburing 2.5) and
// FTRUNCATE (6.9; io_uring_prep_ftruncate is liburing 2.6). Forms liburing 2.3 cannot express are
// left out of the oracles too: write_stream, PI attributes, Fsync ranges, and 64-bit FADVISE /
// MADVISE lengths (liburing 2.3 truncates them to 32 bits).
#include <gtest/gtest.h>
#include <liburing.h>
#include <rapidcheck/gtest.h>

#include <cstdint>

#include "ringkit/op/rw.hpp"
#include "support/builder_properties.hpp"

namespace ringkit {
namespace {

using op::BufGroup;
using op::BufIndex;
using op::Fadvise;
using op::Fallocate;
using op::Fd;
using op::FileRef;
using op::FixedFile;
using op::Fsync;
using op::Ftruncate;
using op::Madvise;
using op::Read;
using op::ReadFixed;
using op::ReadMultishot;
using op::Readv;
using op::ReadvFixed;
using op::SyncFileRange;
using op::Write;
using op::WriteFixed;
using op::Writev;
using op::WritevFixed;

constexpr std::uint8_t fixed = abi::sqe_flag::fixed_file;
constexpr std::uint8_t select = abi::sqe_flag::buffer_select;

using testing::fake_ptr;
const iovec* iov(std::uint64_t address) { return fake_ptr<const iovec>(address); }

const abi::AttrPi pi_attr{};

using testing::gen_file;

// The optional fields every read/write builder shares.
struct RwExtras {
  std::uint16_t ioprio = 0;
  std::uint32_t rw_flags = 0;
  bool pi = false;
  std::uint8_t stream = 0;
};

rc::Gen<RwExtras> gen_extras() {
  return rc::gen::apply(
      [](std::uint16_t prio, std::uint32_t flags, bool pi, std::uint8_t stream) {
        return RwExtras{prio, flags, pi, stream};
      },
      rc::gen::arbitrary<std::uint16_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint8_t>());
}

template <class B>
B with_extras(B b, const RwExtras& x) {
  if constexpr (requires { b.ioprio(std::uint16_t{}); }) b.ioprio(x.ioprio);
  b.rw_flags(x.rw_flags);
  if (x.pi) b.pi(pi_attr);
  if constexpr (requires { b.write_stream(std::uint8_t{}); }) b.write_stream(x.stream);
  return b;
}

// ---- generators, one per builder, covering every variant and setter ----

rc::Gen<Read> gen_read() {
  return rc::gen::apply(
      [](FileRef f, bool sel, std::uint64_t addr, std::uint32_t len, std::uint64_t off,
         std::uint16_t group, RwExtras x) {
        return with_extras(sel ? Read::select_buffer(f, BufGroup{group}, len, off)
                               : Read(f, fake_ptr(addr), len, off),
                           x);
      },
      gen_file(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint16_t>(), gen_extras());
}

rc::Gen<Write> gen_write() {
  return rc::gen::apply(
      [](FileRef f, std::uint64_t addr, std::uint32_t len, std::uint64_t off, RwExtras x) {
        return with_extras(Write(f, fake_ptr(addr), len, off), x);
      },
      gen_file(), rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<std::uint64_t>(), gen_extras());
}

rc::Gen<Readv> gen_readv() {
  return rc::gen::apply(
      [](FileRef f, bool sel, std::uint64_t addr, std::uint32_t n, std::uint64_t off,
         std::uint16_t group, RwExtras x) {
        return with_extras(sel ? Readv::select_buffer(f, iov(addr), BufGroup{group}, off)
                               : Readv(f, iov(addr), n, off),
                           x);
      },
      gen_file(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::arbitrary<std::uint16_t>(), gen_extras());
}

rc::Gen<Writev> gen_writev() {
  return rc::gen::apply([](FileRef f, std::uint64_t addr, std::uint32_t n, std::uint64_t off,
                           RwExtras x) { return with_extras(Writev(f, iov(addr), n, off), x); },
                        gen_file(), rc::gen::arbitrary<std::uint64_t>(),
                        rc::gen::arbitrary<std::uint32_t>(), rc::gen::arbitrary<std::uint64_t>(),
                        gen_extras());
}

// READ_FIXED, WRITE_FIXED, READV_FIXED, WRITEV_FIXED: (file, pointer, count, offset, index).
template <class B, class P>
rc::Gen<B> gen_fixed() {
  return rc::gen::apply(
      [](FileRef f, std::uint64_t addr, std::uint32_t n, std::uint64_t off, std::uint16_t index,
         RwExtras x) {
        return with_extras(B(f, static_cast<P>(fake_ptr(addr)), n, off, BufIndex{index}), x);
      },
      gen_file(), rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint16_t>(), gen_extras());
}
rc::Gen<ReadFixed> gen_read_fixed() { return gen_fixed<ReadFixed, void*>(); }
rc::Gen<WriteFixed> gen_write_fixed() { return gen_fixed<WriteFixed, const void*>(); }
rc::Gen<ReadvFixed> gen_readv_fixed() { return gen_fixed<ReadvFixed, const iovec*>(); }
rc::Gen<WritevFixed> gen_writev_fixed() { return gen_fixed<WritevFixed, const iovec*>(); }

rc::Gen<ReadMultishot> gen_read_multishot() {
  return rc::gen::apply(
      [](FileRef f, std::uint16_t group, std::uint64_t off, RwExtras x) {
        return with_extras(ReadMultishot(f, BufGroup{group}, off), x);
      },
      gen_file(), rc::gen::arbitrary<std::uint16_t>(), rc::gen::arbitrary<std::uint64_t>(),
      gen_extras());
}

rc::Gen<Fsync> gen_fsync() {
  return rc::gen::apply(
      [](FileRef f, bool datasync, bool ranged, std::uint64_t off, std::uint32_t len) {
        Fsync s(f);
        if (datasync) s.datasync();
        if (ranged) s.range(off, len);
        return s;
      },
      gen_file(), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>());
}

rc::Gen<SyncFileRange> gen_sync_file_range() {
  return rc::gen::apply(
      [](FileRef f, std::uint64_t off, std::uint32_t len, std::uint32_t flags) {
        return SyncFileRange(f, off, len).sync_flags(flags);
      },
      gen_file(), rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::arbitrary<std::uint32_t>());
}

rc::Gen<Fallocate> gen_fallocate() {
  return rc::gen::apply([](FileRef f, std::uint64_t off, std::uint64_t len,
                           std::uint32_t mode) { return Fallocate(f, off, len).mode(mode); },
                        gen_file(), rc::gen::arbitrary<std::uint64_t>(),
                        rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint32_t>());
}

// Lengths of both encodings: 32-bit ones (len) and longer ones (addr / off).
rc::Gen<std::uint64_t> gen_advise_length() {
  return rc::gen::oneOf(rc::gen::cast<std::uint64_t>(rc::gen::arbitrary<std::uint32_t>()),
                        rc::gen::arbitrary<std::uint64_t>());
}

rc::Gen<Fadvise> gen_fadvise() {
  return rc::gen::apply([](FileRef f, std::uint64_t off, std::uint64_t len,
                           std::uint32_t advice) { return Fadvise(f, off, len, advice); },
                        gen_file(), rc::gen::arbitrary<std::uint64_t>(), gen_advise_length(),
                        rc::gen::arbitrary<std::uint32_t>());
}

rc::Gen<Madvise> gen_madvise() {
  return rc::gen::apply([](std::uint64_t addr, std::uint64_t len,
                           std::uint32_t advice) { return Madvise(fake_ptr(addr), len, advice); },
                        rc::gen::arbitrary<std::uint64_t>(), gen_advise_length(),
                        rc::gen::arbitrary<std::uint32_t>());
}

rc::Gen<Ftruncate> gen_ftruncate() {
  return rc::gen::apply([](FileRef f, std::uint64_t len) { return Ftruncate(f, len); }, gen_file(),
                        rc::gen::arbitrary<std::uint64_t>());
}

// ---- round trip, canonical, invariants for every builder ----

#define RINGKIT_RW_PROPS(Name, gen, implied) RINGKIT_BUILDER_PROPS(OpRwProp, Name, gen(), implied)

RINGKIT_RW_PROPS(Read, gen_read, fixed | select)
RINGKIT_RW_PROPS(Write, gen_write, fixed)
RINGKIT_RW_PROPS(Readv, gen_readv, fixed | select)
RINGKIT_RW_PROPS(Writev, gen_writev, fixed)
RINGKIT_RW_PROPS(ReadFixed, gen_read_fixed, fixed)
RINGKIT_RW_PROPS(WriteFixed, gen_write_fixed, fixed)
RINGKIT_RW_PROPS(ReadvFixed, gen_readv_fixed, fixed)
RINGKIT_RW_PROPS(WritevFixed, gen_writev_fixed, fixed)
RINGKIT_RW_PROPS(ReadMultishot, gen_read_multishot, fixed | select)
RINGKIT_RW_PROPS(Fsync, gen_fsync, fixed)
RINGKIT_RW_PROPS(SyncFileRange, gen_sync_file_range, fixed)
RINGKIT_RW_PROPS(Fallocate, gen_fallocate, fixed)
RINGKIT_RW_PROPS(Fadvise, gen_fadvise, fixed)
RINGKIT_RW_PROPS(Madvise, gen_madvise, 0)
RINGKIT_RW_PROPS(Ftruncate, gen_ftruncate, fixed)

#undef RINGKIT_RW_PROPS

// ---- liburing 2.3 as the oracle ----

// What liburing's `prep(sqe, fd, args...)` writes for `f`: liburing takes the raw fd; a fixed
// file is the same number plus IOSQE_FIXED_FILE.
template <class... Params, class... Args>
io_uring_sqe liburing_sqe(void (*prep)(io_uring_sqe*, int, Params...), const FileRef& f,
                          Args... args) {
  io_uring_sqe sqe{};
  prep(&sqe, f.raw(), args...);
  if (f.fixed()) sqe.flags |= IOSQE_FIXED_FILE;
  return sqe;
}

// READ, WRITE and their _FIXED forms (`index...`: the registered buffer) against liburing.
template <class B, class Prep, class... Index>
void check_one_buffer(Prep prep, std::uint64_t addr, std::uint32_t len, std::uint64_t off,
                      Index... index) {
  const FileRef f = *gen_file();
  testing::check_same_bytes(B(f, fake_ptr(addr), len, off, BufIndex{index}...).build(),
                            liburing_sqe(prep, f, fake_ptr(addr), len, off, index...));
}

// READV and WRITEV against liburing's prep_readv / writev, and with RWF_* flags readv2 / writev2.
template <class B, class Prep, class Prep2>
void check_vectored(Prep prep, Prep2 prep2, std::uint64_t addr, std::uint32_t n, std::uint64_t off,
                    std::int32_t flags) {
  const FileRef f = *gen_file();
  testing::check_same_bytes(B(f, iov(addr), n, off).build(),
                            liburing_sqe(prep, f, iov(addr), n, off));
  testing::check_same_bytes(
      B(f, iov(addr), n, off).rw_flags(static_cast<std::uint32_t>(flags)).build(),
      liburing_sqe(prep2, f, iov(addr), n, off, flags));
}

RC_GTEST_PROP(OpRwProp, ReadMatchesLiburing,
              (std::uint64_t addr, std::uint32_t len, std::uint64_t off)) {
  check_one_buffer<Read>(io_uring_prep_read, addr, len, off);
}

RC_GTEST_PROP(OpRwProp, WriteMatchesLiburing,
              (std::uint64_t addr, std::uint32_t len, std::uint64_t off)) {
  check_one_buffer<Write>(io_uring_prep_write, addr, len, off);
}

RC_GTEST_PROP(OpRwProp, ReadvMatchesLiburing,
              (std::uint64_t addr, std::uint32_t n, std::uint64_t off, std::int32_t flags)) {
  check_vectored<Readv>(io_uring_prep_readv, io_uring_prep_readv2, addr, n, off, flags);
}

RC_GTEST_PROP(OpRwProp, WritevMatchesLiburing,
              (std::uint64_t addr, std::uint32_t n, std::uint64_t off, std::int32_t flags)) {
  check_vectored<Writev>(io_uring_prep_writev, io_uring_prep_writev2, addr, n, off, flags);
}

RC_GTEST_PROP(OpRwProp, ReadFixedMatchesLiburing,
              (std::uint64_t addr, std::uint32_t len, std::uint64_t off, std::uint16_t index)) {
  check_one_buffer<ReadFixed>(io_uring_prep_read_fixed, addr, len, off, index);
}

RC_GTEST_PROP(OpRwProp, WriteFixedMatchesLiburing,
              (std::uint64_t addr, std::uint32_t len, std::uint64_t off, std::uint16_t index)) {
  check_one_buffer<WriteFixed>(io_uring_prep_write_fixed, addr, len, off, index);
}

RC_GTEST_PROP(OpRwProp, FsyncMatchesLiburing, (bool datasync)) {
  const FileRef f = *gen_file();
  Fsync s(f);
  if (datasync) s.datasync();
  testing::check_same_bytes(
      s.build(), liburing_sqe(io_uring_prep_fsync, f, datasync ? IORING_FSYNC_DATASYNC : 0u));
}

RC_GTEST_PROP(OpRwProp, SyncFileRangeMatchesLiburing,
              (std::uint32_t len, std::uint64_t off, std::int32_t flags)) {
  const FileRef f = *gen_file();
  // liburing 2.3 takes (fd, len, offset, flags): len before offset.
  testing::check_same_bytes(
      SyncFileRange(f, off, len).sync_flags(static_cast<std::uint32_t>(flags)).build(),
      liburing_sqe(io_uring_prep_sync_file_range, f, len, off, flags));
}

RC_GTEST_PROP(OpRwProp, FallocateMatchesLiburing,
              (std::int32_t mode, std::int64_t off, std::int64_t len)) {
  const FileRef f = *gen_file();
  testing::check_same_bytes(
      Fallocate(f, static_cast<std::uint64_t>(off), static_cast<std::uint64_t>(len))
          .mode(static_cast<std::uint32_t>(mode))
          .build(),
      liburing_sqe(io_uring_prep_fallocate, f, mode, off, len));
}

RC_GTEST_PROP(OpRwProp, FadviseMatchesLiburing,
              (std::uint64_t off, std::uint32_t len, std::int32_t advice)) {
  const FileRef f = *gen_file();
  testing::check_same_bytes(
      Fadvise(f, off, len, static_cast<std::uint32_t>(advice)).build(),
      liburing_sqe(io_uring_prep_fadvise, f, off, static_cast<off_t>(len), advice));
}

RC_GTEST_PROP(OpRwProp, MadviseMatchesLiburing,
              (std::uint64_t addr, std::uint32_t len, std::int32_t advice)) {
  io_uring_sqe expected{};
  io_uring_prep_madvise(&expected, fake_ptr(addr), static_cast<off_t>(len), advice);
  testing::check_same_bytes(
      Madvise(fake_ptr(addr), len, static_cast<std::uint32_t>(advice)).build(), expected);
}

}  // namespace
}  // namespace ringkit
