// A small zxtest program for the test runner's own tests (tests/cli.rs):
// two passing cases, and with -DSAMPLE_FAILS a failing one.
#include <zxtest/zxtest.h>

TEST(Sample, One) { ASSERT_EQ(1, 1); }

TEST(Sample, Two) { EXPECT_NE(1, 2); }

#ifdef SAMPLE_FAILS
TEST(Sample, Fails) { ASSERT_EQ(1, 2); }
#endif
