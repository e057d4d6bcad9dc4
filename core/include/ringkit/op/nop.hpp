// IORING_OP_NOP (5.1): completes with res 0, or with what the test asks for.
//
// Kernel rules (io_uring/nop.c, io_nop_prep, Linux 6.18): nop_flags outside NOP_FLAGS is
// -EINVAL; len is read only with INJECT_RESULT, fd only with NOP_FILE (a fixed file when
// NOP_FIXED_FILE, not IOSQE_FIXED_FILE), buf_index only with NOP_FIXED_BUFFER, off/addr only
// with NOP_CQE32 (which also needs a CQE32 or CQE_MIXED ring: -EINVAL otherwise). Everything
// else is ignored. liburing writes fd = -1 for a plain NOP, which is the canonical form here.
// ioprio: io_init_req refuses a non-zero ioprio with -EINVAL for every opcode whose opdef lacks
// .ioprio, which includes every op in this file (checked on 6.18.44 by tests/kernel/ops/files).
#pragma once

#include "ringkit/op/decode.hpp"
#include "ringkit/op/types.hpp"

namespace ringkit::op {

class Nop {
 public:
  static constexpr abi::Opcode opcode = abi::Opcode::nop;

  constexpr Nop() noexcept = default;

  // Completes with `res` instead of 0 (IORING_NOP_INJECT_RESULT, 6.10).
  constexpr Nop& inject_result(std::int32_t res) noexcept {
    flags_ |= abi::nop::inject_result;
    result_ = res;
    return *this;
  }
  // Looks the file up first: -EBADF when it is not there (IORING_NOP_FILE, 6.13).
  constexpr Nop& file(FileRef file) noexcept {
    flags_ |= abi::nop::file | (file.fixed() ? abi::nop::fixed_file : 0u);
    fd_ = file.raw();
    return *this;
  }
  // Looks the registered buffer up first: -EFAULT when it is not there (6.13).
  constexpr Nop& fixed_buffer(BufIndex index) noexcept {
    flags_ |= abi::nop::fixed_buffer;
    buf_index_ = index.value;
    return *this;
  }
  // Completes through task work (IORING_NOP_TW, 6.17).
  constexpr Nop& task_work() noexcept {
    flags_ |= abi::nop::tw;
    return *this;
  }
  // Posts a 32-byte CQE carrying extra1/extra2 (IORING_NOP_CQE32, 6.18).
  constexpr Nop& cqe32(std::uint64_t extra1, std::uint64_t extra2) noexcept {
    flags_ |= abi::nop::cqe32;
    extra1_ = extra1;
    extra2_ = extra2;
    return *this;
  }

  [[nodiscard]] constexpr std::uint32_t nop_flags() const noexcept { return flags_; }
  [[nodiscard]] constexpr std::int32_t injected_result() const noexcept { return result_; }
  [[nodiscard]] constexpr bool has_file() const noexcept { return flags_ & abi::nop::file; }
  [[nodiscard]] constexpr FileRef file() const noexcept {
    return (flags_ & abi::nop::fixed_file) ? FileRef(FixedFile{static_cast<std::uint32_t>(fd_)})
                                           : FileRef(Fd{fd_});
  }
  [[nodiscard]] constexpr BufIndex fixed_buffer() const noexcept { return BufIndex{buf_index_}; }
  [[nodiscard]] constexpr std::uint64_t extra1() const noexcept { return extra1_; }
  [[nodiscard]] constexpr std::uint64_t extra2() const noexcept { return extra2_; }

  [[nodiscard]] constexpr abi::Sqe build() const noexcept {
    abi::Sqe sqe = make_sqe(opcode);
    sqe.fd = fd_;
    sqe.op_flags = flags_;
    sqe.len = static_cast<std::uint32_t>(result_);
    sqe.buf_index = buf_index_;
    sqe.off = extra1_;
    sqe.addr = extra2_;
    return sqe;
  }

  [[nodiscard]] static constexpr ringkit::result<Nop> decode(
      const abi::Sqe& sqe, DecodeMode mode = DecodeMode::strict) noexcept {
    SqeDecoder d(sqe, opcode, mode);
    constexpr std::uint32_t known = abi::nop::inject_result | abi::nop::file |
                                    abi::nop::fixed_file | abi::nop::fixed_buffer | abi::nop::tw |
                                    abi::nop::cqe32;
    d.require((sqe.op_flags & ~known) == 0);
    d.op_flags_allowed(0);
    const std::uint32_t f = sqe.op_flags;
    // Fields read only under a flag: ignored by the kernel otherwise, canonical when zero.
    if (!(f & abi::nop::inject_result)) d.unused(field::len, KernelRule::ignores);
    if (!(f & abi::nop::file)) d.require_strict(sqe.fd == -1);
    // NOP_FIXED_FILE only means something with NOP_FILE.
    if (!(f & abi::nop::file)) d.require_strict((f & abi::nop::fixed_file) == 0);
    if (!(f & abi::nop::fixed_buffer)) d.unused(field::buf_index, KernelRule::ignores);
    if (!(f & abi::nop::cqe32)) {
      d.unused(field::off | field::addr, KernelRule::ignores);
    }
    d.unused(field::ioprio, KernelRule::einval);  // no .ioprio in its opdef
    d.unused(field::splice_fd_in | field::addr3 | field::pad2, KernelRule::ignores);
    if (!d.ok()) return d.error();
    Nop nop;
    nop.flags_ = f;
    nop.result_ = static_cast<std::int32_t>(sqe.len);
    nop.fd_ = sqe.fd;
    nop.buf_index_ = sqe.buf_index;
    nop.extra1_ = sqe.off;
    nop.extra2_ = sqe.addr;
    return nop;
  }

  friend constexpr bool operator==(const Nop&, const Nop&) noexcept = default;

 private:
  std::uint32_t flags_ = 0;
  std::int32_t result_ = 0;
  std::int32_t fd_ = -1;
  std::uint16_t buf_index_ = 0;
  std::uint64_t extra1_ = 0;
  std::uint64_t extra2_ = 0;
};

}  // namespace ringkit::op
