//! Futexes (`zx_futex_wait`, `zx_futex_wake`): per-process wait queues
//! keyed by the address of a 32-bit word in guest memory.
//!
//! The check of the word's value and the enqueueing happen under the
//! table's lock, and wakes take the same lock, so a wake between a
//! waiter's check and its sleep cannot be lost.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::object::Waiter;
use crate::{ZxError, ZxResult};

#[derive(Debug)]
struct Entry {
    waiter: Arc<Waiter>,
    woken: Arc<Mutex<bool>>,
}

/// A process's futex wait queues.
#[derive(Debug, Default)]
pub struct FutexTable {
    queues: Mutex<HashMap<usize, VecDeque<Entry>>>,
}

impl FutexTable {
    /// Waits on the futex at `addr` if `read_value()` equals `expected`
    /// (else `BAD_STATE`), until woken (`OK`) or `deadline` (`TIMED_OUT`).
    /// `read_value` runs under the table lock.
    pub fn wait(
        &self,
        addr: usize,
        expected: u32,
        read_value: &mut dyn FnMut() -> ZxResult<u32>,
        deadline: Option<Instant>,
    ) -> ZxResult {
        if !addr.is_multiple_of(4) {
            return Err(ZxError::INVALID_ARGS);
        }
        let waiter = Waiter::new();
        let woken = Arc::new(Mutex::new(false));
        {
            let mut q = self.queues.lock().unwrap();
            if read_value()? != expected {
                return Err(ZxError::BAD_STATE);
            }
            q.entry(addr).or_default().push_back(Entry {
                waiter: waiter.clone(),
                woken: woken.clone(),
            });
        }
        loop {
            if *woken.lock().unwrap() {
                return Ok(());
            }
            if !waiter.sleep(deadline) {
                // Timed out, unless a wake got in first.
                let mut q = self.queues.lock().unwrap();
                if *woken.lock().unwrap() {
                    return Ok(());
                }
                if let Some(list) = q.get_mut(&addr) {
                    list.retain(|e| !Arc::ptr_eq(&e.waiter, &waiter));
                    if list.is_empty() {
                        q.remove(&addr);
                    }
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
        let mut q = self.queues.lock().unwrap();
        if let Some(list) = q.get_mut(&addr) {
            for _ in 0..count {
                let Some(e) = list.pop_front() else { break };
                *e.woken.lock().unwrap() = true;
                e.waiter.poke();
            }
            if list.is_empty() {
                q.remove(&addr);
            }
        }
        Ok(())
    }

    /// Returns how many threads wait on `addr`.
    pub fn waiters(&self, addr: usize) -> usize {
        self.queues
            .lock()
            .unwrap()
            .get(&addr)
            .map_or(0, VecDeque::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wait_checks_value_and_wakes() {
        let t = Arc::new(FutexTable::default());
        assert_eq!(t.wait(8, 1, &mut || Ok(2), None), Err(ZxError::BAD_STATE));
        assert_eq!(
            t.wait(6, 1, &mut || Ok(1), None),
            Err(ZxError::INVALID_ARGS)
        );
        let soon = Some(Instant::now() + Duration::from_millis(5));
        assert_eq!(t.wait(8, 1, &mut || Ok(1), soon), Err(ZxError::TIMED_OUT));
        assert_eq!(t.waiters(8), 0);
        let t2 = t.clone();
        let h = std::thread::spawn(move || t2.wait(8, 1, &mut || Ok(1), None));
        while t.waiters(8) == 0 {
            std::thread::yield_now();
        }
        t.wake(8, 1).unwrap();
        assert_eq!(h.join().unwrap(), Ok(()));
    }
}
