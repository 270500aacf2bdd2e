// zx_port_cancel, zx_port_cancel_key, and how closing or replacing a handle
// ends the async waits registered through it.
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#include <zxtest/zxtest.h>

// Drains the port without blocking; returns how many packets it held and
// the sum of their keys.
static int drain(zx_handle_t port, uint64_t* key_sum) {
  zx_port_packet_t p;
  int n = 0;
  *key_sum = 0;
  while (zx_port_wait(port, 0, &p) == ZX_OK) {
    n++;
    *key_sum += p.key;
  }
  return n;
}

static void pulse(zx_handle_t ev) {
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0));
}

TEST(PortCancel, PendingWaitsWithTheKeyGo) {
  zx_handle_t port, ev;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  // Two waits share key 21; both go with one cancel.
  const uint64_t keys[] = {300, 21, 4, 21};
  for (int i = 0; i < 4; i++) {
    ASSERT_OK(zx_object_wait_async(ev, port, keys[i], ZX_EVENT_SIGNALED, 0));
  }
  ASSERT_OK(zx_port_cancel(port, ev, 21));
  pulse(ev);
  pulse(ev);
  uint64_t sum;
  ASSERT_EQ(drain(port, &sum), 2);
  ASSERT_EQ(sum, 304u);
  // Delivered and dequeued: nothing left to cancel.
  ASSERT_EQ(zx_port_cancel(port, ev, 300), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(zx_port_cancel(port, ev, 999), ZX_ERR_NOT_FOUND);
  zx_handle_close(ev);
  zx_handle_close(port);
}

TEST(PortCancel, QueuedPacketsGoToo) {
  zx_handle_t port, a, b, c;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &a));
  ASSERT_OK(zx_event_create(0, &b));
  ASSERT_OK(zx_event_create(0, &c));
  ASSERT_OK(zx_object_wait_async(a, port, 50, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(b, port, 6, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(c, port, 6, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_signal(a, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_signal(b, 0, ZX_EVENT_SIGNALED));
  // b's packet is queued, c's wait is pending: each cancel finds its own.
  ASSERT_OK(zx_port_cancel(port, b, 6));
  ASSERT_OK(zx_port_cancel(port, c, 6));
  ASSERT_OK(zx_object_signal(c, 0, ZX_EVENT_SIGNALED));
  uint64_t sum;
  ASSERT_EQ(drain(port, &sum), 1);
  ASSERT_EQ(sum, 50u);
  // User packets are not the source's: zx_port_cancel leaves them.
  zx_port_packet_t user = {.key = 6, .type = ZX_PKT_TYPE_USER};
  ASSERT_OK(zx_port_queue(port, &user));
  ASSERT_EQ(zx_port_cancel(port, b, 6), ZX_ERR_NOT_FOUND);
  ASSERT_EQ(drain(port, &sum), 1);
  zx_handle_close(a);
  zx_handle_close(b);
  zx_handle_close(c);
  zx_handle_close(port);
}

TEST(PortCancel, OnlyWaitsThroughThatHandle) {
  zx_handle_t port, ev, dup;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_OK(zx_object_wait_async(ev, port, 1, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(dup, port, 1, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_port_cancel(port, dup, 1));
  ASSERT_EQ(zx_port_cancel(port, dup, 1), ZX_ERR_NOT_FOUND);
  pulse(ev);
  uint64_t sum;
  ASSERT_EQ(drain(port, &sum), 1);
  // Another port's waits are not this port's to cancel.
  zx_handle_t other;
  ASSERT_OK(zx_port_create(0, &other));
  ASSERT_OK(zx_object_wait_async(ev, other, 2, ZX_EVENT_SIGNALED, 0));
  ASSERT_EQ(zx_port_cancel(port, ev, 2), ZX_ERR_NOT_FOUND);
  pulse(ev);
  ASSERT_EQ(drain(other, &sum), 1);
  zx_handle_close(other);
  zx_handle_close(dup);
  zx_handle_close(ev);
  zx_handle_close(port);
}

TEST(PortCancel, Errors) {
  zx_handle_t port, ev, ro_port, nowait;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_port_cancel(ev, ev, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_EQ(zx_port_cancel(ZX_HANDLE_INVALID, ev, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_port_cancel(port, ZX_HANDLE_INVALID, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_handle_duplicate(port, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE, &ro_port));
  // The port's rights are checked before the source is looked up.
  ASSERT_EQ(zx_port_cancel(ro_port, ZX_HANDLE_INVALID, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_handle_duplicate(ev, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_WAIT, &nowait));
  ASSERT_EQ(zx_port_cancel(port, nowait, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(nowait);
  zx_handle_close(ro_port);
  zx_handle_close(ev);
  zx_handle_close(port);
}

TEST(PortCancelKey, WaitsAndPacketsOfEverySource) {
  zx_handle_t port, a, b;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &a));
  ASSERT_OK(zx_event_create(0, &b));
  ASSERT_OK(zx_object_wait_async(a, port, 1, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(a, port, 2, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(b, port, 2, ZX_USER_SIGNAL_0, 0));
  zx_port_packet_t user = {.key = 2, .type = ZX_PKT_TYPE_USER};
  ASSERT_OK(zx_port_queue(port, &user));
  ASSERT_OK(zx_port_cancel_key(port, 0, 1));
  ASSERT_OK(zx_object_signal(a, 0, ZX_EVENT_SIGNALED));
  // Key 2: a's queued packet, the user packet and b's pending wait.
  ASSERT_OK(zx_port_cancel_key(port, 0, 2));
  ASSERT_EQ(zx_port_cancel_key(port, 0, 2), ZX_ERR_NOT_FOUND);
  ASSERT_OK(zx_object_signal(b, 0, ZX_USER_SIGNAL_0));
  uint64_t sum;
  ASSERT_EQ(drain(port, &sum), 0);
  ASSERT_EQ(zx_port_cancel_key(port, 0, 3), ZX_ERR_NOT_FOUND);
  // The user-packet budget came back with the removed packet.
  for (int i = 0; i < 2048; i++) {
    ASSERT_OK(zx_port_queue(port, &user));
  }
  ASSERT_EQ(zx_port_queue(port, &user), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_port_cancel_key(port, 0, 2));
  ASSERT_OK(zx_port_queue(port, &user));
  ASSERT_EQ(drain(port, &sum), 1);
  zx_handle_close(a);
  zx_handle_close(b);
  zx_handle_close(port);
}

TEST(PortCancelKey, Errors) {
  zx_handle_t port, ev, ro_port;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  // Options are checked first, before the handle.
  ASSERT_EQ(zx_port_cancel_key(ZX_HANDLE_INVALID, 1, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_port_cancel_key(port, 1, 0), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_port_cancel_key(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_port_cancel_key(ev, 0, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_OK(zx_handle_duplicate(port, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE, &ro_port));
  ASSERT_EQ(zx_port_cancel_key(ro_port, 0, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro_port);
  zx_handle_close(ev);
  zx_handle_close(port);
}

TEST(PortCancel, ClosingTheHandleEndsItsWaits) {
  zx_handle_t port, ev, dup;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_OK(zx_object_wait_async(dup, port, 7, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(ev, port, 8, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_handle_close(dup));
  pulse(ev);
  uint64_t sum;
  ASSERT_EQ(drain(port, &sum), 1);
  ASSERT_EQ(sum, 8u);
  // A packet already queued survives the close.
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  ASSERT_OK(zx_object_wait_async(dup, port, 9, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_handle_close_many(&dup, 1));
  ASSERT_EQ(drain(port, &sum), 1);
  ASSERT_EQ(sum, 9u);
  // A replaced handle is a closed one: its waits end.
  ASSERT_OK(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_async(ev, port, 10, ZX_EVENT_SIGNALED, 0));
  zx_handle_t replaced;
  ASSERT_OK(zx_handle_replace(ev, ZX_RIGHT_SAME_RIGHTS, &replaced));
  pulse(replaced);
  ASSERT_EQ(drain(port, &sum), 0);
  zx_handle_close(replaced);
  zx_handle_close(port);
}

#define STACK 65536u

struct race {
  zx_handle_t ev;
  volatile int go;
};

static void signal_when_told(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  struct race* r = (struct race*)arg;
  while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE)) {
  }
  zx_object_signal(r->ev, 0, ZX_EVENT_SIGNALED);
  zx_thread_exit();
}

// A signal racing a cancel: whether the wait fired first or not, the cancel
// finds it (the wait, or the packet it queued) and no packet survives.
TEST(PortCancel, CancelRacingASignalIsExclusive) {
  zx_handle_t port, stack_vmo;
  uintptr_t stack;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_vmo_create(STACK, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0,
                        STACK, &stack));
  for (int i = 0; i < 200; i++) {
    struct race r = {.go = 0};
    ASSERT_OK(zx_event_create(0, &r.ev));
    ASSERT_OK(zx_object_wait_async(r.ev, port, 77, ZX_EVENT_SIGNALED, 0));
    zx_handle_t t;
    ASSERT_OK(zx_thread_create(zx_process_self(), "racer", 5, 0, &t));
    ASSERT_OK(zx_thread_start(t, (uintptr_t)signal_when_told, stack + STACK - 8, (uintptr_t)&r, 0));
    __atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
    zx_status_t s = (i & 1) ? zx_port_cancel(port, r.ev, 77) : zx_port_cancel_key(port, 0, 77);
    ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
    ASSERT_OK(s);
    uint64_t sum;
    ASSERT_EQ(drain(port, &sum), 0);
    zx_handle_close(t);
    zx_handle_close(r.ev);
  }
  zx_handle_close(stack_vmo);
  zx_handle_close(port);
}
