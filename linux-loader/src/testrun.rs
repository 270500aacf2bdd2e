//! `linux-loader test`: runs guest test binaries in parallel, each as its
//! own host process (`linux-loader BINARY FLAGS...`) with a timeout, shows
//! progress (a bar on a terminal, one line per binary otherwise), prints
//! the output of failing binaries in full, and ends with a summary; a
//! JUnit XML report for CI on request. The exit status is 0 only if every
//! binary passed, 1 otherwise, 2 for a usage error (no binaries found).
//! The binaries die with the test run (`--die-with-parent`): a test run
//! killed by SIGINT or SIGTERM leaves none running.
//!
//! Test cases are counted from zxtest's (and gtest's) lines:
//! `[       OK ] Suite.Name`, `[  FAILED  ] Suite.Name`,
//! `[  SKIPPED ] Suite.Name`.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;

/// Options of `linux-loader test`.
#[derive(Debug, Clone, Args)]
pub struct TestArgs {
    /// Run N binaries at once (default: the number of CPUs)
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
    /// Kill a binary that runs longer than SECONDS
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = parse_seconds)]
    pub timeout: Duration,
    /// Show the output of passing binaries too
    #[arg(short, long)]
    pub verbose: bool,
    /// Write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Passed to every binary: run only the tests matching PATTERNS
    /// (zxtest/gtest syntax, e.g. 'Vmo*:-*Slow')
    #[arg(long = "gtest_filter", value_name = "PATTERNS")]
    pub gtest_filter: Option<String>,
    /// Passed to every binary (gtest's repeat count)
    #[arg(long = "gtest_repeat", value_name = "N")]
    pub gtest_repeat: Option<i64>,
    /// Test binaries, or directories searched for ELF files
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// More arguments for every binary, after `--`
    #[arg(last = true, value_name = "GUEST_ARGS")]
    pub guest_args: Vec<OsString>,
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e9 => Ok(Duration::from_secs_f64(v)),
        _ => Err("expected a positive number of seconds".into()),
    }
}

/// How a binary ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exit status 0.
    Passed,
    /// Another exit status (the runner's: see `linux-loader --help`).
    Failed(i32),
    /// Killed after the timeout.
    TimedOut,
    /// The guest was killed (status 250–255) or the runner died of a signal.
    Crashed(String),
}

/// Test cases counted from a binary's output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cases {
    /// Names of passed cases.
    pub passed: Vec<String>,
    /// Names of failed cases.
    pub failed: Vec<String>,
    /// Names of skipped cases.
    pub skipped: Vec<String>,
}

/// Counts zxtest/gtest case lines in `stdout`.
pub fn parse_cases(stdout: &str) -> Cases {
    let mut c = Cases::default();
    for line in stdout.lines() {
        // A case line may end in gtest's " (N ms)".
        let name = |tag: &str| {
            line.strip_prefix(tag).map(|n| {
                let n = n.trim();
                match n.rsplit_once(" (") {
                    Some((name, time)) if time.ends_with(" ms)") => name.to_string(),
                    _ => n.to_string(),
                }
            })
        };
        if let Some(n) = name("[       OK ]") {
            c.passed.push(n);
        } else if let Some(n) = name("[  FAILED  ]") {
            // gtest repeats failures in its closing list ("N tests, listed
            // below"): count each name once.
            if !n.is_empty() && !n.contains(" test") && !c.failed.contains(&n) {
                c.failed.push(n);
            }
        } else if let Some(n) = name("[  SKIPPED ]") {
            if !n.is_empty() && !n.contains(" test") {
                c.skipped.push(n);
            }
        }
    }
    c
}

/// One binary's run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The binary.
    pub path: PathBuf,
    /// How it ended.
    pub verdict: Verdict,
    /// How long it ran.
    pub elapsed: Duration,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Its test cases.
    pub cases: Cases,
}

/// Finds the binaries: files as given; in directories (recursively,
/// sorted), every regular file that starts with the ELF magic.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
            if out.len() == before {
                return Err(format!(
                    "{}: no ELF test binaries in this directory",
                    p.display()
                ));
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, out)?;
        } else if meta.is_file() && is_elf(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn is_elf(p: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(p)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"\x7fELF"
}

/// Runs one binary through `runner` with `flags`, killing it after
/// `timeout`.
pub fn run_one(runner: &Path, path: &Path, flags: &[OsString], timeout: Duration) -> Outcome {
    let start = Instant::now();
    let child = Command::new(runner)
        .arg(format!("--die-with-parent={}", std::process::id()))
        .arg(path)
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                path: path.to_path_buf(),
                verdict: Verdict::Crashed(format!("cannot start {}: {e}", runner.display())),
                elapsed: start.elapsed(),
                stdout: String::new(),
                stderr: String::new(),
                cases: Cases::default(),
            }
        }
    };
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let elapsed = start.elapsed();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let verdict = if timed_out {
        Verdict::TimedOut
    } else {
        use std::os::unix::process::ExitStatusExt;
        match status {
            Some(s) if s.code() == Some(0) => Verdict::Passed,
            Some(s) => match (s.code(), s.signal()) {
                (Some(c @ 250..=255), _) => Verdict::Crashed(format!(
                    "guest killed, status {c} ({})",
                    match c {
                        250 => "ZX_TASK_RETCODE_SYSCALL_KILL",
                        251 => "ZX_TASK_RETCODE_OOM_KILL",
                        252 => "ZX_TASK_RETCODE_POLICY_KILL",
                        253 => "ZX_TASK_RETCODE_VDSO_KILL",
                        254 => "ZX_TASK_RETCODE_EXCEPTION_KILL",
                        _ => "ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL",
                    }
                )),
                (Some(c), _) => Verdict::Failed(c),
                (None, Some(sig)) => Verdict::Crashed(format!("runner killed by signal {sig}")),
                (None, None) => Verdict::Crashed("no exit status".into()),
            },
            None => Verdict::Crashed("lost track of the process".into()),
        }
    };
    let cases = parse_cases(&stdout);
    Outcome {
        path: path.to_path_buf(),
        verdict,
        elapsed,
        stdout,
        stderr,
        cases,
    }
}

fn label(v: &Verdict) -> &'static str {
    match v {
        Verdict::Passed => "PASS",
        Verdict::Failed(_) => "FAIL",
        Verdict::TimedOut => "TIMEOUT",
        Verdict::Crashed(_) => "CRASH",
    }
}

fn describe(o: &Outcome) -> String {
    let what = match &o.verdict {
        Verdict::Passed => String::new(),
        Verdict::Failed(c) => format!(", exit status {c}"),
        Verdict::TimedOut => ", timed out".into(),
        Verdict::Crashed(why) => format!(", {why}"),
    };
    let cases = o.cases.passed.len() + o.cases.failed.len();
    format!(
        "{:<7} {} ({:.2}s, {cases} case{}{what})",
        label(&o.verdict),
        o.path.display(),
        o.elapsed.as_secs_f64(),
        if cases == 1 { "" } else { "s" },
    )
}

/// The full output of a binary, for a failure (or `-v`).
fn full_output(o: &Outcome) -> String {
    let mut s = format!("---- {} stdout ----\n{}", o.path.display(), o.stdout);
    if !s.ends_with('\n') {
        s.push('\n');
    }
    if !o.stderr.is_empty() {
        s.push_str(&format!(
            "---- {} stderr ----\n{}",
            o.path.display(),
            o.stderr
        ));
        if !s.ends_with('\n') {
            s.push('\n');
        }
    }
    s
}

/// Where progress goes: a bar on a terminal, plain lines otherwise.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines { done: usize, total: usize },
}

impl Progress {
    fn new(total: usize) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            Progress::Bar(bar)
        } else {
            Progress::Lines { done: 0, total }
        }
    }

    /// Reports a finished binary: its line, and its output if `show`.
    fn finished(&mut self, o: &Outcome, show: bool, failures: usize) {
        let mut text = describe(o);
        text.push('\n');
        if show {
            text.push_str(&full_output(o));
        }
        match self {
            Progress::Bar(bar) => {
                bar.suspend(|| {
                    let _ = std::io::stderr().write_all(text.as_bytes());
                });
                bar.inc(1);
                if failures > 0 {
                    bar.set_message(format!("{failures} failed"));
                }
            }
            Progress::Lines { done, total } => {
                *done += 1;
                let width = total.to_string().len();
                let _ = write!(std::io::stderr(), "[{done:>width$}/{total}] {text}");
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Runs the binaries of `args` with the runner `runner` and reports;
/// returns the outcomes in the order the binaries were found.
pub fn run_all(runner: &Path, binaries: Vec<PathBuf>, args: &TestArgs) -> Vec<Outcome> {
    let mut flags: Vec<OsString> = Vec::new();
    if let Some(f) = &args.gtest_filter {
        flags.push(format!("--gtest_filter={f}").into());
    }
    if let Some(n) = args.gtest_repeat {
        flags.push(format!("--gtest_repeat={n}").into());
    }
    flags.extend(args.guest_args.iter().cloned());
    let jobs = args
        .jobs
        .map(NonZeroUsize::get)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
        .min(binaries.len().max(1));
    let total = binaries.len();
    let queue: Mutex<VecDeque<(usize, PathBuf)>> =
        Mutex::new(binaries.into_iter().enumerate().collect());
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; total]);
    let progress = Arc::new(Mutex::new((Progress::new(total), 0usize)));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((i, path)) = next else { break };
                let o = run_one(runner, &path, &flags, args.timeout);
                {
                    let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
                    let failed = o.verdict != Verdict::Passed;
                    p.1 += usize::from(failed);
                    let failures = p.1;
                    p.0.finished(&o, failed || args.verbose, failures);
                }
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(o);
            });
        }
    });
    progress
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .0
        .finish();
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// The closing summary.
pub fn summary(outcomes: &[Outcome], wall: Duration) -> String {
    let count = |f: &dyn Fn(&Verdict) -> bool| outcomes.iter().filter(|o| f(&o.verdict)).count();
    let passed = count(&|v| *v == Verdict::Passed);
    let failed = count(&|v| matches!(v, Verdict::Failed(_)));
    let timed_out = count(&|v| *v == Verdict::TimedOut);
    let crashed = count(&|v| matches!(v, Verdict::Crashed(_)));
    let cases = |f: &dyn Fn(&Cases) -> usize| outcomes.iter().map(|o| f(&o.cases)).sum::<usize>();
    let mut s = String::new();
    s.push_str(&format!(
        "\nbinaries: {passed} passed, {failed} failed, {timed_out} timed out, {crashed} crashed ({} total)\n",
        outcomes.len()
    ));
    s.push_str(&format!(
        "test cases: {} passed, {} failed, {} skipped\n",
        cases(&|c| c.passed.len()),
        cases(&|c| c.failed.len()),
        cases(&|c| c.skipped.len())
    ));
    let mut slow: Vec<&Outcome> = outcomes.iter().collect();
    slow.sort_by_key(|o| std::cmp::Reverse(o.elapsed));
    if !slow.is_empty() {
        s.push_str("slowest:");
        for o in slow.iter().take(3) {
            s.push_str(&format!(
                " {} ({:.2}s)",
                o.path.file_name().unwrap_or_default().to_string_lossy(),
                o.elapsed.as_secs_f64()
            ));
        }
        s.push('\n');
    }
    let bad: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.verdict != Verdict::Passed)
        .collect();
    if !bad.is_empty() {
        s.push_str("failures:\n");
        for o in &bad {
            s.push_str(&format!("    {}\n", describe(o)));
            for c in &o.cases.failed {
                s.push_str(&format!("        {c}\n"));
            }
        }
    }
    s.push_str(&format!(
        "test result: {}. {passed} passed; {} failed; finished in {:.2}s\n",
        if bad.is_empty() { "ok" } else { "FAILED" },
        bad.len(),
        wall.as_secs_f64()
    ));
    s
}

/// Escapes text for XML (and drops the characters XML 1.0 cannot hold).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A JUnit XML report: one `<testsuite>` per binary, one `<testcase>` per
/// test case (classname = the suite, name = the test); a binary that failed
/// without a failed case (crash, timeout, bad status) gets a `<testcase>`
/// of its own with the `<failure>`.
pub fn junit(outcomes: &[Outcome]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = outcomes.iter().map(junit_cases).sum();
    let failures: usize = outcomes.iter().map(junit_failures).sum();
    let time: f64 = outcomes.iter().map(|o| o.elapsed.as_secs_f64()).sum();
    s.push_str(&format!(
        "<testsuites name=\"linux-loader test\" tests=\"{tests}\" failures=\"{failures}\" time=\"{time:.3}\">\n"
    ));
    for o in outcomes {
        let name = o.path.display().to_string();
        s.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
            xml(&name),
            junit_cases(o),
            junit_failures(o),
            o.cases.skipped.len(),
            o.elapsed.as_secs_f64()
        ));
        let case = |s: &mut String, full: &str, body: &str| {
            let (class, test) = full.split_once('.').unwrap_or((&name, full));
            s.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"{}",
                xml(class),
                xml(test),
                if body.is_empty() {
                    "/>\n".to_string()
                } else {
                    format!(">\n{body}    </testcase>\n")
                }
            ));
        };
        for c in &o.cases.passed {
            case(&mut s, c, "");
        }
        for c in &o.cases.failed {
            case(&mut s, c, "      <failure message=\"test case failed\"/>\n");
        }
        for c in &o.cases.skipped {
            case(&mut s, c, "      <skipped/>\n");
        }
        if binary_failure_case(o) {
            let msg = match &o.verdict {
                Verdict::Failed(c) => format!("exit status {c}"),
                Verdict::TimedOut => "timed out".into(),
                Verdict::Crashed(why) => why.clone(),
                Verdict::Passed => String::new(),
            };
            case(
                &mut s,
                "(binary)",
                &format!("      <failure message=\"{}\"/>\n", xml(&msg)),
            );
        }
        s.push_str(&format!(
            "    <system-out>{}</system-out>\n    <system-err>{}</system-err>\n  </testsuite>\n",
            xml(&o.stdout),
            xml(&o.stderr)
        ));
    }
    s.push_str("</testsuites>\n");
    s
}

/// Whether a binary's failure is reported as a case of its own: it did
/// not pass, and no case of it failed.
fn binary_failure_case(o: &Outcome) -> bool {
    o.verdict != Verdict::Passed && o.cases.failed.is_empty()
}

fn junit_cases(o: &Outcome) -> usize {
    o.cases.passed.len()
        + o.cases.failed.len()
        + o.cases.skipped.len()
        + usize::from(binary_failure_case(o))
}

fn junit_failures(o: &Outcome) -> usize {
    o.cases.failed.len() + usize::from(binary_failure_case(o))
}

/// `linux-loader test`: returns the exit status.
pub fn main(args: TestArgs) -> i32 {
    let binaries = match collect(&args.paths) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("linux-loader test: {e}");
            return 2;
        }
    };
    let runner = match std::env::current_exe() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("linux-loader test: cannot find the runner's own executable: {e}");
            return 2;
        }
    };
    let start = Instant::now();
    let outcomes = run_all(&runner, binaries, &args);
    let text = summary(&outcomes, start.elapsed());
    let mut status = if outcomes.iter().all(|o| o.verdict == Verdict::Passed) {
        0
    } else {
        1
    };
    if let Err(e) = std::io::stdout().write_all(text.as_bytes()) {
        eprintln!("linux-loader test: cannot write the summary: {e}");
        status = 1;
    }
    if let Some(path) = &args.junit {
        if let Err(e) = std::fs::write(path, junit(&outcomes)) {
            eprintln!("linux-loader test: --junit {}: {e}", path.display());
            status = 1;
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_zxtest_and_gtest_lines() {
        let out = "[ RUN      ] A.b\n[       OK ] A.b\n[ RUN      ] A.c\n[  FAILED  ] A.c\n\
                   [  SKIPPED ] A.d\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] A.c\n";
        let c = parse_cases(out);
        assert_eq!(c.passed, ["A.b"]);
        assert_eq!(c.failed, ["A.c"]);
        assert_eq!(c.skipped, ["A.d"]);
    }

    #[test]
    fn junit_escapes_and_counts() {
        let o = Outcome {
            path: "t/<x>.elf".into(),
            verdict: Verdict::TimedOut,
            elapsed: Duration::from_millis(1500),
            stdout: "[       OK ] S.a&b\n\x01".into(),
            stderr: String::new(),
            cases: parse_cases("[       OK ] S.a&b\n"),
        };
        let x = junit(&[o]);
        assert!(x.contains("tests=\"2\" failures=\"1\""), "{x}");
        assert!(x.contains("name=\"a&amp;b\""), "{x}");
        assert!(x.contains("t/&lt;x&gt;.elf"), "{x}");
        assert!(x.contains("message=\"timed out\""), "{x}");
        assert!(!x.contains('\x01'), "{x}");
    }
}
