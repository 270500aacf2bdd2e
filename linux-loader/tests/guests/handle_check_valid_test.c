// zx_handle_check_valid: which values are handles of this process.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

TEST(HandleCheckValid, Statuses) {
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_handle_check_valid(ev));
  ASSERT_OK(zx_handle_check_valid(zx_process_self()));
  ASSERT_EQ(zx_handle_check_valid(ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  // Every handle value has both low bits set; others are never handles.
  ASSERT_EQ(zx_handle_check_valid(ev & ~1u), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_handle_check_valid(ev & ~2u), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_handle_check_valid(0x10), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_handle_close(ev));
  ASSERT_EQ(zx_handle_check_valid(ev), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_handle_check_valid(ZX_HANDLE_FIXED_BITS_MASK), ZX_ERR_NOT_FOUND);
}

TEST(HandleCheckValid, MovedHandleIsGone) {
  zx_handle_t ev, a, b;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &ev, 1));
  ASSERT_EQ(zx_handle_check_valid(ev), ZX_ERR_NOT_FOUND);
  zx_handle_t got;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(b, 0, NULL, &got, 0, 1, &nb, &nh));
  ASSERT_OK(zx_handle_check_valid(got));
  zx_handle_close(got);
  zx_handle_close(a);
  zx_handle_close(b);
}
