// Command-line parsing for `ringkit`: a subcommand's arguments as options and positionals, with
// messages for what is wrong (bad arguments exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringkit::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failures = 1;     // the workload failed (or a sweep found failures)
inline constexpr int exit_usage = 2;        // bad arguments
inline constexpr int exit_unavailable = 3;  // io_uring cannot be used here

// Options given as "--name value" (or "--name=value") and flags given as "--name".
class Args {
 public:
  // `flags`: the options that take no value; `valued`: those that take one.
  Args(std::vector<std::string_view> argv, std::vector<std::string_view> flags,
       std::vector<std::string_view> valued);

  // Empty when the arguments parsed; else what is wrong.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] bool flag(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  [[nodiscard]] const std::vector<std::string>& positionals() const noexcept { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
  std::string error_;
};

[[nodiscard]] std::optional<std::uint64_t> parse_u64(std::string_view text);
// "A..B" (inclusive) or "N" (one seed); nullopt when malformed or B < A.
[[nodiscard]] std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(
    std::string_view text);

// Prints "ringkit <command>: <message>" and a hint to stderr; returns exit_usage.
int usage_error(std::string_view command, std::string_view message);

}  // namespace ringkit::cli
