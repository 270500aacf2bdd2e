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

/// A decoded `zx_vmar_allocate` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocateRequest {
    /// Where the region goes.
    pub placement: Placement,
    /// The offset in the parent the placement refers to.
    pub offset: usize,
    /// Size in bytes, page aligned (0 is refused once the parent is checked).
    pub size: usize,
    /// Alignment of the base, at least a page.
    pub align: usize,
    /// The new region's own flags: its `CAN_MAP_*` bits and `COMPACT`.
    pub region_flags: VmOptions,
}

impl AllocateRequest {
    /// Checks and decodes a `zx_vmar_allocate` call's `options` (raw
    /// `ZX_VM_*` bits) against the parent handle's `rights`, in Zircon's
    /// order: CAN_MAP bits against rights, unknown bits and alignment, no
    /// PERM bits, the size's alignment, then the bits allocate allows.
    pub fn parse(
        rights: Rights,
        options: u32,
        offset: usize,
        size: usize,
    ) -> ZxResult<AllocateRequest> {
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
        Ok(AllocateRequest {
            placement: Placement::from_options(flags),
            offset,
            size,
            align,
            region_flags: flags & (VmOptions::CAN_MAP | VmOptions::COMPACT),
        })
    }
}

impl VmAddressRegion {
    /// Allocates a sub-region (`zx_vmar_allocate`): [`AllocateRequest::parse`]
    /// then [`VmAddressRegion::allocate_request`].
    pub fn allocate(
        &self,
        rights: Rights,
        options: u32,
        offset: usize,
        size: usize,
    ) -> ZxResult<Arc<VmAddressRegion>> {
        self.allocate_request(&AllocateRequest::parse(rights, options, offset, size)?)
    }

    /// Allocates the sub-region `req` describes; the parent's checks run in
    /// Zircon's order (destroyed, size, CAN_MAP permissions, placement).
    /// Returns the new region.
    pub fn allocate_request(&self, req: &AllocateRequest) -> ZxResult<Arc<VmAddressRegion>> {
        let &AllocateRequest {
            placement,
            offset,
            size,
            align,
            region_flags: child_flags,
        } = req;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r
            .flags
            .can_map_perms()
            .contains(child_flags.can_map_perms())
        {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (specific, limit) = self.check_placement(r, placement, offset, size, align)?;
        let base = match specific {
            Some(b) => b,
            None => r
                .gaps
                .find(size, align, limit, self.gap_strategy(child_flags))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        let id = st.alloc_id();
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
