// Guest SDK: <zircon/syscalls/scheduler.h> -- deadline scheduling parameters
// (part of zx_profile_info_t). Names and layout follow Fuchsia's header.
#ifndef ZIRCON_SYSCALLS_SCHEDULER_H_
#define ZIRCON_SYSCALLS_SCHEDULER_H_

#include <zircon/compiler.h>
#include <zircon/time.h>

__BEGIN_CDECLS

// A deadline profile asks for `capacity` of CPU time within
// `relative_deadline` of the start of every `period`
// (0 < capacity <= relative_deadline <= period).
typedef struct zx_sched_deadline_params {
  zx_duration_mono_t capacity;
  zx_duration_mono_t relative_deadline;
  zx_duration_mono_t period;
} zx_sched_deadline_params_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_SCHEDULER_H_
