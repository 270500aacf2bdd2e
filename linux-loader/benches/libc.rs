//! The guest C library against the host's glibc, in the same run: small
//! malloc/free (1 and 2 threads), an uncontended mutex, pthread_create +
//! join. `examples/guests/libc_bench.c` is built natively (cc -O2) and with
//! `sdk/zx-c++`; each reports nanoseconds per operation and this prints the
//! ratios (targets: ≤ 1.5× glibc). Run without `--bench` (as `cargo test
//! --benches` does) it only does a quick pass.

#[path = "shared/best.rs"]
mod shared;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { "2000000" } else { "20000" };
    let runs = if full { 5 } else { 1 };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let src = root.join("examples/guests/libc_bench.c");
    let tmp = std::env::temp_dir();
    let guest = tmp.join(format!("zx-libc-bench-{}.elf", std::process::id()));
    let native = tmp.join(format!("zx-libc-bench-{}.native", std::process::id()));
    let ok = Command::new("bash")
        .arg(root.join("sdk/zx-c++"))
        .args(["-O2", "-o"])
        .arg(&guest)
        .arg(&src)
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .status()
        .expect("run sdk/zx-c++")
        .success();
    assert!(ok, "building the guest bench failed");
    let ok = Command::new("cc")
        .args(["-O2", "-pthread", "-o"])
        .arg(&native)
        .arg(&src)
        .status()
        .expect("run cc")
        .success();
    assert!(ok, "building the native bench failed");
    let runner = env!("CARGO_BIN_EXE_linux-loader");
    let emulated = shared::best_of(
        || {
            let mut c = Command::new(runner);
            c.arg(&guest).arg(n);
            c
        },
        runs,
    );
    let host: BTreeMap<String, f64> = shared::best_of(
        || {
            let mut c = Command::new(&native);
            c.arg(n);
            c
        },
        runs,
    )
    .into_iter()
    .collect();
    println!(
        "{:<44} {:>12} {:>12} {:>8}",
        "libc (best of runs)", "guest", "glibc", "ratio"
    );
    for (name, ns) in &emulated {
        let base = host.get(name).copied().unwrap_or(f64::NAN);
        println!("{name:<44} {ns:>9.1} ns {base:>9.1} ns {:>7.2}x", ns / base);
    }
    let _ = std::fs::remove_file(&guest);
    let _ = std::fs::remove_file(&native);
}
