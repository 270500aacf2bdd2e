// A small test framework in the spirit of Fuchsia's zxtest, so Fuchsia core
// tests port by changing includes.
//
//   TEST(Suite, Name) { ASSERT_OK(zx_...); EXPECT_EQ(a, b, "context %d", x); }
//
// Tests register themselves; the SDK runtime's default main() runs them all
// (or those matching --gtest_filter=GLOB / --filter=GLOB) and prints
//   [ RUN      ] Suite.Name / [       OK ] Suite.Name / [  FAILED  ] Suite.Name
// and finally a line "N passed, N failed". The exit status is 0 only if every
// test passed. ASSERT_* return from the current function on failure; EXPECT_*
// record the failure and go on.
#ifndef ZXTEST_ZXTEST_H_
#define ZXTEST_ZXTEST_H_

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/compiler.h>
#include <zircon/status.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct zxtest_case {
  const char* suite;
  const char* name;
  void (*fn)(void);
} zxtest_case_t;

// Records a failure of the running test and prints where and why.
void zxtest_fail(const char* file, int line, const char* what);
// Prints the caller's optional message (printf-style).
void zxtest_note(const char* fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
// Returns whether the running test has failed so far.
int zxtest_current_failed(void);
// Runs every registered test; returns 0 if all passed.
int zxtest_run_all(int argc, char** argv);

#define ZXTEST_SECTION __attribute__((__used__, __section__("zxtest_cases"), __aligned__(8)))

#define TEST(suite, name)                                                            \
  static void zxtest_fn_##suite##_##name(void);                                      \
  static const zxtest_case_t zxtest_rec_##suite##_##name ZXTEST_SECTION = {          \
      #suite, #name, zxtest_fn_##suite##_##name};                                    \
  static void zxtest_fn_##suite##_##name(void)

#define RUN_ALL_TESTS(argc, argv) zxtest_run_all((argc), (argv))

#define ZXTEST_FAILURE_(fatal, desc, ...) \
  do {                                     \
    zxtest_fail(__FILE__, __LINE__, desc); \
    zxtest_note("" __VA_ARGS__);           \
    if (fatal) return;                     \
  } while (0)

#define ZXTEST_CMP_(fatal, a, b, op, ...)                                                   \
  do {                                                                                     \
    __typeof__(a) zx_a_ = (a);                                                             \
    __typeof__(b) zx_b_ = (b);                                                             \
    if (!(zx_a_ op zx_b_)) {                                                               \
      char zx_desc_[256];                                                                  \
      snprintf(zx_desc_, sizeof(zx_desc_), "expected %s %s %s; got %lld (%#llx) vs %lld (%#llx)", \
               #a, #op, #b, (long long)(zx_a_), (unsigned long long)(zx_a_),               \
               (long long)(zx_b_), (unsigned long long)(zx_b_));                           \
      ZXTEST_FAILURE_(fatal, zx_desc_, __VA_ARGS__);                                       \
    }                                                                                      \
  } while (0)

#define ZXTEST_STATUS_(fatal, a, b, ...)                                                     \
  do {                                                                                       \
    zx_status_t zx_a_ = (a);                                                                 \
    zx_status_t zx_b_ = (b);                                                                 \
    if (zx_a_ != zx_b_) {                                                                    \
      char zx_desc_[256];                                                                    \
      snprintf(zx_desc_, sizeof(zx_desc_), "%s: expected %s, got %s (%d)", #a,               \
               zx_status_get_string(zx_b_), zx_status_get_string(zx_a_), zx_a_);             \
      ZXTEST_FAILURE_(fatal, zx_desc_, __VA_ARGS__);                                         \
    }                                                                                        \
  } while (0)

#define ZXTEST_BOOL_(fatal, cond, want, ...)                                          \
  do {                                                                                \
    if ((!!(cond)) != (want)) {                                                       \
      ZXTEST_FAILURE_(fatal, (want) ? "expected true: " #cond : "expected false: " #cond, \
                      __VA_ARGS__);                                                   \
    }                                                                                 \
  } while (0)

#define ZXTEST_BYTES_(fatal, a, b, n, ...)                                     \
  do {                                                                         \
    if (memcmp((a), (b), (n)) != 0) {                                          \
      ZXTEST_FAILURE_(fatal, "bytes differ: " #a " vs " #b, __VA_ARGS__);      \
    }                                                                          \
  } while (0)

#define ASSERT_EQ(a, b, ...) ZXTEST_CMP_(1, a, b, ==, __VA_ARGS__)
#define ASSERT_NE(a, b, ...) ZXTEST_CMP_(1, a, b, !=, __VA_ARGS__)
#define ASSERT_LT(a, b, ...) ZXTEST_CMP_(1, a, b, <, __VA_ARGS__)
#define ASSERT_LE(a, b, ...) ZXTEST_CMP_(1, a, b, <=, __VA_ARGS__)
#define ASSERT_GT(a, b, ...) ZXTEST_CMP_(1, a, b, >, __VA_ARGS__)
#define ASSERT_GE(a, b, ...) ZXTEST_CMP_(1, a, b, >=, __VA_ARGS__)
#define ASSERT_TRUE(c, ...) ZXTEST_BOOL_(1, c, 1, __VA_ARGS__)
#define ASSERT_FALSE(c, ...) ZXTEST_BOOL_(1, c, 0, __VA_ARGS__)
#define ASSERT_NULL(p, ...) ZXTEST_BOOL_(1, (p) == NULL, 1, __VA_ARGS__)
#define ASSERT_NOT_NULL(p, ...) ZXTEST_BOOL_(1, (p) != NULL, 1, __VA_ARGS__)
#define ASSERT_OK(s, ...) ZXTEST_STATUS_(1, s, ZX_OK, __VA_ARGS__)
#define ASSERT_NOT_OK(s, ...) ZXTEST_BOOL_(1, (s) != ZX_OK, 1, __VA_ARGS__)
#define ASSERT_STATUS(a, b, ...) ZXTEST_STATUS_(1, a, b, __VA_ARGS__)
#define ASSERT_BYTES_EQ(a, b, n, ...) ZXTEST_BYTES_(1, a, b, n, __VA_ARGS__)
#define ASSERT_NO_FAILURES(stmt, ...) \
  do {                                \
    stmt;                             \
    if (zxtest_current_failed()) return; \
  } while (0)
#define ASSERT_NO_FATAL_FAILURE(stmt, ...) ASSERT_NO_FAILURES(stmt)

#define EXPECT_EQ(a, b, ...) ZXTEST_CMP_(0, a, b, ==, __VA_ARGS__)
#define EXPECT_NE(a, b, ...) ZXTEST_CMP_(0, a, b, !=, __VA_ARGS__)
#define EXPECT_LT(a, b, ...) ZXTEST_CMP_(0, a, b, <, __VA_ARGS__)
#define EXPECT_LE(a, b, ...) ZXTEST_CMP_(0, a, b, <=, __VA_ARGS__)
#define EXPECT_GT(a, b, ...) ZXTEST_CMP_(0, a, b, >, __VA_ARGS__)
#define EXPECT_GE(a, b, ...) ZXTEST_CMP_(0, a, b, >=, __VA_ARGS__)
#define EXPECT_TRUE(c, ...) ZXTEST_BOOL_(0, c, 1, __VA_ARGS__)
#define EXPECT_FALSE(c, ...) ZXTEST_BOOL_(0, c, 0, __VA_ARGS__)
#define EXPECT_NULL(p, ...) ZXTEST_BOOL_(0, (p) == NULL, 1, __VA_ARGS__)
#define EXPECT_NOT_NULL(p, ...) ZXTEST_BOOL_(0, (p) != NULL, 1, __VA_ARGS__)
#define EXPECT_OK(s, ...) ZXTEST_STATUS_(0, s, ZX_OK, __VA_ARGS__)
#define EXPECT_NOT_OK(s, ...) ZXTEST_BOOL_(0, (s) != ZX_OK, 1, __VA_ARGS__)
#define EXPECT_STATUS(a, b, ...) ZXTEST_STATUS_(0, a, b, __VA_ARGS__)
#define EXPECT_BYTES_EQ(a, b, n, ...) ZXTEST_BYTES_(0, a, b, n, __VA_ARGS__)

__END_CDECLS

#endif  // ZXTEST_ZXTEST_H_
