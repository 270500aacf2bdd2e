// Guest SDK: <lib/maybe-standalone-test/maybe-standalone.h> -- what a test
// that may run either as a standalone boot test (with the kernel's root
// resources) or as an ordinary program can ask for.
//
// Here a guest is always an ordinary program: the emulator gives out no
// root, MMIO, IRQ, I/O-port or system resource and has no boot options, so
// each Get*Resource() returns an invalid (ZX_HANDLE_INVALID) unowned handle
// and GetBootOptions() nullptr -- exactly what Fuchsia's library returns
// when not linked into a standalone test.  Tests check is_valid() and skip.
// Header-only.
#ifndef LIB_MAYBE_STANDALONE_TEST_MAYBE_STANDALONE_H_
#define LIB_MAYBE_STANDALONE_TEST_MAYBE_STANDALONE_H_

#include <lib/zx/resource.h>
#include <lib/zx/result.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/resource.h>

#include <utility>

// Declared in <lib/boot-options/boot-options.h>.
struct BootOptions;

namespace maybe_standalone {

inline zx::unowned_resource GetRootResource() { return zx::unowned_resource(); }
inline zx::unowned_resource GetMmioResource() { return zx::unowned_resource(); }
inline zx::unowned_resource GetIrqResource() { return zx::unowned_resource(); }
inline zx::unowned_resource GetIoportResource() { return zx::unowned_resource(); }
inline zx::unowned_resource GetSystemResource() { return zx::unowned_resource(); }

// Makes the system resource for |base| (a ZX_RSRC_SYSTEM_*_BASE) from
// |system_resource|: zx_resource_create's error (ZX_ERR_BAD_HANDLE for the
// invalid handle GetSystemResource() returns here) or the new resource.
inline zx::result<zx::resource> GetSystemResourceWithBase(zx::unowned_resource& system_resource,
                                                          uint64_t base) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  zx_status_t status = zx_resource_create(system_resource->get(), ZX_RSRC_KIND_SYSTEM, base, 1,
                                          nullptr, 0, &out);
  if (status != ZX_OK) {
    return zx::error(status);
  }
  return zx::ok(zx::resource(out));
}

inline const BootOptions* GetBootOptions() { return nullptr; }

}  // namespace maybe_standalone

#endif  // LIB_MAYBE_STANDALONE_TEST_MAYBE_STANDALONE_H_
