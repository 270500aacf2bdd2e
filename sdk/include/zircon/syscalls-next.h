// Guest SDK: <zircon/syscalls-next.h> -- Fuchsia's @next system calls (those
// of its "next" vDSO, not yet in the stable API) and the types they use. The
// emulator's one vDSO exports them too, as zx_NAME and _zx_NAME; those it
// does not implement answer ZX_ERR_NOT_SUPPORTED.
//
// The declarations below are generated from sdk/vdso/syscalls.list (the
// calls marked `next`); zircon-syscall's header_matches_table test checks
// them (ZX_BLESS=1 cargo test -p zircon-syscall header rewrites them).
// Names, values and layouts of the types follow Fuchsia's header.
#ifndef ZIRCON_SYSCALLS_NEXT_H_
#define ZIRCON_SYSCALLS_NEXT_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/iob.h>
#include <zircon/time.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// ---- Pager writeback ---------------------------------------------------------

// One range of zx_pager_query_dirty_ranges(): [offset, offset + length).
typedef struct zx_vmo_dirty_range {
  uint64_t offset;
  uint64_t length;
  uint64_t options;  // ZX_VMO_DIRTY_RANGE_*
} zx_vmo_dirty_range_t;

// The range reads as zeros.
#define ZX_VMO_DIRTY_RANGE_IS_ZERO ((uint64_t)1u)

// ---- Restricted mode ---------------------------------------------------------

// Why a thread came back to normal mode (the second argument of its vector).
typedef uint64_t zx_restricted_reason_t;

#define ZX_RESTRICTED_REASON_SYSCALL ((zx_restricted_reason_t)0)
#define ZX_RESTRICTED_REASON_EXCEPTION ((zx_restricted_reason_t)1)
#define ZX_RESTRICTED_REASON_KICK ((zx_restricted_reason_t)2)

// The registers of restricted mode, at offset 0 of the state VMO.
#if defined(__x86_64__)
typedef struct zx_restricted_state {
  uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax, rsp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t ip, flags;
  uint64_t fs_base, gs_base;
} zx_restricted_state_t;
#elif defined(__aarch64__)
typedef struct zx_restricted_state {
  uint64_t x[31];
  uint64_t sp;
  uint64_t pc;
  uint64_t tpidr_el0;
  uint32_t cpsr;  // NZCV only
  uint8_t padding1[4];
} zx_restricted_state_t;
#endif

// The state VMO's contents after a ZX_RESTRICTED_REASON_SYSCALL return.
typedef struct zx_restricted_syscall {
  zx_restricted_state_t state;
} zx_restricted_syscall_t;

// ... and after a ZX_RESTRICTED_REASON_EXCEPTION return.
typedef struct zx_restricted_exception {
  zx_restricted_state_t state;
  zx_exception_report_t exception;
} zx_restricted_exception_t;

// ---- Wake vectors ------------------------------------------------------------

#define ZX_INTERRUPT_WAKE_VECTOR ((uint32_t)0x20)

// ---- Thread sampling ---------------------------------------------------------

// Shortest sampling period worth asking for.
#define ZX_SAMPLER_MIN_PERIOD ZX_USEC(10)

// Largest per-CPU buffer (1 GiB).
#define ZX_SAMPLER_MAX_BUFFER_SIZE ((size_t)(1024 * 1024 * 1024))

// zx_sampler_create()'s configuration.
typedef struct zx_sampler_config {
  zx_duration_mono_t period;
  size_t buffer_size;
  uint64_t iobuffer_discipline;
} zx_sampler_config_t;

// ---- Processor power management ----------------------------------------------

typedef uint64_t zx_processor_power_level_options_t;

#define ZX_MAX_POWER_LEVELS ((uint64_t)(256))
#define ZX_MAX_POWER_LEVEL_TRANSFORMATIONS (ZX_MAX_POWER_LEVELS * ZX_MAX_POWER_LEVELS)

#define ZX_PROCESSOR_POWER_LEVEL_OPTIONS_DOMAIN_INDEPENDENT \
  ((zx_processor_power_level_options_t)(1u << 0))

// How a power level is entered.
typedef uint64_t zx_processor_power_control_t;

#define ZX_PROCESSOR_POWER_CONTROL_CPU_DRIVER ((zx_processor_power_control_t)(0u))
#define ZX_PROCESSOR_POWER_CONTROL_ARM_PSCI ((zx_processor_power_control_t)(1u))
#define ZX_PROCESSOR_POWER_CONTROL_ARM_WFI ((zx_processor_power_control_t)(2u))
#define ZX_PROCESSOR_POWER_CONTROL_RISCV_SBI ((zx_processor_power_control_t)(3u))
#define ZX_PROCESSOR_POWER_CONTROL_RISCV_WFI ((zx_processor_power_control_t)(4u))

// The port packet type of a power level transition request.
#define ZX_PKT_TYPE_PROCESSOR_POWER_LEVEL_TRANSITION_REQUEST ((zx_packet_type_t)0x0Au)

#define ZX_PKT_IS_PROCESSOR_POWER_LEVEL_TRANSITION_REQUEST(type) \
  ((type) == ZX_PKT_TYPE_PROCESSOR_POWER_LEVEL_TRANSITION_REQUEST)

typedef struct {
  zx_processor_power_level_options_t options;
  uint64_t processing_rate;
  uint64_t power_coefficient_nw;
  zx_processor_power_control_t control_interface;
  uint64_t control_argument;
  char diagnostic_name[ZX_MAX_NAME_LEN];
  uint8_t reserved[32];
} zx_processor_power_level_t;

// A transition between two levels (indices into the levels array).
typedef struct {
  zx_duration_mono_t latency;
  uint64_t energy_nj;
  uint8_t from;
  uint8_t to;
  uint8_t reserved[6];
} zx_processor_power_level_transition_t;

typedef struct {
  uint32_t domain_id;
  uint32_t options;
  zx_processor_power_control_t control_interface;
  uint64_t control_argument;
} zx_processor_power_state_t;

typedef struct {
  zx_cpu_set_t cpus;
  uint32_t domain_id;
  uint8_t padding1[4];
} zx_processor_power_domain_t;

typedef struct {
  zx_cpu_set_t cpus;
  uint32_t domain_id;
  uint8_t idle_power_levels;
  uint8_t active_power_levels;
  uint8_t padding1[2];
} zx_power_domain_info_t;

// ---- IOBuffer ID allocator ---------------------------------------------------

// A region that maps blobs to sequential IDs (zx_iob_allocate_id()).
#define ZX_IOB_DISCIPLINE_TYPE_ID_ALLOCATOR ((zx_iob_discipline_type_t)(1u))

// zx_iob_allocate_id() options.
typedef uint32_t zx_iob_allocate_id_options_t;

// ---- The calls ---------------------------------------------------------------

// Declares zx_NAME and _zx_NAME with one signature (as <zircon/syscalls.h>).
#define _ZX_SYSCALL_DECL(name, type, attrs, params) \
  extern attrs type zx_##name params;               \
  extern attrs type _zx_##name params;

// clang-format off

// Pagers.
_ZX_SYSCALL_DECL(pager_query_dirty_ranges, zx_status_t, /* no attributes */,
    (zx_handle_t pager, zx_handle_t pager_vmo, uint64_t offset, uint64_t length, void* buffer,
     size_t buffer_size, size_t* actual, size_t* avail))

// IOBuffers (not supported yet).
_ZX_SYSCALL_DECL(iob_allocate_id, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_iob_allocate_id_options_t options, uint32_t region_index,
     const void* blob, size_t blob_size, uint32_t* id))
_ZX_SYSCALL_DECL(iob_create_shared_region, zx_status_t, /* no attributes */,
    (uint64_t options, uint64_t size, zx_handle_t* out))

// Kernel tracing, debugging, the debuglog, sampling (not supported yet).
_ZX_SYSCALL_DECL(sampler_create, zx_status_t, /* no attributes */,
    (zx_handle_t rsrc, uint64_t options, const zx_sampler_config_t* config,
     zx_handle_t* per_cpu_buffers))
_ZX_SYSCALL_DECL(sampler_attach, zx_status_t, /* no attributes */,
    (zx_handle_t iobuffer, zx_handle_t thread))
_ZX_SYSCALL_DECL(sampler_start, zx_status_t, /* no attributes */,
    (zx_handle_t iobuffer))
_ZX_SYSCALL_DECL(sampler_stop, zx_status_t, /* no attributes */,
    (zx_handle_t iobuffer))

// System control and power (not supported).
_ZX_SYSCALL_DECL(system_suspend_enter, zx_status_t, /* no attributes */,
    (zx_handle_t resource, zx_instant_boot_t resume_deadline))
_ZX_SYSCALL_DECL(system_set_processor_power_domain, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint64_t options, const zx_processor_power_domain_t* domain,
     zx_handle_t port, const zx_processor_power_level_t* power_levels, size_t num_power_levels,
     const zx_processor_power_level_transition_t* transitions, size_t num_transitions))
_ZX_SYSCALL_DECL(system_set_processor_power_state, zx_status_t, /* no attributes */,
    (zx_handle_t port, const zx_processor_power_state_t* power_state))

// Tasks: suspension, policy, user exceptions, shared processes, restricted mode (not supported yet).
_ZX_SYSCALL_DECL(process_create_shared, zx_status_t, /* no attributes */,
    (zx_handle_t shared_proc, uint32_t options, const char* name, size_t name_size,
     zx_handle_t* proc_handle, zx_handle_t* restricted_vmar_handle))
_ZX_SYSCALL_DECL(restricted_enter, zx_status_t, /* no attributes */,
    (uint32_t options, uintptr_t vector_table_ptr, uintptr_t context))
_ZX_SYSCALL_DECL(restricted_bind_state, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(restricted_unbind_state, zx_status_t, /* no attributes */,
    (uint32_t options))
_ZX_SYSCALL_DECL(restricted_kick, zx_status_t, /* no attributes */,
    (zx_handle_t thread, uint32_t options))

// clang-format on

#undef _ZX_SYSCALL_DECL

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_NEXT_H_
