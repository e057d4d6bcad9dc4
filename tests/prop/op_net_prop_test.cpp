// Properties of the network builders, and liburing 2.3 as the oracle for their bytes.
//
// Ops of this family with NO liburing 2.3 helper (so no oracle here): BIND and LISTEN
// (io_uring_prep_bind/listen came in liburing 2.8), RECV_ZC (2.10), URING_CMD socket commands
// (io_uring_prep_cmd_sock came in 2.5). Parts of other ops that 2.3 cannot spell are set by hand
// on liburing's SQE (IOSQE_FIXED_FILE, IOSQE_BUFFER_SELECT + buf_group, ioprio bits that 2.3's
// helpers take no argument for) or left out of the oracle (RECV's multishot total limit).
#include <gtest/gtest.h>
#include <liburing.h>
#include <rapidcheck/gtest.h>

#include <cstdint>

#include "ringkit/op/net.hpp"
#include "support/builder_properties.hpp"

namespace ringkit {
namespace {

using op::BufGroup;
using op::BufIndex;
using op::DestSlot;
using op::FileRef;

constexpr std::uint8_t fixed_only = abi::sqe_flag::fixed_file;
constexpr std::uint8_t fixed_or_select = abi::sqe_flag::fixed_file | abi::sqe_flag::buffer_select;

using testing::fake_ptr;

// A file as the generators pick it: a descriptor, or a registered slot.
struct GenFile {
  bool fixed;
  std::int32_t fd;
  std::uint32_t index;
  [[nodiscard]] FileRef ref() const {
    return fixed ? FileRef(op::FixedFile{index}) : FileRef(op::Fd{fd});
  }
  [[nodiscard]] int raw() const { return fixed ? static_cast<int>(index) : fd; }
};

GenFile gen_file() {
  return GenFile{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<std::int32_t>(),
                 *rc::gen::arbitrary<std::uint32_t>()};
}

void set_file(io_uring_sqe& sqe, const GenFile& f) {
  if (f.fixed) sqe.flags |= IOSQE_FIXED_FILE;
}

// A direct slot: a chosen index (not the ALLOC encoding), or ALLOC.
DestSlot gen_slot(bool alloc) {
  return alloc ? DestSlot::alloc()
               : DestSlot::slot(*rc::gen::inRange<std::uint32_t>(0, 0xfffffffeu));
}

std::uint32_t gen_msg_flags_no_waitall() {
  return *rc::gen::arbitrary<std::uint32_t>() & ~op::msg_waitall;
}

std::uint64_t gen_nonzero_address() { return *rc::gen::nonZero<std::uint64_t>(); }

// ---- generators (each covers every variant and setter) ------------------------------------

rc::Gen<op::Sendmsg> gen_sendmsg() {
  return rc::gen::exec([] {
    op::Sendmsg b(gen_file().ref(), fake_ptr<msghdr>(*rc::gen::arbitrary<std::uint64_t>()));
    b.msg_flags(*rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    return b;
  });
}

rc::Gen<op::Recvmsg> gen_recvmsg() {
  return rc::gen::exec([] {
    const FileRef f = gen_file().ref();
    auto* msg = fake_ptr<msghdr>(*rc::gen::arbitrary<std::uint64_t>());
    const BufGroup g{*rc::gen::arbitrary<std::uint16_t>()};
    const int kind = *rc::gen::inRange(0, 3);
    op::Recvmsg b = kind == 0   ? op::Recvmsg(f, msg)
                    : kind == 1 ? op::Recvmsg::select_buffer(f, msg, g)
                                : op::Recvmsg::multishot(f, msg, g);
    b.msg_flags(kind == 2 ? gen_msg_flags_no_waitall() : *rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    return b;
  });
}

rc::Gen<op::SendmsgZc> gen_sendmsg_zc() {
  return rc::gen::exec([] {
    op::SendmsgZc b(gen_file().ref(), fake_ptr<msghdr>(*rc::gen::arbitrary<std::uint64_t>()));
    b.msg_flags(*rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    if (*rc::gen::arbitrary<bool>()) b.report_usage();
    if (*rc::gen::arbitrary<bool>()) b.fixed_buffer(BufIndex{*rc::gen::arbitrary<std::uint16_t>()});
    return b;
  });
}

rc::Gen<op::Send> gen_send() {
  return rc::gen::exec([] {
    const FileRef f = gen_file().ref();
    const auto len = *rc::gen::arbitrary<std::uint32_t>();
    op::Send b =
        *rc::gen::arbitrary<bool>()
            ? op::Send::select_buffer(f, BufGroup{*rc::gen::arbitrary<std::uint16_t>()}, len)
            : op::Send(f, fake_ptr<const void>(*rc::gen::arbitrary<std::uint64_t>()), len);
    b.msg_flags(*rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    if (*rc::gen::arbitrary<bool>()) {
      b.to(fake_ptr<const sockaddr>(gen_nonzero_address()), *rc::gen::arbitrary<std::uint16_t>());
    }
    return b;
  });
}

rc::Gen<op::Recv> gen_recv() {
  return rc::gen::exec([] {
    const FileRef f = gen_file().ref();
    const auto len = *rc::gen::arbitrary<std::uint32_t>();
    const BufGroup g{*rc::gen::arbitrary<std::uint16_t>()};
    const int kind = *rc::gen::inRange(0, 3);
    op::Recv b = kind == 0 ? op::Recv(f, fake_ptr<void>(*rc::gen::arbitrary<std::uint64_t>()), len)
                 : kind == 1 ? op::Recv::select_buffer(f, g, len)
                             : op::Recv::multishot(f, g, len);
    b.msg_flags(kind == 2 ? gen_msg_flags_no_waitall() : *rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    if (kind == 2 && *rc::gen::arbitrary<bool>()) {
      b.total_limit(*rc::gen::arbitrary<std::uint32_t>());
    }
    return b;
  });
}

rc::Gen<op::SendZc> gen_send_zc() {
  return rc::gen::exec([] {
    op::SendZc b(gen_file().ref(), fake_ptr<const void>(*rc::gen::arbitrary<std::uint64_t>()),
                 *rc::gen::arbitrary<std::uint32_t>());
    b.msg_flags(*rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    if (*rc::gen::arbitrary<bool>()) b.report_usage();
    if (*rc::gen::arbitrary<bool>()) b.fixed_buffer(BufIndex{*rc::gen::arbitrary<std::uint16_t>()});
    if (*rc::gen::arbitrary<bool>()) {
      b.to(fake_ptr<const sockaddr>(gen_nonzero_address()), *rc::gen::arbitrary<std::uint16_t>());
    }
    return b;
  });
}

rc::Gen<op::RecvZc> gen_recv_zc() {
  return rc::gen::exec([] {
    op::RecvZc b(gen_file().ref(), *rc::gen::arbitrary<std::uint32_t>());
    b.len(*rc::gen::arbitrary<std::uint32_t>());
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    return b;
  });
}

std::uint32_t gen_accept_flags(bool direct) {
  std::uint32_t flags = 0;
  if (*rc::gen::arbitrary<bool>()) flags |= op::sock_nonblock;
  if (!direct && *rc::gen::arbitrary<bool>()) flags |= op::sock_cloexec;
  return flags;
}

rc::Gen<op::Accept> gen_accept() {
  return rc::gen::exec([] {
    const FileRef f = gen_file().ref();
    auto* addr = fake_ptr<sockaddr>(*rc::gen::arbitrary<std::uint64_t>());
    auto* addrlen = fake_ptr<socklen_t>(*rc::gen::arbitrary<std::uint64_t>());
    const int kind = *rc::gen::inRange(0, 4);
    op::Accept b = kind == 0   ? op::Accept(f, addr, addrlen)
                   : kind == 1 ? op::Accept::multishot(f, addr, addrlen)
                   : kind == 2
                       ? op::Accept::direct(f, addr, addrlen, gen_slot(*rc::gen::arbitrary<bool>()))
                       : op::Accept::multishot_direct(f, addr, addrlen);
    b.flags(gen_accept_flags(kind >= 2));
    if (*rc::gen::arbitrary<bool>()) b.dontwait();
    if (*rc::gen::arbitrary<bool>()) b.poll_first();
    return b;
  });
}

rc::Gen<op::Connect> gen_connect() {
  return rc::gen::exec([] {
    return op::Connect(gen_file().ref(),
                       fake_ptr<const sockaddr>(*rc::gen::arbitrary<std::uint64_t>()),
                       *rc::gen::arbitrary<std::uint32_t>());
  });
}

rc::Gen<op::Bind> gen_bind() {
  return rc::gen::exec([] {
    return op::Bind(gen_file().ref(),
                    fake_ptr<const sockaddr>(*rc::gen::arbitrary<std::uint64_t>()),
                    *rc::gen::arbitrary<std::uint32_t>());
  });
}

rc::Gen<op::Listen> gen_listen() {
  return rc::gen::exec(
      [] { return op::Listen(gen_file().ref(), *rc::gen::arbitrary<std::int32_t>()); });
}

rc::Gen<op::Shutdown> gen_shutdown() {
  return rc::gen::exec(
      [] { return op::Shutdown(gen_file().ref(), *rc::gen::arbitrary<std::int32_t>()); });
}

std::int32_t gen_socket_type(bool direct) {
  return static_cast<std::int32_t>(*rc::gen::inRange<std::uint32_t>(0, 16) |
                                   gen_accept_flags(direct));
}

rc::Gen<op::Socket> gen_socket() {
  return rc::gen::exec([] {
    const auto domain = *rc::gen::arbitrary<std::int32_t>();
    const auto protocol = *rc::gen::arbitrary<std::int32_t>();
    const int kind = *rc::gen::inRange(0, 3);
    if (kind == 0) return op::Socket(domain, gen_socket_type(false), protocol);
    return op::Socket::direct(domain, gen_socket_type(true), protocol, gen_slot(kind == 2));
  });
}

rc::Gen<op::UringCmd> gen_uring_cmd() {
  return rc::gen::exec([] {
    const FileRef f = gen_file().ref();
    const auto level = *rc::gen::arbitrary<std::int32_t>();
    const auto name = *rc::gen::arbitrary<std::int32_t>();
    const auto optval = *rc::gen::arbitrary<std::uint64_t>();
    const auto optlen = *rc::gen::arbitrary<std::int32_t>();
    switch (*rc::gen::inRange(0, 5)) {
      case 0:
        return op::UringCmd::siocinq(f);
      case 1:
        return op::UringCmd::siocoutq(f);
      case 2:
        return op::UringCmd::getsockopt(f, level, name, fake_ptr<void>(optval), optlen);
      case 3:
        return op::UringCmd::setsockopt(f, level, name, fake_ptr<const void>(optval), optlen);
      default:
        return op::UringCmd::tx_timestamp(f);
    }
  });
}

// ---- round trip, canonical, invariants ------------------------------------------------------

#define RINGKIT_NET_PROPS(Name, gen, implied) RINGKIT_BUILDER_PROPS(OpNetProp, Name, gen(), implied)

RINGKIT_NET_PROPS(Sendmsg, gen_sendmsg, fixed_only)
RINGKIT_NET_PROPS(Recvmsg, gen_recvmsg, fixed_or_select)
RINGKIT_NET_PROPS(SendmsgZc, gen_sendmsg_zc, fixed_only)
RINGKIT_NET_PROPS(Send, gen_send, fixed_or_select)
RINGKIT_NET_PROPS(Recv, gen_recv, fixed_or_select)
RINGKIT_NET_PROPS(SendZc, gen_send_zc, fixed_only)
RINGKIT_NET_PROPS(RecvZc, gen_recv_zc, fixed_only)
RINGKIT_NET_PROPS(Accept, gen_accept, fixed_only)
RINGKIT_NET_PROPS(Connect, gen_connect, fixed_only)
RINGKIT_NET_PROPS(Bind, gen_bind, fixed_only)
RINGKIT_NET_PROPS(Listen, gen_listen, fixed_only)
RINGKIT_NET_PROPS(Shutdown, gen_shutdown, fixed_only)
RINGKIT_NET_PROPS(Socket, gen_socket, 0)
RINGKIT_NET_PROPS(UringCmd, gen_uring_cmd, fixed_only)

#undef RINGKIT_NET_PROPS

// ---- liburing 2.3 as the oracle ---------------------------------------------------------------

io_uring_sqe blank() {
  io_uring_sqe sqe{};
  return sqe;
}

RC_GTEST_PROP(OpNetOracle, Sendmsg, (std::uint64_t msg, unsigned flags, bool poll_first)) {
  const GenFile f = gen_file();
  op::Sendmsg b(f.ref(), fake_ptr<msghdr>(msg));
  b.msg_flags(flags);
  if (poll_first) b.poll_first();
  io_uring_sqe s = blank();
  io_uring_prep_sendmsg(&s, f.raw(), fake_ptr<msghdr>(msg), flags);
  set_file(s, f);
  if (poll_first) s.ioprio |= IORING_RECVSEND_POLL_FIRST;
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, Recvmsg, (std::uint64_t msg, std::uint16_t group, int kind_raw)) {
  const GenFile f = gen_file();
  const int kind = (kind_raw & 0x7fffffff) % 3;
  const unsigned flags = gen_msg_flags_no_waitall();
  op::Recvmsg b = kind == 0   ? op::Recvmsg(f.ref(), fake_ptr<msghdr>(msg))
                  : kind == 1 ? op::Recvmsg::select_buffer(f.ref(), fake_ptr<msghdr>(msg), {group})
                              : op::Recvmsg::multishot(f.ref(), fake_ptr<msghdr>(msg), {group});
  b.msg_flags(flags);
  io_uring_sqe s = blank();
  if (kind == 2) {
    io_uring_prep_recvmsg_multishot(&s, f.raw(), fake_ptr<msghdr>(msg), flags);
  } else {
    io_uring_prep_recvmsg(&s, f.raw(), fake_ptr<msghdr>(msg), flags);
  }
  set_file(s, f);
  if (kind != 0) {
    s.flags |= IOSQE_BUFFER_SELECT;
    s.buf_group = group;
  }
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, SendmsgZc, (std::uint64_t msg, unsigned flags)) {
  const GenFile f = gen_file();
  op::SendmsgZc b(f.ref(), fake_ptr<msghdr>(msg));
  b.msg_flags(flags);
  io_uring_sqe s = blank();
  io_uring_prep_sendmsg_zc(&s, f.raw(), fake_ptr<msghdr>(msg), flags);
  set_file(s, f);
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, Send, (std::uint64_t buf, std::uint32_t len, int flags, bool select)) {
  const GenFile f = gen_file();
  const std::uint16_t group = *rc::gen::arbitrary<std::uint16_t>();
  const bool to = *rc::gen::arbitrary<bool>();
  const std::uint64_t dest = gen_nonzero_address();
  const auto dest_len = *rc::gen::arbitrary<std::uint16_t>();
  op::Send b = select ? op::Send::select_buffer(f.ref(), {group}, len)
                      : op::Send(f.ref(), fake_ptr<const void>(buf), len);
  b.msg_flags(static_cast<std::uint32_t>(flags));
  if (to) b.to(fake_ptr<const sockaddr>(dest), dest_len);
  io_uring_sqe s = blank();
  io_uring_prep_send(&s, f.raw(), select ? nullptr : fake_ptr<const void>(buf), len, flags);
  if (to) io_uring_prep_send_set_addr(&s, fake_ptr<const sockaddr>(dest), dest_len);
  set_file(s, f);
  if (select) {
    s.flags |= IOSQE_BUFFER_SELECT;
    s.buf_group = group;
  }
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, Recv, (std::uint64_t buf, std::uint32_t len, int kind_raw)) {
  const GenFile f = gen_file();
  const int kind = (kind_raw & 0x7fffffff) % 3;
  const std::uint16_t group = *rc::gen::arbitrary<std::uint16_t>();
  const int flags = static_cast<int>(gen_msg_flags_no_waitall());
  op::Recv b = kind == 0   ? op::Recv(f.ref(), fake_ptr<void>(buf), len)
               : kind == 1 ? op::Recv::select_buffer(f.ref(), {group}, len)
                           : op::Recv::multishot(f.ref(), {group}, len);
  b.msg_flags(static_cast<std::uint32_t>(flags));
  io_uring_sqe s = blank();
  if (kind == 2) {
    io_uring_prep_recv_multishot(&s, f.raw(), nullptr, len, flags);
  } else {
    io_uring_prep_recv(&s, f.raw(), kind == 0 ? fake_ptr<void>(buf) : nullptr, len, flags);
  }
  set_file(s, f);
  if (kind != 0) {
    s.flags |= IOSQE_BUFFER_SELECT;
    s.buf_group = group;
  }
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, SendZc,
              (std::uint64_t buf, std::uint32_t len, int flags, bool report, bool fixed)) {
  const GenFile f = gen_file();
  const std::uint16_t index = *rc::gen::arbitrary<std::uint16_t>();
  const bool to = *rc::gen::arbitrary<bool>();
  const std::uint64_t dest = gen_nonzero_address();
  const auto dest_len = *rc::gen::arbitrary<std::uint16_t>();
  op::SendZc b(f.ref(), fake_ptr<const void>(buf), len);
  b.msg_flags(static_cast<std::uint32_t>(flags));
  if (report) b.report_usage();
  if (fixed) b.fixed_buffer(BufIndex{index});
  if (to) b.to(fake_ptr<const sockaddr>(dest), dest_len);
  // IORING_SEND_ZC_REPORT_USAGE (1U << 3): 2.3's helper takes it, its header does not name it.
  const unsigned zc_flags = report ? (1u << 3) : 0u;
  io_uring_sqe s = blank();
  if (fixed) {
    io_uring_prep_send_zc_fixed(&s, f.raw(), fake_ptr<const void>(buf), len, flags, zc_flags,
                                index);
  } else {
    io_uring_prep_send_zc(&s, f.raw(), fake_ptr<const void>(buf), len, flags, zc_flags);
  }
  if (to) io_uring_prep_send_set_addr(&s, fake_ptr<const sockaddr>(dest), dest_len);
  set_file(s, f);
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, Accept, (std::uint64_t addr, std::uint64_t addrlen, int kind_raw)) {
  const GenFile f = gen_file();
  const int kind = (kind_raw & 0x7fffffff) % 4;
  const bool alloc = *rc::gen::arbitrary<bool>();
  const std::uint32_t index = *rc::gen::inRange<std::uint32_t>(0, 0xfffffffeu);
  const std::uint32_t flags = gen_accept_flags(kind >= 2);
  auto* a = fake_ptr<sockaddr>(addr);
  auto* l = fake_ptr<socklen_t>(addrlen);
  op::Accept b = kind == 0   ? op::Accept(f.ref(), a, l)
                 : kind == 1 ? op::Accept::multishot(f.ref(), a, l)
                 : kind == 2 ? op::Accept::direct(f.ref(), a, l,
                                                  alloc ? DestSlot::alloc() : DestSlot::slot(index))
                             : op::Accept::multishot_direct(f.ref(), a, l);
  b.flags(flags);
  io_uring_sqe s = blank();
  const int iflags = static_cast<int>(flags);
  switch (kind) {
    case 0:
      io_uring_prep_accept(&s, f.raw(), a, l, iflags);
      break;
    case 1:
      io_uring_prep_multishot_accept(&s, f.raw(), a, l, iflags);
      break;
    case 2:
      io_uring_prep_accept_direct(&s, f.raw(), a, l, iflags,
                                  alloc ? IORING_FILE_INDEX_ALLOC - 1 : index);
      break;
    default:
      io_uring_prep_multishot_accept_direct(&s, f.raw(), a, l, iflags);
  }
  set_file(s, f);
  testing::check_same_bytes(b.build(), s);
}

RC_GTEST_PROP(OpNetOracle, Connect, (std::uint64_t addr, std::uint32_t addrlen)) {
  const GenFile f = gen_file();
  io_uring_sqe s = blank();
  io_uring_prep_connect(&s, f.raw(), fake_ptr<const sockaddr>(addr), addrlen);
  set_file(s, f);
  testing::check_same_bytes(op::Connect(f.ref(), fake_ptr<const sockaddr>(addr), addrlen).build(),
                            s);
}

RC_GTEST_PROP(OpNetOracle, Shutdown, (int how)) {
  const GenFile f = gen_file();
  io_uring_sqe s = blank();
  io_uring_prep_shutdown(&s, f.raw(), how);
  set_file(s, f);
  testing::check_same_bytes(op::Shutdown(f.ref(), how).build(), s);
}

RC_GTEST_PROP(OpNetOracle, Socket, (int domain, int protocol, int kind_raw)) {
  const int kind = (kind_raw & 0x7fffffff) % 3;
  const int type = gen_socket_type(kind != 0);
  const std::uint32_t index = *rc::gen::inRange<std::uint32_t>(0, 0xfffffffeu);
  io_uring_sqe s = blank();
  op::Socket b(domain, type, protocol);
  if (kind == 0) {
    io_uring_prep_socket(&s, domain, type, protocol, 0);
  } else if (kind == 1) {
    b = op::Socket::direct(domain, type, protocol, DestSlot::slot(index));
    io_uring_prep_socket_direct(&s, domain, type, protocol, index, 0);
  } else {
    b = op::Socket::direct(domain, type, protocol, DestSlot::alloc());
    io_uring_prep_socket_direct_alloc(&s, domain, type, protocol, 0);
  }
  testing::check_same_bytes(b.build(), s);
}

// Negative socket types sign-extend into off, as liburing's int-to-__u64 conversion does.
TEST(OpNetOracle, SocketNegativeTypeSignExtends) {
  io_uring_sqe s = blank();
  io_uring_prep_socket(&s, 1, -1, 0, 0);
  RINGKIT_EXPECT_SQE_EQ(op::Socket(1, -1, 0).build(), testing::as_sqe(s));
}

}  // namespace
}  // namespace ringkit
