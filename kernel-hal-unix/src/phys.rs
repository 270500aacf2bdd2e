//! Physical memory: the frame file.
//!
//! [`FramePool`] implements [`PhysMem`] on one sparse memfd (DESIGN.md
//! decision 1). A physical address is a byte offset into that file; the file
//! is `ftruncate`d to [`FRAME_FILE_SIZE`] up front, which costs nothing until
//! pages are written. Page tables map pieces of the same file, so a frame's
//! contents are shared by every mapping of it and by `read`/`write` here.
//!
//! * Allocation is bookkeeping only ([`FrameAllocator`]): first fit over a
//!   map of free runs (coalesced on free), else a bump pointer. A fresh run
//!   is a hole in the file and reads as zero.
//! * Freeing and zeroing punch holes (`fallocate(PUNCH_HOLE)`), so host
//!   memory really goes back; partial pages are zeroed in place by the same
//!   call (documented in `fallocate(2)`), and a partial page that is a hole
//!   stays a hole.
//! * `read`/`write` are `pread`/`pwrite`; reading a hole commits nothing.
//! * `copy` and `committed_bytes` walk the data extents of the file with
//!   `lseek(SEEK_DATA / SEEK_HOLE)`, so holes stay holes.
//!
//! Accounting is host truth: `committed_bytes` and
//! [`FramePool::host_allocated_bytes`] report what the host holds. One known
//! difference from Zircon (DESIGN.md decision 4): the *first read* of a hole
//! through a shared mapping makes Linux allocate a zeroed page, where Zircon
//! would map its shared zero page; such pages are counted as committed until
//! decommitted or freed. Reads through [`PhysMem::read`] never commit.
//!
//! Locking: only the allocator is behind a mutex (`FramePool::alloc`); file
//! I/O needs no lock because callers own the runs they touch. A run being
//! freed is removed from the live set, punched with no lock held, and only
//! then put on the free list, so nobody can be handed frames that are still
//! being punched.

use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use kernel_hal::range_map::{RangeMap, Separate};
use kernel_hal::{is_page_aligned, HalError, HalResult, PhysAddr, PhysMem, PAGE_SIZE};

use crate::sys;

/// The largest frame file: 1 TiB of address space for frames.
pub const FRAME_FILE_SIZE: usize = 1 << 40;

/// The environment variable that sets how much memory guests may use, in
/// bytes (with an optional `K`, `M` or `G` suffix).
pub const GUEST_MEMORY_ENV: &str = "ZX_LIBOS_GUEST_MEMORY";

/// Returns the size of the frame file a HAL gets: every frame guests can
/// ever hold lies in it, so it caps the host memory they can use. The
/// default is half the machine's RAM (at least 256 MiB, at most
/// [`FRAME_FILE_SIZE`]), so a guest that commits without end gets
/// `ZX_ERR_NO_MEMORY` instead of waking Linux's out-of-memory killer,
/// which would kill the host; [`GUEST_MEMORY_ENV`] overrides it.
pub fn frame_file_size() -> usize {
    const MIN: usize = 256 << 20;
    const CHUNK: usize = 2 << 20;
    let wanted = std::env::var(GUEST_MEMORY_ENV)
        .ok()
        .and_then(|v| parse_size(&v))
        .unwrap_or_else(|| {
            // SAFETY: sysconf has no preconditions.
            let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
            if pages > 0 {
                (pages as usize).saturating_mul(PAGE_SIZE) / 2
            } else {
                FRAME_FILE_SIZE
            }
        });
    (wanted.clamp(MIN, FRAME_FILE_SIZE) / CHUNK) * CHUNK
}

/// Parses `123`, `64K`, `512M` or `8G` (binary units), as
/// [`GUEST_MEMORY_ENV`] reads it; `None` if malformed or overflowing.
pub fn parse_size(v: &str) -> Option<usize> {
    let v = v.trim();
    let (num, shift) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 10),
        'm' | 'M' => (&v[..v.len() - 1], 20),
        'g' | 'G' => (&v[..v.len() - 1], 30),
        _ => (v, 0),
    };
    num.trim().parse::<usize>().ok()?.checked_mul(1 << shift)
}

/// Largest chunk moved by one `copy_file_range` or bounce copy.
const COPY_STEP: usize = 1 << 20;

/// Converts an errno into the HAL's error.
pub(crate) fn host_err(e: sys::Errno) -> HalError {
    match e {
        libc::ENOMEM | libc::ENOSPC => HalError::NoMemory,
        e => HalError::Host(e),
    }
}

/// Why a free was refused; every case is a kernel bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FreeError {
    /// No live run starts at that frame (double free or wild free).
    NotAllocated,
    /// A live run starts there but has another length.
    WrongLength {
        /// Frames in the live run.
        actual: usize,
    },
}

/// Frame bookkeeping, in frame numbers; pure data, see the module docs.
///
/// Invariants: live and free runs never overlap and lie below `next`; free
/// runs are coalesced (no two touch) and none touches `next` (it would have
/// been given back to the bump region); `allocated` is the sum of live runs.
#[derive(Debug)]
pub(crate) struct FrameAllocator {
    /// Live runs (frame numbers), one entry per allocation.
    live: RangeMap<Separate>,
    /// Free runs below `next` (frame numbers), coalesced.
    free: RangeMap<()>,
    /// First frame never handed out (or given back to the bump region).
    next: usize,
    /// Number of frames in the file.
    limit: usize,
    /// Frames in live runs.
    allocated: usize,
}

impl FrameAllocator {
    /// Creates an allocator of `limit` frames, all free.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            live: RangeMap::new(),
            free: RangeMap::new(),
            next: 0,
            limit,
            allocated: 0,
        }
    }

    /// Hands out `count` contiguous frames (first fit); `None` if none left.
    pub(crate) fn alloc(&mut self, count: usize) -> Option<usize> {
        assert!(count > 0, "kernel-hal-unix: empty frame allocation");
        let fit = self
            .free
            .iter()
            .find(|(r, _)| r.len() >= count)
            .map(|(r, _)| r.start);
        let start = match fit {
            Some(s) => {
                self.free.remove(s..s + count);
                s
            }
            None => {
                let s = self.next;
                if self.limit - s < count {
                    return None;
                }
                self.next = s + count;
                s
            }
        };
        self.live.insert(start..start + count, Separate);
        self.allocated += count;
        Some(start)
    }

    /// Takes the live run `[start, start + count)` out of the live set. The
    /// frames belong to no one until [`FrameAllocator::give_back`].
    pub(crate) fn take_live(&mut self, start: usize, count: usize) -> Result<(), FreeError> {
        match self.live.get(start) {
            Some((r, _)) if r.start == start && r.len() == count => {
                self.live.remove_starting_at(start);
                self.allocated -= count;
                Ok(())
            }
            Some((r, _)) if r.start == start => Err(FreeError::WrongLength { actual: r.len() }),
            _ => Err(FreeError::NotAllocated),
        }
    }

    /// Puts frames taken by [`FrameAllocator::take_live`] on the free list,
    /// coalescing with neighbours and with the bump region.
    pub(crate) fn give_back(&mut self, start: usize, count: usize) {
        self.free.insert(start..start + count, ());
        if let Some((joined, _)) = self.free.get(start) {
            if joined.end == self.next {
                self.free.remove_starting_at(joined.start);
                self.next = joined.start;
            }
        }
    }

    /// Returns the frames in live runs.
    pub(crate) fn allocated(&self) -> usize {
        self.allocated
    }

    /// Returns the number of free runs below the bump pointer.
    #[cfg(test)]
    pub(crate) fn free_runs(&self) -> usize {
        self.free.len()
    }

    /// Returns the bump pointer.
    #[cfg(test)]
    pub(crate) fn next(&self) -> usize {
        self.next
    }
}

/// The frame file and its allocator; implements [`PhysMem`].
#[derive(Debug)]
pub struct FramePool {
    /// The memfd; shared with page tables, which map it.
    fd: Arc<OwnedFd>,
    /// Size of the file in bytes (a multiple of the page size).
    size: usize,
    /// Frame bookkeeping. Protected by this mutex; held only for
    /// bookkeeping, never across I/O.
    alloc: Mutex<FrameAllocator>,
}

impl FramePool {
    /// Creates a frame file of `size` bytes (rounded down to whole pages),
    /// all of it free and uncommitted.
    pub fn new(size: usize) -> HalResult<FramePool> {
        let size = size & !(PAGE_SIZE - 1);
        if size == 0 {
            return Err(HalError::InvalidArgs);
        }
        let name = c"zircon-frames";
        // Ask for an executable memfd explicitly: with vm.memfd_noexec = 1
        // the default would be sealed non-executable and guest code could
        // not be mapped. Older kernels do not know MFD_EXEC (EINVAL).
        let fd = match sys::memfd_create(name, libc::MFD_CLOEXEC | libc::MFD_EXEC) {
            Err(libc::EINVAL) => sys::memfd_create(name, libc::MFD_CLOEXEC),
            r => r,
        }
        .map_err(host_err)?;
        // Past `ulimit -f` the ftruncate would raise SIGXFSZ and kill us.
        if sys::file_size_limit().is_some_and(|limit| limit < size as u64) {
            return Err(HalError::Host(libc::EFBIG));
        }
        sys::ftruncate(fd.as_fd(), size as u64).map_err(host_err)?;
        Ok(FramePool {
            fd: Arc::new(fd),
            size,
            alloc: Mutex::new(FrameAllocator::new(size / PAGE_SIZE)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, FrameAllocator> {
        // The allocator is consistent between statements, and we never panic
        // with the guard held, so a poisoned lock is still usable.
        self.alloc.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the number of frames in runs handed out and not freed.
    pub fn allocated_frames(&self) -> usize {
        self.lock().allocated()
    }

    /// Returns how many bytes the host really holds for the frame file
    /// (`st_blocks * 512`).
    pub fn host_allocated_bytes(&self) -> u64 {
        sys::fstat_blocks(self.fd.as_fd()).map_or(0, |b| b * 512)
    }

    /// Returns the memfd, for mapping it.
    pub fn memfd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Returns the size of the frame file in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Returns a shared handle to the memfd, so page tables keep the file
    /// open as long as they may map it.
    pub(crate) fn shared_fd(&self) -> Arc<OwnedFd> {
        self.fd.clone()
    }

    /// Checks that `[paddr, paddr + len)` lies inside the file.
    fn check_range(&self, paddr: PhysAddr, len: usize) -> HalResult {
        match paddr.checked_add(len) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(HalError::InvalidArgs),
        }
    }

    /// Calls `f(start, end)` for every data extent inside `[paddr, end)`.
    fn for_each_extent(
        &self,
        paddr: usize,
        end: usize,
        mut f: impl FnMut(usize, usize) -> HalResult,
    ) -> HalResult {
        let fd = self.fd.as_fd();
        let mut pos = paddr;
        while pos < end {
            let Some(data) = sys::seek_data(fd, pos as u64).map_err(host_err)? else {
                break;
            };
            let data = data as usize;
            if data >= end {
                break;
            }
            let hole = sys::seek_hole(fd, data as u64)
                .map_err(host_err)?
                .map_or(self.size, |h| h as usize);
            let stop = hole.min(end);
            f(data, stop)?;
            pos = stop;
        }
        Ok(())
    }

    /// Copies `[src, src + len)` to `dst` byte for byte, in the kernel if
    /// it can, else through a bounce buffer.
    fn copy_extent(&self, dst: usize, src: usize, len: usize) -> HalResult {
        let fd = self.fd.as_fd();
        let mut done = 0;
        while done < len {
            let step = (len - done).min(COPY_STEP);
            match sys::copy_file_range(fd, (src + done) as u64, (dst + done) as u64, step) {
                Ok(n) if n > 0 => done += n,
                Ok(_) | Err(libc::EXDEV | libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => {
                    return self.bounce_copy(dst + done, src + done, len - done);
                }
                Err(e) => return Err(host_err(e)),
            }
        }
        Ok(())
    }

    /// Copies through a user-space buffer (the `copy_file_range` fallback).
    fn bounce_copy(&self, dst: usize, src: usize, len: usize) -> HalResult {
        let mut buf = vec![0u8; len.min(COPY_STEP)];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(buf.len());
            self.read(src + done, &mut buf[..n])?;
            self.write(dst + done, &buf[..n])?;
            done += n;
        }
        Ok(())
    }
}

impl PhysMem for FramePool {
    fn alloc_frames(&self, count: usize) -> HalResult<PhysAddr> {
        if count == 0 {
            return Err(HalError::InvalidArgs);
        }
        let start = self.lock().alloc(count).ok_or(HalError::NoMemory)?;
        Ok(start * PAGE_SIZE)
    }

    fn free_frames(&self, paddr: PhysAddr, count: usize) {
        assert!(
            is_page_aligned(paddr) && count > 0,
            "kernel-hal-unix: free_frames({paddr:#x}, {count}) is not a run"
        );
        let first = paddr / PAGE_SIZE;
        // The guard is dropped before any panic, so the lock is not poisoned.
        let taken = self.lock().take_live(first, count);
        match taken {
            Ok(()) => {}
            Err(FreeError::NotAllocated) => panic!(
                "kernel-hal-unix: double free or wild free of frames at {paddr:#x} \
                 (count {count}): no live run starts there"
            ),
            Err(FreeError::WrongLength { actual }) => panic!(
                "kernel-hal-unix: freeing {count} frames at {paddr:#x}, \
                 but the run there has {actual}"
            ),
        }
        // Punching a hole only fails on a bad descriptor or range, both
        // impossible here; if it somehow does, the frames stay committed but
        // must still be reusable, and a fresh run must read as zero, so do
        // not hand them out again.
        match sys::punch_hole(self.fd.as_fd(), paddr as u64, (count * PAGE_SIZE) as u64) {
            Ok(()) => self.lock().give_back(first, count),
            Err(e) => log::error!(
                "kernel-hal-unix: punching freed frames {paddr:#x}+{count} failed \
                 (errno {e}); leaking them"
            ),
        }
    }

    fn read(&self, paddr: PhysAddr, buf: &mut [u8]) -> HalResult {
        self.check_range(paddr, buf.len())?;
        let mut done = 0;
        while done < buf.len() {
            match sys::pread(self.fd.as_fd(), &mut buf[done..], (paddr + done) as u64) {
                Ok(0) => return Err(HalError::Host(libc::EIO)),
                Ok(n) => done += n,
                Err(e) => return Err(host_err(e)),
            }
        }
        Ok(())
    }

    fn write(&self, paddr: PhysAddr, buf: &[u8]) -> HalResult {
        self.check_range(paddr, buf.len())?;
        let mut done = 0;
        while done < buf.len() {
            match sys::pwrite(self.fd.as_fd(), &buf[done..], (paddr + done) as u64) {
                Ok(0) => return Err(HalError::Host(libc::EIO)),
                Ok(n) => done += n,
                Err(e) => return Err(host_err(e)),
            }
        }
        Ok(())
    }

    fn zero(&self, paddr: PhysAddr, len: usize) -> HalResult {
        self.check_range(paddr, len)?;
        if len == 0 {
            return Ok(());
        }
        // One call: whole pages are deallocated, partial pages are zeroed in
        // place, and a partial page that is a hole is left a hole.
        sys::punch_hole(self.fd.as_fd(), paddr as u64, len as u64).map_err(host_err)
    }

    fn commit(&self, paddr: PhysAddr, len: usize) -> HalResult {
        if !is_page_aligned(paddr) || !is_page_aligned(len) {
            return Err(HalError::InvalidArgs);
        }
        self.check_range(paddr, len)?;
        if len == 0 {
            return Ok(());
        }
        // Populating never changes a byte, so it is safe while guests write
        // the same pages through their mappings.
        sys::populate_range(self.fd.as_fd(), paddr as u64, len).map_err(|e| match e {
            libc::ENOMEM | libc::ENOSPC | libc::EFAULT => HalError::NoMemory,
            e => host_err(e),
        })
    }

    fn copy(&self, dst: PhysAddr, src: PhysAddr, len: usize) -> HalResult {
        if !is_page_aligned(dst) || !is_page_aligned(src) || !is_page_aligned(len) {
            return Err(HalError::InvalidArgs);
        }
        self.check_range(dst, len)?;
        self.check_range(src, len)?;
        if len == 0 {
            return Ok(());
        }
        if dst < src + len && src < dst + len {
            return Err(HalError::InvalidArgs);
        }
        // Punch first, so that holes of the source are holes of the copy.
        sys::punch_hole(self.fd.as_fd(), dst as u64, len as u64).map_err(host_err)?;
        self.for_each_extent(src, src + len, |s, e| {
            self.copy_extent(dst + (s - src), s, e - s)
        })
    }

    fn committed_bytes(&self, paddr: PhysAddr, len: usize) -> usize {
        if self.check_range(paddr, len).is_err() {
            return 0;
        }
        let mut total = 0;
        // The closure never fails; a failing lseek reports what was counted.
        let _ = self.for_each_extent(paddr, paddr + len, |s, e| {
            total += e - s;
            Ok(())
        });
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64K"), Some(64 << 10));
        assert_eq!(parse_size(" 512m "), Some(512 << 20));
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn first_fit_and_coalescing() {
        let mut a = FrameAllocator::new(100);
        let x = a.alloc(10).unwrap();
        let y = a.alloc(5).unwrap();
        let z = a.alloc(5).unwrap();
        assert_eq!((x, y, z), (0, 10, 15));
        assert_eq!(a.allocated(), 20);
        a.take_live(x, 10).unwrap();
        a.give_back(x, 10);
        a.take_live(y, 5).unwrap();
        a.give_back(y, 5);
        assert_eq!(a.free_runs(), 1, "neighbouring free runs coalesce");
        // First fit reuses the hole.
        assert_eq!(a.alloc(12), Some(0));
        assert_eq!(a.alloc(3), Some(12));
        assert_eq!(a.alloc(1), Some(20));
        // Freeing the top gives frames back to the bump region.
        a.take_live(20, 1).unwrap();
        a.give_back(20, 1);
        a.take_live(z, 5).unwrap();
        a.give_back(z, 5);
        assert_eq!(a.next(), 15);
        assert_eq!(a.free_runs(), 0);
        assert_eq!(a.allocated(), 15);
    }

    #[test]
    fn exhaustion_and_bad_frees() {
        let mut a = FrameAllocator::new(8);
        assert_eq!(a.alloc(9), None);
        let x = a.alloc(8).unwrap();
        assert_eq!(a.alloc(1), None);
        assert_eq!(a.take_live(x, 4), Err(FreeError::WrongLength { actual: 8 }));
        assert_eq!(a.take_live(x + 1, 1), Err(FreeError::NotAllocated));
        a.take_live(x, 8).unwrap();
        assert_eq!(a.take_live(x, 8), Err(FreeError::NotAllocated));
    }

    /// Seeded random allocations and frees against a per-frame model: first
    /// fit over free runs and then the bump region is the lowest place the
    /// run fits, free runs stay coalesced and apart from live ones.
    #[test]
    fn random_ops_match_lowest_fit_model() {
        const LIMIT: usize = 96;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut a = FrameAllocator::new(LIMIT);
        let mut used = [false; LIMIT];
        let mut live: Vec<(usize, usize)> = Vec::new();
        for _ in 0..4000 {
            if live.is_empty() || rnd(2) == 0 {
                let count = 1 + rnd(12);
                let want = (0..=LIMIT - count).find(|&s| used[s..s + count].iter().all(|u| !u));
                assert_eq!(a.alloc(count), want, "alloc({count})");
                if let Some(s) = want {
                    used[s..s + count].fill(true);
                    live.push((s, count));
                }
            } else {
                let (s, count) = live.swap_remove(rnd(live.len()));
                a.take_live(s, count).unwrap();
                a.give_back(s, count);
                used[s..s + count].fill(false);
            }
            a.free.assert_invariants();
            a.live.assert_invariants();
            assert_eq!(a.allocated(), live.iter().map(|&(_, c)| c).sum::<usize>());
            for (r, _) in a.free.iter() {
                assert!(r.end < a.next(), "free run touches the bump region");
                assert!(a.live.overlapping(r.clone()).next().is_none());
            }
            assert!(a.live.iter().all(|(r, _)| r.end <= a.next()));
        }
    }
}
