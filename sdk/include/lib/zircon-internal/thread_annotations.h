// Guest SDK: <lib/zircon-internal/thread_annotations.h> -- Fuchsia's short
// TA_* spellings of Clang's thread-safety-analysis attributes.  Under Clang
// each expands to its attribute; under other compilers (the SDK builds with
// g++) to nothing.  Written for this project to Fuchsia's public API.
#ifndef LIB_ZIRCON_INTERNAL_THREAD_ANNOTATIONS_H_
#define LIB_ZIRCON_INTERNAL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define ZX_SDK_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ZX_SDK_THREAD_ANNOTATION(x)
#endif

// Fuchsia's header also offers the wrapper itself under this name.
#ifndef THREAD_ANNOTATION
#define THREAD_ANNOTATION(x) ZX_SDK_THREAD_ANNOTATION(x)
#endif

// A class that is a lock (a "capability"); |x| names its kind ("mutex").
#define TA_CAP(x) ZX_SDK_THREAD_ANNOTATION(capability(x))
// A member that may only be touched while holding |x|.
#define TA_GUARDED(x) ZX_SDK_THREAD_ANNOTATION(guarded_by(x))
// A pointer member whose target may only be touched while holding |x|.
#define TA_PT_GUARDED(x) ZX_SDK_THREAD_ANNOTATION(pt_guarded_by(x))
// Lock-ordering: this lock is taken before / after the ones listed.
#define TA_ACQ_BEFORE(...) ZX_SDK_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define TA_ACQ_AFTER(...) ZX_SDK_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// A function that takes the locks listed (exclusively / shared), and holds
// them on return.
#define TA_ACQ(...) ZX_SDK_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TA_ACQ_SHARED(...) ZX_SDK_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
// A function that takes them if it returns the first argument's value.
#define TA_TRY_ACQ(...) ZX_SDK_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TA_TRY_ACQ_SHARED(...) \
  ZX_SDK_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
// A function that releases the locks listed.
#define TA_REL(...) ZX_SDK_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TA_REL_SHARED(...) ZX_SDK_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// A function that checks at run time that the locks listed are held.
#define TA_ASSERT(...) ZX_SDK_THREAD_ANNOTATION(assert_capability(__VA_ARGS__))
#define TA_ASSERT_SHARED(...) ZX_SDK_THREAD_ANNOTATION(assert_shared_capability(__VA_ARGS__))
// A function that must be called with the locks listed held.
#define TA_REQ(...) ZX_SDK_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TA_REQ_SHARED(...) ZX_SDK_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// A function that must be called without them.
#define TA_EXCL(...) ZX_SDK_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function that returns a reference to lock |x|.
#define TA_RET_CAP(x) ZX_SDK_THREAD_ANNOTATION(lock_returned(x))
// An RAII class that holds a lock for its lifetime (fbl::AutoLock).
#define TA_SCOPED_CAP ZX_SDK_THREAD_ANNOTATION(scoped_lockable)
// A function the analysis skips.
#define TA_NO_THREAD_SAFETY_ANALYSIS ZX_SDK_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // LIB_ZIRCON_INTERNAL_THREAD_ANNOTATIONS_H_
