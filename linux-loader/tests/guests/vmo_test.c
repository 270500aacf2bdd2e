// Ports of Fuchsia's zircon/system/utest/core/vmo/vmo.cc cases that the
// supported syscalls can express (fault probes come with exceptions).
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())

TEST(VmoTestCase, Create) {
  for (size_t i = 0; i < 16; i++) {
    zx_handle_t vmo;
    ASSERT_OK(zx_vmo_create(i * PAGE, 0, &vmo));
    ASSERT_OK(zx_handle_close(vmo));
  }
}

TEST(VmoTestCase, ReadWriteBadLen) {
  zx_handle_t vmo;
  uint8_t buf[1];
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmo_read(vmo, buf, 0, SIZE_MAX - PAGE), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_read(vmo, buf, 0, SIZE_MAX - PAGE / 2), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_write(vmo, buf, 0, SIZE_MAX - PAGE), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_write(vmo, buf, 0, SIZE_MAX - PAGE / 2), ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ReadWrite) {
  zx_handle_t vmo;
  static uint8_t buf[4 * 4096];
  ASSERT_OK(zx_vmo_create(sizeof(buf), 0, &vmo));
  memset(buf, 1, sizeof(buf));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof(buf)));
  for (size_t i = 0; i < sizeof(buf); i++) ASSERT_EQ(buf[i], 0);
  memset(buf, 0x99, sizeof(buf));
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, sizeof(buf)));
  uintptr_t ptr;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, sizeof(buf), &ptr));
  ASSERT_NE(ptr, 0u);
  ASSERT_EQ(memcmp((void*)ptr, buf, sizeof(buf)), 0);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, sizeof(buf)));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ReadWriteRange) {
  zx_handle_t vmo;
  static uint8_t buf[8 * 4096];
  const size_t size = 4 * PAGE;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_EQ(zx_vmo_read(vmo, buf, 0, 2 * size), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, size, 0));
  ASSERT_EQ(zx_vmo_read(vmo, buf, size + 1, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_read(vmo, buf, UINT64_MAX - 2 * PAGE + 1, 4 * PAGE), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_write(vmo, buf, 0, 2 * size), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_write(vmo, buf, size, 0));
  ASSERT_EQ(zx_vmo_write(vmo, buf, size + 1, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_write(vmo, buf, UINT64_MAX - 2 * PAGE + 1, 4 * PAGE), ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, Map) {
  zx_handle_t vmo;
  uintptr_t ptr[3] = {0, 0, 0};
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &ptr[0]));
  ptr[1] = UINTPTR_MAX;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &ptr[1]));
  ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_SPECIFIC, UINTPTR_MAX, vmo, 0, PAGE, &ptr[2]),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr[0], PAGE));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr[1], PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, MapRead) {
  zx_handle_t vmo;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &ptr));
  ASSERT_OK(zx_vmo_read(vmo, (void*)ptr, PAGE, PAGE));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, Resize) {
  zx_handle_t vmo;
  uint64_t size;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(4 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  ASSERT_EQ(size, 4 * PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 5 * PAGE));
  ASSERT_EQ(zx_vmo_set_size(vmo, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 5 * PAGE + 1));
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  ASSERT_EQ(size, 6 * PAGE);
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 6 * PAGE, &ptr));
  uintptr_t ptr2;
  ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, 0, vmo, 0, 6 * PAGE, &ptr2),
            ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, 6 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, GrowMappedVmo) {
  zx_handle_t vmo;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 8 * PAGE, &ptr));
  const size_t new_size = 6 * PAGE + PAGE / 2;
  ASSERT_OK(zx_vmo_set_size(vmo, new_size));
  volatile uint8_t* p = (volatile uint8_t*)ptr;
  p[5 * PAGE] = 0x5a;
  p[new_size + 16] = 0x6b;
  uint8_t b;
  ASSERT_OK(zx_vmo_read(vmo, &b, 5 * PAGE, 1));
  ASSERT_EQ(b, 0x5a);
  ASSERT_OK(zx_vmo_read(vmo, &b, new_size + 16, 1));
  ASSERT_EQ(b, 0x6b);
  b = 0x7c;
  ASSERT_OK(zx_vmo_write(vmo, &b, 5 * PAGE + 16, 1));
  ASSERT_EQ(p[5 * PAGE + 16], 0x7c);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, 8 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, MappedVmoSmallerThanMapping) {
  zx_handle_t vmo;
  uintptr_t ptr;
  static uint8_t buf[2 * 4096];
  size_t actual;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * PAGE, &ptr));
  *(volatile uint8_t*)ptr = 3;
  ASSERT_EQ(*(volatile uint8_t*)ptr, 3);
  ASSERT_OK(zx_process_read_memory(zx_process_self(), ptr, buf, 2 * PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_OK(zx_process_write_memory(zx_process_self(), ptr, buf, 2 * PAGE, &actual));
  ASSERT_EQ(actual, PAGE);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), ptr + PAGE, buf, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_process_write_memory(zx_process_self(), ptr + PAGE, buf, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, 2 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, NoResize) {
  zx_handle_t vmo;
  uint64_t size;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmo_set_size(vmo, 5 * PAGE), ZX_ERR_UNAVAILABLE);
  ASSERT_EQ(zx_vmo_set_size(vmo, 3 * PAGE), ZX_ERR_UNAVAILABLE);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  ASSERT_EQ(size, 4 * PAGE);
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_REQUIRE_NON_RESIZABLE, 0, vmo, 0,
                        4 * PAGE, &ptr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, 4 * PAGE));
  zx_handle_close(vmo);
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK) return 0;
  return info.rights;
}

TEST(VmoTestCase, ResizeRight) {
  zx_handle_t vmo, dup;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_EQ(rights_of(vmo) & ZX_RIGHT_RESIZE, 0u);
  ASSERT_EQ(zx_vmo_set_size(vmo, 5 * PAGE), ZX_ERR_UNAVAILABLE);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmo_create(4 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_EQ(rights_of(vmo) & ZX_RIGHT_RESIZE, (zx_rights_t)ZX_RIGHT_RESIZE);
  ASSERT_OK(zx_vmo_set_size(vmo, 5 * PAGE));
  ASSERT_OK(zx_handle_duplicate(vmo, rights_of(vmo) & ~ZX_RIGHT_RESIZE, &dup));
  ASSERT_EQ(zx_vmo_set_size(dup, 6 * PAGE), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ChildResizeRight) {
  const uint32_t kinds[4] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, ZX_VMO_CHILD_SLICE,
                             ZX_VMO_CHILD_SNAPSHOT_MODIFIED};
  zx_handle_t parent;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &parent));
  for (int i = 0; i < 4; i++) {
    zx_handle_t child, dup;
    zx_status_t s = zx_vmo_create_child(parent, kinds[i], 0, 4 * PAGE, &child);
    if (kinds[i] == ZX_VMO_CHILD_SNAPSHOT_MODIFIED && s == ZX_ERR_INVALID_ARGS) continue;
    ASSERT_OK(s, "kind %u", kinds[i]);
    ASSERT_EQ(rights_of(child) & ZX_RIGHT_RESIZE, 0u);
    ASSERT_EQ(zx_vmo_set_size(child, 5 * PAGE), ZX_ERR_UNAVAILABLE);
    zx_handle_close(child);
    if (kinds[i] == ZX_VMO_CHILD_SLICE) continue;
    ASSERT_OK(zx_vmo_create_child(parent, kinds[i] | ZX_VMO_CHILD_RESIZABLE, 0, 4 * PAGE, &child));
    ASSERT_EQ(rights_of(child) & ZX_RIGHT_RESIZE, (zx_rights_t)ZX_RIGHT_RESIZE);
    ASSERT_OK(zx_vmo_set_size(child, 5 * PAGE));
    ASSERT_OK(zx_handle_duplicate(child, rights_of(child) & ~ZX_RIGHT_RESIZE, &dup));
    ASSERT_EQ(zx_vmo_set_size(dup, 6 * PAGE), ZX_ERR_ACCESS_DENIED);
    zx_handle_close(dup);
    zx_handle_close(child);
  }
  zx_handle_close(parent);
}

TEST(VmoTestCase, Info) {
  zx_handle_t vmo;
  zx_info_vmo_t info;
  size_t actual, avail;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), &actual, &avail));
  ASSERT_EQ(actual, 1u);
  ASSERT_EQ(avail, 1u);
  ASSERT_EQ(info.size_bytes, 4 * PAGE);
  ASSERT_EQ(info.flags, (uint32_t)(ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE));
  ASSERT_EQ(info.cache_policy, (uint32_t)ZX_CACHE_POLICY_CACHED);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmo_create(8 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), &actual, &avail));
  ASSERT_EQ(info.flags, (uint32_t)(ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE | ZX_INFO_VMO_RESIZABLE));
  ASSERT_EQ(info.cache_policy, (uint32_t)ZX_CACHE_POLICY_UNCACHED);
  ASSERT_EQ(info.handle_rights, rights_of(vmo));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, SizeAlign) {
  for (uint64_t s = 0; s < 4 * PAGE; s += 97) {
    zx_handle_t vmo;
    uint64_t size;
    ASSERT_OK(zx_vmo_create(s, 0, &vmo));
    ASSERT_OK(zx_vmo_get_size(vmo, &size));
    ASSERT_EQ(size, (s + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    zx_handle_close(vmo);
  }
}

TEST(VmoTestCase, ResizeAlign) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(0, ZX_VMO_RESIZABLE, &vmo));
  for (uint64_t s = 0; s < 4 * PAGE; s += 97) {
    uint64_t size;
    ASSERT_OK(zx_vmo_set_size(vmo, s));
    ASSERT_OK(zx_vmo_get_size(vmo, &size));
    ASSERT_EQ(size, (s + PAGE - 1) & ~(uint64_t)(PAGE - 1));
  }
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ContentSize) {
  zx_handle_t vmo;
  uint64_t cs;
  const uint64_t len = PAGE + 5;
  ASSERT_OK(zx_vmo_create(len, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  ASSERT_EQ(cs, len);
  cs = 100;
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  ASSERT_EQ(cs, 100u);
  ASSERT_OK(zx_vmo_set_size(vmo, 5461));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  ASSERT_EQ(cs, 5461u);
  zx_handle_close(vmo);
}

static void map_helper(zx_handle_t vmo, zx_vm_option_t opts, zx_status_t want) {
  uintptr_t ptr;
  zx_status_t s = zx_vmar_map(zx_vmar_root_self(), opts, 0, vmo, 0, 4 * PAGE, &ptr);
  EXPECT_EQ(s, want, "options %#x", opts);
  if (s == ZX_OK) zx_vmar_unmap(zx_vmar_root_self(), ptr, 4 * PAGE);
}

TEST(VmoTestCase, Rights) {
  zx_handle_t vmo, dup;
  uint8_t buf[4];
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  zx_rights_t want = ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT | ZX_RIGHT_READ | ZX_RIGHT_WRITE |
                     ZX_RIGHT_MAP | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  ASSERT_EQ(rights_of(vmo) & want, want);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 0));
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, 0));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &dup));
  ASSERT_OK(zx_vmo_read(dup, buf, 0, 4));
  ASSERT_EQ(zx_vmo_write(dup, buf, 0, 4), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_WRITE, &dup));
  ASSERT_EQ(zx_vmo_read(dup, buf, 0, 4), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmo_write(dup, buf, 0, 4));
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, 0, &dup));
  ASSERT_EQ(zx_vmo_read(dup, buf, 0, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmo_write(dup, buf, 0, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);

  const zx_vm_option_t R = ZX_VM_PERM_READ, W = ZX_VM_PERM_WRITE;
  map_helper(vmo, 0, ZX_OK);
  map_helper(vmo, R, ZX_OK);
  map_helper(vmo, W, ZX_ERR_INVALID_ARGS);
  map_helper(vmo, R | W, ZX_OK);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, 0, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, W, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R | W, ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, 0, ZX_OK);
  map_helper(dup, R, ZX_OK);
  map_helper(dup, W, ZX_ERR_INVALID_ARGS);
  map_helper(dup, R | W, ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_WRITE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, 0, ZX_OK);
  map_helper(dup, R, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, W, ZX_ERR_INVALID_ARGS);
  map_helper(dup, R | W, ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);

  char name[ZX_MAX_NAME_LEN];
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, "a name", 6));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ASSERT_EQ(strcmp(name, "a name"), 0);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, RightsExec) {
  zx_handle_t vmo, dup;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo));
  const zx_vm_option_t R = ZX_VM_PERM_READ, W = ZX_VM_PERM_WRITE, X = ZX_VM_PERM_EXECUTE;
  map_helper(vmo, R | W | X, ZX_OK);
  map_helper(vmo, R | X, ZX_OK);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, R | W | X, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R | X, ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, R | W | X, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R | X, ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_EXECUTE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE, &dup));
  map_helper(dup, R, ZX_OK);
  map_helper(dup, W, ZX_ERR_INVALID_ARGS);
  map_helper(dup, R | W, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R | W | X, ZX_ERR_ACCESS_DENIED);
  map_helper(dup, R | X, ZX_OK);
  zx_handle_close(dup);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE | ZX_RIGHT_MAP | ZX_RIGHT_DUPLICATE,
                                &dup));
  map_helper(dup, R | W | X, ZX_OK);
  zx_handle_close(dup);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ChildRights) {
  zx_handle_t parent, child;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &parent));
  zx_rights_t p = rights_of(parent);
  const zx_rights_t gs = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  ASSERT_EQ(rights_of(child), (p | gs | ZX_RIGHT_WRITE) & ~ZX_RIGHT_EXECUTE);
  zx_handle_close(child);
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, PAGE, &child));
  ASSERT_EQ(rights_of(child), (p | gs) & ~ZX_RIGHT_WRITE);
  zx_handle_close(child);
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  ASSERT_EQ(rights_of(child), p | gs);
  zx_handle_close(child);
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, 0, PAGE, &child));
  ASSERT_EQ(rights_of(child), (p | gs) & ~ZX_RIGHT_WRITE);
  zx_handle_close(child);
  zx_handle_close(parent);
}

TEST(VmoTestCase, Commit) {
  zx_handle_t vmo;
  const size_t size = 16384;
  uintptr_t p1, p2, p3;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, size, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, size, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, size, NULL, 0));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &p1));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, PAGE, size, &p2));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 2 * size, size, &p3));
  volatile uint32_t* a = (volatile uint32_t*)p1;
  volatile uint32_t* b = (volatile uint32_t*)p2;
  a[PAGE / 4] = 0xdeadbeef;
  ASSERT_EQ(b[0], 0xdeadbeef);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0));
  ASSERT_EQ(b[0], 0xdeadbeef);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, PAGE, PAGE, NULL, 0));
  ASSERT_EQ(a[PAGE / 4], 0u);
  ASSERT_EQ(b[0], 0u);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), p1, size));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), p2, size));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), p3, size));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, PAGE, UINT64_MAX - PAGE + 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ZeroPage) {
  zx_handle_t vmo;
  uintptr_t p[3];
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  for (int i = 0; i < 3; i++)
    ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &p[i]));
  for (int i = 0; i < 3; i++) ASSERT_EQ(*(volatile uint32_t*)p[i], 0u);
  uint32_t v = 99;
  ASSERT_OK(zx_vmo_write(vmo, &v, 0, sizeof(v)));
  for (int i = 0; i < 3; i++) ASSERT_EQ(*(volatile uint32_t*)p[i], 99u);
  *(volatile uint32_t*)p[1] = 100;
  for (int i = 0; i < 3; i++) ASSERT_EQ(*(volatile uint32_t*)p[i], 100u);
  for (int i = 0; i < 3; i++) ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), p[i], PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, Cache) {
  zx_handle_t vmo, child;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED));
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED));
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED_DEVICE));
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_WRITE_COMBINING));
  ASSERT_EQ(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_MASK + 1), ZX_ERR_INVALID_ARGS);
  uint8_t b;
  ASSERT_EQ(zx_vmo_read(vmo, &b, 0, 1), ZX_ERR_BAD_STATE);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &ptr));
  ASSERT_EQ(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, PAGE));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &child));
  ASSERT_EQ(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  ASSERT_EQ(zx_vmo_set_cache_policy(child, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  zx_handle_close(child);
  zx_handle_close(vmo);
  zx_handle_t big;
  ASSERT_OK(zx_vmo_create((uint64_t)PAGE << 40, 0, &big));
  ASSERT_OK(zx_vmo_write(big, &b, (uint64_t)1 << 50, 1));
  // Committed pages do not prevent a change of policy.
  ASSERT_OK(zx_vmo_set_cache_policy(big, ZX_CACHE_POLICY_UNCACHED));
  ASSERT_EQ(zx_vmo_write(big, &b, (uint64_t)1 << 50, 1), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_set_cache_policy(big, ZX_CACHE_POLICY_CACHED));
  ASSERT_OK(zx_vmo_read(big, &b, (uint64_t)1 << 50, 1));
  zx_handle_close(big);
  // A discardable VMO can only be cached.
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_DISCARDABLE, &vmo));
  ASSERT_EQ(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_CACHED));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, CacheOp) {
  zx_handle_t vmo;
  const uint64_t size = 0x8000;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  const uint32_t ops[4] = {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE,
                           ZX_VMO_OP_CACHE_INVALIDATE};
  for (int i = 0; i < 4; i++) {
    uint32_t op = ops[i];
    ASSERT_OK(zx_vmo_op_range(vmo, op, 0, 1, NULL, 0));
    ASSERT_OK(zx_vmo_op_range(vmo, op, 1, 1, NULL, 0));
    ASSERT_OK(zx_vmo_op_range(vmo, op, 0, size, NULL, 0));
    ASSERT_OK(zx_vmo_op_range(vmo, op, 1, size - 1, NULL, 0));
    ASSERT_OK(zx_vmo_op_range(vmo, op, 0x5200, 0x1200, NULL, 0));
    ASSERT_EQ(zx_vmo_op_range(vmo, op, 0, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, 1, size, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, size, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, size + 1, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, UINT64_MAX - 1, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, UINT64_MAX, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    ASSERT_EQ(zx_vmo_op_range(vmo, op, UINT64_MAX, UINT64_MAX, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  }
  zx_handle_close(vmo);
}

TEST(VmoTestCase, CacheOpLargeVmo) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(UINT64_MAX - 64 * PAGE + 1, 0, &vmo));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, DecommitMisaligned) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100, NULL, 0));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100, NULL, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, DecommitChildSliceTests) {
  zx_handle_t l0, l1, l2;
  ASSERT_OK(zx_vmo_create(6 * PAGE, 0, &l0));
  ASSERT_OK(zx_vmo_create_child(l0, ZX_VMO_CHILD_SLICE, PAGE, 4 * PAGE, &l1));
  ASSERT_OK(zx_vmo_create_child(l1, ZX_VMO_CHILD_SLICE, PAGE, 2 * PAGE, &l2));
  zx_handle_t levels[3] = {l0, l1, l2};
  uint64_t sizes[3] = {6, 4, 2};
  for (int i = 0; i < 3; i++) {
    for (uint64_t start = 0; start < 7; start++) {
      for (uint64_t len = 1; len < 7; len++) {
        zx_status_t want = start + len > sizes[i] ? ZX_ERR_OUT_OF_RANGE : ZX_OK;
        ASSERT_EQ(zx_vmo_op_range(levels[i], ZX_VMO_OP_DECOMMIT, start * PAGE, len * PAGE, NULL, 0), want);
      }
    }
  }
  zx_handle_close(l2);
  zx_handle_close(l1);
  zx_handle_close(l0);
}

TEST(VmoTestCase, V1Info) {
  zx_handle_t vmo;
  zx_info_vmo_t v;
  zx_info_vmo_v1_t v1;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &v, sizeof(v), NULL, NULL));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO_V1, &v1, sizeof(v1), NULL, NULL));
  ASSERT_EQ(v.koid, v1.koid);
  ASSERT_EQ(v.size_bytes, v1.size_bytes);
  ASSERT_EQ(v.flags, v1.flags);
  ASSERT_EQ(v.handle_rights, v1.handle_rights);
  zx_handle_close(vmo);
}

// ZX_INFO_VMO is the latest record (176 bytes); each older version is
// answered with its own, shorter size, and a buffer of the older size is
// too small for the latest.
TEST(VmoTestCase, InfoVersionSizes) {
  zx_handle_t vmo;
  zx_info_vmo_t v;
  zx_info_vmo_v3_t v3;
  zx_info_vmo_v2_t v2;
  size_t actual, avail;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(sizeof(v), 176u);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, &v, sizeof(v3), &actual, &avail), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(actual, 0u);
  ASSERT_EQ(avail, 1u);
  memset(&v3, 0xAB, sizeof(v3));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO_V3, &v3, sizeof(v3), &actual, &avail));
  ASSERT_EQ(actual, 1u);
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO_V2, &v2, sizeof(v2), NULL, NULL));
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &v, sizeof(v), NULL, NULL));
  ASSERT_EQ(memcmp(&v, &v3, sizeof(v3)), 0);
  ASSERT_EQ(memcmp(&v, &v2, sizeof(v2)), 0);
  zx_handle_close(vmo);
}

static zx_info_vmo_t vmo_info(zx_handle_t vmo) {
  zx_info_vmo_t info;
  memset(&info, 0xCD, sizeof(info));
  EXPECT_OK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  return info;
}

// committed_bytes counts pages shared copy-on-write with snapshot relatives,
// committed_private_bytes only the unshared ones, and the scaled counts
// divide each shared page among its sharers (fraction: 63-bit fixed point).
// Nothing is compressed, so the populated_* counts equal the committed_*.
TEST(VmoTestCase, InfoAttribution) {
  zx_handle_t parent, c1, c2;
  const uint32_t one = 1;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &parent));
  ASSERT_OK(zx_vmo_write(parent, &one, 0, sizeof(one)));
  zx_info_vmo_t i = vmo_info(parent);
  ASSERT_EQ(i.committed_bytes, PAGE);
  ASSERT_EQ(i.committed_private_bytes, PAGE);
  ASSERT_EQ(i.committed_scaled_bytes, PAGE);
  ASSERT_EQ(i.committed_fractional_scaled_bytes, 0u);
  ASSERT_EQ(i.populated_bytes, PAGE);
  ASSERT_EQ(i.populated_private_bytes, PAGE);
  ASSERT_EQ(i.populated_scaled_bytes, PAGE);
  ASSERT_EQ(i.populated_fractional_scaled_bytes, 0u);

  // Three VMOs share the page: a third each.
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PAGE, &c1));
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PAGE, &c2));
  const uint64_t third = 3074457345618258602ull;  // (1 << 63) / 3, truncated
  zx_handle_t all[3] = {parent, c1, c2};
  for (int k = 0; k < 3; k++) {
    i = vmo_info(all[k]);
    ASSERT_EQ(i.committed_bytes, PAGE);
    ASSERT_EQ(i.committed_private_bytes, 0u);
    ASSERT_EQ(i.committed_scaled_bytes, PAGE / 3);
    ASSERT_EQ(i.committed_fractional_scaled_bytes, third);
    ASSERT_EQ(i.populated_scaled_bytes, PAGE / 3);
    ASSERT_EQ(i.populated_fractional_scaled_bytes, third);
  }

  // A write gives the writer its own copy; the other two still share.
  ASSERT_OK(zx_vmo_write(c2, &one, 0, sizeof(one)));
  i = vmo_info(c2);
  ASSERT_EQ(i.committed_private_bytes, PAGE);
  ASSERT_EQ(i.committed_scaled_bytes, PAGE);
  ASSERT_EQ(i.committed_fractional_scaled_bytes, 0u);
  i = vmo_info(parent);
  ASSERT_EQ(i.committed_bytes, PAGE);
  ASSERT_EQ(i.committed_private_bytes, 0u);
  ASSERT_EQ(i.committed_scaled_bytes, PAGE / 2);
  ASSERT_EQ(i.committed_fractional_scaled_bytes, 0u);

  // A slice's pages are its parent's: it reports none.
  zx_handle_t slice;
  ASSERT_OK(zx_vmo_create_child(c2, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice));
  i = vmo_info(slice);
  ASSERT_EQ(i.committed_bytes, 0u);
  ASSERT_EQ(i.populated_scaled_bytes, 0u);
  ASSERT_EQ(i.populated_fractional_scaled_bytes, 0u);
  zx_handle_close(slice);
  zx_handle_close(c2);
  zx_handle_close(c1);
  zx_handle_close(parent);
}

// An unbounded VMO has the largest size; its last chunk ends at 2^64, and
// reads, writes and snapshot clones reach its last pages.
TEST(VmoTestCase, UnboundedLastPages) {
  zx_handle_t vmo, clone;
  uint64_t size;
  static char buf[4 * 4096], check[4 * 4096];
  const size_t len = 4 * PAGE;
  ASSERT_OK(zx_vmo_create(42, ZX_VMO_UNBOUNDED, &vmo));
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  ASSERT_EQ(size, (uint64_t)0 - 32 * PAGE);  // ROUNDDOWN(UINT64_MAX, 32 pages)
  ASSERT_OK(zx_vmo_read(vmo, check, size - len, len));
  ASSERT_EQ(zx_vmo_read(vmo, check, size, len), ZX_ERR_OUT_OF_RANGE);
  memset(buf, 0x5A, sizeof(buf));
  ASSERT_OK(zx_vmo_write(vmo, buf, size - len, len));
  ASSERT_EQ(zx_vmo_write(vmo, buf, size, len), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_read(vmo, check, size - len, len));
  ASSERT_EQ(memcmp(buf, check, len), 0);
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, size, &clone));
  memset(check, 0, sizeof(check));
  ASSERT_OK(zx_vmo_read(clone, check, size - len, len));
  ASSERT_EQ(memcmp(buf, check, len), 0);
  // The clone's write copies the shared last chunk; the parent keeps its data.
  memset(check, 0x11, sizeof(check));
  ASSERT_OK(zx_vmo_write(clone, check, size - PAGE, PAGE));
  ASSERT_OK(zx_vmo_read(vmo, check, size - len, len));
  ASSERT_EQ(memcmp(buf, check, len), 0);
  zx_handle_close(clone);
  zx_handle_close(vmo);
}

// Slice arguments are checked in Zircon's order: offset alignment, the size
// (OUT_OF_RANGE past the largest VMO), containment (a wrapping range is not
// contained: INVALID_ARGS), and only then the parent's resizability.
TEST(VmoTestCase, SliceArgumentOrder) {
  zx_handle_t vmo, child;
  const uint64_t nearly_max = UINT64_MAX - PAGE + 1;
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 1, UINT64_MAX, &child), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, UINT64_MAX, &child), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, nearly_max, &child), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, 3 * PAGE, &child), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, PAGE, 2 * PAGE, &child), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, nearly_max, PAGE, &child), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &child), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(vmo);
}

// zx_cache_flush runs in the vDSO: bad option combinations are
// INVALID_ARGS; the valid ones flush read-only and writable mappings, also
// of pages never touched.
TEST(VmoTestCase, CacheFlush) {
  zx_handle_t vmo;
  uintptr_t ro, rw;
  const size_t size = 8 * PAGE;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, size, &ro));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &rw));
  const uint32_t bad[5] = {0, ZX_CACHE_FLUSH_INVALIDATE, ZX_CACHE_FLUSH_INSN | ZX_CACHE_FLUSH_INVALIDATE, 1u << 3,
                           ~0u};
  for (int i = 0; i < 5; i++)
    ASSERT_EQ(zx_cache_flush((void*)ro, size, bad[i]), ZX_ERR_INVALID_ARGS, "options %#x", bad[i]);
  const uint32_t good[5] = {ZX_CACHE_FLUSH_INSN, ZX_CACHE_FLUSH_DATA, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN,
                            ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE,
                            ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN};
  memset((void*)rw, 0x42, PAGE);  // one page committed, the rest untouched
  for (int i = 0; i < 5; i++) {
    ASSERT_OK(zx_cache_flush((void*)rw, size, good[i]), "options %#x", good[i]);
    ASSERT_OK(zx_cache_flush((void*)(ro + 3), size - 3, good[i]), "options %#x", good[i]);
  }
  ASSERT_OK(zx_cache_flush((void*)ro, 0, ZX_CACHE_FLUSH_DATA));
  ASSERT_EQ(((volatile uint8_t*)ro)[PAGE - 1], 0x42);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), rw, size));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ro, size));
  zx_handle_close(vmo);
}

// metadata_bytes counts the host memory tracking a VMO's pages: none until
// a page is committed, some after, none for a slice (its pages are its
// parent's).
TEST(VmoTestCase, MetadataBytes) {
  zx_handle_t vmo, slice;
  const uint32_t one = 1;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(vmo_info(vmo).metadata_bytes, 0u);
  ASSERT_OK(zx_vmo_write(vmo, &one, 0, sizeof(one)));
  ASSERT_NE(vmo_info(vmo).metadata_bytes, 0u);
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice));
  ASSERT_EQ(vmo_info(slice).metadata_bytes, 0u);
  zx_handle_close(slice);
  zx_handle_close(vmo);
}

// Finds the mapping at `addr` among this process's ZX_INFO_PROCESS_MAPS
// records of `size` bytes (the latest or an older version).
static const uint8_t* find_map(uint32_t topic, size_t size, uintptr_t addr, uint8_t* buf, size_t buf_size) {
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), topic, buf, buf_size, &actual, &avail) != ZX_OK) return NULL;
  for (size_t i = 0; i < actual; i++) {
    const zx_info_maps_t* m = (const zx_info_maps_t*)(buf + i * size);
    if (m->type == ZX_INFO_MAPS_TYPE_MAPPING && m->base == addr) return buf + i * size;
  }
  return NULL;
}

// ZX_INFO_PROCESS_MAPS is the latest record (152 bytes, byte counts with
// their sharing); v2 (104 bytes) counts committed and populated pages, v1
// (96 bytes) committed pages.
TEST(VmoTestCase, ProcessMapsVersions) {
  zx_handle_t vmo, clone;
  uintptr_t addr;
  static uint8_t buf[256 * 152];
  ASSERT_EQ(sizeof(zx_info_maps_t), 152u);
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  const uint32_t one = 1;
  ASSERT_OK(zx_vmo_write(vmo, &one, 0, sizeof(one)));
  ASSERT_OK(zx_vmo_write(vmo, &one, 2 * PAGE, sizeof(one)));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PAGE, &clone));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4 * PAGE, &addr));

  const zx_info_maps_t* m = (const zx_info_maps_t*)find_map(ZX_INFO_PROCESS_MAPS, 152, addr, buf, sizeof(buf));
  ASSERT_NOT_NULL(m);
  EXPECT_EQ(m->size, 4 * PAGE);
  EXPECT_EQ(m->u.mapping.committed_bytes, 2 * PAGE);
  EXPECT_EQ(m->u.mapping.populated_bytes, 2 * PAGE);
  // Both pages are shared with the clone: none private, half of each.
  EXPECT_EQ(m->u.mapping.committed_private_bytes, 0u);
  EXPECT_EQ(m->u.mapping.committed_scaled_bytes, PAGE);
  EXPECT_EQ(m->u.mapping.populated_scaled_bytes, PAGE);
  EXPECT_EQ(m->u.mapping.committed_fractional_scaled_bytes, 0u);

  const zx_info_maps_v2_t* m2 =
      (const zx_info_maps_v2_t*)find_map(ZX_INFO_PROCESS_MAPS_V2, 104, addr, buf, sizeof(buf));
  ASSERT_NOT_NULL(m2);
  EXPECT_EQ(m2->u.mapping.committed_pages, 2u);
  EXPECT_EQ(m2->u.mapping.populated_pages, 2u);
  const zx_koid_t koid = m2->u.mapping.vmo_koid;
  const zx_info_maps_v1_t* m1 =
      (const zx_info_maps_v1_t*)find_map(ZX_INFO_PROCESS_MAPS_V1, 96, addr, buf, sizeof(buf));
  ASSERT_NOT_NULL(m1);
  EXPECT_EQ(m1->u.mapping.committed_pages, 2u);
  EXPECT_EQ(m1->u.mapping.vmo_koid, koid);

  // After the clone goes the pages are the mapped VMO's alone.
  zx_handle_close(clone);
  m = (const zx_info_maps_t*)find_map(ZX_INFO_PROCESS_MAPS, 152, addr, buf, sizeof(buf));
  ASSERT_NOT_NULL(m);
  EXPECT_EQ(m->u.mapping.committed_private_bytes, 2 * PAGE);
  EXPECT_EQ(m->u.mapping.committed_scaled_bytes, 2 * PAGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, NoWriteResizable) {
  zx_handle_t vmo, child;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  const uint32_t kinds[3] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, ZX_VMO_CHILD_SLICE};
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(zx_vmo_create_child(vmo, kinds[i] | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0, PAGE, &child),
              ZX_ERR_INVALID_ARGS);
  }
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, PAGE, &child));
  zx_handle_close(child);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, OpOutOfBounds) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  const uint32_t ops[7] = {ZX_VMO_OP_COMMIT, ZX_VMO_OP_DECOMMIT, ZX_VMO_OP_ZERO, ZX_VMO_OP_CACHE_SYNC,
                           ZX_VMO_OP_CACHE_INVALIDATE, ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE};
  for (int i = 0; i < 7; i++)
    ASSERT_EQ(zx_vmo_op_range(vmo, ops[i], 0, 2 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE, "op %u", ops[i]);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, LockUnlockNonDiscardable) {
  zx_handle_t vmo;
  zx_vmo_lock_state_t st;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, PAGE, &st, sizeof(st)), ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(vmo);
}

// A discardable VMO locks and unlocks as a whole; with nothing reclaiming
// in between (discardable_test.c forces that), a lock reports nothing
// discarded and the contents stay.
TEST(VmoTestCase, LockUnlockDiscardable) {
  zx_handle_t vmo, ro, none;
  zx_vmo_lock_state_t st;
  uint64_t small;
  const uint32_t v = 0x1234;
  uint32_t back = 0;
  ASSERT_OK(zx_vmo_create(3 * PAGE, ZX_VMO_DISCARDABLE, &vmo));
  // Only the whole VMO, and LOCK needs a whole zx_vmo_lock_state_t to fill.
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, PAGE, 2 * PAGE, &st, sizeof(st)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 4 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 3 * PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 3 * PAGE, &small, sizeof(small)), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 3 * PAGE, NULL, sizeof(st)), ZX_ERR_INVALID_ARGS);
  // The failed LOCKs were undone: nothing is locked.
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0), ZX_ERR_BAD_STATE);
  memset(&st, 0xff, sizeof(st));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, 3 * PAGE, &st, sizeof(st)));
  ASSERT_EQ(st.offset, 0u);
  ASSERT_EQ(st.size, 3 * PAGE);
  ASSERT_EQ(st.discarded_offset, 0u);
  ASSERT_EQ(st.discarded_size, 0u);
  ASSERT_OK(zx_vmo_write(vmo, &v, 0, sizeof(v)));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, 3 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, 3 * PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_read(vmo, &back, 0, sizeof(back)));
  ASSERT_EQ(back, v);
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0));
  // READ or WRITE is enough; neither is ACCESS_DENIED.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_OK(zx_vmo_op_range(ro, ZX_VMO_OP_LOCK, 0, 3 * PAGE, &st, sizeof(st)));
  ASSERT_OK(zx_vmo_op_range(ro, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_DUPLICATE, &none));
  ASSERT_EQ(zx_vmo_op_range(none, ZX_VMO_OP_TRY_LOCK, 0, 3 * PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmo_op_range(none, ZX_VMO_OP_UNLOCK, 0, 3 * PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(none);
  zx_handle_close(ro);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ProtectToWrite) {
  zx_handle_t vmo;
  uintptr_t ptr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * PAGE, &ptr));
  *(volatile uint8_t*)ptr = 1;
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, ptr, 2 * PAGE));
  ASSERT_EQ(*(volatile uint8_t*)ptr, 1);
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, ptr, 2 * PAGE));
  *(volatile uint8_t*)ptr = 2;
  *(volatile uint8_t*)(ptr + PAGE) = 3;
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), ptr, 2 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, Prefetch) {
  zx_handle_t vmo, dup;
  const uint64_t size = 2 * PAGE;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, 0, PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, 0, 0, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, 4, 2, NULL, 0));
  ASSERT_OK(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, PAGE - 1, 2, NULL, 0));
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, 0, size + PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_PREFETCH, size + PAGE, 0, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_WRITE, &dup));
  ASSERT_EQ(zx_vmo_op_range(dup, ZX_VMO_OP_PREFETCH, 0, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(dup);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, WrongTypeBeatsRights) {
  zx_handle_t process_dup;
  uint8_t b;
  ASSERT_OK(zx_handle_duplicate(zx_process_self(), 0, &process_dup));
  ASSERT_EQ(zx_vmo_read(process_dup, &b, 0, 1), ZX_ERR_WRONG_TYPE);
  zx_handle_close(process_dup);
}
