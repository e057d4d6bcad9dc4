#include "engine/provided_buffers.hpp"

#include <cerrno>

namespace ringkit::sim::detail {

namespace {

// MAX_RW_COUNT: one transfer moves at most INT_MAX rounded down to a page.
constexpr std::uint32_t max_rw_count = 0x7ffff000u;
// A legacy list cannot hold more buffers than a bid can name (io_add_buffers).
constexpr std::size_t max_legacy_buffers = 0xffff;

std::uint32_t clip(std::uint32_t want, std::uint32_t len) noexcept {
  return (want == 0 || want > len) ? len : want;
}

}  // namespace

std::optional<ProvidedBuffers::Selection> ProvidedBuffers::peek(std::uint16_t bgid,
                                                                std::uint32_t index,
                                                                std::uint32_t want) const noexcept {
  const auto it = groups_.find(bgid);
  if (it == groups_.end()) return std::nullopt;
  const Group& g = it->second;
  if (g.ring) {
    if (index >= g.ring->available()) return std::nullopt;
    const abi::Buf& buf = g.ring_entries[(g.ring->head() + index) & g.ring_mask];
    return Selection{buf.addr, clip(want, buf.len), buf.bid, bgid};
  }
  if (index >= g.legacy.size()) return std::nullopt;
  const LegacyBuffer& buf = g.legacy[index];
  return Selection{buf.addr, clip(want, buf.len), buf.bid, bgid};
}

std::uint32_t ProvidedBuffers::available(std::uint16_t bgid) const noexcept {
  const auto it = groups_.find(bgid);
  if (it == groups_.end()) return 0;
  const Group& g = it->second;
  return g.ring ? g.ring->available() : static_cast<std::uint32_t>(g.legacy.size());
}

std::uint32_t ProvidedBuffers::commit(const Selection& sel, std::int32_t len,
                                      std::uint32_t nbufs) noexcept {
  bool used_up = true;
  const auto it = groups_.find(sel.bgid);
  if (it != groups_.end()) {
    Group& g = it->second;
    if (g.ring) {
      used_up = g.ring->commit(len, nbufs);
    } else {
      for (std::uint32_t i = 0; i < nbufs && !g.legacy.empty(); ++i) g.legacy.pop_front();
    }
  }
  return BufRingConsumer::cqe_flags(sel.bid, used_up);
}

std::int32_t ProvidedBuffers::provide(std::uint16_t bgid, std::uint64_t addr, std::uint32_t len,
                                      std::uint32_t nbufs, std::uint16_t bid) noexcept {
  Group& g = groups_[bgid];
  // A buffer ring is filled through its memory, never by PROVIDE_BUFFERS.
  if (g.ring) return -EINVAL;
  std::uint32_t added = 0;
  for (; added < nbufs; ++added) {
    if (g.legacy.size() >= max_legacy_buffers) break;
    g.legacy.push_back(LegacyBuffer{addr, len < max_rw_count ? len : max_rw_count,
                                    static_cast<std::uint16_t>(bid + added)});
    addr += len;
  }
  // Some added is success; none added because the list is full is -EOVERFLOW.
  return added != 0 ? 0 : -EOVERFLOW;
}

std::int32_t ProvidedBuffers::remove(std::uint16_t bgid, std::uint32_t nbufs) noexcept {
  const auto it = groups_.find(bgid);
  if (it == groups_.end()) return -ENOENT;
  Group& g = it->second;
  if (g.ring) return -EINVAL;
  std::int32_t removed = 0;
  while (static_cast<std::uint32_t>(removed) < nbufs && !g.legacy.empty()) {
    g.legacy.pop_front();
    ++removed;
  }
  return removed;
}

result<void> ProvidedBuffers::register_ring(const abi::BufReg& reg) noexcept {
  // io_register_pbuf_ring (6.18 with the min_left stable fix).
  for (const std::uint32_t r : reg.resv) {
    if (r != 0) return Error{EINVAL};
  }
  if (reg.flags & ~(abi::pbuf_ring::mmap | abi::pbuf_ring::inc)) return Error{EINVAL};
  if (reg.min_left != 0 && !(reg.flags & abi::pbuf_ring::inc)) return Error{EINVAL};
  if (!abi::buf_ring_entries_valid(reg.ring_entries)) return Error{EINVAL};
  // The kernel maps a ring it allocates through the ring fd; a simulated ring fd has no pages
  // to map, so the simulator cannot hand such a ring out.
  if (reg.flags & abi::pbuf_ring::mmap) {
    return Error{EOPNOTSUPP, ErrorReason::sim_kernel_mapped_memory};
  }
  // io_create_region: user memory must be page aligned and present.
  if (reg.ring_addr == 0) return Error{EFAULT};
  if (reg.ring_addr & 4095u) return Error{EINVAL};
  const auto it = groups_.find(reg.bgid);
  if (it != groups_.end()) {
    // An existing ring, or a legacy list that still holds buffers, keeps the id.
    if (it->second.ring || !it->second.legacy.empty()) return Error{EEXIST};
    groups_.erase(it);
  }
  auto* entries = reinterpret_cast<abi::Buf*>(reg.ring_addr);
  Group& g = groups_[reg.bgid];
  g.ring.emplace(entries, reg.ring_entries, reg.flags, reg.min_left);
  g.ring_entries = entries;
  g.ring_mask = reg.ring_entries - 1;
  return {};
}

result<void> ProvidedBuffers::unregister_ring(const abi::BufReg& reg) noexcept {
  for (const std::uint32_t r : reg.resv) {
    if (r != 0) return Error{EINVAL};
  }
  if (reg.flags != 0) return Error{EINVAL};
  const auto it = groups_.find(reg.bgid);
  if (it == groups_.end()) return Error{ENOENT};
  if (!it->second.ring) return Error{EINVAL};
  groups_.erase(it);
  return {};
}

result<std::uint32_t> ProvidedBuffers::ring_head(std::uint32_t bgid) const noexcept {
  if (bgid > 0xffff) return Error{ENOENT};
  const auto it = groups_.find(static_cast<std::uint16_t>(bgid));
  if (it == groups_.end()) return Error{ENOENT};
  if (!it->second.ring) return Error{EINVAL};
  return std::uint32_t{it->second.ring->head()};
}

}  // namespace ringkit::sim::detail
