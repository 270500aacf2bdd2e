// lib/zx's newer wrappers, fit::result / zx::result and <zircon/threads.h>.
#include <lib/fit/result.h>
#include <lib/zx/counter.h>
#include <lib/zx/job.h>
#include <lib/zx/process.h>
#include <lib/zx/result.h>
#include <lib/zx/thread.h>
#include <lib/zx/timer.h>
#include <threads.h>
#include <zircon/syscalls/object.h>
#include <zircon/threads.h>

#include <string>
#include <thread>

#include <zxtest/zxtest.h>

namespace {

zx_koid_t KoidOf(zx_handle_t h) {
  zx_info_handle_basic_t info{};
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr, nullptr) != ZX_OK)
    return ZX_KOID_INVALID;
  return info.koid;
}

zx::result<int> Half(int x) {
  if (x % 2 != 0) return zx::error(ZX_ERR_INVALID_ARGS);
  return zx::ok(x / 2);
}

zx::result<> Check(bool ok) {
  if (!ok) return zx::error(ZX_ERR_BAD_STATE);
  return zx::ok();
}

TEST(Result, ValueAndErrorSides) {
  auto even = Half(8);
  ASSERT_TRUE(even.is_ok());
  EXPECT_FALSE(even.is_error());
  EXPECT_EQ(even.value(), 4);
  EXPECT_EQ(*even, 4);
  EXPECT_OK(even.status_value());
  auto odd = Half(7);
  ASSERT_TRUE(odd.is_error());
  EXPECT_STATUS(odd.status_value(), ZX_ERR_INVALID_ARGS);
  EXPECT_STATUS(odd.error_value(), ZX_ERR_INVALID_ARGS);
  EXPECT_STREQ(odd.status_string(), "ZX_ERR_INVALID_ARGS");
  EXPECT_EQ(odd.value_or(-1), -1);
  EXPECT_EQ(even.value_or(-1), 4);
}

TEST(Result, ValuelessAndMakeResult) {
  EXPECT_OK(Check(true).status_value());
  EXPECT_STATUS(Check(false).status_value(), ZX_ERR_BAD_STATE);
  EXPECT_TRUE(zx::make_result(ZX_OK).is_ok());
  EXPECT_STATUS(zx::make_result(ZX_ERR_TIMED_OUT).status_value(), ZX_ERR_TIMED_OUT);
  auto with = zx::make_result(ZX_OK, std::string("kept"));
  ASSERT_TRUE(with.is_ok());
  EXPECT_STREQ(with->c_str(), "kept");
  EXPECT_TRUE(zx::make_result(ZX_ERR_NO_MEMORY, 5).is_error());
  auto taken = zx::make_result(ZX_OK, std::string("moved")).take_value();
  EXPECT_STREQ(taken.c_str(), "moved");
}

TEST(Result, FitResultWithOtherErrors) {
  fit::result<std::string, int> r = fit::error("no");
  ASSERT_TRUE(r.is_error());
  EXPECT_STREQ(r.error_value().c_str(), "no");
  fit::result<fit::failed> f = fit::failed();
  EXPECT_TRUE(fit::result<fit::failed>(fit::as_error(fit::failed())).is_error());
  EXPECT_TRUE(f.is_error());
  fit::result<fit::failed, int> a = fit::ok(3), b = fit::ok(3), c = fit::ok(4);
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a != c);
  fit::result<fit::failed> done = fit::ok();
  EXPECT_TRUE(done.is_ok());
}

TEST(LibZx, TimerFires) {
  zx::timer timer;
  ASSERT_OK(zx::timer::create(ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, &timer));
  ASSERT_OK(timer.set(zx::deadline_after(zx::msec(1)), zx::usec(0)));
  zx_signals_t seen = 0;
  ASSERT_OK(timer.wait_one(ZX_TIMER_SIGNALED, zx::time::infinite(), &seen));
  EXPECT_TRUE(seen & ZX_TIMER_SIGNALED);
  ASSERT_OK(timer.cancel());
}

TEST(LibZx, CounterCounts) {
  zx::counter counter;
  ASSERT_OK(zx::counter::create(0, &counter));
  ASSERT_OK(counter.add(40));
  ASSERT_OK(counter.add(2));
  int64_t v = 0;
  ASSERT_OK(counter.read(&v));
  EXPECT_EQ(v, 42);
  ASSERT_OK(counter.write(-1));
  ASSERT_OK(counter.read(&v));
  EXPECT_EQ(v, -1);
}

TEST(LibZx, GetChildOfProcessAndJob) {
  zx::thread me;
  ASSERT_OK(zx::process::self()->get_child(KoidOf(zx_thread_self()), ZX_RIGHT_SAME_RIGHTS, &me));
  EXPECT_EQ(KoidOf(me.get()), KoidOf(zx_thread_self()));
  zx::process self;
  ASSERT_OK(zx::job::default_job()->get_child(KoidOf(zx_process_self()), ZX_RIGHT_INSPECT, &self));
  EXPECT_EQ(KoidOf(self.get()), KoidOf(zx_process_self()));
  zx::thread none;
  EXPECT_STATUS(zx::process::self()->get_child(ZX_KOID_INVALID, ZX_RIGHT_SAME_RIGHTS, &none),
                ZX_ERR_NOT_FOUND);
  EXPECT_FALSE(none.is_valid());
}

zx_koid_t g_ran_as;

TEST(ZirconThreads, C11ThreadHandleIsKnownAtOnce) {
  thrd_t t;
  ASSERT_EQ(thrd_create(
                &t,
                [](void*) {
                  g_ran_as = KoidOf(zx_thread_self());
                  return 0;
                },
                nullptr),
            thrd_success);
  // Right after creation, whether or not the thread has run yet.
  zx_koid_t k = KoidOf(thrd_get_zx_handle(t));
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  EXPECT_NE(k, ZX_KOID_INVALID);
  EXPECT_EQ(k, g_ran_as);
  EXPECT_EQ(KoidOf(thrd_get_zx_handle(thrd_current())), KoidOf(zx_thread_self()));
}

TEST(ZirconThreads, StdThreadHandle) {
  zx_koid_t inside = ZX_KOID_INVALID;
  std::thread t([&inside] { inside = KoidOf(zx_thread_self()); });
  zx_koid_t outside = KoidOf(native_thread_get_zx_handle(t.native_handle()));
  t.join();
  EXPECT_EQ(outside, inside);
  EXPECT_NE(outside, KoidOf(zx_thread_self()));
}

char g_name_inside[ZX_MAX_NAME_LEN];

TEST(ZirconThreads, CreateWithName) {
  thrd_t t;
  ASSERT_EQ(thrd_create_with_name(
                &t,
                [](void*) {
                  // Named from its creation on: already so when it first runs.
                  zx_object_get_property(zx_thread_self(), ZX_PROP_NAME, g_name_inside,
                                         sizeof(g_name_inside));
                  return 0;
                },
                nullptr, "worker-7"),
            thrd_success);
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  EXPECT_STREQ(g_name_inside, "worker-7");
  // Longer names are cut to 31 bytes.
  ASSERT_EQ(thrd_create_with_name(
                &t,
                [](void*) {
                  zx_object_get_property(zx_thread_self(), ZX_PROP_NAME, g_name_inside,
                                         sizeof(g_name_inside));
                  return 0;
                },
                nullptr, "a-name-that-is-much-longer-than-thirty-one-bytes"),
            thrd_success);
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  EXPECT_STREQ(g_name_inside, "a-name-that-is-much-longer-than");
  // Threads made without a name keep the default.
  std::thread plain([] {
    zx_object_get_property(zx_thread_self(), ZX_PROP_NAME, g_name_inside, sizeof(g_name_inside));
  });
  plain.join();
  EXPECT_STREQ(g_name_inside, "pthread");
}

TEST(ZirconThreads, StatusMapping) {
  EXPECT_OK(thrd_status_to_zx_status(thrd_success));
  EXPECT_STATUS(thrd_status_to_zx_status(thrd_nomem), ZX_ERR_NO_MEMORY);
  EXPECT_STATUS(thrd_status_to_zx_status(thrd_timedout), ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(thrd_status_to_zx_status(thrd_busy), ZX_ERR_SHOULD_WAIT);
  EXPECT_STATUS(thrd_status_to_zx_status(thrd_error), ZX_ERR_INTERNAL);
}

}  // namespace
