//! The safe doorway into guest code for the rest of the emulator.
//!
//! [`run_guest`](crate::run_guest) is `unsafe` because it jumps to an
//! arbitrary address. [`enter_guest`] narrows that to what a loader can
//! promise: the entry point and the stack both lie inside a guest address
//! window, whose contents only guest mappings can provide. Whatever the
//! guest does from there is confined by the emulator's own mechanisms (page
//! faults through the fault handler, syscalls through the vDSO), not by the
//! Rust type system: guest code runs in this host process by design.

use kernel_hal::{CpuException, ExceptionKind, FaultError, GeneralRegs, PageFaultAccess};

use crate::context::{in_guest_mode, resume_guest, run_guest, GuestExit};
use crate::page_table::{MAX_WINDOWS, WINDOW_BASE, WINDOW_SIZE};

pub(crate) fn in_windows(addr: usize) -> bool {
    addr >= WINDOW_BASE && addr - WINDOW_BASE < MAX_WINDOWS * WINDOW_SIZE
}

/// Why a guest could not be entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterError {
    /// The entry point or stack lies outside every guest window.
    NotGuestMemory,
    /// The calling thread is already running guest code.
    Nested,
}

/// Runs guest code at `entry` on the current host thread with stack
/// `stack_top`, `rdi` = `arg1` and `rsi` = `arg2` (Zircon's entry
/// convention), until a syscall asks the thread to leave guest mode.
pub fn enter_guest(
    entry: usize,
    stack_top: usize,
    arg1: u64,
    arg2: u64,
) -> Result<GuestExit, EnterError> {
    if !in_windows(entry) || !in_windows(stack_top.wrapping_sub(1)) {
        return Err(EnterError::NotGuestMemory);
    }
    if in_guest_mode() {
        return Err(EnterError::Nested);
    }
    crate::ensure_alt_stack();
    // SAFETY: both addresses lie in guest windows, which hold nothing but
    // guest mappings (the HAL reserves them whole), so the jump lands in
    // guest memory with a guest stack, as run_guest requires; the thread is
    // not already in guest mode.
    Ok(unsafe { run_guest(entry, stack_top, arg1, arg2) })
}

/// Continues a guest thread after an exception with the registers `regs`
/// (as an exception handler left them). A `rip` outside every guest window
/// is not jumped to: the thread takes a page fault there instead (an
/// instruction fetch from an address with no mapping), as it would on
/// Zircon, and `regs` come back unchanged with it.
pub fn resume_after_exception(regs: &GeneralRegs) -> Result<GuestExit, EnterError> {
    if in_guest_mode() {
        return Err(EnterError::Nested);
    }
    if !in_windows(regs.rip as usize) {
        let addr = regs.rip as usize;
        let fault = CpuException {
            kind: ExceptionKind::PageFault {
                addr,
                access: PageFaultAccess::Execute,
                error: FaultError::NotFound,
            },
            vector: 14,
            err_code: 0x14,
            cr2: addr as u64,
        };
        return Ok(GuestExit::Exception(fault, *regs));
    }
    crate::ensure_alt_stack();
    // SAFETY: `rip` lies in a guest window (checked above), so the jump
    // lands in guest memory; the thread is not in guest mode. The
    // registers are the guest's own business.
    Ok(unsafe { resume_guest(regs) })
}
