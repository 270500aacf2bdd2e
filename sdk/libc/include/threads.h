/* In front of musl's <threads.h>: Fuchsia's libc extension to C11 threads
 * (implemented in sdk/lib/threads_name.c, in the runtime every zx-c++
 * guest links). */
#include_next <threads.h>
#ifndef ZX_SDK_THREADS_EXTRAS
#define ZX_SDK_THREADS_EXTRAS
#ifdef __cplusplus
extern "C" {
#endif
/* thrd_create, then names the new Zircon thread |name| (ZX_PROP_NAME,
 * truncated to ZX_MAX_NAME_LEN - 1 bytes; NULL or "" leaves it unnamed). */
int thrd_create_with_name(thrd_t* thread, thrd_start_t func, void* arg, const char* name);
#ifdef __cplusplus
}
#endif
#endif
