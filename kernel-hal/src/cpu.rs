//! The CPU state of a guest thread, as the emulator reports it to Zircon's
//! exception machinery: general registers and the exception that stopped
//! the thread.

use crate::{FaultError, PageFaultAccess, VirtAddr};

/// x86-64 general registers, laid out as Fuchsia's
/// `zx_thread_state_general_regs_t` (20 × `u64`, 160 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[expect(missing_docs, reason = "the register names are their documentation")]
pub struct GeneralRegs {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
    pub fs_base: u64,
    pub gs_base: u64,
}

/// Size of [`GeneralRegs`] in bytes.
pub const GENERAL_REGS_SIZE: usize = std::mem::size_of::<GeneralRegs>();
const _: () = assert!(GENERAL_REGS_SIZE == 160);

/// EFLAGS.NT: nested task (meaningless to user code, but user-settable).
pub const RFLAGS_NT: u64 = 1 << 14;
/// EFLAGS.ID: CPUID is available (user-settable).
pub const RFLAGS_ID: u64 = 1 << 21;

/// The `rflags` bits a guest may set through `zx_thread_write_state` and
/// keeps across an exception, as Zircon's `X86_FLAGS_USER` without the
/// trap flag: the status flags, the direction flag, NT, alignment checking
/// (AC) and ID. The trap flag and the system flags stay under the
/// emulator's control (single-stepping is not supported).
pub const USER_RFLAGS: u64 = 0x0cd5 | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID;

/// EFLAGS.TF: single-step trap after each instruction.
pub const RFLAGS_TF: u64 = 1 << 8;
/// EFLAGS.DF: string instructions count down.
pub const RFLAGS_DF: u64 = 1 << 10;
/// EFLAGS.AC: user-mode alignment checking.
pub const RFLAGS_AC: u64 = 1 << 18;

/// Returns whether `addr` is a canonical x86-64 user or kernel address
/// (bits 63..47 all equal).
pub const fn is_canonical(addr: u64) -> bool {
    let top = (addr as i64) >> 47;
    top == 0 || top == -1
}

/// The linear-address width the processor reports (CPUID leaf
/// `0x8000_0008`, EAX bits 15..8): 48, or 57 on processors with five-level
/// paging (whether or not the host kernel uses it). Read once.
pub fn linear_address_width() -> u32 {
    static WIDTH: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        let width = (core::arch::x86_64::__cpuid(0x8000_0008).eax >> 8) & 0xff;
        // A hypervisor may report nonsense; x86-64 has at least 48 bits.
        width.max(48)
    })
}

/// Whether `zx_thread_write_state` accepts `rip`: below the lowest
/// non-canonical address of the processor's reported width, as Zircon
/// checks it (so a kernel-half address is refused too, which Zircon allows
/// itself for simplicity). On a 57-bit processor this admits addresses the
/// host's four-level paging cannot reach; resuming at one becomes an
/// instruction-fetch page fault (the resume path never jumps outside the
/// thread's window).
pub fn is_settable_rip(rip: u64) -> bool {
    rip < 1 << (linear_address_width() - 1)
}

/// Zircon's `arch_is_valid_user_pc` on x86-64: any address of the lower,
/// user half (mapped or not: a thread sent to an unmapped one takes a page
/// fault there).
pub const fn is_valid_user_pc(pc: u64) -> bool {
    pc < 1 << 47
}

impl GeneralRegs {
    /// Encodes the registers as the bytes of a
    /// `zx_thread_state_general_regs_t`.
    pub fn to_bytes(&self) -> [u8; GENERAL_REGS_SIZE] {
        let mut out = [0u8; GENERAL_REGS_SIZE];
        for (chunk, v) in out.chunks_exact_mut(8).zip(self.as_array()) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Decodes a `zx_thread_state_general_regs_t`.
    pub fn from_bytes(bytes: &[u8; GENERAL_REGS_SIZE]) -> GeneralRegs {
        let mut a = [0u64; 20];
        for (v, chunk) in a.iter_mut().zip(bytes.chunks_exact(8)) {
            *v = u64::from_le_bytes(chunk.try_into().unwrap());
        }
        GeneralRegs::from_array(a)
    }

    /// The registers in `zx_thread_state_general_regs_t` order.
    pub fn as_array(&self) -> [u64; 20] {
        [
            self.rax,
            self.rbx,
            self.rcx,
            self.rdx,
            self.rsi,
            self.rdi,
            self.rbp,
            self.rsp,
            self.r8,
            self.r9,
            self.r10,
            self.r11,
            self.r12,
            self.r13,
            self.r14,
            self.r15,
            self.rip,
            self.rflags,
            self.fs_base,
            self.gs_base,
        ]
    }

    /// The inverse of [`GeneralRegs::as_array`].
    pub fn from_array(a: [u64; 20]) -> GeneralRegs {
        GeneralRegs {
            rax: a[0],
            rbx: a[1],
            rcx: a[2],
            rdx: a[3],
            rsi: a[4],
            rdi: a[5],
            rbp: a[6],
            rsp: a[7],
            r8: a[8],
            r9: a[9],
            r10: a[10],
            r11: a[11],
            r12: a[12],
            r13: a[13],
            r14: a[14],
            r15: a[15],
            rip: a[16],
            rflags: a[17],
            fs_base: a[18],
            gs_base: a[19],
        }
    }
}

/// Size of `zx_thread_state_fp_regs_t` (x86-64).
pub const FP_REGS_SIZE: usize = 160;
/// Size of `zx_thread_state_vector_regs_t` (x86-64).
pub const VECTOR_REGS_SIZE: usize = 2120;

/// XSAVE state components (bits of `XSTATE_BV`).
mod xfeature {
    pub const X87: u64 = 1 << 0;
    pub const SSE: u64 = 1 << 1;
    pub const AVX: u64 = 1 << 2;
    // The AVX-512 components (5-7) are kept in images but not shown to
    // debuggers, as on Zircon.
}

/// Offsets in the XSAVE standard format (the same on every CPU that has
/// the component).
#[expect(missing_docs, reason = "each name is the XSAVE field it locates")]
pub mod xoff {
    pub const FCW: usize = 0;
    pub const FSW: usize = 2;
    pub const FTW: usize = 4;
    pub const FOP: usize = 6;
    pub const FIP: usize = 8;
    pub const FDP: usize = 16;
    pub const MXCSR: usize = 24;
    pub const MXCSR_MASK: usize = 28;
    pub const ST: usize = 32;
    pub const XMM: usize = 160;
    pub const XSTATE_BV: usize = 512;
    pub const YMM_HI: usize = 576;
    pub const OPMASK: usize = 1088;
    pub const ZMM_HI256: usize = 1152;
    pub const HI16_ZMM: usize = 1664;
    /// End of the legacy (FXSAVE) area; the XSAVE header follows.
    pub const LEGACY_END: usize = 512;
    /// End of the XSAVE header: the smallest XSAVE image.
    pub const HEADER_END: usize = 576;
    pub const END: usize = 2688;
    /// The PKRU component follows the AVX-512 state (8 bytes).
    pub const PKRU: usize = 2688;
    pub const PKRU_END: usize = 2696;
}

/// The ABI's (and a new thread's) MXCSR: every SSE exception masked.
pub const MXCSR_DEFAULT: u32 = 0x1f80;
/// The ABI's (and a new thread's) x87 control word: every exception
/// masked, 64-bit precision.
pub const FCW_DEFAULT: u16 = 0x037f;

/// A guest thread's x87, SSE and AVX(-512) state in the XSAVE standard
/// format (its first 512 bytes are the FXSAVE image, then the XSAVE
/// header), as the CPU saves it, plus the components it holds (`mask`, the
/// requested-feature bitmap for restoring it). This is what the
/// `ZX_THREAD_STATE_FP_REGS` and `ZX_THREAD_STATE_VECTOR_REGS` topics read
/// and write.
#[derive(Clone, PartialEq, Eq)]
pub struct FpuState {
    /// The XSAVE image (at least 576 bytes).
    pub image: Vec<u8>,
    /// The components the image may hold (`XCR0`-style bits).
    pub mask: u64,
}

impl std::fmt::Debug for FpuState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FpuState({} bytes, mask {:#x})",
            self.image.len(),
            self.mask
        )
    }
}

impl FpuState {
    fn get<const N: usize>(&self, off: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if let Some(b) = self.image.get(off..off + N) {
            out.copy_from_slice(b);
        }
        out
    }

    fn put(&mut self, off: usize, b: &[u8]) {
        if let Some(dst) = self.image.get_mut(off..off + b.len()) {
            dst.copy_from_slice(b);
        }
    }

    fn xstate_bv(&self) -> u64 {
        u64::from_le_bytes(self.get(xoff::XSTATE_BV))
    }

    /// Whether component `bit` is held and not in its initial (all-zero)
    /// state.
    fn live(&self, bit: u64, end: usize) -> bool {
        self.mask & bit != 0 && self.xstate_bv() & bit != 0 && self.image.len() >= end
    }

    /// Marks component `bit` as written (no effect if the image cannot
    /// hold it).
    fn mark(&mut self, bit: u64, end: usize) {
        if self.mask & bit != 0 && self.image.len() >= end {
            let bv = self.xstate_bv() | bit;
            self.put(xoff::XSTATE_BV, &bv.to_le_bytes());
        }
    }

    /// `zx_thread_state_fp_regs_t`: the x87 control, status, tag and
    /// opcode words, instruction and data pointers, and `st0`–`st7`.
    pub fn fp_regs(&self) -> [u8; FP_REGS_SIZE] {
        let mut out = [0u8; FP_REGS_SIZE];
        // Control word, status word, abridged tag word, opcode, pointers:
        // the FXSAVE layout of the first 24 bytes is Fuchsia's too.
        out[..24].copy_from_slice(&self.get::<24>(0));
        if self.live(xfeature::X87, 160) {
            out[32..160].copy_from_slice(&self.get::<128>(xoff::ST));
        } else {
            // The initial x87 state: control word 0x37f, everything else 0.
            out[..24].fill(0);
            out[xoff::FCW..xoff::FCW + 2].copy_from_slice(&FCW_DEFAULT.to_le_bytes());
        }
        out
    }

    /// Sets the state `zx_thread_state_fp_regs_t` describes.
    pub fn set_fp_regs(&mut self, r: &[u8; FP_REGS_SIZE]) {
        for (off, len) in [
            (xoff::FCW, 2),
            (xoff::FSW, 2),
            (xoff::FTW, 1),
            (xoff::FOP, 2),
            (xoff::FIP, 8),
            (xoff::FDP, 8),
        ] {
            self.put(off, &r[off..off + len]);
        }
        self.put(xoff::ST, &r[32..160]);
        self.mark(xfeature::X87, 160);
    }

    /// The MXCSR bits the CPU accepts (`MXCSR_MASK`, 0xffbf if the CPU
    /// reports none).
    pub fn mxcsr_mask(&self) -> u32 {
        match u32::from_le_bytes(self.get(xoff::MXCSR_MASK)) {
            0 => 0xffbf,
            m => m,
        }
    }

    /// `zx_thread_state_vector_regs_t` as Zircon's x86-64 gives it: the
    /// low 256 bits of `zmm0`–`zmm15` (`xmm`, then `ymm`'s upper half) and
    /// MXCSR. Like Zircon, the emulator does not offer the AVX-512 state
    /// (the upper halves, `zmm16`–`zmm31`, the opmask registers): those
    /// read as zero, even on a host that has them; so do parts the CPU or
    /// the image lacks.
    pub fn vector_regs(&self) -> Vec<u8> {
        let mut out = vec![0u8; VECTOR_REGS_SIZE];
        for i in 0..16 {
            let z = i * 64;
            if self.live(xfeature::SSE, xoff::XMM + 256) {
                out[z..z + 16].copy_from_slice(&self.get::<16>(xoff::XMM + 16 * i));
            }
            if self.live(xfeature::AVX, xoff::YMM_HI + 256) {
                out[z + 16..z + 32].copy_from_slice(&self.get::<16>(xoff::YMM_HI + 16 * i));
            }
        }
        out[2112..2116].copy_from_slice(&self.get::<4>(xoff::MXCSR));
        out
    }

    /// Sets the state `zx_thread_state_vector_regs_t` describes, as far as
    /// [`FpuState::vector_regs`] shows it (the AVX-512 fields are ignored,
    /// as on Zircon; so are parts the CPU lacks). False (and nothing
    /// changed) if MXCSR has bits the CPU does not accept.
    pub fn set_vector_regs(&mut self, r: &[u8]) -> bool {
        if r.len() < VECTOR_REGS_SIZE {
            return false;
        }
        let mxcsr = u32::from_le_bytes(r[2112..2116].try_into().unwrap());
        if mxcsr & !self.mxcsr_mask() != 0 {
            return false;
        }
        for i in 0..16 {
            let z = i * 64;
            self.put(xoff::XMM + 16 * i, &r[z..z + 16]);
            if self.mask & xfeature::AVX != 0 {
                self.put(xoff::YMM_HI + 16 * i, &r[z + 16..z + 32]);
            }
        }
        self.put(xoff::MXCSR, &mxcsr.to_le_bytes());
        self.mark(xfeature::SSE, xoff::XMM + 256);
        self.mark(xfeature::AVX, xoff::YMM_HI + 256);
        true
    }
}

/// Everything a debugger sees of a stopped guest thread: its general
/// registers and its FPU/vector state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadContext {
    /// The general registers.
    pub regs: GeneralRegs,
    /// The x87/SSE/AVX state.
    pub fpu: FpuState,
}

/// Why guest code stopped: a CPU exception the emulator could not resolve
/// on its own, in the terms Zircon's exception types need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionKind {
    /// A page fault that no mapping allows (`ZX_EXCP_FATAL_PAGE_FAULT`).
    PageFault {
        /// The faulting address.
        addr: VirtAddr,
        /// What the access tried to do.
        access: PageFaultAccess,
        /// Why it was refused.
        error: FaultError,
    },
    /// An invalid opcode (`ZX_EXCP_UNDEFINED_INSTRUCTION`).
    UndefinedInstruction,
    /// `int3` (`ZX_EXCP_SW_BREAKPOINT`).
    SoftwareBreakpoint,
    /// A debug trap: single step or a debug register
    /// (`ZX_EXCP_HW_BREAKPOINT`).
    HardwareBreakpoint,
    /// A general protection fault, a divide error and the like
    /// (`ZX_EXCP_GENERAL`).
    General,
    /// An alignment-check fault (`ZX_EXCP_UNALIGNED_ACCESS`).
    UnalignedAccess,
    /// A `syscall` instruction executed by guest code rather than through
    /// the vDSO (`ZX_EXCP_POLICY_ERROR`, bad syscall).
    BadSyscall {
        /// The Linux syscall number the guest asked for.
        number: u64,
    },
}

/// A CPU exception of a guest thread: what happened plus the x86 details
/// Zircon reports in `zx_x86_64_exc_data_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuException {
    /// What happened.
    pub kind: ExceptionKind,
    /// The x86 exception vector (14 for a page fault).
    pub vector: u64,
    /// The x86 error code.
    pub err_code: u64,
    /// CR2: the faulting address of a page fault.
    pub cr2: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mask: u64, bv: u64) -> FpuState {
        let mut image = vec![0u8; 2696];
        image[512..520].copy_from_slice(&bv.to_le_bytes());
        image[28..32].copy_from_slice(&0xffffu32.to_le_bytes());
        FpuState { image, mask }
    }

    #[test]
    fn vector_regs_round_trip_and_init_state() {
        let mut f = image(0xe7, 0);
        // Components in their initial state read as zero whatever memory says.
        f.image[160] = 0xaa;
        assert_eq!(f.vector_regs()[0], 0);
        let mut r = vec![0u8; VECTOR_REGS_SIZE];
        for (i, b) in r.iter_mut().enumerate().take(2112) {
            *b = (i % 251) as u8 + 1;
        }
        r[2112..2116].copy_from_slice(&0x1f80u32.to_le_bytes());
        assert!(f.set_vector_regs(&r));
        assert_eq!(f.xstate_bv() & 0x6, 0x6);
        // What Zircon shows comes back (the low 256 bits of zmm0-15 and
        // MXCSR); the AVX-512 fields read as zero.
        let mut shown = vec![0u8; VECTOR_REGS_SIZE];
        for i in 0..16 {
            shown[i * 64..i * 64 + 32].copy_from_slice(&r[i * 64..i * 64 + 32]);
        }
        shown[2112..2116].copy_from_slice(&r[2112..2116]);
        assert_eq!(f.vector_regs(), shown);
        // xmm3 sits in the FXSAVE area, ymm3's upper half in the AVX area.
        assert_eq!(&f.image[160 + 48..160 + 64], &r[192..208]);
        assert_eq!(&f.image[576 + 48..576 + 64], &r[208..224]);
        // MXCSR bits the CPU rejects are refused.
        r[2112..2116].copy_from_slice(&0x1_0000u32.to_le_bytes());
        assert!(!f.set_vector_regs(&r));
    }

    #[test]
    fn sse_only_images_ignore_avx() {
        let mut f = image(0x3, 0x3);
        f.image.truncate(576);
        let mut r = vec![7u8; VECTOR_REGS_SIZE];
        r[2112..2116].copy_from_slice(&0x1f80u32.to_le_bytes());
        assert!(f.set_vector_regs(&r));
        let back = f.vector_regs();
        assert_eq!(&back[..16], &r[..16]);
        assert_eq!(&back[16..64], &[0u8; 48]);
    }

    #[test]
    fn fp_regs_round_trip() {
        let mut f = image(0x3, 0);
        assert_eq!(&f.fp_regs()[..2], &0x037fu16.to_le_bytes());
        let mut r = [0u8; FP_REGS_SIZE];
        r[0..2].copy_from_slice(&0x027fu16.to_le_bytes());
        r[32..48].copy_from_slice(&[9; 16]);
        f.set_fp_regs(&r);
        assert_eq!(f.fp_regs(), r);
    }

    #[test]
    fn regs_round_trip() {
        let mut a = [0u64; 20];
        for (i, v) in a.iter_mut().enumerate() {
            *v = (i as u64 + 1) * 0x0101_0101;
        }
        let r = GeneralRegs::from_array(a);
        assert_eq!(r.rip, a[16]);
        assert_eq!(GeneralRegs::from_bytes(&r.to_bytes()), r);
    }

    #[test]
    fn settable_rip_follows_the_reported_width() {
        let limit = 1u64 << (linear_address_width() - 1);
        assert!(is_settable_rip(0));
        assert!(is_settable_rip(0x7fff_ffff_ffff));
        assert!(is_settable_rip(limit - 1));
        assert!(!is_settable_rip(limit));
        assert!(!is_settable_rip(0xffff_ff80_0000_0000));
    }

    #[test]
    fn canonical() {
        assert!(is_canonical(0));
        assert!(is_canonical(0x7fff_ffff_ffff));
        assert!(!is_canonical(0x8000_0000_0000));
        assert!(is_canonical(0xffff_8000_0000_0000));
        assert!(!is_canonical(0x0001_0000_0000_0000));
    }
}
