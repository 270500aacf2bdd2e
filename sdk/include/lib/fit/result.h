// Guest SDK: <lib/fit/result.h> -- fit::result<E, T...>, fit::error, fit::success,
// fit::ok, fit::failed, fit::as_error (written for this project to Fuchsia's
// public lib/fit API).
//
// A result holds either an error value of type E or, on success, zero or one
// value of type T. It is built from fit::error(e) or fit::ok(v)/fit::success()
// and never from a bare E or T, so that which side was meant is always
// written out. Reading the side that is not there aborts.
#ifndef LIB_FIT_RESULT_H_
#define LIB_FIT_RESULT_H_

#include <stdlib.h>

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace fit {

// An error type for results that carry no error detail.
struct failed {};

// The error side of a result, on its way in or out.
template <typename E>
class error {
 public:
  using error_type = E;

  template <typename... Args, std::enable_if_t<std::is_constructible_v<E, Args...>, bool> = true>
  explicit constexpr error(Args&&... args) : value_(std::forward<Args>(args)...) {}

  constexpr E& error_value() & { return value_; }
  constexpr const E& error_value() const& { return value_; }
  constexpr E&& error_value() && { return std::move(value_); }

 private:
  E value_;
};

template <typename E>
error(E) -> error<E>;
error() -> error<failed>;

// Wraps `e` as the error side.
template <typename E>
constexpr error<std::decay_t<E>> as_error(E&& e) {
  return error<std::decay_t<E>>(std::forward<E>(e));
}

// The success side of a result: one value, or none.
template <typename... Ts>
class success;

template <typename T>
class success<T> {
 public:
  using value_type = T;

  template <typename... Args, std::enable_if_t<std::is_constructible_v<T, Args...>, bool> = true>
  explicit constexpr success(Args&&... args) : value_(std::forward<Args>(args)...) {}

  constexpr T& value() & { return value_; }
  constexpr const T& value() const& { return value_; }
  constexpr T&& value() && { return std::move(value_); }

 private:
  T value_;
};

template <>
class success<> {
 public:
  constexpr success() = default;
};

template <typename T>
success(T) -> success<T>;
success() -> success<>;

// fit::ok(v): success with a value; fit::ok(): success without one.
template <typename T>
constexpr success<std::decay_t<T>> ok(T&& value) {
  return success<std::decay_t<T>>(std::forward<T>(value));
}
constexpr success<> ok() { return success<>(); }

// What an error type's results add to fit::result (lib/zx/result.h adds
// status_value() and status_string() for zx_status_t). Derived is the
// result type.
template <typename E, typename Derived>
class result_extensions {};

namespace internal {
[[noreturn]] inline void result_misuse() { abort(); }
}  // namespace internal

template <typename E, typename... Ts>
class result;

// A result with a value.
template <typename E, typename T>
class [[nodiscard]] result<E, T> : public result_extensions<E, result<E, T>> {
 public:
  using error_type = E;
  using value_type = T;

  template <typename F, std::enable_if_t<std::is_constructible_v<E, const F&>, bool> = true>
  constexpr result(const error<F>& e) : state_(std::in_place_index<0>, e.error_value()) {}
  template <typename F, std::enable_if_t<std::is_constructible_v<E, F&&>, bool> = true>
  constexpr result(error<F>&& e) : state_(std::in_place_index<0>, std::move(e).error_value()) {}
  template <typename U, std::enable_if_t<std::is_constructible_v<T, const U&>, bool> = true>
  constexpr result(const success<U>& s) : state_(std::in_place_index<1>, s.value()) {}
  template <typename U, std::enable_if_t<std::is_constructible_v<T, U&&>, bool> = true>
  constexpr result(success<U>&& s) : state_(std::in_place_index<1>, std::move(s).value()) {}
  // `return fit::failed();` for results whose error type is fit::failed.
  template <typename F = E, std::enable_if_t<std::is_same_v<F, failed>, bool> = true>
  constexpr result(failed) : state_(std::in_place_index<0>) {}
  template <typename F, typename U,
            std::enable_if_t<std::is_constructible_v<E, F&&> && std::is_constructible_v<T, U&&>,
                             bool> = true>
  constexpr result(result<F, U>&& other)
      : state_(other.is_ok() ? state_type(std::in_place_index<1>, std::move(other).value())
                             : state_type(std::in_place_index<0>, std::move(other).error_value())) {}

  constexpr result(const result&) = default;
  constexpr result(result&&) = default;
  constexpr result& operator=(const result&) = default;
  constexpr result& operator=(result&&) = default;

  constexpr bool is_ok() const { return state_.index() == 1; }
  constexpr bool is_error() const { return state_.index() == 0; }

  constexpr E& error_value() & { return *check_error(); }
  constexpr const E& error_value() const& { return *check_error(); }
  constexpr E&& error_value() && { return std::move(*check_error()); }
  constexpr error<E> take_error() { return error<E>(std::move(*check_error())); }

  constexpr T& value() & { return *check_value(); }
  constexpr const T& value() const& { return *check_value(); }
  constexpr T&& value() && { return std::move(*check_value()); }
  constexpr T take_value() { return std::move(*check_value()); }

  template <typename U>
  constexpr T value_or(U&& fallback) const& {
    return is_ok() ? std::get<1>(state_) : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U>
  constexpr T value_or(U&& fallback) && {
    return is_ok() ? std::move(std::get<1>(state_)) : static_cast<T>(std::forward<U>(fallback));
  }

  constexpr T* operator->() { return check_value(); }
  constexpr const T* operator->() const { return check_value(); }
  constexpr T& operator*() & { return *check_value(); }
  constexpr const T& operator*() const& { return *check_value(); }
  constexpr T&& operator*() && { return std::move(*check_value()); }

 private:
  using state_type = std::variant<E, T>;

  constexpr E* check_error() {
    if (!is_error()) internal::result_misuse();
    return &std::get<0>(state_);
  }
  constexpr const E* check_error() const {
    if (!is_error()) internal::result_misuse();
    return &std::get<0>(state_);
  }
  constexpr T* check_value() {
    if (!is_ok()) internal::result_misuse();
    return &std::get<1>(state_);
  }
  constexpr const T* check_value() const {
    if (!is_ok()) internal::result_misuse();
    return &std::get<1>(state_);
  }

  state_type state_;
};

// A result without a value.
template <typename E>
class [[nodiscard]] result<E> : public result_extensions<E, result<E>> {
 public:
  using error_type = E;

  template <typename F, std::enable_if_t<std::is_constructible_v<E, const F&>, bool> = true>
  constexpr result(const error<F>& e) : error_(e.error_value()) {}
  template <typename F, std::enable_if_t<std::is_constructible_v<E, F&&>, bool> = true>
  constexpr result(error<F>&& e) : error_(std::move(e).error_value()) {}
  constexpr result(success<>) {}
  template <typename F = E, std::enable_if_t<std::is_same_v<F, failed>, bool> = true>
  constexpr result(failed) : error_(std::in_place) {}
  template <typename F, std::enable_if_t<std::is_constructible_v<E, F&&>, bool> = true>
  constexpr result(result<F>&& other) {
    if (other.is_error()) error_.emplace(std::move(other).error_value());
  }

  constexpr result(const result&) = default;
  constexpr result(result&&) = default;
  constexpr result& operator=(const result&) = default;
  constexpr result& operator=(result&&) = default;

  constexpr bool is_ok() const { return !error_.has_value(); }
  constexpr bool is_error() const { return error_.has_value(); }

  constexpr E& error_value() & { return *check_error(); }
  constexpr const E& error_value() const& { return *check_error(); }
  constexpr E&& error_value() && { return std::move(*check_error()); }
  constexpr error<E> take_error() { return error<E>(std::move(*check_error())); }

  // A value-less result has nothing to take; allowed on success only.
  constexpr void value() const {
    if (!is_ok()) internal::result_misuse();
  }

 private:
  constexpr E* check_error() {
    if (!is_error()) internal::result_misuse();
    return &*error_;
  }
  constexpr const E* check_error() const {
    if (!is_error()) internal::result_misuse();
    return &*error_;
  }

  std::optional<E> error_;
};

// Comparisons: two results are equal when both failed (whatever their
// errors), or both succeeded with equal values (or none).
template <typename E, typename T, typename F, typename U>
constexpr bool operator==(const result<E, T>& a, const result<F, U>& b) {
  return a.is_ok() == b.is_ok() && (!a.is_ok() || a.value() == b.value());
}
template <typename E, typename F>
constexpr bool operator==(const result<E>& a, const result<F>& b) {
  return a.is_ok() == b.is_ok();
}
template <typename E, typename... Ts, typename F, typename... Us>
constexpr bool operator!=(const result<E, Ts...>& a, const result<F, Us...>& b) {
  return !(a == b);
}

}  // namespace fit

#endif  // LIB_FIT_RESULT_H_
