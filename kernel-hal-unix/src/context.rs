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
//! # The per-thread state block
//!
//! The trampoline runs with nothing but guest registers, so it finds its
//! thread's state through the **GS base**, which Linux userspace (glibc,
//! Rust's std) does not use on x86-64. [`run_guest`] points it at the
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
//! | 16     | `exit_requested` | [`request_exit`]; cleared by [`run_guest`] | trampoline |
//! | 24     | `exit_value`     | [`request_exit`]          | [`run_guest`]            |
//! | 32     | `entry`          | [`run_guest`]             | guest entry (`jmp *%gs:32`) |
//! | 40, 48 | `host_fs`, `guest_fs` | entry stubs, trampoline, [`set_guest_fs`] | trampoline, exit stubs, signal handlers |
//! | 56     | `in_kernel`      | entry stubs, trampoline   | signal handlers          |
//! | 64, 72 | `in_guest_word`, `kick_pending` | [`run_guest`], kick handler | kick handler, entry stubs |
//! | 80     | `selector`       | every stub (Syscall User Dispatch byte) | the kernel, on each syscall |
//! | 88…    | `exit_kind`, `regs`, `xsave`, `xsave_mask` | signal handlers (an exception), [`resume_guest`] | resume stub, [`run_guest`] |
//!
//! The offsets are computed with `offset_of!` and fed to the assembly as
//! constants, so code and layout cannot drift apart. The remaining fields
//! (`exception`, `own_window`, `in_guest`, `gs_installed`) are only used by
//! Rust code.
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
//!   breaks its own thread.
//! * A host thread that calls the trampoline without being in
//!   [`run_guest`] has no valid state block; do not.

use std::cell::Cell;
use std::mem::offset_of;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicPtr, Ordering};

use kernel_hal::cpu::USER_RFLAGS;
use kernel_hal::{CpuException, FpuState, GeneralRegs};

/// `ZX_ERR_INTERNAL`, returned to the guest when the handler panics.
const ZX_ERR_INTERNAL: i64 = -1;
/// `ZX_ERR_BAD_SYSCALL`, returned to the guest when no handler is set.
const ZX_ERR_BAD_SYSCALL: i64 = -13;

/// `arch_prctl` code that sets the GS base (`<asm/prctl.h>`).
const ARCH_SET_GS: libc::c_int = 0x1001;

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
    /// The syscall handler called [`request_exit`] with this code (or the
    /// thread was kicked: [`KILLED_EXIT_VALUE`]).
    Exited(i64),
    /// Guest code raised an exception the emulator could not resolve; the
    /// thread's registers at that point come with it. [`resume_guest`]
    /// continues from (possibly changed) registers.
    Exception(CpuException, GeneralRegs),
}

/// The per-thread block the assembly reaches through the GS base. See the
/// module documentation for the layout. Every field is a `Cell`, so the
/// assembly may write it while Rust code holds a shared reference.
#[repr(C, align(64))]
struct ThreadState {
    /// The guest's `rsp` at its last syscall (pointing at the return
    /// address).
    guest_rsp: Cell<u64>,
    /// The host's `rsp` in [`run_guest`] after it pushed the host's
    /// callee-saved registers; 16-byte aligned.
    host_rsp: Cell<u64>,
    /// Nonzero once the handler asked the thread to leave guest mode.
    exit_requested: Cell<u64>,
    /// The code given to [`request_exit`].
    exit_value: Cell<i64>,
    /// Where [`run_guest`] jumps into the guest.
    entry: Cell<u64>,
    /// The host's FS base (its TLS), loaded whenever the thread enters the
    /// emulator.
    host_fs: Cell<u64>,
    /// The guest's FS base, loaded whenever the thread returns to the guest
    /// (the host's until the guest sets its own).
    guest_fs: Cell<u64>,
    /// Nonzero while the thread runs the emulator (a syscall) rather than
    /// guest code; set and cleared by the trampoline.
    in_kernel: Cell<u64>,
    /// Nonzero while the thread is inside [`run_guest`] (for the kick
    /// handler, which must not touch thread-locals).
    in_guest_word: Cell<u64>,
    /// Set by the kick handler when it cannot redirect the thread right
    /// away (it was not in guest code); the way into the guest checks it.
    kick_pending: Cell<u64>,
    /// The Syscall User Dispatch selector (its low byte): `SUD_BLOCK` while
    /// guest code runs, so a `syscall` instruction there traps with SIGSYS
    /// instead of reaching Linux; `SUD_ALLOW` while host code runs.
    selector: Cell<u64>,
    /// Why the thread last left guest code: `EXIT_BY_REQUEST` (a syscall
    /// asked, or a kick) or `EXIT_BY_EXCEPTION` (a signal handler captured
    /// an exception into `regs`/`exception`).
    exit_kind: Cell<u64>,
    /// The guest's registers at its last exception; loaded by the resume
    /// path.
    regs: Cell<GeneralRegs>,
    /// The guest's x87/SSE/AVX state (XSAVE standard format) at its last
    /// exception, or its initial state; loaded by the resume path.
    xsave: XsaveArea,
    /// The components `xsave` holds: the requested-feature bitmap for
    /// XRSTOR (EDX:EAX).
    xsave_mask: Cell<u64>,
    /// How many bytes of `xsave` are meaningful.
    xsave_len: Cell<u64>,
    /// The exception captured by a signal handler.
    exception: Cell<Option<CpuException>>,
    /// 1 + the slot of the address window of the process this thread runs
    /// guest code for (0: not bound); faults elsewhere are not resolved.
    own_window: Cell<u64>,
    /// The guest's MXCSR and x87 control word while it is in a syscall
    /// (the host runs with the ABI's, so a guest that unmasks floating-point
    /// exceptions cannot make host code trap).
    guest_mxcsr: Cell<u32>,
    guest_fcw: Cell<u16>,
    /// The guest's x87 status word at syscall entry; if it had a pending
    /// exception, the whole x87 environment is parked in `guest_fenv`
    /// (FNSTENV) and cleared, so no host x87 instruction can trap on it.
    guest_fsw: Cell<u16>,
    guest_fenv: Cell<[u8; 32]>,
    /// Nonzero while the guest, in a syscall, had EFLAGS.AC (alignment
    /// checking) set: the host runs with it clear and the guest gets it
    /// back.
    guest_ac: Cell<u8>,
    /// The ABI's MXCSR (0x1f80) and x87 control word (0x37f), as memory
    /// operands for `ldmxcsr`/`fldcw`.
    abi_mxcsr: Cell<u32>,
    abi_fcw: Cell<u16>,
    /// Whether the thread is inside [`run_guest`].
    in_guest: Cell<bool>,
    /// Whether the GS base already points at this block.
    gs_installed: Cell<bool>,
}

/// Room for an XSAVE image of the x87, SSE, AVX, AVX-512 and PKRU state
/// (2,696 bytes in the standard format), 64-byte aligned as XSAVE/XRSTOR
/// require. (AMX tile data is not enabled for this process, so signal
/// frames never carry it.)
const XSAVE_AREA_SIZE: usize = 4096;

/// An XSAVE area.
#[repr(C, align(64))]
struct XsaveArea(Cell<[u8; XSAVE_AREA_SIZE]>);

/// The components a thread's initial XSAVE image holds: x87, SSE, AVX,
/// the AVX-512 opmask and upper ZMM state, PKRU (masked by what the CPU
/// and kernel enable).
const INITIAL_XSAVE_MASK: u64 = 0x2e7;

/// `exit_kind`: the thread left because a syscall asked or it was kicked.
const EXIT_BY_REQUEST: u64 = 0;
/// `exit_kind`: the thread left because of an exception.
const EXIT_BY_EXCEPTION: u64 = 1;

/// Selector value that lets syscalls through (`SYSCALL_DISPATCH_FILTER_ALLOW`).
pub(crate) const SUD_ALLOW: u8 = 0;
/// Selector value that traps syscalls (`SYSCALL_DISPATCH_FILTER_BLOCK`);
/// the assembly writes it as the literal 1.
#[allow(dead_code)]
pub(crate) const SUD_BLOCK: u8 = 1;

const GUEST_RSP: usize = offset_of!(ThreadState, guest_rsp);
const HOST_RSP: usize = offset_of!(ThreadState, host_rsp);
const EXIT_REQUESTED: usize = offset_of!(ThreadState, exit_requested);
const EXIT_VALUE: usize = offset_of!(ThreadState, exit_value);
const ENTRY: usize = offset_of!(ThreadState, entry);
/// Offset of the host FS base in the block (also used by the fault path).
pub(crate) const HOST_FS: usize = offset_of!(ThreadState, host_fs);
const GUEST_FS: usize = offset_of!(ThreadState, guest_fs);
/// Offset of the "running the emulator" word (used by the kick handler).
pub(crate) const IN_KERNEL: usize = offset_of!(ThreadState, in_kernel);
/// Offset of the "inside run_guest" word (used by the kick handler).
pub(crate) const IN_GUEST_WORD: usize = offset_of!(ThreadState, in_guest_word);
/// Offset of the pending-kick word (used by the kick handler).
pub(crate) const KICK_PENDING: usize = offset_of!(ThreadState, kick_pending);
/// Offset of the Syscall User Dispatch selector byte.
pub(crate) const SELECTOR: usize = offset_of!(ThreadState, selector);
const REGS: usize = offset_of!(ThreadState, regs);
const OWN_WINDOW: usize = offset_of!(ThreadState, own_window);
const GUEST_MXCSR: usize = offset_of!(ThreadState, guest_mxcsr);
const GUEST_FCW: usize = offset_of!(ThreadState, guest_fcw);
const GUEST_FSW: usize = offset_of!(ThreadState, guest_fsw);
const GUEST_FENV: usize = offset_of!(ThreadState, guest_fenv);
const GUEST_AC: usize = offset_of!(ThreadState, guest_ac);
const ABI_MXCSR: usize = offset_of!(ThreadState, abi_mxcsr);
const ABI_FCW: usize = offset_of!(ThreadState, abi_fcw);
const XSAVE: usize = offset_of!(ThreadState, xsave);
const XSAVE_MASK: usize = offset_of!(ThreadState, xsave_mask);
const R_RAX: usize = REGS + offset_of!(GeneralRegs, rax);
const R_RBX: usize = REGS + offset_of!(GeneralRegs, rbx);
const R_RCX: usize = REGS + offset_of!(GeneralRegs, rcx);
const R_RDX: usize = REGS + offset_of!(GeneralRegs, rdx);
const R_RSI: usize = REGS + offset_of!(GeneralRegs, rsi);
const R_RDI: usize = REGS + offset_of!(GeneralRegs, rdi);
const R_RBP: usize = REGS + offset_of!(GeneralRegs, rbp);
const R_RSP: usize = REGS + offset_of!(GeneralRegs, rsp);
const R_R8: usize = REGS + offset_of!(GeneralRegs, r8);
const R_R9: usize = REGS + offset_of!(GeneralRegs, r9);
const R_R10: usize = REGS + offset_of!(GeneralRegs, r10);
const R_R11: usize = REGS + offset_of!(GeneralRegs, r11);
const R_R12: usize = REGS + offset_of!(GeneralRegs, r12);
const R_R13: usize = REGS + offset_of!(GeneralRegs, r13);
const R_R14: usize = REGS + offset_of!(GeneralRegs, r14);
const R_R15: usize = REGS + offset_of!(GeneralRegs, r15);
const R_RIP: usize = REGS + offset_of!(GeneralRegs, rip);
const R_RFLAGS: usize = REGS + offset_of!(GeneralRegs, rflags);
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
    static STATE: ThreadState = const {
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
            guest_mxcsr: Cell::new(0x1f80),
            guest_fcw: Cell::new(0x037f),
            guest_fsw: Cell::new(0),
            guest_fenv: Cell::new([0; 32]),
            guest_ac: Cell::new(0),
            abi_mxcsr: Cell::new(0x1f80),
            abi_fcw: Cell::new(0x037f),
            in_guest: Cell::new(false),
            gs_installed: Cell::new(false),
        }
    };
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

/// What [`run_guest`] reports when the thread was kicked out of guest code
/// by [`kick`] (`ZX_TASK_RETCODE_SYSCALL_KILL`).
pub const KILLED_EXIT_VALUE: i64 = -1024;

/// The signal that kicks a host thread out of guest code.
pub(crate) const KICK_SIGNAL: libc::c_int = libc::SIGUSR2;

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
    let Some((start, len)) = crate::fault::sigreturn_range() else {
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
fn install_gs(s: &ThreadState) {
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
        // A new guest thread starts with its x87, SSE and AVX state in the
        // initial state (every register zero, MXCSR 0x1f80, x87 control
        // word 0x37f), as a new Zircon thread does: never with whatever the
        // host left in them. That is an XSAVE image whose header marks every
        // component initial; only MXCSR is taken from the image.
        let xcr0: u64 = {
            let (lo, hi): (u32, u32);
            // SAFETY: XGETBV(0) reads XCR0; the kernel enables XSAVE
            // (OSXSAVE) on every machine this HAL runs on, which FSGSBASE
            // implies.
            unsafe {
                std::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags))
            };
            (u64::from(hi) << 32) | u64::from(lo)
        };
        let mask = xcr0 & INITIAL_XSAVE_MASK;
        let mut image = [0u8; XSAVE_AREA_SIZE];
        image[0..2].copy_from_slice(&0x037fu16.to_le_bytes());
        image[24..28].copy_from_slice(&0x1f80u32.to_le_bytes());
        image[28..32].copy_from_slice(&host_mxcsr_mask().to_le_bytes());
        s.xsave.0.set(image);
        s.xsave_mask.set(mask);
        s.xsave_len.set(2696);
    }
}

/// Returns the CPU's MXCSR_MASK (the MXCSR bits it accepts), from an
/// FXSAVE image.
fn host_mxcsr_mask() -> u32 {
    #[repr(C, align(16))]
    struct Fx([u8; 512]);
    let mut fx = Fx([0; 512]);
    // SAFETY: FXSAVE64 writes 512 bytes to this 16-byte aligned local.
    unsafe {
        std::arch::asm!("fxsave64 [{}]", in(reg) fx.0.as_mut_ptr(), options(nostack, preserves_flags))
    };
    match u32::from_le_bytes(fx.0[28..32].try_into().expect("4 bytes")) {
        0 => 0xffbf,
        m => m,
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

/// Returns the window slot the interrupted thread is bound to (see
/// [`bind_thread_window`]). Touches no thread-local storage.
pub(crate) fn own_window_slot() -> Option<usize> {
    let gs = block_ptr()?;
    // SAFETY: as in `enter_signal_handler`.
    let v = unsafe { std::ptr::read_volatile((gs + OWN_WINDOW) as *const u64) };
    v.checked_sub(1).map(|s| s as usize)
}

/// Prepares the calling host thread to run guest code and returns its id,
/// for [`kick`]: from here on a kick is never lost, even one that arrives
/// before the thread enters the guest.
pub fn prepare_guest_thread() -> i32 {
    STATE.with(install_gs);
    // SAFETY: gettid takes no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Makes host thread `tid` of this process leave guest code: if it is
/// running guest code, [`run_guest`] returns `Exited(KILLED_EXIT_VALUE)` at
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
            zx_hal_leave_guest as *const () as usize as i64
    };
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
        // SAFETY: as above.
        unsafe { zx_hal_enter_guest(stack, arg1, arg2) }
    })
}

/// Resumes guest code after an exception, with every general register
/// (and the FS base) taken from `regs` and the FPU/SSE state the thread
/// had at the exception; returns like [`run_guest`]. Only the status and
/// direction flags of `regs.rflags` are used ([`USER_RFLAGS`]); `gs_base`
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
    r.rflags = (r.rflags & USER_RFLAGS) | 0x2;
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
    crate::fault::ensure_alt_stack();
    STATE.with(|s| {
        assert!(
            !s.in_guest.get(),
            "run_guest called on a thread that is already in guest mode"
        );
        install_gs(s);
        s.exit_requested.set(0);
        s.exit_value.set(KILLED_EXIT_VALUE);
        s.exit_kind.set(EXIT_BY_REQUEST);
        s.in_kernel.set(1);
        s.in_guest.set(true);
        s.in_guest_word.set(1);
        enter(s);
        s.in_guest.set(false);
        s.in_guest_word.set(0);
        s.exit_requested.set(0);
        s.selector.set(SUD_ALLOW as u64);
        match (s.exit_kind.replace(EXIT_BY_REQUEST), s.exception.take()) {
            (EXIT_BY_EXCEPTION, Some(e)) => GuestExit::Exception(e, s.regs.get()),
            _ => GuestExit::Exited(s.exit_value.get()),
        }
    })
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

/// The PKRU component of XSAVE (protection-key rights for user pages).
const XFEATURE_PKRU: u64 = 1 << 9;

/// Offset of the PKRU component in the XSAVE standard format (CPUID leaf
/// 0xD, sub-leaf 9), if the CPU has one.
fn pkru_offset() -> Option<usize> {
    static OFFSET: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *OFFSET.get_or_init(|| {
        let leaf = std::arch::x86_64::__cpuid_count(0xd, 9);
        (leaf.eax >= 4 && leaf.ebx > 0).then_some(leaf.ebx as usize)
    })
}

/// Makes sure the XSAVE image at `image` (`len` bytes, holding components
/// `mask`) lets user code read and write pages of protection key 0, which
/// is every page here: a guest that denied itself (with `wrpkru`) must not
/// take the emulator code that runs next, or its own resumption, down with
/// it. Zircon has no protection keys, so nothing is lost.
///
/// # Safety
///
/// `image` must point to `len` writable bytes.
unsafe fn allow_pkey0(image: *mut u8, len: usize, mask: u64) {
    let Some(off) = pkru_offset() else {
        return;
    };
    if mask & XFEATURE_PKRU == 0 || off + 4 > len {
        return;
    }
    // SAFETY: both fields lie inside the image (checked above; the header
    // is at 512..576 of any XSAVE image).
    unsafe {
        let bv = image.add(512).cast::<u64>();
        let pkru = image.add(off).cast::<u32>();
        if std::ptr::read_unaligned(bv) & XFEATURE_PKRU == 0 {
            // PKRU in its initial state: access to key 0 is allowed.
            return;
        }
        let v = std::ptr::read_unaligned(pkru);
        std::ptr::write_unaligned(pkru, v & !3);
    }
}

/// `magic1` of the kernel's software header in a signal frame's FPU state
/// (`FP_XSTATE_MAGIC1`): an XSAVE image follows the legacy area.
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;

/// Returns how many bytes of a signal frame's FPU state to keep and which
/// components they hold: the whole XSAVE image if the kernel saved one and
/// it fits, else the 512-byte FXSAVE image (x87 and SSE).
fn sigframe_xsave_extent(fp: *const u8) -> (usize, u64) {
    // SAFETY: the legacy area is always 512 bytes; its software-reserved
    // bytes 464..512 hold the kernel's `_fpx_sw_bytes`.
    let (magic1, xfeatures, xstate_size) = unsafe {
        (
            std::ptr::read_unaligned(fp.add(464).cast::<u32>()),
            std::ptr::read_unaligned(fp.add(472).cast::<u64>()),
            std::ptr::read_unaligned(fp.add(480).cast::<u32>()) as usize,
        )
    };
    if magic1 == FP_XSTATE_MAGIC1 && (576..=XSAVE_AREA_SIZE).contains(&xstate_size) {
        (xstate_size, xfeatures)
    } else {
        (512, 3)
    }
}

/// Returns the calling thread's saved FPU state: the guest's at its last
/// exception (after [`run_guest`] returned [`GuestExit::Exception`]), or
/// the initial state of a thread that had none.
pub fn saved_fpu_state() -> FpuState {
    STATE.with(|s| {
        let len = (s.xsave_len.get() as usize).clamp(576, XSAVE_AREA_SIZE);
        FpuState {
            image: s.xsave.0.get()[..len].to_vec(),
            mask: s.xsave_mask.get(),
        }
    })
}

/// Replaces the FPU state the calling thread resumes with (an exception
/// handler edited it). Only the components the saved state holds are
/// kept, and a state whose MXCSR the CPU would reject is refused, so the
/// resume path's XRSTOR can never fault. Returns whether it was taken.
pub fn set_saved_fpu_state(state: &FpuState) -> bool {
    STATE.with(|s| {
        let len = s.xsave_len.get() as usize;
        let mask = s.xsave_mask.get();
        if state.mask != mask || state.image.len() < len.max(576) {
            return false;
        }
        let mxcsr = u32::from_le_bytes(state.image[24..28].try_into().expect("4 bytes"));
        if mxcsr & !state.mxcsr_mask() != 0 {
            return false;
        }
        let mut image = s.xsave.0.get();
        image[..len.max(576)].copy_from_slice(&state.image[..len.max(576)]);
        // SAFETY: `image` holds `len` bytes of XSAVE image with `mask`.
        unsafe { allow_pkey0(image.as_mut_ptr(), len, mask) };
        // The header may only name components XRSTOR is asked to load.
        let bv = u64::from_le_bytes(image[512..520].try_into().expect("8 bytes")) & mask;
        image[512..520].copy_from_slice(&bv.to_le_bytes());
        s.xsave.0.set(image);
        true
    })
}

/// Called by a signal handler that interrupted guest code with an exception
/// it cannot resolve: saves the guest's registers (with `guest_fs` as the FS
/// base) and FPU state in the thread's block, records `exception`, and
/// makes the handler return into the exit stub, which leaves guest mode;
/// [`run_guest`] then returns [`GuestExit::Exception`]. The FPU control
/// state the host resumes with is reset to the ABI's defaults.
///
/// Must be called with the host's FS base loaded (thread-locals usable).
pub(crate) fn capture_guest_exception(
    ctx: *mut std::ffi::c_void,
    exception: CpuException,
    guest_fs: u64,
) {
    let uc = ctx.cast::<libc::ucontext_t>();
    // SAFETY: `ctx` is the ucontext the kernel passed to this SA_SIGINFO
    // handler, valid until the handler returns; nothing else references it.
    let uc = unsafe { &mut *uc };
    let g = &mut uc.uc_mcontext.gregs;
    let r = |i: libc::c_int| g[i as usize] as u64;
    let regs = GeneralRegs {
        rax: r(libc::REG_RAX),
        rbx: r(libc::REG_RBX),
        rcx: r(libc::REG_RCX),
        rdx: r(libc::REG_RDX),
        rsi: r(libc::REG_RSI),
        rdi: r(libc::REG_RDI),
        rbp: r(libc::REG_RBP),
        rsp: r(libc::REG_RSP),
        r8: r(libc::REG_R8),
        r9: r(libc::REG_R9),
        r10: r(libc::REG_R10),
        r11: r(libc::REG_R11),
        r12: r(libc::REG_R12),
        r13: r(libc::REG_R13),
        r14: r(libc::REG_R14),
        r15: r(libc::REG_R15),
        rip: r(libc::REG_RIP),
        rflags: r(libc::REG_EFL),
        fs_base: guest_fs,
        gs_base: 0,
    };
    STATE.with(|s| {
        s.regs.set(regs);
        s.exception.set(Some(exception));
        s.exit_kind.set(EXIT_BY_EXCEPTION);
        if !uc.uc_mcontext.fpregs.is_null() {
            let fp = uc.uc_mcontext.fpregs;
            let (len, mask) = sigframe_xsave_extent(fp.cast::<u8>());
            let mut image = [0u8; XSAVE_AREA_SIZE];
            // SAFETY: `fpregs` points at the FPU state of this very signal
            // frame, `len` bytes long as the kernel's own header in it says
            // (512 for a bare FXSAVE image).
            unsafe { std::ptr::copy_nonoverlapping(fp.cast::<u8>(), image.as_mut_ptr(), len) };
            if len == 512 {
                // A bare FXSAVE image: give it the XSAVE header XRSTOR
                // needs (x87 and SSE present, the rest zero).
                image[512..520].copy_from_slice(&3u64.to_le_bytes());
            }
            // SAFETY: the frame's FPU state and our copy are both `len`
            // bytes of XSAVE image holding `mask`.
            unsafe {
                allow_pkey0(fp.cast::<u8>(), len, mask);
                allow_pkey0(image.as_mut_ptr(), len, mask);
            }
            s.xsave.0.set(image);
            s.xsave_len.set(len as u64);
            s.xsave_mask.set(mask);
            // SAFETY: the legacy area of that state; the host continues
            // with the ABI's control words, an empty x87 stack and no
            // pending x87 exception.
            unsafe {
                (*fp).cwd = 0x037f;
                (*fp).swd = 0;
                (*fp).ftw = 0;
                (*fp).mxcsr = 0x1f80;
            }
        }
    });
    // Host code runs next: clear the direction, trap and alignment-check
    // flags the guest may have set.
    g[libc::REG_EFL as usize] &= !(0x400 | 0x100 | 0x4_0000);
    g[libc::REG_RIP as usize] = zx_hal_leave_guest as *const () as usize as i64;
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
    /// Leaves guest mode from wherever the guest was (see `handle_kick`).
    fn zx_hal_leave_guest();
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

// Guest entry and the syscall trampoline (Intel syntax).
//
// zx_hal_enter_guest(stack = rdi, arg1 = rsi, arg2 = rdx): called from Rust
// (rsp = 16n + 8). Six pushes and 8 bytes of padding leave rsp 16-byte
// aligned; that is `host_rsp`, so the trampoline's calls are aligned.
//
// zx_hal_syscall_entry: eax = number, rdi..r9 = arguments, rsp = guest
// stack at the return address. Only rax, r11 and the flags are touched
// before the Rust call; the guest's callee-saved registers are never
// touched. Arguments 7 and 8 of zx_hal_dispatch (num, guest_rsp) are pushed
// so they sit at [rsp] and [rsp + 8] at the call, which two pushes from the
// 16-byte aligned host_rsp keep aligned. The guest stack is never written.
std::arch::global_asm!(
    ".pushsection .text.zx_hal_context, \"ax\", @progbits",
    // Both ways into the guest start alike: save the host's callee-saved
    // registers, its stack pointer and its FS base in the state block.
    ".macro zx_hal_save_host",
    "push rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "sub rsp, 8",
    "mov qword ptr gs:[{host_rsp}], rsp",
    "rdfsbase rax",
    "mov qword ptr gs:[{host_fs}], rax",
    ".endm",
    "",
    ".globl zx_hal_enter_guest",
    ".hidden zx_hal_enter_guest",
    ".type zx_hal_enter_guest, @function",
    ".balign 16",
    "zx_hal_enter_guest:",
    "zx_hal_save_host",
    "xor eax, eax",
    "mov qword ptr gs:[{guest_fs}], rax",
    "wrfsbase rax",
    "mov rsp, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "mov eax, dword ptr gs:[{xsave_mask}]",
    "mov edx, dword ptr gs:[{xsave_mask_hi}]",
    "xrstor64 gs:[{xsave}]",
    "xor eax, eax",
    "xor ebx, ebx",
    "xor ecx, ecx",
    "xor edx, edx",
    "xor ebp, ebp",
    "xor r8d, r8d",
    "xor r9d, r9d",
    "xor r10d, r10d",
    "xor r11d, r11d",
    "xor r12d, r12d",
    "xor r13d, r13d",
    "xor r14d, r14d",
    "xor r15d, r15d",
    "cld",
    "mov qword ptr gs:[{in_kernel}], 0",
    "mov byte ptr gs:[{selector}], 1",
    "cmp qword ptr gs:[{kick_pending}], 0",
    "jne zx_hal_leave_guest",
    "jmp qword ptr gs:[{entry}]",
    ".size zx_hal_enter_guest, . - zx_hal_enter_guest",
    "",
    ".globl zx_hal_resume_guest",
    ".hidden zx_hal_resume_guest",
    ".type zx_hal_resume_guest, @function",
    ".balign 16",
    "zx_hal_resume_guest:",
    "zx_hal_save_host",
    "mov eax, dword ptr gs:[{xsave_mask}]",
    "mov edx, dword ptr gs:[{xsave_mask_hi}]",
    "xrstor64 gs:[{xsave}]",
    "mov rax, qword ptr gs:[{r_fs}]",
    "mov qword ptr gs:[{guest_fs}], rax",
    "wrfsbase rax",
    "mov qword ptr gs:[{in_kernel}], 0",
    "mov byte ptr gs:[{selector}], 1",
    "cmp qword ptr gs:[{kick_pending}], 0",
    "jne zx_hal_leave_guest",
    "push qword ptr gs:[{r_rflags}]",
    "popfq",
    "mov rax, qword ptr gs:[{r_rax}]",
    "mov rbx, qword ptr gs:[{r_rbx}]",
    "mov rcx, qword ptr gs:[{r_rcx}]",
    "mov rdx, qword ptr gs:[{r_rdx}]",
    "mov rsi, qword ptr gs:[{r_rsi}]",
    "mov rdi, qword ptr gs:[{r_rdi}]",
    "mov rbp, qword ptr gs:[{r_rbp}]",
    "mov r8, qword ptr gs:[{r_r8}]",
    "mov r9, qword ptr gs:[{r_r9}]",
    "mov r10, qword ptr gs:[{r_r10}]",
    "mov r11, qword ptr gs:[{r_r11}]",
    "mov r12, qword ptr gs:[{r_r12}]",
    "mov r13, qword ptr gs:[{r_r13}]",
    "mov r14, qword ptr gs:[{r_r14}]",
    "mov r15, qword ptr gs:[{r_r15}]",
    "mov rsp, qword ptr gs:[{r_rsp}]",
    "jmp qword ptr gs:[{r_rip}]",
    ".size zx_hal_resume_guest, . - zx_hal_resume_guest",
    "",
    ".globl zx_hal_syscall_entry",
    ".hidden zx_hal_syscall_entry",
    ".type zx_hal_syscall_entry, @function",
    ".balign 16",
    "zx_hal_syscall_entry:",
    "mov byte ptr gs:[{selector}], 0",
    "mov r11, rsp",
    "mov qword ptr gs:[{guest_rsp}], rsp",
    "mov rsp, qword ptr gs:[{host_rsp}]",
    "rdfsbase r10",
    "mov qword ptr gs:[{guest_fs}], r10",
    "mov r10, qword ptr gs:[{host_fs}]",
    "wrfsbase r10",
    "mov qword ptr gs:[{in_kernel}], 1",
    "cld",
    "pushfq",
    "test dword ptr [rsp], 0x40000",
    "jnz 7f",
    "add rsp, 8",
    "8:",
    "stmxcsr dword ptr gs:[{guest_mxcsr}]",
    "ldmxcsr dword ptr gs:[{abi_mxcsr}]",
    "fnstsw word ptr gs:[{guest_fsw}]",
    "test byte ptr gs:[{guest_fsw}], 0x80",
    "jnz 3f",
    "fnstcw word ptr gs:[{guest_fcw}]",
    "fldcw word ptr gs:[{abi_fcw}]",
    "4:",
    "mov eax, eax",
    "push r11",
    "push rax",
    "call {dispatch}",
    "cmp qword ptr gs:[{exit_requested}], 0",
    "jne 2f",
    "ldmxcsr dword ptr gs:[{guest_mxcsr}]",
    "test byte ptr gs:[{guest_fsw}], 0x80",
    "jnz 5f",
    "fldcw word ptr gs:[{guest_fcw}]",
    "6:",
    "cmp byte ptr gs:[{guest_ac}], 0",
    "jne 9f",
    "10:",
    "mov qword ptr gs:[{in_kernel}], 0",
    "mov r10, qword ptr gs:[{guest_fs}]",
    "wrfsbase r10",
    "mov rsp, qword ptr gs:[{guest_rsp}]",
    "mov byte ptr gs:[{selector}], 1",
    // The caller-saved registers hold whatever the emulator left there:
    // the guest gets zeros, not host addresses.
    "xor ecx, ecx",
    "xor edx, edx",
    "xor esi, esi",
    "xor edi, edi",
    "xor r8d, r8d",
    "xor r9d, r9d",
    "xor r10d, r10d",
    "xor r11d, r11d",
    "ret",
    "2:",
    "mov rsp, qword ptr gs:[{host_rsp}]",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    // The guest has an x87 exception pending: park its environment, clear
    // it, and give it back on the way out.
    "3:",
    "fnstenv gs:[{guest_fenv}]",
    "fnclex",
    "fldcw word ptr gs:[{abi_fcw}]",
    "jmp 4b",
    "5:",
    "fldenv gs:[{guest_fenv}]",
    "jmp 6b",
    // The guest runs with alignment checking (EFLAGS.AC): the host must
    // not (its code does unaligned accesses), so it is cleared for the
    // call and set again on the way back.
    "7:",
    "and dword ptr [rsp], 0xfffbffff",
    "popfq",
    "mov byte ptr gs:[{guest_ac}], 1",
    "jmp 8b",
    "9:",
    "mov byte ptr gs:[{guest_ac}], 0",
    "pushfq",
    "or dword ptr [rsp], 0x40000",
    "popfq",
    "jmp 10b",
    ".size zx_hal_syscall_entry, . - zx_hal_syscall_entry",
    "",
    ".globl zx_hal_leave_guest",
    ".hidden zx_hal_leave_guest",
    ".type zx_hal_leave_guest, @function",
    ".balign 16",
    "zx_hal_leave_guest:",
    "mov byte ptr gs:[{selector}], 0",
    "ldmxcsr dword ptr gs:[{abi_mxcsr}]",
    "fninit",
    "mov r10, qword ptr gs:[{host_fs}]",
    "wrfsbase r10",
    "mov rsp, qword ptr gs:[{host_rsp}]",
    "pushfq",
    "and dword ptr [rsp], 0xfffbfbff",
    "popfq",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size zx_hal_leave_guest, . - zx_hal_leave_guest",
    ".popsection",
    host_rsp = const HOST_RSP,
    guest_rsp = const GUEST_RSP,
    exit_requested = const EXIT_REQUESTED,
    entry = const ENTRY,
    host_fs = const HOST_FS,
    guest_fs = const GUEST_FS,
    in_kernel = const IN_KERNEL,
    kick_pending = const KICK_PENDING,
    selector = const SELECTOR,
    xsave = const XSAVE,
    guest_mxcsr = const GUEST_MXCSR,
    guest_fcw = const GUEST_FCW,
    guest_fsw = const GUEST_FSW,
    guest_fenv = const GUEST_FENV,
    guest_ac = const GUEST_AC,
    abi_mxcsr = const ABI_MXCSR,
    abi_fcw = const ABI_FCW,
    xsave_mask = const XSAVE_MASK,
    xsave_mask_hi = const XSAVE_MASK + 4,
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
    r_fs = const REGS + offset_of!(GeneralRegs, fs_base),
    dispatch = sym zx_hal_dispatch,
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
