//! Guest programs built with `sdk/zx-cc` and run end to end through the
//! runner: the ported Fuchsia core tests and the hostile-input tests.

mod common;

#[test]
fn vmar_core_tests() {
    common::run_zxtest("linux-loader/tests/guests/vmar_test.c");
}

#[test]
fn vmo_core_tests() {
    common::run_zxtest("linux-loader/tests/guests/vmo_test.c");
}

#[test]
fn bad_input_tests() {
    common::run_zxtest("linux-loader/tests/guests/bad_input_test.c");
}

#[test]
fn protect_core_tests() {
    common::run_zxtest("linux-loader/tests/guests/protect_test.c");
}

#[test]
fn signal_and_wait_tests() {
    common::run_zxtest("linux-loader/tests/guests/signal_test.c");
}

#[test]
fn thread_and_futex_tests() {
    common::run_zxtest("linux-loader/tests/guests/thread_test.c");
}

#[test]
fn process_start_tests() {
    common::run_zxtest("linux-loader/tests/guests/process_test.c");
}

#[test]
fn channel_call_and_ping_pong_tests() {
    common::run_zxtest("linux-loader/tests/guests/channel_test.c");
}

#[test]
fn port_tests() {
    common::run_zxtest("linux-loader/tests/guests/port_test.c");
}

#[test]
fn register_fs_tests() {
    common::run_zxtest("linux-loader/tests/guests/fs_test.c");
}

#[test]
fn probe_core_tests() {
    common::run_zxtest("linux-loader/tests/guests/probe_test.c");
}

#[test]
fn job_tests() {
    common::run_zxtest("linux-loader/tests/guests/job_test.c");
}

#[test]
fn exception_stress_tests() {
    common::run_zxtest("linux-loader/tests/guests/exception_stress_test.c");
}
