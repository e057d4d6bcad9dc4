// RingCore::do_register: io_uring_register(2) as Linux 6.18 answers it
// (io_uring/register.c __io_uring_register, rsrc.c, filetable.c), on the world's objects.
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/op_handler.hpp"
#include "engine/ring_core.hpp"
#include "ops/ctl_cancel.hpp"
#include "ops/op_support.hpp"
#include "ringkit/abi/register.hpp"

namespace ringkit::sim::detail {

namespace {

template <class T>
T read_arg(const void* arg) noexcept {
  T value;
  std::memcpy(&value, arg, sizeof value);
  return value;
}

template <class T>
const T* user_array(std::uint64_t address) noexcept {
  return reinterpret_cast<const T*>(static_cast<std::uintptr_t>(address));
}

}  // namespace

// Each registered slot holds a reference to its File, as the kernel's table holds the file.
result<std::uint64_t> RingCore::file_handle(int fd) noexcept {
  File* f = world_.fds().get(fd);
  // io_sqe_files_register / io_install_fixed_file refuse io_uring files (-EBADF), and fget
  // refuses O_PATH descriptions (FMODE_PATH).
  if (f == nullptr || f->kind() == FileKind::ring || (f->status_flags() & O_PATH) != 0) {
    return Error{EBADF};
  }
  intrusive_ptr_add_ref(f);
  return reinterpret_cast<std::uint64_t>(f);
}

void RingCore::release_slot(std::uint32_t index, const FileSlotTable::Slot& slot) noexcept {
  File* const file = reinterpret_cast<File*>(slot.file);
  // The resource tag is posted once nothing uses the slot's file any more: requests that took
  // it from this slot hold its node (req->file_node) until they are freed (io_put_rsrc_node).
  const auto holds = [&](const Request& r) noexcept {
    return index != no_slot && r.fixed_slot == static_cast<std::int32_t>(index) && r.held_tag < 0 &&
           r.file.get() == file;
  };
  if (slot.tag != 0) {
    std::uint32_t users = 0;
    for (const Request& r : inflight_) users += holds(r) ? 1u : 0u;
    if (users == 0) {
      post_aux(slot.tag, 0, 0);
    } else {
      std::size_t h = 0;
      while (h < held_tags_.size() && held_tags_[h].refs != 0) ++h;
      if (h == held_tags_.size()) held_tags_.emplace_back();
      held_tags_[h] = HeldTag{slot.tag, users};
      for (Request& r : inflight_) {
        if (holds(r)) r.held_tag = static_cast<std::int32_t>(h);
      }
    }
  }
  intrusive_ptr_release(file);
}

void RingCore::release_buffer_entry(std::uint32_t index,
                                    const RegisteredBufferTable::Entry& entry) noexcept {
  if (entry.tag == 0) return;
  // Requests using the buffer hold its node (req->buf_node) until they are freed; the tag
  // waits for the last of them (io_put_rsrc_node).
  const auto holds = [&](const Request& r) noexcept {
    return r.fixed_buffer == static_cast<std::int32_t>(index) && r.held_buffer_tag < 0;
  };
  std::uint32_t users = 0;
  for (const Request& r : inflight_) users += holds(r) ? 1u : 0u;
  if (users == 0) {
    post_aux(entry.tag, 0, 0);
    return;
  }
  std::size_t h = 0;
  while (h < held_tags_.size() && held_tags_[h].refs != 0) ++h;
  if (h == held_tags_.size()) held_tags_.emplace_back();
  held_tags_[h] = HeldTag{entry.tag, users};
  for (Request& r : inflight_) {
    if (holds(r)) r.held_buffer_tag = static_cast<std::int32_t>(h);
  }
}

result<void> RingCore::register_files_releasing(std::span<const int> fds,
                                                std::span<const std::uint64_t> tags) noexcept {
  // A registration that fails part way keeps nothing (io_sqe_files_register): the references
  // taken for the fds before the failing one are dropped again.
  std::vector<std::uint64_t> taken;
  const auto resolve = [this, &taken](int fd) noexcept -> result<std::uint64_t> {
    const result<std::uint64_t> handle = file_handle(fd);
    if (handle) taken.push_back(*handle);
    return handle;
  };
  const result<void> r = files.register_files(fds, tags, resolve);
  if (!r) {
    for (const std::uint64_t h : taken) intrusive_ptr_release(reinterpret_cast<File*>(h));
  }
  return r;
}

result<std::uint32_t> RingCore::do_register(abi::RegisterOp op, void* arg,
                                            std::uint32_t nr_args) noexcept {
  using abi::RegisterOp;
  const auto raw = static_cast<std::uint32_t>(op);
  if (raw >= abi::register_op_count) return Error{EINVAL};
  // Restrictions allow only the register ops they list, once the ring is enabled.
  if (restricted_ && !allowed_register_ops_.test(raw)) return Error{EACCES};
  const auto resolve = [this](int fd) noexcept { return file_handle(fd); };
  const auto release = [this](std::uint32_t index, const FileSlotTable::Slot& s) noexcept {
    release_slot(index, s);
  };
  const auto release_buffer = [this](std::uint32_t index,
                                     const RegisteredBufferTable::Entry& e) noexcept {
    release_buffer_entry(index, e);
  };
  switch (op) {
    case RegisterOp::register_files: {
      if (arg == nullptr) return Error{EFAULT};
      const std::span<const int> fds(static_cast<const int*>(arg), nr_args);
      const result<void> r = register_files_releasing(fds, {});
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::register_files2:
    case RegisterOp::register_buffers2: {
      // io_register_rsrc, in its order: the size, the copy, then nr, resv2 and flags.
      if (nr_args != sizeof(abi::RsrcRegister)) return Error{EINVAL};
      if (arg == nullptr) return Error{EFAULT};
      const auto rr = read_arg<abi::RsrcRegister>(arg);
      if (rr.nr == 0 || rr.resv2 != 0 || (rr.flags & ~abi::rsrc_register_sparse)) {
        return Error{EINVAL};
      }
      const bool sparse = (rr.flags & abi::rsrc_register_sparse) != 0;
      if (sparse && rr.data != 0) return Error{EINVAL};
      const std::span<const std::uint64_t> tags =
          rr.tags != 0 ? std::span<const std::uint64_t>(user_array<std::uint64_t>(rr.tags), rr.nr)
                       : std::span<const std::uint64_t>();
      // No data (sparse or not) registers empty slots; a tag on an empty slot is EINVAL, found
      // after the table exists (io_sqe_files_register, io_sqe_buffers_register).
      const bool tagged_empty_slot =
          std::any_of(tags.begin(), tags.end(), [](std::uint64_t t) { return t != 0; });
      if (op == RegisterOp::register_files2) {
        if (rr.data == 0) {
          const result<void> r = files.create(rr.nr);
          if (!r) return r.error();
          if (tagged_empty_slot) {
            (void)files.destroy();
            return Error{EINVAL};
          }
          return 0u;
        }
        const result<void> r =
            register_files_releasing(std::span<const int>(user_array<int>(rr.data), rr.nr), tags);
        if (!r) return r.error();
        return 0u;
      }
      if (rr.data == 0) {
        const result<void> r = buffers.create(rr.nr);
        if (!r) return r.error();
        if (tagged_empty_slot) {
          (void)buffers.destroy();
          return Error{EINVAL};
        }
        return 0u;
      }
      const result<void> r =
          buffers.register_buffers(std::span<const iovec>(user_array<iovec>(rr.data), rr.nr), tags);
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::unregister_files: {
      if (arg != nullptr || nr_args != 0) return Error{EINVAL};
      const result<void> r = files.destroy(release);
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::register_files_update:
    case RegisterOp::register_files_update2:
    case RegisterOp::register_buffers_update: {
      if (arg == nullptr) return Error{EFAULT};
      abi::RsrcUpdate2 up{};
      if (op == RegisterOp::register_files_update) {
        const auto u = read_arg<abi::RsrcUpdate>(arg);
        if (u.resv != 0) return Error{EINVAL};
        up.offset = u.offset;
        up.data = u.data;
        up.nr = nr_args;
      } else {
        if (nr_args != sizeof(abi::RsrcUpdate2)) return Error{EINVAL};
        up = read_arg<abi::RsrcUpdate2>(arg);
        if (up.resv != 0 || up.resv2 != 0) return Error{EINVAL};
      }
      const std::span<const std::uint64_t> tags =
          up.tags != 0 ? std::span<const std::uint64_t>(user_array<std::uint64_t>(up.tags), up.nr)
                       : std::span<const std::uint64_t>();
      if (op == RegisterOp::register_buffers_update) {
        return buffers.update(up.offset, std::span<const iovec>(user_array<iovec>(up.data), up.nr),
                              tags, release_buffer);
      }
      return files.update(up.offset, std::span<const int>(user_array<int>(up.data), up.nr), tags,
                          resolve, release);
    }
    case RegisterOp::register_file_alloc_range: {
      if (arg == nullptr) return Error{EFAULT};
      const auto range = read_arg<abi::FileIndexRange>(arg);
      if (range.resv != 0) return Error{EINVAL};
      const result<void> r = files.set_alloc_range(range.off, range.len);
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::register_buffers: {
      if (arg == nullptr) return Error{EFAULT};
      const result<void> r = buffers.register_buffers(
          std::span<const iovec>(static_cast<const iovec*>(arg), nr_args), {});
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::unregister_buffers: {
      if (arg != nullptr || nr_args != 0) return Error{EINVAL};
      const result<void> r = buffers.destroy(release_buffer);
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::register_pbuf_ring:
    case RegisterOp::unregister_pbuf_ring: {
      // __io_uring_register: both take exactly one struct io_uring_buf_reg.
      if (arg == nullptr || nr_args != 1) return Error{EINVAL};
      abi::BufReg reg;
      std::memcpy(&reg, arg, sizeof(reg));
      const result<void> r = op == RegisterOp::register_pbuf_ring
                                 ? provided_buffers.register_ring(reg)
                                 : provided_buffers.unregister_ring(reg);
      if (!r) return r.error();
      return 0u;
    }
    case RegisterOp::register_pbuf_status: {
      if (arg == nullptr || nr_args != 1) return Error{EINVAL};
      abi::BufStatus status;
      std::memcpy(&status, arg, sizeof(status));
      for (const std::uint32_t r : status.resv) {
        if (r != 0) return Error{EINVAL};
      }
      const result<std::uint32_t> head = provided_buffers.ring_head(status.buf_group);
      if (!head) return head.error();
      status.head = *head;
      std::memcpy(arg, &status, sizeof(status));
      return 0u;
    }
    case RegisterOp::register_sync_cancel:
      return sync_cancel(*this, arg, nr_args);  // ops/ctl_cancel.cpp
    case RegisterOp::register_probe: {
      // io_probe: nr_args clamped to IORING_OP_LAST; the struct must be zeroed (EINVAL).
      if (arg == nullptr) return Error{EFAULT};
      // The profile's kernel: its last opcode, and only its opcodes in the table.
      std::uint32_t last_op = 0;
      for (std::uint32_t i = 0; i < abi::opcode_count; ++i) {
        if (kernel_has(static_cast<abi::Opcode>(i))) last_op = i;
      }
      std::uint32_t n = std::min<std::uint32_t>(nr_args, last_op + 1);
      auto* bytes = static_cast<std::byte*>(arg);
      for (std::size_t i = 0;
           i < sizeof(abi::ProbeHeader) + std::size_t{nr_args} * sizeof(abi::ProbeOp); ++i) {
        if (bytes[i] != std::byte{0}) return Error{EINVAL};
      }
      abi::ProbeHeader header{};
      header.last_op = static_cast<std::uint8_t>(last_op);
      header.ops_len = static_cast<std::uint8_t>(n);
      std::memcpy(bytes, &header, sizeof header);
      for (std::uint32_t i = 0; i < n; ++i) {
        abi::ProbeOp entry{};
        entry.op = static_cast<std::uint8_t>(i);
        if (op_supported(static_cast<abi::Opcode>(i))) entry.flags = abi::probe_op_supported;
        std::memcpy(bytes + sizeof header + i * sizeof(abi::ProbeOp), &entry, sizeof entry);
      }
      return 0u;
    }
    case RegisterOp::register_eventfd:
    case RegisterOp::register_eventfd_async: {
      if (nr_args != 1 || arg == nullptr) return Error{EINVAL};
      if (cq_eventfd) return Error{EBUSY};
      File* f = world_.fds().get(read_arg<int>(arg));
      if (f == nullptr) return Error{EBADF};
      if (f->kind() != FileKind::eventfd) return Error{EINVAL};  // eventfd_ctx_fdget
      cq_eventfd = FileRef(f);
      cq_eventfd_async = op == RegisterOp::register_eventfd_async;
      return 0u;
    }
    case RegisterOp::unregister_eventfd: {
      if (arg != nullptr || nr_args != 0) return Error{EINVAL};
      if (!cq_eventfd) return Error{ENXIO};
      cq_eventfd.reset();
      return 0u;
    }
    case RegisterOp::register_personality: {
      if (arg != nullptr || nr_args != 0) return Error{EINVAL};
      // xa_alloc_cyclic over 1..USHRT_MAX: ids are handed out in order.
      const std::uint16_t id = next_personality_++;
      personalities_.insert(std::lower_bound(personalities_.begin(), personalities_.end(), id), id);
      return std::uint32_t{id};
    }
    case RegisterOp::unregister_personality: {
      if (arg != nullptr) return Error{EINVAL};
      const auto it = std::lower_bound(personalities_.begin(), personalities_.end(), nr_args);
      if (it == personalities_.end() || *it != nr_args) return Error{EINVAL};
      personalities_.erase(it);
      return 0u;
    }
    case RegisterOp::register_restrictions: {
      // io_register_restrictions: only on a disabled ring, only once.
      if (enabled) return Error{EBADFD};
      if (restrictions_registered_) return Error{EBUSY};
      if (arg == nullptr || nr_args == 0 || nr_args > 256 * 3) return Error{EINVAL};
      const auto* list = static_cast<const abi::Restriction*>(arg);
      std::bitset<256> reg, sqe;
      std::uint8_t allowed_flags = 0, required_flags = 0;
      for (std::uint32_t i = 0; i < nr_args; ++i) {
        const abi::Restriction r = list[i];
        switch (r.opcode) {
          case abi::restriction_op::register_op:
            reg.set(r.arg);
            break;
          case abi::restriction_op::sqe_op:
            sqe.set(r.arg);
            break;
          case abi::restriction_op::sqe_flags_allowed:
            allowed_flags = r.arg;
            break;
          case abi::restriction_op::sqe_flags_required:
            required_flags = r.arg;
            break;
          default:
            return Error{EINVAL};
        }
      }
      restrictions_registered_ = true;
      allowed_register_ops_ = reg;
      allowed_sqe_ops_ = sqe;
      allowed_sqe_flags_ = allowed_flags;
      required_sqe_flags_ = required_flags;
      return 0u;
    }
    case RegisterOp::register_enable_rings: {
      if (enabled) return Error{EBADFD};
      enabled = true;
      restricted_ = restrictions_registered_;
      return 0u;
    }
    case RegisterOp::register_iowq_aff: {
      if (arg == nullptr || nr_args == 0) return Error{EINVAL};
      return 0u;  // the simulated io-wq has no CPUs to pin
    }
    case RegisterOp::unregister_iowq_aff:
      if (arg != nullptr || nr_args != 0) return Error{EINVAL};
      return 0u;
    case RegisterOp::register_iowq_max_workers: {
      if (arg == nullptr || nr_args != 2) return Error{EINVAL};
      auto* limits = static_cast<std::uint32_t*>(arg);
      for (int i = 0; i < 2; ++i) {
        const std::uint32_t old = iowq_max_workers_[i];
        if (limits[i] != 0) iowq_max_workers_[i] = limits[i];
        limits[i] = old;
      }
      return 0u;
    }
    default:
      // Known to Linux 6.18 but not simulated yet: say so rather than pretend.
      return Error{EOPNOTSUPP, ErrorReason::sim_register_op_not_simulated, raw};
  }
}

bool RingCore::restriction_allows(const Request& req) const noexcept {
  // io_check_restriction.
  if (!allowed_sqe_ops_.test(req.sqe.opcode)) return false;
  if ((req.sqe_flags & required_sqe_flags_) != required_sqe_flags_) return false;
  if (req.sqe_flags & ~(allowed_sqe_flags_ | required_sqe_flags_)) return false;
  return true;
}

bool RingCore::personality_registered(std::uint16_t id) const noexcept {
  return std::binary_search(personalities_.begin(), personalities_.end(), id);
}

void notify_cq_eventfd(RingCore& ring) noexcept {
  if (!ring.cq_eventfd) return;
  if (*ring.cq_flags_word() & abi::cq_ring_flag::eventfd_disabled) return;
  // Async mode signals only for completions from io-wq; the simulator's completions all
  // arrive through its scheduler, which is the io-wq of this world.
  const std::uint64_t one = 1;
  const iovec v{const_cast<std::uint64_t*>(&one), sizeof one};
  (void)ring.cq_eventfd->write(std::span<const iovec>(&v, 1), -1, 0);
}

}  // namespace ringkit::sim::detail
