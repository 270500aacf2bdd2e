// Timers, kernel clock objects, counters and the system-information calls,
// end to end through the vDSO.
#include <stdint.h>
#include <string.h>
#include <zircon/features.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/clock.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zxtest/zxtest.h>

static zx_signals_t pending(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, 0, &s);
  return s;
}

static zx_handle_t reduced(zx_handle_t h, zx_rights_t drop) {
  zx_info_handle_basic_t info;
  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  zx_handle_t out = ZX_HANDLE_INVALID;
  zx_handle_duplicate(h, info.rights & ~drop, &out);
  return out;
}

// --- Timelines -----------------------------------------------------------

TEST(Timelines, BootAndTicksMoveWithMonotonic) {
  zx_time_t m0 = zx_clock_get_monotonic();
  zx_time_t b0 = zx_clock_get_boot();
  zx_ticks_t t0 = zx_ticks_get_boot();
  ASSERT_GT(m0, 0);
  ASSERT_GE(b0, m0);
  ASSERT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(2))));
  ASSERT_GE(zx_clock_get_boot() - b0, ZX_MSEC(2));
  ASSERT_GE(zx_ticks_get_boot() - t0, zx_ticks_per_second() / 500);
  ASSERT_GE(zx_ticks_get(), t0);
}

// --- Timers --------------------------------------------------------------

TEST(Timer, CreateRejectsBadClockAndOptions) {
  zx_handle_t t;
  ASSERT_STATUS(zx_timer_create(0, 7, &t), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_timer_create(ZX_TIMER_SLACK_LATE + 1, ZX_CLOCK_MONOTONIC, &t),
                ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_timer_create(ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, &t));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_TIMER);
  ASSERT_EQ(info.rights, ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_WRITE |
                             ZX_RIGHT_SIGNAL | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
  zx_handle_close(t);
}

TEST(Timer, FiresAtTheDeadlineNotBefore) {
  zx_handle_t t;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_EQ(pending(t) & ZX_TIMER_SIGNALED, 0u);
  zx_time_t deadline = zx_deadline_after(ZX_MSEC(20));
  ASSERT_OK(zx_timer_set(t, deadline, 0));
  zx_signals_t seen;
  ASSERT_OK(zx_object_wait_one(t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, &seen));
  ASSERT_GE(zx_clock_get_monotonic(), deadline);
  ASSERT_TRUE(seen & ZX_TIMER_SIGNALED);
  // Stays signalled until set again or cancelled.
  ASSERT_TRUE(pending(t) & ZX_TIMER_SIGNALED);
  ASSERT_OK(zx_timer_set(t, ZX_TIME_INFINITE, 0));
  ASSERT_EQ(pending(t) & ZX_TIMER_SIGNALED, 0u);
  ASSERT_OK(zx_timer_cancel(t));
  zx_handle_close(t);
}

TEST(Timer, PastDeadlineFiresAtOnce) {
  zx_handle_t t;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_OK(zx_timer_set(t, 0, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_TIMER_SIGNALED, zx_deadline_after(ZX_SEC(10)), NULL));
  ASSERT_OK(zx_timer_cancel(t));
  ASSERT_EQ(pending(t) & ZX_TIMER_SIGNALED, 0u);
  zx_handle_close(t);
}

TEST(Timer, CancelledTimerNeverFires) {
  zx_handle_t t;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_OK(zx_timer_set(t, zx_deadline_after(ZX_MSEC(10)), 0));
  ASSERT_OK(zx_timer_cancel(t));
  ASSERT_STATUS(zx_object_wait_one(t, ZX_TIMER_SIGNALED, zx_deadline_after(ZX_MSEC(40)), NULL),
                ZX_ERR_TIMED_OUT);
  // Cancelling an idle timer is fine.
  ASSERT_OK(zx_timer_cancel(t));
  zx_handle_close(t);
}

TEST(Timer, ResetMovesTheDeadline) {
  zx_handle_t t;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_OK(zx_timer_set(t, zx_deadline_after(ZX_MSEC(5)), 0));
  zx_time_t later = zx_deadline_after(ZX_MSEC(60));
  ASSERT_OK(zx_timer_set(t, later, 0));
  ASSERT_OK(zx_object_wait_one(t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, NULL));
  ASSERT_GE(zx_clock_get_monotonic(), later);
  zx_handle_close(t);
}

TEST(Timer, BadSlackHandleAndRights) {
  zx_handle_t t, ev;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_STATUS(zx_timer_set(t, 0, -1), ZX_ERR_OUT_OF_RANGE);
  ASSERT_STATUS(zx_timer_set(ZX_HANDLE_INVALID, 0, -1), ZX_ERR_OUT_OF_RANGE);
  ASSERT_STATUS(zx_timer_set(ZX_HANDLE_INVALID, 0, 0), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_STATUS(zx_timer_set(ev, 0, 0), ZX_ERR_WRONG_TYPE);
  ASSERT_STATUS(zx_timer_cancel(ev), ZX_ERR_WRONG_TYPE);
  zx_handle_t ro = reduced(t, ZX_RIGHT_WRITE);
  ASSERT_STATUS(zx_timer_set(ro, 0, 0), ZX_ERR_ACCESS_DENIED);
  ASSERT_STATUS(zx_timer_cancel(ro), ZX_ERR_ACCESS_DENIED);
  // A failed set armed nothing.
  ASSERT_STATUS(zx_object_wait_one(t, ZX_TIMER_SIGNALED, zx_deadline_after(ZX_MSEC(5)), NULL),
                ZX_ERR_TIMED_OUT);
  zx_handle_close(ro);
  zx_handle_close(ev);
  zx_handle_close(t);
}

TEST(Timer, DeliversAPortPacket) {
  zx_handle_t t, port;
  ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
  ASSERT_OK(zx_port_create(0, &port));
  ASSERT_OK(zx_object_wait_async(t, port, 77, ZX_TIMER_SIGNALED, 0));
  ASSERT_OK(zx_timer_set(t, zx_deadline_after(ZX_MSEC(5)), ZX_USEC(10)));
  zx_port_packet_t p;
  ASSERT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &p));
  ASSERT_EQ(p.key, 77u);
  ASSERT_EQ(p.type, ZX_PKT_TYPE_SIGNAL_ONE);
  ASSERT_TRUE(p.signal.observed & ZX_TIMER_SIGNALED);
  zx_handle_close(port);
  zx_handle_close(t);
}

TEST(Timer, InfoShowsTheArmedDeadline) {
  zx_handle_t t;
  ASSERT_OK(zx_timer_create(ZX_TIMER_SLACK_EARLY, ZX_CLOCK_MONOTONIC, &t));
  zx_info_timer_t info;
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TIMER, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.options, ZX_TIMER_SLACK_EARLY);
  ASSERT_EQ(info.clock_id, ZX_CLOCK_MONOTONIC);
  ASSERT_EQ(info.deadline, 0);
  zx_time_t d = zx_deadline_after(ZX_SEC(100));
  ASSERT_OK(zx_timer_set(t, d, ZX_MSEC(1)));
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TIMER, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.deadline, d);
  ASSERT_EQ(info.slack, ZX_MSEC(1));
  ASSERT_OK(zx_timer_cancel(t));
  ASSERT_OK(zx_object_get_info(t, ZX_INFO_TIMER, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.deadline, 0);
  zx_handle_close(t);
}

TEST(Timer, ClosingAnArmedTimerIsClean) {
  for (int i = 0; i < 100; i++) {
    zx_handle_t t;
    ASSERT_OK(zx_timer_create(0, ZX_CLOCK_MONOTONIC, &t));
    ASSERT_OK(zx_timer_set(t, zx_deadline_after(i % 2 ? 0 : ZX_SEC(1000)), 0));
    ASSERT_OK(zx_handle_close(t));
  }
}

// --- Clock objects -------------------------------------------------------

static zx_status_t make_clock(uint64_t options, zx_time_t backstop, zx_handle_t* out) {
  zx_clock_create_args_v1_t args = {.backstop_time = backstop};
  return zx_clock_create(options | ZX_CLOCK_ARGS_VERSION(1), &args, out);
}

static zx_status_t set_value(zx_handle_t c, int64_t value) {
  zx_clock_update_args_v2_t a;
  memset(&a, 0, sizeof(a));
  a.synthetic_value = value;
  return zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID,
                         &a);
}

TEST(Clock, CreateChecksOptionsAndBackstop) {
  zx_handle_t c;
  ASSERT_STATUS(make_clock(1u << 20, 0, &c), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(make_clock(ZX_CLOCK_OPT_CONTINUOUS, 0, &c), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(make_clock(0, -1, &c), ZX_ERR_INVALID_ARGS);
  // An auto-started clock cannot start before its backstop.
  ASSERT_STATUS(make_clock(ZX_CLOCK_OPT_AUTO_START, zx_clock_get_monotonic() + ZX_SEC(3600), &c),
                ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_clock_create(ZX_CLOCK_ARGS_VERSION(5), NULL, &c), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_clock_create(0, NULL, &c));
  zx_info_handle_basic_t info;
  ASSERT_OK(zx_object_get_info(c, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.type, ZX_OBJ_TYPE_CLOCK);
  ASSERT_EQ(info.rights, ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_READ | ZX_RIGHT_WRITE |
                             ZX_RIGHT_SIGNAL | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
  zx_handle_close(c);
}

TEST(Clock, UnstartedReadsItsBackstopUntilSet) {
  zx_handle_t c;
  ASSERT_OK(make_clock(ZX_CLOCK_OPT_MONOTONIC, 12345, &c));
  zx_time_t now;
  ASSERT_OK(zx_clock_read(c, &now));
  ASSERT_EQ(now, 12345);
  ASSERT_EQ(pending(c) & ZX_CLOCK_STARTED, 0u);
  // The first update must set the value.
  zx_clock_update_args_v2_t a;
  memset(&a, 0, sizeof(a));
  a.rate_adjust = 10;
  ASSERT_STATUS(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID,
                                &a),
                ZX_ERR_BAD_STATE);
  // Not before the backstop.
  ASSERT_STATUS(set_value(c, 100), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(set_value(c, ZX_SEC(1000)));
  ASSERT_TRUE(pending(c) & ZX_CLOCK_STARTED);
  zx_time_t a1, a2;
  ASSERT_OK(zx_clock_read(c, &a1));
  ASSERT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(2))));
  ASSERT_OK(zx_clock_read(c, &a2));
  ASSERT_GE(a1, ZX_SEC(1000));
  ASSERT_GE(a2 - a1, ZX_MSEC(2));
  zx_handle_close(c);
}

TEST(Clock, AutoStartFollowsMonotonic) {
  zx_handle_t c;
  ASSERT_OK(make_clock(ZX_CLOCK_OPT_AUTO_START | ZX_CLOCK_OPT_MONOTONIC, 0, &c));
  ASSERT_TRUE(pending(c) & ZX_CLOCK_STARTED);
  zx_time_t before = zx_clock_get_monotonic(), v;
  ASSERT_OK(zx_clock_read(c, &v));
  zx_time_t after = zx_clock_get_monotonic();
  ASSERT_GE(v, before);
  ASSERT_LE(v, after);
  zx_clock_details_v1_t d;
  ASSERT_OK(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(1), &d));
  ASSERT_EQ(d.reference_to_synthetic.rate.synthetic_ticks, d.reference_to_synthetic.rate.reference_ticks);
  ASSERT_EQ(d.error_bound, ZX_CLOCK_UNKNOWN_ERROR);
  ASSERT_EQ(d.options, ZX_CLOCK_OPT_AUTO_START | ZX_CLOCK_OPT_MONOTONIC);
  zx_handle_close(c);
}

TEST(Clock, MonotonicNeverGoesBackContinuousNeverJumps) {
  zx_handle_t mono, cont;
  ASSERT_OK(make_clock(ZX_CLOCK_OPT_MONOTONIC, 0, &mono));
  ASSERT_OK(set_value(mono, ZX_SEC(500)));
  // Once started, a v2 value update of a monotonic clock names its
  // reference time; a v1 one jumps at "now". Either way, only forwards.
  ASSERT_STATUS(set_value(mono, ZX_SEC(900)), ZX_ERR_INVALID_ARGS);
  zx_clock_update_args_v1_t v1;
  memset(&v1, 0, sizeof(v1));
  v1.value = ZX_SEC(10);
  const uint64_t v1_set = ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID;
  ASSERT_STATUS(zx_clock_update(mono, v1_set, &v1), ZX_ERR_INVALID_ARGS);
  v1.value = ZX_SEC(900);
  ASSERT_OK(zx_clock_update(mono, v1_set, &v1));
  zx_time_t now;
  ASSERT_OK(zx_clock_read(mono, &now));
  ASSERT_GE(now, ZX_SEC(900));
  zx_clock_update_args_v2_t both;
  memset(&both, 0, sizeof(both));
  both.reference_value = zx_clock_get_monotonic();
  both.synthetic_value = ZX_SEC(2000);
  ASSERT_OK(zx_clock_update(mono,
                            ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_BOTH_VALUES_VALID,
                            &both));
  ASSERT_OK(zx_clock_read(mono, &now));
  ASSERT_GE(now, ZX_SEC(2000));
  ASSERT_OK(make_clock(ZX_CLOCK_OPT_MONOTONIC | ZX_CLOCK_OPT_CONTINUOUS, 0, &cont));
  ASSERT_OK(set_value(cont, ZX_SEC(500)));
  ASSERT_STATUS(set_value(cont, ZX_SEC(900)), ZX_ERR_INVALID_ARGS);
  // Rate changes stay allowed, within the range.
  zx_clock_update_args_v2_t a;
  memset(&a, 0, sizeof(a));
  a.rate_adjust = ZX_CLOCK_UPDATE_MAX_RATE_ADJUST;
  ASSERT_OK(zx_clock_update(cont, ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID,
                            &a));
  a.rate_adjust = ZX_CLOCK_UPDATE_MAX_RATE_ADJUST + 1;
  ASSERT_STATUS(zx_clock_update(cont,
                                ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID,
                                &a),
                ZX_ERR_INVALID_ARGS);
  zx_clock_details_v1_t d;
  ASSERT_OK(zx_clock_get_details(cont, ZX_CLOCK_ARGS_VERSION(1), &d));
  // 1000 ppm faster: 1001 synthetic for every 1000 reference, reduced.
  ASSERT_EQ((uint64_t)d.reference_to_synthetic.rate.synthetic_ticks * 1000,
            (uint64_t)d.reference_to_synthetic.rate.reference_ticks * 1001);
  zx_handle_close(mono);
  zx_handle_close(cont);
}

TEST(Clock, UpdateChecksArgumentsThenRights) {
  zx_handle_t c;
  ASSERT_OK(make_clock(0, 0, &c));
  zx_clock_update_args_v1_t v1;
  memset(&v1, 0, sizeof(v1));
  v1.value = ZX_SEC(5);
  ASSERT_STATUS(zx_clock_update(c, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, &v1), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(1), &v1), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID,
                                NULL),
                ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, &v1));
  zx_handle_t ro = reduced(c, ZX_RIGHT_WRITE);
  ASSERT_STATUS(zx_clock_update(ro, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID,
                                &v1),
                ZX_ERR_ACCESS_DENIED);
  zx_handle_t wo = reduced(c, ZX_RIGHT_READ);
  zx_time_t now;
  ASSERT_STATUS(zx_clock_read(wo, &now), ZX_ERR_ACCESS_DENIED);
  zx_clock_details_v1_t d;
  ASSERT_STATUS(zx_clock_get_details(wo, ZX_CLOCK_ARGS_VERSION(1), &d), ZX_ERR_ACCESS_DENIED);
  ASSERT_STATUS(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(2), &d), ZX_ERR_INVALID_ARGS);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_STATUS(zx_clock_read(ev, &now), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_close(ro);
  zx_handle_close(wo);
  zx_handle_close(c);
}

TEST(Clock, DetailsCountGenerationsAndRecordErrorBound) {
  zx_handle_t c;
  ASSERT_OK(make_clock(0, 0, &c));
  zx_clock_details_v1_t d0, d1;
  ASSERT_OK(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(1), &d0));
  ASSERT_EQ(d0.reference_to_synthetic.rate.synthetic_ticks, 0u);
  zx_clock_update_args_v2_t a;
  memset(&a, 0, sizeof(a));
  a.synthetic_value = ZX_SEC(7);
  a.error_bound = 4242;
  ASSERT_OK(zx_clock_update(c,
                            ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID |
                                ZX_CLOCK_UPDATE_OPTION_ERROR_BOUND_VALID,
                            &a));
  ASSERT_OK(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(1), &d1));
  ASSERT_GT(d1.generation_counter, d0.generation_counter);
  ASSERT_EQ(d1.error_bound, 4242u);
  ASSERT_GT(d1.last_value_update_ticks, 0);
  ASSERT_GE(d1.query_ticks, d1.last_value_update_ticks);
  ASSERT_EQ(d1.reference_to_synthetic.rate.synthetic_ticks, 1u);
  ASSERT_EQ(d1.reference_to_synthetic.rate.reference_ticks, 1u);
  zx_handle_close(c);
}

// --- Counters ------------------------------------------------------------

TEST(Counter, StartsAtZeroAndSignalsItsSign) {
  zx_handle_t c;
  ASSERT_STATUS(zx_counter_create(1, &c), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_counter_create(0, &c));
  int64_t v = -1;
  ASSERT_OK(zx_counter_read(c, &v));
  ASSERT_EQ(v, 0);
  ASSERT_EQ(pending(c) & (ZX_COUNTER_POSITIVE | ZX_COUNTER_NON_POSITIVE), ZX_COUNTER_NON_POSITIVE);
  ASSERT_OK(zx_counter_add(c, 3));
  ASSERT_EQ(pending(c) & (ZX_COUNTER_POSITIVE | ZX_COUNTER_NON_POSITIVE), ZX_COUNTER_POSITIVE);
  ASSERT_OK(zx_counter_add(c, -3));
  ASSERT_EQ(pending(c) & (ZX_COUNTER_POSITIVE | ZX_COUNTER_NON_POSITIVE), ZX_COUNTER_NON_POSITIVE);
  ASSERT_OK(zx_counter_write(c, INT64_MAX));
  ASSERT_STATUS(zx_counter_add(c, 1), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_counter_read(c, &v));
  ASSERT_EQ(v, INT64_MAX);
  ASSERT_OK(zx_counter_write(c, INT64_MIN));
  ASSERT_STATUS(zx_counter_add(c, -1), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_counter_read(c, &v));
  ASSERT_EQ(v, INT64_MIN);
  zx_handle_close(c);
}

TEST(Counter, RightsAndSignalMask) {
  zx_handle_t c;
  ASSERT_OK(zx_counter_create(0, &c));
  zx_handle_t no_read = reduced(c, ZX_RIGHT_READ);
  zx_handle_t no_write = reduced(c, ZX_RIGHT_WRITE);
  int64_t v;
  ASSERT_STATUS(zx_counter_read(no_read, &v), ZX_ERR_ACCESS_DENIED);
  ASSERT_STATUS(zx_counter_add(no_read, 1), ZX_ERR_ACCESS_DENIED);
  ASSERT_STATUS(zx_counter_add(no_write, 1), ZX_ERR_ACCESS_DENIED);
  ASSERT_STATUS(zx_counter_write(no_write, 1), ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_counter_write(no_read, 9));
  ASSERT_OK(zx_counter_read(no_write, &v));
  ASSERT_EQ(v, 9);
  // COUNTER_SIGNALED and the user signals are the caller's; the sign bits
  // are the kernel's.
  ASSERT_OK(zx_object_signal(c, 0, ZX_COUNTER_SIGNALED | ZX_USER_SIGNAL_3));
  ASSERT_TRUE(pending(c) & ZX_COUNTER_SIGNALED);
  ASSERT_STATUS(zx_object_signal(c, 0, ZX_COUNTER_POSITIVE), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_object_signal(c, ZX_COUNTER_NON_POSITIVE, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_close(no_read);
  zx_handle_close(no_write);
  zx_handle_close(c);
}

// --- System --------------------------------------------------------------

TEST(System, VersionPhysmemCacheLine) {
  zx_string_view_t v = zx_system_get_version_string();
  ASSERT_GT(v.length, 4u);
  ASSERT_EQ(strlen(v.c_str), v.length);
  ASSERT_EQ(zx_system_get_version_string().c_str, v.c_str);
  ASSERT_GT(zx_system_get_physmem(), (uint64_t)ZX_PAGE_SIZE);
  uint32_t line = zx_system_get_dcache_line_size();
  ASSERT_GE(line, 16u);
  ASSERT_EQ(line & (line - 1), 0u);
}

TEST(System, Features) {
  uint32_t f = 0xdead;
  ASSERT_OK(zx_system_get_features(ZX_FEATURE_KIND_VM, &f));
  ASSERT_EQ(f & ZX_VM_FEATURE_CAN_MAP_XOM, 0u);
  ASSERT_OK(zx_system_get_features(ZX_FEATURE_KIND_ADDRESS_TAGGING, &f));
  ASSERT_EQ(f, 0u);
  ASSERT_STATUS(zx_system_get_features(1000, &f), ZX_ERR_NOT_SUPPORTED);
  ASSERT_STATUS(zx_system_get_features(ZX_FEATURE_KIND_VM, (uint32_t*)8), ZX_ERR_INVALID_ARGS);
}

TEST(System, CprngAddEntropyAndYield) {
  uint8_t buf[ZX_CPRNG_ADD_ENTROPY_MAX_LEN + 1];
  memset(buf, 7, sizeof(buf));
  ASSERT_OK(zx_cprng_add_entropy(buf, ZX_CPRNG_ADD_ENTROPY_MAX_LEN));
  ASSERT_STATUS(zx_cprng_add_entropy(buf, sizeof(buf)), ZX_ERR_INVALID_ARGS);
  ASSERT_STATUS(zx_cprng_add_entropy((void*)8, 16), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_cprng_add_entropy(NULL, 0));
  ASSERT_OK(zx_thread_legacy_yield(0));
  ASSERT_STATUS(zx_thread_legacy_yield(1), ZX_ERR_INVALID_ARGS);
}
