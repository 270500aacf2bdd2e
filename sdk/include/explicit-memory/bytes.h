// Guest SDK: <explicit-memory/bytes.h> -- copies and fills the compiler may
// not drop or merge, even when it can prove the memory is never read again
// (wiping secrets, or touching pages on purpose in a test).
#ifndef EXPLICIT_MEMORY_BYTES_H_
#define EXPLICIT_MEMORY_BYTES_H_

#include <stddef.h>
#include <string.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

// Both return |dst|, as memcpy and memset do.  The empty asm statement takes
// |dst| as an input and clobbers memory, so the compiler must assume the
// bytes written are read by something it cannot see: the store stays.
static inline void* mandatory_memcpy(void* dst, const void* src, size_t n) {
  void* r = memcpy(dst, src, n);
  __asm__ __volatile__("" : : "r"(r) : "memory");
  return r;
}

static inline void* mandatory_memset(void* dst, int c, size_t n) {
  void* r = memset(dst, c, n);
  __asm__ __volatile__("" : : "r"(r) : "memory");
  return r;
}

__END_CDECLS

#endif  // EXPLICIT_MEMORY_BYTES_H_
