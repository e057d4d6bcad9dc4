// The read/write family: READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED, READV_FIXED,
// WRITEV_FIXED, READ_MULTISHOT (rw_io.hpp) and FSYNC, SYNC_FILE_RANGE, FALLOCATE, FADVISE,
// MADVISE, FTRUNCATE (rw_sync.hpp).
#pragma once

#include "ringkit/op/rw_io.hpp"    // IWYU pragma: export
#include "ringkit/op/rw_sync.hpp"  // IWYU pragma: export
