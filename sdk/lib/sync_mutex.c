// sync_mutex_t and sync_condition_t on zx_futex_*: see <lib/sync/mutex.h>
// and <lib/sync/condition.h>.
//
// The mutex word is 0 (unlocked), 1 (locked) or 2 (locked, and some thread
// may be sleeping on it).  A locker that cannot take it at once sets 2 and
// sleeps while the word reads 2; unlock wakes one sleeper only if it found 2.
// A woken thread takes the lock as 2, since others may still be asleep.
//
// The condition keeps a sequence number: a waiter notes it, unlocks, and
// sleeps while it is unchanged; signal and broadcast bump it and wake one or
// all sleepers.  A waiter relocks with the "waiters" mark so that woken
// threads queued behind the mutex are not forgotten.
#include <lib/sync/condition.h>
#include <lib/sync/mutex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <zircon/syscalls.h>

enum {
  kUnlocked = 0,
  kLocked = 1,
  kLockedWithWaiters = 2,
};

static int cas(zx_futex_t* f, int32_t expected, int32_t desired) {
  return __atomic_compare_exchange_n(f, &expected, desired, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

zx_status_t sync_mutex_trylock(sync_mutex_t* mutex) {
  return cas(&mutex->futex, kUnlocked, kLocked) ? ZX_OK : ZX_ERR_BAD_STATE;
}

static zx_status_t lock_until(sync_mutex_t* mutex, zx_instant_mono_t deadline, int32_t first) {
  if (cas(&mutex->futex, kUnlocked, first)) {
    return ZX_OK;
  }
  for (;;) {
    // Mark it contended; if it was free, we now hold it.
    int32_t old = __atomic_exchange_n(&mutex->futex, kLockedWithWaiters, __ATOMIC_ACQUIRE);
    if (old == kUnlocked) {
      return ZX_OK;
    }
    zx_status_t s = zx_futex_wait(&mutex->futex, kLockedWithWaiters, ZX_HANDLE_INVALID, deadline);
    if (s == ZX_ERR_TIMED_OUT) {
      return ZX_ERR_TIMED_OUT;
    }
  }
}

void sync_mutex_lock(sync_mutex_t* mutex) { lock_until(mutex, ZX_TIME_INFINITE, kLocked); }

void sync_mutex_lock_with_waiter(sync_mutex_t* mutex) {
  lock_until(mutex, ZX_TIME_INFINITE, kLockedWithWaiters);
}

zx_status_t sync_mutex_timedlock(sync_mutex_t* mutex, zx_instant_mono_t deadline) {
  return lock_until(mutex, deadline, kLocked);
}

void sync_mutex_unlock(sync_mutex_t* mutex) {
  int32_t old = __atomic_exchange_n(&mutex->futex, kUnlocked, __ATOMIC_RELEASE);
  if (old == kLockedWithWaiters) {
    zx_futex_wake(&mutex->futex, 1);
  }
}

void sync_mutex_assert_held(sync_mutex_t* mutex) {
  if (__atomic_load_n(&mutex->futex, __ATOMIC_RELAXED) == kUnlocked) {
    abort();
  }
}

zx_status_t sync_condition_timedwait(sync_condition_t* condition, sync_mutex_t* mutex,
                                     zx_instant_mono_t deadline) {
  int32_t seq = __atomic_load_n(&condition->seq, __ATOMIC_RELAXED);
  __atomic_fetch_add(&condition->waiters, 1, __ATOMIC_SEQ_CST);
  sync_mutex_unlock(mutex);
  zx_status_t s = zx_futex_wait(&condition->seq, seq, ZX_HANDLE_INVALID, deadline);
  __atomic_fetch_sub(&condition->waiters, 1, __ATOMIC_SEQ_CST);
  sync_mutex_lock_with_waiter(mutex);
  // ZX_ERR_BAD_STATE: a signal came between noting seq and sleeping.  A
  // timeout that raced with a signal counts as woken (as Fuchsia promises: a
  // signal is never lost to a waiter that then reports a timeout).
  if (s == ZX_ERR_TIMED_OUT && __atomic_load_n(&condition->seq, __ATOMIC_RELAXED) == seq) {
    return ZX_ERR_TIMED_OUT;
  }
  return ZX_OK;
}

void sync_condition_wait(sync_condition_t* condition, sync_mutex_t* mutex) {
  sync_condition_timedwait(condition, mutex, ZX_TIME_INFINITE);
}

static void bump(sync_condition_t* condition, uint32_t count) {
  __atomic_fetch_add(&condition->seq, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&condition->waiters, __ATOMIC_SEQ_CST) != 0) {
    zx_futex_wake(&condition->seq, count);
  }
}

void sync_condition_signal(sync_condition_t* condition) { bump(condition, 1); }

void sync_condition_broadcast(sync_condition_t* condition) { bump(condition, UINT32_MAX); }
