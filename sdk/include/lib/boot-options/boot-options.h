// Guest SDK: <lib/boot-options/boot-options.h> -- struct BootOptions, the
// kernel's parsed boot command line as Fuchsia's standalone (boot) tests
// see it.
//
// This emulator has no boot command line: no program is ever a standalone
// boot test, so maybe_standalone::GetBootOptions() is always nullptr and
// code must check for that (as Fuchsia's hosted tests do).  The struct holds
// the options guest code here refers to, each at its kernel default:
// kernel.test.ram.reserve (unset), and the x86-64 user-visible choices a
// LibOS honours.  The type is complete so that code reading the options
// compiles unchanged.
#ifndef LIB_BOOT_OPTIONS_BOOT_OPTIONS_H_
#define LIB_BOOT_OPTIONS_BOOT_OPTIONS_H_

#include <stdint.h>

#include <optional>
#include <utility>

namespace boot_options {

// An option that may be unset: an std::optional that also converts back to
// one with to_std().
template <typename T>
class Optional {
 public:
  constexpr Optional() = default;
  constexpr Optional(std::nullopt_t) {}
  constexpr Optional(T value) : value_(std::move(value)) {}
  constexpr Optional(std::optional<T> value) : value_(std::move(value)) {}

  constexpr bool has_value() const { return value_.has_value(); }
  constexpr explicit operator bool() const { return value_.has_value(); }
  constexpr const T& value() const { return value_.value(); }
  constexpr T& value() { return value_.value(); }
  constexpr const T& operator*() const { return *value_; }
  constexpr const T* operator->() const { return &*value_; }
  template <typename U>
  constexpr T value_or(U&& other) const {
    return value_.value_or(std::forward<U>(other));
  }

  constexpr const std::optional<T>& to_std() const { return value_; }

  constexpr bool operator==(const Optional& other) const { return value_ == other.value_; }

 private:
  std::optional<T> value_;
};

}  // namespace boot_options

// kernel.test.ram.reserve=SIZE[,PADDR]: RAM the kernel sets aside for tests
// of physical VMOs; |paddr| is filled in by the kernel when it reserved it.
struct RamReservation {
  boot_options::Optional<uint64_t> paddr;
  uint64_t size = 0;

  constexpr bool operator==(const RamReservation& other) const {
    return paddr == other.paddr && size == other.size;
  }
};

struct BootOptions {
  // kernel.test.ram.reserve: unset (no RAM is reserved: there is no
  // physical memory to hand out here).
  boot_options::Optional<RamReservation> test_ram_reserve;

  // kernel.enable-debugging-syscalls: false, Zircon's default (the
  // emulator's debug calls answer as a production kernel's would).
  bool enable_debugging_syscalls = false;

  // kernel.enable-serial-syscalls: debug_write works (guest output), reads
  // do not.
  bool enable_serial_syscalls = false;

  // kernel.vdso.always_use_next: false (processes get the stable vDSO).
  bool always_use_next_vdso = false;
};

#endif  // LIB_BOOT_OPTIONS_BOOT_OPTIONS_H_
