// The string functions. Built with -fno-builtin and
// -fno-tree-loop-distribute-patterns so the compiler does not turn these
// loops back into calls to themselves.
#include <stdint.h>
#include <string.h>

void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  while (n >= 8 && (((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
    *(uint64_t*)d = *(const uint64_t*)s;
    d += 8, s += 8, n -= 8;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  uint8_t* d = dst;
  uint64_t v = (uint8_t)c * 0x0101010101010101ull;
  while (n && ((uintptr_t)d & 7)) *d++ = (uint8_t)c, n--;
  while (n >= 8) *(uint64_t*)d = v, d += 8, n -= 8;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

void* memchr(const void* s, int c, size_t n) {
  const uint8_t* p = s;
  for (; n; n--, p++)
    if (*p == (uint8_t)c) return (void*)p;
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
  return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char* a, const char* b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (uint8_t)*a - (uint8_t)*b;
    if (!*a) return 0;
  }
  return 0;
}

char* strcpy(char* dst, const char* src) {
  char* d = dst;
  while ((*d++ = *src++)) {
  }
  return dst;
}

char* strncpy(char* dst, const char* src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) dst[i] = src[i];
  for (; i < n; i++) dst[i] = 0;
  return dst;
}

char* strchr(const char* s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char*)s;
    if (!*s) return NULL;
  }
}

char* strrchr(const char* s, int c) {
  const char* last = NULL;
  for (;; s++) {
    if (*s == (char)c) last = s;
    if (!*s) return (char*)last;
  }
}

char* strstr(const char* h, const char* n) {
  size_t len = strlen(n);
  if (!len) return (char*)h;
  for (; *h; h++)
    if (*h == *n && strncmp(h, n, len) == 0) return (char*)h;
  return NULL;
}
