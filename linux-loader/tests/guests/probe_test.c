// Ports of the Fuchsia core-test cases (zircon/system/utest/core/vmar/vmar.cc
// and vmo/vmo.cc) whose checks need fault probes, plus tests of the probes
// themselves. Each ported test keeps Fuchsia's suite and name; the
// expectations are the ones listed in docs/zircon-semantics.md ("Fault-probe
// convention"): probe_for_read/probe_for_write report ZX_OK when the access
// works, ZX_ERR_ACCESS_DENIED for a permission fault, ZX_ERR_OUT_OF_RANGE past
// the VMO's size (or stream size) inside a mapping and ZX_ERR_NOT_FOUND where
// nothing is mapped.
//
// The emulator has no zx_vmo_get/set_stream_size; the FaultBeyond* cases set
// the stream size through ZX_PROP_VMO_CONTENT_SIZE instead, which on Zircon
// is the same size (FaultBeyondReducedStreamSize itself uses it as the
// "legacy" way to shrink the stream). The zeroing that zx_vmo_set_stream_size
// does is not checked, and FaultBeyondStreamSizeRange (op_range only, no
// probes) is not ported.
#include <lib/fzl/memory-probe.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())

static void* at(uintptr_t addr) { return (void*)addr; }

// Sets the VMO's stream size, standing in for zx_vmo_set_stream_size.
static zx_status_t set_stream_size(zx_handle_t vmo, uint64_t size) {
  return zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size));
}

// ---- The probes themselves -------------------------------------------------

TEST(Probe, MappedMemoryIsAccessible) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        2 * PAGE, &addr));
  // Uncommitted and committed pages alike.
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_OK(probe_for_write(at(addr + PAGE + PAGE - 1)));
  *(volatile uint8_t*)addr = 1;
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_OK(probe_for_write(at(addr)));
  // The caller's own stack.
  volatile uint8_t local = 5;
  EXPECT_OK(probe_for_read((const void*)&local));
  EXPECT_OK(probe_for_write((void*)&local));
  EXPECT_EQ(local, 5);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  zx_handle_close(vmo);
}

TEST(Probe, NotFoundInHoleOfRootVmar) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        3 * PAGE, &addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr + PAGE, PAGE));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(addr + PAGE)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE - 1)), ZX_ERR_NOT_FOUND);
  EXPECT_OK(probe_for_write(at(addr + 2 * PAGE)));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 3 * PAGE));
  // Once the whole mapping is gone, all of it is a hole.
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(addr + 2 * PAGE)), ZX_ERR_NOT_FOUND);
  zx_handle_close(vmo);
}

TEST(Probe, NotFoundInEmptySubVmar) {
  zx_handle_t vmar;
  uintptr_t base;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             4 * PAGE, &vmar, &base));
  EXPECT_STATUS(probe_for_read(at(base)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(base + 3 * PAGE)), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_vmar_destroy(vmar));
  EXPECT_STATUS(probe_for_read(at(base)), ZX_ERR_NOT_FOUND);
  zx_handle_close(vmar);
}

TEST(Probe, NotFoundOutsideRootVmar) {
  zx_info_vmar_t info;
  ASSERT_OK(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &info, sizeof(info), NULL,
                               NULL));
  EXPECT_STATUS(probe_for_read(NULL), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(NULL), ZX_ERR_NOT_FOUND);
  // Just below the root VMAR (at 2 MiB on Zircon x86; the emulator puts each
  // process's root VMAR in its own window of the host address space).
  ASSERT_GE(info.base, PAGE);
  EXPECT_STATUS(probe_for_read(at(info.base - PAGE)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(info.base - 1)), ZX_ERR_NOT_FOUND);
  // Past its end, at the last page of the canonical lower half and far away
  // from anything the guest was given.
  const uintptr_t end = info.base + info.len;
  EXPECT_STATUS(probe_for_read(at(end)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(end)), ZX_ERR_NOT_FOUND);
  const uintptr_t top = ((uintptr_t)1 << 47) - PAGE;
  if (top >= end) {
    EXPECT_STATUS(probe_for_read(at(top)), ZX_ERR_NOT_FOUND);
    EXPECT_STATUS(probe_for_write(at(top)), ZX_ERR_NOT_FOUND);
  }
}

// Another process's memory is not ours: an address mapped (and populated)
// only in a second process is a hole here.
TEST(Probe, NotFoundForOtherProcessMapping) {
  static const char kName[] = "probe-other";
  zx_handle_t process, vmar, vmo;
  uintptr_t addr;
  ASSERT_OK(zx_process_create(zx_job_default(), kName, sizeof(kName) - 1, 0, &process, &vmar));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &addr));
  uint8_t b = 0x42;
  size_t actual;
  ASSERT_OK(zx_process_write_memory(process, addr, &b, 1, &actual));
  ASSERT_OK(zx_process_read_memory(process, addr, &b, 1, &actual));
  ASSERT_EQ(b, 0x42);
  // Nothing of ours is there (else the check below proves nothing).
  ASSERT_STATUS(zx_process_read_memory(zx_process_self(), addr, &b, 1, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_NOT_FOUND);
  zx_handle_close(vmo);
  zx_handle_close(vmar);
  zx_handle_close(process);
}

TEST(Probe, ReadOnlyMappingDeniesOnlyWrites) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(probe_for_read(at(addr + PAGE - 1)));
  EXPECT_STATUS(probe_for_write(at(addr + PAGE - 1)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
  // The guest's own code is mapped R|X: readable, not writable.
  EXPECT_OK(probe_for_read((const void*)&probe_for_read));
  EXPECT_STATUS(probe_for_write((void*)&probe_for_read), ZX_ERR_ACCESS_DENIED);
}

TEST(Probe, ProbesLeaveMemoryUnchanged) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE,
                        &addr));
  volatile uint8_t* p = (volatile uint8_t*)addr;
  for (size_t i = 0; i < PAGE; i++) p[i] = (uint8_t)(i * 7 + 3);
  // Every byte in a few runs across the page: its start, the middle and the
  // end, at odd and even offsets.
  const size_t starts[] = {0, 1, PAGE / 2 - 1, PAGE - 64};
  for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
    for (size_t i = starts[s]; i < starts[s] + 64 && i < PAGE; i++) {
      ASSERT_OK(probe_for_write(at(addr + i)), "offset %zu", i);
      ASSERT_OK(probe_for_read(at(addr + i)), "offset %zu", i);
    }
  }
  for (size_t i = 0; i < PAGE; i++) {
    ASSERT_EQ(p[i], (uint8_t)(i * 7 + 3), "offset %zu", i);
  }
  uint8_t b;
  ASSERT_OK(zx_vmo_read(vmo, &b, 100, 1));
  ASSERT_EQ(b, (uint8_t)(100 * 7 + 3));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

// ---- vmo.cc ----------------------------------------------------------------

TEST(VmoTestCase, ReadOnlyMap) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, NoPermMap) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), 0, addr, PAGE));
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, NoPermProtect) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), 0, 0, vmo, 0, PAGE, &addr));
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, PAGE));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, GrowMappedVmo) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        8 * PAGE, &addr));
  // Before growing, the mapping's tail lies past the VMO's end.
  EXPECT_OK(probe_for_write(at(addr + PAGE)));
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr + 5 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  const size_t new_size = 6 * PAGE + PAGE / 2;
  ASSERT_OK(zx_vmo_set_size(vmo, new_size));
  // The VMO now covers pages 0..6 (the last one partly: the size rounds up).
  for (size_t i = 0; i < 7; i++) {
    EXPECT_OK(probe_for_read(at(addr + i * PAGE)), "page %zu", i);
    EXPECT_OK(probe_for_write(at(addr + i * PAGE)), "page %zu", i);
  }
  EXPECT_OK(probe_for_write(at(addr + new_size + 16)));
  EXPECT_STATUS(probe_for_read(at(addr + 7 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr + 7 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  volatile uint8_t* p = (volatile uint8_t*)addr;
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
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 8 * PAGE));
  zx_handle_close(vmo);
}

TEST(VmoTestCase, MappedVmoSmallerThanMapping) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        2 * PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_OK(probe_for_write(at(addr)));
  EXPECT_OK(probe_for_write(at(addr + PAGE - 1)));
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE - 1)), ZX_ERR_OUT_OF_RANGE);
  // The same through process memory, in contrast with an unmapped address.
  uint8_t b = 0;
  size_t actual;
  EXPECT_STATUS(zx_process_read_memory(zx_process_self(), addr + PAGE, &b, 1, &actual),
                ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(zx_process_read_memory(zx_process_self(), addr + PAGE, &b, 1, &actual),
                ZX_ERR_NOT_FOUND);
  zx_handle_close(vmo);
}

TEST(VmoTestCase, ResizeHazard) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        2 * PAGE, &addr));
  *(volatile uint8_t*)addr = 1;
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_OK(probe_for_write(at(addr + PAGE)));
  ASSERT_OK(zx_vmo_set_size(vmo, 0));
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  zx_handle_close(vmo);
}

// ---- vmar.cc ---------------------------------------------------------------

TEST(Vmar, ProtectOverDemandPagedTest) {
  const size_t size = 100 * PAGE;
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size,
                        &addr));
  volatile uint8_t* p = (volatile uint8_t*)addr;
  for (size_t i = 0; i < size; i += PAGE) p[i] = 0x55;
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, size));
  for (size_t i = 0; i < size; i += PAGE) {
    EXPECT_STATUS(probe_for_write(at(addr + i)), ZX_ERR_ACCESS_DENIED, "page %zu", i / PAGE);
  }
  // Reads still work and see what was written before the protect.
  EXPECT_OK(probe_for_read(at(addr + size - PAGE)));
  EXPECT_EQ(p[size - PAGE], 0x55);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, size));
  zx_handle_close(vmo);
}

TEST(Vmar, ProtectLargeUncomittedTest) {
  const size_t size = (size_t)1 << 30;
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size,
                        &addr));
  volatile uint8_t* p = (volatile uint8_t*)addr;
  p[0] = 1;
  p[1] = 2;
  p[2] = 3;
  // Protect everything from one page past the first 2 MiB boundary on.
  const uintptr_t start = ((addr + 512 * PAGE - 1) & ~(512 * PAGE - 1)) + PAGE;
  const size_t len = addr + size - start;
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, start, len));
  EXPECT_OK(probe_for_write(at(addr)));
  EXPECT_OK(probe_for_write(at(start - 1)));
  EXPECT_STATUS(probe_for_write(at(start)), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_for_write(at(start + len / 2)), ZX_ERR_ACCESS_DENIED);
  EXPECT_STATUS(probe_for_write(at(addr + size - 1)), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(probe_for_read(at(addr + size - 1)));
  EXPECT_EQ(p[2], 3);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, size));
  zx_handle_close(vmo);
}

TEST(Vmar, MapRangeResizable) {
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  // No permissions: mapped, but every access is a permission fault.
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE, 0, vmo, 0, PAGE, &addr));
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, PAGE));
  // Running past the VMO's end: the second page faults.
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE | ZX_VM_PERM_READ, 0, vmo, 0,
                        2 * PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  // Entirely past the VMO's end.
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE | ZX_VM_PERM_READ, 0, vmo, 2 * PAGE,
                        2 * PAGE, &addr));
  EXPECT_STATUS(probe_for_read(at(addr)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  // Grow, map both pages (populated by MAP_RANGE), shrink: the dropped page
  // faults, the kept one does not.
  ASSERT_OK(zx_vmo_set_size(vmo, 2 * PAGE));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_MAP_RANGE | ZX_VM_PERM_READ, 0, vmo, 0,
                        2 * PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr + PAGE)));
  ASSERT_OK(zx_vmo_set_size(vmo, PAGE));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_read(at(addr + PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PAGE));
  zx_handle_close(vmo);
}

static const zx_vm_option_t kFaultBeyond = ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS;

TEST(Vmar, FaultBeyondStreamSize) {
  zx_handle_t vmar, vmo, vmo2, vmo3;
  uintptr_t base, addr, addr2, addr3;
  uint64_t size, content;
  static uint8_t buf[4 * 4096];
  ASSERT_LE(sizeof(buf), 4 * PAGE);
  const zx_vm_option_t can_map = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC;
  const zx_vm_option_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), can_map, 0, 6 * PAGE, &vmar, &base));

  // An unbounded VMO whose stream is 3 pages long.
  ASSERT_OK(zx_vmo_create(3 * PAGE, ZX_VMO_UNBOUNDED, &vmo));
  ASSERT_OK(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  EXPECT_EQ(content, 3 * PAGE);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_GT(size, content);

  // FAULT_BEYOND_STREAM_SIZE needs ALLOW_FAULTS.
  EXPECT_STATUS(zx_vmar_map(vmar, rw | ZX_VM_SPECIFIC | ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, vmo, 0,
                            4 * PAGE, &addr),
                ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, rw | ZX_VM_SPECIFIC | kFaultBeyond, 0, vmo, 0, 4 * PAGE, &addr));
  EXPECT_OK(probe_for_read(at(addr)));
  EXPECT_STATUS(probe_for_read(at(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_write(at(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);

  // The VMO itself takes data past the stream; the mapping still faults there.
  memset(buf, 0, sizeof(buf));
  EXPECT_OK(zx_vmo_write(vmo, buf, 0, 4 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_vmo_read(vmo, buf, 0, 4 * PAGE));
  EXPECT_OK(probe_for_write(at(addr)));

  // Shrinking the stream to 2 pages makes page 2 fault.
  ASSERT_OK(set_stream_size(vmo, 2 * PAGE));
  EXPECT_STATUS(probe_for_write(at(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);

  // A second unbounded VMO, stream half a page, mapped read-only over the
  // first two pages of the existing mapping.
  ASSERT_OK(zx_vmo_create(PAGE / 2, ZX_VMO_UNBOUNDED, &vmo2));
  ASSERT_OK(zx_object_get_property(vmo2, ZX_PROP_VMO_CONTENT_SIZE, &content, sizeof(content)));
  EXPECT_EQ(content, PAGE / 2);
  EXPECT_STATUS(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC | kFaultBeyond, 0, vmo2, 0,
                            2 * PAGE, &addr2),
                ZX_ERR_ALREADY_EXISTS);
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | kFaultBeyond, 0, vmo2,
                        0, 2 * PAGE, &addr2));
  EXPECT_EQ(addr2, addr);
  EXPECT_STATUS(probe_for_write(at(addr2)), ZX_ERR_ACCESS_DENIED);
  // The page holding the end of the stream is readable all the way through.
  EXPECT_OK(probe_for_read(at(addr2)));
  EXPECT_OK(probe_for_read(at(addr2 + PAGE - sizeof(uint64_t))));
  EXPECT_STATUS(probe_for_read(at(addr2 + PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);

  // Fresh VMAR; a VMO with a 2-page stream and 4 pages of data.
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), can_map, 0, 6 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_UNBOUNDED, &vmo3));
  EXPECT_OK(zx_vmo_write(vmo3, buf, 0, 4 * PAGE));
  ASSERT_OK(zx_vmar_map(vmar, rw | ZX_VM_SPECIFIC | kFaultBeyond, 0, vmo3, 0, 6 * PAGE, &addr3));
  EXPECT_STATUS(probe_for_read(at(addr3 + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(set_stream_size(vmo3, 4 * PAGE));
  EXPECT_OK(probe_for_read(at(addr3 + 2 * PAGE)));
  ASSERT_OK(set_stream_size(vmo3, 2 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr3 + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(vmo2);
  zx_handle_close(vmo3);
}

TEST(Vmar, FaultBeyondReducedStreamSize) {
  zx_handle_t vmar, vmo, bounded;
  uintptr_t base, addr;
  uint64_t val;
  const zx_vm_option_t can_map = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC;
  const zx_vm_option_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), can_map, 0, 6 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(5 * PAGE, ZX_VMO_UNBOUNDED, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, rw | ZX_VM_SPECIFIC | kFaultBeyond, 0, vmo, 0, 6 * PAGE, &addr));

  // Stores through the mapping land in the VMO; the sixth page is past the
  // stream.
  for (size_t i = 0; i < 5; i++) *(volatile uint64_t*)(addr + i * PAGE) = 0xdeadbeef;
  EXPECT_STATUS(probe_for_write(at(addr + 5 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_vmo_read(vmo, &val, 0, sizeof(val)));
  EXPECT_EQ(val, 0xdeadbeef);
  EXPECT_OK(zx_vmo_read(vmo, &val, 4 * PAGE, sizeof(val)));
  EXPECT_EQ(val, 0xdeadbeef);

  // One page shorter: page 4 faults.
  EXPECT_OK(probe_for_read(at(addr + 4 * PAGE)));
  ASSERT_OK(set_stream_size(vmo, 4 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr + 4 * PAGE)), ZX_ERR_OUT_OF_RANGE);

  // Half a page shorter: the page holding the new end stays accessible. (The
  // zeroing of the cut half page that Fuchsia checks here belongs to
  // zx_vmo_set_stream_size, which the emulator lacks; not checked.)
  *(volatile uint64_t*)(addr + 4 * PAGE - sizeof(uint64_t)) = 0xdeadbeef;
  ASSERT_OK(set_stream_size(vmo, 3 * PAGE + PAGE / 2));
  EXPECT_OK(probe_for_read(at(addr + 3 * PAGE)));
  EXPECT_OK(zx_vmo_read(vmo, &val, 3 * PAGE, sizeof(val)));
  EXPECT_EQ(val, 0xdeadbeef);

  // Down to two pages: pages 2 and 3 fault, 0 and 1 do not.
  ASSERT_OK(set_stream_size(vmo, 2 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(probe_for_read(at(addr + PAGE)));
  EXPECT_OK(probe_for_read(at(addr)));
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);

  // A bounded VMO: the stream size bounds a FAULT_BEYOND mapping just the
  // same, even over pages that hold data.
  static uint8_t buf[4 * 4096];
  ASSERT_LE(sizeof(buf), 4 * PAGE);
  memset(buf, 1, sizeof(buf));
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(), can_map, 0, 4 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &bounded));
  ASSERT_OK(zx_vmar_map(vmar, rw | ZX_VM_SPECIFIC | kFaultBeyond, 0, bounded, 0, 4 * PAGE, &addr));
  ASSERT_OK(set_stream_size(bounded, 2 * PAGE));
  EXPECT_OK(zx_vmo_write(bounded, buf, 0, 4 * PAGE));
  EXPECT_STATUS(probe_for_read(at(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(probe_for_read(at(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(probe_for_read(at(addr + PAGE)));
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(bounded);
}
