// SDK sample: zxtest with passing and failing checks (expected: 2 passed,
// 2 failed, exit status 1).
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

static int ctor_ran;
__attribute__((constructor)) static void ctor(void) { ctor_ran = 1; }

TEST(Sample, Passes) {
  size_t n = 4;
  ASSERT_EQ(n, 4);
  ASSERT_TRUE(ctor_ran, "constructors ran");
  ASSERT_STR_EQ("abc", "abc");
  ASSERT_BYTES_EQ("abc", "abd", 2);
}

TEST(Sample, Vmo) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_STATUS(zx_vmo_create(1, 0xff, &vmo), ZX_ERR_INVALID_ARGS, "options %#x", 0xff);
}

TEST(Sample, ExpectFails) {
  EXPECT_EQ(1, 2, "one is not %s", "two");
  printf("continued after EXPECT\n");
}

TEST(Sample, AssertFails) {
  ASSERT_OK(ZX_ERR_NOT_FOUND);
  printf("NOT REACHED\n");
}
