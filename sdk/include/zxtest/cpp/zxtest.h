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
#include <thread>  // Fuchsia's sync-mutex mutex_wrapper.cc uses std::thread with no include
#include <tuple>
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

// The runner, as far as tests see it.
class Runner {
 public:
  static Runner* GetInstance() {
    static Runner runner;
    return &runner;
  }
  // The seed of this run (--gtest_random_seed, else chosen at start).
  unsigned random_seed() const { return zxtest_random_seed(); }
};

// ---- Value-parameterized tests (TEST_P, INSTANTIATE_TEST_SUITE_P) ----------

namespace internal {
template <typename T>
const T*& CurrentParam() {
  static const T* param = nullptr;
  return param;
}
}  // namespace internal

// The parameter side of a parameterized fixture.
template <typename T>
class WithParamInterface {
 public:
  using ParamType = T;
  virtual ~WithParamInterface() = default;
  static const T& GetParam() { return *internal::CurrentParam<T>(); }
};

// A fixture whose cases run once per value of type T.
template <typename T>
class TestWithParam : public Test, public WithParamInterface<T> {};

// What INSTANTIATE_TEST_SUITE_P's name generator receives.
template <typename T>
struct TestParamInfo {
  T param;
  size_t index;
};

// Parameter generators: each is a list of values, made when instantiated.
template <typename T>
struct ParamGenerator {
  std::vector<T> values;
};

namespace internal {
// A list of values waiting for its element type (from Values(...)).
template <typename... Ts>
struct ValueList {
  std::tuple<Ts...> items;
  template <typename T>
  operator ParamGenerator<T>() const {
    ParamGenerator<T> g;
    std::apply([&g](const auto&... v) { (g.values.push_back(static_cast<T>(v)), ...); }, items);
    return g;
  }
};

template <typename... Gs>
struct CartesianProduct {
  std::tuple<Gs...> generators;
  template <typename... Ts>
  operator ParamGenerator<std::tuple<Ts...>>() const {
    static_assert(sizeof...(Ts) == sizeof...(Gs), "Combine: one generator per tuple element");
    auto lists = ToLists<Ts...>(std::index_sequence_for<Ts...>{});
    ParamGenerator<std::tuple<Ts...>> out;
    std::tuple<Ts...> cur;
    Fill<0>(lists, cur, out.values);
    return out;
  }

 private:
  template <typename... Ts, size_t... I>
  std::tuple<std::vector<Ts>...> ToLists(std::index_sequence<I...>) const {
    return std::tuple<std::vector<Ts>...>{
        static_cast<ParamGenerator<Ts>>(std::get<I>(generators)).values...};
  }
  template <size_t I, typename Lists, typename Tuple>
  static void Fill(const Lists& lists, Tuple& cur, std::vector<Tuple>& out) {
    if constexpr (I == std::tuple_size<Tuple>::value) {
      out.push_back(cur);
    } else {
      for (const auto& v : std::get<I>(lists)) {
        std::get<I>(cur) = v;
        Fill<I + 1>(lists, cur, out);
      }
    }
  }
};

// The TEST_P bodies of fixture F, and the instantiations naming F; cases
// are made when the runner expands them (after every static initializer,
// so the order of TEST_P and INSTANTIATE in the source does not matter).
template <typename F>
struct ParamSuite {
  struct Pattern {
    const char* name;
    Test* (*make)();
    const char* file;
    int line;
  };
  struct Case {
    std::string suite;
    std::string name;
    Test* (*make)();
    size_t index;
  };
  using Param = typename F::ParamType;
  static std::vector<Pattern>& Patterns() {
    static std::vector<Pattern> p;
    return p;
  }
  static std::vector<Param>& Values() {
    static std::vector<Param> v;
    return v;
  }
  static void Run(void* ctx) {
    const Case* c = static_cast<const Case*>(ctx);
    CurrentParam<Param>() = &Values()[c->index];
    EnterSuite(c->suite.c_str(), &F::SetUpTestSuite, &F::TearDownTestSuite);
    Test* t = c->make();
    t->zxtest_Run();
    delete t;
    CurrentParam<Param>() = nullptr;
  }
  static bool AddPattern(const char* name, Test* (*make)(), const char* file, int line) {
    Patterns().push_back({name, make, file, line});
    return true;
  }
  // One instantiation: `prefix`/`suite` with the values of `gen`, named
  // by index or by `namer`.
  template <typename Namer>
  static bool Instantiate(const char* prefix, const char* suite, ParamGenerator<Param> gen,
                          Namer namer) {
    struct Pending {
      std::string prefix, suite;
      std::vector<Param> values;
      std::vector<std::string> names;
    };
    static std::vector<Pending> pending;
    Pending p{prefix, suite, std::move(gen.values), {}};
    for (size_t i = 0; i < p.values.size(); i++) {
      p.names.push_back(namer(TestParamInfo<Param>{p.values[i], i}));
    }
    pending.push_back(std::move(p));
    static bool registered = false;
    if (!registered) {
      registered = true;
      zxtest_register_expander([] {
        static std::vector<std::unique_ptr<Case>> cases;
        for (Pending& inst : pending) {
          std::string full_suite = inst.prefix.empty() ? inst.suite : inst.prefix + "/" + inst.suite;
          for (const Pattern& pat : Patterns()) {
            for (size_t i = 0; i < inst.values.size(); i++) {
              size_t index = Values().size();
              Values().push_back(inst.values[i]);
              auto c = std::make_unique<Case>(
                  Case{full_suite, std::string(pat.name) + "/" + inst.names[i], pat.make, index});
              zxtest_register_case(c->suite.c_str(), c->name.c_str(), &Run, c.get(), pat.file,
                                   pat.line);
              cases.push_back(std::move(c));
            }
          }
        }
      });
    }
    return true;
  }
};

struct IndexName {
  template <typename T>
  std::string operator()(const TestParamInfo<T>& info) const {
    return std::to_string(info.index);
  }
};

template <typename F, typename G>
bool InstantiateSuite(const char* prefix, const char* suite, G gen) {
  return ParamSuite<F>::Instantiate(prefix, suite,
                                    static_cast<ParamGenerator<typename F::ParamType>>(gen),
                                    IndexName{});
}
template <typename F, typename G, typename Namer>
bool InstantiateSuite(const char* prefix, const char* suite, G gen, Namer namer) {
  return ParamSuite<F>::Instantiate(prefix, suite,
                                    static_cast<ParamGenerator<typename F::ParamType>>(gen),
                                    namer);
}
}  // namespace internal

// The values given.
template <typename... Ts>
internal::ValueList<Ts...> Values(Ts... values) {
  return internal::ValueList<Ts...>{std::tuple<Ts...>(values...)};
}

// The values of a container, or of [begin, end).
template <typename Container>
ParamGenerator<typename Container::value_type> ValuesIn(const Container& c) {
  return ParamGenerator<typename Container::value_type>{
      std::vector<typename Container::value_type>(c.begin(), c.end())};
}
template <typename T, size_t N>
ParamGenerator<T> ValuesIn(const T (&array)[N]) {
  return ParamGenerator<T>{std::vector<T>(array, array + N)};
}

// false, then true.
inline ParamGenerator<bool> Bool() { return ParamGenerator<bool>{{false, true}}; }

// begin, begin + step, ... up to (not including) end.
template <typename T, typename S = T>
ParamGenerator<T> Range(T begin, T end, S step = 1) {
  ParamGenerator<T> g;
  for (T v = begin; v < end; v = static_cast<T>(v + step)) g.values.push_back(v);
  return g;
}

// Every combination (tuples), the first generator varying slowest.
template <typename... Gs>
internal::CartesianProduct<Gs...> Combine(Gs... generators) {
  return internal::CartesianProduct<Gs...>{std::tuple<Gs...>(generators...)};
}

}  // namespace zxtest

#define _ZXTEST_CLASS(suite, name) suite##_##name##_Test

#define TEST_P(suite, name)                                                                    \
  class _ZXTEST_CLASS(suite, name) final : public suite {                                     \
   public:                                                                                     \
    void TestBody() override;                                                                  \
  };                                                                                           \
  [[maybe_unused]] static const bool _ZXTEST_REC(suite, name) =                                \
      ::zxtest::internal::ParamSuite<suite>::AddPattern(                                       \
          #name, []() -> ::zxtest::Test* { return new _ZXTEST_CLASS(suite, name)(); }, __FILE__, \
          __LINE__);                                                                           \
  void _ZXTEST_CLASS(suite, name)::TestBody()

// INSTANTIATE_TEST_SUITE_P(prefix, suite, generator[, name_generator]):
// each TEST_P of `suite` runs once per value, as "prefix/suite.name/N" (or
// the generator's name for the value).
#define INSTANTIATE_TEST_SUITE_P(prefix, suite, ...)                                           \
  [[maybe_unused]] static const bool zxtest_instantiation_##prefix##_##suite =                \
      ::zxtest::internal::InstantiateSuite<suite>(#prefix, #suite, __VA_ARGS__)
#define INSTANTIATE_TEST_CASE_P INSTANTIATE_TEST_SUITE_P

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

// ASSERT_DEATH / ASSERT_NO_DEATH.
#include <zxtest/cpp/death.h>

#endif  // ZXTEST_CPP_ZXTEST_H_
