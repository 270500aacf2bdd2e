// sync_completion_t on zx_futex_*: see <lib/sync/completion.h>.
//
// The futex word holds one of three values.  A waiter that finds the
// completion unsignaled first marks it "has waiters" (so a signaler knows a
// wake is needed; an uncontended signal makes no system call) and sleeps
// while the word still reads "has waiters".  It goes back to sleep on any
// wake that leaves the word unsignaled, so stray wakes are harmless.
#include <lib/sync/completion.h>
#include <stdint.h>
#include <zircon/syscalls.h>

enum {
  kUnsignaled = 0,
  kUnsignaledWithWaiters = 1,
  kSignaled = 2,
};

static int32_t load_acquire(const zx_futex_t* f) {
  return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

zx_status_t sync_completion_wait_deadline(sync_completion_t* completion,
                                          zx_instant_mono_t deadline) {
  zx_futex_t* f = &completion->futex;
  for (;;) {
    int32_t v = load_acquire(f);
    if (v == kSignaled) {
      return ZX_OK;
    }
    if (v == kUnsignaled) {
      int32_t expected = kUnsignaled;
      if (!__atomic_compare_exchange_n(f, &expected, kUnsignaledWithWaiters, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
        continue;  // It changed under us: look again.
      }
    }
    zx_status_t s = zx_futex_wait(f, kUnsignaledWithWaiters, ZX_HANDLE_INVALID, deadline);
    if (s == ZX_ERR_TIMED_OUT) {
      // A signal that raced with the timeout still counts.
      return load_acquire(f) == kSignaled ? ZX_OK : ZX_ERR_TIMED_OUT;
    }
    // ZX_OK (woken) or ZX_ERR_BAD_STATE (the word changed first): re-check.
  }
}

zx_status_t sync_completion_wait(sync_completion_t* completion, zx_duration_mono_t timeout) {
  return sync_completion_wait_deadline(completion, zx_deadline_after(timeout));
}

void sync_completion_signal(sync_completion_t* completion) {
  int32_t old = __atomic_exchange_n(&completion->futex, kSignaled, __ATOMIC_RELEASE);
  if (old == kUnsignaledWithWaiters) {
    zx_futex_wake(&completion->futex, UINT32_MAX);
  }
}

void sync_completion_signal_requeue(sync_completion_t* completion, zx_futex_t* requeue_target,
                                    zx_handle_t requeue_target_owner) {
  int32_t old = __atomic_exchange_n(&completion->futex, kSignaled, __ATOMIC_RELEASE);
  if (old == kUnsignaledWithWaiters) {
    // Wake none, move them all; the word now reads kSignaled.
    zx_futex_requeue(&completion->futex, 0, kSignaled, requeue_target, UINT32_MAX,
                     requeue_target_owner);
  }
}

void sync_completion_reset(sync_completion_t* completion) {
  int32_t expected = kSignaled;
  // Only a signaled completion changes: one with waiters keeps its mark.
  __atomic_compare_exchange_n(&completion->futex, &expected, kUnsignaled, false,
                              __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

bool sync_completion_signaled(const sync_completion_t* completion) {
  return load_acquire(&completion->futex) == kSignaled;
}
