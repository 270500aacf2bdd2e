// Exception channels, exception objects and thread state, as Fuchsia's core
// tests use them: creation rules and rights, the order handlers are tried
// in (debugger, thread, process, debugger again, jobs), TRY_NEXT /
// HANDLED / THREAD_EXIT, second chance, register reads and edits, and what
// happens when a handler goes away or the thread's process is killed.
#include <mini-process/mini-process.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zxtest/zxtest.h>

#define STACK_SIZE (64u * 1024u)

// ud2, then (when resumed past it) store rax and exit the thread.
volatile uint64_t g_stored;
void ud2_then_store(uintptr_t, uintptr_t);
__asm__(
    ".text\n"
    ".globl ud2_then_store\n"
    "ud2_then_store:\n"
    "  ud2\n"
    "  movq %rax, g_stored(%rip)\n"
    "  call zx_thread_exit@PLT\n");

static void exit_at_once(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_thread_exit();
}

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  zx_vaddr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr);
  zx_handle_close(vmo);
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static zx_handle_t new_thread(void) {
  zx_handle_t t = ZX_HANDLE_INVALID;
  zx_thread_create(zx_process_self(), "faulter", 7, 0, &t);
  return t;
}

static zx_status_t start(zx_handle_t t, void (*fn)(uintptr_t, uintptr_t)) {
  return zx_thread_start(t, (uintptr_t)fn, make_stack(), 0, 0);
}

// Reads one exception from `ch` (waiting for it).
static zx_status_t read_exception(zx_handle_t ch, zx_exception_info_t* info, zx_handle_t* exc) {
  zx_status_t s = zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
  if (s != ZX_OK) return s;
  uint32_t nb = 0, nh = 0;
  return zx_channel_read(ch, 0, info, exc, sizeof(*info), 1, &nb, &nh);
}

static zx_status_t set_state(zx_handle_t exc, uint32_t state) {
  return zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
}

static uint32_t wait_type(zx_handle_t thread) {
  zx_info_thread_t ti;
  if (zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL) != ZX_OK) return 0xffff;
  return ti.wait_exception_channel_type;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK) return 0;
  return info.koid;
}

// Lets the ud2 thread go on past its ud2 with rax = 0x77.
static void skip_ud2(zx_handle_t thread, zx_handle_t exc) {
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_EQ(regs.rip, (uint64_t)(uintptr_t)ud2_then_store);
  regs.rip += 2;
  regs.rax = 0x77;
  ASSERT_OK(zx_thread_write_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  ASSERT_OK(zx_handle_close(exc));
}

// Resumes the ud2 thread past its ud2 and waits until it has stored rax and
// exited.
static void resume_past_ud2(zx_handle_t thread, zx_handle_t exc) {
  skip_ud2(thread, exc);
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(g_stored, 0x77u);
}

TEST(ExceptionChannel, CreateRules) {
  zx_handle_t t = new_thread(), ch = ZX_HANDLE_INVALID, ch2 = ZX_HANDLE_INVALID;
  ASSERT_EQ(zx_task_create_exception_channel(t, 2, &ch), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_task_create_exception_channel(ZX_HANDLE_INVALID, 0, &ch), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_task_create_exception_channel(t, ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch), ZX_ERR_INVALID_ARGS);
  // Not a task: the rights check comes first (no MANAGE_THREAD on an event).
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_task_create_exception_channel(ev, 0, &ch), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ev);
  // A thread handle without MANAGE_THREAD; a process handle without ENUMERATE.
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(t, ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER, &weak));
  ASSERT_EQ(zx_task_create_exception_channel(weak, 0, &ch), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  ASSERT_OK(zx_handle_duplicate(zx_process_self(),
                                ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_MANAGE_THREAD,
                                &weak));
  ASSERT_EQ(zx_task_create_exception_channel(weak, 0, &ch), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);

  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(ch, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_CHANNEL);
  ASSERT_EQ(info.rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_READ);
  ASSERT_EQ(zx_task_create_exception_channel(t, 0, &ch2), ZX_ERR_ALREADY_BOUND);
  // Closing the handler's end frees the slot.
  ASSERT_OK(zx_handle_close(ch));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  // A process has a debugger slot besides its own.
  zx_handle_t pch, dch;
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  zx_info_process_t pi;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL));
  ASSERT_EQ(pi.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED, 0u);
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_EQ(zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &ch2),
            ZX_ERR_ALREADY_BOUND);
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL));
  ASSERT_EQ(pi.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED, ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED);
  zx_handle_close(pch);
  zx_handle_close(dch);
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL));
  ASSERT_EQ(pi.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED, 0u);
  // A dead thread takes no channel, and its channel reports PEER_CLOSED.
  ASSERT_OK(start(t, exit_at_once));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_signals_t pending = 0;
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, 0, &pending));
  zx_handle_close(ch);
  ASSERT_EQ(zx_task_create_exception_channel(t, 0, &ch), ZX_ERR_BAD_STATE);
  zx_handle_close(t);
}

TEST(ExceptionChannel, ThreadThenProcessThenJob) {
  zx_handle_t t = new_thread(), tch, pch, jch;
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &tch));
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), 0, &jch));
  g_stored = 0;
  ASSERT_OK(start(t, ud2_then_store));

  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(tch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_EQ(info.tid, koid_of(t));
  ASSERT_EQ(info.pid, koid_of(zx_process_self()));
  ASSERT_EQ(wait_type(t), ZX_EXCEPTION_CHANNEL_TYPE_THREAD);
  // A thread's handler gets the thread, not the process.
  zx_handle_t h;
  ASSERT_OK(zx_exception_get_thread(exc, &h));
  ASSERT_EQ(koid_of(h), info.tid);
  zx_handle_close(h);
  ASSERT_EQ(zx_exception_get_process(exc, &h), ZX_ERR_ACCESS_DENIED);
  uint32_t state = 99;
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  ASSERT_EQ(state, ZX_EXCEPTION_STATE_TRY_NEXT);
  ASSERT_OK(zx_handle_close(exc));  // TRY_NEXT: on to the process

  ASSERT_OK(read_exception(pch, &info, &exc));
  ASSERT_EQ(wait_type(t), ZX_EXCEPTION_CHANNEL_TYPE_PROCESS);
  ASSERT_OK(zx_exception_get_process(exc, &h));
  ASSERT_EQ(koid_of(h), info.pid);
  zx_handle_close(h);
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_TRY_NEXT));
  ASSERT_OK(zx_handle_close(exc));

  ASSERT_OK(read_exception(jch, &info, &exc));
  ASSERT_EQ(wait_type(t), ZX_EXCEPTION_CHANNEL_TYPE_JOB);
  resume_past_ud2(t, exc);
  zx_handle_close(tch);
  zx_handle_close(pch);
  zx_handle_close(jch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, ThreadExitEndsOnlyTheThread) {
  zx_handle_t t = new_thread(), ch;
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(start(t, ud2_then_store));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(ch, &info, &exc));
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_THREAD_EXIT));
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  ASSERT_EQ(ti.state, ZX_THREAD_STATE_DEAD);
  zx_handle_close(ch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, DebuggerFirstAndSecondChance) {
  zx_handle_t t = new_thread(), dch, tch, pch;
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &tch));
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  g_stored = 0;
  ASSERT_OK(start(t, ud2_then_store));

  zx_exception_info_t info;
  zx_handle_t exc;
  // A debugger sees the thread start first, before any user code, with the
  // initial registers.
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_STARTING);
  ASSERT_EQ(info.tid, koid_of(t));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_EQ(regs.rip, (uint64_t)(uintptr_t)ud2_then_store);
  ASSERT_OK(zx_handle_close(exc));

  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_EQ(wait_type(t), ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER);
  uint32_t strategy = 99;
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof(strategy)));
  ASSERT_EQ(strategy, ZX_EXCEPTION_STRATEGY_FIRST_CHANCE);
  strategy = 7;
  ASSERT_EQ(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof(strategy)),
            ZX_ERR_INVALID_ARGS);
  strategy = ZX_EXCEPTION_STRATEGY_SECOND_CHANCE;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof(strategy)));
  ASSERT_OK(zx_handle_close(exc));

  ASSERT_OK(read_exception(tch, &info, &exc));
  // Only a debugger may change the strategy.
  strategy = ZX_EXCEPTION_STRATEGY_FIRST_CHANCE;
  ASSERT_EQ(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof(strategy)),
            ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(read_exception(pch, &info, &exc));
  ASSERT_OK(zx_handle_close(exc));

  // Second chance: the debugger again, before any job.
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(wait_type(t), ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER);
  ASSERT_OK(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STRATEGY, &strategy, sizeof(strategy)));
  ASSERT_EQ(strategy, ZX_EXCEPTION_STRATEGY_SECOND_CHANCE);
  skip_ud2(t, exc);
  // And the debugger sees it leave: the thread waits for the answer, DYING,
  // its registers gone.
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_EXITING);
  ASSERT_EQ(g_stored, 0x77u);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  ASSERT_EQ(ti.state, ZX_THREAD_STATE_DYING);
  ASSERT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)),
            ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)),
            ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(dch);
  zx_handle_close(tch);
  zx_handle_close(pch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, ClosedChannelPassesItOn) {
  // The thread's handler goes away with the exception unread: the process's
  // handler gets it.
  zx_handle_t t = new_thread(), tch, pch;
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &tch));
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  g_stored = 0;
  ASSERT_OK(start(t, ud2_then_store));
  ASSERT_OK(zx_object_wait_one(tch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_handle_close(tch));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(pch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  resume_past_ud2(t, exc);
  zx_handle_close(pch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, KilledInException) {
  // The thread faults in a mini process of its own (zx_task_kill takes no
  // threads); the process is killed while its thread is in the exception.
  zx_handle_t proc, vmar, t, ctl, ch;
  ASSERT_OK(zx_process_create(zx_job_default(), "minip", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "minit", 5, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(start_mini_process_etc(proc, t, vmar, ZX_HANDLE_INVALID, true, &ctl));
  ASSERT_OK(mini_process_cmd_send(ctl, MINIP_CMD_BUILTIN_TRAP));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(ch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_EQ(info.tid, koid_of(t));
  ASSERT_EQ(zx_task_kill(t), ZX_ERR_WRONG_TYPE);
  ASSERT_OK(zx_task_kill(proc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  // The exception outlived its thread; closing it changes nothing.
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  ASSERT_OK(zx_handle_close(exc));
  zx_info_process_t pi;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL));
  ASSERT_EQ(pi.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(ch);
  zx_handle_close(ctl);
  zx_handle_close(t);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

TEST(ExceptionObject, PropertiesAndReport) {
  zx_handle_t t = new_thread(), ch;
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  // Not in an exception: no report, no registers.
  zx_exception_report_t report;
  ASSERT_EQ(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL),
            ZX_ERR_BAD_STATE);
  zx_thread_state_general_regs_t regs;
  ASSERT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)), ZX_ERR_BAD_STATE);
  ASSERT_OK(start(t, ud2_then_store));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(ch, &info, &exc));

  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL));
  ASSERT_EQ(report.header.size, sizeof(report));
  ASSERT_EQ(report.header.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_EQ(report.context.arch.u.x86_64.vector, 6u);
  zx_exception_report_v1_t v1;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT_V1, &v1, sizeof(v1), NULL, NULL));
  ASSERT_EQ(v1.header.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  ASSERT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);

  // A new thread starts with clean vector and x87 state (it has not touched
  // them before its ud2): nothing of the emulator's shows through.
  static zx_thread_state_vector_regs_t vec;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_VECTOR_REGS, &vec, sizeof(vec)));
  for (int i = 0; i < 32; i++) {
    for (int j = 0; j < 8; j++) ASSERT_EQ(vec.zmm[i].v[j], 0u, "zmm%d.v[%d]", i, j);
  }
  for (int i = 0; i < 8; i++) ASSERT_EQ(vec.opmask[i], 0u);
  ASSERT_EQ(vec.mxcsr, 0x1f80u);
  zx_thread_state_fp_regs_t fpr;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_FP_REGS, &fpr, sizeof(fpr)));
  ASSERT_EQ(fpr.fcw, 0x037f);
  for (int i = 0; i < 8; i++) ASSERT_EQ(fpr.st[i].low, 0u);

  // Exception handles: TRANSFER | PROPERTY | INSPECT, not duplicable.
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(exc, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  ASSERT_EQ(basic.rights, ZX_DEFAULT_EXCEPTION_RIGHTS);
  ASSERT_EQ(basic.type, ZX_OBJ_TYPE_EXCEPTION);
  zx_handle_t dup;
  ASSERT_EQ(zx_handle_duplicate(exc, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_ERR_ACCESS_DENIED);
  uint32_t state = 3;
  ASSERT_EQ(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_property(exc, ZX_PROP_EXCEPTION_STATE, &state, 2), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(zx_object_get_property(t, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)), ZX_ERR_WRONG_TYPE);
  zx_handle_t h;
  ASSERT_EQ(zx_exception_get_thread(t, &h), ZX_ERR_WRONG_TYPE);

  // Thread state: sizes, topics, rights, canonical addresses.
  ASSERT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs) - 1),
            ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(zx_thread_read_state(t, 77, &regs, sizeof(regs)), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  zx_thread_state_general_regs_t bad = regs;
  bad.rip = 0x8000000000000000ull;
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &bad, sizeof(bad)), ZX_ERR_INVALID_ARGS);
  // Zircon refuses a rip from the processor's first non-canonical address
  // on, by the width CPUID reports (57 bits on some hosts), and takes the
  // address just below it.
  unsigned int eax, ebx, ecx, edx;
  __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000008u), "c"(0));
  uint64_t first_noncanonical = 1ull << (((eax >> 8) & 0xff) - 1);
  bad = regs;
  bad.rip = first_noncanonical;
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &bad, sizeof(bad)), ZX_ERR_INVALID_ARGS);
  bad.rip = first_noncanonical - 1;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &bad, sizeof(bad)));
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  bad = regs;
  bad.fs_base = 0x0001000000000000ull;
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &bad, sizeof(bad)), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs) - 1),
            ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(t, ZX_RIGHT_READ | ZX_RIGHT_INSPECT, &ro));
  ASSERT_EQ(zx_thread_write_state(ro, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_thread_read_state(ro, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  zx_handle_close(ro);

  g_stored = 0;
  resume_past_ud2(t, exc);
  zx_handle_close(ch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, DebuggerMovesTheStart) {
  // A debugger may change where a thread starts: here it skips the ud2.
  zx_handle_t t = new_thread(), dch;
  ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  g_stored = 0;
  ASSERT_OK(start(t, ud2_then_store));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_STARTING);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_EQ(regs.fs_base, 0u);
  regs.rip += 2;
  regs.rax = 0x99;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_EXITING);
  ASSERT_EQ(g_stored, 0x99u);
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(dch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, JobDebuggerSeesProcessStart) {
  zx_handle_t jch, jch2;
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &jch));
  // Several debuggers may watch one job.
  ASSERT_OK(zx_task_create_exception_channel(zx_job_default(), ZX_EXCEPTION_CHANNEL_DEBUGGER, &jch2));
  zx_handle_close(jch2);
  // A new process: its first thread announces the start.
  zx_handle_t proc, vmar, thread;
  ASSERT_OK(zx_process_create(zx_job_default(), "child", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "main", 4, 0, &thread));
  // The child's code: one page holding an infinite loop (jmp .).
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  static const uint8_t kLoop[2] = {0xeb, 0xfe};
  ASSERT_OK(zx_vmo_write(vmo, kLoop, 0, sizeof(kLoop)));
  zx_handle_t exec_vmo;
  ASSERT_OK(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &exec_vmo));
  zx_vaddr_t code;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, exec_vmo, 0, 4096, &code));
  zx_handle_t stack_vmo;
  zx_vaddr_t stack;
  ASSERT_OK(zx_vmo_create(4096, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, 4096, &stack));
  zx_handle_close(stack_vmo);
  ASSERT_OK(zx_process_start(proc, thread, code, stack + 4096 - 8, ZX_HANDLE_INVALID, 0));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(jch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_PROCESS_STARTING);
  ASSERT_EQ(info.pid, koid_of(proc));
  ASSERT_EQ(info.tid, koid_of(thread));
  // A job debugger gets the process too.
  zx_handle_t p2;
  ASSERT_OK(zx_exception_get_process(exc, &p2));
  ASSERT_EQ(koid_of(p2), koid_of(proc));
  zx_handle_close(p2);
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_task_kill(proc));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  // By then its address space is gone, though we hold its VMAR handle.
  zx_info_vmo_t vi;
  ASSERT_OK(zx_object_get_info(exec_vmo, ZX_INFO_VMO, &vi, sizeof(vi), NULL, NULL));
  EXPECT_EQ(vi.num_mappings, 0u);
  zx_vaddr_t again;
  EXPECT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, exec_vmo, 0, 4096, &again), ZX_ERR_BAD_STATE);
  uint8_t byte;
  size_t actual;
  EXPECT_EQ(zx_process_read_memory(proc, code, &byte, 1, &actual), ZX_ERR_BAD_STATE);
  zx_handle_close(exec_vmo);
  zx_handle_close(jch);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

// Loads xmm0, ymm2 and st0, stops on ud2; resumed past it, stores xmm1,
// ymm2 and st0 (as a double) to `out` and exits.
void vector_fault(uintptr_t in, uintptr_t out);
__asm__(
    ".text\n"
    ".globl vector_fault\n"
    "vector_fault:\n"
    "  movdqu (%rdi), %xmm0\n"
    "  vmovdqu 16(%rdi), %ymm2\n"
    "  fldpi\n"
    "  ud2\n"
    "  movdqu %xmm1, (%rsi)\n"
    "  vmovdqu %ymm2, 16(%rsi)\n"
    "  fstpl 48(%rsi)\n"
    "  vzeroupper\n"
    "  call zx_thread_exit@PLT\n");

static int has_avx(void) {
  uint32_t a, b, c, d;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
  if (!(c & (1u << 27)) || !(c & (1u << 28))) return 0;  // OSXSAVE, AVX
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (lo & 6) == 6;
}

TEST(ExceptionObject, FpAndVectorRegisters) {
  if (!has_avx()) {
    printf("no AVX: skipped\n");
    return;
  }
  static uint8_t in[48], out[56];
  for (int i = 0; i < 48; i++) in[i] = (uint8_t)(0x10 + i);
  memset(out, 0, sizeof(out));
  zx_handle_t t = new_thread(), ch;
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)vector_fault, make_stack(), (uintptr_t)in, (uintptr_t)out));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(ch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);

  zx_thread_state_vector_regs_t v;
  ASSERT_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof(v) - 1), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof(v)));
  ASSERT_EQ(memcmp(&v.zmm[0].v[0], in, 16), 0);        // xmm0
  ASSERT_EQ(memcmp(&v.zmm[2].v[0], in + 16, 32), 0);   // ymm2
  ASSERT_EQ(v.mxcsr & 0xffc0, 0x1f80u);                // default masks
  // Give xmm1 a value of our own; a bad MXCSR is refused.
  for (int i = 0; i < 16; i++) ((uint8_t*)&v.zmm[1].v[0])[i] = (uint8_t)(0xa0 + i);
  uint32_t good = v.mxcsr;
  v.mxcsr = 0xffffffffu;
  ASSERT_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof(v)), ZX_ERR_INVALID_ARGS);
  v.mxcsr = good;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_VECTOR_REGS, &v, sizeof(v)));

  zx_thread_state_fp_regs_t fp;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_FP_REGS, &fp, sizeof(fp)));
  ASSERT_EQ(fp.fcw, 0x037f);
  // st0 = pi as an 80-bit extended value.
  ASSERT_EQ(fp.st[0].low, 0xc90fdaa22168c235ull);
  ASSERT_EQ(fp.st[0].high & 0xffff, 0x4000u);

  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  regs.rip += 2;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  ASSERT_OK(set_state(exc, ZX_EXCEPTION_STATE_HANDLED));
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));

  // The thread resumed with our xmm1, its own ymm2 (both halves) and st0.
  for (int i = 0; i < 16; i++) ASSERT_EQ(out[i], (uint8_t)(0xa0 + i));
  ASSERT_EQ(memcmp(out + 16, in + 16, 32), 0);
  double pi;
  memcpy(&pi, out + 48, sizeof(pi));
  ASSERT_TRUE(pi > 3.14159 && pi < 3.1416);
  zx_handle_close(ch);
  zx_handle_close(t);
}

TEST(ExceptionChannel, DebuggerHearsOfAKilledThread) {
  // The thread spins in a mini process whose debugger channel we hold
  // (zx_task_kill takes no threads: the process is killed).
  zx_handle_t proc, vmar, t, dch;
  ASSERT_OK(zx_process_create(zx_job_default(), "minip", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_thread_create(proc, "minit", 5, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(proc, ZX_EXCEPTION_CHANNEL_DEBUGGER, &dch));
  ASSERT_OK(start_mini_process_etc(proc, t, vmar, ZX_HANDLE_INVALID, false, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_STARTING);
  ASSERT_OK(zx_handle_close(exc));
  // Killed while spinning: the debugger still gets THREAD_EXITING, and the
  // thread does not wait for it.
  ASSERT_OK(zx_task_kill(proc));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(read_exception(dch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_THREAD_EXITING);
  ASSERT_EQ(info.tid, koid_of(t));
  ASSERT_EQ(info.pid, koid_of(proc));
  ASSERT_OK(zx_handle_close(exc));
  // Exactly once.
  ASSERT_EQ(zx_object_wait_one(dch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(50)), NULL),
            ZX_ERR_TIMED_OUT);
  zx_handle_close(dch);
  zx_handle_close(t);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}
