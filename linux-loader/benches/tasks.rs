//! Threads, channels, sockets, FIFOs and processes: each round trip
//! through the emulator
//! next to the nearest native Linux equivalent measured in the same run.
//!
//! `cargo bench -p linux-loader --bench tasks`. The guest
//! (`examples/guests/tasks_bench.c`) times its own loops with
//! `zx_ticks_get`; the native baselines are `std::thread::spawn` + `join`,
//! a ping-pong over a Unix socket pair between two threads, and
//! fork + exec + wait of `/bin/true`. Without `--bench` (as under
//! `cargo test --benches`) it does a quick pass.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: u32 = if full { 2000 } else { 40 };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = std::env::temp_dir().join(format!("zx-tasks-bench-{}.elf", std::process::id()));
    let ok = Command::new("bash")
        .arg(root.join("sdk/zx-cc"))
        .args(["-O2", "-o"])
        .arg(&elf)
        .arg(root.join("examples/guests/tasks_bench.c"))
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .status()
        .expect("run sdk/zx-cc")
        .success();
    assert!(ok, "building the bench guest failed");
    let out = Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .arg(&elf)
        .arg(n.to_string())
        .output()
        .expect("run the guest");
    let _ = std::fs::remove_file(&elf);
    assert!(
        out.status.success(),
        "guest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let guest = |name: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| {
                l.strip_prefix(name)
                    .map(|v| v.trim().parse::<f64>().unwrap())
            })
            .unwrap_or_else(|| panic!("no {name} line in {stdout}"))
    };

    // Native thread spawn + join.
    let t = Instant::now();
    for _ in 0..n {
        std::thread::spawn(|| {}).join().unwrap();
    }
    let native_thread = t.elapsed().as_nanos() as f64 / f64::from(n);

    // Native ping-pong over a socket pair.
    let rounds = n * 10;
    let (mut a, mut b) = UnixStream::pair().unwrap();
    let ponger = std::thread::spawn(move || {
        let mut buf = [0u8; 4];
        for _ in 0..rounds {
            b.read_exact(&mut buf).unwrap();
            b.write_all(&buf).unwrap();
        }
    });
    let t = Instant::now();
    let mut buf = [0u8; 4];
    for i in 0..rounds {
        a.write_all(&i.to_le_bytes()).unwrap();
        a.read_exact(&mut buf).unwrap();
    }
    let native_channel = t.elapsed().as_nanos() as f64 / f64::from(rounds);
    ponger.join().unwrap();

    // Native process: fork + exec + wait.
    let procs = (n / 4).max(1);
    let t = Instant::now();
    for _ in 0..procs {
        Command::new("/bin/true").status().unwrap();
    }
    let native_process = t.elapsed().as_nanos() as f64 / f64::from(procs);

    println!(
        "task round trips ({n} threads, {rounds} channel/socket/FIFO round trips, {procs} processes):"
    );
    for (what, emu, native, baseline) in [
        (
            "thread create+start+join",
            guest("thread"),
            native_thread,
            "std::thread spawn+join",
        ),
        (
            "channel write+read round trip",
            guest("channel"),
            native_channel,
            "Unix socket pair ping-pong",
        ),
        (
            "stream socket write+read round trip",
            guest("socket"),
            native_channel,
            "Unix socket pair ping-pong",
        ),
        (
            "FIFO write+read round trip",
            guest("fifo"),
            native_channel,
            "Unix socket pair ping-pong",
        ),
        (
            "process create+start+exit",
            guest("process"),
            native_process,
            "fork+exec+wait of /bin/true",
        ),
    ] {
        println!(
            "  {what:32} emulated {:9.1} us, native {:9.1} us ({baseline}), ratio {:.2}x",
            emu / 1000.0,
            native / 1000.0,
            emu / native
        );
    }
}
