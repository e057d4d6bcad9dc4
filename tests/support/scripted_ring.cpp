#include "support/scripted_ring.hpp"

#include <atomic>
#include <cstring>

namespace ringkit::testing {

namespace {

std::vector<std::byte> copy_bytes(const void* p, std::size_t n) {
  std::vector<std::byte> bytes(n);
  if (p != nullptr && n != 0) std::memcpy(bytes.data(), p, n);
  return bytes;
}

// How many argument bytes each register op reads, so the test can compare them.
std::size_t register_arg_bytes(abi::RegisterOp op, std::uint32_t nr_args) {
  using abi::RegisterOp;
  switch (op) {
    case RegisterOp::register_files2:
    case RegisterOp::register_buffers2:
    case RegisterOp::register_files_update2:
    case RegisterOp::register_buffers_update:
      return nr_args;  // nr_args is the struct's size for these
    case RegisterOp::register_files:
      return nr_args * sizeof(int);
    case RegisterOp::register_buffers:
      return nr_args * sizeof(iovec);
    case RegisterOp::register_files_update:
      return sizeof(abi::FilesUpdate);
    case RegisterOp::register_eventfd:
    case RegisterOp::register_eventfd_async:
      return sizeof(int);
    case RegisterOp::register_pbuf_ring:
    case RegisterOp::unregister_pbuf_ring:
      return sizeof(abi::BufReg);
    case RegisterOp::register_pbuf_status:
      return sizeof(abi::BufStatus);
    case RegisterOp::register_file_alloc_range:
      return sizeof(abi::FileIndexRange);
    case RegisterOp::register_restrictions:
      return nr_args * sizeof(abi::Restriction);
    case RegisterOp::register_iowq_aff:
      return nr_args;
    case RegisterOp::register_iowq_max_workers:
      return 2 * sizeof(std::uint32_t);
    case RegisterOp::register_sync_cancel:
      return sizeof(abi::SyncCancelReg);
    default:
      return 0;
  }
}

}  // namespace

ScriptedRing::ScriptedRing(const abi::Params& params, std::uint32_t features)
    : layout_(kernel_ring_layout(params.sq_entries, params.cq_entries, params.flags)),
      rings_(new std::byte[layout_.rings_bytes]()),
      sqes_(new abi::Sqe[layout_.sqes_bytes / sizeof(abi::Sqe)]()),
      sq_entries_(params.sq_entries),
      cq_entries_(params.cq_entries),
      cqe32_((params.flags & abi::setup::cqe32) != 0) {
  abi::Params p = params;
  p.features = features;
  p.sq_off = layout_.sq_off;
  p.cq_off = layout_.cq_off;
  // What the kernel writes into the ring header at setup.
  *ring_word(p.sq_off.ring_mask) = sq_entries_ - 1;
  *ring_word(p.sq_off.ring_entries) = sq_entries_;
  *ring_word(p.cq_off.ring_mask) = cq_entries_ - 1;
  *ring_word(p.cq_off.ring_entries) = cq_entries_;
  attach(p, rings_.get(), rings_.get(), sqes_.get());
}

std::uint32_t* ScriptedRing::ring_word(std::uint32_t offset) const {
  return reinterpret_cast<std::uint32_t*>(rings_.get() + offset);
}

result<void> ScriptedRing::register_ring_fd() noexcept { return Error{EOPNOTSUPP}; }
result<void> ScriptedRing::unregister_ring_fd() noexcept { return Error{EOPNOTSUPP}; }

std::uint32_t ScriptedRing::kernel_consume(std::uint32_t n) {
  const abi::Params& p = params();
  std::atomic_ref<std::uint32_t> head(*ring_word(p.sq_off.head));
  const std::uint32_t tail =
      std::atomic_ref<std::uint32_t>(*ring_word(p.sq_off.tail)).load(std::memory_order_acquire);
  std::uint32_t h = head.load(std::memory_order_relaxed);
  std::uint32_t done = 0;
  const bool has_array = (p.flags & abi::setup::no_sqarray) == 0;
  const std::uint32_t stride = (p.flags & abi::setup::sqe128) ? 2 : 1;
  for (; done < n && h != tail; ++done, ++h) {
    std::uint32_t index = h & (sq_entries_ - 1);
    if (has_array) index = ring_word(p.sq_off.array)[index];
    consumed.push_back(sqes_[index * stride]);
  }
  head.store(h, std::memory_order_release);
  return done;
}

bool ScriptedRing::kernel_post(std::uint64_t user_data, std::int32_t res, std::uint32_t flags,
                               std::uint64_t extra1, std::uint64_t extra2) {
  const abi::Params& p = params();
  const std::uint32_t head =
      std::atomic_ref<std::uint32_t>(*ring_word(p.cq_off.head)).load(std::memory_order_acquire);
  std::atomic_ref<std::uint32_t> tail(*ring_word(p.cq_off.tail));
  const std::uint32_t t = tail.load(std::memory_order_relaxed);
  if (t - head >= cq_entries_) {
    ++*ring_word(p.cq_off.overflow);
    return false;
  }
  auto* slot = reinterpret_cast<abi::Cqe32*>(rings_.get() + p.cq_off.cqes +
                                             (t & (cq_entries_ - 1)) * (cqe32_ ? 32u : 16u));
  slot->user_data = user_data;
  slot->res = res;
  slot->flags = flags;
  if (cqe32_) {
    slot->extra1 = extra1;
    slot->extra2 = extra2;
  }
  tail.store(t + 1, std::memory_order_release);
  return true;
}

void ScriptedRing::kernel_set_sq_flags(std::uint32_t flags) {
  std::atomic_ref<std::uint32_t>(*ring_word(params().sq_off.flags))
      .store(flags, std::memory_order_release);
}

std::uint32_t ScriptedRing::kernel_sq_tail() const { return *ring_word(params().sq_off.tail); }
std::uint32_t ScriptedRing::kernel_cq_head() const { return *ring_word(params().cq_off.head); }

result<std::uint32_t> ScriptedRing::do_enter(const EnterCall& call) noexcept {
  enters.push_back(RecordedEnter{call, copy_bytes(call.arg, call.argsz)});
  if (on_enter) return on_enter(*this, call);
  return kernel_consume(call.to_submit);
}

result<std::uint32_t> ScriptedRing::do_register(abi::RegisterOp op, void* arg,
                                                std::uint32_t nr_args) noexcept {
  registers.push_back(
      RecordedRegister{op, nr_args, arg, copy_bytes(arg, register_arg_bytes(op, nr_args))});
  if (on_register) return on_register(*this, op, arg, nr_args);
  return 0u;
}

}  // namespace ringkit::testing
