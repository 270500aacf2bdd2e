// Jobs: zx_job_create (options, rights, the height limit, dead parents),
// ZX_INFO_JOB / JOB_CHILDREN / JOB_PROCESSES, and a job's exception channel
// catching a crash in a process of the job, which then dies with
// ZX_TASK_RETCODE_EXCEPTION_KILL when the handler passes it on.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK) return 0;
  return info.koid;
}

static int koid_listed(zx_handle_t task, uint32_t topic, zx_koid_t koid) {
  zx_koid_t koids[64];
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(task, topic, koids, sizeof(koids), &actual, &avail) != ZX_OK) return -1;
  for (size_t i = 0; i < actual; i++) {
    if (koids[i] == koid) return 1;
  }
  return 0;
}

TEST(Job, CreateRules) {
  zx_handle_t job;
  ASSERT_EQ(zx_job_create(zx_job_default(), 1, &job), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_job_create(ZX_HANDLE_INVALID, 0, &job), ZX_ERR_BAD_HANDLE);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_job_create(vmo, 0, &job), ZX_ERR_WRONG_TYPE);
  zx_handle_close(vmo);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_job_default(), ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_JOB, &weak));
  ASSERT_EQ(zx_job_create(weak, 0, &job), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);

  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_JOB);
  ASSERT_EQ(info.rights, ZX_DEFAULT_JOB_RIGHTS);
  ASSERT_EQ(info.related_koid, koid_of(zx_job_default()));
  ASSERT_EQ(koid_listed(zx_job_default(), ZX_INFO_JOB_CHILDREN, info.koid), 1);
  zx_info_job_t ji;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL));
  ASSERT_FALSE(ji.exited);
  ASSERT_EQ(ji.return_code, 0);

  // A killed job takes no children, and reports how it ended.
  ASSERT_OK(zx_task_kill(job));
  ASSERT_OK(zx_object_wait_one(job, ZX_JOB_TERMINATED, 0, NULL));
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL));
  ASSERT_TRUE(ji.exited);
  ASSERT_EQ(ji.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_t child;
  ASSERT_EQ(zx_job_create(job, 0, &child), ZX_ERR_BAD_STATE);
  ASSERT_EQ(koid_listed(zx_job_default(), ZX_INFO_JOB_CHILDREN, info.koid), 0);
  zx_handle_close(job);
}

TEST(Job, HeightLimit) {
  // Jobs nest only so deep.
  zx_handle_t chain[64];
  size_t n = 0;
  zx_handle_t parent = zx_job_default();
  zx_status_t s = ZX_OK;
  while (n < 64) {
    s = zx_job_create(parent, 0, &chain[n]);
    if (s != ZX_OK) break;
    parent = chain[n++];
  }
  EXPECT_EQ(s, ZX_ERR_OUT_OF_RANGE);
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, 64u);
  while (n > 0) zx_handle_close(chain[--n]);
}

// Starts a process in `job` whose only instruction is ud2.
static zx_status_t start_crasher(zx_handle_t job, zx_handle_t* proc, zx_handle_t* thread) {
  zx_handle_t vmar, vmo, exec, stack_vmo;
  zx_status_t s = zx_process_create(job, "crasher", 7, 0, proc, &vmar);
  if (s != ZX_OK) return s;
  if ((s = zx_thread_create(*proc, "main", 4, 0, thread)) != ZX_OK) return s;
  if ((s = zx_vmo_create(PAGE, 0, &vmo)) != ZX_OK) return s;
  static const uint8_t kUd2[2] = {0x0f, 0x0b};
  if ((s = zx_vmo_write(vmo, kUd2, 0, sizeof(kUd2))) != ZX_OK) return s;
  if ((s = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &exec)) != ZX_OK) return s;
  zx_vaddr_t code, stack;
  if ((s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, exec, 0, PAGE, &code)) != ZX_OK) return s;
  if ((s = zx_vmo_create(PAGE, 0, &stack_vmo)) != ZX_OK) return s;
  if ((s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, PAGE, &stack)) != ZX_OK)
    return s;
  zx_handle_close(exec);
  zx_handle_close(stack_vmo);
  zx_handle_close(vmar);
  return zx_process_start(*proc, *thread, code, stack + PAGE - 8, ZX_HANDLE_INVALID, 0);
}

TEST(Job, ExceptionChannelCatchesACrashInTheJob) {
  zx_handle_t job, ch;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(job, 0, &ch));
  zx_handle_t proc, thread;
  ASSERT_OK(start_crasher(job, &proc, &thread));

  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_EQ(info.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_EQ(info.pid, koid_of(proc));
  ASSERT_EQ(info.tid, koid_of(thread));
  ASSERT_EQ(koid_listed(job, ZX_INFO_JOB_PROCESSES, info.pid), 1);
  zx_info_thread_t ti;
  ASSERT_OK(zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL));
  ASSERT_EQ(ti.state, ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  ASSERT_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_JOB);
  zx_handle_t p2;
  ASSERT_OK(zx_exception_get_process(exc, &p2));
  ASSERT_EQ(koid_of(p2), info.pid);
  zx_handle_close(p2);

  // Pass it on: nobody above handles it, so the process dies of it.
  ASSERT_OK(zx_handle_close(exc));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_process_t pi;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL));
  ASSERT_EQ(pi.return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  ASSERT_EQ(koid_listed(job, ZX_INFO_JOB_PROCESSES, info.pid), 0);
  // The job itself lives on.
  zx_info_job_t ji;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL));
  ASSERT_FALSE(ji.exited);

  zx_handle_close(thread);
  zx_handle_close(proc);
  zx_handle_close(ch);
  ASSERT_OK(zx_task_kill(job));
  zx_handle_close(job);
}

static uint32_t handle_count(zx_handle_t h) {
  zx_info_handle_count_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_COUNT, &info, sizeof(info), NULL, NULL) != ZX_OK) return UINT32_MAX;
  return info.handle_count;
}

TEST(ObjectInfo, HandleCountCountsHandlesOnly) {
  zx_handle_t ev, dup;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(handle_count(ev), 1u);
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_EQ(handle_count(ev), 2u);
  // A handle in flight in a channel message is still a handle.
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, &dup, 1));
  ASSERT_EQ(handle_count(ev), 2u);
  // Replacing changes rights, not the count.
  zx_handle_t repl;
  ASSERT_OK(zx_handle_replace(ev, ZX_RIGHT_SAME_RIGHTS, &repl));
  ASSERT_EQ(handle_count(repl), 2u);
  // Destroying the message closes the handle it carried.
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_EQ(handle_count(repl), 1u);
  zx_handle_close(repl);

  // A mapping keeps a VMO alive but is not a handle to it.
  zx_handle_t vmo;
  zx_vaddr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  ASSERT_EQ(handle_count(vmo), 1u);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(Job, ProcessStartingGoesToTheNearestDebuggedJobOnly) {
  zx_handle_t parent, job, parent_dbg, job_dbg;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &parent));
  ASSERT_OK(zx_job_create(parent, 0, &job));
  ASSERT_OK(zx_task_create_exception_channel(parent, ZX_EXCEPTION_CHANNEL_DEBUGGER, &parent_dbg));
  ASSERT_OK(zx_task_create_exception_channel(job, ZX_EXCEPTION_CHANNEL_DEBUGGER, &job_dbg));
  zx_info_job_t ji;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL));
  ASSERT_TRUE(ji.debugger_attached);
  zx_handle_t proc, thread;
  ASSERT_OK(start_crasher(job, &proc, &thread));
  ASSERT_OK(zx_object_wait_one(job_dbg, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(job_dbg, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_EQ(info.type, ZX_EXCP_PROCESS_STARTING);
  ASSERT_EQ(info.pid, koid_of(proc));
  ASSERT_OK(zx_handle_close(exc));
  // It does not bubble up to the parent job's debugger.
  ASSERT_EQ(zx_object_wait_one(parent_dbg, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(50)), NULL),
            ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_task_kill(job));
  // A killed job's debugger channels are closed.
  ASSERT_OK(zx_object_wait_one(job_dbg, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_handle_close(thread);
  zx_handle_close(proc);
  zx_handle_close(job_dbg);
  zx_handle_close(parent_dbg);
  zx_handle_close(job);
  zx_handle_close(parent);
}
