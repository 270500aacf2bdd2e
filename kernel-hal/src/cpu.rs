//! The CPU state of a guest thread, as the emulator reports it to Zircon's
//! exception machinery: general registers and the exception that stopped
//! the thread.

use crate::{FaultError, PageFaultAccess, VirtAddr};

/// x86-64 general registers, laid out as Fuchsia's
/// `zx_thread_state_general_regs_t` (20 × `u64`, 160 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)]
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

/// The `rflags` bits a guest may set through `zx_thread_write_state`: the
/// status flags and the direction flag. (Trap, alignment-check and the
/// system flags stay under the emulator's control, as the kernel keeps
/// them under its own on Zircon.)
pub const USER_RFLAGS: u64 = 0x0cd5;

/// Returns whether `addr` is a canonical x86-64 user or kernel address
/// (bits 63..47 all equal).
pub const fn is_canonical(addr: u64) -> bool {
    let top = (addr as i64) >> 47;
    top == 0 || top == -1
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
    fn canonical() {
        assert!(is_canonical(0));
        assert!(is_canonical(0x7fff_ffff_ffff));
        assert!(!is_canonical(0x8000_0000_0000));
        assert!(is_canonical(0xffff_8000_0000_0000));
        assert!(!is_canonical(0x0001_0000_0000_0000));
    }
}
