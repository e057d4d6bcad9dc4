// Fuzz target builders: the input picks an opcode and its arguments; every builder the input
// makes must round-trip (strict decode(build(b)) == b, kernel decode accepts it, build of the
// decoded builder gives the same 64 bytes) and, where liburing 2.3 has a prep helper for the
// form, give exactly the bytes liburing writes (liburing is the oracle; this TU includes
// <liburing.h> and ringkit's own ABI mirror, never <linux/io_uring.h>).
//
// Input: a selector byte (the case below), then the arguments, read as they are needed; missing
// bytes read as 0. Ops without a 2.3 helper (READ_MULTISHOT, FTRUNCATE) are round-tripped only.
#include <fcntl.h>
#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.hpp"
#include "ringkit/ops.hpp"

namespace ringkit::fuzz {
namespace {

using op::BufGroup;
using op::BufIndex;
using op::DestSlot;
using op::Fd;
using op::FileRef;
using op::FixedFile;

template <class T = void>
T* fake_ptr(std::uint64_t address) {
  return static_cast<T*>(op::pointer_from(address));
}

abi::Sqe as_sqe(const io_uring_sqe& raw) {
  static_assert(sizeof(raw) == sizeof(abi::Sqe));
  abi::Sqe sqe;
  std::memcpy(&sqe, &raw, sizeof sqe);
  return sqe;
}

io_uring_sqe blank() {
  io_uring_sqe sqe;
  std::memset(&sqe, 0, sizeof sqe);
  return sqe;
}

// The round trip every builder owes, and its invariants.
template <class Builder>
abi::Sqe round_trip(const Builder& b) {
  const abi::Sqe sqe = b.build();
  RINGKIT_FUZZ_CHECK(sqe.opcode == static_cast<std::uint8_t>(Builder::opcode));
  RINGKIT_FUZZ_CHECK(sqe.user_data == 0 && sqe.personality == 0);
  RINGKIT_FUZZ_CHECK((sqe.flags & op::common_sqe_flags) == 0);
  const auto strict = Builder::decode(sqe);
  RINGKIT_FUZZ_CHECK(strict.has_value());
  RINGKIT_FUZZ_CHECK(*strict == b);
  RINGKIT_FUZZ_CHECK(same_sqe(strict->build(), sqe));
  const auto kernel = Builder::decode(sqe, op::DecodeMode::kernel);
  RINGKIT_FUZZ_CHECK(kernel.has_value());
  RINGKIT_FUZZ_CHECK(same_sqe(kernel->build(), sqe));
  return sqe;
}

template <class Builder>
void matches(const Builder& b, const io_uring_sqe& theirs) {
  const abi::Sqe ours = round_trip(b);
  RINGKIT_FUZZ_CHECK(same_sqe(ours, as_sqe(theirs)));
}

// A descriptor or a registered slot, and what liburing writes for it (the raw number, plus
// IOSQE_FIXED_FILE for a slot).
struct AnyFile {
  bool fixed;
  std::int32_t raw;
  [[nodiscard]] FileRef ref() const {
    return fixed ? FileRef(FixedFile{static_cast<std::uint32_t>(raw)}) : FileRef(Fd{raw});
  }
  void mark(io_uring_sqe& s) const {
    if (fixed) s.flags |= IOSQE_FIXED_FILE;
  }
};

AnyFile any_file(ByteReader& in) {
  const bool fixed = in.flag();
  const auto raw = static_cast<std::int32_t>(in.u32());
  // A slot is an unsigned index; liburing takes it as int, so keep it non-negative.
  return AnyFile{fixed, fixed ? raw & 0x7fffffff : raw};
}

template <class Timer>
void apply_clock(Timer& t, std::uint8_t clock) {
  if (clock % 3 == 1) t.boottime();
  if (clock % 3 == 2) t.realtime();
}

void one_case(ByteReader& in) {
  switch (in.below(32)) {
    case 0: {
      io_uring_sqe s = blank();
      io_uring_prep_nop(&s);
      matches(op::Nop(), s);
      break;
    }
    case 1:
    case 2: {
      const bool read = in.flag();
      const AnyFile f = any_file(in);
      const std::uint64_t addr = in.u64();
      const std::uint32_t len = in.u32();
      const std::uint64_t off = in.u64();
      io_uring_sqe s = blank();
      if (read) {
        io_uring_prep_read(&s, f.raw, fake_ptr(addr), len, off);
        f.mark(s);
        matches(op::Read(f.ref(), fake_ptr(addr), len, off), s);
      } else {
        io_uring_prep_write(&s, f.raw, fake_ptr(addr), len, off);
        f.mark(s);
        matches(op::Write(f.ref(), fake_ptr(addr), len, off), s);
      }
      break;
    }
    case 3: {  // READV / WRITEV, and readv2 / writev2 with RWF flags
      const bool read = in.flag();
      const AnyFile f = any_file(in);
      const auto* iov = fake_ptr<const iovec>(in.u64());
      const std::uint32_t n = in.u32();
      const std::uint64_t off = in.u64();
      const auto flags = static_cast<std::int32_t>(in.u32());
      io_uring_sqe s = blank();
      if (read) {
        io_uring_prep_readv2(&s, f.raw, iov, n, off, flags);
        f.mark(s);
        matches(op::Readv(f.ref(), iov, n, off).rw_flags(static_cast<std::uint32_t>(flags)), s);
      } else {
        io_uring_prep_writev2(&s, f.raw, iov, n, off, flags);
        f.mark(s);
        matches(op::Writev(f.ref(), iov, n, off).rw_flags(static_cast<std::uint32_t>(flags)), s);
      }
      break;
    }
    case 4: {  // READ_FIXED / WRITE_FIXED
      const bool read = in.flag();
      const AnyFile f = any_file(in);
      const std::uint64_t addr = in.u64();
      const std::uint32_t len = in.u32();
      const std::uint64_t off = in.u64();
      const std::uint16_t index = in.u16();
      io_uring_sqe s = blank();
      if (read) {
        io_uring_prep_read_fixed(&s, f.raw, fake_ptr(addr), len, off, index);
        f.mark(s);
        matches(op::ReadFixed(f.ref(), fake_ptr(addr), len, off, BufIndex{index}), s);
      } else {
        io_uring_prep_write_fixed(&s, f.raw, fake_ptr(addr), len, off, index);
        f.mark(s);
        matches(op::WriteFixed(f.ref(), fake_ptr(addr), len, off, BufIndex{index}), s);
      }
      break;
    }
    case 5: {
      const AnyFile f = any_file(in);
      const bool datasync = in.flag();
      io_uring_sqe s = blank();
      io_uring_prep_fsync(&s, f.raw, datasync ? IORING_FSYNC_DATASYNC : 0u);
      f.mark(s);
      op::Fsync b(f.ref());
      if (datasync) b.datasync();
      matches(b, s);
      break;
    }
    case 6: {
      const AnyFile f = any_file(in);
      const std::uint32_t len = in.u32();
      const std::uint64_t off = in.u64();
      const auto flags = static_cast<std::int32_t>(in.u32());
      io_uring_sqe s = blank();
      io_uring_prep_sync_file_range(&s, f.raw, len, off, flags);
      f.mark(s);
      matches(op::SyncFileRange(f.ref(), off, len).sync_flags(static_cast<std::uint32_t>(flags)),
              s);
      break;
    }
    case 7: {
      const AnyFile f = any_file(in);
      const auto mode = static_cast<std::int32_t>(in.u32());
      const auto off = static_cast<std::int64_t>(in.u64());
      const auto len = static_cast<std::int64_t>(in.u64());
      io_uring_sqe s = blank();
      io_uring_prep_fallocate(&s, f.raw, mode, off, len);
      f.mark(s);
      matches(
          op::Fallocate(f.ref(), static_cast<std::uint64_t>(off), static_cast<std::uint64_t>(len))
              .mode(static_cast<std::uint32_t>(mode)),
          s);
      break;
    }
    case 8: {  // FADVISE and MADVISE with 32-bit lengths (liburing 2.3 truncates wider ones)
      const AnyFile f = any_file(in);
      const std::uint64_t where = in.u64();
      const std::uint32_t len = in.u32();
      const auto advice = static_cast<std::int32_t>(in.u32());
      io_uring_sqe s = blank();
      if (in.flag()) {
        io_uring_prep_fadvise(&s, f.raw, where, static_cast<off_t>(len), advice);
        f.mark(s);
        matches(op::Fadvise(f.ref(), where, len, static_cast<std::uint32_t>(advice)), s);
      } else {
        io_uring_prep_madvise(&s, fake_ptr(where), static_cast<off_t>(len), advice);
        matches(op::Madvise(fake_ptr(where), len, static_cast<std::uint32_t>(advice)), s);
      }
      break;
    }
    case 9: {
      const auto fd = static_cast<std::int32_t>(in.u32());
      const std::uint32_t events = in.u32();
      io_uring_sqe s = blank();
      if (in.flag()) {
        io_uring_prep_poll_multishot(&s, fd, events);
        matches(op::PollAdd::multishot(Fd{fd}, events), s);
      } else {
        io_uring_prep_poll_add(&s, fd, events);
        matches(op::PollAdd(Fd{fd}, events), s);
      }
      break;
    }
    case 10: {
      const std::uint64_t target = in.u64();
      io_uring_sqe s = blank();
      io_uring_prep_poll_remove(&s, target);
      matches(op::PollRemove(target), s);
      break;
    }
    case 11: {  // TIMEOUT, counted or multishot, with clocks and flags
      const auto* ts = fake_ptr<abi::KernelTimespec>(in.u64());
      const bool multi = in.flag();
      const std::uint32_t count = in.u32();
      const bool abs = in.flag();
      const std::uint8_t clock = in.u8();
      const bool etime = in.flag();
      op::Timeout t = multi ? op::Timeout::multishot(ts, count) : op::Timeout(ts);
      if (!multi) t.count(count);
      if (abs && !multi) t.absolute();  // the kernel refuses MULTISHOT|ABS
      apply_clock(t, clock);
      if (etime) t.etime_success();
      io_uring_sqe s = blank();
      io_uring_prep_timeout(&s, reinterpret_cast<__kernel_timespec*>(t.timespec()), t.count(),
                            t.timeout_flags());
      matches(t, s);
      break;
    }
    case 12: {
      const std::uint64_t target = in.u64();
      const std::uint64_t ts = in.u64();
      const std::uint8_t kind = in.u8() % 3;
      const bool abs = in.flag();
      io_uring_sqe s = blank();
      if (kind == 0) {
        io_uring_prep_timeout_remove(&s, target, 0);
        matches(op::TimeoutRemove(target), s);
      } else {
        io_uring_prep_timeout_update(
            &s, fake_ptr<__kernel_timespec>(ts), target,
            (abs ? IORING_TIMEOUT_ABS : 0u) | (kind == 2 ? IORING_LINK_TIMEOUT_UPDATE : 0u));
        const auto* kts = fake_ptr<abi::KernelTimespec>(ts);
        matches(kind == 2 ? op::TimeoutRemove::update_link(target, kts, abs)
                          : op::TimeoutRemove::update(target, kts, abs),
                s);
      }
      break;
    }
    case 13: {
      const std::uint64_t ud = in.u64();
      const bool all = in.flag();
      const bool any = in.flag();
      const int flags = (all ? IORING_ASYNC_CANCEL_ALL : 0) | (any ? IORING_ASYNC_CANCEL_ANY : 0);
      io_uring_sqe s = blank();
      io_uring_prep_cancel64(&s, any ? 0 : ud, flags);
      op::AsyncCancel c = any ? op::AsyncCancel::any() : op::AsyncCancel(ud);
      if (all) c.all();
      matches(c, s);
      break;
    }
    case 14: {
      const auto* ts = fake_ptr<abi::KernelTimespec>(in.u64());
      const bool abs = in.flag();
      const std::uint8_t clock = in.u8();
      const bool etime = in.flag();
      op::LinkTimeout t(ts);
      if (abs) t.absolute();
      apply_clock(t, clock);
      if (etime) t.etime_success();
      io_uring_sqe s = blank();
      io_uring_prep_link_timeout(&s, reinterpret_cast<__kernel_timespec*>(t.timespec()),
                                 t.timeout_flags());
      matches(t, s);
      break;
    }
    case 15: {  // PROVIDE_BUFFERS, with arguments the kernel accepts (as the property test)
      const std::uint32_t count = 1 + in.u32() % 65536;
      const auto first_bid = static_cast<std::uint16_t>(in.u32() % (65536 - count + 1));
      const std::uint32_t len = 1 + in.u32() % 0xfffffffeu;
      const std::uint64_t size = std::uint64_t{len} * count;
      const std::uint64_t addr = in.u64() % (~std::uint64_t{0} - size + 1);
      const std::uint16_t group = in.u16();
      const op::ProvideBuffers p(fake_ptr(addr), len, count, BufGroup{group}, first_bid);
      io_uring_sqe s = blank();
      io_uring_prep_provide_buffers(&s, p.base(), static_cast<int>(p.buffer_len()),
                                    static_cast<int>(p.count()), p.group().id, p.first_bid());
      matches(p, s);
      break;
    }
    case 16: {
      const std::uint32_t count = 1 + in.u32() % 65536;
      const std::uint16_t group = in.u16();
      io_uring_sqe s = blank();
      io_uring_prep_remove_buffers(&s, static_cast<int>(count), group);
      matches(op::RemoveBuffers(count, BufGroup{group}), s);
      break;
    }
    case 17: {
      const auto fd = static_cast<std::int32_t>(in.u32());
      const std::uint32_t res = in.u32();
      const std::uint64_t ud = in.u64();
      io_uring_sqe s = blank();
      io_uring_prep_msg_ring(&s, fd, res, ud, 0);
      matches(op::MsgRing(Fd{fd}, res, ud), s);
      break;
    }
    case 18: {
      const bool direct = in.flag();
      const auto fd = static_cast<std::int32_t>(in.u32());
      const std::uint32_t slot = in.u32();
      io_uring_sqe s = blank();
      if (direct) {
        io_uring_prep_close_direct(&s, slot);
        matches(op::Close::direct(FixedFile{slot}), s);
      } else {
        io_uring_prep_close(&s, fd);
        matches(op::Close(Fd{fd}), s);
      }
      break;
    }
    case 19: {  // OPENAT, plain or into a chosen slot (which cannot be O_CLOEXEC)
      const auto dfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t path = in.u64();
      auto flags = in.u32();
      const std::uint32_t mode = in.u32();
      const bool direct = in.flag();
      const std::uint32_t slot = in.u32();
      io_uring_sqe s = blank();
      if (direct) {
        flags &= ~static_cast<std::uint32_t>(O_CLOEXEC);
        // liburing 2.3 stores slot + 1 in a u32: the largest slot would wrap to "no slot".
        if (slot == ~std::uint32_t{0}) break;
        io_uring_prep_openat_direct(&s, dfd, fake_ptr<const char>(path), static_cast<int>(flags),
                                    mode, slot);
        matches(op::Openat(Fd{dfd}, fake_ptr<const char>(path), flags)
                    .mode(mode)
                    .dest(DestSlot::slot(slot)),
                s);
      } else {
        io_uring_prep_openat(&s, dfd, fake_ptr<const char>(path), static_cast<int>(flags), mode);
        matches(op::Openat(Fd{dfd}, fake_ptr<const char>(path), flags).mode(mode), s);
      }
      break;
    }
    case 20: {
      const auto dfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t path = in.u64();
      const std::uint32_t flags = in.u32();
      const std::uint32_t mask = in.u32();
      const std::uint64_t buf = in.u64();
      io_uring_sqe s = blank();
      io_uring_prep_statx(&s, dfd, fake_ptr<const char>(path), static_cast<int>(flags), mask,
                          fake_ptr<struct statx>(buf));
      matches(
          op::Statx(Fd{dfd}, fake_ptr<const char>(path), flags, mask, fake_ptr<struct statx>(buf)),
          s);
      break;
    }
    case 21: {
      const auto dfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t path = in.u64();
      const int flags = in.flag() ? AT_REMOVEDIR : 0;
      io_uring_sqe s = blank();
      io_uring_prep_unlinkat(&s, dfd, fake_ptr<const char>(path), flags);
      matches(op::Unlinkat(Fd{dfd}, fake_ptr<const char>(path))
                  .flags(static_cast<std::uint32_t>(flags)),
              s);
      break;
    }
    case 22: {
      const auto dfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t path = in.u64();
      const std::uint32_t mode = in.u32();
      io_uring_sqe s = blank();
      io_uring_prep_mkdirat(&s, dfd, fake_ptr<const char>(path), mode);
      matches(op::Mkdirat(Fd{dfd}, fake_ptr<const char>(path), mode), s);
      break;
    }
    case 23: {
      const auto olddfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t oldp = in.u64();
      const auto newdfd = static_cast<std::int32_t>(in.u32());
      const std::uint64_t newp = in.u64();
      const std::uint32_t flags = in.u32();
      io_uring_sqe s = blank();
      io_uring_prep_renameat(&s, olddfd, fake_ptr<const char>(oldp), newdfd,
                             fake_ptr<const char>(newp), flags);
      matches(op::Renameat(Fd{olddfd}, fake_ptr<const char>(oldp), Fd{newdfd},
                           fake_ptr<const char>(newp))
                  .flags(flags),
              s);
      break;
    }
    case 24: {
      const AnyFile f = any_file(in);
      const auto how = static_cast<int>(in.u32());
      io_uring_sqe s = blank();
      io_uring_prep_shutdown(&s, f.raw, how);
      f.mark(s);
      matches(op::Shutdown(f.ref(), how), s);
      break;
    }
    case 25: {
      const AnyFile f = any_file(in);
      const std::uint64_t addr = in.u64();
      const std::uint32_t addrlen = in.u32();
      io_uring_sqe s = blank();
      io_uring_prep_connect(&s, f.raw, fake_ptr<const sockaddr>(addr), addrlen);
      f.mark(s);
      matches(op::Connect(f.ref(), fake_ptr<const sockaddr>(addr), addrlen), s);
      break;
    }
    case 26: {  // READ_MULTISHOT (liburing 2.5): round trip only
      const AnyFile f = any_file(in);
      const std::uint16_t group = in.u16();
      const std::uint64_t off = in.u64();
      op::ReadMultishot b(f.ref(), BufGroup{group}, off);
      b.rw_flags(in.u32());
      (void)round_trip(b);
      break;
    }
    case 27: {  // READ with a provided buffer: round trip only (the group in buf_index)
      const AnyFile f = any_file(in);
      const std::uint16_t group = in.u16();
      const std::uint32_t len = in.u32();
      const std::uint64_t off = in.u64();
      (void)round_trip(op::Read::select_buffer(f.ref(), BufGroup{group}, len, off));
      break;
    }
    default: {  // NOP with an injected result: round trip only
      const auto res = static_cast<std::int32_t>(in.u32());
      (void)round_trip(op::Nop().inject_result(res));
      break;
    }
  }
}

}  // namespace
}  // namespace ringkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ringkit::fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
  // Several builders per input: later ones reuse the tail of the input.
  for (int i = 0; i < 8 && !in.empty(); ++i) ringkit::fuzz::one_case(in);
  return 0;
}
