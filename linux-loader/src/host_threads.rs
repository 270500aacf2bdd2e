//! The host threads guest threads run on: one guest thread at a time per
//! host thread (1:1 while it runs), but a host thread whose guest thread
//! has ended waits a moment for the next one instead of ending.
//!
//! Making a host thread is most of what creating a guest thread would
//! cost: the clone, its stack, its alternate signal stack, Syscall User
//! Dispatch, the GS base and the scheduler-statistics file are set up once
//! per host thread here, not once per guest thread. A finished host thread
//! spins for [`SPIN`] (so a program that starts threads back to back hands
//! the next one over without a wake-up), then sleeps; it ends after
//! [`IDLE_LIFETIME`] without work, or at once if [`MAX_IDLE`] others are
//! already waiting, so a burst of threads leaves nothing behind for long.
//!
//! Whoever starts a guest thread takes the most recently parked host
//! thread (the one whose caches are warmest), or makes a new one if none
//! waits. A guest thread's end wakes its joiner before its host thread is
//! back in the pool (the joiner may be starting the next thread while the
//! host thread still does its bookkeeping), so a starter that finds no
//! host thread waiting but one on its way ([`HostThread::retiring`]) waits
//! up to [`RETIRE_WAIT`] for it rather than making another.

use std::cell::Cell;
use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many finished host threads may wait for a guest thread at once.
const MAX_IDLE: usize = 16;
/// How long a finished host thread waits for a guest thread before it ends.
const IDLE_LIFETIME: Duration = Duration::from_secs(1);
/// How long a finished host thread spins before it sleeps.
const SPIN: Duration = Duration::from_micros(50);
/// How long a starter waits for a retiring host thread before it makes a
/// new one.
const RETIRE_WAIT: Duration = Duration::from_micros(30);

/// What a guest thread's job learns about the host thread it runs on.
#[derive(Debug)]
pub struct HostThread {
    /// The host thread's id, for kicks.
    pub tid: i32,
    /// Its scheduler statistics, open for the life of the host thread
    /// (`None` if the kernel keeps none).
    pub sched_stats: Option<Arc<File>>,
    /// Whether this job has said it is retiring.
    retiring: Cell<bool>,
}

impl HostThread {
    /// Says the guest thread has left guest code for good: the host thread
    /// is on its way back to the pool (a starter may wait for it).
    pub fn retiring(&self) {
        if !self.retiring.replace(true) {
            RETIRING.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The job is over: no longer on its way back.
    fn retired(&self) {
        if self.retiring.replace(false) {
            RETIRING.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A guest thread's whole life on a host thread.
pub type Job = Box<dyn FnOnce(&HostThread) + Send>;

/// A host thread waiting for a job.
struct Idle {
    /// The job handed over, once there is one.
    job: Mutex<Option<Job>>,
    /// Set (after `job`) when a job has been handed over.
    handed: AtomicBool,
    /// The waiting host thread, to unpark.
    thread: std::thread::Thread,
}

/// The host threads waiting for work, most recently parked last.
static IDLE: Mutex<Vec<Arc<Idle>>> = Mutex::new(Vec::new());
/// How many are in `IDLE` (read without its lock while a starter waits).
static IDLE_COUNT: AtomicUsize = AtomicUsize::new(0);
/// How many host threads are between [`HostThread::retiring`] and the end
/// of their job.
static RETIRING: AtomicUsize = AtomicUsize::new(0);

fn idle_list() -> std::sync::MutexGuard<'static, Vec<Arc<Idle>>> {
    IDLE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `job` on a waiting host thread, or on a new one if none waits.
pub fn run(job: Job) -> std::io::Result<()> {
    let mut waiting = pop_idle();
    if waiting.is_none() && RETIRING.load(Ordering::SeqCst) > 0 {
        let since = Instant::now();
        while waiting.is_none()
            && RETIRING.load(Ordering::SeqCst) > 0
            && since.elapsed() < RETIRE_WAIT
        {
            std::hint::spin_loop();
            if IDLE_COUNT.load(Ordering::SeqCst) > 0 {
                waiting = pop_idle();
            }
        }
    }
    match waiting {
        Some(idle) => {
            *idle.job.lock().unwrap_or_else(PoisonError::into_inner) = Some(job);
            idle.handed.store(true, Ordering::Release);
            idle.thread.unpark();
            Ok(())
        }
        None => std::thread::Builder::new()
            .name("zx-guest".into())
            .spawn(move || host_thread_main(job))
            .map(drop),
    }
}

/// Takes the most recently parked waiting host thread, if any.
fn pop_idle() -> Option<Arc<Idle>> {
    let mut idle = idle_list();
    let w = idle.pop();
    IDLE_COUNT.store(idle.len(), Ordering::SeqCst);
    w
}

/// A host thread: set up once, then jobs until none comes.
fn host_thread_main(first: Job) {
    let tid = kernel_hal_unix::prepare_guest_thread();
    let host = HostThread {
        tid,
        sched_stats: kernel_hal_unix::open_thread_sched_stats(tid).map(Arc::new),
        retiring: Cell::new(false),
    };
    let me = Arc::new(Idle {
        job: Mutex::new(None),
        handed: AtomicBool::new(false),
        thread: std::thread::current(),
    });
    let mut job = first;
    loop {
        job(&host);
        {
            let mut idle = idle_list();
            if idle.len() >= MAX_IDLE {
                drop(idle);
                host.retired();
                return;
            }
            idle.push(me.clone());
            IDLE_COUNT.store(idle.len(), Ordering::SeqCst);
        }
        host.retired();
        match wait_for_job(&me) {
            Some(next) => job = next,
            None => return,
        }
    }
}

/// Waits (spinning, then asleep) for a job to be handed to `me`; `None`
/// once [`IDLE_LIFETIME`] has passed without one (`me` is then off the
/// idle list).
fn wait_for_job(me: &Arc<Idle>) -> Option<Job> {
    let parked = Instant::now();
    loop {
        if me.handed.swap(false, Ordering::Acquire) {
            let job = me.job.lock().unwrap_or_else(PoisonError::into_inner).take();
            return Some(job.expect("a handed-over job"));
        }
        let waited = parked.elapsed();
        if waited < SPIN {
            std::hint::spin_loop();
            continue;
        }
        if waited < IDLE_LIFETIME {
            std::thread::park_timeout(IDLE_LIFETIME - waited);
            continue;
        }
        // Time to go, unless someone took this thread off the list just
        // now: then its job is on the way.
        let mut idle = idle_list();
        if let Some(i) = idle.iter().position(|w| Arc::ptr_eq(w, me)) {
            idle.remove(i);
            IDLE_COUNT.store(idle.len(), Ordering::SeqCst);
            return None;
        }
        drop(idle);
        while !me.handed.load(Ordering::Acquire) {
            std::thread::park();
        }
    }
}
