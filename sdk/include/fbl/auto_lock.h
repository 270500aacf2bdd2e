// Guest SDK: <fbl/auto_lock.h> -- fbl::AutoLock<T>, holds a lock for its
// scope, or until release().  Written for this project to Fuchsia's public
// fbl API.  Header-only.
//
//   fbl::AutoLock lock(&mutex_);   // T deduced: fbl::Mutex, fbl::NullLock, mtx_t
//
// T is anything with Acquire()/Release() (fbl::Mutex); AutoLock<fbl::NullLock>
// does nothing at all, and AutoLock<mtx_t> locks a C11 mutex with
// mtx_lock/mtx_unlock.
#ifndef FBL_AUTO_LOCK_H_
#define FBL_AUTO_LOCK_H_

#ifdef __cplusplus

#include <threads.h>
#include <zircon/compiler.h>

#include <fbl/macros.h>
#include <fbl/mutex.h>
#include <fbl/null_lock.h>

namespace fbl {

template <typename T>
class __TA_SCOPED_CAPABILITY AutoLock {
 public:
  explicit AutoLock(T* mutex) __TA_ACQUIRE(mutex) : mutex_(mutex) { mutex_->Acquire(); }
  ~AutoLock() __TA_RELEASE() { release(); }
  DISALLOW_COPY_ASSIGN_AND_MOVE(AutoLock);

  // Unlocks now rather than at the end of the scope; later calls (and the
  // destructor) do nothing.
  void release() __TA_RELEASE() {
    if (mutex_ != nullptr) {
      mutex_->Release();
      mutex_ = nullptr;
    }
  }

 private:
  T* mutex_;
};

template <>
class __TA_SCOPED_CAPABILITY AutoLock<NullLock> {
 public:
  explicit AutoLock(NullLock* mutex) __TA_ACQUIRE(mutex) { (void)mutex; }
  ~AutoLock() __TA_RELEASE() {}
  DISALLOW_COPY_ASSIGN_AND_MOVE(AutoLock);
  void release() __TA_RELEASE() {}
};

template <>
class __TA_SCOPED_CAPABILITY AutoLock<mtx_t> {
 public:
  explicit AutoLock(mtx_t* mutex) __TA_ACQUIRE(mutex) : mutex_(mutex) { mtx_lock(mutex_); }
  ~AutoLock() __TA_RELEASE() { release(); }
  DISALLOW_COPY_ASSIGN_AND_MOVE(AutoLock);

  void release() __TA_RELEASE() {
    if (mutex_ != nullptr) {
      mtx_unlock(mutex_);
      mutex_ = nullptr;
    }
  }

 private:
  mtx_t* mutex_;
};

}  // namespace fbl

#endif  // __cplusplus

#endif  // FBL_AUTO_LOCK_H_
