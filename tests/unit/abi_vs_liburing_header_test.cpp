// ringkit's ABI mirror against liburing 2.3's <liburing.h> and its copy of io_uring.h: the
// same layout and constant checks as abi_vs_linux_header_test.cpp, against the header the
// kernel backend is built with, plus liburing's own encodings: what its io_uring_prep_*
// helpers and buffer-ring helpers write must read back through ringkit's flat structs as
// ringkit documents it.
//
// Never include <linux/io_uring.h> in this file: liburing's copy uses the same include guard
// (LINUX_IO_URING_H), so whichever comes first silently wins.
#include <gtest/gtest.h>
#include <liburing.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "ringkit/abi.hpp"

// The checks both headers must pass.
#include "abi_header_checks.inc"    // NOLINT(bugprone-suspicious-include)
#ifdef IORING_SEND_ZC_REPORT_USAGE  // 6.2
RK_SAME_VALUE(rk::recvsend::send_zc_report_usage, IORING_SEND_ZC_REPORT_USAGE);
RK_SAME_VALUE(rk::notif_usage_zc_copied, IORING_NOTIF_USAGE_ZC_COPIED);
#endif
#ifdef IORING_RECVSEND_BUNDLE
RK_SAME_VALUE(rk::recvsend::recvsend_bundle, IORING_RECVSEND_BUNDLE);
#endif
#ifdef IORING_SEND_VECTORIZED
RK_SAME_VALUE(rk::recvsend::send_vectorized, IORING_SEND_VECTORIZED);
#endif
RK_SAME_VALUE(rk::accept::multishot, IORING_ACCEPT_MULTISHOT);
#ifdef IORING_ACCEPT_DONTWAIT
RK_SAME_VALUE(rk::accept::dontwait, IORING_ACCEPT_DONTWAIT);
RK_SAME_VALUE(rk::accept::poll_first, IORING_ACCEPT_POLL_FIRST);
#endif
RK_SAME_VALUE(rk::msg_ring::data, IORING_MSG_DATA);
RK_SAME_VALUE(rk::msg_ring::send_fd, IORING_MSG_SEND_FD);
RK_SAME_VALUE(rk::msg_ring::cqe_skip, IORING_MSG_RING_CQE_SKIP);
#ifdef IORING_MSG_RING_FLAGS_PASS
RK_SAME_VALUE(rk::msg_ring::flags_pass, IORING_MSG_RING_FLAGS_PASS);
#endif
#ifdef IORING_FIXED_FD_NO_CLOEXEC
RK_SAME_VALUE(rk::fixed_fd::no_cloexec, IORING_FIXED_FD_NO_CLOEXEC);
#endif
#ifdef IORING_NOP_INJECT_RESULT
RK_SAME_VALUE(rk::nop::inject_result, IORING_NOP_INJECT_RESULT);
#endif

// ---- struct io_uring_cqe and cqe->flags ---------------------------------------------------

RK_SAME_SIZE(rk::Cqe, io_uring_cqe);
RK_SAME_FIELD(rk::Cqe, user_data, io_uring_cqe, user_data);
RK_SAME_FIELD(rk::Cqe, res, io_uring_cqe, res);
RK_SAME_FIELD(rk::Cqe, flags, io_uring_cqe, flags);
RK_SAME_OFFSET(rk::Cqe32, extra1, io_uring_cqe, big_cqe);
static_assert(sizeof(rk::Cqe32) == 2 * sizeof(io_uring_cqe));
RK_SAME_VALUE(rk::cqe_flag::buffer, IORING_CQE_F_BUFFER);
RK_SAME_VALUE(rk::cqe_flag::more, IORING_CQE_F_MORE);
RK_SAME_VALUE(rk::cqe_flag::sock_nonempty, IORING_CQE_F_SOCK_NONEMPTY);
RK_SAME_VALUE(rk::cqe_flag::notif, IORING_CQE_F_NOTIF);
RK_SAME_VALUE(rk::cqe_flag::buffer_shift, IORING_CQE_BUFFER_SHIFT);
#ifdef IORING_CQE_F_BUF_MORE
RK_SAME_VALUE(rk::cqe_flag::buf_more, IORING_CQE_F_BUF_MORE);
#endif

// ---- setup: mmap offsets, ring flags, io_uring_params -------------------------------------

RK_SAME_VALUE(rk::mmap_offset::sq_ring, IORING_OFF_SQ_RING);
RK_SAME_VALUE(rk::mmap_offset::cq_ring, IORING_OFF_CQ_RING);
RK_SAME_VALUE(rk::mmap_offset::sqes, IORING_OFF_SQES);
#ifdef IORING_OFF_MMAP_MASK  // 6.4
RK_SAME_VALUE(rk::mmap_offset::mmap_mask, IORING_OFF_MMAP_MASK);
#endif
#ifdef IORING_OFF_PBUF_RING
RK_SAME_VALUE(rk::mmap_offset::pbuf_ring, IORING_OFF_PBUF_RING);
RK_SAME_VALUE(rk::mmap_offset::pbuf_shift, IORING_OFF_PBUF_SHIFT);
#endif

RK_SAME_SIZE(rk::SqringOffsets, io_sqring_offsets);
RK_SAME_FIELD(rk::SqringOffsets, head, io_sqring_offsets, head);
RK_SAME_FIELD(rk::SqringOffsets, tail, io_sqring_offsets, tail);
RK_SAME_FIELD(rk::SqringOffsets, ring_mask, io_sqring_offsets, ring_mask);
RK_SAME_FIELD(rk::SqringOffsets, ring_entries, io_sqring_offsets, ring_entries);
RK_SAME_FIELD(rk::SqringOffsets, flags, io_sqring_offsets, flags);
RK_SAME_FIELD(rk::SqringOffsets, dropped, io_sqring_offsets, dropped);
RK_SAME_FIELD(rk::SqringOffsets, array, io_sqring_offsets, array);
RK_SAME_FIELD(rk::SqringOffsets, resv1, io_sqring_offsets, resv1);
RK_SAME_FIELD(rk::SqringOffsets, user_addr, io_sqring_offsets, resv2);  // renamed in 6.5

RK_SAME_SIZE(rk::CqringOffsets, io_cqring_offsets);
RK_SAME_FIELD(rk::CqringOffsets, head, io_cqring_offsets, head);
RK_SAME_FIELD(rk::CqringOffsets, tail, io_cqring_offsets, tail);
RK_SAME_FIELD(rk::CqringOffsets, ring_mask, io_cqring_offsets, ring_mask);
RK_SAME_FIELD(rk::CqringOffsets, ring_entries, io_cqring_offsets, ring_entries);
RK_SAME_FIELD(rk::CqringOffsets, overflow, io_cqring_offsets, overflow);
RK_SAME_FIELD(rk::CqringOffsets, cqes, io_cqring_offsets, cqes);
RK_SAME_FIELD(rk::CqringOffsets, flags, io_cqring_offsets, flags);
RK_SAME_FIELD(rk::CqringOffsets, resv1, io_cqring_offsets, resv1);
RK_SAME_FIELD(rk::CqringOffsets, user_addr, io_cqring_offsets, resv2);  // renamed in 6.5

RK_SAME_VALUE(rk::sq_ring_flag::need_wakeup, IORING_SQ_NEED_WAKEUP);
RK_SAME_VALUE(rk::sq_ring_flag::cq_overflow, IORING_SQ_CQ_OVERFLOW);
RK_SAME_VALUE(rk::sq_ring_flag::taskrun, IORING_SQ_TASKRUN);
RK_SAME_VALUE(rk::cq_ring_flag::eventfd_disabled, IORING_CQ_EVENTFD_DISABLED);

RK_SAME_SIZE(rk::Params, io_uring_params);
RK_SAME_FIELD(rk::Params, sq_entries, io_uring_params, sq_entries);
RK_SAME_FIELD(rk::Params, cq_entries, io_uring_params, cq_entries);
RK_SAME_FIELD(rk::Params, flags, io_uring_params, flags);
RK_SAME_FIELD(rk::Params, sq_thread_cpu, io_uring_params, sq_thread_cpu);
RK_SAME_FIELD(rk::Params, sq_thread_idle, io_uring_params, sq_thread_idle);
RK_SAME_FIELD(rk::Params, features, io_uring_params, features);
RK_SAME_FIELD(rk::Params, wq_fd, io_uring_params, wq_fd);
RK_SAME_FIELD(rk::Params, resv, io_uring_params, resv);
RK_SAME_SLOT(rk::Params, sq_off, io_uring_params, sq_off);
RK_SAME_SLOT(rk::Params, cq_off, io_uring_params, cq_off);

RK_SAME_VALUE(rk::setup::iopoll, IORING_SETUP_IOPOLL);
RK_SAME_VALUE(rk::setup::sqpoll, IORING_SETUP_SQPOLL);
RK_SAME_VALUE(rk::setup::sq_aff, IORING_SETUP_SQ_AFF);
RK_SAME_VALUE(rk::setup::cqsize, IORING_SETUP_CQSIZE);
RK_SAME_VALUE(rk::setup::clamp, IORING_SETUP_CLAMP);
RK_SAME_VALUE(rk::setup::attach_wq, IORING_SETUP_ATTACH_WQ);
RK_SAME_VALUE(rk::setup::r_disabled, IORING_SETUP_R_DISABLED);
RK_SAME_VALUE(rk::setup::submit_all, IORING_SETUP_SUBMIT_ALL);
RK_SAME_VALUE(rk::setup::coop_taskrun, IORING_SETUP_COOP_TASKRUN);
RK_SAME_VALUE(rk::setup::taskrun_flag, IORING_SETUP_TASKRUN_FLAG);
RK_SAME_VALUE(rk::setup::sqe128, IORING_SETUP_SQE128);
RK_SAME_VALUE(rk::setup::cqe32, IORING_SETUP_CQE32);
RK_SAME_VALUE(rk::setup::single_issuer, IORING_SETUP_SINGLE_ISSUER);
RK_SAME_VALUE(rk::setup::defer_taskrun, IORING_SETUP_DEFER_TASKRUN);
#ifdef IORING_SETUP_NO_MMAP
RK_SAME_VALUE(rk::setup::no_mmap, IORING_SETUP_NO_MMAP);
RK_SAME_VALUE(rk::setup::registered_fd_only, IORING_SETUP_REGISTERED_FD_ONLY);
#endif
#ifdef IORING_SETUP_NO_SQARRAY
RK_SAME_VALUE(rk::setup::no_sqarray, IORING_SETUP_NO_SQARRAY);
#endif
#ifdef IORING_SETUP_HYBRID_IOPOLL
RK_SAME_VALUE(rk::setup::hybrid_iopoll, IORING_SETUP_HYBRID_IOPOLL);
#endif

RK_SAME_VALUE(rk::feature::single_mmap, IORING_FEAT_SINGLE_MMAP);
RK_SAME_VALUE(rk::feature::nodrop, IORING_FEAT_NODROP);
RK_SAME_VALUE(rk::feature::submit_stable, IORING_FEAT_SUBMIT_STABLE);
RK_SAME_VALUE(rk::feature::rw_cur_pos, IORING_FEAT_RW_CUR_POS);
RK_SAME_VALUE(rk::feature::cur_personality, IORING_FEAT_CUR_PERSONALITY);
RK_SAME_VALUE(rk::feature::fast_poll, IORING_FEAT_FAST_POLL);
RK_SAME_VALUE(rk::feature::poll_32bits, IORING_FEAT_POLL_32BITS);
RK_SAME_VALUE(rk::feature::sqpoll_nonfixed, IORING_FEAT_SQPOLL_NONFIXED);
RK_SAME_VALUE(rk::feature::ext_arg, IORING_FEAT_EXT_ARG);
RK_SAME_VALUE(rk::feature::native_workers, IORING_FEAT_NATIVE_WORKERS);
RK_SAME_VALUE(rk::feature::rsrc_tags, IORING_FEAT_RSRC_TAGS);
RK_SAME_VALUE(rk::feature::cqe_skip, IORING_FEAT_CQE_SKIP);
RK_SAME_VALUE(rk::feature::linked_file, IORING_FEAT_LINKED_FILE);
#ifdef IORING_FEAT_REG_REG_RING
RK_SAME_VALUE(rk::feature::reg_reg_ring, IORING_FEAT_REG_REG_RING);
#endif

// ---- io_uring_enter(2) --------------------------------------------------------------------

RK_SAME_VALUE(rk::enter_flag::getevents, IORING_ENTER_GETEVENTS);
RK_SAME_VALUE(rk::enter_flag::sq_wakeup, IORING_ENTER_SQ_WAKEUP);
RK_SAME_VALUE(rk::enter_flag::sq_wait, IORING_ENTER_SQ_WAIT);
RK_SAME_VALUE(rk::enter_flag::ext_arg, IORING_ENTER_EXT_ARG);
RK_SAME_VALUE(rk::enter_flag::registered_ring, IORING_ENTER_REGISTERED_RING);

RK_SAME_SIZE(rk::GeteventsArg, io_uring_getevents_arg);
RK_SAME_FIELD(rk::GeteventsArg, sigmask, io_uring_getevents_arg, sigmask);
RK_SAME_FIELD(rk::GeteventsArg, sigmask_sz, io_uring_getevents_arg, sigmask_sz);
RK_SAME_FIELD(rk::GeteventsArg, min_wait_usec, io_uring_getevents_arg, pad);  // 6.12 name
RK_SAME_FIELD(rk::GeteventsArg, ts, io_uring_getevents_arg, ts);

RK_SAME_SIZE(rk::KernelTimespec, __kernel_timespec);
RK_SAME_FIELD(rk::KernelTimespec, tv_sec, __kernel_timespec, tv_sec);
RK_SAME_FIELD(rk::KernelTimespec, tv_nsec, __kernel_timespec, tv_nsec);

// ---- io_uring_register(2) -----------------------------------------------------------------

RK_SAME_VALUE(rk::RegisterOp::register_buffers, IORING_REGISTER_BUFFERS);
RK_SAME_VALUE(rk::RegisterOp::unregister_buffers, IORING_UNREGISTER_BUFFERS);
RK_SAME_VALUE(rk::RegisterOp::register_files, IORING_REGISTER_FILES);
RK_SAME_VALUE(rk::RegisterOp::unregister_files, IORING_UNREGISTER_FILES);
RK_SAME_VALUE(rk::RegisterOp::register_eventfd, IORING_REGISTER_EVENTFD);
RK_SAME_VALUE(rk::RegisterOp::unregister_eventfd, IORING_UNREGISTER_EVENTFD);
RK_SAME_VALUE(rk::RegisterOp::register_files_update, IORING_REGISTER_FILES_UPDATE);
RK_SAME_VALUE(rk::RegisterOp::register_eventfd_async, IORING_REGISTER_EVENTFD_ASYNC);
RK_SAME_VALUE(rk::RegisterOp::register_probe, IORING_REGISTER_PROBE);
RK_SAME_VALUE(rk::RegisterOp::register_personality, IORING_REGISTER_PERSONALITY);
RK_SAME_VALUE(rk::RegisterOp::unregister_personality, IORING_UNREGISTER_PERSONALITY);
RK_SAME_VALUE(rk::RegisterOp::register_restrictions, IORING_REGISTER_RESTRICTIONS);
RK_SAME_VALUE(rk::RegisterOp::register_enable_rings, IORING_REGISTER_ENABLE_RINGS);
RK_SAME_VALUE(rk::RegisterOp::register_files2, IORING_REGISTER_FILES2);
RK_SAME_VALUE(rk::RegisterOp::register_files_update2, IORING_REGISTER_FILES_UPDATE2);
RK_SAME_VALUE(rk::RegisterOp::register_buffers2, IORING_REGISTER_BUFFERS2);
RK_SAME_VALUE(rk::RegisterOp::register_buffers_update, IORING_REGISTER_BUFFERS_UPDATE);
RK_SAME_VALUE(rk::RegisterOp::register_iowq_aff, IORING_REGISTER_IOWQ_AFF);
RK_SAME_VALUE(rk::RegisterOp::unregister_iowq_aff, IORING_UNREGISTER_IOWQ_AFF);
RK_SAME_VALUE(rk::RegisterOp::register_iowq_max_workers, IORING_REGISTER_IOWQ_MAX_WORKERS);
RK_SAME_VALUE(rk::RegisterOp::register_ring_fds, IORING_REGISTER_RING_FDS);
RK_SAME_VALUE(rk::RegisterOp::unregister_ring_fds, IORING_UNREGISTER_RING_FDS);
RK_SAME_VALUE(rk::RegisterOp::register_pbuf_ring, IORING_REGISTER_PBUF_RING);
RK_SAME_VALUE(rk::RegisterOp::unregister_pbuf_ring, IORING_UNREGISTER_PBUF_RING);
RK_SAME_VALUE(rk::RegisterOp::register_sync_cancel, IORING_REGISTER_SYNC_CANCEL);
RK_SAME_VALUE(rk::RegisterOp::register_file_alloc_range, IORING_REGISTER_FILE_ALLOC_RANGE);
static_assert(raw(IORING_REGISTER_LAST) <= rk::register_op_count);
RK_SAME_VALUE(rk::iowq::bound, IO_WQ_BOUND);
RK_SAME_VALUE(rk::iowq::unbound, IO_WQ_UNBOUND);

RK_SAME_VALUE(rk::rsrc_register_sparse, IORING_RSRC_REGISTER_SPARSE);
RK_SAME_VALUE(rk::register_files_skip, IORING_REGISTER_FILES_SKIP);
RK_SAME_VALUE(rk::probe_op_supported, IO_URING_OP_SUPPORTED);
RK_SAME_VALUE(rk::restriction_op::register_op, IORING_RESTRICTION_REGISTER_OP);
RK_SAME_VALUE(rk::restriction_op::sqe_op, IORING_RESTRICTION_SQE_OP);
RK_SAME_VALUE(rk::restriction_op::sqe_flags_allowed, IORING_RESTRICTION_SQE_FLAGS_ALLOWED);
RK_SAME_VALUE(rk::restriction_op::sqe_flags_required, IORING_RESTRICTION_SQE_FLAGS_REQUIRED);

RK_SAME_SIZE(rk::RsrcRegister, io_uring_rsrc_register);
RK_SAME_FIELD(rk::RsrcRegister, nr, io_uring_rsrc_register, nr);
RK_SAME_FIELD(rk::RsrcRegister, flags, io_uring_rsrc_register, flags);
RK_SAME_FIELD(rk::RsrcRegister, resv2, io_uring_rsrc_register, resv2);
RK_SAME_FIELD(rk::RsrcRegister, data, io_uring_rsrc_register, data);
RK_SAME_FIELD(rk::RsrcRegister, tags, io_uring_rsrc_register, tags);

RK_SAME_SIZE(rk::RsrcUpdate, io_uring_rsrc_update);
RK_SAME_FIELD(rk::RsrcUpdate, offset, io_uring_rsrc_update, offset);
RK_SAME_FIELD(rk::RsrcUpdate, resv, io_uring_rsrc_update, resv);
RK_SAME_FIELD(rk::RsrcUpdate, data, io_uring_rsrc_update, data);
RK_SAME_SIZE(rk::FilesUpdate, io_uring_files_update);
RK_SAME_FIELD(rk::FilesUpdate, offset, io_uring_files_update, offset);
RK_SAME_FIELD(rk::FilesUpdate, resv, io_uring_files_update, resv);
RK_SAME_FIELD(rk::FilesUpdate, data, io_uring_files_update, fds);

RK_SAME_SIZE(rk::RsrcUpdate2, io_uring_rsrc_update2);
RK_SAME_FIELD(rk::RsrcUpdate2, offset, io_uring_rsrc_update2, offset);
RK_SAME_FIELD(rk::RsrcUpdate2, resv, io_uring_rsrc_update2, resv);
RK_SAME_FIELD(rk::RsrcUpdate2, data, io_uring_rsrc_update2, data);
RK_SAME_FIELD(rk::RsrcUpdate2, tags, io_uring_rsrc_update2, tags);
RK_SAME_FIELD(rk::RsrcUpdate2, nr, io_uring_rsrc_update2, nr);
RK_SAME_FIELD(rk::RsrcUpdate2, resv2, io_uring_rsrc_update2, resv2);

RK_SAME_SIZE(rk::ProbeOp, io_uring_probe_op);
RK_SAME_FIELD(rk::ProbeOp, op, io_uring_probe_op, op);
RK_SAME_FIELD(rk::ProbeOp, resv, io_uring_probe_op, resv);
RK_SAME_FIELD(rk::ProbeOp, flags, io_uring_probe_op, flags);
RK_SAME_FIELD(rk::ProbeOp, resv2, io_uring_probe_op, resv2);
RK_SAME_SIZE(rk::ProbeHeader, io_uring_probe);
RK_SAME_FIELD(rk::ProbeHeader, last_op, io_uring_probe, last_op);
RK_SAME_FIELD(rk::ProbeHeader, ops_len, io_uring_probe, ops_len);
RK_SAME_FIELD(rk::ProbeHeader, resv, io_uring_probe, resv);
RK_SAME_FIELD(rk::ProbeHeader, resv2, io_uring_probe, resv2);
static_assert(offsetof(io_uring_probe, ops) == sizeof(rk::ProbeHeader));

RK_SAME_SIZE(rk::Restriction, io_uring_restriction);
RK_SAME_FIELD(rk::Restriction, opcode, io_uring_restriction, opcode);
RK_SAME_FIELD(rk::Restriction, arg, io_uring_restriction, register_op);
RK_SAME_FIELD(rk::Restriction, arg, io_uring_restriction, sqe_op);
RK_SAME_FIELD(rk::Restriction, arg, io_uring_restriction, sqe_flags);
RK_SAME_FIELD(rk::Restriction, resv, io_uring_restriction, resv);
RK_SAME_FIELD(rk::Restriction, resv2, io_uring_restriction, resv2);

RK_SAME_SIZE(rk::Buf, io_uring_buf);
RK_SAME_FIELD(rk::Buf, addr, io_uring_buf, addr);
RK_SAME_FIELD(rk::Buf, len, io_uring_buf, len);
RK_SAME_FIELD(rk::Buf, bid, io_uring_buf, bid);
RK_SAME_FIELD(rk::Buf, resv, io_uring_buf, resv);
static_assert(rk::buf_ring_tail_offset == offsetof(io_uring_buf_ring, tail));
static_assert(offsetof(io_uring_buf_ring, bufs) == 0);  // liburing's copy: bufs[0], not a
                                                        // __DECLARE_FLEX_ARRAY
static_assert(sizeof(io_uring_buf_ring) == sizeof(rk::Buf), "the tail takes no extra room");

RK_SAME_SIZE(rk::BufReg, io_uring_buf_reg);
RK_SAME_FIELD(rk::BufReg, ring_addr, io_uring_buf_reg, ring_addr);
RK_SAME_FIELD(rk::BufReg, ring_entries, io_uring_buf_reg, ring_entries);
RK_SAME_FIELD(rk::BufReg, bgid, io_uring_buf_reg, bgid);
RK_SAME_FIELD(rk::BufReg, flags, io_uring_buf_reg, pad);  // named flags since 6.4
RK_SAME_OFFSET(rk::BufReg, min_left, io_uring_buf_reg, resv);

RK_SAME_SIZE(rk::SyncCancelReg, io_uring_sync_cancel_reg);
RK_SAME_FIELD(rk::SyncCancelReg, addr, io_uring_sync_cancel_reg, addr);
RK_SAME_FIELD(rk::SyncCancelReg, fd, io_uring_sync_cancel_reg, fd);
RK_SAME_FIELD(rk::SyncCancelReg, flags, io_uring_sync_cancel_reg, flags);
RK_SAME_SLOT(rk::SyncCancelReg, timeout, io_uring_sync_cancel_reg, timeout);
RK_SAME_OFFSET(rk::SyncCancelReg, opcode, io_uring_sync_cancel_reg, pad);  // opcode: 6.6

RK_SAME_SIZE(rk::FileIndexRange, io_uring_file_index_range);
RK_SAME_FIELD(rk::FileIndexRange, off, io_uring_file_index_range, off);
RK_SAME_FIELD(rk::FileIndexRange, len, io_uring_file_index_range, len);
RK_SAME_FIELD(rk::FileIndexRange, resv, io_uring_file_index_range, resv);

RK_SAME_SIZE(rk::RecvmsgOut, io_uring_recvmsg_out);
RK_SAME_FIELD(rk::RecvmsgOut, namelen, io_uring_recvmsg_out, namelen);
RK_SAME_FIELD(rk::RecvmsgOut, controllen, io_uring_recvmsg_out, controllen);
RK_SAME_FIELD(rk::RecvmsgOut, payloadlen, io_uring_recvmsg_out, payloadlen);
RK_SAME_FIELD(rk::RecvmsgOut, flags, io_uring_recvmsg_out, flags);

// ---- liburing's encodings, read through ringkit's structs --------------------------------

namespace {

// What a liburing prep helper wrote, seen as a ringkit Sqe.
rk::Sqe as_sqe(const io_uring_sqe& k) {
  rk::Sqe s{};
  std::memcpy(&s, &k, sizeof s);
  return s;
}

std::uint64_t address(const void* p) { return reinterpret_cast<std::uint64_t>(p); }

TEST(AbiVsLiburingHeader, NopIsAllZeroButTheOpcode) {
  io_uring_sqe k{};
  std::memset(&k, 0xff, sizeof k);
  io_uring_prep_nop(&k);
  k.user_data = 0;  // prep helpers leave user_data alone
  rk::Sqe expected{};
  expected.opcode = static_cast<std::uint8_t>(rk::Opcode::nop);
  expected.fd = -1;
  EXPECT_EQ(as_sqe(k), expected);
}

TEST(AbiVsLiburingHeader, ReadFixedAndFsync) {
  io_uring_sqe k{};
  char buf[16];
  io_uring_prep_read_fixed(&k, 3, buf, sizeof buf, 512, 2);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::read_fixed));
  EXPECT_EQ(s.fd, 3);
  EXPECT_EQ(s.addr, address(buf));
  EXPECT_EQ(s.len, sizeof buf);
  EXPECT_EQ(s.off, 512u);
  EXPECT_EQ(s.buf_index, 2);

  io_uring_prep_fsync(&k, 4, IORING_FSYNC_DATASYNC);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::fsync));
  EXPECT_EQ(s.op_flags, rk::fsync::datasync);
}

TEST(AbiVsLiburingHeader, TimeoutCancelAndMsgRing) {
  io_uring_sqe k{};
  __kernel_timespec ts{1, 2};
  io_uring_prep_timeout(&k, &ts, 5, IORING_TIMEOUT_ABS | IORING_TIMEOUT_BOOTTIME);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::timeout));
  EXPECT_EQ(s.addr, address(&ts));
  EXPECT_EQ(s.len, 1u);
  EXPECT_EQ(s.off, 5u);
  EXPECT_EQ(s.op_flags, rk::timeout::abs | rk::timeout::boottime);

  io_uring_prep_cancel64(&k, 77, IORING_ASYNC_CANCEL_ALL);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::async_cancel));
  EXPECT_EQ(s.addr, 77u);
  EXPECT_EQ(s.op_flags, rk::async_cancel::all);

  io_uring_prep_msg_ring(&k, 9, 100, 0xabc, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::msg_ring));
  EXPECT_EQ(s.fd, 9);
  EXPECT_EQ(s.addr, rk::msg_ring::data);
  EXPECT_EQ(s.len, 100u);
  EXPECT_EQ(s.off, 0xabcu);
}

TEST(AbiVsLiburingHeader, DirectDescriptorSlotsAreOffByOne) {
  io_uring_sqe k{};
  io_uring_prep_accept_direct(&k, 5, nullptr, nullptr, 0, 4);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::accept));
  EXPECT_EQ(s.splice_fd_in, 5);  // slot 4 is encoded as 4 + 1

  io_uring_prep_socket_direct_alloc(&k, AF_INET, SOCK_STREAM, 0, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::socket));
  EXPECT_EQ(static_cast<std::uint32_t>(s.splice_fd_in), rk::file_index_alloc);

  io_uring_prep_multishot_accept(&k, 5, nullptr, nullptr, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.ioprio, rk::accept::multishot);
}

TEST(AbiVsLiburingHeader, PollRecvSendAndSpliceFlags) {
  io_uring_sqe k{};
  io_uring_prep_poll_multishot(&k, 6, POLLIN);
  rk::Sqe s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::poll_add));
  EXPECT_EQ(s.len, rk::poll::add_multi);
  EXPECT_EQ(s.op_flags, static_cast<std::uint32_t>(POLLIN));  // poll32_events, little-endian

  char buf[8];
  io_uring_prep_recv_multishot(&k, 6, buf, sizeof buf, 0);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::recv));
  EXPECT_EQ(s.ioprio & rk::recvsend::recv_multishot, rk::recvsend::recv_multishot);

  io_uring_prep_send_zc(&k, 6, buf, sizeof buf, MSG_NOSIGNAL, IORING_RECVSEND_POLL_FIRST);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::send_zc));
  EXPECT_EQ(s.ioprio, rk::recvsend::poll_first);
  EXPECT_EQ(s.op_flags, static_cast<std::uint32_t>(MSG_NOSIGNAL));

  io_uring_prep_splice(&k, 7, 10, 8, 20, 30, SPLICE_F_FD_IN_FIXED);
  s = as_sqe(k);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::splice));
  EXPECT_EQ(s.splice_fd_in, 7);
  EXPECT_EQ(s.addr, 10u);  // splice_off_in
  EXPECT_EQ(s.fd, 8);
  EXPECT_EQ(s.off, 20u);
  EXPECT_EQ(s.len, 30u);
  EXPECT_EQ(s.op_flags, rk::splice::f_fd_in_fixed);

  io_uring_sqe_set_flags(&k, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
  EXPECT_EQ(as_sqe(k).flags, rk::sqe_flag::io_link | rk::sqe_flag::cqe_skip_success);
}

// liburing 2.3 indexes its zero-length bufs[] array; GCC's -Warray-bounds flags the inlined
// helper at -O2 although the memory (ring[8]) is there.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
TEST(AbiVsLiburingHeader, BufRingHelpersWriteRingkitsLayout) {
  rk::Buf ring[8]{};
  auto* br = reinterpret_cast<io_uring_buf_ring*>(ring);
  const int mask = io_uring_buf_ring_mask(8);
  EXPECT_EQ(static_cast<std::uint32_t>(mask), rk::buf_ring_mask(8));
  io_uring_buf_ring_init(br);
  io_uring_buf_ring_add(br, reinterpret_cast<void*>(std::uintptr_t{0x1000}), 64, 7, mask, 0);
  io_uring_buf_ring_add(br, reinterpret_cast<void*>(std::uintptr_t{0x2000}), 32, 9, mask, 1);
  io_uring_buf_ring_advance(br, 2);
  EXPECT_EQ(ring[0].addr, 0x1000u);
  EXPECT_EQ(ring[0].len, 64u);
  EXPECT_EQ(ring[0].bid, 7);
  EXPECT_EQ(ring[1].addr, 0x2000u);
  EXPECT_EQ(ring[1].bid, 9);
  // The tail liburing advanced is entry 0's resv, at byte 14.
  EXPECT_EQ(ring[0].resv, 2);
  std::uint16_t tail = 0;
  std::memcpy(&tail, reinterpret_cast<const unsigned char*>(ring) + rk::buf_ring_tail_offset,
              sizeof tail);
  EXPECT_EQ(tail, 2);
}
#pragma GCC diagnostic pop

TEST(AbiVsLiburingHeader, OpcodesNewerThanTheHeaderAreMarkedNewer) {
  const auto last_in_header = static_cast<std::size_t>(raw(IORING_OP_LAST));
  ASSERT_EQ(last_in_header, 49u);  // liburing 2.3 mirrors Linux 6.1
  for (const rk::OpcodeInfo& info : rk::opcode_table) {
    const auto number = static_cast<std::size_t>(info.op);
    EXPECT_EQ(number < last_in_header, (info.since <= rk::KernelVersion{6, 1}))
        << "opcode " << number << " (" << info.name << ")";
  }
}

}  // namespace
