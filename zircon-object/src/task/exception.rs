//! Exceptions (`zx_task_create_exception_channel`, `ZX_OBJ_TYPE_EXCEPTION`).
//!
//! When a guest thread takes a CPU exception the emulator cannot resolve,
//! the thread blocks and the exception is offered to handlers in Zircon's
//! order: the process's debugger channel, the thread's channel, the
//! process's channel, the debugger again if it asked for a second chance,
//! then the channels of the process's job and each job above it. Offering
//! means writing a `zx_exception_info_t` plus one exception handle into the
//! channel; the handler decides by setting `ZX_PROP_EXCEPTION_STATE` and
//! closing the handle: `HANDLED` resumes the thread (with whatever
//! registers the handler wrote), `THREAD_EXIT` ends the thread, `TRY_NEXT`
//! (the default) passes it on. When no handler is left the process dies
//! with `ZX_TASK_RETCODE_EXCEPTION_KILL` (the caller decides that).
//!
//! Each task has one [`Exceptionate`] per channel kind: the kernel end of
//! the channel plus the rights the handler gets for the task handles. The
//! exception handle names an [`Exception`] object; dropping its last
//! reference (the handle is closed, or its message is destroyed) is the
//! handler's "done" signal.

use crate::sync::Mutex;
use std::sync::Arc;

use kernel_hal::{CpuException, ExceptionKind, ThreadContext};

use crate::handle::Handle;
use crate::ipc::channel::Message;
use crate::ipc::Channel;
use crate::object::{KObjectBase, KernelObject, ObjType, Waiter};
use crate::task::{Process, Thread};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// `ZX_EXCP_*` exception types.
pub mod excp {
    /// `ZX_EXCP_GENERAL`
    pub const GENERAL: u32 = 0x008;
    /// `ZX_EXCP_FATAL_PAGE_FAULT`
    pub const FATAL_PAGE_FAULT: u32 = 0x108;
    /// `ZX_EXCP_UNDEFINED_INSTRUCTION`
    pub const UNDEFINED_INSTRUCTION: u32 = 0x208;
    /// `ZX_EXCP_SW_BREAKPOINT`
    pub const SW_BREAKPOINT: u32 = 0x308;
    /// `ZX_EXCP_HW_BREAKPOINT`
    pub const HW_BREAKPOINT: u32 = 0x408;
    /// `ZX_EXCP_UNALIGNED_ACCESS`
    pub const UNALIGNED_ACCESS: u32 = 0x508;
    /// `ZX_EXCP_POLICY_ERROR`
    pub const POLICY_ERROR: u32 = 0x8208;
    /// `ZX_EXCP_THREAD_STARTING` (debuggers only)
    pub const THREAD_STARTING: u32 = 0x8008;
    /// `ZX_EXCP_THREAD_EXITING` (debuggers only)
    pub const THREAD_EXITING: u32 = 0x8108;
    /// `ZX_EXCP_PROCESS_STARTING` (job debuggers only)
    pub const PROCESS_STARTING: u32 = 0x8308;
    /// `ZX_EXCP_POLICY_CODE_BAD_SYSCALL` (the report's `synth_code`; its
    /// `synth_data` is the syscall number).
    pub const POLICY_CODE_BAD_SYSCALL: u32 = 18;
}

/// `ZX_EXCEPTION_CHANNEL_TYPE_*`: which kind of channel an exception sits
/// in (`zx_info_thread_t.wait_exception_channel_type`).
pub mod channel_type {
    /// `ZX_EXCEPTION_CHANNEL_TYPE_NONE`
    pub const NONE: u32 = 0;
    /// `ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER`
    pub const DEBUGGER: u32 = 1;
    /// `ZX_EXCEPTION_CHANNEL_TYPE_THREAD`
    pub const THREAD: u32 = 2;
    /// `ZX_EXCEPTION_CHANNEL_TYPE_PROCESS`
    pub const PROCESS: u32 = 3;
    /// `ZX_EXCEPTION_CHANNEL_TYPE_JOB`
    pub const JOB: u32 = 4;
    /// `ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER`
    pub const JOB_DEBUGGER: u32 = 5;
}

/// `ZX_EXCEPTION_STATE_*` (`ZX_PROP_EXCEPTION_STATE`).
pub mod state {
    /// Pass the exception to the next handler.
    pub const TRY_NEXT: u32 = 0;
    /// Resume the thread.
    pub const HANDLED: u32 = 1;
    /// End the thread.
    pub const THREAD_EXIT: u32 = 2;
}

/// `ZX_EXCEPTION_STRATEGY_*` (`ZX_PROP_EXCEPTION_STRATEGY`).
pub mod strategy {
    /// The debugger sees the exception first only.
    pub const FIRST_CHANCE: u32 = 0;
    /// The debugger sees it again after the process's handler passed.
    pub const SECOND_CHANCE: u32 = 1;
}

/// `ZX_DEFAULT_EXCEPTION_RIGHTS`: TRANSFER, GET/SET_PROPERTY, INSPECT.
pub const DEFAULT_EXCEPTION_RIGHTS: Rights = Rights::TRANSFER
    .union(Rights::GET_PROPERTY)
    .union(Rights::SET_PROPERTY)
    .union(Rights::INSPECT);

/// `ZX_TASK_RETCODE_EXCEPTION_KILL`: the return code of a process killed
/// by an exception nobody handled.
pub const TASK_RETCODE_EXCEPTION_KILL: i64 = -1028;

/// What `ZX_INFO_THREAD_EXCEPTION_REPORT` reports: `zx_exception_report_t`
/// with the x86-64 context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionReport {
    /// `ZX_EXCP_*`.
    pub ty: u32,
    /// x86 exception vector.
    pub vector: u64,
    /// x86 error code.
    pub err_code: u64,
    /// CR2 (the faulting address of a page fault).
    pub cr2: u64,
    /// The page fault's `zx_status_t`, or the `ZX_EXCP_POLICY_CODE_*`.
    pub synth_code: u32,
    /// Extra data (the syscall number of a bad syscall).
    pub synth_data: u32,
}

/// Size of `zx_exception_report_t`.
pub const REPORT_SIZE: usize = 40;
/// Size of `zx_exception_report_v1_t` (no synth fields).
pub const REPORT_V1_SIZE: usize = 32;

impl ExceptionReport {
    /// The report of a CPU exception.
    pub fn from_cpu(e: &CpuException) -> ExceptionReport {
        let (ty, synth_code, synth_data) = match e.kind {
            ExceptionKind::PageFault { error, .. } => (
                excp::FATAL_PAGE_FAULT,
                ZxError::from(error) as i32 as u32,
                0,
            ),
            ExceptionKind::UndefinedInstruction => (excp::UNDEFINED_INSTRUCTION, 0, 0),
            ExceptionKind::SoftwareBreakpoint => (excp::SW_BREAKPOINT, 0, 0),
            ExceptionKind::HardwareBreakpoint => (excp::HW_BREAKPOINT, 0, 0),
            ExceptionKind::General => (excp::GENERAL, 0, 0),
            ExceptionKind::UnalignedAccess => (excp::UNALIGNED_ACCESS, 0, 0),
            ExceptionKind::BadSyscall { number } => (
                excp::POLICY_ERROR,
                excp::POLICY_CODE_BAD_SYSCALL,
                number as u32,
            ),
        };
        ExceptionReport {
            ty,
            vector: e.vector,
            err_code: e.err_code,
            cr2: e.cr2,
            synth_code,
            synth_data,
        }
    }

    /// Encodes the report as a `zx_exception_report_t` (or its first
    /// `REPORT_V1_SIZE` bytes for the v1 topic).
    pub fn to_bytes(&self, size: usize) -> Vec<u8> {
        let mut b = Vec::with_capacity(REPORT_SIZE);
        b.extend_from_slice(&(size as u32).to_le_bytes());
        b.extend_from_slice(&self.ty.to_le_bytes());
        b.extend_from_slice(&self.vector.to_le_bytes());
        b.extend_from_slice(&self.err_code.to_le_bytes());
        b.extend_from_slice(&self.cr2.to_le_bytes());
        b.extend_from_slice(&self.synth_code.to_le_bytes());
        b.extend_from_slice(&self.synth_data.to_le_bytes());
        b.truncate(size);
        b
    }
}

/// The state of one exception shared by the blocked thread and the
/// exception objects handed to handlers one after another.
#[derive(Debug)]
pub struct ExceptionShared {
    report: ExceptionReport,
    st: Mutex<SharedState>,
    waiter: Arc<Waiter>,
}

#[derive(Debug)]
struct SharedState {
    /// The current handler closed its exception handle.
    closed: bool,
    /// `ZX_EXCEPTION_STATE_*` the current handler chose.
    disposition: u32,
    /// The debugger asked to see the exception again.
    second_chance: bool,
    /// The kind of channel the exception currently sits in.
    channel_type: u32,
}

impl ExceptionShared {
    fn new(report: ExceptionReport) -> Arc<ExceptionShared> {
        Arc::new(ExceptionShared {
            report,
            st: Mutex::new(SharedState {
                closed: false,
                disposition: state::TRY_NEXT,
                second_chance: false,
                channel_type: channel_type::NONE,
            }),
            waiter: Waiter::new(),
        })
    }

    /// Returns the report.
    pub fn report(&self) -> ExceptionReport {
        self.report
    }

    /// Returns the kind of channel the exception currently sits in.
    pub fn channel_type(&self) -> u32 {
        self.st.lock().channel_type
    }
}

/// An exception as a kernel object: what an exception handle names.
#[derive(Debug)]
pub struct Exception {
    base: KObjectBase,
    thread: Arc<Thread>,
    shared: Arc<ExceptionShared>,
    thread_rights: Rights,
    process_rights: Rights,
}

impl_kobject!(Exception, ObjType::Exception);

impl Exception {
    /// Returns the type of the exception (`ZX_EXCP_*`).
    pub fn exception_type(&self) -> u32 {
        self.shared.report.ty
    }

    /// Returns the faulting thread with the rights the handler's channel
    /// grants (`ACCESS_DENIED` if none: e.g. the process of a thread-channel
    /// exception).
    pub fn thread(&self) -> ZxResult<(Arc<Thread>, Rights)> {
        if self.thread_rights.is_empty() {
            return Err(ZxError::ACCESS_DENIED);
        }
        Ok((self.thread.clone(), self.thread_rights))
    }

    /// Returns the faulting thread's process with the rights the handler's
    /// channel grants (`ACCESS_DENIED` for a thread channel).
    pub fn process(&self) -> ZxResult<(Arc<Process>, Rights)> {
        if self.process_rights.is_empty() {
            return Err(ZxError::ACCESS_DENIED);
        }
        let p = self.thread.process().ok_or(ZxError::BAD_STATE)?;
        Ok((p, self.process_rights))
    }

    /// `ZX_PROP_EXCEPTION_STATE`.
    pub fn disposition(&self) -> u32 {
        self.shared.st.lock().disposition
    }

    /// Sets `ZX_PROP_EXCEPTION_STATE` (`INVALID_ARGS` for unknown values).
    pub fn set_disposition(&self, value: u32) -> ZxResult {
        if value > state::THREAD_EXIT {
            return Err(ZxError::INVALID_ARGS);
        }
        self.shared.st.lock().disposition = value;
        Ok(())
    }

    /// `ZX_PROP_EXCEPTION_STRATEGY`.
    pub fn strategy(&self) -> u32 {
        if self.shared.st.lock().second_chance {
            strategy::SECOND_CHANCE
        } else {
            strategy::FIRST_CHANCE
        }
    }

    /// Sets `ZX_PROP_EXCEPTION_STRATEGY`: only a debugger's exception may
    /// (`BAD_STATE` otherwise); `INVALID_ARGS` for unknown values.
    pub fn set_strategy(&self, value: u32) -> ZxResult {
        let mut st = self.shared.st.lock();
        if st.channel_type != channel_type::DEBUGGER {
            return Err(ZxError::BAD_STATE);
        }
        st.second_chance = match value {
            strategy::FIRST_CHANCE => false,
            strategy::SECOND_CHANCE => true,
            _ => return Err(ZxError::INVALID_ARGS),
        };
        Ok(())
    }
}

impl Drop for Exception {
    fn drop(&mut self) {
        self.shared.st.lock().closed = true;
        self.shared.waiter.poke();
    }
}

/// One exception channel slot of a task.
#[derive(Debug)]
pub struct Exceptionate {
    ty: u32,
    inner: Mutex<ExceptionateInner>,
}

#[derive(Debug, Default)]
struct ExceptionateInner {
    /// The kernel's end of the channel.
    channel: Option<Arc<Channel>>,
    thread_rights: Rights,
    process_rights: Rights,
    /// The task is dead: no channel can be bound any more.
    shutdown: bool,
}

impl Exceptionate {
    /// Creates an empty slot of channel type `ty`.
    pub fn new(ty: u32) -> Exceptionate {
        Exceptionate {
            ty,
            inner: Mutex::new(ExceptionateInner::default()),
        }
    }

    /// Binds the kernel end of a new exception channel; handlers get task
    /// handles with the given rights (empty: none). `ALREADY_BOUND` while a
    /// channel whose other end is open is bound; `BAD_STATE` once the task
    /// is dead.
    pub fn set_channel(
        &self,
        channel: Arc<Channel>,
        thread_rights: Rights,
        process_rights: Rights,
    ) -> ZxResult {
        let mut inner = self.inner.lock();
        if inner.shutdown {
            return Err(ZxError::BAD_STATE);
        }
        if inner.channel.as_ref().is_some_and(|c| c.peer().is_some()) {
            return Err(ZxError::ALREADY_BOUND);
        }
        inner.channel = Some(channel);
        inner.thread_rights = thread_rights;
        inner.process_rights = process_rights;
        Ok(())
    }

    /// Returns whether a channel with an open handler end is bound.
    pub fn has_live_channel(&self) -> bool {
        let inner = self.inner.lock();
        inner.channel.as_ref().is_some_and(|c| c.peer().is_some())
    }

    /// Unbinds the channel for good (the task died): the handler's end
    /// sees `PEER_CLOSED`.
    pub fn shutdown(&self) {
        let channel = {
            let mut inner = self.inner.lock();
            inner.shutdown = true;
            inner.channel.take()
        };
        drop(channel);
    }

    /// Offers the exception to this slot's handler; returns whether it was
    /// delivered (false: no channel, or nobody reads it any more).
    fn send(&self, thread: &Arc<Thread>, shared: &Arc<ExceptionShared>) -> bool {
        let mut inner = self.inner.lock();
        let Some(channel) = inner.channel.clone() else {
            return false;
        };
        {
            let mut st = shared.st.lock();
            st.closed = false;
            st.disposition = state::TRY_NEXT;
            st.channel_type = self.ty;
        }
        let exception = Arc::new(Exception {
            base: KObjectBase::default(),
            thread: thread.clone(),
            shared: shared.clone(),
            thread_rights: inner.thread_rights,
            process_rights: inner.process_rights,
        });
        let mut data = Vec::with_capacity(24);
        data.extend_from_slice(&thread.related_koid().to_le_bytes());
        data.extend_from_slice(&thread.koid().to_le_bytes());
        data.extend_from_slice(&shared.report.ty.to_le_bytes());
        data.extend_from_slice(&[0; 4]);
        let msg = Message {
            data,
            handles: vec![Handle::new(exception, DEFAULT_EXCEPTION_RIGHTS)],
        };
        match channel.write(msg) {
            Ok(()) => true,
            Err((_, msg)) => {
                // Nobody listens: forget the channel. (Dropping the message
                // marks the exception closed; the next send resets that.)
                inner.channel = None;
                drop(inner);
                drop(msg);
                false
            }
        }
    }
}

/// How an exception ended for the thread that raised it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionOutcome {
    /// A handler resumed the thread: continue with this context.
    Resume(ThreadContext),
    /// A handler chose `ZX_EXCEPTION_STATE_THREAD_EXIT`.
    ThreadExit,
    /// The thread (or its process) was killed meanwhile.
    Killed,
    /// Every handler passed (or there was none); `processed` tells whether
    /// any saw it. The process must die with
    /// [`TASK_RETCODE_EXCEPTION_KILL`].
    Unhandled {
        /// Whether at least one handler saw the exception.
        processed: bool,
    },
}

/// Where the next offer goes.
enum Stage {
    FirstDebugger,
    Thread,
    Process,
    SecondDebugger,
    Job(Option<Arc<crate::task::Job>>),
}

/// While a thread is in an exception: the exception and the registers
/// handlers may read and write.
#[derive(Debug)]
pub(crate) struct InException {
    pub shared: Arc<ExceptionShared>,
    pub ctx: ThreadContext,
}

/// Offers `report` to `thread`'s handlers in Zircon's order and blocks
/// until one resumes or ends the thread, the thread is killed, or no
/// handler is left. `regs` are the thread's registers at the exception.
pub(crate) fn deliver(
    thread: &Arc<Thread>,
    report: ExceptionReport,
    ctx: ThreadContext,
) -> ExceptionOutcome {
    let Some(process) = thread.process() else {
        return ExceptionOutcome::Killed;
    };
    if thread.is_dead() {
        // Killed while its guest code was still running (a fault in an
        // address space already torn down, say): nobody is asked.
        return ExceptionOutcome::Killed;
    }
    let shared = ExceptionShared::new(report);
    thread.set_in_exception(Some(InException {
        shared: shared.clone(),
        ctx: ctx.clone(),
    }));
    let verdict = deliver_in_order(thread, &process, &shared);
    // The context as the handlers left it.
    let ctx = thread.set_in_exception(None).map_or(ctx, |e| e.ctx);
    match verdict {
        Verdict::Resume => ExceptionOutcome::Resume(ctx),
        Verdict::ThreadExit => ExceptionOutcome::ThreadExit,
        Verdict::Killed => ExceptionOutcome::Killed,
        Verdict::Unhandled { processed } => ExceptionOutcome::Unhandled { processed },
    }
}

/// How the handlers, in order, disposed of an exception.
enum Verdict {
    /// One resumed the thread.
    Resume,
    /// One ended the thread.
    ThreadExit,
    /// The thread was killed meanwhile.
    Killed,
    /// None took it; `processed`: whether any saw it.
    Unhandled { processed: bool },
}

/// How one handler answered.
enum Offer {
    /// The slot had no (listening) handler.
    NotSent,
    /// The handler closed the exception with this `ZX_EXCEPTION_STATE_*`.
    Decided(u32),
    /// The thread was killed while the handler had it.
    Killed,
}

/// Offers the exception to one slot's handler and waits for its answer.
fn offer(thread: &Arc<Thread>, slot: &Exceptionate, shared: &Arc<ExceptionShared>) -> Offer {
    if !slot.send(thread, shared) {
        return Offer::NotSent;
    }
    loop {
        if thread.is_dead() || shared.waiter.is_killed() {
            return Offer::Killed;
        }
        if shared.st.lock().closed {
            break;
        }
        shared.waiter.sleep(None);
    }
    if thread.is_dead() {
        return Offer::Killed;
    }
    let mut st = shared.st.lock();
    st.channel_type = channel_type::NONE;
    Offer::Decided(st.disposition)
}

fn deliver_in_order(
    thread: &Arc<Thread>,
    process: &Arc<Process>,
    shared: &Arc<ExceptionShared>,
) -> Verdict {
    let _blocked = crate::task::BlockedGuard::new(
        Some(thread.clone()),
        crate::task::thread::blocked::EXCEPTION,
        &shared.waiter,
    );
    let mut processed = false;
    let mut stage = Stage::FirstDebugger;
    loop {
        let second_chance = shared.st.lock().second_chance;
        let (answer, next) = match stage {
            Stage::FirstDebugger => (
                offer(thread, process.debug_exceptionate(), shared),
                Stage::Thread,
            ),
            Stage::Thread => (offer(thread, thread.exceptionate(), shared), Stage::Process),
            Stage::Process => (
                offer(thread, process.exceptionate(), shared),
                if second_chance {
                    Stage::SecondDebugger
                } else {
                    Stage::Job(Some(process.job().clone()))
                },
            ),
            Stage::SecondDebugger => (
                offer(thread, process.debug_exceptionate(), shared),
                Stage::Job(Some(process.job().clone())),
            ),
            Stage::Job(None) => return Verdict::Unhandled { processed },
            Stage::Job(Some(job)) => (
                offer(thread, job.exceptionate(), shared),
                Stage::Job(job.parent().cloned()),
            ),
        };
        stage = next;
        match answer {
            Offer::NotSent => {}
            Offer::Killed => return Verdict::Killed,
            Offer::Decided(state::HANDLED) => return Verdict::Resume,
            Offer::Decided(state::THREAD_EXIT) => return Verdict::ThreadExit,
            Offer::Decided(_) => processed = true,
        }
    }
}

/// Sends a synthetic, debugger-only exception of type `ty` to `slot`
/// without stopping the thread (it is dying): the handler gets the message
/// and the exception handle, and whatever it answers changes nothing.
pub(crate) fn notify(thread: &Arc<Thread>, ty: u32, slot: &Exceptionate) {
    let shared = ExceptionShared::new(ExceptionReport {
        ty,
        vector: 0,
        err_code: 0,
        cr2: 0,
        synth_code: 0,
        synth_data: 0,
    });
    let _ = slot.send(thread, &shared);
}

/// Offers a synthetic, debugger-only exception of type `ty` to each of
/// `slots` in turn (each sees it once, whatever it answers), with the
/// thread stopped and its registers `regs` readable and writable. Returns
/// the context to go on with, or `Killed`/`ThreadExit`.
pub(crate) fn deliver_synthetic(
    thread: &Arc<Thread>,
    ty: u32,
    slots: &[&Exceptionate],
    ctx: ThreadContext,
) -> ExceptionOutcome {
    let report = ExceptionReport {
        ty,
        vector: 0,
        err_code: 0,
        cr2: 0,
        synth_code: 0,
        synth_data: 0,
    };
    let shared = ExceptionShared::new(report);
    thread.set_in_exception(Some(InException {
        shared: shared.clone(),
        ctx: ctx.clone(),
    }));
    let mut outcome = ExceptionOutcome::Resume(ctx.clone());
    {
        let _blocked = crate::task::BlockedGuard::new(
            Some(thread.clone()),
            crate::task::thread::blocked::EXCEPTION,
            &shared.waiter,
        );
        for slot in slots {
            match offer(thread, slot, &shared) {
                Offer::Killed => {
                    outcome = ExceptionOutcome::Killed;
                    break;
                }
                Offer::Decided(state::THREAD_EXIT) => {
                    outcome = ExceptionOutcome::ThreadExit;
                    break;
                }
                _ => {}
            }
        }
    }
    let last = thread.set_in_exception(None);
    match outcome {
        ExceptionOutcome::Resume(_) => ExceptionOutcome::Resume(last.map_or(ctx, |e| e.ctx)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Job;

    /// A started thread of a fresh process in a child of a fresh root job.
    fn setup() -> (Arc<Job>, Arc<Job>, Arc<Process>, Arc<Thread>) {
        let hal = Arc::new(kernel_hal::fake::FakeHal::new());
        let root = Job::root();
        let job = root.create_child().unwrap();
        let process = Process::create(hal, &job, "p").unwrap();
        let thread = Thread::create(&process, b"t").unwrap();
        thread.start().unwrap();
        (root, job, process, thread)
    }

    fn ctx() -> ThreadContext {
        ThreadContext {
            regs: kernel_hal::GeneralRegs {
                rip: 0x1000,
                ..Default::default()
            },
            fpu: kernel_hal::FpuState {
                image: vec![0; 576],
                mask: 3,
            },
        }
    }

    fn report() -> ExceptionReport {
        ExceptionReport::from_cpu(&CpuException {
            kind: ExceptionKind::UndefinedInstruction,
            vector: 6,
            err_code: 0,
            cr2: 0,
        })
    }

    /// Binds a channel to `slot` (its handlers get the thread, and the
    /// process unless it is a thread's slot, as the syscall binds them) and
    /// returns the handler's end.
    fn bind(slot: &Exceptionate) -> Arc<Channel> {
        let (kernel, user) = Channel::create();
        let process_rights = if slot.ty == channel_type::THREAD {
            Rights::empty()
        } else {
            Rights::all()
        };
        slot.set_channel(kernel, Rights::all(), process_rights)
            .unwrap();
        user
    }

    /// Waits for the exception on `ch` and returns it.
    fn take(ch: &Arc<Channel>) -> Arc<Exception> {
        loop {
            match ch.read(64, 1, false) {
                Ok(mut msg) => {
                    assert_eq!(msg.data.len(), 24);
                    let h = msg.handles.pop().unwrap();
                    assert_eq!(h.rights, DEFAULT_EXCEPTION_RIGHTS);
                    return h.object.clone().downcast_arc::<Exception>().unwrap();
                }
                Err((ZxError::SHOULD_WAIT, _, _)) => std::thread::yield_now(),
                Err(e) => panic!("{e:?}"),
            }
        }
    }

    #[test]
    fn offered_in_zircon_order_then_unhandled() {
        let (root, job, process, thread) = setup();
        let chans = [
            bind(process.debug_exceptionate()),
            bind(thread.exceptionate()),
            bind(process.exceptionate()),
            bind(job.exceptionate()),
            bind(root.exceptionate()),
        ];
        let t = thread.clone();
        let waiter = std::thread::spawn(move || t.handle_exception(report(), ctx()));
        let kinds = [
            channel_type::DEBUGGER,
            channel_type::THREAD,
            channel_type::PROCESS,
            channel_type::JOB,
            channel_type::JOB,
        ];
        for (ch, kind) in chans.iter().zip(kinds) {
            let e = take(ch);
            assert_eq!(thread.wait_exception_channel_type(), kind);
            assert_eq!(e.disposition(), state::TRY_NEXT);
            assert!(e.thread().is_ok());
            assert_eq!(e.process().is_ok(), kind != channel_type::THREAD);
            drop(e);
        }
        assert_eq!(
            waiter.join().unwrap(),
            ExceptionOutcome::Unhandled { processed: true }
        );
        assert_eq!(thread.exception_report(), Err(ZxError::BAD_STATE));
    }

    #[test]
    fn handled_resumes_with_the_registers_the_handler_wrote() {
        let (_root, _job, _process, thread) = setup();
        let ch = bind(thread.exceptionate());
        let t = thread.clone();
        let waiter = std::thread::spawn(move || t.handle_exception(report(), ctx()));
        let e = take(&ch);
        assert_eq!(
            thread.exception_report().unwrap().ty,
            excp::UNDEFINED_INSTRUCTION
        );
        let mut regs = thread.read_regs().unwrap();
        assert_eq!(regs.rip, 0x1000);
        regs.rip += 2;
        thread.write_regs(&regs).unwrap();
        e.set_disposition(state::HANDLED).unwrap();
        drop(e);
        match waiter.join().unwrap() {
            ExceptionOutcome::Resume(c) => assert_eq!(c.regs.rip, 0x1002),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_kill_ends_the_wait_and_a_late_answer_changes_nothing() {
        let (_root, _job, _process, thread) = setup();
        let ch = bind(thread.exceptionate());
        let t = thread.clone();
        let waiter = std::thread::spawn(move || t.handle_exception(report(), ctx()));
        let e = take(&ch);
        thread.exit();
        assert_eq!(waiter.join().unwrap(), ExceptionOutcome::Killed);
        e.set_disposition(state::HANDLED).unwrap();
        drop(e);
        // The dead thread's channel is closed for good.
        assert_eq!(
            thread
                .exceptionate()
                .set_channel(Channel::create().0, Rights::all(), Rights::all()),
            Err(ZxError::BAD_STATE)
        );
    }

    #[test]
    fn report_layout() {
        let r = ExceptionReport {
            ty: excp::FATAL_PAGE_FAULT,
            vector: 14,
            err_code: 6,
            cr2: 0x1000,
            synth_code: ZxError::ACCESS_DENIED as i32 as u32,
            synth_data: 0,
        };
        let b = r.to_bytes(REPORT_SIZE);
        assert_eq!(b.len(), 40);
        assert_eq!(&b[0..4], &40u32.to_le_bytes());
        assert_eq!(&b[4..8], &0x108u32.to_le_bytes());
        assert_eq!(&b[8..16], &14u64.to_le_bytes());
        assert_eq!(&b[24..32], &0x1000u64.to_le_bytes());
        assert_eq!(&b[32..36], &(-30i32 as u32).to_le_bytes());
        assert_eq!(r.to_bytes(REPORT_V1_SIZE).len(), 32);
        assert_eq!(DEFAULT_EXCEPTION_RIGHTS.bits(), 0x80C2);
    }
}
