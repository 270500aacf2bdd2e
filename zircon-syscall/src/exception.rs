//! Exceptions: `zx_task_create_exception_channel`,
//! `zx_exception_get_thread` / `_process`, and the register access
//! handlers need (`zx_thread_read_state` / `_write_state`: general, FP and
//! vector registers).

use kernel_hal::cpu::{FP_REGS_SIZE, GENERAL_REGS_SIZE, VECTOR_REGS_SIZE};
use kernel_hal::GeneralRegs;
use zircon_object::handle::HandleValue;
use zircon_object::ipc::channel::DEFAULT_CHANNEL_RIGHTS;
use zircon_object::ipc::Channel;
use zircon_object::task::{Exception, Job, Process, Thread};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{read_bytes, write_bytes, UserInPtr, UserOutPtr};
use crate::Syscall;

/// `ZX_EXCEPTION_CHANNEL_DEBUGGER`
const EXCEPTION_CHANNEL_DEBUGGER: u32 = 1;

/// `ZX_THREAD_STATE_*` topics.
mod topic {
    pub const GENERAL_REGS: u32 = 0;
    pub const FP_REGS: u32 = 1;
    pub const VECTOR_REGS: u32 = 2;
    pub const DEBUG_REGS: u32 = 4;
    pub const SINGLE_STEP: u32 = 5;
}

impl Syscall<'_> {
    /// `zx_task_create_exception_channel`.
    pub fn task_create_exception_channel(
        &self,
        h: HandleValue,
        options: u32,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        if options & !EXCEPTION_CHANNEL_DEBUGGER != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        self.enforce_policy(zircon_object::task::policy::PolicyCondition::NewChannel)?;
        // Receiving exceptions needs INSPECT (task information), DUPLICATE
        // and TRANSFER (task handles go out), MANAGE_THREAD (the thread is
        // kept stopped); checked before the type, as Zircon does.
        let needed = Rights::INSPECT | Rights::DUPLICATE | Rights::TRANSFER | Rights::MANAGE_THREAD;
        let handle = self.process.handles().get(h)?.to_ref();
        if !handle.rights.contains(needed) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let debugger = options & EXCEPTION_CHANNEL_DEBUGGER != 0;
        let task_rights = handle.rights;
        let obj = handle.object.clone();
        let (kernel_end, user_end) = Channel::create();
        let result = if let Some(job) = obj.clone().downcast_arc::<Job>() {
            if !task_rights.contains(Rights::ENUMERATE) {
                return Err(ZxError::ACCESS_DENIED);
            }
            if debugger {
                job.add_debug_channel(kernel_end, task_rights, task_rights)
            } else {
                job.exceptionate()
                    .set_channel(kernel_end, task_rights, task_rights)
            }
        } else if let Some(process) = obj.clone().downcast_arc::<Process>() {
            if !task_rights.contains(Rights::ENUMERATE) {
                return Err(ZxError::ACCESS_DENIED);
            }
            let slot = if debugger {
                process.debug_exceptionate()
            } else {
                process.exceptionate()
            };
            slot.set_channel(kernel_end, task_rights, task_rights)
        } else if let Some(thread) = obj.downcast_arc::<Thread>() {
            if debugger {
                return Err(ZxError::INVALID_ARGS);
            }
            // A thread's handler gets no way up to the process.
            thread
                .exceptionate()
                .set_channel(kernel_end, task_rights, Rights::empty())
        } else {
            return Err(ZxError::WRONG_TYPE);
        };
        result?;
        // Exception channels are read-only for user space.
        let rights = DEFAULT_CHANNEL_RIGHTS & (Rights::TRANSFER | Rights::WAIT | Rights::READ);
        // If the copy fails, closing our end unbinds the slot again.
        self.add_handle_out(user_end, rights, out)
    }

    /// `zx_exception_get_thread`.
    pub fn exception_get_thread(&self, h: HandleValue, out: UserOutPtr<u32>) -> ZxResult {
        let (exception, _) = self.process.get_object::<Exception>(h, Rights::empty())?;
        let (thread, rights) = exception.thread()?;
        self.add_handle_out(thread, rights, out)
    }

    /// `zx_exception_get_process`.
    pub fn exception_get_process(&self, h: HandleValue, out: UserOutPtr<u32>) -> ZxResult {
        let (exception, _) = self.process.get_object::<Exception>(h, Rights::empty())?;
        let (process, rights) = exception.process()?;
        self.add_handle_out(process, rights, out)
    }

    /// `zx_thread_read_state`.
    pub fn thread_read_state(
        &self,
        h: HandleValue,
        kind: u32,
        buf: UserOutPtr<u8>,
        size: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let (thread, _) = self.process.get_object::<Thread>(h, Rights::READ)?;
        if size < state_size(kind)? {
            return Err(ZxError::BUFFER_TOO_SMALL);
        }
        let bytes = match kind {
            topic::GENERAL_REGS => thread.read_regs()?.to_bytes().to_vec(),
            topic::FP_REGS => thread.read_fp_regs()?.to_vec(),
            topic::SINGLE_STEP => (thread.read_single_step()? as u32).to_le_bytes().to_vec(),
            _ => thread.read_vector_regs()?,
        };
        write_bytes(self.aspace(), buf, &bytes)
    }

    /// `zx_thread_write_state`.
    pub fn thread_write_state(
        &self,
        h: HandleValue,
        kind: u32,
        buf: UserInPtr<u8>,
        size: usize,
    ) -> ZxResult {
        let buf = buf.addr();
        let (thread, _) = self.process.get_object::<Thread>(h, Rights::WRITE)?;
        let need = state_size(kind)?;
        if size < need {
            return Err(ZxError::BUFFER_TOO_SMALL);
        }
        let bytes = read_bytes(self.aspace(), buf, need)?;
        match kind {
            topic::GENERAL_REGS => thread.write_regs(&GeneralRegs::from_bytes(
                bytes.as_slice().try_into().expect("size"),
            )),
            topic::FP_REGS => thread.write_fp_regs(bytes.as_slice().try_into().expect("size")),
            topic::SINGLE_STEP => match u32::from_le_bytes(bytes[..4].try_into().expect("size")) {
                0 => thread.write_single_step(false),
                1 => thread.write_single_step(true),
                _ => Err(ZxError::INVALID_ARGS),
            },
            _ => thread.write_vector_regs(&bytes),
        }
    }
}

/// The size of a `ZX_THREAD_STATE_*` topic's record
/// (`zx_thread_state_single_step_t` is a `uint32_t`): `NOT_SUPPORTED` for
/// the debug registers, which this emulator lacks (DESIGN.md decision 25),
/// `INVALID_ARGS` for unknown topics.
fn state_size(kind: u32) -> ZxResult<usize> {
    match kind {
        topic::GENERAL_REGS => Ok(GENERAL_REGS_SIZE),
        topic::FP_REGS => Ok(FP_REGS_SIZE),
        topic::VECTOR_REGS => Ok(VECTOR_REGS_SIZE),
        topic::SINGLE_STEP => Ok(4),
        topic::DEBUG_REGS => Err(ZxError::NOT_SUPPORTED),
        _ => Err(ZxError::INVALID_ARGS),
    }
}
