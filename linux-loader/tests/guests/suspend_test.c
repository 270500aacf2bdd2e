// zx_task_suspend: suspend tokens on threads and processes, the
// SUSPENDED/RUNNING signals and states, threads stopped in guest code and
// inside blocking syscalls (which are made again on resume), reading and
// writing the registers of a suspended thread, starting suspended, killing
// a suspended thread's process, and the call's error checks in Zircon's
// order.
#include <mini-process/mini-process.h>
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
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr) != ZX_OK)
    addr = 0;
  zx_handle_close(vmo);
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static zx_handle_t start_thread(const char* name, void (*fn)(uintptr_t, uintptr_t), uintptr_t arg) {
  zx_handle_t t = ZX_HANDLE_INVALID;
  if (zx_thread_create(zx_process_self(), name, strlen(name), 0, &t) != ZX_OK) return ZX_HANDLE_INVALID;
  if (zx_thread_start(t, (uintptr_t)fn, make_stack(), arg, 0) != ZX_OK) return ZX_HANDLE_INVALID;
  return t;
}

static uint32_t thread_state(zx_handle_t t) {
  zx_info_thread_t info;
  if (zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL) != ZX_OK) return 0xffffffffu;
  return info.state;
}

static void wait_state(zx_handle_t t, uint32_t state) {
  while (thread_state(t) != state) zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
}

// A counter the spinning thread bumps until told to stop.
typedef struct {
  volatile uint64_t count;
  volatile uint32_t stop;
  volatile uint32_t hijacked;
} spin_t;

static void spin(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  spin_t* s = (spin_t*)arg;
  while (!s->stop) s->count++;
  zx_thread_exit();
}

static void hijacked(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  ((spin_t*)arg)->hijacked = 1;
  zx_thread_exit();
}

static void finish(zx_handle_t t, spin_t* s) {
  s->stop = 1;
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
}

TEST(Suspend, StopsASpinningThreadUntilTheTokenCloses) {
  static spin_t s;
  memset((void*)&s, 0, sizeof(s));
  zx_handle_t t = start_thread("spin", spin, (uintptr_t)&s);
  ASSERT_NE(t, ZX_HANDLE_INVALID);
  while (s.count == 0) zx_thread_legacy_yield(0);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  zx_signals_t seen;
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, &seen));
  EXPECT_EQ(seen & (ZX_THREAD_SUSPENDED | ZX_THREAD_RUNNING), ZX_THREAD_SUSPENDED);
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  uint64_t before = s.count;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  EXPECT_EQ(s.count, before, "a suspended thread ran");
  // The token is its own object.
  zx_info_handle_basic_t b;
  ASSERT_OK(zx_object_get_info(token, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  EXPECT_EQ(b.type, ZX_OBJ_TYPE_SUSPEND_TOKEN);
  EXPECT_EQ(b.rights, ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS);
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_RUNNING, ZX_TIME_INFINITE, NULL));
  while (s.count == before) zx_thread_legacy_yield(0);
  finish(t, &s);
}

TEST(Suspend, RegistersOfASuspendedThreadCanBeReadAndWritten) {
  static spin_t s;
  memset((void*)&s, 0, sizeof(s));
  zx_handle_t t = start_thread("spin", spin, (uintptr_t)&s);
  while (s.count == 0) zx_thread_legacy_yield(0);
  zx_thread_state_general_regs_t regs;
  // Running: no registers.
  EXPECT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)), ZX_ERR_BAD_STATE);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  // It was spinning in spin().
  EXPECT_GE(regs.rip, (uint64_t)(uintptr_t)spin);
  EXPECT_LT(regs.rip, (uint64_t)(uintptr_t)spin + 256);
  zx_thread_state_fp_regs_t fp;
  EXPECT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_FP_REGS, &fp, sizeof(fp)));
  // Send it elsewhere: it resumes there.
  regs.rip = (uint64_t)(uintptr_t)hijacked;
  regs.rdi = (uint64_t)(uintptr_t)&s;
  regs.rsp = (regs.rsp & ~(uint64_t)15) - 8;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(s.hijacked, 1u);
  zx_handle_close(t);
}

// A thread blocked in zx_object_wait_one on an event.
typedef struct {
  zx_handle_t event;
  volatile zx_status_t status;
  volatile uint32_t done;
} waiter_t;

static void wait_for_event(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  waiter_t* w = (waiter_t*)arg;
  w->status = zx_object_wait_one(w->event, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL);
  w->done = 1;
  zx_thread_exit();
}

TEST(Suspend, ABlockedWaitStopsAndIsMadeAgainOnResume) {
  static waiter_t w;
  memset((void*)&w, 0, sizeof(w));
  ASSERT_OK(zx_event_create(0, &w.event));
  zx_handle_t t = start_thread("wait", wait_for_event, (uintptr_t)&w);
  wait_state(t, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  // As on Zircon: the call's arguments in the syscall registers, and the
  // status that makes it be made again.
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  EXPECT_EQ(regs.rax, (uint64_t)(int64_t)ZX_ERR_INTERNAL_INTR_RETRY);
  EXPECT_EQ(regs.rdi, w.event);
  EXPECT_EQ(regs.rsi, ZX_USER_SIGNAL_0);
  EXPECT_EQ(regs.rdx, (uint64_t)ZX_TIME_INFINITE);
  // Signalled while suspended: the thread does not go on.
  ASSERT_OK(zx_object_signal(w.event, 0, ZX_USER_SIGNAL_0));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  EXPECT_EQ(w.done, 0u);
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(w.done, 1u);
  EXPECT_OK(w.status);
  zx_handle_close(t);
  zx_handle_close(w.event);
}

TEST(Suspend, ADebuggerCanChangeTheResultOfAnInterruptedCall) {
  static waiter_t w;
  memset((void*)&w, 0, sizeof(w));
  ASSERT_OK(zx_event_create(0, &w.event));
  zx_handle_t t = start_thread("wait", wait_for_event, (uintptr_t)&w);
  wait_state(t, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  regs.rax = (uint64_t)(int64_t)ZX_ERR_CANCELED;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(w.status, ZX_ERR_CANCELED);
  zx_handle_close(t);
  zx_handle_close(w.event);
}

static void sleep_until(uintptr_t deadline, uintptr_t done) {
  zx_nanosleep((zx_time_t)deadline);
  *(volatile uint32_t*)done = 1;
  zx_thread_exit();
}

TEST(Suspend, ASleepKeepsItsDeadline) {
  static volatile uint32_t done;
  done = 0;
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(60));
  zx_handle_t t;
  ASSERT_OK(zx_thread_create(zx_process_self(), "sleep", 5, 0, &t));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)sleep_until, make_stack(), (uintptr_t)deadline, (uintptr_t)&done));
  wait_state(t, ZX_THREAD_STATE_BLOCKED_SLEEPING);
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_GE(zx_clock_get_monotonic(), deadline);
  EXPECT_EQ(done, 1u);
  zx_handle_close(t);
}

TEST(Suspend, TokensNest) {
  static spin_t s;
  memset((void*)&s, 0, sizeof(s));
  zx_handle_t t = start_thread("spin", spin, (uintptr_t)&s);
  zx_handle_t a, b;
  ASSERT_OK(zx_task_suspend(t, &a));
  ASSERT_OK(zx_task_suspend_token(t, &b));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_handle_close(a));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  ASSERT_OK(zx_handle_close(b));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_RUNNING, ZX_TIME_INFINITE, NULL));
  finish(t, &s);
}

TEST(Suspend, AThreadStartedSuspendedRunsNothingUntilResumed) {
  static spin_t s;
  memset((void*)&s, 0, sizeof(s));
  zx_handle_t t, token;
  ASSERT_OK(zx_thread_create(zx_process_self(), "late", 4, 0, &t));
  ASSERT_OK(zx_task_suspend(t, &token));
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_NEW);
  ASSERT_OK(zx_thread_start(t, (uintptr_t)spin, make_stack(), (uintptr_t)&s, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  EXPECT_EQ(regs.rip, (uint64_t)(uintptr_t)spin);
  EXPECT_EQ(s.count, 0u);
  ASSERT_OK(zx_handle_close(token));
  while (s.count == 0) zx_thread_legacy_yield(0);
  finish(t, &s);
}

TEST(Suspend, KillingASuspendedThreadsProcessEndsIt) {
  // The thread spins in a mini process of its own (zx_task_kill takes no
  // threads); killing the process ends the suspended thread.
  zx_handle_t proc, vmar, t;
  ASSERT_OK(zx_process_create(zx_job_default(), "minip", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "minit", 5, 0, &t));
  ASSERT_OK(start_mini_process_etc(proc, t, vmar, ZX_HANDLE_INVALID, true, NULL));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(zx_task_kill(t), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  ASSERT_OK(zx_task_kill(proc));
  zx_signals_t seen;
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, &seen));
  EXPECT_EQ(seen & (ZX_THREAD_SUSPENDED | ZX_THREAD_RUNNING), 0u);
  EXPECT_EQ(thread_state(t), ZX_THREAD_STATE_DEAD);
  // A dead thread cannot be suspended; the old token goes quietly.
  zx_handle_t again = ZX_HANDLE_INVALID;
  EXPECT_EQ(zx_task_suspend(t, &again), ZX_ERR_BAD_STATE);
  EXPECT_EQ(again, ZX_HANDLE_INVALID);
  EXPECT_OK(zx_handle_close(token));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(t);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

TEST(Suspend, Errors) {
  zx_handle_t token = ZX_HANDLE_INVALID;
  EXPECT_EQ(zx_task_suspend(zx_thread_self(), &token), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(zx_task_suspend(zx_process_self(), &token), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(zx_task_suspend(ZX_HANDLE_INVALID, &token), ZX_ERR_BAD_HANDLE);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  EXPECT_EQ(zx_task_suspend(vmo, &token), ZX_ERR_WRONG_TYPE);
  // Jobs are not suspended (as on Zircon, for now).
  EXPECT_EQ(zx_task_suspend(zx_job_default(), &token), ZX_ERR_WRONG_TYPE);
  // WRITE is needed, and checked before the type (an event has none).
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_task_suspend(ev, &token), ZX_ERR_ACCESS_DENIED);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_TRANSFER, &weak));
  EXPECT_EQ(zx_task_suspend(weak, &token), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(token, ZX_HANDLE_INVALID);
  zx_handle_close(weak);
  zx_handle_close(ev);
  zx_handle_close(vmo);
  // A token that cannot be written out resumes at once.
  static spin_t s;
  memset((void*)&s, 0, sizeof(s));
  zx_handle_t t = start_thread("spin", spin, (uintptr_t)&s);
  EXPECT_NE(zx_task_suspend(t, (zx_handle_t*)8), ZX_OK);
  uint64_t before = s.count;
  while (s.count == before) zx_thread_legacy_yield(0);
  finish(t, &s);
}

TEST(Suspend, AProcessStopsAllItsThreads) {
  zx_handle_t proc, vmar, thread, ctl;
  ASSERT_OK(zx_process_create(zx_job_default(), "minip", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "minit", 5, 0, &thread));
  ASSERT_OK(start_mini_process_etc(proc, thread, vmar, ZX_HANDLE_INVALID, true, &ctl));
  // Serving: it answers.
  ASSERT_OK(mini_process_cmd(ctl, MINIP_CMD_ECHO_MSG, NULL));
  zx_handle_t token;
  ASSERT_OK(zx_task_suspend(proc, &token));
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(thread_state(thread), ZX_THREAD_STATE_SUSPENDED);
  // A command sent meanwhile waits for the resume.
  ASSERT_OK(mini_process_cmd_send(ctl, MINIP_CMD_ECHO_MSG));
  EXPECT_EQ(zx_object_wait_one(ctl, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(30)), NULL),
            ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_handle_close(token));
  ASSERT_OK(mini_process_cmd_read_reply(ctl, NULL));
  zx_task_kill(proc);
  ASSERT_OK(zx_object_wait_one(proc, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  // An exited process cannot be suspended.
  EXPECT_EQ(zx_task_suspend(proc, &token), ZX_ERR_BAD_STATE);
  zx_handle_close(ctl);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}
