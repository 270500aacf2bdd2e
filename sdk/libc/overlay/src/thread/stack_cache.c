// The port's cache of thread stacks. musl maps a new stack (guard, stack,
// TLS and thread-specific data in one mapping) for every pthread_create and
// unmaps it at pthread_join; here each of those is a VMO created and
// mapped, first touches that fault pages in, and an unmap that hands the
// pages back, while a change of protection in a process with threads on
// several CPUs costs a host TLB shootdown: most of what a thread's creation
// costs. As glibc does, the stacks of joined threads are kept (up to
// CACHE_SLOTS of them and CACHE_BYTES in all) and handed to the next thread
// whose mapping has the same size, and a reused stack whose guard is the
// size asked for is not re-protected at all.
//
// build-runtime.sh points pthread_create's __mmap, __mprotect and __munmap
// and pthread_join's __munmap here (objcopy --redefine-sym); nothing else
// in the C library uses this cache. Detached threads still unmap their own
// stack as they exit (__unmapself).
//
// pthread_create maps a stack with a guard as PROT_NONE and then makes all
// but the guard writable; this file follows each mapping from that map
// (`awaiting`) through its life (`live`, where the guard size is known) to
// its return (`cached`). A fresh mapping is zero, and musl relies on that
// for the top of it (the TLS block's zero-initialized part, the
// thread-specific data): a reused one has that part zeroed again as soon as
// it is writable. The rest of the stack keeps the bytes the last thread
// left, as a reused stack does under glibc.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "libc.h"
#include "lock.h"
#include "pthread_impl.h"

#define CACHE_SLOTS 16
#define CACHE_BYTES ((size_t)8 << 20)
#define AWAITING_SLOTS 16
#define LIVE_SLOTS 128
// A mapping whose layout is not known (its guard is not on record).
#define GUARD_UNKNOWN SIZE_MAX

struct stack_map {
  char* base;
  size_t len;
  size_t guard;  // bytes at the bottom that are PROT_NONE; GUARD_UNKNOWN
  int zero_top;  // (awaiting only) a reused mapping: zero its top once writable
};

// All protected by `lock`; a slot with base NULL is free.
static struct stack_map cached[CACHE_SLOTS];
static size_t cached_bytes;
static struct stack_map awaiting[AWAITING_SLOTS];
static struct stack_map live[LIVE_SLOTS];
static volatile int lock[1];

void* __zx_stack_mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off);
int __zx_stack_mprotect(void* addr, size_t len, int prot);
int __zx_stack_munmap(void* base, size_t len);

// Puts `m` in a free slot of `table` (of `n`); false if there is none.
// Call with `lock` held.
static int put(struct stack_map* table, size_t n, struct stack_map m) {
  for (size_t i = 0; i < n; i++) {
    if (table[i].base == NULL) {
      table[i] = m;
      return 1;
    }
  }
  return 0;
}

// Takes the entry of `table` (of `n`) for which `match` holds of its base
// and length, if any. Call with `lock` held.
static struct stack_map take(struct stack_map* table, size_t n,
                             int (*match)(const struct stack_map*, const void*), const void* key) {
  for (size_t i = 0; i < n; i++) {
    if (table[i].base != NULL && match(&table[i], key)) {
      struct stack_map m = table[i];
      table[i].base = NULL;
      return m;
    }
  }
  return (struct stack_map){NULL, 0, 0, 0};
}

static int same_len(const struct stack_map* m, const void* key) {
  return m->len == *(const size_t*)key;
}
static int same_end(const struct stack_map* m, const void* key) {
  return m->base + m->len == (const char*)key;
}
static int same_base(const struct stack_map* m, const void* key) { return m->base == key; }

// Zeroes the TLS block and the thread-specific data at the top of `m`, as
// a fresh mapping has them.
static void zero_top(const struct stack_map* m) {
  size_t top = libc.tls_size + __pthread_tsd_size;
  if (top > m->len) top = m->len;
  memset(m->base + m->len - top, 0, top);
}

// Gives `m` the layout "bottom `guard` bytes PROT_NONE, the rest read-write"
// from the one it has.
static int relayout(const struct stack_map* m, size_t guard) {
  if (m->guard == GUARD_UNKNOWN) {
    if (guard && __mprotect(m->base, guard, PROT_NONE)) return -1;
    return __mprotect(m->base + guard, m->len - guard, PROT_READ | PROT_WRITE);
  }
  if (guard > m->guard) return __mprotect(m->base + m->guard, guard - m->guard, PROT_NONE);
  if (guard < m->guard) {
    return __mprotect(m->base + guard, m->guard - guard, PROT_READ | PROT_WRITE);
  }
  return 0;
}

// Records that `m` is in use with a guard of `guard` bytes.
static void note_live(struct stack_map m, size_t guard) {
  m.guard = guard;
  m.zero_top = 0;
  LOCK(lock);
  put(live, LIVE_SLOTS, m);  // (if full, it comes back with GUARD_UNKNOWN)
  UNLOCK(lock);
}

void* __zx_stack_mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (addr != NULL || fd != -1 || !(flags & MAP_ANONYMOUS)) {
    return __mmap(addr, len, prot, flags, fd, off);
  }
  int writable = (prot & PROT_WRITE) != 0;
  LOCK(lock);
  struct stack_map m = take(cached, CACHE_SLOTS, same_len, &len);
  if (m.base != NULL) cached_bytes -= len;
  UNLOCK(lock);
  if (m.base != NULL && writable) {
    // No guard wanted.
    if (relayout(&m, 0) == 0) {
      zero_top(&m);
      note_live(m, 0);
      return m.base;
    }
    __munmap(m.base, m.len);
    m.base = NULL;
  }
  if (m.base == NULL) {
    char* base = __mmap(NULL, len, prot, flags, -1, 0);
    if (base == MAP_FAILED) return base;
    m = (struct stack_map){base, len, writable ? 0 : len, 0};
    if (writable) {
      note_live(m, 0);
      return base;
    }
  } else {
    m.zero_top = 1;
  }
  // PROT_NONE: pthread_create's mprotect comes next and says the guard.
  LOCK(lock);
  int kept = put(awaiting, AWAITING_SLOTS, m);
  UNLOCK(lock);
  if (!kept && m.zero_top) {
    // No room to follow it: a fresh mapping instead.
    __munmap(m.base, m.len);
    return __mmap(NULL, len, prot, flags, -1, 0);
  }
  // (A fresh one not followed comes back with its layout unknown.)
  return m.base;
}

int __zx_stack_mprotect(void* addr, size_t len, int prot) {
  char* end = (char*)addr + len;
  LOCK(lock);
  struct stack_map m = take(awaiting, AWAITING_SLOTS, same_end, end);
  UNLOCK(lock);
  if (m.base == NULL || prot != (PROT_READ | PROT_WRITE) || (char*)addr < m.base) {
    int r = __mprotect(addr, len, prot);
    if (m.base != NULL) {
      // Not the expected shape: its layout is unknown from here on.
      m.guard = GUARD_UNKNOWN;
      if (r == 0 && m.zero_top && (prot & PROT_WRITE) && addr == m.base) zero_top(&m);
    }
    return r;
  }
  size_t guard = (size_t)((char*)addr - m.base);
  if (relayout(&m, guard) != 0) return -1;
  if (m.zero_top) zero_top(&m);
  note_live(m, guard);
  return 0;
}

int __zx_stack_munmap(void* base, size_t len) {
  LOCK(lock);
  struct stack_map m = take(live, LIVE_SLOTS, same_base, base);
  if (m.base == NULL) {
    // Given back before it was made writable (pthread_create failed), or
    // not followed: kept with its layout unknown.
    m = take(awaiting, AWAITING_SLOTS, same_base, base);
    m.base = base;
    m.guard = GUARD_UNKNOWN;
  }
  m.len = len;
  m.zero_top = 0;
  if (len <= CACHE_BYTES - cached_bytes && put(cached, CACHE_SLOTS, m)) {
    cached_bytes += len;
    UNLOCK(lock);
    return 0;
  }
  UNLOCK(lock);
  return __munmap(base, len);
}
