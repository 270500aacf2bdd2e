//! The runner: `linux-loader PROGRAM [ARGS...]` runs a Zircon guest program
//! in this Linux process. With no arguments it runs the bundled demo guest.
//!
//! Text the guest writes with `zx_debug_write` goes to standard output. The
//! exit status is the guest's return code (its low 8 bits), except for a
//! process that was killed rather than exited: its `ZX_TASK_RETCODE_*`
//! maps to 250..=255 (see [`exit_status`]), and the reason was printed on
//! standard error. Loader errors exit with status 127 and one line on
//! standard error.
#![deny(unsafe_code)]

use linux_loader::DEMO_GUEST;

/// Status for "the program could not be loaded".
const EXIT_LOAD_FAILED: i32 = 127;

fn main() {
    env_logger::init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let (name, image) = if args.is_empty() {
        args.push("demo".into());
        ("demo".to_string(), DEMO_GUEST.to_vec())
    } else {
        match std::fs::read(&args[0]) {
            Ok(bytes) => (program_name(&args[0]), bytes),
            Err(e) => fail(&format!("cannot read {}: {e}", args[0])),
        }
    };
    let code = match linux_loader::runner::run_program(&name, &image, &args) {
        Ok(code) => code,
        Err(e) => fail(&format!("{}: {e}", args[0])),
    };
    std::process::exit(exit_status(code));
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

fn program_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn fail(msg: &str) -> ! {
    eprintln!("linux-loader: {msg}");
    std::process::exit(EXIT_LOAD_FAILED);
}
