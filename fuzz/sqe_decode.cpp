// Fuzz target sqe_decode: any 64 bytes as an SQE, through every builder's decode().
//
// The input is one SQE (shorter inputs are zero-padded, longer ones cut). For every opcode of
// opcodes.def, the bytes with that opcode go through the builder's strict and kernel-mode
// decode:
// - decode of bytes of another opcode fails (EINVAL);
// - strict: decode succeeding means the bytes are canonical: build() gives them back exactly,
//   apart from the fields common to every request (user_data, personality, the common IOSQE
//   bits), and decoding those bytes again gives an equal builder;
// - kernel: decode succeeding means build() gives bytes that kernel decode accepts again and
//   that rebuild to themselves (decode -> build -> decode is stable); a failure is an errno the
//   kernel's prep functions return;
// - strict success implies kernel success (the kernel accepts every canonical SQE);
// - nothing crashes, leaks or hits UB (ASan/UBSan in the fuzz build).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fuzz_check.hpp"
#include "ringkit/ops.hpp"

namespace ringkit::fuzz {
namespace {

// The bytes a builder can produce for `sqe`: the request-wide fields cleared.
abi::Sqe without_common_fields(abi::Sqe sqe) noexcept {
  sqe.user_data = 0;
  sqe.personality = 0;
  sqe.flags &= static_cast<std::uint8_t>(~op::common_sqe_flags);
  return sqe;
}

// Survey mode (RINGKIT_FUZZ_SURVEY set): kernel-mode decodes that build non-canonical bytes are
// printed, once per opcode (an observation, not a failure).
bool survey_mode() noexcept {
  static const bool survey = std::getenv("RINGKIT_FUZZ_SURVEY") != nullptr;
  return survey;
}

void report_noncanonical(std::uint8_t opcode, const abi::Sqe& in, const abi::Sqe& built) noexcept {
  static bool reported[256] = {};
  if (reported[opcode]) return;
  reported[opcode] = true;
  const auto* a = reinterpret_cast<const std::uint8_t*>(&in);
  const auto* b = reinterpret_cast<const std::uint8_t*>(&built);
  std::fprintf(stderr, "kernel-mode decode of %s builds non-canonical bytes\n  in:   ", context);
  for (std::size_t i = 0; i < sizeof in; ++i) std::fprintf(stderr, "%02x", a[i]);
  std::fprintf(stderr, "\n  built:");
  for (std::size_t i = 0; i < sizeof built; ++i) std::fprintf(stderr, "%02x", b[i]);
  std::fprintf(stderr, "\n");
}

template <class Builder>
void check_decode(const abi::Sqe& raw) noexcept {
  // Bytes of another opcode are refused.
  if (raw.opcode != static_cast<std::uint8_t>(Builder::opcode)) {
    const auto other = Builder::decode(raw);
    RINGKIT_FUZZ_CHECK(!other.has_value());
    RINGKIT_FUZZ_CHECK(other.error().value() == EINVAL);
  }
  abi::Sqe sqe = raw;
  sqe.opcode = static_cast<std::uint8_t>(Builder::opcode);

  const auto strict = Builder::decode(sqe, op::DecodeMode::strict);
  const auto kernel = Builder::decode(sqe, op::DecodeMode::kernel);
  if (strict) {
    const abi::Sqe built = strict->build();
    RINGKIT_FUZZ_CHECK(same_sqe(built, without_common_fields(sqe)));
    const auto again = Builder::decode(built);
    RINGKIT_FUZZ_CHECK(again.has_value());
    RINGKIT_FUZZ_CHECK(*again == *strict);
    RINGKIT_FUZZ_CHECK(kernel.has_value());
  }
  if (kernel) {
    const abi::Sqe built = kernel->build();
    RINGKIT_FUZZ_CHECK(built.opcode == sqe.opcode);
    RINGKIT_FUZZ_CHECK(built.user_data == 0 && built.personality == 0);
    // Kernel-mode decode is idempotent through build().
    const auto kernel_again = Builder::decode(built, op::DecodeMode::kernel);
    RINGKIT_FUZZ_CHECK(kernel_again.has_value());
    RINGKIT_FUZZ_CHECK(same_sqe(kernel_again->build(), built));
    // Whether what it builds is canonical (strict decode accepts it) is not promised: kernel
    // mode keeps the values of fields the kernel ignores. Survey mode lists where it is not.
    if (survey_mode()) {
      const auto canonical = Builder::decode(built);
      if (!canonical.has_value() || !same_sqe(canonical->build(), built)) {
        report_noncanonical(static_cast<std::uint8_t>(Builder::opcode), sqe, built);
      }
    }
  } else {
    // A kernel-mode failure is an errno the kernel's prep functions return.
    const int e = kernel.error().value();
    RINGKIT_FUZZ_CHECK(e == EINVAL || e == EOPNOTSUPP || e == EOVERFLOW || e == E2BIG ||
                       e == EBADF);
  }
}

}  // namespace
}  // namespace ringkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ringkit;
  abi::Sqe sqe{};
  std::memcpy(&sqe, data, size < sizeof sqe ? size : sizeof sqe);
#define RINGKIT_OPCODE(enum_name, number, kernel_name, builder, major, minor) \
  fuzz::context = kernel_name;                                                \
  fuzz::check_decode<op::builder>(sqe);
#include "ringkit/abi/opcodes.def"
  return 0;
}
