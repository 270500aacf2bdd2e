//! The runner's contract: stdout, exit status, arguments, load errors.

mod common;

use std::process::Command;

#[test]
fn demo_runs_with_no_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("hello from guest memory"), "{stdout}");
    assert!(stdout.contains("ZX_ERR_BAD_STATE"), "{stdout}");
}

#[test]
fn arguments_stdout_and_exit_status() {
    let elf = common::build("linux-loader/tests/guests/args.c", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .arg(&elf)
        .args(["one", "two words", "3"])
        .env("ZX_TEST_ENV", "passed through")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(4),
        "argc is the exit status; {stdout}"
    );
    assert!(stdout.contains("argv[1]=one\n"), "{stdout}");
    assert!(stdout.contains("argv[2]=two words\n"), "{stdout}");
    assert!(
        stdout.contains("env ZX_TEST_ENV=passed through\n"),
        "the environment reaches envp; {stdout}"
    );
    assert!(
        stdout.contains("/args-") && stdout.contains(".elf\nargv[1]"),
        "argv[0] is the program path; {stdout}"
    );
}

#[test]
fn return_code_low_byte_is_the_status() {
    let elf = common::build("linux-loader/tests/guests/exit_code.c", &["-DCODE=300"]);
    assert_eq!(common::run(&elf, &[]).status.code(), Some(300 & 0xFF));
    let elf = common::build("linux-loader/tests/guests/exit_code.c", &["-DCODE=0"]);
    assert_eq!(common::run(&elf, &[]).status.code(), Some(0));
}

#[test]
fn load_errors_are_one_line_and_127() {
    let dir = std::env::temp_dir();
    let junk = dir.join(format!("not-an-elf-{}", std::process::id()));
    std::fs::write(&junk, b"#!/bin/sh\necho hi\n").unwrap();
    let out = common::run(&junk, &[]);
    assert_eq!(out.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let missing = common::run(&dir.join("does-not-exist-zx"), &[]);
    assert_eq!(missing.status.code(), Some(127));
}
