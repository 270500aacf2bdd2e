// Guest SDK: <lib/zx/handle.h> -- zx::handle, a handle of any type.
#ifndef LIB_ZX_HANDLE_H_
#define LIB_ZX_HANDLE_H_

#include <lib/zx/object.h>

namespace zx {

using handle = object<void>;
using unowned_handle = unowned<handle>;

}  // namespace zx

#endif  // LIB_ZX_HANDLE_H_
