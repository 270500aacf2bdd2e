// Guest SDK: <lib/zx/clock.h> -- zx::clock::get_monotonic() (clock objects
// themselves need zx_clock_create, which the emulator does not have yet).
#ifndef LIB_ZX_CLOCK_H_
#define LIB_ZX_CLOCK_H_

#include <lib/zx/object.h>
#include <lib/zx/time.h>

namespace zx {

class clock final {
 public:
  static zx::time get_monotonic() { return zx::time(zx_clock_get_monotonic()); }
};

}  // namespace zx

#endif  // LIB_ZX_CLOCK_H_
