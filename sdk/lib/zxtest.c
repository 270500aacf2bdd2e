// Guest SDK runtime: the zxtest runner (see <zxtest/zxtest.h>) and the weak
// default main() that runs every registered test.

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zxtest/zxtest.h>

#include "runtime.h"

// Bounds of the "zxtest_cases" section; absent (NULL) when nothing registered.
extern const zxtest_case_t __start_zxtest_cases[] __attribute__((weak, visibility("hidden")));
extern const zxtest_case_t __stop_zxtest_cases[] __attribute__((weak, visibility("hidden")));

static bool g_failed;
static bool g_fatal;
static bool g_skipped;

bool zxtest_current_test_has_failures(void) { return g_failed; }
bool zxtest_current_test_has_fatal_failures(void) { return g_fatal; }

int zxtest_strcmp(const char* a, const char* b) {
  if (a == NULL || b == NULL) return a == b ? 0 : 1;
  return strcmp(a, b);
}

int zxtest_memcmp(const void* a, const void* b, size_t n) {
  if (n == 0) return 0;
  if (a == NULL || b == NULL) return a == b ? 0 : 1;
  return memcmp(a, b, n);
}

static void begin_failure(const char* file, int line, bool fatal, const char* macro) {
  g_failed = true;
  if (fatal) g_fatal = true;
  printf("%s:%d: Failure: %s\n", file, line, macro);
}

// |fmt| is " " followed by the caller's message format (see zxtest.h).
static void print_message(const char* fmt, va_list ap) {
  if (fmt == NULL) return;
  if (fmt[0] == ' ') fmt++;
  if (fmt[0] == 0) return;
  printf("  ");
  vprintf(fmt, ap);
  printf("\n");
}

bool zxtest_current_test_is_skipped(void) { return g_skipped; }

void zxtest_skip(const char* file, int line, const char* fmt, ...) {
  g_skipped = true;
  printf("%s:%d: Skipped\n", file, line);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

void zxtest_fail_values(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, uint64_t lhs, uint64_t rhs,
                        const char* fmt, ...) {
  begin_failure(file, line, fatal, macro);
  printf("  %s: %ld (%#lx)\n", lhs_text, (long)lhs, (unsigned long)lhs);
  printf("  %s: %ld (%#lx)\n", rhs_text, (long)rhs, (unsigned long)rhs);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

void zxtest_fail_status(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, zx_status_t lhs,
                        zx_status_t rhs, const char* fmt, ...) {
  begin_failure(file, line, fatal, macro);
  printf("  %s: %s (%d)\n", lhs_text, zx_status_get_string(lhs), lhs);
  printf("  %s: %s (%d)\n", rhs_text, zx_status_get_string(rhs), rhs);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

void zxtest_fail_cond(const char* file, int line, bool fatal, const char* macro,
                      const char* expr_text, const char* fmt, ...) {
  begin_failure(file, line, fatal, macro);
  printf("  %s\n", expr_text);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

static void dump_bytes(const char* text, const void* p, size_t n) {
  printf("  %s:", text);
  if (p == NULL) {
    printf(" (null)\n");
    return;
  }
  const unsigned char* b = (const unsigned char*)p;
  size_t shown = n > 64 ? 64 : n;
  for (size_t i = 0; i < shown; i++) printf(" %02x", b[i]);
  if (shown < n) printf(" ... (%zu bytes)", n);
  printf("\n");
}

void zxtest_fail_bytes(const char* file, int line, bool fatal, const char* macro,
                       const char* lhs_text, const char* rhs_text, const void* lhs,
                       const void* rhs, size_t size, const char* fmt, ...) {
  begin_failure(file, line, fatal, macro);
  if (lhs != NULL && rhs != NULL) {
    const unsigned char* a = (const unsigned char*)lhs;
    const unsigned char* b = (const unsigned char*)rhs;
    for (size_t i = 0; i < size; i++) {
      if (a[i] != b[i]) {
        printf("  first difference at offset %zu: %02x vs %02x\n", i, a[i], b[i]);
        break;
      }
    }
  }
  dump_bytes(lhs_text, lhs, size);
  dump_bytes(rhs_text, rhs, size);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

void zxtest_fail_str(const char* file, int line, bool fatal, const char* macro,
                     const char* lhs_text, const char* rhs_text, const char* lhs,
                     const char* rhs, const char* fmt, ...) {
  begin_failure(file, line, fatal, macro);
  printf("  %s: \"%s\"\n", lhs_text, lhs);
  printf("  %s: \"%s\"\n", rhs_text, rhs);
  va_list ap;
  va_start(ap, fmt);
  print_message(fmt, ap);
  va_end(ap);
}

// ---- Filtering -------------------------------------------------------------

// Glob match of name against pattern[0..plen): '*' any run, '?' one char.
static bool glob(const char* pat, size_t plen, const char* name) {
  size_t p = 0;
  const char* star_p = NULL;
  size_t star_pi = 0;
  while (*name) {
    if (p < plen && (pat[p] == '?' || pat[p] == *name)) {
      p++;
      name++;
    } else if (p < plen && pat[p] == '*') {
      star_p = name;
      star_pi = ++p;
    } else if (star_p != NULL) {
      p = star_pi;
      name = ++star_p;
    } else {
      return false;
    }
  }
  while (p < plen && pat[p] == '*') p++;
  return p == plen;
}

// Matches name against "A:B:C" (any of), over [list, list_end).
static bool match_any(const char* list, const char* list_end, const char* name) {
  const char* p = list;
  while (p < list_end) {
    const char* q = p;
    while (q < list_end && *q != ':') q++;
    if (glob(p, (size_t)(q - p), name)) return true;
    p = q + 1;
  }
  return false;
}

static bool selected(const char* filter, const char* name) {
  if (filter == NULL || filter[0] == 0) return true;
  const char* end = filter + strlen(filter);
  const char* dash = strchr(filter, '-');
  const char* pos_end = dash != NULL ? dash : end;
  bool positive = (pos_end == filter) ? true : match_any(filter, pos_end, name);
  if (!positive) return false;
  if (dash != NULL && match_any(dash + 1, end, name)) return false;
  return true;
}

// ---- Runner ----------------------------------------------------------------

static bool case_before(const zxtest_case_t* a, const zxtest_case_t* b) {
  int c = strcmp(a->file, b->file);
  return c < 0 || (c == 0 && a->line < b->line);
}

#define MAX_SORTED 16384
static const zxtest_case_t* g_sorted[MAX_SORTED];

int zxtest_run_all_tests(int argc, char** argv) {
  const char* filter = NULL;
  for (int i = 1; i < argc && argv != NULL && argv[i] != NULL; i++) {
    if (strncmp(argv[i], "--gtest_filter=", 15) == 0) filter = argv[i] + 15;
    else if (strncmp(argv[i], "--filter=", 9) == 0) filter = argv[i] + 9;
  }

  size_t count = 0;
  if (__start_zxtest_cases != NULL && __stop_zxtest_cases != NULL) {
    count = (size_t)(__stop_zxtest_cases - __start_zxtest_cases);
  }
  const zxtest_case_t** order = NULL;
  if (count <= MAX_SORTED) {
    for (size_t i = 0; i < count; i++) {
      const zxtest_case_t* c = &__start_zxtest_cases[i];
      size_t j = i;
      while (j > 0 && case_before(c, g_sorted[j - 1])) {
        g_sorted[j] = g_sorted[j - 1];
        j--;
      }
      g_sorted[j] = c;
    }
    order = g_sorted;
  }

  size_t to_run = 0;
  static char full[512];
  for (size_t i = 0; i < count; i++) {
    const zxtest_case_t* c = order != NULL ? order[i] : &__start_zxtest_cases[i];
    snprintf(full, sizeof(full), "%s.%s", c->suite, c->name);
    if (selected(filter, full)) to_run++;
  }
  printf("[==========] Running %zu test%s.\n", to_run, to_run == 1 ? "" : "s");

  int passed = 0, failed = 0, skipped = 0;
  for (size_t i = 0; i < count; i++) {
    const zxtest_case_t* c = order != NULL ? order[i] : &__start_zxtest_cases[i];
    snprintf(full, sizeof(full), "%s.%s", c->suite, c->name);
    if (!selected(filter, full)) continue;
    printf("[ RUN      ] %s\n", full);
    g_failed = false;
    g_fatal = false;
    g_skipped = false;
    c->fn();
    if (g_failed) {
      printf("[  FAILED  ] %s\n", full);
      failed++;
    } else if (g_skipped) {
      printf("[  SKIPPED ] %s\n", full);
      skipped++;
    } else {
      printf("[       OK ] %s\n", full);
      passed++;
    }
  }
  int ran = passed + failed + skipped;
  printf("[==========] %d test%s ran.\n", ran, ran == 1 ? "" : "s");
  if (skipped) printf("%d skipped\n", skipped);
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  return failed == 0 ? 0 : 1;
}

// The default main: a test file needs none. A program's own main wins.
__attribute__((weak)) int main(int argc, char** argv) { return zxtest_run_all_tests(argc, argv); }
