//! Guest programs built with `sdk/zx-cc` and run end to end: the ported
//! Fuchsia core tests and the hostile-input tests, all zxtest programs,
//! run together by the runner's own test runner (`linux-loader test`, one
//! host process per binary, as many at once as there are CPUs), which
//! prints every failing binary's output in full and the summary.

mod common;

use std::process::Command;

/// The zxtest guests under `linux-loader/tests/guests/`.
const ZXTEST_GUESTS: [&str; 35] = [
    "discardable_test.c",
    "shared_process_test.c",
    "raise_exception_test.c",
    "single_step_test.c",
    "info_memory_test.c",
    "policy_test.c",
    "suspend_test.c",
    "info_stats_test.c",
    "futex_owner_test.c",
    "get_child_test.c",
    "time_test.c",
    "resource_test.c",
    "debuglog_test.c",
    "handle_close_test.c",
    "stream_test.c",
    "handle_check_valid_test.c",
    "port_cancel_test.c",
    "socket_test.c",
    "fifo_test.c",
    "thread_exit_cprng_test.c",
    "vmar_test.c",
    "vmo_test.c",
    "bad_input_test.c",
    "protect_test.c",
    "signal_test.c",
    "thread_test.c",
    "process_test.c",
    "channel_test.c",
    "port_test.c",
    "fs_test.c",
    "probe_test.c",
    "job_test.c",
    "exception_stress_test.c",
    "channel_etc_test.c",
    "mini_process_test.c",
];

#[test]
fn zxtest_guests_pass_under_linux_loader_test() {
    let dir = std::env::temp_dir().join(format!("zx-guest-suite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Build on every CPU; zx-cc is single-threaded.
    std::thread::scope(|s| {
        for src in ZXTEST_GUESTS {
            let dir = &dir;
            s.spawn(move || {
                let elf = common::build(&format!("linux-loader/tests/guests/{src}"), &[]);
                let name = src.trim_end_matches(".c");
                std::fs::rename(&elf, dir.join(format!("{name}.elf"))).unwrap();
            });
        }
    });
    let junit = dir.join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .arg("test")
        .args(["--timeout", "900", "--junit"])
        .arg(&junit)
        .arg(&dir)
        .output()
        .expect("run linux-loader test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "guest tests failed\n--- stderr\n{stderr}\n--- summary\n{stdout}"
    );
    let all = ZXTEST_GUESTS.len();
    assert!(
        stdout.contains(&format!("binaries: {all} passed, 0 failed")),
        "{stdout}"
    );
    // Every binary ran test cases (an empty run is not a pass).
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), all, "{xml}");
    assert!(
        !xml.contains(" tests=\"0\""),
        "a binary ran no test case:\n{stdout}"
    );
    println!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
