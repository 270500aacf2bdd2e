// Guest SDK: <fbl/intrusive_container_utils.h> -- what fbl's intrusive
// containers share: node options, size order, the default tag, and the
// pointer traits that let a container hold raw pointers (unmanaged: the
// container owns nothing) or std::unique_ptr (the container owns its
// elements and frees them when they are cleared or the container dies) or
// fbl::RefPtr (the container holds one reference to each element).
#ifndef FBL_INTRUSIVE_CONTAINER_UTILS_H_
#define FBL_INTRUSIVE_CONTAINER_UTILS_H_

#include <stdint.h>

#include <memory>
#include <type_traits>
#include <utility>

#include <fbl/ref_ptr.h>

namespace fbl {

// Per-node choices, combined with |.
enum class NodeOptions : uint64_t {
  None = 0,
  // An object in no container may be moved / copied (the copy or moved-to
  // object is in no container either).
  AllowMove = 1u << 0,
  AllowCopy = 1u << 1,
  AllowCopyMove = (1u << 0) | (1u << 1),
  // A container of raw pointers to these nodes may forget its elements at
  // once (clear_unsafe), leaving their node state stale.
  AllowClearUnsafe = 1u << 2,
  // A node may be in several containers of unique_ptr (callers keep it safe).
  AllowMultiContainerUptr = 1u << 3,
  // node.RemoveFromContainer() unlinks a node without naming its container.
  AllowRemoveFromContainer = 1u << 4,
};

constexpr NodeOptions operator|(NodeOptions a, NodeOptions b) {
  return static_cast<NodeOptions>(static_cast<uint64_t>(a) | static_cast<uint64_t>(b));
}
// True if the two share any option (used as a test: opts & NodeOptions::X).
constexpr bool operator&(NodeOptions a, NodeOptions b) {
  return (static_cast<uint64_t>(a) & static_cast<uint64_t>(b)) != 0;
}

// Whether a container counts its elements (size(), O(1)) or not
// (size_slow(), O(n); the default, and the only one that allows
// RemoveFromContainer and split_after).
enum class SizeOrder { N, Constant };

// The tag of a node that is in one kind of container only.
struct DefaultObjectTag {};

// A class in several containers of the same kind derives from each node
// type (with distinct tags) through this.
template <typename... Containables>
struct ContainableBaseClasses : public Containables... {};

namespace internal {

template <typename PtrType>
struct ContainerPtrTraits;

// Raw pointers: the container neither owns nor frees.
template <typename T>
struct ContainerPtrTraits<T*> {
  using ValueType = T;
  using RefType = T&;
  using ConstRefType = const T&;
  using PtrType = T*;
  using ConstPtrType = const T*;
  using RawPtrType = T*;
  using ConstRawPtrType = const T*;
  static constexpr bool IsManaged = false;
  static constexpr bool CanCopy = true;

  static RawPtrType Leak(PtrType& p) { return p; }
  static PtrType Reclaim(RawPtrType p) { return p; }
  static PtrType Copy(RawPtrType p) { return p; }
  static RawPtrType GetRaw(const PtrType& p) { return p; }
};

// unique_ptr: the container owns the object while it is linked.
template <typename T, typename Deleter>
struct ContainerPtrTraits<std::unique_ptr<T, Deleter>> {
  using ValueType = T;
  using RefType = T&;
  using ConstRefType = const T&;
  using PtrType = std::unique_ptr<T, Deleter>;
  using ConstPtrType = std::unique_ptr<const T, Deleter>;
  using RawPtrType = T*;
  using ConstRawPtrType = const T*;
  static constexpr bool IsManaged = true;
  static constexpr bool CanCopy = false;

  static RawPtrType Leak(PtrType& p) { return p.release(); }
  static PtrType Reclaim(RawPtrType p) { return PtrType(p); }
  static RawPtrType GetRaw(const PtrType& p) { return p.get(); }
};

// RefPtr: the container holds a reference while the object is linked.
template <typename T>
struct ContainerPtrTraits<::fbl::RefPtr<T>> {
  using ValueType = T;
  using RefType = T&;
  using ConstRefType = const T&;
  using PtrType = ::fbl::RefPtr<T>;
  using ConstPtrType = ::fbl::RefPtr<const T>;
  using RawPtrType = T*;
  using ConstRawPtrType = const T*;
  static constexpr bool IsManaged = true;
  static constexpr bool CanCopy = true;

  static RawPtrType Leak(PtrType& p) { return ::fbl::ExportToRawPtr(&p); }
  static PtrType Reclaim(RawPtrType p) { return ::fbl::ImportFromRawPtr(p); }
  static PtrType Copy(RawPtrType p) { return PtrType(p); }
  static RawPtrType GetRaw(const PtrType& p) { return p.get(); }
};

// A container's "end" marker is its own address with the low bit set: never
// a valid object pointer, and it leads from a node at either end back to the
// container.
template <typename RawPtr, typename Owner>
inline RawPtr make_sentinel(const Owner* owner) {
  return reinterpret_cast<RawPtr>(reinterpret_cast<uintptr_t>(owner) | 1u);
}
template <typename Owner, typename RawPtr>
inline Owner* unmake_sentinel(RawPtr p) {
  return reinterpret_cast<Owner*>(reinterpret_cast<uintptr_t>(p) & ~static_cast<uintptr_t>(1));
}
template <typename RawPtr>
inline bool is_sentinel_ptr(RawPtr p) {
  return (reinterpret_cast<uintptr_t>(p) & 1u) != 0;
}
template <typename RawPtr>
inline bool valid_sentinel_ptr(RawPtr p) {
  return p != nullptr && is_sentinel_ptr(p);
}

// Element count, or nothing, by SizeOrder.
template <SizeOrder>
class SizeTracker {
 protected:
  void IncSizeTracker(size_t) {}
  void DecSizeTracker(size_t) {}
  void ResetSizeTracker() {}
  void SwapSizeTracker(SizeTracker&) {}
};

template <>
class SizeTracker<SizeOrder::Constant> {
 protected:
  size_t SizeTrackerCount() const { return count_; }
  void IncSizeTracker(size_t n) { count_ += n; }
  void DecSizeTracker(size_t n) { count_ -= n; }
  void ResetSizeTracker() { count_ = 0; }
  void SwapSizeTracker(SizeTracker& other) { std::swap(count_, other.count_); }

 private:
  size_t count_ = 0;
};

}  // namespace internal
}  // namespace fbl

#endif  // FBL_INTRUSIVE_CONTAINER_UTILS_H_
