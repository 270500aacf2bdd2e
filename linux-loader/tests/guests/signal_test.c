// Signals and waits: zx_object_signal(_peer), zx_object_wait_one/many,
// events and event pairs, and the signals objects raise by themselves.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

static zx_instant_mono_t soon(void) { return zx_deadline_after(ZX_MSEC(1)); }

TEST(Signals, EventSignalAndWait) {
  zx_handle_t ev;
  zx_signals_t observed = 0x55;
  ASSERT_EQ(zx_event_create(1, &ev), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_event_create(0, &ev));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(ev, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.rights, ZX_DEFAULT_EVENT_RIGHTS);
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  ASSERT_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, soon(), &observed), ZX_ERR_TIMED_OUT);
  ASSERT_EQ(observed, 0u);
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3));
  ASSERT_OK(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &observed));
  ASSERT_EQ(observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  ASSERT_OK(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_wait_one(ev, ZX_USER_SIGNAL_3, 0, &observed));
  ASSERT_EQ(observed, ZX_USER_SIGNAL_3);
  // Only user signals (and SIGNALED on events) may be changed.
  ASSERT_EQ(zx_object_signal(ev, 0, ZX_CHANNEL_READABLE), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_object_signal_peer(ev, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_DUPLICATE, &weak));
  ASSERT_EQ(zx_object_wait_one(weak, ZX_EVENT_SIGNALED, 0, NULL), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_object_signal(weak, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_object_wait_one(0x7fffff03u, ZX_EVENT_SIGNALED, 0, NULL), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_object_wait_one(ev, ZX_USER_SIGNAL_3, 0, (zx_signals_t*)0x7fffffffe000ul),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(weak);
  zx_handle_close(ev);
}

TEST(Signals, EventPairPeers) {
  zx_handle_t a, b;
  zx_signals_t observed;
  ASSERT_EQ(zx_eventpair_create(1, &a, &b), ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_eventpair_create(0, &a, &b));
  ASSERT_OK(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0));
  ASSERT_OK(zx_object_wait_one(b, ZX_USER_SIGNAL_0, 0, &observed));
  ASSERT_EQ(observed, ZX_USER_SIGNAL_0);
  ASSERT_EQ(zx_object_wait_one(a, ZX_USER_SIGNAL_0, 0, &observed), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_handle_close(b));
  ASSERT_OK(zx_object_wait_one(a, ZX_EVENTPAIR_PEER_CLOSED, 0, &observed));
  ASSERT_EQ(observed, ZX_EVENTPAIR_PEER_CLOSED);
  ASSERT_EQ(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Signals, ChannelSignals) {
  zx_handle_t a, b;
  zx_signals_t observed;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_object_wait_one(a, ZX_CHANNEL_WRITABLE, 0, &observed));
  ASSERT_EQ(observed, ZX_CHANNEL_WRITABLE);
  ASSERT_OK(zx_channel_write(b, 0, "x", 1, NULL, 0));
  ASSERT_OK(zx_object_wait_one(a, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &observed));
  ASSERT_EQ(observed, ZX_CHANNEL_WRITABLE | ZX_CHANNEL_READABLE);
  char c;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(a, 0, &c, NULL, 1, 0, &nb, &nh));
  ASSERT_OK(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_1));
  ASSERT_OK(zx_object_wait_one(b, ZX_USER_SIGNAL_1, 0, &observed));
  ASSERT_OK(zx_handle_close(b));
  ASSERT_OK(zx_object_wait_one(a, ZX_CHANNEL_PEER_CLOSED, 0, &observed));
  ASSERT_EQ(observed, ZX_CHANNEL_PEER_CLOSED);
  zx_handle_close(a);
}

TEST(Signals, VmoZeroChildren) {
  zx_handle_t vmo, child;
  zx_signals_t observed;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, &observed));
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 4096, &child));
  ASSERT_EQ(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, &observed), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_handle_close(child));
  ASSERT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, 0, &observed));
  zx_handle_close(vmo);
}

TEST(Signals, WaitMany) {
  zx_handle_t e0, e1;
  ASSERT_OK(zx_event_create(0, &e0));
  ASSERT_OK(zx_event_create(0, &e1));
  zx_wait_item_t items[2] = {{e0, ZX_EVENT_SIGNALED, 0}, {e1, ZX_EVENT_SIGNALED, 0}};
  ASSERT_EQ(zx_object_wait_many(items, 2, soon()), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_object_signal(e1, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_many(items, 2, ZX_TIME_INFINITE));
  ASSERT_EQ(items[0].pending, 0u);
  ASSERT_EQ(items[1].pending, ZX_EVENT_SIGNALED);
  ASSERT_EQ(zx_object_wait_many(items, ZX_WAIT_MANY_MAX_ITEMS + 1, 0), ZX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(zx_object_wait_many(NULL, 0, soon()), ZX_ERR_TIMED_OUT);
  items[0].handle = 0x7fffff03u;
  ASSERT_EQ(zx_object_wait_many(items, 2, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_EQ(zx_object_wait_many((zx_wait_item_t*)0x7fffffffe000ul, 2, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_close(e0);
  zx_handle_close(e1);
}

TEST(Signals, DeadlinesInThePastCheckOnce) {
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  ASSERT_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, 0, NULL), ZX_ERR_TIMED_OUT);
  ASSERT_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, NULL), ZX_ERR_TIMED_OUT);
  ASSERT_LT(zx_clock_get_monotonic() - t0, ZX_SEC(1));
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, 0, NULL));
  zx_handle_close(ev);
}
