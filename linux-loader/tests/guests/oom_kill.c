// ZX_PROP_JOB_KILL_ON_OOM and the out-of-memory killer: a job marked
// kill-on-OOM is killed (ZX_TASK_RETCODE_OOM_KILL) once committed memory
// reaches the out-of-memory watermark (set by the test through
// ZX_LIBOS_OOM); an unmarked one survives. Also the property's checks.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

static zx_status_t set_kill(zx_handle_t job, uint64_t v, size_t size) {
  return zx_object_set_property(job, ZX_PROP_JOB_KILL_ON_OOM, &v, size);
}

TEST(OomKill, PropertyChecks) {
  zx_handle_t job, ev;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  uint64_t v = 7;
  ASSERT_OK(zx_object_get_property(job, ZX_PROP_JOB_KILL_ON_OOM, &v, sizeof(v)));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(set_kill(job, 2, 8), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(set_kill(job, 1, 4), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(zx_object_get_property(job, ZX_PROP_JOB_KILL_ON_OOM, &v, 4), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_OK(zx_event_create(0, &ev));
  zx_handle_t ev2;
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &ev2));
  EXPECT_EQ(zx_object_set_property(ev, ZX_PROP_JOB_KILL_ON_OOM, &v, 8), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ev);
  zx_handle_close(ev2);
  ASSERT_OK(set_kill(job, 1, 8));
  ASSERT_OK(zx_object_get_property(job, ZX_PROP_JOB_KILL_ON_OOM, &v, sizeof(v)));
  EXPECT_EQ(v, 1u);
  zx_info_job_t info;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &info, sizeof(info), NULL, NULL));
  EXPECT_TRUE(info.kill_on_oom);
  ASSERT_OK(set_kill(job, 0, 8));
  zx_handle_close(job);
}

TEST(OomKill, TheMarkedJobDiesWhenMemoryRunsOut) {
  zx_handle_t parent, marked, spared;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &parent));
  ASSERT_OK(zx_job_create(parent, 0, &marked));
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &spared));
  ASSERT_OK(set_kill(marked, 1, 8));
  // 200 MiB of the test's 256 MiB pool: below its 64 MiB out-of-memory mark.
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(200u << 20, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 200u << 20, NULL, 0));
  ASSERT_OK(zx_object_wait_one(marked, ZX_TASK_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_info_job_t info;
  ASSERT_OK(zx_object_get_info(marked, ZX_INFO_JOB, &info, sizeof(info), NULL, NULL));
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_OOM_KILL);
  zx_handle_close(vmo);
  // Unmarked jobs (and this process) are left alone.
  EXPECT_EQ(zx_object_wait_one(spared, ZX_TASK_TERMINATED, zx_deadline_after(ZX_MSEC(50)), NULL),
            ZX_ERR_TIMED_OUT);
  EXPECT_EQ(zx_object_wait_one(parent, ZX_TASK_TERMINATED, 0, NULL), ZX_ERR_TIMED_OUT);
  zx_handle_close(marked);
  zx_handle_close(spared);
  zx_handle_close(parent);
}
