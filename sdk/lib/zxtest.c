// The zxtest runner: iterates the registered cases, prints zxtest-style
// progress and the closing "N passed, N failed" line.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zxtest/zxtest.h>

extern const zxtest_case_t __start_zxtest_cases[] __attribute__((weak));
extern const zxtest_case_t __stop_zxtest_cases[] __attribute__((weak));

static int g_failed;

void zxtest_fail(const char* file, int line, const char* what) {
  g_failed = 1;
  printf("%s:%d: Failure: %s\n", file, line, what);
}

void zxtest_note(const char* fmt, ...) {
  if (!fmt[0]) return;
  va_list ap;
  va_start(ap, fmt);
  printf("    ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}

int zxtest_current_failed(void) { return g_failed; }

// Matches `text` against a glob with '*' and '?'.
static int glob(const char* pat, const char* text) {
  if (!*pat) return !*text;
  if (*pat == '*') return glob(pat + 1, text) || (*text && glob(pat, text + 1));
  if (*text && (*pat == '?' || *pat == *text)) return glob(pat + 1, text + 1);
  return 0;
}

int zxtest_run_all(int argc, char** argv) {
  const char* filter = "*";
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--gtest_filter=", 15) == 0) filter = argv[i] + 15;
    if (strncmp(argv[i], "--filter=", 9) == 0) filter = argv[i] + 9;
  }
  int passed = 0, failed = 0;
  for (const zxtest_case_t* c = __start_zxtest_cases; c && c < __stop_zxtest_cases; c++) {
    char full[256];
    snprintf(full, sizeof(full), "%s.%s", c->suite, c->name);
    if (!glob(filter, full)) continue;
    printf("[ RUN      ] %s\n", full);
    g_failed = 0;
    c->fn();
    if (g_failed) {
      failed++;
      printf("[  FAILED  ] %s\n", full);
    } else {
      passed++;
      printf("[       OK ] %s\n", full);
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

// A test file needs no main(): this one runs every test.
__attribute__((weak)) int main(int argc, char** argv, char** envp) {
  (void)envp;
  return zxtest_run_all(argc, argv);
}
