// Read/write family: read, write, vectored and fixed variants, read_multishot, syncs, fallocate,
// advice, ftruncate.
//
// Ops not implemented yet are `unimplemented_op`: the probe leaves them out and a request
// gets -EOPNOTSUPP at submit, as from a kernel built without them.
#include "engine/op_handler.hpp"

namespace ringkit::sim::detail {

const OpHandler op_handler_readv = unimplemented_op;
const OpHandler op_handler_writev = unimplemented_op;
const OpHandler op_handler_fsync = unimplemented_op;
const OpHandler op_handler_read_fixed = unimplemented_op;
const OpHandler op_handler_write_fixed = unimplemented_op;
const OpHandler op_handler_sync_file_range = unimplemented_op;
const OpHandler op_handler_fallocate = unimplemented_op;
const OpHandler op_handler_read = unimplemented_op;
const OpHandler op_handler_write = unimplemented_op;
const OpHandler op_handler_fadvise = unimplemented_op;
const OpHandler op_handler_madvise = unimplemented_op;
const OpHandler op_handler_read_multishot = unimplemented_op;
const OpHandler op_handler_ftruncate = unimplemented_op;
const OpHandler op_handler_readv_fixed = unimplemented_op;
const OpHandler op_handler_writev_fixed = unimplemented_op;

}  // namespace ringkit::sim::detail
