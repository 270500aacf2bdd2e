// mini-process: the caller's side (<mini-process/mini-process.h>).
//
// A mini process is a process with no ELF program: its thread runs the code
// of mini-process-child.c, copied byte for byte from this program's
// "minip_code" section to the bottom of a 16 KiB stack VMO. To serve
// commands it needs the vDSO (mapped here) and the addresses of the calls it
// makes (looked up in the vDSO image and sent as the control channel's first
// message); it is started with the channel and the address of its
// zx_channel_read.
#include <mini-process/mini-process.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "mini-process-abi.h"
#include "runtime.h"

#define MINIP_STACK (16u * 1024u)

// The section's bounds, from the linker.
extern const uint8_t __start_minip_code[] __attribute__((visibility("hidden")));
extern const uint8_t __stop_minip_code[] __attribute__((visibility("hidden")));

static uintptr_t entry_offset(void) { return (uintptr_t)&__minip_child_entry - (uintptr_t)__start_minip_code; }

zx_status_t mini_process_load_stack(zx_handle_t vmar, bool with_code, uintptr_t* stack_base, uintptr_t* sp) {
  size_t code = with_code ? (size_t)(__stop_minip_code - __start_minip_code) : 0;
  uint64_t page = zx_system_get_page_size();
  uint64_t size = (MINIP_STACK + code + page - 1) & ~(page - 1);
  zx_handle_t vmo;
  zx_status_t s = zx_vmo_create(size, 0, &vmo);
  if (s != ZX_OK) return s;
  static const char name[] = "mini-process:stack";
  zx_object_set_property(vmo, ZX_PROP_NAME, name, sizeof(name) - 1);  // only a diagnostic
  zx_vm_option_t perms = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  if (code) {
    s = zx_vmo_write(vmo, __start_minip_code, 0, code);
    if (s == ZX_OK) s = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
    perms |= ZX_VM_PERM_EXECUTE;
  }
  uintptr_t base = 0;
  if (s == ZX_OK) s = zx_vmar_map(vmar, perms, 0, vmo, 0, size, &base);
  // The mapping keeps the VMO alive.
  zx_handle_close(vmo);
  if (s != ZX_OK) return s;
  *stack_base = base;
  // As if the entry point had just been called: 16-byte aligned before the
  // (absent) return address.
  *sp = ((base + size) & ~(uintptr_t)15) - 8;
  return ZX_OK;
}

zx_status_t mini_process_load_vdso(zx_handle_t process, zx_handle_t vmar, uintptr_t* base, uintptr_t* entry) {
  (void)process;
  return __zx_sdk_vdso_map(vmar, base, entry);
}

zx_status_t mini_process_wait_for_ack(zx_handle_t control_channel) {
  zx_signals_t seen;
  zx_status_t s =
      zx_object_wait_one(control_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, &seen);
  if (s != ZX_OK) return s;
  if (!(seen & ZX_CHANNEL_READABLE)) return ZX_ERR_UNAVAILABLE;  // died before answering
  uint32_t ack[2], nbytes, nhandles;
  return zx_channel_read(control_channel, 0, ack, NULL, sizeof(ack), 0, &nbytes, &nhandles);
}

// Fills the child's call table: each address is the call's offset in the
// vDSO image plus where the child's vDSO lies.
static zx_status_t fill_calls(minip_calls_t* c, uintptr_t vdso) {
  static const char* const names[] = {
      "zx_channel_read",          "zx_channel_write",         "zx_channel_create",
      "zx_object_wait_one",       "zx_object_wait_async",     "zx_object_get_info",
      "zx_handle_close",          "zx_event_create",          "zx_port_create",
      "zx_port_cancel",           "zx_profile_create",        "zx_pager_create",
      "zx_pager_create_vmo",      "zx_vmo_create",            "zx_vmo_create_contiguous",
      "zx_vmo_create_physical",   "zx_vmo_replace_as_executable", "zx_vmo_read",
      "zx_vmo_write",             "zx_system_get_page_size",  "zx_process_exit",
      "zx_thread_exit",
  };
  _Static_assert(sizeof(names) / sizeof(names[0]) * sizeof(void*) == sizeof(minip_calls_t),
                 "one name per entry of minip_calls_t, in its order");
  uintptr_t addrs[sizeof(names) / sizeof(names[0])];
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    uint64_t off = __zx_sdk_vdso_symbol(names[i]);
    if (off == 0) return ZX_ERR_NOT_FOUND;
    addrs[i] = vdso + off;
  }
  memcpy(c, addrs, sizeof(*c));
  return ZX_OK;
}

zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread, zx_handle_t vmar,
                                   zx_handle_t transferred_handle, bool wait_for_ack,
                                   zx_handle_t* control_channel) {
  uintptr_t stack_base, sp;
  zx_status_t s = mini_process_load_stack(vmar, true, &stack_base, &sp);
  if (s != ZX_OK) {
    if (transferred_handle != ZX_HANDLE_INVALID) zx_handle_close(transferred_handle);
    return s;
  }
  uintptr_t entry = stack_base + entry_offset();

  if (control_channel == NULL) {
    // No vDSO, no channel: the child spins with the handle as its argument
    // (zx_process_start consumes it, even when it fails).
    return zx_process_start(process, thread, entry, sp, transferred_handle, 0);
  }

  zx_handle_t ours = ZX_HANDLE_INVALID, theirs = ZX_HANDLE_INVALID;
  uintptr_t vdso = 0;
  minip_calls_t calls;
  s = zx_channel_create(0, &ours, &theirs);
  if (s == ZX_OK) s = mini_process_load_vdso(process, vmar, &vdso, NULL);
  if (s == ZX_OK) s = fill_calls(&calls, vdso);
  if (s == ZX_OK) {
    s = zx_channel_write(ours, 0, &calls, sizeof(calls), &transferred_handle,
                         transferred_handle != ZX_HANDLE_INVALID ? 1 : 0);
    transferred_handle = ZX_HANDLE_INVALID;  // written or closed by the write
  }
  if (s == ZX_OK) {
    s = zx_process_start(process, thread, entry, sp, theirs, (uintptr_t)calls.channel_read);
    theirs = ZX_HANDLE_INVALID;
  }
  if (s == ZX_OK && wait_for_ack) s = mini_process_wait_for_ack(ours);
  if (transferred_handle != ZX_HANDLE_INVALID) zx_handle_close(transferred_handle);
  if (theirs != ZX_HANDLE_INVALID) zx_handle_close(theirs);
  if (s != ZX_OK) {
    if (ours != ZX_HANDLE_INVALID) zx_handle_close(ours);
    return s;
  }
  *control_channel = ours;
  return ZX_OK;
}

zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle, zx_handle_t* process,
                               zx_handle_t* thread) {
  zx_handle_t proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID, th = ZX_HANDLE_INVALID;
  zx_handle_t channel = ZX_HANDLE_INVALID;
  zx_status_t s = zx_process_create(job, "minipr", 6, 0, &proc, &vmar);
  if (s == ZX_OK) s = zx_thread_create(proc, "minith", 6, 0, &th);
  if (s == ZX_OK) {
    s = start_mini_process_etc(proc, th, vmar, transferred_handle, true, &channel);
  } else if (transferred_handle != ZX_HANDLE_INVALID) {
    zx_handle_close(transferred_handle);
  }
  // Without its control channel the child waits forever.
  if (channel != ZX_HANDLE_INVALID) zx_handle_close(channel);
  if (vmar != ZX_HANDLE_INVALID) zx_handle_close(vmar);
  if (s != ZX_OK) {
    if (th != ZX_HANDLE_INVALID) zx_handle_close(th);
    if (proc != ZX_HANDLE_INVALID) zx_handle_close(proc);
    return s;
  }
  *process = proc;
  *thread = th;
  return ZX_OK;
}

zx_status_t start_mini_process_thread(zx_handle_t thread, zx_handle_t vmar) {
  uintptr_t stack_base, sp;
  zx_status_t s = mini_process_load_stack(vmar, true, &stack_base, &sp);
  if (s != ZX_OK) return s;
  return zx_thread_start(thread, stack_base + entry_offset(), sp, 0, 0);
}

zx_status_t(mini_process_cmd_send)(zx_handle_t control_channel, uint32_t what, zx_handle_t handle, uint64_t data) {
  minip_msg_t m = {.what = what, .status = ZX_OK, .data = data};
  return zx_channel_write(control_channel, 0, &m, sizeof(m), &handle, handle != ZX_HANDLE_INVALID ? 1 : 0);
}

zx_status_t mini_process_cmd_read_reply(zx_handle_t control_channel, zx_handle_t* handle) {
  zx_status_t s =
      zx_object_wait_one(control_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL);
  if (s != ZX_OK) return s;
  minip_msg_t reply;
  uint32_t nbytes = 0, nhandles = 0;
  s = zx_channel_read(control_channel, 0, &reply, handle, sizeof(reply), handle ? 1 : 0, &nbytes, &nhandles);
  if (s != ZX_OK) return s;
  return reply.status;
}

zx_status_t(mini_process_cmd)(zx_handle_t control_channel, uint32_t what, zx_handle_t* handle, uint64_t data) {
  // The VMO commands take their VMO from *handle; the others only return one.
  const uint32_t takes = MINIP_CMD_VMO_READ | MINIP_CMD_VMO_WRITE | MINIP_CMD_VMO_GET_INFO;
  zx_handle_t send = (what & takes) && handle ? *handle : ZX_HANDLE_INVALID;
  zx_status_t s = (mini_process_cmd_send)(control_channel, what, send, data);
  if (s != ZX_OK) return s;
  return mini_process_cmd_read_reply(control_channel, handle);
}
