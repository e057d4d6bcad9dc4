// IORING_OP_FSYNC (5.1), SYNC_FILE_RANGE (5.2), FALLOCATE, FADVISE, MADVISE (5.6) and
// FTRUNCATE (6.9): the file-space and cache operations next to reads and writes.
//
// None of these has .ioprio in its opdef entry, so io_init_req answers a non-zero ioprio with
// -EINVAL for all of them. Kernel rules of each prep function (Linux 6.18) follow (FALLOCATE's
// and FTRUNCATE's at their classes); fields a prep function never reads are KernelRule::ignores.
//
// - io_fsync_prep (FSYNC, io_uring/sync.c): addr, buf_index or splice_fd_in non-zero -> -EINVAL;
//   fsync_flags beyond IORING_FSYNC_DATASYNC -> -EINVAL; reads off and len. addr3/pad2 are never
//   read. (A later kernel adds "off < 0 -> -EINVAL"; not verified for 6.18, so not modelled.)
//   liburing 2.3 io_uring_prep_fsync(fd, flags) writes fd and fsync_flags, off = len = 0.
// - io_sfr_prep (SYNC_FILE_RANGE, io_uring/sync.c): addr, buf_index or splice_fd_in non-zero ->
//   -EINVAL; reads off, len and sync_range_flags (op_flags). The flags are checked by
//   sync_file_range() at issue (-EINVAL in the CQE), not at prep, so decode() accepts any.
//   addr3/pad2 are never read. liburing 2.3 io_uring_prep_sync_file_range(fd, len, offset,
//   flags) -- note len before offset -- writes len, off and sync_range_flags.
// - io_fadvise_prep (FADVISE, io_uring/advise.c): buf_index or splice_fd_in non-zero -> -EINVAL;
//   off = offset, fadvise_advice (op_flags) = advice (checked by vfs_fadvise at issue), and the
//   length is addr when non-zero (6.7), else len. addr3/pad2 are never read. liburing 2.3
//   io_uring_prep_fadvise(fd, offset, len, advice) writes (u32)len into len; the builder does
//   the same for lengths that fit and uses addr only for longer ones.
// - io_madvise_prep (MADVISE, io_uring/advise.c): buf_index or splice_fd_in non-zero -> -EINVAL;
//   addr, fadvise_advice (op_flags; checked by do_madvise at issue), and the length is off when
//   non-zero (6.7), else len. No file (opdef has no needs_file): fd and IOSQE_FIXED_FILE are
//   ignored; liburing 2.3 io_uring_prep_madvise(addr, length, advice) writes fd = -1, the
//   canonical form here, and (u32)length into len; the builder uses off only for lengths that
//   do not fit.
#pragma once

#include <cstdint>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

namespace detail {

// What every prep function of this file does alike: ioprio is -EINVAL (no .ioprio in the
// opdef), so are buf_index and splice_fd_in; pad2 is never read. addr3 is never read either,
// except by FTRUNCATE, which refuses it (`addr3`).
constexpr void decode_sync_common(SqeDecoder& d, std::uint8_t allowed, KernelRule addr3) noexcept {
  d.op_flags_allowed(allowed);
  d.unused(field::ioprio | field::buf_index | field::splice_fd_in, KernelRule::einval);
  d.unused(field::addr3, addr3);
  d.unused(field::pad2, KernelRule::ignores);
}

// FSYNC and SYNC_FILE_RANGE: a range of a file (off, len) and the op's flags; addr is -EINVAL.
template <abi::Opcode Op>
class SyncRange {
  static constexpr bool fsync = Op == abi::Opcode::fsync;

 public:
  static constexpr abi::Opcode opcode = Op;

  // FSYNC: the whole file.
  constexpr explicit SyncRange(FileRef file) noexcept requires(fsync) : file_(file) {}
  // SYNC_FILE_RANGE: bytes [offset, offset + len).
  constexpr SyncRange(FileRef file, std::uint64_t offset, std::uint32_t len) noexcept
      requires(!fsync)
      : file_(file), off_(offset), len_(len) {}

  // fdatasync semantics (IORING_FSYNC_DATASYNC).
  constexpr SyncRange& datasync() noexcept requires(fsync) {
    flags_ |= abi::fsync::datasync;
    return *this;
  }
  // Only bytes [offset, offset + len) (len 0: to the end of the file).
  constexpr SyncRange& range(std::uint64_t offset, std::uint32_t len) noexcept requires(fsync) {
    off_ = offset;
    len_ = len;
    return *this;
  }
  // SYNC_FILE_RANGE_WAIT_BEFORE / WRITE / WAIT_AFTER.
  constexpr SyncRange& sync_flags(std::uint32_t flags) noexcept requires(!fsync) {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return off_; }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t fsync_flags() const noexcept requires(fsync) {
    return flags_;
  }
  [[nodiscard]] constexpr bool is_datasync() const noexcept requires(fsync) {
    return flags_ & abi::fsync::datasync;
  }
  [[nodiscard]] constexpr std::uint32_t sync_flags() const noexcept requires(!fsync) {
    return flags_;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.off = off_;
    sqe.len = len_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SyncRange> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    decode_sync_common(d, abi::sqe_flag::fixed_file, KernelRule::ignores);
    d.unused(field::addr, KernelRule::einval);
    if (fsync) d.require((sqe.op_flags & ~abi::fsync::datasync) == 0);
    if (!d.ok()) return d.error();
    return SyncRange(FileRef::from_sqe(sqe), sqe.off, sqe.len, sqe.op_flags);
  }

  friend constexpr bool operator==(const SyncRange&, const SyncRange&) noexcept = default;

 private:
  constexpr SyncRange(FileRef file, std::uint64_t offset, std::uint32_t len,
                      std::uint32_t flags) noexcept
      : file_(file), off_(offset), len_(len), flags_(flags) {}

  FileRef file_;
  std::uint64_t off_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t flags_ = 0;
};

// The length encodings of FADVISE (addr) and MADVISE (off) since 6.7: the 64-bit field when
// non-zero, else the 32-bit len. Canonical: len when the length fits in it (what liburing 2.3
// writes, and what kernels before 6.7 accept), the 64-bit field only when it does not.
inline constexpr std::uint64_t advise_len_u32_max = 0xffffffffu;

// FADVISE and MADVISE: a range (a file offset, or an address) and advice in op_flags. They mirror
// each other: FADVISE has the offset in off and the long length in addr, MADVISE the other way.
template <abi::Opcode Op>
class Advise {
  static constexpr bool fadvise = Op == abi::Opcode::fadvise;
  static constexpr std::uint64_t abi::Sqe::*start_field =
      fadvise ? &abi::Sqe::off : &abi::Sqe::addr;
  static constexpr std::uint64_t abi::Sqe::*long_len_field =
      fadvise ? &abi::Sqe::addr : &abi::Sqe::off;

 public:
  static constexpr abi::Opcode opcode = Op;

  // FADVISE: POSIX_FADV_* `advice` for [offset, offset + len) of `file` (len 0: to the end).
  constexpr Advise(FileRef file, std::uint64_t offset, std::uint64_t len,
                   std::uint32_t advice) noexcept requires(fadvise)
      : file_(file), start_(offset), len_(len), advice_(advice) {}
  // MADVISE: MADV_* `advice` for [addr, addr + len). Takes no file.
  Advise(const void* addr, std::uint64_t len, std::uint32_t advice) noexcept requires(!fadvise)
      : file_(Fd{-1}), start_(address_of(addr)), len_(len), advice_(advice) {}

  [[nodiscard]] constexpr FileRef file() const noexcept requires(fadvise) { return file_; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept requires(fadvise) { return start_; }
  [[nodiscard]] constexpr std::uint64_t address() const noexcept requires(!fadvise) {
    return start_;
  }
  [[nodiscard]] constexpr std::uint64_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t advice() const noexcept { return advice_; }

  // MADVISE's file is Fd{-1}: fd = -1 and no IOSQE bit, as liburing writes it.
  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.*start_field = start_;
    if (len_ > advise_len_u32_max) {
      sqe.*long_len_field = len_;
    } else {
      sqe.len = static_cast<std::uint32_t>(len_);
    }
    sqe.op_flags = advice_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Advise> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    decode_sync_common(d, fadvise ? abi::sqe_flag::fixed_file : std::uint8_t{0},
                       KernelRule::ignores);
    if (!fadvise) d.require_strict(sqe.fd == -1);
    std::uint64_t len = sqe.len;
    const std::uint64_t long_len = sqe.*long_len_field;
    if (long_len != 0) {
      d.unused(field::len, KernelRule::ignores);        // only read when the long one is 0
      d.require_strict(long_len > advise_len_u32_max);  // short lengths go in len
      len = long_len;
    }
    if (!d.ok()) return d.error();
    const FileRef file = fadvise ? FileRef::from_sqe(sqe) : FileRef(Fd{-1});
    return Advise(Raw{}, file, sqe.*start_field, len, sqe.op_flags);
  }

  friend constexpr bool operator==(const Advise&, const Advise&) noexcept = default;

 private:
  struct Raw {};
  constexpr Advise(Raw, FileRef file, std::uint64_t start, std::uint64_t len,
                   std::uint32_t advice) noexcept
      : file_(file), start_(start), len_(len), advice_(advice) {}

  FileRef file_;
  std::uint64_t start_;  // the file offset, or the address
  std::uint64_t len_;
  std::uint32_t advice_;
};

}  // namespace detail

// fsync(2) / fdatasync(2), or of a range only (off, len; len 0 = to the end).
using Fsync = detail::SyncRange<abi::Opcode::fsync>;
// sync_file_range(2) of [offset, offset + len).
using SyncFileRange = detail::SyncRange<abi::Opcode::sync_file_range>;
// posix_fadvise(2) of [offset, offset + len) (len 0: to the end) with POSIX_FADV_* `advice`.
using Fadvise = detail::Advise<abi::Opcode::fadvise>;
// madvise(2) of [addr, addr + len) with MADV_* `advice`. Takes no file.
using Madvise = detail::Advise<abi::Opcode::madvise>;

// fallocate(2) of [offset, offset + len) with `mode` (FALLOC_FL_*; 0 = allocate).
//
// io_fallocate_prep (io_uring/sync.c): buf_index, rw_flags (op_flags) or splice_fd_in non-zero
// -> -EINVAL; off = offset, addr = length, len = mode. addr3/pad2 are never read. liburing 2.3
// io_uring_prep_fallocate(fd, mode, offset, len) writes the same.
class Fallocate {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fallocate;

  constexpr Fallocate(FileRef file, std::uint64_t offset, std::uint64_t len) noexcept
      : file_(file), off_(offset), len_(len) {}

  constexpr Fallocate& mode(std::uint32_t mode) noexcept {
    mode_ = mode;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return off_; }
  [[nodiscard]] constexpr std::uint64_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t mode() const noexcept { return mode_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.off = off_;
    sqe.addr = len_;
    sqe.len = mode_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fallocate> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::decode_sync_common(d, abi::sqe_flag::fixed_file, KernelRule::ignores);
    d.unused(field::op_flags, KernelRule::einval);
    if (!d.ok()) return d.error();
    Fallocate f(FileRef::from_sqe(sqe), sqe.off, sqe.addr);
    f.mode_ = sqe.len;
    return f;
  }

  friend constexpr bool operator==(const Fallocate&, const Fallocate&) noexcept = default;

 private:
  FileRef file_;
  std::uint64_t off_;
  std::uint64_t len_;
  std::uint32_t mode_ = 0;
};

// ftruncate(2) to `length` bytes (6.9).
//
// io_ftruncate_prep (io_uring/truncate.c): rw_flags (op_flags), addr, len, buf_index,
// splice_fd_in or addr3 non-zero -> -EINVAL; off = length. pad2 is never read. liburing 2.3 has
// no helper (io_uring_prep_ftruncate came in 2.6).
class Ftruncate {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::ftruncate;

  constexpr Ftruncate(FileRef file, std::uint64_t length) noexcept : file_(file), length_(length) {}

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t length() const noexcept { return length_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.off = length_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Ftruncate> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::decode_sync_common(d, abi::sqe_flag::fixed_file, KernelRule::einval);
    d.unused(field::op_flags | field::addr | field::len, KernelRule::einval);
    if (!d.ok()) return d.error();
    return Ftruncate(FileRef::from_sqe(sqe), sqe.off);
  }

  friend constexpr bool operator==(const Ftruncate&, const Ftruncate&) noexcept = default;

 private:
  FileRef file_;
  std::uint64_t length_;
};

}  // namespace ringkit::op
