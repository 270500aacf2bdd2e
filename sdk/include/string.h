// Guest SDK: <string.h> -- the string and memory functions the runtime
// provides (sdk/lib/string.c).
#ifndef _ZX_SDK_STRING_H_
#define _ZX_SDK_STRING_H_

#include <stddef.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

void* memcpy(void* __restrict dst, const void* __restrict src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
void* memchr(const void* s, int c, size_t n);

size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strcpy(char* __restrict dst, const char* __restrict src);
char* strncpy(char* __restrict dst, const char* __restrict src, size_t n);
char* strcat(char* __restrict dst, const char* __restrict src);
char* strchr(const char* s, int c);
char* strrchr(const char* s, int c);
char* strstr(const char* haystack, const char* needle);

__END_CDECLS

#endif  // _ZX_SDK_STRING_H_
