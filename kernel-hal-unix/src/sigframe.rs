//! The guest's FPU state in signal frames and in the state block: how much
//! of a frame's XSAVE image to keep, keeping protection key 0 usable, the
//! capture of a guest exception from a signal frame, and the initial and
//! saved FPU state of a guest thread.

use kernel_hal::cpu::{xoff, FCW_DEFAULT, MXCSR_DEFAULT, RFLAGS_AC, RFLAGS_DF, RFLAGS_TF};
use kernel_hal::{CpuException, FpuState, GeneralRegs};

/// The x87 and SSE components (what a bare FXSAVE image holds).
const X87_SSE: u64 = 0b11;

use crate::thread_block::{
    ThreadState, EXIT_BY_EXCEPTION, EXIT_BY_INTERRUPT, STATE, XSAVE_AREA_SIZE,
};

/// The components a thread's initial XSAVE image holds: x87, SSE, AVX,
/// the AVX-512 opmask and upper ZMM state, PKRU (masked by what the CPU
/// and kernel enable).
pub(crate) const INITIAL_XSAVE_MASK: u64 = 0x2e7;

/// Gives the thread's state block the initial FPU state a new guest
/// thread starts with.
pub(crate) fn load_initial_fpu_state(s: &ThreadState) {
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
    image[xoff::FCW..xoff::FCW + 2].copy_from_slice(&FCW_DEFAULT.to_le_bytes());
    image[xoff::MXCSR..xoff::MXCSR + 4].copy_from_slice(&MXCSR_DEFAULT.to_le_bytes());
    image[xoff::MXCSR_MASK..xoff::MXCSR_MASK + 4].copy_from_slice(&host_mxcsr_mask().to_le_bytes());
    s.xsave.0.set(image);
    s.xsave_mask.set(mask);
    s.xsave_len.set(xoff::PKRU_END as u64);
}

/// Returns the CPU's MXCSR_MASK (the MXCSR bits it accepts), from an
/// FXSAVE image.
fn host_mxcsr_mask() -> u32 {
    #[repr(C, align(16))]
    struct Fx([u8; xoff::LEGACY_END]);
    let mut fx = Fx([0; xoff::LEGACY_END]);
    // SAFETY: FXSAVE64 writes 512 bytes to this 16-byte aligned local.
    unsafe {
        std::arch::asm!("fxsave64 [{}]", in(reg) fx.0.as_mut_ptr(), options(nostack, preserves_flags))
    };
    match u32::from_le_bytes(
        fx.0[xoff::MXCSR_MASK..xoff::MXCSR_MASK + 4]
            .try_into()
            .expect("4 bytes"),
    ) {
        0 => 0xffbf,
        m => m,
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
pub(crate) unsafe fn allow_pkey0(image: *mut u8, len: usize, mask: u64) {
    let Some(off) = pkru_offset() else {
        return;
    };
    if mask & XFEATURE_PKRU == 0 || off + 4 > len {
        return;
    }
    // SAFETY: both fields lie inside the image (checked above; the header
    // is at 512..576 of any XSAVE image).
    unsafe {
        let bv = image.add(xoff::XSTATE_BV).cast::<u64>();
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
pub(crate) fn sigframe_xsave_extent(fp: *const u8) -> (usize, u64) {
    // SAFETY: the legacy area is always 512 bytes; its software-reserved
    // bytes 464..512 hold the kernel's `_fpx_sw_bytes`.
    let (magic1, xfeatures, xstate_size) = unsafe {
        (
            std::ptr::read_unaligned(fp.add(464).cast::<u32>()),
            std::ptr::read_unaligned(fp.add(472).cast::<u64>()),
            std::ptr::read_unaligned(fp.add(480).cast::<u32>()) as usize,
        )
    };
    if magic1 == FP_XSTATE_MAGIC1 && (xoff::HEADER_END..=XSAVE_AREA_SIZE).contains(&xstate_size) {
        (xstate_size, xfeatures)
    } else {
        (xoff::LEGACY_END, X87_SSE)
    }
}

/// Returns the calling thread's saved FPU state: the guest's at its last
/// exception (after [`run_guest`](crate::run_guest) returned [`GuestExit::Exception`](crate::GuestExit::Exception)), or
/// the initial state of a thread that had none.
pub fn saved_fpu_state() -> FpuState {
    STATE.with(|s| {
        let len = (s.xsave_len.get() as usize).clamp(xoff::HEADER_END, XSAVE_AREA_SIZE);
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
        if state.mask != mask || state.image.len() < len.max(xoff::HEADER_END) {
            return false;
        }
        let mxcsr = u32::from_le_bytes(
            state.image[xoff::MXCSR..xoff::MXCSR + 4]
                .try_into()
                .expect("4 bytes"),
        );
        if mxcsr & !state.mxcsr_mask() != 0 {
            return false;
        }
        let mut image = s.xsave.0.get();
        image[..len.max(xoff::HEADER_END)]
            .copy_from_slice(&state.image[..len.max(xoff::HEADER_END)]);
        // SAFETY: `image` holds `len` bytes of XSAVE image with `mask`.
        unsafe { allow_pkey0(image.as_mut_ptr(), len, mask) };
        // The header may only name components XRSTOR is asked to load.
        let bv = u64::from_le_bytes(
            image[xoff::XSTATE_BV..xoff::XSTATE_BV + 8]
                .try_into()
                .expect("8 bytes"),
        ) & mask;
        image[xoff::XSTATE_BV..xoff::XSTATE_BV + 8].copy_from_slice(&bv.to_le_bytes());
        s.xsave.0.set(image);
        true
    })
}

/// Called by a signal handler that interrupted guest code with an exception
/// it cannot resolve (or with a kick: `exception` is `None`): saves the
/// guest's registers (with `guest_fs` as the FS base) and FPU state in the
/// thread's block, records `exception`, and makes the handler return into
/// the exit stub, which leaves guest mode; [`run_guest`](crate::run_guest)
/// then returns [`GuestExit::Exception`](crate::GuestExit::Exception) (or
/// [`GuestExit::Interrupted`](crate::GuestExit::Interrupted)). The FPU
/// control state the host resumes with is reset to the ABI's defaults.
///
/// Must be called with the host's FS base loaded (thread-locals usable).
pub(crate) fn capture_guest_exception(
    ctx: *mut std::ffi::c_void,
    exception: Option<CpuException>,
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
        s.exit_kind.set(if exception.is_some() {
            EXIT_BY_EXCEPTION
        } else {
            EXIT_BY_INTERRUPT
        });
        s.exception.set(exception);
        if !uc.uc_mcontext.fpregs.is_null() {
            let fp = uc.uc_mcontext.fpregs;
            let (len, mask) = sigframe_xsave_extent(fp.cast::<u8>());
            let mut image = [0u8; XSAVE_AREA_SIZE];
            // SAFETY: `fpregs` points at the FPU state of this very signal
            // frame, `len` bytes long as the kernel's own header in it says
            // (512 for a bare FXSAVE image).
            unsafe { std::ptr::copy_nonoverlapping(fp.cast::<u8>(), image.as_mut_ptr(), len) };
            if len == xoff::LEGACY_END {
                // A bare FXSAVE image: give it the XSAVE header XRSTOR
                // needs (x87 and SSE present, the rest zero).
                image[xoff::XSTATE_BV..xoff::XSTATE_BV + 8].copy_from_slice(&X87_SSE.to_le_bytes());
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
                (*fp).cwd = FCW_DEFAULT;
                (*fp).swd = 0;
                (*fp).ftw = 0;
                (*fp).mxcsr = MXCSR_DEFAULT;
            }
        }
    });
    // Host code runs next: clear the direction, trap and alignment-check
    // flags the guest may have set.
    g[libc::REG_EFL as usize] &= !(RFLAGS_DF | RFLAGS_TF | RFLAGS_AC) as i64;
    g[libc::REG_RIP as usize] = crate::context::zx_hal_leave_guest as *const () as usize as i64;
}
