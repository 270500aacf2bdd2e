// Guest SDK: <lib/sync/mutex.h> -- sync_mutex_t, Fuchsia's small non-recursive
// mutex on a Zircon futex (implementation: sdk/lib/sync_mutex.c, in the
// runtime every guest links).  Written for this project to Fuchsia's public
// lib/sync API.
//
// The mutex word holds the owning thread's handle, marked once some thread
// may be waiting, so that unlock knows to wake one; an uncontended
// lock/unlock makes no system call.  The mutex is not recursive: a thread
// that locks a mutex it already holds crashes (a trap) instead of
// deadlocking.
#ifndef LIB_SYNC_MUTEX_H_
#define LIB_SYNC_MUTEX_H_

#include <zircon/compiler.h>
#include <zircon/time.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct __TA_CAPABILITY("mutex") sync_mutex {
  zx_futex_t futex;

#ifdef __cplusplus
  constexpr sync_mutex() : futex(0) {}
#endif
} sync_mutex_t;

#if !defined(__cplusplus)
// C code initialises a mutex with this (C++ has a constructor).
#define SYNC_MUTEX_INIT ((sync_mutex_t){0})
#endif

// Blocks until this thread holds |mutex|.
void sync_mutex_lock(sync_mutex_t* mutex) __TA_ACQUIRE(mutex);

// The same, but leaves the mutex marked as having waiters, so the next
// unlock wakes one (for condition variables).
void sync_mutex_lock_with_waiter(sync_mutex_t* mutex) __TA_ACQUIRE(mutex);

// Tries until the absolute monotonic |deadline|: ZX_OK with the mutex held,
// or ZX_ERR_TIMED_OUT.
zx_status_t sync_mutex_timedlock(sync_mutex_t* mutex, zx_instant_mono_t deadline);

// ZX_OK with the mutex held, or ZX_ERR_BAD_STATE at once if it is taken.
zx_status_t sync_mutex_trylock(sync_mutex_t* mutex);

// Releases |mutex| (nothing happens if it is not locked).
void sync_mutex_unlock(sync_mutex_t* mutex) __TA_RELEASE(mutex);

// Aborts the program unless the calling thread holds |mutex|.
void sync_mutex_assert_held(sync_mutex_t* mutex) __TA_ASSERT(mutex);

__END_CDECLS

#endif  // LIB_SYNC_MUTEX_H_
