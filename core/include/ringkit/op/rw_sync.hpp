// IORING_OP_FSYNC (5.1), SYNC_FILE_RANGE (5.2), FALLOCATE, FADVISE, MADVISE (5.6) and
// FTRUNCATE (6.9): the file-space and cache operations next to reads and writes.
//
// None of these has .ioprio in its opdef entry, so io_init_req answers a non-zero ioprio with
// -EINVAL for all of them. Kernel rules of each prep function (Linux 6.18) are in the comments
// of the classes; fields a prep function never reads are KernelRule::ignores.
#pragma once

#include <cstdint>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

namespace detail {
// The length encodings of FADVISE (addr) and MADVISE (off) since 6.7: the 64-bit field when
// non-zero, else the 32-bit len. Canonical: len when the length fits in it (what liburing 2.3
// writes, and what kernels before 6.7 accept), the 64-bit field only when it does not.
inline constexpr std::uint64_t advise_len_u32_max = 0xffffffffu;
}  // namespace detail

// fsync(2) / fdatasync(2), or of a range only (off, len; len 0 = to the end).
//
// io_fsync_prep (io_uring/sync.c): addr, buf_index or splice_fd_in non-zero -> -EINVAL;
// fsync_flags beyond IORING_FSYNC_DATASYNC -> -EINVAL; reads off and len. addr3/pad2 are never
// read. (A later kernel adds "off < 0 -> -EINVAL"; not verified for 6.18, so not modelled.)
// liburing 2.3 io_uring_prep_fsync(fd, flags) writes fd and fsync_flags, off = len = 0.
class Fsync {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fsync;

  constexpr explicit Fsync(FileRef file) noexcept : file_(file) {}

  // fdatasync semantics (IORING_FSYNC_DATASYNC).
  constexpr Fsync& datasync() noexcept {
    flags_ |= abi::fsync::datasync;
    return *this;
  }
  // Only bytes [offset, offset + len) (len 0: to the end of the file).
  constexpr Fsync& range(std::uint64_t offset, std::uint32_t len) noexcept {
    off_ = offset;
    len_ = len;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint32_t fsync_flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr bool is_datasync() const noexcept {
    return flags_ & abi::fsync::datasync;
  }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return off_; }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return len_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.off = off_;
    sqe.len = len_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fsync> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.require((sqe.op_flags & ~abi::fsync::datasync) == 0);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Fsync f(FileRef::from_sqe(sqe));
    f.flags_ = sqe.op_flags;
    f.off_ = sqe.off;
    f.len_ = sqe.len;
    return f;
  }

  friend constexpr bool operator==(const Fsync&, const Fsync&) noexcept = default;

 private:
  FileRef file_;
  std::uint32_t flags_ = 0;
  std::uint64_t off_ = 0;
  std::uint32_t len_ = 0;
};

// sync_file_range(2) of [offset, offset + len).
//
// io_sfr_prep (io_uring/sync.c): addr, buf_index or splice_fd_in non-zero -> -EINVAL; reads off,
// len and sync_range_flags (op_flags). The flags are checked by sync_file_range() at issue
// (-EINVAL in the CQE), not at prep, so decode() accepts any. addr3/pad2 are never read.
// liburing 2.3 io_uring_prep_sync_file_range(fd, len, offset, flags) -- note len before offset --
// writes len, off and sync_range_flags.
class SyncFileRange {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::sync_file_range;

  constexpr SyncFileRange(FileRef file, std::uint64_t offset, std::uint32_t len) noexcept
      : file_(file), off_(offset), len_(len) {}

  // SYNC_FILE_RANGE_WAIT_BEFORE / WRITE / WAIT_AFTER.
  constexpr SyncFileRange& sync_flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return off_; }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t sync_flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.off = off_;
    sqe.len = len_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<SyncFileRange> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    SyncFileRange s(FileRef::from_sqe(sqe), sqe.off, sqe.len);
    s.flags_ = sqe.op_flags;
    return s;
  }

  friend constexpr bool operator==(const SyncFileRange&, const SyncFileRange&) noexcept = default;

 private:
  FileRef file_;
  std::uint64_t off_;
  std::uint32_t len_;
  std::uint32_t flags_ = 0;
};

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
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.off = off_;
    sqe.addr = len_;
    sqe.len = mode_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fallocate> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::op_flags, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
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

// posix_fadvise(2) of [offset, offset + len) (len 0: to the end) with POSIX_FADV_* `advice`.
//
// io_fadvise_prep (io_uring/advise.c): buf_index or splice_fd_in non-zero -> -EINVAL; off =
// offset, fadvise_advice (op_flags) = advice (checked by vfs_fadvise at issue), and the length
// is addr when non-zero (6.7), else len. addr3/pad2 are never read. liburing 2.3
// io_uring_prep_fadvise(fd, offset, len, advice) writes (u32)len into len; the builder does the
// same for lengths that fit and uses addr only for longer ones.
class Fadvise {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fadvise;

  constexpr Fadvise(FileRef file, std::uint64_t offset, std::uint64_t len,
                    std::uint32_t advice) noexcept
      : file_(file), off_(offset), len_(len), advice_(advice) {}

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return off_; }
  [[nodiscard]] constexpr std::uint64_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t advice() const noexcept { return advice_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.off = off_;
    if (len_ > detail::advise_len_u32_max) {
      sqe.addr = len_;
    } else {
      sqe.len = static_cast<std::uint32_t>(len_);
    }
    sqe.op_flags = advice_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Fadvise> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    std::uint64_t len = sqe.len;
    if (sqe.addr != 0) {
      d.unused(&abi::Sqe::len, KernelRule::ignores);            // only read when addr is 0
      d.require_strict(sqe.addr > detail::advise_len_u32_max);  // short lengths go in len
      len = sqe.addr;
    }
    if (!d.ok()) return d.error();
    return Fadvise(FileRef::from_sqe(sqe), sqe.off, len, sqe.op_flags);
  }

  friend constexpr bool operator==(const Fadvise&, const Fadvise&) noexcept = default;

 private:
  FileRef file_;
  std::uint64_t off_;
  std::uint64_t len_;
  std::uint32_t advice_;
};

// madvise(2) of [addr, addr + len) with MADV_* `advice`. Takes no file.
//
// io_madvise_prep (io_uring/advise.c): buf_index or splice_fd_in non-zero -> -EINVAL; addr,
// fadvise_advice (op_flags; checked by do_madvise at issue), and the length is off when non-zero
// (6.7), else len. No file (opdef has no needs_file): fd and IOSQE_FIXED_FILE are ignored; liburing
// 2.3 io_uring_prep_madvise(addr, length, advice) writes fd = -1, the canonical form here, and
// (u32)length into len; the builder uses off only for lengths that do not fit.
class Madvise {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::madvise;

  Madvise(const void* addr, std::uint64_t len, std::uint32_t advice) noexcept
      : addr_(address_of(addr)), len_(len), advice_(advice) {}

  [[nodiscard]] constexpr std::uint64_t address() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::uint64_t length() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint32_t advice() const noexcept { return advice_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = -1;
    sqe.addr = addr_;
    if (len_ > detail::advise_len_u32_max) {
      sqe.off = len_;
    } else {
      sqe.len = static_cast<std::uint32_t>(len_);
    }
    sqe.op_flags = advice_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Madvise> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.require_strict(sqe.fd == -1);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::ignores);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    std::uint64_t len = sqe.len;
    if (sqe.off != 0) {
      d.unused(&abi::Sqe::len, KernelRule::ignores);           // only read when off is 0
      d.require_strict(sqe.off > detail::advise_len_u32_max);  // short lengths go in len
      len = sqe.off;
    }
    if (!d.ok()) return d.error();
    return Madvise(Raw{}, sqe.addr, len, sqe.op_flags);
  }

  friend constexpr bool operator==(const Madvise&, const Madvise&) noexcept = default;

 private:
  struct Raw {};
  constexpr Madvise(Raw, std::uint64_t addr, std::uint64_t len, std::uint32_t advice) noexcept
      : addr_(addr), len_(len), advice_(advice) {}

  std::uint64_t addr_;
  std::uint64_t len_;
  std::uint32_t advice_;
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
    abi::Sqe sqe = make_sqe(opcode, file_.sqe_flags());
    sqe.fd = file_.raw();
    sqe.off = length_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Ftruncate> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);
    d.unused(&abi::Sqe::op_flags, KernelRule::einval);
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::len, KernelRule::einval);
    d.unused(&abi::Sqe::buf_index, KernelRule::einval);
    d.unused(&abi::Sqe::splice_fd_in, KernelRule::einval);
    d.unused(&abi::Sqe::addr3, KernelRule::einval);
    d.unused(&abi::Sqe::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    return Ftruncate(FileRef::from_sqe(sqe), sqe.off);
  }

  friend constexpr bool operator==(const Ftruncate&, const Ftruncate&) noexcept = default;

 private:
  FileRef file_;
  std::uint64_t length_;
};

}  // namespace ringkit::op
