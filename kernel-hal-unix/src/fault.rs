//! Guest faults and traps: the handler of SIGSEGV, SIGBUS, SIGILL, SIGTRAP,
//! SIGFPE and SIGSYS. Its pieces live next to it: `signals.rs` installs it
//! (and the kick handler, `kick.rs`) and chains foreign signals,
//! `resolver.rs` decides what a fault is and asks the window's resolver,
//! `sigframe.rs` turns an unresolved one into a guest exception,
//! `altstack.rs` gives threads the stack it runs on, `guest_mem.rs`
//! holds the probes and raw accessors that may fault on purpose, and
//! `user_copy.rs` the fault-protected user copy and its fixup.
//!
//! When guest code touches a page of its window that is not mapped (the
//! `PROT_NONE` reservation) or not mapped with the needed permission, the
//! host raises SIGSEGV (SIGBUS for a memfd page past the end of the file).
//! [`install_fault_handlers`](crate::install_fault_handlers) installs one process-wide handler for all six
//! signals, with `SA_SIGINFO | SA_ONSTACK | SA_NODEFER`:
//!
//! * `SA_ONSTACK` runs it on the thread's alternate stack when there is one
//!   ([`ensure_alt_stack`](crate::ensure_alt_stack)), so a guest with a broken stack pointer cannot
//!   take the host down (DESIGN.md decision 6); a thread without one simply
//!   runs the handler on its normal stack.
//! * `SA_NODEFER` lets a fault *inside* the handler (a buggy resolver)
//!   re-enter it, where a thread-local flag catches the recursion and
//!   aborts with a diagnostic, instead of the kernel killing the process
//!   silently because the signal was blocked.
//!
//! The handler first loads the host's FS base and lets itself make syscalls
//! (the Syscall User Dispatch selector; see `thread_block.rs`), then asks the
//! thread's state block whether guest code was running.
//!
//! * **Guest code.** A page fault in the thread's own window goes to the
//!   window's [`FaultResolver`](kernel_hal::FaultResolver): `Ok` resumes the guest and the instruction
//!   runs again. Anything else becomes a [`CpuException`](kernel_hal::CpuException): an unresolved
//!   fault (with the resolver's Zircon status; a fault outside the thread's
//!   own window is `NotFound` without asking anyone), `ud2`, `int3`, a debug
//!   trap, #GP, a divide error, or the SIGSYS of a raw `syscall` / `int 0x80`
//!   trapped by Syscall User Dispatch. The handler saves the guest's
//!   registers and FPU state and returns into the exit stub, so
//!   `run_guest` returns `GuestExit::Exception`: the exception is delivered
//!   by ordinary code, not here (DESIGN.md decision 14).
//! * **Host code.** A SIGSEGV or SIGBUS in the user-copy routine
//!   (`user_copy.S`) while this thread has a copy in progress and at an
//!   address inside that copy's guest range is expected: the handler
//!   rewrites the RIP to the routine's fixup and the copy returns early
//!   (`user_copy.rs`); it is not resolved here. Any other fault in a window
//!   is a host bug (only the raw accessors of `guest_mem.rs` may fault
//!   there): reported, and the process dies of the signal. A fault outside
//!   every window is not ours: it is chained to the handler that was
//!   installed before (Rust's stack-overflow reporter, usually), or kills
//!   the process with the default action.
//!
//! # Why calling the resolver from a signal handler is sound
//!
//! The resolver takes locks and allocates, which is not async-signal-safe
//! in general. It is sound here because faults come only from *guest code*
//! (or the raw accessors of `guest_mem.rs`, which stand in for it), and guest code
//! never holds a host lock or runs inside the allocator: it enters the host
//! only through the vDSO call path. Kernel code does touch guest memory
//! through the host mappings — every syscall user copy, first without any
//! lock (`PageTable::try_read_user`/`try_write_user`), then, if that stops,
//! under the table's `runs` lock (`read_mapped`/`write_mapped`) — but only
//! with the fault-protected routine of `user_copy.S`. Its faults are never
//! given to a resolver (the locked copy holds the address-space lock and
//! `runs`, which a resolver would take again): the handler only redirects
//! the routine to its fixup, which takes no lock, allocates nothing and
//! touches only this thread's marker, and the copy's caller resolves the
//! fault afterwards in ordinary code (like a guest fault) or falls back to
//! the locked path. So a page the host does not map, a protection the copy
//! lacks, or a frame-file page the host cannot supply (SIGBUS: host memory
//! or space running out) ends that copy, never the host. Host code faulting
//! in a window anywhere else is a bug and kills the process; a fault in
//! host code outside the windows is never given to a resolver either.
//!
//! A resolver that returns `Ok` without making the access possible makes
//! the guest fault again at once, forever: resolvers must only report
//! success once the page is mapped with the needed permission.
//!
//! Lock order: the registry slot lock is a leaf, held only to clone the
//! `Weak`, so the resolver runs with no HAL lock held, as the
//! [`FaultResolver`](kernel_hal::FaultResolver) contract requires.

use std::cell::Cell;
use std::fmt::Write as _;

use libc::{c_int, c_void};

use crate::altstack::hits_alt_stack_guard;
use crate::resolver::{decode_context, guest_exception, resolve, Outcome};
use crate::sigframe::capture_guest_exception;
use crate::signals::{chain_to_previous, die_of};
use crate::sys;
use crate::thread_block::{
    block_ptr, enter_signal_handler, leave_signal_handler, Interrupted, HOST_FS,
};
use crate::user_copy;

thread_local! {
    /// Set while this thread runs the fault handler.
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
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

/// The handler of the six fault and trap signals (the kick has its own,
/// `kick.rs`); see the module docs. A fault in guest code
/// arrives with the guest's FS base, so before anything can touch
/// thread-local storage the host's FS base is put back (and the guest's
/// restored on the way out).
pub(crate) extern "C" fn handle_fault_signal(
    sig: c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut c_void,
) {
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
pub(crate) fn current_fs() -> u64 {
    let fs: u64;
    // SAFETY: reads this thread's FS base.
    unsafe {
        std::arch::asm!("rdfsbase {}", out(reg) fs, options(nomem, nostack, preserves_flags))
    };
    fs
}

/// Loads the host's FS base if this thread runs guest code with another
/// one; returns the FS base to restore. Touches no thread-local storage.
pub(crate) fn switch_to_host_fs() -> Option<u64> {
    let gs = block_ptr()?;
    // SAFETY: only this crate sets GS bases, always to the thread's live
    // context block (context.rs), whose `host_fs` field sits at `HOST_FS`.
    let host = unsafe { std::ptr::read_volatile((gs + HOST_FS) as *const u64) };
    let cur = current_fs();
    if host == 0 || cur == host {
        return None;
    }
    // SAFETY: `host` is the FS base this thread had when it entered guest
    // mode; putting it back makes its thread-local storage reachable.
    unsafe { std::arch::asm!("wrfsbase {}", in(reg) host, options(nostack, preserves_flags)) };
    Some(cur)
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

    if who == Interrupted::Guest
        && sig == libc::SIGTRAP
        && pc == crate::context::syscall_entry_address()
    {
        // A single-stepping guest stepped into the syscall trampoline: the
        // trampoline runs without the trap flag, and gives it back on the
        // way out (the whole call is one step).
        // SAFETY: `ctx` is this SA_SIGINFO handler's ucontext; clearing TF
        // in the saved flags only stops the single-step trap on return.
        unsafe {
            (*ctx.cast::<libc::ucontext_t>()).uc_mcontext.gregs[libc::REG_EFL as usize] &=
                !(kernel_hal::cpu::RFLAGS_TF as i64);
        }
        crate::thread_block::STATE.with(|s| s.guest_tf.set(1));
        IN_HANDLER.with(|f| f.set(false));
        return;
    }

    if who == Interrupted::Guest {
        // Guest code: resolve what the emulator can, turn the rest into a
        // Zircon exception on this thread.
        let exception = guest_exception(sig, si_code, info, ctx);
        IN_HANDLER.with(|f| f.set(false));
        if let Some(e) = exception {
            capture_guest_exception(ctx, Some(e), guest_fs);
        } else if si_code <= 0 || !matches!(sig, libc::SIGSEGV | libc::SIGBUS) {
            // Sent by someone with kill(): not a CPU exception of the guest.
            chain_to_previous(sig, info, ctx);
        }
        return;
    }

    // A user copy's load or store on the guest side: the copy returns
    // early and its caller deals with the fault in ordinary code.
    if matches!(sig, libc::SIGSEGV | libc::SIGBUS) && si_code > 0 && user_copy::fixup(ctx, addr) {
        IN_HANDLER.with(|f| f.set(false));
        return;
    }

    let outcome = if matches!(sig, libc::SIGSEGV | libc::SIGBUS) {
        resolve(sig, si_code, addr, access, false)
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
            // A signal sent by another process (`kill -SEGV`, si_code <= 0)
            // carries no fault address: no line about one, only the action
            // the signal would have had without us.
            if matches!(sig, libc::SIGSEGV | libc::SIGBUS) && si_code > 0 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_truncate() {
        let mut m = StackMessage::new();
        for _ in 0..100 {
            let _ = write!(m, "0123456789");
        }
        assert_eq!(m.len, 256);
    }
}
