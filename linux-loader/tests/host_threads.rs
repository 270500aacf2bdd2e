//! The host-thread pool guest threads run on (`linux_loader::host_threads`):
//! a finished host thread takes the next job, jobs that run at the same
//! time never share one, and idle host threads end after their lifetime.
//! One test function, so nothing else in this process uses the pool
//! meanwhile.

use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant};

use linux_loader::host_threads::{run, HostThread};

fn host_threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn host_threads_are_reused_never_shared_and_end_when_idle() {
    let before = host_threads();
    // Four jobs at once: four host threads.
    let barrier = Arc::new(Barrier::new(4));
    let (tx, rx) = mpsc::channel();
    for _ in 0..4 {
        let (b, tx) = (barrier.clone(), tx.clone());
        run(Box::new(move |h: &HostThread| {
            b.wait();
            tx.send(h.tid).unwrap();
        }))
        .unwrap();
    }
    let mut tids: Vec<i32> = (0..4).map(|_| rx.recv().unwrap()).collect();
    tids.sort();
    tids.dedup();
    assert_eq!(tids.len(), 4, "concurrent jobs shared a host thread");
    // Once they are parked, the next jobs (one at a time) reuse them: no new
    // host thread appears.
    std::thread::sleep(Duration::from_millis(50));
    let parked = host_threads();
    assert_eq!(parked, before + 4);
    for _ in 0..20 {
        let tx = tx.clone();
        run(Box::new(move |h: &HostThread| tx.send(h.tid).unwrap())).unwrap();
        let tid = rx.recv().unwrap();
        assert!(tids.contains(&tid), "job ran on a new host thread {tid}");
    }
    assert_eq!(host_threads(), parked);
    // Each has its scheduler statistics open (this kernel keeps them).
    let (stx, srx) = mpsc::channel();
    run(Box::new(move |h: &HostThread| {
        let times = h
            .sched_stats
            .as_deref()
            .and_then(kernel_hal_unix::read_thread_sched_times_ns);
        stx.send(times).unwrap()
    }))
    .unwrap();
    let stats = srx.recv().unwrap();
    if std::path::Path::new("/proc/self/schedstat").exists() {
        assert!(stats.is_some_and(|(cpu, _)| cpu > 0));
    }
    // Idle ones end after their lifetime.
    let deadline = Instant::now() + Duration::from_secs(10);
    while host_threads() > before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(host_threads(), before, "idle host threads did not end");
}
