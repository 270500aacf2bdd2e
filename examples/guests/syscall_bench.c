// Measures the round trip of cheap syscalls through the vDSO.
// Prints one line per call: "NAME NS_PER_CALL".
#include <stdio.h>
#include <stdlib.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

static long parse(const char* s) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? parse(argv[1]) : 1000000;
  zx_ticks_t t0 = zx_ticks_get();
  for (long i = 0; i < n; i++) zx_handle_close(ZX_HANDLE_INVALID);
  zx_ticks_t t1 = zx_ticks_get();
  zx_handle_t vmo;
  zx_vmo_create(4096, 0, &vmo);
  uint64_t size;
  zx_ticks_t t2 = zx_ticks_get();
  for (long i = 0; i < n; i++) zx_vmo_get_size(vmo, &size);
  zx_ticks_t t3 = zx_ticks_get();
  double per_tick = 1e9 / (double)zx_ticks_per_second();
  long close_ps = (long)((double)(t1 - t0) * per_tick * 1000.0 / (double)n);
  long size_ps = (long)((double)(t3 - t2) * per_tick * 1000.0 / (double)n);
  printf("zx_handle_close(ZX_HANDLE_INVALID) %ld.%03ld\n", close_ps / 1000, close_ps % 1000);
  printf("zx_vmo_get_size %ld.%03ld\n", size_ps / 1000, size_ps % 1000);
  return 0;
}
