// Port of Fuchsia's zircon/system/utest/core/vmar/protect.cc (ProtectTestCase).
//
// Every scenario allocates a 64-page VMAR in the root VMAR, optionally maps a
// 64-page VMO (page i holds the u64 i + 1) over all of it, performs a list of
// protect / unmap / map operations and then checks the outcome twice:
//  (a) through ZX_INFO_PROCESS_MAPS of this process: every expected range is
//      exactly one MAPPING entry with the right vmo_offset and R/W perms, and
//      unmapped ranges are covered by no MAPPING entry;
//  (b) by touching every page with zx_vmo_write / zx_vmo_read on a scratch VMO,
//      which makes the kernel read (resp. write) the page and fail with
//      ZX_ERR_ACCESS_DENIED if the page lacks that permission.
// Each scenario runs twice, without and with ZX_VM_MAP_RANGE on the maps.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())
#define TEST_PAGES 64u

// Range flags. R and W are the ZX_VM_PERM_* bits themselves; the others reuse
// unrelated ZX_VM_* bits only so that they cannot collide with R/W.
#define R ZX_VM_PERM_READ
#define W ZX_VM_PERM_WRITE
#define RW (R | W)
#define UNMAPPED ZX_VM_SPECIFIC_OVERWRITE  // op: unmap the range; final: must not be mapped
#define MAP ZX_VM_MAP_RANGE                // op: map the range RW first, then protect it

typedef struct {
  uint32_t start;  // first page
  uint32_t end;    // one past the last page
  uint32_t flags;
} range_t;

typedef struct {
  const range_t* items;
  size_t count;
} range_list_t;

// LIST((a, b, f), ...) -> a range_list_t over a compound-literal array.
#define LIST(...) \
  ((range_list_t){(const range_t[]){__VA_ARGS__}, sizeof((range_t[]){__VA_ARGS__}) / sizeof(range_t)})
#define NONE ((range_list_t){NULL, 0})
#define RG(a, b, f) {a, b, f}

// The VMO shared by the scenarios of one test (Fuchsia's fixture SetUp).
static zx_handle_t g_vmo = ZX_HANDLE_INVALID;

static void setup_vmo(void) {
  ASSERT_OK(zx_vmo_create(TEST_PAGES * PAGE, 0, &g_vmo));
  for (uint64_t i = 0; i < TEST_PAGES; i++) {
    uint64_t val = i + 1;
    EXPECT_OK(zx_vmo_write(g_vmo, &val, i * PAGE, sizeof(val)));
  }
}

static void teardown_vmo(void) {
  EXPECT_OK(zx_handle_close(g_vmo));
  g_vmo = ZX_HANDLE_INVALID;
}

// Reads ZX_INFO_PROCESS_MAPS of this process into a VMO-backed buffer, growing
// it until the kernel reports every record. Returns the mapped buffer (to be
// released with release_maps) and the record count.
static void read_maps(zx_info_maps_t** out, size_t* out_count, size_t* out_bytes) {
  zx_info_maps_t* buf = NULL;
  size_t bytes = 0;
  size_t actual = 0, avail = 0;
  *out = NULL;
  *out_count = 0;
  *out_bytes = 0;
  for (int tries = 0; tries < 16; tries++) {
    ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, buf,
                                 avail * sizeof(zx_info_maps_t), &actual, &avail));
    if (actual == avail) {
      *out = buf;
      *out_count = actual;
      *out_bytes = bytes;
      return;
    }
    // Grow (leave slack: mapping the buffer itself adds an entry).
    if (buf != NULL) {
      ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)buf, bytes));
      buf = NULL;
    }
    size_t want = (avail + 8) * sizeof(zx_info_maps_t);
    bytes = (want + PAGE - 1) / PAGE * PAGE;
    zx_handle_t vmo;
    zx_vaddr_t addr;
    ASSERT_OK(zx_vmo_create(bytes, 0, &vmo));
    zx_status_t s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                                bytes, &addr);
    zx_handle_close(vmo);
    ASSERT_OK(s);
    buf = (zx_info_maps_t*)addr;
    // Ask for exactly as many records as fit, so that avail may still grow.
    avail = bytes / sizeof(zx_info_maps_t);
  }
  ASSERT_TRUE(false, "ZX_INFO_PROCESS_MAPS never settled");
}

static void release_maps(zx_info_maps_t* buf, size_t bytes) {
  if (buf != NULL) {
    EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)buf, bytes));
  }
}

static void validate_aspace_maps(int line, zx_vaddr_t base, range_list_t checks) {
  zx_info_maps_t* maps;
  size_t count, bytes;
  read_maps(&maps, &count, &bytes);
  ASSERT_NOT_NULL(maps, "scenario at line %d", line);

  for (size_t c = 0; c < checks.count; c++) {
    const range_t* check = &checks.items[c];
    const zx_vaddr_t check_base = base + check->start * PAGE;
    const zx_vaddr_t check_end = base + check->end * PAGE;

    bool checked = false;
    for (size_t m = 0; m < count; m++) {
      const zx_info_maps_t* map = &maps[m];
      if (map->type != ZX_INFO_MAPS_TYPE_MAPPING) {
        continue;
      }
      const zx_vaddr_t map_end = map->base + map->size;
      // Only a mapping entry that fully covers the range is a candidate; it
      // must then be exactly the range.
      if (map->base > check_base || map_end < check_end) {
        continue;
      }
      EXPECT_EQ(check_base, map->base, "scenario at line %d, range [%u,%u)", line, check->start,
                check->end);
      EXPECT_EQ(check_end, map_end, "scenario at line %d, range [%u,%u)", line, check->start,
                check->end);
      EXPECT_EQ(map->u.mapping.vmo_offset, map->base - base, "scenario at line %d, range [%u,%u)",
                line, check->start, check->end);
      EXPECT_EQ(map->u.mapping.mmu_flags & RW, check->flags & RW,
                "scenario at line %d, range [%u,%u)", line, check->start, check->end);
      checked = true;
      break;
    }
    if (check->flags & UNMAPPED) {
      EXPECT_FALSE(checked, "scenario at line %d: range [%u,%u) should not be mapped", line,
                   check->start, check->end);
    } else {
      EXPECT_TRUE(checked, "scenario at line %d: no mapping entry covers range [%u,%u)", line,
                  check->start, check->end);
    }
  }
  release_maps(maps, bytes);
}

// Touches every page of [start, end): the scratch VMO's write reads from the
// page (needs R) and its read writes into the page (needs W); the value
// written back is page + 1, so the contents stay as set up.
// Sets *done only if every page behaved.
static void touch_range(int line, zx_handle_t scratch, zx_vaddr_t base, const range_t* range,
                        bool* done) {
  *done = false;
  for (uint64_t page = range->start; page < range->end; page++) {
    void* addr = (void*)(base + page * PAGE);
    uint64_t val;
    zx_status_t read_result = zx_vmo_write(scratch, addr, 0, sizeof(val));
    if (range->flags & R) {
      ASSERT_OK(read_result, "scenario at line %d, reading page %lu", line, page);
      ASSERT_OK(zx_vmo_read(scratch, &val, 0, sizeof(val)));
      ASSERT_EQ(page + 1, val, "scenario at line %d, contents of page %lu", line, page);
    } else {
      ASSERT_STATUS(read_result, ZX_ERR_ACCESS_DENIED, "scenario at line %d, reading page %lu",
                    line, page);
    }
    val = page + 1;
    ASSERT_OK(zx_vmo_write(scratch, &val, 0, sizeof(val)));
    zx_status_t write_result = zx_vmo_read(scratch, addr, 0, sizeof(val));
    if (range->flags & W) {
      ASSERT_OK(write_result, "scenario at line %d, writing page %lu", line, page);
    } else {
      ASSERT_STATUS(write_result, ZX_ERR_ACCESS_DENIED, "scenario at line %d, writing page %lu",
                    line, page);
    }
  }
  *done = true;
}

// Touches every page of the mapped final ranges, stopping at the first wrong
// page (Fuchsia asserts here to avoid a flood of follow-on failures).
static void touch_pages(int line, zx_vaddr_t base, range_list_t final_ranges) {
  zx_handle_t scratch;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &scratch));
  for (size_t r = 0; r < final_ranges.count; r++) {
    if (final_ranges.items[r].flags & UNMAPPED) {
      continue;
    }
    bool done;
    touch_range(line, scratch, base, &final_ranges.items[r], &done);
    if (!done) {
      break;
    }
  }
  EXPECT_OK(zx_handle_close(scratch));
}

static void run_ops(int line, range_list_t ops, range_list_t final_ranges, zx_vm_option_t options,
                    bool start_mapped) {
  zx_handle_t vmar;
  zx_vaddr_t base;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                             TEST_PAGES * PAGE, &vmar, &base));

  bool ok = true;
  if (start_mapped) {
    zx_vaddr_t addr;
    zx_status_t s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC | options,
                                0, g_vmo, 0, TEST_PAGES * PAGE, &addr);
    EXPECT_OK(s, "scenario at line %d, options %#x", line, options);
    EXPECT_EQ(addr, base, "scenario at line %d", line);
    ok = s == ZX_OK;
  }

  for (size_t i = 0; ok && i < ops.count; i++) {
    const range_t* op = &ops.items[i];
    const zx_vaddr_t addr = base + op->start * PAGE;
    const size_t len = (op->end - op->start) * PAGE;
    if (op->flags & UNMAPPED) {
      EXPECT_OK(zx_vmar_unmap(vmar, addr, len), "scenario at line %d, op %zu, options %#x", line,
                i, options);
      continue;
    }
    if (op->flags & MAP) {
      // Map RW first so that neighbouring maps share flags and can merge,
      // then protect down to the wanted permissions.
      zx_vaddr_t mapped;
      EXPECT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC | options,
                            op->start * PAGE, g_vmo, op->start * PAGE, len, &mapped),
                "scenario at line %d, op %zu, options %#x", line, i, options);
      EXPECT_EQ(base + op->start * PAGE, mapped, "scenario at line %d, op %zu", line, i);
    }
    EXPECT_OK(zx_vmar_protect(vmar, op->flags & RW, addr, len),
              "scenario at line %d, op %zu, options %#x", line, i, options);
  }

  if (ok) {
    validate_aspace_maps(line, base, final_ranges);
    touch_pages(line, base, final_ranges);
  }

  EXPECT_OK(zx_vmar_destroy(vmar));
  EXPECT_OK(zx_handle_close(vmar));
}

// Runs a scenario without and with ZX_VM_MAP_RANGE (the latter commits the
// hardware mappings up front, so protect has to change live page tables).
static void run_both(int line, range_list_t ops, range_list_t final_ranges, bool start_mapped) {
  run_ops(line, ops, final_ranges, 0, start_mapped);
  run_ops(line, ops, final_ranges, ZX_VM_MAP_RANGE, start_mapped);
}

#define MAPPED(ops, final_ranges) run_both(__LINE__, ops, final_ranges, true)
#define UNMAPPED_START(ops, final_ranges) run_both(__LINE__, ops, final_ranges, false)

// Most paths through protect of a single mapping.
TEST(ProtectTestCase, SingleMapping) {
  setup_vmo();

  // No protect at all.
  MAPPED(NONE, LIST(RG(0, 64, RW)));

  // One protect anchored at the start, at the end, or floating in the middle.
  MAPPED(LIST(RG(0, 24, R)), LIST(RG(0, 24, R), RG(24, 64, RW)));
  MAPPED(LIST(RG(37, 64, R)), LIST(RG(0, 37, RW), RG(37, 64, R)));
  MAPPED(LIST(RG(24, 37, R)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));

  // The whole range rewritten with one protection.
  MAPPED(LIST(RG(0, 64, R)), LIST(RG(0, 64, R)));
  MAPPED(LIST(RG(24, 37, R), RG(0, 64, R)), LIST(RG(0, 64, R)));
  MAPPED(LIST(RG(24, 37, R), RG(0, 64, RW)), LIST(RG(0, 64, RW)));

  // Sub ranges protected to the permissions they already have.
  MAPPED(LIST(RG(24, 37, RW)), LIST(RG(0, 64, RW)));
  MAPPED(LIST(RG(0, 24, RW)), LIST(RG(0, 64, RW)));
  MAPPED(LIST(RG(37, 64, RW)), LIST(RG(0, 64, RW)));

  // ... inside the first of three protection ranges,
  MAPPED(LIST(RG(24, 37, R), RG(0, 24, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(4, 24, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(0, 20, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(4, 20, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  // ... inside the last one,
  MAPPED(LIST(RG(24, 37, R), RG(37, 64, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(41, 64, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(41, 60, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  MAPPED(LIST(RG(24, 37, R), RG(37, 60, RW)), LIST(RG(0, 24, RW), RG(24, 37, R), RG(37, 64, RW)));
  // ... and inside the middle one.
  MAPPED(LIST(RG(10, 30, R), RG(10, 30, R)), LIST(RG(0, 10, RW), RG(10, 30, R), RG(30, 64, RW)));
  MAPPED(LIST(RG(10, 30, R), RG(10, 25, R)), LIST(RG(0, 10, RW), RG(10, 30, R), RG(30, 64, RW)));
  MAPPED(LIST(RG(10, 30, R), RG(15, 30, R)), LIST(RG(0, 10, RW), RG(10, 30, R), RG(30, 64, RW)));
  MAPPED(LIST(RG(10, 30, R), RG(15, 25, R)), LIST(RG(0, 10, RW), RG(10, 30, R), RG(30, 64, RW)));

  // Filling the gap between two equal protection ranges, starting and ending
  // on or between the boundaries, leaves one combined range.
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(20, 30, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(10, 40, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(10, 30, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(20, 40, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(15, 40, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(15, 30, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(15, 35, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(10, 35, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(10, 20, R), RG(30, 40, R), RG(20, 35, R)),
         LIST(RG(0, 10, RW), RG(10, 40, R), RG(40, 64, RW)));

  // Combining with the range at the start of the mapping.
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(10, 20, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(5, 20, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(0, 20, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(5, 25, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(10, 25, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(0, 30, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(5, 30, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 64, R), RG(10, 30, R)),
         LIST(RG(0, 30, R), RG(30, 40, RW), RG(40, 64, R)));

  // Combining with the range at the end of the mapping.
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(40, 50, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(40, 55, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(40, 64, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(35, 50, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(35, 55, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(35, 64, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(30, 50, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(30, 55, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));
  MAPPED(LIST(RG(30, 40, R), RG(50, 64, R), RG(30, 64, R)), LIST(RG(0, 30, RW), RG(30, 64, R)));

  teardown_vmo();
}

// A snapshot clone taken while the mapping has several protection ranges:
// later stores through the writable ranges must land in the parent VMO only.
TEST(ProtectTestCase, CreateCowClone) {
  setup_vmo();
  zx_vaddr_t base;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE,
                        0, g_vmo, 0, TEST_PAGES * PAGE, &base));

  const range_list_t protects = LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R));
  for (size_t i = 0; i < protects.count; i++) {
    const range_t* p = &protects.items[i];
    EXPECT_OK(zx_vmar_protect(zx_vmar_root_self(), p->flags, base + p->start * PAGE,
                              (p->end - p->start) * PAGE));
  }

  // Touch everything so that every page has a hardware mapping.
  touch_pages(__LINE__, base,
              LIST(RG(0, 10, R), RG(10, 20, RW), RG(20, 30, R), RG(30, 40, RW), RG(40, 50, R),
                   RG(50, 64, RW)));

  zx_handle_t clone;
  EXPECT_OK(zx_vmo_create_child(g_vmo, ZX_VMO_CHILD_SNAPSHOT, 0, TEST_PAGES * PAGE, &clone));
  static const uint64_t kPages[] = {10, 15, 19, 35, 50, 55, 63};
  for (size_t i = 0; i < sizeof(kPages) / sizeof(kPages[0]); i++) {
    const uint64_t page = kPages[i];
    // The store must fault (write access removed for the clone) and fork.
    __atomic_store_n((uint64_t*)(base + page * PAGE), page * 100, __ATOMIC_SEQ_CST);
    uint64_t val;
    EXPECT_OK(zx_vmo_read(g_vmo, &val, page * PAGE, sizeof(val)));
    EXPECT_EQ(val, page * 100, "parent VMO, page %lu", page);
    EXPECT_OK(zx_vmo_read(clone, &val, page * PAGE, sizeof(val)));
    EXPECT_EQ(val, page + 1, "clone, page %lu", page);
  }

  EXPECT_OK(zx_handle_close(clone));
  EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), base, TEST_PAGES * PAGE));
  teardown_vmo();
}

// A real unmap (not a protect to no permissions) across protection ranges
// must leave the remaining pieces with their permissions.
TEST(ProtectTestCase, Unmap) {
  setup_vmo();

  // Plain unmaps, no protection changes.
  MAPPED(LIST(RG(20, 40, UNMAPPED)), LIST(RG(0, 20, RW), RG(20, 40, UNMAPPED), RG(40, 64, RW)));
  MAPPED(LIST(RG(0, 20, UNMAPPED)), LIST(RG(0, 20, UNMAPPED), RG(20, 64, RW)));
  MAPPED(LIST(RG(20, 64, UNMAPPED)), LIST(RG(0, 20, RW), RG(20, 64, UNMAPPED)));

  // One protection range, unmapped exactly.
  MAPPED(LIST(RG(0, 20, R), RG(0, 20, UNMAPPED)), LIST(RG(0, 20, UNMAPPED), RG(20, 64, RW)));
  MAPPED(LIST(RG(0, 20, R), RG(20, 64, UNMAPPED)), LIST(RG(0, 20, R), RG(20, 64, UNMAPPED)));
  MAPPED(LIST(RG(20, 30, R), RG(20, 30, UNMAPPED)),
         LIST(RG(0, 20, RW), RG(20, 30, UNMAPPED), RG(30, 64, RW)));

  // One protection range, unmapping less than it (or beside it).
  MAPPED(LIST(RG(0, 20, R), RG(0, 15, UNMAPPED)),
         LIST(RG(0, 15, UNMAPPED), RG(15, 20, R), RG(20, 64, RW)));
  MAPPED(LIST(RG(0, 20, R), RG(5, 15, UNMAPPED)),
         LIST(RG(0, 5, R), RG(5, 15, UNMAPPED), RG(15, 20, R), RG(20, 64, RW)));
  MAPPED(LIST(RG(0, 20, R), RG(5, 20, UNMAPPED)),
         LIST(RG(0, 5, R), RG(5, 20, UNMAPPED), RG(20, 64, RW)));
  MAPPED(LIST(RG(0, 20, R), RG(20, 60, UNMAPPED)),
         LIST(RG(0, 20, R), RG(20, 60, UNMAPPED), RG(60, 64, RW)));
  MAPPED(LIST(RG(0, 20, R), RG(25, 60, UNMAPPED)),
         LIST(RG(0, 20, R), RG(20, 25, RW), RG(25, 60, UNMAPPED), RG(60, 64, RW)));
  // (Fuchsia's expectation lists the unmapped part as [20,64), overlapping the
  // RW [20,25); kept as is: no mapping entry covers all of [20,64) either way.)
  MAPPED(LIST(RG(0, 20, R), RG(25, 64, UNMAPPED)),
         LIST(RG(0, 20, R), RG(20, 25, RW), RG(20, 64, UNMAPPED)));
  MAPPED(LIST(RG(20, 40, R), RG(20, 35, UNMAPPED)),
         LIST(RG(0, 20, RW), RG(20, 35, UNMAPPED), RG(35, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(20, 40, R), RG(25, 35, UNMAPPED)),
         LIST(RG(0, 20, RW), RG(20, 25, R), RG(25, 35, UNMAPPED), RG(35, 40, R), RG(40, 64, RW)));
  MAPPED(LIST(RG(20, 40, R), RG(25, 40, UNMAPPED)),
         LIST(RG(0, 20, RW), RG(20, 25, R), RG(25, 40, UNMAPPED), RG(40, 64, RW)));

  // One protection range, unmapping across its boundary.
  MAPPED(LIST(RG(0, 30, R), RG(0, 35, UNMAPPED)), LIST(RG(0, 35, UNMAPPED), RG(35, 64, RW)));
  MAPPED(LIST(RG(0, 30, R), RG(25, 64, UNMAPPED)), LIST(RG(0, 25, R), RG(25, 64, UNMAPPED)));
  MAPPED(LIST(RG(0, 30, R), RG(25, 35, UNMAPPED)),
         LIST(RG(0, 25, R), RG(25, 35, UNMAPPED), RG(35, 64, RW)));

  // Several protection ranges, unmapping from either side.
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(15, 64, UNMAPPED)),
         LIST(RG(0, 10, R), RG(10, 15, RW), RG(15, 64, UNMAPPED)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(20, 64, UNMAPPED)),
         LIST(RG(0, 10, R), RG(10, 20, RW), RG(20, 64, UNMAPPED)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(0, 40, UNMAPPED)),
         LIST(RG(0, 40, UNMAPPED), RG(40, 50, R), RG(50, 64, RW)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(0, 35, UNMAPPED)),
         LIST(RG(0, 35, UNMAPPED), RG(35, 40, RW), RG(40, 50, R), RG(50, 64, RW)));

  // Several protection ranges, unmapping from the middle.
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(10, 40, UNMAPPED)),
         LIST(RG(0, 10, R), RG(10, 40, UNMAPPED), RG(40, 50, R), RG(50, 64, RW)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(15, 50, UNMAPPED)),
         LIST(RG(0, 10, R), RG(10, 15, RW), RG(15, 50, UNMAPPED), RG(50, 64, RW)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(0, 40, UNMAPPED)),
         LIST(RG(0, 40, UNMAPPED), RG(40, 50, R), RG(50, 64, RW)));
  MAPPED(LIST(RG(0, 10, R), RG(20, 30, R), RG(40, 50, R), RG(15, 45, UNMAPPED)),
         LIST(RG(0, 10, R), RG(10, 15, RW), RG(15, 45, UNMAPPED), RG(45, 50, R), RG(50, 64, RW)));

  teardown_vmo();
}

// A new mapping that is virtually and VMO-offset contiguous with existing ones
// merges with them, joining their protection ranges.
TEST(ProtectTestCase, MergeMappings) {
  setup_vmo();

  // One protection range each, joining on the left or on the right.
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(10, 20, RW | MAP)), LIST(RG(0, 20, RW)));
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(10, 20, R | MAP)),
                 LIST(RG(0, 10, RW), RG(10, 20, R)));
  UNMAPPED_START(LIST(RG(10, 20, RW | MAP), RG(0, 10, RW | MAP)), LIST(RG(0, 20, RW)));
  UNMAPPED_START(LIST(RG(10, 20, R | MAP), RG(0, 10, RW | MAP)),
                 LIST(RG(0, 10, RW), RG(10, 20, R)));

  // One protection range each, joining on both sides.
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(20, 30, RW | MAP), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 30, RW)));
  UNMAPPED_START(LIST(RG(0, 10, R | MAP), RG(20, 30, RW | MAP), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 10, R), RG(10, 30, RW)));
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(20, 30, R | MAP), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 20, RW), RG(20, 30, R)));
  UNMAPPED_START(LIST(RG(0, 10, R | MAP), RG(20, 30, R | MAP), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 10, R), RG(10, 20, RW), RG(20, 30, R)));

  // Several protection ranges, joining on one side with equal or different
  // permissions at the seam.
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(2, 4, R), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 2, RW), RG(2, 4, R), RG(4, 20, RW)));
  UNMAPPED_START(LIST(RG(0, 10, RW | MAP), RG(2, 4, R), RG(6, 10, R), RG(10, 20, RW | MAP)),
                 LIST(RG(0, 2, RW), RG(2, 4, R), RG(4, 6, RW), RG(6, 10, R), RG(10, 20, RW)));
  UNMAPPED_START(LIST(RG(10, 20, RW | MAP), RG(12, 15, R), RG(0, 10, RW | MAP)),
                 LIST(RG(0, 12, RW), RG(12, 15, R), RG(15, 20, RW)));
  UNMAPPED_START(LIST(RG(10, 20, R | MAP), RG(12, 15, RW), RG(0, 10, RW | MAP)),
                 LIST(RG(0, 10, RW), RG(10, 12, R), RG(12, 15, RW), RG(15, 20, R)));

  // Several protection ranges, joining in the middle.
  UNMAPPED_START(
      LIST(RG(0, 10, RW | MAP), RG(20, 30, RW | MAP), RG(25, 30, R), RG(10, 20, RW | MAP)),
      LIST(RG(0, 25, RW), RG(25, 30, R)));
  UNMAPPED_START(
      LIST(RG(0, 10, RW | MAP), RG(0, 5, R), RG(20, 30, R | MAP), RG(10, 20, RW | MAP)),
      LIST(RG(0, 5, R), RG(5, 20, RW), RG(20, 30, R)));
  UNMAPPED_START(
      LIST(RG(0, 10, R | MAP), RG(20, 30, RW | MAP), RG(25, 30, R), RG(10, 20, RW | MAP)),
      LIST(RG(0, 10, R), RG(10, 25, RW), RG(25, 30, R)));

  teardown_vmo();
}

// A snapshot child mapped read-write, protected read-only, read (so the
// host maps the parent's shared frame), then protected writable again: a
// write must copy the page into the child, never reach the parent's frame.
TEST(ProtectTestCase, WriteAfterProtectBackToWritableCopies) {
  const size_t page = zx_system_get_page_size();
  zx_handle_t parent, child;
  ASSERT_OK(zx_vmo_create(2 * page, 0, &parent));
  uint64_t v = 42;
  ASSERT_OK(zx_vmo_write(parent, &v, 0, sizeof(v)));
  ASSERT_OK(zx_vmo_write(parent, &v, page, sizeof(v)));
  ASSERT_OK(zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * page, &child));
  uintptr_t addr;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, child, 0,
                        2 * page, &addr));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, 2 * page));
  ASSERT_EQ(*(volatile uint64_t*)addr, 42u);
  ASSERT_EQ(*(volatile uint64_t*)(addr + page), 42u);
  // Both pages back to writable, in one protect and in a second one.
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr, page));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr + page,
                            page));
  *(volatile uint64_t*)addr = 77;
  *(volatile uint64_t*)(addr + page) = 78;
  uint64_t got;
  ASSERT_OK(zx_vmo_read(parent, &got, 0, sizeof(got)));
  EXPECT_EQ(got, 42u);
  ASSERT_OK(zx_vmo_read(parent, &got, page, sizeof(got)));
  EXPECT_EQ(got, 42u);
  ASSERT_OK(zx_vmo_read(child, &got, 0, sizeof(got)));
  EXPECT_EQ(got, 77u);
  ASSERT_OK(zx_vmo_read(child, &got, page, sizeof(got)));
  EXPECT_EQ(got, 78u);
  // A private page made writable again is written in place (no copy).
  *(volatile uint64_t*)addr = 79;
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, page));
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr, page));
  *(volatile uint64_t*)addr = 80;
  ASSERT_OK(zx_vmo_read(child, &got, 0, sizeof(got)));
  EXPECT_EQ(got, 80u);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * page));
  zx_handle_close(child);
  zx_handle_close(parent);
}
