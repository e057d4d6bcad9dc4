// IORING_OP_MSG_RING (io_uring/msg_ring.c, Linux 6.18: io_msg_ring_prep, io_msg_ring,
// io_msg_ring_data, io_msg_send_fd, io_msg_install_complete; filetable.c
// __io_fixed_fd_install).
//
// Prep reads the SQE as the kernel does (only buf_index, personality and the flags are checked
// there); everything else is checked at issue in the kernel's order, so a message to a file
// that is not a ring is -EBADFD whatever its command.
#include "engine/ring_file.hpp"
#include "ops/op_support.hpp"
#include "ringkit/abi/op_flags.hpp"

namespace ringkit::sim::detail {

namespace {

namespace mr = abi::msg_ring;

// struct io_msg, as io_msg_ring_prep reads it (u32 fields truncate their SQE words).
struct MsgState {
  std::int32_t fd;
  bool fixed;
  std::uint64_t user_data;  // sqe->off
  std::uint32_t len;
  std::uint32_t cmd;     // sqe->addr
  std::uint32_t src_fd;  // sqe->addr3
  std::uint32_t dst_fd;  // sqe->file_index (also the CQE flags with FLAGS_PASS)
  std::uint32_t flags;   // sqe->msg_ring_flags
};

int prep_msg_ring(Request& req) noexcept {
  const abi::Sqe& sqe = req.sqe;
  if (sqe.buf_index != 0 || sqe.personality != 0) return -EINVAL;
  MsgState st{};
  st.fd = sqe.fd;
  st.fixed = req.has_flag(abi::sqe_flag::fixed_file);
  st.user_data = sqe.off;
  st.len = sqe.len;
  st.cmd = static_cast<std::uint32_t>(sqe.addr);
  st.src_fd = static_cast<std::uint32_t>(sqe.addr3);
  st.dst_fd = static_cast<std::uint32_t>(sqe.splice_fd_in);
  st.flags = sqe.op_flags;
  if (st.flags & ~(mr::cqe_skip | mr::flags_pass)) return -EINVAL;
  req.emplace_data(st);
  return 0;
}

int send_data(const MsgState& st, RingCore& target) noexcept {
  if (st.src_fd != 0 || (st.flags & ~mr::flags_pass)) return -EINVAL;
  if (!(st.flags & mr::flags_pass) && st.dst_fd != 0) return -EINVAL;
  if (!target.enabled) return -EBADFD;  // IORING_SETUP_R_DISABLED
  const std::uint32_t cflags = (st.flags & mr::flags_pass) ? st.dst_fd : 0;
  // io_post_aux_cqe: the target's CQE goes to its overflow backlog when its CQ is full.
  target.post_aux(st.user_data, static_cast<std::int32_t>(st.len), cflags);
  return 0;
}

// __io_fixed_fd_install into the target's table: the slot with IORING_FILE_INDEX_ALLOC, else
// 0; file_index 0 names slot 0xffffffff (-EINVAL, or -ENXIO without a table).
int install_fixed(RingCore& target, File& file, std::uint32_t dst_fd) noexcept {
  intrusive_ptr_add_ref(&file);  // the slot's reference
  const FileSlotTable::Slot value{reinterpret_cast<std::uint64_t>(&file), 0};
  if (dst_fd == abi::file_index_alloc) {
    const result<std::uint32_t> slot = target.files.install_alloc(value);
    if (!slot) {
      intrusive_ptr_release(&file);
      return -slot.error().value();
    }
    return static_cast<int>(*slot);
  }
  const result<std::optional<FileSlotTable::Slot>> replaced =
      target.files.install(dst_fd - 1, value);
  if (!replaced) {
    intrusive_ptr_release(&file);
    return -replaced.error().value();
  }
  if (*replaced) target.release_slot(dst_fd - 1, **replaced);
  return 0;
}

int send_fd(const MsgState& st, RingCore& ring, RingCore& target) noexcept {
  if (st.len != 0) return -EINVAL;
  if (&target == &ring) return -EINVAL;
  if (!target.enabled) return -EBADFD;
  // io_msg_grab_file: the sender's registered slot.
  const FileSlotTable::Slot* src = ring.files.get(st.src_fd);
  if (src == nullptr) return -EBADF;
  const int ret = install_fixed(target, *reinterpret_cast<File*>(src->file), st.dst_fd);
  if (ret < 0) return ret;
  if (!(st.flags & mr::cqe_skip)) target.post_aux(st.user_data, ret, 0);
  return ret;
}

void issue_msg_ring(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const MsgState st = req.data<MsgState>();
  // A fixed slot never holds a ring (the table refuses io_uring files): it resolves to another
  // file (-EBADFD below) or to nothing (-EBADF).
  if (!resolve_op_file(req, st.fd, st.fixed)) {
    ring.complete(req, -EBADF);
    return;
  }
  RingCore* target = ring.world().ring_of(req.file.get());
  int ret = -EBADFD;  // io_is_uring_fops
  if (target != nullptr) {
    if (st.cmd == mr::data) {
      ret = send_data(st, *target);
    } else if (st.cmd == mr::send_fd) {
      ret = send_fd(st, ring, *target);
    } else {
      ret = -EINVAL;
    }
  }
  ring.complete(req, ret);
}

}  // namespace

const OpHandler op_handler_msg_ring{&prep_msg_ring, &issue_msg_ring, nullptr, false};

}  // namespace ringkit::sim::detail
