// Guest SDK: <fbl/ref_counted.h> -- fbl::RefCounted<T>, the intrusive
// reference count fbl::RefPtr works with.  Derive from it:
//
//   class Buffer : public fbl::RefCounted<Buffer> { ... };
//   fbl::RefPtr<Buffer> b = fbl::MakeRefCounted<Buffer>();
//
// A new object starts "unadopted" (count 1, not yet owned); the first
// RefPtr adopts it (AdoptRef / MakeRefCounted).  With
// EnableAdoptionValidator (the default when ZX_DEBUG_ASSERT is on), taking a
// reference to an unadopted object, adopting twice, or reviving a dead one
// asserts.  The count is atomic: RefPtrs may be copied and dropped on any
// thread.
#ifndef FBL_REF_COUNTED_H_
#define FBL_REF_COUNTED_H_

#include <stdint.h>
#include <zircon/assert.h>

#include <atomic>

namespace fbl {

namespace internal {

template <bool EnableAdoptionValidator>
class RefCountedBase {
 protected:
  // Before adoption the count holds this marker (plus one) so that misuse
  // can be told from a live count.
  static constexpr int32_t kPreAdoptSentinel = static_cast<int32_t>(0xC0000000u);

  constexpr RefCountedBase()
      : ref_count_(EnableAdoptionValidator ? kPreAdoptSentinel + 1 : 1) {}
  ~RefCountedBase() {
    if constexpr (EnableAdoptionValidator) {
      // Destroyed unadopted (never owned) or at count zero: both fine.
      int32_t c = ref_count_.load(std::memory_order_relaxed);
      ZX_DEBUG_ASSERT(c == 0 || c == kPreAdoptSentinel + 1);
    }
  }

 public:
  RefCountedBase(const RefCountedBase&) = delete;
  RefCountedBase& operator=(const RefCountedBase&) = delete;

  // Takes one more reference.
  void AddRef() const {
    int32_t before = ref_count_.fetch_add(1, std::memory_order_relaxed);
    if constexpr (EnableAdoptionValidator) {
      ZX_DEBUG_ASSERT_MSG(before >= 1, "AddRef on an unadopted or dead object (count %d)",
                          before);
    }
    (void)before;
  }

  // Drops one reference; true if it was the last (the caller then deletes).
  [[nodiscard]] bool Release() const {
    int32_t before = ref_count_.fetch_sub(1, std::memory_order_release);
    if constexpr (EnableAdoptionValidator) {
      ZX_DEBUG_ASSERT_MSG(before >= 1, "Release of an unadopted or dead object (count %d)",
                          before);
    }
    if (before == 1) {
      std::atomic_thread_fence(std::memory_order_acquire);
      return true;
    }
    return false;
  }

  // Marks the object owned by its first RefPtr (count 1).
  void Adopt() const {
    if constexpr (EnableAdoptionValidator) {
      int32_t expected = kPreAdoptSentinel + 1;
      bool ok = ref_count_.compare_exchange_strong(expected, 1, std::memory_order_relaxed);
      ZX_ASSERT_MSG(ok, "adopting an object twice (count %d)", expected);
    }
  }

  // The current count (for tests and assertions only: it may change at once).
  int32_t ref_count_debug() const { return ref_count_.load(std::memory_order_relaxed); }

 private:
  mutable std::atomic<int32_t> ref_count_;
};

}  // namespace internal

template <typename T, bool EnableAdoptionValidator = ZX_DEBUG_ASSERT_IMPLEMENTED>
class RefCounted : public internal::RefCountedBase<EnableAdoptionValidator> {
 public:
  constexpr RefCounted() = default;
  ~RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  RefCounted(RefCounted&&) = delete;
  RefCounted& operator=(RefCounted&&) = delete;
};

}  // namespace fbl

#endif  // FBL_REF_COUNTED_H_
