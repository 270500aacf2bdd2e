// Guest SDK: <lib/sync/cpp/mutex.h> -- libsync::Mutex, the C++ face of
// sync_mutex_t: a standard Lockable (lock, try_lock, unlock), so it works
// with std::lock_guard and std::unique_lock, plus get() for the C calls.
// Written for this project to Fuchsia's public lib/sync API.  Header-only.
#ifndef LIB_SYNC_CPP_MUTEX_H_
#define LIB_SYNC_CPP_MUTEX_H_

#include <lib/sync/mutex.h>
#include <zircon/compiler.h>

namespace libsync {

class __TA_CAPABILITY("mutex") Mutex {
 public:
  constexpr Mutex() = default;
  ~Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  Mutex(Mutex&&) = delete;
  Mutex& operator=(Mutex&&) = delete;

  // Blocks until this thread holds the mutex (locking it twice deadlocks).
  void lock() __TA_ACQUIRE() { sync_mutex_lock(&mutex_); }

  // Takes the mutex if it is free; false at once otherwise.
  [[nodiscard]] bool try_lock() __TA_TRY_ACQUIRE(true) {
    return sync_mutex_trylock(&mutex_) == ZX_OK;
  }

  void unlock() __TA_RELEASE() { sync_mutex_unlock(&mutex_); }

  // The underlying sync_mutex_t, for code that calls the C functions.
  sync_mutex_t* get() __TA_RETURN_CAPABILITY(mutex_) { return &mutex_; }

 private:
  sync_mutex_t mutex_;
};

}  // namespace libsync

#endif  // LIB_SYNC_CPP_MUTEX_H_
