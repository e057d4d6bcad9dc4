// File-system family, descriptors: OPENAT, OPENAT2, CLOSE, FILES_UPDATE, FIXED_FD_INSTALL, PIPE
// (io_uring/openclose.c, rsrc.c, filetable.c, Linux 6.18). Path ops and xattrs are in
// fs_path_ops.cpp, SPLICE and TEE in fs_splice_ops.cpp.
#include <fcntl.h>
#include <linux/openat2.h>

#include <cstring>

#include "ops/fs_op_support.hpp"
#include "ringkit/op/fs_open.hpp"
#include "ringkit/sim/world/pipe.hpp"

namespace ringkit::sim::detail {

namespace {

using fs_ops::check_user_path;
using fs_ops::install_direct;
using fs_ops::install_fd;
using fs_ops::remove_direct;

// The kernel's O_LARGEFILE on 64-bit (glibc defines O_LARGEFILE as 0 there).
constexpr std::uint64_t kernel_o_largefile = 0100000;

// ---- OPENAT / OPENAT2 ----

struct OpenState {
  open_how how{};           // build_open_how / copy_struct_from_user, at prep
  std::uint64_t path = 0;   // checked and copied at prep (getname)
  std::int32_t dirfd = -1;  // a plain descriptor or AT_FDCWD
  std::uint32_t file_index = 0;
  bool openat2 = false;
  fs_ops::KeptStrings kept;  // where the path was copied
};
static_assert(sizeof(OpenState) <= 160);

// __io_openat_prep after the opcode's own part: O_LARGEFILE, getname, then the direct
// descriptor's O_CLOEXEC rule.
int finish_open_prep(Request& req, OpenState& st, const char* path) noexcept {
  if ((st.how.flags & O_PATH) == 0) st.how.flags |= kernel_o_largefile;  // force_o_largefile
  if (const int err = check_user_path(path, false); err != 0) return err;
  st.path = reinterpret_cast<std::uintptr_t>(path);
  st.kept.bind(req);
  st.kept.keep(0, fs_ops::user_path(path));
  st.dirfd = req.sqe.fd;
  st.file_index = static_cast<std::uint32_t>(req.sqe.splice_fd_in);
  if (st.file_index != 0 && (st.how.flags & O_CLOEXEC) != 0) return -EINVAL;
  req.emplace_data(st);
  return 0;
}

int prep_openat(Request& req) noexcept {
  // decode() checks the direct descriptor's O_CLOEXEC too, which the kernel does after getname:
  // decode without the destination first, check the rest in the kernel's order.
  abi::Sqe sqe = req.sqe;
  sqe.splice_fd_in = 0;
  const ringkit::result<op::Openat> o = op::Openat::decode(sqe, op::DecodeMode::kernel);
  if (!o) return -o.error().value();
  OpenState st;
  // build_open_how's masking is FileSystem::openat's; here the mode travels as given.
  st.how.flags = o->flags();
  st.how.mode = o->mode();
  return finish_open_prep(req, st, o->path());
}

int prep_openat2(Request& req) noexcept {
  const ringkit::result<op::Openat2> o = op::Openat2::decode(req.sqe, op::DecodeMode::kernel);
  if (!o) return -o.error().value();
  OpenState st;
  st.openat2 = true;
  // copy_struct_from_user: a larger struct's extra bytes must be zero (E2BIG).
  const auto* how = reinterpret_cast<const unsigned char*>(o->how());
  if (how == nullptr) return -EFAULT;
  std::memcpy(&st.how, how, sizeof st.how);
  for (std::uint32_t i = sizeof st.how; i < o->size(); ++i) {
    if (how[i] != 0) return -E2BIG;
  }
  return finish_open_prep(req, st, o->path());
}

void issue_open(Request& req) noexcept {
  RingCore& ring = *req.ring;
  World& world = ring.world();
  const OpenState& st = req.data<OpenState>();
  const std::string_view path = st.kept.get(
      0, fs_ops::user_path(reinterpret_cast<const char*>(static_cast<std::uintptr_t>(st.path))));
  FileRef dir;
  const bool in_root = st.openat2 && (st.how.resolve & RESOLVE_IN_ROOT) != 0;
  if (const int err = fs_ops::resolve_dirfd(world, st.dirfd, path, dir, in_root); err != 0) {
    ring.complete(req, err);
    return;
  }
  // io_openat2 -> do_filp_open. (The kernel reserves the descriptor first, so a full fd table
  // is EMFILE before the open; the simulator opens first: see the report on FdTable.)
  const result<FileRef> file = st.openat2
                                   ? world.fs().openat2(dir.get(), path, st.how)
                                   : world.fs().openat(dir.get(), path, st.how.flags,
                                                       static_cast<std::uint32_t>(st.how.mode));
  if (!file) {
    ring.complete(req, -file.error().value());
    return;
  }
  const int res = st.file_index != 0 ? install_direct(ring, *file, st.file_index)
                                     : install_fd(world, *file, (st.how.flags & O_CLOEXEC) != 0);
  ring.complete(req, res);
}

// ---- CLOSE ----

void issue_close(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::Close c = req.data<op::Close>();
  if (c.is_direct()) {
    ring.complete(req, remove_direct(ring, c.slot().index));  // io_close_fixed
    return;
  }
  // io_close: an io_uring file cannot be closed through the ring.
  World& world = ring.world();
  const File* f = world.fds().get(c.fd().value);
  if (f == nullptr || f->kind() == FileKind::ring) {
    ring.complete(req, -EBADF);
    return;
  }
  const result<void> closed = world.fds().close(c.fd().value);
  ring.complete(req, closed ? 0 : -closed.error().value());
}

// ---- FILES_UPDATE ----

// io_files_update_with_index_alloc: each fd goes to an allocated slot, written back to the
// array; res is how many were done, else the first error.
std::int32_t files_update_alloc(RingCore& ring, std::int32_t* fds, std::uint32_t count) noexcept {
  if (!ring.files.registered()) return -ENXIO;
  std::uint32_t done = 0;
  std::int32_t err = 0;
  for (; done < count; ++done) {
    if (fds == nullptr) {
      err = -EFAULT;
      break;
    }
    const FileRef file = ring.world().fds().ref(fds[done]);
    if (!file || !fs_ops::usable_file(*file)) {  // fget
      err = -EBADF;
      break;
    }
    const int slot = install_direct(ring, file, abi::file_index_alloc);
    if (slot < 0) {
      err = slot;
      break;
    }
    fds[done] = slot;
  }
  return done != 0 ? static_cast<std::int32_t>(done) : err;
}

void issue_files_update(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::FilesUpdate up = req.data<op::FilesUpdate>();
  std::int32_t res = 0;
  if (up.allocates()) {
    res = files_update_alloc(ring, up.fds(), up.count());
  } else if (up.fds() == nullptr) {
    // __io_register_rsrc_update / __io_sqe_files_update check the table before reading fds.
    if (up.count() > 0xffffffffu - up.offset()) {
      res = -EOVERFLOW;
    } else if (!ring.files.registered()) {
      res = -ENXIO;
    } else if (up.offset() + up.count() > ring.files.size()) {
      res = -EINVAL;
    } else {
      res = -EFAULT;
    }
  } else {
    const auto resolve = [&ring](int fd) noexcept -> result<std::uint64_t> {
      // fget refuses O_PATH descriptions (FMODE_PATH).
      const File* f = ring.world().fds().get(fd);
      if (f != nullptr && !fs_ops::usable_file(*f)) return Error{EBADF};
      return ring.file_handle(fd);
    };
    const auto release = [&ring](std::uint32_t index, const FileSlotTable::Slot& s) noexcept {
      ring.release_slot(index, s);
    };
    const result<std::uint32_t> done = ring.files.update(
        up.offset(), std::span<const int>(up.fds(), up.count()), {}, resolve, release);
    res = done ? static_cast<std::int32_t>(*done) : -done.error().value();
  }
  ring.complete(req, res);
}

// ---- FIXED_FD_INSTALL ----

int prep_fixed_fd_install(Request& req) noexcept {
  if (const int err = prep_with<op::FixedFdInstall>(req); err != 0) return err;
  // io_install_fixed_fd_prep: the task's own credentials install the fd (REQ_F_CREDS: -EPERM).
  if (req.sqe.personality != 0) return -EPERM;
  return 0;
}

void issue_fixed_fd_install(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::FixedFdInstall f = req.data<op::FixedFdInstall>();
  if (!resolve_op_file(req, static_cast<std::int32_t>(f.file().index), true)) {
    ring.complete(req, -EBADF);
    return;
  }
  // receive_fd: O_CLOEXEC unless IORING_FIXED_FD_NO_CLOEXEC.
  const bool cloexec = (f.install_flags() & abi::fixed_fd::no_cloexec) == 0;
  ring.complete(req, install_fd(ring.world(), req.file, cloexec));
}

// ---- PIPE ----

// io_pipe_fixed: the read end into the slot (or an allocated one), the write end into the next
// (or another allocated one); fds[] gets the slot indexes.
std::int32_t pipe_fixed(RingCore& ring, const op::Pipe& p, const PipePair& ends) noexcept {
  if (p.flags() & O_CLOEXEC) return -EINVAL;
  const std::uint32_t index = p.dest().encoded();
  const bool alloc = p.dest().allocated();
  std::int32_t slots[2] = {-1, -1};
  const FileRef* files[2] = {&ends.reader, &ends.writer};
  for (std::uint32_t i = 0; i < 2; ++i) {
    const int ret = install_direct(ring, *files[i], alloc ? index : index + i);
    if (ret < 0) {
      if (slots[0] != -1) (void)remove_direct(ring, static_cast<std::uint32_t>(slots[0]));
      return ret;
    }
    slots[i] = alloc ? ret : static_cast<std::int32_t>(index + i - 1);
  }
  if (p.fds() == nullptr) {  // copy_to_user failed: both slots are emptied again
    for (const std::int32_t s : slots) (void)remove_direct(ring, static_cast<std::uint32_t>(s));
    return -EFAULT;
  }
  std::memcpy(p.fds(), slots, sizeof slots);
  return 0;
}

// io_pipe_fd: two descriptors, installed only once the array is written.
std::int32_t pipe_fds(World& world, const op::Pipe& p, const PipePair& ends) noexcept {
  // get_unused_fd_flags twice before copy_to_user: a full table is -EMFILE before either end
  // is installed, even with a bad array.
  if (const result<void> room = world.fds().reserve(2); !room) return -room.error().value();
  if (p.fds() == nullptr) return -EFAULT;
  const bool cloexec = (p.flags() & O_CLOEXEC) != 0;
  const int reader = install_fd(world, ends.reader, cloexec);
  if (reader < 0) return reader;
  const int writer = install_fd(world, ends.writer, cloexec);
  if (writer < 0) {
    (void)world.fds().close(reader);
    return writer;
  }
  const std::int32_t fds[2] = {reader, writer};
  std::memcpy(p.fds(), fds, sizeof fds);
  return 0;
}

void issue_pipe(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const op::Pipe p = req.data<op::Pipe>();
  // create_pipe_files. O_NOTIFICATION_PIPE (watch queues) is not simulated: make_pipe answers
  // -EINVAL for it.
  const result<PipePair> ends = make_pipe(p.flags());
  if (!ends) {
    ring.complete(req, -ends.error().value());
    return;
  }
  const std::int32_t res =
      p.dest().direct() ? pipe_fixed(ring, p, *ends) : pipe_fds(ring.world(), p, *ends);
  ring.complete(req, res);
}

}  // namespace

const OpHandler op_handler_openat{&prep_openat, &issue_open, nullptr, false};
const OpHandler op_handler_openat2{&prep_openat2, &issue_open, nullptr, false};
const OpHandler op_handler_close{&prep_with<op::Close>, &issue_close, nullptr, false};
const OpHandler op_handler_files_update{&prep_with<op::FilesUpdate>, &issue_files_update, nullptr,
                                        false};
const OpHandler op_handler_fixed_fd_install{&prep_fixed_fd_install, &issue_fixed_fd_install,
                                            nullptr, false};
const OpHandler op_handler_pipe{&prep_with<op::Pipe>, &issue_pipe, nullptr, false};

}  // namespace ringkit::sim::detail
