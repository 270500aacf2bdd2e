//! The Zircon syscall layer: from a syscall number and raw registers to
//! typed object calls and a `zx_status_t`.
//!
//! Every handler follows the same shape (Zircon's `lib/syscalls/*.cc`):
//! decode raw `u64`s into typed values and user pointers, look handles up
//! *with the rights the call needs* (type checked before rights), call the
//! object, copy results out through the process's fallible user-copy
//! routines, and undo what was done if a later step fails. Only
//! [`dispatch`] turns a [`ZxResult`] into a raw status.
//!
//! The syscall numbers come from `sdk/vdso/syscalls.list`, the one table the
//! vDSO is generated from too ([`numbers`]). Handlers live one file per
//! object family.
#![deny(unsafe_code)]
#![warn(missing_docs)]

use std::cell::RefCell;
use std::sync::Arc;

use zircon_object::task::{Process, Thread};
use zircon_object::{ZxError, ZxResult};

mod channel;
mod exception;
mod handle;
mod misc;
mod object;
mod port;
mod signal;
mod task;
mod thread;
mod user;
mod vmar;
mod vmo;

pub use misc::{monotonic_now, set_debug_sink};
pub use thread::{set_fs_setter, set_thread_spawner, FsSetter, ThreadSpawner};
pub use user::{UserInPtr, UserOutPtr};

/// Syscall numbers generated from `sdk/vdso/syscalls.list`.
pub mod numbers {
    include!(concat!(env!("OUT_DIR"), "/numbers.rs"));
}

/// Who the current host thread runs guest code for.
type Current = Option<(Arc<Process>, Option<Arc<Thread>>)>;

thread_local! {
    static CURRENT: RefCell<Current> = const { RefCell::new(None) };
}

/// Sets the process (and thread) the current host thread runs guest code
/// for.
pub fn set_current(process: Option<Arc<Process>>, thread: Option<Arc<Thread>>) {
    CURRENT.with(|c| *c.borrow_mut() = process.map(|p| (p, thread)));
}

/// Sets the process the current host thread runs guest code for.
pub fn set_current_process(process: Option<Arc<Process>>) {
    set_current(process, None);
}

/// Returns the process the current host thread runs guest code for.
pub fn current_process() -> Option<Arc<Process>> {
    CURRENT.with(|c| c.borrow().as_ref().map(|(p, _)| p.clone()))
}

/// Returns the thread the current host thread runs guest code for.
pub fn current_thread() -> Option<Arc<Thread>> {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|(_, t)| t.clone()))
}

fn current_thread_dead() -> bool {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|(_, t)| t.as_ref())
            .is_some_and(|t| t.is_dead())
    })
}

/// What the caller of [`dispatch`] must do after a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Return this value to the guest in `rax`.
    Return(u64),
    /// The calling thread must stop running guest code (the process exited
    /// with this code).
    Exit(i64),
    /// The calling thread must stop running guest code (it exited, or its
    /// process is gone); the process goes on.
    ExitThread,
}

/// The state a handler works with: the calling process and the raw
/// arguments.
pub(crate) struct Syscall {
    pub process: Arc<Process>,
    pub args: [u64; 8],
    pub exit: Option<i64>,
    pub exit_thread: bool,
}

impl Syscall {
    /// Returns a user pointer for argument `i`.
    pub fn in_ptr<T: Copy + Default>(&self, i: usize) -> UserInPtr<T> {
        UserInPtr::new(self.args[i] as usize)
    }

    /// Returns a user out-pointer for argument `i`.
    pub fn out_ptr<T: Copy>(&self, i: usize) -> UserOutPtr<T> {
        UserOutPtr::new(self.args[i] as usize)
    }

    /// Adds handles to the two ends of a new pair and copies their values
    /// out; if a copy fails, both handles go again.
    pub fn add_pair(
        &self,
        a: Arc<dyn zircon_object::object::KernelObject>,
        b: Arc<dyn zircon_object::object::KernelObject>,
        rights: zircon_object::Rights,
        out0: UserOutPtr<u32>,
        out1: UserOutPtr<u32>,
    ) -> ZxResult {
        let h0 = self.process.add_handle(a, rights);
        let h1 = self.process.add_handle(b, rights);
        let r = out0
            .write(self.aspace(), h0)
            .and_then(|()| out1.write(self.aspace(), h1));
        if r.is_err() {
            let mut t = self.process.handles();
            let _ = t.remove(h0);
            let _ = t.remove(h1);
        }
        r
    }

    /// Adds a handle to `object` with `rights` and copies its value out;
    /// if the copy fails, the handle goes again.
    pub fn add_handle_out(
        &self,
        object: Arc<dyn zircon_object::object::KernelObject>,
        rights: zircon_object::Rights,
        out: UserOutPtr<u32>,
    ) -> ZxResult {
        let value = self.process.add_handle(object, rights);
        if let Err(e) = out.write(self.aspace(), value) {
            let _ = self.process.handles().remove(value);
            return Err(e);
        }
        Ok(())
    }

    pub fn aspace(&self) -> &Arc<zircon_object::vm::AddressSpace> {
        self.process.root_vmar().aspace()
    }
}

/// Runs syscall `num` with register arguments `regs`; `guest_rsp` is the
/// guest's stack pointer at the call, from which arguments 7 and 8 are read.
pub fn dispatch(num: u32, regs: [u64; 6], guest_rsp: usize) -> Outcome {
    let Some(process) = current_process() else {
        return Outcome::Return(ZxError::BAD_STATE as i32 as i64 as u64);
    };
    if process.is_exited() || current_thread_dead() {
        // The process or the thread was killed under this host thread: it
        // leaves at its next call.
        return Outcome::ExitThread;
    }
    let mut args = [0u64; 8];
    args[..6].copy_from_slice(&regs);
    let mut sys = Syscall {
        process,
        args,
        exit: None,
        exit_thread: false,
    };
    if takes_stack_args(num) {
        let mut buf = [0u8; 16];
        if sys
            .aspace()
            .copy_from_user(guest_rsp + 8, &mut buf)
            .is_err()
        {
            return Outcome::Return(ZxError::INVALID_ARGS as i32 as i64 as u64);
        }
        sys.args[6] = u64::from_le_bytes(buf[..8].try_into().unwrap());
        sys.args[7] = u64::from_le_bytes(buf[8..].try_into().unwrap());
    }
    let result = run(&mut sys, num);
    if let Some(code) = sys.exit {
        return Outcome::Exit(code);
    }
    if sys.exit_thread || current_thread_dead() {
        return Outcome::ExitThread;
    }
    Outcome::Return(match result {
        Ok(v) => v,
        Err(e) => e as i32 as i64 as u64,
    })
}

fn takes_stack_args(num: u32) -> bool {
    use numbers::*;
    matches!(num, VMAR_MAP | CHANNEL_READ)
}

fn run(sys: &mut Syscall, num: u32) -> ZxResult<u64> {
    use numbers::*;
    let a = sys.args;
    let r = match num {
        HANDLE_CLOSE => sys.handle_close(a[0] as u32),
        HANDLE_CLOSE_MANY => sys.handle_close_many(sys.in_ptr(1).with_addr(a[0]), a[1] as usize),
        HANDLE_DUPLICATE => sys.handle_duplicate(a[0] as u32, a[1] as u32, sys.out_ptr(2)),
        HANDLE_REPLACE => sys.handle_replace(a[0] as u32, a[1] as u32, sys.out_ptr(2)),
        OBJECT_GET_INFO => sys.object_get_info(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as usize,
            sys.out_ptr(4),
            sys.out_ptr(5),
        ),
        OBJECT_GET_PROPERTY => {
            sys.object_get_property(a[0] as u32, a[1] as u32, a[2] as usize, a[3] as usize)
        }
        OBJECT_SET_PROPERTY => {
            sys.object_set_property(a[0] as u32, a[1] as u32, a[2] as usize, a[3] as usize)
        }
        VMAR_ALLOCATE => sys.vmar_allocate(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as usize,
            sys.out_ptr(4),
            sys.out_ptr(5),
        ),
        VMAR_MAP => sys.vmar_map(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as u32,
            a[4],
            a[5] as usize,
            sys.out_ptr(6),
        ),
        VMAR_UNMAP => sys.vmar_unmap(a[0] as u32, a[1] as usize, a[2] as usize),
        VMAR_PROTECT => sys.vmar_protect(a[0] as u32, a[1] as u32, a[2] as usize, a[3] as usize),
        VMAR_DESTROY => sys.vmar_destroy(a[0] as u32),
        VMAR_OP_RANGE => sys.vmar_op_range(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as usize,
            a[4] as usize,
            a[5] as usize,
        ),
        VMO_CREATE => sys.vmo_create(a[0], a[1] as u32, sys.out_ptr(2)),
        VMO_READ => sys.vmo_read(a[0] as u32, a[1] as usize, a[2], a[3] as usize),
        VMO_WRITE => sys.vmo_write(a[0] as u32, a[1] as usize, a[2], a[3] as usize),
        VMO_GET_SIZE => sys.vmo_get_size(a[0] as u32, sys.out_ptr(1)),
        VMO_SET_SIZE => sys.vmo_set_size(a[0] as u32, a[1]),
        VMO_OP_RANGE => sys.vmo_op_range(
            a[0] as u32,
            a[1] as u32,
            a[2],
            a[3],
            a[4] as usize,
            a[5] as usize,
        ),
        VMO_CREATE_CHILD => {
            sys.vmo_create_child(a[0] as u32, a[1] as u32, a[2], a[3], sys.out_ptr(4))
        }
        VMO_REPLACE_AS_EXECUTABLE => {
            sys.vmo_replace_as_executable(a[0] as u32, a[1] as u32, sys.out_ptr(2))
        }
        VMO_SET_CACHE_POLICY => sys.vmo_set_cache_policy(a[0] as u32, a[1] as u32),
        PROCESS_CREATE => sys.process_create(
            a[0] as u32,
            a[1] as usize,
            a[2] as usize,
            a[3] as u32,
            sys.out_ptr(4),
            sys.out_ptr(5),
        ),
        PROCESS_READ_MEMORY => sys.process_read_memory(
            a[0] as u32,
            a[1] as usize,
            a[2] as usize,
            a[3] as usize,
            sys.out_ptr(4),
        ),
        PROCESS_WRITE_MEMORY => sys.process_write_memory(
            a[0] as u32,
            a[1] as usize,
            a[2] as usize,
            a[3] as usize,
            sys.out_ptr(4),
        ),
        PROCESS_EXIT => {
            sys.process_exit(a[0] as i64);
            return Ok(0);
        }
        DEBUG_WRITE => sys.debug_write(a[0] as usize, a[1] as usize),
        CLOCK_GET_MONOTONIC => return Ok(misc::monotonic_now() as u64),
        TICKS_GET => return Ok(misc::monotonic_now() as u64),
        NANOSLEEP => sys.nanosleep(a[0] as i64),
        DEADLINE_AFTER => return Ok(misc::deadline_after(a[0] as i64) as u64),
        SYSTEM_GET_NUM_CPUS => return Ok(misc::num_cpus() as u64),
        CHANNEL_CREATE => sys.channel_create(a[0] as u32, sys.out_ptr(1), sys.out_ptr(2)),
        CHANNEL_READ => sys.channel_read(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as usize,
            a[4] as u32,
            a[5] as u32,
            sys.out_ptr(6),
            sys.out_ptr(7),
        ),
        CHANNEL_WRITE => sys.channel_write(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as u32,
            a[4] as usize,
            a[5] as u32,
        ),
        CHANNEL_CALL => sys.channel_call(
            a[0] as u32,
            a[1] as u32,
            a[2] as i64,
            a[3] as usize,
            sys.out_ptr(4),
            sys.out_ptr(5),
        ),
        PORT_CREATE => sys.port_create(a[0] as u32, sys.out_ptr(1)),
        PORT_QUEUE => sys.port_queue(a[0] as u32, a[1] as usize),
        PORT_WAIT => sys.port_wait(a[0] as u32, a[1] as i64, a[2] as usize),
        OBJECT_WAIT_ASYNC => {
            sys.object_wait_async(a[0] as u32, a[1] as u32, a[2], a[3] as u32, a[4] as u32)
        }
        OBJECT_SIGNAL => sys.object_signal(a[0] as u32, a[1] as u32, a[2] as u32),
        OBJECT_SIGNAL_PEER => sys.object_signal_peer(a[0] as u32, a[1] as u32, a[2] as u32),
        OBJECT_WAIT_ONE => {
            sys.object_wait_one(a[0] as u32, a[1] as u32, a[2] as i64, sys.out_ptr(3))
        }
        OBJECT_WAIT_MANY => sys.object_wait_many(a[0] as usize, a[1] as usize, a[2] as i64),
        EVENT_CREATE => sys.event_create(a[0] as u32, sys.out_ptr(1)),
        EVENTPAIR_CREATE => sys.eventpair_create(a[0] as u32, sys.out_ptr(1), sys.out_ptr(2)),
        THREAD_CREATE => sys.thread_create(
            a[0] as u32,
            a[1] as usize,
            a[2] as usize,
            a[3] as u32,
            sys.out_ptr(4),
        ),
        THREAD_START => sys.thread_start(a[0] as u32, a[1] as usize, a[2] as usize, a[3], a[4]),
        PROCESS_START => sys.process_start(
            a[0] as u32,
            a[1] as u32,
            a[2] as usize,
            a[3] as usize,
            a[4] as u32,
            a[5],
        ),
        TASK_KILL => sys.task_kill(a[0] as u32),
        JOB_CREATE => sys.job_create(a[0] as u32, a[1] as u32, sys.out_ptr(2)),
        TASK_CREATE_EXCEPTION_CHANNEL => {
            sys.task_create_exception_channel(a[0] as u32, a[1] as u32, sys.out_ptr(2))
        }
        EXCEPTION_GET_THREAD => sys.exception_get_thread(a[0] as u32, sys.out_ptr(1)),
        EXCEPTION_GET_PROCESS => sys.exception_get_process(a[0] as u32, sys.out_ptr(1)),
        THREAD_READ_STATE => {
            sys.thread_read_state(a[0] as u32, a[1] as u32, a[2] as usize, a[3] as usize)
        }
        THREAD_WRITE_STATE => {
            sys.thread_write_state(a[0] as u32, a[1] as u32, a[2] as usize, a[3] as usize)
        }
        THREAD_EXIT => {
            sys.exit_thread = true;
            return Ok(0);
        }
        FUTEX_WAIT => sys.futex_wait(a[0] as usize, a[1] as i32, a[2] as u32, a[3] as i64),
        FUTEX_REQUEUE => sys.futex_requeue(
            a[0] as usize,
            a[1] as u32,
            a[2] as i32,
            a[3] as usize,
            a[4] as u32,
            a[5] as u32,
        ),
        FUTEX_WAKE => sys.futex_wake(a[0] as usize, a[1] as u32),
        _ => Err(ZxError::BAD_SYSCALL),
    };
    r.map(|()| 0)
}
