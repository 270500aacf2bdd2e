// zx_futex_wake_handle_close_thread_exit (a thread ends, frees its handle
// and wakes a joiner without touching its stack afterwards) and
// zx_vmar_unmap_handle_close_thread_exit and zx_cprng_draw.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

struct exiter {
  zx_futex_t done;          // 0 while running; the thread stores 7 on exit
  zx_handle_t self;         // the thread's own handle, closed on exit
  zx_handle_t watch;        // a duplicate made before the start, to see it end
  zx_handle_t stack_vmar;   // the stack's region, destroyed by the joiner
  uintptr_t stack_base;
};

static void exit_by_futex(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct exiter* e = (struct exiter*)arg1;
  zx_futex_wake_handle_close_thread_exit(&e->done, 1, 7, e->self);
}

// Starts a thread on a stack of its own region, which the joiner tears
// down as soon as the thread's exit wakes it.
static void start_exiter(struct exiter* e) {
  memset(e, 0, sizeof(*e));
  zx_handle_t vmo;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             STACK_SIZE, &e->stack_vmar, &e->stack_base));
  ASSERT_OK(zx_vmo_create(STACK_SIZE, 0, &vmo));
  uintptr_t addr;
  ASSERT_OK(zx_vmar_map(e->stack_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo,
                        0, STACK_SIZE, &addr));
  zx_handle_close(vmo);
  ASSERT_OK(zx_thread_create(zx_process_self(), "exiter", 6, 0, &e->self));
  // Before the start: the thread may close its own handle at once.
  ASSERT_OK(zx_handle_duplicate(e->self, ZX_RIGHT_SAME_RIGHTS, &e->watch));
  ASSERT_OK(zx_thread_start(e->self, (uintptr_t)exit_by_futex, addr + STACK_SIZE - 8,
                            (uintptr_t)e, 0));
}

TEST(FutexWakeHandleCloseThreadExit, StoresWakesClosesAndExits) {
  struct exiter e;
  start_exiter(&e);
  zx_handle_t watch = e.watch;
  while (__atomic_load_n(&e.done, __ATOMIC_ACQUIRE) == 0) {
    zx_status_t s = zx_futex_wait(&e.done, 0, ZX_HANDLE_INVALID, zx_deadline_after(ZX_SEC(5)));
    ASSERT_TRUE(s == ZX_OK || s == ZX_ERR_BAD_STATE, "futex_wait: %d", s);
  }
  EXPECT_EQ(e.done, 7);
  // The stack can go at once.
  ASSERT_OK(zx_vmar_destroy(e.stack_vmar));
  zx_handle_close(e.stack_vmar);
  ASSERT_OK(zx_object_wait_one(watch, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(5)), NULL));
  // The thread closed its own handle.
  EXPECT_EQ(zx_object_get_info(e.self, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL),
            ZX_ERR_BAD_HANDLE);
  zx_handle_close(watch);
}

TEST(FutexWakeHandleCloseThreadExit, ManyThreadsFreeTheirStacks) {
  for (int round = 0; round < 50; round++) {
    struct exiter e;
    start_exiter(&e);
    while (__atomic_load_n(&e.done, __ATOMIC_ACQUIRE) == 0)
      zx_futex_wait(&e.done, 0, ZX_HANDLE_INVALID, zx_deadline_after(ZX_SEC(5)));
    ASSERT_OK(zx_vmar_destroy(e.stack_vmar));
    zx_handle_close(e.stack_vmar);
    zx_handle_close(e.watch);
  }
}

// A thread that unmaps its own stack, closes its handle and exits.
struct unmapper {
  zx_handle_t self;
  uintptr_t stack_base;
};

static void exit_by_unmap(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct unmapper* u = (struct unmapper*)arg1;
  zx_vmar_unmap_handle_close_thread_exit(zx_vmar_root_self(), u->stack_base, STACK_SIZE, u->self);
  __builtin_trap();  // not reached
}

TEST(VmarUnmapHandleCloseThreadExit, FreesItsOwnStack) {
  struct unmapper u;
  zx_handle_t vmo, watch;
  ASSERT_OK(zx_vmo_create(STACK_SIZE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        STACK_SIZE, &u.stack_base));
  zx_handle_close(vmo);
  ASSERT_OK(zx_thread_create(zx_process_self(), "unmapper", 8, 0, &u.self));
  ASSERT_OK(zx_handle_duplicate(u.self, ZX_RIGHT_SAME_RIGHTS, &watch));
  ASSERT_OK(zx_thread_start(u.self, (uintptr_t)exit_by_unmap, u.stack_base + STACK_SIZE - 8,
                            (uintptr_t)&u, 0));
  ASSERT_OK(zx_object_wait_one(watch, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(5)), NULL));
  zx_handle_close(watch);
  // The stack is gone: mapping something at exactly that range succeeds.
  ASSERT_OK(zx_vmo_create(STACK_SIZE, 0, &vmo));
  zx_info_vmar_t root;
  ASSERT_OK(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL));
  uintptr_t again;
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_SPECIFIC,
                        u.stack_base - root.base, vmo, 0, STACK_SIZE, &again));
  EXPECT_EQ(again, u.stack_base);
  zx_vmar_unmap(zx_vmar_root_self(), again, STACK_SIZE);
  zx_handle_close(vmo);
}

TEST(VmarUnmapHandleCloseThreadExit, ErrorsReturnWithoutExiting) {
  zx_handle_t self = zx_thread_self();
  // A failed unmap returns its status; the thread goes on and keeps its handle.
  EXPECT_EQ(zx_vmar_unmap_handle_close_thread_exit(zx_vmar_root_self(), 1, 4096, ZX_HANDLE_INVALID),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_vmar_unmap_handle_close_thread_exit(ZX_HANDLE_INVALID, 0, 4096, self),
            ZX_ERR_BAD_HANDLE);
  EXPECT_OK(zx_object_get_info(self, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
}

TEST(CprngDraw, FillsBuffersOfAnySize) {
  static uint8_t a[4096 + 17], b[4096 + 17];
  zx_cprng_draw(a, sizeof(a));
  zx_cprng_draw(b, sizeof(b));
  EXPECT_NE(memcmp(a, b, sizeof(a)), 0);
  // Every byte value turns up in 8 KiB of random bytes.
  int seen[256] = {0};
  for (size_t i = 0; i < sizeof(a); i++) seen[a[i]] = seen[b[i]] = 1;
  int missing = 0;
  for (int v = 0; v < 256; v++) missing += !seen[v];
  EXPECT_EQ(missing, 0);
  zx_cprng_draw(NULL, 0);  // nothing to draw
}
