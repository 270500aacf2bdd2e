//! The exception object (`ZX_OBJ_TYPE_EXCEPTION`) and the exception ABI
//! values (`ZX_EXCP_*`, `ZX_EXCEPTION_CHANNEL_TYPE_*`,
//! `ZX_EXCEPTION_STATE_*`, `ZX_EXCEPTION_STRATEGY_*`).
//!
//! When a guest thread takes a CPU exception the emulator cannot resolve,
//! the thread blocks and the exception is offered to handlers one after
//! another ([`crate::task::delivery`] has the order). Offering means writing
//! a `zx_exception_info_t` plus one exception handle into the channel of a
//! task's [`Exceptionate`](crate::task::Exceptionate) slot; the handle names
//! an [`Exception`]. The handler decides by setting
//! `ZX_PROP_EXCEPTION_STATE` and closing the handle: dropping the object's
//! last reference (the handle is closed, or its message is destroyed) is
//! the handler's "done" signal. The byte layouts live in
//! [`crate::task::exception_abi`].

use crate::sync::Mutex;
use std::sync::Arc;

use kernel_hal::{CpuException, ExceptionKind};

use crate::object::{KObjectBase, ObjType, Waiter};
use crate::task::{Process, Thread};
use crate::{abi_enum, impl_kobject, Rights, ZxError, ZxResult};

abi_enum! {
    /// `ZX_EXCP_*` exception types.
    pub enum ExceptionType {
        /// `ZX_EXCP_GENERAL`
        General = 0x008,
        /// `ZX_EXCP_FATAL_PAGE_FAULT`
        FatalPageFault = 0x108,
        /// `ZX_EXCP_UNDEFINED_INSTRUCTION`
        UndefinedInstruction = 0x208,
        /// `ZX_EXCP_SW_BREAKPOINT`
        SwBreakpoint = 0x308,
        /// `ZX_EXCP_HW_BREAKPOINT`
        HwBreakpoint = 0x408,
        /// `ZX_EXCP_UNALIGNED_ACCESS`
        UnalignedAccess = 0x508,
        /// `ZX_EXCP_POLICY_ERROR`
        PolicyError = 0x8208,
        /// `ZX_EXCP_THREAD_STARTING` (debuggers only)
        ThreadStarting = 0x8008,
        /// `ZX_EXCP_THREAD_EXITING` (debuggers only)
        ThreadExiting = 0x8108,
        /// `ZX_EXCP_PROCESS_STARTING` (job debuggers only)
        ProcessStarting = 0x8308,
        /// `ZX_EXCP_USER`: raised by the thread itself with
        /// `zx_thread_raise_exception` (job debuggers only).
        User = 0x8309,
    }
}

/// `ZX_EXCP_POLICY_CODE_BAD_SYSCALL`: the `synth_code` of a
/// [`ExceptionType::PolicyError`] report for a bad syscall (its
/// `synth_data` is the syscall number).
pub const POLICY_CODE_BAD_SYSCALL: u32 = 18;
/// `ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE`: a write left the peer with
/// more messages than a channel may hold.
pub const POLICY_CODE_CHANNEL_FULL_WRITE: u32 = 16;
/// `ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS`: a port was given more
/// async waits than it may hold.
pub const POLICY_CODE_PORT_TOO_MANY_OBSERVERS: u32 = 19;

abi_enum! {
    /// `ZX_EXCEPTION_CHANNEL_TYPE_*`: which kind of channel an exception
    /// sits in (`zx_info_thread_t.wait_exception_channel_type`).
    pub enum ChannelType {
        /// `ZX_EXCEPTION_CHANNEL_TYPE_NONE`
        None = 0,
        /// `ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER`
        Debugger = 1,
        /// `ZX_EXCEPTION_CHANNEL_TYPE_THREAD`
        Thread = 2,
        /// `ZX_EXCEPTION_CHANNEL_TYPE_PROCESS`
        Process = 3,
        /// `ZX_EXCEPTION_CHANNEL_TYPE_JOB`
        Job = 4,
        /// `ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER`
        JobDebugger = 5,
    }
}

abi_enum! {
    /// `ZX_EXCEPTION_STATE_*` (`ZX_PROP_EXCEPTION_STATE`): what the
    /// handler decided.
    pub enum ExceptionState {
        /// `ZX_EXCEPTION_STATE_TRY_NEXT`: pass it to the next handler.
        TryNext = 0,
        /// `ZX_EXCEPTION_STATE_HANDLED`: resume the thread.
        Handled = 1,
        /// `ZX_EXCEPTION_STATE_THREAD_EXIT`: end the thread.
        ThreadExit = 2,
    }
}

abi_enum! {
    /// `ZX_EXCEPTION_STRATEGY_*` (`ZX_PROP_EXCEPTION_STRATEGY`).
    pub enum ExceptionStrategy {
        /// The debugger sees the exception first only.
        FirstChance = 0,
        /// The debugger sees it again after the process's handler passed.
        SecondChance = 1,
    }
}

/// `ZX_DEFAULT_EXCEPTION_RIGHTS`: TRANSFER, GET/SET_PROPERTY, INSPECT.
pub const DEFAULT_EXCEPTION_RIGHTS: Rights = Rights::TRANSFER
    .union(Rights::GET_PROPERTY)
    .union(Rights::SET_PROPERTY)
    .union(Rights::INSPECT);

/// `ZX_TASK_RETCODE_EXCEPTION_KILL`: the return code of a process killed
/// by an exception nobody handled.
pub const TASK_RETCODE_EXCEPTION_KILL: i64 = -1028;

/// What `ZX_INFO_THREAD_EXCEPTION_REPORT` reports: `zx_exception_report_t`
/// with the x86-64 context (encoded by
/// [`crate::task::exception_abi::encode_report`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionReport {
    /// The exception type.
    pub ty: ExceptionType,
    /// x86 exception vector.
    pub vector: u64,
    /// x86 error code.
    pub err_code: u64,
    /// CR2 (the faulting address of a page fault).
    pub cr2: u64,
    /// The page fault's `zx_status_t`, or the `ZX_EXCP_POLICY_CODE_*`.
    pub synth_code: u32,
    /// Extra data (the syscall number of a bad syscall).
    pub synth_data: u32,
}

impl ExceptionReport {
    /// The report of a policy exception a syscall raised
    /// (`ZX_EXCP_POLICY_ERROR` with `ZX_EXCP_POLICY_CODE_*` `code`).
    pub fn policy(code: u32, data: u32) -> ExceptionReport {
        ExceptionReport {
            ty: ExceptionType::PolicyError,
            vector: 0,
            err_code: 0,
            cr2: 0,
            synth_code: code,
            synth_data: data,
        }
    }

    /// The report of a `ZX_EXCP_USER` exception a thread raised on itself
    /// (`zx_thread_raise_exception`), carrying its `code` and `data`.
    pub fn user(code: u32, data: u32) -> ExceptionReport {
        ExceptionReport {
            ty: ExceptionType::User,
            synth_code: code,
            synth_data: data,
            ..ExceptionReport::synthetic(ExceptionType::User)
        }
    }

    /// The report of a CPU exception.
    pub fn from_cpu(e: &CpuException) -> ExceptionReport {
        let (ty, synth_code, synth_data) = match e.kind {
            ExceptionKind::PageFault { error, .. } => (
                ExceptionType::FatalPageFault,
                ZxError::from(error) as i32 as u32,
                0,
            ),
            ExceptionKind::UndefinedInstruction => (ExceptionType::UndefinedInstruction, 0, 0),
            ExceptionKind::SoftwareBreakpoint => (ExceptionType::SwBreakpoint, 0, 0),
            ExceptionKind::HardwareBreakpoint => (ExceptionType::HwBreakpoint, 0, 0),
            ExceptionKind::General => (ExceptionType::General, 0, 0),
            ExceptionKind::UnalignedAccess => (ExceptionType::UnalignedAccess, 0, 0),
            ExceptionKind::BadSyscall { number } => (
                ExceptionType::PolicyError,
                POLICY_CODE_BAD_SYSCALL,
                number as u32,
            ),
        };
        ExceptionReport {
            ty,
            vector: e.vector,
            err_code: e.err_code,
            cr2: e.cr2,
            synth_code,
            synth_data,
        }
    }

    /// The report of a synthetic exception (a debugger-only announcement
    /// such as `ZX_EXCP_THREAD_STARTING`): no CPU context.
    pub fn synthetic(ty: ExceptionType) -> ExceptionReport {
        ExceptionReport {
            ty,
            vector: 0,
            err_code: 0,
            cr2: 0,
            synth_code: 0,
            synth_data: 0,
        }
    }
}

/// The state of one exception shared by the blocked thread and the
/// exception objects handed to handlers one after another.
#[derive(Debug)]
pub struct ExceptionShared {
    /// Immutable.
    report: ExceptionReport,
    /// Protected by its own lock (a leaf: nothing is locked under it).
    pub(crate) st: Mutex<SharedState>,
    /// Immutable; poked when the current handler closes its exception.
    pub(crate) waiter: Arc<Waiter>,
}

/// The part of [`ExceptionShared`] handlers change.
#[derive(Debug)]
pub(crate) struct SharedState {
    /// The current handler closed its exception handle.
    pub closed: bool,
    /// What the current handler chose.
    pub disposition: ExceptionState,
    /// The debugger asked to see the exception again.
    pub second_chance: bool,
    /// The kind of channel the exception currently sits in.
    pub channel_type: ChannelType,
}

impl ExceptionShared {
    pub(crate) fn new(report: ExceptionReport) -> Arc<ExceptionShared> {
        Arc::new(ExceptionShared {
            report,
            st: Mutex::new(SharedState {
                closed: false,
                disposition: ExceptionState::TryNext,
                second_chance: false,
                channel_type: ChannelType::None,
            }),
            waiter: Waiter::new(),
        })
    }

    /// Returns the report.
    pub fn report(&self) -> ExceptionReport {
        self.report
    }

    /// Returns the kind of channel the exception currently sits in.
    pub fn channel_type(&self) -> ChannelType {
        self.st.lock().channel_type
    }
}

/// An exception as a kernel object: what an exception handle names.
/// Every field is immutable; the mutable part is in [`ExceptionShared`].
#[derive(Debug)]
pub struct Exception {
    base: KObjectBase,
    thread: Arc<Thread>,
    shared: Arc<ExceptionShared>,
    thread_rights: Rights,
    process_rights: Rights,
}

impl_kobject!(Exception, ObjType::Exception);

impl Exception {
    /// Creates the object one handler gets for `shared`, with the rights
    /// its channel grants for the task handles (empty: none).
    pub(crate) fn new(
        thread: Arc<Thread>,
        shared: Arc<ExceptionShared>,
        thread_rights: Rights,
        process_rights: Rights,
    ) -> Exception {
        Exception {
            base: KObjectBase::default(),
            thread,
            shared,
            thread_rights,
            process_rights,
        }
    }

    /// Returns the type of the exception.
    pub fn exception_type(&self) -> ExceptionType {
        self.shared.report.ty
    }

    /// Returns the faulting thread with the rights the handler's channel
    /// grants (`ACCESS_DENIED` if none: e.g. the process of a thread-channel
    /// exception).
    pub fn thread(&self) -> ZxResult<(Arc<Thread>, Rights)> {
        if self.thread_rights.is_empty() {
            return Err(ZxError::ACCESS_DENIED);
        }
        Ok((self.thread.clone(), self.thread_rights))
    }

    /// Returns the faulting thread's process with the rights the handler's
    /// channel grants (`ACCESS_DENIED` for a thread channel).
    pub fn process(&self) -> ZxResult<(Arc<Process>, Rights)> {
        if self.process_rights.is_empty() {
            return Err(ZxError::ACCESS_DENIED);
        }
        let p = self.thread.process().ok_or(ZxError::BAD_STATE)?;
        Ok((p, self.process_rights))
    }

    /// `ZX_PROP_EXCEPTION_STATE`.
    pub fn disposition(&self) -> ExceptionState {
        self.shared.st.lock().disposition
    }

    /// Sets `ZX_PROP_EXCEPTION_STATE`.
    pub fn set_disposition(&self, value: ExceptionState) {
        self.shared.st.lock().disposition = value;
    }

    /// `ZX_PROP_EXCEPTION_STRATEGY`.
    pub fn strategy(&self) -> ExceptionStrategy {
        if self.shared.st.lock().second_chance {
            ExceptionStrategy::SecondChance
        } else {
            ExceptionStrategy::FirstChance
        }
    }

    /// Sets `ZX_PROP_EXCEPTION_STRATEGY` from its raw value: only a
    /// debugger's exception may (`BAD_STATE` otherwise, checked before the
    /// value); `INVALID_ARGS` for a value [`ExceptionStrategy`] does not
    /// name.
    pub fn set_strategy(&self, raw: u32) -> ZxResult {
        let mut st = self.shared.st.lock();
        if st.channel_type != ChannelType::Debugger {
            return Err(ZxError::BAD_STATE);
        }
        st.second_chance = ExceptionStrategy::try_from(raw)? == ExceptionStrategy::SecondChance;
        Ok(())
    }
}

impl Drop for Exception {
    fn drop(&mut self) {
        self.shared.st.lock().closed = true;
        self.shared.waiter.poke();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_values_round_trip_and_unknown_ones_are_invalid() {
        for ty in [
            ExceptionType::General,
            ExceptionType::FatalPageFault,
            ExceptionType::PolicyError,
            ExceptionType::ProcessStarting,
        ] {
            assert_eq!(ExceptionType::try_from(ty.as_raw()), Ok(ty));
        }
        assert_eq!(ExceptionType::FatalPageFault.as_raw(), 0x108);
        assert_eq!(ChannelType::JobDebugger.as_raw(), 5);
        assert_eq!(ExceptionState::try_from(2), Ok(ExceptionState::ThreadExit));
        assert_eq!(ExceptionState::try_from(3), Err(ZxError::INVALID_ARGS));
        assert_eq!(
            ExceptionStrategy::try_from(1),
            Ok(ExceptionStrategy::SecondChance)
        );
        assert_eq!(ExceptionStrategy::try_from(2), Err(ZxError::INVALID_ARGS));
        assert_eq!(DEFAULT_EXCEPTION_RIGHTS.bits(), 0x80C2);
    }
}
