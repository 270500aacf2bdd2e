// Guest SDK runtime: <stdio.h> -- a small printf family writing through
// zx_debug_write, line buffered.

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>

#include "runtime.h"

struct __zx_sdk_file {
  int fd;
};
static struct __zx_sdk_file g_stdout_file = {1};
static struct __zx_sdk_file g_stderr_file = {2};
FILE* const stdout = &g_stdout_file;
FILE* const stderr = &g_stderr_file;

// ---- Output buffer ---------------------------------------------------------

static char g_out[1024];
static size_t g_out_len;

void __zx_sdk_stdio_flush(void) {
  // zx_debug_write takes at most 256 bytes a call (ZX_DEBUG_WRITE_MAX).
  for (size_t done = 0; done < g_out_len;) {
    size_t n = g_out_len - done < 256 ? g_out_len - done : 256;
    zx_debug_write(g_out + done, n);
    done += n;
  }
  g_out_len = 0;
}

static void out_bytes(const char* p, size_t n) {
  while (n > 0) {
    char c = *p++;
    n--;
    g_out[g_out_len++] = c;
    if (c == '\n' || g_out_len == sizeof(g_out)) __zx_sdk_stdio_flush();
  }
}

static void stdout_sink(void* ctx, const char* bytes, size_t len) {
  (void)ctx;
  out_bytes(bytes, len);
}

// ---- Formatter -------------------------------------------------------------

enum {
  F_LEFT = 1,
  F_ZERO = 2,
  F_PLUS = 4,
  F_SPACE = 8,
  F_ALT = 16,
};

struct emitter {
  __zx_sdk_sink_t out;
  void* ctx;
  int count;
};

static void emit(struct emitter* e, const char* p, size_t n) {
  if (n == 0) return;
  e->out(e->ctx, p, n);
  e->count += (int)n;
}

static void emit_pad(struct emitter* e, char c, int n) {
  char block[16];
  memset(block, c, sizeof(block));
  while (n > 0) {
    int k = n > (int)sizeof(block) ? (int)sizeof(block) : n;
    emit(e, block, (size_t)k);
    n -= k;
  }
}

// Emits |prefix|, |zeros| '0's and |body| (len bytes), padded to |width|
// with spaces (or zeros after the prefix for F_ZERO), left-aligned for F_LEFT.
static void emit_field(struct emitter* e, const char* prefix, const char* body, int len,
                       int width, int flags, int zeros) {
  int plen = (int)strlen(prefix);
  int total = plen + zeros + len;
  int pad = width > total ? width - total : 0;
  if (!(flags & F_LEFT) && !(flags & F_ZERO)) emit_pad(e, ' ', pad);
  emit(e, prefix, (size_t)plen);
  if (!(flags & F_LEFT) && (flags & F_ZERO)) emit_pad(e, '0', pad);
  emit_pad(e, '0', zeros);
  emit(e, body, (size_t)len);
  if (flags & F_LEFT) emit_pad(e, ' ', pad);
}

static void emit_number(struct emitter* e, uint64_t v, int negative, unsigned base, int upper,
                        int flags, int width, int precision, char conv) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char buf[24];
  int len = 0;
  char tmp[24];
  if (!(v == 0 && precision == 0)) {
    do {
      tmp[len++] = digits[v % base];
      v /= base;
    } while (v != 0);
  }
  for (int i = 0; i < len; i++) buf[i] = tmp[len - 1 - i];

  char prefix[4] = {0};
  int pl = 0;
  if (negative) {
    prefix[pl++] = '-';
  } else if (conv == 'd' || conv == 'i') {
    if (flags & F_PLUS) prefix[pl++] = '+';
    else if (flags & F_SPACE) prefix[pl++] = ' ';
  }
  int zeros = precision > len ? precision - len : 0;
  if (flags & F_ALT) {
    if (base == 16 && (len > 0 && !(len == 1 && buf[0] == '0'))) {
      prefix[pl++] = '0';
      prefix[pl++] = upper ? 'X' : 'x';
    } else if (base == 8 && zeros == 0 && (len == 0 || buf[0] != '0')) {
      zeros = 1;
    }
  }
  if (conv == 'p') {
    pl = 0;
    prefix[pl++] = '0';
    prefix[pl++] = 'x';
  }
  prefix[pl] = 0;
  if (precision >= 0) flags &= ~F_ZERO;
  emit_field(e, prefix, buf, len, width, flags, zeros);
}

int __zx_sdk_format(__zx_sdk_sink_t out, void* ctx, const char* fmt, va_list ap) {
  struct emitter e = {out, ctx, 0};
  while (*fmt) {
    if (*fmt != '%') {
      const char* start = fmt;
      while (*fmt && *fmt != '%') fmt++;
      emit(&e, start, (size_t)(fmt - start));
      continue;
    }
    const char* spec = fmt++;
    int flags = 0;
    for (;; fmt++) {
      if (*fmt == '-') flags |= F_LEFT;
      else if (*fmt == '0') flags |= F_ZERO;
      else if (*fmt == '+') flags |= F_PLUS;
      else if (*fmt == ' ') flags |= F_SPACE;
      else if (*fmt == '#') flags |= F_ALT;
      else break;
    }
    int width = 0;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        flags |= F_LEFT;
        width = -width;
      }
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    int precision = -1;
    if (*fmt == '.') {
      fmt++;
      precision = 0;
      if (*fmt == '*') {
        precision = va_arg(ap, int);
        if (precision < 0) precision = -1;
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
      }
    }
    // Length: 0 int, 1 char, 2 short, 3 long, 4 long long / 64-bit, 5 long double.
    int length = 0;
    switch (*fmt) {
      case 'h':
        fmt++;
        if (*fmt == 'h') {
          fmt++;
          length = 1;
        } else {
          length = 2;
        }
        break;
      case 'l':
        fmt++;
        if (*fmt == 'l') {
          fmt++;
          length = 4;
        } else {
          length = 3;
        }
        break;
      case 'z':
      case 'j':
      case 't':
        fmt++;
        length = 4;
        break;
      case 'L':
        fmt++;
        length = 5;
        break;
      default:
        break;
    }
    char conv = *fmt;
    if (conv == 0) {
      emit(&e, spec, (size_t)(fmt - spec));
      break;
    }
    fmt++;
    switch (conv) {
      case 'd':
      case 'i': {
        int64_t v;
        if (length >= 3) v = va_arg(ap, long long);
        else v = va_arg(ap, int);
        if (length == 1) v = (signed char)v;
        else if (length == 2) v = (short)v;
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        emit_number(&e, mag, v < 0, 10, 0, flags, width, precision, conv);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        uint64_t v;
        if (length >= 3) v = va_arg(ap, unsigned long long);
        else v = va_arg(ap, unsigned int);
        if (length == 1) v = (unsigned char)v;
        else if (length == 2) v = (unsigned short)v;
        unsigned base = conv == 'o' ? 8 : conv == 'u' ? 10 : 16;
        emit_number(&e, v, 0, base, conv == 'X', flags, width, precision, conv);
        break;
      }
      case 'p': {
        uintptr_t v = (uintptr_t)va_arg(ap, void*);
        emit_number(&e, v, 0, 16, 0, flags & ~F_ALT, width, precision, 'p');
        break;
      }
      case 'c': {
        char c = (char)va_arg(ap, int);
        emit_field(&e, "", &c, 1, width, flags & ~F_ZERO, 0);
        break;
      }
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (s == NULL) s = "(null)";
        int len = precision >= 0 ? (int)strnlen(s, (size_t)precision) : (int)strlen(s);
        emit_field(&e, "", s, len, width, flags & ~F_ZERO, 0);
        break;
      }
      case '%':
        emit(&e, "%", 1);
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
      case 'a':
      case 'A':
        // No floating point: consume the argument, print a placeholder.
        if (length == 5) (void)va_arg(ap, long double);
        else (void)va_arg(ap, double);
        emit_field(&e, "", "?", 1, width, flags & ~F_ZERO, 0);
        break;
      case 'n':
        // Not supported (consume the pointer).
        (void)va_arg(ap, void*);
        break;
      default:
        // Unknown conversion: print it as written.
        emit(&e, spec, (size_t)(fmt - spec));
        break;
    }
  }
  return e.count;
}

// ---- Public functions -----------------------------------------------------

struct strbuf {
  char* buf;
  size_t size;
  size_t pos;
};

static void str_sink(void* ctx, const char* bytes, size_t len) {
  struct strbuf* s = (struct strbuf*)ctx;
  for (size_t i = 0; i < len; i++, s->pos++) {
    if (s->size > 0 && s->pos < s->size - 1) s->buf[s->pos] = bytes[i];
  }
}

int vsnprintf(char* __restrict buf, size_t size, const char* __restrict fmt, va_list ap) {
  struct strbuf s = {buf, size, 0};
  int n = __zx_sdk_format(str_sink, &s, fmt, ap);
  if (size > 0) buf[s.pos < size - 1 ? s.pos : size - 1] = 0;
  return n;
}

int snprintf(char* __restrict buf, size_t size, const char* __restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int sprintf(char* __restrict buf, const char* __restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, SIZE_MAX / 2, fmt, ap);
  va_end(ap);
  return n;
}

int vprintf(const char* __restrict fmt, va_list ap) {
  return __zx_sdk_format(stdout_sink, NULL, fmt, ap);
}

int printf(const char* __restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int vfprintf(FILE* __restrict f, const char* __restrict fmt, va_list ap) {
  (void)f;
  return vprintf(fmt, ap);
}

int fprintf(FILE* __restrict f, const char* __restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}

int fputs(const char* __restrict s, FILE* __restrict f) {
  (void)f;
  out_bytes(s, strlen(s));
  return 0;
}

int puts(const char* s) {
  out_bytes(s, strlen(s));
  out_bytes("\n", 1);
  return 0;
}

int fputc(int c, FILE* f) {
  (void)f;
  char ch = (char)c;
  out_bytes(&ch, 1);
  return (unsigned char)c;
}

int putc(int c, FILE* f) { return fputc(c, f); }

int putchar(int c) { return fputc(c, stdout); }

int fflush(FILE* f) {
  (void)f;
  __zx_sdk_stdio_flush();
  return 0;
}

size_t fwrite(const void* __restrict ptr, size_t size, size_t nmemb, FILE* __restrict f) {
  (void)f;
  out_bytes((const char*)ptr, size * nmemb);
  return nmemb;
}
