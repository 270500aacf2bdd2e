// Guest SDK: <lib/zx/clock.h> -- zx::clock, a kernel clock object
// (zx_clock_create / read / get_details / update), its update_args builder,
// and the static readers of the monotonic and boot timelines.  Written for
// this project to Fuchsia's public lib/zx API.  Header-only.
//
//   zx::clock c;
//   zx::clock::create(ZX_CLOCK_OPT_MONOTONIC, nullptr, &c);
//   c.update(zx::clock::update_args().set_value(zx::time(0)));  // start it at 0
#ifndef LIB_ZX_CLOCK_H_
#define LIB_ZX_CLOCK_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/time.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/clock.h>

namespace zx {

class clock final : public object<clock> {
 public:
  // What one zx_clock_update sets: each setter records its value and the
  // option bit saying it is valid.  Sent as a version-2 argument struct.
  class update_args {
   public:
    constexpr update_args() = default;

    // Forgets which values were set.
    update_args& reset() {
      options_ = 0;
      return *this;
    }
    // The clock's (synthetic) value now.
    update_args& set_value(zx::time value) {
      args_.synthetic_value = value.get();
      options_ |= ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID;
      return *this;
    }
    // The reference (monotonic or boot) time the new value applies from.
    update_args& set_reference_value(zx::time reference_value) {
      args_.reference_value = reference_value.get();
      options_ |= ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID;
      return *this;
    }
    update_args& set_both_values(zx::time reference_value, zx::time synthetic_value) {
      set_reference_value(reference_value);
      return set_value(synthetic_value);
    }
    // Parts per million faster (positive) or slower than the reference.
    update_args& set_rate_adjust(int32_t rate) {
      args_.rate_adjust = rate;
      options_ |= ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID;
      return *this;
    }
    update_args& set_error_bound(uint64_t error_bound) {
      args_.error_bound = error_bound;
      options_ |= ZX_CLOCK_UPDATE_OPTION_ERROR_BOUND_VALID;
      return *this;
    }

   private:
    friend class ::zx::clock;
    static constexpr uint32_t kArgsVersion = 2u;
    zx_clock_update_args_v2_t args_{};
    uint64_t options_ = 0;
  };

  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_CLOCK;

  constexpr clock() = default;
  explicit clock(zx_handle_t value) : object(value) {}
  explicit clock(handle&& h) : object(h.release()) {}
  clock(clock&& other) : object(other.release()) {}
  clock& operator=(clock&& other) {
    reset(other.release());
    return *this;
  }

  // The raw handle (Fuchsia's older spelling of get()).
  zx_handle_t get_handle() const { return get(); }

  // Creates a clock with |options| (ZX_CLOCK_OPT_*); |args| (may be null)
  // gives its backstop time.  The argument version is filled in here.
  static zx_status_t create(uint64_t options, const zx_clock_create_args_v1_t* args,
                            clock* result) {
    options &= ~ZX_CLOCK_ARGS_VERSION_MASK;
    if (args != nullptr) {
      options |= ZX_CLOCK_ARGS_VERSION(1);
    }
    return zx_clock_create(options, args, result->reset_and_get_address());
  }

  zx_status_t read(zx_time_t* now_out) const { return zx_clock_read(get(), now_out); }

  zx_status_t get_details(zx_clock_details_v1_t* details_out) const {
    return zx_clock_get_details(get(), ZX_CLOCK_ARGS_VERSION(1), details_out);
  }

  zx_status_t update(const update_args& args) const {
    return zx_clock_update(get(), args.options_ | ZX_CLOCK_ARGS_VERSION(update_args::kArgsVersion),
                           &args.args_);
  }

  static time get_monotonic() { return time(zx_clock_get_monotonic()); }
  static time_boot get_boot() { return time_boot(zx_clock_get_boot()); }
};

using unowned_clock = unowned<clock>;

}  // namespace zx

#endif  // LIB_ZX_CLOCK_H_
