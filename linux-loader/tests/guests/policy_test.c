// Job policies and critical processes: zx_job_set_policy's checks (in
// Zircon's order), inheritance and override rules, each action (deny,
// allow/deny with an exception, kill) seen from a mini process in a job
// with the policy, the timer-slack topic, and zx_job_set_critical.
#include <mini-process/mini-process.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zxtest/zxtest.h>

static zx_status_t set_v2(zx_handle_t job, uint32_t mode, uint32_t condition, uint32_t action,
                          uint32_t flags) {
  zx_policy_basic_v2_t p = {condition, action, flags};
  return zx_job_set_policy(job, mode, ZX_JOB_POL_BASIC_V2, &p, 1);
}

typedef struct {
  zx_handle_t process, thread, vmar, ctl;
} mini_t;

// A mini process in `job`, serving commands.
static void start_in(zx_handle_t job, mini_t* m) {
  ASSERT_OK(zx_process_create(job, "minip", 5, 0, &m->process, &m->vmar));
  ASSERT_OK(zx_thread_create(m->process, "minit", 5, 0, &m->thread));
  ASSERT_OK(start_mini_process_etc(m->process, m->thread, m->vmar, ZX_HANDLE_INVALID, true, &m->ctl));
}

static void finish(mini_t* m) {
  zx_task_kill(m->process);
  zx_object_wait_one(m->process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(m->ctl);
  zx_handle_close(m->thread);
  zx_handle_close(m->vmar);
  zx_handle_close(m->process);
}

static int64_t return_code(zx_handle_t process) {
  zx_info_process_t info;
  if (zx_object_get_info(process, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL) != ZX_OK) return 1;
  return info.return_code;
}

TEST(Policy, SetPolicyChecksInZirconsOrder) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_policy_basic_v2_t p = {ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY};
  // The topic, the mode, the count and the buffer, before the handle.
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, 7, &p, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 2, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, ZX_JOB_POL_BASIC_V2, &p, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, ZX_JOB_POL_BASIC_V2, &p, 33), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, ZX_JOB_POL_BASIC_V2, NULL, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, ZX_JOB_POL_BASIC_V2, (void*)8, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(ZX_HANDLE_INVALID, 0, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_ERR_BAD_HANDLE);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_job_set_policy(ev, 0, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(job, ZX_RIGHT_INSPECT, &weak));
  EXPECT_EQ(zx_job_set_policy(weak, 0, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  // The entries: the action, the override flag, the condition.
  EXPECT_EQ(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_EVENT, 5, 0), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY, 2), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(set_v2(job, ZX_JOB_POL_RELATIVE, 18, ZX_POL_ACTION_DENY, 0), ZX_ERR_INVALID_ARGS);
  zx_policy_basic_v2_t many[19];
  for (int i = 0; i < 19; i++) many[i] = p;
  EXPECT_EQ(zx_job_set_policy(job, 0, ZX_JOB_POL_BASIC_V2, many, 19), ZX_ERR_OUT_OF_RANGE);
  // A job with a live child cannot change its policy.
  zx_handle_t child;
  ASSERT_OK(zx_job_create(job, 0, &child));
  EXPECT_EQ(zx_job_set_policy(job, 0, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_ERR_BAD_STATE);
  zx_handle_close(child);
  EXPECT_OK(zx_job_set_policy(job, 0, ZX_JOB_POL_BASIC_V2, &p, 1));
  zx_handle_close(job);
}

TEST(Policy, DenyRefusesTheCreation) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  // v1 entries: not overridable.
  zx_policy_basic_v1_t p = {ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY};
  ASSERT_OK(zx_job_set_policy(job, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_BASIC_V1, &p, 1));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  zx_handle_t h = ZX_HANDLE_INVALID;
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_CREATE_EVENT, &h), ZX_ERR_ACCESS_DENIED);
  // Other objects are still allowed.
  EXPECT_OK(mini_process_cmd(m.ctl, MINIP_CMD_CREATE_CHANNEL, &h));
  zx_handle_close(h);
  finish(&m);
  zx_handle_close(job);
}

TEST(Policy, NewAnyCoversChannelsAndChildJobsInherit) {
  zx_handle_t job, child;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY));
  ASSERT_OK(zx_job_create(job, 0, &child));
  // Not overridable: an absolute change fails, a relative one is skipped.
  EXPECT_EQ(set_v2(child, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_ALLOW),
            ZX_ERR_ALREADY_EXISTS);
  EXPECT_OK(set_v2(child, ZX_JOB_POL_RELATIVE, ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_ALLOW));
  // Asking for what is already there is fine.
  EXPECT_OK(set_v2(child, ZX_JOB_POL_ABSOLUTE, ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY));
  // The process-creating process is the one whose policy counts, so this
  // process (outside the job) can still make a process in it.
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(child, &m));
  zx_handle_t h = ZX_HANDLE_INVALID;
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_CREATE_CHANNEL, &h), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_CREATE_EVENT, &h), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(mini_process_cmd(m.ctl, MINIP_CMD_ECHO_MSG, NULL));
  finish(&m);
  zx_handle_close(child);
  zx_handle_close(job);
}

// Runs `cmd` in `m`, catching the policy exception it raises on the
// process's exception channel; resumes it and returns the command's status.
static zx_status_t run_through_exception(mini_t* m, uint32_t cmd, uint32_t expected_code, zx_handle_t* out) {
  zx_handle_t exc_ch, exc;
  if (zx_task_create_exception_channel(m->process, 0, &exc_ch) != ZX_OK) return ZX_ERR_INTERNAL;
  if (mini_process_cmd_send(m->ctl, cmd) != ZX_OK) return ZX_ERR_INTERNAL;
  zx_object_wait_one(exc_ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
  zx_exception_info_t info;
  uint32_t nb, nh;
  if (zx_channel_read(exc_ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh) != ZX_OK) return ZX_ERR_INTERNAL;
  zx_exception_report_t report;
  zx_handle_t t;
  zx_exception_get_thread(exc, &t);
  zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL);
  zx_handle_close(t);
  if (info.type != ZX_EXCP_POLICY_ERROR || report.context.synth_code != expected_code) {
    zx_handle_close(exc);
    zx_handle_close(exc_ch);
    return ZX_ERR_INTERNAL;
  }
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
  zx_handle_close(exc);
  zx_handle_close(exc_ch);
  return mini_process_cmd_read_reply(m->ctl, out);
}

TEST(Policy, ExceptionActionsRaisePolicyErrors) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_policy_basic_v2_t p[2] = {
      {ZX_POL_NEW_EVENT, ZX_POL_ACTION_ALLOW_EXCEPTION, ZX_POL_OVERRIDE_DENY},
      {ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_DENY_EXCEPTION, ZX_POL_OVERRIDE_DENY},
  };
  ASSERT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, p, 2));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  zx_handle_t h = ZX_HANDLE_INVALID;
  // Allowed after the exception: the event comes back.
  EXPECT_OK(run_through_exception(&m, MINIP_CMD_CREATE_EVENT, ZX_EXCP_POLICY_CODE_NEW_EVENT, &h));
  EXPECT_NE(h, ZX_HANDLE_INVALID);
  zx_handle_close(h);
  EXPECT_EQ(run_through_exception(&m, MINIP_CMD_CREATE_CHANNEL, ZX_EXCP_POLICY_CODE_NEW_CHANNEL, &h),
            ZX_ERR_ACCESS_DENIED);
  finish(&m);
  zx_handle_close(job);
}

TEST(Policy, BadHandleCanKill) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_BAD_HANDLE, ZX_POL_ACTION_KILL, ZX_POL_OVERRIDE_DENY));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  EXPECT_OK(mini_process_cmd(m.ctl, MINIP_CMD_ECHO_MSG, NULL));
  // Asking whether a handle is valid is exempt.
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_VALIDATE_CLOSED_HANDLE, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_USE_BAD_HANDLE_CLOSED, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(return_code(m.process), ZX_TASK_RETCODE_POLICY_KILL);
  finish(&m);
  zx_handle_close(job);
}

TEST(Policy, BadHandleExceptionReportsTheCondition) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  ASSERT_OK(set_v2(job, ZX_JOB_POL_RELATIVE, ZX_POL_BAD_HANDLE, ZX_POL_ACTION_ALLOW_EXCEPTION,
                   ZX_POL_OVERRIDE_DENY));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  // The call still fails with BAD_HANDLE once resumed.
  EXPECT_EQ(run_through_exception(&m, MINIP_CMD_USE_BAD_HANDLE_CLOSED, ZX_EXCP_POLICY_CODE_BAD_HANDLE, NULL),
            ZX_ERR_BAD_HANDLE);
  finish(&m);
  zx_handle_close(job);
}

TEST(Policy, TimerSlack) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  zx_policy_timer_slack_t s = {ZX_USEC(100), ZX_TIMER_SLACK_LATE, {0}};
  EXPECT_EQ(zx_job_set_policy(job, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_TIMER_SLACK, &s, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &s, 2), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &s, 1));
  s.default_mode = 3;
  EXPECT_EQ(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &s, 1), ZX_ERR_INVALID_ARGS);
  s.default_mode = ZX_TIMER_SLACK_EARLY;
  s.min_slack = -1;
  EXPECT_EQ(zx_job_set_policy(job, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_TIMER_SLACK, &s, 1), ZX_ERR_INVALID_ARGS);
  zx_handle_close(job);
}

TEST(Policy, ACriticalProcessTakesItsJobDown) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  EXPECT_EQ(zx_job_set_critical(job, 2, m.process), ZX_ERR_INVALID_ARGS);
  // Only its own job or one above it.
  zx_handle_t other;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &other));
  EXPECT_EQ(zx_job_set_critical(other, 0, m.process), ZX_ERR_INVALID_ARGS);
  zx_handle_close(other);
  ASSERT_OK(zx_job_set_critical(job, 0, m.process));
  EXPECT_EQ(zx_job_set_critical(job, 0, m.process), ZX_ERR_ALREADY_BOUND);
  ASSERT_OK(zx_task_kill(m.process));
  ASSERT_OK(zx_object_wait_one(job, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  zx_info_job_t info;
  ASSERT_OK(zx_object_get_info(job, ZX_INFO_JOB, &info, sizeof(info), NULL, NULL));
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  finish(&m);
  zx_handle_close(job);
}

TEST(Policy, RetcodeNonzeroSparesTheJobOnACleanExit) {
  zx_handle_t job;
  ASSERT_OK(zx_job_create(zx_job_default(), 0, &job));
  mini_t m;
  ASSERT_NO_FATAL_FAILURE(start_in(job, &m));
  ASSERT_OK(zx_job_set_critical(job, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, m.process));
  EXPECT_EQ(mini_process_cmd(m.ctl, MINIP_CMD_EXIT_NORMAL, NULL), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_object_wait_one(m.process, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(zx_object_wait_one(job, ZX_TASK_TERMINATED, zx_deadline_after(ZX_MSEC(20)), NULL), ZX_ERR_TIMED_OUT);
  finish(&m);
  zx_handle_close(job);
}
