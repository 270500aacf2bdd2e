//! The per-thread state block: the one place the assembly (`entry.S`,
//! `trampoline.S`, `exit.S`), the signal handlers and the Rust side of the
//! context switch (`context.rs`) share a thread's guest/host state; and
//! arming Syscall User Dispatch on it.
//!
//! # Layout
//!
//! The trampoline runs with nothing but guest registers, so it finds its
//! thread's state through the **GS base**, which Linux userspace (glibc,
//! Rust's std) does not use on x86-64. [`run_guest`](crate::run_guest) points it at the
//! thread's [`ThreadState`] with `arch_prctl(ARCH_SET_GS)` the first time a
//! host thread runs guest code; it is never changed on the hot path. The
//! block is a `#[repr(C)]` thread-local (no destructor, so it lives exactly
//! as long as its thread); its layout, as addressed by the assembly through
//! `%gs:OFFSET`:
//!
//! | offset | field            | written by                | read by                  |
//! |-------:|------------------|---------------------------|--------------------------|
//! | 0      | `guest_rsp`      | trampoline, on entry      | trampoline, on return    |
//! | 8      | `host_rsp`       | guest entry / resume      | trampoline, exit stubs   |
//! | 16     | `exit_requested` | [`request_exit`](crate::request_exit); cleared by [`run_guest`](crate::run_guest) | trampoline |
//! | 24     | `exit_value`     | [`request_exit`](crate::request_exit)          | [`run_guest`](crate::run_guest)            |
//! | 32     | `entry`          | [`run_guest`](crate::run_guest)             | guest entry (`jmp *%gs:32`) |
//! | 40, 48 | `host_fs`, `guest_fs` | entry stubs, trampoline, [`set_guest_fs`](crate::set_guest_fs) | trampoline, exit stubs, signal handlers |
//! | 56     | `in_kernel`      | entry stubs, trampoline   | signal handlers          |
//! | 64, 72 | `in_guest_word`, `kick_pending` | [`run_guest`](crate::run_guest), kick handler | kick handler, entry stubs |
//! | 80     | `selector`       | every stub (Syscall User Dispatch byte) | the kernel, on each syscall |
//! | 88…    | `exit_kind`, `regs`, `xsave`, `xsave_mask` | signal handlers (an exception, a kick), entry stubs (a pending kick), trampoline (callee-saved `regs`), [`resume_guest`](crate::resume_guest) | resume stub, [`run_guest`](crate::run_guest), [`syscall_regs`](crate::syscall_regs) |
//!
//! The offsets are computed with `offset_of!` and fed to the assembly as
//! constants, so code and layout cannot drift apart. The remaining fields
//! (`exception`, `own_window`, `in_guest`, `gs_installed`) are only used by
//! Rust code.

use std::cell::Cell;
use std::mem::offset_of;

use kernel_hal::cpu::{FCW_DEFAULT, MXCSR_DEFAULT};
use kernel_hal::{CpuException, GeneralRegs};

/// `arch_prctl` code that sets the GS base (`<asm/prctl.h>`).
const ARCH_SET_GS: libc::c_int = 0x1001;

/// The per-thread block the assembly reaches through the GS base. See the
/// module documentation for the layout. Every field is a `Cell`, so the
/// assembly may write it while Rust code holds a shared reference.
#[repr(C, align(64))]
pub(crate) struct ThreadState {
    /// The guest's `rsp` at its last syscall (pointing at the return
    /// address).
    pub(crate) guest_rsp: Cell<u64>,
    /// The host's `rsp` in [`run_guest`](crate::run_guest) after it pushed the host's
    /// callee-saved registers; 16-byte aligned.
    pub(crate) host_rsp: Cell<u64>,
    /// Nonzero once the handler asked the thread to leave guest mode.
    pub(crate) exit_requested: Cell<u64>,
    /// The code given to [`request_exit`](crate::request_exit).
    pub(crate) exit_value: Cell<i64>,
    /// Where [`run_guest`](crate::run_guest) jumps into the guest.
    pub(crate) entry: Cell<u64>,
    /// The host's FS base (its TLS), loaded whenever the thread enters the
    /// emulator.
    pub(crate) host_fs: Cell<u64>,
    /// The guest's FS base, loaded whenever the thread returns to the guest
    /// (the host's until the guest sets its own).
    pub(crate) guest_fs: Cell<u64>,
    /// Nonzero while the thread runs the emulator (a syscall) rather than
    /// guest code; set and cleared by the trampoline.
    pub(crate) in_kernel: Cell<u64>,
    /// Nonzero while the thread is inside [`run_guest`](crate::run_guest) (for the kick
    /// handler, which must not touch thread-locals).
    pub(crate) in_guest_word: Cell<u64>,
    /// Set by the kick handler when it cannot redirect the thread right
    /// away (it was not in guest code); the way into the guest checks it.
    pub(crate) kick_pending: Cell<u64>,
    /// The Syscall User Dispatch selector (its low byte): `SUD_BLOCK` while
    /// guest code runs, so a `syscall` instruction there traps with SIGSYS
    /// instead of reaching Linux; `SUD_ALLOW` while host code runs.
    pub(crate) selector: Cell<u64>,
    /// Why the thread last left guest code: `EXIT_BY_REQUEST` (a syscall
    /// asked), `EXIT_BY_EXCEPTION` (a signal handler captured an exception
    /// into `regs`/`exception`) or `EXIT_BY_INTERRUPT` (a kick captured the
    /// guest's state into `regs`).
    pub(crate) exit_kind: Cell<u64>,
    /// The guest's registers at its last exception or kick; loaded by the
    /// resume path. While a syscall runs, its callee-saved fields (`rbx`,
    /// `rbp`, `r12`–`r15`) hold the guest's, saved by the trampoline.
    pub(crate) regs: Cell<GeneralRegs>,
    /// The guest's x87/SSE/AVX state (XSAVE standard format) at its last
    /// exception, or its initial state; loaded by the resume path.
    pub(crate) xsave: XsaveArea,
    /// The components `xsave` holds: the requested-feature bitmap for
    /// XRSTOR (EDX:EAX).
    pub(crate) xsave_mask: Cell<u64>,
    /// How many bytes of `xsave` are meaningful.
    pub(crate) xsave_len: Cell<u64>,
    /// The exception captured by a signal handler.
    pub(crate) exception: Cell<Option<CpuException>>,
    /// 1 + the slot of the address window of the process this thread runs
    /// guest code for (0: not bound); faults elsewhere are not resolved.
    pub(crate) own_window: Cell<u64>,
    /// The guest's MXCSR and x87 control word while it is in a syscall
    /// (the host runs with the ABI's, so a guest that unmasks floating-point
    /// exceptions cannot make host code trap).
    pub(crate) guest_mxcsr: Cell<u32>,
    pub(crate) guest_fcw: Cell<u16>,
    /// The guest's x87 status word at syscall entry; if it had a pending
    /// exception, the whole x87 environment is parked in `guest_fenv`
    /// (FNSTENV) and cleared, so no host x87 instruction can trap on it.
    pub(crate) guest_fsw: Cell<u16>,
    pub(crate) guest_fenv: Cell<[u8; 32]>,
    /// Nonzero while the guest, in a syscall, had EFLAGS.AC (alignment
    /// checking) set: the host runs with it clear and the guest gets it
    /// back.
    pub(crate) guest_ac: Cell<u8>,
    /// Nonzero while the guest, single-stepping (EFLAGS.TF), is in a
    /// syscall: the trap that stopped at the trampoline's first
    /// instruction cleared TF, and the way back sets it again right before
    /// the return, so the syscall is one step.
    pub(crate) guest_tf: Cell<u8>,
    /// The ABI's MXCSR (0x1f80) and x87 control word (0x37f), as memory
    /// operands for `ldmxcsr`/`fldcw`.
    pub(crate) abi_mxcsr: Cell<u32>,
    pub(crate) abi_fcw: Cell<u16>,
    /// Whether the thread is inside [`run_guest`](crate::run_guest).
    pub(crate) in_guest: Cell<bool>,
    /// Whether the GS base already points at this block.
    pub(crate) gs_installed: Cell<bool>,
}

/// Room for an XSAVE image of the x87, SSE, AVX, AVX-512 and PKRU state
/// (2,696 bytes in the standard format), 64-byte aligned as XSAVE/XRSTOR
/// require. (AMX tile data is not enabled for this process, so signal
/// frames never carry it.)
pub(crate) const XSAVE_AREA_SIZE: usize = 4096;

/// An XSAVE area.
#[repr(C, align(64))]
pub(crate) struct XsaveArea(pub(crate) Cell<[u8; XSAVE_AREA_SIZE]>);

/// `exit_kind`: the thread left because a syscall asked or it was kicked.
pub(crate) const EXIT_BY_REQUEST: u64 = 0;
/// `exit_kind`: the thread left because of an exception.
pub(crate) const EXIT_BY_EXCEPTION: u64 = 1;
/// `exit_kind`: the thread was kicked out of guest code (or found a kick
/// pending on its way in); `regs` holds where it was.
pub(crate) const EXIT_BY_INTERRUPT: u64 = 2;

/// Selector value that lets syscalls through (`SYSCALL_DISPATCH_FILTER_ALLOW`).
pub(crate) const SUD_ALLOW: u8 = 0;
/// Selector value that traps syscalls (`SYSCALL_DISPATCH_FILTER_BLOCK`).
pub(crate) const SUD_BLOCK: u8 = 1;
/// The x87 status word's error-summary bit: an unmasked x87 exception is
/// pending.
pub(crate) const FSW_ES: u16 = 0x80;
/// The x87 control word's six exception-mask bits (IM, DM, ZM, OM, UM, PM).
pub(crate) const FCW_EXCEPTION_MASKS: u16 = 0x3f;

pub(crate) const GUEST_RSP: usize = offset_of!(ThreadState, guest_rsp);
pub(crate) const HOST_RSP: usize = offset_of!(ThreadState, host_rsp);
pub(crate) const EXIT_REQUESTED: usize = offset_of!(ThreadState, exit_requested);
pub(crate) const EXIT_VALUE: usize = offset_of!(ThreadState, exit_value);
pub(crate) const ENTRY: usize = offset_of!(ThreadState, entry);
/// Offset of the host FS base in the block (also used by the fault path).
pub(crate) const HOST_FS: usize = offset_of!(ThreadState, host_fs);
pub(crate) const GUEST_FS: usize = offset_of!(ThreadState, guest_fs);
/// Offset of the "running the emulator" word (used by the kick handler).
pub(crate) const IN_KERNEL: usize = offset_of!(ThreadState, in_kernel);
/// Offset of the "inside run_guest" word (used by the kick handler).
pub(crate) const IN_GUEST_WORD: usize = offset_of!(ThreadState, in_guest_word);
/// Offset of the pending-kick word (used by the kick handler).
pub(crate) const KICK_PENDING: usize = offset_of!(ThreadState, kick_pending);
/// Offset of the Syscall User Dispatch selector byte.
pub(crate) const SELECTOR: usize = offset_of!(ThreadState, selector);
pub(crate) const REGS: usize = offset_of!(ThreadState, regs);
pub(crate) const EXIT_KIND: usize = offset_of!(ThreadState, exit_kind);
pub(crate) const OWN_WINDOW: usize = offset_of!(ThreadState, own_window);
pub(crate) const GUEST_MXCSR: usize = offset_of!(ThreadState, guest_mxcsr);
pub(crate) const GUEST_FCW: usize = offset_of!(ThreadState, guest_fcw);
pub(crate) const GUEST_FSW: usize = offset_of!(ThreadState, guest_fsw);
pub(crate) const GUEST_FENV: usize = offset_of!(ThreadState, guest_fenv);
pub(crate) const GUEST_AC: usize = offset_of!(ThreadState, guest_ac);
pub(crate) const GUEST_TF: usize = offset_of!(ThreadState, guest_tf);
pub(crate) const ABI_MXCSR: usize = offset_of!(ThreadState, abi_mxcsr);
pub(crate) const ABI_FCW: usize = offset_of!(ThreadState, abi_fcw);
pub(crate) const XSAVE: usize = offset_of!(ThreadState, xsave);
pub(crate) const XSAVE_MASK: usize = offset_of!(ThreadState, xsave_mask);
pub(crate) const R_RAX: usize = REGS + offset_of!(GeneralRegs, rax);
pub(crate) const R_RBX: usize = REGS + offset_of!(GeneralRegs, rbx);
pub(crate) const R_RCX: usize = REGS + offset_of!(GeneralRegs, rcx);
pub(crate) const R_RDX: usize = REGS + offset_of!(GeneralRegs, rdx);
pub(crate) const R_RSI: usize = REGS + offset_of!(GeneralRegs, rsi);
pub(crate) const R_RDI: usize = REGS + offset_of!(GeneralRegs, rdi);
pub(crate) const R_RBP: usize = REGS + offset_of!(GeneralRegs, rbp);
pub(crate) const R_RSP: usize = REGS + offset_of!(GeneralRegs, rsp);
pub(crate) const R_R8: usize = REGS + offset_of!(GeneralRegs, r8);
pub(crate) const R_R9: usize = REGS + offset_of!(GeneralRegs, r9);
pub(crate) const R_R10: usize = REGS + offset_of!(GeneralRegs, r10);
pub(crate) const R_R11: usize = REGS + offset_of!(GeneralRegs, r11);
pub(crate) const R_R12: usize = REGS + offset_of!(GeneralRegs, r12);
pub(crate) const R_R13: usize = REGS + offset_of!(GeneralRegs, r13);
pub(crate) const R_R14: usize = REGS + offset_of!(GeneralRegs, r14);
pub(crate) const R_R15: usize = REGS + offset_of!(GeneralRegs, r15);
pub(crate) const R_RIP: usize = REGS + offset_of!(GeneralRegs, rip);
pub(crate) const R_RFLAGS: usize = REGS + offset_of!(GeneralRegs, rflags);
pub(crate) const R_FS: usize = REGS + offset_of!(GeneralRegs, fs_base);
const _: () = assert!(XSAVE.is_multiple_of(64) && std::mem::align_of::<ThreadState>() >= 64);

// The documented layout.
const _: () = assert!(
    GUEST_RSP == 0
        && HOST_RSP == 8
        && EXIT_REQUESTED == 16
        && EXIT_VALUE == 24
        && ENTRY == 32
        && HOST_FS == 40
        && GUEST_FS == 48
        && IN_KERNEL == 56
        && IN_GUEST_WORD == 64
        && KICK_PENDING == 72
);

thread_local! {
    /// This thread's state block; the GS base points here while (and after)
    /// the thread runs guest code.
    pub(crate) static STATE: ThreadState = const {
        ThreadState {
            guest_rsp: Cell::new(0),
            host_rsp: Cell::new(0),
            exit_requested: Cell::new(0),
            exit_value: Cell::new(0),
            entry: Cell::new(0),
            host_fs: Cell::new(0),
            guest_fs: Cell::new(0),
            in_kernel: Cell::new(0),
            in_guest_word: Cell::new(0),
            kick_pending: Cell::new(0),
            selector: Cell::new(SUD_ALLOW as u64),
            exit_kind: Cell::new(EXIT_BY_REQUEST),
            regs: Cell::new(GeneralRegs {
                rax: 0,
                rbx: 0,
                rcx: 0,
                rdx: 0,
                rsi: 0,
                rdi: 0,
                rbp: 0,
                rsp: 0,
                r8: 0,
                r9: 0,
                r10: 0,
                r11: 0,
                r12: 0,
                r13: 0,
                r14: 0,
                r15: 0,
                rip: 0,
                rflags: 0,
                fs_base: 0,
                gs_base: 0,
            }),
            xsave: XsaveArea(Cell::new([0; XSAVE_AREA_SIZE])),
            xsave_mask: Cell::new(0),
            xsave_len: Cell::new(0),
            exception: Cell::new(None),
            own_window: Cell::new(0),
            guest_mxcsr: Cell::new(MXCSR_DEFAULT),
            guest_fcw: Cell::new(FCW_DEFAULT),
            guest_fsw: Cell::new(0),
            guest_fenv: Cell::new([0; 32]),
            guest_ac: Cell::new(0),
            guest_tf: Cell::new(0),
            abi_mxcsr: Cell::new(MXCSR_DEFAULT),
            abi_fcw: Cell::new(FCW_DEFAULT),
            in_guest: Cell::new(false),
            gs_installed: Cell::new(false),
        }
    };
}

/// `prctl` option that turns Syscall User Dispatch on or off
/// (`<linux/prctl.h>`).
const PR_SET_SYSCALL_USER_DISPATCH: libc::c_int = 59;
/// ... on, with a selector (`PR_SYS_DISPATCH_ON`).
const PR_SYS_DISPATCH_ON: libc::c_ulong = 1;

/// Turns on Syscall User Dispatch for the calling thread with `selector`
/// as its selector byte: from now on a `syscall` instruction executed while
/// the byte is `SUD_BLOCK` raises SIGSYS instead of reaching Linux
/// (DESIGN.md decision 7). Syscalls from inside the given range always
/// pass: it is the C library's signal-return trampoline, which every
/// handler returns through while the selector may still say "block".
fn enable_syscall_trap(selector: &Cell<u64>) {
    let Some((start, len)) = crate::signals::sigreturn_range() else {
        log::warn!("kernel-hal-unix: no signal-return trampoline known; raw guest syscalls are not trapped");
        return;
    };
    // SAFETY: the selector byte lives in this thread's state block, which
    // lives as long as the thread; the kernel only reads it on syscalls
    // this thread makes.
    let r = unsafe {
        libc::prctl(
            PR_SET_SYSCALL_USER_DISPATCH,
            PR_SYS_DISPATCH_ON,
            start as libc::c_ulong,
            len as libc::c_ulong,
            selector.as_ptr() as usize as libc::c_ulong,
        )
    };
    if r != 0 {
        log::warn!(
            "kernel-hal-unix: Syscall User Dispatch unavailable ({}); raw guest syscalls are not trapped",
            std::io::Error::last_os_error()
        );
    }
}

/// Points this thread's GS base at its state block and arms the syscall
/// trap (once per thread).
pub(crate) fn install_gs(s: &ThreadState) {
    if !s.gs_installed.get() {
        s.selector.set(SUD_ALLOW as u64);
        enable_syscall_trap(&s.selector);
        let block = s as *const ThreadState as usize;
        // SAFETY: ARCH_SET_GS only changes this thread's GS base, which
        // nothing else in the process uses (glibc and Rust use FS); the
        // block it points to lives as long as the thread.
        let r = unsafe { libc::syscall(libc::SYS_arch_prctl, ARCH_SET_GS, block) };
        assert_eq!(
            r,
            0,
            "arch_prctl(ARCH_SET_GS) failed: {}",
            std::io::Error::last_os_error()
        );
        s.gs_installed.set(true);
        crate::sigframe::load_initial_fpu_state(s);
    }
}

/// Binds the calling host thread to the address window holding `addr` (the
/// window of the process it runs guest code for): a fault of its guest code
/// in any other window is not resolved (it is a `NotFound` page fault), so
/// one process cannot have another's untouched pages brought in. Call it
/// before running guest code; an address outside every window unbinds.
pub fn bind_thread_window(addr: usize) {
    let slot = crate::page_table::window_slot(addr).map_or(0, |s| s as u64 + 1);
    STATE.with(|s| s.own_window.set(slot));
}

/// Returns the window slot the calling thread is bound to (see
/// [`bind_thread_window`]), from ordinary code.
pub(crate) fn bound_window_slot() -> Option<usize> {
    STATE
        .with(|s| s.own_window.get())
        .checked_sub(1)
        .map(|s| s as usize)
}

/// Returns the window slot the interrupted thread is bound to (see
/// [`bind_thread_window`]). Touches no thread-local storage.
pub(crate) fn own_window_slot() -> Option<usize> {
    let gs = block_ptr()?;
    // SAFETY: as in `enter_signal_handler`.
    let v = unsafe { std::ptr::read_volatile((gs + OWN_WINDOW) as *const u64) };
    v.checked_sub(1).map(|s| s as usize)
}

/// What a signal handler knows about the interrupted thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupted {
    /// The thread runs no guest code, or was inside the emulator.
    Host,
    /// The thread was running guest code.
    Guest,
}

/// Reads this thread's state block through the GS base without touching
/// thread-local storage (the FS base may be the guest's); None if the
/// thread never ran guest code.
pub(crate) fn block_ptr() -> Option<usize> {
    let gs: u64;
    // SAFETY: reads this thread's GS base (FSGSBASE is required anyway).
    unsafe {
        std::arch::asm!("rdgsbase {}", out(reg) gs, options(nomem, nostack, preserves_flags))
    };
    (gs != 0).then_some(gs as usize)
}

/// Tells whether the interrupted code was guest code, and lets the handler
/// make syscalls: returns the selector to put back with
/// [`leave_signal_handler`]. Touches no thread-local storage.
pub(crate) fn enter_signal_handler() -> (Interrupted, u8) {
    let Some(gs) = block_ptr() else {
        return (Interrupted::Host, SUD_ALLOW);
    };
    // SAFETY: only this crate sets GS bases, always to the thread's live
    // state block; the words read and written sit at the documented
    // offsets and belong to this thread.
    unsafe {
        let in_guest = std::ptr::read_volatile((gs + IN_GUEST_WORD) as *const u64);
        let in_kernel = std::ptr::read_volatile((gs + IN_KERNEL) as *const u64);
        let sel = std::ptr::read_volatile((gs + SELECTOR) as *const u8);
        std::ptr::write_volatile((gs + SELECTOR) as *mut u8, SUD_ALLOW);
        let who = if in_guest != 0 && in_kernel == 0 {
            Interrupted::Guest
        } else {
            Interrupted::Host
        };
        (who, sel)
    }
}

/// Puts back the selector [`enter_signal_handler`] returned, right before
/// the handler returns (the kernel's `rt_sigreturn` is always let through;
/// see [`enable_syscall_trap`]).
pub(crate) fn leave_signal_handler(selector: u8) {
    if let Some(gs) = block_ptr() {
        // SAFETY: as in `enter_signal_handler`.
        unsafe { std::ptr::write_volatile((gs + SELECTOR) as *mut u8, selector) };
    }
}
