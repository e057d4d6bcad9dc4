// FdTable::has_room / reserve: ops installing two descriptors check for both numbers first.
#include "ringkit/sim/fd_table.hpp"

#include <gtest/gtest.h>

#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim {
namespace {

TEST(SimFdTable, HasRoomCountsFreeNumbersBelowTheLimit) {
  FdTable fds;
  fds.set_limit(FdTable::first_fd + 3);  // fds 3, 4, 5
  EXPECT_TRUE(fds.has_room(0));
  EXPECT_TRUE(fds.has_room(3));
  EXPECT_FALSE(fds.has_room(4));
  auto p = make_pipe(0).value();
  ASSERT_EQ(fds.install(p.reader).value(), 3);
  ASSERT_EQ(fds.install(p.writer).value(), 4);
  EXPECT_TRUE(fds.has_room(1));
  EXPECT_FALSE(fds.has_room(2));
  EXPECT_EQ(fds.reserve(2).error().value(), EMFILE);
  // A hole below the end counts.
  ASSERT_TRUE(fds.close(3).has_value());
  EXPECT_TRUE(fds.has_room(2));
  ASSERT_TRUE(fds.reserve(2).has_value());
  EXPECT_EQ(fds.install(p.reader).value(), 3);
  EXPECT_EQ(fds.install(p.reader).value(), 5);
  EXPECT_FALSE(fds.has_room(1));
  EXPECT_EQ(fds.install(p.reader).error().value(), EMFILE);
}

}  // namespace
}  // namespace ringkit::sim
