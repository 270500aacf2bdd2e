//! The cost of a cheap syscall through the vDSO, next to a native Linux
//! syscall measured in the same run.
//!
//! `cargo bench -p linux-loader --bench syscall`. The guest
//! (`examples/guests/syscall_bench.c`) times its own loop with
//! `zx_ticks_get`; the native baseline is `sched_yield` (the cheapest
//! syscall std exposes safely) timed here. Target: the emulated call is
//! cheaper than the native one. Run without `--bench` (as `cargo test
//! --benches` does) it only does a quick pass.

#[path = "shared/best.rs"]
mod shared;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: u64 = if full { 2_000_000 } else { 20_000 };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = std::env::temp_dir().join(format!("zx-syscall-bench-{}.elf", std::process::id()));
    let ok = Command::new("bash")
        .arg(root.join("sdk/zx-cc"))
        .args(["-O2", "-o"])
        .arg(&elf)
        .arg(root.join("examples/guests/syscall_bench.c"))
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .status()
        .expect("run sdk/zx-cc")
        .success();
    assert!(ok, "building the bench guest failed");
    let runner = env!("CARGO_BIN_EXE_linux-loader");
    // Best time per call by name, in the order the guest prints them.
    let best = shared::best_of(
        || {
            let mut c = Command::new(runner);
            c.arg(&elf).arg(n.to_string());
            c
        },
        if full { 5 } else { 1 },
    );
    let mut best_native = f64::MAX;
    for _ in 0..if full { 5 } else { 1 } {
        let t = Instant::now();
        for _ in 0..n {
            std::thread::yield_now();
        }
        best_native = best_native.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    let _ = std::fs::remove_file(&elf);
    println!("syscall round trip ({n} calls, best of runs):");
    for (name, ns) in &best {
        println!("  {:<44} {ns:8.1} ns", format!("{name} via vDSO:"));
    }
    let best_guest = best[0].1;
    if let Some((_, size)) = best.iter().find(|(n, _)| n == "zx_vmo_get_size") {
        println!(
            "  zx_vmo_get_size / zx_handle_close: {:.2}x (target <= 2x)",
            size / best_guest
        );
    }
    println!("  native Linux sched_yield():                  {best_native:8.1} ns");
    println!(
        "  ratio emulated/native: {:.2}x (target < 1.0x) {}",
        best_guest / best_native,
        if best_guest < best_native {
            "ok"
        } else {
            "MISSED"
        }
    );
}
