//! The runner's command line, as a user meets it: `--help`, usage errors,
//! `--trace`, the environment, and the bad-input findings of issue 15
//! (each test names the finding it guards).

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_linux-loader"))
}

fn out(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run linux-loader")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One line on stderr, starting `linux-loader: `, and status `code`.
fn assert_one_line(o: &Output, code: i32) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("linux-loader: "), "{err:?}");
    assert!(!err.contains("panicked"), "{err:?}");
    err
}

fn args_elf() -> &'static Path {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| common::build("linux-loader/tests/guests/args.c", &[]))
}

fn helper() -> &'static Path {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| common::build("linux-loader/tests/guests/cli_helper.c", &[]))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zx-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn help_and_version_document_every_option() {
    for flag in ["--help", "-h"] {
        let o = out(runner().arg(flag));
        assert_eq!(o.status.code(), Some(0));
        let help = text(&o.stdout);
        for opt in [
            "--env",
            "--clear-env",
            "--name",
            "--memory",
            "--quiet",
            "--trace",
            "--trace-output",
            "--trace-faults",
            "--exit-code-file",
            "--version",
            "test",
            "EXIT STATUS",
            "RUST_LOG",
        ] {
            assert!(help.contains(opt), "{flag} lacks {opt}:\n{help}");
        }
    }
    for flag in ["--version", "-V"] {
        let o = out(runner().arg(flag));
        assert_eq!(o.status.code(), Some(0));
        assert!(
            text(&o.stdout).starts_with("linux-loader 0."),
            "{:?}",
            o.stdout
        );
    }
    let o = out(runner().args(["test", "--help"]));
    assert_eq!(o.status.code(), Some(0));
    for opt in [
        "--jobs",
        "--timeout",
        "--junit",
        "--gtest_filter",
        "--gtest_repeat",
        "--verbose",
    ] {
        assert!(text(&o.stdout).contains(opt), "test --help lacks {opt}");
    }
}

#[test]
fn usage_errors_are_one_line_and_status_2() {
    for args in [
        &["--bogus"][..],
        &["--memory", "12Q"],
        &["--memory=0"],
        &["--env", "NOEQUALS"],
        &["--trace=nosuchcall"],
        &["--trace="],
        &["--trace-output", "/dev/null"],
        &["test"],
        &["test", "-j", "0", "x"],
        &["test", "--timeout", "-1", "x"],
    ] {
        let o = out(runner().args(args));
        let err = assert_one_line(&o, 2);
        assert!(!err.contains("Usage"), "{args:?}: {err}");
    }
    // A malformed ZX_LIBOS_GUEST_MEMORY is an error too, not ignored.
    let o = out(runner().env("ZX_LIBOS_GUEST_MEMORY", "lots"));
    assert!(assert_one_line(&o, 2).contains("ZX_LIBOS_GUEST_MEMORY"));
    let o = out(runner().args(["test", "/nonexistent-zx-dir"]));
    assert_one_line_test(&o, 2);
}

fn assert_one_line_test(o: &Output, code: i32) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
}

#[test]
fn guest_arguments_pass_untouched_and_as_bytes() {
    // Finding: a non-UTF-8 argument or program path panicked in
    // std::env::args(); non-UTF-8 environment variables were dropped.
    let dir = scratch("bytes");
    std::fs::create_dir_all(&dir).unwrap();
    let odd = dir.join(OsStr::from_bytes(b"prog-\xff.elf"));
    std::fs::copy(args_elf(), &odd).unwrap();
    let o = out(runner()
        .arg("--env")
        .arg("ZX_TEST_ENV=set by --env")
        .arg(&odd)
        .arg("--")
        .arg("-x")
        .arg("--trace")
        .arg(OsStr::from_bytes(b"\xfe\xff")));
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    let stdout = &o.stdout;
    let has = |needle: &[u8]| stdout.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"argv[0]="), "{}", text(stdout));
    assert!(has(b"prog-\xff.elf\n"), "{}", text(stdout));
    assert!(has(
        b"argv[1]=--\nargv[2]=-x\nargv[3]=--trace\nargv[4]=\xfe\xff\n"
    ));
    assert!(has(b"env ZX_TEST_ENV=set by --env\n"), "{}", text(stdout));
    // A non-UTF-8 environment value reaches the guest.
    let o = out(runner()
        .arg(args_elf())
        .env("ZX_TEST_ENV", OsStr::from_bytes(b"\xff")));
    assert!(o.stdout.windows(17).any(|w| w == b"env ZX_TEST_ENV=\xff"));
    // So does one given with --env.
    let o = out(runner()
        .arg("--env")
        .arg(OsStr::from_bytes(b"ZX_TEST_ENV=\xfe"))
        .arg(args_elf()));
    assert!(o.stdout.windows(17).any(|w| w == b"env ZX_TEST_ENV=\xfe"));
    // --clear-env leaves only --env's.
    let o = out(runner()
        .arg("--clear-env")
        .arg(args_elf())
        .env("ZX_TEST_ENV", "inherited"));
    assert!(
        !text(&o.stdout).contains("env ZX_TEST_ENV"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn non_regular_and_huge_files_are_refused() {
    // Finding: `linux-loader /dev/zero` never finished; a FIFO blocked.
    let fifo = scratch("fifo");
    let _ = std::fs::remove_file(&fifo);
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (path, what) in [
        (PathBuf::from("/dev/zero"), "character device"),
        (fifo, "FIFO"),
        (std::env::temp_dir(), "directory"),
    ] {
        let t = Instant::now();
        let o = out(runner().arg(&path));
        let err = assert_one_line(&o, 127);
        assert!(
            err.contains("not a regular file") && err.contains(what),
            "{err}"
        );
        assert!(t.elapsed() < Duration::from_secs(10));
    }
    // A sparse file over the 1 GiB limit.
    let big = scratch("big.elf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len((1 << 30) + 1).unwrap();
    let err = assert_one_line(&out(runner().arg(&big)), 127);
    assert!(err.contains("limit"), "{err}");
    let _ = std::fs::remove_file(&big);
}

/// Replaces the first occurrence of `from` in `elf` with `to` (same
/// length).
fn patched(elf: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = elf
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern in the ELF");
    let mut e = elf.to_vec();
    e[at..at + to.len()].copy_from_slice(to);
    e
}

#[test]
fn load_errors_say_what_is_wrong_without_raw_bytes() {
    let elf = std::fs::read(args_elf()).unwrap();
    // Finding: raw ELF bytes reached the terminal.
    let bad = scratch("ctl.elf");
    std::fs::write(&bad, patched(&elf, b"zx_debug_write", b"zx_debug_\x1bwrit")).unwrap();
    let err = assert_one_line(&out(runner().arg(&bad)), 127);
    assert!(
        err.contains("undefined symbol: zx_debug_\\x1bwrit"),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
    // Finding: an empty name for a broken string table.
    std::fs::write(&bad, patched(&elf, b"zx_debug_write", b"\0x_debug_write")).unwrap();
    let err = assert_one_line(&out(runner().arg(&bad)), 127);
    assert!(
        err.contains("has no name in the dynamic string table"),
        "{err}"
    );
    // Finding: goblin's jargon for a truncated file.
    std::fs::write(&bad, &elf[..100]).unwrap();
    let err = assert_one_line(&out(runner().arg(&bad)), 127);
    assert!(err.contains("truncated or malformed ELF"), "{err}");
    assert!(!err.contains("too big"), "{err}");
    // Finding: a Linux program got "undefined symbol: free".
    for linux in ["/bin/ls", "/bin/true", "/usr/bin/env"] {
        if Path::new(linux).exists() {
            let err = assert_one_line(&out(runner().arg(linux)), 127);
            assert!(err.contains("Linux program"), "{err}");
        }
    }
    // The path is escaped too.
    let weird = scratch("a\x07b");
    std::fs::write(&weird, b"junk").unwrap();
    let err = assert_one_line(&out(runner().arg(&weird)), 127);
    assert!(!err.contains('\x07'), "{err:?}");
}

#[test]
fn oversize_arguments_name_the_limit() {
    // Finding: `args: ZX_ERR_OUT_OF_RANGE (-14)`.
    let big = "x".repeat(70_000);
    let err = assert_one_line(&out(runner().arg(args_elf()).arg(&big)), 127);
    assert!(
        err.contains("65536") && err.contains("ZX_CHANNEL_MAX_MSG_BYTES"),
        "{err}"
    );
}

#[test]
fn address_space_limit_is_explained() {
    // Finding: under `ulimit -v` every guest failed with ZX_ERR_NO_MEMORY.
    let o = out(Command::new("sh").arg("-c").arg(format!(
        "ulimit -v 4000000 && exec {}",
        env!("CARGO_BIN_EXE_linux-loader")
    )));
    let err = assert_one_line(&o, 127);
    assert!(err.contains("ulimit -v"), "{err}");
    // The frame file under `ulimit -f` (it used to die of SIGXFSZ).
    let o = out(Command::new("sh").arg("-c").arg(format!(
        "ulimit -f 1000 && exec {}",
        env!("CARGO_BIN_EXE_linux-loader")
    )));
    let err = assert_one_line(&o, 127);
    assert!(
        err.contains("frame file") && err.contains("ulimit -f"),
        "{err}"
    );
}

#[test]
fn threads_faulting_at_once_print_one_line() {
    // Finding: two threads faulting at once sometimes printed two lines.
    for _ in 0..5 {
        let o = out(runner().arg(helper()).args(["fault2", "8"]));
        assert_eq!(o.status.code(), Some(254));
        let err = text(&o.stderr);
        assert_eq!(err.matches("fatal").count(), 1, "{err}");
    }
    let o = out(runner().arg("--quiet").arg(helper()).args(["fault2", "2"]));
    assert_eq!(o.status.code(), Some(254));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn signals_from_other_processes_take_their_default_action() {
    use std::os::unix::process::ExitStatusExt;
    // Finding: `kill -SEGV` printed "SIGSEGV at 0x<pid> outside every guest
    // window". Now: the default action, no line.
    // (Not SIGINT: a shell without job control starts background jobs
    // with it ignored, and the runner rightly keeps that.)
    for sig in ["SEGV", "BUS", "TERM"] {
        let child = runner()
            .arg(helper())
            .arg("sleep")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success());
        let o = child.wait_with_output().unwrap();
        let err = text(&o.stderr);
        assert!(o.status.signal().is_some(), "{sig}: {:?} {err}", o.status);
        assert!(!err.contains("outside every guest window"), "{sig}: {err}");
    }
}

#[test]
fn output_errors_are_reported() {
    // Finding: output to a full or closed stdout was dropped with status 0.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = runner()
        .arg(helper())
        .args(["print", "10"])
        .stdout(full)
        .output()
        .unwrap();
    let err = assert_one_line(&o, 1);
    assert!(err.contains("error writing the guest's output"), "{err}");
}

#[test]
fn a_closed_pipe_is_reported() {
    // The reader of stdout has gone: EPIPE (SIGPIPE is ignored by Rust
    // programs), reported like any other write error.
    let mut child = runner()
        .arg(helper())
        .args(["print", "2000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = assert_one_line(&o, 1);
    assert!(
        err.contains("error writing the guest's output") && err.contains("pipe"),
        "{err}"
    );
}

#[test]
fn exit_code_file_records_the_full_return_code() {
    // Finding: 127 looked like a load failure and 250-255 like a kill.
    let elf = common::build("linux-loader/tests/guests/exit_code.c", &["-DCODE=383"]);
    let file = scratch("code");
    let o = out(runner().arg("--exit-code-file").arg(&file).arg(&elf));
    assert_eq!(o.status.code(), Some(127), "383 & 0xFF, as a load failure");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "383\n");
    let o = out(runner()
        .arg("--exit-code-file")
        .arg(&file)
        .arg(helper())
        .args(["fault2", "1"]));
    assert_eq!(o.status.code(), Some(254));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "-1028\n");
}

#[test]
fn trace_shows_decoded_syscalls() {
    let o = out(runner().arg("--trace"));
    assert_eq!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    let has = |s: &str| err.lines().any(|l| l.contains(s));
    assert!(has("[demo "), "{err}");
    assert!(has("vmo_create(size=16384, options=0x0, out=0x"), "{err}");
    assert!(has("vmar_map(handle=0x"), "{err}");
    assert!(has(" [vmar "), "handles show type and koid: {err}");
    assert!(has("PERM_READ|PERM_WRITE"), "options as flag names: {err}");
    assert!(has("debug_write(buffer=0x"), "{err}");
    assert!(err.contains(") = ZX_OK <0.0"), "status and time: {err}");
    assert!(has("= ZX_ERR_"), "{err}");
    assert!(has("process_exit(") && has("= ?"), "{err}");
    // The guest's own output is unchanged on stdout.
    assert!(text(&o.stdout).contains("hello from guest memory"));

    // A filter, and a file.
    let file = scratch("trace.txt");
    let o = out(runner()
        .arg("--trace=vmo,handle_close")
        .arg("--trace-output")
        .arg(&file));
    assert_eq!(o.status.code(), Some(0));
    assert!(!text(&o.stderr).contains("vmo_create("));
    let t = std::fs::read_to_string(&file).unwrap();
    assert!(
        t.contains("vmo_create(") && t.contains("handle_close("),
        "{t}"
    );
    for line in t.lines() {
        assert!(
            line.contains("] vmo_") || line.contains("] handle_close("),
            "filtered: {line}"
        );
    }
}

#[test]
fn trace_faults_shows_resolved_faults_and_exceptions() {
    let o = out(runner()
        .arg("--trace-faults")
        .arg(helper())
        .args(["fault2", "1"]));
    assert_eq!(o.status.code(), Some(254));
    let err = text(&o.stderr);
    assert!(
        err.contains("fault: write 0x") && err.contains(" resolved"),
        "{err}"
    );
    assert!(err.contains("exception: PageFault"), "{err}");
    assert!(
        !err.contains("vmo_create("),
        "syscalls only with --trace: {err}"
    );
}

/// Runs `linux-loader test` with `args`.
fn test_cmd(args: &[&OsStr]) -> Output {
    out(runner().arg("test").args(args))
}

#[test]
fn test_runner_reports_passes_failures_timeouts_and_crashes() {
    let dir = scratch("suite");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let pass = common::build("linux-loader/tests/guests/zxtest_sample.c", &[]);
    let fail = common::build(
        "linux-loader/tests/guests/zxtest_sample.c",
        &["-DSAMPLE_FAILS"],
    );
    std::fs::copy(&pass, dir.join("a_pass.elf")).unwrap();
    std::fs::copy(&fail, dir.join("sub/b_fail.elf")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an ELF: skipped").unwrap();

    let junit = scratch("junit.xml");
    let o = test_cmd(&[
        "-j".as_ref(),
        "2".as_ref(),
        "--junit".as_ref(),
        junit.as_os_str(),
        dir.as_os_str(),
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    // Plain progress lines (stderr is not a terminal here), and the failing
    // binary's output in full, the passing one's hidden.
    assert!(
        stderr.contains("] PASS") && stderr.contains("a_pass.elf"),
        "{stderr}"
    );
    assert!(
        stderr.contains("] FAIL") && stderr.contains("b_fail.elf"),
        "{stderr}"
    );
    assert!(stderr.contains("[  FAILED  ] Sample.Fails"), "{stderr}");
    assert!(!stderr.contains("a_pass.elf stdout"), "{stderr}");
    assert!(
        stdout.contains("binaries: 1 passed, 1 failed, 0 timed out, 0 crashed (2 total)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test cases: 4 passed, 1 failed, 0 skipped"),
        "{stdout}"
    );
    assert!(stdout.contains("slowest:"), "{stdout}");
    assert!(stdout.contains("Sample.Fails"), "{stdout}");
    assert!(stdout.contains("test result: FAILED."), "{stdout}");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.starts_with("<?xml"), "{x}");
    assert!(
        x.contains("<testsuites name=\"linux-loader test\" tests=\"5\" failures=\"1\""),
        "{x}"
    );
    assert!(x.contains("classname=\"Sample\" name=\"Fails\">"), "{x}");

    // gtest flags reach the binaries: filtering out the failing case passes.
    let o = test_cmd(&[dir.as_os_str(), "--gtest_filter=Sample.One".as_ref()]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}{}", text(&o.stderr));
    assert!(
        stdout.contains("test cases: 2 passed, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("test result: ok."), "{stdout}");

    // A timeout and a crash (arguments after `--` go to every binary).
    let t = Instant::now();
    let o = test_cmd(&[
        "--timeout".as_ref(),
        "1".as_ref(),
        helper().as_os_str(),
        "--".as_ref(),
        "sleep".as_ref(),
    ]);
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("0 failed, 1 timed out, 0 crashed"),
        "{}",
        text(&o.stdout)
    );
    let o = test_cmd(&[
        helper().as_os_str(),
        "--".as_ref(),
        "fault2".as_ref(),
        "1".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("0 timed out, 1 crashed"), "{stdout}");
    assert!(
        stdout.contains("ZX_TASK_RETCODE_EXCEPTION_KILL"),
        "{stdout}"
    );
}

#[test]
fn test_runner_draws_a_progress_bar_on_a_terminal() {
    // `script` gives the runner a terminal; skip where it is missing.
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("no /usr/bin/script: skipped");
        return;
    }
    let pass = common::build("linux-loader/tests/guests/zxtest_sample.c", &[]);
    let cmd = format!(
        "{} test {} {}",
        env!("CARGO_BIN_EXE_linux-loader"),
        pass.display(),
        pass.display()
    );
    let o = out(Command::new("/usr/bin/script").args(["-qec", &cmd, "/dev/null"]));
    let t = text(&o.stdout);
    if text(&o.stderr).contains("pseudo-terminal") || text(&o.stderr).contains("openpty") {
        eprintln!("no pseudo-terminal: skipped");
        return;
    }
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("0/2") && (t.contains("\x1b[") || t.contains('\r')),
        "a bar: {t:?}"
    );
    assert!(t.contains("test result: ok. 2 passed"), "{t}");
}

/// Processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.windows(marker.len()).any(|w| w == marker.as_bytes()))
        })
        .collect()
}

#[test]
fn a_killed_test_run_leaves_no_binary_running() {
    let marker = format!("zx-marker-{}", std::process::id());
    for sig in ["TERM", "KILL"] {
        let child = runner()
            .arg("test")
            .arg(helper())
            .args(["--", "sleep", &marker])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while processes_with(&marker).len() < 2 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(processes_with(&marker).len(), 2, "the run and its binary");
        assert!(Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success());
        let o = child.wait_with_output().unwrap();
        {
            use std::os::unix::process::ExitStatusExt;
            assert!(o.status.signal().is_some(), "{sig}: {:?}", o.status);
        }
        let t = Instant::now();
        while !processes_with(&marker).is_empty() && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            processes_with(&marker),
            Vec::<u32>::new(),
            "{sig}: a binary outlived the run"
        );
    }
}
