//! What the syscall layer needs from the program that embeds it, as one
//! trait: host threads for guest threads, and the calling guest thread's FS
//! base. The runner (`linux-loader`) implements it over `kernel-hal-unix`;
//! unit tests use a fake that records what was asked. It is passed to
//! [`dispatch`](crate::dispatch) with every call, so nothing is registered
//! process-wide and a forgotten registration cannot exist.

use std::sync::Arc;

use zircon_object::task::{Process, Thread};
use zircon_object::ZxResult;

/// Where a new guest thread starts: `rip`, `rsp`, `rdi` and `rsi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadStart {
    /// The entry point.
    pub entry: usize,
    /// The initial stack pointer.
    pub stack: usize,
    /// The first argument (`rdi`).
    pub arg1: u64,
    /// The second argument (`rsi`).
    pub arg2: u64,
}

/// The embedder's services to the syscall layer.
pub trait Host: Sync {
    /// Runs guest code for `thread` of `process` on a new host thread from
    /// `start`; the thread is already marked started. An error (the host
    /// could not make a thread) is returned to the guest.
    fn spawn_thread(
        &self,
        process: Arc<Process>,
        thread: Arc<Thread>,
        start: ThreadStart,
    ) -> ZxResult;

    /// Sets the FS base the calling guest thread resumes with
    /// (`ZX_PROP_REGISTER_FS`); false if the calling host thread runs no
    /// guest code.
    fn set_current_fs(&self, value: u64) -> bool;

    /// The calling guest thread's FPU state, for an exception a syscall
    /// raises (a debugger may read it). The default is an empty state.
    fn current_fpu(&self) -> kernel_hal::FpuState {
        kernel_hal::FpuState {
            image: Vec::new(),
            mask: 0,
        }
    }

    /// The calling guest thread's registers while it is stopped inside a
    /// syscall with arguments `args` that returns `result` (Zircon's x86-64
    /// syscall convention: `rax` the result, `rdi`, `rsi`, `rdx`, `r10`,
    /// `r8`, `r9` the arguments), its callee-saved registers and FS base
    /// as the guest had them; `rsp` pointing at the return address, `rip`
    /// left 0 (the dispatcher reads the return address). `None` if the
    /// host cannot tell (the dispatcher then shows zeros there).
    fn syscall_regs(&self, _args: [u64; 6], _result: u64) -> Option<kernel_hal::GeneralRegs> {
        None
    }

    /// An exception a syscall raised went unhandled and kills `process`:
    /// the embedder may say so (the runner prints one line, as for CPU
    /// exceptions). The default says nothing.
    fn unhandled_exception(&self, _process: &Process, _thread: &Thread, _what: &str) {}
}
