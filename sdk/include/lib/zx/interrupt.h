// Guest SDK: <lib/zx/interrupt.h> -- zx::interrupt (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_INTERRUPT_H_
#define LIB_ZX_INTERRUPT_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/port.h>
#include <lib/zx/resource.h>
#include <lib/zx/time.h>

namespace zx {

class interrupt final : public object<interrupt> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_INTERRUPT;

  constexpr interrupt() = default;
  explicit interrupt(zx_handle_t value) : object(value) {}
  explicit interrupt(handle&& h) : object(h.release()) {}
  interrupt(interrupt&& other) : object(other.release()) {}
  interrupt& operator=(interrupt&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(const resource& resource, uint32_t vector, uint32_t options,
                            interrupt* result) {
    return zx_interrupt_create(resource.get(), vector, options,
                               result->reset_and_get_address());
  }

  zx_status_t bind(const port& port, uint64_t key, uint32_t options) const {
    return zx_interrupt_bind(get(), port.get(), key, options);
  }

  zx_status_t wait(zx::time* timestamp) const {
    zx_time_t t = 0;
    zx_status_t status = zx_interrupt_wait(get(), &t);
    if (timestamp != nullptr) {
      *timestamp = zx::time(t);
    }
    return status;
  }

  zx_status_t destroy() const { return zx_interrupt_destroy(get()); }

  zx_status_t trigger(uint32_t options, zx::time timestamp) const {
    return zx_interrupt_trigger(get(), options, timestamp.get());
  }

  zx_status_t ack() const { return zx_interrupt_ack(get()); }
};

using unowned_interrupt = unowned<interrupt>;

}  // namespace zx

#endif  // LIB_ZX_INTERRUPT_H_
