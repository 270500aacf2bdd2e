// Exceptions under load: the threads of many child processes fault in a
// loop while one handler thread resumes them through their job's exception
// channel, some are killed (with their processes) in the middle of an
// exception, and child processes crash with no handler. Nothing may hang,
// leak an exception or take the host down.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zxtest/zxtest.h>

#include "child_task.h"

#define STACK_SIZE (64u * 1024u)
#define FAULTERS 8
#define ROUNDS 200

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  zx_vaddr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr);
  zx_handle_close(vmo);
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static zx_handle_t g_channel;
static volatile uint32_t g_handled;
static volatile uint32_t g_stop;

static void handler(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  while (!g_stop) {
    zx_signals_t pending = 0;
    zx_status_t s = zx_object_wait_one(g_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                       zx_deadline_after(ZX_MSEC(20)), &pending);
    if (s == ZX_ERR_TIMED_OUT) continue;
    if (s != ZX_OK || !(pending & ZX_CHANNEL_READABLE)) break;
    zx_exception_info_t info;
    zx_handle_t exc, thread;
    uint32_t nb, nh;
    if (zx_channel_read(g_channel, 0, &info, &exc, sizeof(info), 1, &nb, &nh) != ZX_OK) continue;
    if (zx_exception_get_thread(exc, &thread) == ZX_OK) {
      zx_thread_state_general_regs_t regs;
      // The thread may have been killed meanwhile: then these fail, and
      // closing the exception changes nothing.
      if (zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)) == ZX_OK) {
        regs.rip += 2;
        if (zx_thread_write_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)) == ZX_OK) {
          uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
          zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
        }
      }
      zx_handle_close(thread);
    }
    zx_handle_close(exc);
    __atomic_fetch_add(&g_handled, 1, __ATOMIC_SEQ_CST);
  }
  zx_thread_exit();
}

// A faulter's code, for a child process: ud2 `rsi` times (the handler
// skips each), then zx_process_exit(0).
static void build_faulter(const child_t* ch, child_code_t* c) {
  child_emit_prologue(c);
  static const uint8_t loop[] = {
      0x48, 0x89, 0xf7,  // mov rdi, rsi
      0x48, 0x85, 0xff,  // test rdi, rdi
      0x74, 0x07,        // jz done
      0x0f, 0x0b,        // 1: ud2
      0x48, 0xff, 0xcf,  // dec rdi
      0x75, 0xf9,        // jnz 1b
      0x31, 0xff,        // done: xor edi, edi
  };
  child_emit(c, loop, sizeof(loop));
  child_emit_call(c, child_vdso_fn(ch, (uintptr_t)zx_process_exit));
  static const uint8_t ud2[] = {0x0f, 0x0b};
  child_emit(c, ud2, sizeof(ud2));
}

TEST(ExceptionStress, ManyFaultersOneHandlerAndKills) {
  // Each faulter is the thread of a child process in one job, whose
  // exception channel the handler serves; a thread is killed by killing its
  // process (zx_task_kill takes no threads, as on Zircon).
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &g_channel));
  zx_handle_t h;
  ASSERT_OK(zx_thread_create(zx_process_self(), "handler", 7, 0, &h));
  ASSERT_OK(zx_thread_start(h, (uintptr_t)handler, make_stack(), 0, 0));

  child_t c[FAULTERS];
  for (int i = 0; i < FAULTERS; i++) {
    ASSERT_OK(child_create(job, "faulter", &c[i]));
    child_code_t code = {0};
    build_faulter(&c[i], &code);
    ASSERT_OK(child_start(&c[i], &code, ZX_HANDLE_INVALID, ROUNDS));
  }
  // Kill every other one while it is busy faulting.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  for (int i = 0; i < FAULTERS; i += 2) ASSERT_OK(zx_task_kill(c[i].process));
  for (int i = 0; i < FAULTERS; i++) {
    ASSERT_OK(zx_object_wait_one(c[i].process, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(30)), NULL),
              "faulter %d", i);
    ASSERT_OK(zx_object_wait_one(c[i].thread, ZX_THREAD_TERMINATED, 0, NULL), "faulter %d", i);
    // The survivors ran to their end; a killed one may have finished first.
    int64_t code = child_return_code(&c[i]);
    if (i % 2 == 0)
      ASSERT_TRUE(code == ZX_TASK_RETCODE_SYSCALL_KILL || code == 0, "faulter %d: %ld", i, (long)code);
    else
      ASSERT_EQ(code, 0, "faulter %d", i);
    child_close(&c[i]);
  }
  // The survivors' faults were all handled.
  ASSERT_GE(g_handled, (uint32_t)(FAULTERS / 2 * ROUNDS));
  g_stop = 1;
  ASSERT_OK(zx_object_wait_one(h, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(5)), NULL));
  zx_handle_close(h);
  zx_handle_close(g_channel);
  zx_handle_close(job);
}

// A child process that runs `code` (position-independent bytes).
static zx_status_t start_child(const uint8_t* code, size_t len, zx_handle_t* proc) {
  zx_handle_t vmar, thread, vmo, exec, stack_vmo;
  zx_status_t s = zx_process_create(zx_job_default(), "child", 5, 0, proc, &vmar);
  if (s != ZX_OK) return s;
  if ((s = zx_thread_create(*proc, "main", 4, 0, &thread)) != ZX_OK) return s;
  if ((s = zx_vmo_create(4096, 0, &vmo)) != ZX_OK) return s;
  if ((s = zx_vmo_write(vmo, code, 0, len)) != ZX_OK) return s;
  if ((s = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &exec)) != ZX_OK) return s;
  zx_vaddr_t c, st;
  if ((s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, exec, 0, 4096, &c)) != ZX_OK) return s;
  if ((s = zx_vmo_create(4096, 0, &stack_vmo)) != ZX_OK) return s;
  if ((s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, 4096, &st)) != ZX_OK)
    return s;
  zx_handle_close(exec);
  zx_handle_close(stack_vmo);
  zx_handle_close(vmar);
  s = zx_process_start(*proc, thread, c, st + 4096 - 8, ZX_HANDLE_INVALID, 0);
  zx_handle_close(thread);
  return s;
}

TEST(ExceptionStress, CrashingChildrenInARow) {
  // Null loads, raw syscalls and spinning children; the spinners get killed.
  static const uint8_t kNull[] = {0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0};   // mov rax, [0]
  static const uint8_t kSyscall[] = {0xb8, 231, 0, 0, 0, 0x0f, 0x05};     // exit_group by hand
  static const uint8_t kSpin[] = {0xeb, 0xfe};                            // jmp .
  for (int i = 0; i < 60; i++) {
    const uint8_t* code = i % 3 == 0 ? kNull : i % 3 == 1 ? kSyscall : kSpin;
    size_t len = i % 3 == 0 ? sizeof(kNull) : i % 3 == 1 ? sizeof(kSyscall) : sizeof(kSpin);
    zx_handle_t proc;
    ASSERT_OK(start_child(code, len, &proc), "child %d", i);
    if (i % 3 == 2) ASSERT_OK(zx_task_kill(proc));
    ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL),
              "child %d", i);
    zx_info_process_t info;
    ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
    ASSERT_EQ(info.return_code,
              i % 3 == 2 ? ZX_TASK_RETCODE_SYSCALL_KILL : ZX_TASK_RETCODE_EXCEPTION_KILL, "child %d", i);
    zx_handle_close(proc);
  }
}
