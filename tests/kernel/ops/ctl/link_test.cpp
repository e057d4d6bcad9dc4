// Submission rules on the running kernel: IOSQE_IO_LINK and IOSQE_IO_HARDLINK chains,
// IORING_OP_LINK_TIMEOUT, IOSQE_IO_DRAIN and IOSQE_CQE_SKIP_SUCCESS.
#include "ctl_script.hpp"

namespace ringkit {
namespace {

using namespace abi;
using namespace testing;

constexpr std::uint8_t link = sqe_flag::io_link;
constexpr std::uint8_t hardlink = sqe_flag::io_hardlink;
constexpr std::uint8_t skip = sqe_flag::cqe_skip_success;
constexpr std::uint8_t skip_link = link | skip;

Sqe nop(std::uint64_t user_data, std::uint8_t flags = 0) {
  return with_user_data(op::Nop(), user_data, flags);
}

const ScriptCase link_cases[] = {
    {"SuccessfulChainRunsInOrder",
     {submit({nop(1, link), nop(2, link), nop(3)}),
      reap_in_order({{1, 0, 0}, {2, 0, 0}, {3, 0, 0}})}},
    // The SQE after the last linked one (5) is not part of the chain.
    {"FailureCancelsTheRestOfTheChain",
     {submit([](ScriptEnv& e) -> Sqes {
        return {nop(1, link), e.failing_write(2, link), nop(3, link), nop(4), nop(5)};
      }),
      reap_in_any_order(
          {{1, 0, 0}, {2, -EBADF, 0}, {3, -ECANCELED, 0}, {4, -ECANCELED, 0}, {5, 0, 0}})}},
    {"InjectedNopErrorFailsTheChain",
     {submit({with_user_data(op::Nop().inject_result(-EIO), 1, link), nop(2)}),
      reap_in_any_order({{1, -EIO, 0}, {2, -ECANCELED, 0}})},
     KernelVersion{6, 10}},
    {"ShortReadBreaksTheChain",
     {write_pipe("abc"), submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link), nop(2)};
      }),
      reap_in_any_order({{1, 3, 0}, {2, -ECANCELED, 0}}), buffer_holds(0, "abc")}},
    {"FullReadKeepsTheChainGoing",
     {write_pipe("abcd"), submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link, 4), nop(2)};
      }),
      reap_in_order({{1, 4, 0}, {2, 0, 0}})}},
    {"HardlinkContinuesPastFailures",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.failing_write(1, hardlink), e.failing_write(2, hardlink), nop(3)};
      }),
      reap_in_order({{1, -EBADF, 0}, {2, -EBADF, 0}, {3, 0, 0}})}},
    {"HardlinkMemberWaitsForItsPredecessor",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, hardlink, 1), nop(2)};
      }),
      quiet(), write_pipe("q"), reap_in_order({{1, 1, 0}, {2, 0, 0}})}},
    {"LinkTimeoutExpiryCancelsTheRequest",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link), with_user_data(op::LinkTimeout(e.after(10ms)), 2)};
      }),
      reap_in_any_order({{1, -ECANCELED, 0}, {2, -ETIME, 0}})}},
    {"LinkTimeoutExpiryCancelsTheRestOfTheChain",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link), with_user_data(op::LinkTimeout(e.after(10ms)), 2, link),
                nop(3)};
      }),
      reap_in_any_order({{1, -ECANCELED, 0}, {2, -ETIME, 0}, {3, -ECANCELED, 0}})}},
    {"RequestFinishingFirstCancelsItsLinkTimeout",
     {submit([](ScriptEnv& e) -> Sqes {
        return {nop(1, link), with_user_data(op::LinkTimeout(e.after(10s)), 2)};
      }),
      reap_in_any_order({{1, 0, 0}, {2, -ECANCELED, 0}})}},
    // The cancelled timeout is not a failure of the chain: what follows it (3) runs.
    {"PendingRequestCompletingBeforeItsLinkTimeout",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link), with_user_data(op::LinkTimeout(e.after(10s)), 2, link),
                nop(3)};
      }),
      quiet(), write_pipe("12345678"),
      reap_in_any_order({{1, 8, 0}, {2, -ECANCELED, 0}, {3, 0, 0}})}},
    {"LoneLinkTimeoutIsInvalid",
     {submit(
          [](ScriptEnv& e) -> Sqes { return {with_user_data(op::LinkTimeout(e.after(10ms)), 1)}; }),
      reap_in_order({{1, -EINVAL, 0}})}},
    {"LinkTimeoutUpdateRearmsIt",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, link), with_user_data(op::LinkTimeout(e.after(10s)), 2)};
      }),
      submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::TimeoutRemove::update_link(2, e.after(5ms)), 3)};
      }),
      reap_in_any_order({{3, 0, 0}, {1, -ECANCELED, 0}, {2, -ETIME, 0}})}},
    {"LinkTimeoutUpdateOfAbsentIsEnoent",
     {submit([](ScriptEnv& e) -> Sqes {
        return {with_user_data(op::TimeoutRemove::update_link(2, e.after(5ms)), 1)};
      }),
      reap_in_order({{1, -ENOENT, 0}})}},
    // The drained NOP waits for the read, and the NOP after it waits for the drained one.
    {"DrainWaitsForEveryEarlierRequest",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, 0, 1), nop(2, sqe_flag::io_drain), nop(3)};
      }),
      quiet(), write_pipe("z"), reap_in_order({{1, 1, 0}, {2, 0, 0}, {3, 0, 0}})}},
    {"WithoutDrainLaterRequestsDoNotWait",
     {submit([](ScriptEnv& e) -> Sqes {
        return {e.read(e.pipe, 0, 1, 0, 1), nop(2)};
      }),
      reap_in_order({{2, 0, 0}}), write_pipe("z"), reap_in_order({{1, 1, 0}})}},
    {"CqeSkipSuccessPostsNothingOnSuccess",
     {submit({nop(1, skip), nop(2)}), reap_in_order({{2, 0, 0}}), quiet(5ms)},
     KernelVersion{0, 0},
     feature::cqe_skip},
    {"CqeSkipSuccessStillPostsFailures",
     {submit([](ScriptEnv& e) -> Sqes { return {e.failing_write(1, skip)}; }),
      reap_in_order({{1, -EBADF, 0}})},
     KernelVersion{0, 0},
     feature::cqe_skip},
    // A failing member that had CQE_SKIP_SUCCESS also silences the members it cancels, even one
    // without the flag (io_fail_links: REQ_F_SKIP_LINK_CQES).
    {"SkipChainPostsOnlyTheSkippingFailure",
     {submit([](ScriptEnv& e) -> Sqes {
        return {nop(1, skip_link), e.failing_write(2, skip_link), nop(3, skip_link), nop(4)};
      }),
      reap_in_order({{2, -EBADF, 0}}), quiet(5ms)},
     KernelVersion{0, 0},
     feature::cqe_skip},
    {"FailureWithoutSkipPostsTheCancellationsOfSkippingMembers",
     {submit([](ScriptEnv& e) -> Sqes {
        return {nop(1, skip_link), e.failing_write(2, link), nop(3, skip)};
      }),
      reap_in_any_order({{2, -EBADF, 0}, {3, -ECANCELED, 0}}), quiet(5ms)},
     KernelVersion{0, 0},
     feature::cqe_skip},
};

RINGKIT_CTL_SCRIPT_SUITE(CtlLink, link_cases);

}  // namespace
}  // namespace ringkit
