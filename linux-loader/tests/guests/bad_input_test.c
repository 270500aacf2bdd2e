// Hostile input to every supported syscall: wild pointers, unaligned and
// overflowing sizes, closed, wrong-type and rights-stripped handles. Each call
// must return Zircon's exact error and change nothing.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())

// An address inside no mapping (the very top of the canonical half) and a
// kernel-half address: neither may ever be touched by the emulator.
static void* const kWild = (void*)0x7fffffffe000ul;
static void* const kKernel = (void*)0xffffff8000001000ul;
static const zx_handle_t kBogus = 0x7fffff03u;

static zx_handle_t closed_handle(void) {
  zx_handle_t h;
  zx_vmo_create(PAGE, 0, &h);
  zx_handle_close(h);
  return h;
}

static size_t handle_count(void) {
  // Count handles by probing: duplicate the process handle and see its
  // value is fresh; cheaper: rely on ZX_INFO_HANDLE_VALID of known handles.
  return 0;
}

TEST(BadInput, HandleClose) {
  ASSERT_OK(zx_handle_close(ZX_HANDLE_INVALID));
  ASSERT_EQ(zx_handle_close(kBogus), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_handle_close(closed_handle()), ZX_ERR_BAD_HANDLE);
  zx_handle_t many[3];
  ASSERT_OK(zx_vmo_create(PAGE, 0, &many[0]));
  many[1] = kBogus;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &many[2]));
  ASSERT_EQ(zx_handle_close_many(many, 3), ZX_ERR_BAD_HANDLE);
  // The valid ones were closed anyway.
  ASSERT_EQ(zx_handle_close(many[0]), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_handle_close(many[2]), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_handle_close_many((zx_handle_t*)kWild, 2), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_handle_close_many((zx_handle_t*)kKernel, 2), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_handle_close_many(many, SIZE_MAX / 2), ZX_ERR_INVALID_ARGS);
  // Huge counts whose byte size does not overflow: the array is read a
  // batch at a time, so they end at the first unreadable batch instead of
  // costing the host memory (found by the syscall fuzzer).
  ASSERT_EQ(zx_handle_close_many(NULL, 1ull << 40), ZX_ERR_INVALID_ARGS);
  // A readable page of ZX_HANDLE_INVALID with a guaranteed hole after it.
  zx_handle_t vmar, vmo;
  zx_vaddr_t base, page;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             2 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE, &page));
  ASSERT_EQ(zx_handle_close_many((zx_handle_t*)page, 1ull << 59), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  ASSERT_OK(zx_handle_close_many(NULL, 0));
  (void)handle_count;
}

TEST(BadInput, HandleDuplicateReplace) {
  zx_handle_t vmo, dup, out = 123;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_handle_duplicate(kBogus, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(out, 123u);
  ASSERT_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)kKernel), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_RESIZE, &dup), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &dup));
  ASSERT_EQ(zx_handle_duplicate(dup, ZX_RIGHT_SAME_RIGHTS, &out), ZX_ERR_ACCESS_DENIED);
  // Replace always invalidates the original, even when it fails (Zircon);
  // a bad out pointer takes the replacement too.
  ASSERT_EQ(zx_handle_replace(dup, ZX_RIGHT_WRITE, &out), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_info(dup, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &dup));
  uint32_t before = 0;
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_HANDLE_COUNT, &before, sizeof(before), NULL, NULL));
  ASSERT_EQ(zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_info(dup, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
  uint32_t after = 0;
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_HANDLE_COUNT, &after, sizeof(after), NULL, NULL));
  ASSERT_EQ(after, before - 1);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &dup));
  ASSERT_OK(zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, &out));
  ASSERT_EQ(zx_object_get_info(dup, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_handle_close(out));
  ASSERT_OK(zx_handle_close(vmo));
}

TEST(BadInput, HandleValuesLookRight) {
  zx_handle_t a, b;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &a));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &b));
  ASSERT_EQ(a & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  ASSERT_EQ(b & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  ASSERT_NE(a, b);
  zx_handle_close(a);
  zx_handle_t c;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &c));
  ASSERT_NE(c, a, "a closed value is not reused at once");
  zx_handle_close(b);
  zx_handle_close(c);
}

TEST(BadInput, GetInfo) {
  zx_handle_t vmo;
  zx_info_vmo_t info;
  size_t actual, avail;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_object_get_info(kBogus, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, kWild, sizeof(info), NULL, NULL), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, kKernel, sizeof(info), NULL, NULL), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), (size_t*)kWild, NULL), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_object_get_info(vmo, 0x7777, &info, sizeof(info), NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_object_get_info(vmo, ZX_INFO_VMO, &info, 8, &actual, &avail), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(actual, 0u);
  ASSERT_EQ(avail, 1u);
  zx_handle_t noinspect;
  ASSERT_OK(zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_READ, &noinspect));
  zx_info_vmar_t vi;
  ASSERT_EQ(zx_object_get_info(noinspect, ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(noinspect);
  zx_handle_close(vmo);
}

TEST(BadInput, Properties) {
  zx_handle_t vmo, ro;
  char name[ZX_MAX_NAME_LEN];
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_object_get_property(vmo, ZX_PROP_NAME, name, 8), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(zx_object_get_property(vmo, ZX_PROP_NAME, kWild, sizeof(name)), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_set_property(vmo, ZX_PROP_NAME, kKernel, 8), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_get_property(vmo, 0x7777, name, sizeof(name)), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_EQ(zx_object_get_property(ro, ZX_PROP_NAME, name, sizeof(name)), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_object_set_property(ro, ZX_PROP_NAME, "x", 1), ZX_ERR_ACCESS_DENIED);
  // Names longer than 31 bytes are truncated.
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, "0123456789012345678901234567890123456789", 40));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ASSERT_EQ(strlen(name), 31u);
  zx_handle_close(ro);
  zx_handle_close(vmo);
}

TEST(BadInput, VmoCalls) {
  zx_handle_t vmo, ro, out = 7;
  uint8_t buf[16];
  ASSERT_EQ(zx_vmo_create(PAGE, 0, (zx_handle_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create(UINT64_MAX, 0, &out), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_create(PAGE, 1u << 30, &out), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(out, 7u);
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmo_read(kBogus, buf, 0, 1), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_vmo_read(zx_vmar_root_self(), buf, 0, 1), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmo_read(vmo, kWild, 0, 16), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_vmo_read(vmo, kKernel, 0, 16), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_vmo_write(vmo, kWild, 0, 16), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_vmo_read(vmo, buf, 0, SIZE_MAX), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_write(vmo, buf, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_get_size(vmo, (uint64_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_set_size(vmo, 2 * PAGE), ZX_ERR_UNAVAILABLE);
  ASSERT_EQ(zx_vmo_op_range(vmo, 0x7777, 0, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, UINT64_MAX, 2, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmo_create_child(ro, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &out), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, (zx_handle_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 1, PAGE, &out), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX, &out), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmo_create_child(vmo, 1u << 20, 0, PAGE, &out), ZX_ERR_INVALID_ARGS);
  // A bad VMEX handle fails the call, but the VMO handle is consumed (as in
  // Zircon): use a duplicate.
  zx_handle_t dup;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_EQ(zx_vmo_replace_as_executable(dup, kBogus, &out), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_handle_close(dup), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_vmo_replace_as_executable(zx_vmar_root_self(), ZX_HANDLE_INVALID, &out), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_vmo_set_cache_policy(vmo, 99), ZX_ERR_INVALID_ARGS);
  // Nothing changed: the VMO still reads zero and is one page.
  uint64_t size;
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  ASSERT_EQ(size, PAGE);
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof(buf)));
  for (size_t i = 0; i < sizeof(buf); i++) ASSERT_EQ(buf[i], 0);
  zx_handle_close(ro);
  zx_handle_close(vmo);
}

TEST(BadInput, VmoBufferPermissions) {
  zx_handle_t vmo, buf_vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &buf_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, buf_vmo, 0, PAGE, &addr));
  // Reading the VMO into a read-only buffer: the kernel's store faults.
  ASSERT_EQ(zx_vmo_read(vmo, (void*)addr, 0, 16), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmo_write(vmo, (void*)addr, 0, 16));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), 0, addr, PAGE));
  ASSERT_EQ(zx_vmo_write(vmo, (void*)addr, 0, 16), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
  zx_handle_close(buf_vmo);
}

TEST(BadInput, VmarCalls) {
  zx_handle_t vmo, out = 9;
  uintptr_t addr = 5;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_EQ(zx_vmar_allocate(kBogus, ZX_VM_CAN_MAP_READ, 0, PAGE, &out, &addr), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ, 0, PAGE, (zx_handle_t*)kWild, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ, 0, PAGE, &out, (uintptr_t*)kWild),
            ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(out, 9u);
  ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, (uintptr_t*)kWild), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, kBogus, 0, PAGE, &addr), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_vmar_map(kBogus, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_vmar_unmap(zx_vmar_root_self(), 0, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_unmap(zx_vmar_root_self(), (uintptr_t)kKernel, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_unmap(zx_vmar_root_self(), UINTPTR_MAX & ~(PAGE - 1), 2 * PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, (uintptr_t)kKernel, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_COMMIT, (uintptr_t)kKernel, PAGE, NULL, 0),
            ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_vmar_destroy(zx_vmar_root_self()), ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_vmar_destroy(vmo), ZX_ERR_WRONG_TYPE);
  zx_handle_close(vmo);
}

TEST(BadInput, ProcessCalls) {
  zx_handle_t p = 1, v = 1;
  uint8_t b[8];
  size_t actual;
  ASSERT_EQ(zx_process_create(zx_job_default(), "x", 1, 7, &p, &v), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_create(zx_job_default(), NULL, 1, 0, &p, &v), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_create(kBogus, "x", 1, 0, &p, &v), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_process_create(zx_vmar_root_self(), "x", 1, 0, &p, &v), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_process_create(zx_job_default(), kWild, 4, 0, &p, &v), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_create(zx_job_default(), "x", 1, 0, (zx_handle_t*)kWild, &v), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(p, 1u);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), (uintptr_t)kWild, b, 1, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), (uintptr_t)kKernel, b, 1, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), (uintptr_t)b, b, 0, &actual), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_read_memory(zx_process_self(), (uintptr_t)b, kWild, 1, &actual), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_write_memory(zx_process_self(), (uintptr_t)kKernel, b, 1, &actual), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_process_write_memory(zx_process_self(), (uintptr_t)b, kWild, 1, &actual), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_process_read_memory(zx_vmar_root_self(), (uintptr_t)b, b, 1, &actual), ZX_ERR_WRONG_TYPE);
}

TEST(BadInput, ChannelCalls) {
  zx_handle_t a, b, vmo, ro;
  uint32_t nb, nh;
  uint8_t buf[8];
  ASSERT_EQ(zx_channel_create(1, &a, &b), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_EQ(zx_channel_read(a, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  ASSERT_EQ(zx_channel_write(a, 0, kWild, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_channel_write(a, 0, buf, ZX_CHANNEL_MAX_MSG_BYTES + 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_channel_write(a, 0, "hello", 5, NULL, 0));
  ASSERT_EQ(zx_channel_read(b, 0, buf, NULL, 2, 0, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  ASSERT_EQ(nb, 5u);
  ASSERT_OK(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh));
  ASSERT_EQ(nb, 5u);
  ASSERT_EQ(memcmp(buf, "hello", 5), 0);
  // A handle without TRANSFER cannot move, and is consumed anyway.
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_EQ(zx_channel_write(a, 0, buf, 1, &ro, 1), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_handle_close(ro), ZX_ERR_BAD_HANDLE);
  // Channel handles cannot be duplicated (no ZX_RIGHT_DUPLICATE).
  zx_handle_t dup;
  ASSERT_EQ(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &dup), ZX_ERR_ACCESS_DENIED);
  // Handles do move, with their rights.
  ASSERT_OK(zx_channel_write(a, 0, buf, 1, &vmo, 1));
  zx_handle_t got;
  ASSERT_OK(zx_channel_read(b, 0, buf, &got, sizeof(buf), 1, &nb, &nh));
  ASSERT_EQ(nh, 1u);
  uint64_t size;
  ASSERT_OK(zx_vmo_get_size(got, &size));
  zx_handle_close(got);
  // A channel cannot be sent through itself; the handle is consumed.
  ASSERT_EQ(zx_channel_write(a, 0, buf, 1, &a, 1), ZX_ERR_NOT_SUPPORTED);
  ASSERT_EQ(zx_handle_close(a), ZX_ERR_BAD_HANDLE);
  // The peer sees PEER_CLOSED once the queue is empty.
  ASSERT_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_PEER_CLOSED);
  zx_handle_close(b);
  ASSERT_EQ(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_ERR_BAD_HANDLE);
}

TEST(BadInput, DebugWriteAndClock) {
  ASSERT_EQ(zx_debug_write(kWild, 4), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_debug_write(kKernel, 4), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_debug_write("", 0));
  zx_time_t t0 = zx_clock_get_monotonic();
  ASSERT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(2))));
  ASSERT_GE(zx_clock_get_monotonic() - t0, ZX_MSEC(2));
  ASSERT_OK(zx_nanosleep(0));
  ASSERT_GE(zx_system_get_num_cpus(), 1u);
}

// The vDSO's code cannot be unmapped, protected or range-op'd (Fuchsia
// refuses with ACCESS_DENIED), however the request reaches it.
TEST(BadInput, VdsoIsImmutable) {
  uintptr_t base = 0;
  ASSERT_OK(zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &base, sizeof(base)));
  ASSERT_NE(base, 0u);
  // Find the executable segment from the vDSO's own program headers.
  const uint8_t* ehdr = (const uint8_t*)base;
  ASSERT_EQ(memcmp(ehdr, "\x7f" "ELF", 4), 0);
  uint64_t phoff;
  uint16_t phentsize, phnum;
  memcpy(&phoff, ehdr + 32, 8);
  memcpy(&phentsize, ehdr + 54, 2);
  memcpy(&phnum, ehdr + 56, 2);
  uintptr_t code = 0;
  size_t code_len = 0;
  for (uint16_t i = 0; i < phnum; i++) {
    const uint8_t* ph = ehdr + phoff + (size_t)i * phentsize;
    uint32_t type, flags;
    uint64_t vaddr, memsz;
    memcpy(&type, ph, 4);
    memcpy(&flags, ph + 4, 4);
    memcpy(&vaddr, ph + 16, 8);
    memcpy(&memsz, ph + 40, 8);
    if (type == 1 && (flags & 1)) {
      code = base + vaddr;
      code_len = (memsz + PAGE - 1) & ~(PAGE - 1);
    }
  }
  ASSERT_NE(code, 0u);
  ASSERT_EQ(zx_vmar_unmap(zx_vmar_root_self(), code, code_len), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmar_unmap(zx_vmar_root_self(), base, code - base + code_len), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, code, code_len), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_MAP_RANGE, code, code_len, NULL, 0),
            ZX_ERR_ACCESS_DENIED);
  // Still callable.
  ASSERT_EQ(zx_system_get_page_size(), 4096u);
  uint32_t small;
  ASSERT_EQ(zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &small, sizeof(small)),
            ZX_ERR_BUFFER_TOO_SMALL);
}

TEST(BadInput, HostAndForeignPointers) {
  // The vDSO's stubs jump through a slot holding the emulator's entry point:
  // an address of the host's own code, readable host memory the guest can
  // name. (Stub: mov $NUM, %eax; jmp *slot(%rip).)
  const uint8_t* stub = (const uint8_t*)(uintptr_t)&zx_handle_close;
  ASSERT_EQ(stub[0], 0xb8);
  ASSERT_EQ(stub[5], 0xff);
  ASSERT_EQ(stub[6], 0x25);
  int32_t rel;
  memcpy(&rel, stub + 7, sizeof(rel));
  uint64_t host_code;
  memcpy(&host_code, stub + 11 + rel, sizeof(host_code));
  void* host = (void*)(uintptr_t)host_code;

  // Syscalls never read or write host memory for the guest: to them it is
  // an address with no mapping (VMO reads and writes report the fault's
  // status, other copies INVALID_ARGS, as for any unmapped address).
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_EQ(zx_vmo_write(vmo, host, 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(zx_vmo_read(vmo, host, 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(zx_vmo_get_size(vmo, (uint64_t*)host), ZX_ERR_INVALID_ARGS);
  uint8_t zeros[16] = {0}, buf[16];
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, sizeof(buf)));
  EXPECT_EQ(memcmp(buf, zeros, sizeof(buf)), 0);

  // Nor another process's memory, though it lies in the same host address
  // space.
  zx_handle_t proc, vmar, other_vmo;
  ASSERT_OK(zx_process_create(zx_job_default(), "other", 5, 0, &proc, &vmar));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &other_vmo));
  zx_vaddr_t other;
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, other_vmo, 0, PAGE, &other));
  const uint8_t pattern[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  size_t actual;
  ASSERT_OK(zx_process_write_memory(proc, other, pattern, sizeof(pattern), &actual));
  ASSERT_OK(zx_vmo_write(vmo, pattern, 0, sizeof(pattern)));
  EXPECT_EQ(zx_vmo_read(vmo, (void*)other, 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(zx_vmo_write(vmo, (void*)other, 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(zx_vmo_get_size(vmo, (uint64_t*)other), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmo_read(other_vmo, buf, 0, sizeof(buf)));
  EXPECT_EQ(memcmp(buf, pattern, sizeof(buf)), 0);
  zx_handle_close(other_vmo);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_handle_close(vmo);
}
