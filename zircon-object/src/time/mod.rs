//! Time: the timelines guests read, timers and kernel clock objects.
//!
//! * [`monotonic_now`] / [`boot_now`] — `ZX_CLOCK_MONOTONIC` and
//!   `ZX_CLOCK_BOOT` in nanoseconds. The emulator never suspends, so the two
//!   timelines are one; ticks are nanoseconds (`zx_ticks_per_second` is
//!   10^9), so the tick counters read the same values.
//! * [`TimeSource`] — where a timer queue or a clock object reads "now":
//!   [`HostTime`] in the emulator, [`ManualTime`] in unit tests, which move
//!   time by hand instead of sleeping.
//! * [`timer`] — `zx_timer_*` objects and the one queue that fires them.
//! * [`clock`] — `zx_clock_*` objects (synthetic clocks following a
//!   reference timeline through an affine transformation).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::LazyLock;
use std::time::Instant;

pub mod clock;
pub mod timer;

pub use clock::Clock;
pub use timer::{Timer, TimerQueue};

/// `ZX_CLOCK_MONOTONIC`
pub const CLOCK_MONOTONIC: u32 = 0;
/// `ZX_CLOCK_BOOT`
pub const CLOCK_BOOT: u32 = 1;

/// The host instant that the guests' timelines count from.
static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Nanoseconds on the monotonic timeline: since the emulator started, plus
/// one second, so that 0 (which many calls read as "already passed") is
/// never a valid "now".
pub fn monotonic_now() -> i64 {
    // 2^63 ns is 292 years: the conversion cannot overflow in practice, and
    // saturates if it ever did.
    i64::try_from(ORIGIN.elapsed().as_nanos())
        .unwrap_or(i64::MAX - 1_000_000_000)
        .saturating_add(1_000_000_000)
}

/// Nanoseconds on the boot timeline. Zircon's boot timeline also counts
/// time spent suspended; the emulator is never suspended, so it is the
/// monotonic timeline.
pub fn boot_now() -> i64 {
    monotonic_now()
}

/// A source of "now" on the reference timeline, in nanoseconds (which are
/// also ticks here).
pub trait TimeSource: Send + Sync + std::fmt::Debug {
    /// Returns the current time.
    fn now(&self) -> i64;
}

/// The host's monotonic clock, as [`monotonic_now`] reads it.
#[derive(Debug, Default, Clone, Copy)]
pub struct HostTime;

impl TimeSource for HostTime {
    fn now(&self) -> i64 {
        monotonic_now()
    }
}

/// A time source that only moves when told to (unit tests).
#[derive(Debug)]
pub struct ManualTime(AtomicI64);

impl ManualTime {
    /// Creates a source that reads `start`.
    pub fn new(start: i64) -> ManualTime {
        ManualTime(AtomicI64::new(start))
    }

    /// Moves time forward (or back) by `ns`.
    pub fn advance(&self, ns: i64) {
        self.0.fetch_add(ns, Ordering::SeqCst);
    }

    /// Sets the time to `ns`.
    pub fn set(&self, ns: i64) {
        self.0.store(ns, Ordering::SeqCst);
    }
}

impl TimeSource for ManualTime {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_start_after_zero_and_advance() {
        let a = monotonic_now();
        let b = boot_now();
        assert!(a >= 1_000_000_000);
        assert!(b >= a);
        let m = ManualTime::new(5);
        m.advance(10);
        assert_eq!(m.now(), 15);
        m.set(-3);
        assert_eq!(m.now(), -3);
    }
}
