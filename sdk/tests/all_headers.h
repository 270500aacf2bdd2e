// Includes every SDK header and checks ABI sizes/values (compiled as C and C++ by check.sh).
#include <zircon/types.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/time.h>
#include <zircon/limits.h>
#include <zircon/compiler.h>
#include <zircon/analyzer.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/iommu.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/iob.h>
#include <zircon/syscalls/pci.h>
#include <zircon/syscalls/profile.h>
#include <zircon/syscalls/scheduler.h>
#include <zircon/syscalls/smc.h>
#include <zircon/syscalls/system.h>
#include <zircon/syscalls/types.h>
#include <zircon/syscalls-next.h>
#include <zircon/testonly-syscalls.h>
#include <lib/fzl/memory-probe.h>
#include <mini-process/mini-process.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/status.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <zxtest/zxtest.h>
#include <zircon/syscalls/resource.h>
#include <zircon/hw/debug/arm64.h>
#include <explicit-memory/bytes.h>
#include <lib/sync/completion.h>
#include <lib/sync/mutex.h>
#include <lib/sync/condition.h>
#include <zircon/syscalls/hypervisor.h>
#include <lib/zircon-internal/thread_annotations.h>
#include <lib/zircon-internal/macros.h>
#include <lib/syscalls/zx-syscall-numbers.h>
#include <lib/zircon-internal/default_stack_size.h>
_Static_assert(ZIRCON_DEFAULT_STACK_SIZE == 262144, "");
_Static_assert(ZX_SYS_handle_close == 1 && ZX_SYS_COUNT > ZX_SYS_vmo_create, "");
_Static_assert(sizeof(sync_mutex_t) == 4, "");
_Static_assert(sizeof(sync_condition_t) == 24 && __alignof__(sync_condition_t) == 8, "");
_Static_assert(sizeof(zx_vcpu_state_t) == 136, "");
_Static_assert(__builtin_offsetof(zx_vcpu_state_t, rflags) == 128, "");
_Static_assert(sizeof(zx_vcpu_io_t) == 8 && __builtin_offsetof(zx_vcpu_io_t, u32) == 4, "");
_Static_assert(ZX_GUEST_TRAP_BELL == 0 && ZX_GUEST_TRAP_MEM == 1 && ZX_GUEST_TRAP_IO == 2, "");
_Static_assert(ZX_VCPU_STATE == 0 && ZX_VCPU_IO == 1, "");
_Static_assert(GB == 1073741824UL, "");
_Static_assert(sizeof(zx_thread_state_debug_regs_t) == 48, "");
_Static_assert(sizeof(sync_completion_t) == 4, "");
_Static_assert(ZX_RSRC_SYSTEM_IOMMU_BASE == 8, "");
_Static_assert(ARM64_DBGWCR_BAS_MASK == (0xffu << 5), "");
_Static_assert(sizeof(zx_info_handle_basic_t) == 32, "");
_Static_assert(sizeof(zx_exception_info_t) == 24, "");
_Static_assert(sizeof(zx_exception_report_t) == 40, "");
_Static_assert(sizeof(zx_exception_report_v1_t) == 32, "");
_Static_assert(sizeof(zx_thread_state_general_regs_t) == 160, "");
_Static_assert(sizeof(zx_thread_state_fp_regs_t) == 160, "");
_Static_assert(sizeof(zx_thread_state_vector_regs_t) == 2120, "");
_Static_assert(ZX_EXCP_POLICY_ERROR == 0x8208, "");
_Static_assert(sizeof(zx_info_vmar_t) == 16, "");
_Static_assert(sizeof(zx_info_stream_t) == 24, "");
_Static_assert(__builtin_offsetof(zx_info_stream_t, seek) == 8, "");
_Static_assert(__builtin_offsetof(zx_info_stream_t, content_size) == 16, "");
_Static_assert(sizeof(zx_iovec_t) == 16, "");
_Static_assert(ZX_DEFAULT_STREAM_RIGHTS == 0xD0C3, "");
_Static_assert(sizeof(zx_info_socket_t) == 48, "");
_Static_assert(__builtin_offsetof(zx_info_socket_t, rx_buf_max) == 8, "");
_Static_assert(__builtin_offsetof(zx_info_socket_t, tx_buf_size) == 40, "");
_Static_assert(ZX_DEFAULT_SOCKET_RIGHTS == 0x10F0CF, "");
_Static_assert(ZX_DEFAULT_FIFO_RIGHTS == 0xF00F, "");
_Static_assert(ZX_FIFO_MAX_SIZE_BYTES == 4096, "");
_Static_assert(sizeof(zx_info_process_t) == 24, "");
_Static_assert(sizeof(zx_info_vmo_t) == 176, "");
_Static_assert(sizeof(zx_info_vmo_v3_t) == 128, "");
_Static_assert(sizeof(zx_info_vmo_v2_t) == 120, "");
_Static_assert(sizeof(zx_info_vmo_v1_t) == 104, "");
_Static_assert(sizeof(zx_info_maps_t) == 152, "");
_Static_assert(sizeof(zx_info_maps_v2_t) == 104, "");
_Static_assert(__builtin_offsetof(zx_info_maps_t, u.mapping.committed_bytes) == 88, "");
_Static_assert(__builtin_offsetof(zx_info_maps_t, u.mapping.populated_fractional_scaled_bytes) == 144, "");
_Static_assert(sizeof(zx_info_maps_v1_t) == 96, "");
_Static_assert(__builtin_offsetof(zx_info_maps_t, u) == 64, "");
_Static_assert(__builtin_offsetof(zx_info_vmo_t, committed_bytes) == 88, "");
_Static_assert(__builtin_offsetof(zx_info_vmo_t, populated_bytes) == 120, "");
_Static_assert(__builtin_offsetof(zx_info_vmo_t, committed_private_bytes) == 128, "");
_Static_assert(__builtin_offsetof(zx_info_vmo_t, populated_scaled_bytes) == 152, "");
_Static_assert(__builtin_offsetof(zx_info_vmo_t, populated_fractional_scaled_bytes) == 168, "");
_Static_assert(sizeof(zx_info_bti_t) == 32, "");
_Static_assert(sizeof(zx_packet_page_request_t) == 32, "");
_Static_assert(__builtin_offsetof(zx_port_packet_t, page_request.offset) == 24, "");
_Static_assert(sizeof(zx_pager_vmo_stats_t) == 4, "");
_Static_assert(ZX_BTI_CONTIGUOUS == 16, "");
_Static_assert(ZX_IOMMU_TYPE_STUB == 0, "");
_Static_assert(sizeof(zx_iommu_desc_stub_t) == 1, "");
_Static_assert(sizeof(zx_proc_args_t) == 36, "");
_Static_assert(sizeof(zx_vmo_lock_state_t) == 32, "");
_Static_assert(ZX_DEFAULT_VMO_RIGHTS == 0xD0EF, "");
_Static_assert(ZX_DEFAULT_VMAR_RIGHTS == 0x208003, "");
_Static_assert(ZX_DEFAULT_PROCESS_RIGHTS == 0x6D3CF, "");
_Static_assert(ZX_DEFAULT_JOB_RIGHTS == 0x7DFCF, "");
_Static_assert(ZX_DEFAULT_THREAD_RIGHTS == 0x4D2CF, "");
_Static_assert(ZX_RIGHTS_BASIC == 0xC003, "");
_Static_assert(ZX_VM_ALIGN_2MB == 0x15000000, "");
_Static_assert(ZX_VM_ALIGN_4GB == 0x20000000, "");
_Static_assert(ZX_INFO_PROCESS == 0x10000003, "");
_Static_assert(ZX_INFO_PROCESS_MAPS == 0x2000000D, "");
_Static_assert(ZX_INFO_PROCESS_MAPS_V2 == 0x1000000D, "");
_Static_assert(ZX_INFO_TASK_STATS == 0x1000000C, "");
_Static_assert(sizeof(zx_info_task_stats_t) == 40, "");
_Static_assert(sizeof(zx_info_task_stats_v1_t) == 32, "");
_Static_assert(ZX_INFO_PROCESS_VMOS == 0x3000000E, "");
_Static_assert(ZX_INFO_VMO == 0x30000017, "");
_Static_assert(ZX_INFO_VMO_V3 == 0x20000017, "");
_Static_assert(ZX_INFO_VMO_V2 == 0x10000017, "");
_Static_assert(ZX_INFO_TASK_RUNTIME == 0x1000001E, "");
_Static_assert(ZX_INFO_VMAR_MAPS == 36, "");
_Static_assert(ZX_PROP_NAME == 3, "");
_Static_assert(ZX_SEC(2) == 2000000000LL, "");
_Static_assert(PA_HND(PA_VMO_VDSO, 0x1234) == 0x12340011, "");
_Static_assert(ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL == -1029, "");
_Static_assert(INT_MAX == 2147483647, "");
_Static_assert(sizeof(zx_handle_info_t) == 16, "");
_Static_assert(sizeof(zx_handle_disposition_t) == 20, "");
_Static_assert(sizeof(zx_channel_call_etc_args_t) == 48, "");
_Static_assert(sizeof(zx_iovec_t) == 16, "");
_Static_assert(sizeof(zx_pci_bar_t) == 24, "");
_Static_assert(sizeof(zx_pcie_device_info_t) == 12, "");
_Static_assert(__builtin_offsetof(zx_pci_init_arg_t, num_irqs) == 4096, "");
_Static_assert(sizeof(zx_smc_parameters_t) == 64, "");
_Static_assert(sizeof(zx_smc_result_t) == 40, "");
_Static_assert(sizeof(zx_profile_info_t) == 96, "");
_Static_assert(sizeof(zx_sched_deadline_params_t) == 24, "");
_Static_assert(sizeof(zx_system_powerctl_arg_t) == 12, "");
_Static_assert(sizeof(zx_cpu_power_limit_t) == 16, "");
_Static_assert(sizeof(zx_iob_discipline_t) == 72, "");
_Static_assert(sizeof(zx_iob_region_t) == 120, "");
_Static_assert(sizeof(zx_sampler_config_t) == 24, "");
_Static_assert(sizeof(zx_processor_power_level_t) == 104, "");
_Static_assert(sizeof(zx_processor_power_level_transition_t) == 24, "");
_Static_assert(sizeof(zx_processor_power_domain_t) == 72, "");
_Static_assert(sizeof(zx_restricted_state_t) == 160, "");
_Static_assert(sizeof(zx_vmo_dirty_range_t) == 24, "");
_Static_assert(ZX_PKT_TYPE_PROCESSOR_POWER_LEVEL_TRANSITION_REQUEST == 0x0A, "");
_Static_assert(ZX_IOB_ACCESS_EP1_CAN_MEDIATED_WRITE == 0x80, "");
