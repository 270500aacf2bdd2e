// Launching a child process from an ELF image (SDK extension, not a
// Fuchsia header): the guest-side counterpart of what the runner's loader
// does for the first process.
#ifndef ZX_SDK_LAUNCH_H_
#define ZX_SDK_LAUNCH_H_

#include <stddef.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Creates a process named `name` in `job` from the position-independent ELF
// `image` (as built by sdk/zx-cc): maps its segments with their permissions,
// the vDSO, a stack, binds its imports to the vDSO, sends it the processargs
// bootstrap message with `argc`/`argv` and its startup handles, and starts
// it. On success `*process` is a handle to the running process.
zx_status_t zx_sdk_launch(zx_handle_t job, const char* name, const void* image, size_t image_size, int argc,
                          const char* const* argv, zx_handle_t* process);

__END_CDECLS

#endif  // ZX_SDK_LAUNCH_H_
