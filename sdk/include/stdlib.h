// Guest SDK: <stdlib.h> -- process exit and a few conversions.
// There is no heap allocator.
#ifndef _ZX_SDK_STDLIB_H_
#define _ZX_SDK_STDLIB_H_

#include <stddef.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

// Flushes stdout, runs .fini_array, then zx_process_exit(status).
__NO_RETURN void exit(int status);
// zx_process_exit(status) at once, without flushing.
__NO_RETURN void _Exit(int status);
// Flushes stdout, then exits with return code 134 (SIGABRT's shell status).
__NO_RETURN void abort(void);

int abs(int x);
long labs(long x);
long long llabs(long long x);
int atoi(const char* s);
long atol(const char* s);
long strtol(const char* __restrict s, char** __restrict end, int base);
unsigned long strtoul(const char* __restrict s, char** __restrict end, int base);
long long strtoll(const char* __restrict s, char** __restrict end, int base);
unsigned long long strtoull(const char* __restrict s, char** __restrict end, int base);

// The processargs environment ("NAME=VALUE" strings).
extern char** environ;
char* getenv(const char* name);

__END_CDECLS

#endif  // _ZX_SDK_STDLIB_H_
