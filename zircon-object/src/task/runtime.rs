//! CPU time of tasks: what `ZX_INFO_THREAD_STATS` and
//! `ZX_INFO_TASK_RUNTIME` report.
//!
//! A guest thread runs on a host thread of its own, so its CPU time is that
//! host thread's: the embedder gives each running thread a [`RuntimeProbe`]
//! that reads it, and takes it back (keeping the last reading) when the
//! host thread is done. A process's time is that of its running threads
//! plus what its finished threads used; a job's, that of the processes in
//! it and below it that are still referenced.
//!
//! Lock order: `Process::finished_runtime` → `ThreadRuntime::state`; both
//! are leaves otherwise.

use crate::sync::Mutex;

/// A task's time, in nanoseconds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    /// On a CPU.
    pub cpu: i64,
    /// Ready to run, waiting for a CPU.
    pub queue: i64,
}

impl std::ops::AddAssign for Runtime {
    fn add_assign(&mut self, o: Runtime) {
        self.cpu = self.cpu.saturating_add(o.cpu);
        self.queue = self.queue.saturating_add(o.queue);
    }
}

/// A reading of a running thread: its time and the CPU it last ran on.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Time used so far.
    pub runtime: Runtime,
    /// The CPU it last ran on, if known.
    pub last_cpu: Option<u32>,
}

/// Reads a running thread's time (set by the embedder).
pub type RuntimeProbe = Box<dyn Fn() -> Reading + Send + Sync>;

enum State {
    NotRunning,
    Running(RuntimeProbe),
    Finished(Reading),
}

/// One thread's time; protected by its own mutex.
pub struct ThreadRuntime {
    state: Mutex<State>,
}

impl std::fmt::Debug for ThreadRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadRuntime").finish_non_exhaustive()
    }
}

impl Default for ThreadRuntime {
    fn default() -> Self {
        ThreadRuntime {
            state: Mutex::new(State::NotRunning),
        }
    }
}

impl ThreadRuntime {
    /// The thread started running on a host thread that `probe` reads.
    pub fn start(&self, probe: RuntimeProbe) {
        *self.state.lock() = State::Running(probe);
    }

    /// The host thread is done: keeps its last reading and returns it (a
    /// thread that never ran used nothing).
    pub fn finish(&self) -> Reading {
        let mut st = self.state.lock();
        let last = match &*st {
            State::NotRunning => Reading::default(),
            State::Running(probe) => probe(),
            State::Finished(r) => return *r,
        };
        *st = State::Finished(last);
        last
    }

    /// The time so far, and whether the thread is still running.
    pub fn read(&self) -> (Reading, bool) {
        match &*self.state.lock() {
            State::NotRunning => (Reading::default(), false),
            State::Running(probe) => (probe(), true),
            State::Finished(r) => (*r, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_finished_thread_keeps_its_last_reading() {
        let t = ThreadRuntime::default();
        assert_eq!(t.read(), (Reading::default(), false));
        let clock = Arc::new(AtomicI64::new(5));
        let c = clock.clone();
        t.start(Box::new(move || Reading {
            runtime: Runtime {
                cpu: c.load(Ordering::SeqCst),
                queue: 1,
            },
            last_cpu: Some(1),
        }));
        assert_eq!(t.read().0.runtime.cpu, 5);
        assert!(t.read().1);
        clock.store(9, Ordering::SeqCst);
        assert_eq!(t.finish().runtime.cpu, 9);
        clock.store(100, Ordering::SeqCst);
        assert_eq!(t.read(), (t.finish(), false));
        assert_eq!(t.read().0.runtime.cpu, 9);
    }
}
