//! Installing the signal handlers: the fault handler (`fault.rs`) for the
//! six signals a guest's faults and traps raise, and the kick handler
//! (`kick.rs`); and passing on the signals that are not ours to whoever
//! handled them before.

use std::sync::{Once, OnceLock};

use kernel_hal::{HalError, HalResult};
use libc::{c_int, c_void};

use crate::sys;

/// The signals the handler takes: faults, bad instructions, traps, and
/// the SIGSYS of a trapped raw syscall.
const HANDLED_SIGNALS: [c_int; 6] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGTRAP,
    libc::SIGFPE,
    libc::SIGSYS,
];

/// The actions of [`HANDLED_SIGNALS`] that were installed before ours.
static PREVIOUS_ACTIONS: OnceLock<[PreviousAction; 6]> = OnceLock::new();

/// The C library's signal-return trampoline (`sa_restorer`), which must
/// stay able to make its `rt_sigreturn` syscall while guest code has
/// syscalls blocked.
static SIGRETURN: OnceLock<usize> = OnceLock::new();

/// Returns the address range Syscall User Dispatch must always let through
/// (the signal-return trampoline), once the handlers are installed.
pub(crate) fn sigreturn_range() -> Option<(usize, usize)> {
    SIGRETURN.get().map(|&a| (a, 16))
}

/// Restores the default action of `sig`, so that returning from the
/// handler re-runs the faulting instruction and the process dies of `sig`.
pub(crate) fn die_of(sig: c_int) {
    // SAFETY: an all-zero sigaction with SIG_DFL is a valid argument;
    // sigaction is async-signal-safe.
    let ok = unsafe {
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(sig, &dfl, std::ptr::null_mut()) == 0
    };
    if !ok {
        std::process::abort();
    }
}

/// A signal action saved before ours was installed.
#[derive(Clone, Copy)]
struct PreviousAction(libc::sigaction);

/// Passes a foreign fault to the handler installed before ours, or dies of
/// it if there was none.
pub(crate) fn chain_to_previous(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    // A fault comes back when the instruction runs again, so restoring
    // the default action is enough; a signal sent by a process
    // (`kill -SEGV`, si_code <= 0) does not come back, and a previous
    // handler (std's stack-overflow one) may count on it coming back: it
    // is raised again here, so it takes the default action it would have
    // had without us.
    if info.is_null() || unsafe_si_code(info) <= 0 {
        die_of(sig);
        // SAFETY: raise is async-signal-safe; with SA_NODEFER the signal
        // is delivered at once, with the default action just restored.
        unsafe { libc::raise(sig) };
        return;
    }
    let Some(index) = HANDLED_SIGNALS.iter().position(|&s| s == sig) else {
        return die_of(sig);
    };
    let Some(prev) = PREVIOUS_ACTIONS.get().map(|a| a[index].0) else {
        return die_of(sig);
    };
    let handler = prev.sa_sigaction;
    if handler == libc::SIG_DFL {
        return die_of(sig);
    }
    if handler == libc::SIG_IGN {
        // A real fault cannot be ignored (it would loop): it kills.
        return die_of(sig);
    }
    if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO, `sa_sigaction` holds a three-argument
        // handler installed by whoever came before us (sigaction(2)); we
        // call it with the arguments the kernel gave us.
        let f: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
            unsafe { std::mem::transmute(handler) };
        f(sig, info, ctx);
    } else {
        // SAFETY: without SA_SIGINFO, `sa_sigaction` holds a one-argument
        // handler (sigaction(2)).
        let f: extern "C" fn(c_int) = unsafe { std::mem::transmute(handler) };
        f(sig);
    }
}

/// Installs the handler of the signal that kicks threads out of guest code.
fn install_kick_handler() -> HalResult {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) = crate::kick::handle_kick;
    action.sa_sigaction = handler as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
    // SAFETY: installs a handler for a signal nothing else in this process
    // uses; the handler only reads this thread's state block.
    let r = unsafe { libc::sigaction(crate::kick::KICK_SIGNAL, &action, std::ptr::null_mut()) };
    if r != 0 {
        return Err(HalError::Host(crate::sys::errno()));
    }
    Ok(())
}

/// Installs the fault handler (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE,
/// SIGSYS) and the kick handler, once per process. Later calls do
/// nothing.
pub fn install_fault_handlers() -> HalResult {
    static INSTALL: Once = Once::new();
    static RESULT: OnceLock<HalResult> = OnceLock::new();
    INSTALL.call_once(|| {
        let r = install_once().and_then(|()| install_kick_handler());
        let _ = RESULT.set(r);
    });
    RESULT
        .get()
        .copied()
        .unwrap_or(Err(HalError::Host(libc::EINVAL)))
}

fn install_once() -> HalResult {
    let signals = HANDLED_SIGNALS;
    let mut previous = [PreviousAction(empty_sigaction()); 6];
    for (i, &sig) in signals.iter().enumerate() {
        // SAFETY: `previous[i].0` is a writable sigaction; a null new
        // action only queries.
        if unsafe { libc::sigaction(sig, std::ptr::null(), &mut previous[i].0) } != 0 {
            return Err(HalError::Host(sys::errno()));
        }
    }
    let _ = PREVIOUS_ACTIONS.set(previous);
    let mut action = empty_sigaction();
    let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
        crate::fault::handle_fault_signal;
    action.sa_sigaction = handler as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
    // A kick must not cut a fault resolution short (it may hold the address
    // space lock): it is held back until the fault handler returns.
    // SAFETY: `sa_mask` is a plain sigset_t owned by `action`.
    unsafe { libc::sigaddset(&mut action.sa_mask, crate::kick::KICK_SIGNAL) };
    for &sig in &signals {
        // SAFETY: `action` is fully initialised with an `extern "C"`
        // three-argument handler, matching SA_SIGINFO.
        if unsafe { libc::sigaction(sig, &action, std::ptr::null_mut()) } != 0 {
            return Err(HalError::Host(sys::errno()));
        }
    }
    // The C library put its own signal-return trampoline in the action;
    // Syscall User Dispatch must let its rt_sigreturn through.
    let mut installed = empty_sigaction();
    // SAFETY: queries the action just installed into a local.
    if unsafe { libc::sigaction(libc::SIGSEGV, std::ptr::null(), &mut installed) } == 0 {
        if let Some(restorer) = installed.sa_restorer {
            let _ = SIGRETURN.set(restorer as usize);
        }
    }
    Ok(())
}

/// Returns a sigaction with no handler, no flags and an empty mask.
fn empty_sigaction() -> libc::sigaction {
    // SAFETY: sigaction is plain old data; all-zero is SIG_DFL, no flags,
    // and (on Linux) an empty signal mask.
    unsafe { std::mem::zeroed() }
}

/// `si_code` of a non-null siginfo.
fn unsafe_si_code(info: *mut libc::siginfo_t) -> c_int {
    // SAFETY: callers pass the handler's non-null siginfo.
    unsafe { (*info).si_code }
}
