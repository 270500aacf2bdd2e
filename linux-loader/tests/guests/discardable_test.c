// Discardable VMOs and their reclamation, end to end: the lock states,
// what a discarded VMO answers (reads, writes, commits and faults through
// a mapping fail with NOT_FOUND until it is locked again, which reports it
// discarded and zero-filled), the ZX_INFO_KMEM_STATS discardable counts,
// the eviction hints, and zx_debug_send_command, which forces reclamation
// as Fuchsia's tests do ("scanner reclaim_all").
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u
#define STACK_SIZE (16u * 1024u)

// The root resource is a startup handle, taken once.
static zx_handle_t root_rsrc(void) {
  static zx_handle_t h = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID) h = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  return h;
}

static zx_status_t send(zx_handle_t rsrc, const char* cmd) {
  return zx_debug_send_command(rsrc, cmd, strlen(cmd));
}

static zx_status_t reclaim_all(void) { return send(root_rsrc(), "scanner reclaim_all"); }

static zx_vmo_lock_state_t lock(zx_handle_t vmo, uint64_t size) {
  zx_vmo_lock_state_t st;
  memset(&st, 0xff, sizeof(st));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, size, &st, sizeof(st)));
  return st;
}

static zx_status_t unlock(zx_handle_t vmo, uint64_t size) {
  return zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, size, NULL, 0);
}

static uint64_t committed(zx_handle_t vmo) {
  zx_info_vmo_t info;
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  return info.committed_bytes;
}

static zx_info_kmem_stats_t kmem(void) {
  zx_info_kmem_stats_t st;
  memset(&st, 0, sizeof(st));
  EXPECT_OK(zx_object_get_info(root_rsrc(), ZX_INFO_KMEM_STATS, &st, sizeof(st), NULL, NULL));
  return st;
}

TEST(DebugSendCommand, ChecksResourceLengthAndBuffer) {
  const char* cmd = "scanner reclaim_all";
  EXPECT_EQ(zx_debug_send_command(ZX_HANDLE_INVALID, cmd, strlen(cmd)), ZX_ERR_BAD_HANDLE);
  zx_handle_t event;
  ASSERT_OK(zx_event_create(0, &event));
  EXPECT_EQ(zx_debug_send_command(event, cmd, strlen(cmd)), ZX_ERR_WRONG_TYPE);
  zx_handle_close(event);
  // A system resource must cover ZX_RSRC_SYSTEM_DEBUG_BASE.
  zx_handle_t vmex, debug;
  ASSERT_OK(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1, NULL, 0, &vmex));
  EXPECT_EQ(zx_debug_send_command(vmex, cmd, strlen(cmd)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUG_BASE, 1, NULL, 0, &debug));
  // No rights are needed on it.
  zx_handle_t bare;
  ASSERT_OK(zx_handle_duplicate(debug, 0, &bare));
  EXPECT_OK(zx_debug_send_command(bare, cmd, strlen(cmd)));
  // At most 256 bytes, from readable memory.
  char big[257];
  memset(big, ' ', sizeof(big));
  memcpy(big, cmd, strlen(cmd));
  EXPECT_EQ(zx_debug_send_command(debug, big, sizeof(big)), ZX_ERR_INVALID_ARGS);
  EXPECT_OK(zx_debug_send_command(debug, big, sizeof(big) - 1));
  EXPECT_EQ(zx_debug_send_command(debug, (const char*)8, 4), ZX_ERR_INVALID_ARGS);
  // The kernel shell's statuses: an unknown command (there is no "k"
  // prefix in the kernel) and a bare "scanner" fail; the last command of a
  // script decides.
  EXPECT_EQ(send(debug, "k scanner reclaim_all"), ZX_ERR_INTERNAL);
  EXPECT_EQ(send(debug, "scanner"), ZX_ERR_INTERNAL);
  EXPECT_OK(send(debug, "bogus\nscanner rotate_queue"));
  EXPECT_EQ(send(debug, "scanner rotate_queue\nbogus"), ZX_ERR_INTERNAL);
  zx_handle_close(bare);
  zx_handle_close(debug);
  zx_handle_close(vmex);
}

TEST(Discardable, OnlyReclaimableVmosWithPagesAreDiscarded) {
  const uint64_t size = 3 * PAGE;
  const uint32_t v = 0xabcd;
  uint32_t back = 0;
  zx_handle_t never, locked, empty;
  // Never locked: not a candidate.
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &never));
  ASSERT_OK(zx_vmo_write(never, &v, 0, sizeof(v)));
  // Locked: kept.
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &locked));
  lock(locked, size);
  ASSERT_OK(zx_vmo_write(locked, &v, PAGE, sizeof(v)));
  // Unlocked but without pages: nothing to discard.
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &empty));
  lock(empty, size);
  ASSERT_OK(unlock(empty, size));
  ASSERT_OK(reclaim_all());
  ASSERT_OK(zx_vmo_read(never, &back, 0, sizeof(back)));
  EXPECT_EQ(back, v);
  ASSERT_OK(zx_vmo_read(locked, &back, PAGE, sizeof(back)));
  EXPECT_EQ(back, v);
  EXPECT_OK(zx_vmo_op_range(empty, ZX_VMO_OP_TRY_LOCK, 0, size, NULL, 0));
  EXPECT_OK(unlock(empty, size));
  EXPECT_OK(unlock(locked, size));
  zx_handle_close(never);
  zx_handle_close(locked);
  zx_handle_close(empty);
}

TEST(Discardable, DiscardedVmoFailsAccessUntilLocked) {
  const uint64_t size = 4 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  zx_vmo_lock_state_t st = lock(vmo, size);
  EXPECT_EQ(st.discarded_size, 0u);
  uint8_t buf[4 * PAGE];
  memset(buf, 0x5a, sizeof(buf));
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof(buf)));
  EXPECT_EQ(committed(vmo), size);
  ASSERT_OK(unlock(vmo, size));
  ASSERT_OK(reclaim_all());

  // Gone: no pages, and every access fails (a zero-length one succeeds).
  EXPECT_EQ(committed(vmo), 0u);
  EXPECT_EQ(zx_vmo_read(vmo, buf, 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(zx_vmo_write(vmo, buf, PAGE, 16), ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, 0));
  EXPECT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0), ZX_ERR_NOT_FOUND);
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  // TRY_LOCK refuses and leaves it discarded; a second reclaim is harmless.
  EXPECT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, size, NULL, 0), ZX_ERR_UNAVAILABLE);
  EXPECT_EQ(unlock(vmo, size), ZX_ERR_BAD_STATE);
  ASSERT_OK(reclaim_all());
  EXPECT_EQ(zx_vmo_read(vmo, buf, 0, 16), ZX_ERR_NOT_FOUND);

  // LOCK reports the whole VMO discarded; it reads zeros and works again.
  st = lock(vmo, size);
  EXPECT_EQ(st.offset, 0u);
  EXPECT_EQ(st.size, size);
  EXPECT_EQ(st.discarded_offset, 0u);
  EXPECT_EQ(st.discarded_size, size);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof(buf)));
  for (size_t i = 0; i < sizeof(buf); i++) ASSERT_EQ(buf[i], 0u);
  ASSERT_OK(zx_vmo_write(vmo, "x", 0, 1));
  // Locked again, a second lock reports nothing discarded.
  st = lock(vmo, size);
  EXPECT_EQ(st.discarded_size, 0u);
  ASSERT_OK(unlock(vmo, size));
  ASSERT_OK(unlock(vmo, size));
  zx_handle_close(vmo);
}

// --- a fault through a mapping of a discarded VMO ------------------------

static uint8_t g_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile uint8_t g_loaded;

static void load(uintptr_t addr, uintptr_t unused) {
  (void)unused;
  g_loaded = *(volatile uint8_t*)addr;
  zx_thread_exit();
}

static void landing(void) { zx_thread_exit(); }

TEST(Discardable, FaultOnDiscardedMappingIsFatalNotFound) {
  const uint64_t size = 2 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  uintptr_t addr = 0;
  // Discardable VMOs map only with ZX_VM_ALLOW_FAULTS.
  EXPECT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &addr),
            ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_ALLOW_FAULTS, 0, vmo, 0,
                        size, &addr));
  lock(vmo, size);
  *(volatile uint8_t*)(addr + PAGE) = 7;
  ASSERT_OK(unlock(vmo, size));
  ASSERT_OK(reclaim_all());

  zx_handle_t t, ch;
  ASSERT_OK(zx_thread_create(zx_process_self(), "loader", 6, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)load, (uintptr_t)g_stack + STACK_SIZE - 8, addr + PAGE, 0));
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb = 0, nh = 0;
  ASSERT_OK(zx_channel_read(ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  zx_exception_report_t report;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL));
  EXPECT_EQ((zx_status_t)report.context.synth_code, ZX_ERR_NOT_FOUND);
  EXPECT_EQ(report.context.arch.u.x86_64.cr2, addr + PAGE);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  regs.rip = (uintptr_t)landing;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(ch);
  zx_handle_close(t);

  // Locked again, the mapping shows zeros.
  lock(vmo, size);
  EXPECT_EQ(*(volatile uint8_t*)(addr + PAGE), 0u);
  ASSERT_OK(unlock(vmo, size));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, size));
  zx_handle_close(vmo);
}

TEST(Discardable, KmemStatsCountLockedAndUnlockedBytes) {
  const uint64_t size = 8 * PAGE;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(size, ZX_VMO_DISCARDABLE, &vmo));
  zx_info_kmem_stats_t before = kmem();
  lock(vmo, size);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, size, NULL, 0));
  zx_info_kmem_stats_t held = kmem();
  EXPECT_GE(held.vmo_discardable_locked_bytes, before.vmo_discardable_locked_bytes + size);
  ASSERT_OK(unlock(vmo, size));
  zx_info_kmem_stats_t loose = kmem();
  EXPECT_GE(loose.vmo_discardable_unlocked_bytes, before.vmo_discardable_unlocked_bytes + size);
  EXPECT_LE(loose.vmo_discardable_locked_bytes + size, held.vmo_discardable_locked_bytes);
  ASSERT_OK(reclaim_all());
  zx_info_kmem_stats_t after = kmem();
  EXPECT_LE(after.vmo_discardable_unlocked_bytes + size, loose.vmo_discardable_unlocked_bytes);
  zx_handle_close(vmo);
}

TEST(Discardable, EvictionHintsAreNoOpsOnAnonymousVmos) {
  zx_handle_t vmo, none;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_handle_duplicate(vmo, 0, &none));
  // No rights needed, and the range is not even looked at.
  EXPECT_OK(zx_vmo_op_range(none, ZX_VMO_OP_DONT_NEED, 0, PAGE, NULL, 0));
  EXPECT_OK(zx_vmo_op_range(none, ZX_VMO_OP_ALWAYS_NEED, 0, PAGE, NULL, 0));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DONT_NEED, 0, 16 * PAGE, NULL, 0));
  EXPECT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_ALWAYS_NEED, 5 * PAGE, PAGE, NULL, 0));
  zx_handle_close(none);
  zx_handle_close(vmo);
}
