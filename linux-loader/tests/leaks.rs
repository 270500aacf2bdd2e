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

/// What the guests print, kept for failure reports.
static OUTPUT: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

fn capture(bytes: &[u8]) {
    OUTPUT.lock().unwrap().extend_from_slice(bytes);
}

fn run(elf: &Path) {
    let image = std::fs::read(elf).unwrap();
    let name = elf.file_name().unwrap().to_string_lossy().to_string();
    OUTPUT.lock().unwrap().clear();
    zircon_syscall::set_debug_sink(Some(capture));
    let code =
        linux_loader::runner::run_program(&name, &image, std::slice::from_ref(&name)).unwrap();
    let out = String::from_utf8_lossy(&OUTPUT.lock().unwrap()).to_string();
    assert_eq!(code, 0, "{name} failed:\n{out}");
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
        // Kills a child process whose thread is blocked in a wait: its host
        // thread must go too.
        "linux-loader/tests/guests/thread_test.c",
        "linux-loader/tests/guests/channel_test.c",
        "linux-loader/tests/guests/port_test.c",
        "linux-loader/tests/guests/signal_test.c",
        "linux-loader/tests/guests/vmar_test.c",
        // Kills a child spinning in user code: its host threads must go
        // too.
        "linux-loader/tests/guests/process_test.c",
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
    // Teardown is partly asynchronous (a killed thread's host thread ends a
    // moment after its process is reported terminated, and holds the process
    // until then), so both the baseline and the end state may still be
    // settling: nothing may be left above the baseline once things settle.
    let settled = |what: &str, now: &dyn Fn() -> usize, before: usize| {
        for _ in 0..500 {
            if now() <= before {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("{what}: {} now, {before} before", now());
    };
    settled("host threads", &host_threads, threads);
    settled("address windows", &|| hal.live_windows(), windows);
    settled("frames", &|| hal.unix_phys().allocated_frames(), frames);
    settled(
        "host memory of the frame file",
        &|| hal.unix_phys().host_allocated_bytes() as usize,
        host_bytes as usize,
    );
    settled("host mappings of guest memory", &host_mappings, mappings);
}
