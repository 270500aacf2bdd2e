//! Futexes (`zx_futex_wait`, `zx_futex_wake`): per-process wait queues
//! keyed by the address of a 32-bit word in guest memory.
//!
//! The check of the word's value and the enqueueing happen under the
//! table's lock, and wakes take the same lock, so a wake between a
//! waiter's check and its sleep cannot be lost.

use crate::sync::Mutex;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use crate::object::Waiter;
use crate::{ZxError, ZxResult};

#[derive(Debug)]
struct Entry {
    waiter: Arc<Waiter>,
    /// Set by the waker; protected by this mutex (a leaf, taken under
    /// `FutexTable::queues` or alone).
    woken: Arc<Mutex<bool>>,
}

/// A process's futex wait queues.
#[derive(Debug, Default)]
pub struct FutexTable {
    /// Every wait queue by futex address; protected by this mutex, under
    /// which the value check (a user copy: VM locks) runs.
    queues: Mutex<HashMap<usize, VecDeque<Entry>>>,
}

impl FutexTable {
    /// Waits on the futex at `addr` if `read_value()` equals `expected`
    /// (else `BAD_STATE`), until woken (`OK`) or `deadline` (`TIMED_OUT`).
    /// `read_value` runs under the table lock.
    /// `thread`, if given, reports `ZX_THREAD_STATE_BLOCKED_FUTEX` from the
    /// moment it is queued (so a waker that sees that state cannot miss it).
    pub fn wait(
        &self,
        addr: usize,
        expected: u32,
        read_value: &mut dyn FnMut() -> ZxResult<u32>,
        deadline: Option<Instant>,
        thread: Option<Arc<crate::task::Thread>>,
    ) -> ZxResult {
        if !addr.is_multiple_of(4) {
            return Err(ZxError::INVALID_ARGS);
        }
        let waiter = Waiter::new();
        let woken = Arc::new(Mutex::new(false));
        {
            let mut q = self.queues.lock();
            if read_value()? != expected {
                return Err(ZxError::BAD_STATE);
            }
            q.entry(addr).or_default().push_back(Entry {
                waiter: waiter.clone(),
                woken: woken.clone(),
            });
        }
        let _blocked =
            crate::task::BlockedGuard::new(thread, crate::task::BlockedReason::Futex, &waiter);
        loop {
            if *woken.lock() {
                return Ok(());
            }
            let timed_out = !waiter.sleep(deadline);
            if timed_out || waiter.is_killed() {
                // Timed out, unless a wake got in first.
                let mut q = self.queues.lock();
                if *woken.lock() {
                    return Ok(());
                }
                // A requeue may have moved us to another futex's queue.
                q.retain(|_, list| {
                    list.retain(|e| !Arc::ptr_eq(&e.waiter, &waiter));
                    !list.is_empty()
                });
                if waiter.is_killed() {
                    return Err(ZxError::INTERNAL_INTR_KILLED);
                }
                return Err(ZxError::TIMED_OUT);
            }
        }
    }

    /// Wakes up to `count` waiters of the futex at `addr`, oldest first.
    pub fn wake(&self, addr: usize, count: u32) -> ZxResult {
        if !addr.is_multiple_of(4) {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut q = self.queues.lock();
        if let Some(list) = q.get_mut(&addr) {
            for _ in 0..count {
                let Some(e) = list.pop_front() else { break };
                *e.woken.lock() = true;
                e.waiter.poke();
            }
            if list.is_empty() {
                q.remove(&addr);
            }
        }
        Ok(())
    }

    /// `zx_futex_requeue`: if `read_value()` (under the table lock) equals
    /// `expected`, wakes up to `wake` waiters of `addr` and moves up to
    /// `requeue` of the rest to the queue of `target`.
    pub fn requeue(
        &self,
        addr: usize,
        wake: u32,
        expected: u32,
        read_value: &mut dyn FnMut() -> ZxResult<u32>,
        target: usize,
        requeue: u32,
    ) -> ZxResult {
        if !addr.is_multiple_of(4) || !target.is_multiple_of(4) || addr == target {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut q = self.queues.lock();
        if read_value()? != expected {
            return Err(ZxError::BAD_STATE);
        }
        let mut list = q.remove(&addr).unwrap_or_default();
        for _ in 0..wake {
            let Some(e) = list.pop_front() else { break };
            *e.woken.lock() = true;
            e.waiter.poke();
        }
        let moved: Vec<Entry> = (0..requeue).map_while(|_| list.pop_front()).collect();
        if !moved.is_empty() {
            q.entry(target).or_default().extend(moved);
        }
        if !list.is_empty() {
            q.insert(addr, list);
        }
        Ok(())
    }

    /// Returns how many threads wait on `addr`.
    pub fn waiters(&self, addr: usize) -> usize {
        self.queues.lock().get(&addr).map_or(0, VecDeque::len)
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
            t.wait(8, 1, &mut || Ok(2), None, None),
            Err(ZxError::BAD_STATE)
        );
        assert_eq!(
            t.wait(6, 1, &mut || Ok(1), None, None),
            Err(ZxError::INVALID_ARGS)
        );
        let soon = Some(Instant::now() + Duration::from_millis(5));
        assert_eq!(
            t.wait(8, 1, &mut || Ok(1), soon, None),
            Err(ZxError::TIMED_OUT)
        );
        assert_eq!(t.waiters(8), 0);
        let t2 = t.clone();
        let h = std::thread::spawn(move || t2.wait(8, 1, &mut || Ok(1), None, None));
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
        let h = std::thread::spawn(move || t2.wait(16, 0, &mut || Ok(0), None, Some(th2)));
        while t.waiters(16) == 0 {
            std::thread::yield_now();
        }
        thread.exit();
        assert_eq!(h.join().unwrap(), Err(ZxError::INTERNAL_INTR_KILLED));
        assert_eq!(t.waiters(16), 0, "the killed waiter left the queue");
    }
}
