//! The page-fault path: a guest touching a page the host does not map.

use kernel_hal::{FaultError, FaultResolver, PageFaultAccess, VirtAddr};

use super::AddressSpace;
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
        // Map under the VMO's lock, so a copy-on-write elsewhere cannot
        // swap the chunk between our lookup and our mapping.
        vmo.fault_map(kernel_hal::page_round_down(off), access, &mut |run| {
            self.host_map_run(m, run, limit)
        })
    }
}

impl AddressSpace {
    /// Waits for the page behind a fault that answered `SHOULD_WAIT` (a
    /// missing page of a pager-backed VMO), in ordinary code on the
    /// faulting thread's host stack after the signal handler sent the
    /// fault out of guest mode, with no lock held while waiting. `Ok`: the
    /// page is there, retry the access (it may fault again, and wait again,
    /// if the mapping changed meanwhile). `Err`: the fault is fatal with
    /// that status (the pager failed the page, or is detached or gone:
    /// `BAD_STATE`; the mapping's own checks as in
    /// [`AddressSpace::handle_page_fault`]), or the wait was cut short by a
    /// kill (`INTERNAL_INTR_KILLED`) or a suspension (`INTERNAL_INTR_RETRY`).
    pub fn wait_for_fault(&self, va: VirtAddr, access: PageFaultAccess) -> ZxResult {
        let (vmo, off) = {
            let st = self.lock();
            let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
            let m = &st.mappings[&id];
            if !m.prot_at(va).contains(access.required_flags()) {
                return Err(ZxError::ACCESS_DENIED);
            }
            let off = m.vmo_offset + (va - m.base);
            if off >= m.vmo_limit() {
                return Err(ZxError::OUT_OF_RANGE);
            }
            (m.vmo.clone(), kernel_hal::page_round_down(off))
        };
        vmo.wait_present(off, off + kernel_hal::PAGE_SIZE, false)?;
        if access == PageFaultAccess::Write {
            vmo.wait_dirty(off, off + kernel_hal::PAGE_SIZE, false)?;
        }
        Ok(())
    }
}

impl FaultResolver for AddressSpace {
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError> {
        self.handle_page_fault(vaddr, access)
            .map_err(FaultError::from)
    }
}
