// Threads of the SDK's musl port: the thread pointer and the end of a
// thread (Linux's CLONE_CHILD_CLEARTID: store 0 at the exit word and wake
// it, the last thing a thread does; musl's thread list lock and joins rely
// on it). Creation is in src/thread/x86_64/clone.c.
#include <stdint.h>
#include <threads.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "zx_port.h"

__thread zx_handle_t __zx_thread_handle;

// Set once the first thread has its thread pointer: until then TLS cannot
// be read (zx_thread_self() answers from processargs without it).
int __zx_tls_ready;

zx_status_t __zx_port_set_fs(uintptr_t fs) {
  zx_status_t s =
      zx_object_set_property(zx_thread_self(), ZX_PROP_REGISTER_FS, &fs, sizeof(fs));
  if (s == ZX_OK) __zx_tls_ready = 1;
  return s;
}

_Noreturn void __zx_port_thread_exit(void) {
  volatile int* exit_word = __zx_clear_tid;
  zx_handle_t self = __zx_thread_handle;  // 0 on the first thread: kept
  if (exit_word != NULL) {
    // A joiner may free this stack the moment the word is 0: the kernel
    // stores it, wakes, closes and exits in one call.
    zx_futex_wake_handle_close_thread_exit((const zx_futex_t*)exit_word, 1, 0,
                                           self ? self : ZX_HANDLE_INVALID);
  }
  if (self) zx_handle_close(self);
  zx_thread_exit();
}


// The name the next thread this thread creates gets (thrd_create_with_name
// sets it around its thrd_create; __clone reads it).
__thread const char* __zx_next_thread_name;

int thrd_create_with_name(thrd_t* thr, thrd_start_t func, void* arg, const char* name) {
  __zx_next_thread_name = name;
  int r = thrd_create(thr, func, arg);
  __zx_next_thread_name = NULL;
  return r;
}
