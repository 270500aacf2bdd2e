// Ports of Fuchsia's zircon/system/utest/core/vmar/vmar.cc cases that the
// supported syscalls can express. Each test keeps Fuchsia's name; the
// expectations are the ones listed in docs/zircon-semantics.md.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())

static const char kProcessName[] = "test-proc-vmar";

static void make_process(zx_handle_t* process, zx_handle_t* vmar) {
  ASSERT_OK(zx_process_create(zx_job_default(), kProcessName, sizeof(kProcessName) - 1, 0,
                              process, vmar));
}

// Checks, one byte per page through zx_process_read_memory, that page i of
// [base, base + n pages) is mapped iff bit i of `bitmap` is set (Fuchsia's
// convention: 0b0011 means the first two pages are mapped).
static int check_pages_mapped(zx_handle_t process, uintptr_t base, uint64_t bitmap, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t b;
    size_t actual;
    zx_status_t want = (bitmap >> i) & 1 ? ZX_OK : ZX_ERR_NOT_FOUND;
    zx_status_t got = zx_process_read_memory(process, base + i * PAGE, &b, 1, &actual);
    if (got != want) {
      printf("page %zu: got %d want %d\n", i, got, want);
      return 0;
    }
  }
  return 1;
}

TEST(Vmar, DestroyTest) {
  zx_handle_t process, vmar, region, dup;
  uintptr_t addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 1024 * PAGE,
                             &region, &addr));
  ASSERT_OK(zx_handle_duplicate(region, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN, &dup));
  ASSERT_EQ(zx_vmar_destroy(dup), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_handle_close(dup));
  ASSERT_OK(zx_vmar_destroy(region));
  zx_handle_t region2;
  ASSERT_EQ(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ, 0, 10 * PAGE, &region2, &addr),
            ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_handle_close(region));
  ASSERT_OK(zx_handle_close(vmar));
  ASSERT_OK(zx_handle_close(process));
}

TEST(Vmar, BasicAllocateTest) {
  zx_handle_t process, vmar, r1, r2;
  uintptr_t a1, a2;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 10 * PAGE, &r1, &a1));
  ASSERT_OK(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &r2, &a2));
  ASSERT_GE(a2, a1);
  ASSERT_LE(a2 + PAGE, a1 + 10 * PAGE);
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(r1, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.rights, (zx_rights_t)(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE));
  ASSERT_EQ(info.type, (zx_obj_type_t)ZX_OBJ_TYPE_VMAR);
  ASSERT_OK(zx_object_get_info(vmar, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.rights, (zx_rights_t)0x20801F);
  zx_handle_close(r2);
  zx_handle_close(r1);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, MapInCompactTest) {
  zx_handle_t process, vmar, region, vmo;
  uintptr_t region_addr, addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_COMPACT, 0,
                             10 * PAGE, &region, &region_addr));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  for (int i = 0; i < 2; i++) {
    ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
    ASSERT_GE(addr, region_addr);
    ASSERT_LE(addr + PAGE, region_addr + 10 * PAGE);
  }
  zx_handle_close(vmo);
  zx_handle_close(region);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, MapInUpperLimitTest) {
  zx_handle_t process, vmar, region, vmo;
  uintptr_t region_addr, addr;
  const size_t size = 100 * PAGE;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, size, &region, &region_addr));
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  const zx_vm_option_t o = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT;
  ASSERT_EQ(zx_vmar_map(region, o, size + PAGE, vmo, 0, PAGE, &addr), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(region, o, PAGE, vmo, 0, 2 * PAGE, &addr), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(region, o, PAGE, vmo, 0, size + PAGE, &addr), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(region, o, size, vmo, 0, size, &addr));
  ASSERT_EQ(addr, region_addr);
  ASSERT_OK(zx_vmar_unmap(region, addr, size));
  for (int i = 0; i < 50; i++) {
    ASSERT_OK(zx_vmar_map(region, o, 50 * PAGE, vmo, 0, PAGE, &addr));
    ASSERT_LE(addr + PAGE, region_addr + 50 * PAGE);
  }
  ASSERT_EQ(zx_vmar_map(region, o, 50 * PAGE, vmo, 0, PAGE, &addr), ZX_ERR_NO_RESOURCES);
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  zx_handle_close(vmo);
  zx_handle_close(region);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, AllocateOobTest) {
  zx_handle_t process, vmar, r1, r2;
  uintptr_t a1, a2;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 10 * PAGE, &r1, &a1));
  ASSERT_EQ(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, 10 * PAGE, PAGE, &r2, &a2),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, 9 * PAGE, 2 * PAGE, &r2, &a2),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(r1);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, AllocateUnsatisfiableTest) {
  zx_handle_t process, vmar, r1, r2;
  uintptr_t a1, a2;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 10 * PAGE, &r1, &a1));
  ASSERT_EQ(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ, 0, 11 * PAGE, &r2, &a2), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ, 0, 10 * PAGE, &r2, &a2));
  ASSERT_EQ(a2, a1);
  zx_handle_t r3;
  ASSERT_EQ(zx_vmar_allocate(r1, ZX_VM_CAN_MAP_READ, 0, PAGE, &r3, &a2), ZX_ERR_NO_RESOURCES);
  zx_handle_close(r2);
  zx_handle_close(r1);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, DestroyedVmarTest) {
  zx_handle_t process, vmar, r0, r1, vmo;
  uintptr_t a0, a1, m0, m1;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 10 * PAGE, &r0, &a0));
  ASSERT_OK(zx_vmar_map(r0, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m0));
  ASSERT_OK(zx_vmar_allocate(r0, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &r1, &a1));
  ASSERT_OK(zx_vmar_map(r1, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m1));
  uint8_t b = 42;
  size_t actual;
  ASSERT_OK(zx_process_write_memory(process, m0, &b, 1, &actual));
  ASSERT_OK(zx_process_read_memory(process, m1, &b, 1, &actual));
  ASSERT_EQ(b, 42);
  ASSERT_OK(zx_vmar_destroy(r0));
  zx_handle_t regions[2] = {r0, r1};
  uintptr_t maps[2] = {m0, m1};
  for (int i = 0; i < 2; i++) {
    zx_handle_t r = regions[i], tmp;
    uintptr_t a;
    ASSERT_OK(zx_object_get_info(r, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
    ASSERT_EQ(zx_process_read_memory(process, maps[i], &b, 1, &actual), ZX_ERR_NOT_FOUND);
    ASSERT_EQ(zx_vmar_destroy(r), ZX_ERR_BAD_STATE);
    ASSERT_EQ(zx_vmar_allocate(r, ZX_VM_CAN_MAP_READ, 0, PAGE, &tmp, &a), ZX_ERR_BAD_STATE);
    ASSERT_EQ(zx_vmar_unmap(r, maps[i], PAGE), ZX_ERR_BAD_STATE);
    ASSERT_EQ(zx_vmar_protect(r, ZX_VM_PERM_READ, maps[i], PAGE), ZX_ERR_BAD_STATE);
    ASSERT_EQ(zx_vmar_map(r, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a), ZX_ERR_BAD_STATE);
  }
  zx_handle_t r2;
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, 0, PAGE, &r2, &a0));
  zx_handle_close(r2);
  zx_handle_close(r1);
  zx_handle_close(r0);
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, MapOverDestroyedTest) {
  zx_handle_t process, vmar, r0, r1, vmo, vmo2;
  uintptr_t a0, a1, m;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo2));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 10 * PAGE, &r0, &a0));
  ASSERT_OK(zx_vmar_allocate(r0, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &r1, &a1));
  ASSERT_OK(zx_vmar_map(r1, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m));
  uint8_t b = 5;
  size_t actual;
  ASSERT_OK(zx_vmo_write(vmo, &b, 0, 1));
  b = 0;
  ASSERT_OK(zx_process_read_memory(process, m, &b, 1, &actual));
  ASSERT_EQ(b, 5);
  ASSERT_OK(zx_vmar_destroy(r1));
  ASSERT_EQ(zx_process_read_memory(process, m, &b, 1, &actual), ZX_ERR_NOT_FOUND);
  uintptr_t m2;
  ASSERT_OK(zx_vmar_map(r0, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, m - a0, vmo2, 0,
                        PAGE, &m2));
  ASSERT_EQ(m2, m);
  ASSERT_OK(zx_process_read_memory(process, m, &b, 1, &actual));
  ASSERT_EQ(b, 0);
  zx_handle_close(r1);
  zx_handle_close(r0);
  zx_handle_close(vmo);
  zx_handle_close(vmo2);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, AlignmentVmarMapTest) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  const size_t size = (size_t)1 << 33;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC |
                                 ZX_VM_ALIGN_512MB,
                             0, size, &vmar, &base));
  ASSERT_EQ(base % ((size_t)512 << 20), 0u);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | ZX_VM_ALIGN_64KB, 4096, vmo, 0,
                        PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | ZX_VM_ALIGN_64KB, 1 << 16, vmo, 0,
                        PAGE, &addr));
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | (9u << ZX_VM_ALIGN_BASE), 0, vmo, 0, PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | (33u << ZX_VM_ALIGN_BASE), 0, vmo, 0, PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  for (uint32_t bits = 10; bits <= 32; bits++) {
    zx_status_t s = zx_vmar_map(vmar, ZX_VM_PERM_READ | (bits << ZX_VM_ALIGN_BASE), 0, vmo, 0, PAGE,
                                &addr);
    if (s == ZX_OK) {
      ASSERT_EQ(addr & (((uintptr_t)1 << bits) - 1), 0u, "alignment %u", bits);
    } else {
      ASSERT_EQ(s, ZX_ERR_NO_RESOURCES);
    }
  }
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

TEST(Vmar, AlignmentVmarAllocateTest) {
  zx_handle_t vmar, child;
  uintptr_t base, addr;
  const size_t size = (size_t)1 << 33;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_ALIGN_512MB, 0,
                             size, &vmar, &base));
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC | ZX_VM_ALIGN_64KB, 4096,
                             16 * PAGE, &child, &addr),
            ZX_ERR_INVALID_ARGS);
  for (uint32_t bits = 10; bits <= 32; bits++) {
    zx_status_t s = zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | (bits << ZX_VM_ALIGN_BASE), 0,
                                     16 * PAGE, &child, &addr);
    if (s == ZX_OK) {
      ASSERT_EQ(addr & (((uintptr_t)1 << bits) - 1), 0u, "alignment %u", bits);
      zx_handle_close(child);
    } else {
      ASSERT_EQ(s, ZX_ERR_NO_RESOURCES);
    }
  }
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
}

TEST(Vmar, VmarMapRangeOffsetTest) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE, 0, vmo, 0x2000, 0x1000, &addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 0x1000));
  zx_handle_close(vmo);
}

TEST(Vmar, OvermappingTest) {
  zx_handle_t process, vmar, r0, vmo, vmo2, sub;
  uintptr_t a0, m, tmp;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 10 * PAGE, &r0, &a0));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create(PAGE * 4, 0, &vmo2));
  ASSERT_OK(zx_vmar_map(r0, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo, 0, 2 * PAGE, &m));
  ASSERT_EQ(m, a0 + PAGE);
  size_t lens[3] = {2 * PAGE, PAGE, 4 * PAGE};
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(zx_vmar_map(r0, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo2, 0, lens[i], &tmp),
              ZX_ERR_ALREADY_EXISTS);
  }
  ASSERT_EQ(zx_vmar_allocate(r0, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, PAGE, PAGE, &sub, &tmp),
            ZX_ERR_ALREADY_EXISTS);
  ASSERT_OK(zx_vmar_unmap(r0, m, 2 * PAGE));
  ASSERT_OK(zx_vmar_allocate(r0, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, PAGE, 2 * PAGE, &sub, &tmp));
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(zx_vmar_map(r0, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo2, 0, lens[i], &tmp),
              ZX_ERR_ALREADY_EXISTS);
  }
  zx_handle_t sub2;
  ASSERT_EQ(zx_vmar_allocate(r0, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, 0, 2 * PAGE, &sub2, &tmp),
            ZX_ERR_ALREADY_EXISTS);
  zx_handle_close(sub);
  zx_handle_close(r0);
  zx_handle_close(vmo);
  zx_handle_close(vmo2);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, InvalidArgsTest) {
  zx_handle_t process, vmar, vmo, region;
  uintptr_t addr, region_addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  // Wrong handle types; the handle check precedes argument checks.
  ASSERT_EQ(zx_vmar_destroy(vmo), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmar_allocate(vmo, ZX_VM_CAN_MAP_READ, 0, 10 * PAGE, &region, &region_addr),
            ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmar_map(vmo, ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &addr), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, process, 0, 4 * PAGE, &addr), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmar_unmap(vmo, 0, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmar_protect(vmo, ZX_VM_PERM_READ, 0, 0), ZX_ERR_WRONG_TYPE);
  // Offsets without SPECIFIC.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, PAGE, 10 * PAGE, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, PAGE, vmo, 0, 4 * PAGE, &addr), ZX_ERR_INVALID_ARGS);
  // SPECIFIC with upper limit.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT,
                             PAGE, 10 * PAGE, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | ZX_VM_OFFSET_IS_UPPER_LIMIT, PAGE,
                        vmo, 0, 4 * PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_allocate(vmar,
                             ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT,
                             PAGE, 10 * PAGE, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_OFFSET_IS_UPPER_LIMIT,
                        PAGE, vmo, 0, 4 * PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  // Mixed flags.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_PERM_READ, 0, 10 * PAGE, &region,
                             &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE, 0, vmo, 0,
                        4 * PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  // Unaligned sizes and offsets.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, 0, PAGE - 1, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, PAGE - 1, PAGE,
                             &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  for (int r = 0; r < 2; r++) {
    zx_vm_option_t mr = r ? ZX_VM_MAP_RANGE : 0;
    ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | mr, PAGE - 1, vmo, 0, 4 * PAGE,
                          &addr),
              ZX_ERR_INVALID_ARGS);
    ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | mr, PAGE, vmo, PAGE - 1,
                          3 * PAGE, &addr),
              ZX_ERR_INVALID_ARGS);
    ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | mr, 0, vmo, PAGE - 1, 3 * PAGE, &addr),
              ZX_ERR_INVALID_ARGS);
  }
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &addr));
  ASSERT_EQ(zx_vmar_unmap(vmar, addr + 1, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ, addr + 1, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE));
  // VMO offsets near the top of the range.
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, UINT64_MAX + 1 - PAGE, PAGE, &addr),
            ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, UINT64_MAX + 1 - 2 * PAGE, PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(vmar, addr, PAGE));
  // Zero sizes.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, 0, 0, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 0, &addr), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_unmap(vmar, addr, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ, addr, 0), ZX_ERR_INVALID_ARGS);
  // Sizes that round up to zero.
  const size_t bad_size = SIZE_MAX - PAGE + 2;
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ, 0, bad_size, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, bad_size, &addr), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0, vmo, 0, bad_size, &addr),
            ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo, 0, 4 * PAGE, &addr));
  uintptr_t starts[3] = {addr - PAGE, addr, addr + PAGE};
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ, starts[i], bad_size), ZX_ERR_INVALID_ARGS);
    ASSERT_EQ(zx_vmar_unmap(vmar, starts[i], bad_size), ZX_ERR_INVALID_ARGS);
  }
  ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE));
  // Flags that do not belong.
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             4 * PAGE, &region, &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | (1u << 31), 0, 4 * PAGE, &region,
                             &region_addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_CAN_MAP_EXECUTE, 0, vmo, 0,
                        4 * PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | (1u << 31), 0, vmo, 0, 4 * PAGE,
                        &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &addr));
  ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_WRITE, addr, 4 * PAGE),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ | (1u << 31), addr, 4 * PAGE),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE));
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnalignedLenTest) {
  zx_handle_t process, vmar, vmo;
  uintptr_t addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &addr));
  ASSERT_OK(zx_vmar_protect(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr, 4 * PAGE - 1));
  ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE - 1));
  ASSERT_TRUE(check_pages_mapped(process, addr, 0x0, 4));
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnalignedLenMapTest) {
  zx_handle_t process, vmar, vmo;
  uintptr_t addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  for (int r = 0; r < 2; r++) {
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | (r ? ZX_VM_MAP_RANGE : 0), 0, vmo, 0,
                          4 * PAGE - 1, &addr));
    ASSERT_TRUE(check_pages_mapped(process, addr, 0xF, 4));
    ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE - 1));
    ASSERT_TRUE(check_pages_mapped(process, addr, 0x0, 4));
  }
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, RightsDropTest) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo));
  const zx_rights_t base = ZX_DEFAULT_VMAR_RIGHTS;
  const zx_rights_t rights[3] = {ZX_RIGHT_READ, ZX_RIGHT_READ | ZX_RIGHT_WRITE,
                                 ZX_RIGHT_READ | ZX_RIGHT_EXECUTE};
  const zx_vm_option_t perms[3] = {ZX_VM_PERM_READ, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                                   ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE};
  for (int i = 0; i < 3; i++) {
    zx_handle_t vmar, region;
    uintptr_t addr;
    ASSERT_OK(zx_handle_duplicate(zx_vmar_root_self(), base | rights[i], &vmar));
    ASSERT_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE, 0, vmo, 0,
                          PAGE, &addr),
              ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_vmar_map(vmar, perms[i], 0, vmo, 0, PAGE, &addr));
    ASSERT_EQ(zx_vmar_protect(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE, addr,
                              PAGE),
              ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_vmar_unmap(vmar, addr, PAGE));
    ASSERT_EQ(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE,
                               0, PAGE, &region, &addr),
              ZX_ERR_ACCESS_DENIED);
    zx_handle_close(vmar);
  }
  zx_handle_close(vmo);
}

TEST(Vmar, ProtectTest) {
  zx_handle_t exec;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &exec));
  ASSERT_OK(zx_vmo_replace_as_executable(exec, ZX_HANDLE_INVALID, &exec));
  const zx_rights_t rights[3] = {ZX_RIGHT_READ, ZX_RIGHT_READ | ZX_RIGHT_WRITE,
                                 ZX_RIGHT_READ | ZX_RIGHT_EXECUTE};
  const zx_vm_option_t perms[3] = {ZX_VM_PERM_READ, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                                   ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE};
  const zx_vm_option_t rwx = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE;
  for (int i = 0; i < 3; i++) {
    zx_handle_t vmo;
    uintptr_t addr;
    ASSERT_OK(zx_handle_duplicate(exec, rights[i] | ZX_RIGHT_MAP, &vmo));
    ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), rwx, 0, vmo, 0, PAGE, &addr), ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), perms[i], 0, vmo, 0, PAGE, &addr));
    ASSERT_EQ(zx_vmar_protect(zx_vmar_root_self(), rwx, addr, PAGE), ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_handle_close(vmo));
    ASSERT_EQ(zx_vmar_protect(zx_vmar_root_self(), rwx, addr, PAGE), ZX_ERR_ACCESS_DENIED);
    ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  }
  zx_handle_close(exec);
}

TEST(Vmar, ProtectSubregionTest) {
  zx_handle_t parent, child, vmo, dup;
  uintptr_t pa, ca, m;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE,
                             &parent, &pa));
  ASSERT_OK(zx_vmar_allocate(parent, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &child, &ca));
  ASSERT_EQ(pa, ca);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(child, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m));
  ASSERT_EQ(m, pa);
  ASSERT_OK(zx_vmar_protect(parent, ZX_VM_PERM_READ, m, PAGE));
  ASSERT_EQ(zx_vmar_protect(parent, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, m, PAGE),
            ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_protect(child, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, m, PAGE));
  ASSERT_OK(zx_handle_duplicate(parent, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN | ZX_RIGHT_READ, &dup));
  ASSERT_EQ(zx_vmar_protect(dup, ZX_VM_PERM_READ, m, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(parent));
  zx_handle_close(dup);
  zx_handle_close(child);
  zx_handle_close(parent);
  zx_handle_close(vmo);
}

TEST(Vmar, ObjectInfoTest) {
  zx_handle_t process, vmar, region;
  uintptr_t addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 10 * PAGE, &region, &addr));
  zx_info_vmar_t info;
  ASSERT_OK(zx_object_get_info(region, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.base, addr);
  ASSERT_EQ(info.len, 10 * PAGE);
  size_t actual = 99, avail = 99;
  ASSERT_EQ(zx_object_get_info(region, ZX_INFO_VMAR, &info, sizeof(info) - 1, &actual, &avail),
            ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(actual, 0u);
  ASSERT_EQ(avail, 1u);
  zx_handle_close(region);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnmapSplitTest) {
  zx_handle_t process, vmar, vmo;
  uintptr_t a[3];
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &a[i]));
  }
  ASSERT_OK(zx_vmar_unmap(vmar, a[0], 2 * PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a[0], 0xC, 4));
  ASSERT_OK(zx_vmar_unmap(vmar, a[1] + 2 * PAGE, 2 * PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a[1], 0x3, 4));
  ASSERT_OK(zx_vmar_unmap(vmar, a[2] + PAGE, 2 * PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a[2], 0x9, 4));
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(zx_vmar_unmap(vmar, a[i], 4 * PAGE));
    ASSERT_TRUE(check_pages_mapped(process, a[i], 0x0, 4));
  }
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnmapMultipleTest) {
  zx_handle_t process, vmar, vmo, region, sub;
  uintptr_t base, a0, a1, sa, m;
  const size_t mapping_size = 4 * PAGE;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(mapping_size, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 16 * PAGE, &region, &base));
  // Two adjacent mappings.
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, mapping_size, &a0));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, mapping_size, vmo, 0, mapping_size, &a1));
  ASSERT_EQ(a1, a0 + mapping_size);
  ASSERT_OK(zx_vmar_unmap(region, a0 + 2 * PAGE, 3 * PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xE3, 8));
  ASSERT_OK(zx_vmar_unmap(region, a0, 2 * mapping_size));
  // A gap between them.
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, mapping_size, &a0));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 2 * mapping_size, vmo, 0, mapping_size, &a1));
  ASSERT_OK(zx_vmar_unmap(region, a0, 2 * mapping_size + PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xE00, 12));
  ASSERT_OK(zx_vmar_unmap(region, a0, 16 * PAGE));
  // A subregion wholly inside the range is destroyed.
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, mapping_size, &a0));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 2 * mapping_size, vmo, 0, mapping_size, &a1));
  ASSERT_OK(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_SPECIFIC,
                             mapping_size, mapping_size, &sub, &sa));
  ASSERT_OK(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE, &m));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xF1F, 12));
  ASSERT_OK(zx_vmar_unmap(region, a0, 2 * mapping_size + PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xE00, 12));
  ASSERT_EQ(zx_vmar_map(sub, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &m), ZX_ERR_BAD_STATE);
  zx_handle_close(sub);
  ASSERT_OK(zx_vmar_unmap(region, a0, 16 * PAGE));
  // A partly covered subregion refuses and nothing changes.
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, mapping_size, &a0));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, mapping_size, vmo, 0, mapping_size, &a1));
  ASSERT_OK(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_SPECIFIC,
                             2 * mapping_size, mapping_size, &sub, &sa));
  ASSERT_OK(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, mapping_size, &m));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xFFF, 12));
  ASSERT_EQ(zx_vmar_unmap(region, a0 + PAGE, 3 * mapping_size - 2 * PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_TRUE(check_pages_mapped(process, a0, 0xFFF, 12));
  ASSERT_OK(zx_vmar_unmap(region, a0 + PAGE, 3 * mapping_size - PAGE));
  ASSERT_TRUE(check_pages_mapped(process, a0, 0x001, 12));
  ASSERT_EQ(zx_vmar_map(sub, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &m), ZX_ERR_BAD_STATE);
  zx_handle_close(sub);
  zx_handle_close(region);
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnmapBaseNotMappedTest) {
  zx_handle_t process, vmar, vmo, region;
  uintptr_t base, addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, 0, 16 * PAGE, &region, &base));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo, 0, 4 * PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(region, addr - PAGE, 5 * PAGE));
  ASSERT_TRUE(check_pages_mapped(process, base, 0, 6));
  zx_handle_close(region);
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, UnmapOpChildren) {
  zx_handle_t vmar, child, vmo, dup;
  uintptr_t a, ca, m;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &vmar, &a));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &child, &ca));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(child, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m));
  ASSERT_EQ(a, ca);
  ASSERT_EQ(a, m);
  ASSERT_OK(zx_handle_duplicate(vmar, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN, &dup));
  ASSERT_EQ(zx_vmar_unmap(dup, a, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_unmap(vmar, a, PAGE));
  zx_handle_close(dup);
  zx_handle_close(child);
  zx_vmar_destroy(vmar);
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

static int read_u8(zx_handle_t process, uintptr_t addr, uint8_t* out) {
  size_t actual;
  return zx_process_read_memory(process, addr, out, 1, &actual) == ZX_OK;
}

TEST(Vmar, MapSpecificOverwriteTest) {
  zx_handle_t process, vmar, region, vmo, vmo2, sub;
  uintptr_t base, addr, addr2, sa;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(8 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create(8 * PAGE, 0, &vmo2));
  for (size_t i = 0; i < 4; i++) {
    uint8_t one = 1, two = 2;
    ASSERT_OK(zx_vmo_write(vmo, &one, i * PAGE, 1));
    ASSERT_OK(zx_vmo_write(vmo2, &two, i * PAGE, 1));
  }
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 16 * PAGE, &region, &base));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo, 0, 4 * PAGE, &addr));
  ASSERT_EQ(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, vmo2, 0, 4 * PAGE, &addr2),
            ZX_ERR_ALREADY_EXISTS);
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, PAGE, vmo2, 0, 4 * PAGE, &addr2));
  ASSERT_EQ(addr, addr2);
  uint8_t b;
  for (size_t i = 0; i < 4; i++) {
    ASSERT_TRUE(read_u8(process, addr + i * PAGE, &b));
    ASSERT_EQ(b, 2);
  }
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, 2 * PAGE, vmo, PAGE, 2 * PAGE, &addr2));
  const uint8_t want[4] = {2, 1, 1, 2};
  for (size_t i = 0; i < 4; i++) {
    ASSERT_TRUE(read_u8(process, addr + i * PAGE, &b));
    ASSERT_EQ(b, want[i]);
  }
  ASSERT_OK(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ | ZX_VM_SPECIFIC, 5 * PAGE, 4 * PAGE, &sub, &sa));
  ASSERT_EQ(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, PAGE, vmo, 0, 8 * PAGE, &addr2),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_unmap(region, addr, 8 * PAGE));
  zx_handle_close(sub);
  zx_handle_close(region);
  zx_handle_close(vmo);
  zx_handle_close(vmo2);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, ProtectSplitTest) {
  zx_handle_t process, vmar, vmo;
  uintptr_t addr;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  size_t offs[3] = {0, 2, 1};
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4 * PAGE, &addr));
    ASSERT_OK(zx_vmar_protect(vmar, ZX_VM_PERM_READ, addr + offs[i] * PAGE, 2 * PAGE));
    ASSERT_TRUE(check_pages_mapped(process, addr, 0xF, 4));
    ASSERT_OK(zx_vmar_unmap(vmar, addr, 4 * PAGE));
  }
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, ProtectMultipleTest) {
  zx_handle_t process, vmar, vmo, vmo2, region, sub;
  uintptr_t base, a0, a1, a2, sa, m;
  const size_t ms = 4 * PAGE;
  make_process(&process, &vmar);
  ASSERT_OK(zx_vmo_create(ms, 0, &vmo));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_MAP | ZX_RIGHT_READ, &vmo2));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                             0, 12 * PAGE, &region, &base));
  const zx_vm_option_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC;
  ASSERT_OK(zx_vmar_map(region, rw, 0, vmo, 0, ms, &a0));
  ASSERT_OK(zx_vmar_map(region, rw, ms, vmo, 0, ms, &a1));
  ASSERT_OK(zx_vmar_map(region, rw, 2 * ms, vmo, 0, ms, &a2));
  ASSERT_OK(zx_vmar_protect(region, ZX_VM_PERM_READ, a0 + PAGE, 3 * ms - 2 * PAGE));
  ASSERT_OK(zx_vmar_unmap(region, a0, 3 * ms));
  ASSERT_OK(zx_vmar_map(region, rw, 0, vmo, 0, ms, &a0));
  ASSERT_OK(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, ms, vmo2, 0, ms, &a1));
  ASSERT_OK(zx_vmar_map(region, rw, 2 * ms, vmo, 0, ms, &a2));
  ASSERT_EQ(zx_vmar_protect(region, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, a0 + PAGE, 3 * ms - 2 * PAGE),
            ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(region, a0, 3 * ms));
  ASSERT_OK(zx_vmar_map(region, rw, 0, vmo, 0, ms, &a0));
  ASSERT_OK(zx_vmar_map(region, rw, 2 * ms, vmo, 0, ms, &a2));
  ASSERT_EQ(zx_vmar_protect(region, ZX_VM_PERM_READ, a0 + PAGE, 3 * ms - 2 * PAGE), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_vmar_allocate(region, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_SPECIFIC,
                             ms, ms, &sub, &sa));
  ASSERT_EQ(zx_vmar_protect(region, ZX_VM_PERM_READ, a0 + PAGE, 3 * ms - 2 * PAGE), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_vmar_map(sub, rw, 0, vmo, 0, ms, &m));
  ASSERT_OK(zx_vmar_protect(region, ZX_VM_PERM_READ, a0 + PAGE, 3 * ms - 2 * PAGE));
  zx_handle_close(sub);
  zx_handle_close(region);
  zx_handle_close(vmo);
  zx_handle_close(vmo2);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Vmar, RangeOpCommitVmoPages) {
  zx_handle_t vmo, vmo_ro, vmar;
  uintptr_t base, m0, m1, m2;
  ASSERT_OK(zx_vmo_create(5 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             5 * PAGE, &vmar, &base));
  const zx_vm_option_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC;
  ASSERT_OK(zx_vmar_map(vmar, rw, 0, vmo, 0, 2 * PAGE, &m0));
  ASSERT_OK(zx_vmar_map(vmar, rw, 2 * PAGE, vmo, 3 * PAGE, PAGE, &m1));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 4 * PAGE, vmo, PAGE, PAGE, &m2));
  memset((void*)m0, 0x55, 2 * PAGE);
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m0, PAGE, NULL, 0));
  ASSERT_EQ(*(volatile uint8_t*)m0, 0);
  ASSERT_EQ(*(volatile uint8_t*)(m0 + PAGE), 0x55);
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m0 + PAGE, PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m0 + PAGE, 2 * PAGE, NULL, 0));
  ASSERT_EQ(*(volatile uint8_t*)m2, 0);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m0 + PAGE, 3 * PAGE, NULL, 0), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m2, PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_unmap(vmar, m2, PAGE));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_MAP | ZX_RIGHT_READ, &vmo_ro));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 4 * PAGE, vmo_ro, PAGE, PAGE, &m2));
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m2, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m2, PAGE, (void*)m0, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(vmar, 99, m2, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(vmo_ro);
}

TEST(Vmar, RangeOpMapRange) {
  zx_handle_t vmo, vmar;
  uintptr_t base, m;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 4 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4 * PAGE, &m));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_MAP_RANGE, m, 4 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 2 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_MAP_RANGE, m, 4 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

TEST(Vmar, RangeOpSubRegions) {
  zx_handle_t parent, child, vmo, dup;
  uintptr_t pa, ca, m;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &parent, &pa));
  ASSERT_OK(zx_vmar_allocate(parent, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, PAGE, &child, &ca));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(child, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &m));
  // The parent's own rights (READ and WRITE included) less OP_CHILDREN.
  zx_info_handle_basic_t pinfo;
  ASSERT_OK(zx_object_get_info(parent, ZX_INFO_HANDLE_BASIC, &pinfo, sizeof(pinfo), NULL, NULL));
  ASSERT_OK(zx_handle_duplicate(parent, pinfo.rights & ~ZX_RIGHT_OP_CHILDREN, &dup));
  uint32_t ok_ops[3] = {ZX_VMAR_OP_MAP_RANGE, ZX_VMAR_OP_DONT_NEED, ZX_VMAR_OP_ALWAYS_NEED};
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(zx_vmar_op_range(parent, ok_ops[i], m, PAGE, NULL, 0));
    ASSERT_EQ(zx_vmar_op_range(dup, ok_ops[i], m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  }
  ASSERT_EQ(zx_vmar_op_range(parent, ZX_VMAR_OP_COMMIT, m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(parent, ZX_VMAR_OP_DECOMMIT, m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(dup, ZX_VMAR_OP_COMMIT, m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(parent));
  zx_handle_close(dup);
  zx_handle_close(child);
  zx_handle_close(parent);
  zx_handle_close(vmo);
}

TEST(Vmar, UnmapLargeUncommittedTest) {
  zx_handle_t vmo;
  uintptr_t addr;
  const size_t size = (size_t)1 << 30;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &addr));
  uintptr_t start = ((addr + 512 * PAGE - 1) & ~(512 * PAGE - 1)) + PAGE;
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), start, addr + size - start));
  *(volatile uint8_t*)addr = 1;
  uint8_t b;
  size_t actual;
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), start, &b, 1, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, start - addr));
  zx_handle_close(vmo);
}

TEST(Vmar, PartialUnmapAndRead) {
  zx_handle_t vmo;
  uintptr_t addr;
  uint8_t buf[2 * 4096];
  size_t actual;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr + PAGE, PAGE));
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr, buf, PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), addr + PAGE, buf, PAGE, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr, buf, 2 * PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr + PAGE - 1, buf, 2, &actual));
  ASSERT_EQ(actual, 1u);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(Vmar, PartialUnmapAndWrite) {
  zx_handle_t vmo;
  uintptr_t addr;
  uint8_t buf[2 * 4096];
  size_t actual;
  memset(buf, 7, sizeof(buf));
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr + PAGE, PAGE));
  ASSERT_OK(zx_process_write_memory(zx_process_self(), addr, buf, PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_EQ(zx_process_write_memory(zx_process_self(), addr + PAGE, buf, PAGE, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_process_write_memory(zx_process_self(), addr, buf, 2 * PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_OK(zx_process_write_memory(zx_process_self(), addr + PAGE - 1, buf, 2, &actual));
  ASSERT_EQ(actual, 1u);
  ASSERT_EQ(*(volatile uint8_t*)addr, 7);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(Vmar, PartialUnmapWithVmarOffset) {
  zx_handle_t vmo;
  uintptr_t addr;
  static uint8_t buf[10 * 4096];
  size_t actual;
  ASSERT_OK(zx_vmo_create(10 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0x1000, 9 * PAGE, &addr));
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr, buf, 9 * PAGE, &actual));
  ASSERT_EQ(actual, 9 * PAGE);
  ASSERT_OK(zx_process_write_memory(zx_process_self(), addr, buf, 9 * PAGE, &actual));
  ASSERT_EQ(actual, 9 * PAGE);
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr + 9 * PAGE - 1, buf, 1, &actual));
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), addr + 9 * PAGE, buf, 1, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_process_read_memory(zx_process_self(), addr + 9 * PAGE - 1, buf, 2, &actual));
  ASSERT_EQ(actual, 1u);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 9 * PAGE));
  zx_handle_close(vmo);
}

TEST(Vmar, AllowFaultsTest) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_ALLOW_FAULTS, 0, vmo, 0, PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(Vmar, OpOnRangeWithChildVmarNextToIt) {
  zx_handle_t parent, a, b, vmo;
  uintptr_t pa, aa, ba, m;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0, 2 * PAGE, &parent, &pa));
  ASSERT_OK(zx_vmar_allocate(parent, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0, 2 * PAGE, &a, &aa));
  ASSERT_OK(zx_vmar_allocate(a, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_SPECIFIC, 0x1000, PAGE, &b, &ba));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(a, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE, &m));
  ASSERT_OK(zx_vmar_op_range(parent, ZX_VMAR_OP_MAP_RANGE, m, PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_destroy(parent));
  zx_handle_close(b);
  zx_handle_close(a);
  zx_handle_close(parent);
  zx_handle_close(vmo);
}

TEST(Vmar, RangeOpCommitVmoPages2) {
  zx_handle_t vmo, vmar;
  uintptr_t base, m0, m1;
  ASSERT_OK(zx_vmo_create(10 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 10 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, 5 * PAGE, &m0));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 6 * PAGE, vmo, 0, 4 * PAGE, &m1));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_DECOMMIT, m1, 4 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

TEST(Vmar, BadRangeOpNestedVmar) {
  zx_handle_t vmo, vmar;
  uintptr_t base, m;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 8 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE, vmo, 0, PAGE, &m));
  ASSERT_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_COMMIT, m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_DECOMMIT, m, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

TEST(Vmar, RangeOpCommit) {
  zx_handle_t vmar, sub1, sub2, vmo, clone, ro;
  uintptr_t base, s1, s2, m0, m1, m2;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 20 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_SPECIFIC, PAGE, 8 * PAGE, &sub1, &s1));
  ASSERT_OK(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_SPECIFIC, 10 * PAGE, 8 * PAGE, &sub2, &s2));
  ASSERT_OK(zx_vmo_create(5 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 5 * PAGE, &clone));
  ASSERT_OK(zx_vmar_map(sub1, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, 5 * PAGE, &m0));
  ASSERT_OK(zx_vmar_map(sub2, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, clone, 0, 5 * PAGE, &m1));
  ASSERT_OK(zx_vmar_op_range(sub1, ZX_VMAR_OP_COMMIT, m0, 5 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_op_range(sub2, ZX_VMAR_OP_COMMIT, m1, 2 * PAGE, NULL, 0));
  zx_info_vmo_t info;
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.committed_bytes, 5 * PAGE);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_MAP | ZX_RIGHT_READ, &ro));
  ASSERT_OK(zx_vmar_map(sub1, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 7 * PAGE, ro, 0, PAGE, &m2));
  ASSERT_EQ(zx_vmar_op_range(sub1, ZX_VMAR_OP_COMMIT, m2, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, base, 40 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, 0, 20 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, base, 20 * PAGE, NULL, 0), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(sub1);
  zx_handle_close(sub2);
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(clone);
  zx_handle_close(ro);
}

TEST(Vmar, ProtectCowWritable) {
  zx_handle_t vmo, clone;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  uint8_t v = 1;
  ASSERT_OK(zx_vmo_write(vmo, &v, 0, 1));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PAGE, &clone));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, clone, 0, 2 * PAGE, &addr));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, 2 * PAGE));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr, PAGE));
  *(volatile uint8_t*)addr = 2;
  ASSERT_OK(zx_vmo_read(vmo, &v, 0, 1));
  ASSERT_EQ(v, 1);
  ASSERT_OK(zx_vmo_read(clone, &v, 0, 1));
  ASSERT_EQ(v, 2);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  zx_handle_close(vmo);
  zx_handle_close(clone);
}

TEST(Vmar, MapReadIfXomUnsupported) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED, 0, vmo, 0, PAGE, &addr));
  ASSERT_EQ(*(volatile uint8_t*)addr, 0);
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED, addr, PAGE));
  ASSERT_EQ(*(volatile uint8_t*)addr, 0);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(Vmar, Prefetch) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 4 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE, vmo, 0, 2 * PAGE, &addr));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, 2 * PAGE, NULL, 0));
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr + 1, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr + 2 * PAGE, 2 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr + 2 * PAGE, PAGE, NULL, 0), ZX_ERR_BAD_STATE);
  ASSERT_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_PREFETCH, addr, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_protect(vmar, 0, addr, 2 * PAGE));
  ASSERT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_PREFETCH, addr, 2 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
}

// ZX_VMAR_OP_ZERO: zeroes what the range maps; needs WRITE on the VMAR
// handle and a mapping that may be written.
TEST(Vmar, RangeOpZeroesMappedPages) {
  const size_t page = zx_system_get_page_size();
  zx_handle_t vmo, sub;
  uintptr_t sub_base, at;
  ASSERT_OK(zx_vmo_create(3 * page, 0, &vmo));
  uint8_t fill[64];
  memset(fill, 0xab, sizeof(fill));
  for (size_t i = 0; i < 3; i++) ASSERT_OK(zx_vmo_write(vmo, fill, i * page, sizeof(fill)));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             3 * page, &sub, &sub_base));
  ASSERT_OK(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 3 * page, &at));
  // Only the middle page.
  ASSERT_OK(zx_vmar_op_range(sub, ZX_VMAR_OP_ZERO, at + page, page, NULL, 0));
  EXPECT_EQ(((volatile uint8_t*)at)[0], 0xab);
  EXPECT_EQ(((volatile uint8_t*)at)[page], 0);
  EXPECT_EQ(((volatile uint8_t*)at)[2 * page], 0xab);
  uint8_t back[64];
  ASSERT_OK(zx_vmo_read(vmo, back, page, sizeof(back)));
  EXPECT_EQ(back[0], 0);
  EXPECT_STATUS(zx_vmar_op_range(sub, ZX_VMAR_OP_ZERO, at + 1, page, NULL, 0),
                ZX_ERR_INVALID_ARGS);
  // Without WRITE on the handle: ACCESS_DENIED, before the range is looked at.
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(sub, ZX_RIGHT_READ | ZX_RIGHT_OP_CHILDREN, &ro));
  EXPECT_STATUS(zx_vmar_op_range(ro, ZX_VMAR_OP_ZERO, at + 1, page, NULL, 0),
                ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(zx_vmar_op_range(ro, ZX_VMAR_OP_COMMIT, at, page, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  // A mapping that can never be written: ACCESS_DENIED.
  ASSERT_OK(zx_vmar_unmap(sub, at, 3 * page));
  zx_handle_t vmo_ro;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &vmo_ro));
  ASSERT_OK(zx_vmar_map(sub, ZX_VM_PERM_READ, 0, vmo_ro, 0, 3 * page, &at));
  EXPECT_STATUS(zx_vmar_op_range(sub, ZX_VMAR_OP_ZERO, at, page, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmo_read(vmo, back, 0, sizeof(back)));
  EXPECT_EQ(back[0], 0xab);
  zx_handle_close(vmo_ro);
  ASSERT_OK(zx_vmar_destroy(sub));
  zx_handle_close(sub);
  zx_handle_close(vmo);
}
