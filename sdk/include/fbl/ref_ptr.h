// Guest SDK: <fbl/ref_ptr.h> -- fbl::RefPtr<T>, a smart pointer to an
// intrusively counted object (T has AddRef(), bool Release() and Adopt(),
// as fbl::RefCounted<T> gives).  The object is deleted when the last RefPtr
// lets go.
//
//   fbl::RefPtr<Obj> a = fbl::AdoptRef(new Obj);       // the first owner
//   fbl::RefPtr<Obj> b = fbl::MakeRefCounted<Obj>(args...);
//   fbl::RefPtr<Obj> c = a;                            // +1
//
// RefPtr(T*) takes a new reference to an object already adopted;
// ExportToRawPtr / ImportFromRawPtr move one reference through a raw
// pointer unchanged.  No recycler support: the last release deletes.
#ifndef FBL_REF_PTR_H_
#define FBL_REF_PTR_H_

#include <stddef.h>
#include <zircon/assert.h>
#include <zircon/compiler.h>

#include <type_traits>
#include <utility>

#include <fbl/alloc_checker.h>

namespace fbl {

template <typename T>
class RefPtr;

template <typename T>
RefPtr<T> AdoptRef(T* ptr);
template <typename T>
RefPtr<T> ImportFromRawPtr(T* ptr);
template <typename T>
T* ExportToRawPtr(RefPtr<T>* ptr);

namespace internal {
template <typename T>
RefPtr<T> MakeRefPtrNoAdopt(T* ptr);
template <typename T>
T* LeakToRawPtr(RefPtr<T>* ptr);

// U may be viewed as T: non-class types, or T has a virtual destructor, or
// T is const U.
template <typename T, typename U>
constexpr bool kRefPtrUpcastOk = std::is_class_v<T> == std::is_class_v<U> &&
                                 (!std::is_class_v<T> || std::has_virtual_destructor_v<T> ||
                                  std::is_same_v<T, const U>);
}  // namespace internal

template <typename T>
class RefPtr final {
 public:
  using element_type = T;

  constexpr RefPtr() = default;
  constexpr RefPtr(decltype(nullptr)) {}
  // A new reference to an adopted object.
  explicit RefPtr(T* p) : ptr_(p) {
    if (ptr_ != nullptr) ptr_->AddRef();
  }
  RefPtr(const RefPtr& other) : RefPtr(other.ptr_) {}
  RefPtr(RefPtr&& other) : ptr_(other.ptr_) { other.ptr_ = nullptr; }

  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  RefPtr(const RefPtr<U>& other) : RefPtr(static_cast<T*>(other.get())) {
    static_assert(internal::kRefPtrUpcastOk<T, U>,
                  "RefPtr<U> converts to RefPtr<T> only if T has a virtual destructor or is const U");
  }
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  RefPtr(RefPtr<U>&& other) : ptr_(internal::LeakToRawPtr(&other)) {
    static_assert(internal::kRefPtrUpcastOk<T, U>,
                  "RefPtr<U> converts to RefPtr<T> only if T has a virtual destructor or is const U");
  }

  // Takes over |base|'s reference as |ptr|, which must be the same object.
  template <typename Base>
  RefPtr(T* ptr, RefPtr<Base>&& base) : ptr_(ptr) {
    ZX_ASSERT(static_cast<Base*>(ptr) == base.get());
    (void)internal::LeakToRawPtr(&base);
  }

  // RefPtr<Derived>::Downcast(base): the same object, as the derived type.
  template <typename BaseRefPtr>
  static RefPtr Downcast(BaseRefPtr base) {
    static_assert(std::is_same_v<BaseRefPtr, RefPtr<typename BaseRefPtr::element_type>>,
                  "Downcast takes a RefPtr");
    if (base == nullptr) return nullptr;
    return ImportFromRawPtr<T>(static_cast<T*>(internal::LeakToRawPtr(&base)));
  }

  RefPtr& operator=(const RefPtr& other) {
    RefPtr(other).swap(*this);
    return *this;
  }
  RefPtr& operator=(RefPtr&& other) {
    RefPtr(std::move(other)).swap(*this);
    return *this;
  }

  ~RefPtr() {
    T* p = ptr_;
    ptr_ = nullptr;
    if (p != nullptr && p->Release()) {
      delete p;
    }
  }

  void reset(T* p = nullptr) { RefPtr(p).swap(*this); }
  void swap(RefPtr& other) { std::swap(ptr_, other.ptr_); }

  T* get() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  T* operator->() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

  bool operator==(decltype(nullptr)) const { return ptr_ == nullptr; }
  bool operator!=(decltype(nullptr)) const { return ptr_ != nullptr; }
  bool operator==(const RefPtr& other) const { return ptr_ == other.ptr_; }
  bool operator!=(const RefPtr& other) const { return ptr_ != other.ptr_; }

 private:
  template <typename U>
  friend class RefPtr;
  friend RefPtr AdoptRef<T>(T*);
  friend RefPtr internal::MakeRefPtrNoAdopt<T>(T*);
  friend T* internal::LeakToRawPtr<T>(RefPtr*);

  struct Adopting {};
  struct NotCounting {};
  RefPtr(T* p, Adopting) : ptr_(p) {
    if (ptr_ != nullptr) ptr_->Adopt();
  }
  RefPtr(T* p, NotCounting) : ptr_(p) {}

  T* ptr_ = nullptr;
};

template <typename T>
inline bool operator==(decltype(nullptr), const RefPtr<T>& p) {
  return p.get() == nullptr;
}
template <typename T>
inline bool operator!=(decltype(nullptr), const RefPtr<T>& p) {
  return p.get() != nullptr;
}

// The first owner of a freshly made object.
template <typename T>
inline RefPtr<T> AdoptRef(T* ptr) {
  return RefPtr<T>(ptr, typename RefPtr<T>::Adopting{});
}

// Hands the reference out as a raw pointer (the RefPtr becomes null) ...
template <typename T>
inline T* ExportToRawPtr(RefPtr<T>* ptr) {
  return internal::LeakToRawPtr(ptr);
}
// ... and takes such a reference back.
template <typename T>
inline RefPtr<T> ImportFromRawPtr(T* ptr) {
  return internal::MakeRefPtrNoAdopt(ptr);
}

namespace internal {

template <typename T>
inline RefPtr<T> MakeRefPtrNoAdopt(T* ptr) {
  return RefPtr<T>(ptr, typename RefPtr<T>::NotCounting{});
}

template <typename T>
inline T* LeakToRawPtr(RefPtr<T>* ptr) {
  T* p = ptr->ptr_;
  ptr->ptr_ = nullptr;
  return p;
}

// Befriend this to keep T's constructor private yet use MakeRefCounted.
template <typename T>
class MakeRefCountedHelper final {
 public:
  template <typename... Args>
  static RefPtr<T> MakeRefCounted(Args&&... args) {
    return AdoptRef<T>(new T(std::forward<Args>(args)...));
  }
  template <typename... Args>
  static RefPtr<T> MakeRefCountedChecked(AllocChecker* ac, Args&&... args) {
    return AdoptRef<T>(new (ac) T(std::forward<Args>(args)...));
  }
};

}  // namespace internal

template <typename T, typename... Args>
RefPtr<T> MakeRefCounted(Args&&... args) {
  return internal::MakeRefCountedHelper<T>::MakeRefCounted(std::forward<Args>(args)...);
}

// As MakeRefCounted; a null RefPtr (and |ac| says so) if allocation fails.
template <typename T, typename... Args>
RefPtr<T> MakeRefCountedChecked(AllocChecker* ac, Args&&... args) {
  return internal::MakeRefCountedHelper<T>::MakeRefCountedChecked(ac, std::forward<Args>(args)...);
}

}  // namespace fbl

#endif  // FBL_REF_PTR_H_
