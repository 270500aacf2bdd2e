// Guest SDK: <lib/zx/time.h> -- zx::duration, zx::basic_time<clock>
// (zx::time is the monotonic one), zx::ticks and the nsec..hour helpers.
// Written for this project to Fuchsia's public lib/zx API.
#ifndef LIB_ZX_TIME_H_
#define LIB_ZX_TIME_H_

#include <stdint.h>
#include <zircon/syscalls.h>
#include <zircon/time.h>
#include <zircon/types.h>

#include <limits>

namespace zx {

class duration {
 public:
  constexpr duration() = default;
  explicit constexpr duration(zx_duration_t value) : value_(value) {}

  static constexpr duration infinite() { return duration(ZX_TIME_INFINITE); }
  static constexpr duration infinite_past() { return duration(ZX_TIME_INFINITE_PAST); }

  constexpr zx_duration_t get() const { return value_; }

  constexpr duration operator+(duration o) const { return duration(zx_duration_add_duration(value_, o.value_)); }
  constexpr duration operator-(duration o) const { return duration(zx_duration_sub_duration(value_, o.value_)); }
  constexpr duration operator*(int64_t m) const { return duration(zx_duration_mul_int64(value_, m)); }
  constexpr duration operator/(int64_t d) const { return duration(value_ / d); }
  constexpr duration operator%(duration d) const { return duration(value_ % d.value_); }
  constexpr int64_t operator/(duration o) const { return value_ / o.value_; }
  constexpr duration operator-() const { return duration(-value_); }

  duration& operator+=(duration o) { value_ = zx_duration_add_duration(value_, o.value_); return *this; }
  duration& operator-=(duration o) { value_ = zx_duration_sub_duration(value_, o.value_); return *this; }
  duration& operator*=(int64_t m) { value_ = zx_duration_mul_int64(value_, m); return *this; }
  duration& operator/=(int64_t d) { value_ /= d; return *this; }

  constexpr bool operator==(duration o) const { return value_ == o.value_; }
  constexpr bool operator!=(duration o) const { return value_ != o.value_; }
  constexpr bool operator<(duration o) const { return value_ < o.value_; }
  constexpr bool operator<=(duration o) const { return value_ <= o.value_; }
  constexpr bool operator>(duration o) const { return value_ > o.value_; }
  constexpr bool operator>=(duration o) const { return value_ >= o.value_; }

  constexpr int64_t to_nsecs() const { return value_; }
  constexpr int64_t to_usecs() const { return value_ / ZX_USEC(1); }
  constexpr int64_t to_msecs() const { return value_ / ZX_MSEC(1); }
  constexpr int64_t to_secs() const { return value_ / ZX_SEC(1); }
  constexpr int64_t to_mins() const { return value_ / ZX_MIN(1); }
  constexpr int64_t to_hours() const { return value_ / ZX_HOUR(1); }

 private:
  zx_duration_t value_ = 0;
};

constexpr duration operator*(int64_t m, duration d) { return d * m; }

class ticks {
 public:
  constexpr ticks() = default;
  explicit constexpr ticks(zx_ticks_t value) : value_(value) {}
  static ticks now() { return ticks(zx_ticks_get()); }
  static ticks per_second() { return ticks(zx_ticks_per_second()); }
  constexpr zx_ticks_t get() const { return value_; }
  constexpr ticks operator+(ticks o) const { return ticks(value_ + o.value_); }
  constexpr ticks operator-(ticks o) const { return ticks(value_ - o.value_); }
  constexpr ticks operator*(uint64_t m) const { return ticks(value_ * static_cast<zx_ticks_t>(m)); }
  constexpr ticks operator/(uint64_t d) const { return ticks(value_ / static_cast<zx_ticks_t>(d)); }
  constexpr uint64_t operator/(ticks o) const { return static_cast<uint64_t>(value_ / o.value_); }
  ticks& operator+=(ticks o) { value_ += o.value_; return *this; }
  ticks& operator-=(ticks o) { value_ -= o.value_; return *this; }
  constexpr bool operator==(ticks o) const { return value_ == o.value_; }
  constexpr bool operator!=(ticks o) const { return value_ != o.value_; }
  constexpr bool operator<(ticks o) const { return value_ < o.value_; }
  constexpr bool operator<=(ticks o) const { return value_ <= o.value_; }
  constexpr bool operator>(ticks o) const { return value_ > o.value_; }
  constexpr bool operator>=(ticks o) const { return value_ >= o.value_; }

 private:
  zx_ticks_t value_ = 0;
};

template <zx_clock_t kClockId>
class basic_time {
 public:
  constexpr basic_time() = default;
  explicit constexpr basic_time(zx_time_t value) : value_(value) {}

  static constexpr basic_time<kClockId> infinite() { return basic_time<kClockId>(ZX_TIME_INFINITE); }
  static constexpr basic_time<kClockId> infinite_past() {
    return basic_time<kClockId>(ZX_TIME_INFINITE_PAST);
  }

  constexpr zx_time_t get() const { return value_; }
  zx_time_t* get_address() { return &value_; }

  constexpr duration operator-(basic_time<kClockId> o) const {
    return duration(zx_time_sub_time(value_, o.value_));
  }
  constexpr basic_time<kClockId> operator+(duration d) const {
    return basic_time<kClockId>(zx_time_add_duration(value_, d.get()));
  }
  constexpr basic_time<kClockId> operator-(duration d) const {
    return basic_time<kClockId>(zx_time_sub_duration(value_, d.get()));
  }
  basic_time<kClockId>& operator+=(duration d) { value_ = zx_time_add_duration(value_, d.get()); return *this; }
  basic_time<kClockId>& operator-=(duration d) { value_ = zx_time_sub_duration(value_, d.get()); return *this; }

  constexpr bool operator==(basic_time<kClockId> o) const { return value_ == o.value_; }
  constexpr bool operator!=(basic_time<kClockId> o) const { return value_ != o.value_; }
  constexpr bool operator<(basic_time<kClockId> o) const { return value_ < o.value_; }
  constexpr bool operator<=(basic_time<kClockId> o) const { return value_ <= o.value_; }
  constexpr bool operator>(basic_time<kClockId> o) const { return value_ > o.value_; }
  constexpr bool operator>=(basic_time<kClockId> o) const { return value_ >= o.value_; }

 private:
  zx_time_t value_ = 0;
};

template <zx_clock_t kClockId>
constexpr basic_time<kClockId> operator+(duration d, basic_time<kClockId> t) { return t + d; }

using time = basic_time<ZX_CLOCK_MONOTONIC>;
using time_monotonic = basic_time<ZX_CLOCK_MONOTONIC>;
using instant_mono = basic_time<ZX_CLOCK_MONOTONIC>;
using time_boot = basic_time<ZX_CLOCK_BOOT>;
using instant_boot = basic_time<ZX_CLOCK_BOOT>;

constexpr duration nsec(int64_t n) { return duration(ZX_NSEC(n)); }
constexpr duration usec(int64_t n) { return duration(ZX_USEC(n)); }
constexpr duration msec(int64_t n) { return duration(ZX_MSEC(n)); }
constexpr duration sec(int64_t n) { return duration(ZX_SEC(n)); }
constexpr duration min(int64_t n) { return duration(ZX_MIN(n)); }
constexpr duration hour(int64_t n) { return duration(ZX_HOUR(n)); }

inline zx_status_t nanosleep(zx::time deadline) { return zx_nanosleep(deadline.get()); }

inline time deadline_after(zx::duration nanoseconds) {
  return time(zx_deadline_after(nanoseconds.get()));
}

}  // namespace zx

#endif  // LIB_ZX_TIME_H_
