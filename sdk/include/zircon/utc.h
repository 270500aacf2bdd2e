// Guest SDK: <zircon/utc.h> -- the process's UTC reference clock (written for
// this project to Fuchsia's public header's API).
//
// A process starts with the UTC clock its launcher gave it (the startup
// handle PA_CLOCK_UTC); CLOCK_REALTIME, time() and gettimeofday() read it.
#ifndef ZIRCON_UTC_H_
#define ZIRCON_UTC_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The clock handle UTC is read from, or ZX_HANDLE_INVALID if there is none.
// The handle stays the runtime's: do not close it.
zx_handle_t zx_utc_reference_get(void);
zx_handle_t _zx_utc_reference_get(void);

// Installs `new_utc_reference` (consumed whatever the outcome; it must be a
// clock the caller can read, or ZX_HANDLE_INVALID to have no UTC clock) and
// hands the previous one to the caller in `*prev_utc_reference_out`. If the
// new clock cannot be read, that zx_clock_read status is returned, nothing
// changes, and `*prev_utc_reference_out` is ZX_HANDLE_INVALID.
zx_status_t zx_utc_reference_swap(zx_handle_t new_utc_reference,
                                  zx_handle_t* prev_utc_reference_out);
zx_status_t _zx_utc_reference_swap(zx_handle_t new_utc_reference,
                                   zx_handle_t* prev_utc_reference_out);

__END_CDECLS

#endif  // ZIRCON_UTC_H_
