//! A fake HAL for unit tests: everything in ordinary memory, everything
//! recorded.
//!
//! [`FakeHal`] keeps physical memory as a sparse map of written frames and
//! each page table as a page-granular map. It panics on contract violations
//! (double free, freeing a run it never handed out, unaligned arguments) so
//! bugs in `zircon-object` show up as test failures, and it can report the
//! frames and windows still alive so tests can check for leaks. Guest
//! accesses are simulated with [`FakeHal::access`], which goes through the
//! registered [`FaultResolver`] exactly like a hardware fault would.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};

use crate::range_map::{RangeMap, Separate};
use crate::{
    is_page_aligned, FaultError, FaultResolver, Hal, HalError, HalResult, MMUFlags,
    PageFaultAccess, PageTable, PhysAddr, PhysMem, VirtAddr, PAGE_SIZE,
};

/// Size of each fake address window.
pub const FAKE_WINDOW_SIZE: usize = 1 << 40;
/// Base of the first fake address window.
pub const FAKE_WINDOW_BASE: usize = 0x2_0000_0000;

#[derive(Debug, Default)]
struct PhysState {
    /// Next never-used frame number.
    next_frame: usize,
    /// Live runs of frame numbers, one entry per allocation.
    runs: RangeMap<Separate>,
    /// Committed frames and their contents.
    pages: HashMap<usize, Box<[u8; PAGE_SIZE]>>,
    /// Runs handed back, reusable by an allocation of the same length; one
    /// entry per freed run.
    free: RangeMap<Separate>,
}

impl PhysState {
    fn check_live(&self, paddr: PhysAddr, len: usize) {
        let first = paddr / PAGE_SIZE;
        let last = (paddr + len.max(1) - 1) / PAGE_SIZE;
        let (run, _) = self
            .runs
            .get(first)
            .unwrap_or_else(|| panic!("fake HAL: access to unallocated frame {first:#x}"));
        assert!(
            last < run.end,
            "fake HAL: range {paddr:#x}+{len:#x} leaves its run {:#x}+{:#x}",
            run.start,
            run.len()
        );
    }
}

/// Fake physical memory; see the module docs.
#[derive(Debug, Default)]
pub struct FakePhysMem {
    /// Frames and their contents; protected by this mutex (a leaf).
    state: Mutex<PhysState>,
}

impl FakePhysMem {
    /// Returns the number of frames allocated and not yet freed.
    pub fn allocated_frames(&self) -> usize {
        self.state
            .lock()
            .unwrap()
            .runs
            .iter()
            .map(|(r, _)| r.len())
            .sum()
    }

    /// Returns the number of frames that hold data.
    pub fn committed_frames(&self) -> usize {
        self.state.lock().unwrap().pages.len()
    }
}

impl PhysMem for FakePhysMem {
    fn alloc_frames(&self, count: usize) -> HalResult<PhysAddr> {
        assert!(count > 0, "fake HAL: empty allocation");
        let mut st = self.state.lock().unwrap();
        let reuse = st
            .free
            .iter()
            .find(|(r, _)| r.len() == count)
            .map(|(r, _)| r.start);
        let start = match reuse {
            Some(s) => {
                st.free.remove_starting_at(s);
                s
            }
            None => {
                let s = st.next_frame;
                st.next_frame += count;
                s
            }
        };
        st.runs.insert(start..start + count, Separate);
        Ok(start * PAGE_SIZE)
    }

    fn free_frames(&self, paddr: PhysAddr, count: usize) {
        assert!(is_page_aligned(paddr), "fake HAL: unaligned free");
        let mut st = self.state.lock().unwrap();
        let first = paddr / PAGE_SIZE;
        match st.runs.get(first) {
            Some((run, _)) if run.start == first && run.len() == count => {
                st.runs.remove_starting_at(first);
            }
            Some((run, _)) if run.start == first => {
                panic!("fake HAL: freeing {count} frames of a run of {}", run.len())
            }
            _ => panic!("fake HAL: double free or wild free of frame {first:#x}"),
        }
        for f in first..first + count {
            st.pages.remove(&f);
        }
        st.free.insert(first..first + count, Separate);
    }

    fn read(&self, paddr: PhysAddr, buf: &mut [u8]) -> HalResult {
        let st = self.state.lock().unwrap();
        if buf.is_empty() {
            return Ok(());
        }
        st.check_live(paddr, buf.len());
        let mut done = 0;
        while done < buf.len() {
            let pa = paddr + done;
            let (frame, off) = (pa / PAGE_SIZE, pa % PAGE_SIZE);
            let n = (PAGE_SIZE - off).min(buf.len() - done);
            match st.pages.get(&frame) {
                Some(p) => buf[done..done + n].copy_from_slice(&p[off..off + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
        Ok(())
    }

    fn write(&self, paddr: PhysAddr, buf: &[u8]) -> HalResult {
        let mut st = self.state.lock().unwrap();
        if buf.is_empty() {
            return Ok(());
        }
        st.check_live(paddr, buf.len());
        let mut done = 0;
        while done < buf.len() {
            let pa = paddr + done;
            let (frame, off) = (pa / PAGE_SIZE, pa % PAGE_SIZE);
            let n = (PAGE_SIZE - off).min(buf.len() - done);
            let page = st
                .pages
                .entry(frame)
                .or_insert_with(|| Box::new([0; PAGE_SIZE]));
            page[off..off + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }
        Ok(())
    }

    fn zero(&self, paddr: PhysAddr, len: usize) -> HalResult {
        let mut st = self.state.lock().unwrap();
        if len == 0 {
            return Ok(());
        }
        st.check_live(paddr, len);
        let mut done = 0;
        while done < len {
            let pa = paddr + done;
            let (frame, off) = (pa / PAGE_SIZE, pa % PAGE_SIZE);
            let n = (PAGE_SIZE - off).min(len - done);
            if n == PAGE_SIZE {
                st.pages.remove(&frame);
            } else if let Some(p) = st.pages.get_mut(&frame) {
                p[off..off + n].fill(0);
            }
            done += n;
        }
        Ok(())
    }

    fn copy(&self, dst: PhysAddr, src: PhysAddr, len: usize) -> HalResult {
        assert!(is_page_aligned(dst) && is_page_aligned(src) && is_page_aligned(len));
        let mut st = self.state.lock().unwrap();
        if len == 0 {
            return Ok(());
        }
        st.check_live(src, len);
        st.check_live(dst, len);
        for i in 0..len / PAGE_SIZE {
            let s = src / PAGE_SIZE + i;
            let d = dst / PAGE_SIZE + i;
            match st.pages.get(&s).cloned() {
                Some(p) => {
                    st.pages.insert(d, p);
                }
                None => {
                    st.pages.remove(&d);
                }
            }
        }
        Ok(())
    }

    fn committed_bytes(&self, paddr: PhysAddr, len: usize) -> usize {
        let st = self.state.lock().unwrap();
        let first = paddr / PAGE_SIZE;
        (first..first + len / PAGE_SIZE)
            .filter(|f| st.pages.contains_key(f))
            .count()
            * PAGE_SIZE
    }
}

#[derive(Default)]
struct TableState {
    /// Virtual page number → (frame address, flags).
    entries: BTreeMap<usize, (PhysAddr, MMUFlags)>,
    resolver: Option<Weak<dyn FaultResolver>>,
    host_ops: u64,
}

/// A fake page table: a page-granular record of what is mapped where.
pub struct FakePageTable {
    base: VirtAddr,
    size: usize,
    /// The entries and the resolver; protected by this mutex (a leaf; the
    /// resolver is called with it released).
    state: Arc<Mutex<TableState>>,
    hal: Weak<FakeHalInner>,
}

impl std::fmt::Debug for FakePageTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePageTable")
            .field("base", &self.base)
            .field("size", &self.size)
            .finish()
    }
}

impl FakePageTable {
    fn check(&self, vaddr: VirtAddr, len: usize) -> HalResult {
        let end = vaddr.checked_add(len).ok_or(HalError::InvalidArgs)?;
        if !is_page_aligned(vaddr)
            || !is_page_aligned(len)
            || len == 0
            || vaddr < self.base
            || end > self.base + self.size
        {
            return Err(HalError::InvalidArgs);
        }
        Ok(())
    }
}

impl PageTable for FakePageTable {
    fn window(&self) -> (VirtAddr, usize) {
        (self.base, self.size)
    }

    fn map(&self, vaddr: VirtAddr, paddr: PhysAddr, len: usize, flags: MMUFlags) -> HalResult {
        self.check(vaddr, len)?;
        assert!(is_page_aligned(paddr));
        let mut st = self.state.lock().unwrap();
        st.host_ops += 1;
        for i in 0..len / PAGE_SIZE {
            st.entries
                .insert(vaddr / PAGE_SIZE + i, (paddr + i * PAGE_SIZE, flags));
        }
        Ok(())
    }

    fn unmap(&self, vaddr: VirtAddr, len: usize) -> HalResult {
        self.check(vaddr, len)?;
        let mut st = self.state.lock().unwrap();
        st.host_ops += 1;
        let first = vaddr / PAGE_SIZE;
        let keys: Vec<usize> = st
            .entries
            .range(first..first + len / PAGE_SIZE)
            .map(|(&k, _)| k)
            .collect();
        for k in keys {
            st.entries.remove(&k);
        }
        Ok(())
    }

    fn protect(&self, vaddr: VirtAddr, len: usize, flags: MMUFlags) -> HalResult {
        self.check(vaddr, len)?;
        let mut st = self.state.lock().unwrap();
        let first = vaddr / PAGE_SIZE;
        let n = len / PAGE_SIZE;
        st.host_ops += 1;
        for (_, e) in st.entries.range_mut(first..first + n) {
            e.1 = flags;
        }
        Ok(())
    }

    fn query(&self, vaddr: VirtAddr) -> Option<(PhysAddr, MMUFlags)> {
        self.state
            .lock()
            .unwrap()
            .entries
            .get(&(vaddr / PAGE_SIZE))
            .copied()
    }

    fn set_fault_resolver(&self, resolver: Weak<dyn FaultResolver>) {
        self.state.lock().unwrap().resolver = Some(resolver);
    }

    fn host_ops(&self) -> u64 {
        self.state.lock().unwrap().host_ops
    }
}

impl Drop for FakePageTable {
    fn drop(&mut self) {
        if let Some(hal) = self.hal.upgrade() {
            let mut tables = hal.tables.lock().unwrap();
            tables.retain(|(b, _)| *b != self.base);
            hal.free_windows.lock().unwrap().push(self.base);
        }
    }
}

#[derive(Default)]
struct FakeHalInner {
    phys: FakePhysMem,
    /// Live tables by window base; protected by this mutex, taken before
    /// `free_windows` and a table's state.
    tables: Mutex<Vec<(VirtAddr, Arc<Mutex<TableState>>)>>,
    /// Windows of dropped tables; protected by this mutex, taken before
    /// `next_window`.
    free_windows: Mutex<Vec<VirtAddr>>,
    /// The next never-used window; protected by this mutex (a leaf).
    next_window: Mutex<usize>,
}

/// The fake HAL: [`FakePhysMem`] plus a factory of [`FakePageTable`]s.
#[derive(Clone, Default)]
pub struct FakeHal {
    inner: Arc<FakeHalInner>,
}

impl std::fmt::Debug for FakeHal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeHal").finish_non_exhaustive()
    }
}

impl FakeHal {
    /// Creates a fake machine with no memory in use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the fake physical memory, for leak checks.
    pub fn fake_phys(&self) -> &FakePhysMem {
        &self.inner.phys
    }

    /// Returns the number of page tables alive.
    pub fn live_page_tables(&self) -> usize {
        self.inner.tables.lock().unwrap().len()
    }

    /// Returns the number of pages mapped across all live page tables.
    pub fn mapped_pages(&self) -> usize {
        let tables = self.inner.tables.lock().unwrap();
        tables
            .iter()
            .map(|(_, t)| t.lock().unwrap().entries.len())
            .sum()
    }

    fn table_for(&self, vaddr: VirtAddr) -> Option<Arc<Mutex<TableState>>> {
        let tables = self.inner.tables.lock().unwrap();
        tables
            .iter()
            .find(|(b, _)| vaddr >= *b && vaddr - *b < FAKE_WINDOW_SIZE)
            .map(|(_, t)| t.clone())
    }

    /// Returns the page-table entry for `vaddr` in whichever table owns it.
    pub fn entry(&self, vaddr: VirtAddr) -> Option<(PhysAddr, MMUFlags)> {
        let t = self.table_for(vaddr)?;
        let st = t.lock().unwrap();
        st.entries.get(&(vaddr / PAGE_SIZE)).copied()
    }

    /// Simulates a guest access to `vaddr`: if the entry allows it, succeeds;
    /// otherwise calls the table's fault resolver, as the MMU would, and
    /// retries once. Returns the frame address of the byte.
    pub fn access(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<PhysAddr, FaultError> {
        let table = self.table_for(vaddr).ok_or(FaultError::NotFound)?;
        for attempt in 0..2 {
            let (entry, resolver) = {
                let st = table.lock().unwrap();
                (
                    st.entries.get(&(vaddr / PAGE_SIZE)).copied(),
                    st.resolver.clone(),
                )
            };
            if let Some((pa, flags)) = entry {
                if flags.contains(access.required_flags()) {
                    return Ok(pa + vaddr % PAGE_SIZE);
                }
            }
            if attempt == 1 {
                break;
            }
            let resolver = resolver
                .and_then(|r| r.upgrade())
                .ok_or(FaultError::NotFound)?;
            resolver.resolve_fault(vaddr, access)?;
        }
        panic!(
            "fake HAL: fault at {vaddr:#x} reported resolved but the entry still denies {access:?}"
        );
    }

    /// Simulates a guest load of `buf.len()` bytes at `vaddr`.
    pub fn guest_read(&self, vaddr: VirtAddr, buf: &mut [u8]) -> Result<(), FaultError> {
        let mut done = 0;
        while done < buf.len() {
            let va = vaddr + done;
            let n = (PAGE_SIZE - va % PAGE_SIZE).min(buf.len() - done);
            let pa = self.access(va, PageFaultAccess::Read)?;
            self.inner.phys.read(pa, &mut buf[done..done + n]).unwrap();
            done += n;
        }
        Ok(())
    }

    /// Simulates a guest store of `buf` at `vaddr`.
    pub fn guest_write(&self, vaddr: VirtAddr, buf: &[u8]) -> Result<(), FaultError> {
        let mut done = 0;
        while done < buf.len() {
            let va = vaddr + done;
            let n = (PAGE_SIZE - va % PAGE_SIZE).min(buf.len() - done);
            let pa = self.access(va, PageFaultAccess::Write)?;
            self.inner.phys.write(pa, &buf[done..done + n]).unwrap();
            done += n;
        }
        Ok(())
    }
}

/// The memory size the fake machine reports (`physmem_bytes`); the fake
/// frame pool itself has no limit.
pub const FAKE_PHYSMEM: u64 = 4 << 30;

/// The data cache line size the fake machine reports.
pub const FAKE_DCACHE_LINE: u32 = 64;

impl Hal for FakeHal {
    fn phys(&self) -> &dyn PhysMem {
        &self.inner.phys
    }

    fn physmem_bytes(&self) -> u64 {
        FAKE_PHYSMEM
    }

    fn used_memory_bytes(&self) -> u64 {
        (self.inner.phys.committed_frames() * crate::PAGE_SIZE) as u64
    }

    fn dcache_line_size(&self) -> u32 {
        FAKE_DCACHE_LINE
    }

    fn cpu_stats(&self) -> Vec<crate::CpuStats> {
        (0..2)
            .map(|cpu_number| crate::CpuStats {
                cpu_number,
                ..Default::default()
            })
            .collect()
    }

    fn new_page_table(&self) -> HalResult<Box<dyn PageTable>> {
        let base = match self.inner.free_windows.lock().unwrap().pop() {
            Some(b) => b,
            None => {
                let mut n = self.inner.next_window.lock().unwrap();
                let b = FAKE_WINDOW_BASE + *n * FAKE_WINDOW_SIZE;
                *n += 1;
                b
            }
        };
        let state = Arc::new(Mutex::new(TableState::default()));
        self.inner
            .tables
            .lock()
            .unwrap()
            .push((base, state.clone()));
        Ok(Box::new(FakePageTable {
            base,
            size: FAKE_WINDOW_SIZE,
            state,
            hal: Arc::downgrade(&self.inner),
        }))
    }

    fn chunk_frames(&self) -> usize {
        // Small chunks so unit tests exercise chunk boundaries.
        4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tracked() {
        let hal = FakeHal::new();
        let p = hal.phys();
        let a = p.alloc_frames(4).unwrap();
        p.write(a + 10, b"hello").unwrap();
        let mut buf = [0u8; 5];
        p.read(a + 10, &mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        assert_eq!(hal.fake_phys().committed_frames(), 1);
        assert_eq!(p.committed_bytes(a, 4 * PAGE_SIZE), PAGE_SIZE);
        p.zero(a, PAGE_SIZE).unwrap();
        assert_eq!(hal.fake_phys().committed_frames(), 0);
        p.free_frames(a, 4);
        assert_eq!(hal.fake_phys().allocated_frames(), 0);
    }

    #[test]
    fn freed_runs_are_reused_only_whole() {
        let hal = FakeHal::new();
        let p = hal.phys();
        let a = p.alloc_frames(2).unwrap();
        let b = p.alloc_frames(2).unwrap();
        p.free_frames(a, 2);
        p.free_frames(b, 2);
        // Freed runs are not joined: a 4-frame run comes from fresh frames.
        assert_eq!(p.alloc_frames(4).unwrap(), b + 2 * PAGE_SIZE);
        assert_eq!(p.alloc_frames(2).unwrap(), a);
        assert_eq!(hal.fake_phys().allocated_frames(), 6);
    }

    #[test]
    #[should_panic(expected = "freeing 1 frames of a run of 2")]
    fn partial_free_is_caught() {
        let hal = FakeHal::new();
        let a = hal.phys().alloc_frames(2).unwrap();
        hal.phys().free_frames(a, 1);
    }

    #[test]
    #[should_panic(expected = "leaves its run")]
    fn access_past_a_run_is_caught() {
        let hal = FakeHal::new();
        let a = hal.phys().alloc_frames(1).unwrap();
        let _ = hal.phys().write(a + PAGE_SIZE - 1, b"ab");
    }

    #[test]
    #[should_panic(expected = "double free")]
    fn double_free_is_caught() {
        let hal = FakeHal::new();
        let a = hal.phys().alloc_frames(1).unwrap();
        hal.phys().free_frames(a, 1);
        hal.phys().free_frames(a, 1);
    }

    #[test]
    fn page_table_records_and_recycles_windows() {
        let hal = FakeHal::new();
        let pt = hal.new_page_table().unwrap();
        let (base, _) = pt.window();
        pt.map(base, 0, 2 * PAGE_SIZE, MMUFlags::READ).unwrap();
        assert_eq!(
            pt.query(base + PAGE_SIZE),
            Some((PAGE_SIZE, MMUFlags::READ))
        );
        assert_eq!(
            pt.map(base - PAGE_SIZE, 0, PAGE_SIZE, MMUFlags::READ),
            Err(HalError::InvalidArgs)
        );
        // Protecting over a hole changes only what is mapped.
        pt.protect(base, 3 * PAGE_SIZE, MMUFlags::READ).unwrap();
        assert_eq!(pt.query(base + 2 * PAGE_SIZE), None);
        pt.protect(base, PAGE_SIZE, MMUFlags::empty()).unwrap();
        assert_eq!(
            hal.access(base, PageFaultAccess::Read),
            Err(FaultError::NotFound)
        );
        assert_eq!(
            hal.access(base + PAGE_SIZE, PageFaultAccess::Read),
            Ok(PAGE_SIZE)
        );
        pt.unmap(base, 2 * PAGE_SIZE).unwrap();
        assert_eq!(hal.mapped_pages(), 0);
        drop(pt);
        assert_eq!(hal.live_page_tables(), 0);
        let pt2 = hal.new_page_table().unwrap();
        assert_eq!(pt2.window().0, base);
    }
}
