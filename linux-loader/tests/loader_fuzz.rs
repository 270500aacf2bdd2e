//! Fuzzes the ELF loader: thousands of mutated and truncated guest ELFs
//! through `Loader::prepare`, for a bounded time. None may panic (debug
//! builds check every addition: the loader's arithmetic on header fields
//! must be checked, not wrapping), fault or hang; each one either loads
//! (then the process is torn down again) or fails with a one-line error
//! that carries no raw control bytes. Afterwards no address window is left
//! reserved.
//!
//! Mutations: random bytes anywhere; the header's and program headers'
//! offset, address and size fields and the dynamic section's entries set
//! to edge values (0, near `u64::MAX`, huge, past the file's end);
//! truncations at random lengths. The seed is fixed (ZX_FUZZ_SEED
//! overrides it; ZX_FUZZ_CASES and ZX_FUZZ_SECONDS the bounds), and a
//! failure names the case, so a run replays exactly.
//! `cargo test --release -p linux-loader --test loader_fuzz` runs it in a
//! release build.

mod common;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel_hal::HalRef;
use linux_loader::Loader;
use zircon_object::task::Job;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Values that break naive arithmetic.
fn edge(rng: &mut Rng, file_len: usize) -> u64 {
    const EDGES: [u64; 10] = [
        0,
        1,
        0xfff,
        0x1000,
        u64::MAX,
        u64::MAX - 7,
        u64::MAX - 0xfff,
        1 << 63,
        1 << 47,
        0xffff_ffff,
    ];
    match rng.below(4) {
        0 => EDGES[rng.below(EDGES.len())],
        1 => file_len as u64 + rng.below(0x2000) as u64,
        2 => rng.next(),
        _ => rng.below(file_len) as u64,
    }
}

fn put(e: &mut [u8], at: usize, v: u64, width: usize) {
    if at + width <= e.len() {
        e[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
    }
}

fn get(e: &[u8], at: usize, width: usize) -> u64 {
    let mut b = [0u8; 8];
    if at + width <= e.len() {
        b[..width].copy_from_slice(&e[at..at + width]);
    }
    u64::from_le_bytes(b)
}

/// One mutant of `seed`.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut e = seed.to_vec();
    let phoff = get(&e, 0x20, 8) as usize;
    let phnum = get(&e, 0x38, 2) as usize;
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            // Random bytes.
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(e.len());
                    e[at] = rng.next() as u8;
                }
            }
            // ELF header fields: e_entry, e_phoff, e_shoff, e_phnum,
            // e_shnum, e_shstrndx, e_phentsize.
            1 => {
                let (at, w) = [
                    (0x18, 8),
                    (0x20, 8),
                    (0x28, 8),
                    (0x38, 2),
                    (0x3c, 2),
                    (0x3e, 2),
                    (0x36, 2),
                ][rng.below(7)];
                let v = edge(rng, seed.len());
                put(&mut e, at, v, w);
            }
            // A program header field: p_offset, p_vaddr, p_paddr,
            // p_filesz, p_memsz, p_align, or p_type/p_flags.
            2 | 3 if phnum > 0 => {
                let ph = phoff + 56 * rng.below(phnum);
                let (off, w) = [
                    (8, 8),
                    (16, 8),
                    (24, 8),
                    (32, 8),
                    (40, 8),
                    (48, 8),
                    (0, 4),
                    (4, 4),
                ][rng.below(8)];
                let v = edge(rng, seed.len());
                put(&mut e, ph + off, v, w);
            }
            // An entry of the dynamic section (relocation tables, string
            // table, symbol table addresses and sizes).
            4 if phnum > 0 => {
                let dynamic = (0..phnum)
                    .map(|i| phoff + 56 * i)
                    .find(|&ph| get(&e, ph, 4) == 2);
                if let Some(ph) = dynamic {
                    let at = get(&e, ph + 8, 8) as usize;
                    let n = (get(&e, ph + 32, 8) as usize / 16).clamp(1, 64);
                    let entry = at.saturating_add(16 * rng.below(n) + 8);
                    let v = edge(rng, seed.len());
                    put(&mut e, entry, v, 8);
                }
            }
            // Truncation.
            _ => {
                let len = rng.below(e.len());
                e.truncate(len.max(1));
            }
        }
    }
    e
}

#[test]
fn mutated_and_truncated_elfs_never_panic_fault_or_hang() {
    let seeds = [
        std::fs::read(common::build("linux-loader/tests/guests/args.c", &[])).unwrap(),
        std::fs::read(common::build(
            "linux-loader/tests/guests/zxtest_sample.c",
            &[],
        ))
        .unwrap(),
        linux_loader::DEMO_GUEST.to_vec(),
    ];
    let cases = env_or("ZX_FUZZ_CASES", 3000);
    let budget = Duration::from_secs(env_or("ZX_FUZZ_SECONDS", 20));
    let mut rng = Rng(env_or("ZX_FUZZ_SEED", 0x5eed_1234_abcd_0001) | 1);

    let hal = kernel_hal_unix::global_hal();
    linux_loader::runner::install();
    let windows_before = hal.live_windows();
    let loader = Loader::new(
        hal.clone() as HalRef,
        kernel_hal_unix::syscall_entry_address(),
    );
    let args = ["fuzz"];
    let env = ["A=1"];

    // A watchdog: one case taking more than 10 s is a hang.
    let progress = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    {
        let (progress, done) = (progress.clone(), done.clone());
        std::thread::spawn(move || {
            let mut last = (u64::MAX, Instant::now());
            while done.load(Ordering::Relaxed) == 0 {
                let p = progress.load(Ordering::Relaxed);
                if p != last.0 {
                    last = (p, Instant::now());
                } else if last.1.elapsed() > Duration::from_secs(10) {
                    eprintln!("loader fuzz: case {p} hangs");
                    std::process::abort();
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
    }

    let start = Instant::now();
    let (mut loaded, mut refused, mut ran) = (0u64, 0u64, 0u64);
    for case in 0..cases {
        if start.elapsed() > budget {
            break;
        }
        progress.store(case, Ordering::Relaxed);
        let seed = &seeds[rng.below(seeds.len())];
        let elf = mutate(seed, &mut rng);
        let job = Job::root();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            loader.prepare(&job, "fuzz", &elf, &args, &env)
        }));
        ran += 1;
        match result {
            Ok(Ok(p)) => {
                loaded += 1;
                p.process.exit(0);
            }
            Ok(Err(e)) => {
                refused += 1;
                let msg = e.to_string();
                assert!(
                    !msg.contains('\n') && !msg.chars().any(|c| c.is_control()),
                    "case {case}: a message with raw bytes: {msg:?}"
                );
                assert!(!msg.is_empty(), "case {case}: empty message");
            }
            Err(_) => panic!(
                "case {case} panicked (replay: ZX_FUZZ_CASES={} and the same seed)",
                case + 1
            ),
        }
    }
    done.store(1, Ordering::Relaxed);
    eprintln!(
        "loader fuzz: {ran} cases in {:.1}s: {loaded} loaded, {refused} refused",
        start.elapsed().as_secs_f64()
    );
    assert!(ran >= 500.min(cases), "too few cases ran: {ran}");
    assert!(refused > 0);
    // Every process made was torn down: no window stays reserved.
    let deadline = Instant::now() + Duration::from_secs(10);
    while hal.live_windows() > windows_before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(hal.live_windows(), windows_before, "windows leaked");
}
