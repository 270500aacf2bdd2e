// The C side of sdk_libs_test.cc: the SDK libraries with C APIs used from
// C (sync_completion with SYNC_COMPLETION_INIT, explicit-memory, the arm64
// debug-register field macros). Each function returns 0 when its checks
// hold, else the number of the first check that failed.
#include <explicit-memory/bytes.h>
#include <lib/sync/completion.h>
#include <stdint.h>
#include <string.h>
#include <threads.h>
#include <zircon/hw/debug/arm64.h>
#include <zircon/syscalls.h>
#include <zircon/time.h>

struct handoff {
  sync_completion_t ready;
  int value;
};

static int producer(void* arg) {
  struct handoff* h = arg;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  h->value = 1234;
  sync_completion_signal(&h->ready);
  return 0;
}

int c_sync_completion_checks(void) {
  sync_completion_t c = SYNC_COMPLETION_INIT;
  if (sync_completion_signaled(&c)) return 1;
  if (sync_completion_wait(&c, 0) != ZX_ERR_TIMED_OUT) return 2;
  sync_completion_signal(&c);
  if (!sync_completion_signaled(&c)) return 3;
  if (sync_completion_wait(&c, ZX_TIME_INFINITE) != ZX_OK) return 4;
  sync_completion_reset(&c);
  if (sync_completion_signaled(&c)) return 5;

  // The data written before the signal is there after the wait.
  struct handoff h = {SYNC_COMPLETION_INIT, 0};
  thrd_t t;
  if (thrd_create(&t, producer, &h) != thrd_success) return 6;
  if (sync_completion_wait(&h.ready, ZX_TIME_INFINITE) != ZX_OK) return 7;
  if (h.value != 1234) return 8;
  int rc = -1;
  if (thrd_join(t, &rc) != thrd_success || rc != 0) return 9;
  return 0;
}

int c_explicit_memory_checks(void) {
  unsigned char buf[32];
  if (mandatory_memset(buf, 0x5a, sizeof(buf)) != buf) return 1;
  for (size_t i = 0; i < sizeof(buf); i++) {
    if (buf[i] != 0x5a) return 2;
  }
  const char text[] = "secret";
  if (mandatory_memcpy(buf, text, sizeof(text)) != buf) return 3;
  if (memcmp(buf, text, sizeof(text)) != 0) return 4;
  if (buf[sizeof(text)] != 0x5a) return 5;
  return 0;
}

int c_arm64_debug_checks(void) {
  uint32_t bcr = 0;
  ARM64_DBGBCR_E_SET(&bcr, 1);
  ARM64_DBGBCR_PMC_SET(&bcr, 2);
  ARM64_DBGBCR_BAS_SET(&bcr, 0xf);
  if (bcr != (1u | (2u << 1) | (0xfu << 5))) return 1;
  if (ARM64_DBGBCR_PMC_GET(bcr) != 2 || ARM64_DBGBCR_BAS_GET(bcr) != 0xf) return 2;
  // A value wider than its field is cut to the field.
  ARM64_DBGBCR_PMC_SET(&bcr, 0xff);
  if (ARM64_DBGBCR_PMC_GET(bcr) != 3 || ARM64_DBGBCR_E_GET(bcr) != 1 ||
      ARM64_DBGBCR_BAS_GET(bcr) != 0xf)
    return 3;

  uint32_t wcr = 0xffffffffu;
  ARM64_DBGWCR_LSC_SET(&wcr, 0);
  if (wcr != (0xffffffffu & ~(3u << 3))) return 4;
  ARM64_DBGWCR_BAS_SET(&wcr, 0x0f);
  if (ARM64_DBGWCR_BAS_GET(wcr) != 0x0f || ARM64_DBGWCR_SSC_GET(wcr) != 3) return 5;
  if (ARM64_DBGWCR_MSK_MASK != (0x1fu << 24) || ARM64_DBGWCR_WT_SHIFT != 20) return 6;
  if (ARM64_MAX_HW_BREAKPOINTS != 16 || ARM64_MAX_HW_WATCHPOINTS != 16) return 7;
  return 0;
}
