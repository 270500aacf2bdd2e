// Guest SDK: <fbl/mutex.h> -- fbl::Mutex, a C++ mutex class on sync_mutex_t
// (lock()/unlock() make it a standard Lockable, usable with std::lock_guard
// and fbl::AutoLock).  Written for this project to Fuchsia's public fbl API.
#ifndef FBL_MUTEX_H_
#define FBL_MUTEX_H_

#include <lib/sync/mutex.h>
#include <zircon/compiler.h>

#include <fbl/macros.h>

namespace fbl {

class __TA_CAPABILITY("mutex") Mutex {
 public:
  constexpr Mutex() = default;
  ~Mutex() = default;
  DISALLOW_COPY_ASSIGN_AND_MOVE(Mutex);

  void Acquire() __TA_ACQUIRE() { sync_mutex_lock(&mutex_); }
  bool TryAcquire() __TA_TRY_ACQUIRE(true) { return sync_mutex_trylock(&mutex_) == ZX_OK; }
  void Release() __TA_RELEASE() { sync_mutex_unlock(&mutex_); }

  void lock() __TA_ACQUIRE() { Acquire(); }
  bool try_lock() __TA_TRY_ACQUIRE(true) { return TryAcquire(); }
  void unlock() __TA_RELEASE() { Release(); }

  void AssertHeld() __TA_ASSERT() { sync_mutex_assert_held(&mutex_); }

  sync_mutex_t* GetInternal() __TA_RETURN_CAPABILITY(mutex_) { return &mutex_; }

 private:
  sync_mutex_t mutex_;
};

}  // namespace fbl

#endif  // FBL_MUTEX_H_
