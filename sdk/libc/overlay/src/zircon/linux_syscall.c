// The SDK's port of musl to Zircon: every Linux system call musl makes
// (through __syscall0..6, see sdk/libc/arch/syscall_arch.h) is answered
// here with Zircon calls through the vDSO, or with the -errno Fuchsia's own
// libc gives where Zircon has no such thing (files and sockets need fdio,
// which guests here do not have: ENOSYS, as Fuchsia's fdio-less stubs).
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/utc.h>
#include <zircon/syscalls/object.h>

#include "zx_port.h"

// Linux's futex operations (the low bits; 128 is FUTEX_PRIVATE_FLAG).
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_CMD_MASK 127
#define ARCH_SET_FS 0x1002

// Where a thread stores 0 and wakes when it exits (set_tid_address, or
// CLONE_CHILD_CLEARTID): musl's thread list lock or a join word.
__thread volatile int* __zx_clear_tid;

static long status_to_errno(zx_status_t s) {
  switch (s) {
    case ZX_OK: return 0;
    case ZX_ERR_NO_MEMORY: return -ENOMEM;
    case ZX_ERR_INVALID_ARGS: return -EINVAL;
    case ZX_ERR_ACCESS_DENIED: return -EACCES;
    case ZX_ERR_BAD_STATE: return -EAGAIN;
    case ZX_ERR_TIMED_OUT: return -ETIMEDOUT;
    case ZX_ERR_NOT_FOUND: return -ENOENT;
    case ZX_ERR_OUT_OF_RANGE: return -ENOMEM;
    case ZX_ERR_NOT_SUPPORTED: return -ENOSYS;
    default: return -EIO;
  }
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return 0;
  return info.koid;
}

static int64_t timespec_ns(const struct timespec* ts) {
  if (ts->tv_sec >= INT64_MAX / 1000000000) return INT64_MAX;
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void ns_timespec(int64_t ns, struct timespec* ts) {
  ts->tv_sec = ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
}

static long write_debug(const void* buf, size_t len) {
  // zx_debug_write takes at most this much at a time.
  const size_t piece = 256;
  for (size_t done = 0; done < len; done += piece) {
    size_t n = len - done < piece ? len - done : piece;
    if (zx_debug_write((const char*)buf + done, n) != ZX_OK) return done ? (long)done : -EIO;
  }
  return (long)len;
}

static uint32_t vm_perms(long prot) {
  uint32_t p = 0;
  if (prot & PROT_READ) p |= ZX_VM_PERM_READ;
  if (prot & PROT_WRITE) p |= ZX_VM_PERM_WRITE | ZX_VM_PERM_READ;
  if (prot & PROT_EXEC) p |= ZX_VM_PERM_EXECUTE | ZX_VM_PERM_READ;
  return p;
}

// Anonymous memory on a VMO mapped in the root VMAR, as Fuchsia's libc
// does it; a file mapping needs fdio.
static long do_mmap(uintptr_t addr, size_t len, long prot, long flags, long fd) {
  if (!(flags & MAP_ANONYMOUS) || fd != -1) return -ENOSYS;
  if (len == 0 || len > ((size_t)1 << 46)) return -EINVAL;
  size_t size = (len + 4095) & ~(size_t)4095;
  zx_handle_t vmo;
  zx_status_t s = zx_vmo_create(size, 0, &vmo);
  if (s != ZX_OK) return status_to_errno(s);
  uint32_t opts = vm_perms(prot);
  size_t offset = 0;
  if (flags & MAP_FIXED) {
    zx_info_vmar_t root;
    s = zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL);
    if (s != ZX_OK || addr < root.base || addr - root.base >= root.len) {
      zx_handle_close(vmo);
      return -EINVAL;
    }
    offset = addr - root.base;
    opts |= ZX_VM_SPECIFIC_OVERWRITE;
  }
  zx_vaddr_t mapped;
  s = zx_vmar_map(zx_vmar_root_self(), opts, offset, vmo, 0, size, &mapped);
  zx_handle_close(vmo);
  if (s != ZX_OK) return s == ZX_ERR_INVALID_ARGS ? -EINVAL : -ENOMEM;
  return (long)mapped;
}

static long do_futex(volatile int* addr, long op, long val, const struct timespec* timeout,
                     volatile int* addr2, long val3) {
  zx_status_t s;
  switch (op & FUTEX_CMD_MASK) {
    case FUTEX_WAIT: {
      zx_instant_mono_t deadline = ZX_TIME_INFINITE;
      if (timeout) deadline = zx_deadline_after(timespec_ns(timeout));  // relative
      s = zx_futex_wait((const zx_futex_t*)addr, (zx_futex_t)val, ZX_HANDLE_INVALID, deadline);
      return s == ZX_ERR_BAD_STATE ? -EAGAIN : status_to_errno(s);
    }
    case FUTEX_WAKE:
      s = zx_futex_wake((const zx_futex_t*)addr, (uint32_t)val);
      return status_to_errno(s);  // Linux counts the woken; callers ignore it
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      // The requeue count travels in the timeout argument.
      uint32_t requeue = (uint32_t)(uintptr_t)timeout;
      for (;;) {
        int current = (op & FUTEX_CMD_MASK) == FUTEX_CMP_REQUEUE ? (int)val3 : *addr;
        s = zx_futex_requeue((const zx_futex_t*)addr, (uint32_t)val, current,
                             (const zx_futex_t*)addr2, requeue, ZX_HANDLE_INVALID);
        if (s == ZX_ERR_BAD_STATE && (op & FUTEX_CMD_MASK) == FUTEX_REQUEUE) continue;
        return s == ZX_ERR_BAD_STATE ? -EAGAIN : status_to_errno(s);
      }
    }
    default:
      return -ENOSYS;
  }
}

// UTC now, from the process's UTC clock (<zircon/utc.h>); with none, or
// one that cannot be read, real time counts from boot.
static int64_t utc_now(void) {
  zx_time_t t;
  zx_handle_t utc = zx_utc_reference_get();
  if (utc != ZX_HANDLE_INVALID && zx_clock_read(utc, &t) == ZX_OK) return t;
  return zx_clock_get_monotonic();
}

static long do_clock_gettime(long clock, struct timespec* ts) {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      ns_timespec(utc_now(), ts);
      return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
      ns_timespec(zx_clock_get_monotonic(), ts);
      return 0;
    case CLOCK_BOOTTIME:
      ns_timespec(zx_clock_get_boot(), ts);
      return 0;
    default:
      return -EINVAL;
  }
}

static long do_sleep(long clock, long flags, const struct timespec* req) {
  if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000 || req->tv_sec < 0) return -EINVAL;
  int64_t ns = timespec_ns(req);
  if (!(flags & TIMER_ABSTIME)) {
    zx_nanosleep(zx_deadline_after(ns));
  } else if (clock == CLOCK_REALTIME) {
    // A UTC deadline, as the distance from UTC now on the monotonic clock.
    int64_t left = ns - utc_now();
    zx_nanosleep(left > 0 ? zx_deadline_after(left) : 0);
  } else {
    // The monotonic and boot timelines are one here.
    zx_nanosleep(ns);
  }
  return 0;
}

// A fatal signal sent to oneself (abort, raise). SIGABRT (abort) crashes
// the thread as Fuchsia's abort() does: a trap, so the program dies of an
// exception that a debugger or a death test can catch (unhandled, the
// process is killed with ZX_TASK_RETCODE_EXCEPTION_KILL); a handler that
// resumes it gets the process exit Fuchsia's abort makes next. Other
// signals end the process with 128 + the signal's number, as a shell
// reports a signal's death. As on Linux, neither flushes stdio.
static long do_kill_self(long sig) {
  if (sig == 0) return 0;
  if (sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH) return 0;
  if (sig == SIGABRT) {
    for (;;) {
      __builtin_trap();
      zx_process_exit(ZX_TASK_RETCODE_EXCEPTION_KILL);
    }
  }
  zx_process_exit(128 + sig);
}

long __zx_linux_syscall(long n, long a, long b, long c, long d, long e, long f) {
  switch (n) {
    case SYS_write:
      if (a == 1 || a == 2) return write_debug((const void*)b, (size_t)c);
      return -EBADF;
    case SYS_writev: {
      if (a != 1 && a != 2) return -EBADF;
      const struct iovec* iov = (const struct iovec*)b;
      long total = 0;
      for (long i = 0; i < c; i++) {
        long r = write_debug(iov[i].iov_base, iov[i].iov_len);
        if (r < 0) return total ? total : r;
        total += r;
      }
      return total;
    }
    case SYS_read:
    case SYS_readv:
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_lseek:
      return a >= 0 && a <= 2 ? -ENOSYS : -EBADF;
    case SYS_close:
      return a >= 0 && a <= 2 ? 0 : -EBADF;
    case SYS_ioctl:
      if ((a == 1 || a == 2) && b == TIOCGWINSZ) {
        // A terminal, so that stdout is line-buffered.
        struct winsize* ws = (struct winsize*)c;
        memset(ws, 0, sizeof(*ws));
        ws->ws_row = 24;
        ws->ws_col = 80;
        return 0;
      }
      return a >= 0 && a <= 2 ? -ENOTTY : -EBADF;
    case SYS_fcntl:
      return a >= 0 && a <= 2 ? 0 : -EBADF;
    case SYS_mmap:
      return do_mmap((uintptr_t)a, (size_t)b, c, d, e);
    case SYS_munmap: {
      zx_status_t s = zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)a, (size_t)b);
      return s == ZX_OK ? 0 : -EINVAL;
    }
    case SYS_mprotect: {
      zx_status_t s = zx_vmar_protect(zx_vmar_root_self(), vm_perms(c), (zx_vaddr_t)a, (size_t)b);
      return s == ZX_OK ? 0 : s == ZX_ERR_ACCESS_DENIED ? -EACCES : s == ZX_ERR_NOT_FOUND ? -ENOMEM : -EINVAL;
    }
    case SYS_madvise:
      return 0;
    case SYS_mremap:
    case SYS_brk:
      return -ENOMEM;
    case SYS_futex:
      return do_futex((volatile int*)a, b, c, (const struct timespec*)d, (volatile int*)e, f);
    case SYS_clock_gettime:
      return do_clock_gettime(a, (struct timespec*)b);
    case SYS_clock_getres:
      if (b) ns_timespec(1, (struct timespec*)b);
      return 0;
    case SYS_nanosleep:
      return do_sleep(CLOCK_MONOTONIC, 0, (const struct timespec*)a);
    case SYS_clock_nanosleep:
      return do_clock_gettime(a, &(struct timespec){0}) ? -EINVAL : do_sleep(a, b, (const struct timespec*)c);
    case SYS_sched_yield:
      zx_nanosleep(0);
      return 0;
    case SYS_sched_getaffinity: {
      // sysconf(_SC_NPROCESSORS_ONLN) counts these bits.
      size_t size = (size_t)b;
      uint32_t cpus = zx_system_get_num_cpus();
      if (size < (cpus + 7) / 8) return -EINVAL;
      memset((void*)c, 0, size);
      for (uint32_t i = 0; i < cpus; i++) ((unsigned char*)c)[i / 8] |= (unsigned char)(1u << (i % 8));
      return (long)size;
    }
    case SYS_getpid:
      return (long)koid_of(zx_process_self());
    case SYS_gettid:
      return (long)koid_of(zx_thread_self());
    case SYS_getppid:
    case SYS_getuid:
    case SYS_geteuid:
    case SYS_getgid:
    case SYS_getegid:
      return 0;
    case SYS_set_tid_address:
      __zx_clear_tid = (volatile int*)a;
      return (long)koid_of(zx_thread_self());
    case SYS_arch_prctl:
      if (a != ARCH_SET_FS) return -EINVAL;
      return __zx_port_set_fs((uintptr_t)b) == ZX_OK ? 0 : -EINVAL;
    case SYS_set_robust_list:
    case SYS_rt_sigprocmask:
    case SYS_rt_sigaction:
    case SYS_sigaltstack:
      return 0;
    case SYS_tkill:
      return do_kill_self(b);
    case SYS_tgkill:
      return do_kill_self(c);
    case SYS_kill:
      return a == 0 || a == (long)koid_of(zx_process_self()) ? do_kill_self(b) : -ESRCH;
    case SYS_getrandom:
      zx_cprng_draw((void*)a, (size_t)b);
      return b;
    case SYS_uname: {
      struct utsname* u = (struct utsname*)a;
      memset(u, 0, sizeof(*u));
      strcpy(u->sysname, "Fuchsia");
      strcpy(u->nodename, "fuchsia");
      strcpy(u->release, "zircon-libos");
      strcpy(u->version, "zircon-libos");
      strcpy(u->machine, "x86_64");
      return 0;
    }
    case SYS_exit:
      __zx_port_thread_exit();
    case SYS_exit_group:
      zx_process_exit(a);
    default:
      return -ENOSYS;
  }
}
