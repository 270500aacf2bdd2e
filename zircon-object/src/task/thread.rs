//! Threads (`zx_thread_*`). Each guest thread runs 1:1 on a host thread;
//! this object is its kernel-side state: life cycle, name, signals.

use std::sync::{Arc, Mutex, Weak};

use crate::object::{signals, KObjectBase, KernelObject, ObjType};
use crate::task::Process;
use crate::{impl_kobject, ZxError, ZxResult};

/// `ZX_THREAD_STATE_*` values reported by `ZX_INFO_THREAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ThreadState {
    /// Created, not started.
    New = 0,
    /// Running (or blocked in a syscall).
    Running = 1,
    /// Exited.
    Dead = 5,
}

/// A thread.
#[derive(Debug)]
pub struct Thread {
    base: KObjectBase,
    process: Weak<Process>,
    process_koid: u64,
    state: Mutex<ThreadState>,
}

impl_kobject!(
    Thread,
    ObjType::Thread,
    related = |t: &Thread| t.process_koid
);

impl Thread {
    /// Creates a thread of `process` named `name` (`BAD_STATE` if the
    /// process has exited).
    pub fn create(process: &Arc<Process>, name: &[u8]) -> ZxResult<Arc<Thread>> {
        let t = Arc::new(Thread {
            base: KObjectBase::default(),
            process: Arc::downgrade(process),
            process_koid: process.koid(),
            state: Mutex::new(ThreadState::New),
        });
        t.base.set_name(name);
        process.add_thread(&t)?;
        Ok(t)
    }

    /// Returns the process.
    pub fn process(&self) -> Option<Arc<Process>> {
        self.process.upgrade()
    }

    /// Returns the state.
    pub fn state(&self) -> ThreadState {
        *self.state.lock().unwrap()
    }

    /// Moves New → Running (`BAD_STATE` otherwise).
    pub fn start(&self) -> ZxResult {
        let mut st = self.state.lock().unwrap();
        if *st != ThreadState::New {
            return Err(ZxError::BAD_STATE);
        }
        *st = ThreadState::Running;
        Ok(())
    }

    /// Marks the thread dead and raises `ZX_THREAD_TERMINATED`; the
    /// process ends (return code 0) when its last started thread is gone,
    /// as on Zircon.
    pub fn exit(&self) {
        if self.mark_dead() {
            if let Some(p) = self.process() {
                p.thread_exited();
            }
        }
    }

    /// Marks the thread dead and raises `ZX_THREAD_TERMINATED`; returns
    /// false if it already was. (Its process uses this when it dies: a
    /// host thread still running the guest's code leaves at its next
    /// syscall.)
    pub(crate) fn mark_dead(&self) -> bool {
        {
            let mut st = self.state.lock().unwrap();
            if *st == ThreadState::Dead {
                return false;
            }
            *st = ThreadState::Dead;
        }
        self.base.signal_change(0, signals::TASK_TERMINATED);
        true
    }
}
