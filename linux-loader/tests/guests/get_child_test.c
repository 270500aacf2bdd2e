// zx_object_get_child: threads of a process, child jobs and processes of a
// job, by koid; rights, order of checks, and what does not count as a child.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

static zx_info_handle_basic_t basic(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  return info;
}

TEST(GetChild, ProcessFindsItsOwnThread) {
  zx_koid_t me = basic(zx_thread_self()).koid;
  zx_handle_t t;
  ASSERT_OK(zx_object_get_child(zx_process_self(), me, ZX_RIGHT_SAME_RIGHTS, &t));
  zx_info_handle_basic_t info = basic(t);
  ASSERT_EQ(info.koid, me);
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_THREAD);
  // SAME_RIGHTS means the parent handle's rights.
  ASSERT_EQ(info.rights, basic(zx_process_self()).rights);
  zx_handle_close(t);
}

TEST(GetChild, RightsAskedForAreTheRightsGiven) {
  zx_koid_t me = basic(zx_thread_self()).koid;
  zx_handle_t t;
  ASSERT_OK(zx_object_get_child(zx_process_self(), me, ZX_RIGHT_READ | ZX_RIGHT_WAIT, &t));
  ASSERT_EQ(basic(t).rights, ZX_RIGHT_READ | ZX_RIGHT_WAIT);
  zx_handle_close(t);
  // More than the parent handle holds: ACCESS_DENIED.
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_ENUMERATE | ZX_RIGHT_READ, &weak));
  ASSERT_STATUS(zx_object_get_child(weak, me, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &t),
                ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_object_get_child(weak, me, ZX_RIGHT_READ, &t));
  zx_handle_close(t);
  zx_handle_close(weak);
}

TEST(GetChild, NeedsEnumerateBeforeAnythingElse) {
  zx_handle_t no_enum, t;
  zx_rights_t all = basic(zx_process_self()).rights;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), all & ~ZX_RIGHT_ENUMERATE, &no_enum));
  // Even for a koid that is no child, and rights it does not hold.
  ASSERT_STATUS(zx_object_get_child(no_enum, 1, ZX_RIGHT_SAME_RIGHTS, &t), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_enum);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_STATUS(zx_object_get_child(ev, 1, ZX_RIGHT_SAME_RIGHTS, &t), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ev);
  ASSERT_STATUS(zx_object_get_child(ZX_HANDLE_INVALID, 1, ZX_RIGHT_SAME_RIGHTS, &t),
                ZX_ERR_BAD_HANDLE);
}

TEST(GetChild, ThreadsHaveNoChildren) {
  // A thread handle carrying the process's rights has ENUMERATE, and is the
  // wrong type of parent.
  zx_handle_t t, child;
  ASSERT_OK(zx_object_get_child(zx_process_self(), basic(zx_thread_self()).koid,
                                ZX_RIGHT_SAME_RIGHTS, &t));
  ASSERT_STATUS(zx_object_get_child(t, basic(zx_thread_self()).koid, ZX_RIGHT_SAME_RIGHTS, &child),
                ZX_ERR_WRONG_TYPE);
  zx_handle_close(t);
}

TEST(GetChild, JobFindsChildJobsAndProcessesNotGrandchildren) {
  zx_handle_t job, sub, proc, vmar, got;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &sub));
  ASSERT_OK(zx_process_create(job, "child", 5, 0, &proc, &vmar));
  zx_handle_t deep_proc, deep_vmar;
  ASSERT_OK(zx_process_create(sub, "grandchild", 10, 0, &deep_proc, &deep_vmar));

  ASSERT_OK(zx_object_get_child(job, basic(sub).koid, ZX_RIGHT_SAME_RIGHTS, &got));
  ASSERT_EQ(basic(got).koid, basic(sub).koid);
  ASSERT_EQ(basic(got).type, ZX_OBJ_TYPE_JOB);
  zx_handle_close(got);
  ASSERT_OK(zx_object_get_child(job, basic(proc).koid, ZX_RIGHT_SAME_RIGHTS, &got));
  ASSERT_EQ(basic(got).koid, basic(proc).koid);
  ASSERT_EQ(basic(got).type, ZX_OBJ_TYPE_PROCESS);
  zx_handle_close(got);
  // Only direct children.
  ASSERT_STATUS(zx_object_get_child(job, basic(deep_proc).koid, ZX_RIGHT_SAME_RIGHTS, &got),
                ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_object_get_child(sub, basic(deep_proc).koid, ZX_RIGHT_SAME_RIGHTS, &got));
  zx_handle_close(got);
  // Koids of other things, or of nothing.
  ASSERT_STATUS(zx_object_get_child(job, basic(vmar).koid, ZX_RIGHT_SAME_RIGHTS, &got),
                ZX_ERR_NOT_FOUND);
  ASSERT_STATUS(zx_object_get_child(job, 0, ZX_RIGHT_SAME_RIGHTS, &got), ZX_ERR_NOT_FOUND);
  ASSERT_STATUS(zx_object_get_child(proc, basic(zx_thread_self()).koid, ZX_RIGHT_SAME_RIGHTS, &got),
                ZX_ERR_NOT_FOUND);
  // A bad out pointer: nothing is left behind.
  ASSERT_STATUS(zx_object_get_child(job, basic(proc).koid, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)8),
                ZX_ERR_INVALID_ARGS);

  zx_handle_close(deep_vmar);
  zx_handle_close(deep_proc);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_handle_close(sub);
  zx_task_kill(job);
  zx_handle_close(job);
}

TEST(GetChild, DeadChildrenAreGone) {
  zx_handle_t job, sub, got;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(zx_job_create(job, 0, &sub));
  zx_koid_t k = basic(sub).koid;
  ASSERT_OK(zx_task_kill(sub));
  ASSERT_STATUS(zx_object_get_child(job, k, ZX_RIGHT_SAME_RIGHTS, &got), ZX_ERR_NOT_FOUND);
  zx_handle_close(sub);
  zx_handle_close(job);
}

TEST(GetChild, DefaultJobFindsThisProcess) {
  zx_handle_t got;
  ASSERT_OK(zx_object_get_child(zx_job_default(), basic(zx_process_self()).koid,
                                ZX_RIGHT_SAME_RIGHTS, &got));
  ASSERT_EQ(basic(got).koid, basic(zx_process_self()).koid);
  zx_handle_close(got);
}
