// IORING_OP_SENDMSG (5.3), IORING_OP_RECVMSG (5.3), IORING_OP_SENDMSG_ZC (6.1): sendmsg(2) and
// recvmsg(2) on a struct msghdr. One builder (net_detail::SendRecv, net_sendrecv_common.hpp, with
// the kernel rules) serves these and SEND, RECV, SEND_ZC.
#pragma once

#include "ringkit/op/net_sendrecv_common.hpp"

namespace ringkit::op {

// sendmsg(2) on `file` with the message `msg` (which must live until completion).
using Sendmsg = net_detail::SendRecv<abi::Opcode::sendmsg>;
// recvmsg(2) on `file` into the message `msg`; with a buffer group, the data goes to a provided
// buffer (one, or one per completion when multishot).
using Recvmsg = net_detail::SendRecv<abi::Opcode::recvmsg>;
// Zero-copy sendmsg(2): a first CQE with the result (IORING_CQE_F_MORE), then a notification CQE
// (IORING_CQE_F_NOTIF) when the kernel no longer needs the buffers.
using SendmsgZc = net_detail::SendRecv<abi::Opcode::sendmsg_zc>;

}  // namespace ringkit::op
