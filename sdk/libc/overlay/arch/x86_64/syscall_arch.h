/* Replaces musl's arch/x86_64/syscall_arch.h when the SDK builds musl.
 *
 * musl makes every system call through __syscall0..6. A guest must not
 * execute `syscall` (the emulator turns a raw syscall into a policy
 * exception, as Zircon does), so here they all go to one C function,
 * __zx_linux_syscall (sdk/libc/src/linux_syscall.c), which does the work
 * with Zircon calls through the vDSO and answers -errno like Linux. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long __zx_linux_syscall(long n, long a, long b, long c, long d, long e, long f);

static __inline long __syscall0(long n) { return __zx_linux_syscall(n, 0, 0, 0, 0, 0, 0); }
static __inline long __syscall1(long n, long a) { return __zx_linux_syscall(n, a, 0, 0, 0, 0, 0); }
static __inline long __syscall2(long n, long a, long b) {
  return __zx_linux_syscall(n, a, b, 0, 0, 0, 0);
}
static __inline long __syscall3(long n, long a, long b, long c) {
  return __zx_linux_syscall(n, a, b, c, 0, 0, 0);
}
static __inline long __syscall4(long n, long a, long b, long c, long d) {
  return __zx_linux_syscall(n, a, b, c, d, 0, 0);
}
static __inline long __syscall5(long n, long a, long b, long c, long d, long e) {
  return __zx_linux_syscall(n, a, b, c, d, e, 0);
}
static __inline long __syscall6(long n, long a, long b, long c, long d, long e, long f) {
  return __zx_linux_syscall(n, a, b, c, d, e, f);
}

/* No Linux vDSO: clock_gettime goes through __zx_linux_syscall too. */
#define IPC_64 0
