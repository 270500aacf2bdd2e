// Guest SDK: <lib/stdcompat/bit.h> -- Fuchsia's C++17 backport of <bit>.
// The SDK builds C++ as C++20 by default, whose library has <bit>, so the
// cpp20:: names are the standard ones: bit_cast, has_single_bit, bit_ceil,
// bit_floor, bit_width, rotl, rotr, countl_zero, countl_one, countr_zero,
// countr_one, popcount and endian.
#ifndef LIB_STDCOMPAT_BIT_H_
#define LIB_STDCOMPAT_BIT_H_

#include <lib/stdcompat/version.h>

#if __cplusplus < 202002L
#error "<lib/stdcompat/bit.h> in this SDK needs C++20 (<bit>); zx-c++ defaults to -std=c++20"
#endif

#include <bit>

namespace cpp20 {

using std::bit_cast;
using std::bit_ceil;
using std::bit_floor;
using std::bit_width;
using std::countl_one;
using std::countl_zero;
using std::countr_one;
using std::countr_zero;
using std::endian;
using std::has_single_bit;
using std::popcount;
using std::rotl;
using std::rotr;

}  // namespace cpp20

#endif  // LIB_STDCOMPAT_BIT_H_
