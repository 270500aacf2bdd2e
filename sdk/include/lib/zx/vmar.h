// Guest SDK: <lib/zx/vmar.h> -- zx::vmar (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_VMAR_H_
#define LIB_ZX_VMAR_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/vmo.h>
#include <zircon/process.h>
namespace zx {

class vmar final : public object<vmar> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_VMAR;

  constexpr vmar() = default;
  explicit vmar(zx_handle_t value) : object(value) {}
  explicit vmar(handle&& h) : object(h.release()) {}
  vmar(vmar&& other) : object(other.release()) {}
  vmar& operator=(vmar&& other) {
    reset(other.release());
    return *this;
  }

  zx_status_t map(zx_vm_option_t options, size_t vmar_offset, const vmo& vmo_handle,
                  uint64_t vmo_offset, size_t len, zx_vaddr_t* ptr) const {
    return zx_vmar_map(get(), options, vmar_offset, vmo_handle.get(), vmo_offset, len, ptr);
  }
  zx_status_t unmap(uintptr_t address, size_t len) const {
    return zx_vmar_unmap(get(), address, len);
  }
  zx_status_t protect(zx_vm_option_t options, uintptr_t address, size_t len) const {
    return zx_vmar_protect(get(), options, address, len);
  }
  zx_status_t op_range(uint32_t op, uint64_t offset, uint64_t size, void* buffer,
                       size_t buffer_size) const {
    return zx_vmar_op_range(get(), op, offset, size, buffer, buffer_size);
  }
  zx_status_t destroy() const { return zx_vmar_destroy(get()); }
  zx_status_t allocate(uint32_t options, size_t offset, size_t size, vmar* child,
                       uintptr_t* child_addr) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_vmar_allocate(get(), options, offset, size, &h, child_addr);
    child->reset(h);
    return status;
  }
  static unowned<vmar> root_self() { return unowned<vmar>(zx_vmar_root_self()); }
};

using unowned_vmar = unowned<vmar>;

}  // namespace zx

#endif  // LIB_ZX_VMAR_H_
