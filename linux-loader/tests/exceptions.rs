//! Guest faults and raw syscalls (`syscall` or `int 0x80`) become Zircon
//! exceptions: with no handler the guest process dies with
//! `ZX_TASK_RETCODE_EXCEPTION_KILL` (runner exit status 254, one line on
//! stderr) while the runner itself exits normally; with a handler bound to
//! the process's exception channel the fault is caught, inspected, fixed and
//! the thread resumed (`tests/guests/fault_kinds.c`).

mod common;

use std::os::unix::process::ExitStatusExt;

/// Every kind of fault the guest can make, and what the stderr line says.
const KINDS: &[(&str, &str)] = &[
    ("null", "fatal page fault (ZX_ERR_NOT_FOUND) reading 0x0,"),
    ("rowrite", "fatal page fault (ZX_ERR_ACCESS_DENIED) writing"),
    ("pastvmo", "fatal page fault (ZX_ERR_OUT_OF_RANGE) writing"),
    ("resize", "fatal page fault (ZX_ERR_OUT_OF_RANGE) writing"),
    ("nx", "fatal page fault (ZX_ERR_ACCESS_DENIED) executing"),
    ("stack", "fatal page fault (ZX_ERR_NOT_FOUND) writing"),
    (
        "rawsyscall",
        "policy error: raw syscall 231 outside the vDSO",
    ),
    (
        "badsp",
        "fatal page fault (ZX_ERR_NOT_FOUND) writing 0xff8,",
    ),
    ("badfs", "fatal page fault (ZX_ERR_NOT_FOUND) reading 0x8,"),
    ("ud2", "undefined instruction"),
    ("int3", "software breakpoint"),
    ("div0", "general fault (x86 vector 0)"),
    ("ssediv0", "general fault (x86 vector 19)"),
    ("x87div0", "general fault (x86 vector 16)"),
    ("x87pending", "general fault (x86 vector 16)"),
    ("unaligned", "alignment fault"),
];

#[test]
fn unhandled_faults_kill_the_guest_not_the_runner() {
    let elf = common::build("linux-loader/tests/guests/fault_kinds.c", &[]);
    for &(kind, what) in KINDS {
        let out = common::run(&elf, &[kind]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            None,
            "{kind}: the runner died of a signal; stderr: {stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(254),
            "{kind}: want ZX_TASK_RETCODE_EXCEPTION_KILL's status; stderr: {stderr}"
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{kind}: one line on stderr, got {stderr}");
        let line = lines[0];
        assert!(line.contains(what), "{kind}: {line}");
        assert!(
            line.contains("in thread 'initial-thread'")
                && line.contains(", pc 0x")
                && line.ends_with("process killed (ZX_TASK_RETCODE_EXCEPTION_KILL)"),
            "{kind}: {line}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("survived"),
            "{kind}: the guest went on after the fault"
        );
    }
}

#[test]
fn handlers_catch_inspect_fix_and_resume() {
    let elf = common::build("linux-loader/tests/guests/fault_kinds.c", &[]);
    for &(kind, _) in KINDS {
        let out = common::run(&elf, &[kind, "catch"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{kind}: stdout: {stdout} stderr: {stderr}"
        );
        assert!(
            stdout.contains(&format!("caught {kind}")),
            "{kind}: {stdout}"
        );
        assert!(stderr.is_empty(), "{kind}: {stderr}");
    }
}

#[test]
fn exception_api_tests() {
    common::run_zxtest("linux-loader/tests/guests/exception_test.c");
}

#[test]
fn guest_memory_is_capped_so_the_host_survives() {
    let elf = common::build("linux-loader/tests/guests/oom.c", &[]);
    let run = |arg: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_linux-loader"))
            .arg(&elf)
            .arg(arg)
            .env("ZX_LIBOS_GUEST_MEMORY", "256M")
            .output()
            .expect("run linux-loader")
    };
    let out = run("commit");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("commit: -4"), "ZX_ERR_NO_MEMORY: {stdout}");

    let out = run("touch");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), None, "{stderr}");
    assert_eq!(out.status.code(), Some(254), "{stderr}");
    assert!(
        stderr.contains("fatal page fault (ZX_ERR_NO_MEMORY) writing"),
        "{stderr}"
    );
}
