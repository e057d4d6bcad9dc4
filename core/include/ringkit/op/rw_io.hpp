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

#include <type_traits>

#include "ringkit/op/rw_common.hpp"

namespace ringkit::op {

namespace detail {

// What tells the eight transfer opcodes apart (READ, WRITE, READV, WRITEV and their _FIXED forms).
struct RwTransferKind {
  bool writes;    // write_stream applies, and the memory is only read
  bool vectored;  // addr/len are an iovec array and its length, not one buffer
  bool fixed;     // buf_index names the registered buffer the memory lies in
  bool selects;   // IOSQE_BUFFER_SELECT is accepted (READ and READV only)
};

constexpr RwTransferKind rw_transfer_kind(abi::Opcode op) noexcept {
  using abi::Opcode;
  return RwTransferKind{
      .writes = op == Opcode::write || op == Opcode::writev || op == Opcode::write_fixed ||
                op == Opcode::writev_fixed,
      .vectored = op == Opcode::readv || op == Opcode::writev || op == Opcode::readv_fixed ||
                  op == Opcode::writev_fixed,
      .fixed = op == Opcode::read_fixed || op == Opcode::write_fixed || op == Opcode::readv_fixed ||
               op == Opcode::writev_fixed,
      .selects = op == Opcode::read || op == Opcode::readv,
  };
}

// One builder for the eight transfer opcodes: the kind decides the constructor's memory type,
// which accessors exist and what decode() checks beyond __io_prep_rw.
template <abi::Opcode Op>
class RwTransfer : public std::conditional_t<rw_transfer_kind(Op).writes, RwWriteOp<RwTransfer<Op>>,
                                             RwOp<RwTransfer<Op>>> {
  static constexpr RwTransferKind kind = rw_transfer_kind(Op);
  using Base = std::conditional_t<kind.writes, RwWriteOp<RwTransfer>, RwOp<RwTransfer>>;
  // One buffer (written into by reads) or an iovec array.
  using Memory = std::conditional_t<kind.vectored, const iovec*,
                                    std::conditional_t<kind.writes, const void*, void*>>;
  using Base::f_;

 public:
  static constexpr abi::Opcode opcode = Op;

  // `len` bytes at `buf` (or `len` iovecs at `iovecs`), at `offset` (-1 / ~0: the file position).
  RwTransfer(FileRef file, Memory memory, std::uint32_t len, std::uint64_t offset) noexcept
      requires(!kind.fixed)
      : Base(RwFields(file, address_of(memory), len, offset)) {}
  // The same inside registered buffer `index`.
  RwTransfer(FileRef file, Memory memory, std::uint32_t len, std::uint64_t offset,
             BufIndex index) noexcept requires(kind.fixed)
      : Base(RwFields(file, address_of(memory), len, offset)) {
    f_.buf_index = index.value;
  }
  // READ: up to `len` bytes (0: the whole buffer, for ring-provided buffers) into a buffer the
  // kernel picks from `group`; the CQE carries its id.
  static constexpr RwTransfer select_buffer(FileRef file, BufGroup group, std::uint32_t len,
                                            std::uint64_t offset) noexcept
      requires(Op == abi::Opcode::read) {
    return RwTransfer(selected(RwFields(file, 0, len, offset), group));
  }
  // READV: into a buffer the kernel picks from `group`, at most iov->iov_len bytes: `iov` is one
  // iovec (len 1) the kernel reads only for its length.
  static RwTransfer select_buffer(FileRef file, const iovec* iov, BufGroup group,
                                  std::uint64_t offset) noexcept
      requires(Op == abi::Opcode::readv) {
    return RwTransfer(selected(RwFields(file, address_of(iov), 1, offset), group));
  }

  [[nodiscard]] constexpr std::uint64_t address() const noexcept requires(!kind.vectored) {
    return f_.addr;
  }
  [[nodiscard]] Memory buffer() const noexcept requires(!kind.vectored) {
    return pointer_from(f_.addr);
  }
  [[nodiscard]] constexpr std::uint32_t length() const noexcept requires(!kind.vectored) {
    return f_.len;
  }
  [[nodiscard]] constexpr std::uint64_t iovecs_address() const noexcept requires(kind.vectored) {
    return f_.addr;
  }
  [[nodiscard]] const iovec* iovecs() const noexcept requires(kind.vectored) {
    return static_cast<const iovec*>(pointer_from(f_.addr));
  }
  [[nodiscard]] constexpr std::uint32_t iovec_count() const noexcept requires(kind.vectored) {
    return f_.len;
  }
  [[nodiscard]] constexpr BufIndex buf_index() const noexcept requires(kind.fixed) {
    return BufIndex{f_.buf_index};
  }
  [[nodiscard]] constexpr bool selects_buffer() const noexcept requires(kind.selects) {
    return f_.sqe_flags & abi::sqe_flag::buffer_select;
  }
  [[nodiscard]] constexpr BufGroup buf_group() const noexcept requires(kind.selects) {
    return BufGroup{f_.buf_index};
  }

  [[nodiscard]] static constexpr ringkit::result<RwTransfer> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const std::uint8_t allowed =
        abi::sqe_flag::fixed_file | (kind.selects ? abi::sqe_flag::buffer_select : 0);
    RwFields f = RwFields::decode(d, allowed, kind.writes);
    const bool selected = f.sqe_flags & abi::sqe_flag::buffer_select;
    if (!kind.fixed && !selected) {
      d.unused(field::buf_index, KernelRule::ignores);
      f.buf_index = 0;
    } else if (selected && kind.vectored) {
      d.require(sqe.len == 1);  // io_iov_buffer_select_prep
    } else if (selected) {
      d.unused(field::addr, KernelRule::ignores);  // the selected buffer replaces it
      f.addr = 0;
    }
    if (!d.ok()) return d.error();
    return RwTransfer(f);
  }

  friend constexpr bool operator==(const RwTransfer&, const RwTransfer&) noexcept = default;

 private:
  constexpr explicit RwTransfer(const RwFields& f) noexcept : Base(f) {}
  static constexpr RwFields selected(RwFields f, BufGroup group) noexcept {
    f.sqe_flags |= abi::sqe_flag::buffer_select;
    f.buf_index = group.id;
    return f;
  }
};

}  // namespace detail

// read(2)/pread(2) into one buffer, or into a provided buffer (select_buffer).
using Read = detail::RwTransfer<abi::Opcode::read>;
// write(2)/pwrite(2) from one buffer.
using Write = detail::RwTransfer<abi::Opcode::write>;
// readv(2)/preadv2(2): scatter into an iovec array, or into a provided buffer (select_buffer).
using Readv = detail::RwTransfer<abi::Opcode::readv>;
// writev(2)/pwritev2(2): gather from an iovec array.
using Writev = detail::RwTransfer<abi::Opcode::writev>;
// pread into (part of) registered buffer `index`.
using ReadFixed = detail::RwTransfer<abi::Opcode::read_fixed>;
// pwrite from (part of) registered buffer `index`.
using WriteFixed = detail::RwTransfer<abi::Opcode::write_fixed>;
// preadv into registered buffer `index`: each iovec addresses memory inside it (6.15).
using ReadvFixed = detail::RwTransfer<abi::Opcode::readv_fixed>;
// pwritev from registered buffer `index`: each iovec addresses memory inside it (6.15).
using WritevFixed = detail::RwTransfer<abi::Opcode::writev_fixed>;

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
    d.unused(field::addr | field::len, KernelRule::einval);
    d.unused(field::ioprio, KernelRule::einval);  // io_init_req: no .ioprio in opdef
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
