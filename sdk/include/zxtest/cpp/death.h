// Guest SDK: zxtest's death checks, ASSERT_DEATH(fn, ...) and
// ASSERT_NO_DEATH(fn, ...) and their EXPECT_ forms, with Fuchsia's
// meaning: |fn| is a callable taking no arguments (typically a lambda), run
// on a thread of its own with an exception channel bound to it; it "dies"
// if that thread takes an exception (a trap, a bad access,
// __builtin_trap(), a failed ZX_ASSERT) before |fn| returns. C++ only, as on
// Fuchsia. Included by <zxtest/zxtest.h>.
//
// The thread waits for the channel before it runs |fn|. When an exception
// comes, the thread is resumed in thrd_exit (so the C library ends it as
// any other thread) and joined; exit() and abort() end the whole program
// here, as anywhere else.
#ifndef ZXTEST_CPP_DEATH_H_
#define ZXTEST_CPP_DEATH_H_

#include <lib/test-exceptions/exception-handling.h>
#include <lib/zx/exception.h>
#include <threads.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/port.h>
#include <zircon/threads.h>

#include <functional>
#include <utility>

namespace zxtest::internal {

// How a death statement ended.
enum class DeathResult {
  kSuccess,        // it returned
  kException,      // it raised an exception (the thread was ended)
  kInternalError,  // the thread or its exception channel could not be made
};

// Runs |statement| on a thread of its own with an exception channel bound
// to it and reports how it ended.
inline DeathResult RunDeathStatement(std::function<void()> statement) {
  struct Start {
    std::function<void()>* statement;
    zx_handle_t go;
  };
  // Port keys: the exception channel became readable, the thread ended.
  constexpr uint64_t kException = 1, kTerminated = 2;
  zx_handle_t go = ZX_HANDLE_INVALID, port = ZX_HANDLE_INVALID;
  if (zx_event_create(0, &go) != ZX_OK) return DeathResult::kInternalError;
  if (zx_port_create(0, &port) != ZX_OK) {
    zx_handle_close(go);
    return DeathResult::kInternalError;
  }
  Start start{&statement, go};
  thrd_t thread;
  auto body = [](void* arg) -> int {
    auto* s = static_cast<Start*>(arg);
    zx_object_wait_one(s->go, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, nullptr);
    (*s->statement)();
    return 0;
  };
  if (thrd_create(&thread, body, &start) != thrd_success) {
    zx_handle_close(go);
    zx_handle_close(port);
    return DeathResult::kInternalError;
  }
  // A handle of our own: the thread closes its own as it exits.
  zx_handle_t t = ZX_HANDLE_INVALID, channel = ZX_HANDLE_INVALID;
  DeathResult result = DeathResult::kInternalError;
  if (zx_handle_duplicate(thrd_get_zx_handle(thread), ZX_RIGHT_SAME_RIGHTS, &t) == ZX_OK &&
      zx_task_create_exception_channel(t, 0, &channel) == ZX_OK &&
      zx_object_wait_async(channel, port, kException, ZX_CHANNEL_READABLE, 0) == ZX_OK &&
      zx_object_wait_async(t, port, kTerminated, ZX_THREAD_TERMINATED, 0) == ZX_OK) {
    zx_object_signal(go, 0, ZX_USER_SIGNAL_0);
    zx_port_packet_t packet;
    if (zx_port_wait(port, ZX_TIME_INFINITE, &packet) == ZX_OK && packet.key == kException) {
      zx_exception_info_t info;
      zx_handle_t exception = ZX_HANDLE_INVALID;
      uint32_t bytes = 0, handles = 0;
      if (zx_channel_read(channel, 0, &info, &exception, sizeof(info), 1, &bytes, &handles) ==
              ZX_OK &&
          handles == 1 &&
          test_exceptions::ExitExceptionCThread(zx::exception(exception)) == ZX_OK) {
        result = DeathResult::kException;
      }
    } else {
      result = DeathResult::kSuccess;
    }
  } else {
    // Let it run to its end (it never saw an exception channel).
    zx_object_signal(go, 0, ZX_USER_SIGNAL_0);
  }
  thrd_join(thread, nullptr);
  zx_handle_close(channel);
  zx_handle_close(t);
  zx_handle_close(port);
  zx_handle_close(go);
  return result;
}

}  // namespace zxtest::internal

// ASSERT_DEATH(statement[, message...]): |statement| (a callable, usually
// a lambda) must raise an exception; ASSERT_NO_DEATH: it must return.
#define _ZXTEST_DEATH(fatal, macro, statement, want, text, ...)                        \
  _ZXTEST_COND(fatal, macro, ::zxtest::internal::RunDeathStatement(statement) == want, \
               text, ##__VA_ARGS__)
#define ASSERT_DEATH(statement, ...)                                                        \
  _ZXTEST_DEATH(1, "ASSERT_DEATH(" #statement ")", statement,                               \
                ::zxtest::internal::DeathResult::kException, "Exception was never raised.", \
                ##__VA_ARGS__)
#define EXPECT_DEATH(statement, ...)                                                        \
  _ZXTEST_DEATH(0, "EXPECT_DEATH(" #statement ")", statement,                               \
                ::zxtest::internal::DeathResult::kException, "Exception was never raised.", \
                ##__VA_ARGS__)
#define ASSERT_NO_DEATH(statement, ...)                                                        \
  _ZXTEST_DEATH(1, "ASSERT_NO_DEATH(" #statement ")", statement,                               \
                ::zxtest::internal::DeathResult::kSuccess, "Unexpected exception was raised.", \
                ##__VA_ARGS__)
#define EXPECT_NO_DEATH(statement, ...)                                                        \
  _ZXTEST_DEATH(0, "EXPECT_NO_DEATH(" #statement ")", statement,                               \
                ::zxtest::internal::DeathResult::kSuccess, "Unexpected exception was raised.", \
                ##__VA_ARGS__)

#endif  // ZXTEST_CPP_DEATH_H_
