// ProvidedBuffers: a ring's provided-buffer groups (the kernel's io_buffer_list per bgid,
// io_uring/kbuf.c): legacy lists filled by PROVIDE_BUFFERS and buffer rings registered with
// IORING_REGISTER_PBUF_RING.
//
// Ops select a buffer when their data is ready, move the bytes, then commit what they used in
// the same step, so a selection never outlives an issue: not committing is the kernel's
// recycle (io_kbuf_recycle), which leaves the buffer where it was.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "ringkit/abi/register.hpp"
#include "ringkit/buf_ring_consumer.hpp"
#include "ringkit/result.hpp"

namespace ringkit::sim::detail {

class ProvidedBuffers {
 public:
  struct Selection {
    std::uint64_t addr = 0;
    std::uint32_t len = 0;  // the transfer's length clipped to the buffer
    std::uint16_t bid = 0;
    std::uint16_t bgid = 0;
  };

  // io_buffer_select: the buffer of group `bgid` a transfer of up to `want` bytes (0: the whole
  // buffer) would use; nullopt when the group has none (or does not exist): -ENOBUFS.
  [[nodiscard]] std::optional<Selection> select(std::uint16_t bgid,
                                                std::uint32_t want) const noexcept {
    return peek(bgid, 0, want);
  }
  // The `index`-th buffer a bundle would use after the first (index 0 is select()).
  [[nodiscard]] std::optional<Selection> peek(std::uint16_t bgid, std::uint32_t index,
                                              std::uint32_t want) const noexcept;
  // How many buffers group `bgid` holds now (0 when it does not exist).
  [[nodiscard]] std::uint32_t available(std::uint16_t bgid) const noexcept;
  // io_put_kbufs: a transfer of `len` >= 0 bytes used `nbufs` buffers from the front of the
  // selection's group: legacy buffers leave the list, a ring's head moves on (an incremental
  // ring's by what was used). Returns the CQE flags: F_BUFFER with the first buffer's id, and
  // F_BUF_MORE when an incremental buffer still has room.
  std::uint32_t commit(const Selection& sel, std::int32_t len, std::uint32_t nbufs = 1) noexcept;

  // IORING_OP_PROVIDE_BUFFERS (io_provide_buffers): `nbufs` buffers of `len` bytes from
  // `addr`, ids from `bid`. Returns 0 or -errno (-EINVAL on a ring group).
  std::int32_t provide(std::uint16_t bgid, std::uint64_t addr, std::uint32_t len,
                       std::uint32_t nbufs, std::uint16_t bid) noexcept;
  // IORING_OP_REMOVE_BUFFERS: up to `nbufs` from the front; returns how many, -ENOENT for an
  // unknown group, -EINVAL for a ring.
  std::int32_t remove(std::uint16_t bgid, std::uint32_t nbufs) noexcept;

  // IORING_REGISTER_PBUF_RING / UNREGISTER_PBUF_RING / PBUF_STATUS.
  result<void> register_ring(const abi::BufReg& reg) noexcept;
  result<void> unregister_ring(const abi::BufReg& reg) noexcept;
  result<std::uint32_t> ring_head(std::uint32_t bgid) const noexcept;

 private:
  struct LegacyBuffer {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint16_t bid;
  };
  struct Group {
    std::deque<LegacyBuffer> legacy;      // front: selected and removed first
    std::optional<BufRingConsumer> ring;  // a registered buffer ring instead
    abi::Buf* ring_entries = nullptr;     // the ring's memory (the application's)
    std::uint32_t ring_mask = 0;
  };
  // Ordered by bgid: nothing here iterates in pointer order.
  std::map<std::uint16_t, Group> groups_;
};

}  // namespace ringkit::sim::detail
