// Guest SDK: zxtest's death checks, ASSERT_DEATH(fn, ...) and
// ASSERT_NO_DEATH(fn, ...) (and EXPECT_ forms, an addition), with Fuchsia's
// zxtest's meaning: |fn| is a callable taking no arguments (typically a
// lambda), run on a thread of its own; it "dies" if that thread takes an
// exception (a trap, a bad access, __builtin_trap()) before |fn| returns.
// Included by <zxtest/zxtest.h> in C++.
//
// The thread is a C11 thread with an exception channel on itself; when the
// exception comes, the thread is resumed in thrd_exit (so the C library
// frees it) and joined.  A failed ZX_ASSERT, ZX_PANIC or
// sync_mutex_assert_held traps, as on Fuchsia, so it is a death; exit() and
// abort() end the whole program here (abort is a signal's exit, status 134)
// and so end the test program as they would anywhere else.
#ifndef ZXTEST_CPP_DEATH_H_
#define ZXTEST_CPP_DEATH_H_

#include <lib/sync/completion.h>
#include <lib/test-exceptions/exception-handling.h>
#include <lib/zx/exception.h>
#include <threads.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>

#include <atomic>
#include <functional>
#include <utility>

namespace zxtest::internal {

enum class DeathResult {
  kReturned,  // |fn| returned normally
  kDied,      // its thread took an exception
  kError,     // the check itself could not be set up
};

struct DeathRun {
  std::function<void()> fn;
  zx_handle_t exception_channel = ZX_HANDLE_INVALID;
  zx_status_t setup = ZX_OK;
  sync_completion_t ready;
  std::atomic<bool> returned{false};
};

inline int DeathThreadMain(void* arg) {
  auto* run = static_cast<DeathRun*>(arg);
  run->setup = zx_task_create_exception_channel(zx_thread_self(), 0, &run->exception_channel);
  sync_completion_signal(&run->ready);
  if (run->setup == ZX_OK) {
    run->fn();
    run->returned.store(true, std::memory_order_release);
  }
  return 0;
}

// Runs |fn| on a new thread and reports how it ended.
inline DeathResult RunWatchingForDeath(std::function<void()> fn) {
  DeathRun run;
  run.fn = std::move(fn);
  thrd_t thread;
  if (thrd_create(&thread, DeathThreadMain, &run) != thrd_success) {
    return DeathResult::kError;
  }
  sync_completion_wait(&run.ready, ZX_TIME_INFINITE);
  DeathResult result = DeathResult::kError;
  if (run.setup == ZX_OK) {
    for (;;) {
      zx_signals_t seen = 0;
      zx_status_t status =
          zx_object_wait_one(run.exception_channel, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                             zx_deadline_after(ZX_MSEC(1)), &seen);
      if (seen & ZX_CHANNEL_READABLE) {
        zx_exception_info_t info;
        zx_handle_t exception = ZX_HANDLE_INVALID;
        uint32_t bytes = 0, handles = 0;
        if (zx_channel_read(run.exception_channel, 0, &info, &exception, sizeof(info), 1, &bytes,
                            &handles) == ZX_OK &&
            handles == 1 &&
            test_exceptions::ExitExceptionCThread(zx::exception(exception)) == ZX_OK) {
          result = DeathResult::kDied;
        }
        break;
      }
      if (run.returned.load(std::memory_order_acquire)) {
        result = DeathResult::kReturned;
        break;
      }
      if ((seen & ZX_CHANNEL_PEER_CLOSED) || (status != ZX_OK && status != ZX_ERR_TIMED_OUT)) {
        break;  // the thread is gone without returning or trapping
      }
    }
    zx_handle_close(run.exception_channel);
  }
  thrd_join(thread, nullptr);
  return result;
}

}  // namespace zxtest::internal

#define _ZXTEST_DEATH(fatal, macro, fn, want, text, ...)                                   \
  _ZXTEST_COND(fatal, macro "(" #fn ")",                                                   \
               ::zxtest::internal::RunWatchingForDeath(fn) == ::zxtest::internal::want, \
               text, ##__VA_ARGS__)

#define ASSERT_DEATH(fn, ...) \
  _ZXTEST_DEATH(1, "ASSERT_DEATH", fn, DeathResult::kDied, "it did not die", ##__VA_ARGS__)
#define EXPECT_DEATH(fn, ...) \
  _ZXTEST_DEATH(0, "EXPECT_DEATH", fn, DeathResult::kDied, "it did not die", ##__VA_ARGS__)
#define ASSERT_NO_DEATH(fn, ...)                                                           \
  _ZXTEST_DEATH(1, "ASSERT_NO_DEATH", fn, DeathResult::kReturned, "it did not return", \
                ##__VA_ARGS__)
#define EXPECT_NO_DEATH(fn, ...)                                                           \
  _ZXTEST_DEATH(0, "EXPECT_NO_DEATH", fn, DeathResult::kReturned, "it did not return", \
                ##__VA_ARGS__)

#endif  // ZXTEST_CPP_DEATH_H_
