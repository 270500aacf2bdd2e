// The SDK's mini-process library (<mini-process/mini-process.h>): starting
// mini processes with and without a control channel, every command and how
// it answers, the ones that end the thread or process, exceptions they raise
// reaching an exception channel, and the library's failure modes (bad
// handles, a killed child, a closed control channel).
#include <mini-process/mini-process.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

typedef struct {
  zx_handle_t process, thread, vmar, channel;
} mini_t;

// A process and thread of our own, started with a control channel.
static void start(mini_t* m, zx_handle_t transferred) {
  memset(m, 0, sizeof(*m));
  ASSERT_OK(zx_process_create(zx_job_default(), "mini", 4, 0, &m->process, &m->vmar));
  ASSERT_OK(zx_thread_create(m->process, "mini-t", 6, 0, &m->thread));
  ASSERT_OK(start_mini_process_etc(m->process, m->thread, m->vmar, transferred, true, &m->channel));
}

static void finish(mini_t* m) {
  zx_task_kill(m->process);
  zx_handle_t hs[4] = {m->process, m->thread, m->vmar, m->channel};
  for (int i = 0; i < 4; i++)
    if (hs[i] != ZX_HANDLE_INVALID) zx_handle_close(hs[i]);
}

static zx_info_process_t process_info(zx_handle_t p) {
  zx_info_process_t info;
  memset(&info, 0xff, sizeof(info));
  zx_object_get_info(p, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  return info;
}

static zx_obj_type_t type_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) != ZX_OK) return ZX_OBJ_TYPE_NONE;
  return b.type;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) != ZX_OK) return 0;
  return b.koid;
}

// True if `h` does not reach `signals` within 20 ms.
static bool stays_clear(zx_handle_t h, zx_signals_t signals) {
  return zx_object_wait_one(h, signals, zx_deadline_after(ZX_MSEC(20)), NULL) == ZX_ERR_TIMED_OUT;
}

// Maps one page of a new VMO into the child and returns its address there.
static uintptr_t child_page(mini_t* m, zx_handle_t* vmo) {
  uintptr_t addr = 0;
  if (zx_vmo_create(4096, 0, vmo) != ZX_OK) return 0;
  if (zx_vmar_map(m->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, *vmo, 0, 4096, &addr) != ZX_OK) return 0;
  return addr;
}

static zx_status_t read_exception(zx_handle_t ch, zx_exception_info_t* info, zx_handle_t* exc) {
  zx_status_t s = zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
  if (s != ZX_OK) return s;
  uint32_t nb = 0, nh = 0;
  return zx_channel_read(ch, 0, info, exc, sizeof(*info), 1, &nb, &nh);
}

TEST(MiniProcess, StartMiniProcessRunsUntilKilled) {
  zx_handle_t ev, process, thread;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(start_mini_process(zx_job_default(), ev, &process, &thread));
  EXPECT_EQ(type_of(process), ZX_OBJ_TYPE_PROCESS);
  EXPECT_EQ(type_of(thread), ZX_OBJ_TYPE_THREAD);
  char name[ZX_MAX_NAME_LEN];
  ASSERT_OK(zx_object_get_property(process, ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_STR_EQ(name, "minipr");
  ASSERT_OK(zx_object_get_property(thread, ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_STR_EQ(name, "minith");
  // The event went to the child: the value is gone from this process.
  EXPECT_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE);
  // Its control channel was closed, so the thread waits forever.
  EXPECT_TRUE(stays_clear(process, ZX_PROCESS_TERMINATED));
  zx_info_process_t info = process_info(process);
  EXPECT_TRUE(info.flags & ZX_INFO_PROCESS_FLAG_STARTED);
  EXPECT_FALSE(info.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  ASSERT_OK(zx_task_kill(process));
  ASSERT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(process).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(process);
  zx_handle_close(thread);
}

TEST(MiniProcess, StartMiniProcessFailuresConsumeTheHandle) {
  zx_handle_t ev, process = 7, thread = 7;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(start_mini_process(ZX_HANDLE_INVALID, ev, &process, &thread), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE);
  // A job handle without the right to make children.
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_job_default(), ZX_RIGHT_INSPECT, &weak));
  EXPECT_EQ(start_mini_process(weak, ZX_HANDLE_INVALID, &process, &thread), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
}

TEST(MiniProcess, NoControlChannelSpinsHoldingTheHandle) {
  zx_handle_t process, vmar, thread, ours, theirs;
  ASSERT_OK(zx_process_create(zx_job_default(), "spin", 4, 0, &process, &vmar));
  ASSERT_OK(zx_thread_create(process, "spin", 4, 0, &thread));
  ASSERT_OK(zx_channel_create(0, &ours, &theirs));
  ASSERT_OK(start_mini_process_etc(process, thread, vmar, theirs, true, NULL));
  EXPECT_EQ(zx_handle_close(theirs), ZX_ERR_BAD_HANDLE);
  // The child holds the other end (it never closes it) and keeps running.
  EXPECT_TRUE(stays_clear(ours, ZX_CHANNEL_PEER_CLOSED));
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_RUNNING);
  // Killing the process closes its handles.
  ASSERT_OK(zx_task_kill(process));
  ASSERT_OK(zx_object_wait_one(ours, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_object_wait_one(process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(ours);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(MiniProcess, StartEtcBadHandles) {
  zx_handle_t process, vmar, thread, ch = 7, ev;
  ASSERT_OK(zx_process_create(zx_job_default(), "bad", 3, 0, &process, &vmar));
  ASSERT_OK(zx_thread_create(process, "bad", 3, 0, &thread));
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(start_mini_process_etc(process, thread, ZX_HANDLE_INVALID, ev, true, &ch), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(ch, 7u);
  EXPECT_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(start_mini_process_etc(process, ZX_HANDLE_INVALID, vmar, ZX_HANDLE_INVALID, true, &ch),
            ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(start_mini_process_etc(ZX_HANDLE_INVALID, thread, vmar, ZX_HANDLE_INVALID, true, &ch),
            ZX_ERR_BAD_HANDLE);
  // Nothing started.
  EXPECT_FALSE(process_info(process).flags & ZX_INFO_PROCESS_FLAG_STARTED);
  // The process still works afterwards.
  ASSERT_OK(start_mini_process_etc(process, thread, vmar, ZX_HANDLE_INVALID, true, &ch));
  EXPECT_OK(mini_process_cmd(ch, MINIP_CMD_ECHO_MSG, NULL));
  zx_task_kill(process);
  zx_handle_close(ch);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(MiniProcess, WaitForAckLater) {
  zx_handle_t process, vmar, thread, ch;
  ASSERT_OK(zx_process_create(zx_job_default(), "ack", 3, 0, &process, &vmar));
  ASSERT_OK(zx_thread_create(process, "ack", 3, 0, &thread));
  ASSERT_OK(start_mini_process_etc(process, thread, vmar, ZX_HANDLE_INVALID, false, &ch));
  ASSERT_OK(mini_process_wait_for_ack(ch));
  EXPECT_OK(mini_process_cmd(ch, MINIP_CMD_ECHO_MSG, NULL));
  // A child that died before acknowledging.
  zx_handle_t p2, v2, t2, ch2;
  ASSERT_OK(zx_process_create(zx_job_default(), "ack2", 4, 0, &p2, &v2));
  ASSERT_OK(zx_thread_create(p2, "ack2", 4, 0, &t2));
  ASSERT_OK(start_mini_process_etc(p2, t2, v2, ZX_HANDLE_INVALID, false, &ch2));
  ASSERT_OK(zx_task_kill(p2));
  ASSERT_OK(zx_object_wait_one(p2, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_signals_t seen = 0;
  zx_object_wait_one(ch2, ZX_CHANNEL_READABLE, 0, &seen);
  if (!(seen & ZX_CHANNEL_READABLE)) EXPECT_EQ(mini_process_wait_for_ack(ch2), ZX_ERR_UNAVAILABLE);
  EXPECT_EQ(mini_process_wait_for_ack(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  zx_task_kill(process);
  zx_handle_t hs[] = {process, vmar, thread, ch, p2, v2, t2, ch2};
  zx_handle_close_many(hs, 8);
}

TEST(MiniProcess, EchoAndUnknownCommands) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  EXPECT_EQ(mini_process_cmd(m.channel, 0, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(mini_process_cmd(m.channel, 1u << 30, NULL), ZX_ERR_WRONG_TYPE);
  // Still serving, and nothing left over from those.
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  zx_signals_t seen = 0;
  zx_object_wait_one(m.channel, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(10)), &seen);
  EXPECT_FALSE(seen & ZX_CHANNEL_READABLE);
  // The reply repeats the command word.
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_ECHO_MSG));
  ASSERT_OK(zx_object_wait_one(m.channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  struct {
    uint32_t what;
    int32_t status;
    uint64_t data;
  } reply;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(m.channel, 0, &reply, NULL, sizeof(reply), 0, &nb, &nh));
  EXPECT_EQ(nb, 16u);
  EXPECT_EQ(reply.what, (uint32_t)MINIP_CMD_ECHO_MSG);
  EXPECT_EQ(reply.status, ZX_OK);
  finish(&m);
}

TEST(MiniProcess, SeveralCommandsSeveralReplies) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t ev = ZX_HANDLE_INVALID;
  // ECHO answers first, then CREATE_EVENT with the event, then the bad close.
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_ECHO_MSG | MINIP_CMD_CREATE_EVENT |
                                                 MINIP_CMD_USE_BAD_HANDLE_CLOSED));
  EXPECT_OK(mini_process_cmd_read_reply(m.channel, NULL));
  EXPECT_OK(mini_process_cmd_read_reply(m.channel, &ev));
  EXPECT_EQ(type_of(ev), ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  zx_handle_close(ev);
  finish(&m);
}

TEST(MiniProcess, CreateEventAndChannel) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t ev = ZX_HANDLE_INVALID;
  ASSERT_OK(mini_process_cmd(m.channel, MINIP_CMD_CREATE_EVENT, &ev));
  EXPECT_EQ(type_of(ev), ZX_OBJ_TYPE_EVENT);
  EXPECT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  zx_handle_t ch = ZX_HANDLE_INVALID;
  ASSERT_OK(mini_process_cmd(m.channel, MINIP_CMD_CREATE_CHANNEL, &ch));
  EXPECT_EQ(type_of(ch), ZX_OBJ_TYPE_CHANNEL);
  // The child keeps the peer, until it dies.
  EXPECT_TRUE(stays_clear(ch, ZX_CHANNEL_PEER_CLOSED));
  EXPECT_OK(zx_channel_write(ch, 0, "x", 1, NULL, 0));
  // A reply with a handle read without room for one stays queued.
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_CREATE_EVENT));
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t ev2 = ZX_HANDLE_INVALID;
  EXPECT_OK(mini_process_cmd_read_reply(m.channel, &ev2));
  EXPECT_EQ(type_of(ev2), ZX_OBJ_TYPE_EVENT);
  zx_handle_t process = m.process;
  m.process = ZX_HANDLE_INVALID;
  finish(&m);
  ASSERT_OK(zx_task_kill(process));
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL));
  zx_handle_t hs[] = {process, ev, ev2, ch};
  zx_handle_close_many(hs, 4);
}

TEST(MiniProcess, BadHandleCommands) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_USE_BAD_HANDLE_CLOSED, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_VALIDATE_CLOSED_HANDLE, NULL), ZX_ERR_BAD_HANDLE);
  // None of them killed the child.
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  finish(&m);
}

TEST(MiniProcess, PagerCommands) {
  // The child makes a pager, or a pager's VMO (its pager and port stay in
  // the child), and sends it.
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t h = ZX_HANDLE_INVALID;
  ASSERT_OK(mini_process_cmd(m.channel, MINIP_CMD_CREATE_PAGER, &h));
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_PAGER);
  zx_handle_close(h);
  h = ZX_HANDLE_INVALID;
  ASSERT_OK(mini_process_cmd(m.channel, MINIP_CMD_CREATE_PAGER_VMO, &h));
  zx_info_vmo_t info;
  ASSERT_OK(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  EXPECT_NE(info.flags & ZX_INFO_VMO_PAGER_BACKED, 0u);
  zx_handle_close(h);
  finish(&m);
}

TEST(MiniProcess, CommandsThisEmulatorCannotServe) {
  // Profiles, contiguous and physical VMOs are not emulated: each command
  // answers the status of the call that refused, and sends no handle.
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  const uint32_t cmds[] = {MINIP_CMD_CREATE_PROFILE, MINIP_CMD_CREATE_VMO_CONTIGUOUS,
                           MINIP_CMD_CREATE_VMO_PHYSICAL};
  for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    EXPECT_EQ(mini_process_cmd(m.channel, cmds[i], &h), ZX_ERR_NOT_SUPPORTED, "command %#x", cmds[i]);
    EXPECT_EQ(h, ZX_HANDLE_INVALID);
  }
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  finish(&m);
}

TEST(MiniProcess, AmbientExecutable) {
  // This emulator has no job policies: an invalid vmex is allowed, as under
  // Zircon's default policy.
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE, NULL));
  finish(&m);
}

TEST(MiniProcess, ChannelWriteUsesTheTransferredHandle) {
  zx_handle_t ours, theirs;
  ASSERT_OK(zx_channel_create(0, &ours, &theirs));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, theirs));
  EXPECT_EQ(zx_handle_close(theirs), ZX_ERR_BAD_HANDLE);
  for (int i = 0; i < 3; i++) ASSERT_OK(mini_process_cmd(m.channel, MINIP_CMD_CHANNEL_WRITE, NULL));
  for (int i = 0; i < 3; i++) {
    uint8_t b = 0xaa;
    uint32_t nb, nh;
    ASSERT_OK(zx_channel_read(ours, 0, &b, NULL, 1, 0, &nb, &nh));
    EXPECT_EQ(nb, 1u);
    EXPECT_EQ(b, 0u);
  }
  // Once our end is gone the write fails, and the child says so.
  zx_handle_close(ours);
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_CHANNEL_WRITE, NULL), ZX_ERR_PEER_CLOSED);
  finish(&m);
}

TEST(MiniProcess, ChannelWriteWithoutTransferredHandle) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_CHANNEL_WRITE, NULL), ZX_ERR_BAD_HANDLE);
  finish(&m);
}

TEST(MiniProcess, ExitNormal) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  // ECHO still answers before the exit.
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_EXIT_NORMAL | MINIP_CMD_ECHO_MSG));
  EXPECT_OK(mini_process_cmd_read_reply(m.channel, NULL));
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t info = process_info(m.process);
  EXPECT_TRUE(info.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  EXPECT_EQ(info.return_code, 0);
  // A dead child's channel.
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL), ZX_ERR_PEER_CLOSED);
  EXPECT_EQ(mini_process_cmd_send(m.channel, MINIP_CMD_ECHO_MSG), ZX_ERR_PEER_CLOSED);
  finish(&m);
}

TEST(MiniProcess, ThreadExitEndsTheProcess) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_THREAD_EXIT, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  // Its last thread gone, the process ends too.
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  finish(&m);
}

TEST(MiniProcess, KilledChild) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  ASSERT_OK(zx_task_kill(m.process));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(m.process).return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  // Bad control channels.
  EXPECT_EQ(mini_process_cmd(ZX_HANDLE_INVALID, MINIP_CMD_ECHO_MSG, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mini_process_cmd(m.thread, MINIP_CMD_ECHO_MSG, NULL), ZX_ERR_WRONG_TYPE);
  finish(&m);
}

TEST(MiniProcess, KillWhileBlockedInCommand) {
  // WAIT_ASYNC_CANCEL never replies; the child keeps running until killed.
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ev));
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_WAIT_ASYNC_CANCEL));
  EXPECT_TRUE(stays_clear(m.process, ZX_PROCESS_TERMINATED));
  EXPECT_TRUE(stays_clear(m.channel, ZX_CHANNEL_READABLE));
  ASSERT_OK(zx_task_kill(m.process));
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_PEER_CLOSED);
  finish(&m);
}

TEST(MiniProcess, BuiltinTrapWithoutHandlerKillsTheProcess) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_BUILTIN_TRAP, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(m.process).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  finish(&m);
}

TEST(MiniProcess, BuiltinTrapReachesTheExceptionChannel) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t exch;
  ASSERT_OK(zx_task_create_exception_channel(m.process, 0, &exch));
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_BUILTIN_TRAP));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(exch, &info, &exc));
  EXPECT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  EXPECT_EQ(info.pid, koid_of(m.process));
  EXPECT_EQ(info.tid, koid_of(m.thread));
  // The faulting instruction lies in the child's code (its stack mapping).
  zx_handle_t t;
  ASSERT_OK(zx_exception_get_thread(exc, &t));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  uint16_t insn = 0;
  size_t actual = 0;
  ASSERT_OK(zx_process_read_memory(m.process, regs.rip, &insn, 2, &actual));
  EXPECT_EQ(insn, 0x0b0fu);  // ud2
  zx_handle_close(t);
  // Nobody handles it: the process dies of it.
  zx_handle_close(exc);
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(m.process).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(exch);
  finish(&m);
}

TEST(MiniProcess, BacktraceRequestThenThreadPointer) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t vmo;
  uintptr_t page = child_page(&m, &vmo);
  ASSERT_NE(page, 0u);
  uint64_t magic = MINIP_THREAD_POINTER_CHECK_VALUE;
  ASSERT_OK(zx_vmo_write(vmo, &magic, 0, sizeof(magic)));
  // With no thread pointer set, fs:0 is address 0: a fatal page fault, seen
  // below only if the handler did not set fs first.
  zx_handle_t exch;
  ASSERT_OK(zx_task_create_exception_channel(m.process, 0, &exch));
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_BACKTRACE_REQUEST));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(exch, &info, &exc));
  ASSERT_EQ(info.type, ZX_EXCP_SW_BREAKPOINT);
  zx_handle_t t;
  ASSERT_OK(zx_exception_get_thread(exc, &t));
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  EXPECT_EQ(regs.rax, 0xee726573756d65eeull);
  // Point the thread pointer at the magic word and resume.
  regs.fs_base = page;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  uint32_t handled = ZX_EXCEPTION_STATE_HANDLED;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &handled, sizeof(handled)));
  zx_handle_close(exc);
  EXPECT_OK(mini_process_cmd_read_reply(m.channel, NULL));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_CHECK_THREAD_POINTER, NULL));
  magic = 1;
  ASSERT_OK(zx_vmo_write(vmo, &magic, 0, sizeof(magic)));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_CHECK_THREAD_POINTER, NULL), ZX_ERR_BAD_STATE);
  zx_handle_close(t);
  zx_handle_close(exch);
  zx_handle_close(vmo);
  finish(&m);
}

TEST(MiniProcess, ReadFromUserAddr) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t vmo;
  uintptr_t page = child_page(&m, &vmo);
  ASSERT_NE(page, 0u);
  int32_t word = -12345;
  ASSERT_OK(zx_vmo_write(vmo, &word, 64, sizeof(word)));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_READ_FROM_USER_ADDR, NULL, page + 64), -12345);
  // An unmapped address: a fatal page fault in the child.
  zx_handle_t exch;
  ASSERT_OK(zx_task_create_exception_channel(m.process, 0, &exch));
  ASSERT_OK(zx_vmar_unmap(m.vmar, page, 4096));
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_READ_FROM_USER_ADDR, ZX_HANDLE_INVALID, page + 64));
  zx_exception_info_t info;
  zx_handle_t exc;
  ASSERT_OK(read_exception(exch, &info, &exc));
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  zx_handle_close(exc);
  EXPECT_EQ(mini_process_cmd_read_reply(m.channel, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(process_info(m.process).return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(exch);
  zx_handle_close(vmo);
  finish(&m);
}

TEST(MiniProcess, VmoCommands) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t shared;
  uintptr_t page = child_page(&m, &shared);
  ASSERT_NE(page, 0u);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * 4096, 0, &vmo));
  uint64_t v = 0x1122334455667788ull;
  ASSERT_OK(zx_vmo_write(vmo, &v, 0, sizeof(v)));

  // VMO_READ into the shared page.
  zx_handle_t dup;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_VMO_READ, &dup, page));
  uint64_t got = 0;
  ASSERT_OK(zx_vmo_read(shared, &got, 0, sizeof(got)));
  EXPECT_EQ(got, v);
  // Into its own stack.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_VMO_READ, &dup));

  // VMO_WRITE from the shared page.
  uint64_t w = 0xfeedf00dcafe0001ull;
  ASSERT_OK(zx_vmo_write(shared, &w, 8, sizeof(w)));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_VMO_WRITE, &dup, page + 8));
  ASSERT_OK(zx_vmo_read(vmo, &got, 0, sizeof(got)));
  EXPECT_EQ(got, w);
  // Without the right to write.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_TRANSFER | ZX_RIGHT_READ, &dup));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_VMO_WRITE, &dup), ZX_ERR_ACCESS_DENIED);

  // VMO_GET_INFO into the shared page.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_VMO_GET_INFO, &dup, page + 256));
  zx_info_vmo_t info;
  ASSERT_OK(zx_vmo_read(shared, &info, 256, sizeof(info)));
  EXPECT_EQ(info.koid, koid_of(vmo));
  EXPECT_EQ(info.size_bytes, 3u * 4096u);

  // No VMO sent: the child's handle is invalid.
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_VMO_READ, NULL), ZX_ERR_BAD_HANDLE);
  // Not a VMO.
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_VMO_GET_INFO, &ev), ZX_ERR_WRONG_TYPE);
  // An unmapped destination: the call fails (NOT_FOUND), the child does not fault.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_EQ(mini_process_cmd(m.channel, MINIP_CMD_VMO_READ, &dup, 8), ZX_ERR_NOT_FOUND);
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  zx_handle_close(vmo);
  zx_handle_close(shared);
  finish(&m);
}

TEST(MiniProcess, LoadStackAndVdso) {
  zx_handle_t process, vmar;
  ASSERT_OK(zx_process_create(zx_job_default(), "load", 4, 0, &process, &vmar));
  uintptr_t base = 0, sp = 0;
  ASSERT_OK(mini_process_load_stack(vmar, false, &base, &sp));
  EXPECT_NE(base, 0u);
  EXPECT_EQ((sp + 8) % 16, 0u);
  EXPECT_GT(sp, base);
  EXPECT_LE(sp, base + 16 * 1024);
  // The stack is the 16 KiB VMO named for it.
  zx_info_maps_t maps[16];
  size_t n = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(process, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &n, &avail));
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    if (maps[i].type != ZX_INFO_MAPS_TYPE_MAPPING || maps[i].base != base) continue;
    found = true;
    EXPECT_EQ(maps[i].size, 16u * 1024u);
    EXPECT_EQ(maps[i].u.mapping.mmu_flags & ZX_VM_PERM_EXECUTE, 0u);
    EXPECT_STR_EQ(maps[i].name, "mini-process:stack");
  }
  EXPECT_TRUE(found);
  uintptr_t cbase = 0, csp = 0;
  ASSERT_OK(mini_process_load_stack(vmar, true, &cbase, &csp));
  EXPECT_EQ((csp + 8) % 16, 0u);
  ASSERT_OK(zx_object_get_info(process, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &n, &avail));
  found = false;
  for (size_t i = 0; i < n; i++) {
    if (maps[i].type != ZX_INFO_MAPS_TYPE_MAPPING || maps[i].base != cbase) continue;
    found = true;
    EXPECT_GT(maps[i].size, 16u * 1024u);
    EXPECT_NE(maps[i].u.mapping.mmu_flags & ZX_VM_PERM_EXECUTE, 0u);
  }
  EXPECT_TRUE(found);

  uintptr_t vdso = 0, entry = 0;
  ASSERT_OK(mini_process_load_vdso(process, vmar, &vdso, &entry));
  EXPECT_NE(vdso, 0u);
  EXPECT_GE(entry, vdso);
  ASSERT_OK(mini_process_load_vdso(process, vmar, NULL, NULL));
  EXPECT_EQ(mini_process_load_stack(ZX_HANDLE_INVALID, true, &base, &sp), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mini_process_load_vdso(process, ZX_HANDLE_INVALID, &base, NULL), ZX_ERR_BAD_HANDLE);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(MiniProcess, SecondSpinningThread) {
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start(&m, ZX_HANDLE_INVALID));
  zx_handle_t t2;
  ASSERT_OK(zx_thread_create(m.process, "spin2", 5, 0, &t2));
  ASSERT_OK(start_mini_process_thread(t2, m.vmar));
  EXPECT_TRUE(stays_clear(t2, ZX_THREAD_TERMINATED));
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(t2, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  EXPECT_EQ(ti.state, ZX_THREAD_STATE_RUNNING);
  // The first thread still serves commands.
  EXPECT_OK(mini_process_cmd(m.channel, MINIP_CMD_ECHO_MSG, NULL));
  // THREAD_EXIT ends only the serving thread; the spinner keeps the process.
  // (The process still holds the control channel, so no PEER_CLOSED yet.)
  ASSERT_OK(mini_process_cmd_send(m.channel, MINIP_CMD_THREAD_EXIT));
  ASSERT_OK(zx_object_wait_one(m.thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_TRUE(stays_clear(m.process, ZX_PROCESS_TERMINATED));
  EXPECT_TRUE(stays_clear(m.channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED));
  EXPECT_EQ(start_mini_process_thread(ZX_HANDLE_INVALID, m.vmar), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_task_kill(m.process));
  ASSERT_OK(zx_object_wait_one(t2, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(t2);
  finish(&m);
}
