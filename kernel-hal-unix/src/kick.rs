//! Kicks: making a host thread leave guest code from outside (its guest
//! thread or process was killed while it may be spinning in user code).
//! A signal, [`KICK_SIGNAL`], interrupts the thread; its handler sends it to
//! the exit stub if it was running guest code, or leaves a note the way into
//! the guest checks.

use crate::sigframe::{allow_pkey0, sigframe_xsave_extent};
use crate::thread_block::{block_ptr, IN_GUEST_WORD, IN_KERNEL, KICK_PENDING};

/// The signal that kicks a host thread out of guest code.
pub(crate) const KICK_SIGNAL: libc::c_int = libc::SIGUSR2;

/// Makes host thread `tid` of this process leave guest code: if it is
/// running guest code, [`run_guest`](crate::run_guest) returns `Exited([`KILLED_EXIT_VALUE`](crate::KILLED_EXIT_VALUE))` at
/// once; if it is inside a syscall, the syscall finishes first (the handler
/// decides then). Used when a guest thread or its process is killed while
/// it may be spinning in user code.
pub fn kick(tid: i32) {
    // SAFETY: tgkill only sends a signal to a thread of this very process;
    // the kick handler ignores it on threads that run no guest code.
    unsafe {
        libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, KICK_SIGNAL);
    }
}

/// The kick handler: if the interrupted thread was running guest code (not
/// the emulator), resume it at the exit stub, which restores the host's
/// stack, registers and FS base and returns from `run_guest`. Touches no
/// thread-locals (the FS base may be the guest's).
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
    if in_guest == 0 || in_kernel != 0 {
        // Not in guest code: leave a note the way into the guest checks (a
        // thread inside a syscall is told by the dispatcher instead).
        // SAFETY: as above; the word belongs to this thread's block.
        unsafe { std::ptr::write_volatile((gs + KICK_PENDING) as *mut u64, 1) };
        return;
    }
    let uc = ctx as *mut libc::ucontext_t;
    // SAFETY: `ctx` is the ucontext the kernel passed to this SA_SIGINFO
    // handler; its FPU state is the kernel's XSAVE image of the guest, whose
    // size and components its own header gives. The exit stub must be able
    // to touch memory once sigreturn has loaded that state.
    unsafe {
        let fp = (*uc).uc_mcontext.fpregs.cast::<u8>();
        if !fp.is_null() {
            let (len, mask) = sigframe_xsave_extent(fp);
            allow_pkey0(fp, len, mask);
        }
    }
    // SAFETY: `ctx` is the ucontext the kernel passed to this SA_SIGINFO
    // handler; changing its RIP makes sigreturn resume the thread in the
    // exit stub, which needs nothing from the interrupted guest state.
    unsafe {
        (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] =
            crate::context::zx_hal_leave_guest as *const () as usize as i64
    };
}
