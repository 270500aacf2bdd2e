// Guest SDK: <fbl/mutex.h> -- fbl::Mutex, Fuchsia's C++ mutex class for
// user code: a plain C11 mtx_t (musl's, from <threads.h>) that it sets up and
// tears down itself.  Written for this project to Fuchsia's public fbl API.
//
// Acquire()/TryAcquire()/Release() are Fuchsia's names (fbl::AutoLock uses
// them).  lock()/try_lock()/unlock() are an addition of this SDK that makes
// the class a standard Lockable (std::lock_guard, std::unique_lock).
// AssertHeld() is an addition too: musl's plain mutex records no owner, so it
// only checks that some thread holds the lock (else it traps).
#ifndef FBL_MUTEX_H_
#define FBL_MUTEX_H_

#ifdef __cplusplus

#include <threads.h>
#include <zircon/compiler.h>

#include <fbl/macros.h>

namespace fbl {

class __TA_CAPABILITY("mutex") Mutex {
 public:
  // MTX_INIT (<threads.h>) is what mtx_init(mtx_plain) writes, so the
  // constructor can be constexpr, as Fuchsia's is: a global Mutex needs no
  // dynamic initialiser.
  constexpr Mutex() : mutex_(MTX_INIT) {}
  ~Mutex() { mtx_destroy(&mutex_); }
  DISALLOW_COPY_ASSIGN_AND_MOVE(Mutex);

  void Acquire() __TA_ACQUIRE() { mtx_lock(&mutex_); }
  // True with the lock held, false at once if another thread has it.
  bool TryAcquire() __TA_TRY_ACQUIRE(true) { return mtx_trylock(&mutex_) == thrd_success; }
  void Release() __TA_RELEASE() { mtx_unlock(&mutex_); }

  void lock() __TA_ACQUIRE() { Acquire(); }
  bool try_lock() __TA_TRY_ACQUIRE(true) { return TryAcquire(); }
  void unlock() __TA_RELEASE() { Release(); }

  // Crashes the calling thread (a trap) if nobody holds the mutex (a
  // trylock that succeeds proves it).
  void AssertHeld() __TA_ASSERT() {
    if (mtx_trylock(&mutex_) == thrd_success) {
      __builtin_trap();
    }
  }

  // The underlying mtx_t, e.g. for cnd_wait().
  mtx_t* GetInternal() __TA_RETURN_CAPABILITY(mutex_) { return &mutex_; }

 private:
  mtx_t mutex_;
};

}  // namespace fbl

#endif  // __cplusplus

#endif  // FBL_MUTEX_H_
