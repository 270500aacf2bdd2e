/* In front of musl's <threads.h>: what Fuchsia's libc declares there and
 * musl does not (implemented in sdk/libc/overlay/src/zircon/thread.c). */
#include_next <threads.h>
#ifndef ZX_SDK_THREADS_EXTRAS
#define ZX_SDK_THREADS_EXTRAS
#ifdef __cplusplus
extern "C" {
#endif
/* thrd_create, with the new Zircon thread named `name` from its creation
 * on (ZX_PROP_NAME; longer names are cut to ZX_MAX_NAME_LEN - 1). */
int thrd_create_with_name(thrd_t* thr, thrd_start_t func, void* arg, const char* name);
#ifdef __cplusplus
}
#endif
/* Fuchsia's static initialiser for a plain mtx_t: the same bytes
 * mtx_init(&m, mtx_plain) writes (musl's plain mutex is all zeros). */
#ifndef MTX_INIT
#ifdef __cplusplus
#define MTX_INIT {}
#else
#define MTX_INIT {0}
#endif
#endif
#endif
