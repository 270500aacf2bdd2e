//! The runner: `linux-loader PROGRAM [ARGS...]` runs a Zircon guest program
//! in this Linux process. With no arguments it runs the bundled demo guest.
//!
//! Text the guest writes with `zx_debug_write` goes to standard output. The
//! exit status is the guest's return code (its low 8 bits). Loader errors
//! exit with status 127 and one line on standard error.
#![deny(unsafe_code)]

use std::sync::Arc;

use kernel_hal::HalRef;
use linux_loader::{Loader, DEMO_GUEST};
use zircon_object::task::Job;

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
    std::process::exit((code & 0xFF) as i32);
}

fn program_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn fail(msg: &str) -> ! {
    eprintln!("linux-loader: {msg}");
    std::process::exit(EXIT_LOAD_FAILED);
}

#[allow(dead_code)]
fn unused(_: Arc<Job>, _: HalRef, _: Loader) {}
