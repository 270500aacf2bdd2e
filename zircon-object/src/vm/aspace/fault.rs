//! The page-fault path: a guest touching a page the host does not map.

use kernel_hal::{FaultError, FaultResolver, PageFaultAccess, VirtAddr};

use super::AddressSpace;
use crate::vm::vmo::Run;
use crate::{ZxError, ZxResult};

impl AddressSpace {
    /// Resolves a fault at `va`: checks the mapping allows `access`, makes
    /// sure the VMO has memory there, and maps the whole chunk around it
    /// (fault-around). Answers NOT_FOUND (no mapping), ACCESS_DENIED
    /// (protection) or OUT_OF_RANGE (past the VMO's end), as Zircon's page
    /// fault handler does.
    pub fn handle_page_fault(&self, va: VirtAddr, access: PageFaultAccess) -> ZxResult {
        let mut st = self.lock();
        let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
        let m = st.mappings.get_mut(&id).expect("mapping exists");
        if !m.prot_at(va).contains(access.required_flags()) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let off = m.vmo_offset + (va - m.base);
        let limit = m.vmo_limit();
        if off >= limit {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let vmo = m.vmo.clone();
        let page = kernel_hal::page_round_down(off);
        // A pager's pages arrive a few at a time, so their present run
        // around a fault keeps growing: mapping all of it again on every
        // fault would make the host throw away (and shoot down) what it
        // already maps, over and over. Map from the faulting page up to
        // the next page the mapping already shows instead (a stale entry
        // of `host` only makes this map less; the faulting page is always
        // mapped).
        let from_fault = vmo.is_pager_backed();
        let va_page = kernel_hal::page_round_down(va);
        // Map under the VMO's lock, so a copy-on-write elsewhere cannot
        // swap the chunk between our lookup and our mapping.
        vmo.fault_map(page, access, &mut |run| {
            if !from_fault {
                return self.host_map_run(m, run, limit);
            }
            // The VMO offset of the next page after the faulting one that
            // the mapping already shows (none: no limit).
            let after = va_page + kernel_hal::PAGE_SIZE;
            let cap = m
                .host
                .overlapping(after..m.end())
                .next()
                .map_or(usize::MAX, |(r, _)| page + (r.start.max(after) - va_page));
            let lo = page.max(run.vmo_offset);
            let hi = (run.vmo_offset + run.len).min(cap);
            if lo >= hi {
                return Ok(());
            }
            self.host_map_run(
                m,
                Run {
                    vmo_offset: lo,
                    len: hi - lo,
                    paddr: run.paddr + (lo - run.vmo_offset),
                    sharing: run.sharing,
                },
                limit,
            )
        })
    }
}

impl AddressSpace {
    /// Waits for the page behind a fault that answered `SHOULD_WAIT` (a
    /// missing page of a pager-backed VMO, or a clean one a `TRAP_DIRTY`
    /// VMO's pager must let be written), in ordinary code on the faulting
    /// thread's host stack after the signal handler sent the fault out of
    /// guest mode, with no lock held while waiting; then resolves the fault
    /// here (maps the page), so the guest's retry does not fault again.
    /// `Ok`: retry the access. `Err`: the fault is fatal with that status
    /// (the pager failed the page, or is detached or gone: `BAD_STATE`; the
    /// mapping's own checks as in [`AddressSpace::handle_page_fault`]), or
    /// the wait was cut short by a kill (`INTERNAL_INTR_KILLED`) or a
    /// suspension (`INTERNAL_INTR_RETRY`).
    pub fn wait_for_fault(&self, va: VirtAddr, access: PageFaultAccess) -> ZxResult {
        loop {
            match self.handle_page_fault(va, access) {
                Err(ZxError::SHOULD_WAIT) => {}
                other => return other,
            }
            let (vmo, off) = {
                let st = self.lock();
                let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
                let m = &st.mappings[&id];
                (
                    m.vmo.clone(),
                    kernel_hal::page_round_down(m.vmo_offset + (va - m.base)),
                )
            };
            let end = off + kernel_hal::PAGE_SIZE;
            if access == PageFaultAccess::Write {
                // A write needs the page itself (a snapshot copies it).
                vmo.wait_present(off, end, false)?;
                vmo.wait_dirty(off, end, false)?;
            } else {
                vmo.wait_readable(off, end, false)?;
            }
        }
    }
}

impl FaultResolver for AddressSpace {
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError> {
        self.handle_page_fault(vaddr, access)
            .map_err(FaultError::from)
    }
}
