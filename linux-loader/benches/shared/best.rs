//! What the benches that run a timing program share: the best figure per
//! row over several runs.

use std::process::Command;

/// Runs `cmd()` `runs` times; each run prints `NAME NS` lines. Returns the
/// lowest NS per name, in the order the program prints them.
pub fn best_of(mut cmd: impl FnMut() -> Command, runs: usize) -> Vec<(String, f64)> {
    let mut best: Vec<(String, f64)> = Vec::new();
    for _ in 0..runs {
        let out = cmd().output().expect("run the bench program");
        assert!(
            out.status.success(),
            "bench program failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let (name, ns) = line.rsplit_once(' ').expect("a NAME NS line");
            let ns: f64 = ns.parse().expect("NS is a number");
            match best.iter_mut().find(|(n, _)| n == name) {
                Some((_, b)) => *b = b.min(ns),
                None => best.push((name.to_string(), ns)),
            }
        }
    }
    best
}
