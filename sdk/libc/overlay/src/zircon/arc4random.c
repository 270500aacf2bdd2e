// arc4random, arc4random_buf and arc4random_uniform (as in Fuchsia's libc
// and glibc 2.36) on zx_cprng_draw.
#include <stddef.h>
#include <stdint.h>
#include <zircon/syscalls.h>

uint32_t arc4random(void) {
  uint32_t v;
  zx_cprng_draw(&v, sizeof(v));
  return v;
}

void arc4random_buf(void* buf, size_t n) { zx_cprng_draw(buf, n); }

// Uniform in [0, bound): redraw the values below 2^32 mod bound, which the
// remainder would otherwise favour.
uint32_t arc4random_uniform(uint32_t bound) {
  if (bound < 2) return 0;
  uint32_t floor = -bound % bound;
  for (;;) {
    uint32_t v = arc4random();
    if (v >= floor) return v % bound;
  }
}
