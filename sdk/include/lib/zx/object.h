// Guest SDK: <lib/zx/object.h> -- zx::object<T>, the owning handle wrapper
// every lib/zx type derives from, and zx::unowned<T>, a borrowed view.
// Written for this project to Fuchsia's public lib/zx API; only the calls
// the emulator's vDSO exports are wrapped.
#ifndef LIB_ZX_OBJECT_H_
#define LIB_ZX_OBJECT_H_

#include <lib/zx/time.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#include <type_traits>
#include <utility>

namespace zx {

class port;
template <typename T>
class unowned;

// What every wrapper holds: one handle value, closed on destruction.
class object_base {
 public:
  void reset(zx_handle_t value = ZX_HANDLE_INVALID) {
    close();
    value_ = value;
  }
  bool is_valid() const { return value_ != ZX_HANDLE_INVALID; }
  explicit operator bool() const { return is_valid(); }
  zx_handle_t get() const { return value_; }
  __attribute__((warn_unused_result)) zx_handle_t release() {
    zx_handle_t v = value_;
    value_ = ZX_HANDLE_INVALID;
    return v;
  }
  zx_handle_t* reset_and_get_address() {
    reset();
    return &value_;
  }

 protected:
  constexpr object_base() : value_(ZX_HANDLE_INVALID) {}
  explicit object_base(zx_handle_t value) : value_(value) {}
  ~object_base() { close(); }
  object_base(const object_base&) = delete;
  object_base& operator=(const object_base&) = delete;
  void close() {
    if (value_ != ZX_HANDLE_INVALID) {
      zx_handle_close(value_);
      value_ = ZX_HANDLE_INVALID;
    }
  }

  zx_handle_t value_;
};

template <typename T>
class object : public object_base {
 public:
  constexpr object() = default;
  explicit object(zx_handle_t value) : object_base(value) {}
  template <typename U>
  object(object<U>&& other) : object_base(other.release()) {
    static_assert(std::is_same<T, void>::value || std::is_same<U, void>::value ||
                      std::is_same<T, U>::value,
                  "only zx::handle converts to or from other object types");
  }
  object<T>& operator=(object<T>&& other) {
    if (this != &other) reset(other.release());
    return *this;
  }
  object(object<T>&& other) : object_base(other.release()) {}

  void swap(object<T>& other) { std::swap(value_, other.value_); }

  zx_status_t duplicate(zx_rights_t rights, object<T>* result) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_handle_duplicate(value_, rights, &h);
    result->reset(h);
    return status;
  }

  // Consumes this handle whatever the outcome, as zx_handle_replace does.
  zx_status_t replace(zx_rights_t rights, object<T>* result) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_handle_t old = value_;
    value_ = ZX_HANDLE_INVALID;
    zx_status_t status = zx_handle_replace(old, rights, &h);
    result->reset(h);
    return status;
  }

  zx_status_t wait_one(zx_signals_t signals, zx::time deadline, zx_signals_t* pending) const {
    return zx_object_wait_one(value_, signals, deadline.get(), pending);
  }

  zx_status_t wait_async(const object<port>& port, uint64_t key, zx_signals_t signals,
                         uint32_t options) const {
    return zx_object_wait_async(value_, port.get(), key, signals, options);
  }

  static zx_status_t wait_many(zx_wait_item_t* wait_items, size_t count, zx::time deadline) {
    return zx_object_wait_many(wait_items, count, deadline.get());
  }

  zx_status_t signal(uint32_t clear_mask, uint32_t set_mask) const {
    return zx_object_signal(value_, clear_mask, set_mask);
  }

  zx_status_t signal_peer(uint32_t clear_mask, uint32_t set_mask) const {
    return zx_object_signal_peer(value_, clear_mask, set_mask);
  }

  zx_status_t get_property(uint32_t property, void* value, size_t size) const {
    return zx_object_get_property(value_, property, value, size);
  }

  zx_status_t set_property(uint32_t property, const void* value, size_t size) const {
    return zx_object_set_property(value_, property, value, size);
  }

  zx_status_t get_info(uint32_t topic, void* buffer, size_t buffer_size, size_t* actual_count,
                       size_t* avail_count) const {
    return zx_object_get_info(value_, topic, buffer, buffer_size, actual_count, avail_count);
  }

  // The child (a thread of a process; a job or process of a job) whose
  // koid is `koid`, with `rights` (ZX_RIGHT_SAME_RIGHTS: this handle's).
  template <typename U>
  zx_status_t get_child(uint64_t koid, zx_rights_t rights, object<U>* result) const {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_object_get_child(value_, koid, rights, &h);
    result->reset(h);
    return status;
  }

  unowned<T> borrow() const { return unowned<T>(value_); }

  // Comparisons by handle value, as Fuchsia's.
  bool operator==(const object<T>& o) const { return value_ == o.value_; }
  bool operator!=(const object<T>& o) const { return value_ != o.value_; }
  bool operator<(const object<T>& o) const { return value_ < o.value_; }
  bool operator>(const object<T>& o) const { return value_ > o.value_; }
  bool operator<=(const object<T>& o) const { return value_ <= o.value_; }
  bool operator>=(const object<T>& o) const { return value_ >= o.value_; }
};

template <typename T>
bool operator==(zx_handle_t a, const object<T>& b) { return a == b.get(); }
template <typename T>
bool operator!=(zx_handle_t a, const object<T>& b) { return a != b.get(); }
template <typename T>
bool operator==(const object<T>& a, zx_handle_t b) { return a.get() == b; }
template <typename T>
bool operator!=(const object<T>& a, zx_handle_t b) { return a.get() != b; }

// A handle owned elsewhere, used through T's interface; never closed here.
template <typename T>
class unowned final {
 public:
  explicit unowned(zx_handle_t h) : value_(h) {}
  explicit unowned(const T& owner) : value_(owner.get()) {}
  template <typename U>
  explicit unowned(const unowned<U>& other) : value_(other->get()) {}
  unowned() : value_(ZX_HANDLE_INVALID) {}
  unowned(const unowned& other) : value_(other.value_.get()) {}
  unowned(unowned&& other) : value_(other.value_.release()) {}
  unowned& operator=(const unowned& other) {
    if (&other == this) return *this;
    *this = unowned(other);
    return *this;
  }
  unowned& operator=(unowned&& other) {
    release_value();
    value_.reset(other.value_.release());
    return *this;
  }
  ~unowned() { release_value(); }

  static unowned wrap(zx_handle_t h) { return unowned(h); }

  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  zx_handle_t get() const { return value_.get(); }
  explicit operator bool() const { return value_.is_valid(); }
  bool is_valid() const { return value_.is_valid(); }

 private:
  void release_value() { (void)value_.release(); }
  T value_;
};

template <typename T>
bool operator==(const unowned<T>& a, const unowned<T>& b) { return a.get() == b.get(); }
template <typename T>
bool operator!=(const unowned<T>& a, const unowned<T>& b) { return a.get() != b.get(); }

}  // namespace zx

#endif  // LIB_ZX_OBJECT_H_
