// Helper guest for the runner's CLI tests (tests/cli.rs), by its first
// argument:
//   sleep          sleeps 30 s (signals sent to the runner, timeouts)
//   fault2         N threads (second argument, default 8) released at once
//                  all write to address 0: one "fatal" line must come out
//   print N        prints N lines of 64 bytes (output errors)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#define STACK_SIZE (64u * 1024u)

static volatile uint32_t g_go;

static uintptr_t make_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(STACK_SIZE, 0, &vmo) != ZX_OK) return 0;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK_SIZE, &addr) != ZX_OK)
    addr = 0;
  zx_handle_close(vmo);
  return addr ? addr + STACK_SIZE - 8 : 0;
}

static void fault_when_released(uintptr_t a1, uintptr_t a2) {
  (void)a1;
  (void)a2;
  while (!__atomic_load_n(&g_go, __ATOMIC_ACQUIRE)) {
  }
  *(volatile int*)0 = 1;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
    zx_nanosleep(zx_deadline_after(ZX_SEC(30)));
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "fault2") == 0) {
    int n = argc > 2 ? atoi(argv[2]) : 8;
    for (int i = 0; i < n; i++) {
      zx_handle_t t;
      if (zx_thread_create(zx_process_self(), "f", 1, 0, &t) != ZX_OK) return 3;
      if (zx_thread_start(t, (uintptr_t)fault_when_released, make_stack(), 0, 0) != ZX_OK) return 4;
    }
    zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
    __atomic_store_n(&g_go, 1, __ATOMIC_RELEASE);
    fault_when_released(0, 0);
    return 0;
  }
  if (argc > 2 && strcmp(argv[1], "print") == 0) {
    int n = atoi(argv[2]);
    for (int i = 0; i < n; i++) printf("%063d\n", i);
    return 0;
  }
  return 2;
}
