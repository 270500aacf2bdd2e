// Guest SDK: <lib/zx/process.h> -- zx::process (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_PROCESS_H_
#define LIB_ZX_PROCESS_H_

// clock.h: code written against Fuchsia's headers gets zx::clock
// transitively with zx::process (vmo/helpers.h of the core tests does).
#include <lib/zx/clock.h>
#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/job.h>
#include <lib/zx/task.h>
#include <lib/zx/vmar.h>
#include <zircon/process.h>
namespace zx { class thread; }
namespace zx {

class process final : public task<process> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_PROCESS;

  constexpr process() = default;
  explicit process(zx_handle_t value) : task(value) {}
  explicit process(handle&& h) : task(h.release()) {}
  process(process&& other) : task(other.release()) {}
  process& operator=(process&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(const job& job, const char* name, uint32_t name_len, uint32_t flags,
                            process* proc, vmar* root_vmar) {
    zx_handle_t p = ZX_HANDLE_INVALID, v = ZX_HANDLE_INVALID;
    zx_status_t status = zx_process_create(job.get(), name, name_len, flags, &p, &v);
    proc->reset(p);
    root_vmar->reset(v);
    return status;
  }
  zx_status_t start(const object<thread>& thread_handle, uintptr_t entry, uintptr_t stack,
                    handle arg_handle, uintptr_t arg2) const {
    return zx_process_start(get(), thread_handle.get(), entry, stack, arg_handle.release(), arg2);
  }
  zx_status_t read_memory(uintptr_t vaddr, void* buffer, size_t len, size_t* actual) const {
    return zx_process_read_memory(get(), vaddr, buffer, len, actual);
  }
  zx_status_t write_memory(uintptr_t vaddr, const void* buffer, size_t len,
                           size_t* actual) const {
    return zx_process_write_memory(get(), vaddr, buffer, len, actual);
  }
  static unowned<process> self() { return unowned<process>(zx_process_self()); }
};

using unowned_process = unowned<process>;

}  // namespace zx

#endif  // LIB_ZX_PROCESS_H_
