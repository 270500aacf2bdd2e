// One guest fault per run: `fault_kinds KIND` does something Zircon turns
// into an exception and, with no handler, dies of it (the runner reports it
// and exits with ZX_TASK_RETCODE_EXCEPTION_KILL's status);
// `fault_kinds KIND catch` first binds its process's exception channel to a
// handler thread, which checks the exception report, fixes the state and
// resumes the faulting thread, which then prints "caught KIND" and exits 0.
//
// KIND: null, rowrite, pastvmo, resize, nx, stack, rawsyscall, int80, badsp,
// badfs, ud2, int3, div0, ssediv0, x87div0, x87pending, unaligned.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>

#define P 4096u
#define STACK_SIZE (64u * 1024u)

// A minimal setjmp: the handler "returns" from save_ctx a second time, with
// rax = 1, by writing these registers into the faulting thread.
typedef struct {
  uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, fs;
} ctx_t;
__attribute__((returns_twice)) uint64_t save_ctx(ctx_t* c);
__asm__(
    ".text\n"
    ".globl save_ctx\n"
    "save_ctx:\n"
    "  movq %rbx, 0(%rdi)\n"
    "  movq %rbp, 8(%rdi)\n"
    "  movq %r12, 16(%rdi)\n"
    "  movq %r13, 24(%rdi)\n"
    "  movq %r14, 32(%rdi)\n"
    "  movq %r15, 40(%rdi)\n"
    "  leaq 8(%rsp), %rax\n"
    "  movq %rax, 48(%rdi)\n"
    "  movq (%rsp), %rax\n"
    "  movq %rax, 56(%rdi)\n"
    "  rdfsbase %rax\n"
    "  movq %rax, 64(%rdi)\n"
    "  xorl %eax, %eax\n"
    "  ret\n");

static ctx_t g_ctx;
static const char* g_kind;
static zx_handle_t g_channel;
static zx_handle_t g_vmo;  // the VMO of pastvmo/resize, which the handler grows back
static volatile zx_status_t g_handler_status = 1;
static volatile uint64_t g_syscall_result;

typedef struct {
  const char* name;
  uint32_t type;
  zx_status_t synth;  // expected synth_code of a page fault
  enum { FIX_LONGJMP, FIX_GROW_VMO, FIX_NONE } fix;
} kind_t;

static const kind_t kKinds[] = {
    {"null", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_NOT_FOUND, FIX_LONGJMP},
    {"rowrite", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_ACCESS_DENIED, FIX_LONGJMP},
    {"pastvmo", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_OUT_OF_RANGE, FIX_GROW_VMO},
    {"resize", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_OUT_OF_RANGE, FIX_GROW_VMO},
    {"nx", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_ACCESS_DENIED, FIX_LONGJMP},
    {"stack", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_NOT_FOUND, FIX_LONGJMP},
    {"rawsyscall", ZX_EXCP_POLICY_ERROR, ZX_EXCP_POLICY_CODE_BAD_SYSCALL, FIX_NONE},
    {"int80", ZX_EXCP_POLICY_ERROR, ZX_EXCP_POLICY_CODE_BAD_SYSCALL, FIX_NONE},
    {"badsp", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_NOT_FOUND, FIX_LONGJMP},
    {"badfs", ZX_EXCP_FATAL_PAGE_FAULT, ZX_ERR_NOT_FOUND, FIX_LONGJMP},
    {"ud2", ZX_EXCP_UNDEFINED_INSTRUCTION, 0, FIX_LONGJMP},
    {"int3", ZX_EXCP_SW_BREAKPOINT, 0, FIX_NONE},
    {"div0", ZX_EXCP_GENERAL, 0, FIX_LONGJMP},
    {"ssediv0", ZX_EXCP_GENERAL, 0, FIX_LONGJMP},
    {"x87div0", ZX_EXCP_GENERAL, 0, FIX_LONGJMP},
    {"x87pending", ZX_EXCP_GENERAL, 0, FIX_LONGJMP},
    {"unaligned", ZX_EXCP_UNALIGNED_ACCESS, 0, FIX_LONGJMP},
};

static const kind_t* find_kind(const char* name) {
  for (size_t i = 0; i < sizeof(kKinds) / sizeof(kKinds[0]); i++) {
    if (strcmp(kKinds[i].name, name) == 0) return &kKinds[i];
  }
  return NULL;
}

static uintptr_t map_vmo(zx_handle_t vmo, uint32_t perms, size_t len) {
  zx_vaddr_t addr = 0;
  if (zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, len, &addr) != ZX_OK) return 0;
  return addr;
}

static uintptr_t map_new(uint32_t perms, size_t len) {
  zx_handle_t vmo;
  if (zx_vmo_create(len, 0, &vmo) != ZX_OK) return 0;
  uintptr_t a = map_vmo(vmo, perms, len);
  zx_handle_close(vmo);
  return a;
}

__attribute__((noinline)) static uint64_t recurse(uint64_t n) {
  volatile uint8_t pad[512];
  pad[0] = (uint8_t)n;
  return recurse(n + 1) + pad[0];
}

// Does the bad thing. Returns normally only after a handler fixed the state
// by growing the VMO back (pastvmo, resize) or resumed past the event
// (rawsyscall, int3).
static uint32_t trigger(const char* kind) {
  if (strcmp(kind, "null") == 0) {
    return *(volatile uint32_t*)0;
  } else if (strcmp(kind, "rowrite") == 0) {
    volatile uint32_t* p = (volatile uint32_t*)map_new(ZX_VM_PERM_READ, P);
    *p = 1;
  } else if (strcmp(kind, "pastvmo") == 0) {
    // A one-page resizable VMO behind a two-page mapping.
    zx_vmo_create(P, ZX_VMO_RESIZABLE, &g_vmo);
    uintptr_t a = map_vmo(g_vmo, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 2 * P);
    volatile uint32_t* p = (volatile uint32_t*)(a + P);
    *p = 0x5a5a;
    return *p;
  } else if (strcmp(kind, "resize") == 0) {
    // Shrink a mapped VMO to nothing, then touch it (ResizeHazard).
    zx_vmo_create(2 * P, ZX_VMO_RESIZABLE, &g_vmo);
    uintptr_t a = map_vmo(g_vmo, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 2 * P);
    *(volatile uint32_t*)a = 7;
    zx_vmo_set_size(g_vmo, 0);
    volatile uint32_t* p = (volatile uint32_t*)(a + P);
    *p = 0x5a5a;
    return *p;
  } else if (strcmp(kind, "nx") == 0) {
    volatile uint8_t* code = (volatile uint8_t*)map_new(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, P);
    code[0] = 0xc3;  // ret
    ((void (*)(void))(uintptr_t)code)();
  } else if (strcmp(kind, "stack") == 0) {
    return (uint32_t)recurse(0);
  } else if (strcmp(kind, "rawsyscall") == 0) {
    // exit_group(42) straight to Linux: must never end the host.
    uint64_t rax = 231;
    __asm__ volatile("syscall" : "+a"(rax) : "D"(42) : "rcx", "r11", "memory");
    g_syscall_result = rax;
    return 0;
  } else if (strcmp(kind, "int80") == 0) {
    // The 32-bit entry: i386 exit_group(42). Trapped the same way.
    uint64_t rax = 252;
    __asm__ volatile("int $0x80" : "+a"(rax) : "b"(42) : "memory");
    g_syscall_result = rax;
    return 0;
  } else if (strcmp(kind, "badsp") == 0) {
    __asm__ volatile("movq $0x1000, %%rsp\n pushq %%rax" ::: "memory");
  } else if (strcmp(kind, "badfs") == 0) {
    __asm__ volatile("wrfsbase %0" ::"r"(0xdead0000ull));
    return *(volatile uint32_t*)8;
  } else if (strcmp(kind, "ud2") == 0) {
    __asm__ volatile("ud2");
  } else if (strcmp(kind, "int3") == 0) {
    __asm__ volatile("int3");
    return 0;
  } else if (strcmp(kind, "div0") == 0) {
    volatile uint32_t zero = 0;
    return 7 / zero;
  } else if (strcmp(kind, "ssediv0") == 0 || strcmp(kind, "x87div0") == 0) {
    // Unmask every floating-point exception, then make syscalls: the
    // emulator must run with its own control words (or it would trap in
    // host code) and give the guest its own back.
    uint32_t mxcsr = 0;
    uint16_t fcw = 0;
    if (kind[0] == 's') {
      __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    } else {
      __asm__ volatile("fldcw %0" : : "m"(fcw));
    }
    for (int i = 0; i < 100; i++) {
      zx_nanosleep(zx_deadline_after(ZX_USEC(10)));
      (void)zx_clock_get_monotonic();
    }
    double a = 1, b = 0;
    if (kind[0] == 's') {
      __asm__ volatile("divsd %1, %0" : "+x"(a) : "x"(b));
    } else {
      __asm__ volatile("fldl %0\n fdivl %1\n fwait\n fstp %%st(0)" : : "m"(a), "m"(b));
    }
    return (uint32_t)a;
  } else if (strcmp(kind, "x87pending") == 0) {
    // Leave an unmasked x87 exception pending (a no-wait divide by zero),
    // then make syscalls: the emulator must park it (or its own x87 code
    // would trap) and give it back, still pending, so the next waiting
    // x87 instruction of the guest raises it.
    uint16_t fcw = 0x37b;  // ZM clear: divide by zero unmasked
    double one = 1, zero = 0;
    __asm__ volatile("fldcw %0\n fldl %1\n fdivl %2" : : "m"(fcw), "m"(one), "m"(zero));
    for (int i = 0; i < 100; i++) {
      zx_nanosleep(zx_deadline_after(ZX_USEC(10)));
      (void)zx_clock_get_monotonic();
    }
    uint16_t fsw = 0;
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    if (!(fsw & 0x80)) {
      printf("the pending x87 exception was lost across syscalls (fsw %#x)\n", fsw);
      return 0;
    }
    __asm__ volatile("fwait\n fstp %%st(0)" ::: "memory");
    return 0;
  } else if (strcmp(kind, "unaligned") == 0) {
    // Turn on alignment checking (EFLAGS.AC), make syscalls with unaligned
    // buffers (the emulator must run without it, and give it back), then
    // load from an unaligned address.
    static uint8_t buf[64];
    __asm__ volatile("pushf\n orl $0x40000, (%%rsp)\n popf" ::: "memory", "cc");
    zx_handle_t vmo;
    if (zx_vmo_create(4096, 0, &vmo) != ZX_OK) return 0;
    for (int i = 0; i < 100; i++) {
      zx_vmo_write(vmo, buf + 1, 3, 17);
      zx_vmo_read(vmo, buf + 3, 1, 33);
    }
    uint64_t flags;
    __asm__ volatile("pushf\n pop %0" : "=r"(flags));
    if (!(flags & 0x40000)) {
      printf("AC was lost across syscalls\n");
      return 0;
    }
    return *(volatile uint32_t*)(buf + 1);
  }
  return 0;
}

#define CHECK(cond)                                            \
  do {                                                         \
    if (!(cond)) {                                             \
      printf("handler check failed: %s (line %d)\n", #cond, __LINE__); \
      return ZX_ERR_INTERNAL;                                  \
    }                                                          \
  } while (0)

static zx_status_t handle_one(const kind_t* k) {
  zx_signals_t pending = 0;
  zx_status_t s = zx_object_wait_one(g_channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &pending);
  CHECK(s == ZX_OK);
  zx_exception_info_t info;
  zx_handle_t exception;
  uint32_t nbytes = 0, nhandles = 0;
  CHECK(zx_channel_read(g_channel, 0, &info, &exception, sizeof(info), 1, &nbytes, &nhandles) == ZX_OK);
  CHECK(nbytes == sizeof(info) && nhandles == 1);
  CHECK(info.type == k->type);

  zx_info_handle_basic_t basic;
  CHECK(zx_object_get_info(exception, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL) == ZX_OK);
  CHECK(basic.type == ZX_OBJ_TYPE_EXCEPTION);
  CHECK(basic.rights == ZX_DEFAULT_EXCEPTION_RIGHTS);
  zx_info_handle_basic_t pbasic;
  CHECK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &pbasic, sizeof(pbasic), NULL, NULL) ==
        ZX_OK);
  CHECK(info.pid == pbasic.koid);

  zx_handle_t thread, process;
  CHECK(zx_exception_get_thread(exception, &thread) == ZX_OK);
  CHECK(zx_exception_get_process(exception, &process) == ZX_OK);
  CHECK(zx_object_get_info(thread, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL) == ZX_OK);
  CHECK(basic.koid == info.tid);
  zx_handle_close(process);

  zx_info_thread_t ti;
  CHECK(zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL) == ZX_OK);
  CHECK(ti.state == ZX_THREAD_STATE_BLOCKED_EXCEPTION);
  CHECK(ti.wait_exception_channel_type == ZX_EXCEPTION_CHANNEL_TYPE_PROCESS);

  zx_exception_report_t report;
  CHECK(zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL) ==
        ZX_OK);
  CHECK(report.header.type == k->type);
  CHECK(report.header.size == sizeof(report));
  if (k->type == ZX_EXCP_FATAL_PAGE_FAULT || k->type == ZX_EXCP_POLICY_ERROR) {
    CHECK((zx_status_t)report.context.synth_code == k->synth);
  }
  if (k->type == ZX_EXCP_POLICY_ERROR) {
    CHECK(report.context.synth_data == (strcmp(k->name, "int80") == 0 ? 252u : 231u));
  }
  if (k->type == ZX_EXCP_GENERAL) {
    // #DE, #XM (SIMD floating point) or #MF (x87).
    uint64_t want = strcmp(k->name, "ssediv0") == 0                                     ? 19
                    : strncmp(k->name, "x87", 3) == 0                                   ? 16
                                                                                        : 0;
    CHECK(report.context.arch.u.x86_64.vector == want);
  }
  if (k->type == ZX_EXCP_UNALIGNED_ACCESS) CHECK(report.context.arch.u.x86_64.vector == 17);
  if (k->type == ZX_EXCP_FATAL_PAGE_FAULT) CHECK(report.context.arch.u.x86_64.vector == 14);

  zx_thread_state_general_regs_t regs;
  CHECK(zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)) == ZX_OK);
  if (strcmp(k->name, "badsp") == 0) CHECK(regs.rsp == 0x1000);
  if (strcmp(k->name, "badfs") == 0) CHECK(regs.fs_base == 0xdead0000ull);
  if (strcmp(k->name, "rawsyscall") == 0) CHECK(regs.rdi == 42);
  switch (k->fix) {
    case FIX_LONGJMP:
      CHECK(strcmp(k->name, "unaligned") != 0 || (regs.rflags & 0x40000));
      regs.rflags &= ~0x40000ull;  // alignment checking off again
      regs.rbx = g_ctx.rbx;
      regs.rbp = g_ctx.rbp;
      regs.r12 = g_ctx.r12;
      regs.r13 = g_ctx.r13;
      regs.r14 = g_ctx.r14;
      regs.r15 = g_ctx.r15;
      regs.rsp = g_ctx.rsp;
      regs.rip = g_ctx.rip;
      regs.fs_base = g_ctx.fs;
      regs.rax = 1;
      break;
    case FIX_GROW_VMO:
      // Give the access what it wanted; the same instruction runs again.
      CHECK(zx_vmo_set_size(g_vmo, 2 * P) == ZX_OK);
      break;
    case FIX_NONE:
      break;
  }
  CHECK(zx_thread_write_state(thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)) == ZX_OK);
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  CHECK(zx_object_set_property(exception, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)) == ZX_OK);
  zx_handle_close(thread);
  zx_handle_close(exception);
  return ZX_OK;
}

static const kind_t* g_k;

static void handler_main(uintptr_t a, uintptr_t b) {
  (void)a;
  (void)b;
  g_handler_status = handle_one(g_k);
  zx_thread_exit();
}

int main(int argc, char** argv) {
  if (argc < 2 || !find_kind(argv[1])) {
    printf("usage: fault_kinds KIND [catch]\n");
    return 2;
  }
  g_kind = argv[1];
  g_k = find_kind(argv[1]);
  int catching = argc > 2 && strcmp(argv[2], "catch") == 0;
  if (!catching) {
    trigger(g_kind);
    printf("survived %s\n", g_kind);
    return 3;
  }
  if (zx_task_create_exception_channel(zx_process_self(), 0, &g_channel) != ZX_OK) return 4;
  zx_handle_t handler;
  uintptr_t stack = map_new(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, STACK_SIZE);
  if (zx_thread_create(zx_process_self(), "handler", 7, 0, &handler) != ZX_OK) return 5;
  if (zx_thread_start(handler, (uintptr_t)handler_main, stack + STACK_SIZE - 8, 0, 0) != ZX_OK) return 6;

  uint32_t value = 0;
  if (save_ctx(&g_ctx) == 0) {
    value = trigger(g_kind);
    if (g_k->fix == FIX_LONGJMP) {
      printf("%s: the access did not fault\n", g_kind);
      return 7;
    }
  }
  zx_object_wait_one(handler, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  if (g_handler_status != ZX_OK) return 8;
  if (g_k->fix == FIX_GROW_VMO && value != 0x5a5a) {
    printf("%s: read back %u after the fix\n", g_kind, value);
    return 9;
  }
  if (g_k->type == ZX_EXCP_POLICY_ERROR && (zx_status_t)g_syscall_result != ZX_ERR_BAD_SYSCALL) {
    printf("rawsyscall returned %ld\n", (long)g_syscall_result);
    return 10;
  }
  printf("caught %s\n", g_kind);
  return 0;
}
