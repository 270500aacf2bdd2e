// Guest SDK: <lib/zx/task.h> -- zx::task<T>, what jobs, processes and
// threads share (written for this project to Fuchsia's public lib/zx API).
#ifndef LIB_ZX_TASK_H_
#define LIB_ZX_TASK_H_

#include <lib/zx/channel.h>
#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/port.h>
#include <lib/zx/suspend_token.h>

namespace zx {

template <typename T = void>
class task : public object<T> {
 public:
  constexpr task() = default;
  explicit task(zx_handle_t value) : object<T>(value) {}
  explicit task(handle&& h) : object<T>(h.release()) {}
  task(task&& other) : object<T>(other.release()) {}

  zx_status_t kill() const { return zx_task_kill(object<T>::get()); }

  // Suspends the task until the last token of it is closed.
  zx_status_t suspend(suspend_token* result) const {
    return zx_task_suspend_token(object<T>::get(), result->reset_and_get_address());
  }

  zx_status_t create_exception_channel(uint32_t options, object<channel>* result) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_task_create_exception_channel(object<T>::get(), options, &h);
    result->reset(h);
    return status;
  }
};

}  // namespace zx

#endif  // LIB_ZX_TASK_H_
