// Guest SDK: <lib/zx/msi.h> -- zx::msi (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_MSI_H_
#define LIB_ZX_MSI_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/interrupt.h>
#include <lib/zx/resource.h>
#include <lib/zx/vmo.h>

namespace zx {

class msi final : public object<msi> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_MSI;

  constexpr msi() = default;
  explicit msi(zx_handle_t value) : object(value) {}
  explicit msi(handle&& h) : object(h.release()) {}
  msi(msi&& other) : object(other.release()) {}
  msi& operator=(msi&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t allocate(const resource& resource, uint32_t count, msi* result) {
    return zx_msi_allocate(resource.get(), count, result->reset_and_get_address());
  }

  static zx_status_t create(const msi& msi, uint32_t options, uint32_t msi_id, const vmo& vmo,
                            size_t vmo_offset, interrupt* result) {
    return zx_msi_create(msi.get(), options, msi_id, vmo.get(), vmo_offset,
                         result->reset_and_get_address());
  }
};

using unowned_msi = unowned<msi>;

}  // namespace zx

#endif  // LIB_ZX_MSI_H_
