// Guest SDK: <fbl/auto_lock.h> -- fbl::AutoLock<T>, holds a lock (anything
// with lock()/unlock(): fbl::Mutex, fbl::NullLock, std::mutex, ...) for its
// scope, or until release().  Written for this project to Fuchsia's public
// fbl API.  Header-only.
#ifndef FBL_AUTO_LOCK_H_
#define FBL_AUTO_LOCK_H_

#include <zircon/compiler.h>

#include <fbl/macros.h>
#include <fbl/mutex.h>
#include <fbl/null_lock.h>

namespace fbl {

template <typename T>
class __TA_SCOPED_CAPABILITY AutoLock {
 public:
  explicit AutoLock(T* mutex) __TA_ACQUIRE(mutex) : mutex_(mutex) { mutex_->lock(); }
  explicit AutoLock(T& mutex) __TA_ACQUIRE(mutex) : AutoLock(&mutex) {}
  ~AutoLock() __TA_RELEASE() { release(); }
  DISALLOW_COPY_ASSIGN_AND_MOVE(AutoLock);

  // Unlocks now rather than at the end of the scope (once).
  void release() __TA_RELEASE() {
    if (mutex_ != nullptr) {
      mutex_->unlock();
      mutex_ = nullptr;
    }
  }

 private:
  T* mutex_;
};

// Deduction guides: AutoLock lock(&mutex);
template <typename T>
AutoLock(T*) -> AutoLock<T>;
template <typename T>
AutoLock(T&) -> AutoLock<T>;

}  // namespace fbl

#endif  // FBL_AUTO_LOCK_H_
