// A small stdio: formatted output to the debug log (zx_debug_write).
// Formats: %d %i %u %x %X %o %p %s %c %% with flags '-', '0', width,
// precision, and the length modifiers hh h l ll z j t.
#ifndef ZX_SDK_STDIO_H_
#define ZX_SDK_STDIO_H_

#include <stdarg.h>
#include <stddef.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

#define EOF (-1)

int printf(const char* fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
int vprintf(const char* fmt, va_list ap);
int snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);
int puts(const char* s);
int putchar(int c);
// Writes out anything printf has buffered.
int fflush(void* stream);

__END_CDECLS

#endif  // ZX_SDK_STDIO_H_
