// Guest SDK: <lib/fit/function.h> -- fit::function, fit::inline_function,
// fit::callback and fit::closure (Fuchsia's public names; written for this
// project). Here they are std::function underneath: the inline-size
// parameter is accepted and ignored, and callbacks may be called more than
// once.
#ifndef LIB_FIT_FUNCTION_H_
#define LIB_FIT_FUNCTION_H_

#include <stddef.h>

#include <functional>
// Fuchsia's fit::function pulls these in (through lib/fit/nullable.h);
// code relies on that.
#include <optional>
#include <utility>

namespace fit {

inline constexpr size_t default_inline_target_size = 3 * sizeof(void*);

template <typename T, size_t inline_target_size = default_inline_target_size>
using function = std::function<T>;
template <typename T, size_t inline_target_size = default_inline_target_size>
using inline_function = std::function<T>;
template <typename T, size_t inline_target_size = default_inline_target_size>
using callback = std::function<T>;
using closure = function<void()>;

}  // namespace fit

#endif  // LIB_FIT_FUNCTION_H_
