// IORING_OP_ASYNC_CANCEL (5.5; by fd/any/all 5.19, by opcode 6.6) and IORING_OP_MSG_RING (5.18).
//
// Kernel rules, Linux 6.18:
//   io_async_cancel_prep (io_uring/cancel.c): BUFFER_SELECT is -EINVAL (io_init_req answers it
//   with -EOPNOTSUPP first); off or splice_fd_in non-zero is -EINVAL; cancel_flags beyond
//   ALL|FD|ANY|FD_FIXED|USERDATA|OP are -EINVAL; FD with ANY, or OP with ANY, is -EINVAL. fd is
//   read only with FD, len only with OP; addr is matched only when matching on user_data (no FD,
//   OP or ANY, or USERDATA). ioprio, buf_index, addr3, pad2 are never read, nor is
//   IOSQE_FIXED_FILE rejected (the fixed form is CANCEL_FD_FIXED). 6.18 takes any len with OP;
//   a later fix refuses len >= IORING_OP_LAST, which only strict decode enforces here.
//   io_msg_ring_prep (io_uring/msg_ring.c): buf_index or personality non-zero is -EINVAL;
//   msg_ring_flags beyond CQE_SKIP|FLAGS_PASS are -EINVAL. At issue (io_msg_ring, deterministic
//   from the bytes, so decode checks them too): addr (the command) other than MSG_DATA or
//   MSG_SEND_FD is -EINVAL; MSG_DATA: addr3 non-zero, CQE_SKIP, or file_index without
//   FLAGS_PASS is -EINVAL (__io_msg_ring_data); MSG_SEND_FD: len non-zero is -EINVAL
//   (io_msg_send_fd), file_index 0 is -EINVAL (__io_fixed_fd_install's slot - 1), FLAGS_PASS is
//   ignored, and addr3 is read as a u32. Both rings' CQEs carry __io_fixed_fd_install's answer:
//   the slot with IORING_FILE_INDEX_ALLOC, 0 for an explicit slot. MSG_SEND_FD to the sending
//   ring itself is -EINVAL. ioprio and pad2 are never read.
//   The file is the target ring; any file that is not an io_uring is -EBADFD (io_msg_ring).
//   IOSQE_FIXED_FILE is accepted but can never name a ring: the file table refuses io_uring
//   files (registering or installing one is -EBADF), and a registered ring fd
//   (IORING_REGISTER_RING_FDS) lives in another table that only io_uring_enter reads. So a slot
//   holding a file answers -EBADFD, an empty or out-of-range slot -EBADF.
// liburing 2.3: io_uring_prep_cancel64 / cancel / cancel_fd (fd = -1 unless by fd) and
// io_uring_prep_msg_ring (MSG_DATA only).
#pragma once

#include "ringkit/abi/opcode.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

class AsyncCancel {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::async_cancel;

  // Cancels the request whose user_data is `target`.
  constexpr explicit AsyncCancel(std::uint64_t target) noexcept : target_(target) {}
  // Cancels a request on `file` (IORING_ASYNC_CANCEL_FD; FD_FIXED for a registered file).
  [[nodiscard]] static constexpr AsyncCancel by_fd(FileRef file) noexcept {
    AsyncCancel c(0);
    c.flags_ = abi::async_cancel::fd | (file.fixed() ? abi::async_cancel::fd_fixed : 0u);
    c.fd_ = file.raw();
    return c;
  }
  // Cancels a request with opcode `op` (IORING_ASYNC_CANCEL_OP, 6.6).
  [[nodiscard]] static constexpr AsyncCancel by_opcode(abi::Opcode op) noexcept {
    AsyncCancel c(0);
    c.flags_ = abi::async_cancel::op;
    c.op_ = static_cast<std::uint32_t>(op);
    return c;
  }
  // Cancels every request (IORING_ASYNC_CANCEL_ANY).
  [[nodiscard]] static constexpr AsyncCancel any() noexcept {
    AsyncCancel c(0);
    c.flags_ = abi::async_cancel::any;
    return c;
  }

  // Every match, not just the first; res is the count (IORING_ASYNC_CANCEL_ALL).
  constexpr AsyncCancel& all() noexcept {
    flags_ |= abi::async_cancel::all;
    return *this;
  }
  // Also requires the file to match. On a builder matching by user_data, both must match
  // (IORING_ASYNC_CANCEL_USERDATA); any() is replaced.
  constexpr AsyncCancel& match_fd(FileRef file) noexcept {
    add_criterion(abi::async_cancel::fd | (file.fixed() ? abi::async_cancel::fd_fixed : 0u));
    fd_ = file.raw();
    return *this;
  }
  // Also requires the opcode to match (6.6), as match_fd() does.
  constexpr AsyncCancel& match_opcode(abi::Opcode op) noexcept {
    add_criterion(abi::async_cancel::op);
    op_ = static_cast<std::uint32_t>(op);
    return *this;
  }
  // Also requires user_data to match (IORING_ASYNC_CANCEL_USERDATA, 6.6; replaces any()).
  constexpr AsyncCancel& match_user_data(std::uint64_t target) noexcept {
    if (flags_ & (abi::async_cancel::fd | abi::async_cancel::op)) {
      flags_ |= abi::async_cancel::userdata;
    }
    flags_ &= ~abi::async_cancel::any;
    target_ = target;
    return *this;
  }

  [[nodiscard]] constexpr std::uint32_t cancel_flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr std::uint64_t target() const noexcept { return target_; }
  [[nodiscard]] constexpr bool by_file() const noexcept { return flags_ & abi::async_cancel::fd; }
  [[nodiscard]] constexpr FileRef file() const noexcept {
    return (flags_ & abi::async_cancel::fd_fixed)
               ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_)})
               : FileRef(Fd{fd_});
  }
  [[nodiscard]] constexpr abi::Opcode target_opcode() const noexcept {
    return static_cast<abi::Opcode>(op_);
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = fd_;
    sqe.addr = target_;
    sqe.len = op_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<AsyncCancel> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    namespace ac = abi::async_cancel;
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::off | field::splice_fd_in, KernelRule::einval);
    const std::uint32_t f = sqe.op_flags;
    d.require((f & ~(ac::all | ac::fd | ac::any | ac::fd_fixed | ac::userdata | ac::op)) == 0);
    d.require(!((f & ac::fd) && (f & ac::any)));
    d.require(!((f & ac::op) && (f & ac::any)));
    if (f & ac::fd) {
      // fd is the descriptor or slot
    } else {
      d.require_strict(sqe.fd == -1);
      d.require_strict((f & ac::fd_fixed) == 0);
    }
    if (f & ac::op) {
      d.require_strict(sqe.len < abi::opcode_count);
    } else {
      d.unused(field::len, KernelRule::ignores);
    }
    const bool by_user_data = (f & ac::userdata) || !(f & (ac::fd | ac::op | ac::any));
    if (!by_user_data) d.unused(field::addr, KernelRule::ignores);
    // USERDATA is written only next to FD or OP (alone it is the default).
    if (f & ac::userdata) d.require_strict(f & (ac::fd | ac::op));
    d.unused(field::ioprio | field::buf_index | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    AsyncCancel c(sqe.addr);
    c.flags_ = f;
    c.fd_ = sqe.fd;
    c.op_ = sqe.len;
    return c;
  }

  friend constexpr bool operator==(const AsyncCancel&, const AsyncCancel&) noexcept = default;

 private:
  constexpr void add_criterion(std::uint32_t bits) noexcept {
    namespace ac = abi::async_cancel;
    // A builder matching by user_data keeps that criterion explicitly.
    if (!(flags_ & (ac::fd | ac::op | ac::any))) flags_ |= ac::userdata;
    flags_ &= ~ac::any;
    if (bits & ac::fd) flags_ &= ~ac::fd_fixed;
    flags_ |= bits;
  }

  std::uint64_t target_;
  std::uint32_t flags_ = 0;
  std::int32_t fd_ = -1;
  std::uint32_t op_ = 0;
};

class MsgRing {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::msg_ring;

  // Posts a CQE in the ring `ring` with res = `res` and user_data = `user_data` (MSG_DATA).
  // `ring` must be a plain fd: a FixedFile never names a ring (-EBADFD or -EBADF, see above).
  constexpr MsgRing(FileRef ring, std::uint32_t res, std::uint64_t user_data) noexcept
      : ring_(ring), len_(res), user_data_(user_data) {}
  // Installs this ring's registered file `source` in another ring's file table at `dest` (a slot
  // or DestSlot::alloc(); not descriptor(), -EINVAL) and posts a CQE there with user_data =
  // `user_data` (MSG_SEND_FD, 6.0). Its res, and the sender's, is the slot chosen only with
  // DestSlot::alloc(); with an explicit slot both are 0.
  [[nodiscard]] static constexpr MsgRing send_fd(FileRef ring, FixedFile source, DestSlot dest,
                                                 std::uint64_t user_data) noexcept {
    MsgRing m(ring, 0, user_data);
    m.command_ = abi::msg_ring::send_fd;
    m.source_ = source.index;
    m.file_index_ = dest.encoded();
    return m;
  }

  // MSG_DATA: the target CQE's flags are `flags` (IORING_MSG_RING_FLAGS_PASS, 6.3).
  constexpr MsgRing& cqe_flags(std::uint32_t flags) noexcept {
    flags_ |= abi::msg_ring::flags_pass;
    file_index_ = flags;
    return *this;
  }
  // MSG_SEND_FD: post no CQE in the target ring (IORING_MSG_RING_CQE_SKIP).
  constexpr MsgRing& skip_target_cqe() noexcept {
    flags_ |= abi::msg_ring::cqe_skip;
    return *this;
  }

  [[nodiscard]] constexpr FileRef ring() const noexcept { return ring_; }
  [[nodiscard]] constexpr std::uint64_t command() const noexcept { return command_; }
  [[nodiscard]] constexpr std::uint32_t res() const noexcept { return len_; }
  [[nodiscard]] constexpr std::uint64_t target_user_data() const noexcept { return user_data_; }
  [[nodiscard]] constexpr std::uint32_t msg_ring_flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr std::uint32_t cqe_flags() const noexcept { return file_index_; }
  [[nodiscard]] constexpr FixedFile source() const noexcept {
    return FixedFile{static_cast<std::uint32_t>(source_)};
  }
  [[nodiscard]] constexpr DestSlot dest() const noexcept {
    return DestSlot::from_encoded(file_index_);
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, ring_);
    sqe.addr = command_;
    sqe.len = len_;
    sqe.off = user_data_;
    sqe.op_flags = flags_;
    sqe.addr3 = source_;
    sqe.splice_fd_in = static_cast<std::int32_t>(file_index_);
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<MsgRing> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    namespace mr = abi::msg_ring;
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::buf_index, KernelRule::einval);
    d.require(sqe.personality == 0);  // io_msg_ring_prep reads it (the only op that does)
    const std::uint32_t f = sqe.op_flags;
    d.require((f & ~(mr::cqe_skip | mr::flags_pass)) == 0);
    d.require(sqe.addr == mr::data || sqe.addr == mr::send_fd);
    const auto file_index = static_cast<std::uint32_t>(sqe.splice_fd_in);
    if (sqe.addr == mr::data) {
      d.unused(field::addr3, KernelRule::einval);
      d.require((f & mr::cqe_skip) == 0);
      if (!(f & mr::flags_pass)) d.unused(field::splice_fd_in, KernelRule::einval);
    } else if (sqe.addr == mr::send_fd) {
      d.unused(field::len, KernelRule::einval);
      d.require(file_index != 0);
      d.require_strict((f & mr::flags_pass) == 0);
      d.require_strict((sqe.addr3 >> 32) == 0);  // src_fd is a u32
    }
    d.unused(field::ioprio | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    MsgRing m(FileRef::from_sqe(sqe), sqe.len, sqe.off);
    m.command_ = sqe.addr;
    m.flags_ = f;
    m.source_ = sqe.addr3;
    m.file_index_ = file_index;
    return m;
  }

  friend constexpr bool operator==(const MsgRing&, const MsgRing&) noexcept = default;

 private:
  FileRef ring_;
  std::uint32_t len_;
  std::uint64_t user_data_;
  std::uint64_t command_ = abi::msg_ring::data;
  std::uint32_t flags_ = 0;
  std::uint64_t source_ = 0;
  std::uint32_t file_index_ = 0;
};

}  // namespace ringkit::op
