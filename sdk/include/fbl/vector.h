// Guest SDK: <fbl/vector.h> -- fbl::Vector<T>, a growable array whose
// growing calls may take an fbl::AllocChecker. Written for this project to
// Fuchsia's public fbl API (storage is std::vector's).
#ifndef FBL_VECTOR_H_
#define FBL_VECTOR_H_

#include <fbl/alloc_checker.h>
#include <stddef.h>

#include <utility>
#include <vector>

namespace fbl {

template <typename T>
class Vector {
 public:
  using value_type = T;
  using size_type = size_t;
  using iterator = T*;
  using const_iterator = const T*;

  Vector() = default;
  Vector(std::initializer_list<T> init) : v_(init) {}
  Vector(Vector&&) = default;
  Vector& operator=(Vector&&) = default;
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;

  size_t size() const { return v_.size(); }
  size_t capacity() const { return v_.capacity(); }
  bool is_empty() const { return v_.empty(); }
  T* data() { return v_.data(); }
  const T* data() const { return v_.data(); }
  T& operator[](size_t i) { return v_[i]; }
  const T& operator[](size_t i) const { return v_[i]; }
  T* begin() { return v_.data(); }
  T* end() { return v_.data() + v_.size(); }
  const T* begin() const { return v_.data(); }
  const T* end() const { return v_.data() + v_.size(); }

  void reserve(size_t n) { v_.reserve(n); }
  void reserve(size_t n, AllocChecker* ac) { v_.reserve(n); ac->arm(n, true); }
  void resize(size_t n) { v_.resize(n); }
  void resize(size_t n, AllocChecker* ac) { v_.resize(n); ac->arm(n, true); }
  void push_back(T value) { v_.push_back(std::move(value)); }
  void push_back(T value, AllocChecker* ac) {
    v_.push_back(std::move(value));
    ac->arm(sizeof(T), true);
  }
  void insert(size_t index, T value) { v_.insert(v_.begin() + index, std::move(value)); }
  void insert(size_t index, T value, AllocChecker* ac) {
    insert(index, std::move(value));
    ac->arm(sizeof(T), true);
  }
  T erase(size_t index) {
    T out = std::move(v_[index]);
    v_.erase(v_.begin() + index);
    return out;
  }
  void pop_back() { v_.pop_back(); }
  void reset() { v_.clear(); v_.shrink_to_fit(); }
  void swap(Vector& other) { v_.swap(other.v_); }

 private:
  std::vector<T> v_;
};

}  // namespace fbl

#endif  // FBL_VECTOR_H_
