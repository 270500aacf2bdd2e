// Stress: Fuchsia's ConcurrentUnmapReadMemory with 64 threads, and 1,000
// child processes started, exited and reaped in a row; the process's own
// view (PROCESS_MAPS, thread list) is back where it started afterwards.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u
#define STACK (64u * 1024u)

static size_t maps_count(void) {
  size_t actual = 0, avail = 0;
  zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, NULL, 0, &actual, &avail);
  return avail;
}

static size_t thread_count(void) {
  size_t actual = 0, avail = 0;
  zx_koid_t koids[1];
  zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_THREADS, koids, 0, &actual, &avail);
  return avail;
}

static uintptr_t map_stack(zx_handle_t* vmo_out) {
  uintptr_t addr = 0;
  zx_vmo_create(STACK, 0, vmo_out);
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, *vmo_out, 0, STACK, &addr);
  return addr;
}

static volatile uintptr_t g_addrs[64];
static volatile uint32_t g_stop;
static volatile uint32_t g_bad;

// Maps, touches and unmaps a page in a loop, publishing where it is.
static void churner(uintptr_t index, uintptr_t unused) {
  (void)unused;
  zx_handle_t vmo;
  zx_vmo_create(PAGE, 0, &vmo);
  while (!__atomic_load_n(&g_stop, __ATOMIC_SEQ_CST)) {
    uintptr_t addr;
    if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &addr) != ZX_OK) {
      __atomic_fetch_add(&g_bad, 1, __ATOMIC_SEQ_CST);
      break;
    }
    g_addrs[index] = addr;
    *(volatile uint8_t*)addr = (uint8_t)index;
    g_addrs[index] = 0;
    if (zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE) != ZX_OK) __atomic_fetch_add(&g_bad, 1, __ATOMIC_SEQ_CST);
  }
  zx_handle_close(vmo);
  zx_thread_exit();
}

TEST(Stress, ConcurrentUnmapReadMemory) {
  enum { N = 64 };
  size_t maps0 = maps_count(), threads0 = thread_count();
  zx_handle_t t[N], stacks[N];
  uintptr_t stack_addr[N];
  g_stop = 0;
  g_bad = 0;
  for (int i = 0; i < N; i++) {
    stack_addr[i] = map_stack(&stacks[i]);
    ASSERT_OK(zx_thread_create(zx_process_self(), "churn", 5, 0, &t[i]));
    ASSERT_OK(zx_thread_start(t[i], (uintptr_t)churner, stack_addr[i] + STACK - 8, (uintptr_t)i, 0));
  }
  // Read whatever the churners have mapped right now, for a bounded time.
  zx_instant_mono_t end = zx_deadline_after(ZX_MSEC(500));
  long reads = 0;
  while (zx_clock_get_monotonic() < end) {
    for (int i = 0; i < N; i++) {
      uintptr_t addr = g_addrs[i];
      if (!addr) continue;
      uint8_t b;
      size_t actual;
      zx_status_t s = zx_process_read_memory(zx_process_self(), addr, &b, 1, &actual);
      ASSERT_TRUE(s == ZX_OK || s == ZX_ERR_NOT_FOUND, "status %d", s);
      reads++;
    }
  }
  g_stop = 1;
  for (int i = 0; i < N; i++) {
    ASSERT_OK(zx_object_wait_one(t[i], ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(30)), NULL));
    zx_handle_close(t[i]);
    zx_vmar_unmap(zx_vmar_root_self(), stack_addr[i], STACK);
    zx_handle_close(stacks[i]);
  }
  ASSERT_EQ(g_bad, 0u);
  ASSERT_GT(reads, 0);
  ASSERT_EQ(maps_count(), maps0, "every mapping went away");
  ASSERT_EQ(thread_count(), threads0, "every thread went away");
}

TEST(Stress, ThousandProcesses) {
  zx_handle_t vdso = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  ASSERT_NE(vdso, ZX_HANDLE_INVALID);
  uint64_t vdso_size;
  ASSERT_OK(zx_vmo_get_size(vdso, &vdso_size));
  uintptr_t my_vdso;
  ASSERT_OK(zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &my_vdso, sizeof(my_vdso)));
  zx_handle_t code_vmo, stack_vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &code_vmo));
  ASSERT_OK(zx_vmo_replace_as_executable(code_vmo, ZX_HANDLE_INVALID, &code_vmo));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &stack_vmo));
  size_t maps0 = maps_count();
  for (int i = 0; i < 1000; i++) {
    zx_handle_t proc, vmar, thread;
    uintptr_t child_vdso, code, st;
    ASSERT_OK(zx_process_create(zx_job_default(), "child", 5, 0, &proc, &vmar));
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vdso, 0, vdso_size, &child_vdso));
    // mov edi, i % 256; movabs rax, zx_process_exit; call rax
    uint8_t prog[20] = {0xbf, (uint8_t)(i % 256), 0, 0, 0, 0x48, 0xb8};
    uintptr_t exit_fn = child_vdso + ((uintptr_t)zx_process_exit - my_vdso);
    memcpy(prog + 7, &exit_fn, 8);
    prog[15] = 0xff;
    prog[16] = 0xd0;
    ASSERT_OK(zx_vmo_write(code_vmo, prog, 0, sizeof(prog)));
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, PAGE, &code));
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, PAGE, &st));
    ASSERT_OK(zx_thread_create(proc, "main", 4, 0, &thread));
    ASSERT_OK(zx_process_start(proc, thread, code, st + PAGE, ZX_HANDLE_INVALID, 0));
    ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(30)), NULL));
    zx_info_process_t info;
    ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
    ASSERT_EQ(info.return_code, (int64_t)(i % 256));
    ASSERT_OK(zx_handle_close(thread));
    ASSERT_OK(zx_handle_close(vmar));
    ASSERT_OK(zx_handle_close(proc));
    ASSERT_EQ(zx_handle_close(proc), ZX_ERR_BAD_HANDLE);
  }
  ASSERT_EQ(maps_count(), maps0);
  zx_info_vmo_t vi;
  ASSERT_OK(zx_object_get_info(code_vmo, ZX_INFO_VMO, &vi, sizeof(vi), NULL, NULL));
  ASSERT_EQ(vi.num_mappings, 0u, "every child's mapping of the code went with it");
  zx_handle_close(code_vmo);
  zx_handle_close(stack_vmo);
  zx_handle_close(vdso);
}
