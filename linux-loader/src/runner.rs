//! Runs processes: every guest thread on a host thread of its own (1:1).

use std::sync::Arc;

use kernel_hal::HalRef;
use zircon_object::object::{signals, KernelObject, Waiter};
use zircon_object::task::{Job, Process, Thread};
use zircon_object::{ZxError, ZxResult};
use zircon_syscall::Outcome;

use crate::{LoadError, Loader};

/// The HAL-level syscall handler: runs the dispatcher and tells the HAL
/// when the thread must leave guest mode.
fn handler(num: u32, args: [u64; 6], guest_rsp: usize) -> u64 {
    match zircon_syscall::dispatch(num, args, guest_rsp) {
        Outcome::Return(v) => v,
        Outcome::Exit(code) => {
            kernel_hal_unix::request_exit(code);
            0
        }
        Outcome::ExitThread => {
            kernel_hal_unix::request_exit(0);
            0
        }
    }
}

/// Starts `thread` of `process` on a new host thread; when the guest thread
/// leaves guest mode (it exited, or its process did) the thread is marked
/// dead, which ends the process once no thread is left.
fn spawn(
    process: Arc<Process>,
    thread: Arc<Thread>,
    entry: usize,
    stack: usize,
    arg1: u64,
    arg2: u64,
) -> ZxResult {
    let name = format!("{}:{}", process.base().name(), thread.base().name());
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            zircon_syscall::set_current(Some(process), Some(thread.clone()));
            let tid = kernel_hal_unix::prepare_guest_thread();
            thread.set_kicker(Box::new(move || kernel_hal_unix::kick(tid)));
            // A kill that came before the kicker was set must still stop us.
            if thread.state() != zircon_object::task::ThreadState::Dead {
                let _ = kernel_hal_unix::enter_guest(entry, stack, arg1, arg2);
            }
            thread.clear_kicker();
            zircon_syscall::set_current(None, None);
            thread.exit();
        })
        .map(drop)
        .map_err(|_| ZxError::NO_RESOURCES)
}

/// Installs the emulator's entry points into the HAL (idempotent).
pub fn install() {
    kernel_hal_unix::set_syscall_handler(handler);
    zircon_syscall::set_thread_spawner(spawn);
    zircon_syscall::set_fs_setter(kernel_hal_unix::set_guest_fs);
}

/// Loads `image` as a new process in a fresh root job and starts its first
/// thread; returns the running process (wait for `ZX_TASK_TERMINATED` on it,
/// or use [`run_program`]).
pub fn start_program(
    name: &str,
    image: &[u8],
    args: &[String],
) -> Result<Arc<Process>, LoadError> {
    let hal = kernel_hal_unix::global_hal();
    install();
    let job = Job::root();
    let loader = Loader::new(hal as HalRef, kernel_hal_unix::syscall_entry_address());
    // The guest sees the runner's environment, as a Fuchsia launcher passes
    // its own on.
    let environ: Vec<String> = std::env::vars_os()
        .filter_map(|(k, v)| {
            Some(format!(
                "{}={}",
                k.into_string().ok()?,
                v.into_string().ok()?
            ))
        })
        .collect();
    let p = loader.prepare(&job, name, image, args, &environ)?;
    let process = p.process.clone();
    process.mark_started(zircon_syscall::monotonic_now())?;
    p.thread.start()?;
    spawn(
        p.process,
        p.thread,
        p.entry,
        p.stack_top,
        p.bootstrap as u64,
        p.vdso_base as u64,
    )?;
    Ok(process)
}

/// Blocks until `process` has terminated; returns its return code.
pub fn wait_for_exit(process: &Arc<Process>) -> i64 {
    let waiter = Waiter::new();
    while process.base().add_waiter(&waiter) & signals::TASK_TERMINATED == 0 {
        waiter.sleep(None);
    }
    process.base().remove_waiter(&waiter);
    process.state().return_code
}

/// Loads `image` as a new process in a fresh root job, runs it until it
/// ends (its last thread exits, or a thread calls `zx_process_exit`) and
/// returns its return code.
pub fn run_program(name: &str, image: &[u8], args: &[String]) -> Result<i64, LoadError> {
    let process = start_program(name, image, args)?;
    Ok(wait_for_exit(&process))
}
