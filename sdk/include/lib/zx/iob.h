// Guest SDK: <lib/zx/iob.h> -- zx::iob (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_IOB_H_
#define LIB_ZX_IOB_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <zircon/syscalls/iob.h>

namespace zx {

class iob final : public object<iob> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_IOB;

  constexpr iob() = default;
  explicit iob(zx_handle_t value) : object(value) {}
  explicit iob(handle&& h) : object(h.release()) {}
  iob(iob&& other) : object(other.release()) {}
  iob& operator=(iob&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(uint64_t options, const zx_iob_region_t* regions, size_t num_regions,
                            iob* endpoint0, iob* endpoint1) {
    zx_handle_t h0 = ZX_HANDLE_INVALID;
    zx_handle_t h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_iob_create(options, regions, num_regions, &h0, &h1);
    endpoint0->reset(h0);
    endpoint1->reset(h1);
    return status;
  }
};

using unowned_iob = unowned<iob>;

}  // namespace zx

#endif  // LIB_ZX_IOB_H_
