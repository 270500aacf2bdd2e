//! Kicks: making a host thread leave guest code from outside (its guest
//! thread was killed or suspended while it may be spinning in user code).
//! A signal, [`KICK_SIGNAL`], interrupts the thread; its handler captures
//! the guest's state and sends it to the exit stub if it was running guest
//! code, or leaves a note the way into the guest checks.
//!
//! A kick carries no reason: whoever sends one records what it wants (a
//! kill, a suspension) in ordinary state first, and the host thread, once
//! out of guest code with [`GuestExit::Interrupted`](crate::GuestExit::Interrupted),
//! looks there. A kick that finds the thread in the emulator (a syscall, a
//! fault handler, the stubs) is only noted: the emulator checks the same
//! state before it goes back, and a sender that must be sure kicks again.

use crate::fault::{current_fs, switch_to_host_fs};
use crate::sigframe::capture_guest_exception;
use crate::thread_block::{
    block_ptr, enter_signal_handler, leave_signal_handler, IN_GUEST_WORD, IN_KERNEL, KICK_PENDING,
};

/// The signal that kicks a host thread out of guest code.
pub(crate) const KICK_SIGNAL: libc::c_int = libc::SIGUSR2;

/// Makes host thread `tid` of this process leave guest code: if it is
/// running guest code, [`run_guest`](crate::run_guest) returns
/// `Interrupted` with its registers at once; if it is inside the emulator
/// (a syscall, say), a note makes its next way into guest code return
/// `Interrupted` instead (the syscall itself finishes first).
pub fn kick(tid: i32) {
    // SAFETY: tgkill only sends a signal to a thread of this very process;
    // the kick handler ignores it on threads that run no guest code.
    unsafe {
        libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, KICK_SIGNAL);
    }
}

/// The kick handler: if the interrupted thread was running guest code (not
/// the emulator: the interrupted instruction lies in a guest window),
/// capture its registers and FPU state and resume it at the exit stub,
/// which restores the host's stack, registers and FS base and returns from
/// `run_guest`. Otherwise leave the note. Like the fault handler, it loads
/// the host's FS base before touching thread-locals.
pub(crate) extern "C" fn handle_kick(
    _sig: libc::c_int,
    _info: *mut libc::siginfo_t,
    ctx: *mut std::ffi::c_void,
) {
    let Some(gs) = block_ptr() else {
        return;
    };
    // SAFETY: only this crate sets GS bases, always to the thread's live
    // state block; the words read sit at the documented offsets.
    let (in_guest, in_kernel) = unsafe {
        (
            std::ptr::read_volatile((gs + IN_GUEST_WORD) as *const u64),
            std::ptr::read_volatile((gs + IN_KERNEL) as *const u64),
        )
    };
    let uc = ctx as *mut libc::ucontext_t;
    // SAFETY: `ctx` is the ucontext the kernel passed to this SA_SIGINFO
    // handler; reading its saved RIP has no side effect.
    let rip = unsafe { (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] } as usize;
    if in_guest == 0 || in_kernel != 0 || !crate::guest::in_windows(rip) {
        // Not in guest code: leave a note the way into the guest checks (a
        // thread inside a syscall is told by the dispatcher instead).
        // SAFETY: as above; the word belongs to this thread's block.
        unsafe { std::ptr::write_volatile((gs + KICK_PENDING) as *mut u64, 1) };
        return;
    }
    // Guest code. The kernel delivers signals with the interrupted code's
    // EFLAGS.AC: host code must not run with alignment checking on.
    // SAFETY: pushes and pops one word of this (alternate) stack and only
    // clears the AC flag.
    unsafe { std::arch::asm!("pushfq", "and dword ptr [rsp], 0xfffbffff", "popfq") };
    let saved = switch_to_host_fs();
    let (_, selector) = enter_signal_handler();
    let guest_fs = saved.unwrap_or_else(current_fs);
    capture_guest_exception(ctx, None, guest_fs);
    leave_signal_handler(selector);
    if let Some(fs) = saved {
        // SAFETY: writes back the FS base this thread had at the signal
        // (sigreturn goes to the exit stub, which loads the host's).
        unsafe { std::arch::asm!("wrfsbase {}", in(reg) fs, options(nostack, preserves_flags)) };
    }
}
