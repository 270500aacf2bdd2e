//! Hardware abstraction for the Zircon LibOS.
//!
//! This crate holds *traits and plain data only*: it says what the kernel
//! objects in `zircon-object` may ask of "the machine", and nothing about how
//! Linux provides it. Two implementations exist:
//!
//! * `kernel-hal-unix` — the real one: physical memory is a sparse memfd (the
//!   frame file) and a page table is a window of the host address space in
//!   which guest pages are `mmap`ed from that memfd.
//! * [`fake`] — an in-memory recorder for unit tests that tracks every frame
//!   and every mapping, and detects leaks and double frees.
//!
//! The two contracts are [`PhysMem`] (allocate/free runs of frames, read,
//! write, zero them) and [`PageTable`] (map, unmap, protect and query *ranges*
//! of a per-process address window). [`Hal`] hands both out.
//!
//! Addresses: a [`PhysAddr`] is a byte offset into physical memory (for the
//! real HAL, an offset into the frame file); a [`VirtAddr`] is a guest
//! virtual address, which on the real HAL is also the host address.
#![deny(unsafe_code)]
#![warn(missing_docs)]

use std::sync::{Arc, Weak};

pub mod cpu;
pub mod fake;
pub mod range_map;

pub use cpu::{CpuException, ExceptionKind, FpuState, GeneralRegs, ThreadContext};

/// Size of a page (and of a frame) in bytes.
pub const PAGE_SIZE: usize = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: usize = 12;

/// A byte offset into physical memory.
pub type PhysAddr = usize;
/// A guest virtual address (equal to the host address on the real HAL).
pub type VirtAddr = usize;

/// Returns whether `x` is a multiple of [`PAGE_SIZE`].
pub const fn is_page_aligned(x: usize) -> bool {
    x.is_multiple_of(PAGE_SIZE)
}

/// Rounds `x` up to a page boundary, or `None` if that overflows.
pub const fn page_round_up(x: usize) -> Option<usize> {
    match x.checked_add(PAGE_SIZE - 1) {
        Some(v) => Some(v & !(PAGE_SIZE - 1)),
        None => None,
    }
}

/// Rounds `x` down to a page boundary.
pub const fn page_round_down(x: usize) -> usize {
    x & !(PAGE_SIZE - 1)
}

bitflags::bitflags! {
    /// Access permissions of a page-table entry.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MMUFlags: u32 {
        /// Readable.
        const READ = 1 << 0;
        /// Writable.
        const WRITE = 1 << 1;
        /// Executable.
        const EXECUTE = 1 << 2;
    }
}

/// What a faulting access tried to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFaultAccess {
    /// A load.
    Read,
    /// A store.
    Write,
    /// An instruction fetch.
    Execute,
}

impl PageFaultAccess {
    /// Returns the permission this access needs.
    pub fn required_flags(self) -> MMUFlags {
        match self {
            PageFaultAccess::Read => MMUFlags::READ,
            PageFaultAccess::Write => MMUFlags::WRITE,
            PageFaultAccess::Execute => MMUFlags::EXECUTE,
        }
    }
}

/// Errors a HAL operation can report. `zircon-object` converts them into
/// `ZxError` in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalError {
    /// Physical memory, address windows or host mappings are exhausted.
    NoMemory,
    /// An argument broke the method's contract (unaligned, out of the
    /// window, a range that wraps).
    InvalidArgs,
    /// The host refused an operation it should have accepted; carries errno.
    Host(i32),
}

/// Result type of HAL operations.
pub type HalResult<T = ()> = Result<T, HalError>;

/// Physical memory: a pool of frames handed out in contiguous runs.
///
/// Contract shared by every method: `paddr` and lengths passed to
/// `alloc`/`free`/`zero`/`copy` are page aligned unless stated otherwise, and
/// every range lies inside a run obtained from [`PhysMem::alloc_frames`] and
/// not yet freed. Implementations may panic on a contract violation (the
/// fake does, to catch bugs); they never corrupt another run.
pub trait PhysMem: Send + Sync {
    /// Allocates a run of `count` (> 0) contiguous frames and returns the
    /// address of the first. The run reads as zero and uses no host memory
    /// until written (it is *uncommitted*).
    fn alloc_frames(&self, count: usize) -> HalResult<PhysAddr>;

    /// Returns a run to the pool. `paddr`/`count` must be exactly a run from
    /// [`PhysMem::alloc_frames`]. Its contents are discarded and its memory
    /// goes back to the host. Nothing may map it any more.
    fn free_frames(&self, paddr: PhysAddr, count: usize);

    /// Copies `buf.len()` bytes starting at `paddr` (any alignment) into
    /// `buf`. Reading uncommitted memory yields zeros and commits nothing.
    fn read(&self, paddr: PhysAddr, buf: &mut [u8]) -> HalResult;

    /// Copies `buf` to physical memory at `paddr` (any alignment),
    /// committing the pages it touches.
    fn write(&self, paddr: PhysAddr, buf: &[u8]) -> HalResult;

    /// Makes `[paddr, paddr + len)` read as zero and releases the host
    /// memory of every whole page in it (decommit). `paddr` and `len` may be
    /// unaligned; partial pages are zeroed in place.
    fn zero(&self, paddr: PhysAddr, len: usize) -> HalResult;

    /// Commits the page-aligned range `[paddr, paddr + len)`: gives every
    /// page host memory without changing its contents.
    ///
    /// The default implementation zero-fills uncommitted pages one at a time;
    /// it is only correct when nothing writes the range concurrently, so
    /// implementations whose memory guests can touch should override it.
    fn commit(&self, paddr: PhysAddr, len: usize) -> HalResult {
        let zero = [0u8; PAGE_SIZE];
        for page in (paddr..paddr + len).step_by(PAGE_SIZE) {
            if self.committed_bytes(page, PAGE_SIZE) == 0 {
                self.write(page, &zero)?;
            }
        }
        Ok(())
    }

    /// Copies `len` bytes from `src` to `dst` (non-overlapping, page
    /// aligned), leaving uncommitted source pages uncommitted in `dst`.
    fn copy(&self, dst: PhysAddr, src: PhysAddr, len: usize) -> HalResult;

    /// Returns how many bytes of the page-aligned range `[paddr, paddr + len)`
    /// are committed (hold host memory).
    fn committed_bytes(&self, paddr: PhysAddr, len: usize) -> usize;
}

/// Whether a fault was resolved by the fault resolver.
pub trait FaultResolver: Send + Sync {
    /// Resolves a fault at `vaddr` by mapping what should be there, or
    /// reports why the access is not allowed. Called from the HAL's fault
    /// handler (on the real HAL: a SIGSEGV handler on an alternate stack)
    /// with no HAL lock held.
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError>;
}

/// Why a fault could not be resolved, in Zircon's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultError {
    /// No mapping at the address (`ZX_ERR_NOT_FOUND`).
    NotFound,
    /// The mapping does not allow the access (`ZX_ERR_ACCESS_DENIED`).
    AccessDenied,
    /// The address lies beyond the end of the mapped VMO
    /// (`ZX_ERR_OUT_OF_RANGE`).
    OutOfRange,
    /// Memory could not be allocated (`ZX_ERR_NO_MEMORY`).
    NoMemory,
    /// The page belongs to a user pager that has not supplied it yet
    /// (`ZX_ERR_SHOULD_WAIT`): not an error for the guest. The fault is
    /// taken out of the signal handler to the thread's host loop, which
    /// waits for the pager in ordinary code and retries the access.
    ShouldWait,
    /// A user pager failed the page (`zx_pager_op_range(ZX_PAGER_OP_FAIL)`)
    /// or is gone: the status it gave (`ZX_ERR_IO`, `ZX_ERR_IO_DATA_INTEGRITY`,
    /// `ZX_ERR_BAD_STATE`, `ZX_ERR_NO_SPACE`, `ZX_ERR_BUFFER_TOO_SMALL`).
    Pager(i32),
}

/// Why a lock-free user copy ([`PageTable::try_read_user`],
/// [`PageTable::try_write_user`]) stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserCopyStop {
    /// No lock-free copy for this range: nothing was copied; take the
    /// locked path.
    Unsupported,
    /// The access at `addr` faulted after the first `copied` bytes were
    /// copied (`addr` lies at or after `vaddr + copied`).
    Fault {
        /// Bytes copied before the fault.
        copied: usize,
        /// The guest address whose access faulted.
        addr: VirtAddr,
    },
}

/// A per-process page table: an address window in which guest pages are
/// mapped to frames.
///
/// Contract: every `vaddr`/`paddr`/`len` is page aligned, `len > 0`, and
/// `[vaddr, vaddr + len)` lies inside [`PageTable::window`]; otherwise the
/// method returns [`HalError::InvalidArgs`] and changes nothing. Pages of
/// the window that are not mapped are inaccessible: any access faults and
/// goes to the registered [`FaultResolver`]. Nothing outside the window is
/// ever touched. Dropping the table unmaps everything in the window.
pub trait PageTable: Send + Sync {
    /// Returns the window `(base, size)` this table manages.
    fn window(&self) -> (VirtAddr, usize);

    /// Maps `[vaddr, vaddr + len)` to the physically contiguous frames at
    /// `[paddr, paddr + len)` with `flags`, replacing whatever was mapped
    /// there. One call costs one host operation whatever `len` is.
    fn map(&self, vaddr: VirtAddr, paddr: PhysAddr, len: usize, flags: MMUFlags) -> HalResult;

    /// Makes `[vaddr, vaddr + len)` inaccessible again. Unmapping pages that
    /// are not mapped is allowed.
    fn unmap(&self, vaddr: VirtAddr, len: usize) -> HalResult;

    /// Changes the permissions of the mapped pages of `[vaddr, vaddr + len)`;
    /// pages that are not mapped stay inaccessible. One host operation per
    /// maximal mapped piece.
    fn protect(&self, vaddr: VirtAddr, len: usize, flags: MMUFlags) -> HalResult;

    /// Returns the frame and permissions `vaddr` (page aligned) maps to.
    fn query(&self, vaddr: VirtAddr) -> Option<(PhysAddr, MMUFlags)>;

    /// Copies `buf.len()` bytes of guest memory at `vaddr` (any alignment)
    /// into `buf` through the current mappings, if every byte lies in a page
    /// this table maps readable; otherwise copies nothing and returns
    /// `false` (the caller then goes through physical memory). Never
    /// crashes: on the real HAL a page the host cannot supply also answers
    /// `false`.
    fn read_mapped(&self, vaddr: VirtAddr, buf: &mut [u8]) -> bool {
        let _ = (vaddr, buf);
        false
    }

    /// Copies `buf` to guest memory at `vaddr` through the current mappings,
    /// if every byte lies in a page this table maps writable; otherwise
    /// copies nothing and returns `false` (or `false` after copying part of
    /// it, if a page the host cannot supply stops it). Never crashes.
    fn write_mapped(&self, vaddr: VirtAddr, buf: &[u8]) -> bool {
        let _ = (vaddr, buf);
        false
    }

    /// Copies `buf.len()` bytes of guest memory at `vaddr` into `buf`
    /// straight through the host's mapping, without any lock: the lock-free
    /// first attempt of a user copy. Succeeds only where the host already
    /// maps the pages readable; it never resolves anything. A page the host
    /// does not map that way stops the copy with
    /// [`UserCopyStop::Fault`] (the bytes before it are copied); a range
    /// this table offers no such copy for (outside its window, or a window
    /// that is not the calling thread's) is [`UserCopyStop::Unsupported`].
    /// Never touches memory outside the table's window, never crashes.
    fn try_read_user(&self, vaddr: VirtAddr, buf: &mut [u8]) -> Result<(), UserCopyStop> {
        let _ = (vaddr, buf);
        Err(UserCopyStop::Unsupported)
    }

    /// Copies `buf` to guest memory at `vaddr` straight through the host's
    /// mapping, as [`PageTable::try_read_user`] does (pages must be mapped
    /// writable by the host: a copy-on-write page stops it).
    fn try_write_user(&self, vaddr: VirtAddr, buf: &[u8]) -> Result<(), UserCopyStop> {
        let _ = (vaddr, buf);
        Err(UserCopyStop::Unsupported)
    }

    /// Registers who resolves faults in this window.
    fn set_fault_resolver(&self, resolver: Weak<dyn FaultResolver>);

    /// Returns how many host mapping operations (map, unmap, protect) this
    /// table has issued; for benchmarks and tests of the run-based design.
    fn host_ops(&self) -> u64;
}

/// The machine: physical memory and a factory of page tables.
pub trait Hal: Send + Sync + 'static {
    /// Returns the physical memory pool.
    fn phys(&self) -> &dyn PhysMem;

    /// Creates an empty page table owning a fresh address window.
    fn new_page_table(&self) -> HalResult<Box<dyn PageTable>>;

    /// Returns the number of frames in one chunk, the unit in which VMOs
    /// take physical memory (a power of two).
    fn chunk_frames(&self) -> usize {
        512
    }

    /// Returns how many bytes of physical memory guests can ever be given
    /// (`zx_system_get_physmem`): the size of the frame pool.
    fn physmem_bytes(&self) -> u64;

    /// Returns how many bytes of that memory guests hold now (committed
    /// frames): what the memory-pressure watchdog subtracts from
    /// [`Hal::physmem_bytes`] to find the free memory.
    fn used_memory_bytes(&self) -> u64;

    /// Returns the size in bytes of the machine's level-1 data cache line
    /// (`zx_system_get_dcache_line_size`).
    fn dcache_line_size(&self) -> u32;

    /// Returns what the host tells of each of its CPUs
    /// (`ZX_INFO_CPU_STATS`), one record per CPU, in CPU order.
    fn cpu_stats(&self) -> Vec<CpuStats>;
}

/// One CPU's statistics since boot, as far as the host keeps them (what it
/// does not keep is 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuStats {
    /// The CPU's number.
    pub cpu_number: u32,
    /// Nanoseconds idle.
    pub idle_ns: i64,
    /// Nanoseconds running anything.
    pub busy_ns: i64,
    /// Timer interrupts.
    pub timer_ints: u64,
    /// Other hardware interrupts.
    pub ints: u64,
    /// Rescheduling inter-processor interrupts.
    pub reschedule_ipis: u64,
    /// Other inter-processor interrupts (function calls).
    pub generic_ipis: u64,
}

/// A shared handle to a HAL implementation.
pub type HalRef = Arc<dyn Hal>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(page_round_up(0), Some(0));
        assert_eq!(page_round_up(1), Some(PAGE_SIZE));
        assert_eq!(page_round_up(PAGE_SIZE), Some(PAGE_SIZE));
        assert_eq!(page_round_up(usize::MAX - PAGE_SIZE + 2), None);
        assert_eq!(page_round_down(PAGE_SIZE + 5), PAGE_SIZE);
        assert!(is_page_aligned(0) && !is_page_aligned(7));
    }
}
