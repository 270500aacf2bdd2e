//! Guest faults and traps: the handler of SIGSEGV, SIGBUS, SIGILL, SIGTRAP,
//! SIGFPE and SIGSYS, the resolver registry, per-thread alternate signal
//! stacks, and raw guest-memory accessors.
//!
//! When guest code touches a page of its window that is not mapped (the
//! `PROT_NONE` reservation) or not mapped with the needed permission, the
//! host raises SIGSEGV (SIGBUS for a memfd page past the end of the file).
//! [`install_fault_handlers`] installs one process-wide handler for all six
//! signals, with `SA_SIGINFO | SA_ONSTACK | SA_NODEFER`:
//!
//! * `SA_ONSTACK` runs it on the thread's alternate stack when there is one
//!   ([`ensure_alt_stack`]), so a guest with a broken stack pointer cannot
//!   take the host down (DESIGN.md decision 6); a thread without one simply
//!   runs the handler on its normal stack.
//! * `SA_NODEFER` lets a fault *inside* the handler (a buggy resolver)
//!   re-enter it, where a thread-local flag catches the recursion and
//!   aborts with a diagnostic, instead of the kernel killing the process
//!   silently because the signal was blocked.
//!
//! The handler first loads the host's FS base and lets itself make syscalls
//! (the Syscall User Dispatch selector; see `context.rs`), then asks the
//! thread's state block whether guest code was running.
//!
//! * **Guest code.** A page fault in the thread's own window goes to the
//!   window's [`FaultResolver`]: `Ok` resumes the guest and the instruction
//!   runs again. Anything else becomes a [`CpuException`]: an unresolved
//!   fault (with the resolver's Zircon status; a fault outside the thread's
//!   own window is `NotFound` without asking anyone), `ud2`, `int3`, a debug
//!   trap, #GP, a divide error, or the SIGSYS of a raw `syscall` / `int 0x80`
//!   trapped by Syscall User Dispatch. The handler saves the guest's
//!   registers and FPU state and returns into the exit stub, so
//!   `run_guest` returns `GuestExit::Exception`: the exception is delivered
//!   by ordinary code, not here (DESIGN.md decision 14).
//! * **Host code.** A fault in a window is a host bug (only the raw
//!   accessors below may fault there): reported, and the process dies of
//!   the signal. A fault outside every window is not ours: it is chained to
//!   the handler that was installed before (Rust's stack-overflow reporter,
//!   usually), or kills the process with the default action.
//!
//! # Why calling the resolver from a signal handler is sound
//!
//! The resolver takes locks and allocates, which is not async-signal-safe
//! in general. It is sound here because faults come only from *guest code*
//! (or the raw accessors below, which stand in for it), and guest code
//! never holds a host lock or runs inside the allocator: it enters the host
//! only through the vDSO call path. Kernel code never touches guest memory
//! through mappings — it uses the frame file or fallible copies — so a
//! fault cannot interrupt it halfway through a critical section. A fault in
//! host code outside the windows is never given to a resolver.
//!
//! A resolver that returns `Ok` without making the access possible makes
//! the guest fault again at once, forever: resolvers must only report
//! success once the page is mapped with the needed permission.
//!
//! Lock order: the registry slot lock is a leaf, held only to clone the
//! `Weak`, so the resolver runs with no HAL lock held, as the
//! [`FaultResolver`] contract requires.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once, OnceLock, PoisonError, RwLock, Weak};

use kernel_hal::{
    CpuException, ExceptionKind, FaultError, FaultResolver, HalError, HalResult, PageFaultAccess,
    VirtAddr,
};
use libc::{c_int, c_void};

use crate::context::Interrupted;
use crate::context::{capture_guest_exception, enter_signal_handler, leave_signal_handler};
use crate::page_table::{window_slot, MAX_WINDOWS};
use crate::sys;

/// Resolvers by window slot. Written when a table registers one or drops;
/// read by the fault handler.
static RESOLVERS: [RwLock<Option<Weak<dyn FaultResolver>>>; MAX_WINDOWS] =
    [const { RwLock::new(None) }; MAX_WINDOWS];

/// Faults resolved by a resolver since the process started.
static RESOLVED_FAULTS: AtomicU64 = AtomicU64::new(0);

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

/// `si_code` of a SIGSEGV from a protection-key check.
const SEGV_PKUERR: c_int = 4;

/// `si_code` of a SIGSYS raised by Syscall User Dispatch.
const SYS_USER_DISPATCH: c_int = 2;
/// `si_code` the kernel uses for a fault without an address (#GP) or for
/// `int3`.
const SI_KERNEL: c_int = 0x80;

/// Returns the address range Syscall User Dispatch must always let through
/// (the signal-return trampoline), once the handlers are installed.
pub(crate) fn sigreturn_range() -> Option<(usize, usize)> {
    SIGRETURN.get().map(|&a| (a, 16))
}

/// Size of an alternate signal stack, without its guard page. The resolver
/// runs the kernel's VM code on it, so it is generous; it is only committed
/// as it is used.
const ALT_STACK_SIZE: usize = 256 * 1024;

thread_local! {
    /// Set while this thread runs the fault handler.
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
    /// This thread's alternate signal stack, if we installed one.
    static ALT_STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// Registers `resolver` (or clears the registration) for window `slot`.
pub(crate) fn register_resolver(slot: usize, resolver: Option<Weak<dyn FaultResolver>>) {
    *RESOLVERS[slot]
        .write()
        .unwrap_or_else(PoisonError::into_inner) = resolver;
}

/// Returns the live resolver of the window containing `addr`.
fn resolver_for(addr: usize) -> Option<Arc<dyn FaultResolver>> {
    let slot = window_slot(addr)?;
    let guard = RESOLVERS[slot]
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    guard.as_ref()?.upgrade()
}

/// Returns how many faults a resolver has resolved so far (for benchmarks:
/// signals per touched page).
pub fn resolved_fault_count() -> u64 {
    RESOLVED_FAULTS.load(Ordering::Relaxed)
}

/// Decodes an x86-64 page-fault error code: bit 1 = write, bit 4 =
/// instruction fetch, otherwise a read.
pub(crate) fn access_from_error_code(err: u64) -> PageFaultAccess {
    if err & 0x10 != 0 {
        PageFaultAccess::Execute
    } else if err & 0x2 != 0 {
        PageFaultAccess::Write
    } else {
        PageFaultAccess::Read
    }
}

/// Returns the access kind and the faulting instruction's address.
#[cfg(target_arch = "x86_64")]
fn decode_context(ctx: *mut c_void) -> (PageFaultAccess, usize) {
    if ctx.is_null() {
        return (PageFaultAccess::Read, 0);
    }
    // SAFETY: for an SA_SIGINFO handler the third argument points to the
    // `ucontext_t` the kernel saved on the signal stack; it lives until the
    // handler returns and we only read it.
    let uc = unsafe { &*ctx.cast::<libc::ucontext_t>() };
    let gregs = &uc.uc_mcontext.gregs;
    let err = gregs[libc::REG_ERR as usize] as u64;
    let pc = gregs[libc::REG_RIP as usize] as usize;
    (access_from_error_code(err), pc)
}

/// Returns the access kind and the faulting instruction's address (unknown
/// on this architecture: assume a read).
#[cfg(not(target_arch = "x86_64"))]
fn decode_context(_ctx: *mut c_void) -> (PageFaultAccess, usize) {
    (PageFaultAccess::Read, 0)
}

/// A fixed buffer for formatting diagnostics without allocating (the
/// handler must not allocate on its own account).
struct StackMessage {
    buf: [u8; 256],
    len: usize,
}

impl StackMessage {
    fn new() -> Self {
        StackMessage {
            buf: [0; 256],
            len: 0,
        }
    }

    /// Writes the message plus a newline to standard error.
    fn emit(mut self) {
        if self.len == self.buf.len() {
            self.len -= 1;
        }
        self.buf[self.len] = b'\n';
        sys::write_stderr(&self.buf[..=self.len]);
    }
}

impl std::fmt::Write for StackMessage {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// A fault the emulator could not resolve.
#[derive(Debug, Clone, Copy)]
pub struct UnresolvedFault {
    /// The faulting address.
    pub addr: VirtAddr,
    /// What the access tried to do.
    pub access: PageFaultAccess,
    /// Why it was refused.
    pub error: FaultError,
    /// Address of the faulting instruction (0 if unknown).
    pub pc: usize,
}

/// What the handler decided.
enum Outcome {
    /// Resolved: retry the instruction.
    Resolved,
    /// In a guest window but refused (or nobody to ask).
    Unresolved(FaultError),
    /// Not in any guest window: not ours.
    Foreign,
}

/// The safe core of the handler: decides whose fault it is and asks the
/// window's resolver.
///
/// * A signal sent by a process (`si_code <= 0`, e.g. `kill -SEGV`) carries
///   no fault address: not ours.
/// * SIGBUS inside a window means the host could not supply a page of the
///   frame file (mappings never reach past its end, which never shrinks,
///   so what is left is host memory or space running out). No resolver can
///   fix that, and asking one that believes the page mapped would loop
///   forever, so it is reported as `NoMemory` directly.
fn resolve(sig: c_int, si_code: c_int, addr: usize, access: PageFaultAccess) -> Outcome {
    if si_code <= 0 || window_slot(addr).is_none() {
        return Outcome::Foreign;
    }
    if sig == libc::SIGBUS {
        return Outcome::Unresolved(FaultError::NoMemory);
    }
    let Some(resolver) = resolver_for(addr) else {
        return Outcome::Unresolved(FaultError::NotFound);
    };
    match resolver.resolve_fault(addr, access) {
        Ok(()) => {
            RESOLVED_FAULTS.fetch_add(1, Ordering::Relaxed);
            Outcome::Resolved
        }
        Err(e) => Outcome::Unresolved(e),
    }
}

/// Returns the name of a fault signal.
fn signal_name(sig: c_int) -> &'static str {
    match sig {
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGFPE => "SIGFPE",
        libc::SIGSYS => "SIGSYS",
        _ => "SIGSEGV",
    }
}

/// The SIGSEGV/SIGBUS handler; see the module docs. A fault in guest code
/// arrives with the guest's FS base, so before anything can touch
/// thread-local storage the host's FS base is put back (and the guest's
/// restored on the way out).
extern "C" fn handle_fault_signal(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    // The kernel delivers signals with the interrupted code's EFLAGS.AC:
    // host code must not run with alignment checking on (sigreturn gives
    // the guest its flags back).
    // SAFETY: pushes and pops one word of this (alternate) stack and only
    // clears the AC flag.
    unsafe { std::arch::asm!("pushfq", "and dword ptr [rsp], 0xfffbffff", "popfq") };
    let saved = switch_to_host_fs();
    let (who, selector) = enter_signal_handler();
    let guest_fs = saved.unwrap_or_else(current_fs);
    handle_fault_signal_inner(sig, info, ctx, who, guest_fs);
    leave_signal_handler(selector);
    if let Some(fs) = saved {
        // SAFETY: writes back the FS base this thread had at the signal.
        unsafe { std::arch::asm!("wrfsbase {}", in(reg) fs, options(nostack, preserves_flags)) };
    }
}

/// Returns this thread's FS base.
fn current_fs() -> u64 {
    let fs: u64;
    // SAFETY: reads this thread's FS base.
    unsafe {
        std::arch::asm!("rdfsbase {}", out(reg) fs, options(nomem, nostack, preserves_flags))
    };
    fs
}

/// Loads the host's FS base if this thread runs guest code with another
/// one; returns the FS base to restore. Touches no thread-local storage.
fn switch_to_host_fs() -> Option<u64> {
    let gs = crate::context::block_ptr()?;
    // SAFETY: only this crate sets GS bases, always to the thread's live
    // context block (context.rs), whose `host_fs` field sits at `HOST_FS`.
    let host = unsafe { std::ptr::read_volatile((gs + crate::context::HOST_FS) as *const u64) };
    let cur = current_fs();
    if host == 0 || cur == host {
        return None;
    }
    // SAFETY: `host` is the FS base this thread had when it entered guest
    // mode; putting it back makes its thread-local storage reachable.
    unsafe { std::arch::asm!("wrfsbase {}", in(reg) host, options(nostack, preserves_flags)) };
    Some(cur)
}

/// Reads the x86 trap number and error code the kernel saved.
fn trap_details(ctx: *mut c_void) -> (u64, u64) {
    if ctx.is_null() {
        return (0, 0);
    }
    // SAFETY: as in `decode_context`.
    let uc = unsafe { &*ctx.cast::<libc::ucontext_t>() };
    let g = &uc.uc_mcontext.gregs;
    (
        g[libc::REG_TRAPNO as usize] as u64,
        g[libc::REG_ERR as usize] as u64,
    )
}

/// Classifies a signal that interrupted guest code into the exception it
/// stands for, or None for a page fault the resolver fixed (or a signal
/// that is not a CPU exception at all, such as one sent with `kill`).
fn guest_exception(
    sig: c_int,
    si_code: c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut c_void,
) -> Option<CpuException> {
    // SAFETY: `info` is the siginfo of this SA_SIGINFO handler.
    let addr = unsafe { (*info).si_addr() } as usize;
    let (access, _) = decode_context(ctx);
    let (vector, err_code) = trap_details(ctx);
    let kind = match sig {
        libc::SIGSEGV | libc::SIGBUS if si_code == SI_KERNEL => ExceptionKind::General,
        // The guest denied itself access with a protection key (`wrpkru`):
        // the mapping is fine, so resolving would loop forever.
        libc::SIGSEGV if si_code == SEGV_PKUERR => ExceptionKind::PageFault {
            addr,
            access,
            error: FaultError::AccessDenied,
        },
        libc::SIGSEGV | libc::SIGBUS => {
            let foreign_window = match (window_slot(addr), crate::context::own_window_slot()) {
                (Some(slot), Some(own)) => slot != own,
                _ => false,
            };
            let outcome = if foreign_window {
                // Another process's window: nothing of this process's is
                // there, and its resolver must not map pages for us.
                Outcome::Unresolved(FaultError::NotFound)
            } else {
                resolve(sig, si_code, addr, access)
            };
            let error = match outcome {
                Outcome::Resolved => return None,
                Outcome::Unresolved(e) => e,
                // Outside every window: nothing is mapped there for the
                // guest (whatever the host has there).
                Outcome::Foreign if si_code > 0 => FaultError::NotFound,
                Outcome::Foreign => return None,
            };
            if sig == libc::SIGBUS && si_code == libc::BUS_ADRALN {
                ExceptionKind::UnalignedAccess
            } else {
                ExceptionKind::PageFault {
                    addr,
                    access,
                    error,
                }
            }
        }
        libc::SIGILL => ExceptionKind::UndefinedInstruction,
        libc::SIGTRAP if si_code == SI_KERNEL || si_code == libc::TRAP_BRKPT => {
            ExceptionKind::SoftwareBreakpoint
        }
        libc::SIGTRAP if si_code > 0 => ExceptionKind::HardwareBreakpoint,
        libc::SIGFPE if si_code > 0 => ExceptionKind::General,
        libc::SIGSYS if si_code == SYS_USER_DISPATCH => {
            // SAFETY: for a SIGSYS from Syscall User Dispatch the kernel
            // fills the `_sigsys` member: call address (8 bytes), then the
            // syscall number (int) and the audit arch.
            let number = unsafe {
                let p = (info as *const u8).add(16 + 8) as *const c_int;
                std::ptr::read_unaligned(p)
            };
            return Some(CpuException {
                kind: ExceptionKind::BadSyscall {
                    number: number as u64,
                },
                vector: 0,
                err_code: 0,
                cr2: 0,
            });
        }
        _ => return None,
    };
    let cr2 = match kind {
        ExceptionKind::PageFault { addr, .. } => addr as u64,
        _ => 0,
    };
    Some(CpuException {
        kind,
        vector,
        err_code,
        cr2,
    })
}

/// The body of the handler, kept out of line so that no thread-local
/// access can be scheduled before the FS base switch.
#[inline(never)]
fn handle_fault_signal_inner(
    sig: c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut c_void,
    who: Interrupted,
    guest_fs: u64,
) {
    // SAFETY: for an SA_SIGINFO handler `info` points to the siginfo the
    // kernel filled in; for SIGSEGV/SIGBUS `si_addr` is the valid member
    // (and harmlessly meaningless for a signal sent by a process, which
    // `si_code` tells apart).
    let (si_code, addr) = unsafe { ((*info).si_code, (*info).si_addr() as usize) };
    let (access, pc) = decode_context(ctx);

    if IN_HANDLER.with(|f| f.replace(true)) {
        let mut m = StackMessage::new();
        let _ = write!(
            m,
            "kernel-hal-unix: {} at {addr:#x} (pc {pc:#x}) inside the fault handler: {}; aborting",
            signal_name(sig),
            if hits_alt_stack_guard(addr) {
                "the handler overflowed the alternate signal stack \
                 (call ensure_alt_stack() on threads that run guest code)"
            } else {
                "the fault resolver itself faulted"
            }
        );
        m.emit();
        std::process::abort();
    }

    if who == Interrupted::Guest {
        // Guest code: resolve what the emulator can, turn the rest into a
        // Zircon exception on this thread.
        let exception = guest_exception(sig, si_code, info, ctx);
        IN_HANDLER.with(|f| f.set(false));
        if let Some(e) = exception {
            capture_guest_exception(ctx, e, guest_fs);
        } else if si_code <= 0 || !matches!(sig, libc::SIGSEGV | libc::SIGBUS) {
            // Sent by someone with kill(): not a CPU exception of the guest.
            chain_to_previous(sig, info, ctx);
        }
        return;
    }

    let outcome = if matches!(sig, libc::SIGSEGV | libc::SIGBUS) {
        resolve(sig, si_code, addr, access)
    } else {
        Outcome::Foreign
    };
    IN_HANDLER.with(|f| f.set(false));

    match outcome {
        Outcome::Resolved => {}
        Outcome::Unresolved(error) => {
            // Host code (the raw accessors, or a bug) touched guest memory
            // that is not there: the host cannot go on.
            let mut m = StackMessage::new();
            let _ = write!(
                m,
                "kernel-hal-unix: unresolved guest page fault ({}) at {addr:#x} in host code: \
                 {access:?} access, {error:?}, pc {pc:#x}; killing the process",
                signal_name(sig)
            );
            m.emit();
            die_of(sig);
        }
        Outcome::Foreign => {
            if matches!(sig, libc::SIGSEGV | libc::SIGBUS) {
                let mut m = StackMessage::new();
                let _ = write!(
                    m,
                    "kernel-hal-unix: {} at {addr:#x} outside every guest window \
                     ({access:?} access, pc {pc:#x}); passing it on",
                    signal_name(sig)
                );
                m.emit();
            }
            chain_to_previous(sig, info, ctx);
        }
    }
}

/// Returns whether `addr` lies in the page below the current alternate
/// signal stack (its guard page, for stacks made by us or by Rust's std).
fn hits_alt_stack_guard(addr: usize) -> bool {
    let mut current = libc::stack_t {
        ss_sp: std::ptr::null_mut(),
        ss_flags: 0,
        ss_size: 0,
    };
    // SAFETY: querying the current alternate stack into a local;
    // sigaltstack is async-signal-safe.
    if unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } != 0 {
        return false;
    }
    let low = current.ss_sp as usize;
    current.ss_flags & libc::SS_DISABLE == 0 && addr < low && low - addr <= kernel_hal::PAGE_SIZE
}

/// Restores the default action of `sig`, so that returning from the
/// handler re-runs the faulting instruction and the process dies of `sig`.
fn die_of(sig: c_int) {
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
fn chain_to_previous(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    let Some(index) = HANDLED_SIGNALS.iter().position(|&s| s == sig) else {
        return die_of(sig);
    };
    let Some(prev) = PREVIOUS_ACTIONS.get().map(|a| a[index].0) else {
        return die_of(sig);
    };
    let handler = prev.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
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
    let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
        crate::context::handle_kick;
    action.sa_sigaction = handler as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
    // SAFETY: installs a handler for a signal nothing else in this process
    // uses; the handler only reads this thread's state block.
    let r = unsafe { libc::sigaction(crate::context::KICK_SIGNAL, &action, std::ptr::null_mut()) };
    if r != 0 {
        return Err(HalError::Host(crate::sys::errno()));
    }
    Ok(())
}

/// Installs the SIGSEGV/SIGBUS handler, once per process. Later calls do
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
    let handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) = handle_fault_signal;
    action.sa_sigaction = handler as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
    // A kick must not cut a fault resolution short (it may hold the address
    // space lock): it is held back until the fault handler returns.
    // SAFETY: `sa_mask` is a plain sigset_t owned by `action`.
    unsafe { libc::sigaddset(&mut action.sa_mask, crate::context::KICK_SIGNAL) };
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

/// An alternate signal stack owned by one thread: a guard page followed by
/// [`ALT_STACK_SIZE`] usable bytes.
#[derive(Debug)]
struct AltStack {
    /// Start of the mapping (the guard page).
    map_base: usize,
    /// Length of the mapping.
    map_len: usize,
}

impl AltStack {
    /// Maps a stack and installs it as this thread's alternate stack.
    fn install() -> Result<AltStack, sys::Errno> {
        let page = kernel_hal::PAGE_SIZE;
        let map_len = ALT_STACK_SIZE + page;
        let map_base = sys::map_anonymous(map_len)?;
        let stack = AltStack { map_base, map_len };
        // SAFETY: the guard page is part of the mapping we just made and
        // nothing references it.
        unsafe { sys::mprotect(map_base, page, libc::PROT_NONE) }?;
        let ss = libc::stack_t {
            ss_sp: (map_base + page) as *mut c_void,
            ss_flags: 0,
            ss_size: ALT_STACK_SIZE,
        };
        // SAFETY: `ss` describes memory we own for as long as it stays
        // installed (until `Drop` uninstalls it).
        if unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) } != 0 {
            return Err(sys::errno());
        }
        Ok(stack)
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let page = kernel_hal::PAGE_SIZE;
        let mut current = libc::stack_t {
            ss_sp: std::ptr::null_mut(),
            ss_flags: 0,
            ss_size: 0,
        };
        // SAFETY: querying the current alternate stack into a local.
        let queried = unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } == 0;
        if !queried {
            // Unknown state: leak the stack rather than risk the kernel
            // using freed memory.
            return;
        }
        let ours = current.ss_sp as usize == self.map_base + page;
        if ours && current.ss_flags & libc::SS_DISABLE == 0 {
            if current.ss_flags & libc::SS_ONSTACK != 0 {
                return; // Running on it (cannot happen at thread exit).
            }
            let off = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            // SAFETY: disabling the alternate stack touches no memory.
            if unsafe { libc::sigaltstack(&off, std::ptr::null_mut()) } != 0 {
                return;
            }
        }
        // SAFETY: the mapping is ours and no longer the alternate stack.
        let _ = unsafe { sys::munmap(self.map_base, self.map_len) };
    }
}

/// Gives the calling thread an alternate signal stack for the fault
/// handler, if it has none of ours yet. Idempotent and cheap after the
/// first call.
///
/// Every thread that runs guest code must call it before doing so: Rust's
/// std gives each thread a small alternate stack of its own (a few KiB, for
/// its stack-overflow report) and the resolver, which runs the kernel's VM
/// code, can overflow that. A thread with no alternate stack at all runs
/// the handler on its normal stack, which also works. [`crate::global_hal`]
/// and [`crate::UnixHal::new_unix_page_table`] call it for their caller. On
/// failure a warning is logged and the thread keeps whatever stack it had.
pub fn ensure_alt_stack() {
    let _ = ALT_STACK.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            match AltStack::install() {
                Ok(s) => *slot = Some(s),
                Err(e) => log::warn!("kernel-hal-unix: no alternate signal stack (errno {e})"),
            }
        }
    });
}

/// Returns whether the host lets us read the byte at `addr`, without
/// faulting (the kernel reports `EFAULT` through `process_vm_readv`). Like
/// any read, it may commit a frame-file page.
pub fn host_probe_read(addr: usize) -> bool {
    sys::probe_read_byte(addr).is_some()
}

/// Returns whether the host lets us write the byte at `addr`, without
/// faulting: the byte is read and the same value written back through
/// `process_vm_writev`.
///
/// Only for quiescent guest memory: a concurrent store to the byte could be
/// lost, so it panics if `addr` is outside the guest windows (host memory
/// that Rust code owns).
pub fn host_probe_write(addr: usize) -> bool {
    assert!(
        window_slot(addr).is_some(),
        "host_probe_write({addr:#x}): only guest-window addresses may be probed for writing"
    );
    let Some(byte) = sys::probe_read_byte(addr) else {
        // Not readable. On x86 writable implies readable, but a write-only
        // mapping could exist elsewhere; there is no non-destructive write
        // probe for it, so report what we can prove.
        return false;
    };
    // SAFETY: `addr` is inside a guest window (asserted above), which no
    // Rust code owns, and we write back the value just read.
    unsafe { sys::probe_write_byte(addr, byte) }
}

/// Loads a byte from guest memory like guest code would: a plain volatile
/// load, which may fault and go through the fault handler.
///
/// # Safety
///
/// `addr` must be readable host memory that no Rust reference aliases
/// mutably, or lie in a guest window whose resolver makes it readable;
/// an unresolved fault kills the process.
pub unsafe fn guest_load_u8(addr: usize) -> u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::read_volatile(addr as *const u8) }
}

/// Stores a byte to guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// `addr` must be writable host memory that no Rust reference aliases, or
/// lie in a guest window whose resolver makes it writable; an unresolved
/// fault kills the process.
pub unsafe fn guest_store_u8(addr: usize, v: u8) {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::write_volatile(addr as *mut u8, v) }
}

/// Loads a `u64` from guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// As for [`guest_load_u8`], for all 8 bytes; `addr` must be 8-byte
/// aligned.
pub unsafe fn guest_load_u64(addr: usize) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::read_volatile(addr as *const u64) }
}

/// Stores a `u64` to guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// As for [`guest_store_u8`], for all 8 bytes; `addr` must be 8-byte
/// aligned.
pub unsafe fn guest_store_u64(addr: usize, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::write_volatile(addr as *mut u64, v) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes() {
        assert_eq!(access_from_error_code(0x4), PageFaultAccess::Read);
        assert_eq!(access_from_error_code(0x5), PageFaultAccess::Read);
        assert_eq!(access_from_error_code(0x6), PageFaultAccess::Write);
        assert_eq!(access_from_error_code(0x7), PageFaultAccess::Write);
        assert_eq!(access_from_error_code(0x14), PageFaultAccess::Execute);
    }

    #[test]
    fn messages_truncate() {
        let mut m = StackMessage::new();
        for _ in 0..100 {
            let _ = write!(m, "0123456789");
        }
        assert_eq!(m.len, 256);
    }
}
