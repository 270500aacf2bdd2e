// musl's cancellation-point syscall without a raw `syscall`: the
// cancellation check, then the port layer. (Asynchronous cancellation by
// signal does not exist here, so the __cp_* bounds mark an empty range.)
long __zx_linux_syscall(long n, long a, long b, long c, long d, long e, long f);
__attribute__((visibility("hidden"))) long __cancel(void);

__attribute__((visibility("hidden"))) long __syscall_cp_asm(volatile int* cancel, long n, long a,
                                                            long b, long c, long d, long e,
                                                            long f) {
  if (*cancel) return __cancel();
  return __zx_linux_syscall(n, a, b, c, d, e, f);
}

__asm__(".text\n"
        ".globl __cp_begin\n.hidden __cp_begin\n"
        ".globl __cp_end\n.hidden __cp_end\n"
        ".globl __cp_cancel\n.hidden __cp_cancel\n"
        "__cp_begin:\n__cp_end:\n__cp_cancel:\n\tud2\n");
