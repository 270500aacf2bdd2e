// Guest SDK: <lib/zx/resource.h> -- zx::resource (written for this project to Fuchsia's
// public lib/zx API).
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

  // A resource for [base, base + size) of `options`' kind, carved from
  // `parent`; `name` need not be NUL-terminated.
  static zx_status_t create(const resource& parent, uint32_t options, uint64_t base, size_t size,
                            const char* name, size_t name_size, resource* result) {
    return zx_resource_create(parent.get(), options, base, size, name, name_size,
                              result->reset_and_get_address());
  }
};

using unowned_resource = unowned<resource>;

}  // namespace zx

#endif  // LIB_ZX_RESOURCE_H_
