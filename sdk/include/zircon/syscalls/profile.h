// Guest SDK: <zircon/syscalls/profile.h> -- scheduler profiles
// (zx_profile_create(); the emulator answers ZX_ERR_NOT_SUPPORTED). Names,
// values and layout follow Fuchsia's header of the same name.
#ifndef ZIRCON_SYSCALLS_PROFILE_H_
#define ZIRCON_SYSCALLS_PROFILE_H_

#include <zircon/syscalls/scheduler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

#define ZX_PRIORITY_LOWEST 0
#define ZX_PRIORITY_LOW 8
#define ZX_PRIORITY_DEFAULT 16
#define ZX_PRIORITY_HIGH 24
#define ZX_PRIORITY_HIGHEST 31

// zx_profile_info_t::flags: which of the fields below are set, and options.
#define ZX_PROFILE_INFO_FLAG_PRIORITY (1 << 0)
#define ZX_PROFILE_INFO_FLAG_CPU_MASK (1 << 1)
#define ZX_PROFILE_INFO_FLAG_DEADLINE (1 << 2)
#define ZX_PROFILE_INFO_FLAG_NO_INHERIT (1 << 3)
#define ZX_PROFILE_INFO_FLAG_MEMORY_PRIORITY (1 << 4)

typedef struct zx_profile_info {
  uint32_t flags;
  uint8_t padding1[4];
  union {
    // A scheduling priority (FLAG_PRIORITY) or a memory priority
    // (FLAG_MEMORY_PRIORITY).
    struct {
      int32_t priority;
      uint8_t padding2[20];
    };
    // FLAG_DEADLINE.
    zx_sched_deadline_params_t deadline_params;
  };
  // FLAG_CPU_MASK: the CPUs the profile's threads may run on.
  zx_cpu_set_t cpu_affinity_mask;
} zx_profile_info_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_PROFILE_H_
