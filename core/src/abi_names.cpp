// Names of flag bits and register opcodes (names.hpp).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringkit/abi/enter.hpp"
#include "ringkit/abi/names.hpp"
#include "ringkit/abi/register.hpp"
#include "ringkit/abi/setup.hpp"
#include "ringkit/abi/sqe.hpp"

namespace ringkit::abi {
namespace {

using namespace std::string_view_literals;

constexpr std::size_t bit_count(std::uint32_t mask) noexcept {
  return static_cast<std::size_t>(std::popcount(mask));
}

// Entry i names bit i.
constexpr std::array setup_names{
    "IORING_SETUP_IOPOLL"sv,        "IORING_SETUP_SQPOLL"sv,
    "IORING_SETUP_SQ_AFF"sv,        "IORING_SETUP_CQSIZE"sv,
    "IORING_SETUP_CLAMP"sv,         "IORING_SETUP_ATTACH_WQ"sv,
    "IORING_SETUP_R_DISABLED"sv,    "IORING_SETUP_SUBMIT_ALL"sv,
    "IORING_SETUP_COOP_TASKRUN"sv,  "IORING_SETUP_TASKRUN_FLAG"sv,
    "IORING_SETUP_SQE128"sv,        "IORING_SETUP_CQE32"sv,
    "IORING_SETUP_SINGLE_ISSUER"sv, "IORING_SETUP_DEFER_TASKRUN"sv,
    "IORING_SETUP_NO_MMAP"sv,       "IORING_SETUP_REGISTERED_FD_ONLY"sv,
    "IORING_SETUP_NO_SQARRAY"sv,    "IORING_SETUP_HYBRID_IOPOLL"sv,
    "IORING_SETUP_CQE_MIXED"sv,
};
static_assert(setup_names.size() == bit_count(setup::known_flags));
static_assert(std::has_single_bit(setup::known_flags + 1), "setup bits are 0..n-1");

constexpr std::array feature_names{
    "IORING_FEAT_SINGLE_MMAP"sv,     "IORING_FEAT_NODROP"sv,
    "IORING_FEAT_SUBMIT_STABLE"sv,   "IORING_FEAT_RW_CUR_POS"sv,
    "IORING_FEAT_CUR_PERSONALITY"sv, "IORING_FEAT_FAST_POLL"sv,
    "IORING_FEAT_POLL_32BITS"sv,     "IORING_FEAT_SQPOLL_NONFIXED"sv,
    "IORING_FEAT_EXT_ARG"sv,         "IORING_FEAT_NATIVE_WORKERS"sv,
    "IORING_FEAT_RSRC_TAGS"sv,       "IORING_FEAT_CQE_SKIP"sv,
    "IORING_FEAT_LINKED_FILE"sv,     "IORING_FEAT_REG_REG_RING"sv,
    "IORING_FEAT_RECVSEND_BUNDLE"sv, "IORING_FEAT_MIN_TIMEOUT"sv,
    "IORING_FEAT_RW_ATTR"sv,         "IORING_FEAT_NO_IOWAIT"sv,
};
static_assert(feature_names.size() == bit_count(feature::known_flags));
static_assert(std::has_single_bit(feature::known_flags + 1), "feature bits are 0..n-1");

constexpr std::array sqe_flag_names{
    "IOSQE_FIXED_FILE"sv,       "IOSQE_IO_DRAIN"sv, "IOSQE_IO_LINK"sv,
    "IOSQE_IO_HARDLINK"sv,      "IOSQE_ASYNC"sv,    "IOSQE_BUFFER_SELECT"sv,
    "IOSQE_CQE_SKIP_SUCCESS"sv,
};
static_assert(sqe_flag_names.size() == bit_count(sqe_flag::known_flags));

constexpr std::array enter_flag_names{
    "IORING_ENTER_GETEVENTS"sv,   "IORING_ENTER_SQ_WAKEUP"sv,       "IORING_ENTER_SQ_WAIT"sv,
    "IORING_ENTER_EXT_ARG"sv,     "IORING_ENTER_REGISTERED_RING"sv, "IORING_ENTER_ABS_TIMER"sv,
    "IORING_ENTER_EXT_ARG_REG"sv, "IORING_ENTER_NO_IOWAIT"sv,
};
static_assert(enter_flag_names.size() == bit_count(enter_flag::known_flags));

// Entry i names register opcode i.
constexpr std::array register_op_names{
    "IORING_REGISTER_BUFFERS"sv,        "IORING_UNREGISTER_BUFFERS"sv,
    "IORING_REGISTER_FILES"sv,          "IORING_UNREGISTER_FILES"sv,
    "IORING_REGISTER_EVENTFD"sv,        "IORING_UNREGISTER_EVENTFD"sv,
    "IORING_REGISTER_FILES_UPDATE"sv,   "IORING_REGISTER_EVENTFD_ASYNC"sv,
    "IORING_REGISTER_PROBE"sv,          "IORING_REGISTER_PERSONALITY"sv,
    "IORING_UNREGISTER_PERSONALITY"sv,  "IORING_REGISTER_RESTRICTIONS"sv,
    "IORING_REGISTER_ENABLE_RINGS"sv,   "IORING_REGISTER_FILES2"sv,
    "IORING_REGISTER_FILES_UPDATE2"sv,  "IORING_REGISTER_BUFFERS2"sv,
    "IORING_REGISTER_BUFFERS_UPDATE"sv, "IORING_REGISTER_IOWQ_AFF"sv,
    "IORING_UNREGISTER_IOWQ_AFF"sv,     "IORING_REGISTER_IOWQ_MAX_WORKERS"sv,
    "IORING_REGISTER_RING_FDS"sv,       "IORING_UNREGISTER_RING_FDS"sv,
    "IORING_REGISTER_PBUF_RING"sv,      "IORING_UNREGISTER_PBUF_RING"sv,
    "IORING_REGISTER_SYNC_CANCEL"sv,    "IORING_REGISTER_FILE_ALLOC_RANGE"sv,
    "IORING_REGISTER_PBUF_STATUS"sv,    "IORING_REGISTER_NAPI"sv,
    "IORING_UNREGISTER_NAPI"sv,         "IORING_REGISTER_CLOCK"sv,
    "IORING_REGISTER_CLONE_BUFFERS"sv,  "IORING_REGISTER_SEND_MSG_RING"sv,
    "IORING_REGISTER_ZCRX_IFQ"sv,       "IORING_REGISTER_RESIZE_RINGS"sv,
    "IORING_REGISTER_MEM_REGION"sv,     "IORING_REGISTER_QUERY"sv,
};
static_assert(register_op_names.size() == register_op_count);
static_assert(static_cast<std::uint32_t>(RegisterOp::register_query) + 1 == register_op_count);

template <std::size_t N>
std::string_view bit_name(const std::array<std::string_view, N>& names,
                          std::uint32_t bit) noexcept {
  if (!std::has_single_bit(bit)) return {};
  const auto index = static_cast<std::size_t>(std::countr_zero(bit));
  return index < N ? names[index] : std::string_view{};
}

}  // namespace

std::string_view setup_flag_name(std::uint32_t bit) noexcept { return bit_name(setup_names, bit); }

std::string_view feature_name(std::uint32_t bit) noexcept { return bit_name(feature_names, bit); }

std::string_view sqe_flag_name(std::uint32_t bit) noexcept { return bit_name(sqe_flag_names, bit); }

std::string_view enter_flag_name(std::uint32_t bit) noexcept {
  return bit_name(enter_flag_names, bit);
}

std::string_view register_op_name(RegisterOp op) noexcept {
  const auto index = static_cast<std::uint32_t>(op);
  return index < register_op_names.size() ? register_op_names[index] : std::string_view{};
}

}  // namespace ringkit::abi
