// Guest-test helper: child processes that run a few hand-assembled
// instructions calling the vDSO.
//
// zx_task_kill ends jobs and processes only, as on Zircon ("Killing a thread
// is not supported"), and a thread dies with its process. So a test that
// needs a thread ended while it waits, faults or spins puts that thread in a
// child process of its own and kills the child; the child's return code then
// says whether the thread ever came back from its call
// (ZX_TASK_RETCODE_SYSCALL_KILL if it did not).
//
// The child gets no ELF program: a stack (mini_process_load_stack), the
// vDSO (mini_process_load_vdso, which shares the program's one PA_VMO_VDSO
// handle with the mini-process library) and one executable page holding the
// code. vDSO calls are made at the child's address of the same function
// (its offset in our own vDSO plus the child's vDSO base).
#ifndef LINUX_LOADER_TESTS_GUESTS_CHILD_TASK_H_
#define LINUX_LOADER_TESTS_GUESTS_CHILD_TASK_H_

#include <mini-process/mini-process.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

typedef struct {
  zx_handle_t process, vmar, thread;
  uintptr_t vdso;  // where the child's vDSO lies
} child_t;

// Machine code being put together; `overflow` is set if it did not fit.
typedef struct {
  uint8_t bytes[256];
  size_t n;
  bool overflow;
} child_code_t;

static inline void child_emit(child_code_t* c, const void* bytes, size_t n) {
  if (c->n + n > sizeof(c->bytes)) {
    c->overflow = true;
    return;
  }
  memcpy(c->bytes + c->n, bytes, n);
  c->n += n;
}

// Emits `movabs rax, fn; call rax`.
static inline void child_emit_call(child_code_t* c, uintptr_t fn) {
  static const uint8_t movabs_rax[2] = {0x48, 0xb8}, call_rax[2] = {0xff, 0xd0};
  child_emit(c, movabs_rax, sizeof(movabs_rax));
  child_emit(c, &fn, sizeof(fn));
  child_emit(c, call_rax, sizeof(call_rax));
}

// Emits `sub rsp, 8`: the entry's stack is as a call left it (8 below a
// 16-byte boundary), so this makes each later call's frame aligned.
static inline void child_emit_prologue(child_code_t* c) {
  static const uint8_t sub_rsp_8[4] = {0x48, 0x83, 0xec, 0x08};
  child_emit(c, sub_rsp_8, sizeof(sub_rsp_8));
}

// Creates process `name` in `job` with a thread "main" and maps the vDSO
// into it; nothing runs yet.
static inline zx_status_t child_create(zx_handle_t job, const char* name, child_t* ch) {
  memset(ch, 0, sizeof(*ch));
  zx_status_t s = zx_process_create(job, name, strlen(name), 0, &ch->process, &ch->vmar);
  if (s == ZX_OK) s = zx_thread_create(ch->process, "main", 4, 0, &ch->thread);
  if (s == ZX_OK) s = mini_process_load_vdso(ch->process, ch->vmar, &ch->vdso, NULL);
  return s;
}

// The child's address of the vDSO function `ours` (e.g. zx_process_exit).
static inline uintptr_t child_vdso_fn(const child_t* ch, uintptr_t ours) {
  uintptr_t my_vdso = 0;
  zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &my_vdso, sizeof(my_vdso));
  return ch->vdso + (ours - my_vdso);
}

// Maps `code` executable into the child and starts its thread there with
// `arg1` (a handle, moved into the child; consumed in every case) in rdi and
// `arg2` in rsi.
static inline zx_status_t child_start(child_t* ch, const child_code_t* code, zx_handle_t arg1, uintptr_t arg2) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  uintptr_t at = 0, stack_base = 0, sp = 0;
  zx_status_t s = code->overflow ? ZX_ERR_OUT_OF_RANGE : zx_vmo_create(zx_system_get_page_size(), 0, &vmo);
  if (s == ZX_OK) s = zx_vmo_write(vmo, code->bytes, 0, code->n);
  if (s == ZX_OK) s = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
  if (s == ZX_OK)
    s = zx_vmar_map(ch->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vmo, 0, zx_system_get_page_size(), &at);
  if (vmo != ZX_HANDLE_INVALID) zx_handle_close(vmo);  // the mapping keeps it
  if (s == ZX_OK) s = mini_process_load_stack(ch->vmar, false, &stack_base, &sp);
  if (s != ZX_OK) {
    if (arg1 != ZX_HANDLE_INVALID) zx_handle_close(arg1);
    return s;
  }
  return zx_process_start(ch->process, ch->thread, at, sp, arg1, arg2);
}

// A child in `job` whose thread calls
// zx_object_wait_one(handle, signals, ZX_TIME_INFINITE, NULL) and then
// zx_process_exit(the wait's status). `handle` moves into the child (a
// duplicate, if the caller still needs it).
static inline zx_status_t child_start_waiter(zx_handle_t job, zx_handle_t handle, zx_signals_t signals,
                                             child_t* ch) {
  zx_status_t s = child_create(job, "waiter", ch);
  if (s != ZX_OK) {
    zx_handle_close(handle);
    return s;
  }
  child_code_t c = {0};
  child_emit_prologue(&c);
  // rdi = handle, esi = signals already; rdx = ZX_TIME_INFINITE, rcx = NULL.
  static const uint8_t movabs_rdx[2] = {0x48, 0xba}, xor_ecx[2] = {0x31, 0xc9};
  const uint64_t infinite = (uint64_t)ZX_TIME_INFINITE;
  child_emit(&c, movabs_rdx, sizeof(movabs_rdx));
  child_emit(&c, &infinite, sizeof(infinite));
  child_emit(&c, xor_ecx, sizeof(xor_ecx));
  child_emit_call(&c, child_vdso_fn(ch, (uintptr_t)zx_object_wait_one));
  static const uint8_t movsxd_rdi_eax[3] = {0x48, 0x63, 0xf8}, ud2[2] = {0x0f, 0x0b};
  child_emit(&c, movsxd_rdi_eax, sizeof(movsxd_rdi_eax));
  child_emit_call(&c, child_vdso_fn(ch, (uintptr_t)zx_process_exit));
  child_emit(&c, ud2, sizeof(ud2));
  return child_start(ch, &c, handle, signals);
}

// The child's thread's ZX_INFO_THREAD state (0xffffffff if unreadable).
static inline uint32_t child_thread_state(const child_t* ch) {
  zx_info_thread_t info;
  if (zx_object_get_info(ch->thread, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return 0xffffffffu;
  return info.state;
}

// Kills the child and waits until it has terminated.
static inline zx_status_t child_kill(const child_t* ch) {
  zx_status_t s = zx_task_kill(ch->process);
  if (s == ZX_OK) s = zx_object_wait_one(ch->process, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL);
  return s;
}

// The child's return code (or a status if it cannot be read).
static inline int64_t child_return_code(const child_t* ch) {
  zx_info_process_t info;
  zx_status_t s = zx_object_get_info(ch->process, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  return s == ZX_OK ? info.return_code : s;
}

static inline void child_close(child_t* ch) {
  zx_handle_close(ch->thread);
  zx_handle_close(ch->vmar);
  zx_handle_close(ch->process);
  memset(ch, 0, sizeof(*ch));
}

#endif  // LINUX_LOADER_TESTS_GUESTS_CHILD_TASK_H_
