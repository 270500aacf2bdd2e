/* On the C++ include path only. libstdc++'s <bits/ctype_base.h> (glibc
 * configuration) names the bits of the classification table by glibc's
 * _IS* constants; musl's table (__ctype_b_loc) uses the same bit layout,
 * so the constants are defined here with glibc's values. */
#include_next <ctype.h>
#if defined(__cplusplus) && !defined(ZX_SDK_GLIBC_CTYPE_BITS)
#define ZX_SDK_GLIBC_CTYPE_BITS
/* Bit b of the little-endian 16-bit table entry, as glibc numbers it. */
#define ZX_SDK_ISBIT(b) ((b) < 8 ? ((1 << (b)) << 8) : ((1 << (b)) >> 8))
enum {
  _ISupper = ZX_SDK_ISBIT(0),
  _ISlower = ZX_SDK_ISBIT(1),
  _ISalpha = ZX_SDK_ISBIT(2),
  _ISdigit = ZX_SDK_ISBIT(3),
  _ISxdigit = ZX_SDK_ISBIT(4),
  _ISspace = ZX_SDK_ISBIT(5),
  _ISprint = ZX_SDK_ISBIT(6),
  _ISgraph = ZX_SDK_ISBIT(7),
  _ISblank = ZX_SDK_ISBIT(8),
  _IScntrl = ZX_SDK_ISBIT(9),
  _ISpunct = ZX_SDK_ISBIT(10),
  _ISalnum = ZX_SDK_ISBIT(11),
};
#undef ZX_SDK_ISBIT
#endif
