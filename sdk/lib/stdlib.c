// Guest SDK runtime: <stdlib.h> and <assert.h> support.

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "runtime.h"

void exit(int status) {
  __zx_sdk_run_fini();
  __zx_sdk_stdio_flush();
  zx_process_exit(status);
}

void _Exit(int status) { zx_process_exit(status); }

// As Fuchsia's abort(): a trap, so the thread dies of an exception (the
// process is killed with ZX_TASK_RETCODE_EXCEPTION_KILL if nothing handles
// it); a handler that resumes it gets a process exit. Output printed so far
// (an assertion's message) is flushed first.
void abort(void) {
  __zx_sdk_stdio_flush();
  for (;;) {
    __builtin_trap();
    zx_process_exit(ZX_TASK_RETCODE_EXCEPTION_KILL);
  }
}

void __zx_sdk_assert_fail(const char* expr, const char* file, int line, const char* func) {
  printf("%s:%d: %s: Assertion `%s' failed.\n", file, line, func, expr);
  abort();
}

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Parses the magnitude; *neg gets the sign. Saturates at UINT64_MAX.
static uint64_t parse(const char* s, char** end, int base, int* neg, int* overflow) {
  const char* p = s;
  *neg = 0;
  *overflow = 0;
  while (is_space(*p)) p++;
  if (*p == '+' || *p == '-') *neg = *p++ == '-';
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
      digit_value(p[2]) < 16) {
    p += 2;
    base = 16;
  } else if (base == 0) {
    base = p[0] == '0' ? 8 : 10;
  }
  uint64_t v = 0;
  const char* digits = p;
  for (; digit_value(*p) < base; p++) {
    uint64_t d = (uint64_t)digit_value(*p);
    if (v > (UINT64_MAX - d) / (uint64_t)base) {
      *overflow = 1;
      v = UINT64_MAX;
    } else if (!*overflow) {
      v = v * (uint64_t)base + d;
    }
  }
  if (end) *end = (char*)(p == digits ? s : p);
  return v;
}

long long strtoll(const char* __restrict s, char** __restrict end, int base) {
  int neg, overflow;
  uint64_t v = parse(s, end, base, &neg, &overflow);
  if (neg) return (overflow || v > (uint64_t)LLONG_MAX + 1) ? LLONG_MIN : (long long)(0 - v);
  return (overflow || v > (uint64_t)LLONG_MAX) ? LLONG_MAX : (long long)v;
}

unsigned long long strtoull(const char* __restrict s, char** __restrict end, int base) {
  int neg, overflow;
  uint64_t v = parse(s, end, base, &neg, &overflow);
  if (overflow) return ULLONG_MAX;
  return neg ? (unsigned long long)(0 - v) : v;
}

long strtol(const char* __restrict s, char** __restrict end, int base) {
  return (long)strtoll(s, end, base);
}

unsigned long strtoul(const char* __restrict s, char** __restrict end, int base) {
  return (unsigned long)strtoull(s, end, base);
}

int atoi(const char* s) { return (int)strtol(s, NULL, 10); }
long atol(const char* s) { return strtol(s, NULL, 10); }

char* getenv(const char* name) {
  size_t n = strlen(name);
  for (char** e = environ; e != NULL && *e != NULL; e++) {
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  }
  return NULL;
}
