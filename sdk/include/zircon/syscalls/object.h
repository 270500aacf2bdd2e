// Guest SDK: <zircon/syscalls/object.h> -- zx_object_get_info() topics and
// records, object properties, thread states. Layouts match Fuchsia (x86-64).
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/types.h>

__BEGIN_CDECLS

// clang-format off

// A versioned topic carries its version in the top 4 bits (starting at 0).
#define __ZX_INFO_TOPIC(t, v) ((zx_object_info_topic_t) ((t) | ((v) << 28)))

typedef uint32_t zx_object_info_topic_t;
#define ZX_INFO_NONE                        ((zx_object_info_topic_t)  0u)
#define ZX_INFO_HANDLE_VALID                ((zx_object_info_topic_t)  1u)
#define ZX_INFO_HANDLE_BASIC                ((zx_object_info_topic_t)  2u) // zx_info_handle_basic_t[1]
#define ZX_INFO_PROCESS                     __ZX_INFO_TOPIC(3u, 1u)        // zx_info_process_t[1]
#define ZX_INFO_PROCESS_THREADS             ((zx_object_info_topic_t)  4u) // zx_koid_t[n]
#define ZX_INFO_VMAR                        ((zx_object_info_topic_t)  7u) // zx_info_vmar_t[1]
#define ZX_INFO_JOB_CHILDREN                ((zx_object_info_topic_t)  8u) // zx_koid_t[n]
#define ZX_INFO_JOB_PROCESSES               ((zx_object_info_topic_t)  9u) // zx_koid_t[n]
#define ZX_INFO_THREAD                      ((zx_object_info_topic_t) 10u) // zx_info_thread_t[1]
#define ZX_INFO_THREAD_EXCEPTION_REPORT_V1  __ZX_INFO_TOPIC(11u, 0)
#define ZX_INFO_THREAD_EXCEPTION_REPORT     __ZX_INFO_TOPIC(11u, 1)
#define ZX_INFO_TASK_STATS_V1               __ZX_INFO_TOPIC(12u, 0)        // zx_info_task_stats_v1_t[1]
#define ZX_INFO_TASK_STATS                  __ZX_INFO_TOPIC(12u, 1)        // zx_info_task_stats_t[1]
#define ZX_INFO_PROCESS_MAPS_V1             __ZX_INFO_TOPIC(13u, 0)        // zx_info_maps_v1_t[n]
#define ZX_INFO_PROCESS_MAPS_V2             __ZX_INFO_TOPIC(13u, 1)        // zx_info_maps_v2_t[n]
#define ZX_INFO_PROCESS_MAPS                __ZX_INFO_TOPIC(13u, 2)        // zx_info_maps_t[n]
#define ZX_INFO_PROCESS_VMOS_V1             __ZX_INFO_TOPIC(14u, 0)        // zx_info_vmo_v1_t[n]
#define ZX_INFO_PROCESS_VMOS_V2             __ZX_INFO_TOPIC(14u, 1)        // zx_info_vmo_v2_t[n]
#define ZX_INFO_PROCESS_VMOS_V3             __ZX_INFO_TOPIC(14u, 2)        // zx_info_vmo_v3_t[n]
#define ZX_INFO_PROCESS_VMOS                __ZX_INFO_TOPIC(14u, 3)        // zx_info_vmo_t[n]
#define ZX_INFO_THREAD_STATS                ((zx_object_info_topic_t) 15u) // zx_info_thread_stats_t[1]
#define ZX_INFO_CPU_STATS                   ((zx_object_info_topic_t) 16u)
#define ZX_INFO_KMEM_STATS                  __ZX_INFO_TOPIC(17u, 1)
#define ZX_INFO_KMEM_STATS_V1               __ZX_INFO_TOPIC(17u, 0)
#define ZX_INFO_RESOURCE                    ((zx_object_info_topic_t) 18u)
#define ZX_INFO_HANDLE_COUNT                ((zx_object_info_topic_t) 19u) // zx_info_handle_count_t[1]
#define ZX_INFO_BTI                         ((zx_object_info_topic_t) 20u) // zx_info_bti_t[1]
#define ZX_INFO_PROCESS_HANDLE_STATS        ((zx_object_info_topic_t) 21u) // zx_info_process_handle_stats_t[1]
#define ZX_INFO_SOCKET                      ((zx_object_info_topic_t) 22u)
#define ZX_INFO_VMO_V1                      __ZX_INFO_TOPIC(23u, 0)        // zx_info_vmo_v1_t[1]
#define ZX_INFO_VMO_V2                      __ZX_INFO_TOPIC(23u, 1)        // zx_info_vmo_v2_t[1]
#define ZX_INFO_VMO_V3                      __ZX_INFO_TOPIC(23u, 2)        // zx_info_vmo_v3_t[1]
#define ZX_INFO_VMO                         __ZX_INFO_TOPIC(23u, 3)        // zx_info_vmo_t[1]
#define ZX_INFO_JOB                         ((zx_object_info_topic_t) 24u) // zx_info_job_t[1]
#define ZX_INFO_TIMER                       ((zx_object_info_topic_t) 25u) // zx_info_timer_t[1]
#define ZX_INFO_STREAM                      ((zx_object_info_topic_t) 26u)
#define ZX_INFO_HANDLE_TABLE                ((zx_object_info_topic_t) 27u) // zx_info_handle_extended_t[n]
#define ZX_INFO_MSI                         ((zx_object_info_topic_t) 28u)
#define ZX_INFO_GUEST_STATS                 ((zx_object_info_topic_t) 29u)
#define ZX_INFO_TASK_RUNTIME_V1             __ZX_INFO_TOPIC(30u, 0)        // zx_info_task_runtime_v1_t[1]
#define ZX_INFO_TASK_RUNTIME                __ZX_INFO_TOPIC(30u, 1)        // zx_info_task_runtime_t[1]
#define ZX_INFO_KMEM_STATS_EXTENDED         ((zx_object_info_topic_t) 31u)
#define ZX_INFO_VCPU                        ((zx_object_info_topic_t) 32u)
#define ZX_INFO_KMEM_STATS_COMPRESSION      ((zx_object_info_topic_t) 33u)
#define ZX_INFO_IOB                         ((zx_object_info_topic_t) 34u)
#define ZX_INFO_IOB_REGIONS                 ((zx_object_info_topic_t) 35u)
#define ZX_INFO_VMAR_MAPS                   ((zx_object_info_topic_t) 36u) // zx_info_maps_t[n]

// Return codes of a killed task.
#define ZX_TASK_RETCODE_SYSCALL_KILL            ((int64_t) -1024)   // zx_task_kill()
#define ZX_TASK_RETCODE_OOM_KILL                ((int64_t) -1025)   // out-of-memory killer
#define ZX_TASK_RETCODE_POLICY_KILL             ((int64_t) -1026)   // job policy
#define ZX_TASK_RETCODE_VDSO_KILL               ((int64_t) -1027)   // the vDSO
#define ZX_TASK_RETCODE_EXCEPTION_KILL          ((int64_t) -1028)   // unhandled exception
#define ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL   ((int64_t) -1029)   // a critical process died

#define ZX_INFO_INVALID_CPU             ((uint32_t)0xFFFFFFFFu)

// ZX_INFO_HANDLE_BASIC (32 bytes).
typedef struct zx_info_handle_basic {
  zx_koid_t koid;
  zx_rights_t rights;
  zx_obj_type_t type;
  zx_koid_t related_koid;
  uint32_t reserved;
  uint8_t padding1[4];
} zx_info_handle_basic_t;

// ZX_INFO_HANDLE_TABLE entries.
typedef struct zx_info_handle_extended {
  zx_obj_type_t type;
  zx_handle_t handle_value;
  zx_rights_t rights;
  uint32_t reserved;
  zx_koid_t koid;
  zx_koid_t related_koid;
  zx_koid_t peer_owner_koid;
} zx_info_handle_extended_t;

// ZX_INFO_HANDLE_COUNT.
typedef struct zx_info_handle_count {
  uint32_t handle_count;
} zx_info_handle_count_t;

// ZX_INFO_PROCESS_HANDLE_STATS.
typedef struct zx_info_process_handle_stats {
  uint32_t handle_count[ZX_OBJ_TYPE_UPPER_BOUND];
} zx_info_process_handle_stats_t;

// ZX_INFO_PROCESS (24 bytes).
typedef uint32_t zx_info_process_flags_t;
#define ZX_INFO_PROCESS_FLAG_STARTED           ((zx_info_process_flags_t)(1u << 0))
#define ZX_INFO_PROCESS_FLAG_EXITED            ((zx_info_process_flags_t)(1u << 1))
#define ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED ((zx_info_process_flags_t)(1u << 2))

typedef struct zx_info_process {
  int64_t return_code;            // valid once ZX_INFO_PROCESS_FLAG_EXITED is set
  zx_time_t start_time;           // valid once ZX_INFO_PROCESS_FLAG_STARTED is set
  zx_info_process_flags_t flags;
  uint8_t padding1[4];
} zx_info_process_t;

// ZX_INFO_JOB.
typedef struct zx_info_job {
  int64_t return_code;
  bool exited;
  bool kill_on_oom;
  bool debugger_attached;
  uint8_t padding1[5];
} zx_info_job_t;

// ZX_INFO_THREAD.
typedef uint32_t zx_thread_state_t;

typedef struct zx_info_thread {
  zx_thread_state_t state;                // ZX_THREAD_STATE_*
  uint32_t wait_exception_channel_type;   // ZX_EXCEPTION_CHANNEL_TYPE_*
  zx_cpu_set_t cpu_affinity_mask;
} zx_info_thread_t;

// ZX_INFO_THREAD_STATS.
typedef struct zx_info_thread_stats {
  zx_duration_t total_runtime;
  uint32_t last_scheduled_cpu;
  uint8_t padding1[4];
} zx_info_thread_stats_t;

// ZX_INFO_TASK_STATS.
typedef struct zx_info_task_stats {
  size_t mem_mapped_bytes;     // bytes the task's mappings span
  size_t mem_private_bytes;    // committed, mapped only here, not shared copy-on-write
  size_t mem_shared_bytes;     // committed, mapped elsewhere too or shared copy-on-write
  size_t mem_scaled_shared_bytes;  // the shared bytes, each divided by its sharers
  uint64_t mem_fractional_scaled_shared_bytes;  // the fraction truncated above (2^63 = 1 byte)
} zx_info_task_stats_t;

// ZX_INFO_TASK_STATS_V1.
typedef struct zx_info_task_stats_v1 {
  size_t mem_mapped_bytes;
  size_t mem_private_bytes;
  size_t mem_shared_bytes;
  size_t mem_scaled_shared_bytes;
} zx_info_task_stats_v1_t;

// ZX_INFO_CPU_STATS: one record per CPU (needs the ZX_RSRC_SYSTEM_INFO_BASE
// resource).
typedef struct zx_info_cpu_stats {
  uint32_t cpu_number;
  uint32_t flags;  // ZX_INFO_CPU_STATS_FLAG_*
  zx_duration_mono_t idle_time;
  zx_duration_mono_t normalized_busy_time;
  uint64_t reschedules;
  uint64_t context_switches;
  uint64_t irq_preempts;
  uint64_t preempts;
  uint64_t yields;
  uint64_t ints;
  uint64_t timer_ints;
  uint64_t timers;
  uint64_t page_faults;
  uint64_t exceptions;
  uint64_t syscalls;
  uint64_t reschedule_ipis;
  uint64_t generic_ipis;
  uint64_t active_energy_consumption_nj;
  uint64_t idle_energy_consumption_nj;
} zx_info_cpu_stats_t;

#define ZX_INFO_CPU_STATS_FLAG_ONLINE (1u << 0)

// ZX_INFO_KMEM_STATS (needs the ZX_RSRC_SYSTEM_INFO_BASE resource).
typedef struct zx_info_kmem_stats {
  uint64_t total_bytes;
  uint64_t free_bytes;
  uint64_t free_loaned_bytes;
  uint64_t wired_bytes;
  uint64_t total_heap_bytes;
  uint64_t free_heap_bytes;
  uint64_t vmo_bytes;
  uint64_t mmu_overhead_bytes;
  uint64_t ipc_bytes;
  uint64_t cache_bytes;
  uint64_t slab_bytes;
  uint64_t zram_bytes;
  uint64_t other_bytes;
  uint64_t vmo_reclaim_total_bytes;
  uint64_t vmo_reclaim_newest_bytes;
  uint64_t vmo_reclaim_oldest_bytes;
  uint64_t vmo_reclaim_disabled_bytes;
  uint64_t vmo_discardable_locked_bytes;
  uint64_t vmo_discardable_unlocked_bytes;
} zx_info_kmem_stats_t;

// ZX_INFO_KMEM_STATS_V1.
typedef struct zx_info_kmem_stats_v1 {
  uint64_t total_bytes;
  uint64_t free_bytes;
  uint64_t wired_bytes;
  uint64_t total_heap_bytes;
  uint64_t free_heap_bytes;
  uint64_t vmo_bytes;
  uint64_t mmu_overhead_bytes;
  uint64_t ipc_bytes;
  uint64_t other_bytes;
} zx_info_kmem_stats_v1_t;

// ZX_INFO_TIMER (24 bytes).
typedef struct zx_info_timer {
  uint32_t options;     // the ZX_TIMER_SLACK_* mode it was created with
  zx_clock_t clock_id;  // ZX_CLOCK_MONOTONIC or ZX_CLOCK_BOOT
  zx_time_t deadline;   // while armed, else 0
  zx_duration_t slack;  // while armed, else 0
} zx_info_timer_t;

// ZX_INFO_RESOURCE (56 bytes).
typedef struct zx_info_resource {
  uint32_t kind;   // ZX_RSRC_KIND_*
  uint32_t flags;  // ZX_RSRC_FLAG_*
  uint64_t base;
  size_t size;
  char name[ZX_MAX_NAME_LEN];
} zx_info_resource_t;

// ZX_INFO_VMAR (16 bytes).
// ZX_INFO_STREAM: the stream's mode, seek offset and its VMO's content size.
typedef struct zx_info_stream {
  uint32_t options;  // ZX_STREAM_MODE_* bits
  uint8_t padding1[4];
  zx_off_t seek;
  uint64_t content_size;
} zx_info_stream_t;

// ZX_INFO_BTI (32 bytes).
typedef struct zx_info_bti {
  // zx_bti_pin() returns runs of device addresses at least this long (the
  // last one may be shorter).
  uint64_t minimum_contiguity;
  // The size of the device's address space (UINT64_MAX for 2^64).
  uint64_t aspace_size;
  // Live PMTs (pinned memory tokens) of the BTI; racy, for information only.
  uint64_t pmo_count;
  // Quarantined PMTs (unpinned while the BTI still holds them); racy too.
  uint64_t quarantine_count;
} zx_info_bti_t;

typedef struct zx_info_vmar {
  uintptr_t base;
  size_t len;
} zx_info_vmar_t;

// ZX_INFO_PROCESS_MAPS / ZX_INFO_VMAR_MAPS. The byte counts are of the
// mapped range of the VMO, with the meanings of zx_info_vmo_t's.
typedef struct zx_info_maps_mapping {
  zx_vm_option_t mmu_flags;       // ZX_VM_PERM_{READ,WRITE,EXECUTE}
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_bytes;
  size_t populated_bytes;
  size_t committed_private_bytes;
  size_t populated_private_bytes;
  size_t committed_scaled_bytes;
  size_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_maps_mapping_t;

typedef struct zx_info_maps_mapping_v2 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
  size_t populated_pages;
} zx_info_maps_mapping_v2_t;

typedef struct zx_info_maps_mapping_v1 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
} zx_info_maps_mapping_v1_t;

typedef uint32_t zx_info_maps_type_t;
#define ZX_INFO_MAPS_TYPE_NONE    ((zx_info_maps_type_t) 0u)
#define ZX_INFO_MAPS_TYPE_ASPACE  ((zx_info_maps_type_t) 1u)
#define ZX_INFO_MAPS_TYPE_VMAR    ((zx_info_maps_type_t) 2u)
#define ZX_INFO_MAPS_TYPE_MAPPING ((zx_info_maps_type_t) 3u)

// One node of the address-space tree, in depth-first pre-order (152 bytes).
typedef struct zx_info_maps {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;       // selects the union member
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_t mapping;
  } u;
} zx_info_maps_t;

// ZX_INFO_PROCESS_MAPS_V2 (104 bytes).
typedef struct zx_info_maps_v2 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v2_t mapping;
  } u;
} zx_info_maps_v2_t;

// ZX_INFO_PROCESS_MAPS_V1 (96 bytes).
typedef struct zx_info_maps_v1 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v1_t mapping;
  } u;
} zx_info_maps_v1_t;

// zx_info_vmo_t.flags.
#define ZX_INFO_VMO_TYPE_PAGED              (1u<<0)
#define ZX_INFO_VMO_TYPE_PHYSICAL           (0u<<0)
#define ZX_INFO_VMO_TYPE(flags)             ((flags) & (1u<<0))
#define ZX_INFO_VMO_RESIZABLE               (1u<<1)
#define ZX_INFO_VMO_IS_COW_CLONE            (1u<<2)
#define ZX_INFO_VMO_VIA_HANDLE              (1u<<3)
#define ZX_INFO_VMO_VIA_MAPPING             (1u<<4)
#define ZX_INFO_VMO_PAGER_BACKED            (1u<<5)
#define ZX_INFO_VMO_CONTIGUOUS              (1u<<6)
#define ZX_INFO_VMO_DISCARDABLE             (1u<<7)
#define ZX_INFO_VMO_IMMUTABLE               (1u<<8)
#define ZX_INFO_VMO_VIA_IOB_HANDLE          (1u<<9)

// ZX_INFO_VMO / ZX_INFO_PROCESS_VMOS (176 bytes).
//
// Byte counts are of ZX_INFO_VMO_TYPE_PAGED VMOs. committed_bytes and
// populated_bytes include pages shared with copy-on-write relatives; the
// *_private_bytes ones count only the pages no relative shares; the
// *_scaled_bytes ones count each page divided by the number of VMOs sharing
// it, with the truncated remainder in *_fractional_scaled_bytes (fixed point
// with 63 bits of fraction: 0x8000000000000000 is one byte). populated_*
// may exceed committed_* where pages are kept compressed.
typedef struct zx_info_vmo {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;                 // ZX_INFO_VMO_*
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;          // ZX_CACHE_POLICY_*
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
  uint64_t populated_bytes;
  uint64_t committed_private_bytes;
  uint64_t populated_private_bytes;
  uint64_t committed_scaled_bytes;
  uint64_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_vmo_t;

// ZX_INFO_VMO_V3 / ZX_INFO_PROCESS_VMOS_V3 (128 bytes).
typedef struct zx_info_vmo_v3 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
  uint64_t populated_bytes;
} zx_info_vmo_v3_t;

// ZX_INFO_VMO_V2 (120 bytes).
typedef struct zx_info_vmo_v2 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
} zx_info_vmo_v2_t;

// ZX_INFO_VMO_V1 (104 bytes).
typedef struct zx_info_vmo_v1 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
} zx_info_vmo_v1_t;

// ZX_INFO_TASK_RUNTIME.
typedef struct zx_info_task_runtime {
  zx_duration_t cpu_time;
  zx_duration_t queue_time;
  zx_duration_t page_fault_time;
  zx_duration_t lock_contention_time;
} zx_info_task_runtime_t;

typedef struct zx_info_task_runtime_v1 {
  zx_duration_t cpu_time;
  zx_duration_t queue_time;
} zx_info_task_runtime_v1_t;

// ZX_INFO_SOCKET (48 bytes).
typedef struct zx_info_socket {
  uint32_t options;         // as passed to zx_socket_create
  uint8_t padding1[4];
  size_t rx_buf_max;        // this end's capacity
  size_t rx_buf_size;       // bytes buffered for this end
  size_t rx_buf_available;  // bytes the next read returns (first datagram's)
  size_t tx_buf_max;        // the peer's capacity (0 once it is closed)
  size_t tx_buf_size;       // bytes buffered for the peer
} zx_info_socket_t;

// ---- Object properties -----------------------------------------------------
#define ZX_PROP_NAME                        ((uint32_t) 3u)   // char[ZX_MAX_NAME_LEN]
#define ZX_PROP_REGISTER_GS                 ((uint32_t) 2u)   // uintptr_t (x86-64)
#define ZX_PROP_REGISTER_FS                 ((uint32_t) 4u)   // uintptr_t (x86-64)
#define ZX_PROP_PROCESS_DEBUG_ADDR          ((uint32_t) 5u)
#define ZX_PROP_PROCESS_VDSO_BASE_ADDRESS   ((uint32_t) 6u)
#define ZX_PROP_PROCESS_BREAK_ON_LOAD       ((uint32_t) 7u)
#define ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID ((uint32_t) 8u)
#define ZX_PROP_SOCKET_RX_THRESHOLD         12u
#define ZX_PROP_SOCKET_TX_THRESHOLD         13u
#define ZX_PROP_JOB_KILL_ON_OOM             15u
#define ZX_PROP_EXCEPTION_STATE             16u
#define ZX_PROP_VMO_CONTENT_SIZE            17u               // uint64_t
#define ZX_PROP_EXCEPTION_STRATEGY          18u
#define ZX_PROP_STREAM_MODE_APPEND          19u

// ---- Thread states (zx_info_thread_t.state) --------------------------------
#define ZX_THREAD_STATE_NEW                 ((zx_thread_state_t) 0x0000u)
#define ZX_THREAD_STATE_RUNNING             ((zx_thread_state_t) 0x0001u)
#define ZX_THREAD_STATE_SUSPENDED           ((zx_thread_state_t) 0x0002u)
#define ZX_THREAD_STATE_BLOCKED             ((zx_thread_state_t) 0x0003u)
#define ZX_THREAD_STATE_DYING               ((zx_thread_state_t) 0x0004u)
#define ZX_THREAD_STATE_DEAD                ((zx_thread_state_t) 0x0005u)

#define ZX_THREAD_STATE_BLOCKED_EXCEPTION   ((zx_thread_state_t) 0x0103u)
#define ZX_THREAD_STATE_BLOCKED_SLEEPING    ((zx_thread_state_t) 0x0203u)
#define ZX_THREAD_STATE_BLOCKED_FUTEX       ((zx_thread_state_t) 0x0303u)
#define ZX_THREAD_STATE_BLOCKED_PORT        ((zx_thread_state_t) 0x0403u)
#define ZX_THREAD_STATE_BLOCKED_CHANNEL     ((zx_thread_state_t) 0x0503u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_ONE    ((zx_thread_state_t) 0x0603u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_MANY   ((zx_thread_state_t) 0x0703u)
#define ZX_THREAD_STATE_BLOCKED_INTERRUPT   ((zx_thread_state_t) 0x0803u)
#define ZX_THREAD_STATE_BLOCKED_PAGER       ((zx_thread_state_t) 0x0903u)

#define ZX_THREAD_STATE_BASIC(n) ((n) & 0xff)

#define ZX_EXCEPTION_STATE_TRY_NEXT         0u
#define ZX_EXCEPTION_STATE_HANDLED          1u
#define ZX_EXCEPTION_STATE_THREAD_EXIT      2u

#define ZX_EXCEPTION_STRATEGY_FIRST_CHANCE  0u
#define ZX_EXCEPTION_STRATEGY_SECOND_CHANCE 1u

// clang-format on

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_OBJECT_H_
