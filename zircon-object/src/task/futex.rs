//! Futexes (`zx_futex_wait`, `zx_futex_wake`, `zx_futex_requeue` and
//! their `_single_owner` forms, `zx_futex_get_owner`): per-process wait
//! queues keyed by the address of a 32-bit word in guest memory, each with
//! an optional owner thread.
//!
//! The check of the word's value and the enqueueing happen under the
//! table's lock, and wakes take the same lock, so a wake between a
//! waiter's check and its sleep cannot be lost.
//!
//! Ownership follows Zircon's rules: a futex has an owner only while
//! threads wait on it; a waiter names the owner as it joins (none clears
//! it); `wake` leaves the futex without an owner, `wake_single_owner`
//! makes the woken thread the owner; `requeue` gives the target futex the
//! owner it names. An owner that has died reads as none. Priority
//! inheritance, what ownership is for on Zircon, has no equivalent here:
//! host threads are scheduled by Linux.

use crate::sync::Mutex;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::object::{KernelObject, Waiter};
use crate::task::Thread;
use crate::{ZxError, ZxResult};

#[derive(Debug)]
struct Entry {
    waiter: Arc<Waiter>,
    /// Set by the waker; protected by this mutex (a leaf, taken under
    /// `FutexTable::queues` or alone).
    woken: Arc<Mutex<bool>>,
    /// The waiting thread, if the wait came from one (ownership: who is
    /// woken, who waits where).
    thread: Option<Weak<Thread>>,
}

impl Entry {
    fn is_thread(&self, t: &Arc<Thread>) -> bool {
        self.thread
            .as_ref()
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(t)))
    }

    fn wake(self) -> Option<Weak<Thread>> {
        *self.woken.lock() = true;
        self.waiter.poke();
        self.thread
    }
}

/// One futex's waiters (oldest first) and owner. A queue exists only while
/// it has waiters, so an empty futex has no owner.
#[derive(Debug, Default)]
struct Queue {
    waiters: VecDeque<Entry>,
    owner: Option<Weak<Thread>>,
}

/// What happens to a futex's ownership when threads are woken from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerAction {
    /// The futex is left without an owner (`zx_futex_wake`,
    /// `zx_futex_requeue`).
    Release,
    /// The one woken thread becomes the owner (`_single_owner` forms).
    AssignWoken,
}

/// A proposed owner, as the syscall layer found it: no owner, a thread, or
/// the error its handle gave, which is reported only after the futex's
/// value matched (Zircon's order).
pub type ProposedOwner = ZxResult<Option<Arc<Thread>>>;

/// A process's futex wait queues.
#[derive(Debug, Default)]
pub struct FutexTable {
    /// Every wait queue by futex address; protected by this mutex, under
    /// which the value check (a user copy: VM locks) runs. Thread locks
    /// are taken under it (to see whether a thread is dying).
    queues: Mutex<HashMap<usize, Queue>>,
}

/// `INVALID_ARGS` for a null or misaligned futex address.
fn check_addr(addr: usize) -> ZxResult {
    if addr == 0 || !addr.is_multiple_of(4) {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(())
}

/// Whether `t` waits on the futex whose queue is `q`.
fn waits_in(q: Option<&Queue>, t: &Arc<Thread>) -> bool {
    q.is_some_and(|q| q.waiters.iter().any(|e| e.is_thread(t)))
}

/// The owner a live proposed thread makes (a dying or dead one makes none).
fn live(t: Option<Arc<Thread>>) -> Option<Weak<Thread>> {
    t.filter(|t| !t.is_dead()).map(|t| Arc::downgrade(&t))
}

impl FutexTable {
    /// Waits on the futex at `addr` if `read_value()` equals `expected`
    /// (else `BAD_STATE`), until woken (`OK`) or `deadline` (`TIMED_OUT`),
    /// making `owner` the futex's owner as it joins. After the value
    /// check, in Zircon's order: the owner's handle error, then
    /// `INVALID_ARGS` if the owner is the waiting thread itself or already
    /// waits on this futex. `read_value` runs under the table lock.
    /// `thread`, if given, is the waiting thread: it reports
    /// `ZX_THREAD_STATE_BLOCKED_FUTEX` from the moment it is queued (so a
    /// waker that sees that state cannot miss it).
    pub fn wait(
        &self,
        addr: usize,
        expected: u32,
        read_value: &mut dyn FnMut() -> ZxResult<u32>,
        owner: ProposedOwner,
        deadline: Option<Instant>,
        thread: Option<Arc<Thread>>,
    ) -> ZxResult {
        check_addr(addr)?;
        let waiter = Waiter::new();
        let woken = Arc::new(Mutex::new(false));
        {
            let mut q = self.queues.lock();
            if read_value()? != expected {
                return Err(ZxError::BAD_STATE);
            }
            let owner = owner?;
            if let Some(o) = &owner {
                let is_self = thread.as_ref().is_some_and(|t| Arc::ptr_eq(t, o));
                if is_self || waits_in(q.get(&addr), o) {
                    return Err(ZxError::INVALID_ARGS);
                }
            }
            let queue = q.entry(addr).or_default();
            queue.waiters.push_back(Entry {
                waiter: waiter.clone(),
                woken: woken.clone(),
                thread: thread.as_ref().map(Arc::downgrade),
            });
            queue.owner = live(owner);
        }
        let _blocked =
            crate::task::BlockedGuard::new(thread, crate::task::BlockedReason::Futex, &waiter);
        loop {
            if *woken.lock() {
                return Ok(());
            }
            let timed_out = !waiter.sleep(deadline);
            let interrupted = waiter.take_interrupt();
            if timed_out || interrupted || waiter.is_killed() {
                // Timed out, unless a wake got in first.
                let mut q = self.queues.lock();
                if *woken.lock() {
                    return Ok(());
                }
                // A requeue may have moved us to another futex's queue; a
                // queue left empty goes, and with it its owner.
                q.retain(|_, queue| {
                    queue.waiters.retain(|e| !Arc::ptr_eq(&e.waiter, &waiter));
                    !queue.waiters.is_empty()
                });
                if waiter.is_killed() {
                    return Err(ZxError::INTERNAL_INTR_KILLED);
                }
                if interrupted {
                    // Suspended: out of the queue; the wait (and its value
                    // check) is made again on resume.
                    return Err(ZxError::INTERNAL_INTR_RETRY);
                }
                return Err(ZxError::TIMED_OUT);
            }
        }
    }

    /// Wakes up to `count` waiters of the futex at `addr`, oldest first,
    /// and leaves it without an owner (`zx_futex_wake`).
    pub fn wake(&self, addr: usize, count: u32) -> ZxResult {
        self.wake_with(addr, count, OwnerAction::Release)
    }

    /// Wakes one waiter of the futex at `addr` and makes it the owner, or
    /// leaves the futex without one if none waits
    /// (`zx_futex_wake_single_owner`).
    pub fn wake_single_owner(&self, addr: usize) -> ZxResult {
        self.wake_with(addr, 1, OwnerAction::AssignWoken)
    }

    fn wake_with(&self, addr: usize, count: u32, action: OwnerAction) -> ZxResult {
        check_addr(addr)?;
        let mut q = self.queues.lock();
        if let Some(queue) = q.get_mut(&addr) {
            Self::wake_from(queue, count, action);
            if queue.waiters.is_empty() {
                q.remove(&addr);
            }
        }
        Ok(())
    }

    /// Wakes up to `count` of `queue`'s waiters and settles its owner.
    fn wake_from(queue: &mut Queue, count: u32, action: OwnerAction) {
        let mut last = None;
        for _ in 0..count {
            let Some(e) = queue.waiters.pop_front() else {
                break;
            };
            last = e.wake();
        }
        queue.owner = match action {
            OwnerAction::Release => None,
            OwnerAction::AssignWoken => last,
        };
        if queue.waiters.is_empty() {
            queue.owner = None;
        }
    }

    /// `zx_futex_requeue` (`action` `Release`) and
    /// `zx_futex_requeue_single_owner` (`AssignWoken`, `wake` 1): if
    /// `read_value()` (under the table lock) equals `expected`, wakes up
    /// to `wake` waiters of `addr`, moves up to `requeue` of the rest to
    /// the queue of `target`, and makes `owner` the target's owner. After
    /// the value check, in Zircon's order: the owner's handle error, then
    /// `INVALID_ARGS` if the owner waits on either futex.
    #[expect(
        clippy::too_many_arguments,
        reason = "Zircon's requeue takes this many inputs"
    )]
    pub fn requeue(
        &self,
        addr: usize,
        wake: u32,
        expected: u32,
        read_value: &mut dyn FnMut() -> ZxResult<u32>,
        target: usize,
        requeue: u32,
        owner: ProposedOwner,
        action: OwnerAction,
    ) -> ZxResult {
        check_addr(addr)?;
        check_addr(target)?;
        if addr == target {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut q = self.queues.lock();
        if read_value()? != expected {
            return Err(ZxError::BAD_STATE);
        }
        let owner = owner?;
        if let Some(o) = &owner {
            if waits_in(q.get(&addr), o) || waits_in(q.get(&target), o) {
                return Err(ZxError::INVALID_ARGS);
            }
        }
        let mut from = q.remove(&addr).unwrap_or_default();
        Self::wake_from(&mut from, wake, action);
        let moved: Vec<Entry> = (0..requeue)
            .map_while(|_| from.waiters.pop_front())
            .collect();
        if !from.waiters.is_empty() {
            q.insert(addr, from);
        }
        let to = q.entry(target).or_default();
        to.waiters.extend(moved);
        if to.waiters.is_empty() {
            q.remove(&target);
        } else {
            to.owner = live(owner);
        }
        Ok(())
    }

    /// `zx_futex_get_owner`: the koid of the futex's owner, or 0
    /// (`ZX_KOID_INVALID`) if it has none or its owner has died.
    pub fn owner(&self, addr: usize) -> ZxResult<u64> {
        check_addr(addr)?;
        let q = self.queues.lock();
        Ok(q.get(&addr)
            .and_then(|queue| queue.owner.as_ref())
            .and_then(Weak::upgrade)
            .filter(|t| !t.is_dead())
            .map_or(0, |t| t.koid()))
    }

    /// Returns how many threads wait on `addr`.
    pub fn waiters(&self, addr: usize) -> usize {
        self.queues.lock().get(&addr).map_or(0, |q| q.waiters.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wait_checks_value_and_wakes() {
        let t = Arc::new(FutexTable::default());
        assert_eq!(
            t.wait(8, 1, &mut || Ok(2), Ok(None), None, None),
            Err(ZxError::BAD_STATE)
        );
        assert_eq!(
            t.wait(6, 1, &mut || Ok(1), Ok(None), None, None),
            Err(ZxError::INVALID_ARGS)
        );
        let soon = Some(Instant::now() + Duration::from_millis(5));
        assert_eq!(
            t.wait(8, 1, &mut || Ok(1), Ok(None), soon, None),
            Err(ZxError::TIMED_OUT)
        );
        assert_eq!(t.waiters(8), 0);
        let t2 = t.clone();
        let h = std::thread::spawn(move || t2.wait(8, 1, &mut || Ok(1), Ok(None), None, None));
        while t.waiters(8) == 0 {
            std::thread::yield_now();
        }
        t.wake(8, 1).unwrap();
        assert_eq!(h.join().unwrap(), Ok(()));
    }

    #[test]
    fn killing_a_waiting_thread_wakes_it() {
        use crate::task::{Job, Process, Thread};
        let hal = Arc::new(kernel_hal::fake::FakeHal::new());
        let job = Job::root();
        let process = Process::create(hal, &job, "p").unwrap();
        let thread = Thread::create(&process, b"t").unwrap();
        thread.start().unwrap();
        let t = Arc::new(FutexTable::default());
        let (t2, th2) = (t.clone(), thread.clone());
        let h =
            std::thread::spawn(move || t2.wait(16, 0, &mut || Ok(0), Ok(None), None, Some(th2)));
        while t.waiters(16) == 0 {
            std::thread::yield_now();
        }
        thread.exit();
        assert_eq!(h.join().unwrap(), Err(ZxError::INTERNAL_INTR_KILLED));
        assert_eq!(t.waiters(16), 0, "the killed waiter left the queue");
    }

    #[test]
    fn ownership_follows_waits_wakes_and_requeues() {
        use crate::task::{Job, Process, Thread};
        let hal = Arc::new(kernel_hal::fake::FakeHal::new());
        let process = Process::create(hal, &Job::root(), "p").unwrap();
        let started = |name: &[u8]| {
            let t = Thread::create(&process, name).unwrap();
            t.start().unwrap();
            t
        };
        let (a, b, owner) = (started(b"a"), started(b"b"), started(b"o"));
        let t = Arc::new(FutexTable::default());
        let spawn_wait = |addr: usize, who: &Arc<Thread>, o: Option<Arc<Thread>>| {
            let (t2, who2) = (t.clone(), who.clone());
            let before = t.waiters(addr);
            let h = std::thread::spawn(move || {
                t2.wait(addr, 0, &mut || Ok(0), Ok(o), None, Some(who2))
            });
            while t.waiters(addr) == before {
                std::thread::yield_now();
            }
            h
        };
        // The value is checked before the proposed owner's error; then a
        // waiter may not name itself.
        assert_eq!(
            t.wait(8, 1, &mut || Ok(0), Err(ZxError::BAD_HANDLE), None, None),
            Err(ZxError::BAD_STATE)
        );
        assert_eq!(
            t.wait(8, 0, &mut || Ok(0), Err(ZxError::BAD_HANDLE), None, None),
            Err(ZxError::BAD_HANDLE)
        );
        assert_eq!(
            t.wait(
                8,
                0,
                &mut || Ok(0),
                Ok(Some(a.clone())),
                None,
                Some(a.clone())
            ),
            Err(ZxError::INVALID_ARGS)
        );
        let ha = spawn_wait(8, &a, Some(owner.clone()));
        assert_eq!(t.owner(8), Ok(owner.koid()));
        // An owner already waiting on the futex is refused.
        assert_eq!(
            t.wait(
                8,
                0,
                &mut || Ok(0),
                Ok(Some(a.clone())),
                None,
                Some(b.clone())
            ),
            Err(ZxError::INVALID_ARGS)
        );
        let hb = spawn_wait(8, &b, None);
        assert_eq!(t.owner(8), Ok(0), "the newest waiter's owner replaces it");
        t.wake_single_owner(8).unwrap();
        assert_eq!(ha.join().unwrap(), Ok(()));
        assert_eq!(t.owner(8), Ok(a.koid()), "the woken thread owns it");
        // Requeue b to 16, owned there by `owner`; 8 is empty and unowned.
        t.requeue(
            8,
            0,
            0,
            &mut || Ok(0),
            16,
            1,
            Ok(Some(owner.clone())),
            OwnerAction::Release,
        )
        .unwrap();
        assert_eq!((t.owner(8), t.owner(16)), (Ok(0), Ok(owner.koid())));
        // A dead owner reads as none.
        owner.exit();
        assert_eq!(t.owner(16), Ok(0));
        t.wake(16, 1).unwrap();
        assert_eq!(hb.join().unwrap(), Ok(()));
        assert_eq!(t.owner(16), Ok(0));
        assert_eq!(t.owner(2), Err(ZxError::INVALID_ARGS));
    }
}
