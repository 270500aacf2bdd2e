// zxtest's value-parameterized tests and runner flags (checked from
// tests/cxx.rs, which reads the output).
#include <zxtest/zxtest.h>

#include <cstdio>
#include <string>
#include <tuple>

namespace {

enum class Shape { kSquare, kCircle };

class Doubling : public zxtest::TestWithParam<int> {};

int g_sum;

TEST_P(Doubling, IsEven) { EXPECT_EQ((GetParam() * 2) % 2, 0); }
TEST_P(Doubling, Accumulates) { g_sum += GetParam(); }

// Instantiated before the cases exist in the file and after: both work.
INSTANTIATE_TEST_SUITE_P(Few, Doubling, zxtest::Values(1, 2, 3));
INSTANTIATE_TEST_SUITE_P(Stepped, Doubling, zxtest::Range(10, 16, 5));

class Grid : public zxtest::TestWithParam<std::tuple<Shape, bool>> {};

TEST_P(Grid, Unpacks) {
  const auto [shape, filled] = GetParam();
  EXPECT_TRUE(shape == Shape::kSquare || shape == Shape::kCircle);
  (void)filled;
}

INSTANTIATE_TEST_SUITE_P(
    Every, Grid, zxtest::Combine(zxtest::Values(Shape::kSquare, Shape::kCircle), zxtest::Bool()),
    [](const zxtest::TestParamInfo<std::tuple<Shape, bool>>& info) {
      return std::string(std::get<0>(info.param) == Shape::kSquare ? "Square" : "Circle") +
             (std::get<1>(info.param) ? "Filled" : "Empty");
    });

TEST(Runner, ReportsItsSeed) {
  std::printf("seed=%u\n", zxtest::Runner::GetInstance()->random_seed());
}

TEST(DISABLED_Later, Fails) { FAIL("a disabled case ran"); }

}  // namespace
