// Guest SDK: <lib/stdcompat/span.h> -- Fuchsia's C++17 backport of
// std::span.  The SDK builds C++ as C++20 by default, whose library has
// std::span, so cpp20::span is that type (not a look-alike): the two mix
// freely.
#ifndef LIB_STDCOMPAT_SPAN_H_
#define LIB_STDCOMPAT_SPAN_H_

#include <lib/stdcompat/version.h>

#if __cplusplus < 202002L
#error "<lib/stdcompat/span.h> in this SDK needs C++20 (std::span); zx-c++ defaults to -std=c++20"
#endif

#include <span>

namespace cpp20 {

using std::as_bytes;
using std::as_writable_bytes;
using std::dynamic_extent;
using std::span;

}  // namespace cpp20

#endif  // LIB_STDCOMPAT_SPAN_H_
