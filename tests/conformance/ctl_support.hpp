// Small helpers shared by the control-flow conformance tests (ctl_*_test.cpp): NOPs, pending
// pipe reads, relative timespecs.
#pragma once

#include <chrono>
#include <cstdint>

#include "conformance_test.hpp"

namespace ringkit::conformance::ctl {

constexpr std::uint8_t link = abi::sqe_flag::io_link;
constexpr std::uint8_t drain = abi::sqe_flag::io_drain;
constexpr std::uint8_t skip = abi::sqe_flag::cqe_skip_success;
constexpr std::uint32_t more = abi::cqe_flag::more;

inline abi::Sqe nop(std::uint64_t user_data, std::uint8_t flags = 0) {
  return with(op::Nop().build(), user_data, flags);
}

// A read of up to `len` bytes of fd into buf at the current position: pending while a pipe is
// empty.
inline abi::Sqe read(op::FileRef fd, char* buf, std::uint32_t len, std::uint64_t user_data,
                     std::uint8_t flags = 0) {
  return with(op::Read(fd, buf, len, ~0ull).build(), user_data, flags);
}

// A relative timespec of `ms` milliseconds.
constexpr abi::KernelTimespec after_ms(std::int64_t ms) {
  return abi::KernelTimespec{ms / 1000, (ms % 1000) * 1'000'000};
}

template <class T>
int error_of(const result<T>& r) {
  return r ? 0 : r.error().value();
}

}  // namespace ringkit::conformance::ctl
