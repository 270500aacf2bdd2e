// Guest SDK runtime: <string.h>.
//
// Compiled with -fno-builtin -fno-tree-loop-distribute-patterns so gcc does
// not turn these loops back into calls to themselves.

#include <stdint.h>
#include <string.h>

// Word access that may alias anything.
typedef uint64_t __attribute__((__may_alias__)) word_t;

void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  const unsigned char* s = (const unsigned char*)src;
  if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
    for (; n >= 8; n -= 8, d += 8, s += 8) *(word_t*)(void*)d = *(const word_t*)(const void*)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  const unsigned char* s = (const unsigned char*)src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) {
    while (n--) *d++ = *s++;
  } else {
    d += n;
    s += n;
    while (n--) *--d = *--s;
  }
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  if (((uintptr_t)d & 7) == 0 && n >= 8) {
    uint64_t v = (unsigned char)c;
    v |= v << 8;
    v |= v << 16;
    v |= v << 32;
    for (; n >= 8; n -= 8, d += 8) *(word_t*)(void*)d = v;
  }
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char* x = (const unsigned char*)a;
  const unsigned char* y = (const unsigned char*)b;
  for (; n; n--, x++, y++) {
    if (*x != *y) return *x < *y ? -1 : 1;
  }
  return 0;
}

void* memchr(const void* s, int c, size_t n) {
  const unsigned char* p = (const unsigned char*)s;
  for (; n; n--, p++) {
    if (*p == (unsigned char)c) return (void*)p;
  }
  return NULL;
}

size_t strlen(const char* s) {
  const char* p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

size_t strnlen(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) n++;
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char* a, const char* b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
    if (*a == 0) return 0;
  }
  return 0;
}

char* strcpy(char* __restrict dst, const char* __restrict src) {
  char* d = dst;
  while ((*d++ = *src++) != 0) {
  }
  return dst;
}

char* strncpy(char* __restrict dst, const char* __restrict src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) dst[i] = src[i];
  for (; i < n; i++) dst[i] = 0;
  return dst;
}

char* strcat(char* __restrict dst, const char* __restrict src) {
  strcpy(dst + strlen(dst), src);
  return dst;
}

char* strchr(const char* s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char*)s;
    if (*s == 0) return NULL;
  }
}

char* strrchr(const char* s, int c) {
  const char* last = NULL;
  for (;; s++) {
    if (*s == (char)c) last = s;
    if (*s == 0) return (char*)last;
  }
}

char* strstr(const char* haystack, const char* needle) {
  size_t n = strlen(needle);
  if (n == 0) return (char*)haystack;
  for (; *haystack; haystack++) {
    if (*haystack == *needle && strncmp(haystack, needle, n) == 0) return (char*)haystack;
  }
  return NULL;
}
