// result<T>: a value or an Error, without exceptions (core, backends and simulator throw none).
//
// Reading the value of an error result is a programming error: it aborts with a message in every
// build type instead of being undefined behaviour.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "ringkit/error.hpp"

namespace ringkit {

namespace detail {
[[noreturn]] void bad_result_access(const Error& error) noexcept;
[[noreturn]] void bad_error_access() noexcept;
}  // namespace detail

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use result<T*>");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "result<Error> is ambiguous");

 public:
  using value_type = T;

  template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, Error> &&
                                              !std::is_same_v<std::decay_t<U>, result>,
                                          int> = 0>
  constexpr result(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>)  // NOLINT
      : storage_(std::in_place_index<0>, std::forward<U>(value)) {}
  constexpr result(Error error) noexcept  // NOLINT: implicit, so `return Error{...};` reads well
      : storage_(std::in_place_index<1>, error) {}

  [[nodiscard]] constexpr bool has_value() const noexcept { return storage_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] constexpr T& value() & noexcept {
    if (!has_value()) detail::bad_result_access(*std::get_if<1>(&storage_));
    return *std::get_if<0>(&storage_);
  }
  [[nodiscard]] constexpr const T& value() const& noexcept {
    if (!has_value()) detail::bad_result_access(*std::get_if<1>(&storage_));
    return *std::get_if<0>(&storage_);
  }
  [[nodiscard]] constexpr T&& value() && noexcept { return std::move(value()); }

  constexpr T& operator*() & noexcept { return value(); }
  constexpr const T& operator*() const& noexcept { return value(); }
  constexpr T* operator->() noexcept { return &value(); }
  constexpr const T* operator->() const noexcept { return &value(); }

  template <class U>
  [[nodiscard]] constexpr T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&storage_) : static_cast<T>(std::forward<U>(fallback));
  }

  [[nodiscard]] constexpr const Error& error() const noexcept {
    if (has_value()) detail::bad_error_access();
    return *std::get_if<1>(&storage_);
  }

 private:
  std::variant<T, Error> storage_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;

  constexpr result() noexcept = default;
  constexpr result(Error error) noexcept : error_(error), failed_(true) {}  // NOLINT

  [[nodiscard]] constexpr bool has_value() const noexcept { return !failed_; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr void value() const noexcept {
    if (failed_) detail::bad_result_access(error_);
  }
  [[nodiscard]] constexpr const Error& error() const noexcept {
    if (!failed_) detail::bad_error_access();
    return error_;
  }

 private:
  Error error_{};
  bool failed_ = false;
};

// An Error for a negative return value of a system call or a raw kernel result (-errno).
[[nodiscard]] constexpr Error error_from_kernel(int negative_errno) noexcept {
  return Error{-negative_errno};
}

}  // namespace ringkit
