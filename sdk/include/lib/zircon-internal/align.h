// Guest SDK: <lib/zircon-internal/align.h> -- ZX_ROUNDUP, ZX_ROUNDDOWN,
// ZX_ALIGN, ZX_IS_ALIGNED and friends (written for this project to
// Fuchsia's public macro names).
#ifndef LIB_ZIRCON_INTERNAL_ALIGN_H_
#define LIB_ZIRCON_INTERNAL_ALIGN_H_

#define ZX_ROUNDUP(a, b)          \
  ({                              \
    const __typeof(a) _zx_a = (a); \
    const __typeof(b) _zx_b = (b); \
    ((_zx_a + _zx_b - 1) / _zx_b * _zx_b); \
  })
#define ZX_ROUNDDOWN(a, b)        \
  ({                              \
    const __typeof(a) _zx_a = (a); \
    const __typeof(b) _zx_b = (b); \
    _zx_a - (_zx_a % _zx_b);      \
  })
// Power-of-two alignment.
#define ZX_ALIGN(a, b) (((a) + ((b) - 1)) & ~((b) - 1))
#define ZX_IS_ALIGNED(a, b) (!(((uintptr_t)(a)) & (((uintptr_t)(b)) - 1)))
#define ZX_PAGE_ALIGN(x) ZX_ALIGN((x), ZX_PAGE_SIZE)
#define ZX_IS_PAGE_ALIGNED(x) ZX_IS_ALIGNED((x), ZX_PAGE_SIZE)

#endif  // LIB_ZIRCON_INTERNAL_ALIGN_H_
