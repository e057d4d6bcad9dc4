// IORING_OP_TIMEOUT (5.4), IORING_OP_TIMEOUT_REMOVE (5.5; update 5.11), IORING_OP_LINK_TIMEOUT
// (5.5). The timespec is held by pointer (sqe->addr, or addr2 for an update) and read at prep.
//
// Kernel rules (io_uring/timeout.c, Linux 6.18):
//   __io_timeout_prep (TIMEOUT and LINK_TIMEOUT): buf_index or splice_fd_in non-zero, or
//   len != 1, is -EINVAL; off non-zero on a LINK_TIMEOUT is -EINVAL; timeout_flags beyond ABS,
//   BOOTTIME, REALTIME, ETIME_SUCCESS, MULTISHOT are -EINVAL; both clocks are -EINVAL;
//   MULTISHOT with ABS is -EINVAL. off is read as a u32 (its high half is ignored). fd, ioprio,
//   addr3, pad2 are never read. (Negative tv_sec/tv_nsec is -EINVAL and an unreadable
//   timespec -EFAULT: both depend on memory, not on the SQE bytes, so decode does not check.)
//   io_timeout_remove_prep: IOSQE_FIXED_FILE (or BUFFER_SELECT) is -EINVAL; buf_index, len or
//   splice_fd_in non-zero is -EINVAL; with UPDATE or LINK_TIMEOUT_UPDATE only those two and ABS
//   are allowed (so no clock flag), otherwise timeout_flags must be 0. addr2 is read only for an
//   update. LINK_TIMEOUT_UPDATE without UPDATE removes (io_timeout_remove tests UPDATE), so
//   strict decode refuses it. fd, ioprio, addr3, pad2 are never read.
// liburing 2.3 (io_uring_prep_timeout / timeout_remove / timeout_update / link_timeout) writes
// fd = -1 and len = 1: the canonical form here.
#pragma once

#include <bit>

#include "ringkit/abi/enter.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

namespace detail {

// TIMEOUT and LINK_TIMEOUT: a timespec (addr), its clock and mode in timeout_flags, len 1;
// TIMEOUT also has a completion count in off (0 for LINK_TIMEOUT, whose prep refuses it).
template <abi::Opcode Op>
class TimeoutOp {
  static constexpr bool link = Op == abi::Opcode::link_timeout;

 public:
  static constexpr abi::Opcode opcode = Op;

  // TIMEOUT: completes with -ETIME when `ts` (relative, CLOCK_MONOTONIC) has passed.
  // LINK_TIMEOUT: cancels the previous SQE of the link chain when `ts` passes first.
  explicit TimeoutOp(const abi::KernelTimespec* ts) noexcept : ts_(address_of(ts)) {}
  // TIMEOUT: fires every `ts` (IORING_TIMEOUT_MULTISHOT, 6.4); `repeats` times, or forever when
  // 0. The kernel refuses it with absolute().
  [[nodiscard]] static TimeoutOp multishot(const abi::KernelTimespec* ts,
                                           std::uint32_t repeats = 0) noexcept requires(!link) {
    TimeoutOp t(ts);
    t.flags_ = abi::timeout::multishot;
    t.count_ = repeats;
    return t;
  }

  // TIMEOUT: also completes (with res 0) once `completions` other CQEs were posted (sqe->off).
  // For a multishot timeout, the number of repeats.
  constexpr TimeoutOp& count(std::uint32_t completions) noexcept requires(!link) {
    count_ = completions;
    return *this;
  }
  // `ts` is an absolute time (IORING_TIMEOUT_ABS).
  constexpr TimeoutOp& absolute() noexcept {
    flags_ |= abi::timeout::abs;
    return *this;
  }
  // CLOCK_BOOTTIME instead of CLOCK_MONOTONIC (5.15).
  constexpr TimeoutOp& boottime() noexcept {
    flags_ = (flags_ & ~abi::timeout::clock_mask) | abi::timeout::boottime;
    return *this;
  }
  // CLOCK_REALTIME instead of CLOCK_MONOTONIC (5.15).
  constexpr TimeoutOp& realtime() noexcept {
    flags_ = (flags_ & ~abi::timeout::clock_mask) | abi::timeout::realtime;
    return *this;
  }
  // Completing with -ETIME does not fail a link chain (IORING_TIMEOUT_ETIME_SUCCESS, 5.16).
  constexpr TimeoutOp& etime_success() noexcept {
    flags_ |= abi::timeout::etime_success;
    return *this;
  }

  [[nodiscard]] abi::KernelTimespec* timespec() const noexcept {
    return static_cast<abi::KernelTimespec*>(pointer_from(ts_));
  }
  [[nodiscard]] constexpr std::uint64_t timespec_address() const noexcept { return ts_; }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept requires(!link) { return count_; }
  [[nodiscard]] constexpr std::uint32_t timeout_flags() const noexcept { return flags_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = -1;
    sqe.addr = ts_;
    sqe.len = 1;
    sqe.off = count_;
    sqe.op_flags = flags_;
    return sqe;
  }

  // __io_timeout_prep, for both.
  [[nodiscard]] static constexpr ringkit::result<TimeoutOp> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.unused(field::buf_index | field::splice_fd_in, KernelRule::einval);
    d.require(sqe.len == 1);
    const std::uint32_t f = sqe.op_flags;
    constexpr std::uint32_t known = abi::timeout::abs | abi::timeout::clock_mask |
                                    abi::timeout::etime_success | abi::timeout::multishot;
    d.require((f & ~known) == 0);
    d.require(std::popcount(f & abi::timeout::clock_mask) <= 1);
    d.require((~f & (abi::timeout::multishot | abi::timeout::abs)) != 0);
    d.require_strict((sqe.off >> 32) == 0);  // read as a u32
    d.require_strict(sqe.fd == -1);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (link) {
      d.require(static_cast<std::uint32_t>(sqe.off) == 0);  // "off && is_timeout_link"
      // MULTISHOT passes prep but means nothing for a linked timeout.
      d.require_strict((f & abi::timeout::multishot) == 0);
    }
    if (!d.ok()) return d.error();
    TimeoutOp t;
    t.ts_ = sqe.addr;
    t.count_ = static_cast<std::uint32_t>(sqe.off);
    t.flags_ = f;
    return t;
  }

  friend constexpr bool operator==(const TimeoutOp&, const TimeoutOp&) noexcept = default;

 private:
  constexpr TimeoutOp() noexcept = default;
  std::uint64_t ts_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t flags_ = 0;
};

}  // namespace detail

using Timeout = detail::TimeoutOp<abi::Opcode::timeout>;
using LinkTimeout = detail::TimeoutOp<abi::Opcode::link_timeout>;

class TimeoutRemove {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::timeout_remove;

  // Cancels the TIMEOUT whose user_data is `target` (it completes with -ECANCELED).
  constexpr explicit TimeoutRemove(std::uint64_t target) noexcept : target_(target) {}
  // Re-arms the TIMEOUT `target` with `ts` instead (IORING_TIMEOUT_UPDATE, 5.11).
  [[nodiscard]] static TimeoutRemove update(std::uint64_t target, const abi::KernelTimespec* ts,
                                            bool absolute = false) noexcept {
    TimeoutRemove t(target);
    t.flags_ = abi::timeout::update | (absolute ? abi::timeout::abs : 0u);
    t.ts_ = address_of(ts);
    return t;
  }
  // Re-arms the LINK_TIMEOUT `target` with `ts` (IORING_LINK_TIMEOUT_UPDATE, 5.15).
  [[nodiscard]] static TimeoutRemove update_link(std::uint64_t target,
                                                 const abi::KernelTimespec* ts,
                                                 bool absolute = false) noexcept {
    TimeoutRemove t = update(target, ts, absolute);
    t.flags_ |= abi::timeout::link_timeout_update;
    return t;
  }

  [[nodiscard]] constexpr std::uint64_t target() const noexcept { return target_; }
  [[nodiscard]] constexpr bool is_update() const noexcept { return flags_ & abi::timeout::update; }
  [[nodiscard]] constexpr std::uint32_t timeout_flags() const noexcept { return flags_; }
  [[nodiscard]] abi::KernelTimespec* timespec() const noexcept {
    return static_cast<abi::KernelTimespec*>(pointer_from(ts_));
  }
  [[nodiscard]] constexpr std::uint64_t timespec_address() const noexcept { return ts_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = -1;
    sqe.addr = target_;
    sqe.off = ts_;
    sqe.op_flags = flags_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<TimeoutRemove> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    d.op_flags_allowed(0);
    d.require((sqe.flags & abi::sqe_flag::fixed_file) == 0);
    d.unused(field::buf_index | field::len | field::splice_fd_in, KernelRule::einval);
    const std::uint32_t f = sqe.op_flags;
    if (f & abi::timeout::update_mask) {
      d.require((f & ~(abi::timeout::update_mask | abi::timeout::abs)) == 0);
      d.require_strict(f & abi::timeout::update);
    } else {
      d.require(f == 0);
      d.unused(field::off, KernelRule::ignores);
    }
    d.require_strict(sqe.fd == -1);
    d.unused(field::ioprio | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    TimeoutRemove t(sqe.addr);
    t.flags_ = f;
    t.ts_ = sqe.off;
    return t;
  }

  friend constexpr bool operator==(const TimeoutRemove&, const TimeoutRemove&) noexcept = default;

 private:
  std::uint64_t target_;
  std::uint64_t ts_ = 0;
  std::uint32_t flags_ = 0;
};

}  // namespace ringkit::op
