// zx_thread_raise_exception: a thread raises ZX_EXCP_USER on itself for the
// debuggers of the nearest job that has any, with its code and data; a
// debugger resumes it (the call returns) or ends it; without a debugger the
// call returns at once. Also the call's checks.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr);
  zx_handle_close(vmo);
  return addr + STACK_SIZE - 8;
}

static zx_status_t raise(uint32_t code, uint32_t data) {
  zx_exception_context_t ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.synth_code = code;
  ctx.synth_data = data;
  return zx_thread_raise_exception(ZX_EXCEPTION_TARGET_JOB_DEBUGGER, ZX_EXCP_USER, &ctx);
}

TEST(RaiseException, WithoutADebuggerReturnsAtOnce) { EXPECT_OK(raise(ZX_EXCP_USER_CODE_USER0, 1)); }

TEST(RaiseException, Checks) {
  zx_exception_context_t ctx;
  memset(&ctx, 0, sizeof(ctx));
  EXPECT_EQ(zx_thread_raise_exception(0, ZX_EXCP_USER, &ctx), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_thread_raise_exception(ZX_EXCEPTION_TARGET_JOB_DEBUGGER, ZX_EXCP_GENERAL, &ctx),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_thread_raise_exception(ZX_EXCEPTION_TARGET_JOB_DEBUGGER, ZX_EXCP_USER, NULL),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_thread_raise_exception(ZX_EXCEPTION_TARGET_JOB_DEBUGGER, ZX_EXCP_USER,
                                      (const zx_exception_context_t*)8),
            ZX_ERR_INVALID_ARGS);
}

static volatile zx_status_t g_status = 1;

static void raiser(uintptr_t code, uintptr_t data) {
  g_status = raise((uint32_t)code, (uint32_t)data);
  zx_thread_exit();
}

static zx_handle_t start_raiser(uint32_t code, uint32_t data) {
  zx_handle_t t;
  if (zx_thread_create(zx_process_self(), "raiser", 6, 0, &t) != ZX_OK) return ZX_HANDLE_INVALID;
  if (zx_thread_start(t, (uintptr_t)raiser, make_stack(), code, data) != ZX_OK) return ZX_HANDLE_INVALID;
  return t;
}

static void answer(zx_handle_t dch, zx_handle_t t, uint32_t code, uint32_t data, uint32_t state) {
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_object_wait_one(dch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
  ASSERT_OK(zx_channel_read(dch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  EXPECT_EQ(info.type, ZX_EXCP_USER);
  zx_exception_report_t report;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL));
  EXPECT_EQ(report.header.type, ZX_EXCP_USER);
  EXPECT_EQ(report.context.synth_code, code);
  EXPECT_EQ(report.context.synth_data, data);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  EXPECT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER);
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
}

TEST(RaiseException, AJobDebuggerHearsAndResumes) {
  zx_handle_t dch;
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  g_status = 1;
  zx_handle_t t = start_raiser(ZX_EXCP_USER_CODE_USER1, 42);
  ASSERT_NE(t, ZX_HANDLE_INVALID);
  ASSERT_NO_FATAL_FAILURE(answer(dch, t, ZX_EXCP_USER_CODE_USER1, 42, ZX_EXCEPTION_STATE_HANDLED));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_OK(g_status);
  zx_handle_close(t);
  zx_handle_close(dch);
}

TEST(RaiseException, ADebuggerCanEndTheThread) {
  zx_handle_t dch;
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  g_status = 1;
  zx_handle_t t = start_raiser(ZX_EXCP_USER_CODE_PROCESS_NAME_CHANGED, 0);
  ASSERT_NO_FATAL_FAILURE(
      answer(dch, t, ZX_EXCP_USER_CODE_PROCESS_NAME_CHANGED, 0, ZX_EXCEPTION_STATE_THREAD_EXIT));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_status, 1, "the call never returned");
  zx_handle_close(t);
  zx_handle_close(dch);
}
