// Process startup: _start, the processargs bootstrap message, main().
//
// The emulator (like Fuchsia's process launcher) starts the first thread at
// _start with rdi = the bootstrap channel handle and rsi = the vDSO base.
// The first message on that channel is a zx_proc_args_t carrying the
// process's handles (tagged with PA_HND values), its arguments and its
// environment. The bootstrap channel stays open, as with Fuchsia's libc.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

int main(int argc, char** argv, char** envp);

#define MAX_ARGS 256

static uint8_t g_msg[ZX_CHANNEL_MAX_MSG_BYTES] __attribute__((aligned(8)));
static zx_handle_t g_handles[ZX_CHANNEL_MAX_MSG_HANDLES];
static uint32_t g_handle_info[ZX_CHANNEL_MAX_MSG_HANDLES];
static uint32_t g_num_handles;
static char* g_argv[MAX_ARGS + 1];
static char* g_envp[MAX_ARGS + 1];

static zx_handle_t g_proc_self, g_vmar_root, g_job_default, g_thread_self;

zx_handle_t zx_process_self(void) { return g_proc_self; }
zx_handle_t zx_vmar_root_self(void) { return g_vmar_root; }
zx_handle_t zx_job_default(void) { return g_job_default; }
zx_handle_t zx_thread_self(void) { return g_thread_self; }

zx_handle_t zx_take_startup_handle(uint32_t hnd_info) {
  for (uint32_t i = 0; i < g_num_handles; i++) {
    if (g_handles[i] != ZX_HANDLE_INVALID && g_handle_info[i] == hnd_info) {
      zx_handle_t h = g_handles[i];
      g_handles[i] = ZX_HANDLE_INVALID;
      return h;
    }
  }
  return ZX_HANDLE_INVALID;
}

// Splits `num` NUL-terminated strings starting at `off` into `out`.
static int split_strings(uint32_t off, uint32_t num, uint32_t size, char** out) {
  int n = 0;
  while ((uint32_t)n < num && n < MAX_ARGS && off < size) {
    out[n++] = (char*)&g_msg[off];
    while (off < size && g_msg[off] != 0) off++;
    off++;
  }
  out[n] = NULL;
  return n;
}

static int read_bootstrap(zx_handle_t bootstrap) {
  uint32_t nbytes = 0, nhandles = 0;
  zx_status_t s = zx_channel_read(bootstrap, 0, g_msg, g_handles, sizeof(g_msg) - 1,
                                  ZX_CHANNEL_MAX_MSG_HANDLES, &nbytes, &nhandles);
  if (s != ZX_OK || nbytes < sizeof(zx_proc_args_t)) return 0;
  g_msg[nbytes] = 0;
  const zx_proc_args_t* pa = (const zx_proc_args_t*)g_msg;
  if (pa->protocol != ZX_PROCARGS_PROTOCOL || pa->version != ZX_PROCARGS_VERSION) return 0;
  g_num_handles = nhandles;
  if (pa->handle_info_off + 4ull * nhandles <= nbytes) {
    memcpy(g_handle_info, &g_msg[pa->handle_info_off], 4 * nhandles);
  }
  for (uint32_t i = 0; i < nhandles; i++) {
    switch (PA_HND_TYPE(g_handle_info[i])) {
      case PA_PROC_SELF: g_proc_self = g_handles[i]; break;
      case PA_VMAR_ROOT: g_vmar_root = g_handles[i]; break;
      case PA_JOB_DEFAULT: g_job_default = g_handles[i]; break;
      case PA_THREAD_SELF: g_thread_self = g_handles[i]; break;
      default: break;
    }
  }
  split_strings(pa->environ_off, pa->environ_num, nbytes, g_envp);
  return split_strings(pa->args_off, pa->args_num, nbytes, g_argv);
}

void __zx_stdio_flush(void);

__attribute__((noreturn, used)) void __zx_start_main(zx_handle_t bootstrap, void* vdso_base) {
  (void)vdso_base;
  int argc = read_bootstrap(bootstrap);
  // Constructors, if the program has any.
  extern void (*__init_array_start[])(void) __attribute__((weak));
  extern void (*__init_array_end[])(void) __attribute__((weak));
  for (void (**f)(void) = __init_array_start; f && f < __init_array_end; f++) (*f)();
  exit(main(argc, g_argv, g_envp));
}

void exit(int status) {
  __zx_stdio_flush();
  zx_process_exit(status);
}

void abort(void) {
  __zx_stdio_flush();
  zx_process_exit(ZX_TASK_RETCODE_EXCEPTION_KILL);
}

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }

// The entry point: keep rdi/rsi, give C an ABI-aligned stack.
__asm__(
    ".text\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "  xor %ebp, %ebp\n"
    "  and $-16, %rsp\n"
    "  call __zx_start_main\n"
    "  ud2\n"
    ".size _start, . - _start\n");

const char* zx_status_get_string(zx_status_t status) {
  switch (status) {
#define S(x) case x: return #x;
    S(ZX_OK) S(ZX_ERR_INTERNAL) S(ZX_ERR_NOT_SUPPORTED) S(ZX_ERR_NO_RESOURCES)
    S(ZX_ERR_NO_MEMORY) S(ZX_ERR_INTERNAL_INTR_RETRY) S(ZX_ERR_INVALID_ARGS)
    S(ZX_ERR_BAD_HANDLE) S(ZX_ERR_WRONG_TYPE) S(ZX_ERR_BAD_SYSCALL) S(ZX_ERR_OUT_OF_RANGE)
    S(ZX_ERR_BUFFER_TOO_SMALL) S(ZX_ERR_BAD_STATE) S(ZX_ERR_TIMED_OUT) S(ZX_ERR_SHOULD_WAIT)
    S(ZX_ERR_CANCELED) S(ZX_ERR_PEER_CLOSED) S(ZX_ERR_NOT_FOUND) S(ZX_ERR_ALREADY_EXISTS)
    S(ZX_ERR_ALREADY_BOUND) S(ZX_ERR_UNAVAILABLE) S(ZX_ERR_ACCESS_DENIED) S(ZX_ERR_IO)
    S(ZX_ERR_IO_REFUSED) S(ZX_ERR_IO_DATA_INTEGRITY) S(ZX_ERR_IO_DATA_LOSS)
    S(ZX_ERR_IO_NOT_PRESENT) S(ZX_ERR_IO_OVERRUN) S(ZX_ERR_IO_MISSED_DEADLINE)
    S(ZX_ERR_IO_INVALID) S(ZX_ERR_BAD_PATH) S(ZX_ERR_NOT_DIR) S(ZX_ERR_NOT_FILE)
    S(ZX_ERR_FILE_BIG) S(ZX_ERR_NO_SPACE) S(ZX_ERR_NOT_EMPTY) S(ZX_ERR_STOP) S(ZX_ERR_NEXT)
    S(ZX_ERR_ASYNC) S(ZX_ERR_PROTOCOL_NOT_SUPPORTED) S(ZX_ERR_ADDRESS_UNREACHABLE)
    S(ZX_ERR_ADDRESS_IN_USE) S(ZX_ERR_NOT_CONNECTED) S(ZX_ERR_CONNECTION_REFUSED)
    S(ZX_ERR_CONNECTION_RESET) S(ZX_ERR_CONNECTION_ABORTED)
#undef S
    default: return "(UNKNOWN)";
  }
}
