// Guest SDK: <zircon/time.h> -- time types and overflow-safe time arithmetic.
// (zx_deadline_after() is a syscall, declared in <zircon/syscalls.h>.)
#ifndef ZIRCON_TIME_H_
#define ZIRCON_TIME_H_

#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

// zx_<instant|duration>_<mono|boot>[_ticks]_t; plain names are nanoseconds.
typedef int64_t zx_instant_mono_t;
typedef int64_t zx_instant_mono_ticks_t;
typedef int64_t zx_duration_mono_t;
typedef int64_t zx_duration_mono_ticks_t;
typedef int64_t zx_instant_boot_t;
typedef int64_t zx_instant_boot_ticks_t;
typedef int64_t zx_duration_boot_t;
typedef int64_t zx_duration_boot_ticks_t;

// Timeline-agnostic forms.
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

// Saturating arithmetic: overflow clamps to ZX_TIME_INFINITE, underflow to
// ZX_TIME_INFINITE_PAST.
__CONSTEXPR static inline int64_t __zx_time_saturate_sum(int64_t result_if_wrapped) {
  return result_if_wrapped >= 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
}

__CONSTEXPR static inline zx_time_t zx_time_add_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t x = 0;
  if (unlikely(add_overflow(time, duration, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_time_t zx_time_sub_duration(zx_time_t time, zx_duration_t duration) {
  zx_time_t x = 0;
  if (unlikely(sub_overflow(time, duration, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_duration_t zx_time_sub_time(zx_time_t time1, zx_time_t time2) {
  zx_duration_t x = 0;
  if (unlikely(sub_overflow(time1, time2, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_duration_t zx_duration_add_duration(zx_duration_t dur1,
                                                                 zx_duration_t dur2) {
  zx_duration_t x = 0;
  if (unlikely(add_overflow(dur1, dur2, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_duration_t zx_duration_sub_duration(zx_duration_t dur1,
                                                                 zx_duration_t dur2) {
  zx_duration_t x = 0;
  if (unlikely(sub_overflow(dur1, dur2, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_duration_t zx_duration_mul_int64(zx_duration_t duration,
                                                              int64_t multiplier) {
  zx_duration_t x = 0;
  if (unlikely(mul_overflow(duration, multiplier, &x))) {
    return ((duration > 0) == (multiplier > 0)) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return x;
}

__CONSTEXPR static inline int64_t zx_nsec_from_duration(zx_duration_t n) { return n; }

__CONSTEXPR static inline zx_duration_t zx_duration_from_nsec(int64_t n) {
  return zx_duration_mul_int64(1, n);
}
__CONSTEXPR static inline zx_duration_t zx_duration_from_usec(int64_t n) {
  return zx_duration_mul_int64(1000, n);
}
__CONSTEXPR static inline zx_duration_t zx_duration_from_msec(int64_t n) {
  return zx_duration_mul_int64(1000000, n);
}
__CONSTEXPR static inline zx_duration_t zx_duration_from_sec(int64_t n) {
  return zx_duration_mul_int64(1000000000, n);
}
__CONSTEXPR static inline zx_duration_t zx_duration_from_min(int64_t n) {
  return zx_duration_mul_int64(60000000000LL, n);
}
__CONSTEXPR static inline zx_duration_t zx_duration_from_hour(int64_t n) {
  return zx_duration_mul_int64(3600000000000LL, n);
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_add_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t x = 0;
  if (unlikely(add_overflow(ticks1, ticks2, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_sub_ticks(zx_ticks_t ticks1, zx_ticks_t ticks2) {
  zx_ticks_t x = 0;
  if (unlikely(sub_overflow(ticks1, ticks2, &x))) return __zx_time_saturate_sum(x);
  return x;
}

__CONSTEXPR static inline zx_ticks_t zx_ticks_mul_int64(zx_ticks_t ticks, int64_t multiplier) {
  zx_ticks_t x = 0;
  if (unlikely(mul_overflow(ticks, multiplier, &x))) {
    return ((ticks > 0) == (multiplier > 0)) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  }
  return x;
}

// Unit helpers: constant arguments fold at compile time; others saturate.
#define ZX_NSEC(n) (__ISCONSTANT(n) ? ((zx_duration_t)(1LL * (n))) : (zx_duration_from_nsec(n)))
#define ZX_USEC(n) (__ISCONSTANT(n) ? ((zx_duration_t)(1000LL * (n))) : (zx_duration_from_usec(n)))
#define ZX_MSEC(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(1000000LL * (n))) : (zx_duration_from_msec(n)))
#define ZX_SEC(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(1000000000LL * (n))) : (zx_duration_from_sec(n)))
#define ZX_MIN(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(60LL * 1000000000LL * (n))) : (zx_duration_from_min(n)))
#define ZX_HOUR(n) \
  (__ISCONSTANT(n) ? ((zx_duration_t)(3600LL * 1000000000LL * (n))) : (zx_duration_from_hour(n)))

__END_CDECLS

#endif  // ZIRCON_TIME_H_
