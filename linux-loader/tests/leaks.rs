//! Running guests leaks nothing: after whole guest programs (threads, child
//! processes, channels, ports, VMOs, VMARs) have run in this process, the
//! frame pool, the address windows, the host threads and the host mappings
//! are back where they were. The guests run in-process through the
//! runner's library entry point, so the counts are this process's own.

mod common;

use std::path::Path;

fn host_threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Counts host mappings of the frame file inside guest windows: what guest
/// mappings cost the host. (Mappings elsewhere come and go with glibc's
/// thread-stack cache and are no guest's doing.)
fn host_mappings() -> usize {
    let lo = kernel_hal_unix::WINDOW_BASE;
    let hi = lo + kernel_hal_unix::MAX_WINDOWS * kernel_hal_unix::WINDOW_SIZE;
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .filter(|l| l.contains("zircon-frames"))
        .filter(|l| {
            let start = usize::from_str_radix(l.split('-').next().unwrap(), 16).unwrap();
            (lo..hi).contains(&start)
        })
        .count()
}

fn run(elf: &Path) {
    let image = std::fs::read(elf).unwrap();
    let name = elf.file_name().unwrap().to_string_lossy().to_string();
    let code =
        linux_loader::runner::run_program(&name, &image, std::slice::from_ref(&name)).unwrap();
    assert_eq!(code, 0, "{name} failed");
}

/// Waits (bounded) for host threads of finished guest threads to be gone.
fn settle(threads: usize) -> usize {
    for _ in 0..200 {
        if host_threads() <= threads {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    host_threads()
}

#[test]
fn guests_leave_nothing_behind() {
    let guests: Vec<_> = [
        "linux-loader/tests/guests/thread_test.c",
        "linux-loader/tests/guests/channel_test.c",
        "linux-loader/tests/guests/port_test.c",
        "linux-loader/tests/guests/signal_test.c",
        "linux-loader/tests/guests/vmar_test.c",
    ]
    .iter()
    .map(|src| common::build(src, &[]))
    .collect();
    // 64 threads mapping and unmapping, and 1,000 processes, once.
    let stress = common::build("linux-loader/tests/guests/stress_test.c", &[]);
    // A first round sets up what lives for the whole process (the frame
    // file, the syscall entry, thread-local blocks).
    for g in &guests {
        run(g);
    }
    let hal = kernel_hal_unix::global_hal();
    let frames = hal.unix_phys().allocated_frames();
    let host_bytes = hal.unix_phys().host_allocated_bytes();
    let windows = hal.live_windows();
    let threads = settle(host_threads());
    let mappings = host_mappings();
    for _ in 0..3 {
        for g in &guests {
            run(g);
        }
    }
    run(&stress);
    // (A host thread of the first round may still have been exiting when
    // the baseline was taken, so the count may also end lower.)
    let after = settle(threads);
    assert!(
        after <= threads,
        "host threads: {after} after, {threads} before"
    );
    assert_eq!(hal.live_windows(), windows, "address windows");
    assert_eq!(hal.unix_phys().allocated_frames(), frames, "frames");
    assert_eq!(
        hal.unix_phys().host_allocated_bytes(),
        host_bytes,
        "host memory of the frame file"
    );
    assert_eq!(host_mappings(), mappings, "host mappings of guest memory");
}
