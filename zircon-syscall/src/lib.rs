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
mod handle;
mod host;
mod misc;
mod object;
mod port;
mod resource;
mod signal;
mod stream;
mod system;
pub mod table;
mod task;
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
/// for.
pub fn set_current(process: Option<Arc<Process>>, thread: Option<Arc<Thread>>) {
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
        let sys = Syscall { process, host };
        let call = || run_guarded(&sys, num, || sys.run(num, regs, guest_rsp));
        // Tracing off costs this one relaxed load.
        let outcome = if trace::enabled() {
            trace::traced(&sys, thread.as_ref(), num, regs, guest_rsp, call)
        } else {
            call()
        };
        match outcome {
            Outcome::Return(_) if killed() => Outcome::ExitThread,
            other => other,
        }
    })
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
