// The network opcode builders: SENDMSG, RECVMSG, SENDMSG_ZC (net_msg.hpp); SEND, RECV, SEND_ZC,
// RECV_ZC (net_sendrecv.hpp); ACCEPT, CONNECT, BIND, LISTEN, SHUTDOWN, SOCKET (net_socket.hpp);
// URING_CMD socket commands (net_cmd.hpp). The msghdr and buffer send/recv ops share one builder
// (net_sendrecv_common.hpp).
#pragma once

#include "ringkit/op/net_cmd.hpp"
#include "ringkit/op/net_msg.hpp"
#include "ringkit/op/net_sendrecv.hpp"
#include "ringkit/op/net_socket.hpp"
