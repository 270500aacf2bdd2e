// Measures the round trip of cheap syscalls through the vDSO.
// Prints one line per call: "NAME NS_PER_CALL".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

static long parse(const char* s) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

static char page[4096];

// Prints "NAME NS_PER_CALL" for `ticks` spent on `n` calls.
static void report(const char* name, zx_ticks_t ticks, long n) {
  double per_tick = 1e9 / (double)zx_ticks_per_second();
  long ps = (long)((double)ticks * per_tick * 1000.0 / (double)n);
  printf("%s %ld.%03ld\n", name, ps / 1000, ps % 1000);
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
  // 4 KiB transfers between the VMO and a buffer the guest has touched.
  memset(page, 1, sizeof(page));
  for (long i = 0; i < n; i++) zx_vmo_write(vmo, page, 0, sizeof(page));
  zx_ticks_t t4 = zx_ticks_get();
  for (long i = 0; i < n; i++) zx_vmo_read(vmo, page, 0, sizeof(page));
  zx_ticks_t t5 = zx_ticks_get();
  report("zx_handle_close(ZX_HANDLE_INVALID)", t1 - t0, n);
  report("zx_vmo_get_size", t3 - t2, n);
  report("zx_vmo_write(4KiB)", t4 - t3, n);
  report("zx_vmo_read(4KiB)", t5 - t4, n);
  return 0;
}
