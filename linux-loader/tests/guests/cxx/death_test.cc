// zxtest's death tests: ASSERT_DEATH / EXPECT_DEATH / ASSERT_NO_DEATH /
// EXPECT_NO_DEATH run their statement on a thread of its own with an
// exception channel; an exception ends that thread and is a death. With
// the argument "fail", two mismatches show how failures are reported.
#include <stdint.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#include <vector>

namespace {

bool g_mismatches = false;

TEST(Death, ATrapIsADeath) { ASSERT_DEATH([] { __builtin_trap(); }); }

// An address no mapping covers, hidden from the optimizer.
volatile uintptr_t g_unmapped = 8;

TEST(Death, AFaultIsADeath) {
  ASSERT_DEATH([] { *reinterpret_cast<volatile int*>(g_unmapped) = 1; }, "a write to page 0");
}

TEST(Death, TheStatementSeesTheTestsState) {
  int seen = 0;
  ASSERT_NO_DEATH([&seen] {
    std::vector<int> v(64, 7);
    seen = v[63];
  });
  EXPECT_EQ(seen, 7);
}

TEST(Death, TheTestGoesOnAfterADeath) {
  for (int i = 0; i < 16; i++) {
    EXPECT_DEATH([] { __builtin_trap(); });
  }
  zx_handle_t event;
  ASSERT_OK(zx_event_create(0, &event));
  EXPECT_OK(zx_handle_close(event));
}

TEST(Death, Mismatches) {
  if (!g_mismatches) {
    ZXTEST_SKIP("run with \"fail\"");
  }
  EXPECT_DEATH([] {}, "returns");
  EXPECT_NO_DEATH([] { __builtin_trap(); }, "traps");
}

}  // namespace

int main(int argc, char** argv) {
  g_mismatches = argc > 1 && strcmp(argv[1], "fail") == 0;
  return RUN_ALL_TESTS(argc, argv);
}
