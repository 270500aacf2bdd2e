// Guest SDK: <lib/test-exceptions/exception-catcher.h> --
// test_exceptions::ExceptionCatcher, which holds an exception channel on a
// task (thread, process or job) so a test can expect the exceptions it
// provokes.  Header-only.
//
//   test_exceptions::ExceptionCatcher catcher(*zx::process::self());
//   ... make a thread crash ...
//   auto result = catcher.ExpectException(thread);
//   ASSERT_OK(result.status_value());
//   ASSERT_OK(test_exceptions::ExitExceptionZxThread(std::move(result.value())));
//
// Exceptions that arrive for other threads or processes while one is being
// waited for are kept, in order, for a later ExpectException.  Stop()
// releases the channel; exceptions never expected are closed then (their
// threads go on to the next handler, ZX_EXCEPTION_STATE_TRY_NEXT) and Stop()
// answers ZX_ERR_CANCELED.  Not thread-safe.
#ifndef LIB_TEST_EXCEPTIONS_EXCEPTION_CATCHER_H_
#define LIB_TEST_EXCEPTIONS_EXCEPTION_CATCHER_H_

#include <lib/zx/channel.h>
#include <lib/zx/exception.h>
#include <lib/zx/process.h>
#include <lib/zx/result.h>
#include <lib/zx/task.h>
#include <lib/zx/thread.h>
#include <lib/zx/time.h>
#include <zircon/assert.h>
#include <zircon/errors.h>
#include <zircon/status.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#include <list>
#include <utility>

namespace test_exceptions {

class ExceptionCatcher {
 public:
  ExceptionCatcher() = default;

  // Start(task), asserting that it worked.
  template <typename T>
  explicit ExceptionCatcher(const zx::task<T>& task) {
    zx_status_t status = Start(task);
    ZX_ASSERT_MSG(status == ZX_OK, "ExceptionCatcher::Start() failed (%s)",
                  zx_status_get_string(status));
  }

  // Stop(), asserting that it worked (if still started).
  ~ExceptionCatcher() {
    if (channel_.is_valid()) {
      zx_status_t status = Stop();
      ZX_ASSERT_MSG(status == ZX_OK, "ExceptionCatcher::Stop() failed (%s)",
                    zx_status_get_string(status));
    }
  }

  ExceptionCatcher(const ExceptionCatcher&) = delete;
  ExceptionCatcher& operator=(const ExceptionCatcher&) = delete;

  // Creates the exception channel on |task|: ZX_ERR_ALREADY_BOUND if this
  // catcher already has one, else zx_task_create_exception_channel's status.
  template <typename T>
  zx_status_t Start(const zx::task<T>& task) {
    if (channel_.is_valid()) {
      return ZX_ERR_ALREADY_BOUND;
    }
    return task.create_exception_channel(0, &channel_);
  }

  // Releases the channel.  ZX_ERR_CANCELED if any exception was received
  // (kept, or still in the channel) but never expected; those are closed.
  zx_status_t Stop() {
    zx::channel channel = std::move(channel_);
    std::list<Pending> pending = std::move(pending_);
    pending_.clear();
    bool unhandled = !pending.empty();
    if (channel.is_valid()) {
      zx_signals_t signals = 0;
      zx_status_t status = channel.wait_one(ZX_CHANNEL_READABLE, zx::time(0), &signals);
      if (status == ZX_OK) {
        unhandled = true;
      } else if (status != ZX_ERR_TIMED_OUT) {
        return status;
      }
    }
    return unhandled ? ZX_ERR_CANCELED : ZX_OK;
  }

  // Waits for the next exception (a kept one first) and hands it over.  An
  // error if the task goes away first (ZX_ERR_PEER_CLOSED) or the catcher
  // is not started (ZX_ERR_BAD_STATE).
  zx::result<zx::exception> ExpectException() { return Expect(ZX_KOID_INVALID, ZX_KOID_INVALID); }

  // The same, for an exception of |thread| only; others are kept.
  zx::result<zx::exception> ExpectException(const zx::thread& thread) {
    zx_koid_t koid;
    zx_status_t status = KoidOf(thread, &koid);
    if (status != ZX_OK) {
      return zx::error(status);
    }
    return Expect(ZX_KOID_INVALID, koid);
  }

  // The same, for an exception of a thread of |process| only.
  zx::result<zx::exception> ExpectException(const zx::process& process) {
    zx_koid_t koid;
    zx_status_t status = KoidOf(process, &koid);
    if (status != ZX_OK) {
      return zx::error(status);
    }
    return Expect(koid, ZX_KOID_INVALID);
  }

 private:
  struct Pending {
    zx_exception_info_t info;
    zx::exception exception;
  };

  template <typename T>
  static zx_status_t KoidOf(const zx::object<T>& object, zx_koid_t* koid) {
    zx_info_handle_basic_t info;
    zx_status_t status =
        object.get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr, nullptr);
    *koid = status == ZX_OK ? info.koid : ZX_KOID_INVALID;
    return status;
  }

  // ZX_KOID_INVALID matches any process / thread.
  static bool Matches(const zx_exception_info_t& info, zx_koid_t pid, zx_koid_t tid) {
    return (pid == ZX_KOID_INVALID || info.pid == pid) &&
           (tid == ZX_KOID_INVALID || info.tid == tid);
  }

  zx::result<zx::exception> Expect(zx_koid_t pid, zx_koid_t tid) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (Matches(it->info, pid, tid)) {
        zx::exception exception = std::move(it->exception);
        pending_.erase(it);
        return zx::ok(std::move(exception));
      }
    }
    if (!channel_.is_valid()) {
      return zx::error(ZX_ERR_BAD_STATE);
    }
    for (;;) {
      zx_signals_t signals = 0;
      zx_status_t status = channel_.wait_one(ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                             zx::time::infinite(), &signals);
      if (status != ZX_OK) {
        return zx::error(status);
      }
      if (!(signals & ZX_CHANNEL_READABLE)) {
        return zx::error(ZX_ERR_PEER_CLOSED);
      }
      Pending got;
      status = channel_.read(0, &got.info, got.exception.reset_and_get_address(),
                             sizeof(got.info), 1, nullptr, nullptr);
      if (status != ZX_OK) {
        return zx::error(status);
      }
      if (Matches(got.info, pid, tid)) {
        return zx::ok(std::move(got.exception));
      }
      pending_.push_back(std::move(got));
    }
  }

  zx::channel channel_;
  std::list<Pending> pending_;
};

}  // namespace test_exceptions

#endif  // LIB_TEST_EXCEPTIONS_EXCEPTION_CATCHER_H_
