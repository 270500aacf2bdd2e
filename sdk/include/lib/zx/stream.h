// Guest SDK: <lib/zx/stream.h> -- zx::stream (written for this project to Fuchsia's
// public lib/zx API; only calls the emulator's vDSO exports are wrapped).
#ifndef LIB_ZX_STREAM_H_
#define LIB_ZX_STREAM_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/vmo.h>

namespace zx {

class stream final : public object<stream> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_STREAM;

  constexpr stream() = default;
  explicit stream(zx_handle_t value) : object(value) {}
  explicit stream(handle&& h) : object(h.release()) {}
  stream(stream&& other) : object(other.release()) {}
  stream& operator=(stream&& other) {
    reset(other.release());
    return *this;
  }

  // A stream over |vmo_handle|'s contents, its seek offset at |seek|.
  static zx_status_t create(uint32_t options, const vmo& vmo_handle, zx_off_t seek,
                            stream* out_stream) {
    return zx_stream_create(options, vmo_handle.get(), seek, out_stream->reset_and_get_address());
  }

  zx_status_t writev(uint32_t options, const zx_iovec_t* vectors, size_t num_vectors,
                     size_t* actual) const {
    return zx_stream_writev(get(), options, vectors, num_vectors, actual);
  }
  zx_status_t writev_at(uint32_t options, zx_off_t offset, const zx_iovec_t* vectors,
                        size_t num_vectors, size_t* actual) const {
    return zx_stream_writev_at(get(), options, offset, vectors, num_vectors, actual);
  }
  zx_status_t readv(uint32_t options, zx_iovec_t* vectors, size_t num_vectors,
                    size_t* actual) const {
    return zx_stream_readv(get(), options, vectors, num_vectors, actual);
  }
  zx_status_t readv_at(uint32_t options, zx_off_t offset, zx_iovec_t* vectors, size_t num_vectors,
                       size_t* actual) const {
    return zx_stream_readv_at(get(), options, offset, vectors, num_vectors, actual);
  }
  zx_status_t seek(zx_stream_seek_origin_t whence, int64_t offset, zx_off_t* out_seek) const {
    return zx_stream_seek(get(), whence, offset, out_seek);
  }
  zx_status_t get_prop_mode_append(uint8_t* mode_append) const {
    return get_property(ZX_PROP_STREAM_MODE_APPEND, mode_append, sizeof(*mode_append));
  }
  zx_status_t set_prop_mode_append(uint8_t mode_append) const {
    return set_property(ZX_PROP_STREAM_MODE_APPEND, &mode_append, sizeof(mode_append));
  }
};

using unowned_stream = unowned<stream>;

}  // namespace zx

#endif  // LIB_ZX_STREAM_H_
