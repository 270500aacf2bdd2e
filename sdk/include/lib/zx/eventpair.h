// Guest SDK: <lib/zx/eventpair.h> -- zx::eventpair (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_EVENTPAIR_H_
#define LIB_ZX_EVENTPAIR_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>

namespace zx {

class eventpair final : public object<eventpair> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_EVENTPAIR;

  constexpr eventpair() = default;
  explicit eventpair(zx_handle_t value) : object(value) {}
  explicit eventpair(handle&& h) : object(h.release()) {}
  eventpair(eventpair&& other) : object(other.release()) {}
  eventpair& operator=(eventpair&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(uint32_t flags, eventpair* endpoint0, eventpair* endpoint1) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_eventpair_create(flags, &h0, &h1);
    endpoint0->reset(h0);
    endpoint1->reset(h1);
    return status;
  }
};

using unowned_eventpair = unowned<eventpair>;

}  // namespace zx

#endif  // LIB_ZX_EVENTPAIR_H_
