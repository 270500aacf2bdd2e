// Guest SDK: <zircon/process.h> -- handles the runtime received at startup.
// These are runtime (libc) functions fed from the processargs bootstrap
// message, not vDSO calls.
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <stdint.h>
#include <zircon/analyzer.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Returns the startup handle whose processargs info word equals |hnd_info|
// (a PA_HND() value) and forgets it, or ZX_HANDLE_INVALID if there is none.
zx_handle_t zx_take_startup_handle(uint32_t hnd_info);

// The initial thread's own handle (PA_THREAD_SELF).
zx_handle_t _zx_thread_self(void);
zx_handle_t zx_thread_self(void);

// This process (PA_PROC_SELF).
ZX_HANDLE_ACQUIRE_UNOWNED zx_handle_t _zx_process_self(void);
ZX_HANDLE_ACQUIRE_UNOWNED zx_handle_t zx_process_self(void);

// The root VMAR of this process (PA_VMAR_ROOT).
ZX_HANDLE_ACQUIRE_UNOWNED zx_handle_t _zx_vmar_root_self(void);
ZX_HANDLE_ACQUIRE_UNOWNED zx_handle_t zx_vmar_root_self(void);

// The job new processes should be created in (PA_JOB_DEFAULT).
zx_handle_t _zx_job_default(void);
zx_handle_t zx_job_default(void);

__END_CDECLS

#endif  // ZIRCON_PROCESS_H_
