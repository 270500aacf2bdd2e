// Guest SDK: <lib/stdcompat/version.h> -- the standard library's feature-test
// macros (<version>), which the other lib/stdcompat headers key on.
#ifndef LIB_STDCOMPAT_VERSION_H_
#define LIB_STDCOMPAT_VERSION_H_

#if __has_include(<version>)
#include <version>
#endif

#endif  // LIB_STDCOMPAT_VERSION_H_
