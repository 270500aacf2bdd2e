//! The guest/host context switch: entering guest code, and the syscall
//! trampoline through which guest code calls back into the host.
//!
//! Guest and host share one Linux thread and one address space (guest
//! address = host address), so switching between them is a matter of
//! registers and stacks, not of privilege levels (DESIGN.md decision 6: the
//! fast path is a function call).
//!
//! * [`run_guest`] saves the host's callee-saved registers on the host
//!   stack, remembers that stack pointer, clears the general registers and
//!   jumps to guest code on the guest's stack.
//! * Guest code calls a vDSO function with the SysV C ABI; the vDSO stub
//!   does `mov $NUM, %eax; jmp *ENTRY(%rip)` where `ENTRY` holds
//!   [`syscall_entry_address`]. The trampoline there saves the guest's
//!   stack pointer, switches to the host stack right below [`run_guest`]'s
//!   frame, and calls the process-wide [`SyscallHandler`] (set with
//!   [`set_syscall_handler`]) with the number, the six register arguments
//!   and the guest's stack pointer (arguments 7 and 8 are at
//!   `guest_rsp + 8` and `guest_rsp + 16`; the handler must read them with
//!   a fallible copy: guest pointers are allegations).
//! * When the handler returns, the trampoline either returns to the guest
//!   with `rax` = the result, or, if the handler called [`request_exit`],
//!   restores the host's registers and makes [`run_guest`] return.
//!
//! # Registers
//!
//! On guest entry every general register is zero except `rdi`/`rsi` (the
//! two arguments) and `rsp`; the direction flag is clear; the x87, SSE and
//! AVX state is the thread block's (the initial state: zeros, MXCSR 0x1f80,
//! control word 0x37f). Across a syscall the guest's callee-saved
//! registers (`rbx`, `rbp`, `r12`–`r15`) are preserved — the trampoline
//! does not touch them and the Rust code it calls preserves them per the C
//! ABI — and `rsp` is restored; the caller-saved general registers come
//! back zeroed (never host values) and `rax` holds the result. The
//! trampoline clears the direction flag (and EFLAGS.AC) and loads the ABI's
//! MXCSR and x87 control word before calling Rust code, and gives the
//! guest its own back on return, so a guest that calls with unusual flags
//! or unmasked floating-point exceptions cannot make host code misbehave.
//!
//! # Limits
//!
//! * [`run_guest`] must not be called from inside the handler (it would
//!   overwrite the saved host stack pointer); it panics if it is.
//! * A panic in the handler is caught at the boundary: it never unwinds
//!   through the assembly; the guest gets `ZX_ERR_INTERNAL` (-1) and keeps
//!   running. (Unwinding further would skip the trampoline's switch back.)
//! * The guest starts with FS base 0 and sets its own
//!   ([`set_guest_fs`]); every way into the host (trampoline, signal
//!   handlers, exit stubs) loads the host's FS base first, since Rust's
//!   thread-locals live there, and every way back loads the guest's.
//! * The GS base is the emulator's: a guest that changes it (`wrgsbase`)
//!   is not contained — the stubs and handlers then read and write the
//!   state block wherever it points, in host memory too (README,
//!   deviations).
//! * A host thread that calls the trampoline without being in
//!   [`run_guest`] has no valid state block; do not.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicPtr, Ordering};

use kernel_hal::cpu::{RFLAGS_AC, RFLAGS_DF, RFLAGS_TF, USER_RFLAGS};
use kernel_hal::{CpuException, GeneralRegs};

use crate::thread_block::*;

/// `ZX_ERR_INTERNAL`, returned to the guest when the handler panics.
const ZX_ERR_INTERNAL: i64 = -1;
/// `ZX_ERR_BAD_SYSCALL`, returned to the guest when no handler is set.
const ZX_ERR_BAD_SYSCALL: i64 = -13;

/// Signature of the syscall dispatcher: the syscall number, the six
/// register arguments (`rdi`, `rsi`, `rdx`, `rcx`, `r8`, `r9`), and the
/// guest's stack pointer at entry (pointing at the return address, so the
/// dispatcher can fetch arguments 7 and 8 from `guest_rsp + 8` and
/// `guest_rsp + 16` with its own fallible copy). Returns the value for the
/// guest's `rax`.
pub type SyscallHandler = fn(num: u32, args: [u64; 6], guest_rsp: usize) -> u64;

/// Why [`run_guest`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestExit {
    /// The syscall handler called [`request_exit`] with this code.
    Exited(i64),
    /// The thread was kicked ([`crate::kick`]) while running guest code, or
    /// found a kick pending on its way in: these are the guest's registers
    /// there (its FPU state is the block's, as after an exception).
    /// [`resume_guest`] continues from them.
    Interrupted(GeneralRegs),
    /// Guest code raised an exception the emulator could not resolve; the
    /// thread's registers at that point come with it. [`resume_guest`]
    /// continues from (possibly changed) registers.
    Exception(CpuException, GeneralRegs),
}

/// The process-wide dispatcher, as a `SyscallHandler` cast to a pointer;
/// null when none is set.
static HANDLER: AtomicPtr<()> = AtomicPtr::new(std::ptr::null_mut());

/// Installs the process-wide syscall dispatcher. A later call replaces it:
/// syscalls that start afterwards go to the new one (one already running
/// finishes in the old one). Until a handler is set, every syscall returns
/// `ZX_ERR_BAD_SYSCALL`.
pub fn set_syscall_handler(handler: SyscallHandler) {
    HANDLER.store(handler as *mut (), Ordering::Release);
}

/// Returns the current dispatcher, if any.
fn handler() -> Option<SyscallHandler> {
    let p = HANDLER.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: HANDLER only ever holds null or a `SyscallHandler` cast to a
    // pointer (`set_syscall_handler`); function and data pointers have the
    // same size and representation on x86-64.
    Some(unsafe { std::mem::transmute::<*mut (), SyscallHandler>(p) })
}

/// Returns the address of the syscall trampoline, which the vDSO's entry
/// slot must hold.
pub fn syscall_entry_address() -> usize {
    zx_hal_syscall_entry as *const () as usize
}

/// Asks the current thread to leave guest mode: when the running syscall
/// handler returns, [`run_guest`] returns [`GuestExit::Exited`]`(code)`
/// instead of resuming the guest. Meant to be called from inside the
/// handler; elsewhere it has no effect (the request is cleared when
/// [`run_guest`] starts). A later call in the same syscall replaces the
/// code.
pub fn request_exit(code: i64) {
    STATE.with(|s| {
        s.exit_value.set(code);
        s.exit_requested.set(1);
    });
}

/// What [`run_guest`] reports as the exit code when it returns without an
/// exit request (`ZX_TASK_RETCODE_SYSCALL_KILL`).
pub const KILLED_EXIT_VALUE: i64 = -1024;

/// The guest's registers as a debugger sees them while the calling thread
/// is stopped inside a syscall, following Zircon's x86-64 syscall
/// convention: `rax` = `result`, the arguments in `rdi`, `rsi`, `rdx`,
/// `r10` (and `rcx`, where the C ABI passed it), `r8`, `r9`; the guest's
/// callee-saved registers and FS base as they were at the call; `rsp` as
/// the trampoline found it (pointing at the return address; the caller
/// reads that address with a fallible copy and makes it `rip`). `None` when
/// the thread is not in a syscall.
pub fn syscall_regs(args: [u64; 6], result: u64) -> Option<GeneralRegs> {
    STATE.with(|s| {
        if !s.in_guest.get() || s.in_kernel.get() == 0 {
            return None;
        }
        let saved = s.regs.get();
        let flags = 0x202
            | if s.guest_ac.get() != 0 { RFLAGS_AC } else { 0 }
            | if s.guest_tf.get() != 0 { RFLAGS_TF } else { 0 };
        Some(GeneralRegs {
            rax: result,
            rdi: args[0],
            rsi: args[1],
            rdx: args[2],
            rcx: args[3],
            r10: args[3],
            r8: args[4],
            r9: args[5],
            r11: 0,
            rbx: saved.rbx,
            rbp: saved.rbp,
            r12: saved.r12,
            r13: saved.r13,
            r14: saved.r14,
            r15: saved.r15,
            rsp: s.guest_rsp.get(),
            rip: 0,
            rflags: flags,
            fs_base: s.guest_fs.get(),
            gs_base: 0,
        })
    })
}

/// Prepares the calling host thread to run guest code and returns its id,
/// for [`kick`]: from here on a kick is never lost, even one that arrives
/// before the thread enters the guest.
pub fn prepare_guest_thread() -> i32 {
    STATE.with(install_gs);
    // SAFETY: gettid takes no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Makes the calling host thread's state block ready for a new guest
/// thread, when a host thread runs one guest thread after another: the
/// initial FPU and vector state (as a new Zircon thread starts), no trap
/// flag, no pending exception and no kick left over from the guest thread
/// before (a kick for the new one can only come once its kicker is set,
/// after this). Call it with no guest code running on the thread.
pub fn begin_guest_thread() {
    STATE.with(|s| {
        assert!(!s.in_guest.get(), "begin_guest_thread called in guest mode");
        install_gs(s);
        crate::sigframe::load_initial_fpu_state(s);
        s.guest_tf.set(0);
        s.guest_ac.set(0);
        s.kick_pending.set(0);
        s.exception.set(None);
    });
}

/// Sets the FS base the guest thread gets back when the current syscall
/// returns (`ZX_PROP_REGISTER_FS`); false if the thread is not running
/// guest code. The host keeps its own FS base while in the emulator.
pub fn set_guest_fs(value: u64) -> bool {
    STATE.with(|s| {
        if !s.in_guest.get() {
            return false;
        }
        s.guest_fs.set(value);
        true
    })
}

/// Returns the FS base the guest thread runs with, if it runs guest code.
pub fn guest_fs() -> Option<u64> {
    STATE.with(|s| s.in_guest.get().then(|| s.guest_fs.get()))
}

/// Returns whether the current host thread is inside [`run_guest`]
/// (running guest code, or a syscall handler on the guest's behalf).
pub fn in_guest_mode() -> bool {
    STATE.with(|s| s.in_guest.get())
}

/// Runs guest code on the current host thread until a syscall handler
/// calls [`request_exit`]: `rsp` = `stack`, `rdi` = `arg1`, `rsi` = `arg2`,
/// every other general register 0, `rip` = `entry`, direction flag clear,
/// FS base 0 (as a new Zircon thread starts; the guest sets its own with
/// `ZX_PROP_REGISTER_FS`), and the FPU/vector state of the thread's state
/// block: the initial state (all zero, MXCSR 0x1f80) until the thread
/// comes back from an exception.
/// `stack` is used as given: the caller chooses its alignment (the SysV
/// convention for a function entry is `stack % 16 == 8`).
///
/// The first call on a thread points the thread's GS base at its state
/// block; every call gives the thread an alternate signal stack
/// ([`crate::ensure_alt_stack`]), so faults of a guest with a broken stack
/// pointer can still be handled.
///
/// # Safety
///
/// `entry` must be executable guest code and `stack` a writable guest
/// stack, both prepared by the caller, and the guest must reach the host
/// only through the syscall trampoline (a `call` into the vDSO, following
/// the C ABI). The guest runs with full access to the host process (this
/// is a LibOS): whatever it does to host memory is the caller's
/// responsibility.
///
/// # Panics
///
/// Panics if the thread is already in guest mode (called from inside a
/// syscall handler), or if the GS base cannot be set.
pub unsafe fn run_guest(entry: usize, stack: usize, arg1: u64, arg2: u64) -> GuestExit {
    // SAFETY: the caller vouches for `entry` and `stack` (this function's
    // contract); the assembly saves and restores the host's callee-saved
    // registers and returns only through the exit paths.
    in_guest_mode_while(|s| {
        s.entry.set(entry as u64);
        // Where the thread is, should a pending kick stop it at once.
        s.regs.set(GeneralRegs {
            rip: entry as u64,
            rsp: stack as u64,
            rdi: arg1,
            rsi: arg2,
            rflags: 0x202,
            ..GeneralRegs::default()
        });
        // SAFETY: as above.
        unsafe { zx_hal_enter_guest(stack, arg1, arg2) }
    })
}

/// Resumes guest code after an exception, with every general register
/// (and the FS base) taken from `regs` and the FPU/SSE state the thread
/// had at the exception; returns like [`run_guest`]. Only the user-settable
/// flags of `regs.rflags` ([`USER_RFLAGS`]) and the trap flag (a debugger
/// single-stepping the thread) are used; `gs_base`
/// is ignored (the GS base belongs to the emulator).
///
/// # Safety
///
/// As for [`run_guest`]: `regs.rip` must be guest code and the caller
/// answers for what it does. The thread must have come back from guest
/// code with [`GuestExit::Exception`] before (that is where the FPU state
/// comes from).
pub unsafe fn resume_guest(regs: &GeneralRegs) -> GuestExit {
    let mut r = *regs;
    // The trap flag too: a debugger's single-stepping (ZX_THREAD_STATE_SINGLE_STEP).
    r.rflags = (r.rflags & (USER_RFLAGS | RFLAGS_TF)) | 0x2;
    in_guest_mode_while(|s| {
        s.regs.set(r);
        // SAFETY: the caller vouches for the registers (this function's
        // contract); the assembly saves and restores the host's
        // callee-saved registers and returns only through the exit paths.
        unsafe { zx_hal_resume_guest() }
    })
}

/// Runs `enter` (one of the assembly entries) in guest mode and turns the
/// way the thread came back into a [`GuestExit`].
fn in_guest_mode_while(enter: impl FnOnce(&ThreadState)) -> GuestExit {
    crate::ensure_alt_stack();
    STATE.with(|s| {
        assert!(
            !s.in_guest.get(),
            "run_guest called on a thread that is already in guest mode"
        );
        // Also makes the thread-local live before the fault handler needs
        // it (its first use registers its destructor, which may allocate).
        crate::resolver::release_held_resolver();
        install_gs(s);
        s.exit_requested.set(0);
        s.exit_value.set(KILLED_EXIT_VALUE);
        s.exit_kind.set(EXIT_BY_REQUEST);
        s.guest_tf.set(0);
        s.in_kernel.set(1);
        s.in_guest.set(true);
        s.in_guest_word.set(1);
        enter(s);
        s.in_guest.set(false);
        s.in_guest_word.set(0);
        s.exit_requested.set(0);
        s.selector.set(SUD_ALLOW as u64);
        // Ordinary code again: the address space a fault kept alive may go.
        crate::resolver::release_held_resolver();
        match (s.exit_kind.replace(EXIT_BY_REQUEST), s.exception.take()) {
            (EXIT_BY_EXCEPTION, Some(e)) => GuestExit::Exception(e, s.regs.get()),
            (EXIT_BY_INTERRUPT, _) => {
                // The kick is taken: whoever sent it decides in ordinary
                // code (it set its request before kicking).
                s.kick_pending.set(0);
                GuestExit::Interrupted(s.regs.get())
            }
            _ => GuestExit::Exited(s.exit_value.get()),
        }
    })
}

extern "C" {
    /// Saves the host's callee-saved registers, records the host stack
    /// pointer in the state block, clears the registers and jumps to the
    /// block's `entry` with `rsp` = `stack`, `rdi` = `arg1`, `rsi` =
    /// `arg2`. Returns when the trampoline finds an exit request.
    fn zx_hal_enter_guest(stack: usize, arg1: u64, arg2: u64);
    /// Like `zx_hal_enter_guest`, but loads every general register, the
    /// FS base and the FPU state from the state block.
    fn zx_hal_resume_guest();
    /// Leaves guest mode from wherever the guest was (see `kick.rs`).
    pub(crate) fn zx_hal_leave_guest();
    /// The syscall trampoline; never called from Rust (its address goes
    /// into the vDSO).
    fn zx_hal_syscall_entry();
}

/// Called by the trampoline on the host stack: runs the handler and turns
/// a panic into `ZX_ERR_INTERNAL`, so nothing unwinds into the assembly.
extern "C" fn zx_hal_dispatch(
    a0: u64,
    a1: u64,
    a2: u64,
    a3: u64,
    a4: u64,
    a5: u64,
    num: u32,
    guest_rsp: u64,
) -> u64 {
    let Some(handler) = handler() else {
        return ZX_ERR_BAD_SYSCALL as u64;
    };
    let args = [a0, a1, a2, a3, a4, a5];
    match catch_unwind(AssertUnwindSafe(|| handler(num, args, guest_rsp as usize))) {
        Ok(v) => v,
        Err(_) => {
            log::error!("kernel-hal-unix: syscall handler panicked on syscall {num}");
            ZX_ERR_INTERNAL as u64
        }
    }
}

// The assembly: the ways into guest code, the syscall trampoline and the
// exit stub, each with comments per block. The operands are state-block
// offsets (`thread_block.rs`) and named constants.
std::arch::global_asm!(
    include_str!("entry.S"),
    host_rsp = const HOST_RSP,
    host_fs = const HOST_FS,
    guest_fs = const GUEST_FS,
    in_kernel = const IN_KERNEL,
    kick_pending = const KICK_PENDING,
    selector = const SELECTOR,
    entry = const ENTRY,
    xsave = const XSAVE,
    xsave_mask = const XSAVE_MASK,
    xsave_mask_hi = const XSAVE_MASK + 4,
    sud_block = const SUD_BLOCK,
    r_rax = const R_RAX,
    r_rbx = const R_RBX,
    r_rcx = const R_RCX,
    r_rdx = const R_RDX,
    r_rsi = const R_RSI,
    r_rdi = const R_RDI,
    r_rbp = const R_RBP,
    r_rsp = const R_RSP,
    r_r8 = const R_R8,
    r_r9 = const R_R9,
    r_r10 = const R_R10,
    r_r11 = const R_R11,
    r_r12 = const R_R12,
    r_r13 = const R_R13,
    r_r14 = const R_R14,
    r_r15 = const R_R15,
    r_rip = const R_RIP,
    r_rflags = const R_RFLAGS,
    r_fs = const R_FS,
    exit_kind = const EXIT_KIND,
    exit_by_interrupt = const EXIT_BY_INTERRUPT,
    rflags_tf = const RFLAGS_TF,
);

std::arch::global_asm!(
    include_str!("trampoline.S"),
    host_rsp = const HOST_RSP,
    guest_rsp = const GUEST_RSP,
    exit_requested = const EXIT_REQUESTED,
    host_fs = const HOST_FS,
    guest_fs = const GUEST_FS,
    in_kernel = const IN_KERNEL,
    selector = const SELECTOR,
    guest_mxcsr = const GUEST_MXCSR,
    guest_fcw = const GUEST_FCW,
    guest_fsw = const GUEST_FSW,
    guest_fenv = const GUEST_FENV,
    guest_ac = const GUEST_AC,
    abi_mxcsr = const ABI_MXCSR,
    abi_fcw = const ABI_FCW,
    sud_allow = const SUD_ALLOW,
    sud_block = const SUD_BLOCK,
    rflags_ac = const RFLAGS_AC,
    not_rflags_ac = const !RFLAGS_AC as u32,
    fsw_es = const FSW_ES,
    fcw_exception_masks = const FCW_EXCEPTION_MASKS,
    r_rbx = const R_RBX,
    r_rbp = const R_RBP,
    r_r12 = const R_R12,
    r_r13 = const R_R13,
    r_r14 = const R_R14,
    r_r15 = const R_R15,
    guest_tf = const GUEST_TF,
    rflags_tf = const RFLAGS_TF,
    dispatch = sym zx_hal_dispatch,
);

std::arch::global_asm!(
    include_str!("exit.S"),
    host_rsp = const HOST_RSP,
    host_fs = const HOST_FS,
    selector = const SELECTOR,
    abi_mxcsr = const ABI_MXCSR,
    sud_allow = const SUD_ALLOW,
    not_rflags_df_ac = const !(RFLAGS_DF | RFLAGS_AC) as u32,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_handler_means_bad_syscall() {
        // No test in this crate's unit tests installs a handler.
        assert_eq!(
            zx_hal_dispatch(1, 2, 3, 4, 5, 6, 7, 8) as i64,
            ZX_ERR_BAD_SYSCALL
        );
    }

    #[test]
    fn not_in_guest_mode_outside_run_guest() {
        assert!(!in_guest_mode());
        request_exit(3); // no effect outside a syscall
        assert!(!in_guest_mode());
    }
}
