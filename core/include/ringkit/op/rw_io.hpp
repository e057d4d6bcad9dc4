// IORING_OP_READ, WRITE (5.6), READV, WRITEV, READ_FIXED, WRITE_FIXED (5.1), READV_FIXED,
// WRITEV_FIXED (6.15) and READ_MULTISHOT (6.7): reads and writes at a file offset.
//
// Kernel rules (io_uring/rw.c, Linux 6.18; see rw_common.hpp for what __io_prep_rw reads):
// - io_prep_read / io_prep_write (READ, WRITE): io_prep_rw, which imports addr/len as one user
//   buffer unless a buffer is selected. With IOSQE_BUFFER_SELECT (READ only: opdef buffer_select)
//   buf_index is the group and addr is never used (the selected buffer replaces it); without it
//   buf_index is never read.
// - io_prep_readv / io_prep_writev (READV, WRITEV): io_prep_rwv; addr is an iovec array, len its
//   count. READV with IOSQE_BUFFER_SELECT: io_iov_buffer_select_prep wants len == 1 (-EINVAL
//   otherwise) and takes the buffer size from the one iovec at addr.
// - io_prep_read_fixed / io_prep_write_fixed: __io_prep_rw only; addr/len lie inside the
//   registered buffer buf_index (checked at issue, io_import_reg_buf: -EFAULT).
// - io_prep_readv_fixed / io_prep_writev_fixed (6.15): __io_prep_rw then io_rw_prep_reg_vec:
//   addr is an iovec array of len entries, each inside registered buffer buf_index.
// - io_read_mshot_prep (READ_MULTISHOT): -EINVAL without IOSQE_BUFFER_SELECT, -EINVAL when addr
//   or len is non-zero; buf_index is the group. Its opdef entry has no .ioprio, so io_init_req
//   answers a non-zero ioprio with -EINVAL.
// - IOSQE_BUFFER_SELECT on any of them but READ, READV and READ_MULTISHOT: -EOPNOTSUPP
//   (io_init_req). All need a file, so IOSQE_FIXED_FILE is meaningful for all.
// liburing 2.3's io_uring_prep_read/write/readv(2)/writev(2)/read_fixed/write_fixed write exactly
// these fields (everything else zero), so builders of the same arguments give the same bytes.
#pragma once

#include <sys/uio.h>

#include "ringkit/op/rw_common.hpp"

namespace ringkit::op {

// read(2)/pread(2) into one buffer, or into a provided buffer (select_buffer).
class Read : public detail::RwOp<Read> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::read;

  // `len` bytes into `buf` from `offset` (-1 / ~0: the file position).
  Read(FileRef file, void* buf, std::uint32_t len, std::uint64_t offset) noexcept
      : RwOp(detail::RwFields(file, address_of(buf), len, offset)) {}
  // Up to `len` bytes (0: the whole buffer, for ring-provided buffers) into a buffer the kernel
  // picks from `group`; the CQE carries its id.
  static constexpr Read select_buffer(FileRef file, BufGroup group, std::uint32_t len,
                                      std::uint64_t offset) noexcept {
    detail::RwFields f(file, 0, len, offset);
    f.sqe_flags |= abi::sqe_flag::buffer_select;
    f.buf_index = group.id;
    return Read(f);
  }

  [[nodiscard]] constexpr std::uint64_t address() const noexcept { return f_.addr; }
  [[nodiscard]] void* buffer() const noexcept { return pointer_from(f_.addr); }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return f_.len; }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept {
    return f_.sqe_flags & abi::sqe_flag::buffer_select;
  }
  [[nodiscard]] constexpr BufGroup buf_group() const noexcept { return BufGroup{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<Read> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::RwFields f = detail::RwFields::decode(
        d, abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select, false);
    if (f.sqe_flags & abi::sqe_flag::buffer_select) {
      d.unused(&abi::Sqe::addr, KernelRule::ignores);
      f.addr = 0;
    } else {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
      f.buf_index = 0;
    }
    if (!d.ok()) return d.error();
    return Read(f);
  }

  friend constexpr bool operator==(const Read&, const Read&) noexcept = default;

 private:
  constexpr explicit Read(const detail::RwFields& f) noexcept : RwOp(f) {}
};

// write(2)/pwrite(2) from one buffer.
class Write : public detail::RwWriteOp<Write> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::write;

  Write(FileRef file, const void* buf, std::uint32_t len, std::uint64_t offset) noexcept
      : RwWriteOp(detail::RwFields(file, address_of(buf), len, offset)) {}

  [[nodiscard]] constexpr std::uint64_t address() const noexcept { return f_.addr; }
  [[nodiscard]] const void* buffer() const noexcept { return pointer_from(f_.addr); }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return f_.len; }

  [[nodiscard]] static constexpr ringkit::result<Write> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, true);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    f.buf_index = 0;
    if (!d.ok()) return d.error();
    return Write(f);
  }

  friend constexpr bool operator==(const Write&, const Write&) noexcept = default;

 private:
  constexpr explicit Write(const detail::RwFields& f) noexcept : RwWriteOp(f) {}
};

// readv(2)/preadv2(2): scatter into an iovec array, or into a provided buffer (select_buffer).
class Readv : public detail::RwOp<Readv> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::readv;

  Readv(FileRef file, const iovec* iovecs, std::uint32_t count, std::uint64_t offset) noexcept
      : RwOp(detail::RwFields(file, address_of(iovecs), count, offset)) {}
  // Into a buffer the kernel picks from `group`, at most iov->iov_len bytes: `iov` is one iovec
  // (len 1) the kernel reads only for its length.
  static Readv select_buffer(FileRef file, const iovec* iov, BufGroup group,
                             std::uint64_t offset) noexcept {
    detail::RwFields f(file, address_of(iov), 1, offset);
    f.sqe_flags |= abi::sqe_flag::buffer_select;
    f.buf_index = group.id;
    return Readv(f);
  }

  [[nodiscard]] constexpr std::uint64_t iovecs_address() const noexcept { return f_.addr; }
  [[nodiscard]] const iovec* iovecs() const noexcept {
    return static_cast<const iovec*>(pointer_from(f_.addr));
  }
  [[nodiscard]] constexpr std::uint32_t iovec_count() const noexcept { return f_.len; }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept {
    return f_.sqe_flags & abi::sqe_flag::buffer_select;
  }
  [[nodiscard]] constexpr BufGroup buf_group() const noexcept { return BufGroup{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<Readv> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::RwFields f = detail::RwFields::decode(
        d, abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select, false);
    if (f.sqe_flags & abi::sqe_flag::buffer_select) {
      d.require(sqe.len == 1);  // io_iov_buffer_select_prep
    } else {
      d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
      f.buf_index = 0;
    }
    if (!d.ok()) return d.error();
    return Readv(f);
  }

  friend constexpr bool operator==(const Readv&, const Readv&) noexcept = default;

 private:
  constexpr explicit Readv(const detail::RwFields& f) noexcept : RwOp(f) {}
};

// writev(2)/pwritev2(2): gather from an iovec array.
class Writev : public detail::RwWriteOp<Writev> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::writev;

  Writev(FileRef file, const iovec* iovecs, std::uint32_t count, std::uint64_t offset) noexcept
      : RwWriteOp(detail::RwFields(file, address_of(iovecs), count, offset)) {}

  [[nodiscard]] constexpr std::uint64_t iovecs_address() const noexcept { return f_.addr; }
  [[nodiscard]] const iovec* iovecs() const noexcept {
    return static_cast<const iovec*>(pointer_from(f_.addr));
  }
  [[nodiscard]] constexpr std::uint32_t iovec_count() const noexcept { return f_.len; }

  [[nodiscard]] static constexpr ringkit::result<Writev> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, true);
    d.unused(&abi::Sqe::buf_index, KernelRule::ignores);
    f.buf_index = 0;
    if (!d.ok()) return d.error();
    return Writev(f);
  }

  friend constexpr bool operator==(const Writev&, const Writev&) noexcept = default;

 private:
  constexpr explicit Writev(const detail::RwFields& f) noexcept : RwWriteOp(f) {}
};

// pread into (part of) registered buffer `index`.
class ReadFixed : public detail::RwOp<ReadFixed> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::read_fixed;

  ReadFixed(FileRef file, void* buf, std::uint32_t len, std::uint64_t offset,
            BufIndex index) noexcept
      : RwOp(detail::RwFields(file, address_of(buf), len, offset)) {
    f_.buf_index = index.value;
  }

  [[nodiscard]] constexpr std::uint64_t address() const noexcept { return f_.addr; }
  [[nodiscard]] void* buffer() const noexcept { return pointer_from(f_.addr); }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return f_.len; }
  [[nodiscard]] constexpr BufIndex buf_index() const noexcept { return BufIndex{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<ReadFixed> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, false);
    if (!d.ok()) return d.error();
    return ReadFixed(f);
  }

  friend constexpr bool operator==(const ReadFixed&, const ReadFixed&) noexcept = default;

 private:
  constexpr explicit ReadFixed(const detail::RwFields& f) noexcept : RwOp(f) {}
};

// pwrite from (part of) registered buffer `index`.
class WriteFixed : public detail::RwWriteOp<WriteFixed> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::write_fixed;

  WriteFixed(FileRef file, const void* buf, std::uint32_t len, std::uint64_t offset,
             BufIndex index) noexcept
      : RwWriteOp(detail::RwFields(file, address_of(buf), len, offset)) {
    f_.buf_index = index.value;
  }

  [[nodiscard]] constexpr std::uint64_t address() const noexcept { return f_.addr; }
  [[nodiscard]] const void* buffer() const noexcept { return pointer_from(f_.addr); }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept { return f_.len; }
  [[nodiscard]] constexpr BufIndex buf_index() const noexcept { return BufIndex{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<WriteFixed> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, true);
    if (!d.ok()) return d.error();
    return WriteFixed(f);
  }

  friend constexpr bool operator==(const WriteFixed&, const WriteFixed&) noexcept = default;

 private:
  constexpr explicit WriteFixed(const detail::RwFields& f) noexcept : RwWriteOp(f) {}
};

// preadv into registered buffer `index`: each iovec addresses memory inside it (6.15).
class ReadvFixed : public detail::RwOp<ReadvFixed> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::readv_fixed;

  ReadvFixed(FileRef file, const iovec* iovecs, std::uint32_t count, std::uint64_t offset,
             BufIndex index) noexcept
      : RwOp(detail::RwFields(file, address_of(iovecs), count, offset)) {
    f_.buf_index = index.value;
  }

  [[nodiscard]] constexpr std::uint64_t iovecs_address() const noexcept { return f_.addr; }
  [[nodiscard]] const iovec* iovecs() const noexcept {
    return static_cast<const iovec*>(pointer_from(f_.addr));
  }
  [[nodiscard]] constexpr std::uint32_t iovec_count() const noexcept { return f_.len; }
  [[nodiscard]] constexpr BufIndex buf_index() const noexcept { return BufIndex{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<ReadvFixed> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, false);
    if (!d.ok()) return d.error();
    return ReadvFixed(f);
  }

  friend constexpr bool operator==(const ReadvFixed&, const ReadvFixed&) noexcept = default;

 private:
  constexpr explicit ReadvFixed(const detail::RwFields& f) noexcept : RwOp(f) {}
};

// pwritev from registered buffer `index`: each iovec addresses memory inside it (6.15).
class WritevFixed : public detail::RwWriteOp<WritevFixed> {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::writev_fixed;

  WritevFixed(FileRef file, const iovec* iovecs, std::uint32_t count, std::uint64_t offset,
              BufIndex index) noexcept
      : RwWriteOp(detail::RwFields(file, address_of(iovecs), count, offset)) {
    f_.buf_index = index.value;
  }

  [[nodiscard]] constexpr std::uint64_t iovecs_address() const noexcept { return f_.addr; }
  [[nodiscard]] const iovec* iovecs() const noexcept {
    return static_cast<const iovec*>(pointer_from(f_.addr));
  }
  [[nodiscard]] constexpr std::uint32_t iovec_count() const noexcept { return f_.len; }
  [[nodiscard]] constexpr BufIndex buf_index() const noexcept { return BufIndex{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<WritevFixed> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const detail::RwFields f = detail::RwFields::decode(d, abi::sqe_flag::fixed_file, true);
    if (!d.ok()) return d.error();
    return WritevFixed(f);
  }

  friend constexpr bool operator==(const WritevFixed&, const WritevFixed&) noexcept = default;

 private:
  constexpr explicit WritevFixed(const detail::RwFields& f) noexcept : RwWriteOp(f) {}
};

// Reads whenever the (pollable) file has data, one provided buffer from `group` per CQE, until
// an error or the group runs dry (cqe_flag::more on all but the last). No ioprio (-EINVAL).
class ReadMultishot : private detail::RwOp<ReadMultishot> {
  friend class detail::RwOp<ReadMultishot>;
  using Base = detail::RwOp<ReadMultishot>;

 public:
  static constexpr abi::Opcode opcode = abi::Opcode::read_multishot;

  constexpr ReadMultishot(FileRef file, BufGroup group, std::uint64_t offset) noexcept
      : Base(fields(file, group, offset)) {}

  using Base::build;
  using Base::file;
  using Base::has_pi;
  using Base::offset;
  using Base::pi;
  using Base::pi_address;
  using Base::rw_flags;
  [[nodiscard]] constexpr BufGroup buf_group() const noexcept { return BufGroup{f_.buf_index}; }

  [[nodiscard]] static constexpr ringkit::result<ReadMultishot> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const detail::RwFields f = detail::RwFields::decode(
        d, abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select, false);
    d.require(sqe.flags & abi::sqe_flag::buffer_select);  // "must be used with provided buffers"
    d.unused(&abi::Sqe::addr, KernelRule::einval);
    d.unused(&abi::Sqe::len, KernelRule::einval);
    d.unused(&abi::Sqe::ioprio, KernelRule::einval);  // io_init_req: no .ioprio in opdef
    if (!d.ok()) return d.error();
    return ReadMultishot(f);
  }

  friend constexpr bool operator==(const ReadMultishot&, const ReadMultishot&) noexcept = default;

 private:
  constexpr explicit ReadMultishot(const detail::RwFields& f) noexcept : Base(f) {}
  static constexpr detail::RwFields fields(FileRef file, BufGroup group,
                                           std::uint64_t offset) noexcept {
    detail::RwFields f(file, 0, 0, offset);
    f.sqe_flags |= abi::sqe_flag::buffer_select;
    f.buf_index = group.id;
    return f;
  }
};

}  // namespace ringkit::op
