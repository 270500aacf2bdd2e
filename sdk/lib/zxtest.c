// Guest SDK runtime: the zxtest runner (see <zxtest/zxtest.h>) and the weak
// default main() that runs every registered test.

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>
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

static void vfail_bytes(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, const void* lhs,
                        const void* rhs, size_t size, const char* fmt, va_list ap) {
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
  print_message(fmt, ap);
}

void zxtest_fail_bytes(const char* file, int line, bool fatal, const char* macro,
                       const char* lhs_text, const char* rhs_text, const void* lhs,
                       const void* rhs, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_bytes(file, line, fatal, macro, lhs_text, rhs_text, lhs, rhs, size, fmt, ap);
  va_end(ap);
}

bool zxtest_check_bytes(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, const void* lhs,
                        const void* rhs, size_t size, bool want_equal, const char* fmt, ...) {
  if ((zxtest_memcmp(lhs, rhs, size) == 0) == want_equal) return true;
  va_list ap;
  va_start(ap, fmt);
  vfail_bytes(file, line, fatal, macro, lhs_text, rhs_text, lhs, rhs, size, fmt, ap);
  va_end(ap);
  return false;
}

static void vfail_str(const char* file, int line, bool fatal, const char* macro,
                      const char* lhs_text, const char* rhs_text, const char* lhs,
                      const char* rhs, const char* fmt, va_list ap) {
  begin_failure(file, line, fatal, macro);
  printf("  %s: \"%s\"\n", lhs_text, lhs);
  printf("  %s: \"%s\"\n", rhs_text, rhs);
  print_message(fmt, ap);
}

void zxtest_fail_str(const char* file, int line, bool fatal, const char* macro,
                     const char* lhs_text, const char* rhs_text, const char* lhs,
                     const char* rhs, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_str(file, line, fatal, macro, lhs_text, rhs_text, lhs, rhs, fmt, ap);
  va_end(ap);
}

bool zxtest_check_str(const char* file, int line, bool fatal, const char* macro,
                      const char* lhs_text, const char* rhs_text, const char* lhs,
                      const char* rhs, bool want_equal, const char* fmt, ...) {
  if ((zxtest_strcmp(lhs, rhs) == 0) == want_equal) return true;
  va_list ap;
  va_start(ap, fmt);
  vfail_str(file, line, fatal, macro, lhs_text, rhs_text, lhs, rhs, fmt, ap);
  va_end(ap);
  return false;
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

// One runnable case: a static TEST/TEST_F record, or a case registered at
// run time (TEST_P instances, through zxtest_register_case).
typedef struct {
  const char* suite;
  const char* name;
  void (*fn)(void*);
  void* ctx;
  const char* file;
  int line;
} entry_t;

#define MAX_CASES 16384
static entry_t g_cases[MAX_CASES];
static size_t g_case_count;
static bool g_dropped_cases;

static void add_case(const char* suite, const char* name, void (*fn)(void*), void* ctx,
                     const char* file, int line) {
  if (g_case_count == MAX_CASES) {
    g_dropped_cases = true;
    return;
  }
  g_cases[g_case_count++] = (entry_t){suite, name, fn, ctx, file, line};
}

// Before the run: registrations that expand at run time (TEST_P suites).
#define MAX_EXPANDERS 1024
static void (*g_expanders[MAX_EXPANDERS])(void);
static size_t g_expander_count;

void zxtest_register_expander(void (*expand)(void)) {
  if (g_expander_count < MAX_EXPANDERS) g_expanders[g_expander_count++] = expand;
}

void zxtest_register_case(const char* suite, const char* name, void (*fn)(void*), void* ctx,
                          const char* file, int line) {
  add_case(suite, name, fn, ctx, file, line);
}

static void run_static(void* ctx) { ((const zxtest_case_t*)ctx)->fn(); }

// Registration order for static cases: by file, then line (the section's
// order is the linker's).
static bool static_before(const zxtest_case_t* a, const zxtest_case_t* b) {
  int c = strcmp(a->file, b->file);
  return c < 0 || (c == 0 && a->line < b->line);
}

static unsigned g_seed;
unsigned zxtest_random_seed(void) { return g_seed; }

// xorshift32 over the seed, for --gtest_shuffle.
static unsigned next_random(unsigned* state) {
  unsigned x = *state ? *state : 0x9e3779b9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

static bool disabled(const entry_t* e) {
  return strncmp(e->suite, "DISABLED_", 9) == 0 || strncmp(e->name, "DISABLED_", 9) == 0 ||
         strstr(e->suite, "/DISABLED_") != NULL;
}

static long parse_long(const char* s, long fallback) {
  if (s == NULL || *s == 0) return fallback;
  long v = 0;
  bool neg = *s == '-';
  if (neg) s++;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return fallback;
    v = v * 10 + (*s - '0');
  }
  return neg ? -v : v;
}

static bool flag(const char* arg, const char* name, const char** value) {
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0) return false;
  if (arg[n] == 0) {
    *value = "";
    return true;
  }
  if (arg[n] == '=') {
    *value = arg + n + 1;
    return true;
  }
  return false;
}

int zxtest_run_all_tests(int argc, char** argv) {
  const char* filter = NULL;
  long repeat = 1;
  bool shuffle = false, list = false, also_disabled = false, break_on_failure = false;
  bool seeded = false;
  for (int i = 1; i < argc && argv != NULL && argv[i] != NULL; i++) {
    const char* a = argv[i];
    const char* v;
    if (flag(a, "--gtest_filter", &v) || flag(a, "--filter", &v)) {
      filter = v;
    } else if (flag(a, "--gtest_repeat", &v)) {
      repeat = parse_long(v, 1);
    } else if (flag(a, "--gtest_shuffle", &v)) {
      shuffle = true;
    } else if (flag(a, "--gtest_random_seed", &v)) {
      g_seed = (unsigned)parse_long(v, 0);
      seeded = true;
    } else if (flag(a, "--gtest_list_tests", &v)) {
      list = true;
    } else if (flag(a, "--gtest_also_run_disabled_tests", &v)) {
      also_disabled = true;
    } else if (flag(a, "--gtest_break_on_failure", &v)) {
      break_on_failure = true;
    }
  }
  if (!seeded) g_seed = (unsigned)(zx_clock_get_monotonic() % 100000) + 1;

  // Static cases in registration order, then the run-time ones.
  g_case_count = 0;
  size_t count = 0;
  if (__start_zxtest_cases != NULL && __stop_zxtest_cases != NULL) {
    count = (size_t)(__stop_zxtest_cases - __start_zxtest_cases);
  }
  for (size_t i = 0; i < count; i++) {
    const zxtest_case_t* c = &__start_zxtest_cases[i];
    add_case(c->suite, c->name, run_static, (void*)c, c->file, c->line);
  }
  size_t n_static = g_case_count;
  for (size_t i = 1; i < n_static; i++) {
    entry_t e = g_cases[i];
    size_t j = i;
    while (j > 0 && static_before((const zxtest_case_t*)e.ctx,
                                  (const zxtest_case_t*)g_cases[j - 1].ctx)) {
      g_cases[j] = g_cases[j - 1];
      j--;
    }
    g_cases[j] = e;
  }
  for (size_t i = 0; i < g_expander_count; i++) g_expanders[i]();
  if (g_dropped_cases) printf("zxtest: more than %d test cases; the rest are left out\n", MAX_CASES);

  static char full[512];
  if (list) {
    // gtest's format: each suite once, its cases indented below it.
    const char* last = NULL;
    for (size_t i = 0; i < g_case_count; i++) {
      const entry_t* e = &g_cases[i];
      snprintf(full, sizeof(full), "%s.%s", e->suite, e->name);
      if (!selected(filter, full) || (disabled(e) && !also_disabled)) continue;
      if (last == NULL || strcmp(last, e->suite) != 0) printf("%s.\n", e->suite);
      printf("  %s\n", e->name);
      last = e->suite;
    }
    fflush(stdout);
    return 0;
  }

  static size_t order[MAX_CASES];
  // For the closing summary: the cases that failed or were skipped, in
  // the order they ran.
  static size_t failed_list[MAX_CASES], skipped_list[MAX_CASES];
  int passed = 0, failed = 0, skipped = 0, suites = 0;
  zx_time_t all_start = zx_clock_get_monotonic();
  for (long round = 0; repeat < 0 || round < repeat; round++) {
    if (repeat != 1) printf("\nRepeating all tests (iteration %ld) . . .\n\n", round + 1);
    size_t to_run = 0;
    for (size_t i = 0; i < g_case_count; i++) {
      const entry_t* e = &g_cases[i];
      snprintf(full, sizeof(full), "%s.%s", e->suite, e->name);
      if (selected(filter, full) && (!disabled(e) || also_disabled)) order[to_run++] = i;
    }
    if (shuffle) {
      unsigned state = g_seed + (unsigned)round;
      printf("Note: Randomizing tests' orders with a seed of %u .\n", g_seed);
      for (size_t i = to_run; i > 1; i--) {
        size_t j = next_random(&state) % i;
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
      }
    }
    // The suites among them (gtest's "from N test suites").
    suites = 0;
    for (size_t k = 0; k < to_run; k++) {
      bool seen = false;
      for (size_t m = 0; m < k && !seen; m++)
        seen = strcmp(g_cases[order[m]].suite, g_cases[order[k]].suite) == 0;
      if (!seen) suites++;
    }
    printf("[==========] Running %zu test%s from %d test suite%s.\n", to_run, to_run == 1 ? "" : "s",
           suites, suites == 1 ? "" : "s");
    for (size_t k = 0; k < to_run; k++) {
      const entry_t* e = &g_cases[order[k]];
      snprintf(full, sizeof(full), "%s.%s", e->suite, e->name);
      printf("[ RUN      ] %s\n", full);
      g_failed = false;
      g_fatal = false;
      g_skipped = false;
      zx_time_t start = zx_clock_get_monotonic();
      e->fn(e->ctx);
      long long ms = (long long)((zx_clock_get_monotonic() - start) / 1000000);
      if (g_failed) {
        printf("[  FAILED  ] %s (%lld ms)\n", full, ms);
        if (failed < MAX_CASES) failed_list[failed] = order[k];
        failed++;
        if (break_on_failure) {
          fflush(stdout);
          __builtin_trap();
        }
      } else if (g_skipped) {
        printf("[  SKIPPED ] %s (%lld ms)\n", full, ms);
        if (skipped < MAX_CASES) skipped_list[skipped] = order[k];
        skipped++;
      } else {
        printf("[       OK ] %s (%lld ms)\n", full, ms);
        passed++;
      }
    }
  }
  // gtest's closing summary, then the SDK's own one-line count.
  int ran = passed + failed + skipped;
  long long total_ms = (long long)((zx_clock_get_monotonic() - all_start) / 1000000);
  printf("[==========] %d test%s from %d test suite%s ran. (%lld ms total)\n", ran, ran == 1 ? "" : "s",
         suites, suites == 1 ? "" : "s", total_ms);
  printf("[  PASSED  ] %d test%s.\n", passed, passed == 1 ? "" : "s");
  if (skipped) {
    printf("[  SKIPPED ] %d test%s, listed below:\n", skipped, skipped == 1 ? "" : "s");
    for (int i = 0; i < skipped && i < MAX_CASES; i++)
      printf("[  SKIPPED ] %s.%s\n", g_cases[skipped_list[i]].suite, g_cases[skipped_list[i]].name);
  }
  if (failed) {
    printf("[  FAILED  ] %d test%s, listed below:\n", failed, failed == 1 ? "" : "s");
    for (int i = 0; i < failed && i < MAX_CASES; i++)
      printf("[  FAILED  ] %s.%s\n", g_cases[failed_list[i]].suite, g_cases[failed_list[i]].name);
    printf("\n %d FAILED TEST%s\n", failed, failed == 1 ? "" : "S");
  }
  if (skipped) printf("%d skipped\n", skipped);
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  return failed == 0 ? 0 : 1;
}

// The default main: a test file needs none. A program's own main wins.
__attribute__((weak)) int main(int argc, char** argv) { return zxtest_run_all_tests(argc, argv); }
