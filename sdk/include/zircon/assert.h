// Guest SDK: <zircon/assert.h> -- ZX_ASSERT, ZX_ASSERT_MSG, ZX_PANIC and the
// ZX_DEBUG_ variants (Fuchsia's names; written for this project). A failed
// assertion prints its file, line and condition (and message) and then, as
// Fuchsia's do, crashes the calling thread with a trap (a software
// exception, ZX_EXCP_UNDEFINED_INSTRUCTION): a debugger or exception handler
// -- a zxtest ASSERT_DEATH -- sees it; unhandled, it ends the process.
#ifndef ZIRCON_ASSERT_H_
#define ZIRCON_ASSERT_H_

#include <stdio.h>
#include <stdlib.h>

#define ZX_PANIC(fmt, ...)                                                \
  do {                                                                    \
    fprintf(stderr, "PANIC at %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
    __builtin_trap();                                                     \
  } while (0)

#define ZX_ASSERT(x)                                                      \
  do {                                                                    \
    if (__builtin_expect(!(x), 0)) ZX_PANIC("ASSERT FAILED: %s", #x);     \
  } while (0)

#define ZX_ASSERT_MSG(x, msg, ...)                                        \
  do {                                                                    \
    if (__builtin_expect(!(x), 0))                                        \
      ZX_PANIC("ASSERT FAILED: %s: " msg, #x, ##__VA_ARGS__);             \
  } while (0)

#ifdef NDEBUG
#define ZX_DEBUG_ASSERT_IMPLEMENTED 0
#else
#define ZX_DEBUG_ASSERT_IMPLEMENTED 1
#endif

#define ZX_DEBUG_ASSERT(x)                             \
  do {                                                 \
    if (ZX_DEBUG_ASSERT_IMPLEMENTED) ZX_ASSERT(x);     \
  } while (0)
#define ZX_DEBUG_ASSERT_MSG(x, msg, ...)                          \
  do {                                                            \
    if (ZX_DEBUG_ASSERT_IMPLEMENTED) ZX_ASSERT_MSG(x, msg, ##__VA_ARGS__); \
  } while (0)

#endif  // ZIRCON_ASSERT_H_
