//! Processes: a handle table and an address space.

use crate::sync::{Mutex, MutexGuard};
use std::sync::Arc;

use kernel_hal::HalRef;

use crate::handle::{Handle, HandleTable, HandleValue};
use crate::object::{KObjectBase, KernelObject, ObjType};
use crate::task::exception::ChannelType;
use crate::task::Exceptionate;
use crate::task::Job;
use crate::vm::VmAddressRegion;
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_INFO_PROCESS_FLAG_STARTED`
pub const PROCESS_FLAG_STARTED: u32 = 1;
/// `ZX_INFO_PROCESS_FLAG_EXITED`
pub const PROCESS_FLAG_EXITED: u32 = 2;
/// `ZX_TASK_RETCODE_SYSCALL_KILL`: the return code of a killed process.
pub const TASK_RETCODE_SYSCALL_KILL: i64 = -1024;
/// `ZX_TASK_RETCODE_POLICY_KILL`: killed by a job policy.
pub const TASK_RETCODE_POLICY_KILL: i64 = -1026;
/// `ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL`: a process critical to the job
/// died.
pub const TASK_RETCODE_CRITICAL_PROCESS_KILL: i64 = -1029;

/// A process (`ZX_OBJ_TYPE_PROCESS`).
#[derive(Debug)]
pub struct Process {
    base: KObjectBase,
    job: Arc<Job>,
    root_vmar: Arc<VmAddressRegion>,
    /// Protected by this mutex (taken alone; handles are dropped after it
    /// is released — not yet everywhere: docs/LOCKING.md, hazards 2-3).
    handles: Mutex<HandleTable>,
    /// Protected by this mutex: the state and the thread list, so that
    /// adding a thread and exiting are each one critical section.
    inner: Mutex<ProcessInner>,
    /// Set once.
    vdso_base: std::sync::OnceLock<usize>,
    /// The time its finished threads used; protected by this mutex, which
    /// also makes a thread's finishing and a reading of the total one step
    /// each (taken before `ThreadRuntime::state`).
    finished_runtime: Mutex<crate::task::runtime::Runtime>,
    /// Atomic: mirrors `PROCESS_FLAG_EXITED` for the syscall fast path;
    /// written under `inner`.
    exited: std::sync::atomic::AtomicBool,
    futexes: crate::task::futex::FutexTable,
    exceptionate: Exceptionate,
    debug_exceptionate: Exceptionate,
    /// Set once the first thread announced `ZX_EXCP_PROCESS_STARTING`.
    start_announced: std::sync::atomic::AtomicBool,
    /// Its job's policy when it was made (it never changes).
    policy: crate::task::policy::JobPolicy,
    /// For a process made with `ZX_PROCESS_SHARED` or by
    /// `zx_process_create_shared`: the group sharing `root_vmar`'s address
    /// space.
    shared: Option<Arc<SharedAspace>>,
    /// The private (restricted) region of a process made by
    /// `zx_process_create_shared`; its threads never run with it active
    /// (restricted mode is not offered), but it can be mapped into.
    restricted_vmar: Option<Arc<VmAddressRegion>>,
}

impl Drop for Process {
    /// A process that goes without having exited (never started, its last
    /// handle closed) leaves its shared group too.
    fn drop(&mut self) {
        if !self.is_exited() {
            if let Some(s) = &self.shared {
                let mut live = s.live.lock();
                *live = live.saturating_sub(1);
            }
        }
    }
}

/// An address space shared by a group of processes
/// (`ZX_PROCESS_SHARED`): it goes when its last live process does.
#[derive(Debug)]
pub struct SharedAspace {
    /// Live processes sharing it; protected by this mutex (a leaf).
    live: Mutex<usize>,
}

#[derive(Debug, Default)]
struct ProcessInner {
    state: ProcessState,
    /// Every thread created, until it is gone.
    threads: Vec<std::sync::Weak<crate::task::Thread>>,
    /// Open suspend tokens naming the process; each thread counts them
    /// too (threads created meanwhile start suspended).
    suspend_count: u32,
    /// The job this process is critical to (`zx_job_set_critical`), and
    /// whether only a nonzero return code kills it.
    critical_to: Option<(Arc<Job>, bool)>,
}

/// What `ZX_INFO_PROCESS` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessState {
    /// Return code once exited.
    pub return_code: i64,
    /// Monotonic start time (ns) or 0.
    pub start_time: i64,
    /// `ZX_INFO_PROCESS_FLAG_*`.
    pub flags: u32,
}

impl_kobject!(
    Process,
    ObjType::Process,
    related = |p: &Process| p.job.koid()
);

impl Process {
    /// Creates a process in `job` named `name`, with a fresh address space.
    pub fn create(hal: HalRef, job: &Arc<Job>, name: &str) -> ZxResult<Arc<Process>> {
        let root_vmar = VmAddressRegion::new_root(hal)?;
        Self::create_with(job, name, root_vmar, None, None)
    }

    /// Creates a process whose address space others may share
    /// (`ZX_PROCESS_SHARED`): [`Process::create_shared`] makes them.
    pub fn create_shareable(hal: HalRef, job: &Arc<Job>, name: &str) -> ZxResult<Arc<Process>> {
        let root_vmar = VmAddressRegion::new_root(hal)?;
        let shared = Arc::new(SharedAspace {
            live: Mutex::new(1),
        });
        Self::create_with(job, name, root_vmar, Some(shared), None)
    }

    /// `zx_process_create_shared`: a process in `from`'s job sharing
    /// `from`'s address space (its root VMAR is the very same), with a
    /// private restricted region of its own. `INVALID_ARGS` unless `from`
    /// was made shareable; `BAD_STATE` once every process of the group has
    /// exited.
    pub fn create_shared(from: &Arc<Process>, name: &str) -> ZxResult<Arc<Process>> {
        let shared = from.shared.clone().ok_or(ZxError::INVALID_ARGS)?;
        {
            let mut live = shared.live.lock();
            if *live == 0 {
                return Err(ZxError::BAD_STATE);
            }
            *live += 1;
        }
        let made = VmAddressRegion::new_root(from.root_vmar.aspace().hal().clone()).and_then(
            |restricted| {
                Self::create_with(
                    &from.job,
                    name,
                    from.root_vmar.clone(),
                    Some(shared.clone()),
                    Some(restricted),
                )
            },
        );
        match made {
            Ok(p) => {
                if let Some(&base) = from.vdso_base.get() {
                    p.set_vdso_base(base);
                }
                Ok(p)
            }
            Err(e) => {
                *shared.live.lock() -= 1;
                Err(e)
            }
        }
    }

    /// The root of the private region of a process made by
    /// `zx_process_create_shared`.
    pub fn restricted_vmar(&self) -> Option<&Arc<VmAddressRegion>> {
        self.restricted_vmar.as_ref()
    }

    fn create_with(
        job: &Arc<Job>,
        name: &str,
        root_vmar: Arc<VmAddressRegion>,
        shared: Option<Arc<SharedAspace>>,
        restricted_vmar: Option<Arc<VmAddressRegion>>,
    ) -> ZxResult<Arc<Process>> {
        let p = Arc::new(Process {
            base: KObjectBase::with_name(name),
            job: job.clone(),
            root_vmar,
            handles: Mutex::new(HandleTable::new()),
            inner: Mutex::new(ProcessInner::default()),
            vdso_base: std::sync::OnceLock::new(),
            finished_runtime: Mutex::new(Default::default()),
            exited: std::sync::atomic::AtomicBool::new(false),
            futexes: Default::default(),
            exceptionate: Exceptionate::new(ChannelType::Process),
            debug_exceptionate: Exceptionate::new(ChannelType::Debugger),
            start_announced: std::sync::atomic::AtomicBool::new(false),
            policy: job.policy(),
            shared,
            restricted_vmar,
        });
        if let Err(e) = job.add_process(&p) {
            // Never live: it leaves the group at once.
            if let Some(s) = &p.shared {
                *s.live.lock() -= 1;
            }
            return Err(e);
        }
        Ok(p)
    }

    /// The process's policy (its job's when it was made).
    pub fn policy(&self) -> &crate::task::policy::JobPolicy {
        &self.policy
    }

    /// Makes the process critical to `job` (`zx_job_set_critical`): when it
    /// dies (with a nonzero return code, if `retcode_nonzero`), `job` is
    /// killed with `ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL`.
    /// `ALREADY_BOUND` if it already is critical to a job; `INVALID_ARGS`
    /// unless `job` is its job or one above it.
    pub fn set_critical_to_job(&self, job: &Arc<Job>, retcode_nonzero: bool) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.critical_to.is_some() {
            return Err(ZxError::ALREADY_BOUND);
        }
        let mut j = Some(&self.job);
        while let Some(candidate) = j {
            if Arc::ptr_eq(candidate, job) {
                inner.critical_to = Some((job.clone(), retcode_nonzero));
                return Ok(());
            }
            j = candidate.parent();
        }
        Err(ZxError::INVALID_ARGS)
    }

    /// Sets the name from raw bytes (truncated to 31 bytes).
    pub fn set_name(&self, raw: &[u8]) {
        self.base.set_name(raw)
    }

    /// Adds a thread (`BAD_STATE` once the process has exited). Checked
    /// and pushed under one lock: `exit` either refuses the thread or
    /// finds it in the list it kills.
    pub(crate) fn add_thread(&self, t: &Arc<crate::task::Thread>) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.state.flags & PROCESS_FLAG_EXITED != 0 {
            return Err(ZxError::BAD_STATE);
        }
        inner.threads.retain(|t| t.strong_count() > 0);
        inner.threads.push(Arc::downgrade(t));
        // Lock order: the process's `inner`, then the thread's.
        t.add_suspensions(inner.suspend_count);
        Ok(())
    }

    /// Suspends every thread, and the threads created until the matching
    /// [`Process::resume`] (`zx_task_suspend` on a process): `BAD_STATE`
    /// once the process has exited.
    pub fn suspend(&self) -> ZxResult {
        let threads = {
            let mut inner = self.inner.lock();
            if inner.state.flags & PROCESS_FLAG_EXITED != 0 {
                return Err(ZxError::BAD_STATE);
            }
            inner.suspend_count += 1;
            inner
                .threads
                .iter()
                .filter_map(|t| t.upgrade())
                .collect::<Vec<_>>()
        };
        for t in &threads {
            // A thread already dying is left to die.
            let _ = t.suspend();
        }
        Ok(())
    }

    /// Takes back one [`Process::suspend`].
    pub fn resume(&self) {
        let threads = {
            let mut inner = self.inner.lock();
            if inner.suspend_count == 0 {
                return;
            }
            inner.suspend_count -= 1;
            inner
                .threads
                .iter()
                .filter_map(|t| t.upgrade())
                .collect::<Vec<_>>()
        };
        for t in &threads {
            t.resume();
        }
    }

    /// Returns the threads still referenced (the caller drops the `Arc`s
    /// outside the lock).
    fn live_threads(&self) -> Vec<Arc<crate::task::Thread>> {
        let inner = self.inner.lock();
        inner.threads.iter().filter_map(|t| t.upgrade()).collect()
    }

    /// Adds what `finish` returns (a thread's last reading) to the time of
    /// the finished threads, as one step for [`Process::runtime`].
    pub(crate) fn add_finished_runtime(
        &self,
        finish: impl FnOnce() -> crate::task::runtime::Reading,
    ) {
        let mut total = self.finished_runtime.lock();
        *total += finish().runtime;
    }

    /// `ZX_INFO_TASK_RUNTIME` of the process: its finished threads' time
    /// plus that of those still running.
    pub fn runtime(&self) -> crate::task::runtime::Runtime {
        let threads = self.live_threads();
        let total = self.finished_runtime.lock();
        let mut sum = *total;
        for t in threads {
            let (reading, running) = t.runtime();
            if running {
                sum += reading.runtime;
            }
        }
        sum
    }

    /// Called when a thread dies: the process ends with return code 0 when
    /// no started thread is left.
    pub(crate) fn thread_exited(&self) {
        use crate::task::ThreadState;
        let live = self
            .live_threads()
            .iter()
            .any(|t| t.state() == ThreadState::Running);
        if !live && self.state().flags & PROCESS_FLAG_STARTED != 0 {
            self.exit(0);
        }
    }

    /// Returns the koids of the process's live threads.
    pub fn thread_koids(&self) -> Vec<u64> {
        self.live_threads()
            .iter()
            .filter(|t| t.state() != crate::task::ThreadState::Dead)
            .map(|t| t.koid())
            .collect()
    }

    /// Returns the live thread with `koid` (`zx_object_get_child` on a
    /// process).
    pub fn thread_by_koid(&self, koid: u64) -> Option<Arc<crate::task::Thread>> {
        self.live_threads()
            .into_iter()
            .find(|t| t.koid() == koid && t.state() != crate::task::ThreadState::Dead)
    }

    /// Returns the process's exception channel slot.
    pub fn exceptionate(&self) -> &Exceptionate {
        &self.exceptionate
    }

    /// Returns the process's debugger exception channel slot.
    pub fn debug_exceptionate(&self) -> &Exceptionate {
        &self.debug_exceptionate
    }

    /// Returns true the first time it is called: the caller, the process's
    /// first thread to run, announces `ZX_EXCP_PROCESS_STARTING`.
    pub fn take_start_announcement(&self) -> bool {
        !self
            .start_announced
            .swap(true, std::sync::atomic::Ordering::SeqCst)
    }

    /// Returns the process's futex table.
    pub fn futexes(&self) -> &crate::task::futex::FutexTable {
        &self.futexes
    }

    /// Returns whether the process has exited.
    pub fn is_exited(&self) -> bool {
        self.exited.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Records where the loader mapped the vDSO (once).
    pub fn set_vdso_base(&self, base: usize) {
        let _ = self.vdso_base.set(base);
    }

    /// Returns the vDSO's base address, or 0 if none is mapped
    /// (`ZX_PROP_PROCESS_VDSO_BASE_ADDRESS`).
    pub fn vdso_base(&self) -> usize {
        self.vdso_base.get().copied().unwrap_or(0)
    }

    /// Returns the root VMAR.
    pub fn root_vmar(&self) -> &Arc<VmAddressRegion> {
        &self.root_vmar
    }

    /// Returns the job.
    pub fn job(&self) -> &Arc<Job> {
        &self.job
    }

    /// Returns the handle table, locked.
    pub fn handles(&self) -> MutexGuard<'_, HandleTable> {
        self.handles.lock()
    }

    /// Adds a handle to `object` with `rights`; returns its value.
    pub fn add_handle(&self, object: Arc<dyn KernelObject>, rights: Rights) -> HandleValue {
        self.handles().add(Handle::new(object, rights))
    }

    /// Looks up a handle as type `T` with at least `rights`.
    pub fn get_object<T: KernelObject>(
        &self,
        value: HandleValue,
        rights: Rights,
    ) -> ZxResult<(Arc<T>, Rights)> {
        self.handles().get_object::<T>(value, rights)
    }

    /// [`HandleTable::with_object`] on this process's table: `f` runs under
    /// its lock and must take none.
    pub fn with_object<T: KernelObject, R>(
        &self,
        value: HandleValue,
        rights: Rights,
        f: impl FnOnce(&T) -> R,
    ) -> ZxResult<R> {
        self.handles().with_object::<T, R>(value, rights, f)
    }

    /// Returns the process state for `ZX_INFO_PROCESS`.
    pub fn state(&self) -> ProcessState {
        self.inner.lock().state
    }

    /// Marks the process started at `now` (ns).
    pub fn mark_started(&self, now: i64) -> ZxResult {
        let mut inner = self.inner.lock();
        let st = &mut inner.state;
        if st.flags & PROCESS_FLAG_STARTED != 0 {
            return Err(ZxError::BAD_STATE);
        }
        st.flags |= PROCESS_FLAG_STARTED;
        st.start_time = now;
        Ok(())
    }

    /// Ends the process with `code`: closes all its handles, marks all its
    /// threads dead, destroys its address space, then raises
    /// `ZX_PROCESS_TERMINATED`.
    pub fn exit(&self, code: i64) {
        // Every thread dies with the process, before the process reports
        // itself terminated, as on Zircon. The list is taken with EXITED
        // set, under the lock `add_thread` checks it under, so no thread
        // created meanwhile escapes.
        let (threads, critical_to): (Vec<_>, _) = {
            let mut inner = self.inner.lock();
            let st = &mut inner.state;
            if st.flags & PROCESS_FLAG_EXITED != 0 {
                return;
            }
            st.flags |= PROCESS_FLAG_EXITED;
            st.return_code = code;
            self.exited.store(true, std::sync::atomic::Ordering::SeqCst);
            (
                inner.threads.iter().filter_map(|t| t.upgrade()).collect(),
                inner.critical_to.take(),
            )
        };
        let dropped = self.handles().clear();
        // Outside the table's lock: the async waits registered through these
        // handles end with them.
        for handle in &dropped {
            handle.cancel_waits();
        }
        drop(dropped);
        for t in threads {
            t.mark_dead();
        }
        // The address space goes with the process, whoever still holds a
        // VMAR handle (as on Zircon); a shared one with the group's last
        // process.
        let last_sharer = self.shared.as_ref().is_none_or(|s| {
            let mut live = s.live.lock();
            *live -= 1;
            *live == 0
        });
        if last_sharer {
            self.root_vmar.aspace().destroy_all();
        }
        if let Some(r) = &self.restricted_vmar {
            r.aspace().destroy_all();
        }
        self.exceptionate.shutdown();
        self.debug_exceptionate.shutdown();
        self.base
            .signal_change(0, crate::object::signals::TASK_TERMINATED);
        // A critical process takes its job down with it (the root job too:
        // on Zircon that halts the system; here everything in it dies).
        if let Some((job, retcode_nonzero)) = critical_to {
            if !retcode_nonzero || code != 0 {
                job.kill_with(TASK_RETCODE_CRITICAL_PROCESS_KILL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Thread, ThreadState};

    /// A thread created while its process exits is either refused or
    /// killed with the others: none outlives the exit.
    #[test]
    fn a_thread_created_during_exit_dies_with_the_process() {
        let hal = Arc::new(kernel_hal::fake::FakeHal::new());
        let job = Job::root();
        for _ in 0..3000 {
            let p = Process::create(hal.clone(), &job, "p").unwrap();
            let creator = {
                let p = p.clone();
                std::thread::spawn(move || {
                    let mut made = Vec::new();
                    while let Ok(t) = Thread::create(&p, b"t") {
                        made.push(t);
                    }
                    made
                })
            };
            while p.thread_koids().is_empty() {
                std::thread::yield_now();
            }
            p.exit(0);
            for t in creator.join().unwrap() {
                assert_eq!(t.state(), ThreadState::Dead);
            }
        }
    }
}
