//! The Zircon syscall layer: from a syscall number and raw registers to
//! typed object calls and a `zx_status_t`.
//!
//! Every handler follows the same shape (Zircon's `lib/syscalls/*.cc`):
//! decode raw `u64`s into typed values and user pointers, look handles up
//! *with the rights the call needs* (type checked before rights), call the
//! object, copy results out through the process's fallible user-copy
//! routines, and undo what was done if a later step fails. Only
//! [`dispatch`] turns a [`ZxResult`] into a raw status.
//!
//! The one syscall table, `sdk/vdso/syscalls.list`, gives every call's
//! number, parameters and attributes; `build.rs` generates from it the
//! [`numbers`], the decode (raw registers → each handler's typed
//! parameters; arguments 7 and 8 from the guest stack) and the [`table`]
//! the [`trace`] formatter reads. Adding a syscall is one line in the table
//! plus one handler method, in the file of its object family.
#![deny(unsafe_code)]
#![warn(missing_docs)]

use std::cell::RefCell;
use std::sync::Arc;

use zircon_object::task::{Process, Thread};
use zircon_object::{ZxError, ZxResult};

mod channel;
mod clock;
mod counter;
mod cprng;
mod exception;
mod fifo;
mod handle;
mod host;
mod info_memory;
mod misc;
mod object;
mod pager;
mod policy;
mod port;
mod property;
mod resource;
mod signal;
mod socket;
mod stream;
mod system;
pub mod table;
mod task;
mod testonly;
mod thread;
mod timer;
pub mod trace;
mod user;
mod vmar;
mod vmo;

pub use host::{Host, ThreadStart};
pub use misc::{monotonic_now, set_debug_sink};
pub use user::{UserInOutPtr, UserInPtr, UserOutPtr};

/// Syscall numbers generated from `sdk/vdso/syscalls.list`.
pub mod numbers {
    include!(concat!(env!("OUT_DIR"), "/numbers.rs"));
}

/// Who the current host thread runs guest code for.
type Current = Option<(Arc<Process>, Option<Arc<Thread>>)>;

thread_local! {
    static CURRENT: RefCell<Current> = const { RefCell::new(None) };
}

/// Sets the process (and thread) the current host thread runs guest code
/// for. Setting none also drops what a guest thread may have left behind
/// on this host thread (a context to resume, an interrupted channel call),
/// so the next guest thread it runs starts clean.
pub fn set_current(process: Option<Arc<Process>>, thread: Option<Arc<Thread>>) {
    if process.is_none() {
        channel::abandon_interrupted_call();
        RESUME_CONTEXT.with(|c| c.borrow_mut().take());
    }
    zircon_object::vm::pager::set_current_thread(thread.as_ref());
    CURRENT.with(|c| *c.borrow_mut() = process.map(|p| (p, thread)));
}

/// Returns the process the current host thread runs guest code for.
pub fn current_process() -> Option<Arc<Process>> {
    CURRENT.with(|c| c.borrow().as_ref().map(|(p, _)| p.clone()))
}

/// Returns the thread the current host thread runs guest code for.
pub fn current_thread() -> Option<Arc<Thread>> {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|(_, t)| t.clone()))
}

/// What the caller of [`dispatch`] must do after a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Return this value to the guest in `rax`.
    Return(u64),
    /// The calling thread must stop running guest code (the process exited
    /// with this code).
    Exit(i64),
    /// The calling thread must stop running guest code (it exited, or its
    /// process is gone); the process goes on.
    ExitThread,
    /// The calling thread must leave the syscall and continue from the
    /// context [`take_resume_context`] gives (a debugger changed its
    /// registers while it was suspended in the call).
    Resume,
}

thread_local! {
    /// The context for [`Outcome::Resume`], until the embedder takes it.
    static RESUME_CONTEXT: std::cell::RefCell<Option<kernel_hal::ThreadContext>> =
        const { std::cell::RefCell::new(None) };
}

/// Takes the context an [`Outcome::Resume`] of this host thread left.
pub fn take_resume_context() -> Option<kernel_hal::ThreadContext> {
    RESUME_CONTEXT.with(|c| c.borrow_mut().take())
}

impl Outcome {
    /// Returns the outcome of a call that returns a `zx_status_t`: its
    /// handler's `ZxResult`, or an `Outcome` for a call that may also end
    /// the thread (`zx_vmar_unmap_handle_close_thread_exit`).
    pub fn from_status(result: impl Into<Outcome>) -> Outcome {
        result.into()
    }
}

/// A call whose success is a count (`zx_debuglog_read`): the count is the
/// positive status.
impl From<ZxResult<usize>> for Outcome {
    fn from(result: ZxResult<usize>) -> Outcome {
        Outcome::Return(match result {
            Ok(n) => n as u64,
            Err(e) => e.into_raw() as u64,
        })
    }
}

impl From<ZxResult> for Outcome {
    fn from(result: ZxResult) -> Outcome {
        Outcome::Return(match result {
            Ok(()) => 0,
            Err(e) => e.into_raw() as u64,
        })
    }
}

/// The state a handler works with: the calling process. Handlers are
/// methods of it, one file per object family, and return their result; the
/// generated decode (`decode.rs`, from the syscall table) turns raw
/// arguments into their parameters and their result into an [`Outcome`].
pub(crate) struct Syscall<'a> {
    pub process: &'a Arc<Process>,
    pub host: &'a dyn Host,
    /// The call's register arguments and the guest's stack pointer at the
    /// call (for the calls that stop the thread with its registers shown).
    pub regs: [u64; 6],
    pub guest_rsp: usize,
}

/// The generated decode: `Syscall::run`.
mod decode {
    use crate::user::{UserInOutPtr, UserInPtr, UserOutPtr};
    use crate::{numbers, Outcome, Syscall};
    use zircon_object::ZxError;
    include!(concat!(env!("OUT_DIR"), "/decode.rs"));
}

impl Syscall<'_> {
    /// Returns the eight arguments of a call with more than six: the six
    /// register arguments, then two read from the guest stack above the
    /// return address at `guest_rsp` (`INVALID_ARGS` if unreadable).
    fn with_stack_args(&self, regs: [u64; 6], guest_rsp: usize) -> ZxResult<[u64; 8]> {
        let mut buf = [0u8; 16];
        let at = guest_rsp.checked_add(8).ok_or(ZxError::INVALID_ARGS)?;
        self.aspace()
            .copy_from_user(at, &mut buf)
            .map_err(|_| ZxError::INVALID_ARGS)?;
        let mut a = [0u64; 8];
        a[..6].copy_from_slice(&regs);
        a[6] = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
        a[7] = u64::from_le_bytes(buf[8..].try_into().expect("8 bytes"));
        Ok(a)
    }

    /// Adds handles to the two ends of a new pair and copies their values
    /// out; if a copy fails, both handles go again.
    pub fn add_pair(
        &self,
        a: Arc<dyn zircon_object::object::KernelObject>,
        b: Arc<dyn zircon_object::object::KernelObject>,
        rights: zircon_object::Rights,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        let h0 = self.process.add_handle(a, rights);
        let h1 = self.process.add_handle(b, rights);
        let r = out0
            .write(self.aspace(), h0)
            .and_then(|()| out1.write(self.aspace(), h1));
        if r.is_err() {
            // The handles go after the table's lock is released.
            let removed = {
                let mut t = self.process.handles();
                [t.remove(h0), t.remove(h1)]
            };
            drop(removed);
        }
        r
    }

    /// Adds a handle to `object` with `rights` and copies its value out;
    /// if the copy fails, the handle goes again.
    pub fn add_handle_out(
        &self,
        object: Arc<dyn zircon_object::object::KernelObject>,
        rights: zircon_object::Rights,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let value = self.process.add_handle(object, rights);
        if let Err(e) = out.write(self.aspace(), value) {
            // Dropped after the table's lock is released.
            let _removed = self.process.handles().remove(value);
            return Err(e);
        }
        Ok(())
    }

    pub fn aspace(&self) -> &Arc<zircon_object::vm::AddressSpace> {
        self.process.root_vmar().aspace()
    }
}

/// Runs syscall `num` with register arguments `regs` for the guest thread
/// the calling host thread runs ([`set_current`]); `guest_rsp` is the
/// guest's stack pointer at the call, from which arguments 7 and 8 are read;
/// `host` makes threads and sets the FS base.
///
/// A handler that panics (a bug in the emulator, never the guest's doing)
/// costs the calling process: it is killed with
/// `ZX_TASK_RETCODE_SYSCALL_KILL`, as if by `zx_task_kill`, because its
/// kernel state may be half-updated; locks do not poison
/// (`zircon_object::sync`), so every other process goes on.
pub fn dispatch(host: &dyn Host, num: u32, regs: [u64; 6], guest_rsp: usize) -> Outcome {
    // The current process and thread stay borrowed for the whole call (no
    // reference-count traffic on the fast path): only the embedder changes
    // them, around guest execution, never from inside a handler.
    CURRENT.with(|current| {
        let current = current.borrow();
        let Some((process, thread)) = current.as_ref() else {
            return Outcome::Return(ZxError::BAD_STATE.into_raw() as u64);
        };
        // The process or the thread was killed under this host thread: it
        // leaves at its next call, or right after this one.
        let killed = || process.is_exited() || thread.as_ref().is_some_and(|t| t.is_dead());
        if killed() {
            return Outcome::ExitThread;
        }
        let sys = Syscall {
            process,
            host,
            regs,
            guest_rsp,
        };
        let call = || run_guarded(&sys, num, || sys.run(num, regs, guest_rsp));
        loop {
            // Tracing off costs this one relaxed load.
            let outcome = if trace::enabled() {
                trace::traced(&sys, thread.as_ref(), num, regs, guest_rsp, call)
            } else {
                call()
            };
            // A handle the call named that the process lacks: the job
            // policy's ZX_POL_BAD_HANDLE (which may raise an exception or
            // kill; the call returns what it returned either way).
            if zircon_object::handle::take_failed_lookup() {
                let _ = sys.enforce_policy(zircon_object::task::policy::PolicyCondition::BadHandle);
            }
            let outcome = match outcome {
                Outcome::Return(_) if killed() => Outcome::ExitThread,
                Outcome::Return(value) => {
                    match thread.as_ref().and_then(|t| t.take_policy_exception()) {
                        Some((code, data)) => {
                            let t = thread.as_ref().expect("the exception was the thread's");
                            raise_policy_exception(&sys, t, code, data, regs, value, guest_rsp)
                        }
                        None => Outcome::Return(value),
                    }
                }
                other => other,
            };
            // A suspension takes effect here, on the way out (a wait it
            // interrupted ends with INTR_RETRY and is made again on resume).
            let Outcome::Return(value) = outcome else {
                return outcome;
            };
            let retry = value == INTR_RETRY;
            let Some(t) = thread.as_ref().filter(|t| retry || t.suspend_requested()) else {
                return outcome;
            };
            let parked = park_in_syscall(&sys, t, regs, value, guest_rsp);
            if !(retry && matches!(parked, Parked::Unchanged)) {
                channel::abandon_interrupted_call();
            }
            return match parked {
                Parked::Unchanged if retry => continue,
                Parked::Unchanged => outcome,
                Parked::Result(v) => Outcome::Return(v),
                Parked::Context(ctx) => {
                    RESUME_CONTEXT.with(|c| *c.borrow_mut() = Some(ctx));
                    Outcome::Resume
                }
                Parked::Killed => Outcome::ExitThread,
            };
        }
    })
}

/// `ZX_ERR_INTERNAL_INTR_RETRY` as a syscall's return value.
const INTR_RETRY: u64 = ZxError::INTERNAL_INTR_RETRY.into_raw() as i64 as u64;

/// How a thread suspended inside a syscall went on.
enum Parked {
    /// As it stopped: the syscall returns its value (or is made again).
    Unchanged,
    /// A debugger changed only `rax`: the syscall returns that.
    Result(u64),
    /// A debugger changed more: the thread continues from this context.
    Context(kernel_hal::ThreadContext),
    /// It was killed meanwhile.
    Killed,
}

/// Parks `thread` (suspended) at the syscall's return with `value`, and
/// tells how it went on once resumed.
fn park_in_syscall(
    sys: &Syscall<'_>,
    thread: &zircon_object::task::Thread,
    regs: [u64; 6],
    value: u64,
    guest_rsp: usize,
) -> Parked {
    let view = syscall_view(sys, regs, value, guest_rsp);
    match thread.suspend_point(view.clone()) {
        None => Parked::Killed,
        Some(ctx) if ctx == view => Parked::Unchanged,
        Some(ctx) => {
            let mut only_rax = ctx.clone();
            only_rax.regs.rax = value;
            if only_rax == view {
                Parked::Result(ctx.regs.rax)
            } else {
                Parked::Context(ctx)
            }
        }
    }
}

/// The calling thread's registers as a debugger sees them inside a
/// syscall that returns `value` (see [`Host::syscall_regs`]): `rip` the
/// caller's return address, `rsp` above it, as after the vDSO call
/// returned.
pub(crate) fn syscall_view(
    sys: &Syscall<'_>,
    regs: [u64; 6],
    value: u64,
    guest_rsp: usize,
) -> kernel_hal::ThreadContext {
    let mut ret = [0u8; 8];
    let rip = match sys.aspace().copy_from_user(guest_rsp, &mut ret) {
        Ok(()) => u64::from_le_bytes(ret),
        Err(_) => 0,
    };
    let mut gregs = sys
        .host
        .syscall_regs(regs, value)
        .unwrap_or(kernel_hal::GeneralRegs {
            rax: value,
            rdi: regs[0],
            rsi: regs[1],
            rdx: regs[2],
            rcx: regs[3],
            r10: regs[3],
            r8: regs[4],
            r9: regs[5],
            rflags: 0x202,
            ..kernel_hal::GeneralRegs::default()
        });
    gregs.rip = rip;
    gregs.rsp = guest_rsp as u64 + 8;
    kernel_hal::ThreadContext {
        regs: gregs,
        fpu: sys.host.current_fpu(),
    }
}

/// Raises the `ZX_EXCP_POLICY_ERROR` a syscall signalled (`code`, `data`)
/// on `thread`, as the syscall returns `value`: handlers see the registers
/// of the return from the vDSO call (`rip` the caller's return address,
/// `rsp` above it, `rax` the status, the argument registers as passed;
/// the rest read 0), and a thread they resume gets `value` (register
/// changes are not applied: the thread is inside a syscall). Unhandled, the
/// process is killed with `ZX_TASK_RETCODE_EXCEPTION_KILL`.
fn raise_policy_exception(
    sys: &Syscall<'_>,
    thread: &Arc<zircon_object::task::Thread>,
    code: u32,
    data: u32,
    regs: [u64; 6],
    value: u64,
    guest_rsp: usize,
) -> Outcome {
    use zircon_object::task::exception::TASK_RETCODE_EXCEPTION_KILL;
    use zircon_object::task::{ExceptionOutcome, ExceptionReport};
    let ctx = syscall_view(sys, regs, value, guest_rsp);
    let rip = ctx.regs.rip;
    match thread.handle_exception(ExceptionReport::policy(code, data), ctx) {
        ExceptionOutcome::Resume(_) => Outcome::Return(value),
        ExceptionOutcome::ThreadExit | ExceptionOutcome::Killed => Outcome::ExitThread,
        ExceptionOutcome::Unhandled { .. } => {
            if !sys.process.is_exited() {
                sys.host.unhandled_exception(
                    sys.process,
                    thread,
                    &format!("policy error (ZX_EXCP_POLICY_CODE {code}), pc {rip:#x}"),
                );
                sys.process.exit(TASK_RETCODE_EXCEPTION_KILL);
            }
            Outcome::ExitThread
        }
    }
}

/// Runs `call` (syscall `num` of `sys.process`); if it panics, kills the
/// process with `ZX_TASK_RETCODE_SYSCALL_KILL` and takes the caller out of
/// guest mode.
fn run_guarded(sys: &Syscall<'_>, num: u32, call: impl FnOnce() -> Outcome) -> Outcome {
    use zircon_object::object::KernelObject as _;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        Ok(outcome) => outcome,
        Err(_) => {
            log::error!(
                "zx_{} panicked; killing process {}",
                table::name_of(num).unwrap_or("?"),
                sys.process.koid()
            );
            sys.process
                .exit(zircon_object::task::process::TASK_RETCODE_SYSCALL_KILL);
            Outcome::ExitThread
        }
    }
}

#[cfg(test)]
mod tests;
