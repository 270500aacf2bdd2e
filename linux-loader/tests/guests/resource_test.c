// Resources (zx_resource_create, ZX_INFO_RESOURCE, the startup resources)
// and the memory-pressure events of zx_system_get_event, end to end.
// Cases follow Fuchsia's core tests for resources and system events,
// rewritten for the emulator: there is no physical bus, so calls that
// would use a hardware resource stay ZX_ERR_NOT_SUPPORTED.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

// The startup handles can be taken once: keep them.
static zx_handle_t root_rsrc(void) {
  static zx_handle_t h = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID) h = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  return h;
}

static zx_handle_t system_rsrc(void) {
  static zx_handle_t h = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID) h = zx_take_startup_handle(PA_HND(PA_SYSTEM_RESOURCE, 0));
  return h;
}

static zx_info_resource_t info_of(zx_handle_t h) {
  zx_info_resource_t info;
  memset(&info, 0xAB, sizeof(info));
  EXPECT_OK(zx_object_get_info(h, ZX_INFO_RESOURCE, &info, sizeof(info), NULL, NULL));
  return info;
}

static zx_info_handle_basic_t basic_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  EXPECT_OK(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  return info;
}

static zx_status_t mk(zx_handle_t parent, uint32_t options, uint64_t base, size_t size,
                      zx_handle_t* out) {
  return zx_resource_create(parent, options, base, size, NULL, 0, out);
}

// An MMIO range nobody holds: probe in 4 GiB steps for a base the root
// resource can mint, accepting only "not available" answers on the way.
static uint64_t mmio_base(void) {
  static int found = 0;
  static uint64_t base;
  if (!found) {
    for (uint64_t b = 0; b < (1ull << 47); b += 1ull << 32) {
      zx_handle_t h;
      zx_status_t s = mk(root_rsrc(), ZX_RSRC_KIND_MMIO, b, 4 * PAGE, &h);
      if (s == ZX_OK) {
        zx_handle_close(h);
        base = b;
        found = 1;
        break;
      }
      EXPECT_TRUE(s == ZX_ERR_NOT_FOUND || s == ZX_ERR_ACCESS_DENIED);
    }
    EXPECT_TRUE(found);
  }
  return base;
}

// --- Startup resources ---------------------------------------------------

TEST(Resource, StartupHandlesAreTheRootAndSystemResources) {
  zx_handle_t root = root_rsrc();
  ASSERT_NE(root, ZX_HANDLE_INVALID);
  zx_info_handle_basic_t b = basic_of(root);
  EXPECT_EQ(b.type, ZX_OBJ_TYPE_RESOURCE);
  EXPECT_EQ(b.rights, ZX_DEFAULT_RESOURCE_RIGHTS);
  zx_info_resource_t i = info_of(root);
  EXPECT_EQ(i.kind, ZX_RSRC_KIND_ROOT);
  EXPECT_EQ(i.base, 0u);
  EXPECT_EQ(i.size, 0u);
  EXPECT_EQ(i.flags, 0u);
  EXPECT_STREQ(i.name, "root");

  zx_handle_t sys = system_rsrc();
  ASSERT_NE(sys, ZX_HANDLE_INVALID);
  i = info_of(sys);
  EXPECT_EQ(i.kind, ZX_RSRC_KIND_SYSTEM);
  EXPECT_EQ(i.base, 0u);
  EXPECT_EQ(i.size, 0u);
  EXPECT_STREQ(i.name, "system");
  // Taken once only.
  EXPECT_EQ(zx_take_startup_handle(PA_HND(PA_RESOURCE, 0)), ZX_HANDLE_INVALID);
}

TEST(Resource, InfoNeedsInspectAndAResource) {
  zx_handle_t dup;
  ASSERT_OK(zx_handle_duplicate(root_rsrc(), ZX_RIGHT_DUPLICATE, &dup));
  zx_info_resource_t i;
  EXPECT_EQ(zx_object_get_info(dup, ZX_INFO_RESOURCE, &i, sizeof(i), NULL, NULL),
            ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_RESOURCE, &i, sizeof(i), NULL, NULL),
            ZX_ERR_WRONG_TYPE);
  size_t actual = 7, avail = 7;
  EXPECT_EQ(zx_object_get_info(root_rsrc(), ZX_INFO_RESOURCE, &i, sizeof(i) - 1, &actual, &avail),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual, 0u);
  EXPECT_EQ(avail, 1u);
  EXPECT_EQ(sizeof(zx_info_resource_t), 56u);
  zx_handle_close(dup);
}

// --- zx_resource_create --------------------------------------------------

TEST(Resource, ProbeFindsAnMmioRange) { EXPECT_EQ(mmio_base() % PAGE, 0u); }

TEST(Resource, CreatedResourcesReportWhatWasAsked) {
  char root_name[] = "root";
  zx_handle_t new_root;
  ASSERT_OK(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_ROOT, 0, 0, root_name, sizeof(root_name),
                               &new_root));
  zx_info_resource_t i = info_of(new_root);
  EXPECT_EQ(i.kind, ZX_RSRC_KIND_ROOT);
  EXPECT_EQ(i.base + i.size + i.flags, 0u);
  EXPECT_STREQ(i.name, "root");

  // Minted from the new root, with every field set.
  char name[] = "test_resource_name";
  zx_handle_t mmio;
  ASSERT_OK(zx_resource_create(new_root, ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(),
                               4 * PAGE, name, sizeof(name), &mmio));
  i = info_of(mmio);
  EXPECT_EQ(i.kind, ZX_RSRC_KIND_MMIO);
  EXPECT_EQ(i.flags, ZX_RSRC_FLAG_EXCLUSIVE);
  EXPECT_EQ(i.base, mmio_base());
  EXPECT_EQ(i.size, 4 * PAGE);
  EXPECT_STREQ(i.name, name);
  EXPECT_EQ(basic_of(mmio).rights, ZX_DEFAULT_RESOURCE_RIGHTS);
  zx_handle_close(mmio);
  zx_handle_close(new_root);
}

TEST(Resource, LongNamesAreCut) {
  char name[64];
  memset(name, 'n', sizeof(name));
  zx_handle_t h;
  ASSERT_OK(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, name,
                               sizeof(name), &h));
  zx_info_resource_t i = info_of(h);
  EXPECT_EQ(strlen(i.name), ZX_MAX_NAME_LEN - 1);
  zx_handle_close(h);
  // An unreadable name is refused and nothing is created.
  EXPECT_EQ(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), PAGE,
                               (const char*)8, 4, &h),
            ZX_ERR_INVALID_ARGS);
}

TEST(Resource, InvalidArguments) {
  zx_handle_t mmio, fail;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), 4 * PAGE, &mmio));
  // An MMIO resource cannot mint a root nor another kind.
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_ROOT, 0, 0, &fail), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_IRQ, 0, 0, &fail), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(mmio);

  zx_handle_t tmp;
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_COUNT, mmio_base(), PAGE, &tmp), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_COUNT + 1, mmio_base(), PAGE, &tmp), ZX_ERR_INVALID_ARGS);
  // A range that wraps, either way.
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, UINT64_MAX, 1024, &tmp), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, 1024, UINT64_MAX, &tmp), ZX_ERR_INVALID_ARGS);
  // Unknown flags.
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | 0xFF0000, mmio_base(), PAGE, &tmp),
            ZX_ERR_INVALID_ARGS);
  // A root with a range; an empty ranged resource.
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_ROOT, 0, 1, &tmp), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), 0, &tmp), ZX_ERR_INVALID_ARGS);
}

TEST(Resource, HandlesAndRights) {
  zx_handle_t h;
  EXPECT_EQ(mk(ZX_HANDLE_INVALID, ZX_RSRC_KIND_ROOT, 0, 0, &h), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(mk(zx_process_self(), ZX_RSRC_KIND_ROOT, 0, 0, &h), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_write;
  ASSERT_OK(zx_handle_duplicate(root_rsrc(), ZX_RIGHT_INSPECT, &no_write));
  EXPECT_EQ(mk(no_write, ZX_RSRC_KIND_ROOT, 0, 0, &h), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(no_write);
  // A bad out pointer: nothing is kept, so the exclusive range stays free.
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), PAGE,
               (zx_handle_t*)8),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), PAGE, &h));
  zx_handle_close(h);
}

TEST(Resource, ExclusiveBlocksShared) {
  zx_handle_t a, b;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), 4 * PAGE, &a));
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), 4 * PAGE, &b), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base() + PAGE, PAGE, &b), ZX_ERR_NOT_FOUND);
  // Closing the exclusive resource gives its range back.
  zx_handle_close(a);
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), 4 * PAGE, &b));
  zx_handle_close(b);
}

TEST(Resource, SharedBlocksExclusive) {
  zx_handle_t a, b;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), 4 * PAGE, &a));
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), 4 * PAGE, &b),
            ZX_ERR_NOT_FOUND);
  // Two shared ones may overlap.
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base() + PAGE, 4 * PAGE, &b));
  zx_handle_close(b);
  zx_handle_close(a);
}

TEST(Resource, Slices) {
  zx_handle_t mmio, small;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, &mmio));
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_ROOT, mmio_base(), PAGE, &small), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_IRQ, mmio_base(), PAGE, &small), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base() + PAGE, PAGE, &small), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base(), PAGE + 34, &small), ZX_ERR_ACCESS_DENIED);
  // The same range, and a smaller one, are fine.
  ASSERT_OK(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, &small));
  zx_handle_close(small);
  ASSERT_OK(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base() + 16, 32, &small));
  EXPECT_EQ(info_of(small).base, mmio_base() + 16);
  zx_handle_close(small);
  // A slice may be neither exclusive nor cut from an exclusive resource.
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), PAGE, &small),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(mmio);
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), PAGE, &mmio));
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, &small), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO | ZX_RSRC_FLAG_EXCLUSIVE, mmio_base(), PAGE, &small),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(mmio);
}

TEST(Resource, UnalignedMmioGrantsWholePages) {
  zx_handle_t mmio, child;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base() + 0x7800, 0x2000, &mmio));
  // [0x7800, 0x9800) widens to [0x7000, 0xA000).
  ASSERT_OK(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base() + 0x7000, 0x3000, &child));
  zx_handle_close(child);
  EXPECT_EQ(mk(mmio, ZX_RSRC_KIND_MMIO, mmio_base() + 0x7000, 0x3001, &child),
            ZX_ERR_ACCESS_DENIED);
  zx_handle_close(mmio);
}

TEST(Resource, SystemRangesAndTheRangedRoot) {
  zx_handle_t h, child;
  // The system ranged root grants every system base, and only system ones.
  ASSERT_OK(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUGLOG_BASE, 1, &h));
  EXPECT_EQ(info_of(h).base, ZX_RSRC_SYSTEM_DEBUGLOG_BASE);
  EXPECT_EQ(mk(h, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, &child), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(h);
  EXPECT_EQ(mk(system_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, &h), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(mk(system_rsrc(), ZX_RSRC_KIND_ROOT, 0, 0, &h), ZX_ERR_ACCESS_DENIED);
  // Past the last system base there is nothing to grant.
  EXPECT_EQ(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_COUNT, 1, &h), ZX_ERR_NOT_FOUND);
  // An exclusive child of the ranged root is allowed.
  ASSERT_OK(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM | ZX_RSRC_FLAG_EXCLUSIVE,
               ZX_RSRC_SYSTEM_STALL_BASE, 1, &h));
  EXPECT_EQ(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_STALL_BASE, 1, &child),
            ZX_ERR_NOT_FOUND);
  zx_handle_close(h);
  zx_handle_t dup;
  EXPECT_OK(zx_handle_duplicate(system_rsrc(), ZX_RIGHT_SAME_RIGHTS, &dup));
  zx_handle_close(dup);
}

TEST(Resource, IoPortsAreMintedButHardwareCallsAreUnsupported) {
  char name[] = "ports!";
  zx_handle_t io;
  ASSERT_OK(zx_resource_create(root_rsrc(), ZX_RSRC_KIND_IOPORT, 0xCF8, 8, name, sizeof(name), &io));
  EXPECT_EQ(info_of(io).kind, ZX_RSRC_KIND_IOPORT);
  EXPECT_EQ(zx_ioports_request(io, 0xCF8, 8), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(io);
  zx_handle_t h;
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_IOPORT, 0xFFFF, 1, &h), ZX_ERR_NOT_FOUND);
  // No interrupt controller, no secure monitor: those kinds have no ranges.
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_IRQ, 1, 1, &h), ZX_ERR_BAD_STATE);
  EXPECT_EQ(mk(root_rsrc(), ZX_RSRC_KIND_SMC, 1, 1, &h), ZX_ERR_BAD_STATE);
  zx_handle_t mmio, vmo;
  ASSERT_OK(mk(root_rsrc(), ZX_RSRC_KIND_MMIO, mmio_base(), PAGE, &mmio));
  EXPECT_EQ(zx_vmo_create_physical(mmio, mmio_base(), PAGE, &vmo), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(mmio);
}

TEST(Resource, VmoReplaceAsExecutableTakesAVmexResource) {
  zx_handle_t vmex, vmo, ro, exec;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1, &vmex));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_OK(zx_vmo_replace_as_executable(ro, vmex, &exec));
  EXPECT_EQ(basic_of(exec).rights, ZX_RIGHT_READ | ZX_RIGHT_EXECUTE);
  zx_handle_close(exec);
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_OK(zx_vmo_replace_as_executable(ro, ZX_HANDLE_INVALID, &exec));
  EXPECT_EQ(basic_of(exec).rights, ZX_RIGHT_READ | ZX_RIGHT_EXECUTE);
  zx_handle_close(exec);
  // Not a resource; a system resource of another base. The VMO handle is
  // consumed either way.
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  EXPECT_EQ(zx_vmo_replace_as_executable(ro, vmo, &exec), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_handle_close(ro), ZX_ERR_BAD_HANDLE);
  zx_handle_t info;
  ASSERT_OK(mk(system_rsrc(), ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, &info));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  EXPECT_EQ(zx_vmo_replace_as_executable(ro, info, &exec), ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(info);
  zx_handle_close(vmex);
  zx_handle_close(vmo);
}

// --- zx_system_get_event -------------------------------------------------

static const uint32_t kKinds[5] = {
    ZX_SYSTEM_EVENT_OUT_OF_MEMORY, ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY,
    ZX_SYSTEM_EVENT_MEMORY_PRESSURE_CRITICAL, ZX_SYSTEM_EVENT_MEMORY_PRESSURE_WARNING,
    ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL};

TEST(SystemEvent, OnlyTheRootJobGetsThem) {
  for (int k = 0; k < 5; k++) {
    zx_handle_t ev;
    EXPECT_EQ(zx_system_get_event(ZX_HANDLE_INVALID, kKinds[k], &ev), ZX_ERR_BAD_HANDLE);
    EXPECT_EQ(zx_system_get_event(zx_process_self(), kKinds[k], &ev), ZX_ERR_WRONG_TYPE);
    zx_handle_t child;
    ASSERT_OK(zx_job_create(zx_job_default(), 0, &child));
    EXPECT_EQ(zx_system_get_event(child, kKinds[k], &ev), ZX_ERR_ACCESS_DENIED);
    zx_handle_close(child);
    EXPECT_EQ(zx_system_get_event(zx_job_default(), ~0u, &ev), ZX_ERR_INVALID_ARGS);
    EXPECT_EQ(zx_system_get_event(zx_job_default(), 0, &ev), ZX_ERR_INVALID_ARGS);
    ASSERT_OK(zx_system_get_event(zx_job_default(), kKinds[k], &ev));
    zx_info_handle_basic_t b = basic_of(ev);
    EXPECT_NE(b.koid, 0u);
    EXPECT_EQ(b.type, ZX_OBJ_TYPE_EVENT);
    EXPECT_EQ(b.rights, ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS);
    // Guests cannot signal them.
    EXPECT_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED), ZX_ERR_ACCESS_DENIED);
    // The same event each time.
    zx_handle_t again;
    ASSERT_OK(zx_system_get_event(zx_job_default(), kKinds[k], &again));
    EXPECT_EQ(basic_of(again).koid, b.koid);
    zx_handle_close(again);
    zx_handle_close(ev);
  }
}

TEST(SystemEvent, OutOfMemoryNeedsManageProcess) {
  zx_handle_t job, ev;
  ASSERT_OK(zx_handle_duplicate(zx_job_default(), ZX_RIGHT_INSPECT, &job));
  EXPECT_EQ(zx_system_get_event(job, ZX_SYSTEM_EVENT_OUT_OF_MEMORY, &ev), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_system_get_event(job, ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL, &ev));
  zx_handle_close(ev);
  EXPECT_EQ(zx_system_get_event(zx_job_default(), ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL,
                                (zx_handle_t*)8),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(job);
}

TEST(SystemEvent, ExactlyOneIsSignaled) {
  zx_wait_item_t items[5];
  for (int k = 0; k < 5; k++) {
    ASSERT_OK(zx_system_get_event(zx_job_default(), kKinds[k], &items[k].handle));
    items[k].waitfor = ZX_EVENT_SIGNALED;
    items[k].pending = 0;
  }
  ASSERT_OK(zx_object_wait_many(items, 5, ZX_TIME_INFINITE));
  int signaled = 0;
  for (int k = 0; k < 5; k++) {
    if (items[k].pending & ZX_EVENT_SIGNALED) signaled++;
    zx_handle_close(items[k].handle);
  }
  EXPECT_EQ(signaled, 1);
}
