// Every syscall the emulator supports, with Fuchsia's C signatures.
// Each is exported by the vDSO twice: zx_NAME and _zx_NAME.
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/types.h>
#include <zircon/syscalls/object.h>

__BEGIN_CDECLS

zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t _zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);
zx_status_t _zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t _zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t _zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size, size_t* actual, size_t* avail);
zx_status_t _zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size, size_t* actual, size_t* avail);
zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value, size_t value_size);
zx_status_t _zx_object_get_property(zx_handle_t handle, uint32_t property, void* value, size_t value_size);
zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value, size_t value_size);
zx_status_t _zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value, size_t value_size);
zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset, size_t size, zx_handle_t* child_vmar, zx_vaddr_t* child_addr);
zx_status_t _zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset, size_t size, zx_handle_t* child_vmar, zx_vaddr_t* child_addr);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr);
zx_status_t _zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);
zx_status_t _zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);
zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr, size_t len);
zx_status_t _zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr, size_t len);
zx_status_t zx_vmar_destroy(zx_handle_t handle);
zx_status_t _zx_vmar_destroy(zx_handle_t handle);
zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address, size_t size, void* buffer, size_t buffer_size);
zx_status_t _zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address, size_t size, void* buffer, size_t buffer_size);
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t _zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t _zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t _zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t _zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t _zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, void* buffer, size_t buffer_size);
zx_status_t _zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, void* buffer, size_t buffer_size);
zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset, uint64_t size, zx_handle_t* out);
zx_status_t _zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset, uint64_t size, zx_handle_t* out);
zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out);
zx_status_t _zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out);
zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);
zx_status_t _zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);
zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size, uint32_t options, zx_handle_t* proc_handle, zx_handle_t* vmar_handle);
zx_status_t _zx_process_create(zx_handle_t job, const char* name, size_t name_size, uint32_t options, zx_handle_t* proc_handle, zx_handle_t* vmar_handle);
zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer, size_t buffer_size, size_t* actual);
zx_status_t _zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer, size_t buffer_size, size_t* actual);
zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr, const void* buffer, size_t buffer_size, size_t* actual);
zx_status_t _zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr, const void* buffer, size_t buffer_size, size_t* actual);
__NO_RETURN void zx_process_exit(int64_t retcode);
__NO_RETURN void _zx_process_exit(int64_t retcode);
zx_status_t zx_debug_write(const char* buffer, size_t buffer_size);
zx_status_t _zx_debug_write(const char* buffer, size_t buffer_size);
zx_instant_mono_t zx_clock_get_monotonic(void);
zx_instant_mono_t _zx_clock_get_monotonic(void);
zx_status_t zx_nanosleep(zx_instant_mono_t deadline);
zx_status_t _zx_nanosleep(zx_instant_mono_t deadline);
zx_instant_mono_t zx_deadline_after(zx_duration_mono_t nanoseconds);
zx_instant_mono_t _zx_deadline_after(zx_duration_mono_t nanoseconds);
uint32_t zx_system_get_page_size(void);
uint32_t _zx_system_get_page_size(void);
uint32_t zx_system_get_num_cpus(void);
uint32_t _zx_system_get_num_cpus(void);
zx_status_t zx_channel_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);
zx_status_t _zx_channel_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);
zx_status_t zx_channel_read(zx_handle_t handle, uint32_t options, void* bytes, zx_handle_t* handles, uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles);
zx_status_t _zx_channel_read(zx_handle_t handle, uint32_t options, void* bytes, zx_handle_t* handles, uint32_t num_bytes, uint32_t num_handles, uint32_t* actual_bytes, uint32_t* actual_handles);
zx_status_t zx_channel_write(zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes, const zx_handle_t* handles, uint32_t num_handles);
zx_status_t _zx_channel_write(zx_handle_t handle, uint32_t options, const void* bytes, uint32_t num_bytes, const zx_handle_t* handles, uint32_t num_handles);
zx_ticks_t zx_ticks_get(void);
zx_ticks_t _zx_ticks_get(void);
zx_ticks_t zx_ticks_per_second(void);
zx_ticks_t _zx_ticks_per_second(void);

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_H_
