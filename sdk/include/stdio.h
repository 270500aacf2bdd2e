// Guest SDK: <stdio.h> -- minimal formatted output through zx_debug_write.
//
// Output is line buffered: a line is written when it ends with '\n', when the
// buffer fills, on fflush(), and at exit. stdout and stderr share one stream
// (zx_debug_write text goes to the runner's standard output).
//
// Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
// width and precision (numbers or '*'), length modifiers hh h l ll z j t.
// There is no floating point (%f etc. print "?").
#ifndef _ZX_SDK_STDIO_H_
#define _ZX_SDK_STDIO_H_

#include <stdarg.h>
#include <stddef.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

#define EOF (-1)

typedef struct __zx_sdk_file FILE;
extern FILE* const stdout;
extern FILE* const stderr;
#define stdout stdout
#define stderr stderr

int printf(const char* __restrict fmt, ...) __PRINTFLIKE(1, 2);
int vprintf(const char* __restrict fmt, va_list ap) __PRINTFLIKE(1, 0);
int fprintf(FILE* __restrict f, const char* __restrict fmt, ...) __PRINTFLIKE(2, 3);
int vfprintf(FILE* __restrict f, const char* __restrict fmt, va_list ap) __PRINTFLIKE(2, 0);
int snprintf(char* __restrict buf, size_t size, const char* __restrict fmt, ...)
    __PRINTFLIKE(3, 4);
int vsnprintf(char* __restrict buf, size_t size, const char* __restrict fmt, va_list ap)
    __PRINTFLIKE(3, 0);
int sprintf(char* __restrict buf, const char* __restrict fmt, ...) __PRINTFLIKE(2, 3);

int puts(const char* s);
int fputs(const char* __restrict s, FILE* __restrict f);
int putchar(int c);
int fputc(int c, FILE* f);
int putc(int c, FILE* f);
int fflush(FILE* f);
size_t fwrite(const void* __restrict ptr, size_t size, size_t nmemb, FILE* __restrict f);

__END_CDECLS

#endif  // _ZX_SDK_STDIO_H_
