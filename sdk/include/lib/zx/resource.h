// Guest SDK: <lib/zx/resource.h> -- zx::resource (written for this project to Fuchsia's
// public lib/zx API; only calls the emulator's vDSO exports are wrapped).
#ifndef LIB_ZX_RESOURCE_H_
#define LIB_ZX_RESOURCE_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>

namespace zx {

class resource final : public object<resource> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_RESOURCE;

  constexpr resource() = default;
  explicit resource(zx_handle_t value) : object(value) {}
  explicit resource(handle&& h) : object(h.release()) {}
  resource(resource&& other) : object(other.release()) {}
  resource& operator=(resource&& other) {
    reset(other.release());
    return *this;
  }

};

using unowned_resource = unowned<resource>;

}  // namespace zx

#endif  // LIB_ZX_RESOURCE_H_
