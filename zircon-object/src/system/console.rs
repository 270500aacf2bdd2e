//! The kernel console's commands, as `zx_debug_send_command` runs them.
//!
//! Zircon hands the buffer to its kernel shell (`console_run_script`): one
//! command per line, words split on blanks, and the call's status is the
//! result of the last command run (an unknown command is -1,
//! `ZX_ERR_INTERNAL`). The emulator knows the one family of commands that
//! means something for it, the page scanner's reclamation, which Fuchsia's
//! tests send to force discardable VMOs out (`scanner reclaim_all`):
//!
//! * `scanner reclaim_all`: discards every reclaimable discardable VMO.
//! * `scanner reclaim <MB> [only_old]`: discards reclaimable VMOs until at
//!   least MB MiB are freed (here the same pass: there is no page age).
//! * the scanner's other subcommands (`dump`, `push_disable`,
//!   `pop_disable`, `rotate_queue`, `pt_reclaim`, `harvest_accessed`) have
//!   nothing to act on and succeed; an unknown subcommand succeeds as well,
//!   as the kernel's (which only prints its usage); `scanner` alone fails.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::vm::vmo::reclaim_discardable;
use crate::ZxError;

/// The result of the last command run, which a script without commands
/// reports again (the kernel shell keeps it in a global).
static LAST_RESULT: AtomicI32 = AtomicI32::new(0);

/// Runs `script` and returns the raw status of its last command.
pub fn run_script(script: &[u8]) -> i32 {
    let text = String::from_utf8_lossy(script);
    for line in text.split('\n') {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some((&command, args)) = words.split_first() {
            LAST_RESULT.store(run_command(command, args), Ordering::Relaxed);
        }
    }
    LAST_RESULT.load(Ordering::Relaxed)
}

/// Runs one command; returns its raw status.
fn run_command(command: &str, args: &[&str]) -> i32 {
    match command {
        "scanner" => match args.first() {
            None => ZxError::INTERNAL.into_raw(),
            Some(&"reclaim_all") | Some(&"reclaim") => {
                reclaim_discardable();
                0
            }
            Some(_) => 0,
        },
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_kernel_shell() {
        assert_eq!(run_script(b"scanner reclaim_all"), 0);
        assert_eq!(run_script(b"k scanner reclaim_all"), -1);
        assert_eq!(run_script(b"scanner"), ZxError::INTERNAL.into_raw());
        assert_eq!(run_script(b"scanner frobnicate"), 0);
        // The last command decides; an empty script repeats it.
        assert_eq!(run_script(b"nope\nscanner rotate_queue\n"), 0);
        assert_eq!(run_script(b"scanner rotate_queue\nnope"), -1);
        assert_eq!(run_script(b"  \n"), -1);
    }
}
