//! Runs processes: every guest thread on a host thread of its own (1:1;
//! host threads are reused, see `host_threads`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use kernel_hal::{
    CpuException, ExceptionKind, GeneralRegs, HalRef, PageFaultAccess, ThreadContext,
};
use kernel_hal_unix::GuestExit;
use zircon_object::object::{signals, KernelObject, Waiter};
use zircon_object::task::exception::TASK_RETCODE_EXCEPTION_KILL;
use zircon_object::task::runtime::{Reading, Runtime};
use zircon_object::task::{ExceptionOutcome, ExceptionReport, Job, Process, Thread};
use zircon_object::{ZxError, ZxResult};
use zircon_syscall::{Outcome, ThreadStart};

use crate::host_threads::{self, HostThread};
use crate::{LoadError, Loader};

/// The runner's services to the syscall layer: host threads from
/// [`host_threads`], the FS base through `kernel-hal-unix`.
struct RunnerHost;

impl zircon_syscall::Host for RunnerHost {
    fn spawn_thread(
        &self,
        process: Arc<Process>,
        thread: Arc<Thread>,
        start: ThreadStart,
    ) -> ZxResult {
        spawn(process, thread, start)
    }

    fn set_current_fs(&self, value: u64) -> bool {
        kernel_hal_unix::set_guest_fs(value)
    }

    fn current_fpu(&self) -> kernel_hal::FpuState {
        kernel_hal_unix::saved_fpu_state()
    }

    fn syscall_regs(&self, args: [u64; 6], result: u64) -> Option<GeneralRegs> {
        kernel_hal_unix::syscall_regs(args, result)
    }

    fn unhandled_exception(&self, process: &Process, thread: &Thread, what: &str) {
        if !QUIET.load(Ordering::Relaxed) {
            eprintln!(
                "linux-loader: process '{}' ({}): {what}, in thread '{}' ({}); no handler: process killed (ZX_TASK_RETCODE_EXCEPTION_KILL)",
                process.base().name(),
                process.koid(),
                thread.base().name(),
                thread.koid(),
            );
        }
    }
}

/// The HAL-level syscall handler: runs the dispatcher and tells the HAL
/// when the thread must leave guest mode.
fn handler(num: u32, args: [u64; 6], guest_rsp: usize) -> u64 {
    match zircon_syscall::dispatch(&RunnerHost, num, args, guest_rsp) {
        Outcome::Return(v) => v,
        Outcome::Exit(code) => {
            kernel_hal_unix::request_exit(code);
            0
        }
        Outcome::ExitThread | Outcome::Resume => {
            // (For `Resume`, run_thread finds the context to go on with.)
            kernel_hal_unix::request_exit(0);
            0
        }
    }
}

/// Starts `thread` of `process` on a host thread of its own (a waiting one
/// of [`host_threads`], or a new one); when the guest thread leaves guest
/// mode (it exited, or its process did) the thread is marked dead, which
/// ends the process once no thread is left.
fn spawn(process: Arc<Process>, thread: Arc<Thread>, start: ThreadStart) -> ZxResult {
    let started = std::time::Instant::now();
    host_threads::run(Box::new(move |host: &HostThread| {
        // Ready since the start call, running from here: that wait is
        // queue time too.
        let first_wait = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        kernel_hal_unix::set_host_thread_name(&format!(
            "{}:{}",
            process.base().name(),
            thread.base().name()
        ));
        zircon_syscall::set_current(Some(process.clone()), Some(thread.clone()));
        kernel_hal_unix::begin_guest_thread();
        kernel_hal_unix::bind_thread_window(process.root_vmar().aspace().window().0);
        let tid = host.tid;
        thread.set_kicker(Box::new(move || kernel_hal_unix::kick(tid)));
        // The host thread may have run guest threads before: this one's
        // time is what it uses from here.
        let stats = host.sched_stats.clone();
        let base = host_thread_reading(tid, stats.as_deref()).runtime;
        thread.set_runtime_probe(Box::new(move || {
            let mut r = host_thread_reading(tid, stats.as_deref());
            r.runtime.cpu = r.runtime.cpu.saturating_sub(base.cpu);
            r.runtime.queue = r
                .runtime
                .queue
                .saturating_sub(base.queue)
                .saturating_add(first_wait);
            r
        }));
        // A kill that came before the kicker was set must still stop us.
        if thread.state() != zircon_object::task::ThreadState::Dead {
            run_thread(&process, &thread, start);
        }
        host.retiring();
        thread.clear_kicker();
        thread.finish_runtime();
        zircon_syscall::set_current(None, None);
        thread.exit();
    }))
    .map_err(|_| ZxError::NO_RESOURCES)
}

/// What host thread `tid` has used since it began: CPU and run-queue time
/// from the scheduler's statistics (its open `sched_stats`; the per-thread
/// CPU clock when there are none), and the CPU it last ran on.
fn host_thread_reading(tid: i32, sched_stats: Option<&std::fs::File>) -> Reading {
    let (cpu, queue) = sched_stats
        .and_then(kernel_hal_unix::read_thread_sched_times_ns)
        .or_else(|| kernel_hal_unix::thread_cpu_time_ns(tid).map(|c| (c, 0)))
        .unwrap_or_default();
    Reading {
        runtime: Runtime { cpu, queue },
        last_cpu: kernel_hal_unix::thread_last_cpu(tid),
    }
}

/// Runs a guest thread until it leaves guest code for good: exceptions go
/// to the thread's handlers, which may resume it; an exception nobody
/// handles kills the process with `ZX_TASK_RETCODE_EXCEPTION_KILL` after
/// one line on standard error.
fn run_thread(process: &Arc<Process>, thread: &Arc<Thread>, start: ThreadStart) {
    let ThreadStart {
        entry,
        stack,
        arg1,
        arg2,
    } = start;
    // Debuggers see the thread (and the process) start, and may change the
    // initial registers.
    let initial = GeneralRegs {
        rip: entry as u64,
        rsp: stack as u64,
        rdi: arg1,
        rsi: arg2,
        rflags: 0x202,
        ..GeneralRegs::default()
    };
    let initial = ThreadContext {
        regs: initial,
        fpu: kernel_hal_unix::saved_fpu_state(),
    };
    let ExceptionOutcome::Resume(ctx) = thread.announce_start(initial.clone()) else {
        return;
    };
    // A thread started while suspended stops before its first instruction.
    let Some(ctx) = thread.suspend_point(ctx) else {
        return;
    };
    let mut exit = if ctx == initial {
        // A start outside guest memory (accepted, as on Zircon) goes the
        // resume way, which turns an entry nothing maps into a page fault.
        match kernel_hal_unix::enter_guest(entry, stack, arg1, arg2) {
            Err(kernel_hal_unix::EnterError::NotGuestMemory) => resume(&ctx),
            other => other,
        }
    } else {
        resume(&ctx)
    };
    loop {
        let (cpu, regs) = match exit {
            Ok(GuestExit::Exception(cpu, regs)) => (cpu, regs),
            Ok(GuestExit::Interrupted(regs)) => {
                // Kicked: killed, or suspended (which parks here).
                if thread.is_dead() {
                    return;
                }
                let ctx = ThreadContext {
                    regs,
                    fpu: kernel_hal_unix::saved_fpu_state(),
                };
                let Some(ctx) = thread.suspend_point(ctx) else {
                    return;
                };
                exit = resume(&ctx);
                continue;
            }
            Ok(GuestExit::Exited(_)) => match zircon_syscall::take_resume_context() {
                // A debugger changed the registers of a thread suspended in
                // a syscall: it goes on from there.
                Some(ctx) => {
                    exit = resume(&ctx);
                    continue;
                }
                None => break,
            },
            Err(_) => break,
        };
        let cpu = match cpu.kind {
            ExceptionKind::PageFault {
                addr,
                access,
                error: kernel_hal::FaultError::ShouldWait,
            } => {
                // A page a user pager has not supplied: wait for it here,
                // on the host stack with no lock held (never in the signal
                // handler), then retry the access (DESIGN decision 27).
                match process.root_vmar().aspace().wait_for_fault(addr, access) {
                    Ok(()) => {
                        exit = resume(&ThreadContext {
                            regs,
                            fpu: kernel_hal_unix::saved_fpu_state(),
                        });
                        continue;
                    }
                    Err(ZxError::INTERNAL_INTR_KILLED) => return,
                    Err(ZxError::INTERNAL_INTR_RETRY) => {
                        // Suspended while waiting: park at the faulting
                        // instruction, which faults (and waits) again.
                        let ctx = ThreadContext {
                            regs,
                            fpu: kernel_hal_unix::saved_fpu_state(),
                        };
                        let Some(ctx) = thread.suspend_point(ctx) else {
                            return;
                        };
                        exit = resume(&ctx);
                        continue;
                    }
                    Err(e) => CpuException {
                        kind: ExceptionKind::PageFault {
                            addr,
                            access,
                            error: e.into(),
                        },
                        ..cpu
                    },
                }
            }
            _ => cpu,
        };
        crate::trace::exception(process, thread, &cpu, &regs);
        let report = ExceptionReport::from_cpu(&cpu);
        let ctx = ThreadContext {
            regs,
            fpu: kernel_hal_unix::saved_fpu_state(),
        };
        match thread.handle_exception(report, ctx) {
            ExceptionOutcome::Resume(mut ctx) => {
                if let ExceptionKind::BadSyscall { .. } = cpu.kind {
                    // The refused syscall returns, as on Zircon.
                    ctx.regs.rax = ZxError::BAD_SYSCALL as i32 as i64 as u64;
                }
                // Suspended meanwhile: it stops as the exception ends.
                let Some(ctx) = thread.suspend_point(ctx) else {
                    return;
                };
                exit = resume(&ctx);
            }
            ExceptionOutcome::ThreadExit | ExceptionOutcome::Killed => return,
            ExceptionOutcome::Unhandled { .. } => {
                // One line per process, even when threads fault at once:
                // the first to take the lock kills the process, the others
                // find it exited.
                static FATAL: Mutex<()> = Mutex::new(());
                let _one = FATAL.lock().unwrap_or_else(|e| e.into_inner());
                if !process.is_exited() {
                    if !QUIET.load(Ordering::Relaxed) {
                        eprintln!(
                            "linux-loader: {}",
                            describe_fatal(process, thread, &cpu, &regs)
                        );
                    }
                    process.exit(TASK_RETCODE_EXCEPTION_KILL);
                }
                return;
            }
        }
    }
    // A thread that leaves on its own is announced to debuggers.
    thread.announce_exit(kernel_hal_unix::saved_fpu_state());
}

/// Continues guest code from a context a handler may have edited.
fn resume(ctx: &ThreadContext) -> Result<GuestExit, kernel_hal_unix::EnterError> {
    // The HAL refuses an FPU state it could not load (it was validated when
    // written, so this keeps the state the thread stopped with).
    let _ = kernel_hal_unix::set_saved_fpu_state(&ctx.fpu);
    kernel_hal_unix::resume_after_exception(&ctx.regs)
}

/// One line about an exception that kills a process: what, where, which
/// thread.
pub fn describe_fatal(
    process: &Process,
    thread: &Thread,
    cpu: &CpuException,
    regs: &GeneralRegs,
) -> String {
    let what = match cpu.kind {
        ExceptionKind::PageFault {
            addr,
            access,
            error,
        } => {
            let access = match access {
                PageFaultAccess::Read => "reading",
                PageFaultAccess::Write => "writing",
                PageFaultAccess::Execute => "executing",
            };
            format!(
                "fatal page fault ({}) {access} {addr:#x}",
                ZxError::from(error).name()
            )
        }
        ExceptionKind::UndefinedInstruction => "undefined instruction".to_string(),
        ExceptionKind::SoftwareBreakpoint => "software breakpoint".to_string(),
        ExceptionKind::HardwareBreakpoint => "hardware breakpoint".to_string(),
        ExceptionKind::General => format!("general fault (x86 vector {})", cpu.vector),
        ExceptionKind::UnalignedAccess => "alignment fault".to_string(),
        ExceptionKind::BadSyscall { number } => {
            format!("policy error: raw syscall {number} outside the vDSO (bad syscall)")
        }
    };
    format!(
        "process '{}' ({}): {what}, pc {:#x}, sp {:#x}, in thread '{}' ({}); no handler: process killed (ZX_TASK_RETCODE_EXCEPTION_KILL)",
        process.base().name(),
        process.koid(),
        regs.rip,
        regs.rsp,
        thread.base().name(),
        thread.koid(),
    )
}

/// Whether the one-line reports about killed guest processes are left out
/// (`--quiet`).
static QUIET: AtomicBool = AtomicBool::new(false);

/// Leaves out (or prints again) the line about a guest process killed by
/// an unhandled exception.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The runner's environment as the guest gets it: every variable, as
/// bytes (`KEY=VALUE`), non-UTF-8 ones too.
pub fn host_environ() -> Vec<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    std::env::vars_os()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect()
}

/// Installs the emulator's entry points into the HAL (idempotent).
pub fn install() {
    kernel_hal_unix::set_syscall_handler(handler);
}

/// Loads `image` as a new process in a fresh root job and starts its first
/// thread; returns the running process (wait for `ZX_TASK_TERMINATED` on it,
/// or use [`run_program`]).
pub fn start_program<A: AsRef<[u8]>>(
    name: &str,
    image: &[u8],
    args: &[A],
) -> Result<Arc<Process>, LoadError> {
    // The guest sees the runner's environment, as a Fuchsia launcher passes
    // its own on.
    start_program_with_env(name, image, args, &host_environ())
}

/// [`start_program`] with the environment `environ` (`KEY=VALUE` strings).
pub fn start_program_with_env<A: AsRef<[u8]>, E: AsRef<[u8]>>(
    name: &str,
    image: &[u8],
    args: &[A],
    environ: &[E],
) -> Result<Arc<Process>, LoadError> {
    let hal = kernel_hal_unix::try_global_hal().map_err(LoadError::NoFrameFile)?;
    install();
    let job = Job::root();
    let loader = Loader::new(hal as HalRef, kernel_hal_unix::syscall_entry_address());
    let p = loader.prepare(&job, name, image, args, environ)?;
    let process = p.process.clone();
    process.mark_started(zircon_syscall::monotonic_now())?;
    p.thread.start()?;
    let start = ThreadStart {
        entry: p.entry,
        stack: p.stack_top,
        arg1: p.bootstrap as u64,
        arg2: p.vdso_base as u64,
    };
    spawn(p.process, p.thread, start)?;
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
pub fn run_program<A: AsRef<[u8]>>(name: &str, image: &[u8], args: &[A]) -> Result<i64, LoadError> {
    let process = start_program(name, image, args)?;
    Ok(wait_for_exit(&process))
}
