// Network family: sockets, connect/accept, send/recv and their msg/zc variants, uring_cmd.
//
// Ops not implemented yet are `unimplemented_op`: the probe leaves them out and a request
// gets -EOPNOTSUPP at submit, as from a kernel built without them.
#include "engine/op_handler.hpp"

namespace ringkit::sim::detail {

const OpHandler op_handler_sendmsg = unimplemented_op;
const OpHandler op_handler_recvmsg = unimplemented_op;
const OpHandler op_handler_accept = unimplemented_op;
const OpHandler op_handler_connect = unimplemented_op;
const OpHandler op_handler_send = unimplemented_op;
const OpHandler op_handler_recv = unimplemented_op;
const OpHandler op_handler_shutdown = unimplemented_op;
const OpHandler op_handler_socket = unimplemented_op;
const OpHandler op_handler_uring_cmd = unimplemented_op;
const OpHandler op_handler_send_zc = unimplemented_op;
const OpHandler op_handler_sendmsg_zc = unimplemented_op;
const OpHandler op_handler_bind = unimplemented_op;
const OpHandler op_handler_listen = unimplemented_op;
const OpHandler op_handler_recv_zc = unimplemented_op;

}  // namespace ringkit::sim::detail
