//! Fuzzes the syscall dispatcher from a guest, for a bounded time: random
//! syscalls with random handles, pointers (into and outside the address
//! space), flags and sizes (`tests/guests/fuzz_syscalls.c`). The host must
//! neither crash nor hang, and afterwards the address space must be
//! consistent, as the guest sees it (its own checks: maps sorted and nested,
//! mapping and VMO agree, canaries intact, surviving handles work) and as
//! the emulator sees it (checked here while the guest is parked: the VMAR
//! tree's invariants, and the host's own mappings of the window agreeing
//! with the emulator's list of mappings).
//!
//! The guest also keeps a child that faults for ever (the "crash child")
//! with exception channels bound on it, its thread and its job in its handle
//! pool, so that random calls meet real exceptions (exception objects, the
//! exception properties, a stopped thread's registers); it prints a line
//! `fuzz: crash children N (...), exception handles taken M`, and these
//! tests expect children to have been made and, over the in-process seeds,
//! exception handles to have been taken.
//!
//! Several seeds run in this process through the runner's library entry
//! point, one through the `linux-loader` binary. Each run prints a summary
//! line (`fuzz: seed=S calls=N ...`, counts per status); to replay a run
//! exactly, pass the same seed, `N` iterations and a large time budget,
//! and add `trace` to print every call:
//! `target/debug/linux-loader fuzz_syscalls.elf S N 60000 trace`.

mod common;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use kernel_hal::MMUFlags;
use zircon_object::object::{signals, KernelObject};
use zircon_object::task::Process;
use zircon_object::vm::AddressSpace;

/// Raised by the guest when it has finished and checked, then waits for
/// [`USER_SIGNAL_1`].
const USER_SIGNAL_0: u32 = 1 << 24;
/// Lets the parked guest exit.
const USER_SIGNAL_1: u32 = 1 << 25;

/// Seeds run in-process with how many fuzzing threads, and the time each
/// may fuzz for.
const SEEDS: [(u64, u32); 4] = [(1, 1), (2, 1), (3, 2), (4, 2)];
const BUDGET_MS: u64 = 1_500;
/// Far more iterations than fit in the budget: the budget ends the run.
const ITERATIONS: u64 = 10_000_000;
/// How long a run may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(20);

/// What the guests print (the runner's debug sink is global).
static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Builds the fuzzer once (both tests use it, and may run at once).
fn fuzzer() -> &'static Path {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| common::build("linux-loader/tests/guests/fuzz_syscalls.c", &[]))
}

fn capture(bytes: &[u8]) {
    OUTPUT.lock().unwrap().extend_from_slice(bytes);
}

fn output() -> String {
    String::from_utf8_lossy(&OUTPUT.lock().unwrap()).to_string()
}

/// The guest's summary line, or a note that there is none.
fn summary(out: &str) -> String {
    out.lines()
        .filter(|l| l.starts_with("fuzz: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The guest's crash-child counts: children made, exception handles taken.
fn crash_counts(out: &str) -> Option<(u64, u64)> {
    let line = out
        .lines()
        .find(|l| l.starts_with("fuzz: crash children "))?;
    let children = line
        .strip_prefix("fuzz: crash children ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let taken = line.rsplit(' ').next()?.parse().ok()?;
    Some((children, taken))
}

/// Polls `process` until one of `mask` is raised; `None` after `timeout`.
fn wait_signals(process: &Process, mask: u32, timeout: Duration) -> Option<u32> {
    let start = Instant::now();
    loop {
        let s = process.base().signals();
        if s & mask != 0 {
            return Some(s);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// One host mapping of guest memory: `[start, end)` and its permissions.
struct HostMapping {
    start: usize,
    end: usize,
    flags: MMUFlags,
}

/// The host's mappings of the frame file inside `[lo, hi)`.
fn host_mappings(lo: usize, hi: usize) -> Vec<HostMapping> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut out = Vec::new();
    for line in maps.lines().filter(|l| l.contains("zircon-frames")) {
        let mut fields = line.split_whitespace();
        let range = fields.next().unwrap();
        let perms = fields.next().unwrap().as_bytes();
        let (s, e) = range.split_once('-').unwrap();
        let start = usize::from_str_radix(s, 16).unwrap();
        let end = usize::from_str_radix(e, 16).unwrap();
        if end <= lo || start >= hi {
            continue;
        }
        let mut flags = MMUFlags::empty();
        for (i, f) in [MMUFlags::READ, MMUFlags::WRITE, MMUFlags::EXECUTE]
            .into_iter()
            .enumerate()
        {
            if perms[i] != b'-' {
                flags |= f;
            }
        }
        out.push(HostMapping { start, end, flags });
    }
    out
}

/// Checks the emulator's view of `aspace` while nothing runs in it: the VMAR
/// tree's invariants, its mapping pieces sorted, disjoint and inside the
/// window, and every host mapping of guest memory in the window covered by
/// mapping pieces that allow at least what the host allows.
fn check_address_space(aspace: &AddressSpace) {
    aspace.check_consistency();
    let (base, size) = aspace.window();
    let views = aspace.mapping_views();
    let mut end = base;
    for v in &views {
        assert!(
            v.base >= end && v.size > 0,
            "mapping pieces overlap or are unsorted at {:#x}",
            v.base
        );
        end = v.base + v.size;
        assert!(
            end <= base + size,
            "mapping piece {:#x} leaves the window",
            v.base
        );
    }
    for h in host_mappings(base, base + size) {
        let mut cursor = h.start;
        for v in views
            .iter()
            .filter(|v| v.base < h.end && v.base + v.size > h.start)
        {
            assert!(
                v.base <= cursor,
                "host mapping [{:#x}, {:#x}) has a hole at {cursor:#x} in the emulator's mappings",
                h.start,
                h.end
            );
            assert!(
                v.flags.contains(h.flags),
                "host mapping [{:#x}, {:#x}) allows {:?}, the mapping at {:#x} only {:?}",
                h.start,
                h.end,
                h.flags,
                v.base,
                v.flags
            );
            cursor = v.base + v.size;
        }
        assert!(
            cursor >= h.end,
            "host mapping [{:#x}, {:#x}) outlives the emulator's mappings (covered up to {cursor:#x})",
            h.start,
            h.end
        );
    }
}

/// Runs the fuzzer with `seed` in this process; checks the address space
/// while the guest is parked, lets it go and expects exit code 0. Returns
/// how many exception handles the guest took in.
fn run_in_process(elf: &Path, seed: u64, threads: u32) -> u64 {
    let image = std::fs::read(elf).unwrap();
    let name = "fuzz_syscalls.elf".to_string();
    let args: Vec<String> = [
        name.clone(),
        seed.to_string(),
        ITERATIONS.to_string(),
        BUDGET_MS.to_string(),
        format!("threads={threads}"),
        "park".to_string(),
    ]
    .into();
    OUTPUT.lock().unwrap().clear();
    let process: Arc<Process> =
        linux_loader::runner::start_program(&name, &image, &args).expect("load the fuzzer");
    let raised = wait_signals(&process, USER_SIGNAL_0 | signals::TASK_TERMINATED, HANG);
    let Some(raised) = raised else {
        panic!(
            "seed {seed}: the guest neither finished nor died in {HANG:?} (a hang)\n{}",
            summary(&output())
        );
    };
    assert!(
        raised & USER_SIGNAL_0 != 0,
        "seed {seed}: the guest died (return code {}) before its checks\n{}",
        process.state().return_code,
        output()
    );
    // The guest is parked in zx_object_wait_one: its address space holds
    // still. Release it whatever the checks find.
    let checked = std::panic::catch_unwind(AssertUnwindSafe(|| {
        check_address_space(process.root_vmar().aspace())
    }));
    process.base().signal_change(0, USER_SIGNAL_1);
    let ended = wait_signals(&process, signals::TASK_TERMINATED, HANG);
    let out = output();
    if let Err(e) = checked {
        eprintln!("seed {seed}: the emulator's address space is inconsistent\n{out}");
        std::panic::resume_unwind(e);
    }
    assert!(
        ended.is_some(),
        "seed {seed}: the guest did not exit after USER_SIGNAL_1\n{}",
        summary(&out)
    );
    let code = process.state().return_code;
    assert_eq!(code, 0, "seed {seed}: the guest's checks failed\n{out}");
    eprintln!("{}", summary(&out));
    let (children, taken) = crash_counts(&out)
        .unwrap_or_else(|| panic!("seed {seed}: no crash-child line\n{}", summary(&out)));
    assert!(children > 0, "seed {seed}: no crash child was made");
    taken
}

#[test]
fn fuzz_in_process_then_check_the_address_space() {
    zircon_syscall::set_debug_sink(Some(capture));
    let mut taken = 0;
    for (seed, threads) in SEEDS {
        taken += run_in_process(fuzzer(), seed, threads);
    }
    assert!(
        taken > 0,
        "no seed took an exception handle in: the crash child's exceptions never reached the pool"
    );
}

#[test]
fn fuzz_through_the_runner_binary() {
    let elf = fuzzer();
    let budget = BUDGET_MS.to_string();
    let iterations = ITERATIONS.to_string();
    let start = Instant::now();
    let out = common::run(elf, &["1001", &iterations, &budget, "threads=2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some(),
        "the runner was killed by a signal ({:?})\n{}\n--- stderr\n{stderr}",
        out.status,
        summary(&stdout)
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the guest's checks failed\n{}\n--- stderr\n{stderr}",
        summary(&stdout)
    );
    assert!(start.elapsed() < HANG, "the run took {:?}", start.elapsed());
    eprintln!("{}", summary(&stdout));
    let counts = crash_counts(&stdout);
    assert!(
        counts.is_some_and(|(children, _)| children > 0),
        "no crash child was made\n{}",
        summary(&stdout)
    );
}
