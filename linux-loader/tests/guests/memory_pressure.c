// Drives the memory-pressure events by committing memory: run with a
// 256 MiB pool and ZX_LIBOS_OOM watermarks of 64 / +24 / 128 / 192 MiB of
// free memory and no hysteresis (linux-loader/tests/system_events.rs).
// Prints the level signalled after each step; returns 0 if each step
// reached the expected level and exactly one event was signalled.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#define MB (1024ull * 1024)

static const uint32_t kKinds[5] = {
    ZX_SYSTEM_EVENT_OUT_OF_MEMORY, ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY,
    ZX_SYSTEM_EVENT_MEMORY_PRESSURE_CRITICAL, ZX_SYSTEM_EVENT_MEMORY_PRESSURE_WARNING,
    ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL};
static const char* const kNames[5] = {"out-of-memory", "imminent-out-of-memory", "critical",
                                      "warning", "normal"};
static zx_handle_t g_events[5];

// Waits up to 5 s for the event of `level`; returns the one signalled then
// (-1 if none or more than one).
static int settle(int level) {
  zx_object_wait_one(g_events[level], ZX_EVENT_SIGNALED, zx_deadline_after(ZX_SEC(5)), NULL);
  int on = -1, count = 0;
  for (int k = 0; k < 5; k++) {
    zx_signals_t s = 0;
    zx_object_wait_one(g_events[k], 0, 0, &s);
    if (s & ZX_EVENT_SIGNALED) {
      on = k;
      count++;
    }
  }
  return count == 1 ? on : -1;
}

// Commits `mb` MiB in a new VMO.
static zx_handle_t commit(uint64_t mb) {
  zx_handle_t vmo;
  if (zx_vmo_create(mb * MB, 0, &vmo) != ZX_OK) return ZX_HANDLE_INVALID;
  if (zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, mb * MB, NULL, 0) != ZX_OK) {
    zx_handle_close(vmo);
    return ZX_HANDLE_INVALID;
  }
  return vmo;
}

int main(int argc, char** argv) {
  // `first`: only report the level at start.
  int steps = argc > 1 && strcmp(argv[1], "first") == 0 ? 1 : 5;
  for (int k = 0; k < 5; k++) {
    if (zx_system_get_event(zx_job_default(), kKinds[k], &g_events[k]) != ZX_OK) {
      printf("pressure: no event %d\n", k);
      return 1;
    }
  }
  // Used memory to reach, in MiB, and the level each lands in: free is
  // 256 MiB less what guests hold (a few MiB before the first step).
  static const struct {
    uint64_t used_mb;
    int level;
  } kSteps[] = {{0, 4}, {96, 3}, {152, 2}, {180, 1}, {224, 0}};
  zx_handle_t vmos[5] = {0};
  uint64_t used = 0;
  int ok = 1;
  for (int i = 0; i < steps; i++) {
    if (kSteps[i].used_mb > used) {
      vmos[i] = commit(kSteps[i].used_mb - used);
      if (vmos[i] == ZX_HANDLE_INVALID) {
        printf("pressure: cannot commit\n");
        return 1;
      }
      used = kSteps[i].used_mb;
    }
    int got = settle(kSteps[i].level);
    printf("pressure: %llu MiB committed: %s\n", (unsigned long long)used,
           got < 0 ? "(not exactly one)" : kNames[got]);
    ok &= got == kSteps[i].level;
  }
  if (steps == 1) return ok ? 0 : 1;
  // Give it all back: normal again (no hysteresis in this run).
  for (int i = 0; i < 5; i++) zx_handle_close(vmos[i]);
  int got = settle(4);
  printf("pressure: released: %s\n", got < 0 ? "(not exactly one)" : kNames[got]);
  ok &= got == 4;
  return ok ? 0 : 1;
}
