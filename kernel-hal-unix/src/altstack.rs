//! Per-thread alternate signal stacks: the fault handler runs the kernel's
//! VM code (the resolver), so every thread that runs guest code gets a
//! generous stack of its own for it, with a guard page below.

use std::cell::RefCell;

use libc::c_void;

use crate::sys;

/// Size of an alternate signal stack, without its guard page. The resolver
/// runs the kernel's VM code on it, so it is generous; it is only committed
/// as it is used.
const ALT_STACK_SIZE: usize = 256 * 1024;

thread_local! {
    /// This thread's alternate signal stack, if we installed one.
    static ALT_STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// Returns whether `addr` lies in the page below the current alternate
/// signal stack (its guard page, for stacks made by us or by Rust's std).
pub(crate) fn hits_alt_stack_guard(addr: usize) -> bool {
    let mut current = libc::stack_t {
        ss_sp: std::ptr::null_mut(),
        ss_flags: 0,
        ss_size: 0,
    };
    // SAFETY: querying the current alternate stack into a local;
    // sigaltstack is async-signal-safe.
    if unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } != 0 {
        return false;
    }
    let low = current.ss_sp as usize;
    current.ss_flags & libc::SS_DISABLE == 0 && addr < low && low - addr <= kernel_hal::PAGE_SIZE
}

/// An alternate signal stack owned by one thread: a guard page followed by
/// [`ALT_STACK_SIZE`] usable bytes.
#[derive(Debug)]
struct AltStack {
    /// Start of the mapping (the guard page).
    map_base: usize,
    /// Length of the mapping.
    map_len: usize,
}

impl AltStack {
    /// Maps a stack and installs it as this thread's alternate stack.
    fn install() -> Result<AltStack, sys::Errno> {
        let page = kernel_hal::PAGE_SIZE;
        let map_len = ALT_STACK_SIZE + page;
        let map_base = sys::map_anonymous(map_len)?;
        let stack = AltStack { map_base, map_len };
        // SAFETY: the guard page is part of the mapping we just made and
        // nothing references it.
        unsafe { sys::mprotect(map_base, page, libc::PROT_NONE) }?;
        let ss = libc::stack_t {
            ss_sp: (map_base + page) as *mut c_void,
            ss_flags: 0,
            ss_size: ALT_STACK_SIZE,
        };
        // SAFETY: `ss` describes memory we own for as long as it stays
        // installed (until `Drop` uninstalls it).
        if unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) } != 0 {
            return Err(sys::errno());
        }
        Ok(stack)
    }
}

impl Drop for AltStack {
    fn drop(&mut self) {
        let page = kernel_hal::PAGE_SIZE;
        let mut current = libc::stack_t {
            ss_sp: std::ptr::null_mut(),
            ss_flags: 0,
            ss_size: 0,
        };
        // SAFETY: querying the current alternate stack into a local.
        let queried = unsafe { libc::sigaltstack(std::ptr::null(), &mut current) } == 0;
        if !queried {
            // Unknown state: leak the stack rather than risk the kernel
            // using freed memory.
            return;
        }
        let ours = current.ss_sp as usize == self.map_base + page;
        if ours && current.ss_flags & libc::SS_DISABLE == 0 {
            if current.ss_flags & libc::SS_ONSTACK != 0 {
                return; // Running on it (cannot happen at thread exit).
            }
            let off = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            // SAFETY: disabling the alternate stack touches no memory.
            if unsafe { libc::sigaltstack(&off, std::ptr::null_mut()) } != 0 {
                return;
            }
        }
        // SAFETY: the mapping is ours and no longer the alternate stack.
        let _ = unsafe { sys::munmap(self.map_base, self.map_len) };
    }
}

/// Gives the calling thread an alternate signal stack for the fault
/// handler, if it has none of ours yet. Idempotent and cheap after the
/// first call.
///
/// Every thread that runs guest code must call it before doing so: Rust's
/// std gives each thread a small alternate stack of its own (a few KiB, for
/// its stack-overflow report) and the resolver, which runs the kernel's VM
/// code, can overflow that. A thread with no alternate stack at all runs
/// the handler on its normal stack, which also works. [`crate::global_hal`]
/// and [`crate::UnixHal::new_unix_page_table`] call it for their caller. On
/// failure a warning is logged and the thread keeps whatever stack it had.
pub fn ensure_alt_stack() {
    let _ = ALT_STACK.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            match AltStack::install() {
                Ok(s) => *slot = Some(s),
                Err(e) => log::warn!("kernel-hal-unix: no alternate signal stack (errno {e})"),
            }
        }
    });
}
