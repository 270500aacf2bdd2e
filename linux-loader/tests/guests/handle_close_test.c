// Closing a handle another thread waits on: the wait ends with
// ZX_ERR_CANCELED, for zx_handle_close and zx_handle_close_many alike.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

static zx_handle_t g_event;
static volatile zx_status_t g_wait_status;
static zx_futex_t g_done;

static void waiter(uintptr_t arg1, uintptr_t arg2) {
  (void)arg1;
  (void)arg2;
  g_wait_status = zx_object_wait_one(g_event, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL);
  __atomic_store_n(&g_done, 1, __ATOMIC_RELEASE);
  zx_futex_wake(&g_done, 1);
  zx_thread_exit();
}

static void close_while_waited_on(int many) {
  ASSERT_OK(zx_event_create(0, &g_event));
  g_done = 0;
  g_wait_status = 1;
  zx_handle_t vmo, thread;
  uintptr_t stack;
  ASSERT_OK(zx_vmo_create(STACK_SIZE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        STACK_SIZE, &stack));
  zx_handle_close(vmo);
  ASSERT_OK(zx_thread_create(zx_process_self(), "waiter", 6, 0, &thread));
  ASSERT_OK(zx_thread_start(thread, (uintptr_t)waiter, stack + STACK_SIZE - 8, 0, 0));
  // Let the waiter block first.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  if (many) {
    zx_handle_t hs[2] = {g_event, ZX_HANDLE_INVALID};
    ASSERT_OK(zx_handle_close_many(hs, 2));
  } else {
    ASSERT_OK(zx_handle_close(g_event));
  }
  while (__atomic_load_n(&g_done, __ATOMIC_ACQUIRE) == 0)
    zx_futex_wait(&g_done, 0, ZX_HANDLE_INVALID, zx_deadline_after(ZX_SEC(5)));
  EXPECT_EQ(g_wait_status, ZX_ERR_CANCELED);
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(5)), NULL));
  zx_handle_close(thread);
}

TEST(HandleClose, CancelsWaitsOnTheHandle) { close_while_waited_on(0); }

TEST(HandleCloseMany, CancelsWaitsOnTheHandles) { close_while_waited_on(1); }
