// Futex ownership: zx_futex_wait's new owner, zx_futex_wake_single_owner,
// zx_futex_requeue(_single_owner)'s requeue owner, zx_futex_get_owner, and
// the order in which futex calls check their arguments.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE,
                  &addr) != ZX_OK)
    addr = 0;
  zx_handle_close(vmo);
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return ZX_KOID_INVALID;
  return info.koid;
}

static zx_koid_t owner_of(zx_futex_t* f) {
  zx_koid_t k = 12345;
  if (zx_futex_get_owner(f, &k) != ZX_OK) return 12345;
  return k;
}

// A waiter: waits on `futex` (value 0) naming `owner`, and stores the
// outcome in its slot.
struct waiter {
  zx_futex_t* futex;
  zx_handle_t owner;
  volatile zx_status_t result;
  volatile int done;
  zx_handle_t thread;
};

static void wait_body(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  struct waiter* w = (struct waiter*)arg;
  w->result = zx_futex_wait(w->futex, 0, w->owner, ZX_TIME_INFINITE);
  __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
  zx_futex_wake((zx_futex_t*)&w->done, 1);
  zx_thread_exit();
}

static void blocked_in_futex(zx_handle_t t) {
  for (;;) {
    zx_info_thread_t info;
    ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
    if (info.state == ZX_THREAD_STATE_BLOCKED_FUTEX) return;
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
}

static void start_waiter(struct waiter* w, zx_futex_t* futex, zx_handle_t owner) {
  w->futex = futex;
  w->owner = owner;
  w->result = 1;
  w->done = 0;
  ASSERT_OK(zx_thread_create(zx_process_self(), "waiter", 6, 0, &w->thread));
  ASSERT_OK(zx_thread_start(w->thread, (uintptr_t)wait_body, make_stack(), (uintptr_t)w, 0));
  ASSERT_NO_FATAL_FAILURE(blocked_in_futex(w->thread));
}

static void finish_waiter(struct waiter* w, zx_status_t expect) {
  ASSERT_OK(zx_object_wait_one(w->thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(w->result, expect);
  zx_handle_close(w->thread);
}

static zx_handle_t self_dup(void) {
  zx_handle_t h;
  zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_SAME_RIGHTS, &h);
  return h;
}

TEST(FutexOwner, GetOwnerChecksItsArguments) {
  static zx_futex_t f = 0;
  zx_koid_t k = 7;
  ASSERT_OK(zx_futex_get_owner(&f, &k));
  ASSERT_EQ(k, ZX_KOID_INVALID);
  ASSERT_STATUS(zx_futex_get_owner((zx_futex_t*)((uintptr_t)&f + 1), &k), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_futex_get_owner(NULL, &k), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_futex_get_owner(&f, NULL), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_futex_wake_single_owner(&f));
  ASSERT_STATUS(zx_futex_wake_single_owner((zx_futex_t*)((uintptr_t)&f + 2)),
                ZX_ERR_INVALID_ARGS);
}

TEST(FutexOwner, ValueIsCheckedBeforeTheOwner) {
  static zx_futex_t f = 5;
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  // A value that does not match wins over any owner problem.
  ASSERT_STATUS(zx_futex_wait(&f, 0, 0x7ffffff3u, 0), ZX_ERR_BAD_STATE);
  ASSERT_STATUS(zx_futex_wait(&f, 0, ev, 0), ZX_ERR_BAD_STATE);
  ASSERT_STATUS(zx_futex_wait(&f, 0, zx_thread_self(), 0), ZX_ERR_BAD_STATE);
  // Then the owner's handle, then the owner being the waiter itself.
  ASSERT_STATUS(zx_futex_wait(&f, 5, 0x7ffffff3u, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_STATUS(zx_futex_wait(&f, 5, ev, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_STATUS(zx_futex_wait(&f, 5, zx_thread_self(), 0), ZX_ERR_INVALID_ARGS);
  // A thread that was never started cannot own a futex.
  zx_handle_t unstarted;
  ASSERT_OK(zx_thread_create(zx_process_self(), "new", 3, 0, &unstarted));
  ASSERT_STATUS(zx_futex_wait(&f, 5, unstarted, 0), ZX_ERR_INVALID_ARGS);
  // A good owner and a deadline in the past: the wait times out.
  zx_handle_close(unstarted);
  zx_handle_close(ev);
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
}

TEST(FutexOwner, WaiterNamesTheOwnerWakeReleasesIt) {
  static zx_futex_t f = 0;
  struct waiter w;
  zx_handle_t me = self_dup();
  ASSERT_NO_FATAL_FAILURE(start_waiter(&w, &f, me));
  ASSERT_EQ(owner_of(&f), koid_of(zx_thread_self()));
  ASSERT_OK(zx_futex_wake(&f, 1));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&w, ZX_OK));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
  zx_handle_close(me);
}

TEST(FutexOwner, WakeWithCountZeroStillReleasesOwnership) {
  static zx_futex_t f = 0;
  struct waiter w;
  zx_handle_t me = self_dup();
  ASSERT_NO_FATAL_FAILURE(start_waiter(&w, &f, me));
  ASSERT_OK(zx_futex_wake(&f, 0));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
  ASSERT_OK(zx_futex_wake(&f, 1));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&w, ZX_OK));
  zx_handle_close(me);
}

TEST(FutexOwner, WakeSingleOwnerHandsOwnershipToTheWoken) {
  static zx_futex_t f = 0;
  struct waiter a, b;
  ASSERT_NO_FATAL_FAILURE(start_waiter(&a, &f, ZX_HANDLE_INVALID));
  ASSERT_NO_FATAL_FAILURE(start_waiter(&b, &f, ZX_HANDLE_INVALID));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
  ASSERT_OK(zx_futex_wake_single_owner(&f));
  // The oldest waiter is woken and owns the futex while b still waits.
  ASSERT_OK(zx_object_wait_one(a.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);  // a has exited: a dead owner reads as none
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&a, ZX_OK));
  // The last waiter woken: nobody waits, so nobody owns.
  ASSERT_OK(zx_futex_wake_single_owner(&f));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&b, ZX_OK));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
}

// The woken thread owns the futex while others wait and it lives: it
// parks on a second futex after waking, so the owner can be read.
static zx_futex_t g_park;

static void wait_then_park(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  struct waiter* w = (struct waiter*)arg;
  w->result = zx_futex_wait(w->futex, 0, w->owner, ZX_TIME_INFINITE);
  __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
  zx_futex_wait(&g_park, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  zx_thread_exit();
}

TEST(FutexOwner, WokenOwnerIsReportedWhileItLives) {
  static zx_futex_t f = 0;
  struct waiter a, b;
  g_park = 0;
  a.futex = &f;
  a.owner = ZX_HANDLE_INVALID;
  a.done = 0;
  ASSERT_OK(zx_thread_create(zx_process_self(), "parker", 6, 0, &a.thread));
  ASSERT_OK(zx_thread_start(a.thread, (uintptr_t)wait_then_park, make_stack(), (uintptr_t)&a, 0));
  ASSERT_NO_FATAL_FAILURE(blocked_in_futex(a.thread));
  ASSERT_NO_FATAL_FAILURE(start_waiter(&b, &f, ZX_HANDLE_INVALID));
  ASSERT_OK(zx_futex_wake_single_owner(&f));
  while (!__atomic_load_n(&a.done, __ATOMIC_SEQ_CST)) zx_nanosleep(zx_deadline_after(ZX_USEC(50)));
  ASSERT_EQ(owner_of(&f), koid_of(a.thread));
  // The owner ending while it waits elsewhere ends its ownership. A thread
  // cannot be killed on its own (zx_task_kill takes no threads, as on
  // Zircon), so it is suspended in its wait on g_park and resumed at
  // zx_thread_exit: it never returns from that wait.
  ASSERT_NO_FATAL_FAILURE(blocked_in_futex(a.thread));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(a.thread, &token));
  ASSERT_OK(zx_object_wait_one(a.thread, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(a.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  regs.rip = (uint64_t)(uintptr_t)zx_thread_exit;
  ASSERT_OK(zx_thread_write_state(a.thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_EQ(owner_of(&f), koid_of(a.thread), "suspended, it still owns the futex");
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(a.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
  zx_handle_close(a.thread);
  ASSERT_OK(zx_futex_wake(&f, 1));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&b, ZX_OK));
}

TEST(FutexOwner, AnOwnerMayNotAlreadyWaitOnTheFutex) {
  static zx_futex_t f = 0;
  struct waiter a;
  ASSERT_NO_FATAL_FAILURE(start_waiter(&a, &f, ZX_HANDLE_INVALID));
  ASSERT_STATUS(zx_futex_wait(&f, 0, a.thread, 0), ZX_ERR_INVALID_ARGS);
  static zx_futex_t other = 0;
  ASSERT_STATUS(zx_futex_requeue(&other, 0, 0, &f, 0, a.thread), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_futex_requeue(&f, 0, 0, &other, 0, a.thread), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_futex_wake(&f, 1));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&a, ZX_OK));
}

TEST(FutexOwner, TimedOutLastWaiterTakesTheOwnershipAway) {
  static zx_futex_t f = 0;
  // A deadline in the past: the wait joins and leaves at once.
  ASSERT_STATUS(zx_futex_wait(&f, 0, ZX_HANDLE_INVALID, zx_deadline_after(ZX_MSEC(2))),
                ZX_ERR_TIMED_OUT);
  ASSERT_EQ(owner_of(&f), ZX_KOID_INVALID);
}

TEST(FutexOwner, RequeueGivesTheTargetItsOwner) {
  static zx_futex_t from = 0, to = 0;
  struct waiter a, b;
  zx_handle_t me = self_dup();
  ASSERT_NO_FATAL_FAILURE(start_waiter(&a, &from, me));
  ASSERT_NO_FATAL_FAILURE(start_waiter(&b, &from, me));
  ASSERT_EQ(owner_of(&from), koid_of(zx_thread_self()));
  // The value check comes first, then the owner handle.
  ASSERT_STATUS(zx_futex_requeue(&from, 0, 1, &to, 2, 0x7ffffff3u), ZX_ERR_BAD_STATE);
  ASSERT_STATUS(zx_futex_requeue(&from, 0, 0, &to, 2, 0x7ffffff3u), ZX_ERR_BAD_HANDLE);
  ASSERT_STATUS(zx_futex_requeue(&from, 0, 0, &from, 2, ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  // Move both, owned by this thread on the target; the source is empty.
  ASSERT_OK(zx_futex_requeue(&from, 0, 0, &to, 2, me));
  ASSERT_EQ(owner_of(&from), ZX_KOID_INVALID);
  ASSERT_EQ(owner_of(&to), koid_of(zx_thread_self()));
  // requeue_single_owner wakes one from `to`, which owns it, and moves the
  // other back with no owner on `from`.
  ASSERT_OK(zx_futex_requeue_single_owner(&to, 0, &from, 1, ZX_HANDLE_INVALID));
  ASSERT_OK(zx_object_wait_one(a.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&a, ZX_OK));
  ASSERT_EQ(owner_of(&from), ZX_KOID_INVALID);
  ASSERT_EQ(zx_futex_wake(&from, 1), ZX_OK);
  ASSERT_NO_FATAL_FAILURE(finish_waiter(&b, ZX_OK));
  zx_handle_close(me);
}
