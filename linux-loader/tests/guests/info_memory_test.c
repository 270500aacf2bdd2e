// The memory and CPU topics of zx_object_get_info: ZX_INFO_TASK_STATS
// (and its v1), ZX_INFO_PROCESS_VMOS (all four versions),
// ZX_INFO_KMEM_STATS (and v1) and ZX_INFO_CPU_STATS, their rights and
// resource checks, and what they count.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

static zx_info_task_stats_t task_stats(void) {
  zx_info_task_stats_t s;
  memset(&s, 0, sizeof(s));
  EXPECT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_STATS, &s, sizeof(s), NULL, NULL));
  return s;
}

// Maps `pages` pages of `vmo` read-write and returns the address.
static uintptr_t map(zx_handle_t vmo, size_t pages) {
  uintptr_t addr = 0;
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        pages * PAGE, &addr));
  return addr;
}

TEST(InfoMemory, TaskStatsCountMappedPrivateAndShared) {
  zx_info_task_stats_t before = task_stats();
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(8 * PAGE, 0, &vmo));
  uintptr_t a = map(vmo, 8);
  for (int i = 0; i < 3; i++) ((volatile char*)a)[i * PAGE] = 1;
  zx_info_task_stats_t after = task_stats();
  EXPECT_EQ(after.mem_mapped_bytes - before.mem_mapped_bytes, 8 * PAGE);
  EXPECT_EQ(after.mem_private_bytes - before.mem_private_bytes, 3 * PAGE);
  EXPECT_EQ(after.mem_shared_bytes, before.mem_shared_bytes);
  // The same VMO mapped by another process: its pages become shared, each
  // counting half to us.
  zx_handle_t proc, vmar;
  ASSERT_OK(zx_process_create(zx_job_default(), "other", 5, 0, &proc, &vmar));
  uintptr_t b = 0;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 8 * PAGE, &b));
  zx_info_task_stats_t two = task_stats();
  EXPECT_EQ(two.mem_private_bytes, before.mem_private_bytes);
  EXPECT_EQ(two.mem_shared_bytes - before.mem_shared_bytes, 3 * PAGE);
  EXPECT_EQ(two.mem_scaled_shared_bytes - before.mem_scaled_shared_bytes, 3 * PAGE / 2);
  zx_info_task_stats_t theirs;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_TASK_STATS, &theirs, sizeof(theirs), NULL, NULL));
  EXPECT_EQ(theirs.mem_mapped_bytes, 8 * PAGE);
  EXPECT_EQ(theirs.mem_private_bytes, 0u);
  EXPECT_EQ(theirs.mem_shared_bytes, 3 * PAGE);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_vmar_unmap(zx_vmar_root_self(), a, 8 * PAGE);
  zx_handle_close(vmo);
}

TEST(InfoMemory, TaskStatsVersionsAndChecks) {
  zx_info_task_stats_v1_t v1;
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_STATS_V1, &v1, sizeof(v1), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(avail, 1u);
  EXPECT_GT(v1.mem_mapped_bytes, 0u);
  zx_info_task_stats_t s;
  EXPECT_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_STATS, &s, sizeof(v1), NULL, NULL),
            ZX_ERR_BUFFER_TOO_SMALL);
  // Processes only (a thread is the wrong type), with INSPECT.
  EXPECT_EQ(zx_object_get_info(zx_thread_self(), ZX_INFO_TASK_STATS, &s, sizeof(s), NULL, NULL),
            ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_TRANSFER, &weak));
  EXPECT_EQ(zx_object_get_info(weak, ZX_INFO_TASK_STATS, &s, sizeof(s), NULL, NULL), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
}

static int count_vmo(const zx_info_vmo_t* v, size_t n, zx_koid_t koid, uint32_t via, zx_rights_t* rights) {
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i].koid == koid && (v[i].flags & via)) {
      found++;
      if (rights) *rights = v[i].handle_rights;
    }
  }
  return found;
}

TEST(InfoMemory, ProcessVmosListsHandlesThenMappings) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, "listed", 6));
  uintptr_t a = map(vmo, 2);
  ((volatile char*)a)[0] = 1;
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  size_t actual = 0, avail = 0;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS, NULL, 0, &actual, &avail));
  EXPECT_EQ(actual, 0u);
  ASSERT_GE(avail, 2u);
  static zx_info_vmo_t v[256];
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS, v, sizeof(v), &actual, &avail));
  ASSERT_EQ(actual, avail < 256 ? avail : 256);
  zx_rights_t r = 0;
  EXPECT_EQ(count_vmo(v, actual, basic.koid, ZX_INFO_VMO_VIA_HANDLE, &r), 1);
  EXPECT_EQ(r, basic.rights);
  EXPECT_EQ(count_vmo(v, actual, basic.koid, ZX_INFO_VMO_VIA_MAPPING, &r), 1);
  EXPECT_EQ(r, 0u, "a mapping carries no rights");
  for (size_t i = 0; i < actual; i++) {
    if (v[i].koid != basic.koid) continue;
    EXPECT_STREQ(v[i].name, "listed");
    EXPECT_EQ(v[i].size_bytes, 2 * PAGE);
    EXPECT_EQ(v[i].committed_bytes, PAGE);
    EXPECT_EQ(v[i].num_mappings, 1u);
  }
  // A smaller buffer takes fewer, still OK; the older layouts are shorter.
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS, v, sizeof(v[0]), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  static uint8_t raw[128 * 4];
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS_V3, raw, sizeof(raw), &actual, NULL));
  EXPECT_EQ(actual, 4u);
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS_V1, raw, 104 * 3, &actual, NULL));
  EXPECT_EQ(actual, 3u);
  EXPECT_EQ(zx_object_get_info(zx_thread_self(), ZX_INFO_PROCESS_VMOS, v, sizeof(v), NULL, NULL),
            ZX_ERR_WRONG_TYPE);
  zx_vmar_unmap(zx_vmar_root_self(), a, 2 * PAGE);
  zx_handle_close(vmo);
}

static zx_handle_t info_resource(void) {
  static zx_handle_t h = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID) {
    zx_handle_t root = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
    EXPECT_OK(zx_resource_create(root, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, NULL, 0, &h));
    zx_handle_close(root);
  }
  return h;
}

TEST(InfoMemory, KmemStatsFromTheFramePool) {
  zx_handle_t rsrc = info_resource();
  zx_info_kmem_stats_t k;
  ASSERT_OK(zx_object_get_info(rsrc, ZX_INFO_KMEM_STATS, &k, sizeof(k), NULL, NULL));
  EXPECT_EQ(k.total_bytes, zx_system_get_physmem());
  EXPECT_EQ(k.free_bytes + k.vmo_bytes, k.total_bytes);
  // Committing a MiB shows.
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(1 << 20, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 1 << 20, NULL, 0));
  zx_info_kmem_stats_v1_t k1;
  ASSERT_OK(zx_object_get_info(rsrc, ZX_INFO_KMEM_STATS_V1, &k1, sizeof(k1), NULL, NULL));
  EXPECT_EQ(k1.total_bytes, k.total_bytes);
  EXPECT_GE(k1.vmo_bytes, k.vmo_bytes + (1 << 20));
  zx_handle_close(vmo);
  // Only the info resource (or the root) answers.
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_object_get_info(ev, ZX_INFO_KMEM_STATS, &k, sizeof(k), NULL, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_t sys = zx_take_startup_handle(PA_HND(PA_SYSTEM_RESOURCE, 0));
  if (sys != ZX_HANDLE_INVALID) {
    zx_handle_t vmex;
    ASSERT_OK(zx_resource_create(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1, NULL, 0, &vmex));
    EXPECT_EQ(zx_object_get_info(vmex, ZX_INFO_KMEM_STATS, &k, sizeof(k), NULL, NULL), ZX_ERR_OUT_OF_RANGE);
    zx_handle_close(vmex);
    zx_handle_close(sys);
  }
}

TEST(InfoMemory, CpuStatsOnePerCpu) {
  zx_handle_t rsrc = info_resource();
  uint32_t n = zx_system_get_num_cpus();
  size_t actual = 0, avail = 0;
  static zx_info_cpu_stats_t c[64];
  ASSERT_OK(zx_object_get_info(rsrc, ZX_INFO_CPU_STATS, c, sizeof(c), &actual, &avail));
  EXPECT_EQ(actual, n);
  EXPECT_EQ(avail, n);
  for (uint32_t i = 0; i < actual; i++) {
    EXPECT_EQ(c[i].cpu_number, i);
    EXPECT_EQ(c[i].flags & ZX_INFO_CPU_STATS_FLAG_ONLINE, ZX_INFO_CPU_STATS_FLAG_ONLINE);
    EXPECT_GT(c[i].idle_time + c[i].normalized_busy_time, 0);
  }
  ASSERT_OK(zx_object_get_info(rsrc, ZX_INFO_CPU_STATS, c, sizeof(c[0]), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(avail, n);
}
