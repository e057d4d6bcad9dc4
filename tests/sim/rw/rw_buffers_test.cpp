// READ/READV with IOSQE_BUFFER_SELECT and READ_MULTISHOT in the simulator, from legacy groups
// (PROVIDE_BUFFERS) and buffer rings (ProvidedBufferRing), with the CQE flags the 6.18 kernel
// gives (tests/kernel/ops/files/provided_buffers_test.cpp and experiments on this kernel).
#include <sys/uio.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "ringkit/provided_buffer_ring.hpp"
#include "rw/rw_test_support.hpp"

namespace ringkit::sim {
namespace {

using namespace testing;

constexpr std::uint32_t buf_more = abi::cqe_flag::buf_more;

class SimRwBuffers : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = make_ring(world_, 8);
    ASSERT_NE(ring_, nullptr);
    pipe_ = open_pipe(world_);
  }
  // A legacy group of `count` buffers of `size` bytes (ids 0..count-1) through PROVIDE_BUFFERS.
  void provide(std::uint16_t bgid, std::uint32_t count, std::uint32_t size) {
    legacy_.assign(count * size, '\0');
    legacy_size_ = size;
    ASSERT_EQ(
        run_res(*ring_,
                op::ProvideBuffers(legacy_.data(), size, count, op::BufGroup{bgid}, 0).build()),
        0);
  }
  std::string legacy(std::uint16_t bid, std::int32_t len) const {
    return std::string(legacy_.data() + std::size_t{bid} * legacy_size_,
                       static_cast<std::size_t>(len));
  }
  void make_ring_group(std::uint16_t bgid, std::uint32_t entries, std::uint32_t size,
                       bool incremental = false) {
    auto made = ProvidedBufferRing::create(
        *ring_,
        {.bgid = bgid, .entries = entries, .buffer_size = size, .incremental = incremental});
    ASSERT_TRUE(made) << made.error().message();
    buffers_ = std::make_unique<ProvidedBufferRing>(std::move(*made));
  }
  std::string take(const Cqe& c) {
    abi::Cqe cqe{};
    cqe.user_data = c.user_data;
    cqe.res = c.res;
    cqe.flags = c.flags;
    const result<std::span<std::byte>> data = buffers_->take(cqe);
    EXPECT_TRUE(data) << data.error().message();
    if (!data) return {};
    return std::string(reinterpret_cast<const char*>(data->data()), data->size());
  }
  abi::Sqe multishot(std::uint16_t bgid, std::uint32_t rw_flags = 0) {
    return with(
        op::ReadMultishot(op::Fd{pipe_.read_end}, op::BufGroup{bgid}, 0).rw_flags(rw_flags).build(),
        7);
  }

  World world_;
  std::unique_ptr<SimRing> ring_;
  PipeFds pipe_;
  std::vector<char> legacy_;
  std::uint32_t legacy_size_ = 0;
  std::unique_ptr<ProvidedBufferRing> buffers_;
};

// A legacy buffer is consumed by every final result, EOF and errors included.
TEST_F(SimRwBuffers, LegacyReadCarriesTheBufferEvenAtEofAndOnErrors) {
  provide(3, 4, 16);
  const int fd = open_file(world_, "/f", "abcdef");
  const auto read_at = [&](std::uint64_t off, std::uint32_t flags = 0) {
    return run_one(
        *ring_,
        op::Read::select_buffer(op::Fd{fd}, op::BufGroup{3}, 4, off).rw_flags(flags).build());
  };
  Cqe c = read_at(2);
  EXPECT_EQ(c, (Cqe{1, 4, buffer_flags(0)}));
  EXPECT_EQ(legacy(0, 4), "cdef");
  EXPECT_EQ(read_at(6), (Cqe{1, 0, buffer_flags(1)}));
  EXPECT_EQ(read_at(0, 0x40000000), (Cqe{1, -EOPNOTSUPP, buffer_flags(2)}));
  // NOWAIT on an empty pipe: -EAGAIN, and the legacy buffer is gone with it.
  EXPECT_EQ(run_one(*ring_, op::Read::select_buffer(op::Fd{pipe_.read_end}, op::BufGroup{3}, 4, 0)
                                .rw_flags(RWF_NOWAIT)
                                .build()),
            (Cqe{1, -EAGAIN, buffer_flags(3)}));
  EXPECT_EQ(read_at(0), (Cqe{1, -ENOBUFS, 0}));
  EXPECT_EQ(run_res(*ring_, op::RemoveBuffers(1, op::BufGroup{3}).build()), 0);
}

// With no buffer the read ends at once, even on an empty pipe.
TEST_F(SimRwBuffers, NoGroupIsEnobufsAtOnce) {
  EXPECT_EQ(run_one(*ring_,
                    op::Read::select_buffer(op::Fd{pipe_.read_end}, op::BufGroup{9}, 4, 0).build()),
            (Cqe{1, -ENOBUFS, 0}));
}

// A parked read recycles its buffer; the data that wakes it lands in the same buffer.
TEST_F(SimRwBuffers, ParkedPipeReadSelectsWhenDataArrives) {
  provide(2, 2, 8);
  ASSERT_EQ(
      submit(*ring_,
             {with(op::Read::select_buffer(op::Fd{pipe_.read_end}, op::BufGroup{2}, 0, 0).build(),
                   1)}),
      1);
  world_.run_for(1'000'000);
  EXPECT_TRUE(drain(*ring_).empty());
  pipe_put(world_, pipe_.write_end, "0123456789");
  EXPECT_EQ(wait_for(*ring_, 1), (std::vector<Cqe>{{1, 8, buffer_flags(0)}}));
  EXPECT_EQ(legacy(0, 8), "01234567");
}

// A ring buffer: committed at selection for a regular file (errors carry it), recycled by an
// error on a pollable file.
TEST_F(SimRwBuffers, RingBufferCommitRules) {
  make_ring_group(5, 4, 16);
  const int fd = open_file(world_, "/f", "abcdef");
  EXPECT_EQ(run_one(*ring_, op::Read::select_buffer(op::Fd{pipe_.read_end}, op::BufGroup{5}, 4, 0)
                                .rw_flags(RWF_NOWAIT)
                                .build()),
            (Cqe{1, -EAGAIN, 0}));
  Cqe c = run_one(
      *ring_,
      op::Read::select_buffer(op::Fd{fd}, op::BufGroup{5}, 4, 0).rw_flags(0x40000000).build());
  EXPECT_EQ(c, (Cqe{1, -EOPNOTSUPP, buffer_flags(0)}));
  c = run_one(*ring_, op::Read::select_buffer(op::Fd{fd}, op::BufGroup{5}, 4, 6).build());
  EXPECT_EQ(c, (Cqe{1, 0, buffer_flags(1)}));
  c = run_one(*ring_, op::Read::select_buffer(op::Fd{fd}, op::BufGroup{5}, 0, 0).build());
  EXPECT_EQ(c, (Cqe{1, 6, buffer_flags(2)}));
  EXPECT_EQ(take(c), "abcdef");
  const iovec cap{nullptr, 3};
  c = run_one(*ring_, op::Readv::select_buffer(op::Fd{fd}, &cap, op::BufGroup{5}, 2).build());
  EXPECT_EQ(c, (Cqe{1, 3, buffer_flags(3)}));
  EXPECT_EQ(take(c), "cde");
}

TEST_F(SimRwBuffers, MultishotOneCqePerReadUntilEof) {
  make_ring_group(7, 4, 16);
  pipe_put(world_, pipe_.write_end, "abc");
  ASSERT_EQ(submit(*ring_, {multishot(7)}), 1);
  std::vector<Cqe> cqes = wait_for(*ring_, 1);
  ASSERT_EQ(cqes, (std::vector<Cqe>{{7, 3, buffer_flags(0, f_more)}}));
  EXPECT_EQ(take(cqes[0]), "abc");
  pipe_put(world_, pipe_.write_end, "defgh");
  cqes = wait_for(*ring_, 1);
  ASSERT_EQ(cqes, (std::vector<Cqe>{{7, 5, buffer_flags(1, f_more)}}));
  EXPECT_EQ(take(cqes[0]), "defgh");
  ASSERT_TRUE(world_.fds().close(pipe_.write_end));
  EXPECT_EQ(wait_for(*ring_, 1), (std::vector<Cqe>{{7, 0, 0}}));
}

TEST_F(SimRwBuffers, MultishotDataLargerThanABufferSpansCqes) {
  make_ring_group(3, 4, 8);
  ASSERT_EQ(submit(*ring_, {multishot(3)}), 1);
  pipe_put(world_, pipe_.write_end, "0123456789ABCDEFxyz");
  const std::vector<Cqe> cqes = wait_for(*ring_, 3);
  ASSERT_EQ(cqes, (std::vector<Cqe>{{7, 8, buffer_flags(0, f_more)},
                                    {7, 8, buffer_flags(1, f_more)},
                                    {7, 3, buffer_flags(2, f_more)}}));
  std::string all;
  for (const Cqe& c : cqes) all += take(c);
  EXPECT_EQ(all, "0123456789ABCDEFxyz");
}

// The group runs dry: the next read that finds data ends the request with -ENOBUFS.
TEST_F(SimRwBuffers, MultishotEmptyGroupEndsItWithEnobufs) {
  provide(5, 2, 16);
  ASSERT_EQ(submit(*ring_, {multishot(5)}), 1);
  for (std::uint16_t i = 0; i < 2; ++i) {
    pipe_put(world_, pipe_.write_end, "chunk" + std::to_string(i));
    EXPECT_EQ(wait_for(*ring_, 1), (std::vector<Cqe>{{7, 6, buffer_flags(i, f_more)}}));
    EXPECT_EQ(legacy(i, 6), "chunk" + std::to_string(i));
  }
  world_.run_for(1'000'000);
  EXPECT_TRUE(drain(*ring_).empty());  // waits for data, not for buffers
  pipe_put(world_, pipe_.write_end, "starved");
  EXPECT_EQ(wait_for(*ring_, 1), (std::vector<Cqe>{{7, -ENOBUFS, 0}}));
  char rest[16];
  EXPECT_EQ(run_res(*ring_, op::Read(op::Fd{pipe_.read_end}, rest, 16, 0).build()), 7);
}

TEST_F(SimRwBuffers, MultishotNeedsAPollableFile) {
  make_ring_group(9, 2, 16);
  const int fd = open_file(world_, "/plain", "data");
  EXPECT_EQ(run_one(*ring_, op::ReadMultishot(op::Fd{fd}, op::BufGroup{9}, 0).build()),
            (Cqe{1, -EBADFD, 0}));
  EXPECT_EQ(run_one(*ring_, op::ReadMultishot(op::Fd{fd}, op::BufGroup{77}, 0).build()),
            (Cqe{1, -EBADFD, 0}));
  EXPECT_EQ(run_one(*ring_, op::ReadMultishot(op::Fd{pipe_.read_end}, op::BufGroup{77}, 0).build()),
            (Cqe{1, -ENOBUFS, 0}));
  abi::Sqe no_select = op::ReadMultishot(op::Fd{pipe_.read_end}, op::BufGroup{9}, 0).build();
  no_select.flags = 0;
  EXPECT_EQ(run_res(*ring_, no_select), -EINVAL);
}

// Errors end it without a buffer; RWF_NOWAIT ends it with -EAGAIN after the data there is.
TEST_F(SimRwBuffers, MultishotErrorsAndNowait) {
  make_ring_group(5, 8, 16, /*incremental=*/true);
  pipe_put(world_, pipe_.write_end, "xy");
  EXPECT_EQ(
      run_one(
          *ring_,
          op::ReadMultishot(op::Fd{pipe_.read_end}, op::BufGroup{5}, ~std::uint64_t{1}).build()),
      (Cqe{1, -EINVAL, 0}));
  EXPECT_EQ(run_one(*ring_, multishot(5, 0x40000000)).res, -EOPNOTSUPP);
  ASSERT_EQ(submit(*ring_, {multishot(5, RWF_NOWAIT)}), 1);
  const std::vector<Cqe> cqes = wait_for(*ring_, 2);
  ASSERT_EQ(cqes, (std::vector<Cqe>{{7, 2, buffer_flags(0, f_more | buf_more)}, {7, -EAGAIN, 0}}));
}

// A multishot whose CQE does not fit ends with that CQE (no F_MORE), overflowing.
TEST_F(SimRwBuffers, MultishotEndsWhenTheCqIsFull) {
  ring_ = make_ring(world_, 1, 0, 2);  // two CQEs
  ASSERT_NE(ring_, nullptr);
  make_ring_group(4, 8, 2);
  ASSERT_EQ(submit(*ring_, {multishot(4)}), 1);
  pipe_put(world_, pipe_.write_end, "aabbccdd");
  world_.run_for(1'000'000);
  std::vector<Cqe> cqes = drain(*ring_);
  ASSERT_EQ(cqes,
            (std::vector<Cqe>{{7, 2, buffer_flags(0, f_more)}, {7, 2, buffer_flags(1, f_more)}}));
  ASSERT_TRUE(ring_->submit_and_wait(1));
  cqes = drain(*ring_);
  ASSERT_EQ(cqes, (std::vector<Cqe>{{7, 2, buffer_flags(2)}}));
  char rest[8];
  EXPECT_EQ(run_res(*ring_, op::Read(op::Fd{pipe_.read_end}, rest, 8, 0).build()), 2);
}

}  // namespace
}  // namespace ringkit::sim
