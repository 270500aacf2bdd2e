//! Exception delivery: the order in which an exception is offered to
//! handlers, and the blocked thread's wait for their answers.
//!
//! Zircon's order: the process's debugger channel, the thread's channel,
//! the process's channel, the debugger again if it asked for a second
//! chance, then the channels of the process's job and each job above it.
//! `ZX_EXCEPTION_STATE_HANDLED` resumes the thread (with whatever registers
//! the handler wrote), `THREAD_EXIT` ends the thread, `TRY_NEXT` (the
//! default) passes it on. When no handler is left the process dies with
//! `ZX_TASK_RETCODE_EXCEPTION_KILL` (the caller decides that).
//!
//! Synthetic exceptions (`ZX_EXCP_THREAD_STARTING`, `THREAD_EXITING`,
//! `PROCESS_STARTING`) go to debugger slots only: each sees it once and
//! only `THREAD_EXIT` changes anything.

use std::sync::Arc;

use kernel_hal::ThreadContext;

use crate::task::exception::{ExceptionReport, ExceptionShared, ExceptionState, ExceptionType};
use crate::task::{BlockedGuard, BlockedReason, Exceptionate, Job, Process, Thread};

/// How an exception ended for the thread that raised it. (Inside this
/// module the handlers' answer is an `ExceptionOutcome<()>`: which context
/// to resume with is decided once they are done.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionOutcome<Context = ThreadContext> {
    /// A handler resumed the thread: continue with this context.
    Resume(Context),
    /// A handler chose `ZX_EXCEPTION_STATE_THREAD_EXIT`.
    ThreadExit,
    /// The thread (or its process) was killed meanwhile.
    Killed,
    /// Every handler passed (or there was none); `processed` tells whether
    /// any saw it. The process must die with
    /// [`TASK_RETCODE_EXCEPTION_KILL`](crate::task::exception::TASK_RETCODE_EXCEPTION_KILL).
    Unhandled {
        /// Whether at least one handler saw the exception.
        processed: bool,
    },
}

impl ExceptionOutcome<()> {
    /// The same outcome, a `Resume` with `ctx`.
    fn resume_with(self, ctx: ThreadContext) -> ExceptionOutcome {
        match self {
            ExceptionOutcome::Resume(()) => ExceptionOutcome::Resume(ctx),
            ExceptionOutcome::ThreadExit => ExceptionOutcome::ThreadExit,
            ExceptionOutcome::Killed => ExceptionOutcome::Killed,
            ExceptionOutcome::Unhandled { processed } => ExceptionOutcome::Unhandled { processed },
        }
    }
}

/// While a thread is in an exception: the exception and the registers
/// handlers may read and write.
#[derive(Debug)]
pub(crate) struct InException {
    pub shared: Arc<ExceptionShared>,
    pub ctx: ThreadContext,
}

/// Where the next offer goes.
enum Stage {
    FirstDebugger,
    Thread,
    Process,
    SecondDebugger,
    Job(Option<Arc<Job>>),
}

/// How one handler answered.
enum Offer {
    /// The slot had no (listening) handler.
    NotSent,
    /// The handler closed the exception with this decision.
    Decided(ExceptionState),
    /// The thread was killed while the handler had it.
    Killed,
}

/// Offers `report` to `thread`'s handlers in Zircon's order and blocks
/// until one resumes or ends the thread, the thread is killed, or no
/// handler is left. `ctx` is the thread's context at the exception; a
/// `Resume` carries it as the handlers left it.
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
    stopped_in_exception(thread, report, ctx, |shared| {
        offer_in_order(thread, &process, shared)
    })
}

/// Offers a synthetic, debugger-only exception of type `ty` to each of
/// `slots` in turn (each sees it once, whatever it answers), with the
/// thread stopped and its context `ctx` readable and writable. Returns
/// the context to go on with, or `Killed`/`ThreadExit`.
pub(crate) fn deliver_synthetic(
    thread: &Arc<Thread>,
    ty: ExceptionType,
    slots: &[&Exceptionate],
    ctx: ThreadContext,
) -> ExceptionOutcome {
    stopped_in_exception(thread, ExceptionReport::synthetic(ty), ctx, |shared| {
        for slot in slots {
            match offer(thread, slot, shared) {
                Offer::Killed => return ExceptionOutcome::Killed,
                Offer::Decided(ExceptionState::ThreadExit) => return ExceptionOutcome::ThreadExit,
                Offer::Decided(_) | Offer::NotSent => {}
            }
        }
        ExceptionOutcome::Resume(())
    })
}

/// Sends a synthetic, debugger-only exception of type `ty` to `slot`
/// without stopping the thread (it is dying): the handler gets the message
/// and the exception handle, and whatever it answers changes nothing.
pub(crate) fn notify(thread: &Arc<Thread>, ty: ExceptionType, slot: &Exceptionate) {
    let shared = ExceptionShared::new(ExceptionReport::synthetic(ty));
    let _ = slot.send(thread, &shared);
}

/// Runs `offers` with `thread` stopped in the exception `report` (its
/// context `ctx` readable and writable by handlers, the thread blocked on
/// the exception's waiter), and fills a `Resume` outcome with the context
/// as the handlers left it.
fn stopped_in_exception(
    thread: &Arc<Thread>,
    report: ExceptionReport,
    ctx: ThreadContext,
    offers: impl FnOnce(&Arc<ExceptionShared>) -> ExceptionOutcome<()>,
) -> ExceptionOutcome {
    let shared = ExceptionShared::new(report);
    // The context moves into the thread for the handlers and back out
    // (no copy of the FPU image); only the registers are kept aside.
    let regs = ctx.regs;
    thread.set_in_exception(Some(InException {
        shared: shared.clone(),
        ctx,
    }));
    let outcome = {
        let _blocked = BlockedGuard::new(
            Some(thread.clone()),
            BlockedReason::Exception,
            &shared.waiter,
        );
        offers(&shared)
    };
    // The context as the handlers left it (nothing else clears it; if
    // something did, the registers go on with the FPU state unchanged).
    let last = thread.set_in_exception(None);
    outcome.resume_with(last.map_or_else(
        || ThreadContext {
            regs,
            fpu: kernel_hal::FpuState {
                image: Vec::new(),
                mask: 0,
            },
        },
        |e| e.ctx,
    ))
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
    st.channel_type = crate::task::exception::ChannelType::None;
    Offer::Decided(st.disposition)
}

/// Offers the exception to the handlers in Zircon's order (see the module
/// doc).
fn offer_in_order(
    thread: &Arc<Thread>,
    process: &Arc<Process>,
    shared: &Arc<ExceptionShared>,
) -> ExceptionOutcome<()> {
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
            Stage::Job(None) => return ExceptionOutcome::Unhandled { processed },
            Stage::Job(Some(job)) => (
                offer(thread, job.exceptionate(), shared),
                Stage::Job(job.parent().cloned()),
            ),
        };
        stage = next;
        match answer {
            Offer::NotSent => {}
            Offer::Killed => return ExceptionOutcome::Killed,
            Offer::Decided(ExceptionState::Handled) => return ExceptionOutcome::Resume(()),
            Offer::Decided(ExceptionState::ThreadExit) => return ExceptionOutcome::ThreadExit,
            Offer::Decided(ExceptionState::TryNext) => processed = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Channel;
    use crate::task::exception::{ChannelType, Exception, DEFAULT_EXCEPTION_RIGHTS};
    use crate::{Rights, ZxError};
    use kernel_hal::{CpuException, ExceptionKind};

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
        let process_rights = if slot.channel_type() == ChannelType::Thread {
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
            ChannelType::Debugger,
            ChannelType::Thread,
            ChannelType::Process,
            ChannelType::Job,
            ChannelType::Job,
        ];
        for (ch, kind) in chans.iter().zip(kinds) {
            let e = take(ch);
            assert_eq!(thread.wait_exception_channel_type(), kind);
            assert_eq!(e.disposition(), ExceptionState::TryNext);
            assert!(e.thread().is_ok());
            assert_eq!(e.process().is_ok(), kind != ChannelType::Thread);
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
            ExceptionType::UndefinedInstruction
        );
        let mut regs = thread.read_regs().unwrap();
        assert_eq!(regs.rip, 0x1000);
        regs.rip += 2;
        thread.write_regs(&regs).unwrap();
        e.set_disposition(ExceptionState::Handled);
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
        e.set_disposition(ExceptionState::Handled);
        drop(e);
        // The dead thread's channel is closed for good.
        assert_eq!(
            thread
                .exceptionate()
                .set_channel(Channel::create().0, Rights::all(), Rights::all()),
            Err(ZxError::BAD_STATE)
        );
    }

    /// A started thread that is killed while it announces its own exit
    /// sends `ZX_EXCP_THREAD_EXITING` exactly once: the announcement and
    /// the kill agree under the thread's lock on who sends it.
    #[test]
    fn exiting_is_announced_once_when_a_kill_races_the_exit() {
        for _ in 0..3000 {
            let (_root, _job, process, thread) = setup();
            let debugger = bind(process.debug_exceptionate());
            let start = Arc::new(std::sync::Barrier::new(2));
            let announcer = {
                let (t, start) = (thread.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    t.announce_exit(ctx().fpu);
                })
            };
            start.wait();
            thread.mark_dead();
            announcer.join().unwrap();
            let mut sent = 0;
            while let Ok(msg) = debugger.read(64, 1, false) {
                let e = msg.handles[0]
                    .object
                    .clone()
                    .downcast_arc::<Exception>()
                    .unwrap();
                assert_eq!(e.exception_type(), ExceptionType::ThreadExiting);
                sent += 1;
            }
            assert_eq!(sent, 1);
        }
    }
}
