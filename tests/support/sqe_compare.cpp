#include "support/sqe_compare.hpp"

#include <cstdio>

namespace ringkit::testing {

namespace {

template <class T>
void compare(std::string& out, const char* name, T actual, T expected) {
  if (actual == expected) return;
  char line[128];
  std::snprintf(line, sizeof line, "%s: 0x%llx != 0x%llx (expected)\n", name,
                static_cast<unsigned long long>(actual), static_cast<unsigned long long>(expected));
  out += line;
}

}  // namespace

std::string sqe_diff(const abi::Sqe& a, const abi::Sqe& e) {
  std::string out;
  compare(out, "opcode", a.opcode, e.opcode);
  compare(out, "flags", a.flags, e.flags);
  compare(out, "ioprio", a.ioprio, e.ioprio);
  compare(out, "fd", static_cast<std::uint32_t>(a.fd), static_cast<std::uint32_t>(e.fd));
  compare(out, "off", a.off, e.off);
  compare(out, "addr", a.addr, e.addr);
  compare(out, "len", a.len, e.len);
  compare(out, "op_flags", a.op_flags, e.op_flags);
  compare(out, "user_data", a.user_data, e.user_data);
  compare(out, "buf_index", a.buf_index, e.buf_index);
  compare(out, "personality", a.personality, e.personality);
  compare(out, "splice_fd_in", static_cast<std::uint32_t>(a.splice_fd_in),
          static_cast<std::uint32_t>(e.splice_fd_in));
  compare(out, "addr3", a.addr3, e.addr3);
  compare(out, "pad2", a.pad2, e.pad2);
  return out;
}

}  // namespace ringkit::testing
