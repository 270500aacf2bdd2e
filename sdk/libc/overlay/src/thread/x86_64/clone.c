// musl's x86-64 thread primitives without a raw `syscall`: __clone (a
// Zircon thread on zx_thread_create/zx_thread_start), __set_thread_area
// and __unmapself. (The files __set_thread_area.c and __unmapself.c beside
// this one are empty: they stand in for musl's assembly of those names.)
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "../../zircon/zx_port.h"

// What a new thread needs before it can run C with TLS; placed on its own
// stack, below what musl put there.
struct thread_start {
  int (*fn)(void*);
  void* arg;
  uintptr_t tls;
  volatile int* exit_word;
  zx_handle_t handle;
};

static _Noreturn void thread_entry(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct thread_start* start = (struct thread_start*)arg1;
  uintptr_t tls = start->tls;
  if (zx_object_set_property(start->handle, ZX_PROP_REGISTER_FS, &tls, sizeof(tls)) != ZX_OK)
    __builtin_trap();
  __zx_thread_handle = start->handle;
  __zx_clear_tid = start->exit_word;
  start->fn(start->arg);
  // musl's thread functions end in SYS_exit; this is for completeness.
  __zx_port_thread_exit();
}

// Linux's clone flags musl passes (the rest are implied by Zircon threads).
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000

// musl: int __clone(int (*fn)(void*), void* stack, int flags, void* arg,
// pid_t* ptid, void* tls, pid_t* ctid). Returns the new thread's id (its
// koid) or -errno.
int __clone(int (*fn)(void*), void* stack, int flags, void* arg, int* ptid, void* tls,
            int* ctid) {
  zx_handle_t thread;
  const char* name = __zx_next_thread_name ? __zx_next_thread_name : "pthread";
  size_t name_len = 0;
  while (name[name_len] != '\0' && name_len < ZX_MAX_NAME_LEN - 1) name_len++;
  zx_status_t s = zx_thread_create(zx_process_self(), name, name_len, 0, &thread);
  if (s != ZX_OK) return s == ZX_ERR_NO_MEMORY ? -12 /* ENOMEM */ : -11 /* EAGAIN */;
  zx_info_handle_basic_t info;
  if (zx_object_get_info(thread, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK) {
    zx_handle_close(thread);
    return -11;
  }
  int tid = (int)info.koid;
  uintptr_t top = ((uintptr_t)stack - sizeof(struct thread_start)) & ~(uintptr_t)15;
  struct thread_start* start = (struct thread_start*)top;
  start->fn = fn;
  start->arg = arg;
  start->tls = (flags & CLONE_SETTLS) ? (uintptr_t)tls : 0;
  start->exit_word = (flags & CLONE_CHILD_CLEARTID) ? (volatile int*)ctid : NULL;
  start->handle = thread;
  if (flags & CLONE_PARENT_SETTID) *ptid = tid;
  if (flags & CLONE_SETTLS) {
    // The handle is in the new thread's TLS before it runs, so that
    // thrd_get_zx_handle() on it works as soon as creation returns: static
    // TLS puts the slot at the same offset from every thread pointer.
    uintptr_t self;
    __asm__("mov %%fs:0, %0" : "=r"(self));
    *(zx_handle_t*)((uintptr_t)tls + ((uintptr_t)&__zx_thread_handle - self)) = thread;
  }
  // As if a call had pushed a return address: the ABI's entry alignment.
  s = zx_thread_start(thread, (uintptr_t)thread_entry, top - 8, (uintptr_t)start, 0);
  if (s != ZX_OK) {
    zx_handle_close(thread);
    return -11;
  }
  return tid;
}

// musl: int __set_thread_area(void* tp).
int __set_thread_area(void* tp) {
  return __zx_port_set_fs((uintptr_t)tp) == ZX_OK ? 0 : -22 /* EINVAL */;
}

// musl: a detached thread frees its own stack and exits without touching
// it again.
_Noreturn void __unmapself(void* base, size_t size) {
  volatile int* exit_word = __zx_clear_tid;
  if (exit_word != NULL) {
    *exit_word = 0;
    zx_futex_wake((const zx_futex_t*)exit_word, 1);
  }
  zx_vmar_unmap_handle_close_thread_exit(zx_vmar_root_self(), (zx_vaddr_t)base, size,
                                         __zx_thread_handle);
  __builtin_trap();
}
