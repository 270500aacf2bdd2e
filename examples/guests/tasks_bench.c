// Times thread, channel, socket, FIFO and process round trips; prints
// "NAME NS" lines.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#define STACK 65536u
#define PAGE 4096u

static long parse(const char* s) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

static uintptr_t new_stack(void) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  zx_vmo_create(STACK, 0, &vmo);
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK, &addr);
  zx_handle_close(vmo);
  return addr + STACK - 8;
}

static void just_exit(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  zx_thread_exit();
}

static void ponger(uintptr_t channel, uintptr_t rounds) {
  zx_handle_t ch = (zx_handle_t)channel;
  for (uintptr_t i = 0; i < rounds; i++) {
    uint32_t v, nb, nh;
    zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
    zx_channel_read(ch, 0, &v, NULL, sizeof(v), 0, &nb, &nh);
    zx_channel_write(ch, 0, &v, sizeof(v), NULL, 0);
  }
  zx_thread_exit();
}

// Echoes `rounds` 4-byte messages back on stream socket `s`.
static void socket_ponger(uintptr_t s, uintptr_t rounds) {
  for (uintptr_t i = 0; i < rounds; i++) {
    uint32_t v;
    size_t actual;
    zx_object_wait_one((zx_handle_t)s, ZX_SOCKET_READABLE, ZX_TIME_INFINITE, NULL);
    zx_socket_read((zx_handle_t)s, 0, &v, sizeof(v), &actual);
    zx_socket_write((zx_handle_t)s, 0, &v, sizeof(v), &actual);
  }
  zx_thread_exit();
}

// Echoes `rounds` 4-byte elements back on FIFO `f`.
static void fifo_ponger(uintptr_t f, uintptr_t rounds) {
  for (uintptr_t i = 0; i < rounds; i++) {
    uint32_t v;
    size_t actual;
    zx_object_wait_one((zx_handle_t)f, ZX_FIFO_READABLE, ZX_TIME_INFINITE, NULL);
    zx_fifo_read((zx_handle_t)f, sizeof(v), &v, 1, &actual);
    zx_fifo_write((zx_handle_t)f, sizeof(v), &v, 1, &actual);
  }
  zx_thread_exit();
}

static void report(const char* name, zx_ticks_t ticks, long n) {
  double ns = (double)ticks * 1e9 / (double)zx_ticks_per_second() / (double)n;
  long ps = (long)(ns * 1000.0);
  printf("%s %ld.%03ld\n", name, ps / 1000, ps % 1000);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? parse(argv[1]) : 1000;

  // 1. Thread create + start + join.
  uintptr_t stack = new_stack();
  zx_ticks_t t0 = zx_ticks_get();
  for (long i = 0; i < n; i++) {
    zx_handle_t t;
    zx_thread_create(zx_process_self(), "b", 1, 0, &t);
    zx_thread_start(t, (uintptr_t)just_exit, stack, 0, 0);
    zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
    zx_handle_close(t);
  }
  report("thread", zx_ticks_get() - t0, n);

  // 2. Channel write + read round trip between two threads.
  long rounds = n * 10;
  zx_handle_t a, b, t;
  zx_channel_create(0, &a, &b);
  zx_thread_create(zx_process_self(), "p", 1, 0, &t);
  zx_thread_start(t, (uintptr_t)ponger, new_stack(), b, (uintptr_t)rounds);
  t0 = zx_ticks_get();
  for (long i = 0; i < rounds; i++) {
    uint32_t v = (uint32_t)i, nb, nh;
    zx_channel_write(a, 0, &v, sizeof(v), NULL, 0);
    zx_object_wait_one(a, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
    zx_channel_read(a, 0, &v, NULL, sizeof(v), 0, &nb, &nh);
  }
  report("channel", zx_ticks_get() - t0, rounds);
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);

  // 3. Stream-socket and FIFO round trips between two threads.
  zx_socket_create(ZX_SOCKET_STREAM, &a, &b);
  zx_thread_create(zx_process_self(), "s", 1, 0, &t);
  zx_thread_start(t, (uintptr_t)socket_ponger, new_stack(), b, (uintptr_t)rounds);
  t0 = zx_ticks_get();
  for (long i = 0; i < rounds; i++) {
    uint32_t v = (uint32_t)i;
    size_t actual;
    zx_socket_write(a, 0, &v, sizeof(v), &actual);
    zx_object_wait_one(a, ZX_SOCKET_READABLE, ZX_TIME_INFINITE, NULL);
    zx_socket_read(a, 0, &v, sizeof(v), &actual);
  }
  report("socket", zx_ticks_get() - t0, rounds);
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);

  zx_fifo_create(16, sizeof(uint32_t), 0, &a, &b);
  zx_thread_create(zx_process_self(), "f", 1, 0, &t);
  zx_thread_start(t, (uintptr_t)fifo_ponger, new_stack(), b, (uintptr_t)rounds);
  t0 = zx_ticks_get();
  for (long i = 0; i < rounds; i++) {
    uint32_t v = (uint32_t)i;
    size_t actual;
    zx_fifo_write(a, sizeof(v), &v, 1, &actual);
    zx_object_wait_one(a, ZX_FIFO_READABLE, ZX_TIME_INFINITE, NULL);
    zx_fifo_read(a, sizeof(v), &v, 1, &actual);
  }
  report("fifo", zx_ticks_get() - t0, rounds);
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);

  // 4. Process create + start + exit (+ wait and close).
  zx_handle_t vdso = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  uint64_t vdso_size;
  zx_vmo_get_size(vdso, &vdso_size);
  uintptr_t my_vdso;
  zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &my_vdso, sizeof(my_vdso));
  zx_handle_t code_vmo, stack_vmo;
  zx_vmo_create(PAGE, 0, &code_vmo);
  zx_vmo_replace_as_executable(code_vmo, ZX_HANDLE_INVALID, &code_vmo);
  zx_vmo_create(PAGE, 0, &stack_vmo);
  long procs = n / 4 > 0 ? n / 4 : 1;
  t0 = zx_ticks_get();
  for (long i = 0; i < procs; i++) {
    zx_handle_t proc, vmar, thread;
    uintptr_t child_vdso, code, st;
    zx_process_create(zx_job_default(), "c", 1, 0, &proc, &vmar);
    zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vdso, 0, vdso_size, &child_vdso);
    // xor edi, edi; movabs rax, zx_process_exit; call rax
    uint8_t prog[16] = {0x31, 0xff, 0x48, 0xb8};
    uintptr_t exit_fn = child_vdso + ((uintptr_t)zx_process_exit - my_vdso);
    memcpy(prog + 4, &exit_fn, 8);
    prog[12] = 0xff;
    prog[13] = 0xd0;
    zx_vmo_write(code_vmo, prog, 0, sizeof(prog));
    zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, PAGE, &code);
    zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, PAGE, &st);
    zx_thread_create(proc, "m", 1, 0, &thread);
    zx_process_start(proc, thread, code, st + PAGE, ZX_HANDLE_INVALID, 0);
    zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
    zx_handle_close(thread);
    zx_handle_close(vmar);
    zx_handle_close(proc);
  }
  report("process", zx_ticks_get() - t0, procs);
  return 0;
}
