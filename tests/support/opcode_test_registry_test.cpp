// Compiled into each opcode family's unit and prop binaries (RINGKIT_TEST_FAMILY, _TIER): every
// test the registry names for this family and tier must be registered in this binary.
#include "support/opcode_test_registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ringkit::testing {
namespace {

std::set<std::string> registered_tests() {
  std::set<std::string> names;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int s = 0; s < unit.total_test_suite_count(); ++s) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(s);
    for (int t = 0; t < suite.total_test_count(); ++t)
      names.insert(std::string(suite.name()) + "." + suite.GetTestInfo(t)->name());
  }
  return names;
}

TEST(OpcodeTestRegistry, EveryRegisteredTestOfThisFamilyExists) {
  const std::string_view family = RINGKIT_TEST_FAMILY;
  const std::string_view tier = RINGKIT_TEST_TIER;
  const std::set<std::string> names = registered_tests();
  int checked = 0;
  for (const OpcodeTests& t : opcode_tests) {
    if (t.family != family) continue;
    const std::string op(abi::opcode_table[static_cast<std::size_t>(t.opcode)].name);
    if (tier == "unit") {
      EXPECT_TRUE(names.count(std::string(t.golden))) << op << ": no golden test " << t.golden;
      ++checked;
    } else {
      for (const char* suffix : {"RoundTrip", "Canonical", "Invariants"}) {
        const std::string name = std::string(t.properties) + suffix;
        EXPECT_TRUE(names.count(name)) << op << ": no property " << name;
        ++checked;
      }
      if (!t.oracle.empty()) {
        EXPECT_TRUE(names.count(std::string(t.oracle))) << op << ": no oracle " << t.oracle;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0) << "no opcode is registered for family " << family;
}

}  // namespace
}  // namespace ringkit::testing
