// The test-only calls of <zircon/testonly-syscalls.h>: arguments one to
// eight arrive (the seventh and eighth from the stack), the wrapper's
// checks, out handles that are or are not handed out (a leaked one is a
// HANDLE_LEAK policy exception, caught here on the thread's own exception
// channel), and narrow arguments with junk in their high bits.
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>
#include <zircon/testonly-syscalls.h>

#include <thread>

#include <zxtest/zxtest.h>

namespace {

TEST(TestOnlySyscalls, ArgumentsOneToEightArrive) {
  EXPECT_EQ(zx_syscall_test_0(), 0);
  EXPECT_EQ(zx_syscall_test_1(-7), -7);
  EXPECT_EQ(zx_syscall_test_2(10, 20), 30);
  EXPECT_EQ(zx_syscall_test_3(1, 10, 100), 111);
  EXPECT_EQ(zx_syscall_test_4(1, 2, 4, 8), 15);
  EXPECT_EQ(zx_syscall_test_5(1, 2, 4, 8, 16), 31);
  EXPECT_EQ(zx_syscall_test_6(1, 2, 4, 8, 16, 32), 63);
  // Distinct powers of two: a lost or repeated argument shows.
  EXPECT_EQ(zx_syscall_test_7(1, 2, 4, 8, 16, 32, 64), 127);
  EXPECT_EQ(zx_syscall_test_8(1, 2, 4, 8, 16, 32, 64, 128), 255);
  EXPECT_EQ(zx_syscall_test_8(0, 0, 0, 0, 0, 0, 0, -3), -3);
}

TEST(TestOnlySyscalls, WrapperChecksArgumentsAndResult) {
  EXPECT_EQ(zx_syscall_test_wrapper(5, 6, 7), 18);
  EXPECT_EQ(zx_syscall_test_wrapper(0, 0, -1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_syscall_test_wrapper(20, 20, 11), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_syscall_test_wrapper(20, 20, 10), 50);
}

TEST(TestOnlySyscalls, HandleCreateHandsOutAnEvent) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  ASSERT_OK(zx_syscall_test_handle_create(ZX_OK, &h));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr, nullptr));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  EXPECT_OK(zx_handle_close(h));
}

// Runs |call| on this thread with an exception channel on it; returns the
// policy code of the one exception it raised (resumed as handled), or -1.
template <typename F>
int64_t PolicyCodeOf(F call) {
  zx_handle_t channel;
  if (zx_task_create_exception_channel(zx_thread_self(), 0, &channel) != ZX_OK) return -2;
  int64_t code = -1;
  std::thread handler([&] {
    if (zx_object_wait_one(channel, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), nullptr) !=
        ZX_OK) {
      return;
    }
    zx_exception_info_t info;
    zx_handle_t exception;
    uint32_t bytes, handles;
    if (zx_channel_read(channel, 0, &info, &exception, sizeof(info), 1, &bytes, &handles) != ZX_OK) {
      return;
    }
    zx_handle_t thread;
    zx_exception_report_t report;
    if (info.type == ZX_EXCP_POLICY_ERROR && zx_exception_get_thread(exception, &thread) == ZX_OK) {
      if (zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report),
                             nullptr, nullptr) == ZX_OK) {
        code = report.context.synth_code;
      }
      zx_handle_close(thread);
    }
    uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
    zx_object_set_property(exception, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
    zx_handle_close(exception);
  });
  call();
  handler.join();
  zx_handle_close(channel);
  return code;
}

TEST(TestOnlySyscalls, AFailedCallLeaksItsHandleAsAPolicyException) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_status_t s = ZX_OK;
  EXPECT_EQ(PolicyCodeOf([&] { s = zx_syscall_test_handle_create(ZX_ERR_UNAVAILABLE, &h); }),
            ZX_EXCP_POLICY_CODE_HANDLE_LEAK);
  EXPECT_EQ(s, ZX_ERR_UNAVAILABLE);
  EXPECT_EQ(h, ZX_HANDLE_INVALID);
  // A copy-out that fails leaks it too.
  EXPECT_EQ(PolicyCodeOf([&] { s = zx_syscall_test_handle_create(ZX_OK, nullptr); }),
            ZX_EXCP_POLICY_CODE_HANDLE_LEAK);
  EXPECT_EQ(s, ZX_ERR_INVALID_ARGS);
}

// The widening calls, called as if every argument were 64 bits wide, with
// bits set above each narrow argument's width: only its own bits count.
using Wide = uint64_t(uint64_t, uint64_t, uint64_t, uint64_t);
template <typename F>
Wide* AsWide(F* f) {
  Wide* w;
  __asm__("" : "=r"(w) : "0"(f));
  return w;
}

TEST(TestOnlySyscalls, NarrowArgumentsIgnoreTheirHighBits) {
  const uint64_t a = (uint64_t{1} << 40) | 5, b = (uint64_t{7} << 32) | 6,
                 c = (uint64_t{3} << 16) | 7, d = (uint64_t{9} << 8) | 8;
  const uint64_t unsigned_sum = a + 6 + 7 + 8;
  EXPECT_EQ(AsWide(&zx_syscall_test_widening_unsigned_narrow)(a, b, c, d), unsigned_sum);
  EXPECT_EQ(AsWide(&zx_syscall_test_widening_unsigned_wide)(a, b, c, d), unsigned_sum);
  // Signed: -2, -3 and -4 in 32, 16 and 8 bits, junk above each.
  const uint64_t sb = (uint64_t{1} << 33) | 0xfffffffeu, sc = (uint64_t{1} << 17) | 0xfffdu,
                 sd = (uint64_t{1} << 9) | 0xfcu;
  const int64_t sa = -(int64_t{1} << 35);
  const int64_t signed_sum = sa - 2 - 3 - 4;
  EXPECT_EQ(static_cast<int64_t>(AsWide(&zx_syscall_test_widening_signed_narrow)(
                static_cast<uint64_t>(sa), sb, sc, sd)),
            signed_sum);
  EXPECT_EQ(static_cast<int64_t>(AsWide(&zx_syscall_test_widening_signed_wide)(
                static_cast<uint64_t>(sa), sb, sc, sd)),
            signed_sum);
}

}  // namespace
