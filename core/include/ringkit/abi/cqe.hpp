// The completion queue entry (struct io_uring_cqe) and its flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ringkit::abi {

struct Cqe {
  std::uint64_t user_data;  // the SQE's user_data
  std::int32_t res;         // result: >= 0, or -errno
  std::uint32_t flags;      // IORING_CQE_F_* (cqe_flag), buffer id in the upper 16 bits

  constexpr bool operator==(const Cqe&) const noexcept = default;
};
static_assert(sizeof(Cqe) == 16);
static_assert(offsetof(Cqe, user_data) == 0 && offsetof(Cqe, res) == 8 &&
              offsetof(Cqe, flags) == 12);
static_assert(std::is_standard_layout_v<Cqe> && std::is_trivially_copyable_v<Cqe>);

// A CQE of an IORING_SETUP_CQE32 ring, or one flagged cqe_flag::f_32 in a CQE_MIXED ring:
// extra1/extra2 are the kernel's big_cqe[0] and big_cqe[1].
struct Cqe32 {
  std::uint64_t user_data;
  std::int32_t res;
  std::uint32_t flags;
  std::uint64_t extra1;
  std::uint64_t extra2;

  constexpr bool operator==(const Cqe32&) const noexcept = default;
};
static_assert(sizeof(Cqe32) == 32);
static_assert(offsetof(Cqe32, user_data) == 0 && offsetof(Cqe32, res) == 8 &&
              offsetof(Cqe32, flags) == 12 && offsetof(Cqe32, extra1) == 16 &&
              offsetof(Cqe32, extra2) == 24);
static_assert(std::is_standard_layout_v<Cqe32> && std::is_trivially_copyable_v<Cqe32>);

// cqe->flags (IORING_CQE_F_*).
namespace cqe_flag {
// The upper 16 bits hold the id of the provided buffer the request used.
inline constexpr std::uint32_t buffer = 1u << 0;
// The SQE (multishot, or a zero-copy send awaiting its notification) will post more CQEs.
inline constexpr std::uint32_t more = 1u << 1;
// A socket receive left more data to read.
inline constexpr std::uint32_t sock_nonempty = 1u << 2;
// A zero-copy send's notification CQE (the buffer may be reused), not its result.
inline constexpr std::uint32_t notif = 1u << 3;
// 6.12: an incrementally consumed buffer (pbuf_ring::inc) was only partly used; the same
// buffer id will appear in later CQEs.
inline constexpr std::uint32_t buf_more = 1u << 4;
// 6.18: filler in a CQE_MIXED ring (a 32-byte CQE would have wrapped); ignore the entry.
inline constexpr std::uint32_t skip = 1u << 5;
// 6.18: in a CQE_MIXED ring, this CQE is 32 bytes (a Cqe32). The kernel's IORING_CQE_F_32.
inline constexpr std::uint32_t f_32 = 1u << 15;

inline constexpr std::uint32_t buffer_shift = 16;  // IORING_CQE_BUFFER_SHIFT
}  // namespace cqe_flag

// The provided-buffer id a CQE carries; meaningful only when flags has cqe_flag::buffer.
[[nodiscard]] constexpr std::uint16_t cqe_buffer_id(std::uint32_t flags) noexcept {
  return static_cast<std::uint16_t>(flags >> cqe_flag::buffer_shift);
}

}  // namespace ringkit::abi

namespace ringkit {
using abi::Cqe;
using abi::Cqe32;
}  // namespace ringkit
