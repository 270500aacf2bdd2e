// Threads and futexes: zx_thread_create/start/exit, ZX_THREAD_TERMINATED,
// zx_futex_wait/wake, 1:1 host threads running guest code in parallel, and
// zx_task_kill, which takes no threads (a thread dies with its process).
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zxtest/zxtest.h>

#include "child_task.h"

#define STACK_SIZE (64u * 1024u)

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr) != ZX_OK)
    addr = 0;
  zx_handle_close(vmo);
  // As if a call had pushed a return address: the ABI's alignment at entry.
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static volatile uint32_t g_counter;

static void bump_and_exit(uintptr_t arg1, uintptr_t arg2) {
  for (uintptr_t i = 0; i < arg1; i++) __atomic_fetch_add(&g_counter, (uint32_t)arg2, __ATOMIC_SEQ_CST);
  zx_futex_wake((zx_futex_t*)&g_counter, UINT32_MAX);
  zx_thread_exit();
}

static zx_status_t start(zx_handle_t* thread, const char* name, void (*fn)(uintptr_t, uintptr_t), uintptr_t a1,
                         uintptr_t a2) {
  zx_status_t s = zx_thread_create(zx_process_self(), name, strlen(name), 0, thread);
  if (s != ZX_OK) return s;
  return zx_thread_start(*thread, (uintptr_t)fn, make_stack(), a1, a2);
}

TEST(Thread, SelfHandle) {
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_THREAD);
  ASSERT_EQ(info.rights, ZX_DEFAULT_THREAD_RIGHTS);
  zx_info_handle_basic_t pinfo;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &pinfo, sizeof(pinfo), NULL, NULL));
  ASSERT_EQ(info.related_koid, pinfo.koid);
}

TEST(Thread, CreateErrors) {
  zx_handle_t t, vmo;
  ASSERT_EQ(zx_thread_create(zx_process_self(), "t", 1, 1, &t), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_thread_create(0x7fffff03u, "t", 1, 0, &t), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_EQ(zx_thread_create(vmo, "t", 1, 0, &t), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_thread_create(zx_process_self(), (const char*)0x7fffffffe000ul, 4, 0, &t), ZX_ERR_INVALID_ARGS);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_DUPLICATE, &weak));
  ASSERT_EQ(zx_thread_create(weak, "t", 1, 0, &t), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_handle_close(vmo);
}

TEST(Thread, StartRunsAndTerminates) {
  zx_handle_t t;
  g_counter = 0;
  ASSERT_OK(start(&t, "worker", bump_and_exit, 1, 1));
  zx_signals_t observed;
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), &observed));
  ASSERT_EQ(g_counter, 1u);
  // A dead thread is neither running nor suspended.
  ASSERT_EQ(observed & (ZX_THREAD_RUNNING | ZX_THREAD_SUSPENDED), 0u);
  char name[ZX_MAX_NAME_LEN];
  ASSERT_OK(zx_object_get_property(t, ZX_PROP_NAME, name, sizeof(name)));
  ASSERT_EQ(strcmp(name, "worker"), 0);
  // A thread starts once.
  ASSERT_EQ(zx_thread_start(t, (uintptr_t)bump_and_exit, make_stack(), 0, 0), ZX_ERR_BAD_STATE);
  zx_handle_close(t);
}

TEST(Thread, StartErrors) {
  zx_handle_t t;
  ASSERT_OK(zx_thread_create(zx_process_self(), "t", 1, 0, &t));
  // Only an entry outside the user half is refused (a kernel address).
  ASSERT_EQ(zx_thread_start(t, 0xffff800000001000ul, make_stack(), 0, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_thread_start(t, 1ul << 47, make_stack(), 0, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(t, ZX_RIGHT_DUPLICATE, &weak));
  ASSERT_EQ(zx_thread_start(weak, (uintptr_t)bump_and_exit, make_stack(), 0, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_handle_close(t);
  // zx_thread_start may start a process's first thread too, as on Zircon;
  // zx_process_start then finds the process started. (Suspended, so the
  // thread never runs at the unmapped entry.)
  zx_handle_t proc, vmar, token;
  ASSERT_OK(zx_process_create(zx_job_default(), "p", 1, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "t", 1, 0, &t));
  ASSERT_OK(zx_task_suspend(t, &token));
  zx_info_vmar_t info;
  ASSERT_OK(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  ASSERT_OK(zx_thread_start(t, info.base + 4096, info.base + 8192, 0, 0));
  zx_info_process_t pinfo;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &pinfo, sizeof(pinfo), NULL, NULL));
  ASSERT_NE(pinfo.flags & ZX_INFO_PROCESS_FLAG_STARTED, 0u);
  zx_handle_t t2;
  ASSERT_OK(zx_thread_create(proc, "t2", 2, 0, &t2));
  ASSERT_EQ(zx_process_start(proc, t2, info.base + 4096, info.base + 8192, ZX_HANDLE_INVALID, 0),
            ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_task_kill(proc));
  ASSERT_OK(zx_object_wait_one(proc, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(token);
  zx_handle_close(t2);
  zx_handle_close(t);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

TEST(Thread, ManyThreadsInParallel) {
  enum { N = 8, ROUNDS = 20000 };
  zx_handle_t t[N];
  g_counter = 0;
  for (int i = 0; i < N; i++) ASSERT_OK(start(&t[i], "adder", bump_and_exit, ROUNDS, 1));
  zx_wait_item_t items[N];
  for (int i = 0; i < N; i++) {
    ASSERT_OK(zx_object_wait_one(t[i], ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
    items[i].handle = t[i];
    items[i].waitfor = ZX_THREAD_TERMINATED;
  }
  ASSERT_OK(zx_object_wait_many(items, N, 0));
  for (int i = 0; i < N; i++) ASSERT_EQ(items[i].pending & ZX_THREAD_TERMINATED, ZX_THREAD_TERMINATED);
  ASSERT_EQ(g_counter, (uint32_t)(N * ROUNDS));
  for (int i = 0; i < N; i++) zx_handle_close(t[i]);
}

static volatile uint32_t g_flag;

static void set_flag_later(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  __atomic_store_n(&g_flag, (uint32_t)arg1, __ATOMIC_SEQ_CST);
  zx_futex_wake((zx_futex_t*)&g_flag, 1);
  zx_thread_exit();
}

TEST(Futex, WaitAndWake) {
  zx_handle_t t;
  g_flag = 0;
  ASSERT_OK(start(&t, "waker", set_flag_later, 7, 0));
  zx_instant_mono_t deadline = zx_deadline_after(ZX_SEC(10));
  while (__atomic_load_n(&g_flag, __ATOMIC_SEQ_CST) == 0) {
    zx_status_t s = zx_futex_wait((zx_futex_t*)&g_flag, 0, ZX_HANDLE_INVALID, deadline);
    ASSERT_TRUE(s == ZX_OK || s == ZX_ERR_BAD_STATE, "status %d", s);
  }
  ASSERT_EQ(g_flag, 7u);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(t);
}

TEST(Futex, Errors) {
  static zx_futex_t word = 5;
  ASSERT_EQ(zx_futex_wait(&word, 4, ZX_HANDLE_INVALID, 0), ZX_ERR_BAD_STATE);
  ASSERT_EQ(zx_futex_wait(&word, 5, ZX_HANDLE_INVALID, zx_deadline_after(ZX_MSEC(1))), ZX_ERR_TIMED_OUT);
  ASSERT_EQ(zx_futex_wait((zx_futex_t*)((uintptr_t)&word + 1), 5, ZX_HANDLE_INVALID, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_futex_wait((zx_futex_t*)0x7fffffffe000ul, 5, ZX_HANDLE_INVALID, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_futex_wait(&word, 5, 0x7fffff03u, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_futex_wake(&word, 1));
  ASSERT_EQ(zx_futex_wake((zx_futex_t*)((uintptr_t)&word + 2), 1), ZX_ERR_INVALID_ARGS);
}

TEST(Thread, InfoThreadAndProcessThreads) {
  zx_handle_t t;
  zx_info_thread_t info;
  ASSERT_OK(zx_thread_create(zx_process_self(), "info", 4, 0, &t));
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.state, ZX_THREAD_STATE_NEW);
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.state, ZX_THREAD_STATE_RUNNING);
  zx_koid_t koids[16];
  size_t actual, avail;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_THREADS, koids, sizeof(koids), &actual, &avail));
  ASSERT_GE(actual, 2u, "the running main thread and the new one");
  ASSERT_EQ(actual, avail);
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  int found = 0;
  for (size_t i = 0; i < actual; i++) found |= koids[i] == basic.koid;
  ASSERT_TRUE(found);
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_THREADS, koids, 8, &actual, &avail));
  ASSERT_EQ(actual, 1u);
  ASSERT_GE(avail, 2u);
  // Started, it runs to its end (zx_thread_exit) and reads as DEAD.
  ASSERT_OK(zx_thread_start(t, (uintptr_t)bump_and_exit, make_stack(), 0, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.state, ZX_THREAD_STATE_DEAD);
  zx_handle_close(t);
}

static zx_futex_t g_futex_a, g_futex_b;
static volatile uint32_t g_woken;

static void futex_sleeper(uintptr_t arg1, uintptr_t arg2) {
  (void)arg1;
  (void)arg2;
  zx_futex_wait(&g_futex_a, 0, ZX_HANDLE_INVALID, zx_deadline_after(ZX_SEC(20)));
  __atomic_fetch_add(&g_woken, 1, __ATOMIC_SEQ_CST);
  zx_thread_exit();
}

TEST(Futex, Requeue) {
  enum { N = 3 };
  zx_handle_t t[N];
  g_futex_a = 0;
  g_futex_b = 0;
  g_woken = 0;
  for (int i = 0; i < N; i++) ASSERT_OK(start(&t[i], "sleeper", futex_sleeper, 0, 0));
  // Wait until every sleeper is blocked on the futex (ZX_INFO_THREAD says so).
  for (int i = 0; i < N; i++) {
    zx_info_thread_t info;
    zx_instant_mono_t give_up = zx_deadline_after(ZX_SEC(20));
    do {
      ASSERT_OK(zx_object_get_info(t[i], ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
      if (info.state == ZX_THREAD_STATE_BLOCKED_FUTEX) break;
      zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
    } while (zx_clock_get_monotonic() < give_up);
    ASSERT_EQ(info.state, ZX_THREAD_STATE_BLOCKED_FUTEX);
  }
  ASSERT_EQ(zx_futex_requeue(&g_futex_a, 1, 1, &g_futex_b, 5, ZX_HANDLE_INVALID), ZX_ERR_BAD_STATE);
  ASSERT_EQ(zx_futex_requeue(&g_futex_a, 1, 0, &g_futex_a, 5, ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  // Wake one, move the rest to B.
  ASSERT_OK(zx_futex_requeue(&g_futex_a, 1, 0, &g_futex_b, 5, ZX_HANDLE_INVALID));
  zx_instant_mono_t give_up = zx_deadline_after(ZX_SEC(20));
  while (__atomic_load_n(&g_woken, __ATOMIC_SEQ_CST) < 1 && zx_clock_get_monotonic() < give_up)
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  ASSERT_EQ(g_woken, 1u);
  // Waking A again wakes nobody (the others now wait on B).
  ASSERT_OK(zx_futex_wake(&g_futex_a, UINT32_MAX));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  ASSERT_EQ(g_woken, 1u);
  ASSERT_OK(zx_futex_wake(&g_futex_b, UINT32_MAX));
  for (int i = 0; i < N; i++) {
    ASSERT_OK(zx_object_wait_one(t[i], ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
    zx_handle_close(t[i]);
  }
  ASSERT_EQ(g_woken, (uint32_t)N);
}

TEST(Thread, RunningSignal) {
  // ZX_THREAD_RUNNING is raised when the thread starts (not before).
  zx_handle_t t;
  ASSERT_OK(zx_thread_create(zx_process_self(), "r", 1, 0, &t));
  zx_signals_t pending = 0;
  ASSERT_EQ(zx_object_wait_one(t, ZX_THREAD_RUNNING, 0, &pending), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_thread_start(t, (uintptr_t)bump_and_exit, make_stack(), 0, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_RUNNING | ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &pending));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &pending));
  ASSERT_EQ(pending & ZX_THREAD_RUNNING, 0u);
  zx_handle_close(t);
}

// An entry (or stack) nothing maps is accepted, as on Zircon: the thread
// starts and takes a fatal page fault there.

TEST(Thread, StartAtAnUnmappedEntryFaults) {
  zx_handle_t t, ch;
  ASSERT_OK(zx_thread_create(zx_process_self(), "nowhere", 7, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(zx_thread_start(t, 0x1000, 0, 0, 0));
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_EQ(regs.rip, 0x1000u);
  // Its handler ends it (zx_task_kill takes no threads).
  uint32_t state = ZX_EXCEPTION_STATE_THREAD_EXIT;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(ch);
  zx_handle_close(t);
}

static void spin_until_told(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  while (!__atomic_load_n((volatile uint32_t*)arg, __ATOMIC_SEQ_CST)) __asm__ volatile("pause");
  zx_thread_exit();
}

TEST(Thread, KillIsNotSupported) {
  // As on Zircon (docs/reference/syscalls/task_kill.md): zx_task_kill takes
  // jobs and processes; a thread handle (which has DESTROY) is WRONG_TYPE,
  // and the thread runs on, the caller's own thread too.
  static volatile uint32_t stop;
  stop = 0;
  zx_handle_t t;
  ASSERT_OK(start(&t, "spinner", spin_until_told, (uintptr_t)&stop, 0));
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  ASSERT_EQ(basic.rights & ZX_RIGHT_DESTROY, ZX_RIGHT_DESTROY);
  EXPECT_EQ(zx_task_kill(t), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_task_kill(zx_thread_self()), ZX_ERR_WRONG_TYPE);
  // Without DESTROY the rights decide, before the type is looked at.
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(t, ZX_DEFAULT_THREAD_RIGHTS & ~ZX_RIGHT_DESTROY, &weak));
  EXPECT_EQ(zx_task_kill(weak), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_task_kill(ev), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ev);
  EXPECT_EQ(zx_task_kill(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  // Nothing happened to the thread.
  EXPECT_EQ(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_MSEC(5)), NULL),
            ZX_ERR_TIMED_OUT);
  zx_info_thread_t info;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
  EXPECT_EQ(info.state, ZX_THREAD_STATE_RUNNING);
  stop = 1;
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(t);
}

TEST(Thread, DiesBlockedWithItsProcess) {
  // A thread blocked in a wait, in a child process of its own: killing the
  // child kills the thread there (zx_task_kill takes no threads), and it
  // never returns from the wait.
  zx_handle_t ev, dup;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  child_t w;
  ASSERT_OK(child_start_waiter(zx_job_default(), dup, ZX_EVENT_SIGNALED, &w));
  zx_instant_mono_t give_up = zx_deadline_after(ZX_SEC(10));
  while (child_thread_state(&w) != ZX_THREAD_STATE_BLOCKED_WAIT_ONE) {
    ASSERT_LT(zx_clock_get_monotonic(), give_up, "the waiter never blocked");
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
  ASSERT_EQ(zx_task_kill(w.thread), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(child_thread_state(&w), ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  ASSERT_OK(child_kill(&w));
  ASSERT_OK(zx_object_wait_one(w.thread, ZX_THREAD_TERMINATED, 0, NULL));
  EXPECT_EQ(child_thread_state(&w), ZX_THREAD_STATE_DEAD);
  EXPECT_EQ(child_return_code(&w), ZX_TASK_RETCODE_SYSCALL_KILL);
  child_close(&w);
  // The event it waited on is unharmed, and this process lives on.
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, 0, NULL));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.flags & ZX_INFO_PROCESS_FLAG_EXITED, 0u);
  zx_handle_close(ev);
}
