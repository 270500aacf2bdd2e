// sync_mutex_t and sync_condition_t on zx_futex_*: see <lib/sync/mutex.h>
// and <lib/sync/condition.h>.
//
// The mutex word is 0 when unlocked, else the owning thread's handle value.
// Handle values always have their two low bits set (ZX_HANDLE_FIXED_BITS_MASK),
// so bit 1 is free: a waiter clears it ("contested") when some thread may be
// asleep on the word.  A locker that cannot take the mutex at once marks it
// contested and sleeps while the word holds that value; unlock wakes one
// sleeper only if it found the mark.  A woken thread takes the lock marked,
// since others may still be asleep.  Knowing the owner lets lock catch a
// thread relocking its own mutex (it traps, as Fuchsia's does, rather than
// deadlocking) and lets sync_mutex_assert_held check the caller.
//
// The condition keeps a sequence number: a waiter notes it, unlocks, and
// sleeps while it is unchanged; signal and broadcast bump it and wake one or
// all sleepers.  A waiter relocks with the "contested" mark so that woken
// threads queued behind the mutex are not forgotten.
#include <lib/sync/condition.h>
#include <lib/sync/mutex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#define CONTESTED_BIT ((zx_futex_t)0x2)

// This thread's value for the word (never 0).
static zx_futex_t self_value(void) {
  zx_handle_t self = zx_thread_self();
  return (zx_futex_t)(self | ZX_HANDLE_FIXED_BITS_MASK);
}

static zx_futex_t owner_of(zx_futex_t v) { return v | (zx_futex_t)ZX_HANDLE_FIXED_BITS_MASK; }
static zx_futex_t contested(zx_futex_t v) { return v & ~CONTESTED_BIT; }

static int cas(zx_futex_t* f, zx_futex_t expected, zx_futex_t desired) {
  return __atomic_compare_exchange_n(f, &expected, desired, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

zx_status_t sync_mutex_trylock(sync_mutex_t* mutex) {
  return cas(&mutex->futex, 0, self_value()) ? ZX_OK : ZX_ERR_BAD_STATE;
}

static zx_status_t lock_until(sync_mutex_t* mutex, zx_instant_mono_t deadline, bool marked) {
  zx_futex_t self = self_value();
  zx_futex_t* f = &mutex->futex;
  if (cas(f, 0, marked ? contested(self) : self)) {
    return ZX_OK;
  }
  for (;;) {
    zx_futex_t v = __atomic_load_n(f, __ATOMIC_RELAXED);
    if (v == 0) {
      // Free again: take it, marked, since others may be asleep.
      if (cas(f, 0, contested(self))) {
        return ZX_OK;
      }
      continue;
    }
    if (owner_of(v) == self) {
      __builtin_trap();  // This thread already holds it: it would never wake.
    }
    if (v != contested(v) && !cas(f, v, contested(v))) {
      continue;  // Changed under us: look again.
    }
    zx_status_t s = zx_futex_wait(f, contested(v), ZX_HANDLE_INVALID, deadline);
    if (s == ZX_ERR_TIMED_OUT) {
      return ZX_ERR_TIMED_OUT;
    }
    // ZX_OK (woken) or ZX_ERR_BAD_STATE (the word changed first): try again.
  }
}

void sync_mutex_lock(sync_mutex_t* mutex) { lock_until(mutex, ZX_TIME_INFINITE, false); }

void sync_mutex_lock_with_waiter(sync_mutex_t* mutex) {
  lock_until(mutex, ZX_TIME_INFINITE, true);
}

zx_status_t sync_mutex_timedlock(sync_mutex_t* mutex, zx_instant_mono_t deadline) {
  return lock_until(mutex, deadline, false);
}

void sync_mutex_unlock(sync_mutex_t* mutex) {
  zx_futex_t old = __atomic_exchange_n(&mutex->futex, 0, __ATOMIC_RELEASE);
  if (old != 0 && old == contested(old)) {
    zx_futex_wake(&mutex->futex, 1);
  }
}

void sync_mutex_assert_held(sync_mutex_t* mutex) {
  zx_futex_t v = __atomic_load_n(&mutex->futex, __ATOMIC_RELAXED);
  if (v == 0 || owner_of(v) != self_value()) {
    __builtin_trap();  // crash this thread, as Fuchsia's does (a death test sees it)
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
