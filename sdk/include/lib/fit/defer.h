// Guest SDK: <lib/fit/defer.h> -- fit::defer(f): runs f when the returned
// object goes out of scope, unless cancel()ed; call() runs it early.
// Written for this project to Fuchsia's public lib/fit API.
#ifndef LIB_FIT_DEFER_H_
#define LIB_FIT_DEFER_H_

#include <utility>

namespace fit {

template <typename T>
class deferred_action final {
 public:
  deferred_action() = default;
  explicit deferred_action(T target) : target_(std::move(target)), armed_(true) {}
  deferred_action(deferred_action&& other)
      : target_(std::move(other.target_)), armed_(other.armed_) {
    other.armed_ = false;
  }
  deferred_action& operator=(deferred_action&& other) {
    if (&other == this) return *this;
    call();
    target_ = std::move(other.target_);
    armed_ = other.armed_;
    other.armed_ = false;
    return *this;
  }
  deferred_action(const deferred_action&) = delete;
  deferred_action& operator=(const deferred_action&) = delete;
  ~deferred_action() { call(); }

  void call() {
    if (!armed_) return;
    armed_ = false;
    target_();
  }
  void cancel() { armed_ = false; }
  explicit operator bool() const { return armed_; }

 private:
  T target_;
  bool armed_ = false;
};

template <typename T>
inline deferred_action<T> defer(T target) {
  return deferred_action<T>(std::move(target));
}

}  // namespace fit

#endif  // LIB_FIT_DEFER_H_
