//! The guest malloc (musl's mallocng behind the SDK's per-thread cache,
//! docs/DESIGN.md, "The guest malloc") under stress: `guests/cxx/malloc_stress.c`
//! built with `sdk/zx-c++` (issue 10).

mod common;

use std::path::PathBuf;

fn build() -> PathBuf {
    common::build_with(
        "sdk/zx-c++",
        "linux-loader/tests/guests/cxx/malloc_stress.c",
        &["-Wall", "-Wextra", "-Werror"],
    )
}

/// Threads churning mixed sizes with content checks and cross-thread frees,
/// threads ending with full caches (the mapped memory must not grow), large
/// blocks giving their memory back, `malloc(SIZE_MAX / 2)` failing cleanly.
#[test]
fn malloc_survives_threads_and_gives_memory_back() {
    let out = common::run(&build(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("malloc_stress: PASS"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

/// A block freed into one thread's cache and freed again by another
/// thread kills the guest (with one line), as mallocng's own double-free
/// check would.
#[test]
fn a_second_free_from_another_thread_kills_the_guest() {
    let out = common::run(&build(), &["cross-thread-double-free"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("the second free returned"), "{stdout}");
    assert!(
        out.status.code().is_some(),
        "the runner itself died: {:?}",
        out.status
    );
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("process killed"), "{stderr}");
}
