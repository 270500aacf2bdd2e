// Guest SDK runtime: internal declarations shared by sdk/lib/*.c.
#ifndef ZX_SDK_LIB_RUNTIME_H_
#define ZX_SDK_LIB_RUNTIME_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

// Writes out whatever stdio holds.
void __zx_sdk_stdio_flush(void);

// Formats into out(ctx, bytes, len); returns the number of bytes produced.
typedef void (*__zx_sdk_sink_t)(void* ctx, const char* bytes, size_t len);
int __zx_sdk_format(__zx_sdk_sink_t out, void* ctx, const char* fmt, va_list ap);

// Runs the .fini_array functions (once).
void __zx_sdk_run_fini(void);

// The vDSO VMO (the PA_VMO_VDSO startup handle, taken on first use and kept)
// and its size; either pointer may be NULL (vdso.c).
zx_status_t __zx_sdk_vdso(zx_handle_t* vmo, size_t* size);

// Returns the vDSO-relative address of the exported symbol `name`, or 0.
uint64_t __zx_sdk_vdso_symbol(const char* name);

// Maps the vDSO's segments into `vmar` (read-only, code executable) and
// returns its load address and entry point; either pointer may be NULL.
zx_status_t __zx_sdk_vdso_map(zx_handle_t vmar, uintptr_t* base, uintptr_t* entry);

#endif  // ZX_SDK_LIB_RUNTIME_H_
