// Sockets: zx_socket_create/read/write/set_disposition, ZX_INFO_SOCKET, the
// threshold properties, signals (also through ports and blocking waits),
// and the cases of Fuchsia's core socket tests, ported.
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
// Fuchsia's per-direction capacity: 256 KiB rounded up to whole 4064-byte
// buffers (65 of them).
#define CAPACITY 264160u

static zx_signals_t pending(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, 0, &s);
  return s;
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

static zx_status_t start(zx_handle_t* t, void (*fn)(uintptr_t, uintptr_t), uintptr_t a, uintptr_t b) {
  zx_status_t s = zx_thread_create(zx_process_self(), "helper", 6, 0, t);
  if (s != ZX_OK) return s;
  uintptr_t stack = map_fresh(STACK, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  return zx_thread_start(*t, (uintptr_t)fn, stack + STACK - 8, a, b);
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return 0;
  return info.rights;
}

static zx_info_socket_t socket_info(zx_handle_t h) {
  zx_info_socket_t info;
  memset(&info, 0xee, sizeof(info));
  zx_object_get_info(h, ZX_INFO_SOCKET, &info, sizeof(info), NULL, NULL);
  return info;
}

static void write_all(zx_handle_t h, const char* msg) {
  size_t n = 0;
  ASSERT_OK(zx_socket_write(h, 0, msg, strlen(msg), &n));
  ASSERT_EQ(n, strlen(msg));
}

static void read_expect(zx_handle_t h, const char* msg) {
  char buf[32];
  size_t n = 0;
  ASSERT_OK(zx_socket_read(h, 0, buf, sizeof(buf), &n));
  ASSERT_EQ(n, strlen(msg));
  ASSERT_BYTES_EQ(buf, msg, n);
}

TEST(Socket, CreateAndHandles) {
  zx_handle_t a, b;
  ASSERT_EQ(zx_socket_create(ZX_SOCKET_DATAGRAM << 1, &a, &b), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_socket_create(~ZX_SOCKET_DATAGRAM, &a, &b), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_socket_create(0, (zx_handle_t*)0x7fffffffe000ul, &b), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_socket_create(ZX_SOCKET_STREAM, &a, &b));
  zx_info_handle_basic_t ia, ib;
  ASSERT_OK(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL));
  ASSERT_OK(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL));
  EXPECT_EQ(ia.type, ZX_OBJ_TYPE_SOCKET);
  EXPECT_EQ(ia.type, 14u);
  EXPECT_EQ(ia.rights, ZX_DEFAULT_SOCKET_RIGHTS);
  EXPECT_EQ(ib.rights, ZX_DEFAULT_SOCKET_RIGHTS);
  EXPECT_NE(ia.koid, 0u);
  EXPECT_EQ(ia.related_koid, ib.koid);
  EXPECT_EQ(ib.related_koid, ia.koid);
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, EmptyReadsShouldWait) {
  zx_handle_t a, b;
  uint32_t word;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  EXPECT_EQ(zx_socket_read(a, 0, &word, sizeof(word), NULL), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(zx_socket_read(a, ZX_SOCKET_PEEK, &word, sizeof(word), NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  EXPECT_EQ(zx_socket_read(b, ZX_SOCKET_PEEK, &word, 1, NULL), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(zx_socket_read(b, 0, &word, 1, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, StreamWritesJoin) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  const uint32_t words[2] = {0xdeadbeef, 0xc0ffee};
  size_t n;
  ASSERT_OK(zx_socket_write(a, 0, &words[0], 4, &n));
  ASSERT_EQ(n, 4u);
  ASSERT_OK(zx_socket_write(a, 0, &words[1], 4, &n));
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(socket_info(b).rx_buf_available, 8u);
  uint32_t got[2] = {0, 0};
  ASSERT_OK(zx_socket_read(b, 0, got, sizeof(got), &n));
  ASSERT_EQ(n, sizeof(got));
  EXPECT_BYTES_EQ(got, words, sizeof(words));
  // One write, read back in pieces of any size.
  ASSERT_OK(zx_socket_write(b, 0, words, sizeof(words), &n));
  uint8_t part[3];
  ASSERT_OK(zx_socket_read(a, 0, part, 3, &n));
  ASSERT_EQ(n, 3u);
  ASSERT_OK(zx_socket_read(a, 0, got, sizeof(got), &n));
  ASSERT_EQ(n, 5u);
  EXPECT_BYTES_EQ(part, words, 3);
  EXPECT_BYTES_EQ(got, (const uint8_t*)words + 3, 5);
  // NULL actual is allowed on both.
  ASSERT_OK(zx_socket_write(a, 0, "z", 1, NULL));
  ASSERT_OK(zx_socket_read(b, 0, part, 1, NULL));
  EXPECT_EQ(part[0], 'z');
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, PeekLeavesDataAndSignals) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "peekaboo"));
  char buf[16];
  size_t n;
  ASSERT_OK(zx_socket_read(b, ZX_SOCKET_PEEK, buf, sizeof(buf), &n));
  ASSERT_EQ(n, 8u);
  ASSERT_BYTES_EQ(buf, "peekaboo", 8);
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  ASSERT_OK(zx_socket_read(b, ZX_SOCKET_PEEK, buf, 4, &n));
  ASSERT_EQ(n, 4u);
  ASSERT_NO_FATAL_FAILURE(read_expect(b, "peekaboo"));
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, PeerClosed) {
  zx_handle_t a, b;
  uint32_t word = 7;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(b, "left"));
  ASSERT_OK(zx_handle_close(b));
  EXPECT_EQ(pending(a), ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED);
  EXPECT_EQ(zx_socket_write(a, 0, &word, sizeof(word), NULL), ZX_ERR_PEER_CLOSED);
  // A zero-length write to a closed peer is refused too.
  EXPECT_EQ(zx_socket_write(a, 0, NULL, 0, NULL), ZX_ERR_PEER_CLOSED);
  // What was written before the close can still be read.
  ASSERT_NO_FATAL_FAILURE(read_expect(a, "left"));
  EXPECT_EQ(pending(a), ZX_SOCKET_PEER_CLOSED);
  EXPECT_EQ(zx_socket_read(a, 0, &word, sizeof(word), NULL), ZX_ERR_PEER_CLOSED);
  EXPECT_EQ(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  zx_info_socket_t info = socket_info(a);
  EXPECT_EQ(info.tx_buf_max, 0u);
  EXPECT_EQ(info.tx_buf_size, 0u);
  EXPECT_EQ(info.rx_buf_max, CAPACITY);
  zx_handle_close(a);
}

TEST(Socket, UserSignals) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  // A chunk of 8 KiB goes through in one write.
  uintptr_t big = map_fresh(8192, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(big, 0u);
  memset((void*)big, 0x66, 8192);
  size_t n;
  ASSERT_OK(zx_socket_write(a, 0, (void*)big, 8192, &n));
  ASSERT_EQ(n, 8192u);
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  ASSERT_OK(zx_socket_read(b, 0, (void*)big, 8192, &n));
  ASSERT_EQ(n, 8192u);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE);
  // Only user signals may be raised, on the peer or on oneself.
  EXPECT_EQ(zx_object_signal_peer(a, ZX_SOCKET_WRITABLE, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_object_signal(a, 0, ZX_SOCKET_READABLE), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_1));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE | ZX_USER_SIGNAL_1);
  ASSERT_OK(zx_object_signal(a, 0, ZX_USER_SIGNAL_7));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE | ZX_USER_SIGNAL_7);
  ASSERT_OK(zx_object_signal_peer(b, ZX_USER_SIGNAL_7, 0));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(a, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL, &weak));
  EXPECT_EQ(zx_object_signal_peer(weak, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  ASSERT_OK(zx_handle_close(b));
  EXPECT_EQ(pending(a), ZX_SOCKET_PEER_CLOSED);
  unmap(big, 8192);
  zx_handle_close(a);
}

static size_t get_prop(zx_handle_t h, uint32_t prop) {
  size_t v = 0xdead;
  zx_object_get_property(h, prop, &v, sizeof(v));
  return v;
}

static zx_status_t set_prop(zx_handle_t h, uint32_t prop, size_t v) {
  return zx_object_set_property(h, prop, &v, sizeof(v));
}

TEST(Socket, ThresholdPropertyLimits) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  EXPECT_EQ(get_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD), 0u);
  EXPECT_EQ(get_prop(a, ZX_PROP_SOCKET_TX_THRESHOLD), 0u);
  ASSERT_OK(set_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD, 0));
  EXPECT_EQ(set_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD, 0xefffffff), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(set_prop(a, ZX_PROP_SOCKET_TX_THRESHOLD, 0));
  EXPECT_EQ(set_prop(a, ZX_PROP_SOCKET_TX_THRESHOLD, 0xefffffff), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(set_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD, CAPACITY));
  EXPECT_EQ(set_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD, CAPACITY + 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(get_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD), CAPACITY);
  uint32_t small = 0;
  EXPECT_EQ(zx_object_get_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &small, sizeof(small)),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_TX_THRESHOLD, &small, sizeof(small)),
            ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(set_prop(ev, ZX_PROP_SOCKET_RX_THRESHOLD, 1), ZX_ERR_ACCESS_DENIED);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  EXPECT_EQ(set_prop(vmo, ZX_PROP_SOCKET_RX_THRESHOLD, 1), ZX_ERR_WRONG_TYPE);
  size_t v;
  EXPECT_EQ(zx_object_get_property(vmo, ZX_PROP_SOCKET_TX_THRESHOLD, &v, sizeof(v)),
            ZX_ERR_WRONG_TYPE);
  zx_handle_t noprop;
  ASSERT_OK(zx_handle_duplicate(a, ZX_RIGHT_WAIT | ZX_RIGHT_READ, &noprop));
  EXPECT_EQ(set_prop(noprop, ZX_PROP_SOCKET_RX_THRESHOLD, 1), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_object_get_property(noprop, ZX_PROP_SOCKET_RX_THRESHOLD, &v, sizeof(v)),
            ZX_ERR_ACCESS_DENIED);
  // The write threshold needs a peer to measure room in.
  ASSERT_OK(set_prop(a, ZX_PROP_SOCKET_TX_THRESHOLD, 1));
  ASSERT_OK(zx_handle_close(b));
  EXPECT_EQ(set_prop(a, ZX_PROP_SOCKET_TX_THRESHOLD, 1), ZX_ERR_PEER_CLOSED);
  ASSERT_OK(set_prop(a, ZX_PROP_SOCKET_RX_THRESHOLD, 5));
  zx_handle_close(noprop);
  zx_handle_close(vmo);
  zx_handle_close(ev);
  zx_handle_close(a);
}

TEST(Socket, ThresholdSignals) {
  enum { RX = 101 };
  zx_handle_t local, remote, local2, remote2;
  ASSERT_OK(zx_socket_create(0, &local, &remote));
  ASSERT_OK(set_prop(local, ZX_PROP_SOCKET_RX_THRESHOLD, RX));
  EXPECT_EQ(get_prop(local, ZX_PROP_SOCKET_RX_THRESHOLD), (size_t)RX);
  zx_info_socket_t info = socket_info(remote);
  ASSERT_EQ(info.tx_buf_max, CAPACITY);
  // Remote has room for at least `tx` bytes until RX+2 are buffered.
  size_t tx = info.tx_buf_max - (RX + 2);
  ASSERT_OK(set_prop(remote, ZX_PROP_SOCKET_TX_THRESHOLD, tx));
  EXPECT_EQ(get_prop(remote, ZX_PROP_SOCKET_TX_THRESHOLD), tx);
  // Thresholds belong to the endpoint, not the handle.
  ASSERT_OK(zx_handle_duplicate(local, ZX_RIGHT_SAME_RIGHTS, &local2));
  ASSERT_OK(zx_handle_duplicate(remote, ZX_RIGHT_SAME_RIGHTS, &remote2));
  EXPECT_EQ(get_prop(local2, ZX_PROP_SOCKET_RX_THRESHOLD), (size_t)RX);
  EXPECT_EQ(get_prop(remote2, ZX_PROP_SOCKET_TX_THRESHOLD), tx);
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(remote2), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);

  char buf[RX + 64];
  memset(buf, 'x', sizeof(buf));
  size_t n;
  ASSERT_OK(zx_socket_write(remote, 0, buf, RX - 1, &n));
  EXPECT_EQ(pending(local2), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  ASSERT_OK(zx_socket_write(remote, 0, buf, 1, &n));
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE | ZX_SOCKET_READ_THRESHOLD);
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);

  // Raising the read threshold past what is buffered drops the signal;
  // lowering it back raises it.
  ASSERT_OK(set_prop(local, ZX_PROP_SOCKET_RX_THRESHOLD, RX + 50));
  EXPECT_EQ(pending(local2), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  ASSERT_OK(set_prop(local, ZX_PROP_SOCKET_RX_THRESHOLD, RX));
  EXPECT_EQ(pending(local2), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE | ZX_SOCKET_READ_THRESHOLD);
  // Likewise for the write threshold.
  ASSERT_OK(set_prop(remote, ZX_PROP_SOCKET_TX_THRESHOLD, info.tx_buf_max - 10));
  EXPECT_EQ(pending(remote2), ZX_SOCKET_WRITABLE);
  ASSERT_OK(set_prop(remote, ZX_PROP_SOCKET_TX_THRESHOLD, tx));
  EXPECT_EQ(pending(remote2), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);

  // Two more bytes leave exactly `tx` of room: still asserted. One more
  // leaves less.
  ASSERT_OK(zx_socket_write(remote, 0, buf, 2, &n));
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  ASSERT_OK(zx_socket_write(remote, 0, buf, 1, &n));
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE | ZX_SOCKET_READ_THRESHOLD);
  // Reading below the read threshold drops it and gives the writer room.
  ASSERT_OK(zx_socket_read(local, 0, buf, 10, &n));
  ASSERT_EQ(n, 10u);
  EXPECT_EQ(pending(local2), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  EXPECT_EQ(pending(remote2), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  // Threshold 0 turns the signal off.
  ASSERT_OK(set_prop(remote, ZX_PROP_SOCKET_TX_THRESHOLD, 0));
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE);
  zx_handle_close(local);
  zx_handle_close(remote);
  zx_handle_close(local2);
  zx_handle_close(remote2);
}

TEST(Socket, InfoTopic) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "one"));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "three"));
  zx_info_socket_t info;
  size_t actual = 9, avail = 9;
  ASSERT_OK(zx_object_get_info(b, ZX_INFO_SOCKET, &info, sizeof(info), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(avail, 1u);
  EXPECT_EQ(info.options, ZX_SOCKET_DATAGRAM);
  EXPECT_EQ(info.rx_buf_max, CAPACITY);
  EXPECT_EQ(info.rx_buf_size, 8u);
  EXPECT_EQ(info.rx_buf_available, 3u);
  EXPECT_EQ(info.tx_buf_max, CAPACITY);
  EXPECT_EQ(info.tx_buf_size, 0u);
  info = socket_info(a);
  EXPECT_EQ(info.rx_buf_size, 0u);
  EXPECT_EQ(info.rx_buf_available, 0u);
  EXPECT_EQ(info.tx_buf_size, 8u);
  EXPECT_EQ(zx_object_get_info(b, ZX_INFO_SOCKET, &info, sizeof(info) - 1, &actual, &avail),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(actual, 0u);
  EXPECT_EQ(avail, 1u);
  zx_handle_t blind;
  ASSERT_OK(zx_handle_duplicate(b, ZX_RIGHT_READ, &blind));
  EXPECT_EQ(zx_object_get_info(blind, ZX_INFO_SOCKET, &info, sizeof(info), NULL, NULL),
            ZX_ERR_ACCESS_DENIED);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_object_get_info(ev, ZX_INFO_SOCKET, &info, sizeof(info), NULL, NULL),
            ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_close(blind);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, DispositionChecks) {
  zx_handle_t a, b, weak;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  zx_rights_t r = rights_of(a);
  ASSERT_NE(r & ZX_RIGHT_MANAGE_SOCKET, 0u);
  ASSERT_OK(zx_handle_duplicate(a, r & ~ZX_RIGHT_MANAGE_SOCKET, &weak));
  EXPECT_EQ(zx_socket_set_disposition(weak, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
            ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_socket_set_disposition(weak, 0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED),
            ZX_ERR_ACCESS_DENIED);
  const uint32_t both = ZX_SOCKET_DISPOSITION_WRITE_DISABLED | ZX_SOCKET_DISPOSITION_WRITE_ENABLED;
  EXPECT_EQ(zx_socket_set_disposition(a, both, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_set_disposition(a, 0, both), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_set_disposition(a, 1337 & ~both, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_set_disposition(a, 0, 1337 & ~both), ZX_ERR_INVALID_ARGS);
  // The arguments are checked before the handle.
  EXPECT_EQ(zx_socket_set_disposition(ZX_HANDLE_INVALID, both, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_set_disposition(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  // Nothing to do is fine, and changes nothing.
  ASSERT_OK(zx_socket_set_disposition(a, 0, 0));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(1024, 0, &vmo));
  EXPECT_EQ(zx_socket_set_disposition(vmo, 0, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_close(vmo);
  zx_handle_close(weak);
  zx_handle_close(a);
  zx_handle_close(b);
}

// Disables writes on one end or both, checks writes and reads fail as
// they should until the data is drained, then re-enables them.
static void disable_writes(int local_off, int remote_off) {
  zx_handle_t local, remote;
  ASSERT_OK(zx_socket_create(0, &local, &remote));
  zx_signals_t ls = ZX_SOCKET_WRITABLE, rs = ZX_SOCKET_WRITABLE;
  // Data written before the disposition by the ends about to lose writes.
  if (local_off) {
    ASSERT_NO_FATAL_FAILURE(write_all(local, "12345"));
    rs |= ZX_SOCKET_READABLE;
  }
  if (remote_off) {
    ASSERT_NO_FATAL_FAILURE(write_all(remote, "abcdef"));
    ls |= ZX_SOCKET_READABLE;
  }
  EXPECT_EQ(pending(local), ls);
  EXPECT_EQ(pending(remote), rs);
  uint32_t ld = 0, rd = 0;
  if (local_off) {
    ld = ZX_SOCKET_DISPOSITION_WRITE_DISABLED;
    ls = (ls & ~ZX_SOCKET_WRITABLE) | ZX_SOCKET_WRITE_DISABLED;
    rs |= ZX_SOCKET_PEER_WRITE_DISABLED;
  }
  if (remote_off) {
    rd = ZX_SOCKET_DISPOSITION_WRITE_DISABLED;
    rs = (rs & ~ZX_SOCKET_WRITABLE) | ZX_SOCKET_WRITE_DISABLED;
    ls |= ZX_SOCKET_PEER_WRITE_DISABLED;
  }
  ASSERT_OK(zx_socket_set_disposition(local, ld, rd));
  EXPECT_EQ(pending(local), ls);
  EXPECT_EQ(pending(remote), rs);

  // Writes fail where disabled (and cannot be re-enabled while the data
  // is still at the peer); elsewhere they go through.
  if (local_off) {
    EXPECT_EQ(zx_socket_write(local, 0, "x", 1, NULL), ZX_ERR_BAD_STATE);
    EXPECT_EQ(zx_socket_write(local, 0, NULL, 0, NULL), ZX_ERR_BAD_STATE);
    EXPECT_EQ(zx_socket_set_disposition(local, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
              ZX_ERR_BAD_STATE);
  } else {
    ASSERT_NO_FATAL_FAILURE(write_all(local, "12345"));
    rs |= ZX_SOCKET_READABLE;
  }
  if (remote_off) {
    EXPECT_EQ(zx_socket_write(remote, 0, "x", 1, NULL), ZX_ERR_BAD_STATE);
    EXPECT_EQ(zx_socket_set_disposition(remote, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0),
              ZX_ERR_BAD_STATE);
  } else {
    ASSERT_NO_FATAL_FAILURE(write_all(remote, "abcdef"));
    ls |= ZX_SOCKET_READABLE;
  }
  EXPECT_EQ(pending(local), ls);
  EXPECT_EQ(pending(remote), rs);

  // Drain both; the next read tells whether more can ever come.
  char c;
  ASSERT_NO_FATAL_FAILURE(read_expect(local, "abcdef"));
  ls &= ~ZX_SOCKET_READABLE;
  EXPECT_EQ(zx_socket_read(local, 0, &c, 1, NULL),
            remote_off ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(pending(local), ls);
  ASSERT_NO_FATAL_FAILURE(read_expect(remote, "12345"));
  rs &= ~ZX_SOCKET_READABLE;
  EXPECT_EQ(zx_socket_read(remote, 0, &c, 1, NULL),
            local_off ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(pending(remote), rs);

  ASSERT_OK(zx_socket_set_disposition(local, ZX_SOCKET_DISPOSITION_WRITE_ENABLED,
                                      ZX_SOCKET_DISPOSITION_WRITE_ENABLED));
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE);
  ASSERT_NO_FATAL_FAILURE(write_all(local, "abcdef"));
  ASSERT_NO_FATAL_FAILURE(write_all(remote, "ghijklm"));
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  ASSERT_NO_FATAL_FAILURE(read_expect(local, "ghijklm"));
  ASSERT_NO_FATAL_FAILURE(read_expect(remote, "abcdef"));
  EXPECT_EQ(pending(local), ZX_SOCKET_WRITABLE);
  EXPECT_EQ(pending(remote), ZX_SOCKET_WRITABLE);
  zx_handle_close(local);
  zx_handle_close(remote);
}

TEST(Socket, DisableWriteLocal) { disable_writes(1, 0); }
TEST(Socket, DisableWriteRemote) { disable_writes(0, 1); }
TEST(Socket, DisableWriteBoth) { disable_writes(1, 1); }

TEST(Socket, DispositionWithClosedPeerAndBufferedData) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(b, "12345"));
  ASSERT_OK(zx_socket_set_disposition(a, 0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED));
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITE_DISABLED);
  EXPECT_EQ(zx_socket_set_disposition(a, 0, ZX_SOCKET_DISPOSITION_WRITE_ENABLED), ZX_ERR_BAD_STATE);
  ASSERT_OK(zx_handle_close(b));
  EXPECT_EQ(zx_socket_set_disposition(a, 0, ZX_SOCKET_DISPOSITION_WRITE_ENABLED), ZX_ERR_BAD_STATE);
  ASSERT_NO_FATAL_FAILURE(read_expect(a, "12345"));
  // Drained, the peer's writes may be re-enabled even though it is gone.
  ASSERT_OK(zx_socket_set_disposition(a, 0, ZX_SOCKET_DISPOSITION_WRITE_ENABLED));
  char c;
  EXPECT_EQ(zx_socket_read(a, 0, &c, 1, NULL), ZX_ERR_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Socket, ShortWriteFillsCapacity) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  zx_info_socket_t info = socket_info(a);
  ASSERT_EQ(info.rx_buf_max, CAPACITY);
  size_t size = info.rx_buf_max + 1;
  uintptr_t buf = map_fresh(size, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(buf, 0u);
  size_t written = ~(size_t)0;
  ASSERT_OK(zx_socket_write(a, 0, (void*)buf, size, &written));
  EXPECT_EQ(written, CAPACITY);
  EXPECT_EQ(pending(a), 0u, "full: no longer writable");
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  EXPECT_EQ(zx_socket_write(a, 0, (void*)buf, 1, &written), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(socket_info(b).rx_buf_size, CAPACITY);
  char c[4];
  ASSERT_OK(zx_socket_read(b, 0, c, 4, NULL));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  ASSERT_OK(zx_socket_write(a, 0, (void*)buf, 100, &written));
  EXPECT_EQ(written, 4u);
  unmap(buf, size);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, DatagramBoundariesAndTruncation) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "12345"));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "abcdef"));
  // Larger than one of Fuchsia's 4064-byte buffers.
  static uint8_t big[4096], back[4096];
  for (unsigned i = 0; i < sizeof(big); i++) big[i] = (uint8_t)i;
  size_t n;
  ASSERT_OK(zx_socket_write(a, 0, big, sizeof(big), &n));
  ASSERT_EQ(n, sizeof(big));
  EXPECT_EQ(socket_info(b).rx_buf_available, 5u);
  char buf[8];
  ASSERT_OK(zx_socket_read(b, 0, buf, 4, &n));
  ASSERT_EQ(n, 4u);
  EXPECT_BYTES_EQ(buf, "1234", 4);
  EXPECT_EQ(socket_info(b).rx_buf_available, 6u, "the rest of the first datagram is gone");
  ASSERT_NO_FATAL_FAILURE(read_expect(b, "abcdef"));
  EXPECT_EQ(socket_info(b).rx_buf_available, sizeof(big));
  ASSERT_OK(zx_socket_read(b, 0, back, sizeof(back), &n));
  ASSERT_EQ(n, sizeof(big));
  EXPECT_BYTES_EQ(back, big, sizeof(big));
  EXPECT_EQ(socket_info(b).rx_buf_available, 0u);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, DatagramPeek) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "12345"));
  ASSERT_NO_FATAL_FAILURE(write_all(a, "abcdef"));
  char buf[8];
  size_t n;
  ASSERT_OK(zx_socket_read(b, ZX_SOCKET_PEEK, buf, 4, &n));
  ASSERT_EQ(n, 4u);
  ASSERT_OK(zx_socket_read(b, ZX_SOCKET_PEEK, buf, sizeof(buf), &n));
  ASSERT_EQ(n, 5u, "a peek never runs into the next datagram");
  EXPECT_BYTES_EQ(buf, "12345", 5);
  ASSERT_NO_FATAL_FAILURE(read_expect(b, "12345"));
  ASSERT_OK(zx_socket_read(b, ZX_SOCKET_PEEK, buf, sizeof(buf), &n));
  ASSERT_EQ(n, 6u);
  EXPECT_BYTES_EQ(buf, "abcdef", 6);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, DatagramNeverShort) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  zx_info_socket_t info = socket_info(b);
  ASSERT_EQ(info.tx_buf_max, CAPACITY);
  size_t size = info.tx_buf_max * 2;
  uintptr_t buf = map_fresh(size, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(buf, 0u);
  size_t written = ~(size_t)0;
  EXPECT_EQ(zx_socket_write(a, 0, (void*)buf, size, &written), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(written, ~(size_t)0, "a failed write leaves actual alone");
  // The largest datagram is the whole capacity; then nothing more fits,
  // and a full socket says SHOULD_WAIT even to an oversized datagram.
  ASSERT_OK(zx_socket_write(a, 0, (void*)buf, CAPACITY - 10, &written));
  EXPECT_EQ(written, CAPACITY - 10);
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE, "not full to the byte");
  EXPECT_EQ(zx_socket_write(a, 0, (void*)buf, 11, &written), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_socket_write(a, 0, (void*)buf, 10, &written));
  EXPECT_EQ(pending(a), 0u);
  EXPECT_EQ(zx_socket_write(a, 0, (void*)buf, size, &written), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_socket_read(b, 0, (void*)buf, size, &written));
  EXPECT_EQ(written, CAPACITY - 10);
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE);
  unmap(buf, size);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, ZeroLength) {
  zx_handle_t a, b;
  char c;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  EXPECT_EQ(zx_socket_read(a, 0, &c, 0, NULL), ZX_ERR_SHOULD_WAIT);
  size_t n = 99;
  ASSERT_OK(zx_socket_write(a, 0, NULL, 0, &n));
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE, "an empty write adds nothing");
  ASSERT_OK(zx_socket_write(a, 0, "a", 1, NULL));
  ASSERT_OK(zx_socket_read(b, 0, &c, 0, NULL));
  ASSERT_OK(zx_socket_read(b, 0, NULL, 0, &n));
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(socket_info(b).rx_buf_size, 1u);
  zx_handle_close(a);
  zx_handle_close(b);
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  EXPECT_EQ(zx_socket_read(a, 0, &c, 0, NULL), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_socket_write(b, 0, NULL, 0, NULL));
  EXPECT_EQ(pending(a), ZX_SOCKET_WRITABLE, "no empty datagram is queued");
  ASSERT_OK(zx_socket_write(b, 0, "a", 1, NULL));
  ASSERT_OK(zx_socket_read(a, 0, &c, 0, NULL));
  ASSERT_OK(zx_socket_read(a, 0, &c, 0, NULL));
  EXPECT_EQ(socket_info(a).rx_buf_available, 1u, "a zero-length read consumes nothing");
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, NullAndBadBuffers) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_OK(zx_socket_write(a, 0, "A", 1, NULL));
  size_t actual = 99;
  EXPECT_EQ(zx_socket_read(b, 0, NULL, 1, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_write(b, 0, NULL, 1, NULL), ZX_ERR_INVALID_ARGS);
  // The NULL check comes before the handle's.
  EXPECT_EQ(zx_socket_write(ZX_HANDLE_INVALID, 0, NULL, 1, NULL), ZX_ERR_INVALID_ARGS);
  // A mapping with no permissions: neither readable nor writable.
  uintptr_t none = map_fresh(PAGE, 0);
  ASSERT_NE(none, 0u);
  EXPECT_EQ(zx_socket_read(b, 0, (void*)none, 1, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(actual, 99u, "a failed read leaves actual alone");
  EXPECT_EQ(zx_socket_write(b, 0, (void*)none, 1, &actual), ZX_ERR_INVALID_ARGS);
  // The byte is still there; a bad actual pointer fails after the read.
  char c;
  EXPECT_EQ(zx_socket_read(b, ZX_SOCKET_PEEK, &c, 1, (size_t*)none), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_socket_read(b, 0, &c, 1, &actual));
  EXPECT_EQ(c, 'A');
  unmap(none, PAGE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, WriteFromPartlyBadBuffer) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  // 16 KiB readable, then a guard page.
  const size_t size = 16 * 1024;
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             size + 2 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(size, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE, vmo, 0,
                        size, &addr));
  EXPECT_EQ(pending(a) & ZX_SOCKET_READABLE, 0u);
  size_t actual;
  ASSERT_EQ(zx_socket_write(b, 0, (void*)addr, 2 * size, &actual), ZX_ERR_INVALID_ARGS);
  // Whatever came through, the signals say so.
  zx_signals_t s = pending(a);
  size_t buffered = socket_info(a).rx_buf_size;
  EXPECT_LT(buffered, 2 * size);
  EXPECT_EQ(!!(s & ZX_SOCKET_READABLE), buffered > 0);
  EXPECT_EQ(zx_socket_read(a, 0, (void*)addr, 1, &actual) == ZX_OK, buffered > 0);
  zx_vmar_destroy(vmar);
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, ReadIntoPartlyBadBuffer) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  const size_t size = 16 * 1024;
  uintptr_t buf = map_fresh(size, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(buf, 0u);
  size_t actual;
  while (zx_socket_write(b, 0, (void*)buf, size, &actual) == ZX_OK) {
  }
  EXPECT_NE(pending(a) & ZX_SOCKET_READABLE, 0u);
  EXPECT_EQ(pending(b) & ZX_SOCKET_WRITABLE, 0u);
  // The read runs off the end of the mapping.
  ASSERT_EQ(zx_socket_read(a, 0, (void*)buf, 2 * size + 3 * PAGE, &actual), ZX_ERR_INVALID_ARGS);
  // Whether or not anything was consumed, the writer's signal agrees.
  int writable = !!(pending(b) & ZX_SOCKET_WRITABLE);
  EXPECT_EQ(writable, zx_socket_write(b, 0, (void*)buf, 1, &actual) == ZX_OK);
  while (zx_socket_read(a, 0, (void*)buf, size, &actual) == ZX_OK) {
  }
  EXPECT_NE(pending(b) & ZX_SOCKET_WRITABLE, 0u);
  EXPECT_EQ(socket_info(a).rx_buf_size, 0u);
  unmap(buf, size);
  zx_handle_close(a);
  zx_handle_close(b);
}

// Zircon moves a socket's bytes one of its 4064-byte buffers at a time and
// keeps the pieces that made it before a fault: a faulting write leaves the
// whole buffers before the fault written, a faulting read leaves them read.
#define PIECE 4064u
TEST(Socket, FaultsKeepWholePiecesOnly) {
  zx_handle_t a, b, vmar, vmo;
  uintptr_t base, addr;
  // Two read-write pages, then a hole.
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             4 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(2 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0,
                        2 * PAGE, &addr));
  for (unsigned i = 0; i < 2 * PAGE; i++) ((uint8_t*)addr)[i] = (uint8_t)(i * 7);
  ASSERT_OK(zx_socket_create(0, &a, &b));
  // Pieces [0, 4064) and [4064, 8128) are readable; the third runs into
  // the hole at 8192.
  size_t n = 99;
  EXPECT_EQ(zx_socket_write(a, 0, (void*)addr, 3 * PIECE, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(n, 99u);
  EXPECT_EQ(socket_info(b).rx_buf_size, 2 * PIECE);
  EXPECT_EQ(pending(b), ZX_SOCKET_READABLE | ZX_SOCKET_WRITABLE);
  // A write of 100 more tops up the second buffer (56 bytes of room) and
  // starts a third; the bytes keep their order.
  ASSERT_OK(zx_socket_write(a, 0, (void*)addr, 100, &n));
  ASSERT_EQ(n, 100u);
  // Reading into a buffer 5000 bytes before the hole: the first piece
  // (one whole buffer) lands, the second faults.
  uint8_t* edge = (uint8_t*)(addr + 2 * PAGE - 5000);
  EXPECT_EQ(zx_socket_read(b, 0, edge, 3 * PIECE, &n), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(socket_info(b).rx_buf_size, PIECE + 100);
  // What is left is the second piece, then the top-up.
  static uint8_t rest[PIECE + 100];
  ASSERT_OK(zx_socket_read(b, 0, rest, sizeof(rest), &n));
  ASSERT_EQ(n, sizeof(rest));
  EXPECT_EQ(rest[0], (uint8_t)(PIECE * 7));
  EXPECT_EQ(rest[PIECE - 1], (uint8_t)((2 * PIECE - 1) * 7));
  EXPECT_EQ(rest[PIECE], 0u);
  EXPECT_EQ(rest[PIECE + 99], (uint8_t)(99 * 7));
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE);
  zx_vmar_destroy(vmar);
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, ReuseDatagramBuffers) {
  zx_handle_t a, b;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b));
  static char buf[5000];
  memset(buf, 0xaa, sizeof(buf));
  size_t n;
  buf[0] = 'a';
  ASSERT_OK(zx_socket_write(a, 0, buf, 1, &n));
  buf[0] = 'b';
  ASSERT_OK(zx_socket_write(a, 0, buf, 1, &n));
  ASSERT_OK(zx_socket_read(b, 0, buf, 1, &n));
  EXPECT_EQ(buf[0], 'a');
  ASSERT_OK(zx_socket_read(b, 0, buf, 1, &n));
  EXPECT_EQ(buf[0], 'b');
  // One datagram spanning two of Fuchsia's buffers, then a short one.
  buf[0] = 'c';
  ASSERT_OK(zx_socket_write(a, 0, buf, sizeof(buf), &n));
  EXPECT_EQ(n, sizeof(buf));
  buf[0] = 'd';
  ASSERT_OK(zx_socket_write(a, 0, buf, 1, &n));
  ASSERT_OK(zx_socket_read(b, 0, buf, 1, &n));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(buf[0], 'c');
  ASSERT_OK(zx_socket_read(b, 0, buf, 1, &n));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(buf[0], 'd');
  EXPECT_EQ(pending(b) & ZX_SOCKET_READABLE, 0u);
  zx_handle_close(a);
  zx_handle_close(b);
}

// A datagram read into a buffer that faults at its start or in its middle:
// a consuming read drops the datagram, a peek leaves it.
static void datagram_bad_buffer(int fault_in_middle, int peek) {
  zx_handle_t local, remote;
  ASSERT_OK(zx_socket_create(ZX_SOCKET_DATAGRAM, &local, &remote));
  const size_t packet = 2 * PAGE;
  uintptr_t buf = map_fresh(packet, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(buf, 0u);
  size_t n;
  memset((void*)buf, 'A', packet);
  ASSERT_OK(zx_socket_write(local, 0, (void*)buf, packet, &n));
  memset((void*)buf, 'B', packet);
  ASSERT_OK(zx_socket_write(local, 0, (void*)buf, packet, &n));
  uintptr_t guard = fault_in_middle ? buf + PAGE : buf;
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), 0, guard, PAGE));
  EXPECT_EQ(zx_socket_read(remote, peek ? ZX_SOCKET_PEEK : 0, (void*)buf, packet, &n),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, guard, PAGE));
  const char* left = peek ? "AB" : "B";
  for (const char* p = left; *p; p++) {
    ASSERT_OK(zx_socket_read(remote, 0, (void*)buf, packet, &n));
    ASSERT_EQ(n, packet);
    for (size_t i = 0; i < packet; i++) ASSERT_EQ(((char*)buf)[i], *p);
  }
  uint32_t word;
  EXPECT_EQ(zx_socket_read(remote, 0, &word, sizeof(word), NULL), ZX_ERR_SHOULD_WAIT);
  EXPECT_EQ(zx_socket_read(local, 0, &word, sizeof(word), NULL), ZX_ERR_SHOULD_WAIT);
  unmap(buf, packet);
  zx_handle_close(local);
  zx_handle_close(remote);
}

TEST(Socket, DatagramBadBufferAtStartConsume) { datagram_bad_buffer(0, 0); }
TEST(Socket, DatagramBadBufferAtStartPeek) { datagram_bad_buffer(0, 1); }
TEST(Socket, DatagramBadBufferInMiddleConsume) { datagram_bad_buffer(1, 0); }
TEST(Socket, DatagramBadBufferInMiddlePeek) { datagram_bad_buffer(1, 1); }

TEST(Socket, OptionsRightsAndTypes) {
  zx_handle_t a, b, r;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  char c = 'a';
  EXPECT_EQ(zx_socket_write(a, 1, &c, 1, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_write(a, ZX_SOCKET_PEEK, &c, 1, NULL), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_socket_write(a, 0, &c, 1, NULL));
  EXPECT_EQ(zx_socket_read(b, 1, &c, 1, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_read(b, ZX_SOCKET_PEEK | 1, &c, 1, NULL), ZX_ERR_INVALID_ARGS);
  // Options are checked before the handle.
  EXPECT_EQ(zx_socket_read(ZX_HANDLE_INVALID, 1, &c, 1, NULL), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_socket_read(ZX_HANDLE_INVALID, 0, &c, 1, NULL), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_handle_replace(a, rights_of(a) & ~ZX_RIGHT_WRITE, &r));
  EXPECT_EQ(zx_socket_write(r, 0, &c, 1, NULL), ZX_ERR_ACCESS_DENIED);
  zx_handle_t rb;
  ASSERT_OK(zx_handle_replace(b, rights_of(b) & ~ZX_RIGHT_READ, &rb));
  EXPECT_EQ(zx_socket_read(rb, 0, &c, 1, NULL), ZX_ERR_ACCESS_DENIED);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(1024, 0, &vmo));
  EXPECT_EQ(zx_socket_write(vmo, 0, &c, 1, NULL), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_socket_read(vmo, 0, &c, 1, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_t weakvmo;
  ASSERT_OK(zx_handle_duplicate(vmo, 0, &weakvmo));
  EXPECT_EQ(zx_socket_write(weakvmo, 0, &c, 1, NULL), ZX_ERR_WRONG_TYPE, "type before rights");
  zx_handle_close(weakvmo);
  zx_handle_close(vmo);
  zx_handle_close(r);
  zx_handle_close(rb);
}

// ---- Waits, ports, threads ------------------------------------------------

static void echo(uintptr_t sock, uintptr_t rounds) {
  zx_handle_t s = (zx_handle_t)sock;
  for (uintptr_t i = 0; i < rounds; i++) {
    uint32_t v;
    size_t n;
    if (zx_object_wait_one(s, ZX_SOCKET_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    if (zx_socket_read(s, 0, &v, sizeof(v), &n) != ZX_OK) break;
    v++;
    zx_socket_write(s, 0, &v, sizeof(v), NULL);
  }
  zx_thread_exit();
}

static void ping_pong(uint32_t options) {
  enum { ROUNDS = 1000 };
  zx_handle_t a, b, t;
  ASSERT_OK(zx_socket_create(options, &a, &b));
  ASSERT_OK(start(&t, echo, b, ROUNDS));
  uint32_t v = 0;
  for (int i = 0; i < ROUNDS; i++) {
    size_t n;
    ASSERT_OK(zx_socket_write(a, 0, &v, sizeof(v), &n));
    ASSERT_OK(zx_object_wait_one(a, ZX_SOCKET_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
    ASSERT_OK(zx_socket_read(a, 0, &v, sizeof(v), &n));
    ASSERT_EQ(n, sizeof(v));
  }
  EXPECT_EQ(v, (uint32_t)ROUNDS);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, StreamPingPongBetweenThreads) { ping_pong(0); }
TEST(Socket, DatagramPingPongBetweenThreads) { ping_pong(ZX_SOCKET_DATAGRAM); }

static volatile zx_status_t g_wait_status;
static volatile zx_signals_t g_wait_seen;

static void waiter(uintptr_t sock, uintptr_t signals) {
  zx_signals_t seen = 0;
  g_wait_status = zx_object_wait_one((zx_handle_t)sock, (zx_signals_t)signals, ZX_TIME_INFINITE,
                                     &seen);
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

TEST(Socket, BlockedReaderWokenByWrite) {
  zx_handle_t a, b, t;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_SOCKET_READABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_socket_write(a, 0, "x", 1, NULL));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_SOCKET_READABLE | ZX_SOCKET_WRITABLE);
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, BlockedWaiterWokenByPeerClose) {
  zx_handle_t a, b, t;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_handle_close(a));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_SOCKET_PEER_CLOSED);
  zx_handle_close(t);
  zx_handle_close(b);
}

TEST(Socket, BlockedWriterWokenByRoomAndDisposition) {
  zx_handle_t a, b, t;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  uintptr_t buf = map_fresh(CAPACITY, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  ASSERT_NE(buf, 0u);
  size_t n;
  ASSERT_OK(zx_socket_write(a, 0, (void*)buf, CAPACITY, &n));
  ASSERT_EQ(n, CAPACITY);
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, a, ZX_SOCKET_WRITABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_socket_read(b, 0, (void*)buf, 1, &n));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_EQ(g_wait_seen, ZX_SOCKET_WRITABLE);
  zx_handle_close(t);
  // A waiter for PEER_WRITE_DISABLED wakes when the peer shuts its writes.
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_SOCKET_PEER_WRITE_DISABLED));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_wait_status, ZX_OK);
  EXPECT_NE(g_wait_seen & ZX_SOCKET_PEER_WRITE_DISABLED, 0u);
  zx_handle_close(t);
  unmap(buf, CAPACITY);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, BlockedWaiterEndsWhenKilled) {
  // The waiter is the thread of a child process (zx_task_kill takes no
  // threads), waiting on a duplicate of b; killing the child kills it.
  zx_handle_t a, b, dup;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(b, ZX_RIGHT_SAME_RIGHTS, &dup));
  child_t w;
  ASSERT_OK(child_start_waiter(zx_job_default(), dup, ZX_SOCKET_READABLE, &w));
  ASSERT_NO_FATAL_FAILURE(until_blocked(w.thread));
  ASSERT_OK(child_kill(&w));
  ASSERT_OK(zx_object_wait_one(w.thread, ZX_THREAD_TERMINATED, 0, NULL));
  EXPECT_EQ(child_return_code(&w), ZX_TASK_RETCODE_SYSCALL_KILL,
            "a killed thread does not return from its wait");
  child_close(&w);
  // The socket is unharmed.
  ASSERT_OK(zx_socket_write(a, 0, "x", 1, NULL));
  EXPECT_EQ(pending(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(Socket, BlockedWaiterCanceledByHandleClose) {
  zx_handle_t a, b, t;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  g_wait_status = 1;
  ASSERT_OK(start(&t, waiter, b, ZX_SOCKET_READABLE));
  ASSERT_NO_FATAL_FAILURE(until_blocked(t));
  ASSERT_OK(zx_handle_close(b));
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  EXPECT_EQ(g_wait_status, ZX_ERR_CANCELED);
  zx_handle_close(t);
  // That was the last handle: the peer sees it closed.
  EXPECT_EQ(pending(a), ZX_SOCKET_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Socket, AsyncWaitsOnAPort) {
  zx_handle_t a, b, port;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_object_wait_async(b, port, 42, ZX_SOCKET_READABLE, 0));
  zx_port_packet_t pkt;
  EXPECT_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_socket_write(a, 0, "hi", 2, NULL));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &pkt));
  EXPECT_EQ(pkt.key, 42u);
  EXPECT_EQ(pkt.type, ZX_PKT_TYPE_SIGNAL_ONE);
  EXPECT_EQ(pkt.signal.trigger, ZX_SOCKET_READABLE);
  EXPECT_NE(pkt.signal.observed & ZX_SOCKET_READABLE, 0u);
  ASSERT_OK(zx_object_wait_async(b, port, 43, ZX_SOCKET_PEER_CLOSED, 0));
  ASSERT_OK(zx_handle_close(a));
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &pkt));
  EXPECT_EQ(pkt.key, 43u);
  EXPECT_NE(pkt.signal.observed & ZX_SOCKET_PEER_CLOSED, 0u);
  zx_handle_close(port);
  zx_handle_close(b);
}

TEST(Socket, EndInAChannelMessageStaysOpen) {
  zx_handle_t a, b, c0, c1;
  ASSERT_OK(zx_socket_create(0, &a, &b));
  ASSERT_OK(zx_channel_create(0, &c0, &c1));
  ASSERT_OK(zx_socket_write(b, 0, "msg", 3, NULL));
  ASSERT_OK(zx_channel_write(c0, 0, NULL, 0, &b, 1));
  EXPECT_EQ(pending(a) & ZX_SOCKET_PEER_CLOSED, 0u, "a handle in flight keeps the end open");
  zx_handle_t got;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(c1, 0, NULL, &got, 0, 1, &nb, &nh));
  ASSERT_EQ(nh, 1u);
  EXPECT_EQ(rights_of(got), ZX_DEFAULT_SOCKET_RIGHTS);
  ASSERT_NO_FATAL_FAILURE(read_expect(a, "msg"));
  ASSERT_NO_FATAL_FAILURE(write_all(got, "back"));
  ASSERT_NO_FATAL_FAILURE(read_expect(a, "back"));
  zx_handle_close(got);
  EXPECT_EQ(pending(a), ZX_SOCKET_PEER_CLOSED);
  zx_handle_close(a);
  zx_handle_close(c0);
  zx_handle_close(c1);
}
