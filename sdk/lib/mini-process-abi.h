// mini-process: what the library (mini-process.c) and the code it copies
// into a child (mini-process-child.c) agree on. Internal to the SDK.
#ifndef ZX_SDK_LIB_MINI_PROCESS_ABI_H_
#define ZX_SDK_LIB_MINI_PROCESS_ABI_H_

#include <stdint.h>
#include <zircon/syscalls.h>

// The first message on the control channel: where the child finds each vDSO
// call it may make (addresses in the child's own vDSO mapping), plus, as the
// message's one handle, the caller's transferred handle if there is one.
typedef struct {
  __typeof(zx_channel_read)* channel_read;
  __typeof(zx_channel_write)* channel_write;
  __typeof(zx_channel_create)* channel_create;
  __typeof(zx_object_wait_one)* object_wait_one;
  __typeof(zx_object_wait_async)* object_wait_async;
  __typeof(zx_object_get_info)* object_get_info;
  __typeof(zx_handle_close)* handle_close;
  __typeof(zx_event_create)* event_create;
  __typeof(zx_port_create)* port_create;
  __typeof(zx_port_cancel)* port_cancel;
  __typeof(zx_profile_create)* profile_create;
  __typeof(zx_pager_create)* pager_create;
  __typeof(zx_pager_create_vmo)* pager_create_vmo;
  __typeof(zx_vmo_create)* vmo_create;
  __typeof(zx_vmo_create_contiguous)* vmo_create_contiguous;
  __typeof(zx_vmo_create_physical)* vmo_create_physical;
  __typeof(zx_vmo_replace_as_executable)* vmo_replace_as_executable;
  __typeof(zx_vmo_read)* vmo_read;
  __typeof(zx_vmo_write)* vmo_write;
  __typeof(zx_system_get_page_size)* system_get_page_size;
  __typeof(zx_process_exit)* process_exit;
  __typeof(zx_thread_exit)* thread_exit;
} minip_calls_t;

// A command and its reply (same layout). `what` leads, so the message can
// also be used as a zx_channel_call transaction.
typedef struct {
  zx_txid_t what;
  zx_status_t status;
  uint64_t data;
} minip_msg_t;

// The child's entry point: (control channel, address of zx_channel_read) for
// the command loop, or (anything, 0) to spin forever without the vDSO. It
// lies in the "minip_code" section, which holds nothing else and refers to
// nothing outside itself; the library copies the whole section into the
// child's stack VMO.
void __minip_child_entry(zx_handle_t channel, uintptr_t channel_read);

#endif  // ZX_SDK_LIB_MINI_PROCESS_ABI_H_
