#include "ringkit/ring_options.hpp"

#include <gtest/gtest.h>

namespace ringkit {
namespace {

using namespace abi;

constexpr std::uint32_t all_flags = setup::known_flags;

RingOptions with_entries(std::uint32_t entries, std::uint32_t cq = 0, std::uint32_t flags = 0) {
  RingOptions o;
  o.entries = entries;
  o.cq_entries = cq;
  o.setup_flags = flags;
  return o;
}

void expect_error(const RingOptions& o, int errno_value, ErrorReason reason,
                  std::uint64_t detail = 0, std::uint32_t supported = all_flags) {
  const result<Params> r = validate_ring_options(o, supported);
  ASSERT_FALSE(r) << "expected " << reason_name(reason);
  EXPECT_EQ(r.error().value(), errno_value) << r.error().message();
  EXPECT_EQ(r.error().reason(), reason) << r.error().message();
  EXPECT_EQ(r.error().detail(), detail) << r.error().message();
}

TEST(RingOptions, DefaultsAreValid) {
  const result<Params> r = validate_ring_options(RingOptions{}, all_flags);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->sq_entries, 64u);
  EXPECT_EQ(r->cq_entries, 128u);  // the kernel's default: twice the SQ
  EXPECT_EQ(r->flags, 0u);
}

TEST(RingOptions, EntriesZero) { expect_error(with_entries(0), EINVAL, ErrorReason::entries_zero); }

TEST(RingOptions, EntriesNotPowerOfTwo) {
  expect_error(with_entries(100), EINVAL, ErrorReason::entries_not_power_of_two, 100);
  expect_error(with_entries(3), EINVAL, ErrorReason::entries_not_power_of_two, 3);
}

TEST(RingOptions, EntriesTooLargeUnlessClamped) {
  expect_error(with_entries(65536), EINVAL, ErrorReason::entries_too_large, 65536);
  const result<Params> clamped =
      validate_ring_options(with_entries(65536, 0, setup::clamp), all_flags);
  ASSERT_TRUE(clamped) << clamped.error().message();
  EXPECT_EQ(clamped->sq_entries, 32768u);
  EXPECT_EQ(clamped->cq_entries, 65536u);
}

TEST(RingOptions, LargestAndSmallestSizes) {
  for (std::uint32_t entries : {1u, 2u, 32768u}) {
    const result<Params> r = validate_ring_options(with_entries(entries), all_flags);
    ASSERT_TRUE(r) << entries << ": " << r.error().message();
    EXPECT_EQ(r->sq_entries, entries);
  }
}

TEST(RingOptions, CqEntriesImplyCqsize) {
  const result<Params> r = validate_ring_options(with_entries(8, 64), all_flags);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->flags, setup::cqsize);
  EXPECT_EQ(r->cq_entries, 64u);
}

TEST(RingOptions, CqsizeWithoutCqEntries) {
  expect_error(with_entries(8, 0, setup::cqsize), EINVAL, ErrorReason::cq_entries_zero);
}

TEST(RingOptions, CqEntriesBelowEntries) {
  expect_error(with_entries(16, 8), EINVAL, ErrorReason::cq_entries_below_entries, 8);
}

TEST(RingOptions, CqEntriesEqualToEntriesIsFine) {
  EXPECT_TRUE(validate_ring_options(with_entries(16, 16), all_flags));
}

TEST(RingOptions, CqEntriesNotPowerOfTwo) {
  expect_error(with_entries(16, 100), EINVAL, ErrorReason::cq_entries_not_power_of_two, 100);
}

TEST(RingOptions, CqEntriesTooLargeUnlessClamped) {
  expect_error(with_entries(16, 131072), EINVAL, ErrorReason::cq_entries_too_large, 131072);
  const result<Params> r = validate_ring_options(with_entries(16, 131072, setup::clamp), all_flags);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->cq_entries, 65536u);
}

TEST(RingOptions, UnknownSetupFlags) {
  expect_error(with_entries(8, 0, 1u << 19), EINVAL, ErrorReason::setup_flags_unknown, 1u << 19);
  expect_error(with_entries(8, 0, 1u << 31 | setup::iopoll), EINVAL,
               ErrorReason::setup_flags_unknown, 1u << 31);
}

TEST(RingOptions, FlagCombinationsTheKernelRejects) {
  expect_error(with_entries(8, 0, setup::sq_aff), EINVAL, ErrorReason::sq_aff_without_sqpoll);
  expect_error(with_entries(8, 0, setup::sqpoll | setup::coop_taskrun), EINVAL,
               ErrorReason::sqpoll_with_taskrun_mode);
  expect_error(with_entries(8, 0, setup::sqpoll | setup::defer_taskrun | setup::single_issuer),
               EINVAL, ErrorReason::sqpoll_with_taskrun_mode);
  expect_error(with_entries(8, 0, setup::taskrun_flag), EINVAL,
               ErrorReason::taskrun_flag_without_taskrun_mode);
  expect_error(with_entries(8, 0, setup::defer_taskrun), EINVAL,
               ErrorReason::defer_taskrun_without_single_issuer);
  expect_error(with_entries(8, 0, setup::hybrid_iopoll), EINVAL,
               ErrorReason::hybrid_iopoll_without_iopoll);
  expect_error(with_entries(8, 0, setup::cqe32 | setup::cqe_mixed), EINVAL,
               ErrorReason::cqe32_with_cqe_mixed);
  expect_error(with_entries(8, 0, setup::registered_fd_only), EINVAL,
               ErrorReason::registered_fd_only_without_no_mmap);
  expect_error(with_entries(8, 0, setup::attach_wq), EBADF, ErrorReason::attach_wq_without_fd);
}

TEST(RingOptions, FlagCombinationsTheKernelAccepts) {
  for (std::uint32_t flags :
       {setup::sqpoll | setup::sq_aff, setup::coop_taskrun | setup::taskrun_flag,
        setup::defer_taskrun | setup::single_issuer | setup::taskrun_flag,
        setup::iopoll | setup::hybrid_iopoll, setup::sqe128 | setup::cqe32,
        setup::no_mmap | setup::registered_fd_only, setup::submit_all | setup::r_disabled,
        setup::no_sqarray, setup::cqe_mixed}) {
    const result<Params> r = validate_ring_options(with_entries(8, 0, flags), all_flags);
    EXPECT_TRUE(r) << std::hex << flags << ": " << r.error().message();
  }
}

TEST(RingOptions, UnsupportedFlagNamesTheLowestOne) {
  expect_error(with_entries(8, 0, setup::sqpoll | setup::iopoll), ENOSYS,
               ErrorReason::setup_flag_unsupported, setup::iopoll, /*supported=*/0);
  const result<Params> r = validate_ring_options(with_entries(8, 0, setup::sqpoll), 0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == std::errc::function_not_supported);
  EXPECT_NE(r.error().message().find("IORING_SETUP_SQPOLL"), std::string::npos);
}

TEST(RingOptions, InvalidBeatsUnsupported) {
  // A wrong option is reported as wrong even where the backend lacks the flag too.
  expect_error(with_entries(0, 0, setup::sqpoll), EINVAL, ErrorReason::entries_zero, 0, 0);
}

TEST(RingOptions, ThreadAndWorkQueueOptionsReachTheParams) {
  RingOptions o = with_entries(8, 0, setup::sqpoll | setup::sq_aff | setup::attach_wq);
  o.sq_thread_cpu = 1;
  o.sq_thread_idle_ms = 250;
  o.attach_wq_fd = 5;
  const result<Params> r = validate_ring_options(o, all_flags);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->sq_thread_cpu, 1u);
  EXPECT_EQ(r->sq_thread_idle, 250u);
  EXPECT_EQ(r->wq_fd, 5u);
}

}  // namespace
}  // namespace ringkit
