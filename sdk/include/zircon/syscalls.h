// Guest SDK: <zircon/syscalls.h> -- the system calls this emulator's vDSO
// (libzircon.so) exports, with Fuchsia's C signatures. Each is declared twice,
// as zx_NAME and _zx_NAME (the vDSO exports both; they are the same function).
//
// The declarations below are generated from sdk/vdso/syscalls.list, the one
// syscall table; zircon-syscall's header_matches_table test checks they
// match it (ZX_BLESS=1 cargo test -p zircon-syscall header rewrites them).
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
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

// System.
_ZX_SYSCALL_DECL(system_get_page_size, uint32_t, __CONST,
    (void))
_ZX_SYSCALL_DECL(system_get_num_cpus, uint32_t, __CONST,
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

// Randomness.
_ZX_SYSCALL_DECL(cprng_draw, void, /* no attributes */,
    (void* buffer, size_t buffer_size))

// clang-format on

#undef _ZX_SYSCALL_DECL

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_H_
