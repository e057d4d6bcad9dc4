// The io_uring opcodes (enum io_uring_op) and the one table every opcode list is built from.
//
// opcodes.def is the single source: the enum, opcode_table, and (outside this header) the
// builder list, the simulator's dispatch and the test registries are all expansions of it, so
// an opcode added there reaches every one of them or fails the build.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringkit/abi/kernel_version.hpp"

namespace ringkit::abi {

// sqe->opcode. Values are the kernel's IORING_OP_* numbers.
enum class Opcode : std::uint8_t {
#define RINGKIT_OPCODE(name, number, kernel_name, builder, since_major, since_minor) name = number,
#include "ringkit/abi/opcodes.def"
};

// Opcodes 0..62 exist in Linux 6.18 (its IORING_OP_LAST is 63).
inline constexpr std::size_t opcode_count = 63;
inline constexpr Opcode opcode_last = Opcode::pipe;

struct OpcodeInfo {
  Opcode op;
  std::string_view name;  // the kernel's name without "IORING_OP_", e.g. "READ_FIXED"
  KernelVersion since;    // first kernel release that has the opcode
};

// Indexed by opcode number.
inline constexpr std::array<OpcodeInfo, opcode_count> opcode_table{{
#define RINGKIT_OPCODE(name, number, kernel_name, builder, since_major, since_minor) \
  OpcodeInfo{Opcode::name, kernel_name, KernelVersion{since_major, since_minor}},
#include "ringkit/abi/opcodes.def"
}};

namespace detail {

// Lines in opcodes.def, counted independently of the array's declared size.
inline constexpr std::size_t opcode_def_lines = 0
#define RINGKIT_OPCODE(name, number, kernel_name, builder, since_major, since_minor) +1
#include "ringkit/abi/opcodes.def"
    ;

// Entry i describes opcode i, and the numbers written in the .def agree with the enum.
constexpr bool opcode_table_is_dense() noexcept {
  for (std::size_t i = 0; i < opcode_table.size(); ++i) {
    if (static_cast<std::size_t>(opcode_table[i].op) != i) return false;
    if (opcode_table[i].name.empty()) return false;
  }
  constexpr std::array<std::size_t, opcode_count> numbers{{
#define RINGKIT_OPCODE(name, number, kernel_name, builder, since_major, since_minor) number,
#include "ringkit/abi/opcodes.def"
  }};
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (numbers[i] != i) return false;
  }
  return true;
}

}  // namespace detail

static_assert(detail::opcode_def_lines == opcode_count,
              "opcodes.def must have exactly opcode_count lines");
static_assert(detail::opcode_table_is_dense(), "opcode_table entry i must be opcode i");
static_assert(static_cast<std::size_t>(opcode_table.back().op) == 62 &&
                  opcode_table.back().op == opcode_last,
              "the table must end at IORING_OP_PIPE (62), the last opcode of Linux 6.18");

// True when `raw` (an sqe->opcode byte) is an opcode this table knows.
[[nodiscard]] constexpr bool is_known_opcode(std::uint8_t raw) noexcept {
  return raw < opcode_count;
}

// Precondition: is_known_opcode(static_cast<std::uint8_t>(op)).
[[nodiscard]] constexpr const OpcodeInfo& opcode_info(Opcode op) noexcept {
  return opcode_table[static_cast<std::size_t>(op)];
}

// "" for a value outside the table (a raw byte cast to Opcode).
[[nodiscard]] constexpr std::string_view opcode_name(Opcode op) noexcept {
  const auto i = static_cast<std::size_t>(op);
  return i < opcode_count ? opcode_table[i].name : std::string_view{};
}

// For a value outside the table: {0xffff, 0xffff}, newer than any kernel, so a
// "since <= running kernel" check says no.
[[nodiscard]] constexpr KernelVersion opcode_since(Opcode op) noexcept {
  const auto i = static_cast<std::size_t>(op);
  return i < opcode_count ? opcode_table[i].since : KernelVersion{0xffff, 0xffff};
}

}  // namespace ringkit::abi

namespace ringkit {
using abi::Opcode;
}  // namespace ringkit
