// Opening and closing descriptors: OPENAT, OPENAT2, CLOSE, PIPE, FIXED_FD_INSTALL, FILES_UPDATE.
//
// Kernel rules (Linux 6.18):
// - OPENAT / OPENAT2 (io_uring/openclose.c, io_openat_prep / io_openat2_prep /
//   __io_openat_prep): buf_index != 0 is -EINVAL; IOSQE_FIXED_FILE is -EBADF; a direct
//   destination (file_index != 0) with O_CLOEXEC is -EINVAL. OPENAT reads open_flags and
//   len (mode); OPENAT2 reads addr2 (open_how) and len (its size, -EINVAL below
//   OPEN_HOW_SIZE_VER0) and ignores open_flags. addr3, pad2 (and OPENAT's off) are
//   ignored. OPENAT2's O_CLOEXEC rule reads the user's open_how, which decode cannot see.
// - CLOSE (io_close_prep): off, addr, len, rw_flags, buf_index non-zero are -EINVAL;
//   IOSQE_FIXED_FILE is -EBADF; file_index and fd both non-zero is -EINVAL. addr3,
//   pad2 are ignored. liburing's close_direct writes fd 0, file_index slot + 1.
// - PIPE (io_pipe_prep, 6.16): fd, off, addr3 non-zero are -EINVAL; pipe_flags outside
//   O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE are -EINVAL. len, buf_index,
//   pad2 and IOSQE_FIXED_FILE are ignored. (O_CLOEXEC with a direct destination fails
//   at issue with -EINVAL, in io_pipe_fixed, not in prep.)
// - FIXED_FD_INSTALL (io_install_fixed_fd_prep, 6.8): off, addr, len, buf_index,
//   splice_fd_in, addr3 non-zero are -EINVAL; no IOSQE_FIXED_FILE is -EBADF;
//   install_fd_flags beyond IORING_FIXED_FD_NO_CLOEXEC are -EINVAL. (A personality, i.e.
//   REQ_F_CREDS, is -EPERM: a common field, outside decode.) pad2 is ignored.
// - FILES_UPDATE (io_uring/rsrc.c, io_files_update_prep): IOSQE_FIXED_FILE is -EINVAL;
//   rw_flags, splice_fd_in non-zero are -EINVAL; len == 0 is -EINVAL. off is read as a u32
//   (struct io_rsrc_update::offset), so its upper half is ignored; fd, buf_index,
//   addr3, pad2 are ignored. liburing writes fd -1 and off = (u64)(int)offset (sign-extended:
//   IORING_FILE_INDEX_ALLOC becomes all ones), which is the canonical form here.
// ioprio: io_init_req refuses a non-zero ioprio with -EINVAL for every opcode whose opdef lacks
// .ioprio, which includes every op in this file (checked on 6.18.44 by tests/kernel/ops/files).
#pragma once

#include "ringkit/op/fs_common.hpp"

namespace ringkit::op {

namespace fs_detail {

// OPENAT and OPENAT2: a path at a directory fd, opened to a descriptor or a registered slot.
// OPENAT has its flags in op_flags and the mode in len; OPENAT2 an open_how in addr2 and its
// size in len.
template <abi::Opcode Op>
class OpenOp {
  static constexpr bool openat2 = Op == abi::Opcode::openat2;

 public:
  static constexpr abi::Opcode opcode = Op;

  // OPENAT: open(2) `flags` (O_*).
  OpenOp(Fd dir, const char* path, std::uint32_t flags) noexcept requires(!openat2)
      : f_{.dir = dir.value, .path = address_of(path), .flags = flags} {}
  // OPENAT2: `how` must stay valid until the request is prepared; its size defaults to
  // OPEN_HOW_SIZE_VER0 (sizeof(struct open_how) today), as liburing writes.
  OpenOp(Fd dir, const char* path, const struct open_how* how) noexcept requires(openat2)
      : f_{.dir = dir.value,
           .path = address_of(path),
           .addr2 = address_of(how),
           .len = open_how_size_ver0} {}

  // OPENAT: the mode for O_CREAT / O_TMPFILE (sqe->len).
  constexpr OpenOp& mode(std::uint32_t mode) noexcept requires(!openat2) {
    f_.len = mode;
    return *this;
  }
  // OPENAT2: sizeof the caller's open_how (extensible struct; below 24 is -EINVAL).
  constexpr OpenOp& size(std::uint32_t size) noexcept requires(openat2) {
    f_.len = size;
    return *this;
  }
  // Open into a registered slot instead of a descriptor (O_CLOEXEC is then -EINVAL).
  constexpr OpenOp& dest(DestSlot dest) noexcept {
    dest_ = dest;
    return *this;
  }

  [[nodiscard]] constexpr Fd dir() const noexcept { return Fd{f_.dir}; }
  [[nodiscard]] const char* path() const noexcept { return f_.path_pointer(); }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept requires(!openat2) {
    return f_.flags;
  }
  [[nodiscard]] constexpr std::uint32_t mode() const noexcept requires(!openat2) { return f_.len; }
  [[nodiscard]] const struct open_how* how() const noexcept requires(openat2) {
    return static_cast<const struct open_how*>(pointer_from(f_.addr2));
  }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept requires(openat2) { return f_.len; }
  [[nodiscard]] constexpr DestSlot dest() const noexcept { return dest_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = f_.build(opcode);
    dest_.to_sqe(sqe);
    return sqe;
  }

  // OPENAT2's O_CLOEXEC rule reads the user's open_how, which decode cannot see.
  [[nodiscard]] static constexpr ringkit::result<OpenOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    const FieldSet unread = openat2 ? field::op_flags : field::off;
    decode_dirfd_op(d, field::buf_index | field::ioprio, unread | field::addr3 | field::pad2,
                    !openat2 || sqe.len >= open_how_size_ver0);
    const DestSlot dest = DestSlot::from_sqe(sqe);
    if (!openat2) refuse_cloexec_slot(d, dest, sqe.op_flags & o_cloexec);
    if (!d.ok()) return d.error();
    PathFields f = PathFields::from_sqe(sqe);
    if (openat2) {
      f.flags = 0;  // not read
    } else {
      f.addr2 = 0;  // not read
    }
    return OpenOp(f, dest);
  }

  friend constexpr bool operator==(const OpenOp&, const OpenOp&) noexcept = default;

 private:
  constexpr OpenOp(const PathFields& f, DestSlot dest) noexcept : f_(f), dest_(dest) {}

  PathFields f_;
  DestSlot dest_ = DestSlot::descriptor();
};

}  // namespace fs_detail

// openat(2) through the ring. The CQE's res is the new fd, or the slot with DestSlot::alloc().
using Openat = fs_detail::OpenOp<abi::Opcode::openat>;
// openat2(2): flags, mode and resolve come from a struct open_how.
using Openat2 = fs_detail::OpenOp<abi::Opcode::openat2>;

// close(2) of a descriptor, or removal of a registered file (Close::direct).
class Close {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::close;

  constexpr explicit Close(Fd fd) noexcept : fd_(fd.value) {}
  // Empties registered slot `file.index` (sqe->file_index = index + 1, fd 0).
  static constexpr Close direct(FixedFile file) noexcept {
    Close c(Fd{0});
    c.file_index_ = file.index + 1;
    return c;
  }

  [[nodiscard]] constexpr bool is_direct() const noexcept { return file_index_ != 0; }
  [[nodiscard]] constexpr Fd fd() const noexcept { return Fd{fd_}; }
  [[nodiscard]] constexpr FixedFile slot() const noexcept { return FixedFile{file_index_ - 1}; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = fd_;
    sqe.splice_fd_in = static_cast<std::int32_t>(file_index_);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Close> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::off | field::addr | field::len | field::op_flags | field::buf_index,
             KernelRule::einval);
    fs_detail::reject_fixed_file(d);
    d.require(sqe.splice_fd_in == 0 || sqe.fd == 0);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Close c(Fd{sqe.fd});
    c.file_index_ = static_cast<std::uint32_t>(sqe.splice_fd_in);
    return c;
  }

  friend constexpr bool operator==(const Close&, const Close&) noexcept = default;

 private:
  std::int32_t fd_;
  std::uint32_t file_index_ = 0;
};

// pipe2(2) through the ring (6.16): writes the two fds (or slots) to `fds`.
class Pipe {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::pipe;

  explicit Pipe(std::int32_t* fds) noexcept : fds_(address_of(fds)) {}

  // pipe2(2) flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT, O_NOTIFICATION_PIPE.
  constexpr Pipe& flags(std::uint32_t flags) noexcept {
    flags_ = flags;
    return *this;
  }
  // Install both ends as registered files: slot and slot + 1, or two allocated slots.
  constexpr Pipe& dest(DestSlot dest) noexcept {
    dest_ = dest;
    return *this;
  }

  [[nodiscard]] std::int32_t* fds() const noexcept {
    return static_cast<std::int32_t*>(pointer_from(fds_));
  }
  [[nodiscard]] constexpr std::uint32_t flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr DestSlot dest() const noexcept { return dest_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.addr = fds_;
    sqe.op_flags = flags_;
    dest_.to_sqe(sqe);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Pipe> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::fd | field::off | field::addr3, KernelRule::einval);
    d.require((sqe.op_flags & ~fs_detail::pipe_flags_known) == 0);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::len | field::buf_index | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Pipe p;
    p.fds_ = sqe.addr;
    p.flags_ = sqe.op_flags;
    p.dest_ = DestSlot::from_sqe(sqe);
    return p;
  }

  friend constexpr bool operator==(const Pipe&, const Pipe&) noexcept = default;

 private:
  constexpr Pipe() noexcept = default;

  std::uint64_t fds_ = 0;
  std::uint32_t flags_ = 0;
  DestSlot dest_ = DestSlot::descriptor();
};

// Installs a registered file as a normal descriptor (6.8); the CQE's res is the new fd.
class FixedFdInstall {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::fixed_fd_install;

  constexpr explicit FixedFdInstall(FixedFile file) noexcept : slot_(file.index) {}

  // The new descriptor is not O_CLOEXEC (IORING_FIXED_FD_NO_CLOEXEC).
  constexpr FixedFdInstall& no_cloexec() noexcept {
    flags_ |= abi::fixed_fd::no_cloexec;
    return *this;
  }

  [[nodiscard]] constexpr FixedFile file() const noexcept { return FixedFile{slot_}; }
  [[nodiscard]] constexpr std::uint32_t install_flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, FixedFile{slot_});
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<FixedFdInstall> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::off | field::addr | field::len | field::buf_index | field::splice_fd_in |
                 field::addr3,
             KernelRule::einval);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) != 0, EBADF);
    d.require((sqe.op_flags & ~abi::fixed_fd::no_cloexec) == 0);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    FixedFdInstall f(FixedFile{static_cast<std::uint32_t>(sqe.fd)});
    f.flags_ = sqe.op_flags;
    return f;
  }

  friend constexpr bool operator==(const FixedFdInstall&, const FixedFdInstall&) noexcept = default;

 private:
  std::uint32_t slot_;
  std::uint32_t flags_ = 0;
};

// Replaces `count` registered files from slot `offset` with the fds at `fds` (-1 empties a
// slot); FilesUpdate::alloc puts them in free slots and writes the slots chosen back to `fds`.
// The CQE's res is the number updated. `count` must be at least 1 (0 is -EINVAL).
class FilesUpdate {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::files_update;

  FilesUpdate(std::int32_t* fds, std::uint32_t count, std::uint32_t offset) noexcept
      : fds_(address_of(fds)), count_(count), offset_(offset) {}
  // IORING_FILE_INDEX_ALLOC as the offset.
  static FilesUpdate alloc(std::int32_t* fds, std::uint32_t count) noexcept {
    return FilesUpdate(fds, count, abi::file_index_alloc);
  }

  [[nodiscard]] std::int32_t* fds() const noexcept {
    return static_cast<std::int32_t*>(pointer_from(fds_));
  }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] constexpr std::uint32_t offset() const noexcept { return offset_; }
  [[nodiscard]] constexpr bool allocates() const noexcept {
    return offset_ == abi::file_index_alloc;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = -1;
    sqe.addr = fds_;
    sqe.len = count_;
    sqe.off = sign_extended(offset_);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<FilesUpdate> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) == 0);
    d.unused(field::op_flags | field::splice_fd_in, KernelRule::einval);
    d.require(sqe.len != 0);
    const auto offset = static_cast<std::uint32_t>(sqe.off);
    d.require_strict(sqe.off == sign_extended(offset));
    d.require_strict(sqe.fd == -1);
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::buf_index | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    FilesUpdate f;
    f.fds_ = sqe.addr;
    f.count_ = sqe.len;
    f.offset_ = offset;
    return f;
  }

  friend constexpr bool operator==(const FilesUpdate&, const FilesUpdate&) noexcept = default;

 private:
  constexpr FilesUpdate() noexcept = default;
  // liburing's (__u64)(int)offset.
  static constexpr std::uint64_t sign_extended(std::uint32_t offset) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(offset)));
  }

  std::uint64_t fds_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t offset_ = 0;
};

}  // namespace ringkit::op
