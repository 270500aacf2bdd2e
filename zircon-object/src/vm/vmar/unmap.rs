//! `zx_vmar_unmap` and `zx_vmar_destroy`.

use kernel_hal::is_page_aligned;

use crate::vm::region::{end_inside, rounded_len, ChildKind};
use crate::{Rights, ZxError, ZxResult};

use super::{MappingKind, VmAddressRegion};

impl VmAddressRegion {
    /// Unmaps `[addr, addr + len)` (`zx_vmar_unmap`): trims or splits
    /// partially covered mappings and destroys wholly covered sub-regions;
    /// holes are fine.
    pub fn unmap(&self, rights: Rights, addr: usize, len: usize) -> ZxResult {
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS);
        }
        let len = rounded_len(len)?;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        let end = end_inside(r, addr, len)?;
        let pieces = r.overlapping(addr, end);
        // The vDSO's code can never be unmapped, however deep it lies.
        let (nested, _) = st.mappings_in(self.id, addr, end);
        if nested
            .iter()
            .any(|(m, _)| st.mappings[m].kind == MappingKind::VdsoCode)
        {
            return Err(ZxError::ACCESS_DENIED);
        }
        for (b, c) in &pieces {
            match c.kind {
                ChildKind::Region(_) => {
                    let covered = *b >= addr && c.end <= end;
                    if !covered || !rights.contains(Rights::OP_CHILDREN) {
                        return Err(ZxError::INVALID_ARGS);
                    }
                }
                ChildKind::Mapping(_) => {}
            }
        }
        for (_, c) in pieces {
            match c.kind {
                ChildKind::Mapping(m) => self.aspace.unmap_part(&mut st, m, addr, end),
                ChildKind::Region(sub) => self.aspace.destroy_region(&mut st, sub),
            }
        }
        Ok(())
    }

    /// Destroys the region (`zx_vmar_destroy`): unmaps everything in it and
    /// makes it and its descendants unusable.
    pub fn destroy(&self) -> ZxResult {
        if self.is_root() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        let mut st = self.aspace.lock();
        st.region(self.id)?;
        self.aspace.destroy_region(&mut st, self.id);
        Ok(())
    }
}
