// The typed registration calls: each encodes io_uring_register(2)'s arguments exactly as
// liburing 2.3 does (src/register.c), so both backends receive the kernel's own structures.
#include <cerrno>
#include <limits>

#include "ringkit/ring.hpp"

namespace ringkit {

namespace {

template <class T>
std::uint64_t address_of(const T* p) noexcept {
  return reinterpret_cast<std::uint64_t>(p);
}

// The kernel counts entries in 32 bits.
result<std::uint32_t> entry_count(std::size_t size) noexcept {
  if (size > std::numeric_limits<std::uint32_t>::max())
    return Error{EINVAL, ErrorReason::too_many_entries, size};
  return static_cast<std::uint32_t>(size);
}

result<std::uint32_t> checked_tags(std::size_t entries, std::size_t tags) noexcept {
  if (tags != entries) return Error{EINVAL, ErrorReason::tags_size_mismatch, tags};
  return entry_count(entries);
}

result<void> discard_value(const result<std::uint32_t>& r) noexcept {
  if (!r) return r.error();
  return {};
}

}  // namespace

result<std::uint32_t> Ring::register_raw(abi::RegisterOp op, void* arg,
                                         std::uint32_t nr_args) noexcept {
  return do_register(op, arg, nr_args);
}

// ---- files ----------------------------------------------------------------------------------

result<void> Ring::register_files(std::span<const int> fds) noexcept {
  const result<std::uint32_t> nr = entry_count(fds.size());
  if (!nr) return nr.error();
  return discard_value(
      do_register(abi::RegisterOp::register_files, const_cast<int*>(fds.data()), *nr));
}

result<void> Ring::register_files_sparse(std::uint32_t count) noexcept {
  abi::RsrcRegister reg{};
  reg.nr = count;
  reg.flags = abi::rsrc_register_sparse;
  return discard_value(do_register(abi::RegisterOp::register_files2, &reg, sizeof reg));
}

result<void> Ring::register_files_tags(std::span<const int> fds,
                                       std::span<const std::uint64_t> tags) noexcept {
  const result<std::uint32_t> nr = checked_tags(fds.size(), tags.size());
  if (!nr) return nr.error();
  abi::RsrcRegister reg{};
  reg.nr = *nr;
  reg.data = address_of(fds.data());
  reg.tags = address_of(tags.data());
  return discard_value(do_register(abi::RegisterOp::register_files2, &reg, sizeof reg));
}

result<std::uint32_t> Ring::register_files_update(std::uint32_t offset,
                                                  std::span<const int> fds) noexcept {
  const result<std::uint32_t> nr = entry_count(fds.size());
  if (!nr) return nr.error();
  abi::FilesUpdate update{};
  update.offset = offset;
  update.data = address_of(fds.data());
  return do_register(abi::RegisterOp::register_files_update, &update, *nr);
}

result<std::uint32_t> Ring::register_files_update_tag(
    std::uint32_t offset, std::span<const int> fds, std::span<const std::uint64_t> tags) noexcept {
  const result<std::uint32_t> nr = checked_tags(fds.size(), tags.size());
  if (!nr) return nr.error();
  abi::RsrcUpdate2 update{};
  update.offset = offset;
  update.data = address_of(fds.data());
  update.tags = address_of(tags.data());
  update.nr = *nr;
  return do_register(abi::RegisterOp::register_files_update2, &update, sizeof update);
}

result<void> Ring::unregister_files() noexcept {
  return discard_value(do_register(abi::RegisterOp::unregister_files, nullptr, 0));
}

result<void> Ring::register_file_alloc_range(std::uint32_t offset, std::uint32_t count) noexcept {
  abi::FileIndexRange range{};
  range.off = offset;
  range.len = count;
  return discard_value(do_register(abi::RegisterOp::register_file_alloc_range, &range, 0));
}

// ---- buffers --------------------------------------------------------------------------------

result<void> Ring::register_buffers(std::span<const iovec> buffers) noexcept {
  const result<std::uint32_t> nr = entry_count(buffers.size());
  if (!nr) return nr.error();
  return discard_value(
      do_register(abi::RegisterOp::register_buffers, const_cast<iovec*>(buffers.data()), *nr));
}

result<void> Ring::register_buffers_sparse(std::uint32_t count) noexcept {
  abi::RsrcRegister reg{};
  reg.nr = count;
  reg.flags = abi::rsrc_register_sparse;
  return discard_value(do_register(abi::RegisterOp::register_buffers2, &reg, sizeof reg));
}

result<void> Ring::register_buffers_tags(std::span<const iovec> buffers,
                                         std::span<const std::uint64_t> tags) noexcept {
  const result<std::uint32_t> nr = checked_tags(buffers.size(), tags.size());
  if (!nr) return nr.error();
  abi::RsrcRegister reg{};
  reg.nr = *nr;
  reg.data = address_of(buffers.data());
  reg.tags = address_of(tags.data());
  return discard_value(do_register(abi::RegisterOp::register_buffers2, &reg, sizeof reg));
}

result<std::uint32_t> Ring::register_buffers_update_tag(
    std::uint32_t offset, std::span<const iovec> buffers,
    std::span<const std::uint64_t> tags) noexcept {
  const result<std::uint32_t> nr = checked_tags(buffers.size(), tags.size());
  if (!nr) return nr.error();
  abi::RsrcUpdate2 update{};
  update.offset = offset;
  update.data = address_of(buffers.data());
  update.tags = address_of(tags.data());
  update.nr = *nr;
  return do_register(abi::RegisterOp::register_buffers_update, &update, sizeof update);
}

result<void> Ring::unregister_buffers() noexcept {
  return discard_value(do_register(abi::RegisterOp::unregister_buffers, nullptr, 0));
}

// ---- eventfd --------------------------------------------------------------------------------

result<void> Ring::register_eventfd(int eventfd) noexcept {
  return discard_value(do_register(abi::RegisterOp::register_eventfd, &eventfd, 1));
}

result<void> Ring::register_eventfd_async(int eventfd) noexcept {
  return discard_value(do_register(abi::RegisterOp::register_eventfd_async, &eventfd, 1));
}

result<void> Ring::unregister_eventfd() noexcept {
  return discard_value(do_register(abi::RegisterOp::unregister_eventfd, nullptr, 0));
}

// ---- provided-buffer rings ------------------------------------------------------------------

result<void> Ring::register_buf_ring(std::uint64_t ring_addr, std::uint32_t entries,
                                     std::uint16_t bgid, std::uint16_t flags) noexcept {
  abi::BufReg reg{};
  reg.ring_addr = ring_addr;
  reg.ring_entries = entries;
  reg.bgid = bgid;
  reg.flags = flags;
  return discard_value(do_register(abi::RegisterOp::register_pbuf_ring, &reg, 1));
}

result<void> Ring::unregister_buf_ring(std::uint16_t bgid) noexcept {
  abi::BufReg reg{};
  reg.bgid = bgid;
  return discard_value(do_register(abi::RegisterOp::unregister_pbuf_ring, &reg, 1));
}

result<std::uint32_t> Ring::buf_ring_head(std::uint16_t bgid) noexcept {
  abi::BufStatus status{};
  status.buf_group = bgid;
  const result<std::uint32_t> r = do_register(abi::RegisterOp::register_pbuf_status, &status, 1);
  if (!r) return r.error();
  return status.head;
}

// ---- personality, restrictions --------------------------------------------------------------

result<std::uint16_t> Ring::register_personality() noexcept {
  const result<std::uint32_t> id = do_register(abi::RegisterOp::register_personality, nullptr, 0);
  if (!id) return id.error();
  return static_cast<std::uint16_t>(*id);
}

result<void> Ring::unregister_personality(std::uint16_t id) noexcept {
  return discard_value(do_register(abi::RegisterOp::unregister_personality, nullptr, id));
}

result<void> Ring::register_restrictions(std::span<const abi::Restriction> restrictions) noexcept {
  const result<std::uint32_t> nr = entry_count(restrictions.size());
  if (!nr) return nr.error();
  return discard_value(do_register(abi::RegisterOp::register_restrictions,
                                   const_cast<abi::Restriction*>(restrictions.data()), *nr));
}

result<void> Ring::enable_rings() noexcept {
  return discard_value(do_register(abi::RegisterOp::register_enable_rings, nullptr, 0));
}

// ---- io-wq ----------------------------------------------------------------------------------

result<void> Ring::register_iowq_affinity(std::span<const std::byte> mask) noexcept {
  const result<std::uint32_t> bytes = entry_count(mask.size());
  if (!bytes) return bytes.error();
  return discard_value(
      do_register(abi::RegisterOp::register_iowq_aff, const_cast<std::byte*>(mask.data()), *bytes));
}

result<void> Ring::unregister_iowq_affinity() noexcept {
  return discard_value(do_register(abi::RegisterOp::unregister_iowq_aff, nullptr, 0));
}

result<std::array<std::uint32_t, 2>> Ring::register_iowq_max_workers(
    std::array<std::uint32_t, 2> limits) noexcept {
  // The kernel writes the previous limits back into the same array.
  const result<std::uint32_t> r =
      do_register(abi::RegisterOp::register_iowq_max_workers, limits.data(), 2);
  if (!r) return r.error();
  return limits;
}

// ---- cancel, probe --------------------------------------------------------------------------

result<std::uint32_t> Ring::register_sync_cancel(const abi::SyncCancelReg& cancel) noexcept {
  abi::SyncCancelReg copy = cancel;
  return do_register(abi::RegisterOp::register_sync_cancel, &copy, 1);
}

result<Probe> Ring::probe() noexcept {
  struct ProbeBuffer {
    abi::ProbeHeader header;
    abi::ProbeOp ops[Probe::max_ops];
  } buffer{};
  const result<std::uint32_t> r =
      do_register(abi::RegisterOp::register_probe, &buffer, Probe::max_ops);
  if (!r) return r.error();
  // ops_len is 8-bit, so it always fits the 256 entries we offered.
  const std::size_t len = buffer.header.ops_len;
  return Probe::from_kernel(buffer.header, std::span<const abi::ProbeOp>(buffer.ops, len));
}

Probe Probe::from_kernel(const abi::ProbeHeader& header,
                         std::span<const abi::ProbeOp> ops) noexcept {
  Probe probe;
  probe.last_op_ = header.last_op;
  for (const abi::ProbeOp& op : ops) {
    if (op.flags & abi::probe_op_supported) probe.supported_.set(op.op);
  }
  return probe;
}

}  // namespace ringkit
