// ZX_THREAD_STATE_SINGLE_STEP: a debugger single-steps a thread, each step
// a ZX_EXCP_HW_BREAKPOINT after one instruction; a call into the vDSO is
// stepped into and the syscall itself is one step; turning it off lets the
// thread run on. Also the topic's checks.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

// Three no-ops of 1, 2 and 4 bytes, then zx_handle_close(ZX_HANDLE_INVALID)
// through the vDSO, then zx_thread_exit.
void step_target(void);
extern char step_nop2[], step_nop4[], step_call[], step_after_call[];
__asm__(
    ".text\n"
    ".globl step_target, step_nop2, step_nop4, step_call, step_after_call\n"
    "step_target:\n"
    "  nop\n"
    "step_nop2:\n"
    "  xchg %ax, %ax\n"
    "step_nop4:\n"
    "  nopl 0(%rax)\n"
    "step_call:\n"
    "  xor %edi, %edi\n"
    "  call zx_handle_close\n"
    "step_after_call:\n"
    "  call zx_thread_exit\n");

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr);
  zx_handle_close(vmo);
  return addr + STACK_SIZE - 8;
}

static zx_status_t set_step(zx_handle_t t, uint32_t on) {
  return zx_thread_write_state(t, ZX_THREAD_STATE_SINGLE_STEP, &on, sizeof(on));
}

// Waits for the next exception on `ch`; returns its type and the thread's
// registers; leaves the exception handle in *exc.
static uint32_t next_exception(zx_handle_t ch, zx_handle_t t, zx_handle_t* exc,
                               zx_thread_state_general_regs_t* regs) {
  zx_exception_info_t info;
  uint32_t nb, nh;
  if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL) != ZX_OK) return 0;
  if (zx_channel_read(ch, 0, &info, exc, sizeof(info), 1, &nb, &nh) != ZX_OK) return 0;
  if (zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, regs, sizeof(*regs)) != ZX_OK) return 0;
  return info.type;
}

static void resume(zx_handle_t exc) {
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
  zx_handle_close(exc);
}

TEST(SingleStep, StepsInstructionsAndSyscalls) {
  zx_handle_t t, token, ch, exc;
  ASSERT_OK(zx_thread_create(zx_process_self(), "stepped", 7, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  // Stopped before its first instruction, single-stepping is turned on.
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)step_target, make_stack(), 0, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  uint32_t on = 7;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_SINGLE_STEP, &on, sizeof(on)));
  EXPECT_EQ(on, 0u);
  ASSERT_OK(set_step(t, 1));
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_SINGLE_STEP, &on, sizeof(on)));
  EXPECT_EQ(on, 1u);
  zx_handle_close(token);

  // One exception per instruction.
  zx_thread_state_general_regs_t regs;
  const uintptr_t expect[] = {(uintptr_t)step_nop2, (uintptr_t)step_nop4, (uintptr_t)step_call};
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(next_exception(ch, t, &exc, &regs), ZX_EXCP_HW_BREAKPOINT, "step %d", i);
    EXPECT_EQ(regs.rip, expect[i], "step %d", i);
    resume(exc);
  }
  // Into the vDSO call and out of it: the syscall is one step, and the
  // call's result is there at the return address.
  int steps = 0;
  for (;;) {
    ASSERT_EQ(next_exception(ch, t, &exc, &regs), ZX_EXCP_HW_BREAKPOINT);
    steps++;
    if (regs.rip == (uintptr_t)step_after_call) break;
    ASSERT_LT(steps, 64, "never came back from the call");
    resume(exc);
  }
  EXPECT_GE(steps, 3, "call, the stub, the return");
  EXPECT_EQ(regs.rax, (uint64_t)ZX_OK);
  // Off again: the thread runs to its end.
  ASSERT_OK(set_step(t, 0));
  resume(exc);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(ch);
  zx_handle_close(t);
}

static void spin(uintptr_t flag, uintptr_t unused) {
  (void)unused;
  while (!*(volatile uint32_t*)flag) {
  }
  zx_thread_exit();
}

TEST(SingleStep, Checks) {
  static volatile uint32_t stop;
  stop = 0;
  zx_handle_t t, token;
  ASSERT_OK(zx_thread_create(zx_process_self(), "s", 1, 0, &t));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)spin, make_stack(), (uintptr_t)&stop, 0));
  uint32_t v = 1;
  // Running: no state to write.
  EXPECT_EQ(set_step(t, 1), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_task_suspend(t, &token));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(set_step(t, 2), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_SINGLE_STEP, &v, 3), ZX_ERR_BUFFER_TOO_SMALL);
  uint64_t big = 0;
  EXPECT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_SINGLE_STEP, &big, sizeof(big)));
  EXPECT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_SINGLE_STEP, &v, 3), ZX_ERR_BUFFER_TOO_SMALL);
  stop = 1;
  zx_handle_close(token);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(t);
}
