//! Timers (`zx_timer_create`, `zx_timer_set`, `zx_timer_cancel`) and the
//! queue that fires them.
//!
//! A [`Timer`] asserts `ZX_TIMER_SIGNALED` when its deadline passes; waits,
//! `zx_object_wait_async` and `zx_object_wait_many` see that signal as any
//! other. No timer owns a host thread: every armed timer is one entry of a
//! [`TimerQueue`], an ordered map keyed by (deadline, arming number), and
//! one service thread per queue sleeps until the earliest deadline, takes
//! every entry that is due and fires them. Arming and cancelling are one
//! map insertion or removal (O(log n)); the service thread is woken only
//! when an arming moves the earliest deadline forward.
//!
//! Slack: Zircon may move a deadline inside the window the slack mode
//! allows (`[d - s, d + s]` centre, `[d - s, d]` early, `[d, d + s]` late)
//! to coalesce timers. This queue does not coalesce: every timer fires at
//! its deadline, which lies in the window of every mode.
//!
//! Lock order: `Timer::state` → `KObjectBase::signals` (and the observers
//! and port queues below it); `Timer::state` → `TimerQueue::inner`. The
//! service thread takes `TimerQueue::inner` alone, releases it, then fires
//! each due timer (its `state`), so the two never nest the other way.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use crate::object::{signals, KObjectBase, ObjType};
use crate::sync::{Condvar, Mutex};
use crate::time::{HostTime, TimeSource, CLOCK_BOOT, CLOCK_MONOTONIC};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_DEFAULT_TIMER_RIGHTS`: basic, WRITE and SIGNAL.
pub const DEFAULT_TIMER_RIGHTS: Rights = Rights::BASIC.union(Rights::WRITE).union(Rights::SIGNAL);

/// `ZX_TIMER_SIGNALED`
pub const TIMER_SIGNALED: u32 = signals::TIMER_SIGNALED;

crate::abi_enum! {
    /// How a timer may be moved to coalesce with others
    /// (`ZX_TIMER_SLACK_*`, the options of `zx_timer_create`).
    pub enum SlackMode {
        /// `ZX_TIMER_SLACK_CENTER`: early or late.
        Center = 0,
        /// `ZX_TIMER_SLACK_EARLY`: only early.
        Early = 1,
        /// `ZX_TIMER_SLACK_LATE`: only late.
        Late = 2,
    }
}

/// A queue entry's key: the deadline, then a number unique to the arming
/// (two timers may share a deadline; one timer re-armed gets a new one).
type Key = (i64, u64);

/// What [`TimerQueue::inner`] protects.
#[derive(Debug, Default)]
struct QueueInner {
    /// Armed timers by deadline. Weak: a timer whose last handle and
    /// reference went away is not kept alive by its entry (its `Drop`
    /// removes the entry).
    entries: BTreeMap<Key, Weak<Timer>>,
    /// The next arming number.
    next_seq: u64,
    /// Whether the service thread runs (only queues made by
    /// [`TimerQueue::with_service`] start one).
    service_started: bool,
}

/// The armed timers of one timeline, in deadline order.
#[derive(Debug)]
pub struct TimerQueue {
    time: Arc<dyn TimeSource>,
    /// Whether arming a timer starts the service thread.
    serviced: bool,
    /// Entries, the arming counter and the service state; protected by this
    /// mutex. Taken under a timer's `state`; never held while a timer fires.
    inner: Mutex<QueueInner>,
    /// Wakes the service thread when the earliest deadline moves forward.
    wake: Condvar,
}

impl TimerQueue {
    /// Creates a queue reading `time` that fires only when
    /// [`TimerQueue::fire_due`] is called (unit tests drive it by hand).
    pub fn manual(time: Arc<dyn TimeSource>) -> Arc<TimerQueue> {
        Arc::new(TimerQueue {
            time,
            serviced: false,
            inner: Mutex::new(QueueInner::default()),
            wake: Condvar::default(),
        })
    }

    /// Creates a queue reading `time` whose own host thread (started when
    /// the first timer is armed) fires timers when they are due.
    pub fn with_service(time: Arc<dyn TimeSource>) -> Arc<TimerQueue> {
        Arc::new(TimerQueue {
            time,
            serviced: true,
            inner: Mutex::new(QueueInner::default()),
            wake: Condvar::default(),
        })
    }

    /// Returns the emulator's queue: the host's monotonic clock, with a
    /// service thread. Monotonic and boot timers share it (the emulator's
    /// two timelines are one).
    pub fn global() -> &'static Arc<TimerQueue> {
        static GLOBAL: OnceLock<Arc<TimerQueue>> = OnceLock::new();
        GLOBAL.get_or_init(|| TimerQueue::with_service(Arc::new(HostTime)))
    }

    /// Returns the current time on the queue's timeline.
    pub fn now(&self) -> i64 {
        self.time.now()
    }

    /// Returns how many timers are armed.
    pub fn armed(&self) -> usize {
        self.inner.lock().entries.len()
    }

    /// Adds an entry for `timer` at `deadline` and returns its key.
    fn insert(self: &Arc<Self>, deadline: i64, timer: Weak<Timer>) -> Key {
        let mut inner = self.inner.lock();
        let key = (deadline, inner.next_seq);
        inner.next_seq += 1;
        let earliest = inner
            .entries
            .first_key_value()
            .is_none_or(|(k, _)| key < *k);
        inner.entries.insert(key, timer);
        if self.serviced && !inner.service_started {
            inner.service_started = self.start_service();
        } else if earliest {
            self.wake.notify_one();
        }
        key
    }

    /// Removes the entry `key` if it is still queued.
    fn remove(&self, key: Key) {
        // The removed Weak is dropped after the lock (a Weak's drop frees
        // at most the allocation, never runs a Timer's Drop).
        let removed = self.inner.lock().entries.remove(&key);
        drop(removed);
    }

    /// Fires every timer whose deadline has passed and returns the earliest
    /// deadline still queued.
    pub fn fire_due(&self) -> Option<i64> {
        let now = self.now();
        let due: Vec<(Key, Weak<Timer>)> = {
            let mut inner = self.inner.lock();
            let later = inner.entries.split_off(&(now.saturating_add(1), 0));
            let due = std::mem::replace(&mut inner.entries, later);
            due.into_iter().collect()
        };
        // No queue lock held: firing takes each timer's state lock, and the
        // last reference to a timer may be dropped here (its Drop takes the
        // queue lock).
        for (key, timer) in due {
            if let Some(timer) = timer.upgrade() {
                timer.fire(key);
            }
        }
        self.inner
            .lock()
            .entries
            .first_key_value()
            .map(|(k, _)| k.0)
    }

    /// Starts the service thread; returns whether it started (if the host
    /// cannot make a thread now, the next arming tries again).
    fn start_service(self: &Arc<Self>) -> bool {
        let queue = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("zx-timers".into())
            .spawn(move || TimerQueue::serve(queue))
            .map_err(|e| log::error!("cannot start the timer thread: {e}"))
            .is_ok()
    }

    /// The service thread: fires what is due, then sleeps until the next
    /// deadline or until an arming moves it forward. Ends when the queue
    /// is gone.
    fn serve(queue: Weak<TimerQueue>) {
        loop {
            let Some(q) = queue.upgrade() else { return };
            q.fire_due();
            let inner = q.inner.lock();
            let next = inner.entries.first_key_value().map(|(k, _)| k.0);
            let now = q.now();
            match next {
                Some(d) if d <= now => continue,
                Some(d) => {
                    let wait = Duration::from_nanos(d.saturating_sub(now) as u64);
                    drop(q.wake.wait_timeout(inner, wait));
                }
                // Nothing armed: sleep until an arming wakes us, but look
                // again now and then so a dropped queue ends the thread.
                None => drop(q.wake.wait_timeout(inner, Duration::from_secs(1))),
            }
        }
    }
}

/// What [`Timer::state`] protects.
#[derive(Debug, Default)]
struct TimerState {
    /// The deadline while armed, else 0 (`zx_info_timer_t::deadline`).
    deadline: i64,
    /// The slack while armed, else 0.
    slack: i64,
    /// The queue entry while armed.
    entry: Option<Key>,
}

/// A timer object.
#[derive(Debug)]
pub struct Timer {
    base: KObjectBase,
    slack_mode: SlackMode,
    clock_id: u32,
    queue: Arc<TimerQueue>,
    /// This timer, for the entries it queues.
    this: Weak<Timer>,
    /// Deadline, slack and queue entry; protected by this mutex (signals
    /// and the queue's lock are taken under it).
    state: Mutex<TimerState>,
}

impl_kobject!(Timer, ObjType::Timer);

/// `zx_info_timer_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerInfo {
    /// The creation options (the slack mode).
    pub options: u32,
    /// `ZX_CLOCK_MONOTONIC` or `ZX_CLOCK_BOOT`.
    pub clock_id: u32,
    /// The deadline while armed, else 0.
    pub deadline: i64,
    /// The slack while armed, else 0.
    pub slack: i64,
}

impl Timer {
    /// Creates a disarmed timer on `queue` (`zx_timer_create`): `clock_id`
    /// must be `ZX_CLOCK_MONOTONIC` or `ZX_CLOCK_BOOT` and `options` a
    /// `ZX_TIMER_SLACK_*` value, else `INVALID_ARGS` (the clock is checked
    /// first, as Zircon does).
    pub fn create(options: u32, clock_id: u32, queue: &Arc<TimerQueue>) -> ZxResult<Arc<Timer>> {
        if clock_id != CLOCK_MONOTONIC && clock_id != CLOCK_BOOT {
            return Err(ZxError::INVALID_ARGS);
        }
        let slack_mode = SlackMode::try_from(options)?;
        Ok(Arc::new_cyclic(|this| Timer {
            base: KObjectBase::default(),
            slack_mode,
            clock_id,
            queue: queue.clone(),
            this: this.clone(),
            state: Mutex::new(TimerState::default()),
        }))
    }

    /// Arms the timer for `deadline` with `slack` (`zx_timer_set`; the
    /// caller checked that `slack` is not negative). A pending arming is
    /// cancelled and `ZX_TIMER_SIGNALED` cleared first; a deadline of 0 or
    /// one already passed asserts the signal at once.
    pub fn set(&self, deadline: i64, slack: i64) {
        let mut st = self.state.lock();
        self.cancel_locked(&mut st);
        if deadline == 0 || deadline <= self.queue.now() {
            self.base.signal_change(0, TIMER_SIGNALED);
            return;
        }
        st.deadline = deadline;
        st.slack = slack;
        st.entry = Some(self.queue.insert(deadline, self.this.clone()));
    }

    /// Disarms the timer and clears `ZX_TIMER_SIGNALED` (`zx_timer_cancel`).
    pub fn cancel(&self) {
        let mut st = self.state.lock();
        self.cancel_locked(&mut st);
    }

    fn cancel_locked(&self, st: &mut TimerState) {
        self.base.signal_change(TIMER_SIGNALED, 0);
        if let Some(key) = st.entry.take() {
            self.queue.remove(key);
        }
        st.deadline = 0;
        st.slack = 0;
    }

    /// Fires the arming `key` if it is still the current one.
    fn fire(&self, key: Key) {
        let mut st = self.state.lock();
        if st.entry != Some(key) {
            return; // cancelled or re-armed since the queue took it
        }
        st.entry = None;
        st.deadline = 0;
        st.slack = 0;
        self.base.signal_change(0, TIMER_SIGNALED);
    }

    /// Returns `ZX_INFO_TIMER`.
    pub fn info(&self) -> TimerInfo {
        let st = self.state.lock();
        TimerInfo {
            options: self.slack_mode.as_raw(),
            clock_id: self.clock_id,
            deadline: st.deadline,
            slack: st.slack,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(key) = self.state.get_mut().entry.take() {
            self.queue.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::KernelObject;
    use crate::time::ManualTime;

    fn setup() -> (Arc<ManualTime>, Arc<TimerQueue>) {
        let time = Arc::new(ManualTime::new(1_000));
        let queue = TimerQueue::manual(time.clone());
        (time, queue)
    }

    #[test]
    fn create_checks_clock_then_options() {
        let (_, q) = setup();
        assert_eq!(Timer::create(0, 2, &q).unwrap_err(), ZxError::INVALID_ARGS);
        assert_eq!(Timer::create(3, 0, &q).unwrap_err(), ZxError::INVALID_ARGS);
        for mode in 0..=2 {
            let t = Timer::create(mode, CLOCK_BOOT, &q).unwrap();
            assert_eq!(t.info().options, mode);
            assert_eq!(t.info().clock_id, CLOCK_BOOT);
        }
        assert_eq!(DEFAULT_TIMER_RIGHTS.bits(), 0xD00B);
    }

    #[test]
    fn fires_at_its_deadline_not_before() {
        let (time, q) = setup();
        let t = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
        t.set(1_500, 7);
        assert_eq!(
            t.info(),
            TimerInfo {
                options: 0,
                clock_id: 0,
                deadline: 1_500,
                slack: 7
            }
        );
        time.set(1_499);
        assert_eq!(q.fire_due(), Some(1_500));
        assert_eq!(t.base().signals(), 0);
        time.set(1_500);
        assert_eq!(q.fire_due(), None);
        assert_eq!(t.base().signals(), TIMER_SIGNALED);
        assert_eq!((t.info().deadline, t.info().slack), (0, 0));
    }

    #[test]
    fn past_or_zero_deadlines_signal_at_once() {
        let (_, q) = setup();
        let t = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
        for d in [0, -1, i64::MIN, 1_000] {
            t.cancel();
            assert_eq!(t.base().signals(), 0);
            t.set(d, 0);
            assert_eq!(t.base().signals(), TIMER_SIGNALED, "deadline {d}");
            assert_eq!(t.info().deadline, 0);
            assert_eq!(q.armed(), 0);
        }
    }

    #[test]
    fn rearming_clears_the_signal_and_replaces_the_deadline() {
        let (time, q) = setup();
        let t = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
        t.set(0, 0);
        assert_eq!(t.base().signals(), TIMER_SIGNALED);
        t.set(5_000, 0);
        assert_eq!(t.base().signals(), 0);
        t.set(3_000, 0);
        assert_eq!(q.armed(), 1, "the first arming left the queue");
        time.set(4_000);
        q.fire_due();
        assert_eq!(t.base().signals(), TIMER_SIGNALED);
        time.set(6_000);
        q.fire_due();
        assert_eq!(t.info().deadline, 0);
    }

    #[test]
    fn cancel_disarms() {
        let (time, q) = setup();
        let t = Timer::create(2, CLOCK_MONOTONIC, &q).unwrap();
        t.cancel(); // before any set: no effect
        t.set(2_000, 10);
        t.cancel();
        assert_eq!(q.armed(), 0);
        time.set(3_000);
        q.fire_due();
        assert_eq!(t.base().signals(), 0);
        assert_eq!(t.info().deadline, 0);
    }

    #[test]
    fn many_timers_fire_in_deadline_order_and_dead_ones_leave() {
        let (time, q) = setup();
        let timers: Vec<_> = (0..50)
            .map(|i| {
                let t = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
                t.set(2_000 + (i * 37 % 50) * 10, 0);
                t
            })
            .collect();
        let dropped = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
        dropped.set(2_100, 0);
        drop(dropped);
        assert_eq!(q.armed(), 50);
        time.set(2_245);
        q.fire_due();
        let fired = timers
            .iter()
            .filter(|t| t.base().signals() == TIMER_SIGNALED)
            .count();
        assert_eq!(fired, 25);
        for t in &timers {
            let d = t.info().deadline;
            assert!(d == 0 || d > 2_245);
        }
    }

    #[test]
    fn the_service_thread_fires_on_the_host_clock() {
        let q = TimerQueue::with_service(Arc::new(HostTime));
        let t = Timer::create(0, CLOCK_MONOTONIC, &q).unwrap();
        let waiter = crate::object::Waiter::new();
        t.base().add_waiter(&waiter);
        let start = q.now();
        t.set(start + 2_000_000, 0);
        while t.base().signals() != TIMER_SIGNALED {
            waiter.sleep(None);
        }
        assert!(q.now() >= start + 2_000_000, "fired before its deadline");
        t.base().remove_waiter(&waiter);
    }
}
