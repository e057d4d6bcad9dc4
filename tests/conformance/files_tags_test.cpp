// Conformance: resource tags. A tagged file slot or registered buffer posts its tag (a CQE of
// user_data = tag, res 0, flags 0) once it is replaced or unregistered and the last request using
// it has been freed (io_put_rsrc_node -> io_free_rsrc_node -> io_post_aux_cqe).
#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>

#include "files_support.hpp"

namespace ringkit::conformance {
namespace {

using files::read_slot;

RINGKIT_CONFORMANCE_SUITE(ConformanceFilesTags);

// Unregistering posts the tag of every tagged slot (tag 0: no CQE). io_sqe_files_register
// refuses a tag on an empty slot (-EINVAL).
TYPED_TEST(ConformanceFilesTags, UnregisterFilesPostsTheTagsOfFilledSlots) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int a = this->backend.create_file("a", "a", O_RDWR);
  const int b = this->backend.create_file("b", "b", O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const int fds[3] = {a, b, -1};
  const std::uint64_t bad_tags[3] = {11, 0, 33};
  const result<void> refused = ring->register_files_tags(fds, bad_tags);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().value(), EINVAL);
  EXPECT_EQ(read_slot(*ring, 0), "<res -9>");  // nothing stays registered
  const std::uint64_t tags[3] = {11, 0, 0};
  ASSERT_TRUE(ring->register_files_tags(fds, tags));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{11, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

// A slot replaced by IORING_REGISTER_FILES_UPDATE2 posts its old tag; the new one is posted
// when that is replaced in turn.
TYPED_TEST(ConformanceFilesTags, ReplacingATaggedSlotPostsItsTag) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int a = this->backend.create_file("a", "first", O_RDWR);
  const int b = this->backend.create_file("b", "second", O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const int fds[1] = {a};
  const std::uint64_t tags[1] = {100};
  ASSERT_TRUE(ring->register_files_tags(fds, tags));
  const int update[1] = {b};
  const std::uint64_t update_tags[1] = {200};
  const result<std::uint32_t> updated = ring->register_files_update_tag(0, update, update_tags);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 1u);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{100, 0, 0}}));
  EXPECT_EQ(read_slot(*ring, 0), "second");
  const int clear[1] = {-1};
  ASSERT_TRUE(ring->register_files_update(0, clear));
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{200, 0, 0}}));
}

// A request that uses the slot holds the old file: the tag waits for it to complete, and comes
// after its CQE.
TYPED_TEST(ConformanceFilesTags, TheTagWaitsForTheLastRequestUsingTheSlot) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  const int fds[1] = {pipe.first};
  const std::uint64_t tags[1] = {77};
  ASSERT_TRUE(ring->register_files_tags(fds, tags));
  char buf[16] = {};
  ASSERT_EQ(
      submit(*ring,
             {with(op::Read(op::FixedFile{0}, buf, sizeof buf, files::file_position).build(), 1)}),
      1);
  EXPECT_TRUE(nothing_within(*ring));
  const int clear[1] = {-1};
  const result<std::uint32_t> updated = ring->register_files_update(0, clear);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_TRUE(nothing_within(*ring));  // the read still holds the file
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "late"));
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 4, 0}, {77, 0, 0}}));
  EXPECT_EQ(std::string(buf, 4), "late");
}

// FILES_UPDATE and CLOSE of a direct slot drop the slot's file at issue: its tag comes before
// the request's own CQE.
TYPED_TEST(ConformanceFilesTags, FilesUpdateAndDirectClosePostTheTagBeforeTheirCqe) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int a = this->backend.create_file("a", "first", O_RDWR);
  const int b = this->backend.create_file("b", "second", O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const int fds[2] = {a, b};
  const std::uint64_t tags[2] = {77, 88};
  ASSERT_TRUE(ring->register_files_tags(fds, tags));
  std::int32_t update[1] = {b};
  ASSERT_EQ(submit(*ring, {with(op::FilesUpdate(update, 1, 0).build(), 1)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{77, 0, 0}, {1, 1, 0}}));
  EXPECT_EQ(read_slot(*ring, 0), "second");
  // The slot filled by FILES_UPDATE has no tag: closing it posts none.
  EXPECT_EQ(files::run_one(*ring, with(op::Close::direct(op::FixedFile{0}).build(), 2)),
            (Cqe{2, 0, 0}));
  ASSERT_EQ(submit(*ring, {with(op::Close::direct(op::FixedFile{1}).build(), 3)}), 1);
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{88, 0, 0}, {3, 0, 0}}));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
}

TYPED_TEST(ConformanceFilesTags, BufferTagsArePostedOnReplaceAndUnregister) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  char first[64];
  char second[64];
  char third[64];
  const iovec regs[2] = {{first, sizeof first}, {second, sizeof second}};
  const std::uint64_t tags[2] = {5, 6};
  ASSERT_TRUE(ring->register_buffers_tags(regs, tags));
  EXPECT_TRUE(nothing_within(*ring, std::chrono::milliseconds(5)));
  const iovec update[1] = {{third, sizeof third}};
  const std::uint64_t update_tags[1] = {7};
  const result<std::uint32_t> updated = ring->register_buffers_update_tag(1, update, update_tags);
  ASSERT_TRUE(updated) << updated.error().message();
  EXPECT_EQ(*updated, 1u);
  EXPECT_EQ(wait_cqes(*ring, 1), (Cqes{{6, 0, 0}}));
  ASSERT_TRUE(ring->unregister_buffers());
  // io_rsrc_data_free drops the table from its end: the last slot's tag first.
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{7, 0, 0}, {5, 0, 0}}));
}

// Unregistering files posts the tags from the table's end too (io_rsrc_data_free).
TYPED_TEST(ConformanceFilesTags, UnregisterPostsFileTagsFromTheLastSlot) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const int a = this->backend.create_file("a", "a", O_RDWR);
  const int b = this->backend.create_file("b", "b", O_RDWR);
  const int c = this->backend.create_file("c", "c", O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  const int fds[3] = {a, b, c};
  const std::uint64_t tags[3] = {1, 2, 3};
  ASSERT_TRUE(ring->register_files_tags(fds, tags));
  ASSERT_TRUE(ring->unregister_files());
  EXPECT_EQ(wait_cqes(*ring, 3), (Cqes{{3, 0, 0}, {2, 0, 0}, {1, 0, 0}}));
}

// io_register_rsrc checks nr before anything else: 0 entries is EINVAL even when a table is
// already registered (which would be EBUSY otherwise).
TYPED_TEST(ConformanceFilesTags, RegisteringZeroEntriesIsEinvalBeforeEbusy) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  ASSERT_TRUE(ring->register_files_sparse(1));
  ASSERT_TRUE(ring->register_buffers_sparse(1));
  for (const abi::RegisterOp op :
       {abi::RegisterOp::register_files2, abi::RegisterOp::register_buffers2}) {
    abi::RsrcRegister rr{};
    rr.flags = abi::rsrc_register_sparse;
    const result<std::uint32_t> zero = ring->register_raw(op, &rr, sizeof rr);
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().value(), EINVAL);
    rr.nr = 1;
    const result<std::uint32_t> busy = ring->register_raw(op, &rr, sizeof rr);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().value(), EBUSY);
  }
}

// A READ_FIXED parked on an empty pipe holds its buffer: unregistering the buffers posts the tag
// only once that read completed, after its CQE.
TYPED_TEST(ConformanceFilesTags, ABufferTagWaitsForTheReadUsingIt) {
  auto ring = this->make_ring();
  ASSERT_NE(ring, nullptr);
  const FdPair pipe = this->backend.make_pipe(0);
  ASSERT_GE(pipe.first, 0);
  auto memory = std::make_unique<char[]>(64);
  const iovec reg{memory.get(), 64};
  const std::uint64_t tags[1] = {9};
  ASSERT_TRUE(ring->register_buffers_tags({&reg, 1}, tags));
  ASSERT_EQ(submit(*ring, {with(op::ReadFixed(op::Fd{pipe.first}, memory.get(), 64,
                                              files::file_position, op::BufIndex{0})
                                    .build(),
                                1)}),
            1);
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(ring->unregister_buffers());
  EXPECT_TRUE(nothing_within(*ring));
  ASSERT_TRUE(this->backend.write_fd(pipe.second, "fixed"));
  EXPECT_EQ(wait_cqes(*ring, 2), (Cqes{{1, 5, 0}, {9, 0, 0}}));
  EXPECT_EQ(std::string(memory.get(), 5), "fixed");
}

}  // namespace
}  // namespace ringkit::conformance
