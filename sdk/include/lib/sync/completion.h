// Guest SDK: <lib/sync/completion.h> -- sync_completion_t, Fuchsia's
// in-process one-shot event on a Zircon futex (implementation:
// sdk/lib/sync_completion.c, in the runtime every zx-c++ guest links).
//
// A completion is UNSIGNALED or SIGNALED.  Waiting on a signaled completion
// returns at once; waiting on an unsignaled one blocks until some thread
// signals it or the deadline passes.  sync_completion_signal releases every
// waiter; sync_completion_reset makes it unsignaled again (do not signal and
// reset back to back expecting a blocked waiter to have seen the signal:
// it may not have).  A successful signal is a release and a successful wait
// an acquire, so data written before the signal is visible after the wait.
// Waits never return early: a stray futex wake on the same word is ignored.
#ifndef LIB_SYNC_COMPLETION_H_
#define LIB_SYNC_COMPLETION_H_

#include <stdbool.h>
#include <zircon/compiler.h>
#include <zircon/time.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct sync_completion {
  zx_futex_t futex;

#ifdef __cplusplus
  constexpr sync_completion() : futex(0) {}
#endif
} sync_completion_t;

#if !defined(__cplusplus)
// C code must initialise a completion with this (C++ has a constructor).
#define SYNC_COMPLETION_INIT ((sync_completion_t){0})
#endif

// Waits until |completion| is signaled: ZX_OK, or ZX_ERR_TIMED_OUT once
// |timeout| (relative, ZX_TIME_INFINITE for none) has passed.
zx_status_t sync_completion_wait(sync_completion_t* completion, zx_duration_mono_t timeout);

// The same with an absolute monotonic |deadline|.
zx_status_t sync_completion_wait_deadline(sync_completion_t* completion,
                                          zx_instant_mono_t deadline);

// Marks |completion| signaled and wakes every thread waiting on it.
void sync_completion_signal(sync_completion_t* completion);

// Marks |completion| signaled, but moves its waiters to the futex
// |requeue_target| (owned by |requeue_target_owner|, or by nobody with
// ZX_HANDLE_INVALID) instead of waking them: they wake when that futex is
// woken.  Later waits on |completion| return at once, as after a signal.
void sync_completion_signal_requeue(sync_completion_t* completion, zx_futex_t* requeue_target,
                                    zx_handle_t requeue_target_owner);

// Makes |completion| unsignaled again.
void sync_completion_reset(sync_completion_t* completion);

// Whether |completion| is signaled now.
bool sync_completion_signaled(const sync_completion_t* completion);

__END_CDECLS

#endif  // LIB_SYNC_COMPLETION_H_
