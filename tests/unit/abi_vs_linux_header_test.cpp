// ringkit's ABI mirror against this machine's <linux/io_uring.h> (Linux 6.1 uapi headers):
// every struct field and every constant the header also defines must have the same offset,
// size and value. What the header lacks (6.2 and later) is checked in
// abi_newer_constants_test.cpp; newer macros are checked here too when the header has them.
//
// Never include <liburing.h> in this file: its io_uring.h copy uses the same include guard.
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ringkit/abi.hpp"

// The checks both headers must pass.
#include "abi_header_checks.inc"    // NOLINT(bugprone-suspicious-include)
#ifdef IORING_SEND_ZC_REPORT_USAGE  // 6.2, in later 6.1.y headers too
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
#ifdef IORING_OFF_MMAP_MASK  // 6.4, in later 6.1.y headers too
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
// Not checked: offsetof(io_uring_buf_ring, bufs). In C it is 0; in C++ this header's
// __DECLARE_FLEX_ARRAY puts an empty struct (size 1 in C++) first and bufs lands at 8. The ring
// is an array of Buf from its first byte, as the kernel (C) sees it.
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

// ---- futex (linux/futex.h) ----------------------------------------------------------------

RK_SAME_VALUE(rk::futex::size_u32, FUTEX_32);
RK_SAME_VALUE(rk::futex::private_flag, FUTEX_PRIVATE_FLAG);
RK_SAME_VALUE(rk::futex::waitv_max, FUTEX_WAITV_MAX);
RK_SAME_VALUE(rk::futex::bitset_match_any, FUTEX_BITSET_MATCH_ANY);
#ifdef FUTEX2_SIZE_U32
RK_SAME_VALUE(rk::futex::size_u8, FUTEX2_SIZE_U8);
RK_SAME_VALUE(rk::futex::size_u16, FUTEX2_SIZE_U16);
RK_SAME_VALUE(rk::futex::size_u32, FUTEX2_SIZE_U32);
RK_SAME_VALUE(rk::futex::size_u64, FUTEX2_SIZE_U64);
RK_SAME_VALUE(rk::futex::size_mask, FUTEX2_SIZE_MASK);
RK_SAME_VALUE(rk::futex::numa, FUTEX2_NUMA);
RK_SAME_VALUE(rk::futex::private_flag, FUTEX2_PRIVATE);
#endif
RK_SAME_SIZE(rk::FutexWaitv, futex_waitv);
RK_SAME_FIELD(rk::FutexWaitv, val, futex_waitv, val);
RK_SAME_FIELD(rk::FutexWaitv, uaddr, futex_waitv, uaddr);
RK_SAME_FIELD(rk::FutexWaitv, flags, futex_waitv, flags);
RK_SAME_FIELD(rk::FutexWaitv, reserved, futex_waitv, __reserved);

// ---- run-time checks: the same bytes read through both views ------------------------------

namespace {

TEST(AbiVsLinuxHeader, SqeFieldsAliasTheKernelUnionMembers) {
  io_uring_sqe k{};
  k.opcode = IORING_OP_URING_CMD;
  k.flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  k.ioprio = 7;
  k.fd = -5;
  k.cmd_op = 0x11223344u;
  k.__pad1 = 0x55667788u;
  k.addr = 0x0102030405060708u;
  k.len = 99;
  k.poll32_events = 0xdeadbeefu;
  k.user_data = 0xfeedfacecafebeefu;
  k.buf_group = 3;
  k.personality = 4;
  k.addr_len = 0x2211;
  k.__pad3[0] = 0x4433;
  k.addr3 = 12;
  k.__pad2[0] = 13;

  rk::Sqe s{};
  static_assert(sizeof s == sizeof k);
  std::memcpy(&s, &k, sizeof s);
  EXPECT_EQ(s.opcode, static_cast<std::uint8_t>(rk::Opcode::uring_cmd));
  EXPECT_EQ(s.flags, rk::sqe_flag::fixed_file | rk::sqe_flag::io_link);
  EXPECT_EQ(s.ioprio, 7);
  EXPECT_EQ(s.fd, -5);
  EXPECT_EQ(s.off, 0x5566778811223344u);  // cmd_op is the low half on little-endian
  EXPECT_EQ(s.addr, 0x0102030405060708u);
  EXPECT_EQ(s.len, 99u);
  EXPECT_EQ(s.op_flags, 0xdeadbeefu);
  EXPECT_EQ(s.user_data, 0xfeedfacecafebeefu);
  EXPECT_EQ(s.buf_index, 3);
  EXPECT_EQ(s.personality, 4);
  EXPECT_EQ(s.splice_fd_in, 0x44332211);
  EXPECT_EQ(s.addr3, 12u);
  EXPECT_EQ(s.pad2, 13u);

  // And back: our fields land in the kernel's.
  rk::Sqe t{};
  t.off = 0xaabbccdd00000001u;
  t.splice_fd_in = -1;
  t.op_flags = 0x80000000u;
  std::memcpy(&k, &t, sizeof k);
  EXPECT_EQ(k.off, 0xaabbccdd00000001u);
  EXPECT_EQ(k.cmd_op, 1u);
  EXPECT_EQ(k.file_index, 0xffffffffu);
  EXPECT_EQ(k.splice_flags, SPLICE_F_FD_IN_FIXED);
}

TEST(AbiVsLinuxHeader, CqeAndBufRingShareTheKernelBytes) {
  io_uring_cqe k{};
  k.user_data = 42;
  k.res = -11;
  k.flags = IORING_CQE_F_BUFFER | IORING_CQE_F_MORE | (9u << IORING_CQE_BUFFER_SHIFT);
  rk::Cqe c{};
  std::memcpy(&c, &k, sizeof c);
  EXPECT_EQ(c.user_data, 42u);
  EXPECT_EQ(c.res, -11);
  EXPECT_EQ(c.flags & rk::cqe_flag::more, rk::cqe_flag::more);
  EXPECT_EQ(rk::cqe_buffer_id(c.flags), 9);

  // The kernel's buf_ring tail is our entry 0's resv.
  rk::Buf ring[4]{};
  io_uring_buf_ring k_ring{};
  k_ring.tail = 0x1234;
  std::memcpy(ring, &k_ring, sizeof k_ring);
  EXPECT_EQ(ring[0].resv, 0x1234);
  EXPECT_EQ(rk::buf_ring_size(4), sizeof ring);
}

struct NamedValue {
  std::uint32_t value;
  std::string_view name;
};
// The macro's (or enumerator's) value and its own spelling.
#define RK_NAMED(constant) \
  NamedValue { static_cast<std::uint32_t>(constant), #constant }

TEST(AbiVsLinuxHeader, NameTablesSpellTheHeadersNames) {
  for (const NamedValue& v :
       {RK_NAMED(IORING_SETUP_IOPOLL), RK_NAMED(IORING_SETUP_SQPOLL), RK_NAMED(IORING_SETUP_SQ_AFF),
        RK_NAMED(IORING_SETUP_CQSIZE), RK_NAMED(IORING_SETUP_CLAMP),
        RK_NAMED(IORING_SETUP_ATTACH_WQ), RK_NAMED(IORING_SETUP_R_DISABLED),
        RK_NAMED(IORING_SETUP_SUBMIT_ALL), RK_NAMED(IORING_SETUP_COOP_TASKRUN),
        RK_NAMED(IORING_SETUP_TASKRUN_FLAG), RK_NAMED(IORING_SETUP_SQE128),
        RK_NAMED(IORING_SETUP_CQE32), RK_NAMED(IORING_SETUP_SINGLE_ISSUER),
        RK_NAMED(IORING_SETUP_DEFER_TASKRUN)}) {
    EXPECT_EQ(rk::setup_flag_name(v.value), v.name);
  }
  for (const NamedValue& v : {RK_NAMED(IORING_FEAT_SINGLE_MMAP), RK_NAMED(IORING_FEAT_NODROP),
                              RK_NAMED(IORING_FEAT_SUBMIT_STABLE), RK_NAMED(IORING_FEAT_RW_CUR_POS),
                              RK_NAMED(IORING_FEAT_CUR_PERSONALITY),
                              RK_NAMED(IORING_FEAT_FAST_POLL), RK_NAMED(IORING_FEAT_POLL_32BITS),
                              RK_NAMED(IORING_FEAT_SQPOLL_NONFIXED), RK_NAMED(IORING_FEAT_EXT_ARG),
                              RK_NAMED(IORING_FEAT_NATIVE_WORKERS), RK_NAMED(IORING_FEAT_RSRC_TAGS),
                              RK_NAMED(IORING_FEAT_CQE_SKIP), RK_NAMED(IORING_FEAT_LINKED_FILE)}) {
    EXPECT_EQ(rk::feature_name(v.value), v.name);
  }
  for (const NamedValue& v :
       {RK_NAMED(IOSQE_FIXED_FILE), RK_NAMED(IOSQE_IO_DRAIN), RK_NAMED(IOSQE_IO_LINK),
        RK_NAMED(IOSQE_IO_HARDLINK), RK_NAMED(IOSQE_ASYNC), RK_NAMED(IOSQE_BUFFER_SELECT),
        RK_NAMED(IOSQE_CQE_SKIP_SUCCESS)}) {
    EXPECT_EQ(rk::sqe_flag_name(v.value), v.name);
  }
  for (const NamedValue& v : {RK_NAMED(IORING_ENTER_GETEVENTS), RK_NAMED(IORING_ENTER_SQ_WAKEUP),
                              RK_NAMED(IORING_ENTER_SQ_WAIT), RK_NAMED(IORING_ENTER_EXT_ARG),
                              RK_NAMED(IORING_ENTER_REGISTERED_RING)}) {
    EXPECT_EQ(rk::enter_flag_name(v.value), v.name);
  }
  for (const NamedValue& v :
       {RK_NAMED(IORING_REGISTER_BUFFERS),        RK_NAMED(IORING_UNREGISTER_BUFFERS),
        RK_NAMED(IORING_REGISTER_FILES),          RK_NAMED(IORING_UNREGISTER_FILES),
        RK_NAMED(IORING_REGISTER_EVENTFD),        RK_NAMED(IORING_UNREGISTER_EVENTFD),
        RK_NAMED(IORING_REGISTER_FILES_UPDATE),   RK_NAMED(IORING_REGISTER_EVENTFD_ASYNC),
        RK_NAMED(IORING_REGISTER_PROBE),          RK_NAMED(IORING_REGISTER_PERSONALITY),
        RK_NAMED(IORING_UNREGISTER_PERSONALITY),  RK_NAMED(IORING_REGISTER_RESTRICTIONS),
        RK_NAMED(IORING_REGISTER_ENABLE_RINGS),   RK_NAMED(IORING_REGISTER_FILES2),
        RK_NAMED(IORING_REGISTER_FILES_UPDATE2),  RK_NAMED(IORING_REGISTER_BUFFERS2),
        RK_NAMED(IORING_REGISTER_BUFFERS_UPDATE), RK_NAMED(IORING_REGISTER_IOWQ_AFF),
        RK_NAMED(IORING_UNREGISTER_IOWQ_AFF),     RK_NAMED(IORING_REGISTER_IOWQ_MAX_WORKERS),
        RK_NAMED(IORING_REGISTER_RING_FDS),       RK_NAMED(IORING_UNREGISTER_RING_FDS),
        RK_NAMED(IORING_REGISTER_PBUF_RING),      RK_NAMED(IORING_UNREGISTER_PBUF_RING),
        RK_NAMED(IORING_REGISTER_SYNC_CANCEL),    RK_NAMED(IORING_REGISTER_FILE_ALLOC_RANGE)}) {
    EXPECT_EQ(rk::register_op_name(static_cast<rk::RegisterOp>(v.value)), v.name);
  }
}

TEST(AbiVsLinuxHeader, OpcodesNewerThanTheHeaderAreMarkedNewer) {
  // The header is Linux 6.1: its IORING_OP_LAST splits the table into what 6.1 has and what
  // came later, which must agree with the table's first-kernel column.
  const auto last_in_header = static_cast<std::size_t>(raw(IORING_OP_LAST));
  ASSERT_EQ(last_in_header, 49u);
  for (const rk::OpcodeInfo& info : rk::opcode_table) {
    const auto number = static_cast<std::size_t>(info.op);
    EXPECT_EQ(number < last_in_header, (info.since <= rk::KernelVersion{6, 1}))
        << "opcode " << number << " (" << info.name << ")";
  }
}

}  // namespace
