// Guest SDK: <fbl/algorithm.h> -- small integer helpers (round_up,
// round_down, is_pow2, count_of...). Written for this project to Fuchsia's
// public fbl API.
#ifndef FBL_ALGORITHM_H_
#define FBL_ALGORITHM_H_

#include <stddef.h>

#include <type_traits>

namespace fbl {

template <typename T>
constexpr bool is_pow2(T value) {
  static_assert(std::is_unsigned<T>::value, "is_pow2 takes an unsigned type");
  return value != 0 && (value & (value - 1)) == 0;
}

template <typename T, typename U>
constexpr const T round_up(const T& value, const U& multiple) {
  static_assert(std::is_unsigned<T>::value && std::is_unsigned<U>::value,
                "round_up takes unsigned types");
  return value == 0 ? 0 : ((value - 1) / multiple + 1) * multiple;
}

template <typename T, typename U>
constexpr const T round_down(const T& value, const U& multiple) {
  static_assert(std::is_unsigned<T>::value && std::is_unsigned<U>::value,
                "round_down takes unsigned types");
  return (value / multiple) * multiple;
}

template <typename T, size_t N>
constexpr size_t count_of(T const (&)[N]) {
  return N;
}

template <typename T>
constexpr T max(T a, T b) { return a < b ? b : a; }
template <typename T>
constexpr T min(T a, T b) { return b < a ? b : a; }
template <typename T>
constexpr T clamp(T v, T lo, T hi) { return v < lo ? lo : (hi < v ? hi : v); }

}  // namespace fbl

#endif  // FBL_ALGORITHM_H_
