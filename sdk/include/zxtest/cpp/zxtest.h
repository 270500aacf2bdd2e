// Guest SDK: the C++ half of <zxtest/zxtest.h> (included from it; do not
// include directly). Written for this project to Fuchsia's public zxtest API.
//
//   class VmoFixture : public zxtest::Test {
//    protected:
//     void SetUp() override { ASSERT_OK(zx::vmo::create(4096, 0, &vmo_)); }
//     static void SetUpTestSuite() { ... }   // once, before the suite's first test
//     static void TearDownTestSuite() { ... }  // once, after its last test
//     zx::vmo vmo_;
//   };
//   TEST_F(VmoFixture, Size) { uint64_t s; ASSERT_OK(vmo_.get_size(&s)); }
//
// Each TEST_F builds a fresh fixture: SetUp(), the body (skipped if SetUp
// failed fatally), TearDown(), then the fixture is destroyed. Suite setup
// runs when the first test of a suite starts; the suite's teardown runs when
// a test of another suite starts, or at exit for the last suite.
#ifndef ZXTEST_CPP_ZXTEST_H_
#define ZXTEST_CPP_ZXTEST_H_

#include <stdlib.h>
#include <zircon/assert.h>
#include <string.h>

// Fuchsia's zxtest headers bring these in; tests rely on it.
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#if __cplusplus >= 202002L
#include <span>
#endif
#include <vector>

namespace zxtest {

class Test {
 public:
  Test() = default;
  virtual ~Test() = default;
  Test(const Test&) = delete;
  Test& operator=(const Test&) = delete;

  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
  // gtest's older names.
  static void SetUpTestCase() {}
  static void TearDownTestCase() {}

  virtual void TestBody() = 0;

  // Runs SetUp, the body and TearDown (used by TEST_F).
  void zxtest_Run() {
    SetUp();
    if (!zxtest_current_test_has_fatal_failures() && !zxtest_current_test_is_skipped()) {
      TestBody();
    }
    TearDown();
  }

 protected:
  virtual void SetUp() {}
  virtual void TearDown() {}
};

namespace internal {

// A value as 64 bits for the failure report: integers, enums, bools and
// pointers by value; objects with get() (zx:: handles, times, durations) by
// get(); anything else by its first (up to) 8 bytes.
template <typename T>
uint64_t ToU64(const T& v) {
  using D = typename std::decay<T>::type;
  if constexpr (std::is_null_pointer<D>::value) {
    return 0;
  } else if constexpr (std::is_pointer<D>::value) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(v));
  } else if constexpr (std::is_enum<D>::value) {
    return static_cast<uint64_t>(static_cast<typename std::underlying_type<D>::type>(v));
  } else if constexpr (std::is_integral<D>::value) {
    return static_cast<uint64_t>(v);
  } else if constexpr (std::is_floating_point<D>::value) {
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  } else if constexpr (std::is_array<T>::value) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&v[0]));
  } else {
    uint64_t out = 0;
    memcpy(&out, &v, sizeof(v) < sizeof(out) ? sizeof(v) : sizeof(out));
    return out;
  }
}

// The suite whose SetUpTestSuite ran last and whose teardown is pending.
struct SuiteState {
  const char* name = nullptr;
  void (*teardown)() = nullptr;
  bool atexit_registered = false;
};
inline SuiteState& CurrentSuite() {
  static SuiteState state;
  return state;
}
inline void FinishSuite() {
  SuiteState& s = CurrentSuite();
  if (s.teardown != nullptr) {
    void (*t)() = s.teardown;
    s.teardown = nullptr;
    s.name = nullptr;
    t();
  }
}
inline void EnterSuite(const char* name, void (*setup)(), void (*teardown)()) {
  SuiteState& s = CurrentSuite();
  if (s.name != nullptr && strcmp(s.name, name) == 0) return;
  FinishSuite();
  if (!s.atexit_registered) {
    s.atexit_registered = true;
    atexit([] { FinishSuite(); });
  }
  s.name = name;
  s.teardown = teardown;
  setup();
}

template <typename Case, typename Fixture>
void RunFixtureCase(const char* suite) {
  EnterSuite(suite, &Fixture::SetUpTestSuite, &Fixture::TearDownTestSuite);
  Case* c = new Case();
  c->zxtest_Run();
  delete c;
}

}  // namespace internal
}  // namespace zxtest

#define _ZXTEST_CLASS(suite, name) suite##_##name##_Test

#define TEST_F(suite, name)                                                                   \
  class _ZXTEST_CLASS(suite, name) final : public suite {                                    \
   public:                                                                                    \
    void TestBody() override;                                                                 \
  };                                                                                          \
  static void _ZXTEST_BODY(suite, name)(void) {                                               \
    ::zxtest::internal::RunFixtureCase<_ZXTEST_CLASS(suite, name), suite>(#suite);            \
  }                                                                                           \
  __attribute__((__used__, __section__("zxtest_cases"), __aligned__(8))) static const          \
      zxtest_case_t _ZXTEST_REC(suite, name) = {#suite, #name, _ZXTEST_BODY(suite, name),     \
                                                __FILE__, __LINE__};                          \
  void _ZXTEST_CLASS(suite, name)::TestBody()

#endif  // ZXTEST_CPP_ZXTEST_H_
