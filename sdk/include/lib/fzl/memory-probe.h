// Guest SDK: <lib/fzl/memory-probe.h> -- ask whether an address can be read
// or written, without faulting the caller.
//
// Each probe makes the access on a short-lived helper thread of the calling
// process, whose exception channel catches the page fault. The result is the
// fault's status as Zircon reports it in the exception report's synth_code:
//   ZX_OK                  the access works;
//   ZX_ERR_NOT_FOUND       nothing is mapped at the address;
//   ZX_ERR_ACCESS_DENIED   a mapping is there but does not allow the access;
//   ZX_ERR_OUT_OF_RANGE    the mapping runs past the end of its VMO there.
// Other errors come from setting up the helper thread (ZX_ERR_NO_MEMORY, ...),
// or ZX_ERR_INTERNAL if the access raised something other than a page fault.
// probe_for_write writes nothing: it adds 0 to the byte with one atomic
// read-modify-write, so concurrent stores by other threads are not lost.
#ifndef LIB_FZL_MEMORY_PROBE_H_
#define LIB_FZL_MEMORY_PROBE_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

zx_status_t probe_for_read(const void* addr);
zx_status_t probe_for_write(void* addr);

__END_CDECLS

#endif  // LIB_FZL_MEMORY_PROBE_H_
