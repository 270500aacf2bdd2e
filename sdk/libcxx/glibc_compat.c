// The glibc-only symbols that the host's prebuilt libstdc++.a and
// libsupc++.a (built against glibc) refer to and musl does not define.
// Linked into C++ guests only, after the C++ libraries and before libc.a.
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// glibc 2.32: nonzero while the process has one thread. libstdc++ skips
// atomic reference counting when it is set; 0 is always correct.
char __libc_single_threaded = 0;

// The large-file names: on x86-64 off_t is already 64 bits.
off_t ftello64(FILE* f) { return ftello(f); }
int fseeko64(FILE* f, off_t off, int whence) { return fseeko(f, off, whence); }
off_t lseek64(int fd, off_t off, int whence) { return lseek(fd, off, whence); }
int fstat64(int fd, struct stat* st) { return fstat(fd, st); }
int stat64(const char* path, struct stat* st) { return stat(path, st); }
int lstat64(const char* path, struct stat* st) { return lstat(path, st); }
FILE* fopen64(const char* path, const char* mode) { return fopen(path, mode); }

// glibc 2.35: the unwinder (libgcc, built for glibc) asks which loaded
// object holds `pc` and where its .eh_frame_hdr is, and without an answer
// it finds no unwind tables at all. Answered from the C library's
// dl_iterate_phdr (the program's own segments). glibc's x86-64 layout.
struct dl_find_object {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  struct link_map* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long dlfo_reserved[7];
};

struct find_request {
  uintptr_t pc;
  struct dl_find_object* result;
  int found;
};

static int find_object(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  struct find_request* req = data;
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  void* eh_frame = NULL;
  int holds_pc = 0;
  for (size_t i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD) {
      if (start < lo) lo = start;
      if (start + ph->p_memsz > hi) hi = start + ph->p_memsz;
      if (req->pc >= start && req->pc < start + ph->p_memsz) holds_pc = 1;
    } else if (ph->p_type == PT_GNU_EH_FRAME) {
      eh_frame = (void*)start;
    }
  }
  if (!holds_pc) return 0;
  memset(req->result, 0, sizeof(*req->result));
  req->result->dlfo_map_start = (void*)lo;
  req->result->dlfo_map_end = (void*)hi;
  req->result->dlfo_eh_frame = eh_frame;
  req->found = 1;
  return 1;
}

int _dl_find_object(void* pc, struct dl_find_object* result) {
  struct find_request req = {(uintptr_t)pc, result, 0};
  dl_iterate_phdr(find_object, &req);
  return req.found ? 0 : -1;
}

// The clock-taking waits of glibc 2.30 (declared in sdk/libcxx/include/
// pthread.h). The C library's timed waits measure CLOCK_REALTIME, so a
// deadline on another clock becomes the same remaining time from now on
// CLOCK_REALTIME.
static int realtime_deadline(clockid_t clock, const struct timespec* abstime,
                             struct timespec* out) {
  if (clock == CLOCK_REALTIME) {
    *out = *abstime;
    return 0;
  }
  if (clock != CLOCK_MONOTONIC) return EINVAL;
  if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L) return EINVAL;
  struct timespec now, real;
  clock_gettime(clock, &now);
  clock_gettime(CLOCK_REALTIME, &real);
  int64_t left = (int64_t)(abstime->tv_sec - now.tv_sec) * 1000000000 +
                 (abstime->tv_nsec - now.tv_nsec);
  if (left < 0) left = 0;
  int64_t ns = real.tv_nsec + left;
  out->tv_sec = real.tv_sec + ns / 1000000000;
  out->tv_nsec = ns % 1000000000;
  return 0;
}

int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* abstime) {
  struct timespec rt;
  int err = realtime_deadline(clock, abstime, &rt);
  return err ? err : pthread_cond_timedwait(cond, mutex, &rt);
}

int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock,
                            const struct timespec* abstime) {
  struct timespec rt;
  int err = realtime_deadline(clock, abstime, &rt);
  return err ? err : pthread_mutex_timedlock(mutex, &rt);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t* rwlock, clockid_t clock,
                               const struct timespec* abstime) {
  struct timespec rt;
  int err = realtime_deadline(clock, abstime, &rt);
  return err ? err : pthread_rwlock_timedrdlock(rwlock, &rt);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t* rwlock, clockid_t clock,
                               const struct timespec* abstime) {
  struct timespec rt;
  int err = realtime_deadline(clock, abstime, &rt);
  return err ? err : pthread_rwlock_timedwrlock(rwlock, &rt);
}
