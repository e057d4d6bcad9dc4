// Compiling ringkit/ops.hpp is the check (static_asserts over opcodes.def); this records it.
#include <gtest/gtest.h>

#include "ringkit/ops.hpp"

namespace ringkit {
namespace {

TEST(OpsCoverage, ABuilderForEveryOpcode) {
  EXPECT_EQ(op::detail::builder_count, 63u);
  EXPECT_EQ(abi::opcode_count, 63u);
}

}  // namespace
}  // namespace ringkit
