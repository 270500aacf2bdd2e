// Job policies: the inputs of zx_job_set_policy (Fuchsia's ABI values).
#ifndef ZIRCON_SYSCALLS_POLICY_H_
#define ZIRCON_SYSCALLS_POLICY_H_

#include <zircon/types.h>

__BEGIN_CDECLS

// How a new entry meets an existing one that may not be overridden:
// RELATIVE skips it, ABSOLUTE fails the call (ZX_ERR_ALREADY_EXISTS).
#define ZX_JOB_POL_RELATIVE 0u
#define ZX_JOB_POL_ABSOLUTE 1u

// Topics.
#define ZX_JOB_POL_BASIC_V1 0u
#define ZX_JOB_POL_BASIC_V2 0x01000000u
#define ZX_JOB_POL_TIMER_SLACK 1u
#define ZX_JOB_POL_BASIC ZX_JOB_POL_BASIC_V1

// One entry of a ZX_JOB_POL_BASIC_V1 array (the entry may not be
// overridden by child jobs).
typedef struct zx_policy_basic_v1 {
  uint32_t condition;
  uint32_t policy;
} zx_policy_basic_v1_t;

// One entry of a ZX_JOB_POL_BASIC_V2 array.
typedef struct zx_policy_basic_v2 {
  uint32_t condition;
  uint32_t action;
  uint32_t flags;  // ZX_POL_OVERRIDE_*
} zx_policy_basic_v2_t;

typedef struct zx_policy_basic_v1 zx_policy_basic;
typedef struct zx_policy_basic_v1 zx_policy_basic_t;

// Conditions.
#define ZX_POL_BAD_HANDLE 0u
#define ZX_POL_WRONG_OBJECT 1u
#define ZX_POL_VMAR_WX 2u
#define ZX_POL_NEW_ANY 3u  // every ZX_POL_NEW_* condition
#define ZX_POL_NEW_VMO 4u
#define ZX_POL_NEW_CHANNEL 5u
#define ZX_POL_NEW_EVENT 6u
#define ZX_POL_NEW_EVENTPAIR 7u
#define ZX_POL_NEW_PORT 8u
#define ZX_POL_NEW_SOCKET 9u
#define ZX_POL_NEW_FIFO 10u
#define ZX_POL_NEW_TIMER 11u
#define ZX_POL_NEW_PROCESS 12u
#define ZX_POL_NEW_PROFILE 13u
#define ZX_POL_NEW_PAGER 14u
#define ZX_POL_AMBIENT_MARK_VMO_EXEC 15u
#define ZX_POL_NEW_IOB 16u
#define ZX_POL_NEW_SAMPLER 17u

// Actions.
#define ZX_POL_ACTION_ALLOW 0u
#define ZX_POL_ACTION_DENY 1u
#define ZX_POL_ACTION_ALLOW_EXCEPTION 2u
#define ZX_POL_ACTION_DENY_EXCEPTION 3u
#define ZX_POL_ACTION_KILL 4u

// Whether child jobs may change an entry.
#define ZX_POL_OVERRIDE_ALLOW 0u
#define ZX_POL_OVERRIDE_DENY 1u

// The ZX_JOB_POL_TIMER_SLACK input.
typedef struct zx_policy_timer_slack {
  zx_duration_t min_slack;
  uint32_t default_mode;  // ZX_TIMER_SLACK_*
  uint8_t padding1[4];
} zx_policy_timer_slack_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_POLICY_H_
