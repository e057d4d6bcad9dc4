// The fs family: file, path, xattr and pipe operations.
//
//   op/fs_open.hpp    Openat, Openat2, Close, Pipe, FixedFdInstall, FilesUpdate
//   op/fs_path.hpp    Statx, Renameat, Unlinkat, Mkdirat, Symlinkat, Linkat
//   op/fs_xattr.hpp   Fsetxattr, Setxattr, Fgetxattr, Getxattr
//   op/fs_splice.hpp  Splice, Tee
#pragma once

#include "ringkit/op/fs_open.hpp"
#include "ringkit/op/fs_path.hpp"
#include "ringkit/op/fs_splice.hpp"
#include "ringkit/op/fs_xattr.hpp"
