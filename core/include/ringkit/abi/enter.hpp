// io_uring_enter(2): flags and the extended-argument structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

// io_uring_enter(2) flags (IORING_ENTER_*).
namespace enter_flag {
inline constexpr std::uint32_t getevents = 1u << 0;        // wait for min_complete CQEs
inline constexpr std::uint32_t sq_wakeup = 1u << 1;        // wake the SQPOLL thread
inline constexpr std::uint32_t sq_wait = 1u << 2;          // wait for SQ space (SQPOLL)
inline constexpr std::uint32_t ext_arg = 1u << 3;          // arg is a GeteventsArg
inline constexpr std::uint32_t registered_ring = 1u << 4;  // fd is a registered ring index
// 6.12: GeteventsArg::ts is an absolute time of the registered clock.
inline constexpr std::uint32_t abs_timer = 1u << 5;
// 6.13: arg is an offset into the registered wait region (RegWait entries).
inline constexpr std::uint32_t ext_arg_reg = 1u << 6;
// 6.15: do not count the wait as iowait.
inline constexpr std::uint32_t no_iowait = 1u << 7;

inline constexpr std::uint32_t known_flags = getevents | sq_wakeup | sq_wait | ext_arg |
                                             registered_ring | abs_timer | ext_arg_reg | no_iowait;
static_assert(known_flags == 0xffu);
}  // namespace enter_flag

// struct __kernel_timespec: 64-bit seconds on every architecture.
struct KernelTimespec {
  std::int64_t tv_sec;
  std::int64_t tv_nsec;

  constexpr bool operator==(const KernelTimespec&) const noexcept = default;
};
static_assert(sizeof(KernelTimespec) == 16);
static_assert(std::is_trivially_copyable_v<KernelTimespec>);

// struct io_uring_getevents_arg: the argument with enter_flag::ext_arg.
struct GeteventsArg {
  std::uint64_t sigmask;        // sigset_t*, or 0
  std::uint32_t sigmask_sz;     // _NSIG / 8
  std::uint32_t min_wait_usec;  // 6.12 (feature::min_timeout); pad before
  std::uint64_t ts;             // KernelTimespec*, or 0

  constexpr bool operator==(const GeteventsArg&) const noexcept = default;
};
static_assert(sizeof(GeteventsArg) == 24);
static_assert(offsetof(GeteventsArg, sigmask_sz) == 8 &&
              offsetof(GeteventsArg, min_wait_usec) == 12 && offsetof(GeteventsArg, ts) == 16);
static_assert(std::is_trivially_copyable_v<GeteventsArg>);

// RegWait::flags (IORING_REG_WAIT_*). 6.13.
namespace reg_wait_flag {
inline constexpr std::uint32_t ts = 1u << 0;  // RegWait::ts is valid
}  // namespace reg_wait_flag

// 6.13: struct io_uring_reg_wait, one entry of a wait region registered with
// IORING_REGISTER_MEM_REGION (mem_region::reg_wait_arg); enter_flag::ext_arg_reg selects one.
struct RegWait {
  KernelTimespec ts;
  std::uint32_t min_wait_usec;
  std::uint32_t flags;  // reg_wait_flag::*
  std::uint64_t sigmask;
  std::uint32_t sigmask_sz;
  std::uint32_t pad[3];
  std::uint64_t pad2[2];

  constexpr bool operator==(const RegWait&) const noexcept = default;
};
static_assert(sizeof(RegWait) == 64);
static_assert(offsetof(RegWait, min_wait_usec) == 16 && offsetof(RegWait, flags) == 20 &&
              offsetof(RegWait, sigmask) == 24 && offsetof(RegWait, sigmask_sz) == 32 &&
              offsetof(RegWait, pad) == 36 && offsetof(RegWait, pad2) == 48);
static_assert(std::is_standard_layout_v<RegWait> && std::is_trivially_copyable_v<RegWait>);

}  // namespace ringkit::abi
