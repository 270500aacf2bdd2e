// Guest SDK: <lib/zx/vcpu.h> -- zx::vcpu (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_VCPU_H_
#define LIB_ZX_VCPU_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/guest.h>
#include <zircon/syscalls/port.h>

namespace zx {

class vcpu final : public object<vcpu> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_VCPU;

  constexpr vcpu() = default;
  explicit vcpu(zx_handle_t value) : object(value) {}
  explicit vcpu(handle&& h) : object(h.release()) {}
  vcpu(vcpu&& other) : object(other.release()) {}
  vcpu& operator=(vcpu&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(const guest& guest, uint32_t options, zx_vaddr_t entry,
                            vcpu* result) {
    return zx_vcpu_create(guest.get(), options, entry, result->reset_and_get_address());
  }

  zx_status_t enter(zx_port_packet_t* packet) const { return zx_vcpu_enter(get(), packet); }
  zx_status_t kick() const { return zx_vcpu_kick(get()); }
  zx_status_t interrupt(uint32_t vector) const { return zx_vcpu_interrupt(get(), vector); }

  zx_status_t read_state(uint32_t kind, void* buffer, size_t buffer_size) const {
    return zx_vcpu_read_state(get(), kind, buffer, buffer_size);
  }

  zx_status_t write_state(uint32_t kind, const void* buffer, size_t buffer_size) const {
    return zx_vcpu_write_state(get(), kind, buffer, buffer_size);
  }
};

using unowned_vcpu = unowned<vcpu>;

}  // namespace zx

#endif  // LIB_ZX_VCPU_H_
