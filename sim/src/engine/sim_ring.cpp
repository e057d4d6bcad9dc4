#include "ringkit/sim/sim_ring.hpp"

#include <new>

#include "engine/op_handler.hpp"
#include "engine/ring_core.hpp"
#include "engine/ring_file.hpp"

namespace ringkit::sim {

result<std::unique_ptr<SimRing>> SimRing::create(World& world,
                                                 const RingOptions& options) noexcept {
  const result<abi::Params> params = validate_ring_options(options, supported_setup_flags);
  if (!params) return params.error();
  if (params->flags & abi::setup::attach_wq) {
    // io_uring_create → io_init_wq_offload: the fd must be an io_uring instance (EINVAL), and
    // a closed one is EBADF.
    const File* target = world.fds().get(options.attach_wq_fd);
    if (target == nullptr) return Error{EBADF};
    if (target->kind() != FileKind::ring) return Error{EINVAL};
  }
  std::unique_ptr<SimRing> ring(new (std::nothrow) SimRing());
  if (!ring) return Error{ENOMEM};
  ring->core_.reset(new (std::nothrow) detail::RingCore(world, *params));
  if (!ring->core_ || !ring->core_->allocated()) return Error{ENOMEM};
  detail::RingCore& core = *ring->core_;
  const result<int> fd =
      world.fds().install(FileRef(new (std::nothrow) detail::RingFile(core.id())),
                          /*cloexec=*/true);
  if (!fd) return fd.error();
  core.set_fd(*fd);
  ring->attach(core.params(), core.rings_memory(), core.rings_memory(), core.sqes_memory());
  return ring;
}

SimRing::~SimRing() {
  if (!core_) return;
  detach();
  const int fd = core_->fd();
  World& w = core_->world();
  core_.reset();
  if (fd >= 0) (void)w.fds().close(fd);
}

int SimRing::ring_fd() const noexcept { return core_->fd(); }

result<void> SimRing::register_ring_fd() noexcept {
  // One registered index per Ring, as UringRing::register_ring_fd: a second call is EEXIST.
  if (core_->ring_fd_registered) return Error{EEXIST};
  core_->ring_fd_registered = true;
  return {};
}

result<void> SimRing::unregister_ring_fd() noexcept {
  if (!core_->ring_fd_registered) return Error{EINVAL};
  core_->ring_fd_registered = false;
  return {};
}

World& SimRing::world() noexcept { return core_->world(); }

bool SimRing::supports(abi::Opcode op) const noexcept {
  return abi::is_known_opcode(static_cast<std::uint8_t>(op)) && core_->op_supported(op);
}

result<std::uint32_t> SimRing::do_enter(const EnterCall& call) noexcept {
  return core_->enter(call.to_submit, call.min_complete, call.flags, call.arg, call.argsz);
}

result<std::uint32_t> SimRing::do_register(abi::RegisterOp op, void* arg,
                                           std::uint32_t nr_args) noexcept {
  return core_->do_register(op, arg, nr_args);
}

}  // namespace ringkit::sim
