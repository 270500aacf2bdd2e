// User pagers (zx_pager_*), end to end: a pager thread serving the page
// requests of guest faults and syscalls on other threads, the packets'
// layout and rules (one request per missing range, batched for syscalls,
// one page for faults), zx_pager_supply_pages and its errors,
// ZX_PAGER_OP_FAIL turned into a fatal page fault with the pager's status
// (and into syscall statuses), detach (ZX_PAGER_VMO_COMPLETE, then
// BAD_STATE), the pager's last handle closing under a waiter, a kill of a
// thread waiting for a page, and stresses of 8 faulting threads against one
// pager thread, which also fails or dies midway. Every wait has a deadline,
// so a pager bug fails a test instead of hanging it.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/syscalls-next.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zxtest/zxtest.h>

#include "child_task.h"

#define PAGE 4096u
#define STACK_SIZE (64u * 1024u)
#define MS(n) ((zx_duration_t)(n) * 1000000)

static zx_instant_mono_t after_ms(int64_t ms) { return zx_deadline_after(MS(ms)); }

// --- threads -------------------------------------------------------------

static uint8_t g_stacks[16][STACK_SIZE] __attribute__((aligned(16)));
static unsigned g_next_stack;

// The entry stack pointer of one of the static stacks, reused round-robin
// (at most 16 threads live at once), as if a call had pushed a return
// address.
static uintptr_t next_stack(void) { return (uintptr_t)g_stacks[g_next_stack++ % 16] + STACK_SIZE - 8; }

// Starts fn(a1, a2) on a new thread of this process.
static zx_handle_t start_thread(void (*fn)(uintptr_t, uintptr_t), uintptr_t a1, uintptr_t a2) {
  zx_handle_t t = ZX_HANDLE_INVALID;
  if (zx_thread_create(zx_process_self(), "pager-test", 10, 0, &t) != ZX_OK) return ZX_HANDLE_INVALID;
  if (zx_thread_start(t, (uintptr_t)fn, next_stack(), a1, a2) != ZX_OK) {
    zx_handle_close(t);
    return ZX_HANDLE_INVALID;
  }
  return t;
}

static zx_status_t join(zx_handle_t t, int64_t ms) {
  zx_status_t s = zx_object_wait_one(t, ZX_THREAD_TERMINATED, after_ms(ms), NULL);
  zx_handle_close(t);
  return s;
}

static uint32_t thread_state(zx_handle_t t) {
  zx_info_thread_t info;
  if (zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL) != ZX_OK) return 0xffffffffu;
  return info.state;
}

// Waits (up to `ms`) until thread `t` is blocked on a pager.
static bool wait_blocked_on_pager(zx_handle_t t, int64_t ms) {
  zx_instant_mono_t end = after_ms(ms);
  while (zx_clock_get_monotonic() < end) {
    if (thread_state(t) == ZX_THREAD_STATE_BLOCKED_PAGER) return true;
    zx_nanosleep(after_ms(1));
  }
  return false;
}

// Waits (up to `ms`) until thread `t` is in state `state`.
static bool wait_state(zx_handle_t t, uint32_t state, int64_t ms) {
  zx_instant_mono_t end = after_ms(ms);
  while (zx_clock_get_monotonic() < end) {
    if (thread_state(t) == state) return true;
    zx_nanosleep(after_ms(1));
  }
  return false;
}

// --- pager helpers -------------------------------------------------------

typedef struct {
  zx_handle_t pager, port, vmo;
} pager_env_t;

#define KEY 0x5eedu

static void env_make(pager_env_t* e, uint64_t pages, uint32_t options) {
  memset(e, 0, sizeof(*e));
  ASSERT_OK(zx_pager_create(0, &e->pager));
  ASSERT_OK(zx_port_create(0, &e->port));
  ASSERT_OK(zx_pager_create_vmo(e->pager, options, e->port, KEY, pages * PAGE, &e->vmo));
}

static void env_close(pager_env_t* e) {
  zx_handle_close(e->vmo);
  zx_handle_close(e->port);
  zx_handle_close(e->pager);
}

// The next packet within `ms`; false if none came.
static bool next_packet(zx_handle_t port, int64_t ms, zx_port_packet_t* p) {
  return zx_port_wait(port, after_ms(ms), p) == ZX_OK;
}

// Checks that the next packet (within 5 s) is a page request `cmd` for
// [offset, offset + length).
static void expect_request(zx_handle_t port, uint16_t cmd, uint64_t offset, uint64_t length) {
  zx_port_packet_t p;
  ASSERT_TRUE(next_packet(port, 5000, &p), "no page request came");
  EXPECT_EQ(p.key, KEY);
  EXPECT_EQ(p.type, ZX_PKT_TYPE_PAGE_REQUEST);
  EXPECT_EQ(p.status, ZX_OK);
  EXPECT_EQ(p.page_request.command, cmd);
  EXPECT_EQ(p.page_request.offset, offset);
  EXPECT_EQ(p.page_request.length, length);
}

// The byte page `i` of the pattern holds at `at`.
static uint8_t pattern(uint64_t page, uint64_t at) { return (uint8_t)(page * 7 + at / 512 + 1); }

// Makes an auxiliary VMO holding the pattern of pages [first, first + n).
static zx_handle_t pattern_aux(uint64_t first, uint64_t n) {
  zx_handle_t aux = ZX_HANDLE_INVALID;
  if (zx_vmo_create(n * PAGE, 0, &aux) != ZX_OK) return ZX_HANDLE_INVALID;
  static uint8_t buf[PAGE];
  for (uint64_t i = 0; i < n; i++) {
    for (uint64_t b = 0; b < PAGE; b++) buf[b] = pattern(first + i, b);
    zx_vmo_write(aux, buf, i * PAGE, PAGE);
  }
  return aux;
}

// Supplies pages [first, first + n) with the pattern.
static zx_status_t supply(const pager_env_t* e, uint64_t first, uint64_t n) {
  zx_handle_t aux = pattern_aux(first, n);
  zx_status_t s = zx_pager_supply_pages(e->pager, e->vmo, first * PAGE, n * PAGE, aux, 0);
  zx_handle_close(aux);
  return s;
}

static zx_info_vmo_t vmo_info(zx_handle_t vmo) {
  zx_info_vmo_t info;
  memset(&info, 0, sizeof(info));
  zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL);
  return info;
}

static uintptr_t map(zx_handle_t vmo, uint64_t pages) {
  uintptr_t at = 0;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, pages * PAGE, &at) != ZX_OK)
    return 0;
  return at;
}

// --- what the worker threads do -----------------------------------------

typedef struct {
  zx_handle_t vmo;
  uint64_t offset, len;
  uintptr_t addr;  // for loads and process reads
  zx_status_t status;
  uint8_t first, last;
  volatile int done;
} job_t;

static void do_vmo_read(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  static uint8_t buf[16 * PAGE];
  j->status = zx_vmo_read(j->vmo, buf, j->offset, j->len);
  j->first = buf[0];
  j->last = buf[j->len - 1];
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_load(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  j->first = *(volatile uint8_t*)j->addr;
  j->status = ZX_OK;
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_process_read(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  uint8_t buf[64];
  size_t actual = 0;
  j->status = zx_process_read_memory(zx_process_self(), j->addr, buf, sizeof(buf), &actual);
  j->first = buf[0];
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_vmo_commit(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  j->status = zx_vmo_op_range(j->vmo, ZX_VMO_OP_COMMIT, j->offset, j->len, NULL, 0);
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_vmar_commit(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  j->status = zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_COMMIT, j->addr, j->len, NULL, 0);
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

// Where a thread whose fault was fatal is sent to end.
static void landing(void) { zx_thread_exit(); }

// Reads one exception from `ch` within `ms`, checks it is a fatal page
// fault at `addr` with `status` in the report, and sends the thread to
// `landing` (so it exits).
static void expect_fatal_fault(zx_handle_t ch, uintptr_t addr, zx_status_t status) {
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, after_ms(5000), NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb = 0, nh = 0;
  ASSERT_OK(zx_channel_read(ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  EXPECT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
  zx_handle_t t;
  ASSERT_OK(zx_exception_get_thread(exc, &t));
  zx_exception_report_t report;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL));
  EXPECT_EQ(report.header.type, ZX_EXCP_FATAL_PAGE_FAULT);
  EXPECT_EQ((zx_status_t)report.context.synth_code, status);
  EXPECT_EQ(report.context.arch.u.x86_64.cr2, addr);
  zx_thread_state_general_regs_t regs;
  ASSERT_OK(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  regs.rip = (uintptr_t)landing;
  regs.rsp = (regs.rsp & ~(uint64_t)15) - 8;
  ASSERT_OK(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  zx_handle_close(t);
}

// --- creation ------------------------------------------------------------

TEST(Pager, CreateChecksAndRights) {
  zx_handle_t pager, port, vmo;
  EXPECT_EQ(zx_pager_create(1, &pager), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_pager_create(0, &pager));
  zx_info_handle_basic_t basic;
  ASSERT_OK(zx_object_get_info(pager, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_PAGER);
  EXPECT_EQ(basic.rights, ZX_DEFAULT_PAGER_RIGHTS);
  ASSERT_OK(zx_port_create(0, &port));
  // Port checks: type, then WRITE; then the options and the size.
  EXPECT_EQ(zx_pager_create_vmo(pager, 0, pager, 0, PAGE, &vmo), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak_port;
  ASSERT_OK(zx_handle_duplicate(port, ZX_RIGHT_READ, &weak_port));
  EXPECT_EQ(zx_pager_create_vmo(pager, 0, weak_port, 0, PAGE, &vmo), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak_port);
  EXPECT_EQ(zx_pager_create_vmo(port, 0, port, 0, PAGE, &vmo), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_pager_create_vmo(pager, ZX_VMO_DISCARDABLE, port, 0, PAGE, &vmo), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_create_vmo(pager, 0, port, 0, UINT64_MAX, &vmo), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_pager_create_vmo(pager, ZX_VMO_UNBOUNDED | ZX_VMO_RESIZABLE, port, 0, PAGE, &vmo),
            ZX_ERR_INVALID_ARGS);
  // A pager handle cannot be duplicated (no ZX_RIGHT_DUPLICATE), only
  // replaced; without ATTACH_VMO it makes no VMO.
  zx_handle_t weak_pager, spare;
  EXPECT_EQ(zx_handle_duplicate(pager, ZX_RIGHT_SAME_RIGHTS, &weak_pager), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_pager_create(0, &spare));
  ASSERT_OK(zx_handle_replace(spare, ZX_RIGHT_MANAGE_VMO, &weak_pager));
  EXPECT_EQ(zx_pager_create_vmo(weak_pager, 0, port, 0, PAGE, &vmo), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak_pager);
  ASSERT_OK(zx_pager_create_vmo(pager, ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY, port, KEY, PAGE + 1, &vmo));
  uint64_t size = 0;
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  zx_info_vmo_t info = vmo_info(vmo);
  EXPECT_EQ(info.flags & (ZX_INFO_VMO_PAGER_BACKED | ZX_INFO_VMO_RESIZABLE | ZX_INFO_VMO_TYPE_PAGED),
            ZX_INFO_VMO_PAGER_BACKED | ZX_INFO_VMO_RESIZABLE | ZX_INFO_VMO_TYPE_PAGED);
  ASSERT_OK(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL));
  EXPECT_EQ(basic.rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  // Nothing was asked for yet.
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(port, 10, &p));
  zx_handle_close(vmo);
  // A VMO going away completes.
  expect_request(port, ZX_PAGER_VMO_COMPLETE, 0, 0);
  zx_handle_close(port);
  zx_handle_close(pager);
}

// --- serving faults and syscalls ------------------------------------------

TEST(Pager, FaultWaitsUntilThePagerSupplies) {
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  job_t j = {.addr = base + 2 * PAGE + 100};
  zx_handle_t t = start_thread(do_load, (uintptr_t)&j, 0);
  ASSERT_NE(t, ZX_HANDLE_INVALID);
  // A fault asks for its one page.
  expect_request(e.port, ZX_PAGER_VMO_READ, 2 * PAGE, PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  EXPECT_EQ(__atomic_load_n(&j.done, __ATOMIC_ACQUIRE), 0);
  ASSERT_OK(supply(&e, 2, 1));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(j.first, pattern(2, 100));
  // The page stays: touching it again asks nothing.
  EXPECT_EQ(*(volatile uint8_t*)(base + 2 * PAGE + 4000), pattern(2, 4000));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

TEST(Pager, PresentPageNextToMissingOneInTheSameChunk) {
  pager_env_t e;
  env_make(&e, 8, 0);
  uintptr_t base = map(e.vmo, 8);
  ASSERT_NE(base, 0u);
  ASSERT_OK(supply(&e, 3, 1));
  EXPECT_EQ(*(volatile uint8_t*)(base + 3 * PAGE), pattern(3, 0));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  // Its neighbours on both sides still fault to the pager.
  for (uint64_t page = 2; page <= 4; page += 2) {
    job_t j = {.addr = base + page * PAGE};
    zx_handle_t t = start_thread(do_load, (uintptr_t)&j, 0);
    expect_request(e.port, ZX_PAGER_VMO_READ, page * PAGE, PAGE);
    ASSERT_OK(supply(&e, page, 1));
    ASSERT_OK(join(t, 5000));
    EXPECT_EQ(j.first, pattern(page, 0));
  }
  zx_vmar_unmap(zx_vmar_root_self(), base, 8 * PAGE);
  env_close(&e);
}

TEST(Pager, VmoReadBlocksUntilSupplyAndBatches) {
  pager_env_t e;
  env_make(&e, 8, 0);
  job_t j = {.vmo = e.vmo, .offset = PAGE + 5, .len = 2 * PAGE};
  zx_handle_t t = start_thread(do_vmo_read, (uintptr_t)&j, 0);
  // One request for the three pages the read needs.
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, 3 * PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  EXPECT_EQ(__atomic_load_n(&j.done, __ATOMIC_ACQUIRE), 0);
  // Half of it does not end the wait; a request is not sent again.
  ASSERT_OK(supply(&e, 1, 1));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 20, &p));
  EXPECT_EQ(__atomic_load_n(&j.done, __ATOMIC_ACQUIRE), 0);
  ASSERT_OK(supply(&e, 2, 2));
  ASSERT_OK(join(t, 5000));
  EXPECT_OK(j.status);
  EXPECT_EQ(j.first, pattern(1, 5));
  EXPECT_EQ(j.last, pattern(3, 4));
  env_close(&e);
}

TEST(Pager, SyscallsThatNeedPagesWait) {
  pager_env_t e;
  env_make(&e, 8, 0);
  uintptr_t base = map(e.vmo, 8);
  ASSERT_NE(base, 0u);
  void (*fns[3])(uintptr_t, uintptr_t) = {do_process_read, do_vmo_commit, do_vmar_commit};
  for (unsigned k = 0; k < 3; k++) {
    uint64_t page = 2 * k;
    job_t j = {.vmo = e.vmo, .offset = page * PAGE, .len = 2 * PAGE, .addr = base + page * PAGE};
    zx_handle_t t = start_thread(fns[k], (uintptr_t)&j, 0);
    expect_request(e.port, ZX_PAGER_VMO_READ, page * PAGE, k == 0 ? PAGE : 2 * PAGE);
    EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
    ASSERT_OK(supply(&e, page, 2));
    ASSERT_OK(join(t, 5000));
    EXPECT_OK(j.status, "call %u", k);
    if (k == 0) EXPECT_EQ(j.first, pattern(0, 0));
  }
  zx_vmar_unmap(zx_vmar_root_self(), base, 8 * PAGE);
  env_close(&e);
}

TEST(Pager, SliceAndSnapshotsReadThrough) {
  pager_env_t e;
  env_make(&e, 8, 0);
  zx_handle_t slice, clone;
  ASSERT_OK(zx_vmo_create_child(e.vmo, ZX_VMO_CHILD_SLICE, 4 * PAGE, 2 * PAGE, &slice));
  EXPECT_NE(vmo_info(slice).flags & ZX_INFO_VMO_PAGER_BACKED, 0u);
  job_t j = {.vmo = slice, .offset = PAGE, .len = 1};
  zx_handle_t t = start_thread(do_vmo_read, (uintptr_t)&j, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 5 * PAGE, PAGE);
  ASSERT_OK(supply(&e, 5, 1));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(j.first, pattern(5, 0));
  // Zircon refuses a plain snapshot of a pager's VMO.
  EXPECT_EQ(zx_vmo_create_child(e.vmo, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &clone), ZX_ERR_NOT_SUPPORTED);
  // An at-least-on-write snapshot reads missing pages through to the pager
  // (faults through its mappings too) and keeps its own writes.
  ASSERT_OK(zx_vmo_create_child(e.vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 2 * PAGE, 4 * PAGE, &clone));
  zx_info_vmo_t info = vmo_info(clone);
  EXPECT_EQ(info.flags & (ZX_INFO_VMO_PAGER_BACKED | ZX_INFO_VMO_IS_COW_CLONE),
            ZX_INFO_VMO_PAGER_BACKED | ZX_INFO_VMO_IS_COW_CLONE);
  // Nothing of a pager-backed hierarchy decommits.
  EXPECT_EQ(zx_vmo_op_range(e.vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(zx_vmo_op_range(clone, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  uintptr_t base = map(clone, 4);
  ASSERT_NE(base, 0u);
  job_t f = {.addr = base + PAGE + 9};
  t = start_thread(do_load, (uintptr_t)&f, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 3 * PAGE, PAGE);
  ASSERT_OK(supply(&e, 3, 1));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(f.first, pattern(3, 9));
  // Page 3 of the clone is page 5 of the parent: present already.
  EXPECT_EQ(*(volatile uint8_t*)(base + 3 * PAGE), pattern(5, 0));
  *(volatile uint8_t*)(base + 3 * PAGE) = 0xab;
  uint8_t b = 0;
  ASSERT_OK(zx_vmo_read(e.vmo, &b, 5 * PAGE, 1));
  EXPECT_EQ(b, pattern(5, 0));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  zx_handle_close(clone);
  zx_handle_close(slice);
  env_close(&e);
}

TEST(Pager, SnapshotSeesItsParentUntilItWrites) {
  pager_env_t e;
  env_make(&e, 3, ZX_VMO_RESIZABLE);
  ASSERT_OK(supply(&e, 0, 3));
  zx_handle_t clone;
  ASSERT_OK(zx_vmo_create_child(e.vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, PAGE, 2 * PAGE, &clone));
  uintptr_t ro = 0;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, clone, 0, 2 * PAGE, &ro));
  volatile uint8_t* c = (volatile uint8_t*)ro;
  EXPECT_EQ(c[PAGE], pattern(2, 0));
  // The parent's writes show through pages the snapshot has not written.
  uint8_t v = 0x61;
  ASSERT_OK(zx_vmo_write(e.vmo, &v, 2 * PAGE, 1));
  EXPECT_EQ(c[PAGE], 0x61);
  // The snapshot's own write keeps its page apart.
  v = 0x62;
  ASSERT_OK(zx_vmo_write(clone, &v, 0, 1));
  v = 0x63;
  ASSERT_OK(zx_vmo_write(e.vmo, &v, PAGE, 1));
  EXPECT_EQ(c[0], 0x62);
  // A parent that shrinks leaves zeros, and growing it back shows nothing.
  ASSERT_OK(zx_vmo_set_size(e.vmo, 0));
  EXPECT_EQ(c[PAGE], 0);
  ASSERT_OK(zx_vmo_set_size(e.vmo, 3 * PAGE));
  ASSERT_OK(supply(&e, 0, 3));
  v = 0x64;
  ASSERT_OK(zx_vmo_write(e.vmo, &v, 2 * PAGE, 1));
  EXPECT_EQ(c[PAGE], 0);
  EXPECT_EQ(c[0], 0x62);
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), ro, 2 * PAGE);
  zx_handle_close(clone);
  env_close(&e);
}

TEST(Pager, DetachFailsWhatASnapshotStillShares) {
  pager_env_t e;
  env_make(&e, 2, 0);
  ASSERT_OK(supply(&e, 0, 2));
  zx_handle_t clone;
  ASSERT_OK(zx_vmo_create_child(e.vmo, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 2 * PAGE, &clone));
  uint8_t v = 0x71;
  ASSERT_OK(zx_vmo_write(clone, &v, 0, 1));
  ASSERT_OK(zx_pager_detach_vmo(e.pager, e.vmo));
  expect_request(e.port, ZX_PAGER_VMO_COMPLETE, 0, 0);
  // The written page is the snapshot's; the other one was the parent's.
  ASSERT_OK(zx_vmo_read(clone, &v, 0, 1));
  EXPECT_EQ(v, 0x71);
  EXPECT_EQ(zx_vmo_read(clone, &v, PAGE, 1), ZX_ERR_BAD_STATE);
  zx_handle_close(clone);
  env_close(&e);
}

// Starts `fn(job)` on a thread bound to a new exception channel `*ch`.
static zx_handle_t start_watched(void (*fn)(uintptr_t, uintptr_t), job_t* job, zx_handle_t* ch) {
  zx_handle_t t = ZX_HANDLE_INVALID;
  if (zx_thread_create(zx_process_self(), "faulter", 7, 0, &t) != ZX_OK) return ZX_HANDLE_INVALID;
  if (zx_task_create_exception_channel(t, 0, ch) != ZX_OK ||
      zx_thread_start(t, (uintptr_t)fn, next_stack(), (uintptr_t)job, 0) != ZX_OK) {
    zx_handle_close(t);
    return ZX_HANDLE_INVALID;
  }
  return t;
}

TEST(Pager, ManyWaitersOnOnePageMakeOneRequest) {
  pager_env_t e;
  env_make(&e, 1, 0);
  uintptr_t base = map(e.vmo, 1);
  ASSERT_NE(base, 0u);
  job_t j[12];
  zx_handle_t t[12];
  for (int i = 0; i < 12; i++) {
    j[i] = (job_t){.vmo = e.vmo, .len = 1, .addr = base + 8 * (uint64_t)i};
    t[i] = start_thread(i % 2 ? do_load : do_vmo_read, (uintptr_t)&j[i], 0);
    EXPECT_TRUE(wait_blocked_on_pager(t[i], 5000));
  }
  expect_request(e.port, ZX_PAGER_VMO_READ, 0, PAGE);
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 20, &p));
  ASSERT_OK(supply(&e, 0, 1));
  for (int i = 0; i < 12; i++) {
    ASSERT_OK(join(t[i], 5000));
    EXPECT_EQ(j[i].first, pattern(0, i % 2 ? 8 * (uint64_t)i : 0));
  }
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, PAGE);
  env_close(&e);
}

TEST(Pager, UnmapOrShrinkUnderAWaitingFault) {
  // Unmapped while it waits: once the page comes, the retry finds nothing
  // mapped (NOT_FOUND). Shrunk under it: the page is past the end
  // (OUT_OF_RANGE).
  pager_env_t e;
  env_make(&e, 2, ZX_VMO_RESIZABLE);
  uintptr_t base = map(e.vmo, 2);
  ASSERT_NE(base, 0u);
  job_t f = {.addr = base};
  zx_handle_t ch, t = start_watched(do_load, &f, &ch);
  ASSERT_NE(t, ZX_HANDLE_INVALID);
  expect_request(e.port, ZX_PAGER_VMO_READ, 0, PAGE);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), base, 2 * PAGE));
  ASSERT_OK(supply(&e, 0, 1));
  expect_fatal_fault(ch, base, ZX_ERR_NOT_FOUND);
  ASSERT_OK(join(t, 5000));
  zx_handle_close(ch);

  base = map(e.vmo, 2);
  ASSERT_NE(base, 0u);
  f = (job_t){.addr = base + PAGE};
  t = start_watched(do_load, &f, &ch);
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
  ASSERT_OK(zx_vmo_set_size(e.vmo, PAGE));
  expect_fatal_fault(ch, base + PAGE, ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(join(t, 5000));
  zx_handle_close(ch);
  zx_vmar_unmap(zx_vmar_root_self(), base, 2 * PAGE);
  env_close(&e);
}

TEST(Pager, MapRangeMapsOnlyWhatIsThere) {
  pager_env_t e;
  env_make(&e, 2, 0);
  ASSERT_OK(supply(&e, 0, 1));
  uintptr_t base = 0;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0, e.vmo, 0, 2 * PAGE, &base));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  EXPECT_EQ(*(volatile uint8_t*)base, pattern(0, 0));
  job_t f = {.addr = base + PAGE};
  zx_handle_t t = start_thread(do_load, (uintptr_t)&f, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
  ASSERT_OK(supply(&e, 1, 1));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(f.first, pattern(1, 0));
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 2 * PAGE);
  env_close(&e);
}

TEST(Pager, FailingOverlapsAndThenSupplying) {
  pager_env_t e;
  env_make(&e, 11, 0);
  // Three commits, whose ranges the failed range overlaps at the end,
  // wholly and at the start.
  job_t c[3] = {{.vmo = e.vmo, .offset = 0, .len = 2 * PAGE},
                {.vmo = e.vmo, .offset = 9 * PAGE, .len = 2 * PAGE},
                {.vmo = e.vmo, .offset = 5 * PAGE, .len = 2 * PAGE}};
  zx_handle_t t[3];
  for (int i = 0; i < 3; i++) {
    t[i] = start_thread(do_vmo_commit, (uintptr_t)&c[i], 0);
    expect_request(e.port, ZX_PAGER_VMO_READ, c[i].offset, c[i].len);
  }
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE, 9 * PAGE, (uint64_t)(int64_t)ZX_ERR_IO));
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(join(t[i], 5000));
    EXPECT_EQ(c[i].status, ZX_ERR_IO);
  }
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  // Failing again, or after nothing is outstanding, changes nothing; the
  // range can be asked for and supplied afterwards.
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, 0, 11 * PAGE, (uint64_t)(int64_t)ZX_ERR_IO));
  job_t again = {.vmo = e.vmo, .offset = 0, .len = 11 * PAGE};
  zx_handle_t ta = start_thread(do_vmo_commit, (uintptr_t)&again, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 0, 11 * PAGE);
  ASSERT_OK(supply(&e, 0, 11));
  ASSERT_OK(join(ta, 5000));
  EXPECT_OK(again.status);
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  env_close(&e);
}

static void do_futex_wait(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  j->status = zx_futex_wait((const zx_futex_t*)j->addr, (zx_futex_t)j->offset, ZX_HANDLE_INVALID,
                            zx_deadline_after(MS(10000)));
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_futex_wake(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  j->status = zx_futex_wake((const zx_futex_t*)j->addr, 1);
  zx_thread_exit();
}

TEST(Pager, AFutexWordOnAMissingPageHoldsNoFutexLock) {
  pager_env_t e;
  env_make(&e, 1, 0);
  uintptr_t base = map(e.vmo, 1);
  ASSERT_NE(base, 0u);
  // The word will read 0x01010101 (pattern(0, 0..3)).
  job_t w = {.addr = base, .offset = 0x01010101u};
  zx_handle_t t = start_thread(do_futex_wait, (uintptr_t)&w, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 0, PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  // Other futex calls of the process go on meanwhile (made on a thread of
  // their own, so that a regression fails here instead of hanging: the
  // page is supplied after a second either way).
  static zx_futex_t other = 0;
  job_t k = {.addr = (uintptr_t)&other};
  zx_handle_t tk = start_thread(do_futex_wake, (uintptr_t)&k, 0);
  EXPECT_OK(zx_object_wait_one(tk, ZX_THREAD_TERMINATED, after_ms(1000), NULL));
  ASSERT_OK(supply(&e, 0, 1));
  ASSERT_OK(join(tk, 5000));
  EXPECT_OK(k.status);
  EXPECT_TRUE(wait_state(t, ZX_THREAD_STATE_BLOCKED_FUTEX, 5000));
  EXPECT_OK(zx_futex_wake((const zx_futex_t*)base, 1));
  ASSERT_OK(join(t, 5000));
  EXPECT_OK(w.status);
  zx_vmar_unmap(zx_vmar_root_self(), base, PAGE);
  env_close(&e);
}

// --- zx_pager_supply_pages ---------------------------------------------------

TEST(Pager, SupplyErrorsChangeNothing) {
  pager_env_t e, other;
  env_make(&e, 4, 0);
  env_make(&other, 4, 0);
  zx_handle_t aux = pattern_aux(0, 2);
  ASSERT_NE(aux, ZX_HANDLE_INVALID);
  // Misaligned offset, length or auxiliary offset: before any handle.
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 1, PAGE, aux, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE - 1, aux, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, aux, 8), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_supply_pages(ZX_HANDLE_INVALID, e.vmo, 1, PAGE, aux, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_supply_pages(ZX_HANDLE_INVALID, e.vmo, 0, PAGE, aux, 0), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(zx_pager_supply_pages(e.vmo, e.vmo, 0, PAGE, aux, 0), ZX_ERR_WRONG_TYPE);
  // Out of range in either VMO, or wrapping.
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 4 * PAGE, PAGE, aux, 0), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, 2 * PAGE, aux, PAGE), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, aux, UINT64_MAX - PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  // The wrong pager; a VMO no pager made.
  EXPECT_EQ(zx_pager_supply_pages(other.pager, e.vmo, 0, PAGE, aux, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, aux, 0, PAGE, aux, 0), ZX_ERR_INVALID_ARGS);
  // A bad auxiliary VMO: no WRITE or no READ; a snapshot, one with a
  // child, another pager's VMO.
  zx_handle_t ro, wo, snap, child;
  ASSERT_OK(zx_handle_duplicate(aux, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &ro));
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, ro, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  ASSERT_OK(zx_handle_duplicate(aux, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ, &wo));
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, wo, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(wo);
  ASSERT_OK(zx_vmo_create_child(aux, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, &snap));
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, snap, 0), ZX_ERR_BAD_STATE);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, aux, 0), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_create_child(snap, ZX_VMO_CHILD_SLICE, 0, PAGE, &child));
  zx_handle_close(child);
  zx_handle_close(snap);
  EXPECT_EQ(zx_pager_supply_pages(e.pager, e.vmo, 0, PAGE, other.vmo, 0), ZX_ERR_BAD_STATE);
  // Nothing moved.
  EXPECT_EQ(vmo_info(aux).committed_bytes, 2 * PAGE);
  EXPECT_EQ(vmo_info(e.vmo).committed_bytes, 0u);
  // Now for real, from a mapped auxiliary VMO: the pages move (the mapping
  // reads zeros afterwards), and a second supply skips present ones.
  uintptr_t at = map(aux, 2);
  ASSERT_NE(at, 0u);
  EXPECT_EQ(*(volatile uint8_t*)at, pattern(0, 0));
  ASSERT_OK(zx_pager_supply_pages(e.pager, e.vmo, 0, 2 * PAGE, aux, 0));
  EXPECT_EQ(vmo_info(aux).committed_bytes, 0u);
  EXPECT_EQ(*(volatile uint8_t*)at, 0u);
  zx_vmar_unmap(zx_vmar_root_self(), at, 2 * PAGE);
  ASSERT_OK(supply(&e, 1, 2));
  uint8_t b[3];
  ASSERT_OK(zx_vmo_read(e.vmo, &b[0], 0, 1));
  ASSERT_OK(zx_vmo_read(e.vmo, &b[1], PAGE, 1));
  ASSERT_OK(zx_vmo_read(e.vmo, &b[2], 2 * PAGE, 1));
  EXPECT_EQ(b[0], pattern(0, 0));
  EXPECT_EQ(b[1], pattern(1, 0));
  EXPECT_EQ(b[2], pattern(2, 0));
  zx_handle_close(aux);
  env_close(&other);
  env_close(&e);
}

// --- ZX_PAGER_OP_FAIL --------------------------------------------------------

TEST(Pager, FailedPageIsAFatalFaultWithThePagersStatus) {
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  job_t j = {.addr = base + PAGE + 8};
  zx_handle_t t = ZX_HANDLE_INVALID, ch;
  ASSERT_OK(zx_thread_create(zx_process_self(), "faulter", 7, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)do_load, next_stack(), (uintptr_t)&j, 0));
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
  // Only the allowed statuses, fitting 32 bits.
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE, PAGE, (uint64_t)ZX_ERR_NO_MEMORY),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE, PAGE, (uint32_t)ZX_ERR_IO),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE, PAGE, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE + 1, PAGE, (uint64_t)ZX_ERR_IO),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, 0, 5 * PAGE, (uint64_t)(int64_t)ZX_ERR_IO),
            ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_pager_op_range(e.pager, 0, e.vmo, 0, PAGE, 0), ZX_ERR_NOT_SUPPORTED);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, 0, 2 * PAGE, (uint64_t)(int64_t)ZX_ERR_IO));
  expect_fatal_fault(ch, base + PAGE + 8, ZX_ERR_IO);
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(j.done, 0);
  zx_handle_close(ch);
  // A syscall gets the status itself; failing is not sticky.
  static const zx_status_t codes[] = {ZX_ERR_IO_DATA_INTEGRITY, ZX_ERR_BAD_STATE, ZX_ERR_NO_SPACE,
                                      ZX_ERR_BUFFER_TOO_SMALL};
  for (unsigned k = 0; k < 4; k++) {
    job_t r = {.vmo = e.vmo, .offset = PAGE, .len = 1};
    t = start_thread(do_vmo_read, (uintptr_t)&r, 0);
    expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
    ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, PAGE, PAGE, (uint64_t)(int64_t)codes[k]));
    ASSERT_OK(join(t, 5000));
    EXPECT_EQ(r.status, codes[k]);
  }
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

// --- detach and the pager going away ----------------------------------------

TEST(Pager, DetachCompletesAndLaterAccessesFail) {
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  ASSERT_OK(supply(&e, 0, 2));
  // Page 0 is read through the mapping (clean), page 1 written (dirty).
  EXPECT_EQ(*(volatile uint8_t*)base, pattern(0, 0));
  *(volatile uint8_t*)(base + PAGE) = 0x3c;
  job_t j = {.vmo = e.vmo, .offset = 2 * PAGE, .len = 1};
  zx_handle_t t = start_thread(do_vmo_read, (uintptr_t)&j, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 2 * PAGE, PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  zx_handle_t other;
  ASSERT_OK(zx_pager_create(0, &other));
  EXPECT_EQ(zx_pager_detach_vmo(other, e.vmo), ZX_ERR_INVALID_ARGS);
  zx_handle_close(other);
  ASSERT_OK(zx_pager_detach_vmo(e.pager, e.vmo));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(j.status, ZX_ERR_BAD_STATE);
  expect_request(e.port, ZX_PAGER_VMO_COMPLETE, 0, 0);
  // As on Zircon, detaching decommits the clean pages: they fail from now
  // on, as missing ones do, for syscalls and faults; dirty pages stay.
  uint8_t b;
  EXPECT_EQ(vmo_info(e.vmo).committed_bytes, PAGE);
  EXPECT_EQ(zx_vmo_read(e.vmo, &b, 0, 1), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_vmo_read(e.vmo, &b, PAGE, 1));
  EXPECT_EQ(b, 0x3c);
  EXPECT_EQ(*(volatile uint8_t*)(base + PAGE), 0x3c);
  EXPECT_EQ(zx_vmo_read(e.vmo, &b, 3 * PAGE, 1), ZX_ERR_BAD_STATE);
  EXPECT_EQ(supply(&e, 3, 1), ZX_ERR_BAD_STATE);
  // A page that was mapped before the detach faults too.
  for (uint64_t page = 0; page <= 3; page += 3) {
    job_t f = {.addr = base + page * PAGE};
    zx_handle_t ch;
    ASSERT_OK(zx_thread_create(zx_process_self(), "faulter", 7, 0, &t));
    ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
    ASSERT_OK(zx_thread_start(t, (uintptr_t)do_load, next_stack(), (uintptr_t)&f, 0));
    expect_fatal_fault(ch, base + page * PAGE, ZX_ERR_BAD_STATE);
    ASSERT_OK(join(t, 5000));
    zx_handle_close(ch);
  }
  // Nothing more is sent, and detaching again is fine.
  ASSERT_OK(zx_pager_detach_vmo(e.pager, e.vmo));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

TEST(Pager, PagerClosedWhileThreadsWait) {
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  job_t r = {.vmo = e.vmo, .offset = 0, .len = 1};
  zx_handle_t reader = start_thread(do_vmo_read, (uintptr_t)&r, 0);
  job_t f = {.addr = base + 2 * PAGE};
  zx_handle_t faulter, ch;
  ASSERT_OK(zx_thread_create(zx_process_self(), "faulter", 7, 0, &faulter));
  ASSERT_OK(zx_task_create_exception_channel(faulter, 0, &ch));
  ASSERT_OK(zx_thread_start(faulter, (uintptr_t)do_load, next_stack(), (uintptr_t)&f, 0));
  EXPECT_TRUE(wait_blocked_on_pager(reader, 5000));
  EXPECT_TRUE(wait_blocked_on_pager(faulter, 5000));
  // The pager's last handle goes: both waits end with BAD_STATE.
  ASSERT_OK(zx_handle_close(e.pager));
  e.pager = ZX_HANDLE_INVALID;
  ASSERT_OK(join(reader, 5000));
  EXPECT_EQ(r.status, ZX_ERR_BAD_STATE);
  expect_fatal_fault(ch, base + 2 * PAGE, ZX_ERR_BAD_STATE);
  ASSERT_OK(join(faulter, 5000));
  zx_handle_close(ch);
  // No packet is left in the port (not even ZX_PAGER_VMO_COMPLETE).
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  zx_handle_close(e.vmo);
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_handle_close(e.port);
}

TEST(Pager, KillingAThreadWaitingForAPageEndsItPromptly) {
  pager_env_t e;
  env_make(&e, 4, 0);
  child_t ch;
  ASSERT_OK(child_create(zx_job_default(), "pager-faulter", &ch));
  uintptr_t at = 0;
  ASSERT_OK(zx_vmar_map(ch.vmar, ZX_VM_PERM_READ, 0, e.vmo, 0, 4 * PAGE, &at));
  // movabs rax, at + PAGE; mov al, [rax]; ud2
  child_code_t c = {0};
  static const uint8_t movabs_rax[2] = {0x48, 0xb8}, load[2] = {0x8a, 0x00}, ud2[2] = {0x0f, 0x0b};
  uintptr_t target = at + PAGE;
  child_emit(&c, movabs_rax, sizeof(movabs_rax));
  child_emit(&c, &target, sizeof(target));
  child_emit(&c, load, sizeof(load));
  child_emit(&c, ud2, sizeof(ud2));
  ASSERT_OK(child_start(&ch, &c, ZX_HANDLE_INVALID, 0));
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(ch.thread, 5000));
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  ASSERT_OK(zx_task_kill(ch.process));
  ASSERT_OK(zx_object_wait_one(ch.process, ZX_PROCESS_TERMINATED, after_ms(5000), NULL));
  EXPECT_LT(zx_clock_get_monotonic() - t0, MS(2000));
  EXPECT_EQ(child_return_code(&ch), ZX_TASK_RETCODE_SYSCALL_KILL);
  child_close(&ch);
  env_close(&e);
}

TEST(Pager, SuspendingAThreadWaitingForAPage) {
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  // A fault and a syscall each wait; a suspension stops them where they are
  // (the wait is made again on resume), and they finish once supplied.
  job_t f = {.addr = base + PAGE};
  job_t r = {.vmo = e.vmo, .offset = 2 * PAGE, .len = 1};
  zx_handle_t tf = start_thread(do_load, (uintptr_t)&f, 0);
  zx_handle_t tr = start_thread(do_vmo_read, (uintptr_t)&r, 0);
  EXPECT_TRUE(wait_blocked_on_pager(tf, 5000));
  EXPECT_TRUE(wait_blocked_on_pager(tr, 5000));
  zx_handle_t sf, sr;
  ASSERT_OK(zx_task_suspend_token(tf, &sf));
  ASSERT_OK(zx_task_suspend_token(tr, &sr));
  EXPECT_TRUE(wait_state(tf, ZX_THREAD_STATE_SUSPENDED, 5000));
  EXPECT_TRUE(wait_state(tr, ZX_THREAD_STATE_SUSPENDED, 5000));
  ASSERT_OK(supply(&e, 0, 4));
  EXPECT_EQ(__atomic_load_n(&f.done, __ATOMIC_ACQUIRE), 0);
  EXPECT_EQ(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE), 0);
  zx_handle_close(sf);
  zx_handle_close(sr);
  ASSERT_OK(join(tf, 5000));
  ASSERT_OK(join(tr, 5000));
  EXPECT_EQ(f.first, pattern(1, 0));
  EXPECT_OK(r.status);
  EXPECT_EQ(r.first, pattern(2, 0));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

TEST(Pager, ASuspendedWaitAsksAgainOnResume) {
  // As on Zircon, a wait cut short by a suspension gives its request up;
  // the resumed thread asks again.
  pager_env_t e;
  env_make(&e, 4, 0);
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  job_t f = {.addr = base + PAGE};
  job_t r = {.vmo = e.vmo, .offset = 3 * PAGE, .len = 1};
  zx_handle_t t[2] = {start_thread(do_load, (uintptr_t)&f, 0), ZX_HANDLE_INVALID};
  expect_request(e.port, ZX_PAGER_VMO_READ, PAGE, PAGE);
  t[1] = start_thread(do_vmo_read, (uintptr_t)&r, 0);
  expect_request(e.port, ZX_PAGER_VMO_READ, 3 * PAGE, PAGE);
  for (int k = 0; k < 2; k++) {
    EXPECT_TRUE(wait_blocked_on_pager(t[k], 5000));
    zx_handle_t token;
    ASSERT_OK(zx_task_suspend_token(t[k], &token));
    EXPECT_TRUE(wait_state(t[k], ZX_THREAD_STATE_SUSPENDED, 5000));
    zx_handle_close(token);
    EXPECT_TRUE(wait_blocked_on_pager(t[k], 5000));
    expect_request(e.port, ZX_PAGER_VMO_READ, k == 0 ? PAGE : 3 * PAGE, PAGE);
  }
  ASSERT_OK(supply(&e, 0, 4));
  ASSERT_OK(join(t[0], 5000));
  ASSERT_OK(join(t[1], 5000));
  EXPECT_EQ(f.first, pattern(1, 0));
  EXPECT_OK(r.status);
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

// --- dirty tracking and writeback ---------------------------------------------

// The dirty ranges of [0, pages) as "offset+length[z] ..." in pages, e.g.
// "1+2 5+1z".
static void dirty_string(const pager_env_t* e, uint64_t pages, char* out, size_t cap) {
  zx_vmo_dirty_range_t r[8];
  size_t actual = 0, avail = 0;
  out[0] = 0;
  zx_status_t s = zx_pager_query_dirty_ranges(e->pager, e->vmo, 0, pages * PAGE, r, sizeof(r), &actual, &avail);
  if (s != ZX_OK) {
    snprintf(out, cap, "error %d", s);
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < actual && n + 32 < cap; i++) {
    n += (size_t)snprintf(out + n, cap - n, "%s%lu+%lu%s", i ? " " : "", (unsigned long)(r[i].offset / PAGE),
                          (unsigned long)(r[i].length / PAGE), r[i].options & ZX_VMO_DIRTY_RANGE_IS_ZERO ? "z" : "");
  }
}

static bool modified(const pager_env_t* e, uint32_t options) {
  zx_pager_vmo_stats_t stats = {.modified = 0xff};
  if (zx_pager_query_vmo_stats(e->pager, e->vmo, options, &stats, sizeof(stats)) != ZX_OK) return false;
  return stats.modified == ZX_PAGER_VMO_STATS_MODIFIED;
}

TEST(PagerDirty, WritesAreTrackedAndWritebackCleans) {
  pager_env_t e;
  env_make(&e, 8, 0);
  ASSERT_OK(supply(&e, 0, 8));
  uintptr_t base = map(e.vmo, 8);
  ASSERT_NE(base, 0u);
  char buf[128];
  dirty_string(&e, 8, buf, sizeof(buf));
  EXPECT_STREQ(buf, "");
  EXPECT_FALSE(modified(&e, 0));
  // Reads through the mapping dirty nothing; a store dirties its page; a
  // syscall write its pages.
  EXPECT_EQ(*(volatile uint8_t*)(base + 2 * PAGE), pattern(2, 0));
  dirty_string(&e, 8, buf, sizeof(buf));
  EXPECT_STREQ(buf, "");
  *(volatile uint8_t*)(base + 2 * PAGE + 1) = 0x42;
  uint8_t b[PAGE + 2] = {0};
  ASSERT_OK(zx_vmo_write(e.vmo, b, 5 * PAGE - 1, sizeof(b)));
  dirty_string(&e, 8, buf, sizeof(buf));
  EXPECT_STREQ(buf, "2+1 4+3");
  EXPECT_TRUE(modified(&e, ZX_PAGER_RESET_VMO_STATS));
  EXPECT_FALSE(modified(&e, 0));
  // A store to an already dirty page after the reset is still seen.
  *(volatile uint8_t*)(base + 2 * PAGE + 2) = 0x43;
  EXPECT_TRUE(modified(&e, 0));
  // Writeback: dirty until the end, unless written meanwhile.
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_WRITEBACK_BEGIN, e.vmo, 0, 8 * PAGE, 0));
  dirty_string(&e, 8, buf, sizeof(buf));
  EXPECT_STREQ(buf, "2+1 4+3");
  *(volatile uint8_t*)(base + 4 * PAGE) = 1;
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_WRITEBACK_END, e.vmo, 0, 8 * PAGE, 0));
  dirty_string(&e, 8, buf, sizeof(buf));
  EXPECT_STREQ(buf, "4+1");
  // Data must be 0; OP_DIRTY needs present pages; ranges in the VMO.
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_WRITEBACK_BEGIN, e.vmo, 0, PAGE, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_DIRTY, e.vmo, 0, PAGE, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_op_range(e.pager, ZX_PAGER_OP_WRITEBACK_END, e.vmo, 0, 9 * PAGE, 0), ZX_ERR_OUT_OF_RANGE);
  // The queries: a buffer too small for all, the options, the sizes.
  zx_vmo_dirty_range_t one;
  size_t actual = 9, avail = 9;
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_DIRTY, e.vmo, 0, PAGE, 0));
  ASSERT_OK(zx_pager_query_dirty_ranges(e.pager, e.vmo, 0, 8 * PAGE, &one, sizeof(one), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(avail, 2u);
  EXPECT_EQ(one.offset, 0u);
  EXPECT_EQ(one.length, PAGE);
  EXPECT_EQ(zx_pager_query_dirty_ranges(e.pager, e.vmo, 0, 9 * PAGE, &one, sizeof(one), &actual, &avail),
            ZX_ERR_OUT_OF_RANGE);
  zx_pager_vmo_stats_t stats;
  EXPECT_EQ(zx_pager_query_vmo_stats(e.pager, e.vmo, 2, &stats, sizeof(stats)), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_pager_query_vmo_stats(e.pager, e.vmo, 0, &stats, 2), ZX_ERR_BUFFER_TOO_SMALL);
  zx_vmar_unmap(zx_vmar_root_self(), base, 8 * PAGE);
  env_close(&e);
}

TEST(PagerDirty, ZeroedAndGrownPagesAreDirtyZero) {
  pager_env_t e;
  env_make(&e, 4, ZX_VMO_RESIZABLE);
  ASSERT_OK(supply(&e, 0, 2));
  ASSERT_OK(zx_vmo_op_range(e.vmo, ZX_VMO_OP_ZERO, 0, PAGE, NULL, 0));
  ASSERT_OK(zx_vmo_set_size(e.vmo, 6 * PAGE));
  char buf[128];
  dirty_string(&e, 6, buf, sizeof(buf));
  EXPECT_STREQ(buf, "0+1z 4+2z");
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  env_close(&e);
}

static void do_store(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  *(volatile uint8_t*)j->addr = 0x5a;
  j->status = ZX_OK;
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

static void do_vmo_write(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  job_t* j = (job_t*)arg;
  static uint8_t buf[4 * PAGE];
  memset(buf, 0x77, sizeof(buf));
  j->status = zx_vmo_write(j->vmo, buf, j->offset, j->len);
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  zx_thread_exit();
}

TEST(PagerDirty, TrapDirtyAsksBeforeWrites) {
  pager_env_t e;
  env_make(&e, 4, ZX_VMO_TRAP_DIRTY);
  ASSERT_OK(supply(&e, 0, 4));
  uintptr_t base = map(e.vmo, 4);
  ASSERT_NE(base, 0u);
  // Reads are free.
  EXPECT_EQ(*(volatile uint8_t*)(base + PAGE), pattern(1, 0));
  zx_port_packet_t p;
  EXPECT_FALSE(next_packet(e.port, 10, &p));
  // A store to a clean page waits for ZX_PAGER_OP_DIRTY.
  job_t j = {.addr = base + PAGE + 3};
  zx_handle_t t = start_thread(do_store, (uintptr_t)&j, 0);
  expect_request(e.port, ZX_PAGER_VMO_DIRTY, PAGE, PAGE);
  EXPECT_TRUE(wait_blocked_on_pager(t, 5000));
  EXPECT_EQ(__atomic_load_n(&j.done, __ATOMIC_ACQUIRE), 0);
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_DIRTY, e.vmo, PAGE, PAGE, 0));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(*(volatile uint8_t*)(base + PAGE + 3), 0x5a);
  // A syscall write asks for the whole clean run it needs at once.
  job_t w = {.vmo = e.vmo, .offset = 2 * PAGE, .len = 2 * PAGE};
  t = start_thread(do_vmo_write, (uintptr_t)&w, 0);
  expect_request(e.port, ZX_PAGER_VMO_DIRTY, 2 * PAGE, 2 * PAGE);
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_DIRTY, e.vmo, 2 * PAGE, 2 * PAGE, 0));
  ASSERT_OK(join(t, 5000));
  EXPECT_OK(w.status);
  // A failed dirty request fails the write with the pager's status.
  job_t f = {.vmo = e.vmo, .offset = 0, .len = 1};
  t = start_thread(do_vmo_write, (uintptr_t)&f, 0);
  expect_request(e.port, ZX_PAGER_VMO_DIRTY, 0, PAGE);
  ASSERT_OK(zx_pager_op_range(e.pager, ZX_PAGER_OP_FAIL, e.vmo, 0, PAGE, (uint64_t)(int64_t)ZX_ERR_NO_SPACE));
  ASSERT_OK(join(t, 5000));
  EXPECT_EQ(f.status, ZX_ERR_NO_SPACE);
  char buf[128];
  dirty_string(&e, 4, buf, sizeof(buf));
  EXPECT_STREQ(buf, "1+3");
  zx_vmar_unmap(zx_vmar_root_self(), base, 4 * PAGE);
  env_close(&e);
}

// --- stress ------------------------------------------------------------------

#define STRESS_THREADS 8
#define STRESS_PAGES 4096u  // 16 MiB: eight 2 MiB chunks

enum { SERVE_ALL, FAIL_MIDWAY, DIE_MIDWAY };

typedef struct {
  pager_env_t* e;
  int mode;
  unsigned served_before_trouble;
  volatile int stop;
  unsigned served, failed;
  zx_status_t error;
} server_t;

// The pager thread: supplies every request with the pattern (or fails, or
// closes the pager, once it has served `served_before_trouble`).
static void serve(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  server_t* s = (server_t*)arg;
  while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
    zx_port_packet_t p;
    zx_status_t st = zx_port_wait(s->e->port, after_ms(20), &p);
    if (st == ZX_ERR_TIMED_OUT) continue;
    if (st != ZX_OK) {
      s->error = st;
      break;
    }
    if (p.type != ZX_PKT_TYPE_PAGE_REQUEST || p.page_request.command != ZX_PAGER_VMO_READ) continue;
    bool trouble = s->mode != SERVE_ALL && s->served >= s->served_before_trouble;
    if (trouble && s->mode == DIE_MIDWAY) {
      zx_handle_close(s->e->pager);
      s->e->pager = ZX_HANDLE_INVALID;
      break;
    }
    if (trouble) {
      st = zx_pager_op_range(s->e->pager, ZX_PAGER_OP_FAIL, s->e->vmo, p.page_request.offset,
                             p.page_request.length, (uint64_t)(int64_t)ZX_ERR_IO);
      s->failed++;
    } else {
      st = supply(s->e, p.page_request.offset / PAGE, p.page_request.length / PAGE);
      s->served++;
    }
    if (st != ZX_OK) {
      s->error = st;
      break;
    }
  }
  zx_thread_exit();
}

typedef struct {
  uintptr_t base;
  zx_handle_t vmo;
  unsigned idx;
  bool use_read;
  unsigned ok, bad_data;
  zx_status_t first_error;
} toucher_t;

// Touches every page of its stripe (pages idx, idx + 8, ...), by loads or
// by zx_vmo_read, checking the pattern.
static void touch(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  toucher_t* t = (toucher_t*)arg;
  for (uint64_t page = t->idx; page < STRESS_PAGES; page += STRESS_THREADS) {
    uint64_t at = (page * 131) % PAGE;
    uint8_t v;
    if (t->use_read) {
      zx_status_t s = zx_vmo_read(t->vmo, &v, page * PAGE + at, 1);
      if (s != ZX_OK) {
        if (t->first_error == ZX_OK) t->first_error = s;
        continue;
      }
    } else {
      v = *(volatile uint8_t*)(t->base + page * PAGE + at);
    }
    if (v == pattern(page, at)) {
      t->ok++;
    } else {
      t->bad_data++;
    }
  }
  zx_thread_exit();
}

// Runs 8 touchers against one pager thread; returns how many pages were
// read right in all. A fatal fault (pager failed or gone) sends its thread
// to `landing`, through a process exception channel served here.
static void run_stress(int mode, bool use_read, unsigned *ok_out, unsigned *faults_out, server_t* s_out) {
  pager_env_t e;
  env_make(&e, STRESS_PAGES, 0);
  uintptr_t base = map(e.vmo, STRESS_PAGES);
  ASSERT_NE(base, 0u);
  server_t s = {.e = &e, .mode = mode, .served_before_trouble = 300};
  zx_handle_t server = start_thread(serve, (uintptr_t)&s, 0);
  ASSERT_NE(server, ZX_HANDLE_INVALID);
  zx_handle_t pch = ZX_HANDLE_INVALID;
  if (!use_read) ASSERT_OK(zx_task_create_exception_channel(zx_process_self(), 0, &pch));
  toucher_t t[STRESS_THREADS];
  zx_handle_t th[STRESS_THREADS];
  for (unsigned i = 0; i < STRESS_THREADS; i++) {
    t[i] = (toucher_t){.base = base, .vmo = e.vmo, .idx = i, .use_read = use_read};
    th[i] = start_thread(touch, (uintptr_t)&t[i], 0);
    ASSERT_NE(th[i], ZX_HANDLE_INVALID);
  }
  unsigned faults = 0;
  zx_instant_mono_t deadline = after_ms(60000);
  for (unsigned i = 0; i < STRESS_THREADS; i++) {
    for (;;) {
      zx_wait_item_t items[2] = {{.handle = th[i], .waitfor = ZX_THREAD_TERMINATED},
                                 {.handle = pch, .waitfor = ZX_CHANNEL_READABLE}};
      zx_status_t st = zx_object_wait_many(items, use_read ? 1 : 2, deadline);
      ASSERT_OK(st, "stress hung (thread %u)", i);
      if (items[0].pending & ZX_THREAD_TERMINATED) break;
      // A fatal fault: the thread ends at `landing`.
      zx_exception_info_t info;
      zx_handle_t exc, thr;
      uint32_t nb = 0, nh = 0;
      ASSERT_OK(zx_channel_read(pch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
      ASSERT_EQ(info.type, ZX_EXCP_FATAL_PAGE_FAULT);
      ASSERT_OK(zx_exception_get_thread(exc, &thr));
      zx_exception_report_t report;
      ASSERT_OK(zx_object_get_info(thr, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL, NULL));
      EXPECT_EQ((zx_status_t)report.context.synth_code, mode == FAIL_MIDWAY ? ZX_ERR_IO : ZX_ERR_BAD_STATE);
      zx_thread_state_general_regs_t regs;
      ASSERT_OK(zx_thread_read_state(thr, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
      regs.rip = (uintptr_t)landing;
      regs.rsp = (regs.rsp & ~(uint64_t)15) - 8;
      ASSERT_OK(zx_thread_write_state(thr, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)));
      uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
      ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
      zx_handle_close(exc);
      zx_handle_close(thr);
      faults++;
    }
    zx_handle_close(th[i]);
  }
  if (pch != ZX_HANDLE_INVALID) zx_handle_close(pch);
  __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
  ASSERT_OK(join(server, 5000));
  unsigned ok = 0;
  for (unsigned i = 0; i < STRESS_THREADS; i++) {
    EXPECT_EQ(t[i].bad_data, 0u, "thread %u read wrong data", i);
    ok += t[i].ok;
    if (use_read && mode != SERVE_ALL && t[i].first_error != ZX_OK) {
      EXPECT_EQ(t[i].first_error, mode == FAIL_MIDWAY ? ZX_ERR_IO : ZX_ERR_BAD_STATE);
    }
  }
  *ok_out = ok;
  *faults_out = faults;
  *s_out = s;
  zx_vmar_unmap(zx_vmar_root_self(), base, STRESS_PAGES * PAGE);
  env_close(&e);
}

TEST(PagerStress, OnePagerThreadServesEightFaultingThreads) {
  unsigned ok = 0, faults = 0;
  server_t s;
  run_stress(SERVE_ALL, false, &ok, &faults, &s);
  EXPECT_EQ(ok, STRESS_PAGES);
  EXPECT_EQ(faults, 0u);
  EXPECT_OK(s.error);
  // Every request is for a page not present: at most one per page.
  EXPECT_LE(s.served, STRESS_PAGES);
}

TEST(PagerStress, PagerFailsMidwayUnderFaults) {
  unsigned ok = 0, faults = 0;
  server_t s;
  run_stress(FAIL_MIDWAY, false, &ok, &faults, &s);
  EXPECT_OK(s.error);
  EXPECT_GT(s.failed, 0u);
  // Each toucher dies at its first failed page.
  EXPECT_GT(faults, 0u);
  EXPECT_LE(faults, (unsigned)STRESS_THREADS);
  EXPECT_LT(ok, STRESS_PAGES);
}

TEST(PagerStress, PagerDiesMidwayUnderFaults) {
  unsigned ok = 0, faults = 0;
  server_t s;
  run_stress(DIE_MIDWAY, false, &ok, &faults, &s);
  EXPECT_OK(s.error);
  // Every toucher meets a missing page after the pager is gone.
  EXPECT_EQ(faults, (unsigned)STRESS_THREADS);
  EXPECT_LT(ok, STRESS_PAGES);
}

TEST(PagerStress, PagerFailsMidwayUnderReads) {
  unsigned ok = 0, faults = 0;
  server_t s;
  run_stress(FAIL_MIDWAY, true, &ok, &faults, &s);
  EXPECT_OK(s.error);
  EXPECT_GT(s.failed, 0u);
  EXPECT_LT(ok, STRESS_PAGES);
}

TEST(PagerStress, PagerDiesMidwayUnderReads) {
  unsigned ok = 0, faults = 0;
  server_t s;
  run_stress(DIE_MIDWAY, true, &ok, &faults, &s);
  EXPECT_OK(s.error);
  EXPECT_LT(ok, STRESS_PAGES);
}
