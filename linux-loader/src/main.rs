//! The runner: `linux-loader [OPTIONS] PROGRAM [ARGS...]` runs a Zircon
//! guest program in this Linux process (with no program, the bundled demo
//! guest); `linux-loader test [OPTIONS] PATH...` runs guest test binaries.
//! `linux-loader --help` documents every option and the exit statuses.
#![deny(unsafe_code)]

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Args, Parser, Subcommand};
use linux_loader::testrun::TestArgs;
use linux_loader::DEMO_GUEST;

/// Status for "the program could not be loaded".
const EXIT_LOAD_FAILED: i32 = 127;
/// Status for a usage error (bad option or option value).
const EXIT_USAGE: i32 = 2;

/// The largest program file the runner reads (guest ELFs are small; this
/// keeps `/dev/zero`-like files from being read for ever).
const MAX_PROGRAM_SIZE: u64 = 1 << 30;

const EXIT_STATUS_HELP: &str = "\
EXIT STATUS:
  0-255    the guest's return code, its low 8 bits (so 127 and 250-255 can
           also be the guest's own codes: --exit-code-file records the full one)
  250-255  the guest was killed: ZX_TASK_RETCODE_SYSCALL_KILL (250), _OOM_KILL,
           _POLICY_KILL, _VDSO_KILL, _EXCEPTION_KILL (254: a fault nobody
           handled, with one line on stderr), _CRITICAL_PROCESS_KILL (255)
  127      the program could not be read or loaded (one line on stderr)
  2        usage error (one line on stderr)
  1        the guest's output could not be written (full disk, closed stdout)
           and the guest itself returned 0
  130/143  SIGINT/SIGTERM: the default action, which ends every guest with the runner

ENVIRONMENT:
  RUST_LOG               the emulator's log level (env_logger syntax), on stderr
  ZX_LIBOS_GUEST_MEMORY  what --memory sets, if --memory is not given
  ZX_LIBOS_OOM           memory-pressure watermarks, Zircon's kernel.oom.* names:
                         outofmemory-mb=50,imminent-oom-delta-mb=10,critical-mb=150,
                         warning-mb=300,debounce-mb=1,hysteresis-seconds=10 (defaults)";

/// Runs Zircon (Fuchsia) guest programs in this Linux process.
#[derive(Debug, Parser)]
#[command(
    name = "linux-loader",
    version,
    about = "Runs Zircon (Fuchsia) guest programs built with sdk/zx-cc or sdk/zx-c++ in this Linux process",
    long_about = None,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    after_help = EXIT_STATUS_HELP,
    override_usage = "linux-loader [OPTIONS] [PROGRAM [ARGS]...]\n       linux-loader test [OPTIONS] PATH... [-- GUEST_ARGS...]"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run guest test binaries (files, or directories of them) in parallel
    /// and summarize (`linux-loader test --help`). To run a program named
    /// `test`, write `./test`.
    Test(TestArgs),
}

/// Running one program.
#[derive(Debug, Args)]
struct RunArgs {
    /// Add KEY=VALUE to the guest's environment (repeatable)
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env())]
    env: Vec<Vec<u8>>,
    /// Start the guest with an empty environment (then only --env's)
    #[arg(long)]
    clear_env: bool,
    /// The guest process's name (ZX_PROP_NAME; default: the program's file name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Memory all guests together may commit, e.g. 512M or 8G (default: half
    /// the machine's RAM)
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    memory: Option<usize>,
    /// Do not print the line about a guest process killed by an unhandled
    /// exception (the exit status still says so)
    #[arg(short, long)]
    quiet: bool,
    /// Print each syscall (only those FILTER names: syscalls or families,
    /// e.g. --trace=vmar,vmo,channel_write) on stderr, strace-style
    #[arg(long, value_name = "FILTER", num_args = 0..=1, require_equals = true,
          default_missing_value = "all")]
    trace: Option<String>,
    /// Write trace lines to FILE instead of stderr
    #[arg(long, value_name = "FILE")]
    trace_output: Option<PathBuf>,
    /// Also trace page faults the emulator resolves, and exceptions
    #[arg(long)]
    trace_faults: bool,
    /// Write the guest's full return code (e.g. -1028) to FILE
    #[arg(long, value_name = "FILE")]
    exit_code_file: Option<PathBuf>,
    /// Die with the parent process PID (`linux-loader test` passes it to
    /// each binary it runs, so none outlives a killed test run)
    #[arg(long, value_name = "PID", hide = true)]
    die_with_parent: Option<u32>,
    /// The guest ELF (default: the bundled demo)
    #[arg(value_name = "PROGRAM")]
    program: Option<OsString>,
    /// Arguments for the guest, passed as they are (also `--` and `-x`)
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<OsString>,
}

/// Parses `--env KEY=VALUE`, as bytes (a value need not be UTF-8).
#[derive(Clone, Debug)]
struct EnvParser;

impl clap::builder::TypedValueParser for EnvParser {
    type Value = Vec<u8>;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Vec<u8>, clap::Error> {
        let b = value.as_bytes();
        match b.iter().position(|&c| c == b'=') {
            Some(i) if i > 0 => Ok(b.to_vec()),
            _ => Err(clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "invalid value '{}' for '{}': expected KEY=VALUE\n",
                    value.to_string_lossy().escape_debug(),
                    arg.map_or_else(|| "--env".to_string(), |a| a.to_string())
                ),
            )
            .with_cmd(cmd)),
        }
    }
}

fn parse_env() -> EnvParser {
    EnvParser
}

fn parse_memory(s: &str) -> Result<usize, String> {
    kernel_hal_unix::parse_size(s)
        .filter(|&n| n > 0)
        .ok_or_else(|| "expected a size such as 536870912, 512M or 8G".into())
}

fn main() {
    env_logger::init();
    let (options, guest_args) = split_guest_args(std::env::args_os().collect());
    let mut cli = match Cli::try_parse_from(options) {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
    };
    match cli.command {
        Some(Command::Test(t)) => std::process::exit(linux_loader::testrun::main(t)),
        None => {
            cli.run.args.extend(guest_args);
            run(cli.run)
        }
    }
}

/// Splits the command line after the program path: what comes after it
/// belongs to the guest untouched (clap would still take a `--` there).
/// The program is the first argument that is neither an option nor an
/// option's value (options that take a value are read from the parser's
/// own definition), or the one after a `--`.
fn split_guest_args(mut argv: Vec<OsString>) -> (Vec<OsString>, Vec<OsString>) {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let takes_value = |long: &str| {
        cmd.get_arguments().any(|a| {
            a.get_long() == Some(long)
                && a.get_action().takes_values()
                && !a.is_require_equals_set()
        })
    };
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_bytes();
        if a == b"--" {
            i += 1;
            break;
        }
        if i == 1 && a == b"test" {
            // The subcommand parses the rest itself.
            return (argv, Vec::new());
        }
        match a.strip_prefix(b"--") {
            Some(long) if !long.contains(&b'=') => {
                let long = String::from_utf8_lossy(long);
                i += if takes_value(&long) { 2 } else { 1 };
            }
            Some(_) => i += 1,
            None if a.len() > 1 && a[0] == b'-' => i += 1,
            None => break,
        }
    }
    // argv[i] is the program (if any); the rest is the guest's.
    let guest = if i + 1 < argv.len() {
        argv.split_off(i + 1)
    } else {
        Vec::new()
    };
    (argv, guest)
}

/// Prints clap's answer: help and version in full on stdout (status 0), a
/// usage error as one line (status 2).
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            std::process::exit(0);
        }
        _ => {
            let text = e.render().to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("bad usage")
                .trim_start_matches("error: ");
            fail(EXIT_USAGE, &format!("{line} (see linux-loader --help)"));
        }
    }
}

/// The first error writing the guest's output, if any.
static OUTPUT_ERROR: OnceLock<String> = OnceLock::new();

fn write_output(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        let _ = OUTPUT_ERROR.set(e.to_string());
    }
}

fn run(a: RunArgs) {
    if a.program.is_none() && !a.args.is_empty() {
        fail(EXIT_USAGE, "arguments given without a program");
    }
    if let Some(parent) = a.die_with_parent {
        if !kernel_hal_unix::die_with_parent(parent) {
            // The test runner is gone already.
            std::process::exit(EXIT_LOAD_FAILED);
        }
    }
    // The frame file's size is read from the environment when the HAL is
    // created, after this (no thread runs yet).
    match a.memory {
        Some(bytes) => std::env::set_var(kernel_hal_unix::GUEST_MEMORY_ENV, bytes.to_string()),
        None => {
            if let Some(v) = std::env::var_os(kernel_hal_unix::GUEST_MEMORY_ENV) {
                if v.to_str().and_then(kernel_hal_unix::parse_size).is_none() {
                    fail(
                        EXIT_USAGE,
                        &format!(
                            "{}={}: expected a size such as 512M or 8G",
                            kernel_hal_unix::GUEST_MEMORY_ENV,
                            linux_loader::escape(v.as_bytes())
                        ),
                    );
                }
            }
        }
    }
    if a.trace.is_some() || a.trace_faults {
        let filter = match a.trace.as_deref().map(linux_loader::trace::Filter::parse) {
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => fail(EXIT_USAGE, &e),
            None => None,
        };
        let out: Box<dyn Write + Send> = match &a.trace_output {
            Some(path) => match std::fs::File::create(path) {
                Ok(f) => Box::new(std::io::BufWriter::new(f)),
                Err(e) => fail(
                    EXIT_USAGE,
                    &format!("--trace-output {}: {e}", path.display()),
                ),
            },
            None => Box::new(std::io::stderr()),
        };
        linux_loader::trace::install(filter, a.trace_faults, out);
    } else if a.trace_output.is_some() {
        fail(EXIT_USAGE, "--trace-output needs --trace or --trace-faults");
    }
    linux_loader::runner::set_quiet(a.quiet);
    zircon_syscall::set_debug_sink(Some(write_output));

    let (shown, default_name, image) = match &a.program {
        None => ("demo".to_string(), "demo".to_string(), DEMO_GUEST.to_vec()),
        Some(path) => {
            let shown = path.to_string_lossy().into_owned();
            match read_program(Path::new(path)) {
                Ok(bytes) => (shown, program_name(path), bytes),
                Err(e) => fail(
                    EXIT_LOAD_FAILED,
                    &format!("cannot run {}: {e}", esc(&shown)),
                ),
            }
        }
    };
    let mut args: Vec<Vec<u8>> = vec![match &a.program {
        Some(p) => p.as_bytes().to_vec(),
        None => b"demo".to_vec(),
    }];
    args.extend(a.args.into_iter().map(OsStringExt::into_vec));
    let mut environ = if a.clear_env {
        Vec::new()
    } else {
        linux_loader::runner::host_environ()
    };
    for kv in a.env {
        let key = kv.split(|&b| b == b'=').next().unwrap_or(&[]).to_vec();
        environ.retain(|e| !e.starts_with(&key) || e.get(key.len()) != Some(&b'='));
        environ.push(kv);
    }
    let name = a.name.unwrap_or(default_name);
    let code = match linux_loader::runner::start_program_with_env(&name, &image, &args, &environ) {
        Ok(p) => linux_loader::runner::wait_for_exit(&p),
        Err(e) => fail(EXIT_LOAD_FAILED, &format!("{}: {e}", esc(&shown))),
    };
    if let Some(path) = &a.exit_code_file {
        if let Err(e) = std::fs::write(path, format!("{code}\n")) {
            eprintln!("linux-loader: --exit-code-file {}: {e}", path.display());
        }
    }
    let mut status = exit_status(code);
    if let Some(e) = OUTPUT_ERROR.get() {
        eprintln!("linux-loader: error writing the guest's output to stdout: {e}");
        if status == 0 {
            status = 1;
        }
    }
    std::process::exit(status);
}

/// Reads a program file: only a regular file of at most
/// [`MAX_PROGRAM_SIZE`] bytes (a FIFO would block, `/dev/zero` never ends).
fn read_program(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    // Opening a FIFO blocks until a writer comes: look before opening.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("not a regular file ({})", file_kind(&meta)));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("not a regular file ({})", file_kind(&meta)));
    }
    if meta.len() > MAX_PROGRAM_SIZE {
        return Err(format!(
            "{} bytes, over the runner's {} MiB limit for a program",
            meta.len(),
            MAX_PROGRAM_SIZE >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_PROGRAM_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_PROGRAM_SIZE {
        return Err(format!(
            "over the runner's {} MiB limit for a program",
            MAX_PROGRAM_SIZE >> 20
        ));
    }
    Ok(bytes)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// The runner's exit status for a guest return code: the low 8 bits, but a
/// kill is never mistaken for success: `ZX_TASK_RETCODE_SYSCALL_KILL`
/// (-1024) → 250, `_OOM_KILL` → 251, `_POLICY_KILL` → 252, `_VDSO_KILL` →
/// 253, `_EXCEPTION_KILL` (-1028) → 254, `_CRITICAL_PROCESS_KILL` → 255.
fn exit_status(code: i64) -> i32 {
    match code {
        -1029..=-1024 => 250 + (-1024 - code) as i32,
        _ => (code & 0xFF) as i32,
    }
}

/// The process name for a program path: its file name.
fn program_name(path: &OsString) -> String {
    let bytes = path.as_bytes();
    let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
    String::from_utf8_lossy(base).into_owned()
}

/// Escapes control characters of text shown in a message.
fn esc(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn fail(status: i32, msg: &str) -> ! {
    eprintln!("linux-loader: {msg}");
    std::process::exit(status);
}
