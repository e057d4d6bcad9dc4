#include "cli_args.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace ringkit::cli {

Args::Args(std::vector<std::string_view> argv, std::vector<std::string_view> flags,
           std::vector<std::string_view> valued) {
  const auto known = [](const std::vector<std::string_view>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg.size() < 2 || arg.substr(0, 2) != "--") {
      positional_.emplace_back(arg);
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (const std::size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (known(flags, name)) {
      if (inline_value) {
        error_ = "--" + std::string(name) + " takes no value";
        return;
      }
      flags_.emplace_back(name);
    } else if (known(valued, name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) {
          error_ = "--" + std::string(name) + " needs a value";
          return;
        }
        inline_value = argv[++i];
      }
      values_.emplace_back(std::string(name), std::string(*inline_value));
    } else {
      error_ = "unknown option --" + std::string(name);
      return;
    }
  }
}

bool Args::flag(std::string_view name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

std::optional<std::string> Args::value(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [key, value] : values_) {
    if (key == name) found = value;  // the last one wins
  }
  return found;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(std::string_view text) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    const std::optional<std::uint64_t> one = parse_u64(text);
    if (!one) return std::nullopt;
    return std::pair{*one, *one};
  }
  const std::optional<std::uint64_t> first = parse_u64(text.substr(0, dots));
  const std::optional<std::uint64_t> last = parse_u64(text.substr(dots + 2));
  if (!first || !last || *last < *first) return std::nullopt;
  return std::pair{*first, *last};
}

int usage_error(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "ringkit %.*s: %.*s\nTry 'ringkit %.*s --help'.\n",
               static_cast<int>(command.size()), command.data(), static_cast<int>(message.size()),
               message.data(), static_cast<int>(command.size()), command.data());
  return exit_usage;
}

}  // namespace ringkit::cli
