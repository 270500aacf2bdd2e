//! The kernel-object base: koids, names, object types and downcasting.
//!
//! Every object a handle can name implements [`KernelObject`]. The common
//! state lives in [`KObjectBase`]; concrete types embed one and expose it.

use crate::sync::{Condvar, Mutex};
use std::any::Any;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

/// A kernel object id (`zx_koid_t`). 0 is `ZX_KOID_INVALID`.
pub type Koid = u64;

/// `ZX_MAX_NAME_LEN`: names hold at most 31 bytes plus a NUL.
pub const ZX_MAX_NAME_LEN: usize = 32;

/// Object types (`ZX_OBJ_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
#[expect(missing_docs, reason = "each variant is the ZX_OBJ_TYPE_* of its name")]
pub enum ObjType {
    None = 0,
    Process = 1,
    Thread = 2,
    Vmo = 3,
    Channel = 4,
    Event = 5,
    Port = 6,
    Interrupt = 9,
    DebugLog = 12,
    Socket = 14,
    Resource = 15,
    EventPair = 16,
    Job = 17,
    Vmar = 18,
    Fifo = 19,
    Timer = 22,
    SuspendToken = 27,
    Pager = 28,
    Exception = 29,
    Clock = 30,
    Stream = 31,
    Counter = 34,
}

static NEXT_KOID: AtomicU64 = AtomicU64::new(1024);

/// Returns a fresh, never reused koid.
pub fn new_koid() -> Koid {
    NEXT_KOID.fetch_add(1, Ordering::Relaxed)
}

/// `ZX_OBJECT_SIGNAL_*` / `ZX_*_SIGNALED` bits (`zx_signals_t`).
pub mod signals {
    /// `ZX_CHANNEL_READABLE`
    pub const CHANNEL_READABLE: u32 = 1 << 0;
    /// `ZX_CHANNEL_WRITABLE`
    pub const CHANNEL_WRITABLE: u32 = 1 << 1;
    /// `ZX_CHANNEL_PEER_CLOSED`, `ZX_EVENTPAIR_PEER_CLOSED`
    pub const PEER_CLOSED: u32 = 1 << 2;
    /// `ZX_TASK_TERMINATED` (processes, threads, jobs)
    pub const TASK_TERMINATED: u32 = 1 << 3;
    /// `ZX_VMO_ZERO_CHILDREN`
    pub const VMO_ZERO_CHILDREN: u32 = 1 << 3;
    /// `ZX_THREAD_RUNNING`
    pub const THREAD_RUNNING: u32 = 1 << 4;
    /// `ZX_THREAD_SUSPENDED`
    pub const THREAD_SUSPENDED: u32 = 1 << 5;
    /// `ZX_EVENT_SIGNALED`, `ZX_EVENTPAIR_SIGNALED`
    pub const SIGNALED: u32 = 1 << 3;
    /// `ZX_TIMER_SIGNALED`
    pub const TIMER_SIGNALED: u32 = 1 << 3;
    /// `ZX_CLOCK_STARTED`
    pub const CLOCK_STARTED: u32 = 1 << 4;
    /// `ZX_CLOCK_UPDATED` (pulsed: observers see it, it is never left set)
    pub const CLOCK_UPDATED: u32 = 1 << 5;
    /// `ZX_COUNTER_SIGNALED` (set and cleared by `zx_object_signal`)
    pub const COUNTER_SIGNALED: u32 = 1 << 3;
    /// `ZX_COUNTER_POSITIVE`
    pub const COUNTER_POSITIVE: u32 = 1 << 4;
    /// `ZX_COUNTER_NON_POSITIVE`
    pub const COUNTER_NON_POSITIVE: u32 = 1 << 5;
    /// `ZX_USER_SIGNAL_0..7`: the bits `zx_object_signal` may change.
    pub const USER_ALL: u32 = 0xff00_0000;
}

/// Something blocked until one of several objects' signals change
/// (`zx_object_wait_one` / `wait_many`). Objects keep weak references to
/// their waiters and poke them on every change; the waiter re-reads the
/// signals itself, so a poke carries no data and cannot be lost.
#[derive(Debug, Default)]
pub struct Waiter {
    /// Whether a poke came since the last sleep, and whether the owner is
    /// asleep on `cv`; protected by this mutex, a leaf (`poke` may be
    /// called under any lock; see docs/LOCKING.md).
    poked: Mutex<WaiterState>,
    /// Signalled by a poke that finds the owner asleep; waited on with
    /// `poked`'s guard.
    cv: Condvar,
    killed: std::sync::atomic::AtomicBool,
    /// Set by a suspension of the waiting thread, taken by the wait.
    interrupted: std::sync::atomic::AtomicBool,
    /// Mirrors `poked` for the brief spin before sleeping.
    poked_hint: std::sync::atomic::AtomicBool,
}

/// What [`Waiter::poked`] protects.
#[derive(Debug, Default)]
struct WaiterState {
    poked: bool,
    /// The owner is inside `Condvar::wait` (set and cleared under the
    /// lock, so a poke either sees it or comes before the owner checks
    /// `poked`): a poke of a spinning or running owner costs no futex
    /// wake-up.
    asleep: bool,
}

/// How long a waiter spins for a poke before it sleeps: a wake-up that
/// comes within this saves two context switches (the usual case for a
/// channel ping-pong or an exception handled on another CPU); a longer wait
/// costs this much CPU once.
const SPIN_BEFORE_SLEEP: std::time::Duration = std::time::Duration::from_micros(20);

impl Waiter {
    /// Creates a waiter.
    pub fn new() -> Arc<Waiter> {
        Arc::new(Waiter::default())
    }

    /// Wakes the waiter.
    pub fn poke(&self) {
        let asleep = {
            let mut st = self.poked.lock();
            st.poked = true;
            self.poked_hint
                .store(true, std::sync::atomic::Ordering::Release);
            st.asleep
        };
        if asleep {
            self.cv.notify_all();
        }
    }

    /// Wakes the waiter for good: the thread it belongs to was killed.
    pub fn kill(&self) {
        self.killed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.poke();
    }

    /// Ends the wait for now: the waiting thread is being suspended (the
    /// wait ends with `ZX_ERR_INTERNAL_INTR_RETRY`, and the syscall is made
    /// again when the thread resumes).
    pub fn interrupt(&self) {
        self.interrupted
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.poke();
    }

    /// Returns (and clears) whether the wait was interrupted by a
    /// suspension.
    pub fn take_interrupt(&self) -> bool {
        self.interrupted
            .swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// Returns whether the waiting thread was killed (the wait must end
    /// with `ZX_ERR_INTERNAL_INTR_KILLED`).
    pub fn is_killed(&self) -> bool {
        self.killed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Blocks until poked or `deadline` (None: forever) passes; returns
    /// false on timeout. Clears the poke.
    pub fn sleep(&self, deadline: Option<Instant>) -> bool {
        self.spin_for_poke(deadline);
        let mut st = self.poked.lock();
        while !st.poked {
            st.asleep = true;
            match deadline {
                None => st = self.cv.wait(st),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        st.asleep = false;
                        return false;
                    }
                    st = self.cv.wait_timeout(st, d - now);
                }
            }
            st.asleep = false;
        }
        st.poked = false;
        self.poked_hint
            .store(false, std::sync::atomic::Ordering::Relaxed);
        true
    }

    /// Spins (with `pause`) for at most [`SPIN_BEFORE_SLEEP`], or until
    /// `deadline`, while no poke has come; only when more than one CPU can
    /// run the poker meanwhile.
    fn spin_for_poke(&self, deadline: Option<Instant>) {
        use std::sync::atomic::Ordering;
        static MULTI_CPU: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let multi = *MULTI_CPU
            .get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1));
        if !multi {
            return;
        }
        let start = Instant::now();
        let end = deadline.map_or(start + SPIN_BEFORE_SLEEP, |d| {
            d.min(start + SPIN_BEFORE_SLEEP)
        });
        loop {
            for _ in 0..64 {
                if self.poked_hint.load(Ordering::Acquire) {
                    return;
                }
                std::hint::spin_loop();
            }
            if Instant::now() >= end {
                return;
            }
        }
    }
}

/// Something told of every signal change of an object until it asks to
/// stop (`zx_object_wait_async` registrations).
pub trait SignalObserver: Send + Sync {
    /// Called with the object's signals when registered and after every
    /// change, under the object's signal lock; returns whether to stay
    /// registered. Must not touch the observed object's signals.
    fn on_signals(&self, signals: u32) -> bool;

    /// Cancels the observer if it matches `request` and has not finished
    /// yet; returns whether it did. Called under the object's signal lock;
    /// a cancelled observer is then dropped from the object.
    fn cancel(&self, request: &CancelRequest) -> bool {
        let _ = request;
        false
    }

    /// Returns whether the observer has finished (fired once or been
    /// cancelled) and can be dropped.
    fn is_finished(&self) -> bool {
        false
    }
}

/// Which async waits to cancel: those matching every field given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CancelRequest {
    /// Registered through this handle.
    pub handle: Option<crate::handle::HandleId>,
    /// Delivering to the port with this koid.
    pub port: Option<Koid>,
    /// With this key.
    pub key: Option<u64>,
}

/// What [`KObjectBase::signals`] protects.
#[derive(Default)]
struct SignalState {
    bits: u32,
    waiters: Vec<Weak<Waiter>>,
    /// Newest first: a signal change shows them the change in that order,
    /// as Zircon's dispatchers do (`AddObserver` pushes to the front), so
    /// the packets of several async waits satisfied at once are queued
    /// newest registration first.
    observers: std::collections::VecDeque<Arc<dyn SignalObserver>>,
}

impl std::fmt::Debug for SignalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalState")
            .field("bits", &self.bits)
            .field("waiters", &self.waiters.len())
            .field("observers", &self.observers.len())
            .finish()
    }
}

/// State every kernel object has.
#[derive(Debug)]
pub struct KObjectBase {
    koid: Koid,
    /// The name; protected by this mutex (a leaf).
    name: Mutex<String>,
    /// The signal bits, waiters and observers; protected by this mutex.
    /// Observers run and waiters are poked under it (docs/LOCKING.md).
    signals: Mutex<SignalState>,
    /// Handles to the object that exist (in handle tables or in flight in
    /// channel messages): `ZX_INFO_HANDLE_COUNT`.
    handles: std::sync::atomic::AtomicU32,
}

impl Default for KObjectBase {
    fn default() -> Self {
        Self::with_name("")
    }
}

impl KObjectBase {
    /// Creates the base of a new object named `name` (truncated to 31 bytes).
    pub fn with_name(name: &str) -> Self {
        let base = KObjectBase {
            koid: new_koid(),
            name: Mutex::new(String::new()),
            signals: Mutex::new(SignalState::default()),
            handles: std::sync::atomic::AtomicU32::new(0),
        };
        base.set_name(name.as_bytes());
        base
    }

    /// Returns the koid.
    pub fn koid(&self) -> Koid {
        self.koid
    }

    /// Returns how many handles to the object exist.
    pub fn handle_count(&self) -> u32 {
        self.handles.load(Ordering::SeqCst)
    }

    /// Counts a new handle (`Handle` does this).
    pub(crate) fn handle_created(&self) {
        self.handles.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a handle gone (`Handle` does this). When it was the last,
    /// every waiter is poked: a wait that ends when the object has no
    /// handles left (a `zx_channel_call` on it, which Zircon cancels then)
    /// sees it.
    pub(crate) fn handle_dropped(&self) {
        if self.handles.fetch_sub(1, Ordering::SeqCst) == 1 {
            let st = self.signals.lock();
            for w in st.waiters.iter().filter_map(|w| w.upgrade()) {
                w.poke();
            }
        }
    }

    /// Returns the name.
    pub fn name(&self) -> String {
        self.name.lock().clone()
    }

    /// Sets the name from raw bytes: stops at the first NUL, truncates to
    /// `ZX_MAX_NAME_LEN - 1` bytes (as Zircon's `Name` does) and replaces
    /// invalid UTF-8 losslessly enough for display.
    pub fn set_name(&self, raw: &[u8]) {
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let raw = &raw[..end.min(ZX_MAX_NAME_LEN - 1)];
        *self.name.lock() = String::from_utf8_lossy(raw).into_owned();
    }

    /// Returns the object's current signals.
    pub fn signals(&self) -> u32 {
        self.signals.lock().bits
    }

    /// Clears `clear` then sets `set`, waking every waiter if that changed
    /// anything.
    pub fn signal_change(&self, clear: u32, set: u32) {
        let mut st = self.signals.lock();
        let new = (st.bits & !clear) | set;
        if new == st.bits {
            return;
        }
        st.bits = new;
        st.observers.retain(|o| o.on_signals(new));
        st.waiters.retain(|w| match w.upgrade() {
            Some(w) => {
                w.poke();
                true
            }
            None => false,
        });
    }

    /// Clears `clear`, sets `set`, and shows observers `pulse` as well for
    /// this one change without keeping it (Zircon's pulsed signals, such as
    /// `ZX_CLOCK_UPDATED`): observers run even if the kept bits did not
    /// change. Waiters are poked; they re-read the kept bits only.
    pub fn signal_pulse(&self, clear: u32, set: u32, pulse: u32) {
        let mut st = self.signals.lock();
        let new = (st.bits & !clear) | set;
        if new == st.bits && pulse == 0 {
            return;
        }
        st.bits = new;
        st.observers.retain(|o| o.on_signals(new | pulse));
        // An edge-triggered observer remembers what it saw: show it the
        // pulse going away too, so the next pulse is a new edge.
        if pulse != 0 {
            st.observers.retain(|o| o.on_signals(new));
        }
        st.waiters.retain(|w| match w.upgrade() {
            Some(w) => {
                w.poke();
                true
            }
            None => false,
        });
    }

    /// Registers `waiter` and returns the current signals (atomically, so no
    /// change between the two can be missed).
    pub fn add_waiter(&self, waiter: &Arc<Waiter>) -> u32 {
        let mut st = self.signals.lock();
        st.waiters.retain(|w| w.strong_count() > 0);
        st.waiters.push(Arc::downgrade(waiter));
        st.bits
    }

    /// Registers `observer`, first showing it the current signals (it is
    /// not kept if it declines right away); it is shown later changes
    /// before the observers registered earlier.
    pub fn add_observer(&self, observer: Arc<dyn SignalObserver>) {
        let mut st = self.signals.lock();
        if observer.on_signals(st.bits) {
            st.observers.push_front(observer);
        }
    }

    /// Unregisters `waiter`.
    pub fn remove_waiter(&self, waiter: &Arc<Waiter>) {
        let mut st = self.signals.lock();
        st.waiters
            .retain(|w| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(waiter)) && w.strong_count() > 0);
    }

    /// A handle to the object with identity `handle` is going away: wakes
    /// every waiter without changing signals (those waiting through that
    /// handle see it gone and end with `CANCELED`) and cancels the async
    /// waits registered through it.
    pub fn handle_closing(&self, handle: crate::handle::HandleId) {
        let mut st = self.signals.lock();
        for w in st.waiters.iter().filter_map(|w| w.upgrade()) {
            w.poke();
        }
        if !st.observers.is_empty() {
            let request = CancelRequest {
                handle: Some(handle),
                ..CancelRequest::default()
            };
            st.observers.retain(|o| !o.cancel(&request));
        }
    }

    /// Cancels the unfinished async waits matching `request` and drops
    /// every finished one; returns whether any was cancelled.
    pub fn cancel_observers(&self, request: &CancelRequest) -> bool {
        let mut st = self.signals.lock();
        let mut any = false;
        st.observers.retain(|o| {
            any |= o.cancel(request);
            !o.is_finished()
        });
        any
    }

    /// Drops the async waits that have finished (cancelled from their
    /// port's side).
    pub fn drop_finished_observers(&self) {
        self.signals.lock().observers.retain(|o| !o.is_finished());
    }

    /// Returns the name as Zircon's fixed 32-byte NUL-padded array.
    pub fn name_bytes(&self) -> [u8; ZX_MAX_NAME_LEN] {
        let mut out = [0u8; ZX_MAX_NAME_LEN];
        let name = self.name.lock();
        let n = name.len().min(ZX_MAX_NAME_LEN - 1);
        out[..n].copy_from_slice(&name.as_bytes()[..n]);
        out
    }
}

/// A kernel object that handles can refer to.
pub trait KernelObject: Any + Send + Sync + Debug {
    /// Returns the common object state.
    fn base(&self) -> &KObjectBase;
    /// Returns the object's type.
    fn obj_type(&self) -> ObjType;
    /// Returns the koid of the related object (a process's job, a VMAR's
    /// process...), or 0.
    fn related_koid(&self) -> Koid {
        0
    }
    /// Converts to `Arc<dyn Any>` for downcasting.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;

    /// Returns the koid.
    fn koid(&self) -> Koid {
        self.base().koid()
    }
}

impl dyn KernelObject {
    /// Downcasts to a concrete object type.
    pub fn downcast_arc<T: KernelObject>(self: Arc<Self>) -> Option<Arc<T>> {
        self.into_any().downcast::<T>().ok()
    }

    /// Borrows as a concrete object type.
    pub fn downcast_ref<T: KernelObject>(&self) -> Option<&T> {
        (self as &dyn Any).downcast_ref::<T>()
    }
}

/// Implements the boilerplate of [`KernelObject`] for a type with a `base`
/// field.
#[macro_export]
macro_rules! impl_kobject {
    ($ty:ty, $kind:expr $(, related = $rel:expr)?) => {
        impl $crate::object::KernelObject for $ty {
            fn base(&self) -> &$crate::object::KObjectBase {
                &self.base
            }
            fn obj_type(&self) -> $crate::object::ObjType {
                $kind
            }
            $(fn related_koid(&self) -> $crate::object::Koid {
                let related: fn(&Self) -> $crate::object::Koid = $rel;
                related(self)
            })?
            fn into_any(
                self: ::std::sync::Arc<Self>,
            ) -> ::std::sync::Arc<dyn ::std::any::Any + Send + Sync> {
                self
            }
        }
    };
}

/// Declares a fieldless `#[repr(u32)]` enum of Zircon ABI values with
/// `as_raw` (the value guests see) and `TryFrom<u32>` (`INVALID_ARGS` for
/// a value the enum does not name).
#[macro_export]
macro_rules! abi_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $value:expr,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u32)]
        $vis enum $name {
            $($(#[$vmeta])* $variant = $value,)*
        }

        impl $name {
            /// The ABI value.
            pub const fn as_raw(self) -> u32 {
                self as u32
            }
        }

        impl ::core::convert::TryFrom<u32> for $name {
            type Error = $crate::ZxError;
            fn try_from(raw: u32) -> ::core::result::Result<Self, $crate::ZxError> {
                match raw {
                    $(v if v == $value => Ok($name::$variant),)*
                    _ => Err($crate::ZxError::INVALID_ARGS),
                }
            }
        }
    };
}
