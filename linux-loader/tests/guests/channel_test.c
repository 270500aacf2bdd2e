// zx_channel_call against a server thread, and a channel round trip
// between threads, with handles riding along.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#define STACK 65536u

static uintptr_t stack_top(void) {
  zx_handle_t vmo;
  uintptr_t addr;
  zx_vmo_create(STACK, 0, &vmo);
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK, &addr);
  zx_handle_close(vmo);
  return addr + STACK - 8;
}

// Answers `count` calls: the reply keeps the txid and upper-cases the text.
static void echo_server(uintptr_t channel, uintptr_t count) {
  zx_handle_t ch = (zx_handle_t)channel;
  for (uintptr_t i = 0; i < count; i++) {
    uint8_t buf[64];
    zx_handle_t hs[4];
    uint32_t nb, nh;
    if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    if (zx_channel_read(ch, 0, buf, hs, sizeof(buf), 4, &nb, &nh) != ZX_OK) break;
    for (uint32_t j = 4; j < nb; j++)
      if (buf[j] >= 'a' && buf[j] <= 'z') buf[j] = (uint8_t)(buf[j] - 'a' + 'A');
    zx_channel_write(ch, 0, buf, nb, hs, nh);
  }
  zx_handle_close(ch);
  zx_thread_exit();
}

static zx_handle_t start_server(zx_handle_t end, uintptr_t count) {
  zx_handle_t t;
  zx_thread_create(zx_process_self(), "server", 6, 0, &t);
  zx_thread_start(t, (uintptr_t)echo_server, stack_top(), end, count);
  return t;
}

TEST(Channel, CallRoundTrip) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  zx_handle_t t = start_server(server, 3);
  for (int round = 0; round < 3; round++) {
    uint8_t wr[12] = {0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', '!', '0' + round, 0};
    uint8_t rd[12] = {0};
    zx_handle_t ev, got = ZX_HANDLE_INVALID;
    ASSERT_OK(zx_event_create(0, &ev));
    zx_channel_call_args_t args = {wr, &ev, rd, &got, sizeof(wr), 1, sizeof(rd), 1};
    uint32_t nb = 0, nh = 0;
    ASSERT_OK(zx_channel_call(client, 0, zx_deadline_after(ZX_SEC(10)), &args, &nb, &nh));
    ASSERT_EQ(nb, (uint32_t)sizeof(wr));
    ASSERT_EQ(nh, 1u);
    ASSERT_EQ(memcmp(rd + 4, "HELLO!", 6), 0);
    ASSERT_EQ(rd[10], '0' + round);
    uint32_t txid;
    memcpy(&txid, rd, 4);
    ASSERT_NE(txid & 0x80000000u, 0u, "kernel-assigned txids have the high bit set");
    // The event came back, with its rights.
    zx_info_handle_basic_t info;
    ASSERT_OK(zx_object_get_info(got, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
    ASSERT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
    ASSERT_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE, "the sent handle left our table");
    zx_handle_close(got);
  }
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  // The server is gone: a call now fails with PEER_CLOSED.
  uint8_t wr[8] = {0};
  uint8_t rd[8];
  zx_channel_call_args_t args = {wr, NULL, rd, NULL, sizeof(wr), 0, sizeof(rd), 0};
  uint32_t nb, nh;
  ASSERT_EQ(zx_channel_call(client, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_PEER_CLOSED);
  zx_handle_close(t);
  zx_handle_close(client);
}

TEST(Channel, CallErrors) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint8_t wr[8] = {0}, rd[8];
  uint32_t nb, nh;
  zx_channel_call_args_t args = {wr, NULL, rd, NULL, 3, 0, sizeof(rd), 0};
  ASSERT_EQ(zx_channel_call(a, 0, 0, &args, &nb, &nh), ZX_ERR_INVALID_ARGS, "no room for a txid");
  args.wr_num_bytes = sizeof(wr);
  ASSERT_EQ(zx_channel_call(a, 1, 0, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_channel_call(a, 0, 0, (zx_channel_call_args_t*)0x7fffffffe000ul, &nb, &nh), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_channel_call(a, 0, zx_deadline_after(ZX_MSEC(2)), &args, &nb, &nh), ZX_ERR_TIMED_OUT);
  // The unanswered request sits in the peer's queue.
  ASSERT_OK(zx_channel_read(b, 0, rd, NULL, sizeof(rd), 0, &nb, &nh));
  ASSERT_EQ(nb, (uint32_t)sizeof(wr));
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_channel_call(ev, 0, 0, &args, &nb, &nh), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(b);
}

// A ping-pong between two threads over plain reads and writes.
static void ponger(uintptr_t channel, uintptr_t rounds) {
  zx_handle_t ch = (zx_handle_t)channel;
  for (uintptr_t i = 0; i < rounds; i++) {
    uint32_t v, nb, nh;
    zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
    zx_channel_read(ch, 0, &v, NULL, sizeof(v), 0, &nb, &nh);
    v++;
    zx_channel_write(ch, 0, &v, sizeof(v), NULL, 0);
  }
  zx_thread_exit();
}

TEST(Channel, PingPongBetweenThreads) {
  enum { ROUNDS = 2000 };
  zx_handle_t a, b, t;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_thread_create(zx_process_self(), "ponger", 6, 0, &t));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)ponger, stack_top(), b, ROUNDS));
  uint32_t v = 0;
  for (int i = 0; i < ROUNDS; i++) {
    uint32_t nb, nh;
    ASSERT_OK(zx_channel_write(a, 0, &v, sizeof(v), NULL, 0));
    ASSERT_OK(zx_object_wait_one(a, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_SEC(10)), NULL));
    ASSERT_OK(zx_channel_read(a, 0, &v, NULL, sizeof(v), 0, &nb, &nh));
  }
  ASSERT_EQ(v, (uint32_t)ROUNDS);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);
}

// A channel end holds at most 3,500 messages: each write past that is
// still queued but raises ZX_EXCP_POLICY_ERROR
// (ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE) on the writer as it returns.
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>

static volatile uint32_t g_written;
static volatile zx_status_t g_last_write = 1;

static void flood(uintptr_t ch, uintptr_t unused) {
  (void)unused;
  for (uint32_t i = 0; i < 3502; i++) {
    g_last_write = zx_channel_write((zx_handle_t)ch, 0, &i, sizeof(i), NULL, 0);
    g_written = i + 1;
  }
  zx_thread_exit();
}

TEST(Channel, FullChannelRaisesAPolicyException) {
  zx_handle_t a, b, t, exc_ch;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_thread_create(zx_process_self(), "flood", 5, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &exc_ch));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)flood, stack_top(), a, 0));
  ASSERT_OK(zx_object_wait_one(exc_ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(exc_ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_EQ(info.type, ZX_EXCP_POLICY_ERROR);
  zx_exception_report_t report;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL,
                               NULL));
  ASSERT_EQ(report.context.synth_code, ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE);
  // The 3,501st message was queued, then the exception came.
  ASSERT_EQ(g_written, 3500u);
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  // The next write raises again.
  ASSERT_OK(zx_object_wait_one(exc_ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_channel_read(exc_ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(g_written, 3502u);
  ASSERT_EQ(g_last_write, ZX_OK);
  uint32_t first;
  ASSERT_OK(zx_channel_read(b, 0, &first, NULL, sizeof(first), 0, &nb, &nh));
  ASSERT_EQ(first, 0u);
  zx_handle_close(exc_ch);
  zx_handle_close(t);
  zx_handle_close(a);
  zx_handle_close(b);
}
