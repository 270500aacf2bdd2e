//! Suspension of a thread (`zx_task_suspend`): the count of tokens, the
//! kick or interrupted wait that stops it, and the park where it waits
//! with its context readable (see `task/suspend.rs` for the tokens).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Kicker, Thread, ThreadState};
use crate::object::signals;
use crate::{ZxError, ZxResult};

impl Thread {
    /// Adds a suspension (`zx_task_suspend` on this thread or its
    /// process): `BAD_STATE` if the thread is dying or dead. The first one
    /// stops the thread: a wait it is blocked in ends (the syscall parks
    /// and is retried on resume), guest code it runs is kicked; it then
    /// raises `ZX_THREAD_SUSPENDED` where it stopped. Asynchronous, as on
    /// Zircon: the thread may still run when this returns.
    pub fn suspend(self: &Arc<Self>) -> ZxResult {
        let waiter = {
            let mut inner = self.inner.lock();
            if inner.state == ThreadState::Dead || inner.exit_announced {
                return Err(ZxError::BAD_STATE);
            }
            inner.suspend_count += 1;
            if inner.suspend_count > 1 {
                return Ok(());
            }
            self.suspend_requested.store(true, Ordering::SeqCst);
            // Sent under the lock, as in `mark_dead`.
            if let Some(Kicker(kick)) = &inner.kicker {
                kick();
            }
            inner.blocked.as_ref().and_then(|(_, w)| w.upgrade())
        };
        if let Some(w) = waiter {
            w.interrupt();
        }
        crate::task::suspend::watch(self);
        Ok(())
    }

    /// Takes back one suspension; the last one lets the thread go on.
    pub fn resume(&self) {
        let mut inner = self.inner.lock();
        match inner.suspend_count {
            0 => {}
            1 => {
                inner.suspend_count = 0;
                self.suspend_requested.store(false, Ordering::SeqCst);
                drop(inner);
                self.park.poke();
            }
            _ => inner.suspend_count -= 1,
        }
    }

    /// Whether a suspension is pending or in force (a lock-free read).
    pub fn suspend_requested(&self) -> bool {
        self.suspend_requested.load(Ordering::SeqCst)
    }

    /// For the re-kicker: kicks the thread again if a suspension is
    /// pending and the thread may be running guest code (not parked,
    /// blocked, in an exception, or not started); returns whether it still
    /// needs watching (false once parked, resumed or gone).
    pub(crate) fn kick_if_running(&self) -> bool {
        let inner = self.inner.lock();
        if inner.suspend_count == 0 || inner.state != ThreadState::Running {
            return false;
        }
        if inner.parked.is_some() {
            return false;
        }
        if inner.blocked.is_some() || inner.in_exception.is_some() {
            // It parks on its way out of the wait (an exception keeps it
            // until handled); watched until then.
            return true;
        }
        if let Some(Kicker(kick)) = &inner.kicker {
            kick();
        }
        true
    }

    /// Where a suspension takes effect: called by the thread's own host
    /// thread, outside guest code, with the context it would go on with.
    /// If suspended, it raises `ZX_THREAD_SUSPENDED` (clearing
    /// `ZX_THREAD_RUNNING`), lets debuggers read and write `ctx`, and waits
    /// until the last token is closed; returns the context to go on with
    /// (perhaps edited), or `None` if the thread was killed meanwhile.
    pub fn suspend_point(
        &self,
        ctx: kernel_hal::ThreadContext,
    ) -> Option<kernel_hal::ThreadContext> {
        {
            let mut inner = self.inner.lock();
            if inner.state == ThreadState::Dead {
                return None;
            }
            if inner.suspend_count == 0 {
                return Some(ctx);
            }
            inner.parked = Some(ctx);
        }
        self.base
            .signal_change(signals::THREAD_RUNNING, signals::THREAD_SUSPENDED);
        let ctx = loop {
            {
                let mut inner = self.inner.lock();
                if inner.state == ThreadState::Dead {
                    inner.parked = None;
                    return None;
                }
                if inner.suspend_count == 0 {
                    break inner.parked.take().expect("parked above");
                }
            }
            self.park.sleep(None);
        };
        self.base
            .signal_change(signals::THREAD_SUSPENDED, signals::THREAD_RUNNING);
        Some(ctx)
    }

    /// Counts `n` suspensions of the process in a thread being created
    /// (it starts suspended).
    pub(crate) fn add_suspensions(&self, n: u32) {
        if n > 0 {
            let mut inner = self.inner.lock();
            inner.suspend_count += n;
            self.suspend_requested.store(true, Ordering::SeqCst);
        }
    }
}
