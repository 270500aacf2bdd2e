// Guest SDK runtime: process startup.
//
// __zx_sdk_start (called from _start in start.S) reads the processargs
// message from the bootstrap channel, records the startup handles, builds
// argc/argv/envp, runs .preinit_array/.init_array, calls main and exits with
// its return value.
//
// The bootstrap channel itself stays open (as in Fuchsia's libc, which does
// not close it either); it is not otherwise used after startup.

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "runtime.h"

int main(int argc, char** argv, char** envp);

// Where the message lands. Static: the stack may be small, and zero-filled
// bss costs nothing until touched.
static uint8_t g_msg[ZX_CHANNEL_MAX_MSG_BYTES] __attribute__((aligned(16)));
static zx_handle_t g_msg_handles[ZX_CHANNEL_MAX_MSG_HANDLES];

// argv and envp point into g_msg. Every string takes at least one byte, so
// the message cannot hold more strings than it has bytes.
static char* g_strings[ZX_CHANNEL_MAX_MSG_BYTES + 2];
static char* g_empty_vector[2];

// Startup handles.
static zx_handle_t g_proc_self;
static zx_handle_t g_thread_self;
static zx_handle_t g_job_default;
static zx_handle_t g_vmar_root_self;
static zx_handle_t g_utc_reference;
static struct {
  uint32_t info;
  zx_handle_t handle;
} g_startup[ZX_CHANNEL_MAX_MSG_HANDLES];
static uint32_t g_startup_count;

#ifndef ZX_SDK_MUSL
char** environ = g_empty_vector;
#endif

zx_handle_t zx_process_self(void) { return g_proc_self; }
zx_handle_t _zx_process_self(void) { return g_proc_self; }
#ifdef ZX_SDK_MUSL
// With the C library each thread knows its own handle (in TLS, once the
// first thread has a thread pointer; see sdk/libc/overlay/src/zircon).
extern int __zx_tls_ready;
extern __thread zx_handle_t __zx_thread_handle;
zx_handle_t zx_thread_self(void) {
  if (__zx_tls_ready && __zx_thread_handle != ZX_HANDLE_INVALID) return __zx_thread_handle;
  return g_thread_self;
}
zx_handle_t _zx_thread_self(void) { return zx_thread_self(); }

// <zircon/threads.h>: the handle of another thread, read from its TLS.
// The C library is linked into the executable, so __zx_thread_handle sits
// at one offset from every thread's thread pointer (which is what a
// pthread_t / thrd_t is on x86-64); the first thread's slot holds 0 and its
// handle is the processargs one.
zx_handle_t thrd_get_zx_handle(void* t) {
  if (t == NULL) return ZX_HANDLE_INVALID;
  uintptr_t self;
  __asm__("mov %%fs:0, %0" : "=r"(self));
  uintptr_t offset = (uintptr_t)&__zx_thread_handle - self;
  zx_handle_t h = *(const zx_handle_t*)((uintptr_t)t + offset);
  return h != ZX_HANDLE_INVALID ? h : g_thread_self;
}
zx_handle_t native_thread_get_zx_handle(void* t) { return thrd_get_zx_handle(t); }
#else
zx_handle_t zx_thread_self(void) { return g_thread_self; }
zx_handle_t _zx_thread_self(void) { return g_thread_self; }
#endif
// <zircon/utc.h>
zx_handle_t zx_utc_reference_get(void) { return __atomic_load_n(&g_utc_reference, __ATOMIC_ACQUIRE); }
zx_handle_t _zx_utc_reference_get(void) { return zx_utc_reference_get(); }
zx_status_t zx_utc_reference_swap(zx_handle_t new_utc_reference, zx_handle_t* prev_utc_reference_out) {
  if (new_utc_reference != ZX_HANDLE_INVALID) {
    zx_time_t now;
    zx_status_t s = zx_clock_read(new_utc_reference, &now);
    if (s != ZX_OK) {
      zx_handle_close(new_utc_reference);
      *prev_utc_reference_out = ZX_HANDLE_INVALID;
      return s;
    }
  }
  *prev_utc_reference_out = __atomic_exchange_n(&g_utc_reference, new_utc_reference, __ATOMIC_ACQ_REL);
  return ZX_OK;
}
zx_status_t _zx_utc_reference_swap(zx_handle_t new_utc_reference, zx_handle_t* prev_utc_reference_out) {
  return zx_utc_reference_swap(new_utc_reference, prev_utc_reference_out);
}

zx_handle_t zx_job_default(void) { return g_job_default; }
zx_handle_t _zx_job_default(void) { return g_job_default; }
zx_handle_t zx_vmar_root_self(void) { return g_vmar_root_self; }
zx_handle_t _zx_vmar_root_self(void) { return g_vmar_root_self; }

zx_handle_t zx_take_startup_handle(uint32_t hnd_info) {
  for (uint32_t i = 0; i < g_startup_count; i++) {
    if (g_startup[i].handle != ZX_HANDLE_INVALID && g_startup[i].info == hnd_info) {
      zx_handle_t h = g_startup[i].handle;
      g_startup[i].handle = ZX_HANDLE_INVALID;
      return h;
    }
  }
  return ZX_HANDLE_INVALID;
}

static void report(const char* what, uint32_t a, uint32_t b) {
  // Diagnostics for a malformed message (a loader bug); goes to stdout like
  // all zx_debug_write text.
  static const char hex[] = "0123456789abcdef";
  char line[128];
  size_t n = 0;
  const char* p = "zircon runtime: bad processargs message: ";
  while (*p) line[n++] = *p++;
  while (*what && n < 80) line[n++] = *what++;
  uint32_t v[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    line[n++] = ' ';
    line[n++] = '0';
    line[n++] = 'x';
    for (int s = 28; s >= 0; s -= 4) line[n++] = hex[(v[k] >> s) & 0xf];
  }
  line[n++] = '\n';
  zx_debug_write(line, n);
}

// Collects |count| NUL-terminated strings starting at |off| into out[0..count),
// NULL-terminates the vector; returns how many were found within the message.
static uint32_t collect_strings(uint32_t nbytes, uint32_t off, uint32_t count, char** out) {
  uint32_t found = 0;
  uint32_t pos = off;
  while (found < count && pos < nbytes) {
    uint32_t end = pos;
    while (end < nbytes && g_msg[end] != 0) end++;
    if (end >= nbytes) break;  // unterminated string: stop here
    out[found++] = (char*)&g_msg[pos];
    pos = end + 1;
  }
  out[found] = NULL;
  return found;
}

static int read_bootstrap(zx_handle_t bootstrap, int* argc, char*** argv, char*** envp) {
  *argc = 0;
  *argv = g_empty_vector;
  *envp = g_empty_vector;
  if (bootstrap == ZX_HANDLE_INVALID) return -1;

  uint32_t nbytes = 0, nhandles = 0;
  zx_status_t status = zx_channel_read(bootstrap, 0, g_msg, g_msg_handles, sizeof(g_msg),
                                       ZX_CHANNEL_MAX_MSG_HANDLES, &nbytes, &nhandles);
  if (status != ZX_OK) return -1;
  if (nbytes > sizeof(g_msg)) nbytes = sizeof(g_msg);
  if (nhandles > ZX_CHANNEL_MAX_MSG_HANDLES) nhandles = ZX_CHANNEL_MAX_MSG_HANDLES;

  zx_proc_args_t pa;
  if (nbytes < sizeof(pa)) {
    report("short header", nbytes, (uint32_t)sizeof(pa));
    return -1;
  }
  memcpy(&pa, g_msg, sizeof(pa));
  if (pa.protocol != ZX_PROCARGS_PROTOCOL || pa.version != ZX_PROCARGS_VERSION) {
    report("protocol/version", pa.protocol, pa.version);
    return -1;
  }

  // Handles, by the info word that goes with each.
  if (nhandles > 0) {
    if (pa.handle_info_off > nbytes || (nbytes - pa.handle_info_off) / 4 < nhandles) {
      report("handle info out of bounds", pa.handle_info_off, nhandles);
    } else {
      for (uint32_t i = 0; i < nhandles; i++) {
        uint32_t info;
        memcpy(&info, &g_msg[pa.handle_info_off + 4 * i], sizeof(info));
        zx_handle_t h = g_msg_handles[i];
        switch (PA_HND_TYPE(info)) {
          case PA_PROC_SELF:
            g_proc_self = h;
            break;
          case PA_THREAD_SELF:
            g_thread_self = h;
            break;
          case PA_JOB_DEFAULT:
            g_job_default = h;
            break;
          case PA_VMAR_ROOT:
            g_vmar_root_self = h;
            break;
          case PA_CLOCK_UTC:
            __atomic_store_n(&g_utc_reference, h, __ATOMIC_RELEASE);
            break;
          default:
            g_startup[g_startup_count].info = info;
            g_startup[g_startup_count].handle = h;
            g_startup_count++;
            break;
        }
      }
    }
  }

  // Arguments, then the environment, in one vector: argv[0..argc) NULL
  // envp[0..n) NULL.
  uint32_t nargs = 0;
  if (pa.args_num > 0) {
    nargs = collect_strings(nbytes, pa.args_off, pa.args_num, g_strings);
  } else {
    g_strings[0] = NULL;
  }
  char** env = &g_strings[nargs + 1];
  if (pa.environ_num > 0) {
    collect_strings(nbytes, pa.environ_off, pa.environ_num, env);
  } else {
    env[0] = NULL;
  }
  *argc = (int)nargs;
  *argv = g_strings;
  *envp = env;
#ifndef ZX_SDK_MUSL
  environ = env;
#endif
  return 0;
}

// Section bounds from the default linker script.
typedef void (*init_fn_t)(int, char**, char**);
typedef void (*fini_fn_t)(void);
extern init_fn_t __preinit_array_start[] __attribute__((weak, visibility("hidden")));
extern init_fn_t __preinit_array_end[] __attribute__((weak, visibility("hidden")));
extern init_fn_t __init_array_start[] __attribute__((weak, visibility("hidden")));
extern init_fn_t __init_array_end[] __attribute__((weak, visibility("hidden")));
extern fini_fn_t __fini_array_start[] __attribute__((weak, visibility("hidden")));
extern fini_fn_t __fini_array_end[] __attribute__((weak, visibility("hidden")));

void __zx_sdk_run_fini(void) {
  static int done;
  if (done) return;
  done = 1;
  if (__fini_array_start == NULL || __fini_array_end == NULL) return;
  for (fini_fn_t* f = __fini_array_end; f != __fini_array_start;) (*--f)();
}

#ifdef ZX_SDK_MUSL
// The C library (musl) starts as on Linux: __libc_start_main(main, argc,
// argv) with envp after argv and the auxiliary vector after envp. It finds
// the image's TLS segment through AT_PHDR, seeds its stack protector from
// AT_RANDOM, runs .init_array, calls main and exit()s with its value.
int __libc_start_main(int (*main)(int, char**, char**), int argc, char** argv,
                      void (*init)(void), void (*fini)(void), void (*ldso)(void));
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_HWCAP 16
#define AT_SECURE 23
#define AT_RANDOM 25

// argv (argc + NULL), envp (+ NULL) and auxv, in one vector.
static char* g_start_vector[ZX_CHANNEL_MAX_MSG_BYTES + 2 + 2 * 9];
static uint8_t g_at_random[16];

// Hands the program to musl: argv, envp and an auxiliary vector in one
// vector, as the Linux kernel lays them out.
static __attribute__((noreturn)) void start_libc(int argc, char** argv, char** envp) {
  size_t n = 0;
  for (int i = 0; i < argc; i++) g_start_vector[n++] = argv[i];
  g_start_vector[n++] = NULL;
  for (char** e = envp; *e != NULL; e++) g_start_vector[n++] = *e;
  g_start_vector[n++] = NULL;
  // The ELF header's program headers, as mapped (e_phoff at 32, e_phentsize
  // at 54, e_phnum at 56 of the 64-bit header).
  uint64_t phoff;
  uint16_t phentsize, phnum;
  memcpy(&phoff, __ehdr_start + 32, sizeof(phoff));
  memcpy(&phentsize, __ehdr_start + 54, sizeof(phentsize));
  memcpy(&phnum, __ehdr_start + 56, sizeof(phnum));
  zx_cprng_draw(g_at_random, sizeof(g_at_random));
  uintptr_t aux[][2] = {
      {AT_PHDR, (uintptr_t)__ehdr_start + phoff},
      {AT_PHENT, phentsize},
      {AT_PHNUM, phnum},
      {AT_PAGESZ, zx_system_get_page_size()},
      {AT_HWCAP, 0},
      {AT_SECURE, 0},
      {AT_RANDOM, (uintptr_t)g_at_random},
      {AT_NULL, 0},
  };
  for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++) {
    g_start_vector[n++] = (char*)aux[i][0];
    g_start_vector[n++] = (char*)aux[i][1];
  }
  __libc_start_main(main, argc, g_start_vector, NULL, NULL, NULL);
  __builtin_trap();
}
#endif

__attribute__((noreturn, used)) void __zx_sdk_start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  (void)vdso_base;
  int argc;
  char** argv;
  char** envp;
  read_bootstrap(bootstrap, &argc, &argv, &envp);
#ifdef ZX_SDK_MUSL
  start_libc(argc, argv, envp);
#else
  if (__preinit_array_start != NULL && __preinit_array_end != NULL) {
    for (init_fn_t* f = __preinit_array_start; f != __preinit_array_end; f++) (*f)(argc, argv, envp);
  }
  if (__init_array_start != NULL && __init_array_end != NULL) {
    for (init_fn_t* f = __init_array_start; f != __init_array_end; f++) (*f)(argc, argv, envp);
  }

  exit(main(argc, argv, envp));
#endif
}
