// Guest SDK: <zircon/status.h>.
#ifndef ZIRCON_STATUS_H_
#define ZIRCON_STATUS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The name of a status ("ZX_OK", "ZX_ERR_NOT_FOUND", ...), or "(UNKNOWN)".
const char* _zx_status_get_string(zx_status_t status);
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif  // ZIRCON_STATUS_H_
