//! User pagers end to end (`guests/pager_test.c`): a pager thread serving
//! faults and syscalls of other threads, supply and fail, detach and the
//! pager's death under waiters, a kill of a thread waiting for a page, and
//! the 8-thread stresses (serving all, failing midway, dying midway).

mod common;

#[test]
fn pager_guest_passes() {
    common::run_zxtest("linux-loader/tests/guests/pager_test.c");
}
