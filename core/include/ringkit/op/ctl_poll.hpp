// IORING_OP_POLL_ADD (5.1) and IORING_OP_POLL_REMOVE (5.1; update form 5.13).
//
// Kernel rules (io_uring/poll.c, Linux 6.18):
//   io_poll_add_prep: buf_index, off or addr non-zero is -EINVAL; len (the command flags) may hold
//   only IORING_POLL_ADD_MULTI, anything else is -EINVAL -- including IORING_POLL_ADD_LEVEL,
//   which the uapi header defines but io_poll_add_prep rejects, so no builder offers it;
//   ADD_MULTI together with IOSQE_CQE_SKIP_SUCCESS is -EINVAL. poll32_events is taken as is
//   (io_poll_parse_events). ioprio, splice_fd_in, addr3 and pad2 are never read. Takes a file
//   (IOSQE_FIXED_FILE allowed).
//   io_poll_remove_prep: buf_index or splice_fd_in non-zero is -EINVAL; len may hold only
//   UPDATE_EVENTS, UPDATE_USER_DATA and ADD_MULTI, and ADD_MULTI alone is -EINVAL; off (the new
//   user_data) non-zero without UPDATE_USER_DATA is -EINVAL; poll32_events non-zero without
//   UPDATE_EVENTS is -EINVAL. fd, ioprio, addr3 and pad2 are never read. At issue an update
//   replaces only the target's low 16 event bits ("keep behavior flags"), so ADD_MULTI in an
//   update changes nothing: a oneshot poll stays oneshot and a multishot one stays multishot.
// liburing 2.3 (io_uring_prep_poll_add / poll_multishot / poll_remove / poll_update) writes
// fd = -1 for POLL_REMOVE: the canonical form here.
#pragma once

#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

class PollAdd {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::poll_add;

  // One completion when `file` has any of `events` (POLLIN, POLLOUT, ...; edge-triggered).
  constexpr PollAdd(FileRef file, std::uint32_t events) noexcept : file_(file), events_(events) {}
  // A completion (with cqe_flag::more) each time `file` becomes ready (IORING_POLL_ADD_MULTI).
  [[nodiscard]] static constexpr PollAdd multishot(FileRef file, std::uint32_t events) noexcept {
    PollAdd p(file, events);
    p.command_ = abi::poll::add_multi;
    return p;
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return file_; }
  [[nodiscard]] constexpr std::uint32_t events() const noexcept { return events_; }
  [[nodiscard]] constexpr bool is_multishot() const noexcept {
    return command_ & abi::poll::add_multi;
  }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode, file_);
    sqe.op_flags = events_;
    sqe.len = command_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<PollAdd> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(abi::sqe_flag::fixed_file);
    d.unused(field::buf_index | field::off | field::addr, KernelRule::einval);
    d.require((sqe.len & ~abi::poll::add_multi) == 0);
    d.require(!((sqe.len & abi::poll::add_multi) && (sqe.flags & abi::sqe_flag::cqe_skip_success)));
    d.unused(field::ioprio | field::splice_fd_in | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    PollAdd p(FileRef::from_sqe(sqe), sqe.op_flags);
    p.command_ = sqe.len;
    return p;
  }

  friend constexpr bool operator==(const PollAdd&, const PollAdd&) noexcept = default;

 private:
  FileRef file_;
  std::uint32_t events_;
  std::uint32_t command_ = 0;
};

class PollRemove {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::poll_remove;

  // Cancels the POLL_ADD whose user_data is `target` (it completes with -ECANCELED).
  constexpr explicit PollRemove(std::uint64_t target) noexcept : target_(target) {}

  // Updates the poll instead (IORING_POLL_UPDATE_EVENTS) and re-arms it, checking the new mask
  // against the file at once. Only the low 16 event bits are replaced; the poll keeps the
  // behaviour bits it was added with (io_poll_remove: EPOLLONESHOT, EPOLLET), so an update can
  // never switch a poll between oneshot and multishot. `multishot` only sets
  // IORING_POLL_ADD_MULTI in the command, which the kernel accepts and then ignores here.
  constexpr PollRemove& update_events(std::uint32_t events, bool multishot = false) noexcept {
    command_ |= abi::poll::update_events;
    if (multishot) command_ |= abi::poll::add_multi;
    events_ = events;
    return *this;
  }
  // Updates the poll's user_data (IORING_POLL_UPDATE_USER_DATA).
  constexpr PollRemove& update_user_data(std::uint64_t new_user_data) noexcept {
    command_ |= abi::poll::update_user_data;
    new_user_data_ = new_user_data;
    return *this;
  }

  [[nodiscard]] constexpr std::uint64_t target() const noexcept { return target_; }
  [[nodiscard]] constexpr std::uint32_t command() const noexcept { return command_; }
  [[nodiscard]] constexpr bool is_update() const noexcept {
    return command_ & (abi::poll::update_events | abi::poll::update_user_data);
  }
  [[nodiscard]] constexpr std::uint32_t update_events() const noexcept { return events_; }
  [[nodiscard]] constexpr std::uint64_t update_user_data() const noexcept { return new_user_data_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = -1;
    sqe.addr = target_;
    sqe.off = new_user_data_;
    sqe.len = command_;
    sqe.op_flags = events_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<PollRemove> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::buf_index | field::splice_fd_in, KernelRule::einval);
    constexpr std::uint32_t known =
        abi::poll::update_events | abi::poll::update_user_data | abi::poll::add_multi;
    const std::uint32_t c = sqe.len;
    d.require((c & ~known) == 0);
    d.require(c != abi::poll::add_multi);  // "meaningless without update"
    if (!(c & abi::poll::update_user_data)) d.unused(field::off, KernelRule::einval);
    if (!(c & abi::poll::update_events)) d.unused(field::op_flags, KernelRule::einval);
    // ADD_MULTI is built only with update_events (the kernel also takes it with a user_data
    // update alone, where it means nothing).
    if (c & abi::poll::add_multi) d.require_strict(c & abi::poll::update_events);
    d.require_strict(sqe.fd == -1);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    PollRemove p(sqe.addr);
    p.command_ = c;
    p.events_ = sqe.op_flags;
    p.new_user_data_ = sqe.off;
    return p;
  }

  friend constexpr bool operator==(const PollRemove&, const PollRemove&) noexcept = default;

 private:
  std::uint64_t target_;
  std::uint64_t new_user_data_ = 0;
  std::uint32_t command_ = 0;
  std::uint32_t events_ = 0;
};

}  // namespace ringkit::op
