// Guest SDK: <zircon/threads.h> -- the Zircon thread handle behind a C11 or
// POSIX thread, and the status mapping between <threads.h> and Zircon
// (written for this project to Fuchsia's public header's API).
#ifndef ZIRCON_THREADS_H_
#define ZIRCON_THREADS_H_

#include <threads.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The handle of thread `t`. The thread keeps owning it: it is closed when
// the thread ends and is joined or detached, so duplicate it to keep it.
zx_handle_t thrd_get_zx_handle(thrd_t t);

// A <threads.h> status as a zx_status_t.
static inline zx_status_t thrd_status_to_zx_status(int thrd_status) {
  switch (thrd_status) {
    case thrd_success:
      return ZX_OK;
    case thrd_nomem:
      return ZX_ERR_NO_MEMORY;
    case thrd_timedout:
      return ZX_ERR_TIMED_OUT;
    case thrd_busy:
      return ZX_ERR_SHOULD_WAIT;
    default:
      return ZX_ERR_INTERNAL;
  }
}

__END_CDECLS

#ifdef __cplusplus
#include <thread>

// The handle of a std::thread's native handle (a pthread_t here).
extern "C" zx_handle_t native_thread_get_zx_handle(std::thread::native_handle_type t);
#endif

#endif  // ZIRCON_THREADS_H_
