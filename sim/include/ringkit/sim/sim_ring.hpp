// SimRing: the Ring interface played by the simulator.
//
// The ring memory has the kernel's layout (kernel_ring_layout), the SQEs are consumed as the
// kernel consumes them and decoded by the builders' kernel-mode decode(), and completions are
// posted into the CQ ring as the kernel posts them, with the kernel's overflow rules. Time is
// the world's virtual clock: a wait jumps to the next event.
#pragma once

#include <memory>

#include "ringkit/ring.hpp"
#include "ringkit/ring_options.hpp"
#include "ringkit/sim/world.hpp"

namespace ringkit::sim {

class SimRing final : public Ring {
 public:
  // Setup flags the simulator implements. IOPOLL (and HYBRID_IOPOLL) need block devices with
  // polled completions, which the simulated world has none of; NO_MMAP and REGISTERED_FD_ONLY
  // are about user-provided ring memory and a process fd table the simulator does not share;
  // CQE_MIXED is refused by the Ring base on every backend.
  static constexpr std::uint32_t supported_setup_flags =
      abi::setup::sqpoll | abi::setup::sq_aff | abi::setup::cqsize | abi::setup::clamp |
      abi::setup::attach_wq | abi::setup::r_disabled | abi::setup::submit_all |
      abi::setup::coop_taskrun | abi::setup::taskrun_flag | abi::setup::sqe128 | abi::setup::cqe32 |
      abi::setup::single_issuer | abi::setup::defer_taskrun | abi::setup::no_sqarray;

  // A ring in `world` (which must outlive it). Invalid options fail as the kernel fails them
  // (validate_ring_options); a flag above fails with ENOSYS naming it; EMFILE when the world's
  // fd table is full.
  static result<std::unique_ptr<SimRing>> create(World& world, const RingOptions& options) noexcept;
  ~SimRing() override;

  [[nodiscard]] std::string_view backend_name() const noexcept override { return "sim"; }
  // The ring's descriptor in the world's fd table (a msg_ring or attach_wq target).
  [[nodiscard]] int ring_fd() const noexcept override;
  result<void> register_ring_fd() noexcept override;
  result<void> unregister_ring_fd() noexcept override;

  [[nodiscard]] World& world() noexcept;
  // Whether this simulated kernel runs `op` (what the probe reports).
  [[nodiscard]] bool supports(abi::Opcode op) const noexcept;

 protected:
  result<std::uint32_t> do_enter(const EnterCall& call) noexcept override;
  result<std::uint32_t> do_register(abi::RegisterOp op, void* arg,
                                    std::uint32_t nr_args) noexcept override;

 private:
  SimRing() noexcept = default;

  std::unique_ptr<detail::RingCore> core_;
};

}  // namespace ringkit::sim
