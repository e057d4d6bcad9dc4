// IORING_FEAT_SUBMIT_STABLE: what a request points at through its SQE (an iovec array) is the
// kernel's copy once submitted, so the application may reuse that memory at once, even while
// the request waits.
#include <sys/uio.h>

#include <array>
#include <string>

#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

TEST(SimRwSubmitStable, AWaitingReadvKeepsItsIovecArrayWhateverTheApplicationDoesToIt) {
  for (const std::size_t count : {std::size_t{3}, std::size_t{12}}) {
    World world;
    auto ring = make_ring(world);
    const PipeFds pipe = open_pipe(world);
    std::array<std::array<char, 2>, 12> buffers{};
    std::array<iovec, 12> iov{};
    for (std::size_t i = 0; i < count; ++i) iov[i] = iovec{buffers[i].data(), 2};
    ASSERT_EQ(submit(*ring, {with(op::Readv(op::Fd{pipe.read_end}, iov.data(),
                                            static_cast<std::uint32_t>(count), file_position)
                                      .build(),
                                  1)}),
              1);
    EXPECT_TRUE(drain(*ring).empty());  // the pipe is empty: the read waits
    // The application reuses its array for something else.
    std::array<char, 2> elsewhere{};
    for (iovec& v : iov) v = iovec{elsewhere.data(), 1};
    const std::string data(2 * count, 'x');
    pipe_put(world, pipe.write_end, data);
    EXPECT_EQ(wait_for(*ring, 1),
              (std::vector<Cqe>{{1, static_cast<std::int32_t>(data.size()), 0}}));
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(std::string(buffers[i].data(), 2), "xx") << "count " << count << " iovec " << i;
    }
    EXPECT_EQ(elsewhere[0], '\0');
  }
}

}  // namespace
}  // namespace ringkit::sim
