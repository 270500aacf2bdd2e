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

impl FaultResolver for AddressSpace {
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError> {
        self.handle_page_fault(vaddr, access)
            .map_err(FaultError::from)
    }
}
