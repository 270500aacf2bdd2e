// Guest SDK: <lib/zx/socket.h> -- zx::socket (written for this project to Fuchsia's
// public lib/zx API; only calls the emulator's vDSO exports are wrapped).
#ifndef LIB_ZX_SOCKET_H_
#define LIB_ZX_SOCKET_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>

namespace zx {

class socket final : public object<socket> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_SOCKET;

  constexpr socket() = default;
  explicit socket(zx_handle_t value) : object(value) {}
  explicit socket(handle&& h) : object(h.release()) {}
  socket(socket&& other) : object(other.release()) {}
  socket& operator=(socket&& other) {
    reset(other.release());
    return *this;
  }

  // ZX_SOCKET_STREAM or ZX_SOCKET_DATAGRAM.
  static zx_status_t create(uint32_t options, socket* endpoint0, socket* endpoint1) {
    zx_handle_t h0 = ZX_HANDLE_INVALID, h1 = ZX_HANDLE_INVALID;
    zx_status_t status = zx_socket_create(options, &h0, &h1);
    endpoint0->reset(h0);
    endpoint1->reset(h1);
    return status;
  }

  zx_status_t write(uint32_t options, const void* buffer, size_t len, size_t* actual) const {
    return zx_socket_write(get(), options, buffer, len, actual);
  }

  // ZX_SOCKET_PEEK leaves the bytes in the socket.
  zx_status_t read(uint32_t options, void* buffer, size_t len, size_t* actual) const {
    return zx_socket_read(get(), options, buffer, len, actual);
  }

  zx_status_t set_disposition(uint32_t disposition, uint32_t disposition_peer) const {
    return zx_socket_set_disposition(get(), disposition, disposition_peer);
  }
};

using unowned_socket = unowned<socket>;

}  // namespace zx

#endif  // LIB_ZX_SOCKET_H_
