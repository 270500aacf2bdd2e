//! Kernel clock objects (`zx_clock_create`, `zx_clock_read`,
//! `zx_clock_get_details`, `zx_clock_update`): synthetic clocks that follow
//! a reference timeline (monotonic, or boot with `ZX_CLOCK_OPT_BOOT`)
//! through an affine transformation the clock's maintainer adjusts.
//!
//! A clock keeps two transformations to its synthetic time: from reference
//! *ticks* and from reference *time*. Ticks are nanoseconds here, so the
//! two carry the same line; the ticks one holds its rate reduced, as
//! Zircon's does after multiplying by the ticks-to-time ratio. A clock that
//! was never started has the rate 0/1 and reads its backstop time.
//!
//! Updates follow Zircon's `ClockDispatcher::Update` rules, checked in its
//! order: the first update must set a value; a continuous clock takes no
//! value after that; with v2 arguments a started monotonic clock takes a
//! value only with an explicit reference time and never together with a
//! rate change; no update may move a monotonic clock back at "now" or put
//! "now" before the backstop. Zircon's writer holds a sequence lock for
//! every update that passes the argument checks, whatever its outcome, and
//! `generation_counter` counts those write sections (the one at creation
//! included); this clock counts the same sections under its mutex.
//!
//! Lock order: `Clock::state` is a leaf; signals are raised after it is
//! released.

use std::sync::Arc;

use crate::object::{signals, KObjectBase, ObjType};
use crate::sync::Mutex;
use crate::time::TimeSource;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_DEFAULT_CLOCK_RIGHTS`: basic, IO and SIGNAL.
pub const DEFAULT_CLOCK_RIGHTS: Rights = Rights::BASIC.union(Rights::IO).union(Rights::SIGNAL);

/// `ZX_CLOCK_ARGS_VERSION_SHIFT`
pub const ARGS_VERSION_SHIFT: u32 = 58;
/// `ZX_CLOCK_ARGS_VERSION_MASK`
pub const ARGS_VERSION_MASK: u64 = 0x3f << ARGS_VERSION_SHIFT;

/// `ZX_CLOCK_OPT_MONOTONIC`
pub const OPT_MONOTONIC: u64 = 1 << 0;
/// `ZX_CLOCK_OPT_CONTINUOUS`
pub const OPT_CONTINUOUS: u64 = 1 << 1;
/// `ZX_CLOCK_OPT_AUTO_START`
pub const OPT_AUTO_START: u64 = 1 << 2;
/// `ZX_CLOCK_OPT_BOOT`
pub const OPT_BOOT: u64 = 1 << 3;
/// Every creation option this emulator knows.
pub const OPTS_ALL: u64 = OPT_MONOTONIC | OPT_CONTINUOUS | OPT_AUTO_START | OPT_BOOT;

/// `ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID` (v1: `VALUE_VALID`)
pub const UPDATE_SYNTHETIC_VALUE_VALID: u64 = 1 << 0;
/// `ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID`
pub const UPDATE_RATE_ADJUST_VALID: u64 = 1 << 1;
/// `ZX_CLOCK_UPDATE_OPTION_ERROR_BOUND_VALID`
pub const UPDATE_ERROR_BOUND_VALID: u64 = 1 << 2;
/// `ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID` (v2 only)
pub const UPDATE_REFERENCE_VALUE_VALID: u64 = 1 << 3;
/// `ZX_CLOCK_UPDATE_OPTIONS_ALL`
pub const UPDATE_OPTIONS_ALL: u64 = UPDATE_SYNTHETIC_VALUE_VALID
    | UPDATE_RATE_ADJUST_VALID
    | UPDATE_ERROR_BOUND_VALID
    | UPDATE_REFERENCE_VALUE_VALID;
/// `ZX_CLOCK_UPDATE_MIN_RATE_ADJUST` (parts per million)
pub const MIN_RATE_ADJUST: i32 = -1000;
/// `ZX_CLOCK_UPDATE_MAX_RATE_ADJUST`
pub const MAX_RATE_ADJUST: i32 = 1000;
/// `ZX_CLOCK_UNKNOWN_ERROR`
pub const UNKNOWN_ERROR: u64 = u64::MAX;

/// Returns the `ZX_CLOCK_ARGS_VERSION` encoded in `options`.
pub fn args_version(options: u64) -> u64 {
    (options & ARGS_VERSION_MASK) >> ARGS_VERSION_SHIFT
}

/// Scales `value` by `num / den`, rounding towards negative infinity and
/// saturating at the ends of `i64` (Zircon's `affine::Ratio::Scale`).
fn scale(value: i64, num: u32, den: u32) -> i64 {
    debug_assert!(den != 0);
    let product = i128::from(value) * i128::from(num);
    let q = product.div_euclid(i128::from(den));
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Returns `num / den` in lowest terms (0/1 for zero).
fn reduce(num: u32, den: u32) -> (u32, u32) {
    if num == 0 {
        return (0, 1);
    }
    let (mut a, mut b) = (num, den);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    (num / a, den / a)
}

/// A line from a reference timeline to the synthetic one
/// (`zx_clock_transformation_t`): `synthetic = (reference -
/// reference_offset) * synthetic_ticks / reference_ticks +
/// synthetic_offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transform {
    /// `reference_offset`
    pub reference_offset: i64,
    /// `synthetic_offset`
    pub synthetic_offset: i64,
    /// `rate.synthetic_ticks`
    pub synthetic_ticks: u32,
    /// `rate.reference_ticks`
    pub reference_ticks: u32,
}

impl Transform {
    fn new(reference_offset: i64, synthetic_offset: i64, (num, den): (u32, u32)) -> Transform {
        Transform {
            reference_offset,
            synthetic_offset,
            synthetic_ticks: num,
            reference_ticks: den,
        }
    }

    fn ratio(&self) -> (u32, u32) {
        (self.synthetic_ticks, self.reference_ticks)
    }

    /// Maps a reference value to the synthetic timeline (saturating, as
    /// Zircon's `affine::Transform::Apply`).
    pub fn apply(&self, reference: i64) -> i64 {
        scale(
            reference.saturating_sub(self.reference_offset),
            self.synthetic_ticks,
            self.reference_ticks,
        )
        .saturating_add(self.synthetic_offset)
    }
}

/// `zx_clock_details_v1_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockDetails {
    /// The creation options (without the version bits).
    pub options: u64,
    /// The backstop time.
    pub backstop_time: i64,
    /// Reference ticks → synthetic time.
    pub reference_ticks_to_synthetic: Transform,
    /// Reference time → synthetic time.
    pub reference_to_synthetic: Transform,
    /// The error bound last set (`ZX_CLOCK_UNKNOWN_ERROR` until then).
    pub error_bound: u64,
    /// When these details were taken, in reference ticks.
    pub query_ticks: i64,
    /// When the value was last set (0: never).
    pub last_value_update_ticks: i64,
    /// When the rate was last changed (or the clock started; 0: never).
    pub last_rate_adjust_update_ticks: i64,
    /// When the error bound was last set (0: never).
    pub last_error_bounds_update_ticks: i64,
    /// How many write sections the clock has had.
    pub generation_counter: u32,
}

/// Which `zx_clock_update_args_v*_t` an update came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateVersion {
    /// `zx_clock_update_args_v1_t`: no reference value.
    V1,
    /// `zx_clock_update_args_v2_t`.
    V2,
}

/// A decoded `zx_clock_update` request. `options` holds only
/// `ZX_CLOCK_UPDATE_OPTION_*` bits (the syscall layer checked them and the
/// rate range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockUpdate {
    /// The argument structure's version.
    pub version: UpdateVersion,
    /// `ZX_CLOCK_UPDATE_OPTION_*` bits.
    pub options: u64,
    /// `rate_adjust` (ppm).
    pub rate_adjust: i32,
    /// `synthetic_value` (v1: `value`).
    pub synthetic_value: i64,
    /// `reference_value` (v2 only).
    pub reference_value: i64,
    /// `error_bound`.
    pub error_bound: u64,
}

/// What [`Clock::state`] protects.
#[derive(Debug, Clone, Copy)]
struct ClockState {
    ticks_to_synthetic: Transform,
    reference_to_synthetic: Transform,
    error_bound: u64,
    last_value_update_ticks: i64,
    last_rate_adjust_update_ticks: i64,
    last_error_bounds_update_ticks: i64,
    cur_ppm_adj: i32,
    generation: u32,
}

impl ClockState {
    fn is_started(&self) -> bool {
        self.reference_to_synthetic.synthetic_ticks != 0
    }
}

/// A clock object.
#[derive(Debug)]
pub struct Clock {
    base: KObjectBase,
    options: u64,
    backstop: i64,
    /// The reference timeline (ticks = nanoseconds).
    time: Arc<dyn TimeSource>,
    /// Transformations and update records; protected by this mutex (a
    /// leaf).
    state: Mutex<ClockState>,
}

impl_kobject!(Clock, ObjType::Clock);

impl Clock {
    /// Creates a clock (`ZX_CLOCK_OPT_*` `options`, version bits ignored)
    /// following `time`: unknown options, continuous without monotonic, a
    /// negative backstop or an auto-started clock whose backstop is later
    /// than now are `INVALID_ARGS`.
    pub fn create(options: u64, backstop: i64, time: Arc<dyn TimeSource>) -> ZxResult<Arc<Clock>> {
        let options = options & !ARGS_VERSION_MASK;
        if options & !OPTS_ALL != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if options & OPT_CONTINUOUS != 0 && options & OPT_MONOTONIC == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let now = time.now();
        let auto = options & OPT_AUTO_START != 0;
        if (auto && backstop > now) || backstop < 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let stopped = Transform::new(0, backstop, (0, 1));
        let mut state = ClockState {
            ticks_to_synthetic: stopped,
            reference_to_synthetic: stopped,
            error_bound: UNKNOWN_ERROR,
            last_value_update_ticks: 0,
            last_rate_adjust_update_ticks: 0,
            last_error_bounds_update_ticks: 0,
            cur_ppm_adj: 0,
            // Creation publishes the initial state in one write section.
            generation: 1,
        };
        if auto {
            // A clone of the reference: the identity line.
            let now_ticks = time.now();
            state.ticks_to_synthetic = Transform::new(0, 0, (1, 1));
            state.reference_to_synthetic = Transform::new(0, 0, (1, 1));
            state.last_value_update_ticks = now_ticks;
            state.last_rate_adjust_update_ticks = now_ticks;
        }
        let clock = Arc::new(Clock {
            base: KObjectBase::default(),
            options,
            backstop,
            time,
            state: Mutex::new(state),
        });
        if auto {
            clock.base.signal_change(0, signals::CLOCK_STARTED);
        }
        Ok(clock)
    }

    /// Returns the clock's current synthetic time (`zx_clock_read`).
    pub fn read(&self) -> i64 {
        let st = self.state.lock();
        st.ticks_to_synthetic.apply(self.time.now())
    }

    /// Returns `zx_clock_details_v1_t`.
    pub fn details(&self) -> ClockDetails {
        let st = self.state.lock();
        ClockDetails {
            options: self.options,
            backstop_time: self.backstop,
            reference_ticks_to_synthetic: st.ticks_to_synthetic,
            reference_to_synthetic: st.reference_to_synthetic,
            error_bound: st.error_bound,
            query_ticks: self.time.now(),
            last_value_update_ticks: st.last_value_update_ticks,
            last_rate_adjust_update_ticks: st.last_rate_adjust_update_ticks,
            last_error_bounds_update_ticks: st.last_error_bounds_update_ticks,
            generation_counter: st.generation,
        }
    }

    fn is_monotonic(&self) -> bool {
        self.options & OPT_MONOTONIC != 0
    }

    fn is_continuous(&self) -> bool {
        self.options & OPT_CONTINUOUS != 0
    }

    /// Applies an update (`zx_clock_update`). On success `ZX_CLOCK_STARTED`
    /// is asserted if this update started the clock, and `ZX_CLOCK_UPDATED`
    /// is pulsed.
    pub fn update(&self, u: &ClockUpdate) -> ZxResult {
        let do_set = u.options & UPDATE_SYNTHETIC_VALUE_VALID != 0;
        let do_rate = u.options & UPDATE_RATE_ADJUST_VALID != 0;
        let with_reference = u.options & UPDATE_REFERENCE_VALUE_VALID != 0;
        match u.version {
            // The v1 structure has no reference value.
            UpdateVersion::V1 if with_reference => return Err(ZxError::INVALID_ARGS),
            // A reference value goes with a value, a rate, or both.
            UpdateVersion::V2 if with_reference && !do_set && !do_rate => {
                return Err(ZxError::INVALID_ARGS)
            }
            _ => {}
        }
        let started_now = {
            let mut st = self.state.lock();
            // The write section begins here, whatever its outcome.
            st.generation = st.generation.wrapping_add(1);
            let next = self.updated(&st, u, do_set, do_rate, with_reference)?;
            let started_now = !st.is_started();
            *st = next;
            started_now
        };
        let set = if started_now {
            signals::CLOCK_STARTED
        } else {
            0
        };
        self.base.signal_pulse(0, set, signals::CLOCK_UPDATED);
        Ok(())
    }

    /// Returns the state after the update `u`, or why it is refused.
    fn updated(
        &self,
        st: &ClockState,
        u: &ClockUpdate,
        do_set: bool,
        do_rate: bool,
        with_reference: bool,
    ) -> ZxResult<ClockState> {
        let started = st.is_started();
        if !do_set && !started {
            return Err(ZxError::BAD_STATE);
        }
        if do_set && started && self.is_continuous() {
            return Err(ZxError::INVALID_ARGS);
        }
        if u.version == UpdateVersion::V2 && started && self.is_monotonic() {
            if do_set && !with_reference {
                return Err(ZxError::INVALID_ARGS);
            }
            if (do_set || with_reference) && do_rate {
                return Err(ZxError::INVALID_ARGS);
            }
        }
        let mut next = *st;
        let now_ticks = self.time.now();
        // A rate change to the rate in force, at "now", changes no line.
        let same_line =
            !do_set && (!do_rate || (!with_reference && u.rate_adjust == st.cur_ppm_adj));
        if !same_line {
            // Ticks are nanoseconds: the reference time of a tick count is
            // that count, and back.
            let reference = if with_reference {
                u.reference_value
            } else {
                now_ticks
            };
            let synthetic = if do_set {
                u.synthetic_value
            } else if with_reference {
                st.reference_to_synthetic.apply(reference)
            } else {
                st.ticks_to_synthetic.apply(reference)
            };
            let (to_time, to_ticks) = if do_rate {
                let rate = ((1_000_000 + u.rate_adjust) as u32, 1_000_000);
                (rate, reduce(rate.0, rate.1))
            } else if started {
                (
                    st.reference_to_synthetic.ratio(),
                    st.ticks_to_synthetic.ratio(),
                )
            } else {
                ((1, 1), (1, 1))
            };
            next.reference_to_synthetic = Transform::new(reference, synthetic, to_time);
            next.ticks_to_synthetic = Transform::new(reference, synthetic, to_ticks);
            let new_now = next.ticks_to_synthetic.apply(now_ticks);
            if self.is_monotonic() && new_now < st.ticks_to_synthetic.apply(now_ticks) {
                return Err(ZxError::INVALID_ARGS);
            }
            if new_now < self.backstop {
                return Err(ZxError::INVALID_ARGS);
            }
        }
        if do_set {
            next.last_value_update_ticks = now_ticks;
        }
        if do_rate || !started {
            next.last_rate_adjust_update_ticks = now_ticks;
            next.cur_ppm_adj = if do_rate { u.rate_adjust } else { 0 };
        }
        if u.options & UPDATE_ERROR_BOUND_VALID != 0 {
            next.last_error_bounds_update_ticks = now_ticks;
            next.error_bound = u.error_bound;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;
    use crate::time::ManualTime;

    fn v2(options: u64) -> ClockUpdate {
        ClockUpdate {
            version: UpdateVersion::V2,
            options,
            rate_adjust: 0,
            synthetic_value: 0,
            reference_value: 0,
            error_bound: 0,
        }
    }

    fn clock(options: u64, backstop: i64) -> (Arc<ManualTime>, Arc<Clock>) {
        let time = Arc::new(ManualTime::new(1_000_000_000));
        let c = Clock::create(options, backstop, time.clone()).unwrap();
        (time, c)
    }

    #[test]
    fn scale_floors_and_saturates() {
        assert_eq!(scale(10, 1, 3), 3);
        assert_eq!(scale(-10, 1, 3), -4);
        assert_eq!(scale(i64::MAX, 2, 1), i64::MAX);
        assert_eq!(scale(i64::MIN, 2, 1), i64::MIN);
        assert_eq!(scale(5, 0, 1), 0);
        assert_eq!(reduce(1_000_065, 1_000_000), (200_013, 200_000));
        assert_eq!(reduce(0, 7), (0, 1));
    }

    #[test]
    fn create_validates_in_zircons_order() {
        let time: Arc<dyn TimeSource> = Arc::new(ManualTime::new(100));
        let bad = |o, b| Clock::create(o, b, time.clone()).unwrap_err();
        assert_eq!(bad(OPT_CONTINUOUS, 0), ZxError::INVALID_ARGS);
        assert_eq!(bad(1 << 57, 0), ZxError::INVALID_ARGS);
        assert_eq!(bad(0, -1), ZxError::INVALID_ARGS);
        assert_eq!(bad(OPT_AUTO_START, 101), ZxError::INVALID_ARGS);
        assert!(Clock::create(OPT_AUTO_START, 100, time.clone()).is_ok());
        // Version bits are not options.
        let c = Clock::create((1 << 58) | OPT_MONOTONIC, 5, time.clone()).unwrap();
        assert_eq!(c.details().options, OPT_MONOTONIC);
        assert_eq!(DEFAULT_CLOCK_RIGHTS.bits(), 0xD00F);
    }

    #[test]
    fn a_stopped_clock_reads_its_backstop_until_set() {
        let (time, c) = clock(0, 12_345);
        assert_eq!(c.read(), 12_345);
        time.advance(10_000_000);
        assert_eq!(c.read(), 12_345);
        let d = c.details();
        assert_eq!(d.generation_counter, 1);
        assert_eq!(d.error_bound, UNKNOWN_ERROR);
        assert_eq!(d.reference_to_synthetic.synthetic_ticks, 0);
        assert_eq!(c.base().signals(), 0);
        // An update without a value cannot start it, and still counts as
        // a write section.
        assert_eq!(
            c.update(&v2(UPDATE_RATE_ADJUST_VALID)).unwrap_err(),
            ZxError::BAD_STATE
        );
        assert_eq!(c.details().generation_counter, 2);
        let mut u = v2(UPDATE_SYNTHETIC_VALUE_VALID);
        u.synthetic_value = 1_000_000;
        c.update(&u).unwrap();
        assert_eq!(c.base().signals(), signals::CLOCK_STARTED);
        let d = c.details();
        assert_eq!(d.generation_counter, 3);
        assert_eq!(d.last_value_update_ticks, time.now());
        assert_eq!(d.last_rate_adjust_update_ticks, time.now());
        assert_eq!(d.reference_ticks_to_synthetic.reference_offset, time.now());
        assert_eq!(d.reference_to_synthetic.synthetic_offset, 1_000_000);
        time.advance(500);
        assert_eq!(c.read(), 1_000_500);
    }

    #[test]
    fn rate_changes_pivot_at_now() {
        let (time, c) = clock(0, 0);
        let mut u = v2(UPDATE_SYNTHETIC_VALUE_VALID);
        u.synthetic_value = 0;
        c.update(&u).unwrap();
        time.advance(1_000_000);
        let mut r = v2(UPDATE_RATE_ADJUST_VALID);
        r.rate_adjust = 65;
        c.update(&r).unwrap();
        let d = c.details();
        assert_eq!(d.reference_to_synthetic.synthetic_offset, 1_000_000);
        assert_eq!(d.reference_to_synthetic.ratio(), (1_000_065, 1_000_000));
        assert_eq!(d.reference_ticks_to_synthetic.ratio(), (200_013, 200_000));
        time.advance(1_000_000);
        assert_eq!(c.read(), 2_000_065);
        // The same rate again changes nothing but the record.
        let before = c.details();
        c.update(&r).unwrap();
        let after = c.details();
        assert_eq!(before.reference_to_synthetic, after.reference_to_synthetic);
        assert_eq!(after.generation_counter, before.generation_counter + 1);
    }

    #[test]
    fn monotonic_and_continuous_rules() {
        for (opts, fwd_v1, back) in [
            (0, true, true),
            (OPT_MONOTONIC, true, false),
            (OPT_MONOTONIC | OPT_CONTINUOUS, false, false),
        ] {
            let (time, c) = clock(opts, 0);
            let mut u = v2(UPDATE_SYNTHETIC_VALUE_VALID);
            u.synthetic_value = 1_000_000;
            c.update(&u).unwrap();
            let mut v1 = u;
            v1.version = UpdateVersion::V1;
            v1.synthetic_value = 1_000_000 + 86_400_000_000_000;
            assert_eq!(c.update(&v1).is_ok(), fwd_v1, "options {opts}");
            // v2 jumps forward on a monotonic clock need a reference.
            let mut f = u;
            f.synthetic_value = i64::MAX / 2;
            assert_eq!(c.update(&f).is_ok(), opts == 0);
            let mut b = v2(UPDATE_SYNTHETIC_VALUE_VALID | UPDATE_REFERENCE_VALUE_VALID);
            b.reference_value = time.now();
            b.synthetic_value = 0;
            assert_eq!(c.update(&b).is_ok(), back, "options {opts}");
            // A rate change at an explicit reference time: basic clocks only.
            let mut r = v2(UPDATE_RATE_ADJUST_VALID | UPDATE_REFERENCE_VALUE_VALID);
            r.rate_adjust = 50;
            r.reference_value = time.now() - 50_000;
            assert_eq!(c.update(&r).is_ok(), opts == 0);
            // A v1 update may not carry a reference value.
            let mut bad = r;
            bad.version = UpdateVersion::V1;
            assert_eq!(c.update(&bad).unwrap_err(), ZxError::INVALID_ARGS);
            // Nor may a v2 one carry only a reference value.
            assert_eq!(
                c.update(&v2(UPDATE_REFERENCE_VALUE_VALID)).unwrap_err(),
                ZxError::INVALID_ARGS
            );
        }
    }

    #[test]
    fn backstop_holds() {
        let (time, c) = clock(0, 12_345);
        let mut u = v2(UPDATE_SYNTHETIC_VALUE_VALID);
        u.synthetic_value = 12_344;
        assert_eq!(c.update(&u).unwrap_err(), ZxError::INVALID_ARGS);
        assert_eq!(c.read(), 12_345);
        u.synthetic_value = 12_345;
        c.update(&u).unwrap();
        // A reference time in the future puts "now" before the backstop.
        let mut b = v2(UPDATE_SYNTHETIC_VALUE_VALID | UPDATE_REFERENCE_VALUE_VALID);
        b.reference_value = time.now() + 86_400_000_000_000;
        b.synthetic_value = 12_345;
        assert_eq!(c.update(&b).unwrap_err(), ZxError::INVALID_ARGS);
        // So does a slow rate pivoting far in the past.
        let mut r = v2(UPDATE_RATE_ADJUST_VALID | UPDATE_REFERENCE_VALUE_VALID);
        r.rate_adjust = -1000;
        r.reference_value = time.now() - 1_000_000_000_000;
        assert_eq!(c.update(&r).unwrap_err(), ZxError::INVALID_ARGS);
    }

    #[test]
    fn auto_start_is_a_clone_of_the_reference() {
        let (time, c) = clock(OPT_AUTO_START | OPT_MONOTONIC, 0);
        assert_eq!(c.base().signals(), signals::CLOCK_STARTED);
        assert_eq!(c.read(), time.now());
        let d = c.details();
        assert_eq!(d.reference_to_synthetic, Transform::new(0, 0, (1, 1)));
        assert_eq!(d.last_value_update_ticks, time.now());
        let mut e = v2(UPDATE_ERROR_BOUND_VALID);
        e.error_bound = 1_234_567;
        c.update(&e).unwrap();
        assert_eq!(c.details().error_bound, 1_234_567);
        assert_eq!(c.details().last_error_bounds_update_ticks, time.now());
    }
}
