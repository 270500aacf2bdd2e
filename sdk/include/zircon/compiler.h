// Guest SDK: <zircon/compiler.h> -- the subset of Fuchsia's compiler macros
// that the public headers and typical guest code rely on.
#ifndef ZIRCON_COMPILER_H_
#define ZIRCON_COMPILER_H_

// Clang's feature tests, answered "no" under gcc (as Fuchsia's header does).
#ifndef __has_feature
#define __has_feature(x) 0
#endif

#ifndef __ASSEMBLER__

#ifdef __cplusplus
#define __BEGIN_CDECLS extern "C" {
#define __END_CDECLS }
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __UNUSED __attribute__((__unused__))
#define __USED __attribute__((__used__))
#define __PACKED __attribute__((__packed__))
#define __ALIGNED(x) __attribute__((__aligned__(x)))
#define __PRINTFLIKE(fmt, args) __attribute__((__format__(__printf__, fmt, args)))
#define __SCANFLIKE(fmt, args) __attribute__((__format__(__scanf__, fmt, args)))
#define __SECTION(x) __attribute__((__section__(x)))
#define __PURE __attribute__((__pure__))
#define __CONST __attribute__((__const__))
#define __NO_RETURN __attribute__((__noreturn__))
#define __MALLOC __attribute__((__malloc__))
#define __WEAK __attribute__((__weak__))
#define __NO_INLINE __attribute__((__noinline__))
#define __ALWAYS_INLINE __attribute__((__always_inline__))
#define __EXPORT __attribute__((__visibility__("default")))
#define __LOCAL __attribute__((__visibility__("hidden")))
#define __WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))
#define __NONNULL(x) __attribute__((__nonnull__ x))
#define __LEAF_FN __attribute__((__leaf__))
#define __OPTIMIZE(x) __attribute__((__optimize__(x)))
#define __OFFSETOF(type, field) __builtin_offsetof(type, field)
#define __ISCONSTANT(x) __builtin_constant_p(x)
#define __UNREACHABLE __builtin_unreachable()
#define __FALLTHROUGH __attribute__((__fallthrough__))
#define __THREAD_ANNOTATION(x)
#define __NO_SAFESTACK

// Clang's thread-safety annotations (Fuchsia's __TA_* spellings).  gcc has
// no such analysis, so they expand to nothing; code keeps its annotations.
#define __TA_CAPABILITY(x)
#define __TA_GUARDED(x)
#define __TA_PT_GUARDED(x)
#define __TA_ACQUIRED_BEFORE(...)
#define __TA_ACQUIRED_AFTER(...)
#define __TA_REQUIRES(...)
#define __TA_REQUIRES_SHARED(...)
#define __TA_ACQUIRE(...)
#define __TA_ACQUIRE_SHARED(...)
#define __TA_RELEASE(...)
#define __TA_RELEASE_SHARED(...)
#define __TA_TRY_ACQUIRE(...)
#define __TA_TRY_ACQUIRE_SHARED(...)
#define __TA_EXCLUDES(...)
#define __TA_ASSERT(...)
#define __TA_ASSERT_SHARED(...)
#define __TA_RETURN_CAPABILITY(x)
#define __TA_SCOPED_CAPABILITY
#define __TA_NO_THREAD_SAFETY_ANALYSIS

#if defined(__cplusplus) && __cplusplus >= 201402L
#define __CONSTEXPR constexpr
#else
#define __CONSTEXPR
#endif

#define __stringify1(x) #x
#define __stringify(x) __stringify1(x)

#define countof(a) (sizeof(a) / sizeof((a)[0]))

// Overflow-checked arithmetic (used by <zircon/time.h>).
#define add_overflow(a, b, c) __builtin_add_overflow(a, b, c)
#define sub_overflow(a, b, c) __builtin_sub_overflow(a, b, c)
#define mul_overflow(a, b, c) __builtin_mul_overflow(a, b, c)

#endif  // __ASSEMBLER__

#endif  // ZIRCON_COMPILER_H_
