// Guest SDK: <zircon/string_view.h> -- zx_string_view_t, what vDSO calls
// such as zx_system_get_version_string return: a pointer to a NUL-terminated
// UTF-8 string in the vDSO's read-only data (valid, and unchanged, for the
// life of the process) and its length without the NUL. It comes back in two
// registers, so to C it costs what a `const char*` return does.
#ifndef ZIRCON_STRING_VIEW_H_
#define ZIRCON_STRING_VIEW_H_

#include <stddef.h>

typedef struct {
  const char* c_str;  // NUL-terminated UTF-8
  size_t length;      // bytes before the NUL

#ifdef __cplusplus
  // The std::string_view-like members, so that a returned value can be used
  // directly (`zx_system_get_version_string().data()`).
  using value_type = char;
  using const_pointer = const char*;
  using size_type = size_t;
  const_pointer data() const { return c_str; }
  size_type size() const { return length; }

  // Converts to any type built from (pointer, length) whose characters are
  // bytes: std::string_view, std::u8string_view, std::string...
  template <typename _View>
  operator _View() const {
    static_assert(sizeof(typename _View::value_type) == 1,
                  "zx_string_view_t converts only to views of byte-sized characters");
    return _View(reinterpret_cast<typename _View::const_pointer>(c_str), length);
  }
#endif
} zx_string_view_t;

#endif  // ZIRCON_STRING_VIEW_H_
