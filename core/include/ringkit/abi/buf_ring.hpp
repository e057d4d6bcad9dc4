// Provided-buffer rings (IORING_REGISTER_PBUF_RING): the entry layout and the ring's geometry.
//
// The ring is an array of `entries` Buf entries shared with the kernel. The application's tail
// (u16) overlays the resv field of entry 0, so the ring needs no header and stays exactly
// entries * 16 bytes (struct io_uring_buf_ring). Index it as Buf[] from its first byte: in
// C++, the kernel header's io_uring_buf_ring::bufs (a __DECLARE_FLEX_ARRAY after an empty
// struct, which has size 1 in C++) is at offset 8, not 0 as in C.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

// struct io_uring_buf: one provided buffer.
struct Buf {
  std::uint64_t addr;
  std::uint32_t len;
  std::uint16_t bid;   // buffer id, reported back in the CQE's upper 16 flag bits
  std::uint16_t resv;  // in entry 0: the ring's tail

  constexpr bool operator==(const Buf&) const noexcept = default;
};
static_assert(sizeof(Buf) == 16);
static_assert(offsetof(Buf, len) == 8 && offsetof(Buf, bid) == 12 && offsetof(Buf, resv) == 14);
static_assert(std::is_standard_layout_v<Buf> && std::is_trivially_copyable_v<Buf>);

// Byte offset of the ring's tail from the start of the ring (entry 0's resv).
inline constexpr std::size_t buf_ring_tail_offset = 14;
static_assert(buf_ring_tail_offset == offsetof(Buf, resv));

// The kernel takes power-of-two sizes below 65536.
inline constexpr std::uint32_t buf_ring_max_entries = 32768;

[[nodiscard]] constexpr bool buf_ring_entries_valid(std::uint32_t entries) noexcept {
  return entries != 0 && entries <= buf_ring_max_entries && (entries & (entries - 1)) == 0;
}

// Bytes of a ring of `entries` buffers (what BufReg::ring_addr must point to).
[[nodiscard]] constexpr std::size_t buf_ring_size(std::uint32_t entries) noexcept {
  return std::size_t{entries} * sizeof(Buf);
}

// Index mask of a ring of `entries` buffers (a valid size).
[[nodiscard]] constexpr std::uint32_t buf_ring_mask(std::uint32_t entries) noexcept {
  return entries - 1;
}

}  // namespace ringkit::abi
