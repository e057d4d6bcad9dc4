// File-system family, paths and metadata: STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT
// (io_uring/statx.c, fs.c) and FSETXATTR, SETXATTR, FGETXATTR, GETXATTR (io_uring/xattr.c),
// Linux 6.18. Each maps to the world's FileSystem call and returns its errno; the strings are
// checked at prep as getname() / import_xattr_name() / setxattr_copy() do.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "ops/fs_op_support.hpp"
#include "ringkit/op/fs_path.hpp"
#include "ringkit/op/fs_xattr.hpp"

namespace ringkit::sim::detail {

namespace {

using fs_ops::check_user_path;
using fs_ops::resolve_dirfd;
using fs_ops::user_path;

constexpr std::size_t xattr_name_max = 255;    // XATTR_NAME_MAX
constexpr std::size_t xattr_size_max = 65536;  // XATTR_SIZE_MAX

template <class Builder>
using State = fs_ops::OpWithStrings<Builder>;

// Decodes with Builder, then `check(builder, kept)` checks the strings the prep function copies
// into the request (KeptStrings).
template <class Builder, class Check>
int prep_path_op(Request& req, Check&& check) noexcept {
  const ringkit::result<Builder> b = Builder::decode(req.sqe, op::DecodeMode::kernel);
  if (!b) return -b.error().value();
  State<Builder> st{*b, {}};
  st.kept.bind(req);
  if (const int err = check(st.op, st.kept); err != 0) return err;
  req.emplace_data(st);
  return 0;
}

// The path at `p`, checked as getname does and copied.
template <class Kept>
int check_and_keep(Kept& kept, unsigned i, const char* p, bool allow_empty) noexcept {
  if (const int err = check_user_path(p, allow_empty); err != 0) return err;
  kept.keep(i, user_path(p));
  return 0;
}

// ---- STATX ----

int prep_statx(Request& req) noexcept {
  // getname_uflags: "" is allowed only with AT_EMPTY_PATH.
  return prep_path_op<op::Statx>(req, [](const op::Statx& s, auto& kept) noexcept {
    return check_and_keep(kept, 0, s.path(), (s.flags() & AT_EMPTY_PATH) != 0);
  });
}

void issue_statx(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<op::Statx>& state = req.data<State<op::Statx>>();
  const op::Statx& s = state.op;
  const std::string_view path = state.kept.get(0, user_path(s.path()));
  FileRef dir;
  if (const int err = resolve_dirfd(ring.world(), s.dir().value, path, dir); err != 0) {
    ring.complete(req, err);
    return;
  }
  struct statx st {};
  const result<void> r =
      ring.world().fs().statx(dir.get(), path, static_cast<int>(s.flags()), s.mask(), &st);
  std::int32_t res = r ? 0 : -r.error().value();
  if (res == 0) {
    // cp_statx: copy_to_user.
    if (s.buffer() == nullptr) {
      res = -EFAULT;
    } else {
      std::memcpy(s.buffer(), &st, sizeof st);
    }
  }
  ring.complete(req, res);
}

// ---- RENAMEAT / LINKAT ----

template <class Builder>
int prep_two_paths(Request& req) noexcept {
  return prep_path_op<Builder>(req, [](const Builder& b, auto& kept) noexcept {
    // io_linkat_prep: getname_uflags for the old path (AT_EMPTY_PATH); renameat: getname.
    bool old_may_be_empty = false;
    if constexpr (Builder::opcode == abi::Opcode::linkat) {
      old_may_be_empty = (b.flags() & AT_EMPTY_PATH) != 0;
    }
    if (const int err = check_and_keep(kept, 0, b.old_path(), old_may_be_empty); err != 0) {
      return err;
    }
    return check_and_keep(kept, 1, b.new_path(), false);
  });
}

template <class Builder>
void issue_two_paths(Request& req) noexcept {
  RingCore& ring = *req.ring;
  World& world = ring.world();
  const State<Builder>& st = req.data<State<Builder>>();
  const Builder& b = st.op;
  const std::string_view old_path = st.kept.get(0, user_path(b.old_path()));
  const std::string_view new_path = st.kept.get(1, user_path(b.new_path()));
  FileRef old_dir;
  FileRef new_dir;
  int err = resolve_dirfd(world, b.old_dir().value, old_path, old_dir);
  if (err == 0) err = resolve_dirfd(world, b.new_dir().value, new_path, new_dir);
  if (err != 0) {
    ring.complete(req, err);
    return;
  }
  result<void> r;
  if constexpr (Builder::opcode == abi::Opcode::renameat) {
    r = world.fs().renameat2(old_dir.get(), old_path, new_dir.get(), new_path, b.flags());
  } else {
    r = world.fs().linkat(old_dir.get(), old_path, new_dir.get(), new_path,
                          static_cast<int>(b.flags()));
  }
  ring.complete(req, r ? 0 : -r.error().value());
}

// ---- UNLINKAT / MKDIRAT / SYMLINKAT ----

template <class Builder>
int prep_one_path(Request& req) noexcept {
  return prep_path_op<Builder>(req, [](const Builder& b, auto& kept) noexcept {
    return check_and_keep(kept, 0, b.path(), false);
  });
}

void issue_unlinkat(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<op::Unlinkat>& st = req.data<State<op::Unlinkat>>();
  const op::Unlinkat& u = st.op;
  const std::string_view path = st.kept.get(0, user_path(u.path()));
  FileRef dir;
  if (const int err = resolve_dirfd(ring.world(), u.dir().value, path, dir); err != 0) {
    ring.complete(req, err);
    return;
  }
  const result<void> r = ring.world().fs().unlinkat(dir.get(), path, static_cast<int>(u.flags()));
  ring.complete(req, r ? 0 : -r.error().value());
}

void issue_mkdirat(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<op::Mkdirat>& st = req.data<State<op::Mkdirat>>();
  const op::Mkdirat& m = st.op;
  const std::string_view path = st.kept.get(0, user_path(m.path()));
  FileRef dir;
  if (const int err = resolve_dirfd(ring.world(), m.dir().value, path, dir); err != 0) {
    ring.complete(req, err);
    return;
  }
  const result<void> r = ring.world().fs().mkdirat(dir.get(), path, m.mode());
  ring.complete(req, r ? 0 : -r.error().value());
}

int prep_symlinkat(Request& req) noexcept {
  return prep_path_op<op::Symlinkat>(req, [](const op::Symlinkat& s, auto& kept) noexcept {
    if (const int err = check_and_keep(kept, 0, s.target(), false); err != 0) return err;
    return check_and_keep(kept, 1, s.link_path(), false);
  });
}

void issue_symlinkat(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<op::Symlinkat>& st = req.data<State<op::Symlinkat>>();
  const op::Symlinkat& s = st.op;
  const std::string_view path = st.kept.get(1, user_path(s.link_path()));
  FileRef dir;
  if (const int err = resolve_dirfd(ring.world(), s.new_dir().value, path, dir); err != 0) {
    ring.complete(req, err);
    return;
  }
  const result<void> r =
      ring.world().fs().symlinkat(st.kept.get(0, user_path(s.target())), dir.get(), path);
  ring.complete(req, r ? 0 : -r.error().value());
}

// ---- Extended attributes ----

// import_xattr_name: -EFAULT for a null name, -ERANGE for "" or a name of XATTR_NAME_MAX + 1
// bytes or more. (The namespace is the VFS's check, at issue.)
int check_xattr_name(const char* name) noexcept {
  if (name == nullptr) return -EFAULT;
  const std::size_t len = ::strnlen(name, xattr_name_max + 1);
  return len == 0 || len > xattr_name_max ? -ERANGE : 0;
}

std::string_view xattr_name(const char* name) noexcept {
  return fs_ops::user_string(name, xattr_name_max);
}

// __io_setxattr_prep / __io_getxattr_prep (flags: decode), then the path forms' getname.
// Kept strings of the xattr ops: the name, the value (set forms), the path (path forms).
constexpr unsigned kept_name = 0;
constexpr unsigned kept_value = 1;
constexpr unsigned kept_path = 2;

template <class Builder>
constexpr bool sets_xattr =
    Builder::opcode == abi::Opcode::fsetxattr || Builder::opcode == abi::Opcode::setxattr;

template <class Builder>
std::string_view set_value_bytes(const Builder& x) noexcept {
  if (x.size() == 0) return {};
  return {static_cast<const char*>(x.value()), x.size()};
}

template <class Builder>
int prep_xattr(Request& req) noexcept {
  return prep_path_op<Builder>(req, [](const Builder& x, auto& kept) noexcept {
    if (const int err = check_xattr_name(x.name()); err != 0) return err;
    if constexpr (sets_xattr<Builder>) {
      // setxattr_copy: the value is copied in at prep.
      if (x.size() > xattr_size_max) return -E2BIG;
      if (x.size() != 0 && x.value() == nullptr) return -EFAULT;
    }
    if constexpr (requires { x.path(); }) {
      if (const int err = check_user_path(x.path(), false); err != 0) return err;
    }
    kept.keep(kept_name, xattr_name(x.name()));
    if constexpr (sets_xattr<Builder>) kept.keep(kept_value, set_value_bytes(x));
    if constexpr (requires { x.path(); }) kept.keep(kept_path, user_path(x.path()));
    return 0;
  });
}

template <class Builder>
std::span<const std::byte> set_value(const State<Builder>& st) noexcept {
  const std::string_view v = st.kept.get(kept_value, set_value_bytes(st.op));
  return std::as_bytes(std::span<const char>(v.data(), v.size()));
}

// do_getxattr: a size above XATTR_SIZE_MAX is clamped; a value that does not fit is -ERANGE;
// copy_to_user into a null buffer is -EFAULT (after the lookup succeeded).
template <class Get>
std::int32_t get_value(void* value, std::uint32_t size, Get&& get) noexcept {
  const std::size_t room = std::min<std::size_t>(size, xattr_size_max);
  if (room != 0 && value == nullptr) {
    const result<std::size_t> probe = get(std::span<std::byte>());
    if (!probe) return -probe.error().value();
    if (*probe == 0) return 0;
    return *probe > room ? -ERANGE : -EFAULT;
  }
  const result<std::size_t> got = get(std::span<std::byte>(static_cast<std::byte*>(value), room));
  return got ? static_cast<std::int32_t>(*got) : -got.error().value();
}

template <class Builder>
void issue_fxattr(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<Builder>& st = req.data<State<Builder>>();
  const Builder& x = st.op;
  if (!resolve_op_file(req, x.file().raw(), x.file().fixed())) {
    ring.complete(req, -EBADF);
    return;
  }
  FileSystem& fs = ring.world().fs();
  const std::string_view name = st.kept.get(kept_name, xattr_name(x.name()));
  std::int32_t res = 0;
  if constexpr (Builder::opcode == abi::Opcode::fsetxattr) {
    const result<void> r =
        fs.fsetxattr(*req.file, name, set_value(st), static_cast<int>(x.flags()));
    res = r ? 0 : -r.error().value();
  } else {
    res = get_value(x.value(), x.size(), [&](std::span<std::byte> out) noexcept {
      return fs.fgetxattr(*req.file, name, out);
    });
  }
  ring.complete(req, res);
}

// The path forms resolve from the cwd and follow symlinks (filename_setxattr / _getxattr with
// AT_FDCWD and LOOKUP_FOLLOW).
template <class Builder>
void issue_path_xattr(Request& req) noexcept {
  RingCore& ring = *req.ring;
  const State<Builder>& st = req.data<State<Builder>>();
  const Builder& x = st.op;
  FileSystem& fs = ring.world().fs();
  const std::string_view path = st.kept.get(kept_path, user_path(x.path()));
  const std::string_view name = st.kept.get(kept_name, xattr_name(x.name()));
  std::int32_t res = 0;
  if constexpr (Builder::opcode == abi::Opcode::setxattr) {
    const result<void> r =
        fs.setxattr(nullptr, path, name, set_value(st), static_cast<int>(x.flags()));
    res = r ? 0 : -r.error().value();
  } else {
    res = get_value(x.value(), x.size(), [&](std::span<std::byte> out) noexcept {
      return fs.getxattr(nullptr, path, name, out);
    });
  }
  ring.complete(req, res);
}

}  // namespace

const OpHandler op_handler_statx{&prep_statx, &issue_statx, nullptr, false};
const OpHandler op_handler_renameat{&prep_two_paths<op::Renameat>, &issue_two_paths<op::Renameat>,
                                    nullptr, false};
const OpHandler op_handler_linkat{&prep_two_paths<op::Linkat>, &issue_two_paths<op::Linkat>,
                                  nullptr, false};
const OpHandler op_handler_unlinkat{&prep_one_path<op::Unlinkat>, &issue_unlinkat, nullptr, false};
const OpHandler op_handler_mkdirat{&prep_one_path<op::Mkdirat>, &issue_mkdirat, nullptr, false};
const OpHandler op_handler_symlinkat{&prep_symlinkat, &issue_symlinkat, nullptr, false};
const OpHandler op_handler_fsetxattr{&prep_xattr<op::Fsetxattr>, &issue_fxattr<op::Fsetxattr>,
                                     nullptr, false};
const OpHandler op_handler_fgetxattr{&prep_xattr<op::Fgetxattr>, &issue_fxattr<op::Fgetxattr>,
                                     nullptr, false};
const OpHandler op_handler_setxattr{&prep_xattr<op::Setxattr>, &issue_path_xattr<op::Setxattr>,
                                    nullptr, false};
const OpHandler op_handler_getxattr{&prep_xattr<op::Getxattr>, &issue_path_xattr<op::Getxattr>,
                                    nullptr, false};

}  // namespace ringkit::sim::detail
