// Guest SDK: <lib/zircon-internal/macros.h> -- small helpers Fuchsia's
// zircon-internal library gives its users: the KB/MB/GB size units,
// STRINGIFY() and SOURCE_TAG, and (this SDK's addition, also in
// <zircon/compiler.h>) countof(), the element count of an array.  Written
// for this project to Fuchsia's public API.
#ifndef LIB_ZIRCON_INTERNAL_MACROS_H_
#define LIB_ZIRCON_INTERNAL_MACROS_H_

#if !defined(countof)
#define countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define KB (1024UL)
#define MB (1024UL * KB)
#define GB (1024UL * MB)

// STRINGIFY(x): |x| macro-expanded, then made a string literal.
#define STRINGIFY_IMPL(x) #x
#define STRINGIFY(x) STRINGIFY_IMPL(x)

// "file:line" of the place it is written, as one string literal.
#define SOURCE_TAG __FILE__ ":" STRINGIFY(__LINE__)

#endif  // LIB_ZIRCON_INTERNAL_MACROS_H_
