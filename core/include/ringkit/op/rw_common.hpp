// The part every read/write opcode shares (READ, WRITE, READV, WRITEV, their _FIXED forms and
// READ_MULTISHOT): what __io_prep_rw (io_uring/rw.c, Linux 6.18) reads from the SQE.
//
// __io_prep_rw reads, for all of them: off (file position, -1 = current), buf_index (a
// registered buffer, or the buffer group with IOSQE_BUFFER_SELECT), ioprio (checked by
// ioprio_check_cap: an invalid class is -EINVAL, RT without CAP_SYS_ADMIN -EPERM; a value rule
// decode() does not model), write_stream (the low byte of splice_fd_in, 6.16; only writes use
// it), addr, len, rw_flags (RWF_*: unknown bits fail at issue in kiocb_set_rw_flags with
// -EOPNOTSUPP, not at prep, so decode() accepts any), and attr_type_mask (pad2, 6.14): non-zero
// and not IORING_RW_ATTR_FLAG_PI is -EINVAL; with PI, attr_ptr (addr3) points to an
// io_uring_attr_pi that prep copies (a bad pointer is -EFAULT: user memory, not modelled).
// Without an attribute mask addr3 is never read. The three bytes above write_stream (__pad4)
// are never read. User memory the prep functions read (iovecs, the PI struct) is not checked.
#pragma once

#include <cstdint>

#include "ringkit/abi/op_flags.hpp"
#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op::detail {

// The fields of a read/write SQE, as __io_prep_rw reads them.
struct RwFields {
  FileRef file;
  std::uint8_t sqe_flags = 0;  // IOSQE_FIXED_FILE / IOSQE_BUFFER_SELECT
  std::uint16_t ioprio = 0;
  std::uint64_t off = 0;
  std::uint64_t addr = 0;
  std::uint32_t len = 0;
  std::uint32_t rw_flags = 0;
  std::uint16_t buf_index = 0;
  std::uint8_t write_stream = 0;
  std::uint64_t attr_ptr = 0;
  std::uint64_t attr_type_mask = 0;

  constexpr RwFields(FileRef f, std::uint64_t address, std::uint32_t length,
                     std::uint64_t offset) noexcept
      : file(f), sqe_flags(f.sqe_flags()), off(offset), addr(address), len(length) {}

  [[nodiscard]] constexpr abi::Sqe build(abi::Opcode op) const noexcept {
    abi::Sqe sqe = make_sqe(op, sqe_flags);
    sqe.ioprio = ioprio;
    sqe.fd = file.raw();
    sqe.off = off;
    sqe.addr = addr;
    sqe.len = len;
    sqe.op_flags = rw_flags;
    sqe.buf_index = buf_index;
    sqe.splice_fd_in = write_stream;
    sqe.addr3 = attr_ptr;
    sqe.pad2 = attr_type_mask;
    return sqe;
  }

  // Reads what __io_prep_rw reads and judges the attribute and write_stream bytes. `allowed` are
  // the IOSQE bits the op accepts beyond the common ones; `writes` says whether write_stream means
  // anything. buf_index, addr and len are left to the op.
  [[nodiscard]] static constexpr RwFields decode(SqeDecoder& d, std::uint8_t allowed,
                                                 bool writes) noexcept {
    const abi::Sqe& sqe = d.sqe();
    d.op_flags_allowed(allowed);
    if (sqe.pad2 != 0) {
      d.require(sqe.pad2 == abi::rw::attr_flag_pi);
    } else {
      d.unused(field::addr3, KernelRule::ignores);
    }
    const auto fd_in = static_cast<std::uint32_t>(sqe.splice_fd_in);
    if (writes) {
      d.require_strict((fd_in & ~0xffu) == 0);  // __pad4: never read
    } else {
      d.unused(field::splice_fd_in, KernelRule::ignores);
    }
    RwFields f(FileRef::from_sqe(sqe), sqe.addr, sqe.len, sqe.off);
    f.sqe_flags = static_cast<std::uint8_t>(sqe.flags & allowed);
    f.ioprio = sqe.ioprio;
    f.rw_flags = sqe.op_flags;
    f.buf_index = sqe.buf_index;
    f.write_stream = writes ? static_cast<std::uint8_t>(fd_in & 0xffu) : std::uint8_t{0};
    if (sqe.pad2 != 0) {
      f.attr_ptr = sqe.addr3;
      f.attr_type_mask = sqe.pad2;
    }
    return f;
  }

  friend constexpr bool operator==(const RwFields&, const RwFields&) noexcept = default;
};

// The setters and getters every read/write builder has (CRTP: setters return the builder).
template <class Derived>
class RwOp {
 public:
  // I/O priority (IOPRIO_PRIO_VALUE(class, data)); 0 = the task's own.
  constexpr Derived& ioprio(std::uint16_t prio) noexcept {
    f_.ioprio = prio;
    return self();
  }
  // RWF_* flags, as preadv2/pwritev2 take them.
  constexpr Derived& rw_flags(std::uint32_t flags) noexcept {
    f_.rw_flags = flags;
    return self();
  }
  // Block-integrity data for the transfer (IORING_RW_ATTR_FLAG_PI, 6.14). The struct must live
  // until the request is submitted.
  Derived& pi(const abi::AttrPi& attr) noexcept {
    f_.attr_ptr = address_of(&attr);
    f_.attr_type_mask = abi::rw::attr_flag_pi;
    return self();
  }

  [[nodiscard]] constexpr FileRef file() const noexcept { return f_.file; }
  [[nodiscard]] constexpr std::uint64_t offset() const noexcept { return f_.off; }
  [[nodiscard]] constexpr std::uint16_t ioprio() const noexcept { return f_.ioprio; }
  [[nodiscard]] constexpr std::uint32_t rw_flags() const noexcept { return f_.rw_flags; }
  [[nodiscard]] constexpr bool has_pi() const noexcept { return f_.attr_type_mask != 0; }
  // The address of the io_uring_attr_pi (0 without one).
  [[nodiscard]] constexpr std::uint64_t pi_address() const noexcept { return f_.attr_ptr; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept { return f_.build(Derived::opcode); }

  friend constexpr bool operator==(const RwOp&, const RwOp&) noexcept = default;

 protected:
  constexpr explicit RwOp(const RwFields& f) noexcept : f_(f) {}

  constexpr Derived& self() noexcept { return static_cast<Derived&>(*this); }

  RwFields f_;
};

// The same plus write_stream (6.16), for the ops that write.
template <class Derived>
class RwWriteOp : public RwOp<Derived> {
 public:
  // The device write stream to place the data in (see io_uring_register's query; 0 = none).
  constexpr Derived& write_stream(std::uint8_t stream) noexcept {
    this->f_.write_stream = stream;
    return this->self();
  }
  [[nodiscard]] constexpr std::uint8_t write_stream() const noexcept {
    return this->f_.write_stream;
  }

  friend constexpr bool operator==(const RwWriteOp&, const RwWriteOp&) noexcept = default;

 protected:
  constexpr explicit RwWriteOp(const RwFields& f) noexcept : RwOp<Derived>(f) {}
};

}  // namespace ringkit::op::detail
