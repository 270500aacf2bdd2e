//! Threads (`zx_thread_*`). Each guest thread runs 1:1 on a host thread;
//! this object is its kernel-side state: life cycle, name, signals.

use crate::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use crate::object::{signals, KObjectBase, KernelObject, ObjType};
use crate::task::delivery::{ExceptionOutcome, InException};
use crate::task::exception::{ChannelType, ExceptionReport, ExceptionType};
use crate::task::Exceptionate;
use crate::task::Process;
use crate::{impl_kobject, ZxError, ZxResult};

/// `ZX_THREAD_STATE_*`: what `ZX_INFO_THREAD` reports. [`Thread::state`]
/// is the life cycle (`New`, `Running`, `Dead`); [`Thread::info_state`]
/// refines `Running` into `Blocked` or `Dying`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// `ZX_THREAD_STATE_NEW`: created, not started.
    New,
    /// `ZX_THREAD_STATE_RUNNING`: running (or blocked in a syscall).
    Running,
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
            ThreadState::Blocked(reason) => reason.as_raw(),
            ThreadState::Dying => 4,
            ThreadState::Dead => 5,
        }
    }
}

impl TryFrom<u32> for ThreadState {
    type Error = ZxError;
    /// `INVALID_ARGS` for a value this emulator never reports (e.g.
    /// `ZX_THREAD_STATE_SUSPENDED`).
    fn try_from(raw: u32) -> ZxResult<ThreadState> {
        match raw {
            0 => Ok(ThreadState::New),
            1 => Ok(ThreadState::Running),
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
    }
}

/// A thread.
#[derive(Debug)]
pub struct Thread {
    base: KObjectBase,
    process: Weak<Process>,
    process_koid: u64,
    state: Mutex<ThreadState>,
    /// While blocked in a syscall: the `ZX_THREAD_STATE_BLOCKED_*` value.
    blocked: AtomicU32,
    /// While blocked: what to wake if the thread is killed.
    waiter: Mutex<Option<std::sync::Weak<crate::object::Waiter>>>,
    /// While running guest code: how to stop it at once if it is killed.
    kicker: Mutex<Option<Kicker>>,
    /// Mirrors `state == Dead` for the syscall fast path (no lock).
    dead: std::sync::atomic::AtomicBool,
    /// The thread's exception channel slot.
    exceptionate: Exceptionate,
    /// While the thread is stopped in an exception: the exception and its
    /// registers.
    in_exception: Mutex<Option<InException>>,
    /// Set once `ZX_EXCP_THREAD_EXITING` was sent (or is being).
    exit_announced: std::sync::atomic::AtomicBool,
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
            *t.waiter.lock() = Some(Arc::downgrade(waiter));
            t.blocked.store(reason.as_raw(), Ordering::Relaxed);
            if t.state() == ThreadState::Dead {
                waiter.kill();
            }
        }
        BlockedGuard(thread)
    }
}

impl Drop for BlockedGuard {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            t.blocked.store(0, Ordering::Relaxed);
            *t.waiter.lock() = None;
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
            state: Mutex::new(ThreadState::New),
            blocked: AtomicU32::new(0),
            waiter: Mutex::new(None),
            kicker: Mutex::new(None),
            dead: std::sync::atomic::AtomicBool::new(false),
            exceptionate: Exceptionate::new(ChannelType::Thread),
            in_exception: Mutex::new(None),
            exit_announced: std::sync::atomic::AtomicBool::new(false),
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
            // The debuggers of the nearest job that has any; the exception
            // does not bubble further up.
            let mut slots = Vec::new();
            let mut job = Some(process.job().clone());
            while let Some(j) = job {
                slots = j.debug_channels();
                slots.retain(|s| s.has_live_channel());
                if !slots.is_empty() {
                    break;
                }
                job = j.parent().cloned();
            }
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

    /// Announces a voluntary exit (`zx_thread_exit`, or the guest's last
    /// thread returning) to the process's debugger channel with
    /// `ZX_EXCP_THREAD_EXITING`, and waits for its answer. `fpu` is the
    /// state the debugger may read (the general registers read as zero).
    pub fn announce_exit(self: &Arc<Self>, fpu: kernel_hal::FpuState) {
        use crate::task::delivery::deliver_synthetic;
        let Some(process) = self.process() else {
            return;
        };
        // Announced once: a kill that comes later says nothing more.
        if self.exit_announced.swap(true, Ordering::SeqCst) || self.is_dead() {
            return;
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
        std::mem::replace(&mut *self.in_exception.lock(), e)
    }

    /// `ZX_INFO_THREAD_EXCEPTION_REPORT`: `BAD_STATE` unless the thread is
    /// in an exception.
    pub fn exception_report(&self) -> ZxResult<ExceptionReport> {
        let e = self.in_exception.lock();
        e.as_ref()
            .map(|e| e.shared.report())
            .ok_or(ZxError::BAD_STATE)
    }

    /// `zx_info_thread_t.wait_exception_channel_type`.
    pub fn wait_exception_channel_type(&self) -> ChannelType {
        let e = self.in_exception.lock();
        e.as_ref()
            .map_or(ChannelType::None, |e| e.shared.channel_type())
    }

    /// Reads the general registers (`BAD_STATE` unless the thread is
    /// stopped in an exception, the only way a thread stops here).
    pub fn read_regs(&self) -> ZxResult<kernel_hal::GeneralRegs> {
        let e = self.in_exception.lock();
        let e = e.as_ref().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        Ok(e.ctx.regs)
    }

    /// Registers of a thread that is exiting are gone (`NOT_SUPPORTED`
    /// during `ZX_EXCP_THREAD_EXITING`, as on Zircon).
    fn regs_available(e: &InException) -> ZxResult {
        if e.shared.report().ty == ExceptionType::ThreadExiting {
            return Err(ZxError::NOT_SUPPORTED);
        }
        Ok(())
    }

    /// Reads `zx_thread_state_fp_regs_t` (`BAD_STATE` unless stopped in an
    /// exception).
    pub fn read_fp_regs(&self) -> ZxResult<[u8; kernel_hal::cpu::FP_REGS_SIZE]> {
        let e = self.in_exception.lock();
        let e = e.as_ref().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        Ok(e.ctx.fpu.fp_regs())
    }

    /// Writes `zx_thread_state_fp_regs_t` (`BAD_STATE` unless stopped in an
    /// exception).
    pub fn write_fp_regs(&self, r: &[u8; kernel_hal::cpu::FP_REGS_SIZE]) -> ZxResult {
        let mut e = self.in_exception.lock();
        let e = e.as_mut().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        e.ctx.fpu.set_fp_regs(r);
        Ok(())
    }

    /// Reads `zx_thread_state_vector_regs_t` (`BAD_STATE` unless stopped in
    /// an exception).
    pub fn read_vector_regs(&self) -> ZxResult<Vec<u8>> {
        let e = self.in_exception.lock();
        let e = e.as_ref().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        Ok(e.ctx.fpu.vector_regs())
    }

    /// Writes `zx_thread_state_vector_regs_t` (`BAD_STATE` unless stopped
    /// in an exception; `INVALID_ARGS` for MXCSR bits the CPU rejects).
    pub fn write_vector_regs(&self, r: &[u8]) -> ZxResult {
        let mut e = self.in_exception.lock();
        let e = e.as_mut().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        if e.ctx.fpu.set_vector_regs(r) {
            Ok(())
        } else {
            Err(ZxError::INVALID_ARGS)
        }
    }

    /// Writes the general registers the thread resumes with (`BAD_STATE`
    /// unless it is stopped in an exception; `INVALID_ARGS` for a
    /// non-canonical `rip`, `fs_base` or `gs_base`).
    pub fn write_regs(&self, regs: &kernel_hal::GeneralRegs) -> ZxResult {
        use kernel_hal::cpu::{is_canonical, USER_RFLAGS};
        let mut e = self.in_exception.lock();
        let e = e.as_mut().ok_or(ZxError::BAD_STATE)?;
        Self::regs_available(e)?;
        if !is_canonical(regs.rip) || !is_canonical(regs.fs_base) || !is_canonical(regs.gs_base) {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut r = *regs;
        r.rflags = (e.ctx.regs.rflags & !USER_RFLAGS) | (r.rflags & USER_RFLAGS);
        e.ctx.regs = r;
        Ok(())
    }

    /// Returns the state.
    pub fn state(&self) -> ThreadState {
        *self.state.lock()
    }

    /// Registers how to stop this thread's guest code when it is killed (the
    /// embedder's host thread calls this before running guest code, and
    /// [`Thread::clear_kicker`] after).
    pub fn set_kicker(&self, kick: Box<dyn Fn() + Send + Sync>) {
        *self.kicker.lock() = Some(Kicker(kick));
    }

    /// Forgets the kicker (the host thread no longer runs guest code).
    pub fn clear_kicker(&self) {
        *self.kicker.lock() = None;
    }

    /// Returns the `ZX_THREAD_STATE_*` value `ZX_INFO_THREAD` reports: a
    /// running thread blocked in a syscall reports why.
    pub fn info_state(&self) -> ThreadState {
        let st = self.state();
        let blocked = self.blocked.load(Ordering::Relaxed);
        if st == ThreadState::Running && self.exit_announced.load(Ordering::SeqCst) {
            // Leaving: DYING takes precedence over being blocked on the
            // debugger's answer to THREAD_EXITING.
            ThreadState::Dying
        } else if let (ThreadState::Running, Ok(reason)) = (st, BlockedReason::try_from(blocked)) {
            ThreadState::Blocked(reason)
        } else {
            st
        }
    }

    /// Moves New → Running (`BAD_STATE` otherwise).
    pub fn start(&self) -> ZxResult {
        let mut st = self.state.lock();
        if *st != ThreadState::New {
            return Err(ZxError::BAD_STATE);
        }
        *st = ThreadState::Running;
        drop(st);
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
        let started = {
            let mut st = self.state.lock();
            if *st == ThreadState::Dead {
                return false;
            }
            let started = *st == ThreadState::Running;
            *st = ThreadState::Dead;
            self.dead.store(true, Ordering::SeqCst);
            started
        };
        if let Some(w) = self.waiter.lock().as_ref().and_then(|w| w.upgrade()) {
            w.kill();
        }
        // Guest code spinning in user mode stops at once.
        if let Some(Kicker(kick)) = self.kicker.lock().as_ref() {
            kick();
        }
        // A debugger hears of a started thread's death even when it was
        // killed (without the thread waiting for it: it is dying).
        if started && !self.exit_announced.swap(true, Ordering::SeqCst) {
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
