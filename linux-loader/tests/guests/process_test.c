// zx_process_start: a parent builds a child process by hand (its code, a
// stack and the vDSO mapped into the child's root VMAR), hands it a channel
// end, starts it and collects its return code.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

// Child code: write one byte to the channel it got in rdi, then exit with
// code 42. Patched with the child's addresses of the two vDSO functions.
static void build_child_code(uint8_t* code, uintptr_t write_fn, uintptr_t exit_fn, uintptr_t byte_addr) {
  size_t n = 0;
  // mov r12d, edi            (keep the handle)
  code[n++] = 0x41; code[n++] = 0x89; code[n++] = 0xfc;
  // zx_channel_write(h, 0, byte_addr, 1, NULL, 0)
  code[n++] = 0x44; code[n++] = 0x89; code[n++] = 0xe7;            // mov edi, r12d
  code[n++] = 0x31; code[n++] = 0xf6;                              // xor esi, esi
  code[n++] = 0x48; code[n++] = 0xba;                              // movabs rdx, byte_addr
  memcpy(&code[n], &byte_addr, 8); n += 8;
  code[n++] = 0xb9; code[n++] = 1; code[n++] = 0; code[n++] = 0; code[n++] = 0;  // mov ecx, 1
  code[n++] = 0x45; code[n++] = 0x31; code[n++] = 0xc0;            // xor r8d, r8d
  code[n++] = 0x45; code[n++] = 0x31; code[n++] = 0xc9;            // xor r9d, r9d
  code[n++] = 0x48; code[n++] = 0xb8;                              // movabs rax, write_fn
  memcpy(&code[n], &write_fn, 8); n += 8;
  code[n++] = 0xff; code[n++] = 0xd0;                              // call rax
  // zx_process_exit(42)
  code[n++] = 0xbf; code[n++] = 42; code[n++] = 0; code[n++] = 0; code[n++] = 0;  // mov edi, 42
  code[n++] = 0x48; code[n++] = 0xb8;                              // movabs rax, exit_fn
  memcpy(&code[n], &exit_fn, 8); n += 8;
  code[n++] = 0xff; code[n++] = 0xd0;                              // call rax
  code[n++] = 0x0f; code[n++] = 0x0b;                              // ud2
}

TEST(Process, StartChildAndCollectReturnCode) {
  zx_handle_t vdso = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  ASSERT_NE(vdso, ZX_HANDLE_INVALID);
  uint64_t vdso_size;
  ASSERT_OK(zx_vmo_get_size(vdso, &vdso_size));
  uintptr_t my_vdso;
  ASSERT_OK(zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &my_vdso, sizeof(my_vdso)));

  zx_handle_t proc, vmar;
  ASSERT_OK(zx_process_create(zx_job_default(), "child", 5, 0, &proc, &vmar));
  uintptr_t child_vdso;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vdso, 0, vdso_size, &child_vdso));

  zx_handle_t code_vmo, stack_vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &code_vmo));
  ASSERT_OK(zx_vmo_replace_as_executable(code_vmo, ZX_HANDLE_INVALID, &code_vmo));
  uintptr_t code_addr, stack_addr;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, PAGE, &code_addr));
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, 4 * PAGE, &stack_addr));
  uint8_t code[128] = {0};
  uintptr_t byte_addr = code_addr + 120;
  build_child_code(code, child_vdso + ((uintptr_t)zx_channel_write - my_vdso),
                   child_vdso + ((uintptr_t)zx_process_exit - my_vdso), byte_addr);
  code[120] = 'K';
  ASSERT_OK(zx_vmo_write(code_vmo, code, 0, sizeof(code)));

  zx_handle_t ours, theirs, thread;
  ASSERT_OK(zx_channel_create(0, &ours, &theirs));
  ASSERT_OK(zx_thread_create(proc, "main", 4, 0, &thread));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.flags, 0u);
  ASSERT_OK(zx_process_start(proc, thread, code_addr, stack_addr + 4 * PAGE, theirs, 0));
  // The channel end moved into the child.
  ASSERT_EQ(zx_handle_close(theirs), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.return_code, 42);
  ASSERT_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  char got = 0;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(ours, 0, &got, NULL, 1, 0, &nb, &nh));
  ASSERT_EQ(got, 'K');
  // Its thread is gone too, and a second start is refused.
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, 0, NULL));
  zx_handle_t t2;
  ASSERT_EQ(zx_thread_create(proc, "late", 4, 0, &t2), ZX_ERR_BAD_STATE);
  zx_handle_close(thread);
  zx_handle_close(ours);
  zx_handle_close(code_vmo);
  zx_handle_close(stack_vmo);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_handle_close(vdso);
}

TEST(Process, StartErrors) {
  zx_handle_t proc, vmar, thread, other, ovmar, othread;
  ASSERT_OK(zx_process_create(zx_job_default(), "a", 1, 0, &proc, &vmar));
  ASSERT_OK(zx_process_create(zx_job_default(), "b", 1, 0, &other, &ovmar));
  ASSERT_OK(zx_thread_create(proc, "t", 1, 0, &thread));
  ASSERT_OK(zx_thread_create(other, "t", 1, 0, &othread));
  zx_info_vmar_t vi;
  ASSERT_OK(zx_object_get_info(vmar, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL));
  // A thread of another process.
  ASSERT_EQ(zx_process_start(proc, othread, vi.base + PAGE, vi.base + 2 * PAGE, ZX_HANDLE_INVALID, 0),
            ZX_ERR_ACCESS_DENIED);
  // An entry in the kernel half (any user-half address is accepted and
  // faults later, as on Zircon).
  ASSERT_EQ(zx_process_start(proc, thread, 0xffff800000001000u, vi.base + 2 * PAGE, ZX_HANDLE_INVALID, 0),
            ZX_ERR_INVALID_ARGS);
  // Wrong types, bad handles.
  ASSERT_EQ(zx_process_start(thread, thread, vi.base, vi.base, ZX_HANDLE_INVALID, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_process_start(0x7fffff03u, thread, vi.base, vi.base, ZX_HANDLE_INVALID, 0), ZX_ERR_BAD_HANDLE);
  // The argument handle is consumed even when the start fails.
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_process_start(proc, othread, vi.base, vi.base, ev, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE);
  zx_handle_close(thread);
  zx_handle_close(othread);
  zx_handle_close(vmar);
  zx_handle_close(ovmar);
  zx_handle_close(proc);
  zx_handle_close(other);
}

TEST(Process, KillSpinningChild) {
  zx_handle_t proc, vmar, thread, code_vmo, stack_vmo;
  ASSERT_OK(zx_process_create(zx_job_default(), "spinner", 7, 0, &proc, &vmar));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &code_vmo));
  ASSERT_OK(zx_vmo_replace_as_executable(code_vmo, ZX_HANDLE_INVALID, &code_vmo));
  const uint8_t spin[2] = {0xeb, 0xfe};  // jmp .
  ASSERT_OK(zx_vmo_write(code_vmo, spin, 0, sizeof(spin)));
  uintptr_t code, stack;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, PAGE, &code));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, PAGE, &stack));
  ASSERT_OK(zx_thread_create(proc, "spin", 4, 0, &thread));
  ASSERT_OK(zx_process_start(proc, thread, code, stack + PAGE, ZX_HANDLE_INVALID, 0));
  ASSERT_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_MSEC(5)), NULL), ZX_ERR_TIMED_OUT);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(proc, ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT, &weak));
  ASSERT_EQ(zx_task_kill(weak), ZX_ERR_ACCESS_DENIED);
  // DESTROY is checked before the type: a VMO has none.
  ASSERT_EQ(zx_task_kill(code_vmo), ZX_ERR_ACCESS_DENIED);
  // A thread has DESTROY, but killing a thread is not supported (Zircon):
  // it spins on.
  ASSERT_EQ(zx_task_kill(thread), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_MSEC(5)), NULL),
            ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_task_kill(proc));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  ASSERT_OK(zx_object_wait_one(thread, ZX_THREAD_TERMINATED, 0, NULL));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(weak);
  zx_handle_close(thread);
  zx_handle_close(code_vmo);
  zx_handle_close(stack_vmo);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}
