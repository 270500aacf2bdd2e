//! Builds guest C programs with `sdk/zx-cc` and runs them through the
//! `linux-loader` runner.

#![allow(
    dead_code,
    reason = "each test binary includes this module and uses a different part of it"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Compiles `src` (relative to the repository root) into a guest ELF.
pub fn build(src: &str, extra: &[&str]) -> PathBuf {
    build_with("sdk/zx-cc", src, extra)
}

/// Compiles `src` (relative to the repository root, or absolute) into a
/// guest ELF with the SDK driver `driver` (`sdk/zx-cc` or `sdk/zx-c++`).
pub fn build_with(driver: &str, src: &str, extra: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zx-guest-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let name = Path::new(src)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    // Tests of one binary run in parallel and may build the same program:
    // every build gets a file of its own, so none is rewritten while
    // another test runs it.
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = dir.join(format!("{name}-{n}.elf"));
    let status = Command::new("bash")
        .arg(root().join(driver))
        .args(extra)
        .arg("-o")
        .arg(&out)
        .arg(root().join(src))
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .status()
        .expect("run the SDK driver");
    assert!(status.success(), "{driver} failed on {src}");
    out
}

/// Runs a guest ELF with arguments through the runner.
pub fn run(elf: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .arg(elf)
        .args(args)
        .output()
        .expect("run linux-loader")
}

/// Builds and runs a zxtest guest; fails the Rust test unless every guest
/// test passed (the closing `N passed, 0 failed` line and exit status 0).
pub fn run_zxtest(src: &str) {
    let elf = build(src, &[]);
    let out = run(&elf, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.ends_with(" failed") && l.contains(" passed, "))
        .unwrap_or("");
    let ok = out.status.code() == Some(0)
        && summary.ends_with(" 0 failed")
        && !summary.starts_with("0 passed");
    assert!(
        ok,
        "guest {src} failed (status {:?}, summary {summary:?})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}
