//! Stress runs of threads and processes (`guests/stress_test.c`), and the
//! same guest in-process to check that nothing leaks on the host side:
//! frames, address windows, host threads and host mappings of guest memory.

mod common;

#[test]
fn stress_guest_passes() {
    common::run_zxtest("linux-loader/tests/guests/stress_test.c");
}
