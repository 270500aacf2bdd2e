// A small printf family writing to the debug log through zx_debug_write.
// Output is line buffered; zx_debug_write prints at most 256 bytes per
// call (as on Zircon), so flushes go out in pieces of that size.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>

#define DEBUG_WRITE_MAX 256

static char g_buf[1024];
static size_t g_len;

void __zx_stdio_flush(void) {
  size_t off = 0;
  while (off < g_len) {
    size_t n = g_len - off < DEBUG_WRITE_MAX ? g_len - off : DEBUG_WRITE_MAX;
    zx_debug_write(g_buf + off, n);
    off += n;
  }
  g_len = 0;
}

int fflush(void* stream) {
  (void)stream;
  __zx_stdio_flush();
  return 0;
}

static void out_char(char c) {
  if (g_len == sizeof(g_buf)) __zx_stdio_flush();
  g_buf[g_len++] = c;
  if (c == '\n') __zx_stdio_flush();
}

typedef struct sink {
  char* buf;      // NULL: stdout
  size_t size;    // capacity of buf
  size_t count;   // characters produced (may exceed size)
} sink_t;

static void put(sink_t* s, char c) {
  if (s->buf) {
    if (s->count + 1 < s->size) s->buf[s->count] = c;
  } else {
    out_char(c);
  }
  s->count++;
}

static void put_padded(sink_t* s, const char* str, size_t len, int width, int left, char pad) {
  int fill = width > (int)len ? width - (int)len : 0;
  if (!left)
    while (fill-- > 0) put(s, pad);
  for (size_t i = 0; i < len; i++) put(s, str[i]);
  if (left)
    while (fill-- > 0) put(s, ' ');
}

static int format(sink_t* s, const char* fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(s, *fmt);
      continue;
    }
    fmt++;
    int left = 0, zero = 0, alt = 0, plus = 0, space = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else if (*fmt == '#') alt = 1;
      else if (*fmt == '+') plus = 1;
      else if (*fmt == ' ') space = 1;
      else break;
    }
    int width = 0;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) left = 1, width = -width;
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    int prec = -1;
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      if (*fmt == '*') {
        prec = va_arg(ap, int);
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
      }
    }
    int lng = 0;  // 0 int, 1 long, 2 long long, -1 short, -2 char
    for (;; fmt++) {
      if (*fmt == 'l') lng++;
      else if (*fmt == 'h') lng--;
      else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') lng = 1;
      else break;
    }
    char tmp[72];
    char c = *fmt;
    switch (c) {
      case '%': put(s, '%'); break;
      case 'c': {
        char ch = (char)va_arg(ap, int);
        put_padded(s, &ch, 1, width, left, ' ');
        break;
      }
      case 's': {
        const char* str = va_arg(ap, const char*);
        if (!str) str = "(null)";
        size_t len = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
        put_padded(s, str, len, width, left, ' ');
        break;
      }
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': {
        unsigned long long v;
        int neg = 0;
        unsigned base = c == 'x' || c == 'X' || c == 'p' ? 16 : c == 'o' ? 8 : 10;
        if (c == 'p') {
          v = (uintptr_t)va_arg(ap, void*);
          alt = 1;
        } else if (c == 'd' || c == 'i') {
          long long sv = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
          if (lng == -1) sv = (short)sv;
          if (lng <= -2) sv = (signed char)sv;
          neg = sv < 0;
          v = neg ? 0ull - (unsigned long long)sv : (unsigned long long)sv;
        } else {
          v = lng >= 2 ? va_arg(ap, unsigned long long)
                       : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
          if (lng == -1) v = (unsigned short)v;
          if (lng <= -2) v = (unsigned char)v;
        }
        const char* digits = c == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        int n = 0;
        do {
          tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
          v /= base;
        } while (v);
        while (prec > n) tmp[sizeof(tmp) - 1 - n++] = '0';
        char prefix[3];
        int plen = 0;
        if (neg) prefix[plen++] = '-';
        else if (plus && (c == 'd' || c == 'i')) prefix[plen++] = '+';
        else if (space && (c == 'd' || c == 'i')) prefix[plen++] = ' ';
        if (alt && base == 16) prefix[plen++] = '0', prefix[plen++] = c == 'X' ? 'X' : 'x';
        int total = plen + n;
        if (zero && !left && prec < 0) {
          for (int i = 0; i < plen; i++) put(s, prefix[i]);
          for (int i = total; i < width; i++) put(s, '0');
          for (int i = 0; i < n; i++) put(s, tmp[sizeof(tmp) - n + i]);
        } else {
          if (!left)
            for (int i = total; i < width; i++) put(s, ' ');
          for (int i = 0; i < plen; i++) put(s, prefix[i]);
          for (int i = 0; i < n; i++) put(s, tmp[sizeof(tmp) - n + i]);
          if (left)
            for (int i = total; i < width; i++) put(s, ' ');
        }
        break;
      }
      case '\0': fmt--; break;
      default: put(s, '%'); put(s, c); break;
    }
  }
  return (int)s->count;
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  sink_t s = {buf, size, 0};
  int n = format(&s, fmt, ap);
  if (buf && size) buf[s.count < size ? s.count : size - 1] = 0;
  return n;
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int vprintf(const char* fmt, va_list ap) {
  sink_t s = {NULL, 0, 0};
  return format(&s, fmt, ap);
}

int printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int putchar(int c) {
  out_char((char)c);
  return (unsigned char)c;
}

int puts(const char* str) {
  while (*str) out_char(*str++);
  out_char('\n');
  return 0;
}
