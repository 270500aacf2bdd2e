// Guest SDK: <fbl/alloc_checker.h> -- fbl::AllocChecker and the
// new (&ac) forms that return nullptr instead of failing hard.
// Written for this project to Fuchsia's public fbl API.
#ifndef FBL_ALLOC_CHECKER_H_
#define FBL_ALLOC_CHECKER_H_

#include <stddef.h>

#include <new>

namespace fbl {

class AllocChecker {
 public:
  AllocChecker() = default;
  AllocChecker(const AllocChecker&) = delete;
  AllocChecker& operator=(const AllocChecker&) = delete;
  // Records whether an allocation of |size| bytes succeeded.
  void arm(size_t size, bool result) {
    armed_ = true;
    ok_ = size == 0 || result;
  }
  bool check() {
    armed_ = false;
    return ok_;
  }

 private:
  bool armed_ = false;
  bool ok_ = false;
};

}  // namespace fbl

inline void* operator new(size_t size, fbl::AllocChecker* ac) noexcept {
  void* p = ::operator new(size, std::nothrow);
  ac->arm(size, p != nullptr);
  return p;
}
inline void* operator new[](size_t size, fbl::AllocChecker* ac) noexcept {
  void* p = ::operator new[](size, std::nothrow);
  ac->arm(size, p != nullptr);
  return p;
}

#endif  // FBL_ALLOC_CHECKER_H_
