// Guest SDK: <lib/zx/result.h> -- zx::result<T...>, a fit::result whose error
// is a zx_status_t, with zx::ok, zx::error, zx::error_result, zx::make_result
// (written for this project to Fuchsia's public lib/zx API).
//
// ZX_OK is never an error: building a zx::result from zx::error(ZX_OK)
// aborts, as Fuchsia's does. status_value() is ZX_OK on success, the error
// otherwise.
#ifndef LIB_ZX_RESULT_H_
#define LIB_ZX_RESULT_H_

#include <lib/fit/result.h>
#include <zircon/status.h>
#include <zircon/types.h>

namespace fit {

template <typename Derived>
class result_extensions<zx_status_t, Derived> {
 public:
  constexpr zx_status_t status_value() const {
    const Derived& self = static_cast<const Derived&>(*this);
    return self.is_error() ? self.error_value() : ZX_OK;
  }
  const char* status_string() const { return zx_status_get_string(status_value()); }

 protected:
  // Checked by zx::result's constructors through zx::error.
  constexpr result_extensions() = default;
};

}  // namespace fit

namespace zx {

template <typename... Ts>
using result = fit::result<zx_status_t, Ts...>;

// The error side of a zx::result; `status` must not be ZX_OK.
class error : public fit::error<zx_status_t> {
 public:
  explicit constexpr error(zx_status_t status) : fit::error<zx_status_t>(checked(status)) {}

 private:
  static constexpr zx_status_t checked(zx_status_t status) {
    if (status == ZX_OK) fit::internal::result_misuse();
    return status;
  }
};

// Fuchsia's older spelling of zx::error.
using error_result = error;

using fit::ok;

// ZX_OK as success, anything else as that error.
constexpr result<> make_result(zx_status_t status) {
  if (status == ZX_OK) return fit::ok();
  return error(status);
}

// `value` as success if `status` is ZX_OK, else the error.
template <typename T>
constexpr result<std::decay_t<T>> make_result(zx_status_t status, T&& value) {
  if (status == ZX_OK) return fit::ok(std::forward<T>(value));
  return error(status);
}

}  // namespace zx

#endif  // LIB_ZX_RESULT_H_
