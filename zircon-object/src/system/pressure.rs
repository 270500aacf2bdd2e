//! Memory pressure: the five system events of `zx_system_get_event` and
//! the watchdog that signals exactly one of them at a time (Zircon's
//! `MemoryWatchdog` fed by the PMM's memory-availability state).
//!
//! Two machines, as in Zircon:
//! * [`AvailState`] (the PMM's part) turns free memory into a level with
//!   four watermarks and a debounce: it leaves its level only when free
//!   memory goes `debounce` below the level's lower watermark or above its
//!   upper one, then picks the level from scratch.
//! * [`Watchdog`] (the watchdog thread's part) signals a new level at once
//!   if it is more severe than the one signalled last, and a less severe
//!   one only once `hysteresis` has passed since it last looked.
//!
//! Free memory is the guests' memory budget ([`Hal::physmem_bytes`]) less
//! what they hold ([`Hal::used_memory_bytes`]). Zircon's PMM re-evaluates
//! on every page allocation; here guests commit pages natively (Linux page
//! faults), so a host thread samples the pool every [`POLL`] instead.
//! The watermarks come from Zircon's boot options of the same names
//! (defaults 50, +10, 150 and 300 MiB, debounce 1 MiB, hysteresis 10 s);
//! the environment variable [`OOM_ENV`] overrides them, e.g.
//! `ZX_LIBOS_OOM=outofmemory-mb=8,critical-mb=16,warning-mb=24,hysteresis-seconds=0`.
//! Reaching OUT_OF_MEMORY only signals its event: the emulator neither
//! kills jobs nor reboots, which Zircon's `kernel.oom.behavior` would.
//!
//! Lock order: `MemoryWatchdog::state` → `KObjectBase::signals` (of the
//! events); nothing is taken inside.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kernel_hal::{Hal, HalRef};

use crate::ipc::Event;
use crate::object::{signals, KernelObject};
use crate::sync::Mutex;
use crate::Rights;

/// `ZX_SYSTEM_EVENT_OUT_OF_MEMORY`
pub const EVENT_OUT_OF_MEMORY: u32 = 1;
/// `ZX_SYSTEM_EVENT_MEMORY_PRESSURE_CRITICAL`
pub const EVENT_MEMORY_PRESSURE_CRITICAL: u32 = 2;
/// `ZX_SYSTEM_EVENT_MEMORY_PRESSURE_WARNING`
pub const EVENT_MEMORY_PRESSURE_WARNING: u32 = 3;
/// `ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL`
pub const EVENT_MEMORY_PRESSURE_NORMAL: u32 = 4;
/// `ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY`
pub const EVENT_IMMINENT_OUT_OF_MEMORY: u32 = 5;

/// `ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS`: WAIT, DUPLICATE and
/// TRANSFER (not SIGNAL: guests cannot signal these events).
pub const SYSTEM_EVENT_RIGHTS: Rights = Rights::WAIT
    .union(Rights::DUPLICATE)
    .union(Rights::TRANSFER);

/// The environment variable that sets the watermarks.
pub const OOM_ENV: &str = "ZX_LIBOS_OOM";

/// How often the watchdog thread samples free memory.
pub const POLL: Duration = Duration::from_millis(10);

/// The levels, most severe first (Zircon's `PressureLevel` order).
pub const OUT_OF_MEMORY: usize = 0;
/// A little above OUT_OF_MEMORY.
pub const IMMINENT_OUT_OF_MEMORY: usize = 1;
/// Critically low.
pub const CRITICAL: usize = 2;
/// Approaching critical.
pub const WARNING: usize = 3;
/// Healthy.
pub const NORMAL: usize = 4;
const LEVELS: usize = 5;

/// Returns the level of a `ZX_SYSTEM_EVENT_*` kind, or `None`.
pub fn level_of_kind(kind: u32) -> Option<usize> {
    match kind {
        EVENT_OUT_OF_MEMORY => Some(OUT_OF_MEMORY),
        EVENT_IMMINENT_OUT_OF_MEMORY => Some(IMMINENT_OUT_OF_MEMORY),
        EVENT_MEMORY_PRESSURE_CRITICAL => Some(CRITICAL),
        EVENT_MEMORY_PRESSURE_WARNING => Some(WARNING),
        EVENT_MEMORY_PRESSURE_NORMAL => Some(NORMAL),
        _ => None,
    }
}

const MB: u64 = 1 << 20;

/// Watermarks and timing (Zircon's `kernel.oom.*` boot options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OomConfig {
    /// `outofmemory-mb`
    pub outofmemory_mb: u64,
    /// `imminent-oom-delta-mb`
    pub imminent_oom_delta_mb: u64,
    /// `critical-mb`
    pub critical_mb: u64,
    /// `warning-mb`
    pub warning_mb: u64,
    /// `debounce-mb`
    pub debounce_mb: u64,
    /// `hysteresis-seconds`
    pub hysteresis_seconds: u64,
}

impl Default for OomConfig {
    fn default() -> Self {
        OomConfig {
            outofmemory_mb: 50,
            imminent_oom_delta_mb: 10,
            critical_mb: 150,
            warning_mb: 300,
            debounce_mb: 1,
            hysteresis_seconds: 10,
        }
    }
}

impl OomConfig {
    /// Parses `key=value,...` over the defaults; `None` for an unknown key
    /// or a value that is not a number.
    pub fn parse(s: &str) -> Option<OomConfig> {
        let mut c = OomConfig::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (k, v) = item.split_once('=')?;
            let v: u64 = v.trim().parse().ok()?;
            let field = match k.trim() {
                "outofmemory-mb" => &mut c.outofmemory_mb,
                "imminent-oom-delta-mb" => &mut c.imminent_oom_delta_mb,
                "critical-mb" => &mut c.critical_mb,
                "warning-mb" => &mut c.warning_mb,
                "debounce-mb" => &mut c.debounce_mb,
                "hysteresis-seconds" => &mut c.hysteresis_seconds,
                _ => return None,
            };
            *field = v;
        }
        Some(c)
    }

    /// Returns the configuration [`OOM_ENV`] gives (the defaults if it is
    /// unset or malformed).
    pub fn from_env() -> OomConfig {
        std::env::var(OOM_ENV)
            .ok()
            .and_then(|v| OomConfig::parse(&v))
            .unwrap_or_default()
    }

    /// Returns the four watermarks in bytes, most severe first.
    pub fn watermarks(&self) -> [u64; 4] {
        let oom = self.outofmemory_mb.saturating_mul(MB);
        [
            oom,
            oom.saturating_add(self.imminent_oom_delta_mb.saturating_mul(MB)),
            self.critical_mb.saturating_mul(MB),
            self.warning_mb.saturating_mul(MB),
        ]
    }
}

/// The PMM's memory-availability state: a level and the free-memory
/// bounds outside of which it is looked at again.
#[derive(Debug, Clone)]
pub struct AvailState {
    watermarks: [u64; 4],
    debounce: u64,
    level: usize,
    lower: u64,
    upper: u64,
}

impl AvailState {
    /// Creates the state for `free` bytes of free memory.
    pub fn new(watermarks: [u64; 4], debounce: u64, free: u64) -> AvailState {
        let mut s = AvailState {
            watermarks,
            debounce,
            level: NORMAL,
            lower: 0,
            upper: 0,
        };
        s.set(s.pick(free));
        s
    }

    /// Returns the current level.
    pub fn level(&self) -> usize {
        self.level
    }

    /// The level of `free`: the first watermark above it, else NORMAL.
    fn pick(&self, free: u64) -> usize {
        self.watermarks
            .iter()
            .position(|&w| w > free)
            .unwrap_or(self.watermarks.len())
    }

    fn set(&mut self, level: usize) {
        self.level = level;
        self.lower = match level {
            0 => 0,
            l => self.watermarks[l - 1].saturating_sub(self.debounce),
        };
        self.upper = match self.watermarks.get(level) {
            Some(w) => w.saturating_add(self.debounce),
            None => u64::MAX,
        };
    }

    /// Feeds a new free-memory figure; returns the new level if it changed
    /// (Zircon calls the watchdog back each time the bounds are crossed).
    pub fn update(&mut self, free: u64) -> Option<usize> {
        if free >= self.lower && free <= self.upper {
            return None;
        }
        let old = self.level;
        let new = self.pick(free);
        self.set(new);
        (new != old).then_some(new)
    }
}

/// The watchdog's signalling decisions.
#[derive(Debug, Clone)]
pub struct Watchdog {
    /// The level the PMM reported last.
    current: usize,
    /// The level whose event is signalled.
    signalled: usize,
    /// When the watchdog last evaluated (None: never).
    last_eval: Option<i64>,
    /// A change the watchdog has not looked at.
    pending: bool,
    /// When a postponed evaluation is due (None: none postponed).
    recheck_at: Option<i64>,
    hysteresis: i64,
}

impl Watchdog {
    /// Creates the watchdog with the PMM's first report `level`.
    pub fn new(level: usize, hysteresis_ns: i64) -> Watchdog {
        Watchdog {
            current: level,
            signalled: NORMAL,
            last_eval: None,
            pending: true,
            recheck_at: None,
            hysteresis: hysteresis_ns,
        }
    }

    /// Returns the level whose event is signalled.
    pub fn signalled(&self) -> usize {
        self.signalled
    }

    /// Records a PMM report of `level`.
    pub fn report(&mut self, level: usize) {
        self.current = level;
        self.pending = true;
    }

    /// Runs the watchdog if it would be awake at `now`; returns
    /// `(unsignal, signal)` when the signalled event changes.
    pub fn run(&mut self, now: i64) -> Option<(usize, usize)> {
        let woken = self.pending || self.recheck_at.is_some_and(|t| now >= t);
        if !woken {
            return None;
        }
        self.pending = false;
        let level = self.current;
        let due = match self.last_eval {
            None => true,
            Some(t) => level < self.signalled || now.saturating_sub(t) >= self.hysteresis,
        };
        self.last_eval = Some(now);
        if due {
            self.recheck_at = None;
            let old = std::mem::replace(&mut self.signalled, level);
            Some((old, level))
        } else {
            self.recheck_at = Some(now.saturating_add(self.hysteresis));
            None
        }
    }
}

/// The emulator's memory watchdog: the five events and the two machines.
#[derive(Debug)]
pub struct MemoryWatchdog {
    events: [Arc<Event>; LEVELS],
    /// Protected by this mutex; the events are signalled under it.
    state: Mutex<(AvailState, Watchdog)>,
    /// When the out-of-memory killer last killed a job (ns; a leaf lock).
    last_kill: Mutex<Option<i64>>,
}

/// How long the out-of-memory killer waits after a kill before it kills
/// again (Zircon's 500 ms for the system to quiesce).
const KILL_QUIESCE_NS: i64 = 500_000_000;

static WATCHDOG: OnceLock<Arc<MemoryWatchdog>> = OnceLock::new();

fn free_bytes(hal: &dyn Hal) -> u64 {
    hal.physmem_bytes().saturating_sub(hal.used_memory_bytes())
}

impl MemoryWatchdog {
    /// Creates a watchdog over `free` bytes with `config`, and signals the
    /// event of the level `free` is in.
    pub fn new(config: OomConfig, free: u64, now: i64) -> MemoryWatchdog {
        let avail = AvailState::new(
            config.watermarks(),
            config.debounce_mb.saturating_mul(MB),
            free,
        );
        let hysteresis = (config.hysteresis_seconds as i64).saturating_mul(1_000_000_000);
        let w = MemoryWatchdog {
            events: std::array::from_fn(|_| Event::new()),
            state: Mutex::new((avail.clone(), Watchdog::new(avail.level(), hysteresis))),
            last_kill: Mutex::new(None),
        };
        w.sample(free, now);
        w
    }

    /// Returns the emulator's watchdog, starting it (and its sampling
    /// thread over `hal`) on first use.
    pub fn global(hal: &HalRef) -> Arc<MemoryWatchdog> {
        WATCHDOG
            .get_or_init(|| {
                let w = Arc::new(MemoryWatchdog::new(
                    OomConfig::from_env(),
                    free_bytes(&**hal),
                    crate::time::monotonic_now(),
                ));
                let (hal, weak) = (hal.clone(), Arc::downgrade(&w));
                let _ = std::thread::Builder::new()
                    .name("memory-watchdog".into())
                    .spawn(move || {
                        while let Some(w) = weak.upgrade() {
                            w.sample(free_bytes(&*hal), crate::time::monotonic_now());
                            drop(w);
                            std::thread::sleep(POLL);
                        }
                    });
                w
            })
            .clone()
    }

    /// Returns the event of `level`.
    pub fn event(&self, level: usize) -> Arc<Event> {
        self.events[level].clone()
    }

    /// Returns the level whose event is signalled.
    pub fn signalled(&self) -> usize {
        self.state.lock().1.signalled()
    }

    /// Feeds a sample of free memory taken at `now`. At the critical level
    /// and below, reclaimable discardable VMOs are discarded. While memory
    /// is out,
    /// the out-of-memory killer takes one job marked
    /// `ZX_PROP_JOB_KILL_ON_OOM` at a time (as Zircon's `jobkill` OOM
    /// behavior; with no such job, nothing is killed and nothing reboots).
    pub fn sample(&self, free: u64, now: i64) {
        let level = {
            let mut st = self.state.lock();
            if let Some(level) = st.0.update(free) {
                st.1.report(level);
            }
            if let Some((old, new)) = st.1.run(now) {
                self.events[old].base().signal_change(signals::SIGNALED, 0);
                self.events[new].base().signal_change(0, signals::SIGNALED);
            }
            st.0.level()
        };
        // Critically low or worse: discardable VMOs go first (Zircon's
        // watchdog starts eviction there), before any job is killed.
        if level <= CRITICAL {
            crate::vm::vmo::reclaim_discardable();
        }
        let out_of_memory = level == OUT_OF_MEMORY;
        // The kill takes task locks: decided under `last_kill`, done after.
        let due = out_of_memory
            && self
                .last_kill
                .lock()
                .is_none_or(|t| now - t >= KILL_QUIESCE_NS);
        if due && crate::task::Job::kill_one_on_oom() {
            *self.last_kill.lock() = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn config() -> OomConfig {
        OomConfig::parse("outofmemory-mb=10,imminent-oom-delta-mb=2,critical-mb=20,warning-mb=40,debounce-mb=1,hysteresis-seconds=10").unwrap()
    }

    fn only_signalled(w: &MemoryWatchdog) -> usize {
        let on: Vec<usize> = (0..LEVELS)
            .filter(|&l| w.events[l].base().signals() & signals::SIGNALED != 0)
            .collect();
        assert_eq!(on.len(), 1, "exactly one event signalled: {on:?}");
        on[0]
    }

    #[test]
    fn parse_and_defaults() {
        assert_eq!(OomConfig::parse("").unwrap(), OomConfig::default());
        assert_eq!(
            OomConfig::default().watermarks(),
            [50 * MB, 60 * MB, 150 * MB, 300 * MB]
        );
        assert_eq!(config().watermarks(), [10 * MB, 12 * MB, 20 * MB, 40 * MB]);
        assert!(OomConfig::parse("bogus=1").is_none());
        assert!(OomConfig::parse("warning-mb=x").is_none());
        assert_eq!(SYSTEM_EVENT_RIGHTS.bits(), 0x4003);
        assert_eq!(level_of_kind(5), Some(IMMINENT_OUT_OF_MEMORY));
        assert_eq!(level_of_kind(0), None);
        assert_eq!(level_of_kind(6), None);
    }

    #[test]
    fn levels_with_debounce() {
        let mut a = AvailState::new(config().watermarks(), MB, 100 * MB);
        assert_eq!(a.level(), NORMAL);
        assert_eq!(a.update(40 * MB), None); // on the watermark: still normal
        assert_eq!(a.update(39 * MB + MB / 2), None); // within the debounce
        assert_eq!(a.update(38 * MB), Some(WARNING));
        assert_eq!(a.update(40 * MB + MB / 2), None); // not debounce above
        assert_eq!(a.update(42 * MB), Some(NORMAL));
        assert_eq!(a.update(5 * MB), Some(OUT_OF_MEMORY));
        assert_eq!(a.update(11 * MB), None);
        assert_eq!(a.update(11 * MB + MB / 2), Some(IMMINENT_OUT_OF_MEMORY));
        assert_eq!(a.update(15 * MB), Some(CRITICAL));
    }

    #[test]
    fn worse_at_once_better_after_hysteresis() {
        let w = MemoryWatchdog::new(config(), 100 * MB, 0);
        assert_eq!(only_signalled(&w), NORMAL);
        w.sample(15 * MB, S);
        assert_eq!(only_signalled(&w), CRITICAL);
        w.sample(5 * MB, 2 * S);
        assert_eq!(only_signalled(&w), OUT_OF_MEMORY);
        // Better again: noticed, but signalled only 10 s after that look.
        w.sample(100 * MB, 3 * S);
        assert_eq!(only_signalled(&w), OUT_OF_MEMORY);
        w.sample(100 * MB, 12 * S);
        assert_eq!(only_signalled(&w), OUT_OF_MEMORY);
        w.sample(100 * MB, 13 * S);
        assert_eq!(only_signalled(&w), NORMAL);
    }

    #[test]
    fn starts_at_the_current_level_and_zero_hysteresis_is_immediate() {
        let c = OomConfig {
            hysteresis_seconds: 0,
            ..config()
        };
        let w = MemoryWatchdog::new(c, 11 * MB, 0);
        assert_eq!(only_signalled(&w), IMMINENT_OUT_OF_MEMORY);
        w.sample(30 * MB, 1);
        assert_eq!(only_signalled(&w), WARNING);
        w.sample(100 * MB, 2);
        assert_eq!(only_signalled(&w), NORMAL);
    }

    #[test]
    fn fake_hal_feeds_the_watchdog() {
        let hal = kernel_hal::fake::FakeHal::new();
        assert_eq!(free_bytes(&hal), kernel_hal::fake::FAKE_PHYSMEM);
    }
}
