// Ports: zx_port_create/queue/wait and zx_object_wait_async, including a
// wait that another thread's signal completes.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#include <zxtest/zxtest.h>

TEST(Port, QueueAndWait) {
  zx_handle_t port;
  ASSERT_EQ(zx_port_create(2, &port), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_port_create(0, &port));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(port, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_PORT);
  ASSERT_EQ(info.rights, ZX_DEFAULT_PORT_RIGHTS);
  zx_port_packet_t out, in = {.key = 42, .type = 77, .status = -5};
  in.user.u64[0] = 0x1122334455667788ull;
  ASSERT_EQ(zx_port_wait(port, zx_deadline_after(ZX_MSEC(1)), &out), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_port_queue(port, &in));
  ASSERT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &out));
  ASSERT_EQ(out.key, 42u);
  ASSERT_EQ(out.type, (uint32_t)ZX_PKT_TYPE_USER);
  ASSERT_EQ(out.status, -5);
  ASSERT_EQ(out.user.u64[0], 0x1122334455667788ull);
  ASSERT_EQ(zx_port_queue(port, (zx_port_packet_t*)0x7fffffffe000ul), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_port_queue(port, &in));
  ASSERT_EQ(zx_port_wait(port, 0, (zx_port_packet_t*)0x7fffffffe000ul), ZX_ERR_INVALID_ARGS);
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(port, ZX_RIGHT_READ, &ro));
  ASSERT_EQ(zx_port_queue(ro, &in), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  zx_handle_close(port);
}

TEST(Port, WaitAsyncOnceAndEdge) {
  zx_handle_t port, ev;
  zx_port_packet_t p;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_object_wait_async(ev, port, 1, ZX_EVENT_SIGNALED, 8), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_object_wait_async(ev, port, 1, ZX_EVENT_SIGNALED, 0));
  ASSERT_EQ(zx_port_wait(port, 0, &p), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1));
  ASSERT_OK(zx_port_wait(port, 0, &p));
  ASSERT_EQ(p.key, 1u);
  ASSERT_EQ(p.type, (uint32_t)ZX_PKT_TYPE_SIGNAL_ONE);
  ASSERT_EQ(p.signal.trigger, ZX_EVENT_SIGNALED);
  ASSERT_EQ(p.signal.observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1);
  ASSERT_EQ(p.signal.count, 1u);
  // One shot: no second packet.
  ASSERT_OK(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_EQ(zx_port_wait(port, 0, &p), ZX_ERR_TIMED_OUT);
  // Level-triggered: already asserted signals fire at once.
  ASSERT_OK(zx_object_wait_async(ev, port, 2, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP));
  ASSERT_OK(zx_port_wait(port, 0, &p));
  ASSERT_EQ(p.key, 2u);
  ASSERT_GT(p.signal.timestamp, 0);
  // Edge-triggered: only a new assertion fires.
  ASSERT_OK(zx_object_wait_async(ev, port, 3, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE));
  ASSERT_EQ(zx_port_wait(port, 0, &p), ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0));
  ASSERT_OK(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED));
  ASSERT_OK(zx_port_wait(port, 0, &p));
  ASSERT_EQ(p.key, 3u);
  // Rights and types.
  zx_handle_t nowait;
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SIGNAL, &nowait));
  ASSERT_EQ(zx_object_wait_async(nowait, port, 4, ZX_EVENT_SIGNALED, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_EQ(zx_object_wait_async(ev, ev, 4, ZX_EVENT_SIGNALED, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_close(nowait);
  zx_handle_close(ev);
  zx_handle_close(port);
}

#define STACK 65536u

static void signal_later(uintptr_t event, uintptr_t unused) {
  (void)unused;
  zx_nanosleep(zx_deadline_after(ZX_MSEC(2)));
  zx_object_signal((zx_handle_t)event, 0, ZX_USER_SIGNAL_5);
  zx_thread_exit();
}

TEST(Port, BlockingWaitWokenByAnotherThread) {
  zx_handle_t port, ev, t, stack_vmo;
  uintptr_t stack;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_object_wait_async(ev, port, 9, ZX_USER_SIGNAL_5, 0));
  ASSERT_OK(zx_vmo_create(STACK, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, STACK, &stack));
  ASSERT_OK(zx_thread_create(zx_process_self(), "signaller", 9, 0, &t));
  ASSERT_OK(zx_thread_start(t, (uintptr_t)signal_later, stack + STACK - 8, ev, 0));
  zx_port_packet_t p;
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  ASSERT_EQ(p.key, 9u);
  ASSERT_EQ(p.signal.observed & ZX_USER_SIGNAL_5, ZX_USER_SIGNAL_5);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL));
  zx_handle_close(t);
  zx_handle_close(ev);
  zx_handle_close(port);
  zx_handle_close(stack_vmo);
}

// A port holds at most 50,000 pending async waits: the next registration
// still succeeds but raises ZX_EXCP_POLICY_ERROR
// (ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS) on the calling thread as
// the call returns; a handler that resumes it sees the call return ZX_OK.
#include <zircon/syscalls/exception.h>

static volatile zx_status_t g_last_wait_async = 1;
static volatile uint32_t g_registered;

static void register_until_exception(uintptr_t port, uintptr_t ev) {
  for (uint32_t i = 0; i < 50001; i++) {
    g_last_wait_async = zx_object_wait_async((zx_handle_t)ev, (zx_handle_t)port, i,
                                             ZX_USER_SIGNAL_0, 0);
    g_registered = i + 1;
  }
  zx_thread_exit();
}

TEST(Port, TooManyObserversRaisesAPolicyException) {
  zx_handle_t port, ev, t, ch;
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_OK(zx_thread_create(zx_process_self(), "observer", 8, 0, &t));
  ASSERT_OK(zx_task_create_exception_channel(t, 0, &ch));
  zx_handle_t stack_vmo;
  uintptr_t stack;
  ASSERT_OK(zx_vmo_create(STACK, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0,
                        STACK, &stack));
  zx_handle_close(stack_vmo);
  ASSERT_OK(zx_thread_start(t, (uintptr_t)register_until_exception, stack + STACK - 8, port, ev));
  ASSERT_OK(zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  zx_exception_info_t info;
  zx_handle_t exc;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(ch, 0, &info, &exc, sizeof(info), 1, &nb, &nh));
  ASSERT_EQ(info.type, ZX_EXCP_POLICY_ERROR);
  zx_exception_report_t report;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), NULL,
                               NULL));
  ASSERT_EQ(report.context.synth_code, ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS);
  // The 50,001st registration is the one that raised it.
  ASSERT_EQ(g_registered, 50000u);
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  ASSERT_OK(zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state)));
  zx_handle_close(exc);
  ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_EQ(g_registered, 50001u);
  ASSERT_EQ(g_last_wait_async, ZX_OK);
  zx_handle_close(ch);
  zx_handle_close(t);
  zx_handle_close(ev);
  zx_handle_close(port);
}
