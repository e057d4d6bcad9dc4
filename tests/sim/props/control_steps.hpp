// The control ops of the simulator's random programs, shared by the rapidcheck properties
// (sim_program.hpp) and the sim_program fuzz target: NOPs that succeed or fail, timeouts of
// every kind, removes, polls on an eventfd, cancels and link timeouts, as SQEs.
#pragma once

#include <cerrno>
#include <cstdint>

#include "ringkit/ops.hpp"
#include "ringkit/sim/file.hpp"

namespace ringkit::sim::testing {

enum class ControlKind : std::uint8_t {
  nop,
  nop_fail,
  timeout,
  timeout_count,
  timeout_multishot,
  timeout_remove,
  poll,
  poll_multishot,
  cancel,
  link_timeout,
};
inline constexpr int control_kind_count = 10;

// The SQE of a control step: `param` sets a timeout's count or repeat count, `target` names an
// earlier step by index (its user_data is target + 1), `time` is the step's own timespec.
inline abi::Sqe control_sqe(ControlKind kind, std::uint32_t param, std::uint32_t target,
                            const abi::KernelTimespec* time, int eventfd) noexcept {
  switch (kind) {
    case ControlKind::nop:
      return op::Nop().build();
    case ControlKind::nop_fail:
      return op::Nop().inject_result(-EIO).build();
    case ControlKind::timeout:
      return op::Timeout(time).build();
    case ControlKind::timeout_count:
      return op::Timeout(time).count(param % 4 + 1).build();
    case ControlKind::timeout_multishot:
      // A repeat count, so that it ends (0 would be forever).
      return op::Timeout::multishot(time, param % 4 + 1).build();
    case ControlKind::timeout_remove:
      return op::TimeoutRemove(target + 1).build();
    case ControlKind::poll:
      return op::PollAdd(op::Fd{eventfd}, poll_event::in).build();
    case ControlKind::poll_multishot:
      return op::PollAdd::multishot(op::Fd{eventfd}, poll_event::in).build();
    case ControlKind::cancel:
      return op::AsyncCancel(target + 1).build();
    case ControlKind::link_timeout:
      return op::LinkTimeout(time).build();
  }
  return op::Nop().build();
}

}  // namespace ringkit::sim::testing
