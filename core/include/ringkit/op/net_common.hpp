// Shared pieces of the network builders (op/net_*.hpp): the socket-flag values the kernel checks
// and the IORING_RECVSEND_* masks its prep functions accept (Linux 6.18).
#pragma once

#include <cstdint>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

// SOCK_CLOEXEC / SOCK_NONBLOCK as the generic Linux ABI spells them (x86, arm, riscv…): the only
// accept/socket flags io_accept_prep and io_socket_prep let through.
inline constexpr std::uint32_t sock_cloexec = 02000000;
inline constexpr std::uint32_t sock_nonblock = 04000;
// SOCK_TYPE_MASK: the low bits of socket()'s type are the type, the rest are flags.
inline constexpr std::uint32_t sock_type_mask = 0xf;
// MSG_WAITALL, which multishot receives refuse.
inline constexpr std::uint32_t msg_waitall = 0x100;

namespace net_detail {

namespace rs = abi::recvsend;

// io_sendmsg_prep's SENDMSG_FLAGS (6.17 added SEND_VECTORIZED).
inline constexpr std::uint16_t sendmsg_flags =
    rs::poll_first | rs::recvsend_bundle | rs::send_vectorized;
// io_recvmsg_prep's RECVMSG_FLAGS.
inline constexpr std::uint16_t recvmsg_flags =
    rs::poll_first | rs::recv_multishot | rs::recvsend_bundle;
// io_send_zc_prep's IO_ZC_FLAGS_VALID (6.17 added SEND_VECTORIZED to the common set).
inline constexpr std::uint16_t zc_flags =
    rs::poll_first | rs::fixed_buf | rs::send_zc_report_usage | rs::send_vectorized;
// io_accept_prep's ACCEPT_FLAGS.
inline constexpr std::uint16_t accept_flags =
    abi::accept::multishot | abi::accept::dontwait | abi::accept::poll_first;

// The file of an op from the SQE; FileRef has no default, so builders start from this.
inline constexpr FileRef no_file = FileRef(Fd{-1});

// addr_len (bits 0..15 of splice_fd_in) and __pad3 (bits 16..31).
[[nodiscard]] constexpr std::uint16_t addr_len_of(std::int32_t splice_fd_in) noexcept {
  return static_cast<std::uint16_t>(static_cast<std::uint32_t>(splice_fd_in) & 0xffffu);
}
[[nodiscard]] constexpr std::uint16_t pad3_of(std::int32_t splice_fd_in) noexcept {
  return static_cast<std::uint16_t>(static_cast<std::uint32_t>(splice_fd_in) >> 16);
}

}  // namespace net_detail
}  // namespace ringkit::op
