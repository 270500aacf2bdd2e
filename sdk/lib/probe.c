// probe_for_read / probe_for_write: see <lib/fzl/memory-probe.h>.
#include <lib/fzl/memory-probe.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>

#define PROBE_STACK (16u * 1024u)

__attribute__((noreturn)) static void probe_read_entry(uintptr_t addr, uintptr_t unused) {
  (void)unused;
  (void)*(volatile const char*)addr;
  zx_thread_exit();
}

__attribute__((noreturn)) static void probe_write_entry(uintptr_t addr, uintptr_t unused) {
  (void)unused;
  __atomic_fetch_add((char*)addr, 0, __ATOMIC_RELAXED);
  zx_thread_exit();
}

// Runs `entry(addr)` on a new thread and reports how its access ended.
static zx_status_t probe(void (*entry)(uintptr_t, uintptr_t), const void* addr) {
  zx_handle_t vmo = ZX_HANDLE_INVALID, thread = ZX_HANDLE_INVALID, channel = ZX_HANDLE_INVALID;
  zx_vaddr_t stack = 0;
  zx_status_t s = zx_vmo_create(PROBE_STACK, 0, &vmo);
  if (s != ZX_OK) return s;
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PROBE_STACK,
                  &stack);
  zx_handle_close(vmo);
  if (s != ZX_OK) return s;
  s = zx_thread_create(zx_process_self(), "probe", 5, 0, &thread);
  if (s == ZX_OK) s = zx_task_create_exception_channel(thread, 0, &channel);
  if (s == ZX_OK) {
    // At a function's entry rsp % 16 == 8, as after a call.
    s = zx_thread_start(thread, (uintptr_t)entry, stack + PROBE_STACK - 8, (uintptr_t)addr, 0);
  }
  if (s == ZX_OK) {
    zx_wait_item_t items[2] = {
        {.handle = channel, .waitfor = ZX_CHANNEL_READABLE, .pending = 0},
        {.handle = thread, .waitfor = ZX_THREAD_TERMINATED, .pending = 0},
    };
    s = zx_object_wait_many(items, 2, ZX_TIME_INFINITE);
    if (s == ZX_OK && (items[0].pending & ZX_CHANNEL_READABLE)) {
      zx_exception_info_t info;
      zx_handle_t exception = ZX_HANDLE_INVALID;
      uint32_t bytes = 0, handles = 0;
      s = zx_channel_read(channel, 0, &info, &exception, sizeof(info), 1, &bytes, &handles);
      if (s == ZX_OK) {
        zx_exception_report_t report;
        s = zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report),
                               NULL, NULL);
        if (s == ZX_OK) {
          s = info.type == ZX_EXCP_FATAL_PAGE_FAULT ? (zx_status_t)report.context.synth_code
                                                     : ZX_ERR_INTERNAL;
        }
        // The helper thread ends instead of retrying the access.
        uint32_t state = ZX_EXCEPTION_STATE_THREAD_EXIT;
        zx_object_set_property(exception, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
        zx_handle_close(exception);
      }
      zx_object_wait_one(thread, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
    }
  }
  zx_handle_close(channel);
  zx_handle_close(thread);
  zx_vmar_unmap(zx_vmar_root_self(), stack, PROBE_STACK);
  return s;
}

zx_status_t probe_for_read(const void* addr) { return probe(probe_read_entry, addr); }

zx_status_t probe_for_write(void* addr) { return probe(probe_write_entry, addr); }
