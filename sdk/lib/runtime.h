// Guest SDK runtime: internal declarations shared by sdk/lib/*.c.
#ifndef ZX_SDK_LIB_RUNTIME_H_
#define ZX_SDK_LIB_RUNTIME_H_

#include <stdarg.h>
#include <stddef.h>

// Writes out whatever stdio holds.
void __zx_sdk_stdio_flush(void);

// Formats into out(ctx, bytes, len); returns the number of bytes produced.
typedef void (*__zx_sdk_sink_t)(void* ctx, const char* bytes, size_t len);
int __zx_sdk_format(__zx_sdk_sink_t out, void* ctx, const char* fmt, va_list ap);

// Runs the .fini_array functions (once).
void __zx_sdk_run_fini(void);

#endif  // ZX_SDK_LIB_RUNTIME_H_
