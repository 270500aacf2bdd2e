// FIFOs: zx_fifo_create/read/write, their limits, partial transfers,
// signals (also through ports and blocking waits), bad buffers, rights,
// and the cases of Fuchsia's core FIFO tests, ported.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zxtest/zxtest.h>

#include "child_task.h"

#define PAGE 4096u
#define STACK 65536u
#define ESZ sizeof(uint64_t)

static zx_signals_t pending(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, 0, &s);
  return s;
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return 0;
  return info.rights;
}

// Maps `size` bytes of a fresh VMO with `perms` anywhere; 0 on failure.
static uintptr_t map_fresh(size_t size, uint32_t perms) {
  zx_handle_t vmo;
  uintptr_t addr = 0;
  if (zx_vmo_create(size, 0, &vmo) != ZX_OK) return 0;
  if (zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, size, &addr) != ZX_OK) addr = 0;
  zx_handle_close(vmo);
  return addr;
}

static void unmap(uintptr_t addr, size_t size) { zx_vmar_unmap(zx_vmar_root_self(), addr, size); }

// One read-write page with an unmapped page after it (a sub-VMAR of three
// pages, the page in the middle mapped); returns the page's address.
static uintptr_t page_before_hole(zx_handle_t* vmar_out) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  if (zx_vmar_allocate(zx_vmar_root_self(),
                       ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                       3 * PAGE, &vmar, &base) != ZX_OK)
    return 0;
  if (zx_vmo_create(PAGE, 0, &vmo) != ZX_OK) return 0;
  zx_status_t s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE, vmo,
                              0, PAGE, &addr);
  zx_handle_close(vmo);
  if (s != ZX_OK) return 0;
  *vmar_out = vmar;
  return addr;
}

static void drop_vmar(zx_handle_t vmar) {
  zx_vmar_destroy(vmar);
  zx_handle_close(vmar);
}

static zx_status_t start(zx_handle_t* t, void (*fn)(uintptr_t, uintptr_t), uintptr_t a,
                         uintptr_t b) {
  zx_status_t s = zx_thread_create(zx_process_self(), "helper", 6, 0, t);
  if (s != ZX_OK) return s;
  uintptr_t stack = map_fresh(STACK, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  return zx_thread_start(*t, (uintptr_t)fn, stack + STACK - 8, a, b);
}

// ---- Creation -------------------------------------------------------------

TEST(Fifo, CreateLimits) {
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  // Zero counts or sizes, and more than a page in all.
  EXPECT_EQ(zx_fifo_create(0, 0, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(0, ESZ, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(8, 0, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(128, 33, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(513, 8, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(512, 9, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(4097, 1, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(1, 4097, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  // A product that wraps around 64 bits is still too large.
  EXPECT_EQ(zx_fifo_create((size_t)1 << 32, (size_t)1 << 32, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_create(SIZE_MAX, 2, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(a, ZX_HANDLE_INVALID, "no handle on failure");
  // Exactly a page is fine, and so is one big element, or 4096 bytes.
  ASSERT_OK(zx_fifo_create(512, 8, 0, &a, &b));
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_OK(zx_fifo_create(1, 4096, 0, &a, &b));
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_OK(zx_fifo_create(4096, 1, 0, &a, &b));
  zx_handle_close(a);
  zx_handle_close(b);
  // The options are not looked at.
  ASSERT_OK(zx_fifo_create(4, 4, 0xffffffffu, &a, &b));
  zx_handle_close(a);
  zx_handle_close(b);
  // A bad out pointer fails the call.
  EXPECT_EQ(zx_fifo_create(4, 4, 0, (zx_handle_t*)0x7fffffffe000ul, &b), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_fifo_create(4, 4, 0, &a, NULL), ZX_ERR_INVALID_ARGS);
}

TEST(Fifo, EndpointsAreRelated) {
  zx_handle_t a, b;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  zx_info_handle_basic_t ia, ib;
  ASSERT_OK(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL));
  ASSERT_OK(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL));
  EXPECT_EQ(ia.type, ZX_OBJ_TYPE_FIFO);
  EXPECT_EQ(ia.type, 19u);
  EXPECT_EQ(ia.rights, ZX_DEFAULT_FIFO_RIGHTS);
  EXPECT_EQ(ib.rights, ZX_DEFAULT_FIFO_RIGHTS);
  EXPECT_NE(ia.koid, 0u);
  EXPECT_NE(ia.koid, ib.koid);
  EXPECT_EQ(ia.related_koid, ib.koid);
  EXPECT_EQ(ib.related_koid, ia.koid);
  EXPECT_EQ(pending(a), ZX_FIFO_WRITABLE);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- Reads and writes -----------------------------------------------------

TEST(Fifo, EmptyReadShouldWait) {
  zx_handle_t a, b;
  uint64_t got[8];
  size_t n = 99;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  EXPECT_EQ(zx_fifo_read(a, ESZ, got, 8, &n), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(n, 99u, "actual untouched on failure");
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, SizeAndCountChecks) {
  zx_handle_t a, b;
  uint64_t elems[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  EXPECT_EQ(zx_fifo_read(a, ESZ, elems, 0, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_write(a, ESZ, elems, 0, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_read(a, ESZ + 1, elems, 8, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_write(a, ESZ + 1, elems, 8, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_write(a, ESZ - 1, elems, 8, &n), ZX_ERR_OUT_OF_RANGE);
  // The size check comes before SHOULD_WAIT (empty) and before a full ring.
  EXPECT_EQ(zx_fifo_read(b, 4, elems, 1, &n), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 8, &n));
  EXPECT_EQ(zx_fifo_write(a, 4, elems, 1, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_fifo_write(a, ESZ, elems, 1, &n), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, FillDrainAndSignals) {
  zx_handle_t a, b;
  uint64_t elems[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint64_t got[8] = {0};
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 8, &n));
  ASSERT_EQ(n, 8u);
  EXPECT_EQ(pending(a), 0u, "full: the writer is no longer writable");
  EXPECT_EQ(pending(b), ZX_FIFO_READABLE | ZX_FIFO_WRITABLE);
  EXPECT_EQ(zx_fifo_write(a, ESZ, elems, 8, &n), ZX_ERR_SHOULD_WAIT);
  // The other direction is independent.
  ASSERT_OK(zx_fifo_write(b, ESZ, elems, 1, &n));
  EXPECT_EQ(pending(a), ZX_FIFO_READABLE);
  ASSERT_OK(zx_fifo_read(a, ESZ, got, 8, &n));
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(pending(a), 0u);
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 4, &n));
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(got[0], 1u);
  EXPECT_EQ(got[3], 4u);
  EXPECT_EQ(got[4], 0u, "nothing past the count is written");
  EXPECT_EQ(pending(a), ZX_FIFO_WRITABLE);
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 4, &n));
  EXPECT_EQ(got[0], 5u);
  EXPECT_EQ(got[3], 8u);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, OrderKeptAcrossTheWrap) {
  zx_handle_t a, b;
  uint64_t elems[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint64_t got[8] = {0};
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 8, &n));
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 4, &n));
  uint64_t more[2] = {9, 10};
  ASSERT_OK(zx_fifo_write(a, ESZ, more, 2, &n));
  ASSERT_EQ(n, 2u);
  // A read that asks for more than there is gets what there is, in order,
  // across the end of the ring.
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 8, &n));
  ASSERT_EQ(n, 6u);
  for (int i = 0; i < 6; i++) EXPECT_EQ(got[i], (uint64_t)(5 + i));
  uint64_t wrap[5] = {11, 12, 13, 14, 15};
  ASSERT_OK(zx_fifo_write(a, ESZ, wrap, 5, &n));
  ASSERT_EQ(n, 5u);
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 8, &n));
  ASSERT_EQ(n, 5u);
  EXPECT_BYTES_EQ(got, wrap, sizeof(wrap));
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, PartialWriteTakesWhatFits) {
  zx_handle_t a, b;
  uint64_t elems[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 5, &n));
  ASSERT_EQ(n, 5u);
  uint64_t more[5] = {16, 17, 18, 19, 20};
  ASSERT_OK(zx_fifo_write(a, ESZ, more, 5, &n));
  ASSERT_EQ(n, 3u);
  uint64_t got[8];
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 8, &n));
  ASSERT_EQ(n, 8u);
  EXPECT_EQ(got[4], 5u);
  EXPECT_EQ(got[5], 16u);
  EXPECT_EQ(got[7], 18u);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, SingleElementReadsKeepOrder) {
  zx_handle_t a, b;
  uint64_t elems[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 8, &n));
  for (int i = 0; i < 8; i++) {
    uint64_t one = 0;
    ASSERT_OK(zx_fifo_read(b, ESZ, &one, 1, &n));
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(one, elems[i]);
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, CountNeedNotBeAPowerOfTwo) {
  zx_handle_t a, b;
  uint64_t elems[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  uint64_t got[9];
  size_t n;
  ASSERT_OK(zx_fifo_create(10, ESZ, 0, &a, &b));
  for (int round = 0; round < 3; round++) {
    // Nine of ten slots each time: every round after the first wraps.
    ASSERT_OK(zx_fifo_write(a, ESZ, elems, 9, &n));
    ASSERT_EQ(n, 9u);
    memset(got, 0, sizeof(got));
    ASSERT_OK(zx_fifo_read(b, ESZ, got, 9, &n));
    ASSERT_EQ(n, 9u);
    EXPECT_BYTES_EQ(got, elems, sizeof(elems));
  }
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, OddElementSizes) {
  zx_handle_t a, b;
  // 3 elements of 5 bytes.
  ASSERT_OK(zx_fifo_create(3, 5, 0, &a, &b));
  const char in[16] = "abcdefghijklmno";
  char out[15];
  size_t n;
  ASSERT_OK(zx_fifo_write(a, 5, in, 2, &n));
  ASSERT_OK(zx_fifo_read(b, 5, out, 1, &n));
  EXPECT_BYTES_EQ(out, "abcde", 5);
  // One slot is still taken: two of three go in, the second wrapping.
  ASSERT_OK(zx_fifo_write(a, 5, in, 3, &n));
  ASSERT_EQ(n, 2u);
  ASSERT_OK(zx_fifo_read(b, 5, out, 3, &n));
  ASSERT_EQ(n, 3u);
  EXPECT_BYTES_EQ(out, "fghijabcdefghij", 15);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, NullActualIsFine) {
  zx_handle_t a, b;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  uint64_t v = 1234, got = 0;
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_fifo_read(b, ESZ, &got, 1, NULL));
  EXPECT_EQ(got, 1234u);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, BadActualPointerAfterTheTransfer) {
  zx_handle_t a, b;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  uint64_t v = 7, got = 0;
  // The element moves, then writing the count faults.
  EXPECT_EQ(zx_fifo_write(a, ESZ, &v, 1, (size_t*)1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(pending(b), ZX_FIFO_READABLE | ZX_FIFO_WRITABLE);
  EXPECT_EQ(zx_fifo_read(b, ESZ, &got, 1, (size_t*)1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(got, 7u);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- Peer closed ----------------------------------------------------------

TEST(Fifo, PeerCloseLeavesWhatWasWritten) {
  zx_handle_t a, b;
  uint64_t v = 19, got[8];
  size_t n;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, &n));
  ASSERT_OK(zx_handle_close(a));
  EXPECT_EQ(pending(b), ZX_FIFO_READABLE | ZX_FIFO_PEER_CLOSED);
  EXPECT_EQ(zx_fifo_write(b, ESZ, &v, 1, &n), ZX_ERR_PEER_CLOSED);
  // PEER_CLOSED comes before the element checks on a write.
  EXPECT_EQ(zx_fifo_write(b, 3, &v, 0, &n), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 8, &n));
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(got[0], 19u);
  EXPECT_EQ(pending(b), ZX_FIFO_PEER_CLOSED);
  EXPECT_EQ(zx_fifo_read(b, ESZ, got, 8, &n), ZX_ERR_PEER_CLOSED);
  // ... and after them on a read.
  EXPECT_EQ(zx_fifo_read(b, 3, got, 8, &n), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  zx_handle_close(b);
}

TEST(Fifo, HandleInAChannelKeepsTheEndOpen) {
  zx_handle_t a, b, c0, c1, got;
  uint32_t nb, nh;
  ASSERT_OK(zx_fifo_create(4, ESZ, 0, &a, &b));
  ASSERT_OK(zx_channel_create(0, &c0, &c1));
  ASSERT_OK(zx_channel_write(c0, 0, NULL, 0, &b, 1));
  EXPECT_EQ(pending(a) & ZX_FIFO_PEER_CLOSED, 0u);
  uint64_t v = 5, w = 0;
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_channel_read(c1, 0, NULL, &got, 0, 1, &nb, &nh));
  EXPECT_EQ(rights_of(got), ZX_DEFAULT_FIFO_RIGHTS);
  ASSERT_OK(zx_fifo_read(got, ESZ, &w, 1, NULL));
  EXPECT_EQ(w, 5u);
  zx_handle_close(got);
  EXPECT_EQ(pending(a), ZX_FIFO_PEER_CLOSED);
  zx_handle_close(a);
  zx_handle_close(c0);
  zx_handle_close(c1);
}

// ---- Bad buffers ----------------------------------------------------------

TEST(Fifo, NullBuffers) {
  zx_handle_t a, b;
  uint64_t v = 1;
  size_t n;
  ASSERT_OK(zx_fifo_create(4, ESZ, 0, &a, &b));
  EXPECT_EQ(zx_fifo_write(a, ESZ, NULL, 1, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE, "nothing was written");
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, &n));
  EXPECT_EQ(zx_fifo_read(b, ESZ, NULL, 1, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(pending(b), ZX_FIFO_READABLE | ZX_FIFO_WRITABLE, "nothing was consumed");
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, UnreadableAndUnwritableBuffers) {
  uintptr_t none = map_fresh(PAGE, 0);
  uintptr_t ro = map_fresh(PAGE, ZX_VM_PERM_READ);
  ASSERT_NE(none, 0u);
  ASSERT_NE(ro, 0u);
  zx_handle_t a, b;
  uint64_t v = 1, got = 0;
  size_t n;
  ASSERT_OK(zx_fifo_create(4, ESZ, 0, &a, &b));
  EXPECT_EQ(zx_fifo_write(a, ESZ, (void*)none, 1, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_fifo_read(b, ESZ, &got, 1, &n), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, &n));
  EXPECT_EQ(zx_fifo_read(b, ESZ, (void*)none, 1, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_fifo_read(b, ESZ, (void*)ro, 1, &n), ZX_ERR_INVALID_ARGS);
  // A read-only buffer is a fine source.
  ASSERT_OK(zx_fifo_write(a, ESZ, (void*)ro, 1, &n));
  ASSERT_OK(zx_fifo_read(b, ESZ, &got, 1, &n));
  EXPECT_EQ(got, 1u, "the failed reads consumed nothing");
  ASSERT_OK(zx_fifo_read(b, ESZ, &got, 1, &n));
  EXPECT_EQ(got, 0u, "a fresh page reads as zeros");
  unmap(none, PAGE);
  unmap(ro, PAGE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, BufferRunningOffTheMapping) {
  zx_handle_t vmar;
  uintptr_t page = page_before_hole(&vmar);
  ASSERT_NE(page, 0u);
  // Room for one element before the hole.
  uint64_t* edge = (uint64_t*)(page + PAGE - ESZ);
  *edge = 77;
  zx_handle_t a, b;
  size_t n;
  ASSERT_OK(zx_fifo_create(4, ESZ, 0, &a, &b));
  // Two elements from the edge: the second faults, so neither is written.
  EXPECT_EQ(zx_fifo_write(a, ESZ, edge, 2, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE);
  uint64_t two[2] = {1, 2};
  ASSERT_OK(zx_fifo_write(a, ESZ, two, 2, &n));
  // Reading two into the edge faults on the second: nothing is consumed.
  EXPECT_EQ(zx_fifo_read(b, ESZ, edge, 2, &n), ZX_ERR_INVALID_ARGS);
  uint64_t got[2] = {0, 0};
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 2, &n));
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(got[0], 1u);
  EXPECT_EQ(got[1], 2u);
  // One element at the edge is fine. (The failed read may have written
  // the part of the buffer before the hole.)
  *edge = 77;
  ASSERT_OK(zx_fifo_write(a, ESZ, edge, 1, &n));
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 1, &n));
  EXPECT_EQ(got[0], 77u);
  drop_vmar(vmar);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, FaultInTheWrappedPieceUndoesTheWholeWrite) {
  zx_handle_t vmar;
  uintptr_t page = page_before_hole(&vmar);
  ASSERT_NE(page, 0u);
  zx_handle_t a, b;
  uint64_t elems[4] = {1, 2, 3, 4};
  uint64_t got[4];
  size_t n;
  ASSERT_OK(zx_fifo_create(4, ESZ, 0, &a, &b));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 3, &n));
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 3, &n));
  // The ring's next free slot is its last: a three-element write is two
  // pieces (one slot, then two from the start). Its third element lies in
  // the hole.
  uint64_t* src = (uint64_t*)(page + PAGE - 2 * ESZ);
  src[0] = 10;
  src[1] = 11;
  EXPECT_EQ(zx_fifo_write(a, ESZ, src, 3, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE, "the first piece was rolled back");
  ASSERT_OK(zx_fifo_write(a, ESZ, src, 2, &n));
  ASSERT_OK(zx_fifo_read(b, ESZ, got, 4, &n));
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(got[0], 10u);
  EXPECT_EQ(got[1], 11u);
  drop_vmar(vmar);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- Rights and types -----------------------------------------------------

TEST(Fifo, RightsAndTypes) {
  zx_handle_t a, b, ro, wo, vmo;
  uint64_t v = 42;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(a, rights_of(a) & ~ZX_RIGHT_WRITE, &ro));
  ASSERT_OK(zx_handle_duplicate(b, rights_of(b) & ~ZX_RIGHT_READ, &wo));
  EXPECT_EQ(zx_fifo_write(ro, ESZ, &v, 1, NULL), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_fifo_read(wo, ESZ, &v, 1, NULL), ZX_ERR_ACCESS_DENIED);
  // Rights come before the element checks.
  EXPECT_EQ(zx_fifo_write(ro, 1, &v, 0, NULL), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_fifo_write(wo, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_fifo_read(ro, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_EQ(zx_fifo_write(vmo, ESZ, &v, 1, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_fifo_read(vmo, ESZ, &v, 1, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_fifo_read(ZX_HANDLE_INVALID, ESZ, &v, 1, NULL), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(zx_fifo_write(0x12345678u, ESZ, &v, 1, NULL), ZX_ERR_BAD_HANDLE);
  zx_handle_close(vmo);
  zx_handle_close(ro);
  zx_handle_close(wo);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Fifo, UserSignalsOnly) {
  zx_handle_t a, b, weak;
  ASSERT_OK(zx_fifo_create(8, ESZ, 0, &a, &b));
  EXPECT_EQ(zx_object_signal(a, 0, ZX_FIFO_READABLE), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_object_signal_peer(a, ZX_FIFO_WRITABLE, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_object_signal(a, 0, ZX_USER_SIGNAL_3));
  EXPECT_EQ(pending(a), ZX_FIFO_WRITABLE | ZX_USER_SIGNAL_3);
  ASSERT_OK(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0));
  EXPECT_EQ(pending(b), ZX_FIFO_WRITABLE | ZX_USER_SIGNAL_0);
  ASSERT_OK(zx_object_signal_peer(b, ZX_USER_SIGNAL_3, 0));
  EXPECT_EQ(pending(a), ZX_FIFO_WRITABLE);
  ASSERT_OK(zx_handle_duplicate(a, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL, &weak));
  EXPECT_EQ(zx_object_signal_peer(weak, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_object_signal(weak, 0, ZX_USER_SIGNAL_1));
  zx_handle_close(weak);
  ASSERT_OK(zx_handle_duplicate(a, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL_PEER, &weak));
  EXPECT_EQ(zx_object_signal(weak, 0, ZX_USER_SIGNAL_1), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- Waits, ports, threads ------------------------------------------------

static void echo(uintptr_t fifo, uintptr_t rounds) {
  zx_handle_t f = (zx_handle_t)fifo;
  for (uintptr_t i = 0; i < rounds; i++) {
    uint64_t v;
    if (zx_object_wait_one(f, ZX_FIFO_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    if (zx_fifo_read(f, ESZ, &v, 1, NULL) != ZX_OK) break;
    v++;
    zx_fifo_write(f, ESZ, &v, 1, NULL);
  }
  zx_thread_exit();
}

TEST(Fifo, PingPongBetweenThreads) {
  enum { ROUNDS = 1000 };
  zx_handle_t a, b, t;
  ASSERT_OK(zx_fifo_create(2, ESZ, 0, &a, &b));
  ASSERT_OK(start(&t, echo, b, ROUNDS));
  uint64_t v = 0;
  for (int i = 0; i < ROUNDS; i++) {
    ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, NULL));
    ASSERT_OK(zx_object_wait_one(a, ZX_FIFO_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
    ASSERT_OK(zx_fifo_read(a, ESZ, &v, 1, NULL));
  }
  EXPECT_EQ(v, (uint64_t)ROUNDS);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);
}

static volatile zx_status_t g_wait_status;
static volatile zx_signals_t g_wait_seen;

static void waiter(uintptr_t fifo, uintptr_t signals) {
  zx_signals_t seen = 0;
  g_wait_status =
      zx_object_wait_one((zx_handle_t)fifo, (zx_signals_t)signals, ZX_TIME_INFINITE, &seen);
  g_wait_seen = seen;
  zx_thread_exit();
}

// Waits until `t` is blocked in zx_object_wait_one.
static void until_blocked(zx_handle_t t) {
  zx_instant_mono_t give_up = zx_deadline_after(ZX_SEC(10));
  for (;;) {
    zx_info_thread_t info;
    ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL));
    if (info.state == ZX_THREAD_STATE_BLOCKED_WAIT_ONE) return;
    ASSERT_LT(zx_clock_get_monotonic(), give_up, "the waiter never blocked");
    zx_nanosleep(zx_deadline_after(ZX_USEC(100)));
  }
}

static void wait_done(zx_handle_t t) {
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(t);
}

TEST(Fifo, BlockedWaitersWake) {
  zx_handle_t a, b, t;
  uint64_t elems[2] = {1, 2};
  ASSERT_OK(zx_fifo_create(2, ESZ, 0, &a, &b));
  // A reader wakes on a write.
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_FIFO_READABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_fifo_write(a, ESZ, elems, 2, NULL));
  ASSERT_NO_FATAL_FAILURE(wait_done(t));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_FIFO_READABLE | ZX_FIFO_WRITABLE);
  // A writer of a full FIFO wakes when room is made.
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, a, ZX_FIFO_WRITABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_fifo_read(b, ESZ, elems, 1, NULL));
  ASSERT_NO_FATAL_FAILURE(wait_done(t));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_FIFO_WRITABLE);
  // Anyone waiting wakes when the peer closes.
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, a, ZX_FIFO_READABLE | ZX_FIFO_PEER_CLOSED));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_handle_close(b));
  ASSERT_NO_FATAL_FAILURE(wait_done(t));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_FIFO_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Fifo, BlockedWaiterKilledOrCanceled) {
  zx_handle_t a, b, t;
  ASSERT_OK(zx_fifo_create(2, ESZ, 0, &a, &b));
  // A killed waiter: the thread of a child process (zx_task_kill takes no
  // threads) waiting on a duplicate of b, killed with its process.
  zx_handle_t dup;
  ASSERT_OK(zx_handle_duplicate(b, ZX_RIGHT_SAME_RIGHTS, &dup));
  child_t w;
  ASSERT_OK(child_start_waiter(zx_job_default(), dup, ZX_FIFO_READABLE, &w));
  ASSERT_NO_FATAL_FAILURE(until_blocked(w.thread));
  ASSERT_OK(child_kill(&w));
  ASSERT_OK(zx_object_wait_one(w.thread, ZX_THREAD_TERMINATED, 0, NULL));
  EXPECT_EQ(child_return_code(&w), ZX_TASK_RETCODE_SYSCALL_KILL,
            "a killed thread does not return from its wait");
  child_close(&w);
  // A waiter whose handle is closed.
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_FIFO_READABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_handle_close(b));
  ASSERT_NO_FATAL_FAILURE(wait_done(t));
  EXPECT_EQ(g_wait_status, ZX_ERR_CANCELED);
  EXPECT_EQ(pending(a), ZX_FIFO_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Fifo, AsyncWaitsOnAPort) {
  zx_handle_t a, b, port;
  zx_port_packet_t pkt;
  uint64_t v = 3;
  ASSERT_OK(zx_fifo_create(1, ESZ, 0, &a, &b));
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_object_wait_async(b, port, 7, ZX_FIFO_READABLE, 0));
  EXPECT_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_fifo_write(a, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &pkt));
  EXPECT_EQ(pkt.key, 7u);
  EXPECT_EQ(pkt.type, ZX_PKT_TYPE_SIGNAL_ONE);
  EXPECT_EQ(pkt.signal.trigger, ZX_FIFO_READABLE);
  EXPECT_EQ(pkt.signal.observed, ZX_FIFO_READABLE | ZX_FIFO_WRITABLE);
  // The writer of the now-full FIFO waits for room.
  ASSERT_OK(zx_object_wait_async(a, port, 8, ZX_FIFO_WRITABLE, 0));
  EXPECT_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_fifo_read(b, ESZ, &v, 1, NULL));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &pkt));
  EXPECT_EQ(pkt.key, 8u);
  EXPECT_EQ(pkt.signal.observed & ZX_FIFO_WRITABLE, ZX_FIFO_WRITABLE);
  // Peer closed, through a repeating wait.
  ASSERT_OK(zx_object_wait_async(b, port, 9, ZX_FIFO_PEER_CLOSED, 0));
  ASSERT_OK(zx_handle_close(a));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &pkt));
  EXPECT_EQ(pkt.key, 9u);
  EXPECT_EQ(pkt.signal.observed, ZX_FIFO_PEER_CLOSED);
  zx_handle_close(port);
  zx_handle_close(b);
}
