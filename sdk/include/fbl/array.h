// Guest SDK: <fbl/array.h> -- fbl::Array<T>, a move-only owner of a
// new[]-allocated array and its element count (delete[] on reset or
// destruction), with fbl::MakeArray to allocate one.
#ifndef FBL_ARRAY_H_
#define FBL_ARRAY_H_

#include <stddef.h>
#include <zircon/assert.h>
#include <zircon/compiler.h>

#include <type_traits>
#include <utility>

#include <fbl/alloc_checker.h>
#include <fbl/macros.h>

namespace fbl {

template <typename T>
class Array {
 public:
  constexpr Array() = default;
  constexpr Array(decltype(nullptr)) {}

  // Takes ownership of |array|, which must come from new T[count] (or be null
  // with |count| 0).
  Array(T* array, size_t count) : data_(array), size_(count) {}

  Array(Array&& other) : size_(other.size_) { data_ = other.release(); }

  // Array<const T> may be made from Array<T> (the other way would drop const).
  template <typename U, typename = std::enable_if_t<std::is_same_v<const U, T> &&
                                                    !std::is_const_v<U>>>
  Array(Array<U>&& other) : size_(other.size()) {
    data_ = other.release();
  }

  Array& operator=(Array&& other) {
    size_t n = other.size_;
    reset(other.release(), n);
    return *this;
  }

  template <typename U, typename = std::enable_if_t<std::is_same_v<const U, T> &&
                                                    !std::is_const_v<U>>>
  Array& operator=(Array<U>&& other) {
    size_t n = other.size();
    reset(other.release(), n);
    return *this;
  }

  DISALLOW_COPY_AND_ASSIGN_ALLOW_MOVE(Array);

  ~Array() { reset(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T* get() const { return data_; }
  T* data() const { return data_; }
  explicit operator bool() const { return data_ != nullptr; }

  T& operator[](size_t i) const {
    ZX_DEBUG_ASSERT(i < size_);
    return data_[i];
  }

  T* begin() const { return data_; }
  T* end() const { return data_ + size_; }

  // Gives up ownership: returns the array and leaves this one empty.
  T* release() {
    T* p = data_;
    data_ = nullptr;
    size_ = 0;
    return p;
  }

  void reset() { reset(nullptr, 0); }

  // Frees the array held now (after taking the new one, so resetting to an
  // array this one's elements own is safe).
  void reset(T* array, size_t count) {
    T* old = data_;
    data_ = array;
    size_ = count;
    delete[] old;
  }

  void swap(Array& other) {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

// Allocates |n| value-initialised elements; on failure |ac| reports it and
// the result is an empty array.
template <typename T>
Array<T> MakeArray(AllocChecker* ac, size_t n) {
  T* p = new (ac) T[n]();
  if (p == nullptr) {
    return Array<T>();
  }
  return Array<T>(p, n);
}

// Allocates |n| value-initialised elements (an allocation failure is fatal,
// as plain new[] is without exceptions).
template <typename T>
Array<T> MakeArray(size_t n) {
  return Array<T>(new T[n](), n);
}

}  // namespace fbl

#endif  // FBL_ARRAY_H_
