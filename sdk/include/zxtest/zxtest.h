// Guest SDK: <zxtest/zxtest.h> -- a small test framework in the spirit of
// Fuchsia's zxtest, for C (C11, gcc) and C++.
//
//   #include <zxtest/zxtest.h>
//
//   TEST(VmoTest, CreateAndRead) {
//     zx_handle_t vmo;
//     ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
//     EXPECT_EQ(x, 4u, "after %d tries", n);
//   }
//
// Tests register themselves (a record in the "zxtest_cases" section); the
// runtime supplies a weak main() that runs them, so a test file needs no
// main. Order: by source file name, then line.
//
// ASSERT_* return from the enclosing function on failure (it must return
// void); EXPECT_* record the failure and continue. Every check accepts an
// optional printf-style message after its operands; the format must be a
// string literal.
//
// Output, as gtest's: "[ RUN      ] Suite.Name", then
// "[       OK ] Suite.Name (N ms)" or failure details ("file:line: Failure:
// ...", both values) and "[  FAILED  ] Suite.Name (N ms)" (or
// "[  SKIPPED ] ..."); then the closing summary ("[==========] N tests from
// M test suites ran. (N ms total)", "[  PASSED  ] N tests.", the skipped
// and failed cases listed). The last line is the SDK's own "N passed, N
// failed". The process exits 0 if every test passed, else 1.
//
// Filter: --gtest_filter=PATTERNS or --filter=PATTERNS among the arguments;
// PATTERNS is POS[:POS...][-NEG[:NEG...]] with '*' and '?' globs matched
// against "Suite.Name".
#ifndef ZXTEST_ZXTEST_H_
#define ZXTEST_ZXTEST_H_

#include <stdbool.h>
#include <stddef.h>
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
  const char* file;
  int line;
} zxtest_case_t;

// Runs the registered tests; returns 0 if all passed, else 1. Flags, as
// gtest's: --gtest_filter=POS[:POS][-NEG[:NEG]] (also --filter=),
// --gtest_repeat=N (-1: forever), --gtest_shuffle, --gtest_random_seed=N,
// --gtest_list_tests, --gtest_also_run_disabled_tests (cases or suites
// named DISABLED_* are otherwise left out), --gtest_break_on_failure (trap
// at the first failure, for a debugger).
int zxtest_run_all_tests(int argc, char** argv);

// The seed of this run (--gtest_random_seed, else chosen at start).
unsigned zxtest_random_seed(void);

// Cases made at run time (the C++ side's TEST_P instances): an expander
// registered before main runs once the static cases are known and calls
// zxtest_register_case for each case it makes. The strings must live as
// long as the program.
void zxtest_register_expander(void (*expand)(void));
void zxtest_register_case(const char* suite, const char* name, void (*fn)(void*), void* ctx,
                          const char* file, int line);

// Failure reporting (used by the macros below). |fmt| is the caller's
// optional message with one leading space added (so it is never empty).
void zxtest_fail_values(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, uint64_t lhs, uint64_t rhs,
                        const char* fmt, ...) __PRINTFLIKE(9, 10);
void zxtest_fail_status(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, zx_status_t lhs,
                        zx_status_t rhs, const char* fmt, ...) __PRINTFLIKE(9, 10);
void zxtest_fail_cond(const char* file, int line, bool fatal, const char* macro,
                      const char* expr_text, const char* fmt, ...) __PRINTFLIKE(6, 7);
void zxtest_fail_bytes(const char* file, int line, bool fatal, const char* macro,
                       const char* lhs_text, const char* rhs_text, const void* lhs,
                       const void* rhs, size_t size, const char* fmt, ...) __PRINTFLIKE(10, 11);
void zxtest_fail_str(const char* file, int line, bool fatal, const char* macro,
                     const char* lhs_text, const char* rhs_text, const char* lhs,
                     const char* rhs, const char* fmt, ...) __PRINTFLIKE(9, 10);
// Whether lhs and rhs are equal (want_equal) or differ; if not, records
// the failure as zxtest_fail_bytes / zxtest_fail_str do.
bool zxtest_check_bytes(const char* file, int line, bool fatal, const char* macro,
                        const char* lhs_text, const char* rhs_text, const void* lhs,
                        const void* rhs, size_t size, bool want_equal, const char* fmt, ...)
    __PRINTFLIKE(11, 12);
bool zxtest_check_str(const char* file, int line, bool fatal, const char* macro,
                      const char* lhs_text, const char* rhs_text, const char* lhs,
                      const char* rhs, bool want_equal, const char* fmt, ...) __PRINTFLIKE(10, 11);
bool zxtest_current_test_has_failures(void);
// ZXTEST_SKIP's recorder.
void zxtest_skip(const char* file, int line, const char* fmt, ...);
bool zxtest_current_test_has_fatal_failures(void);
// Whether ZXTEST_SKIP ended the running test (a fixture's body is then not run).
bool zxtest_current_test_is_skipped(void);
int zxtest_strcmp(const char* a, const char* b);
int zxtest_memcmp(const void* a, const void* b, size_t n);

__END_CDECLS

#define RUN_ALL_TESTS(argc, argv) zxtest_run_all_tests(argc, argv)
#define CURRENT_TEST_HAS_FAILURES() zxtest_current_test_has_failures()
#define CURRENT_TEST_HAS_FATAL_FAILURES() zxtest_current_test_has_fatal_failures()

// ---- Registration ----------------------------------------------------------

#define _ZXTEST_BODY(suite, name) suite##_##name##_zxtest_body
#define _ZXTEST_REC(suite, name) suite##_##name##_zxtest_record

#define TEST(suite, name)                                                                     \
  static void _ZXTEST_BODY(suite, name)(void);                                                \
  __attribute__((__used__, __section__("zxtest_cases"), __aligned__(8))) static const          \
      zxtest_case_t _ZXTEST_REC(suite, name) = {#suite, #name, _ZXTEST_BODY(suite, name),     \
                                                __FILE__, __LINE__};                          \
  static void _ZXTEST_BODY(suite, name)(void)

// ---- Helpers ---------------------------------------------------------------

#ifdef __cplusplus
#define _ZXTEST_AUTO auto
#else
#define _ZXTEST_AUTO __auto_type
#endif

#ifdef __cplusplus
// C++: operands are bound by reference (no copies: zx:: objects and other
// move-only values compare in place) and printed through zxtest::internal::ToU64.
#define _ZXTEST_DECL(name, x) const auto& name = (x)
#define _ZXTEST_U64(x) ::zxtest::internal::ToU64(x)
#else
#define _ZXTEST_DECL(name, x) __auto_type name = (x)
// Any scalar (integer, enum, bool, pointer) as 64 bits for printing.
#define _ZXTEST_U64(x) ((uint64_t)(uintptr_t)(x))
#endif

// ASSERT_* return on failure; EXPECT_* do not.
#define _ZXTEST_ON_FAIL_1 return
#define _ZXTEST_ON_FAIL_0 (void)0
#define _ZXTEST_ON_FAIL(fatal) _ZXTEST_ON_FAIL_##fatal

#define _ZXTEST_DIAG_PUSH \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wsign-compare\"")
#define _ZXTEST_DIAG_POP _Pragma("GCC diagnostic pop")

#define _ZXTEST_CMP(fatal, macro, a, op, b, ...)                                             \
  do {                                                                                       \
    _ZXTEST_DECL(_zxtest_a, a);                                                              \
    _ZXTEST_DECL(_zxtest_b, b);                                                              \
    _ZXTEST_DIAG_PUSH                                                                        \
    bool _zxtest_ok = (_zxtest_a op _zxtest_b);                                              \
    _ZXTEST_DIAG_POP                                                                         \
    if (!_zxtest_ok) {                                                                       \
      zxtest_fail_values(__FILE__, __LINE__, fatal, macro "(" #a ", " #b ")", #a, #b,        \
                         _ZXTEST_U64(_zxtest_a), _ZXTEST_U64(_zxtest_b), " " __VA_ARGS__);    \
      _ZXTEST_ON_FAIL(fatal);                                                                \
    }                                                                                        \
  } while (0)

#define _ZXTEST_STATUS(fatal, macro, a, op, b, a_text, b_text, ...)                          \
  do {                                                                                       \
    zx_status_t _zxtest_a = (a);                                                             \
    zx_status_t _zxtest_b = (b);                                                             \
    if (!(_zxtest_a op _zxtest_b)) {                                                         \
      zxtest_fail_status(__FILE__, __LINE__, fatal, macro, a_text, b_text, _zxtest_a,        \
                         _zxtest_b, " " __VA_ARGS__);                                         \
      _ZXTEST_ON_FAIL(fatal);                                                                \
    }                                                                                        \
  } while (0)

#define _ZXTEST_COND(fatal, macro, cond, text, ...)                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      zxtest_fail_cond(__FILE__, __LINE__, fatal, macro, text, " " __VA_ARGS__);              \
      _ZXTEST_ON_FAIL(fatal);                                                                \
    }                                                                                        \
  } while (0)

// The byte and string checks are one call each, so that a temporary behind
// an operand (`s.c_str()`, `v.data()`) lives until the comparison is done.
#define _ZXTEST_BYTES(fatal, macro, a, want_equal, b, size, ...)                             \
  do {                                                                                       \
    if (!zxtest_check_bytes(__FILE__, __LINE__, fatal, macro "(" #a ", " #b ", " #size ")",  \
                            #a, #b, (const void*)(a), (const void*)(b), (size), want_equal,  \
                            " " __VA_ARGS__))                                                \
      _ZXTEST_ON_FAIL(fatal);                                                                \
  } while (0)

#define _ZXTEST_STR(fatal, macro, a, want_equal, b, ...)                                     \
  do {                                                                                       \
    if (!zxtest_check_str(__FILE__, __LINE__, fatal, macro "(" #a ", " #b ")", #a, #b, (a),  \
                          (b), want_equal, " " __VA_ARGS__))                                 \
      _ZXTEST_ON_FAIL(fatal);                                                                \
  } while (0)

// ---- Checks ----------------------------------------------------------------

#define ASSERT_EQ(a, b, ...) _ZXTEST_CMP(1, "ASSERT_EQ", a, ==, b, ##__VA_ARGS__)
#define ASSERT_NE(a, b, ...) _ZXTEST_CMP(1, "ASSERT_NE", a, !=, b, ##__VA_ARGS__)
#define ASSERT_LT(a, b, ...) _ZXTEST_CMP(1, "ASSERT_LT", a, <, b, ##__VA_ARGS__)
#define ASSERT_LE(a, b, ...) _ZXTEST_CMP(1, "ASSERT_LE", a, <=, b, ##__VA_ARGS__)
#define ASSERT_GT(a, b, ...) _ZXTEST_CMP(1, "ASSERT_GT", a, >, b, ##__VA_ARGS__)
#define ASSERT_GE(a, b, ...) _ZXTEST_CMP(1, "ASSERT_GE", a, >=, b, ##__VA_ARGS__)
#define EXPECT_EQ(a, b, ...) _ZXTEST_CMP(0, "EXPECT_EQ", a, ==, b, ##__VA_ARGS__)
#define EXPECT_NE(a, b, ...) _ZXTEST_CMP(0, "EXPECT_NE", a, !=, b, ##__VA_ARGS__)
#define EXPECT_LT(a, b, ...) _ZXTEST_CMP(0, "EXPECT_LT", a, <, b, ##__VA_ARGS__)
#define EXPECT_LE(a, b, ...) _ZXTEST_CMP(0, "EXPECT_LE", a, <=, b, ##__VA_ARGS__)
#define EXPECT_GT(a, b, ...) _ZXTEST_CMP(0, "EXPECT_GT", a, >, b, ##__VA_ARGS__)
#define EXPECT_GE(a, b, ...) _ZXTEST_CMP(0, "EXPECT_GE", a, >=, b, ##__VA_ARGS__)

#define ASSERT_TRUE(c, ...) \
  _ZXTEST_COND(1, "ASSERT_TRUE(" #c ")", (c), #c " is false", ##__VA_ARGS__)
#define ASSERT_FALSE(c, ...) \
  _ZXTEST_COND(1, "ASSERT_FALSE(" #c ")", !(c), #c " is true", ##__VA_ARGS__)
#define EXPECT_TRUE(c, ...) \
  _ZXTEST_COND(0, "EXPECT_TRUE(" #c ")", (c), #c " is false", ##__VA_ARGS__)
#define EXPECT_FALSE(c, ...) \
  _ZXTEST_COND(0, "EXPECT_FALSE(" #c ")", !(c), #c " is true", ##__VA_ARGS__)

#define ASSERT_NULL(p, ...) \
  _ZXTEST_COND(1, "ASSERT_NULL(" #p ")", (p) == NULL, #p " is not null", ##__VA_ARGS__)
#define ASSERT_NOT_NULL(p, ...) \
  _ZXTEST_COND(1, "ASSERT_NOT_NULL(" #p ")", (p) != NULL, #p " is null", ##__VA_ARGS__)
#define EXPECT_NULL(p, ...) \
  _ZXTEST_COND(0, "EXPECT_NULL(" #p ")", (p) == NULL, #p " is not null", ##__VA_ARGS__)
#define EXPECT_NOT_NULL(p, ...) \
  _ZXTEST_COND(0, "EXPECT_NOT_NULL(" #p ")", (p) != NULL, #p " is null", ##__VA_ARGS__)
#define ASSERT_NONNULL ASSERT_NOT_NULL
#define EXPECT_NONNULL EXPECT_NOT_NULL

#define ASSERT_OK(s, ...) \
  _ZXTEST_STATUS(1, "ASSERT_OK(" #s ")", s, ==, ZX_OK, #s, "ZX_OK", ##__VA_ARGS__)
#define EXPECT_OK(s, ...) \
  _ZXTEST_STATUS(0, "EXPECT_OK(" #s ")", s, ==, ZX_OK, #s, "ZX_OK", ##__VA_ARGS__)
#define ASSERT_NOT_OK(s, ...) \
  _ZXTEST_STATUS(1, "ASSERT_NOT_OK(" #s ")", s, !=, ZX_OK, #s, "not ZX_OK", ##__VA_ARGS__)
#define EXPECT_NOT_OK(s, ...) \
  _ZXTEST_STATUS(0, "EXPECT_NOT_OK(" #s ")", s, !=, ZX_OK, #s, "not ZX_OK", ##__VA_ARGS__)
#define ASSERT_STATUS(a, b, ...) \
  _ZXTEST_STATUS(1, "ASSERT_STATUS(" #a ", " #b ")", a, ==, b, #a, #b, ##__VA_ARGS__)
#define EXPECT_STATUS(a, b, ...) \
  _ZXTEST_STATUS(0, "EXPECT_STATUS(" #a ", " #b ")", a, ==, b, #a, #b, ##__VA_ARGS__)
#define ASSERT_NOT_STATUS(a, b, ...) \
  _ZXTEST_STATUS(1, "ASSERT_NOT_STATUS(" #a ", " #b ")", a, !=, b, #a, #b, ##__VA_ARGS__)
#define EXPECT_NOT_STATUS(a, b, ...) \
  _ZXTEST_STATUS(0, "EXPECT_NOT_STATUS(" #a ", " #b ")", a, !=, b, #a, #b, ##__VA_ARGS__)

#define ASSERT_BYTES_EQ(a, b, n, ...) \
  _ZXTEST_BYTES(1, "ASSERT_BYTES_EQ", a, true, b, n, ##__VA_ARGS__)
#define ASSERT_BYTES_NE(a, b, n, ...) \
  _ZXTEST_BYTES(1, "ASSERT_BYTES_NE", a, false, b, n, ##__VA_ARGS__)
#define EXPECT_BYTES_EQ(a, b, n, ...) \
  _ZXTEST_BYTES(0, "EXPECT_BYTES_EQ", a, true, b, n, ##__VA_ARGS__)
#define EXPECT_BYTES_NE(a, b, n, ...) \
  _ZXTEST_BYTES(0, "EXPECT_BYTES_NE", a, false, b, n, ##__VA_ARGS__)

#define ASSERT_STR_EQ(a, b, ...) _ZXTEST_STR(1, "ASSERT_STR_EQ", a, true, b, ##__VA_ARGS__)
#define ASSERT_STR_NE(a, b, ...) _ZXTEST_STR(1, "ASSERT_STR_NE", a, false, b, ##__VA_ARGS__)
#define EXPECT_STR_EQ(a, b, ...) _ZXTEST_STR(0, "EXPECT_STR_EQ", a, true, b, ##__VA_ARGS__)
#define EXPECT_STR_NE(a, b, ...) _ZXTEST_STR(0, "EXPECT_STR_NE", a, false, b, ##__VA_ARGS__)

// Unconditional failures.
#define FAIL(...) _ZXTEST_COND(1, "FAIL()", false, "failed", ##__VA_ARGS__)
#define ADD_FAILURE(...) _ZXTEST_COND(0, "ADD_FAILURE()", false, "failed", ##__VA_ARGS__)

// Ends the running test as skipped (unless it already failed): prints the
// optional message and returns from the enclosing function.
#define ZXTEST_SKIP(...)                                   \
  do {                                                     \
    zxtest_skip(__FILE__, __LINE__, " " __VA_ARGS__);      \
    return;                                                \
  } while (0)

// Runs |stmt| (typically a helper using ASSERT_*); returns if it failed fatally.
#define ASSERT_NO_FATAL_FAILURE(stmt, ...)                                                   \
  do {                                                                                       \
    stmt;                                                                                    \
    _ZXTEST_COND(1, "ASSERT_NO_FATAL_FAILURE(" #stmt ")",                                    \
                 !zxtest_current_test_has_fatal_failures(), "fatal failure in " #stmt,       \
                 ##__VA_ARGS__);                                                             \
  } while (0)
#define EXPECT_NO_FATAL_FAILURE(stmt, ...)                                                   \
  do {                                                                                       \
    stmt;                                                                                    \
    _ZXTEST_COND(0, "EXPECT_NO_FATAL_FAILURE(" #stmt ")",                                    \
                 !zxtest_current_test_has_fatal_failures(), "fatal failure in " #stmt,       \
                 ##__VA_ARGS__);                                                             \
  } while (0)
#define ASSERT_NO_FAILURES(stmt, ...)                                                        \
  do {                                                                                       \
    stmt;                                                                                    \
    if (zxtest_current_test_has_failures()) return;                                          \
  } while (0)

#define ASSERT_STREQ ASSERT_STR_EQ
#define ASSERT_STRNE ASSERT_STR_NE
#define EXPECT_STREQ EXPECT_STR_EQ
#define EXPECT_STRNE EXPECT_STR_NE

// The C++ side (fixtures, C++ operands) needs the C++ standard library
// (sdk/zx-c++); freestanding C++ (sdk/zx-cc's headers alone) keeps the C
// macros.
#if defined(__cplusplus) && __has_include(<functional>)
#include <zxtest/cpp/zxtest.h>
#endif

#endif  // ZXTEST_ZXTEST_H_
