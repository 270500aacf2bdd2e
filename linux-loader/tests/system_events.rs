//! The memory-pressure events of `zx_system_get_event` driven by real
//! commitment of guest memory (`guests/memory_pressure.c`), with the
//! watermarks set through `ZX_LIBOS_OOM`.

mod common;

#[test]
fn committing_memory_walks_the_pressure_levels_and_back() {
    let elf = common::build("linux-loader/tests/guests/memory_pressure.c", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .args(["--memory", "256M"])
        .arg(&elf)
        .env(
            "ZX_LIBOS_OOM",
            "outofmemory-mb=64,imminent-oom-delta-mb=24,critical-mb=128,warning-mb=192,\
             debounce-mb=1,hysteresis-seconds=0",
        )
        .output()
        .expect("run linux-loader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    for level in [
        "normal",
        "warning",
        "critical",
        "imminent-out-of-memory",
        "out-of-memory",
    ] {
        assert!(
            stdout.contains(&format!("committed: {level}\n")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("released: normal"), "{stdout}");
}

#[test]
fn the_default_watermarks_leave_a_roomy_pool_normal() {
    // 4 GiB of pool and nothing used: above Zircon's 300 MiB warning mark.
    let elf = common::build("linux-loader/tests/guests/memory_pressure.c", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .args(["--memory", "4G"])
        .arg(&elf)
        .arg("first")
        .env_remove("ZX_LIBOS_OOM")
        .output()
        .expect("run linux-loader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("0 MiB committed: normal\n"), "{stdout}");
}

#[test]
fn the_out_of_memory_killer_takes_jobs_marked_kill_on_oom() {
    let elf = common::build("linux-loader/tests/guests/oom_kill.c", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .args(["--memory", "256M"])
        .arg(&elf)
        .env(
            "ZX_LIBOS_OOM",
            "outofmemory-mb=64,imminent-oom-delta-mb=24,critical-mb=128,warning-mb=192,\
             debounce-mb=1,hysteresis-seconds=0",
        )
        .output()
        .expect("run linux-loader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");
}
