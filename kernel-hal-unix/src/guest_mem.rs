//! Guest memory touched directly by host code: non-faulting probes (the
//! kernel checks the access for us) and raw accessors that behave like
//! guest loads and stores (they may fault and go through the fault handler;
//! for tests and benchmarks).

use crate::page_table::window_slot;
use crate::sys;

/// Returns whether the host lets us read the byte at `addr`, without
/// faulting (the kernel reports `EFAULT` through `process_vm_readv`). Like
/// any read, it may commit a frame-file page.
pub fn host_probe_read(addr: usize) -> bool {
    sys::probe_read_byte(addr).is_some()
}

/// Returns whether the host lets us write the byte at `addr`, without
/// faulting: the byte is read and the same value written back through
/// `process_vm_writev`.
///
/// Only for quiescent guest memory: a concurrent store to the byte could be
/// lost, so it panics if `addr` is outside the guest windows (host memory
/// that Rust code owns).
pub fn host_probe_write(addr: usize) -> bool {
    assert!(
        window_slot(addr).is_some(),
        "host_probe_write({addr:#x}): only guest-window addresses may be probed for writing"
    );
    let Some(byte) = sys::probe_read_byte(addr) else {
        // Not readable. On x86 writable implies readable, but a write-only
        // mapping could exist elsewhere; there is no non-destructive write
        // probe for it, so report what we can prove.
        return false;
    };
    // SAFETY: `addr` is inside a guest window (asserted above), which no
    // Rust code owns, and we write back the value just read.
    unsafe { sys::probe_write_byte(addr, byte) }
}

/// Loads a byte from guest memory like guest code would: a plain volatile
/// load, which may fault and go through the fault handler.
///
/// # Safety
///
/// `addr` must be readable host memory that no Rust reference aliases
/// mutably, or lie in a guest window whose resolver makes it readable;
/// an unresolved fault kills the process.
pub unsafe fn guest_load_u8(addr: usize) -> u8 {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::read_volatile(addr as *const u8) }
}

/// Stores a byte to guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// `addr` must be writable host memory that no Rust reference aliases, or
/// lie in a guest window whose resolver makes it writable; an unresolved
/// fault kills the process.
pub unsafe fn guest_store_u8(addr: usize, v: u8) {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::write_volatile(addr as *mut u8, v) }
}

/// Loads a `u64` from guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// As for [`guest_load_u8`], for all 8 bytes; `addr` must be 8-byte
/// aligned.
pub unsafe fn guest_load_u64(addr: usize) -> u64 {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::read_volatile(addr as *const u64) }
}

/// Stores a `u64` to guest memory like guest code would; see
/// [`guest_load_u8`].
///
/// # Safety
///
/// As for [`guest_store_u8`], for all 8 bytes; `addr` must be 8-byte
/// aligned.
pub unsafe fn guest_store_u64(addr: usize, v: u64) {
    // SAFETY: guaranteed by the caller.
    unsafe { std::ptr::write_volatile(addr as *mut u64, v) }
}
