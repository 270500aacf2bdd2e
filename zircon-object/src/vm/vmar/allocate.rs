//! `zx_vmar_allocate`: carving a sub-region out of a region.

use std::collections::BTreeMap;
use std::sync::Arc;

use kernel_hal::is_page_aligned;

use crate::object::KObjectBase;
use crate::vm::gaps::GapIndex;
use crate::vm::options::{rights_for_perms, split_options, VmOptions};
use crate::vm::region::{ChildKind, Region};
use crate::{Rights, ZxError, ZxResult};

use super::{Placement, VmAddressRegion};

impl VmAddressRegion {
    /// Allocates a sub-region (`zx_vmar_allocate`). `rights` are the
    /// caller's handle rights; `options` the raw `ZX_VM_*` bits. Returns the
    /// new region.
    pub fn allocate(
        &self,
        rights: Rights,
        options: u32,
        offset: usize,
        size: usize,
    ) -> ZxResult<Arc<VmAddressRegion>> {
        let raw_flags = VmOptions::from_bits_truncate(options);
        if !rights.contains(rights_for_perms(raw_flags.can_map_perms())) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (flags, align) = split_options(options)?;
        if flags.intersects(VmOptions::PERMS) {
            return Err(ZxError::INVALID_ARGS);
        }
        if !is_page_aligned(size) {
            return Err(ZxError::INVALID_ARGS);
        }
        let allowed = VmOptions::SPECIFIC
            | VmOptions::CAN_MAP_SPECIFIC
            | VmOptions::COMPACT
            | VmOptions::CAN_MAP_RWX
            | VmOptions::OFFSET_IS_UPPER_LIMIT;
        if !allowed.contains(flags) {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r.flags.can_map_perms().contains(flags.can_map_perms()) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (specific, limit) =
            self.check_placement(r, Placement::from_options(flags), offset, size, align)?;
        let base = match specific {
            Some(b) => b,
            None => r
                .gaps
                .find(size, align, limit, self.gap_strategy(flags))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        let id = st.alloc_id();
        let child_flags = flags & (VmOptions::CAN_MAP | VmOptions::COMPACT);
        st.regions.insert(
            id,
            Region {
                base,
                size,
                flags: child_flags,
                parent: Some(self.id),
                children: BTreeMap::new(),
                gaps: GapIndex::new(base, base + size),
            },
        );
        st.regions
            .get_mut(&self.id)
            .expect("checked above")
            .insert_child(base, base + size, ChildKind::Region(id));
        drop(st);
        Ok(Arc::new(VmAddressRegion {
            base: KObjectBase::with_name("useralloc"),
            aspace: self.aspace.clone(),
            id,
            addr: base,
            size,
            flags: child_flags,
        }))
    }
}
