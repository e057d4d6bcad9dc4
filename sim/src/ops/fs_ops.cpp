// File-system family: open, close, stat, path ops, xattrs, splice/tee, pipe, registered-file
// updates.
//
// Ops not implemented yet are `unimplemented_op`: the probe leaves them out and a request
// gets -EOPNOTSUPP at submit, as from a kernel built without them.
#include "engine/op_handler.hpp"

namespace ringkit::sim::detail {

const OpHandler op_handler_openat = unimplemented_op;
const OpHandler op_handler_close = unimplemented_op;
const OpHandler op_handler_files_update = unimplemented_op;
const OpHandler op_handler_statx = unimplemented_op;
const OpHandler op_handler_openat2 = unimplemented_op;
const OpHandler op_handler_splice = unimplemented_op;
const OpHandler op_handler_tee = unimplemented_op;
const OpHandler op_handler_renameat = unimplemented_op;
const OpHandler op_handler_unlinkat = unimplemented_op;
const OpHandler op_handler_mkdirat = unimplemented_op;
const OpHandler op_handler_symlinkat = unimplemented_op;
const OpHandler op_handler_linkat = unimplemented_op;
const OpHandler op_handler_fsetxattr = unimplemented_op;
const OpHandler op_handler_setxattr = unimplemented_op;
const OpHandler op_handler_fgetxattr = unimplemented_op;
const OpHandler op_handler_getxattr = unimplemented_op;
const OpHandler op_handler_fixed_fd_install = unimplemented_op;
const OpHandler op_handler_pipe = unimplemented_op;

}  // namespace ringkit::sim::detail
