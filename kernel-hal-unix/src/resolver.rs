//! Fault resolution: which window a fault belongs to, the resolver
//! registry (one slot per window), and the classification of a signal that
//! interrupted guest code into the Zircon exception it stands for.
//!
//! Lock order: the registry slot lock is a leaf, held only to clone the
//! `Weak`, so the resolver runs with no HAL lock held, as the
//! [`FaultResolver`] contract requires.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock, Weak};

use kernel_hal::{
    CpuException, ExceptionKind, FaultError, FaultResolver, PageFaultAccess, VirtAddr,
};
use libc::{c_int, c_void};

use crate::page_table::{window_slot, MAX_WINDOWS};

/// Resolvers by window slot. Written when a table registers one or drops;
/// read by the fault handler.
static RESOLVERS: [RwLock<Option<Weak<dyn FaultResolver>>>; MAX_WINDOWS] =
    [const { RwLock::new(None) }; MAX_WINDOWS];

/// Faults resolved by a resolver since the process started.
static RESOLVED_FAULTS: AtomicU64 = AtomicU64::new(0);

/// `si_code` of a SIGSEGV from a protection-key check.
const SEGV_PKUERR: c_int = 4;

/// `si_code` of a SIGSYS raised by Syscall User Dispatch.
const SYS_USER_DISPATCH: c_int = 2;
/// `si_code` the kernel uses for a fault without an address (#GP) or for
/// `int3`.
const SI_KERNEL: c_int = 0x80;
/// Offset in `siginfo_t` of `_sigsys._syscall`: the three leading ints
/// (`si_signo`, `si_errno`, `si_code`) padded to 16 bytes, then the call
/// address (8 bytes).
const SIGSYS_SYSCALL_OFFSET: usize = 16 + 8;

thread_local! {
    /// The resolver this thread's guest code last faulted into, held until
    /// the thread leaves guest mode ([`release_held_resolver`]). The
    /// handler's upgraded reference could otherwise be the last one (the
    /// process dying meanwhile on another thread), and the whole address
    /// space would be torn down inside the signal handler.
    static HELD_RESOLVER: Cell<Option<Arc<dyn FaultResolver>>> = const { Cell::new(None) };
}

/// Keeps `resolver` alive until this thread leaves guest mode, without
/// dropping any reference here: a thread in guest mode faults only into its
/// own window, so a held resolver is the same one and `resolver` is not the
/// last reference to it.
fn hold_until_guest_exit(resolver: Arc<dyn FaultResolver>) {
    let held = HELD_RESOLVER.take();
    match held {
        Some(h) if std::ptr::addr_eq(Arc::as_ptr(&h), Arc::as_ptr(&resolver)) => {
            HELD_RESOLVER.set(Some(h));
        }
        other => {
            debug_assert!(
                other.is_none(),
                "a thread faulted into two windows in one guest entry"
            );
            HELD_RESOLVER.set(Some(resolver));
            drop(other);
        }
    }
}

/// Drops the resolver the fault handler kept for this thread (see
/// [`HELD_RESOLVER`]); called in ordinary code around each guest entry.
pub(crate) fn release_held_resolver() {
    drop(HELD_RESOLVER.take());
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

/// Told about every page fault a resolver fixed (the runner's
/// `--trace-faults`). It runs inside the fault handler, on the alternate
/// signal stack of the faulting thread, with no HAL lock held.
static FAULT_OBSERVER: OnceLock<fn(VirtAddr, PageFaultAccess)> = OnceLock::new();

/// Installs the observer of resolved page faults; false if one was
/// installed before. It runs inside the fault handler: it must not fault
/// on guest memory, nor take a lock that guest-interrupted host code could
/// hold (none of the runner's is held while guest code runs).
pub fn set_fault_observer(observer: fn(VirtAddr, PageFaultAccess)) -> bool {
    FAULT_OBSERVER.set(observer).is_ok()
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
pub(crate) fn decode_context(ctx: *mut c_void) -> (PageFaultAccess, usize) {
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
pub(crate) fn decode_context(_ctx: *mut c_void) -> (PageFaultAccess, usize) {
    (PageFaultAccess::Read, 0)
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
pub(crate) enum Outcome {
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
/// * A fault of guest code (`from_guest`) leaves the resolver held until
///   the thread leaves guest mode, so the handler never drops the last
///   reference to an address space. (Host code that faults here — the raw
///   accessors of tests and benchmarks — drops it at once.)
pub(crate) fn resolve(
    sig: c_int,
    si_code: c_int,
    addr: usize,
    access: PageFaultAccess,
    from_guest: bool,
) -> Outcome {
    if si_code <= 0 || window_slot(addr).is_none() {
        return Outcome::Foreign;
    }
    if sig == libc::SIGBUS {
        return Outcome::Unresolved(FaultError::NoMemory);
    }
    let Some(resolver) = resolver_for(addr) else {
        return Outcome::Unresolved(FaultError::NotFound);
    };
    let result = resolver.resolve_fault(addr, access);
    if from_guest {
        hold_until_guest_exit(resolver);
    }
    match result {
        Ok(()) => {
            RESOLVED_FAULTS.fetch_add(1, Ordering::Relaxed);
            if let Some(observe) = FAULT_OBSERVER.get() {
                observe(addr, access);
            }
            Outcome::Resolved
        }
        Err(e) => Outcome::Unresolved(e),
    }
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
pub(crate) fn guest_exception(
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
            let foreign_window = match (window_slot(addr), crate::thread_block::own_window_slot()) {
                (Some(slot), Some(own)) => slot != own,
                _ => false,
            };
            let outcome = if foreign_window {
                // Another process's window: nothing of this process's is
                // there, and its resolver must not map pages for us.
                Outcome::Unresolved(FaultError::NotFound)
            } else {
                resolve(sig, si_code, addr, access, true)
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
                let p = (info as *const u8).add(SIGSYS_SYSCALL_OFFSET) as *const c_int;
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
}
