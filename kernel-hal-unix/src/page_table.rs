//! Page tables: windows of the host address space in which guest pages are
//! `mmap`ed from the frame file.
//!
//! Layout (DESIGN.md decision 2): window `i` is
//! `[WINDOW_BASE + i * WINDOW_SIZE, + WINDOW_SIZE)` for `i < MAX_WINDOWS`.
//! A [`WindowPool`] reserves a window `PROT_NONE` with
//! `MAP_FIXED_NOREPLACE` (a slot that anything else already uses is
//! skipped), hands it to one [`UnixPageTable`], and takes it back when the
//! table drops: the whole window is turned back into the reservation (never
//! `munmap`ed) and kept on a free list for the next table. So, while a
//! window is held, no host allocation can ever land inside it.
//!
//! Inside a window (decision 3), a `map` is one `mmap(MAP_SHARED |
//! MAP_FIXED)` of the memfd, an `unmap` is one `mmap` restoring the
//! reservation, and a `protect` is one `mprotect`, whatever the length.
//! A [`RunMap`] records what is mapped, so that `query` needs no system
//! call and `protect` can refuse ranges that are not entirely mapped (it
//! must never make the anonymous reservation accessible).
//!
//! Invariants:
//! * every host mapping inside a held window is either the reservation or a
//!   memfd mapping recorded in the table's `RunMap` with the same
//!   protection;
//! * no Rust reference ever points into a window: guest memory is touched
//!   only by guest code, raw accessors and the kernel (`pread`, probes,
//!   and fault-protected copies: `try_read_user`/`try_write_user` without
//!   a lock, `read_mapped`/`write_mapped` under `runs`, which `MAP_FIXED`
//!   calls also hold). This is what makes them sound.
//!
//! Locks: `UnixPageTable::runs` and `WindowPool::inner` are leaves, never
//! held together nor with the fault registry lock (see `fault.rs`). `runs`
//! is held across the host call so the host mappings and the bookkeeping
//! change together; since guest code never holds it, a resolver running in
//! the fault handler may take it.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use kernel_hal::{
    is_page_aligned, page_round_down, FaultResolver, HalError, HalResult, MMUFlags, PageTable,
    PhysAddr, UserCopyStop, VirtAddr,
};

use crate::phys::host_err;
use crate::resolver;
use crate::runs::{Run, RunMap};
use crate::sys;
use crate::user_copy;

/// Address of window 0.
pub const WINDOW_BASE: usize = 0x2_0000_0000;
/// log2 of [`WINDOW_SIZE`].
pub const WINDOW_SHIFT: u32 = 40;
/// Size of every window: 1 TiB.
pub const WINDOW_SIZE: usize = 1 << WINDOW_SHIFT;
/// Number of window slots; the last one ends below the 128 TiB top of the
/// x86-64 user address space.
pub const MAX_WINDOWS: usize = 126;

/// Returns the slot of the window containing `addr`, if any.
pub(crate) fn window_slot(addr: usize) -> Option<usize> {
    let slot = addr.checked_sub(WINDOW_BASE)? >> WINDOW_SHIFT;
    (slot < MAX_WINDOWS).then_some(slot)
}

/// Returns the base address of window `slot`.
pub(crate) fn slot_base(slot: usize) -> usize {
    WINDOW_BASE + (slot << WINDOW_SHIFT)
}

/// Converts permissions into `mmap`/`mprotect` protection bits.
fn prot_of(flags: MMUFlags) -> libc::c_int {
    let mut prot = libc::PROT_NONE;
    if flags.contains(MMUFlags::READ) {
        prot |= libc::PROT_READ;
    }
    if flags.contains(MMUFlags::WRITE) {
        prot |= libc::PROT_WRITE;
    }
    if flags.contains(MMUFlags::EXECUTE) {
        prot |= libc::PROT_EXEC;
    }
    prot
}

#[derive(Debug, Default)]
struct WindowPoolInner {
    /// Slots we hold reserved and no table uses.
    free: Vec<usize>,
    /// Bit `i` set: we hold slot `i` (in use or on `free`).
    held: u128,
    /// Slots in use by live tables.
    live: usize,
}

/// The windows one HAL holds; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct WindowPool {
    /// Protected by this mutex; never held across a fault.
    inner: Mutex<WindowPoolInner>,
}

impl WindowPool {
    fn lock(&self) -> MutexGuard<'_, WindowPoolInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands out a reserved window slot: a recycled one, else a newly
    /// reserved one.
    fn acquire(&self) -> HalResult<usize> {
        let mut inner = self.lock();
        if let Some(slot) = inner.free.pop() {
            inner.live += 1;
            return Ok(slot);
        }
        for slot in 0..MAX_WINDOWS {
            if inner.held & (1 << slot) != 0 {
                continue;
            }
            match sys::reserve_noreplace(slot_base(slot), WINDOW_SIZE) {
                Ok(()) => {
                    inner.held |= 1 << slot;
                    inner.live += 1;
                    return Ok(slot);
                }
                // Taken by someone else (another HAL, a library, the heap).
                Err(libc::EEXIST) => continue,
                Err(libc::ENOMEM) => continue,
                Err(e) => return Err(HalError::Host(e)),
            }
        }
        Err(HalError::NoMemory)
    }

    /// Takes back a slot whose table is gone, restoring the reservation.
    fn release(&self, slot: usize) {
        // SAFETY: we hold this window (bit set in `held`) and its table is
        // being dropped, so nothing else manages it, and no Rust reference
        // points into a window (module invariant).
        let restored = unsafe { sys::reserve_fixed(slot_base(slot), WINDOW_SIZE) };
        let mut inner = self.lock();
        inner.live -= 1;
        match restored {
            Ok(()) => inner.free.push(slot),
            Err(e) => {
                // Should not happen (replacing mappings needs no memory); do
                // not reuse a window whose state we do not know.
                inner.held &= !(1 << slot);
                log::error!("kernel-hal-unix: cannot restore window {slot} (errno {e})");
            }
        }
    }

    /// Returns the number of windows owned by live tables.
    pub(crate) fn live(&self) -> usize {
        self.lock().live
    }
}

impl Drop for WindowPool {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        debug_assert_eq!(inner.live, 0, "tables keep their pool alive");
        for &slot in &inner.free {
            // SAFETY: the slot is one of our reservations and no table uses
            // it (it is on the free list and the pool is going away).
            if let Err(e) = unsafe { sys::munmap(slot_base(slot), WINDOW_SIZE) } {
                log::error!("kernel-hal-unix: munmap of window {slot} failed (errno {e})");
            }
        }
    }
}

/// A page table owning one window; implements [`PageTable`].
#[derive(Debug)]
pub struct UnixPageTable {
    /// Slot of the window (immutable).
    slot: usize,
    /// Base address of the window (immutable).
    base: VirtAddr,
    /// The frame file this table maps (immutable).
    memfd: Arc<OwnedFd>,
    /// Size of the frame file, to refuse frames past its end (immutable).
    frame_file_size: usize,
    /// Where the window goes back when the table drops.
    pool: Arc<WindowPool>,
    /// What is mapped. Protected by this mutex, which is also held across
    /// the host call that changes the mapping.
    runs: Mutex<RunMap>,
    /// Host mapping operations issued.
    host_ops: AtomicU64,
}

impl UnixPageTable {
    /// Creates a table owning a fresh window from `pool`.
    pub(crate) fn new(
        pool: &Arc<WindowPool>,
        memfd: Arc<OwnedFd>,
        frame_file_size: usize,
    ) -> HalResult<Self> {
        let slot = pool.acquire()?;
        Ok(UnixPageTable {
            slot,
            base: slot_base(slot),
            memfd,
            frame_file_size,
            pool: pool.clone(),
            runs: Mutex::new(RunMap::default()),
            host_ops: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, RunMap> {
        // Nothing panics with the guard held, and the map is consistent
        // between statements anyway.
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks the page-table contract for `[vaddr, vaddr + len)` and
    /// returns its end.
    fn check(&self, vaddr: VirtAddr, len: usize) -> HalResult<VirtAddr> {
        let end = vaddr.checked_add(len).ok_or(HalError::InvalidArgs)?;
        if !is_page_aligned(vaddr)
            || !is_page_aligned(len)
            || len == 0
            || vaddr < self.base
            || end > self.base + WINDOW_SIZE
        {
            return Err(HalError::InvalidArgs);
        }
        Ok(end)
    }

    /// Returns the page-rounded end of the byte range `[vaddr, vaddr + len)`
    /// if it is non-empty and inside the window.
    fn byte_range(&self, vaddr: VirtAddr, len: usize) -> Option<VirtAddr> {
        let end = vaddr.checked_add(len)?;
        let window_end = self.base + WINDOW_SIZE;
        if len == 0 || vaddr < self.base || end > window_end {
            return None;
        }
        Some(kernel_hal::page_round_up(end)?.min(window_end))
    }

    /// Returns whether the lock-free copies may touch `[vaddr, vaddr +
    /// len)`: it lies inside this window, and the calling thread is not
    /// bound to another process's window (a guest thread copies only its
    /// own process's memory; host threads, which run no guest code, may
    /// copy any table they hold).
    fn own_range(&self, vaddr: VirtAddr, len: usize) -> bool {
        let in_window = vaddr >= self.base
            && vaddr
                .checked_add(len)
                .is_some_and(|end| end <= self.base + WINDOW_SIZE);
        in_window && crate::thread_block::bound_window_slot().is_none_or(|s| s == self.slot)
    }

    fn count_op(&self) {
        self.host_ops.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns the number of mapped runs (host mappings) in the window.
    pub fn mapped_runs(&self) -> usize {
        self.lock().len()
    }

    /// Returns the number of mapped bytes in the window.
    pub fn mapped_bytes(&self) -> usize {
        self.lock().mapped_bytes()
    }
}

impl PageTable for UnixPageTable {
    fn window(&self) -> (VirtAddr, usize) {
        (self.base, WINDOW_SIZE)
    }

    fn map(&self, vaddr: VirtAddr, paddr: PhysAddr, len: usize, flags: MMUFlags) -> HalResult {
        let end = self.check(vaddr, len)?;
        let frames_fit = matches!(paddr.checked_add(len), Some(e) if e <= self.frame_file_size);
        if !is_page_aligned(paddr) || !frames_fit {
            return Err(HalError::InvalidArgs);
        }
        let mut runs = self.lock();
        self.count_op();
        // SAFETY: `check` put the range inside our window, which we hold,
        // and no Rust reference points into a window (module invariant).
        let mapped = unsafe {
            sys::map_shared_fixed(vaddr, len, prot_of(flags), self.memfd.as_fd(), paddr as u64)
        };
        match mapped {
            Ok(()) => {
                runs.insert(vaddr, Run { len, paddr, flags });
                Ok(())
            }
            Err(e) => {
                // A failed MAP_FIXED may have removed the old mapping
                // already; put the reservation back so that the window has
                // no gap, and forget the range.
                self.count_op();
                // SAFETY: as above.
                let _ = unsafe { sys::reserve_fixed(vaddr, len) };
                runs.remove(vaddr, end);
                Err(host_err(e))
            }
        }
    }

    fn unmap(&self, vaddr: VirtAddr, len: usize) -> HalResult {
        let end = self.check(vaddr, len)?;
        let mut runs = self.lock();
        self.count_op();
        // SAFETY: `check` put the range inside our window, which we hold,
        // and no Rust reference points into a window (module invariant).
        unsafe { sys::reserve_fixed(vaddr, len) }.map_err(host_err)?;
        runs.remove(vaddr, end);
        Ok(())
    }

    fn protect(&self, vaddr: VirtAddr, len: usize, flags: MMUFlags) -> HalResult {
        let end = self.check(vaddr, len)?;
        let mut runs = self.lock();
        // Only mapped pages change; the reservation in the holes must stay
        // inaccessible.
        for (lo, hi) in runs.mapped_pieces(vaddr, end) {
            self.count_op();
            // SAFETY: `[lo, hi)` is inside our window and entirely memfd
            // mappings (the bookkeeping matches the host by the module
            // invariant), and no Rust reference points into it.
            unsafe { sys::mprotect(lo, hi - lo, prot_of(flags)) }.map_err(host_err)?;
            runs.set_flags(lo, hi, flags);
        }
        Ok(())
    }

    fn read_mapped(&self, vaddr: VirtAddr, buf: &mut [u8]) -> bool {
        let Some(end) = self.byte_range(vaddr, buf.len()) else {
            return false;
        };
        let runs = self.lock();
        if !runs.covers_with(vaddr, end, MMUFlags::READ) {
            return false;
        }
        // SAFETY: the source lies in our window (`byte_range`), which we
        // hold and where no Rust reference points (module invariant): the
        // bytes are guest memory that guest threads may change
        // concurrently, like memory shared with another process, and `buf`
        // cannot overlap it. Every byte is mapped readable and holding
        // `runs` keeps it so; what can still fault (a frame-file page the
        // host cannot supply: SIGBUS) ends the copy early.
        unsafe { user_copy::protected_copy(buf.as_mut_ptr(), vaddr as *const u8, buf.len(), vaddr) }
            .is_ok()
    }

    fn write_mapped(&self, vaddr: VirtAddr, buf: &[u8]) -> bool {
        let Some(end) = self.byte_range(vaddr, buf.len()) else {
            return false;
        };
        let runs = self.lock();
        if !runs.covers_with(vaddr, end, MMUFlags::WRITE) {
            return false;
        }
        // SAFETY: as in `read_mapped`, with every destination byte in a
        // page the host maps writable; nothing aliases the stores.
        unsafe { user_copy::protected_copy(vaddr as *mut u8, buf.as_ptr(), buf.len(), vaddr) }
            .is_ok()
    }

    fn try_read_user(&self, vaddr: VirtAddr, buf: &mut [u8]) -> Result<(), UserCopyStop> {
        if !self.own_range(vaddr, buf.len()) {
            return Err(UserCopyStop::Unsupported);
        }
        // SAFETY: the source lies in our window (`own_range`), which we
        // hold (the table is alive) and where no Rust reference points
        // (module invariant); `buf` is a Rust buffer outside every window.
        // Without `runs`, the mapping may change under the copy: each load
        // then either reads the old frame (the unmap or protect has not
        // finished: Linux flushes every CPU's TLB before the call returns,
        // and frames are only freed after it) or faults and ends the copy,
        // exactly as a load of a guest thread racing the same change.
        unsafe { user_copy::protected_copy(buf.as_mut_ptr(), vaddr as *const u8, buf.len(), vaddr) }
            .map_err(|(copied, addr)| UserCopyStop::Fault { copied, addr })
    }

    fn try_write_user(&self, vaddr: VirtAddr, buf: &[u8]) -> Result<(), UserCopyStop> {
        if !self.own_range(vaddr, buf.len()) {
            return Err(UserCopyStop::Unsupported);
        }
        // SAFETY: as in `try_read_user`, for stores: a store racing an
        // unmap lands in the old frame before the unmap returns (and so
        // before the frame can be freed or reused) or faults.
        unsafe { user_copy::protected_copy(vaddr as *mut u8, buf.as_ptr(), buf.len(), vaddr) }
            .map_err(|(copied, addr)| UserCopyStop::Fault { copied, addr })
    }

    fn query(&self, vaddr: VirtAddr) -> Option<(PhysAddr, MMUFlags)> {
        if vaddr < self.base || vaddr - self.base >= WINDOW_SIZE {
            return None;
        }
        self.lock().lookup(page_round_down(vaddr))
    }

    fn set_fault_resolver(&self, resolver: Weak<dyn FaultResolver>) {
        resolver::register_resolver(self.slot, Some(resolver));
    }

    fn host_ops(&self) -> u64 {
        self.host_ops.load(Ordering::Relaxed)
    }
}

impl Drop for UnixPageTable {
    fn drop(&mut self) {
        resolver::register_resolver(self.slot, None);
        self.pool.release(self.slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots() {
        assert_eq!(window_slot(WINDOW_BASE - 1), None);
        assert_eq!(window_slot(WINDOW_BASE), Some(0));
        assert_eq!(window_slot(WINDOW_BASE + WINDOW_SIZE), Some(1));
        assert_eq!(
            window_slot(slot_base(MAX_WINDOWS - 1) + WINDOW_SIZE - 1),
            Some(MAX_WINDOWS - 1)
        );
        assert_eq!(window_slot(slot_base(MAX_WINDOWS)), None);
        assert!(slot_base(MAX_WINDOWS) <= 0x7fff_ffff_f000);
    }

    #[test]
    fn prot_bits() {
        assert_eq!(prot_of(MMUFlags::empty()), libc::PROT_NONE);
        assert_eq!(
            prot_of(MMUFlags::READ | MMUFlags::EXECUTE),
            libc::PROT_READ | libc::PROT_EXEC
        );
        assert_eq!(prot_of(MMUFlags::WRITE), libc::PROT_WRITE);
    }
}
