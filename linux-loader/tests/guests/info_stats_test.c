// zx_object_get_info topics about tasks' use of the machine and their
// handle tables: ZX_INFO_THREAD_STATS, ZX_INFO_TASK_RUNTIME (v1 and v2),
// ZX_INFO_PROCESS_HANDLE_STATS, ZX_INFO_HANDLE_TABLE.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return ZX_KOID_INVALID;
  return info.koid;
}

static volatile uint64_t g_sink;

static void spin_ms(int ms) {
  zx_time_t end = zx_deadline_after(ZX_MSEC(ms));
  while (zx_clock_get_monotonic() < end) g_sink++;
}

TEST(ThreadStats, RuntimeGrowsWhileSpinning) {
  zx_info_thread_stats_t a, b;
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_THREAD_STATS, &a, sizeof(a), NULL, NULL));
  spin_ms(20);
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_THREAD_STATS, &b, sizeof(b), NULL, NULL));
  ASSERT_GT(b.total_runtime, a.total_runtime);
  ASSERT_GE(b.total_runtime - a.total_runtime, ZX_MSEC(5));
  ASSERT_LT(b.last_scheduled_cpu, zx_system_get_num_cpus());
}

TEST(ThreadStats, ChecksTypeRightsAndSize) {
  zx_info_thread_stats_t st;
  size_t actual = 9, avail = 9;
  ASSERT_STATUS(zx_object_get_info(zx_process_self(), ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL,
                                   NULL),
                ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_WAIT, &weak));
  ASSERT_STATUS(zx_object_get_info(weak, ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  ASSERT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_THREAD_STATS, &st, 4, &actual, &avail),
                ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(actual, 0u);
  ASSERT_EQ(avail, 1u);
}

static void exit_now(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_thread_exit();
}

TEST(ThreadStats, ExitedThreadHasNoneButKeepsItsRuntime) {
  static uint8_t stack[16384] __attribute__((aligned(16)));
  zx_handle_t t;
  ASSERT_OK(zx_thread_create(zx_process_self(), "brief", 5, 0, &t));
  zx_info_thread_stats_t st;
  // Not started: nothing used yet, no CPU.
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL, NULL));
  ASSERT_EQ(st.total_runtime, 0);
  ASSERT_EQ(st.last_scheduled_cpu, ZX_INFO_INVALID_CPU);
  ASSERT_OK(zx_thread_start(t, (uintptr_t)exit_now, (uintptr_t)(stack + sizeof(stack) - 8), 0, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_STATUS(zx_object_get_info(t, ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL, NULL),
                ZX_ERR_BAD_STATE);
  zx_info_task_runtime_t rt;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TASK_RUNTIME, &rt, sizeof(rt), NULL, NULL));
  ASSERT_GE(rt.cpu_time, 0);
  zx_handle_close(t);
}

TEST(TaskRuntime, ThreadProcessAndJobAddUp) {
  spin_ms(10);
  zx_info_task_runtime_t thread, process, job;
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_TASK_RUNTIME, &thread, sizeof(thread),
                               NULL, NULL));
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_RUNTIME, &process, sizeof(process),
                               NULL, NULL));
  ASSERT_OK(zx_object_get_info(zx_job_default(), ZX_INFO_TASK_RUNTIME, &job, sizeof(job), NULL,
                               NULL));
  ASSERT_GT(thread.cpu_time, 0);
  ASSERT_GE(process.cpu_time, thread.cpu_time);
  ASSERT_GE(job.cpu_time, process.cpu_time);
  ASSERT_GE(thread.queue_time, 0);
  ASSERT_EQ(thread.page_fault_time, 0);
  ASSERT_EQ(thread.lock_contention_time, 0);
  // Monotonic.
  zx_info_task_runtime_t again;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_RUNTIME, &again, sizeof(again),
                               NULL, NULL));
  ASSERT_GE(again.cpu_time, process.cpu_time);
}

TEST(TaskRuntime, V1IsTheShorterRecord) {
  zx_info_task_runtime_v1_t v1;
  ASSERT_EQ(sizeof(v1), 16u);
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_TASK_RUNTIME_V1, &v1, sizeof(v1), NULL,
                               NULL));
  ASSERT_GT(v1.cpu_time, 0);
  zx_info_task_runtime_t v2;
  ASSERT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_TASK_RUNTIME, &v2, 16, NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_STATUS(zx_object_get_info(ev, ZX_INFO_TASK_RUNTIME, &v2, sizeof(v2), NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_WAIT, &weak));
  ASSERT_STATUS(zx_object_get_info(weak, ZX_INFO_TASK_RUNTIME, &v2, sizeof(v2), NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
}

TEST(HandleStats, CountsHandlesByType) {
  zx_info_process_handle_stats_t before, after;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &before,
                               sizeof(before), NULL, NULL));
  ASSERT_GE(before.handle_count[ZX_OBJ_TYPE_PROCESS], 1u);
  ASSERT_GE(before.handle_count[ZX_OBJ_TYPE_THREAD], 1u);
  zx_handle_t ev[3], a, b;
  for (int i = 0; i < 3; i++) ASSERT_OK(zx_event_create(0, &ev[i]));
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &after,
                               sizeof(after), NULL, NULL));
  ASSERT_EQ(after.handle_count[ZX_OBJ_TYPE_EVENT], before.handle_count[ZX_OBJ_TYPE_EVENT] + 3);
  ASSERT_EQ(after.handle_count[ZX_OBJ_TYPE_CHANNEL], before.handle_count[ZX_OBJ_TYPE_CHANNEL] + 2);
  for (int i = 0; i < 3; i++) zx_handle_close(ev[i]);
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_STATUS(zx_object_get_info(zx_thread_self(), ZX_INFO_PROCESS_HANDLE_STATS, &after,
                                   sizeof(after), NULL, NULL),
                ZX_ERR_WRONG_TYPE);
  ASSERT_STATUS(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &after, 8,
                                   NULL, NULL),
                ZX_ERR_BUFFER_TOO_SMALL);
}

TEST(HandleTable, ListsEveryHandle) {
  zx_handle_t ev, a, b;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &ro));
  static zx_info_handle_extended_t table[512];
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_TABLE, table, sizeof(table),
                               &actual, &avail));
  ASSERT_EQ(actual, avail);
  int seen = 0;
  for (size_t i = 0; i < actual; i++) {
    if (table[i].handle_value == ro) {
      ASSERT_EQ(table[i].type, ZX_OBJ_TYPE_EVENT);
      ASSERT_EQ(table[i].rights, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
      ASSERT_EQ(table[i].koid, koid_of(ev));
      ASSERT_EQ(table[i].related_koid, ZX_KOID_INVALID);
      seen++;
    }
    if (table[i].handle_value == a) {
      ASSERT_EQ(table[i].type, ZX_OBJ_TYPE_CHANNEL);
      ASSERT_EQ(table[i].related_koid, koid_of(b));
      // The peer is held by this same process: no other owner.
      ASSERT_EQ(table[i].peer_owner_koid, ZX_KOID_INVALID);
      seen++;
    }
  }
  ASSERT_EQ(seen, 2);
  // A short buffer takes what fits and still says how many there are.
  size_t actual2 = 0, avail2 = 0;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_TABLE, table,
                               2 * sizeof(table[0]) + 5, &actual2, &avail2));
  ASSERT_EQ(actual2, 2u);
  ASSERT_EQ(avail2, avail);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_WAIT, &weak));
  ASSERT_STATUS(zx_object_get_info(weak, ZX_INFO_HANDLE_TABLE, table, sizeof(table), NULL, NULL),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_handle_close(ro);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(b);
}
