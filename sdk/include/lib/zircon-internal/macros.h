// Guest SDK: <lib/zircon-internal/macros.h> -- small helpers Fuchsia's
// zircon-internal library gives its users: countof() (the element count of
// an array) and the KB/MB/GB size units.  Written for this project to
// Fuchsia's public API.
#ifndef LIB_ZIRCON_INTERNAL_MACROS_H_
#define LIB_ZIRCON_INTERNAL_MACROS_H_

#if !defined(countof)
#define countof(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define KB (1024UL)
#define MB (1024UL * KB)
#define GB (1024UL * MB)

#endif  // LIB_ZIRCON_INTERNAL_MACROS_H_
