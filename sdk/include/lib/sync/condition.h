// Guest SDK: <lib/sync/condition.h> -- sync_condition_t, a condition variable
// for sync_mutex_t on a Zircon futex (implementation: sdk/lib/sync_mutex.c).
// Written for this project to Fuchsia's public lib/sync API.
//
// As with any condition variable, waits may return without a signal:
// re-check the predicate in a loop.
#ifndef LIB_SYNC_CONDITION_H_
#define LIB_SYNC_CONDITION_H_

#include <assert.h>
#include <lib/sync/mutex.h>
#include <zircon/compiler.h>
#include <zircon/time.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct sync_condition {
  // Bumped by every signal and broadcast; waiters sleep on it.
  zx_futex_t seq;
  // Threads inside a wait (signal and broadcast skip the system call at 0).
  zx_futex_t waiters;
  // Unused: keeps the struct Fuchsia's size and alignment (24 bytes, that of
  // its lock word and two list pointers), so structs embedding one keep
  // their layout.
  void* reserved[2];

#ifdef __cplusplus
  constexpr sync_condition() : seq(0), waiters(0), reserved{nullptr, nullptr} {}
#endif
} sync_condition_t;

#if !defined(__cplusplus)
#define SYNC_CONDITION_INIT ((sync_condition_t){0})
#endif

// Atomically releases |mutex| (which the caller holds) and waits for a
// signal; holds |mutex| again on return.
void sync_condition_wait(sync_condition_t* condition, sync_mutex_t* mutex);

// The same until the absolute monotonic |deadline| (ZX_TIME_INFINITE: no
// limit): ZX_OK if woken (a signal that races with the timeout still counts
// as a wake), or ZX_ERR_TIMED_OUT; |mutex| is held again either way.
zx_status_t sync_condition_timedwait(sync_condition_t* condition, sync_mutex_t* mutex,
                                     zx_instant_mono_t deadline);

// Wakes at least one waiter, if there are any.  A timed wait that was
// waiting when a signal came returns ZX_OK even if its deadline has passed.
void sync_condition_signal(sync_condition_t* condition);

// Wakes every waiter.
void sync_condition_broadcast(sync_condition_t* condition);

__END_CDECLS

#endif  // LIB_SYNC_CONDITION_H_
