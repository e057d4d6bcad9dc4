// The test registry: for every opcode, the tests that check its builder (opcode_tests.def).
//
// The static_asserts fail the build when an opcode is added to the opcode table without its
// tests being registered here; opcode_test_registry_test.cpp, compiled into every family's test
// binaries, fails when a registered test does not exist in that binary.
#pragma once

#include <cstddef>
#include <string_view>

#include "ringkit/abi/opcode.hpp"

namespace ringkit::testing {

struct OpcodeTests {
  abi::Opcode opcode;
  std::string_view family;      // op_<family>_test.cpp and op_<family>_prop_test.cpp
  std::string_view golden;      // "Suite.Test" comparing literal SQE bytes
  std::string_view properties;  // "Suite.Prefix": Prefix + RoundTrip, Canonical, Invariants
  std::string_view oracle;      // "Suite.Test" against liburing 2.3, "" without a 2.3 helper
};

inline constexpr OpcodeTests opcode_tests[] = {
#define RINGKIT_OPCODE_TESTS(op, family, golden, properties, oracle) \
  {abi::Opcode::op, #family, golden, properties, oracle},
#include "support/opcode_tests.def"
};

static_assert(std::size(opcode_tests) == abi::opcode_count, "tests registered for 0..62");

constexpr bool opcode_tests_in_table_order() {
  for (std::size_t i = 0; i < std::size(opcode_tests); ++i)
    if (static_cast<std::size_t>(opcode_tests[i].opcode) != i) return false;
  return true;
}
static_assert(opcode_tests_in_table_order(), "one line per opcode, in number order");

constexpr std::size_t opcodes_with_liburing_oracle() {
  std::size_t n = 0;
  for (const OpcodeTests& t : opcode_tests)
    if (!t.oracle.empty()) ++n;
  return n;
}
// liburing 2.3 has prep helpers for 48 of the 63 opcodes; the other 15 came later (READV/WRITEV
// _FIXED, READ_MULTISHOT, FTRUNCATE, PIPE, FIXED_FD_INSTALL, EPOLL_WAIT, WAITID, the three
// FUTEX ops, BIND, LISTEN, RECV_ZC, URING_CMD socket commands).
static_assert(opcodes_with_liburing_oracle() == 48);

}  // namespace ringkit::testing
