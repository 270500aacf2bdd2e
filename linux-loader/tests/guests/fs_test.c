// ZX_PROP_REGISTER_FS: a guest thread's own FS base (its thread pointer)
// survives syscalls and page faults the emulator resolves.
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

static uint64_t g_tls_block[4] = {0x1111222233334444ull, 0x5555666677778888ull, 0, 0};

static uint64_t fs_word(unsigned index) {
  uint64_t v;
  if (index == 0) {
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
  } else {
    __asm__ volatile("mov %%fs:8, %0" : "=r"(v));
  }
  return v;
}

TEST(RegisterFs, SurvivesSyscallsAndFaults) {
  uintptr_t fs = (uintptr_t)g_tls_block;
  ASSERT_OK(zx_object_set_property(zx_thread_self(), ZX_PROP_REGISTER_FS, &fs, sizeof(fs)));
  ASSERT_EQ(fs_word(0), 0x1111222233334444ull);
  // Syscalls run the emulator on the host's FS base and give ours back.
  for (int i = 0; i < 100; i++) ASSERT_OK(zx_handle_close(ZX_HANDLE_INVALID));
  ASSERT_EQ(fs_word(1), 0x5555666677778888ull);
  // A first touch of a lazily committed mapping faults into the emulator.
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(8u << 20, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 8u << 20, &addr));
  for (uintptr_t off = 0; off < (8u << 20); off += 1u << 20) *(volatile uint8_t*)(addr + off) = 1;
  ASSERT_EQ(fs_word(0), 0x1111222233334444ull);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 8u << 20));
  zx_handle_close(vmo);
}

static void set_other(uintptr_t thread_handle, uintptr_t unused) {
  (void)unused;
  (void)thread_handle;
  zx_thread_exit();
}

TEST(RegisterFs, Errors) {
  uintptr_t fs = (uintptr_t)g_tls_block;
  uint32_t small = 0;
  ASSERT_EQ(zx_object_set_property(zx_thread_self(), ZX_PROP_REGISTER_FS, &small, sizeof(small)),
            ZX_ERR_BUFFER_TOO_SMALL);
  uintptr_t bad = 0x800000000000ull;
  ASSERT_EQ(zx_object_set_property(zx_thread_self(), ZX_PROP_REGISTER_FS, &bad, sizeof(bad)), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_set_property(zx_process_self(), ZX_PROP_REGISTER_FS, &fs, sizeof(fs)), ZX_ERR_WRONG_TYPE);
  zx_handle_t t;
  ASSERT_OK(zx_thread_create(zx_process_self(), "other", 5, 0, &t));
  ASSERT_EQ(zx_object_set_property(t, ZX_PROP_REGISTER_FS, &fs, sizeof(fs)), ZX_ERR_ACCESS_DENIED);
  (void)set_other;
  zx_handle_close(t);
}
