/* In front of musl's <stdlib.h>: what Fuchsia's libc declares there and
 * musl does not (implemented in sdk/libc/overlay/src/zircon). */
#include_next <stdlib.h>
#ifndef ZX_SDK_STDLIB_EXTRAS
#define ZX_SDK_STDLIB_EXTRAS
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
uint32_t arc4random(void);
void arc4random_buf(void* buf, size_t n);
uint32_t arc4random_uniform(uint32_t upper_bound);
#ifdef __cplusplus
}
#endif
#endif
