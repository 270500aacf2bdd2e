// What the SDK's musl port layer (sdk/libc/src) shares between its files.
#ifndef ZX_SDK_LIBC_PORT_H_
#define ZX_SDK_LIBC_PORT_H_

#include <stdint.h>
#include <zircon/types.h>

// Where the calling thread stores 0 and wakes when it exits.
extern __thread volatile int* __zx_clear_tid;

// The calling thread's own handle (0 on the first thread: zx_thread_self()
// then answers from the processargs handle).
extern __thread zx_handle_t __zx_thread_handle;

// The name __clone gives the next thread it makes (NULL: "pthread").
extern __thread const char* __zx_next_thread_name;

// Sets the calling thread's FS base (its thread pointer).
zx_status_t __zx_port_set_fs(uintptr_t fs);

// Ends the calling thread: clears and wakes its exit word, closes its
// handle, exits; never touches the stack after the exit word is cleared.
_Noreturn void __zx_port_thread_exit(void);

#endif
