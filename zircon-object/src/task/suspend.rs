//! Suspension (`zx_task_suspend`): suspend tokens, and the watcher that
//! kicks again a thread whose first kick may have come too late.
//!
//! Suspending a thread ([`Thread::suspend`]) kicks it out of guest code, or
//! interrupts the wait it is blocked in; it then parks where it stopped
//! ([`Thread::suspend_point`]). One window is left: a thread on its way
//! back from a syscall, past the dispatcher's last look at its suspension,
//! takes a kick as a mere note and runs on. So every suspended thread is
//! watched, and kicked again every [`REKICK_INTERVAL`] while it may be
//! running guest code, until it parks, is resumed or dies.

use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Duration;

use crate::object::{KObjectBase, ObjType};
use crate::task::{Process, Thread};
use crate::{impl_kobject, Rights};

/// `ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS`: TRANSFER and INSPECT.
pub const DEFAULT_SUSPEND_TOKEN_RIGHTS: Rights = Rights::TRANSFER.union(Rights::INSPECT);

/// How often a suspended thread that has not parked yet is kicked again.
const REKICK_INTERVAL: Duration = Duration::from_millis(1);

/// What a token keeps suspended.
#[derive(Debug)]
pub enum SuspendTarget {
    /// A thread.
    Thread(Arc<Thread>),
    /// A process (all its threads).
    Process(Arc<Process>),
}

/// A suspend token (`ZX_OBJ_TYPE_SUSPEND_TOKEN`): while it exists, its task
/// stays suspended; dropping the last handle resumes it.
#[derive(Debug)]
pub struct SuspendToken {
    base: KObjectBase,
    target: SuspendTarget,
}

impl_kobject!(SuspendToken, ObjType::SuspendToken);

impl SuspendToken {
    /// Suspends `target` and returns the token that holds it
    /// (`BAD_STATE` if it is dying or dead).
    pub fn suspend(target: SuspendTarget) -> crate::ZxResult<Arc<SuspendToken>> {
        match &target {
            SuspendTarget::Thread(t) => t.suspend()?,
            SuspendTarget::Process(p) => p.suspend()?,
        }
        Ok(Arc::new(SuspendToken {
            base: KObjectBase::default(),
            target,
        }))
    }
}

impl Drop for SuspendToken {
    fn drop(&mut self) {
        match &self.target {
            SuspendTarget::Thread(t) => t.resume(),
            SuspendTarget::Process(p) => p.resume(),
        }
    }
}

/// The threads being watched, and the watcher's wake-up.
struct Watched {
    threads: Mutex<Vec<Weak<Thread>>>,
    added: Condvar,
}

fn watched() -> &'static Watched {
    static WATCHED: OnceLock<Watched> = OnceLock::new();
    WATCHED.get_or_init(|| {
        // One host thread for the whole emulator, started on first use;
        // without it a suspension could be missed, so failing to start it
        // is fatal.
        std::thread::Builder::new()
            .name("suspend-watcher".into())
            .spawn(watch_loop)
            .expect("the suspend watcher thread starts");
        Watched {
            threads: Mutex::new(Vec::new()),
            added: Condvar::new(),
        }
    })
}

/// Watches `thread` (just suspended) until it parks.
pub(crate) fn watch(thread: &Arc<Thread>) {
    let w = watched();
    let mut threads = w.threads.lock().unwrap_or_else(|e| e.into_inner());
    threads.push(Arc::downgrade(thread));
    w.added.notify_one();
}

fn watch_loop() {
    let w = watched();
    loop {
        {
            let mut threads = w.threads.lock().unwrap_or_else(|e| e.into_inner());
            while threads.is_empty() {
                threads = w.added.wait(threads).unwrap_or_else(|e| e.into_inner());
            }
        }
        std::thread::sleep(REKICK_INTERVAL);
        // Kicks are sent without the list's lock (they take the threads').
        let list: Vec<Weak<Thread>> =
            std::mem::take(&mut *w.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let keep: Vec<Weak<Thread>> = list
            .into_iter()
            .filter(|t| t.upgrade().is_some_and(|t| t.kick_if_running()))
            .collect();
        w.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(keep);
    }
}
