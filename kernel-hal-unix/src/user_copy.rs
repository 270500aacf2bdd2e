//! Fault-protected copies between host buffers and guest memory: the
//! lock-free first attempt of every syscall user copy (DESIGN.md decision
//! 5), and the raw copy of the locked path too.
//!
//! The copy itself is the assembly routine of `user_copy.S`. Before calling
//! it, [`protected_copy`] records in a thread-local *copy in progress*
//! marker the guest range it is about to touch; if a load or store of the
//! routine faults there (a page the host does not map, or not with the
//! needed access, or a frame-file page the host cannot supply: SIGBUS), the
//! fault handler sees the faulting instruction inside the routine and the
//! address inside the marked range, notes the address and rewrites the
//! interrupted RIP to the routine's fixup, which returns the number of bytes
//! not copied ([`fixup`]). The fault is never resolved from the handler:
//! the copy may run with the address-space lock held (the locked path),
//! and the caller resolves it afterwards in ordinary code, like a guest
//! fault, or gives up. No Rust frame is unwound or skipped: the routine is
//! a leaf and the handler returns into it.
//!
//! A fault on the host side of the copy (impossible: it is a Rust buffer),
//! or one in the routine with no copy marked (guest code that jumped
//! there), is not fixed up: it takes the fault handler's usual path.

use std::cell::Cell;
use std::sync::atomic::{compiler_fence, Ordering};

use libc::c_void;

thread_local! {
    /// The guest range `[lo, hi)` of the copy this thread has in progress;
    /// `(0, 0)` when none. Written only by [`protected_copy`], read by the
    /// fault handler on the same thread.
    static ACTIVE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// The guest address whose access stopped the last protected copy;
    /// written by [`fixup`].
    static FAULT_ADDR: Cell<usize> = const { Cell::new(0) };
}

extern "C" {
    /// `user_copy.S`: copies `len` bytes from `src` to `dst`; returns the
    /// bytes not copied.
    fn zx_hal_user_copy(dst: *mut u8, src: *const u8, len: usize) -> usize;
    /// First instruction that may fault.
    fn zx_hal_user_copy_begin();
    /// The fixup, just past the last instruction that may fault.
    fn zx_hal_user_copy_end();
}

/// Copies below this many bytes go eight bytes at a time; longer ones use
/// `rep movsb`.
const REP_MIN: usize = 64;

std::arch::global_asm!(include_str!("user_copy.S"), rep_min = const REP_MIN);

/// Copies `len` bytes from `src` to `dst`, exactly one of which is guest
/// memory starting at `guest`, with faults on the guest side turned into
/// an early return: `Ok` when everything was copied, else the number of
/// bytes copied and the guest address that faulted.
///
/// # Safety
///
/// The host side must be valid for `len` bytes (a Rust buffer the caller
/// borrows, not overlapping the guest side). The guest side,
/// `[guest, guest + len)`, must lie inside a window this crate holds, where
/// no Rust reference ever points (the page-table invariant): the bytes are
/// guest memory that guest threads may change concurrently, like memory
/// shared with another process, and no Rust value lives there.
pub(crate) unsafe fn protected_copy(
    dst: *mut u8,
    src: *const u8,
    len: usize,
    guest: usize,
) -> Result<(), (usize, usize)> {
    ACTIVE.set((guest, guest + len));
    // The marker must be in place before the first access, and stay until
    // the last; the call is opaque to the compiler anyway.
    compiler_fence(Ordering::SeqCst);
    // SAFETY: the host side is valid (caller); a fault on the guest side
    // ends in the fixup (marker set above), and the window holds no Rust
    // value (caller).
    let left = unsafe { zx_hal_user_copy(dst, src, len) };
    compiler_fence(Ordering::SeqCst);
    ACTIVE.set((0, 0));
    if left == 0 {
        Ok(())
    } else {
        Err((len - left, FAULT_ADDR.get()))
    }
}

/// Called by the fault handler for a SIGSEGV or SIGBUS with a fault address
/// in host code: if it interrupted the copy routine while this thread has a
/// copy in progress and `addr` lies in that copy's guest range, records the
/// address, sends the thread to the routine's fixup and returns `true`.
pub(crate) fn fixup(ctx: *mut c_void, addr: usize) -> bool {
    if ctx.is_null() {
        return false;
    }
    let (lo, hi) = ACTIVE.get();
    if !(lo..hi).contains(&addr) {
        return false;
    }
    // SAFETY: for an SA_SIGINFO handler the third argument points to the
    // `ucontext_t` the kernel saved; it lives until the handler returns,
    // and sigreturn loads the RIP we write.
    let uc = unsafe { &mut *ctx.cast::<libc::ucontext_t>() };
    let rip = &mut uc.uc_mcontext.gregs[libc::REG_RIP as usize];
    let begin = zx_hal_user_copy_begin as *const () as usize;
    let end = zx_hal_user_copy_end as *const () as usize;
    if !(begin..end).contains(&(*rip as usize)) {
        return false;
    }
    FAULT_ADDR.set(addr);
    *rip = end as i64;
    true
}
