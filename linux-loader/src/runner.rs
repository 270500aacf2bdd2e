//! Runs a prepared process's first thread on a host thread.

use kernel_hal::HalRef;
use zircon_object::task::Job;
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
    }
}

/// Loads `image` as a new process in a fresh root job and runs it to
/// completion; returns its return code.
pub fn run_program(name: &str, image: &[u8], args: &[String]) -> Result<i64, LoadError> {
    let hal = kernel_hal_unix::global_hal();
    kernel_hal_unix::set_syscall_handler(handler);
    let job = Job::root();
    let loader = Loader::new(hal as HalRef, kernel_hal_unix::syscall_entry_address());
    let p = loader.prepare(&job, name, image, args)?;
    let process = p.process.clone();
    let thread = std::thread::Builder::new()
        .name(format!("{name}:main"))
        .spawn(move || {
            kernel_hal_unix::ensure_alt_stack();
            zircon_syscall::set_current_process(Some(p.process.clone()));
            let exit = kernel_hal_unix::enter_guest(
                p.entry,
                p.stack_top,
                p.bootstrap as u64,
                p.vdso_base as u64,
            );
            zircon_syscall::set_current_process(None);
            exit
        })
        .map_err(|e| LoadError::BadElf(format!("cannot start a host thread: {e}")))?;
    let exit = thread
        .join()
        .map_err(|_| LoadError::BadElf("guest thread panicked".into()))?
        .map_err(|e| LoadError::BadElf(format!("cannot enter the guest: {e:?}")))?;
    drop(process);
    Ok(match exit {
        kernel_hal_unix::GuestExit::Exited(code) => code,
    })
}
