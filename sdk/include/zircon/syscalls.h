// Guest SDK: <zircon/syscalls.h> -- the system calls this emulator's vDSO
// (libzircon.so) exports, with Fuchsia's C signatures. Each is declared twice,
// as zx_NAME and _zx_NAME (the vDSO exports both; they are the same function).
//
// The declarations below are generated from sdk/vdso/syscalls.list, the one
// syscall table; zircon-syscall's header_matches_table test checks they
// match it (ZX_BLESS=1 cargo test -p zircon-syscall header rewrites them).
// Fuchsia's @next calls are in <zircon/syscalls-next.h>. Calls the emulator
// does not implement are declared all the same (so programs link) and
// answer ZX_ERR_NOT_SUPPORTED; the table marks them `unsupported`.
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/string_view.h>
#include <zircon/syscalls/iob.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/pci.h>
#include <zircon/syscalls/policy.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/profile.h>
#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Declares zx_NAME and _zx_NAME with one signature.
#define _ZX_SYSCALL_DECL(name, type, attrs, params) \
  extern attrs type zx_##name params;               \
  extern attrs type _zx_##name params;

// clang-format off

// Handles.
_ZX_SYSCALL_DECL(handle_close, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(handle_close_many, zx_status_t, /* no attributes */,
    (const zx_handle_t* handles, size_t num_handles))
_ZX_SYSCALL_DECL(handle_duplicate, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_rights_t rights, zx_handle_t* out))
_ZX_SYSCALL_DECL(handle_replace, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_rights_t rights, zx_handle_t* out))
_ZX_SYSCALL_DECL(handle_check_valid, zx_status_t, /* no attributes */,
    (zx_handle_t handle))

// Objects.
_ZX_SYSCALL_DECL(object_get_info, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size, size_t* actual,
     size_t* avail))
_ZX_SYSCALL_DECL(object_get_property, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t property, void* value, size_t value_size))
_ZX_SYSCALL_DECL(object_set_property, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t property, const void* value, size_t value_size))
_ZX_SYSCALL_DECL(object_get_child, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t koid, zx_rights_t rights, zx_handle_t* out))

// Virtual memory address regions.
_ZX_SYSCALL_DECL(vmar_allocate, zx_status_t, /* no attributes */,
    (zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset, size_t size,
     zx_handle_t* child_vmar, zx_vaddr_t* child_addr))
_ZX_SYSCALL_DECL(vmar_map, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo,
     uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr))
_ZX_SYSCALL_DECL(vmar_unmap, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vaddr_t addr, size_t len))
_ZX_SYSCALL_DECL(vmar_unmap_handle_close_thread_exit, zx_status_t, /* no attributes */,
    (zx_handle_t vmar_handle, zx_vaddr_t addr, size_t size, zx_handle_t close_handle))
_ZX_SYSCALL_DECL(vmar_protect, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr, size_t len))
_ZX_SYSCALL_DECL(vmar_destroy, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(vmar_op_range, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t op, zx_vaddr_t address, size_t size, void* buffer,
     size_t buffer_size))

// Virtual memory objects.
_ZX_SYSCALL_DECL(vmo_create, zx_status_t, /* no attributes */,
    (uint64_t size, uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(vmo_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size))
_ZX_SYSCALL_DECL(vmo_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size))
_ZX_SYSCALL_DECL(vmo_get_size, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t* size))
_ZX_SYSCALL_DECL(vmo_set_size, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t size))
_ZX_SYSCALL_DECL(vmo_op_range, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, void* buffer,
     size_t buffer_size))
_ZX_SYSCALL_DECL(vmo_create_child, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, uint64_t offset, uint64_t size, zx_handle_t* out))
_ZX_SYSCALL_DECL(vmo_replace_as_executable, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out))
_ZX_SYSCALL_DECL(vmo_set_cache_policy, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t cache_policy))
_ZX_SYSCALL_DECL(vmo_get_stream_size, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t* size))
_ZX_SYSCALL_DECL(vmo_set_stream_size, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t size))

// Streams.
_ZX_SYSCALL_DECL(stream_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t vmo, zx_off_t seek, zx_handle_t* out_stream))
_ZX_SYSCALL_DECL(stream_writev, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, const zx_iovec_t* vectors, size_t num_vectors,
     size_t* actual))
_ZX_SYSCALL_DECL(stream_writev_at, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_off_t offset, const zx_iovec_t* vectors,
     size_t num_vectors, size_t* actual))
_ZX_SYSCALL_DECL(stream_readv, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_iovec_t* vectors, size_t num_vectors, size_t* actual))
_ZX_SYSCALL_DECL(stream_readv_at, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_off_t offset, zx_iovec_t* vectors, size_t num_vectors,
     size_t* actual))
_ZX_SYSCALL_DECL(stream_seek, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_stream_seek_origin_t whence, int64_t offset, zx_off_t* out_seek))

// Processes.
_ZX_SYSCALL_DECL(process_create, zx_status_t, /* no attributes */,
    (zx_handle_t job, const char* name, size_t name_size, uint32_t options,
     zx_handle_t* proc_handle, zx_handle_t* vmar_handle))
_ZX_SYSCALL_DECL(process_read_memory, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vaddr_t vaddr, void* buffer, size_t buffer_size, size_t* actual))
_ZX_SYSCALL_DECL(process_write_memory, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vaddr_t vaddr, const void* buffer, size_t buffer_size, size_t* actual))
_ZX_SYSCALL_DECL(process_start, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t thread, zx_vaddr_t entry, zx_vaddr_t stack, zx_handle_t arg1,
     uintptr_t arg2))
_ZX_SYSCALL_DECL(process_exit, void, __NO_RETURN,
    (int64_t retcode))

// Debugging.
_ZX_SYSCALL_DECL(debug_write, zx_status_t, /* no attributes */,
    (const char* buffer, size_t buffer_size))

// Time.
_ZX_SYSCALL_DECL(clock_get_monotonic, zx_instant_mono_t, /* no attributes */,
    (void))
_ZX_SYSCALL_DECL(nanosleep, zx_status_t, /* no attributes */,
    (zx_instant_mono_t deadline))
_ZX_SYSCALL_DECL(deadline_after, zx_instant_mono_t, /* no attributes */,
    (zx_duration_mono_t nanoseconds))
_ZX_SYSCALL_DECL(ticks_get, zx_instant_mono_ticks_t, /* no attributes */,
    (void))
_ZX_SYSCALL_DECL(ticks_per_second, zx_ticks_t, __CONST,
    (void))
_ZX_SYSCALL_DECL(clock_get_boot, zx_instant_boot_t, /* no attributes */,
    (void))
_ZX_SYSCALL_DECL(ticks_get_boot, zx_instant_boot_ticks_t, /* no attributes */,
    (void))

// Timers.
_ZX_SYSCALL_DECL(timer_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_clock_t clock_id, zx_handle_t* out))
_ZX_SYSCALL_DECL(timer_set, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_time_t deadline, zx_duration_t slack))
_ZX_SYSCALL_DECL(timer_cancel, zx_status_t, /* no attributes */,
    (zx_handle_t handle))

// Clock objects.
_ZX_SYSCALL_DECL(clock_create, zx_status_t, /* no attributes */,
    (uint64_t options, const void* args, zx_handle_t* out))
_ZX_SYSCALL_DECL(clock_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_time_t* now))
_ZX_SYSCALL_DECL(clock_get_details, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t options, void* details))
_ZX_SYSCALL_DECL(clock_update, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint64_t options, const void* args))

// System.
_ZX_SYSCALL_DECL(system_get_page_size, uint32_t, __CONST,
    (void))
_ZX_SYSCALL_DECL(system_get_num_cpus, uint32_t, __CONST,
    (void))
_ZX_SYSCALL_DECL(system_get_version_string, zx_string_view_t, __CONST,
    (void))
_ZX_SYSCALL_DECL(system_get_physmem, uint64_t, /* no attributes */,
    (void))
_ZX_SYSCALL_DECL(system_get_features, zx_status_t, /* no attributes */,
    (uint32_t kind, uint32_t* features))
_ZX_SYSCALL_DECL(system_get_dcache_line_size, uint32_t, __CONST,
    (void))

// Channels.
_ZX_SYSCALL_DECL(channel_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out0, zx_handle_t* out1))
_ZX_SYSCALL_DECL(channel_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, void* bytes, zx_handle_t* handles, uint32_t num_bytes,
     uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles))
_ZX_SYSCALL_DECL(channel_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes,
     const zx_handle_t* handles, uint32_t num_handles))
_ZX_SYSCALL_DECL(channel_read_etc, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, void* bytes, zx_handle_info_t* handles,
     uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles))
_ZX_SYSCALL_DECL(channel_write_etc, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes,
     zx_handle_disposition_t* handles, uint32_t num_handles))
_ZX_SYSCALL_DECL(channel_call_etc, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_instant_mono_t deadline,
     zx_channel_call_etc_args_t* args, uint32_t* actual_bytes, uint32_t* actual_handles))

// Tasks.
_ZX_SYSCALL_DECL(task_kill, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(job_create, zx_status_t, /* no attributes */,
    (zx_handle_t parent_job, uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(task_create_exception_channel, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_handle_t* out))

// Exceptions.
_ZX_SYSCALL_DECL(exception_get_thread, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t* out))
_ZX_SYSCALL_DECL(exception_get_process, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t* out))
_ZX_SYSCALL_DECL(thread_read_state, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(thread_write_state, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, const void* buffer, size_t buffer_size))

// Threads and futexes.
_ZX_SYSCALL_DECL(thread_create, zx_status_t, /* no attributes */,
    (zx_handle_t process, const char* name, size_t name_size, uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(thread_start, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vaddr_t thread_entry, zx_vaddr_t stack, uintptr_t arg1, uintptr_t arg2))
_ZX_SYSCALL_DECL(thread_exit, void, __NO_RETURN,
    (void))
_ZX_SYSCALL_DECL(futex_wait, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr, zx_futex_t current_value, zx_handle_t new_futex_owner,
     zx_instant_mono_t deadline))
_ZX_SYSCALL_DECL(futex_requeue, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr, uint32_t wake_count, zx_futex_t current_value,
     const zx_futex_t* requeue_ptr, uint32_t requeue_count, zx_handle_t new_requeue_owner))
_ZX_SYSCALL_DECL(futex_wake, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr, uint32_t wake_count))
_ZX_SYSCALL_DECL(futex_wake_single_owner, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr))
_ZX_SYSCALL_DECL(futex_requeue_single_owner, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr, zx_futex_t current_value, const zx_futex_t* requeue_ptr,
     uint32_t requeue_count, zx_handle_t new_requeue_owner))
_ZX_SYSCALL_DECL(futex_get_owner, zx_status_t, /* no attributes */,
    (const zx_futex_t* value_ptr, zx_koid_t* koid))
_ZX_SYSCALL_DECL(thread_legacy_yield, zx_status_t, /* no attributes */,
    (uint32_t options))
_ZX_SYSCALL_DECL(futex_wake_handle_close_thread_exit, void, __NO_RETURN,
    (const zx_futex_t* value_ptr, uint32_t wake_count, int32_t new_value, zx_handle_t close_handle))

// Channel calls.
_ZX_SYSCALL_DECL(channel_call, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_instant_mono_t deadline,
     const zx_channel_call_args_t* args, uint32_t* actual_bytes, uint32_t* actual_handles))

// Ports.
_ZX_SYSCALL_DECL(port_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(port_queue, zx_status_t, /* no attributes */,
    (zx_handle_t handle, const zx_port_packet_t* packet))
_ZX_SYSCALL_DECL(port_wait, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_instant_mono_t deadline, zx_port_packet_t* packet))
_ZX_SYSCALL_DECL(object_wait_async, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t port, uint64_t key, zx_signals_t signals, uint32_t options))
_ZX_SYSCALL_DECL(port_cancel, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t source, uint64_t key))
_ZX_SYSCALL_DECL(port_cancel_key, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, uint64_t key))

// Signals, waits, events.
_ZX_SYSCALL_DECL(object_signal, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask))
_ZX_SYSCALL_DECL(object_signal_peer, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask))
_ZX_SYSCALL_DECL(object_wait_one, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_signals_t signals, zx_instant_mono_t deadline, zx_signals_t* observed))
_ZX_SYSCALL_DECL(object_wait_many, zx_status_t, /* no attributes */,
    (zx_wait_item_t* items, size_t num_items, zx_instant_mono_t deadline))
_ZX_SYSCALL_DECL(event_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(eventpair_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out0, zx_handle_t* out1))

// Counters.
_ZX_SYSCALL_DECL(counter_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(counter_add, zx_status_t, /* no attributes */,
    (zx_handle_t handle, int64_t value))
_ZX_SYSCALL_DECL(counter_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, int64_t* value))
_ZX_SYSCALL_DECL(counter_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, int64_t value))

// Sockets.
_ZX_SYSCALL_DECL(socket_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out0, zx_handle_t* out1))
_ZX_SYSCALL_DECL(socket_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, const void* buffer, size_t buffer_size, size_t* actual))
_ZX_SYSCALL_DECL(socket_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, void* buffer, size_t buffer_size, size_t* actual))
_ZX_SYSCALL_DECL(socket_set_disposition, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t disposition, uint32_t disposition_peer))

// FIFOs.
_ZX_SYSCALL_DECL(fifo_create, zx_status_t, /* no attributes */,
    (size_t elem_count, size_t elem_size, uint32_t options, zx_handle_t* out0, zx_handle_t* out1))
_ZX_SYSCALL_DECL(fifo_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, size_t elem_size, void* data, size_t data_size, size_t* actual_count))
_ZX_SYSCALL_DECL(fifo_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, size_t elem_size, const void* data, size_t count, size_t* actual_count))

// Randomness.
_ZX_SYSCALL_DECL(cprng_draw, void, /* no attributes */,
    (void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(cprng_add_entropy, zx_status_t, /* no attributes */,
    (const void* buffer, size_t buffer_size))

// Resources, the debuglog, system events.
_ZX_SYSCALL_DECL(resource_create, zx_status_t, /* no attributes */,
    (zx_handle_t parent_rsrc, uint32_t options, uint64_t base, size_t size, const char* name,
     size_t name_size, zx_handle_t* resource_out))
_ZX_SYSCALL_DECL(debuglog_create, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(debuglog_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, const void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(debuglog_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(system_get_event, zx_status_t, /* no attributes */,
    (zx_handle_t root_job, uint32_t kind, zx_handle_t* event))

// Bus transaction initiators, pinned memory, physical VMOs, IOMMUs (not supported).
_ZX_SYSCALL_DECL(bti_create, zx_status_t, /* no attributes */,
    (zx_handle_t iommu, uint32_t options, uint64_t bti_id, zx_handle_t* out))
_ZX_SYSCALL_DECL(bti_pin, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_handle_t vmo, uint64_t offset, uint64_t size,
     zx_paddr_t* addrs, size_t num_addrs, zx_handle_t* pmt))
_ZX_SYSCALL_DECL(bti_release_quarantine, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(pmt_unpin, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(vmo_create_contiguous, zx_status_t, /* no attributes */,
    (zx_handle_t bti, size_t size, uint32_t alignment_log2, zx_handle_t* out))
_ZX_SYSCALL_DECL(vmo_create_physical, zx_status_t, /* no attributes */,
    (zx_handle_t resource, zx_paddr_t paddr, size_t size, zx_handle_t* out))
_ZX_SYSCALL_DECL(iommu_create, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t type, const void* desc, size_t desc_size, zx_handle_t* out))

// Interrupts and MSIs (not supported).
_ZX_SYSCALL_DECL(interrupt_create, zx_status_t, /* no attributes */,
    (zx_handle_t src_obj, uint32_t src_num, uint32_t options, zx_handle_t* out_handle))
_ZX_SYSCALL_DECL(interrupt_bind, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t port_handle, uint64_t key, uint32_t options))
_ZX_SYSCALL_DECL(interrupt_wait, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_time_t* out_timestamp))
_ZX_SYSCALL_DECL(interrupt_destroy, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(interrupt_ack, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(interrupt_trigger, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, zx_time_t timestamp))
_ZX_SYSCALL_DECL(msi_allocate, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t count, zx_handle_t* out_allocation))
_ZX_SYSCALL_DECL(msi_create, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, uint32_t msi_id, zx_handle_t vmo, size_t vmo_offset,
     zx_handle_t* out_interrupt))

// PCI, I/O ports, firmware, SMC, framebuffer (not supported).
_ZX_SYSCALL_DECL(pci_get_nth_device, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t index, zx_pcie_device_info_t* out_info, zx_handle_t* out_handle))
_ZX_SYSCALL_DECL(pci_enable_bus_master, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t enable))
_ZX_SYSCALL_DECL(pci_reset_device, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(pci_config_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint16_t offset, size_t width, uint32_t* out_val))
_ZX_SYSCALL_DECL(pci_config_write, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint16_t offset, size_t width, uint32_t val))
_ZX_SYSCALL_DECL(pci_cfg_pio_rw, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint8_t bus, uint8_t dev, uint8_t func, uint8_t offset, uint32_t* val,
     size_t width, uint32_t write))
_ZX_SYSCALL_DECL(pci_get_bar, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t bar_num, zx_pci_bar_t* out_bar, zx_handle_t* out_handle))
_ZX_SYSCALL_DECL(pci_map_interrupt, zx_status_t, /* no attributes */,
    (zx_handle_t handle, int32_t which_irq, zx_handle_t* out_handle))
_ZX_SYSCALL_DECL(pci_query_irq_mode, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t mode, uint32_t* out_max_irqs))
_ZX_SYSCALL_DECL(pci_set_irq_mode, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t mode, uint32_t requested_irq_count))
_ZX_SYSCALL_DECL(pci_init, zx_status_t, /* no attributes */,
    (zx_handle_t handle, const zx_pci_init_arg_t* init_buf, uint32_t len))
_ZX_SYSCALL_DECL(pci_add_subtract_io_range, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t mmio, uint64_t base, uint64_t len, uint32_t add))
_ZX_SYSCALL_DECL(pc_firmware_tables, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_paddr_t* acpi_rsdp, zx_paddr_t* smbios))
_ZX_SYSCALL_DECL(ioports_request, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint16_t io_addr, uint32_t len))
_ZX_SYSCALL_DECL(ioports_release, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint16_t io_addr, uint32_t len))
_ZX_SYSCALL_DECL(smc_call, zx_status_t, /* no attributes */,
    (zx_handle_t handle, const zx_smc_parameters_t* parameters, zx_smc_result_t* out_smc_result))
_ZX_SYSCALL_DECL(framebuffer_get_info, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t* format, uint32_t* width, uint32_t* height, uint32_t* stride))

// Hypervisor guests and VCPUs (not supported).
_ZX_SYSCALL_DECL(guest_create, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t options, zx_handle_t* guest_handle, zx_handle_t* vmar_handle))
_ZX_SYSCALL_DECL(guest_set_trap, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size, zx_handle_t port_handle,
     uint64_t key))
_ZX_SYSCALL_DECL(vcpu_create, zx_status_t, /* no attributes */,
    (zx_handle_t guest, uint32_t options, zx_vaddr_t entry, zx_handle_t* out))
_ZX_SYSCALL_DECL(vcpu_enter, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_port_packet_t* packet))
_ZX_SYSCALL_DECL(vcpu_kick, zx_status_t, /* no attributes */,
    (zx_handle_t handle))
_ZX_SYSCALL_DECL(vcpu_interrupt, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t vector))
_ZX_SYSCALL_DECL(vcpu_read_state, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(vcpu_write_state, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, const void* buffer, size_t buffer_size))

// Pagers.
_ZX_SYSCALL_DECL(pager_create, zx_status_t, /* no attributes */,
    (uint32_t options, zx_handle_t* out))
_ZX_SYSCALL_DECL(pager_create_vmo, zx_status_t, /* no attributes */,
    (zx_handle_t pager, uint32_t options, zx_handle_t port, uint64_t key, uint64_t size,
     zx_handle_t* out))
_ZX_SYSCALL_DECL(pager_detach_vmo, zx_status_t, /* no attributes */,
    (zx_handle_t pager, zx_handle_t vmo))
_ZX_SYSCALL_DECL(pager_supply_pages, zx_status_t, /* no attributes */,
    (zx_handle_t pager, zx_handle_t pager_vmo, uint64_t offset, uint64_t length,
     zx_handle_t aux_vmo, uint64_t aux_offset))
_ZX_SYSCALL_DECL(pager_op_range, zx_status_t, /* no attributes */,
    (zx_handle_t pager, uint32_t op, zx_handle_t pager_vmo, uint64_t offset, uint64_t length,
     uint64_t data))
_ZX_SYSCALL_DECL(pager_query_vmo_stats, zx_status_t, /* no attributes */,
    (zx_handle_t pager, zx_handle_t pager_vmo, uint32_t options, void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(vmo_transfer_data, zx_status_t, /* no attributes */,
    (zx_handle_t dst_vmo, uint32_t options, uint64_t offset, uint64_t length, zx_handle_t src_vmo,
     uint64_t src_offset))

// IOBuffers (not supported yet).
_ZX_SYSCALL_DECL(iob_create, zx_status_t, /* no attributes */,
    (uint64_t options, const void* regions, size_t num_regions, zx_handle_t* ep0_out,
     zx_handle_t* ep1_out))
_ZX_SYSCALL_DECL(iob_writev, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_iob_write_options_t options, uint32_t region_index,
     const zx_iovec_t* vectors, size_t num_vectors))
_ZX_SYSCALL_DECL(vmar_map_iob, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t ep,
     uint32_t region_index, uint64_t region_offset, size_t region_length, zx_vaddr_t* mapped_addr))

// Kernel tracing, debugging, the debuglog, sampling (not supported yet).
_ZX_SYSCALL_DECL(ktrace_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, void* data, uint32_t offset, size_t data_size, size_t* actual))
_ZX_SYSCALL_DECL(ktrace_control, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t action, uint32_t options, void* ptr))
_ZX_SYSCALL_DECL(mtrace_control, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t kind, uint32_t action, uint32_t options, void* ptr,
     size_t ptr_size))
_ZX_SYSCALL_DECL(debug_read, zx_status_t, /* no attributes */,
    (zx_handle_t handle, char* buffer, size_t buffer_size, size_t* actual))
_ZX_SYSCALL_DECL(debug_send_command, zx_status_t, /* no attributes */,
    (zx_handle_t resource, const char* buffer, size_t buffer_size))

// System control and power (not supported).
_ZX_SYSCALL_DECL(system_set_performance_info, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t topic, const void* info, size_t count))
_ZX_SYSCALL_DECL(system_get_performance_info, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t topic, size_t count, void* info, size_t* output_count))
_ZX_SYSCALL_DECL(system_mexec, zx_status_t, /* no attributes */,
    (zx_handle_t resource, zx_handle_t kernel_vmo, zx_handle_t bootimage_vmo))
_ZX_SYSCALL_DECL(system_mexec_payload_get, zx_status_t, /* no attributes */,
    (zx_handle_t resource, void* buffer, size_t buffer_size))
_ZX_SYSCALL_DECL(system_powerctl, zx_status_t, /* no attributes */,
    (zx_handle_t resource, uint32_t cmd, const zx_system_powerctl_arg_t* arg))

// Scheduler profiles (not supported yet).
_ZX_SYSCALL_DECL(profile_create, zx_status_t, /* no attributes */,
    (zx_handle_t root_job, uint32_t options, const zx_profile_info_t* profile, zx_handle_t* out))
_ZX_SYSCALL_DECL(object_set_profile, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t profile, uint32_t options))

// Tasks: suspension, policy, user exceptions, shared processes, restricted mode (not supported yet).
_ZX_SYSCALL_DECL(task_suspend, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t* token))
_ZX_SYSCALL_DECL(task_suspend_token, zx_status_t, /* no attributes */,
    (zx_handle_t handle, zx_handle_t* token))
_ZX_SYSCALL_DECL(job_set_critical, zx_status_t, /* no attributes */,
    (zx_handle_t job, uint32_t options, zx_handle_t process))
_ZX_SYSCALL_DECL(job_set_policy, zx_status_t, /* no attributes */,
    (zx_handle_t handle, uint32_t options, uint32_t topic, const void* policy,
     uint32_t policy_size))
_ZX_SYSCALL_DECL(thread_raise_exception, zx_status_t, /* no attributes */,
    (uint32_t options, uint32_t type, const zx_exception_context_t* context))

// Caches (not supported yet).
_ZX_SYSCALL_DECL(cache_flush, zx_status_t, /* no attributes */,
    (const void* addr, size_t size, uint32_t options))

// clang-format on

#undef _ZX_SYSCALL_DECL

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_H_
