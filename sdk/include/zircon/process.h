// Handles the runtime received at startup (<zircon/process.h>).
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <stdint.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The process's own handle, root VMAR, default job and first thread, as
// delivered in the processargs bootstrap message.
zx_handle_t zx_process_self(void);
zx_handle_t zx_vmar_root_self(void);
zx_handle_t zx_job_default(void);
zx_handle_t zx_thread_self(void);

// Returns the startup handle tagged `hnd_info` (a PA_HND value) and forgets
// it, or ZX_HANDLE_INVALID if there is none.
zx_handle_t zx_take_startup_handle(uint32_t hnd_info);

__END_CDECLS

#endif  // ZIRCON_PROCESS_H_
