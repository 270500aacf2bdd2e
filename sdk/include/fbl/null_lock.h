// Guest SDK: <fbl/null_lock.h> -- fbl::NullLock, a lock with fbl::Mutex's
// interface that does nothing, for code templated on its lock type that
// sometimes needs none.  Written for this project to Fuchsia's public fbl
// API (Acquire/Release; lock/unlock are this SDK's addition, as on
// fbl::Mutex).  Header-only.
#ifndef FBL_NULL_LOCK_H_
#define FBL_NULL_LOCK_H_

#ifdef __cplusplus

#include <zircon/compiler.h>

namespace fbl {

class __TA_CAPABILITY("mutex") NullLock {
 public:
  constexpr NullLock() {}
  void Acquire() __TA_ACQUIRE() {}
  void Release() __TA_RELEASE() {}
  void lock() __TA_ACQUIRE() {}
  void unlock() __TA_RELEASE() {}
};

}  // namespace fbl

#endif  // __cplusplus

#endif  // FBL_NULL_LOCK_H_
