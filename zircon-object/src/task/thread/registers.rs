//! A stopped thread's registers as debuggers read and write them
//! (`zx_thread_read_state`, `zx_thread_write_state`): the context of its
//! exception, else of its suspension.

use super::{Thread, ThreadInner};
use crate::task::exception::ExceptionType;
use crate::{ZxError, ZxResult};

impl Thread {
    /// Reads the general registers (`BAD_STATE` unless the thread is
    /// stopped in an exception or suspended).
    pub fn read_regs(&self) -> ZxResult<kernel_hal::GeneralRegs> {
        let mut inner = self.inner.lock();
        Ok(Self::stopped(&mut inner)?.regs)
    }

    /// The context of a stopped thread: the exception's, else the
    /// suspension's (`BAD_STATE` if it runs). Registers of a thread that is
    /// exiting are gone (`NOT_SUPPORTED` during `ZX_EXCP_THREAD_EXITING`,
    /// as on Zircon).
    fn stopped(inner: &mut ThreadInner) -> ZxResult<&mut kernel_hal::ThreadContext> {
        if let Some(e) = inner.in_exception.as_mut() {
            if e.shared.report().ty == ExceptionType::ThreadExiting {
                return Err(ZxError::NOT_SUPPORTED);
            }
            return Ok(&mut e.ctx);
        }
        inner.parked.as_mut().ok_or(ZxError::BAD_STATE)
    }

    /// Reads `zx_thread_state_fp_regs_t` (`BAD_STATE` unless stopped in an
    /// exception or suspended).
    pub fn read_fp_regs(&self) -> ZxResult<[u8; kernel_hal::cpu::FP_REGS_SIZE]> {
        let mut inner = self.inner.lock();
        Ok(Self::stopped(&mut inner)?.fpu.fp_regs())
    }

    /// Writes `zx_thread_state_fp_regs_t` (`BAD_STATE` unless stopped in an
    /// exception or suspended).
    pub fn write_fp_regs(&self, r: &[u8; kernel_hal::cpu::FP_REGS_SIZE]) -> ZxResult {
        let mut inner = self.inner.lock();
        Self::stopped(&mut inner)?.fpu.set_fp_regs(r);
        Ok(())
    }

    /// Reads `zx_thread_state_vector_regs_t` (`BAD_STATE` unless stopped in
    /// an exception or suspended).
    pub fn read_vector_regs(&self) -> ZxResult<Vec<u8>> {
        let mut inner = self.inner.lock();
        Ok(Self::stopped(&mut inner)?.fpu.vector_regs())
    }

    /// Writes `zx_thread_state_vector_regs_t` (`BAD_STATE` unless stopped
    /// in an exception or suspended; `INVALID_ARGS` for MXCSR bits the CPU
    /// rejects).
    pub fn write_vector_regs(&self, r: &[u8]) -> ZxResult {
        let mut inner = self.inner.lock();
        if Self::stopped(&mut inner)?.fpu.set_vector_regs(r) {
            Ok(())
        } else {
            Err(ZxError::INVALID_ARGS)
        }
    }

    /// Writes the general registers the thread resumes with (`BAD_STATE`
    /// unless it is stopped in an exception or suspended; `INVALID_ARGS`
    /// for a `rip` at or above the processor's first non-canonical address,
    /// as Zircon checks it, or an `fs_base` or `gs_base` the host's
    /// four-level paging cannot hold).
    pub fn write_regs(&self, regs: &kernel_hal::GeneralRegs) -> ZxResult {
        use kernel_hal::cpu::{is_canonical, is_settable_rip, USER_RFLAGS};
        let mut inner = self.inner.lock();
        let ctx = Self::stopped(&mut inner)?;
        if !is_settable_rip(regs.rip) || !is_canonical(regs.fs_base) || !is_canonical(regs.gs_base)
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut r = *regs;
        r.rflags = (ctx.regs.rflags & !USER_RFLAGS) | (r.rflags & USER_RFLAGS);
        ctx.regs = r;
        Ok(())
    }

    /// `ZX_THREAD_STATE_SINGLE_STEP`: whether the thread traps after each
    /// instruction it resumes with (`BAD_STATE` unless stopped).
    pub fn read_single_step(&self) -> ZxResult<bool> {
        let mut inner = self.inner.lock();
        Ok(Self::stopped(&mut inner)?.regs.rflags & kernel_hal::cpu::RFLAGS_TF != 0)
    }

    /// Turns single-stepping on or off for when the thread resumes (each
    /// step then ends in `ZX_EXCP_HW_BREAKPOINT`; `BAD_STATE` unless
    /// stopped).
    pub fn write_single_step(&self, on: bool) -> ZxResult {
        let mut inner = self.inner.lock();
        let ctx = Self::stopped(&mut inner)?;
        if on {
            ctx.regs.rflags |= kernel_hal::cpu::RFLAGS_TF;
        } else {
            ctx.regs.rflags &= !kernel_hal::cpu::RFLAGS_TF;
        }
        Ok(())
    }
}
