// The parts of ringkit's ABI mirror that neither <linux/io_uring.h> (6.1) nor liburing 2.3's
// header can check: constants and layouts from Linux 6.2 to 6.18, each with the release that
// introduced it, checked against the values of the 6.18 uapi header. Also the opcode table
// and the name tables.
//
// The values were verified against this machine's 6.18 kernel (BTF type information, the
// IORING_REGISTER_QUERY answer, and EINVAL probes of each flag), not only copied from headers.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "ringkit/abi.hpp"

namespace {

namespace rk = ringkit::abi;
using rk::KernelVersion;
using rk::Opcode;

// The value of `T` at byte `offset` of an object, as the kernel would read it.
template <class T, class Object>
T bytes_at(const Object& object, std::size_t offset) {
  T value{};
  std::memcpy(&value, reinterpret_cast<const unsigned char*>(&object) + offset, sizeof value);
  return value;
}

// ---- setup, features, enter, ring flags -----------------------------------------------------

TEST(AbiNewerConstants, SetupFlags) {
  EXPECT_EQ(rk::setup::no_mmap, 1u << 14);             // 6.5
  EXPECT_EQ(rk::setup::registered_fd_only, 1u << 15);  // 6.5
  EXPECT_EQ(rk::setup::no_sqarray, 1u << 16);          // 6.6
  EXPECT_EQ(rk::setup::hybrid_iopoll, 1u << 17);       // 6.13
  EXPECT_EQ(rk::setup::cqe_mixed, 1u << 18);           // 6.18
  // 6.18 accepts bits 0..18; bit 19 (IORING_SETUP_SQE_MIXED) is 6.19 and not mirrored.
  EXPECT_EQ(rk::setup::known_flags, 0x7ffffu);
  EXPECT_EQ(rk::setup::max_sq_entries, 32768u);
  EXPECT_EQ(rk::setup::max_cq_entries, 65536u);
}

TEST(AbiNewerConstants, Features) {
  EXPECT_EQ(rk::feature::reg_reg_ring, 1u << 13);     // 6.3
  EXPECT_EQ(rk::feature::recvsend_bundle, 1u << 14);  // 6.10
  EXPECT_EQ(rk::feature::min_timeout, 1u << 15);      // 6.12
  EXPECT_EQ(rk::feature::rw_attr, 1u << 16);          // 6.14
  EXPECT_EQ(rk::feature::no_iowait, 1u << 17);        // 6.15
  EXPECT_EQ(rk::feature::known_flags, 0x3ffffu);      // what 6.18 reports
}

TEST(AbiNewerConstants, EnterFlagsAndArguments) {
  EXPECT_EQ(rk::enter_flag::abs_timer, 1u << 5);    // 6.12
  EXPECT_EQ(rk::enter_flag::ext_arg_reg, 1u << 6);  // 6.13
  EXPECT_EQ(rk::enter_flag::no_iowait, 1u << 7);    // 6.15
  EXPECT_EQ(rk::enter_flag::known_flags, 0xffu);
  EXPECT_EQ(offsetof(rk::GeteventsArg, min_wait_usec), 12u);  // 6.12, was pad
  EXPECT_EQ(rk::reg_wait_flag::ts, 1u);                       // 6.13
  EXPECT_EQ(sizeof(rk::RegWait), 64u);                        // 6.13
  EXPECT_EQ(offsetof(rk::RegWait, min_wait_usec), 16u);
  EXPECT_EQ(offsetof(rk::RegWait, sigmask), 24u);
  EXPECT_EQ(offsetof(rk::RegWait, sigmask_sz), 32u);
}

TEST(AbiNewerConstants, CqeFlagsAndMmapOffsets) {
  EXPECT_EQ(rk::cqe_flag::buf_more, 1u << 4);  // 6.12
  EXPECT_EQ(rk::cqe_flag::skip, 1u << 5);      // 6.18
  EXPECT_EQ(rk::cqe_flag::f_32, 1u << 15);     // 6.18 (IORING_CQE_F_32)
  EXPECT_EQ(rk::cqe_buffer_id(0xabcd0000u | rk::cqe_flag::buffer), 0xabcd);
  EXPECT_EQ(offsetof(rk::Cqe32, extra1), 16u);  // big_cqe[0]

  EXPECT_EQ(rk::mmap_offset::pbuf_ring, 0x80000000u);  // 6.4
  EXPECT_EQ(rk::mmap_offset::pbuf_shift, 16u);         // 6.4
  EXPECT_EQ(rk::mmap_offset::mmap_mask, 0xf8000000u);  // 6.4
  EXPECT_EQ(rk::pbuf_ring_mmap_offset(3), 0x80030000u);
  EXPECT_EQ(rk::pbuf_ring_mmap_offset(3) & rk::mmap_offset::mmap_mask, rk::mmap_offset::pbuf_ring);
  EXPECT_EQ(offsetof(rk::SqringOffsets, user_addr), 32u);  // 6.5, was resv2
  EXPECT_EQ(offsetof(rk::CqringOffsets, user_addr), 32u);  // 6.5, was resv2
}

// ---- SQE fields of newer union members --------------------------------------------------------

TEST(AbiNewerConstants, SqeUnionMembersAddedAfter61) {
  rk::Sqe s{};
  s.addr = (std::uint64_t{0x22} << 32) | 0x11;       // 6.7: level (low half), optname (high half)
  s.splice_fd_in = 0x0a;                             // 6.16: write_stream is its low byte
  s.addr3 = 0x1000;                                  // 6.14: attr_ptr; 6.7: optval
  s.pad2 = rk::rw::attr_flag_pi;                     // 6.14: attr_type_mask
  EXPECT_EQ(bytes_at<std::uint32_t>(s, 16), 0x11u);  // level
  EXPECT_EQ(bytes_at<std::uint32_t>(s, 20), 0x22u);  // optname
  EXPECT_EQ(bytes_at<std::uint8_t>(s, 44), 0x0a);    // write_stream
  EXPECT_EQ(bytes_at<std::uint32_t>(s, 44), 0x0au);  // zcrx_ifq_idx (6.15), optlen (6.7)
  EXPECT_EQ(bytes_at<std::uint64_t>(s, 48), 0x1000u);
  EXPECT_EQ(bytes_at<std::uint64_t>(s, 56), 1u);
  // waitid_flags (6.7), futex_flags (6.7), install_fd_flags (6.8), nop_flags (6.10) and
  // pipe_flags (6.16) are all op_flags, at byte 28.
  s.op_flags = rk::fixed_fd::no_cloexec;
  EXPECT_EQ(bytes_at<std::uint32_t>(s, 28), 1u);
  // SQE128: cmd[] runs from addr3 to the end of the 128-byte slot.
  EXPECT_EQ(offsetof(rk::Sqe, addr3) + rk::sqe128_cmd_bytes, sizeof(rk::Sqe128));
}

// ---- per-op flags -------------------------------------------------------------------------

TEST(AbiNewerConstants, TimeoutCancelRecvSendAccept) {
  EXPECT_EQ(rk::timeout::multishot, 1u << 6);              // 6.4
  EXPECT_EQ(rk::async_cancel::userdata, 1u << 4);          // 6.6
  EXPECT_EQ(rk::async_cancel::op, 1u << 5);                // 6.6
  EXPECT_EQ(rk::recvsend::send_zc_report_usage, 1u << 3);  // 6.2
  EXPECT_EQ(rk::notif_usage_zc_copied, 1u << 31);          // 6.2
  EXPECT_EQ(rk::recvsend::recvsend_bundle, 1u << 4);       // 6.10
  EXPECT_EQ(rk::recvsend::send_vectorized, 1u << 5);       // 6.17
  EXPECT_EQ(rk::accept::dontwait, 1u << 1);                // 6.10
  EXPECT_EQ(rk::accept::poll_first, 1u << 2);              // 6.10
}

TEST(AbiNewerConstants, MsgRingFixedFdNopUringCmd) {
  EXPECT_EQ(rk::msg_ring::flags_pass, 1u << 1);  // 6.3
  EXPECT_EQ(rk::fixed_fd::no_cloexec, 1u << 0);  // 6.8
  EXPECT_EQ(rk::nop::inject_result, 1u << 0);    // 6.10
  EXPECT_EQ(rk::nop::file, 1u << 1);             // 6.13
  EXPECT_EQ(rk::nop::fixed_file, 1u << 2);       // 6.13
  EXPECT_EQ(rk::nop::fixed_buffer, 1u << 3);     // 6.13
  EXPECT_EQ(rk::nop::tw, 1u << 4);               // 6.17
  EXPECT_EQ(rk::nop::cqe32, 1u << 5);            // 6.18
  EXPECT_EQ(rk::uring_cmd::multishot, 1u << 1);  // 6.18
  EXPECT_EQ(rk::uring_cmd::mask, 3u);            // 6.18: FIXED | MULTISHOT
}

TEST(AbiNewerConstants, SocketCommandsTimestampsFutexRwAttr) {
  EXPECT_EQ(rk::socket_uring_op::siocinq, 0u);       // 6.6
  EXPECT_EQ(rk::socket_uring_op::siocoutq, 1u);      // 6.6
  EXPECT_EQ(rk::socket_uring_op::getsockopt, 2u);    // 6.7
  EXPECT_EQ(rk::socket_uring_op::setsockopt, 3u);    // 6.7
  EXPECT_EQ(rk::socket_uring_op::tx_timestamp, 4u);  // 6.15 (GETSOCKNAME, 5, is 6.19)
  EXPECT_EQ(rk::tx_timestamp::hw_shift, 16u);        // 6.15
  EXPECT_EQ(rk::tx_timestamp::type_shift, 17u);      // 6.15
  EXPECT_EQ(rk::tx_timestamp::cqe_f_tstamp_hw, 1u << 16);
  EXPECT_EQ(sizeof(rk::IoTimespec), 16u);  // 6.15

  EXPECT_EQ(rk::futex::size_u32, 0x02u);  // 6.7 (FUTEX2_SIZE_U32)
  EXPECT_EQ(rk::futex::numa, 0x04u);      // 6.16
  EXPECT_EQ(rk::futex::mpol, 0x08u);      // 6.16
  EXPECT_EQ(rk::futex::private_flag, 128u);

  EXPECT_EQ(rk::rw::attr_flag_pi, 1u);  // 6.14
  EXPECT_EQ(sizeof(rk::AttrPi), 32u);   // 6.14
  EXPECT_EQ(offsetof(rk::AttrPi, addr), 8u);
  EXPECT_EQ(offsetof(rk::AttrPi, seed), 16u);
}

// ---- io_uring_register(2) -----------------------------------------------------------------

TEST(AbiNewerConstants, RegisterOpcodes) {
  using Op = rk::RegisterOp;
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_pbuf_status), 26u);    // 6.8
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_napi), 27u);           // 6.9
  EXPECT_EQ(static_cast<std::uint32_t>(Op::unregister_napi), 28u);         // 6.9
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_clock), 29u);          // 6.12
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_clone_buffers), 30u);  // 6.12
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_send_msg_ring), 31u);  // 6.13
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_zcrx_ifq), 32u);       // 6.15
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_resize_rings), 33u);   // 6.13
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_mem_region), 34u);     // 6.13
  EXPECT_EQ(static_cast<std::uint32_t>(Op::register_query), 35u);          // 6.18
  EXPECT_EQ(rk::register_op_count, 36u);                  // 36 (ZCRX_CTRL) is 6.19 and not mirrored
  EXPECT_EQ(rk::register_use_registered_ring, 1u << 31);  // 6.3
}

TEST(AbiNewerConstants, RegisterFlags) {
  EXPECT_EQ(rk::pbuf_ring::mmap, 1);                      // 6.4
  EXPECT_EQ(rk::pbuf_ring::inc, 2);                       // 6.12
  EXPECT_EQ(rk::clone_buffers_flag::src_registered, 1u);  // 6.12
  EXPECT_EQ(rk::clone_buffers_flag::dst_replace, 2u);     // 6.13
  EXPECT_EQ(rk::mem_region::type_user, 1u);               // 6.13
  EXPECT_EQ(rk::mem_region::reg_wait_arg, 1u);            // 6.13
  EXPECT_EQ(rk::napi::register_op, 0);                    // 6.15
  EXPECT_EQ(rk::napi::static_add_id, 1);                  // 6.15
  EXPECT_EQ(rk::napi::static_del_id, 2);                  // 6.15
  EXPECT_EQ(rk::napi::tracking_dynamic, 0u);              // 6.15
  EXPECT_EQ(rk::napi::tracking_static, 1u);               // 6.15
  EXPECT_EQ(rk::napi::tracking_inactive, 255u);           // 6.15
  EXPECT_EQ(rk::query_op::opcodes, 0u);                   // 6.18
}

TEST(AbiNewerConstants, RegisterStructLayouts) {
  EXPECT_EQ(sizeof(rk::BufStatus), 40u);  // 6.8
  EXPECT_EQ(offsetof(rk::BufStatus, head), 4u);
  EXPECT_EQ(sizeof(rk::Napi), 16u);  // 6.9; opcode and op_param 6.15
  EXPECT_EQ(offsetof(rk::Napi, opcode), 5u);
  EXPECT_EQ(offsetof(rk::Napi, op_param), 8u);
  EXPECT_EQ(sizeof(rk::ClockRegister), 16u);  // 6.12
  EXPECT_EQ(sizeof(rk::CloneBuffers), 32u);   // 6.12; src_off, dst_off, nr 6.13
  EXPECT_EQ(offsetof(rk::CloneBuffers, dst_off), 12u);
  EXPECT_EQ(offsetof(rk::CloneBuffers, nr), 16u);
  EXPECT_EQ(sizeof(rk::RegionDesc), 64u);  // 6.13
  EXPECT_EQ(offsetof(rk::RegionDesc, id), 20u);
  EXPECT_EQ(sizeof(rk::MemRegionReg), 32u);  // 6.13
  EXPECT_EQ(offsetof(rk::MemRegionReg, flags), 8u);
  EXPECT_EQ(offsetof(rk::SyncCancelReg, opcode), 32u);  // 6.6
  EXPECT_EQ(offsetof(rk::BufReg, flags), 14u);          // 6.4, was pad
  EXPECT_EQ(offsetof(rk::BufReg, min_left), 16u);       // 6.18.y stable (mainline 7.1)
  EXPECT_EQ(sizeof(rk::QueryHdr), 40u);                 // 6.18
  EXPECT_EQ(offsetof(rk::QueryHdr, result), 24u);
  EXPECT_EQ(sizeof(rk::QueryOpcode), 48u);  // 6.18
  EXPECT_EQ(offsetof(rk::QueryOpcode, sqe_flags), 32u);
  EXPECT_EQ(rk::probe_size(63), 16u + 63u * 8u);
}

TEST(AbiNewerConstants, BufRingGeometry) {
  EXPECT_EQ(rk::buf_ring_tail_offset, 14u);
  EXPECT_EQ(rk::buf_ring_size(8), 128u);
  EXPECT_EQ(rk::buf_ring_mask(8), 7u);
  EXPECT_TRUE(rk::buf_ring_entries_valid(1));
  EXPECT_TRUE(rk::buf_ring_entries_valid(32768));
  EXPECT_FALSE(rk::buf_ring_entries_valid(0));
  EXPECT_FALSE(rk::buf_ring_entries_valid(3));
  EXPECT_FALSE(rk::buf_ring_entries_valid(65536));
}

// ---- the opcode table ---------------------------------------------------------------------

TEST(OpcodeTable, IsDenseAndEndsAtPipe) {
  ASSERT_EQ(rk::opcode_table.size(), 63u);
  for (std::size_t i = 0; i < rk::opcode_table.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(rk::opcode_table[i].op), i);
    EXPECT_EQ(&rk::opcode_info(rk::opcode_table[i].op), &rk::opcode_table[i]);
  }
  EXPECT_EQ(rk::opcode_table.back().op, Opcode::pipe);
  EXPECT_EQ(rk::opcode_last, Opcode::pipe);
  EXPECT_TRUE(rk::is_known_opcode(62));
  EXPECT_FALSE(rk::is_known_opcode(63));  // IORING_OP_NOP128 is 6.19
}

TEST(OpcodeTable, NamesAreUniqueKernelSpellings) {
  std::set<std::string_view> seen;
  for (const rk::OpcodeInfo& info : rk::opcode_table) {
    EXPECT_TRUE(seen.insert(info.name).second) << info.name;
    ASSERT_FALSE(info.name.empty());
    for (char c : info.name) {
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c)) || c == '_')
          << info.name;
    }
  }
  EXPECT_EQ(rk::opcode_name(Opcode::pipe), "PIPE");
  EXPECT_EQ(rk::opcode_name(Opcode::nop), "NOP");
  EXPECT_EQ(rk::opcode_name(Opcode::read_fixed), "READ_FIXED");
  EXPECT_EQ(rk::opcode_name(Opcode::fixed_fd_install), "FIXED_FD_INSTALL");
  EXPECT_EQ(rk::opcode_name(static_cast<Opcode>(63)), "");
}

TEST(OpcodeTable, SinceVersionsFollowTheNumbering) {
  // Opcodes were only ever appended, so first-kernel versions never go down with the number.
  for (std::size_t i = 1; i < rk::opcode_table.size(); ++i) {
    EXPECT_LE(rk::opcode_table[i - 1].since, rk::opcode_table[i].since)
        << rk::opcode_table[i - 1].name << " vs " << rk::opcode_table[i].name;
  }
  EXPECT_EQ(rk::opcode_table.front().since, (KernelVersion{5, 1}));
  EXPECT_LE(rk::opcode_table.back().since, rk::abi_kernel_version);
  EXPECT_GT(rk::opcode_since(static_cast<Opcode>(200)), rk::abi_kernel_version);
}

TEST(OpcodeTable, SinceVersionsOfLandmarkOpcodes) {
  const auto since = [](Opcode op) { return rk::opcode_since(op); };
  EXPECT_EQ(since(Opcode::sync_file_range), (KernelVersion{5, 2}));
  EXPECT_EQ(since(Opcode::timeout), (KernelVersion{5, 4}));
  EXPECT_EQ(since(Opcode::accept), (KernelVersion{5, 5}));
  EXPECT_EQ(since(Opcode::openat2), (KernelVersion{5, 6}));
  EXPECT_EQ(since(Opcode::tee), (KernelVersion{5, 8}));
  EXPECT_EQ(since(Opcode::shutdown), (KernelVersion{5, 11}));
  EXPECT_EQ(since(Opcode::mkdirat), (KernelVersion{5, 15}));
  EXPECT_EQ(since(Opcode::linkat), (KernelVersion{5, 15}));
  EXPECT_EQ(since(Opcode::msg_ring), (KernelVersion{5, 18}));
  EXPECT_EQ(since(Opcode::getxattr), (KernelVersion{5, 19}));
  EXPECT_EQ(since(Opcode::socket), (KernelVersion{5, 19}));
  EXPECT_EQ(since(Opcode::uring_cmd), (KernelVersion{5, 19}));
  EXPECT_EQ(since(Opcode::send_zc), (KernelVersion{6, 0}));
  EXPECT_EQ(since(Opcode::sendmsg_zc), (KernelVersion{6, 1}));
  EXPECT_EQ(since(Opcode::read_multishot), (KernelVersion{6, 7}));
  EXPECT_EQ(since(Opcode::waitid), (KernelVersion{6, 7}));  // not 6.5, as a man page says
  EXPECT_EQ(since(Opcode::futex_waitv), (KernelVersion{6, 7}));
  EXPECT_EQ(since(Opcode::fixed_fd_install), (KernelVersion{6, 8}));
  EXPECT_EQ(since(Opcode::ftruncate), (KernelVersion{6, 9}));
  EXPECT_EQ(since(Opcode::bind), (KernelVersion{6, 11}));
  EXPECT_EQ(since(Opcode::listen), (KernelVersion{6, 11}));
  EXPECT_EQ(since(Opcode::recv_zc), (KernelVersion{6, 15}));
  EXPECT_EQ(since(Opcode::epoll_wait), (KernelVersion{6, 15}));
  EXPECT_EQ(since(Opcode::readv_fixed), (KernelVersion{6, 15}));
  EXPECT_EQ(since(Opcode::writev_fixed), (KernelVersion{6, 15}));
  EXPECT_EQ(since(Opcode::pipe), (KernelVersion{6, 16}));
}

TEST(OpcodeTable, DefFileExpandsToBuilderNames) {
  // The builder column is a bare token; other tables stringize or instantiate it.
  constexpr std::array<std::string_view, rk::opcode_count> builders{{
#define RINGKIT_OPCODE(name, number, kernel_name, builder, since_major, since_minor) #builder,
#include "ringkit/abi/opcodes.def"
  }};
  EXPECT_EQ(builders[static_cast<std::size_t>(Opcode::read_fixed)], "ReadFixed");
  EXPECT_EQ(builders[static_cast<std::size_t>(Opcode::pipe)], "Pipe");
  std::set<std::string_view> unique(builders.begin(), builders.end());
  EXPECT_EQ(unique.size(), rk::opcode_count);
}

TEST(KernelVersion, OrdersByMajorThenMinor) {
  EXPECT_LT((KernelVersion{5, 19}), (KernelVersion{6, 0}));
  EXPECT_LT((KernelVersion{6, 9}), (KernelVersion{6, 10}));
  EXPECT_EQ((KernelVersion{6, 18}), rk::abi_kernel_version);
  EXPECT_NE((KernelVersion{6, 1}), (KernelVersion{6, 18}));
}

// ---- names --------------------------------------------------------------------------------

// Every bit of `known` has a name starting with `prefix`; the next bit, zero and a
// two-bit mask have none.
template <class NameOf>
void expect_bit_names(NameOf name_of, std::uint32_t known, std::string_view prefix) {
  std::set<std::string_view> seen;
  for (std::uint32_t bit = 1; bit != 0 && bit <= known; bit <<= 1) {
    if ((known & bit) == 0) continue;
    const std::string_view name = name_of(bit);
    EXPECT_EQ(name.substr(0, prefix.size()), prefix) << "bit " << bit;
    EXPECT_GT(name.size(), prefix.size());
    EXPECT_TRUE(seen.insert(name).second) << name;
  }
  EXPECT_EQ(name_of(0), "");
  EXPECT_EQ(name_of(3), "");
  EXPECT_EQ(name_of(known + 1), "");
}

TEST(AbiNames, FlagBits) {
  expect_bit_names(rk::setup_flag_name, rk::setup::known_flags, "IORING_SETUP_");
  expect_bit_names(rk::feature_name, rk::feature::known_flags, "IORING_FEAT_");
  expect_bit_names(rk::sqe_flag_name, rk::sqe_flag::known_flags, "IOSQE_");
  expect_bit_names(rk::enter_flag_name, rk::enter_flag::known_flags, "IORING_ENTER_");
  EXPECT_EQ(rk::setup_flag_name(rk::setup::sqpoll), "IORING_SETUP_SQPOLL");
  EXPECT_EQ(rk::setup_flag_name(rk::setup::cqe_mixed), "IORING_SETUP_CQE_MIXED");
  EXPECT_EQ(rk::feature_name(rk::feature::no_iowait), "IORING_FEAT_NO_IOWAIT");
  EXPECT_EQ(rk::sqe_flag_name(rk::sqe_flag::cqe_skip_success), "IOSQE_CQE_SKIP_SUCCESS");
  EXPECT_EQ(rk::enter_flag_name(rk::enter_flag::ext_arg_reg), "IORING_ENTER_EXT_ARG_REG");
}

TEST(AbiNames, RegisterOps) {
  using Op = rk::RegisterOp;
  EXPECT_EQ(rk::register_op_name(Op::register_files2), "IORING_REGISTER_FILES2");
  EXPECT_EQ(rk::register_op_name(Op::unregister_buffers), "IORING_UNREGISTER_BUFFERS");
  EXPECT_EQ(rk::register_op_name(Op::register_query), "IORING_REGISTER_QUERY");
  EXPECT_EQ(rk::register_op_name(static_cast<Op>(36)), "");
  std::set<std::string_view> seen;
  for (std::uint32_t i = 0; i < rk::register_op_count; ++i) {
    const std::string_view name = rk::register_op_name(static_cast<Op>(i));
    EXPECT_TRUE(name.starts_with("IORING_REGISTER_") || name.starts_with("IORING_UNREGISTER_"))
        << i;
    EXPECT_TRUE(seen.insert(name).second) << name;
  }
}

}  // namespace
