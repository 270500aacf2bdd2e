//! Threads (`zx_thread_*`). Each guest thread runs 1:1 on a host thread;
//! this object is its kernel-side state: life cycle, name, signals.

use crate::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use crate::object::{signals, KObjectBase, KernelObject, ObjType};
use crate::task::delivery::{ExceptionOutcome, InException};
use crate::task::exception::{ChannelType, ExceptionReport, ExceptionType};
use crate::task::Exceptionate;
use crate::task::Process;
use crate::{impl_kobject, ZxError, ZxResult};

mod registers;
mod suspension;

/// `ZX_THREAD_STATE_*`: what `ZX_INFO_THREAD` reports. [`Thread::state`]
/// is the life cycle (`New`, `Running`, `Dead`); [`Thread::info_state`]
/// refines `Running` into `Blocked` or `Dying`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// `ZX_THREAD_STATE_NEW`: created, not started.
    New,
    /// `ZX_THREAD_STATE_RUNNING`: running (or blocked in a syscall).
    Running,
    /// `ZX_THREAD_STATE_SUSPENDED`: stopped by `zx_task_suspend` (an
    /// [`info_state`](Thread::info_state) refinement of `Running`).
    Suspended,
    /// `ZX_THREAD_STATE_BLOCKED_*`: blocked in a syscall, for this reason.
    Blocked(BlockedReason),
    /// `ZX_THREAD_STATE_DYING`: leaving (announcing its exit).
    Dying,
    /// `ZX_THREAD_STATE_DEAD`: exited.
    Dead,
}

impl ThreadState {
    /// The `ZX_THREAD_STATE_*` value.
    pub const fn as_raw(self) -> u32 {
        match self {
            ThreadState::New => 0,
            ThreadState::Running => 1,
            ThreadState::Suspended => 2,
            ThreadState::Blocked(reason) => reason.as_raw(),
            ThreadState::Dying => 4,
            ThreadState::Dead => 5,
        }
    }
}

impl TryFrom<u32> for ThreadState {
    type Error = ZxError;
    /// `INVALID_ARGS` for a value that is no `ZX_THREAD_STATE_*`.
    fn try_from(raw: u32) -> ZxResult<ThreadState> {
        match raw {
            0 => Ok(ThreadState::New),
            1 => Ok(ThreadState::Running),
            2 => Ok(ThreadState::Suspended),
            4 => Ok(ThreadState::Dying),
            5 => Ok(ThreadState::Dead),
            _ => BlockedReason::try_from(raw).map(ThreadState::Blocked),
        }
    }
}

crate::abi_enum! {
    /// `ZX_THREAD_STATE_BLOCKED_*`: why a running thread is blocked.
    pub enum BlockedReason {
        /// `ZX_THREAD_STATE_BLOCKED_EXCEPTION`
        Exception = 0x0103,
        /// `ZX_THREAD_STATE_BLOCKED_SLEEPING`
        Sleeping = 0x0203,
        /// `ZX_THREAD_STATE_BLOCKED_FUTEX`
        Futex = 0x0303,
        /// `ZX_THREAD_STATE_BLOCKED_PORT`
        Port = 0x0403,
        /// `ZX_THREAD_STATE_BLOCKED_CHANNEL`
        Channel = 0x0503,
        /// `ZX_THREAD_STATE_BLOCKED_WAIT_ONE`
        WaitOne = 0x0603,
        /// `ZX_THREAD_STATE_BLOCKED_WAIT_MANY`
        WaitMany = 0x0703,
        /// `ZX_THREAD_STATE_BLOCKED_PAGER`
        Pager = 0x0903,
    }
}

/// A thread.
#[derive(Debug)]
pub struct Thread {
    /// Immutable after creation (the name and signals lock themselves).
    base: KObjectBase,
    process: Weak<Process>,
    process_koid: u64,
    /// Everything that changes as the thread lives, under one lock.
    inner: Mutex<ThreadInner>,
    /// Mirrors `inner.state == Dead`, for the kill check every syscall
    /// makes on entry and exit (a lock-free read). Written only under
    /// `inner`'s lock, together with `state`.
    dead: AtomicBool,
    /// Mirrors `inner.pending_policy.is_some()`, so the check every
    /// syscall makes on its way out is a lock-free read. Written only under
    /// `inner`'s lock, together with `pending_policy`.
    policy_pending: AtomicBool,
    /// The thread's exception channel slot (locks itself; never taken
    /// while `inner` is held).
    exceptionate: Exceptionate,
    /// Its CPU time (a leaf lock of its own).
    runtime: crate::task::runtime::ThreadRuntime,
    /// Mirrors `inner.suspend_count > 0`, for the check every syscall
    /// makes on its way out (a lock-free read). Written under `inner`.
    suspend_requested: AtomicBool,
    /// What a suspended thread sleeps on until it is resumed or killed.
    park: Arc<crate::object::Waiter>,
}

/// The thread's mutable state; protected by [`Thread::inner`]. Only the
/// leaf `ExceptionShared::st` is taken while it is held
/// (`wait_exception_channel_type`): waking a waiter and raising signals
/// happen after it is released (docs/LOCKING.md).
#[derive(Debug)]
struct ThreadInner {
    /// The life cycle: `New`, `Running` or `Dead` (the `Blocked` and
    /// `Dying` refinements are computed by [`Thread::info_state`]).
    state: ThreadState,
    /// While blocked in a syscall: why, and what to wake if the thread is
    /// killed.
    blocked: Option<(BlockedReason, Weak<crate::object::Waiter>)>,
    /// While running guest code: how to stop it at once if it is killed.
    kicker: Option<Kicker>,
    /// While the thread is stopped in an exception: the exception and its
    /// registers.
    in_exception: Option<InException>,
    /// Set once `ZX_EXCP_THREAD_EXITING` was sent (or is being): by the
    /// thread announcing its exit, or by the kill of a started thread,
    /// whichever comes first.
    exit_announced: bool,
    /// A policy exception a syscall of this thread raised (code, data),
    /// taken as the syscall returns (Zircon's SignalPolicyException).
    pending_policy: Option<(u32, u32)>,
    /// Open suspend tokens naming this thread or its process.
    suspend_count: u32,
    /// While the thread is stopped by a suspension: where it stopped (a
    /// debugger reads and writes it; the thread resumes from it).
    parked: Option<kernel_hal::ThreadContext>,
}

/// Stops a host thread's guest code (set by the embedder).
pub struct Kicker(Box<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Kicker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kicker")
    }
}

/// Marks a thread blocked (on `waiter`) for as long as it lives: the
/// thread reports why in `ZX_INFO_THREAD`, and killing it wakes `waiter`
/// for good (the wait then ends with `ZX_ERR_INTERNAL_INTR_KILLED`).
#[derive(Debug)]
pub struct BlockedGuard(Option<Arc<Thread>>);

impl BlockedGuard {
    /// Marks `thread` (if any) blocked for `reason` on `waiter` until the
    /// guard drops.
    pub fn new(
        thread: Option<Arc<Thread>>,
        reason: BlockedReason,
        waiter: &Arc<crate::object::Waiter>,
    ) -> BlockedGuard {
        if let Some(t) = &thread {
            let (dead, suspended) = {
                let mut inner = t.inner.lock();
                inner.blocked = Some((reason, Arc::downgrade(waiter)));
                (inner.state == ThreadState::Dead, inner.suspend_count > 0)
            };
            if dead {
                waiter.kill();
            } else if suspended {
                // A suspension that came first ends the wait at once (it
                // ends with `ZX_ERR_INTERNAL_INTR_RETRY`; see `suspend`).
                waiter.interrupt();
            }
        }
        BlockedGuard(thread)
    }
}

impl Drop for BlockedGuard {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            t.inner.lock().blocked = None;
        }
    }
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
            inner: Mutex::new(ThreadInner {
                state: ThreadState::New,
                blocked: None,
                kicker: None,
                in_exception: None,
                exit_announced: false,
                pending_policy: None,
                suspend_count: 0,
                parked: None,
            }),
            dead: AtomicBool::new(false),
            policy_pending: AtomicBool::new(false),
            exceptionate: Exceptionate::new(ChannelType::Thread),
            runtime: Default::default(),
            suspend_requested: AtomicBool::new(false),
            park: crate::object::Waiter::new(),
        });
        t.base.set_name(name);
        process.add_thread(&t)?;
        Ok(t)
    }

    /// Returns the process.
    pub fn process(&self) -> Option<Arc<Process>> {
        self.process.upgrade()
    }

    /// Returns whether the thread is dead, without taking a lock.
    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }

    /// Returns the thread's exception channel slot.
    pub fn exceptionate(&self) -> &Exceptionate {
        &self.exceptionate
    }

    /// Stops the calling thread in an exception described by `report`,
    /// with context `ctx`, until a handler decides (see
    /// [`crate::task::exception`]). Call it on the thread's own host
    /// thread.
    pub fn handle_exception(
        self: &Arc<Self>,
        report: ExceptionReport,
        ctx: kernel_hal::ThreadContext,
    ) -> ExceptionOutcome {
        crate::task::delivery::deliver(self, report, ctx)
    }

    /// Announces the thread's start to debuggers before it runs guest code:
    /// `ZX_EXCP_PROCESS_STARTING` to the debugger channels of the process's
    /// job and every job above it (for the process's first thread), then
    /// `ZX_EXCP_THREAD_STARTING` to the process's debugger channel. Each
    /// handler may read and change the initial context `ctx`; returns the
    /// context to start with (`Resume`), or how the thread ended.
    pub fn announce_start(self: &Arc<Self>, ctx: kernel_hal::ThreadContext) -> ExceptionOutcome {
        use crate::task::delivery::deliver_synthetic;
        let Some(process) = self.process() else {
            return ExceptionOutcome::Killed;
        };
        let mut ctx = ctx;
        if process.take_start_announcement() {
            let slots = Self::nearest_job_debuggers(&process);
            if !slots.is_empty() {
                let live: Vec<&Exceptionate> = slots.iter().map(|s| &**s).collect();
                match deliver_synthetic(self, ExceptionType::ProcessStarting, &live, ctx) {
                    ExceptionOutcome::Resume(c) => ctx = c,
                    other => return other,
                }
            }
        }
        if !process.debug_exceptionate().has_live_channel() {
            return ExceptionOutcome::Resume(ctx);
        }
        deliver_synthetic(
            self,
            ExceptionType::ThreadStarting,
            &[process.debug_exceptionate()],
            ctx,
        )
    }

    /// The debugger channels of the nearest job (the process's, or the
    /// first one above it) that has live ones; a job-debugger exception
    /// does not bubble further up.
    fn nearest_job_debuggers(process: &Arc<Process>) -> Vec<Arc<Exceptionate>> {
        let mut job = Some(process.job().clone());
        while let Some(j) = job {
            let mut slots = j.debug_channels();
            slots.retain(|s| s.has_live_channel());
            if !slots.is_empty() {
                return slots;
            }
            job = j.parent().cloned();
        }
        Vec::new()
    }

    /// `zx_thread_raise_exception`: a `ZX_EXCP_USER` exception with `code`
    /// and `data` for the debuggers of the nearest job that has any (as
    /// `ZX_EXCP_PROCESS_STARTING` goes); the thread waits for their answer
    /// with context `ctx`. Without such a debugger it goes on at once.
    pub fn raise_user_exception(
        self: &Arc<Self>,
        code: u32,
        data: u32,
        ctx: kernel_hal::ThreadContext,
    ) -> ExceptionOutcome {
        let Some(process) = self.process() else {
            return ExceptionOutcome::Killed;
        };
        let slots = Self::nearest_job_debuggers(&process);
        if slots.is_empty() {
            return ExceptionOutcome::Resume(ctx);
        }
        let live: Vec<&Exceptionate> = slots.iter().map(|s| &**s).collect();
        crate::task::delivery::deliver_report(self, ExceptionReport::user(code, data), &live, ctx)
    }

    /// Announces a voluntary exit (`zx_thread_exit`, or the guest's last
    /// thread returning) to the process's debugger channel with
    /// `ZX_EXCP_THREAD_EXITING`, and waits for its answer. `fpu` is the
    /// state the debugger may read (the general registers read as zero).
    pub fn announce_exit(self: &Arc<Self>, fpu: kernel_hal::FpuState) {
        use crate::task::delivery::deliver_synthetic;
        let Some(process) = self.process() else {
            return;
        };
        // Announced once: by this call, or by a kill that came first (see
        // `mark_dead`); a kill that comes later says nothing more.
        {
            let mut inner = self.inner.lock();
            if inner.exit_announced || inner.state == ThreadState::Dead {
                return;
            }
            inner.exit_announced = true;
        }
        if !process.debug_exceptionate().has_live_channel() {
            return;
        }
        let _ = deliver_synthetic(
            self,
            ExceptionType::ThreadExiting,
            &[process.debug_exceptionate()],
            kernel_hal::ThreadContext {
                regs: kernel_hal::GeneralRegs::default(),
                fpu,
            },
        );
    }

    pub(crate) fn set_in_exception(&self, e: Option<InException>) -> Option<InException> {
        std::mem::replace(&mut self.inner.lock().in_exception, e)
    }

    /// `ZX_INFO_THREAD_EXCEPTION_REPORT`: `BAD_STATE` unless the thread is
    /// in an exception.
    pub fn exception_report(&self) -> ZxResult<ExceptionReport> {
        let inner = self.inner.lock();
        inner
            .in_exception
            .as_ref()
            .map(|e| e.shared.report())
            .ok_or(ZxError::BAD_STATE)
    }

    /// `zx_info_thread_t.wait_exception_channel_type`.
    pub fn wait_exception_channel_type(&self) -> ChannelType {
        let inner = self.inner.lock();
        inner
            .in_exception
            .as_ref()
            .map_or(ChannelType::None, |e| e.shared.channel_type())
    }

    /// Makes the current syscall of this thread end in a
    /// `ZX_EXCP_POLICY_ERROR` exception with `code` and `data` once it has
    /// done its work (the syscall still returns its result if a handler
    /// resumes the thread).
    pub fn signal_policy_exception(&self, code: u32, data: u32) {
        let mut inner = self.inner.lock();
        inner.pending_policy = Some((code, data));
        self.policy_pending.store(true, Ordering::SeqCst);
    }

    /// Takes the policy exception a syscall raised, if any.
    pub fn take_policy_exception(&self) -> Option<(u32, u32)> {
        if !self.policy_pending.load(Ordering::Relaxed) {
            return None;
        }
        let mut inner = self.inner.lock();
        self.policy_pending.store(false, Ordering::SeqCst);
        inner.pending_policy.take()
    }

    /// Returns the state.
    pub fn state(&self) -> ThreadState {
        self.inner.lock().state
    }

    /// Registers how to stop this thread's guest code when it is killed (the
    /// embedder's host thread calls this before running guest code, and
    /// [`Thread::clear_kicker`] after).
    pub fn set_kicker(&self, kick: Box<dyn Fn() + Send + Sync>) {
        self.inner.lock().kicker = Some(Kicker(kick));
    }

    /// Registers how to read the CPU time of the host thread running this
    /// thread (the embedder calls this when the host thread starts).
    pub fn set_runtime_probe(&self, probe: crate::task::runtime::RuntimeProbe) {
        self.runtime.start(probe);
    }

    /// The host thread is done: its last reading is kept, and counted in
    /// the process's finished time.
    pub fn finish_runtime(&self) {
        match self.process() {
            Some(p) => p.add_finished_runtime(|| self.runtime.finish()),
            None => {
                self.runtime.finish();
            }
        }
    }

    /// `ZX_INFO_THREAD_STATS` / `ZX_INFO_TASK_RUNTIME`: the time used, and
    /// whether the host thread still runs.
    pub fn runtime(&self) -> (crate::task::runtime::Reading, bool) {
        self.runtime.read()
    }

    /// Forgets the kicker (the host thread no longer runs guest code).
    pub fn clear_kicker(&self) {
        self.inner.lock().kicker = None;
    }

    /// Returns the `ZX_THREAD_STATE_*` value `ZX_INFO_THREAD` reports: a
    /// running thread blocked in a syscall reports why.
    pub fn info_state(&self) -> ThreadState {
        let inner = self.inner.lock();
        match (inner.state, &inner.blocked) {
            // Leaving: DYING takes precedence over being blocked on the
            // debugger's answer to THREAD_EXITING.
            (ThreadState::Running, _) if inner.exit_announced => ThreadState::Dying,
            (ThreadState::Running, _) if inner.parked.is_some() => ThreadState::Suspended,
            (ThreadState::Running, Some((reason, _))) => ThreadState::Blocked(*reason),
            (state, _) => state,
        }
    }

    /// Moves New → Running (`BAD_STATE` otherwise).
    pub fn start(&self) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.state != ThreadState::New {
            return Err(ZxError::BAD_STATE);
        }
        inner.state = ThreadState::Running;
        drop(inner);
        self.base.signal_change(0, signals::THREAD_RUNNING);
        Ok(())
    }

    /// Marks the thread dead and raises `ZX_THREAD_TERMINATED`; the
    /// process ends (return code 0) when its last started thread is gone,
    /// as on Zircon.
    pub fn exit(self: &Arc<Self>) {
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
    pub(crate) fn mark_dead(self: &Arc<Self>) -> bool {
        // Decide everything under the lock, act after releasing it.
        let (waiter, announce) = {
            let mut inner = self.inner.lock();
            if inner.state == ThreadState::Dead {
                return false;
            }
            let started = inner.state == ThreadState::Running;
            inner.state = ThreadState::Dead;
            self.dead.store(true, Ordering::SeqCst);
            // A debugger hears of a started thread's death even when it
            // was killed, unless the thread already announced its exit.
            let announce = started && !inner.exit_announced;
            inner.exit_announced = true;
            // Guest code spinning in user mode stops at once. The kick (a
            // signal to the host thread; it takes no lock) is sent under
            // the lock, so the host thread cannot clear its kicker and
            // exit in between.
            if let Some(Kicker(kick)) = &inner.kicker {
                kick();
            }
            let waiter = inner.blocked.as_ref().and_then(|(_, w)| w.upgrade());
            (waiter, announce)
        };
        if let Some(w) = waiter {
            w.kill();
        }
        self.park.kill();
        // The announcement of a killed thread does not wait for the
        // debugger's answer: the thread is dying.
        if announce {
            if let Some(p) = self.process() {
                crate::task::delivery::notify(
                    self,
                    ExceptionType::ThreadExiting,
                    p.debug_exceptionate(),
                );
            }
        }
        self.exceptionate.shutdown();
        self.base.signal_change(
            signals::THREAD_RUNNING | signals::THREAD_SUSPENDED,
            signals::TASK_TERMINATED,
        );
        true
    }
}
