//! `zx_vmar_map`: mapping a VMO into a region. [`MapRequest::parse`]
//! decodes the syscall's arguments in Zircon's order (every check that
//! needs no region); [`VmAddressRegion::map_request`] does the rest under
//! the address-space lock.

use kernel_hal::range_map::RangeMap;
use std::sync::Arc;

use kernel_hal::{page_round_up, MMUFlags, PAGE_SIZE};

use super::{Overwrite, Placement, VmAddressRegion};
use crate::vm::mapping::Mapping;
use crate::vm::options::{check_perm_combination, perms_for_rights, split_options, VmOptions};
use crate::vm::region::ChildKind;
use crate::vm::vmo::{MappingRef, VmObject};
use crate::{Rights, ZxError, ZxResult};

/// What a mapping is, for the operations that must leave it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    /// An ordinary mapping.
    Data,
    /// The vDSO's code: unmap, protect, op_range and overwriting refuse to
    /// touch it (`ACCESS_DENIED`).
    VdsoCode,
}

/// When a mapping's pages reach the host page table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Populate {
    /// On first touch (a fault).
    OnFault,
    /// Now, for every page the VMO already has (`ZX_VM_MAP_RANGE`).
    Now,
}

/// Where a mapping's accessible part ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultLimit {
    /// At the VMO's size.
    VmoSize,
    /// At the end of the page holding the VMO's content (stream) end
    /// (`ZX_VM_FAULT_BEYOND_STREAM_SIZE`); later pages fault `OUT_OF_RANGE`.
    ContentPage,
}

/// A decoded `zx_vmar_map` call: everything [`VmAddressRegion::map_request`]
/// needs, with the `ZX_VM_*` bits parsed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapRequest {
    /// Where the mapping goes.
    pub placement: Placement,
    /// The offset in the region the placement refers to.
    pub vmar_offset: usize,
    /// Initial protection.
    pub perms: MMUFlags,
    /// The most protection may ever allow (both handles' rights).
    pub max_perms: MMUFlags,
    /// Alignment of the base, at least a page.
    pub align: usize,
    /// Offset in the VMO of the first page (page aligned).
    pub vmo_offset: usize,
    /// Size in bytes, page rounded (0 is refused once the region is checked).
    pub size: usize,
    /// When pages are mapped.
    pub populate: Populate,
    /// Where faults stop being resolved.
    pub fault_limit: FaultLimit,
    /// Ordinary or the vDSO's code.
    pub kind: MappingKind,
}

impl MapRequest {
    /// Checks and decodes a `zx_vmar_map` call's `options` (raw `ZX_VM_*`
    /// bits) against the two handles' rights and the VMO, in Zircon's
    /// order: the MAP right, permission combination, option conflicts,
    /// permissions against rights, unknown bits and alignment, the VMO's
    /// kind, then the VMO range.
    pub fn parse(
        vmar_rights: Rights,
        options: u32,
        vmar_offset: usize,
        vmo: &VmObject,
        vmo_rights: Rights,
        vmo_offset: u64,
        len: usize,
    ) -> ZxResult<MapRequest> {
        if !vmo_rights.contains(Rights::MAP) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let mut raw = VmOptions::from_bits_truncate(options);
        if raw.contains(VmOptions::PERM_READ_IF_XOM_UNSUPPORTED) {
            raw |= VmOptions::PERM_READ;
        }
        let perms = raw.perms();
        check_perm_combination(perms)?;
        if raw.contains(VmOptions::MAP_RANGE | VmOptions::SPECIFIC_OVERWRITE) {
            return Err(ZxError::INVALID_ARGS);
        }
        if raw.intersects(VmOptions::CAN_MAP) {
            return Err(ZxError::INVALID_ARGS);
        }
        let vmo_perms = perms_for_rights(vmo_rights);
        let vmar_perms = perms_for_rights(vmar_rights);
        if !vmo_perms.contains(perms) || !vmar_perms.contains(perms) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if raw.contains(VmOptions::FAULT_BEYOND_STREAM_SIZE)
            && !raw.contains(VmOptions::ALLOW_FAULTS)
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let (flags, align) = split_options(options)?;
        if flags.contains(VmOptions::REQUIRE_NON_RESIZABLE) && vmo.is_resizable() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        if !flags.contains(VmOptions::ALLOW_FAULTS) && vmo.is_discardable() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        if flags.contains(VmOptions::COMPACT) {
            return Err(ZxError::INVALID_ARGS);
        }
        if !vmo_offset.is_multiple_of(PAGE_SIZE as u64) {
            return Err(ZxError::INVALID_ARGS);
        }
        let size = page_round_up(len).ok_or(ZxError::OUT_OF_RANGE)?;
        vmo_offset
            .checked_add(size as u64)
            .ok_or(ZxError::OUT_OF_RANGE)?;
        let placement = Placement::from_options(flags);
        // Zircon maps an upper-limit mapping at VMO offset 0 (a quirk of
        // vm_address_region.cc that tests can observe).
        let vmo_offset = if flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT) {
            0
        } else {
            vmo_offset as usize
        };
        Ok(MapRequest {
            placement,
            vmar_offset,
            perms,
            max_perms: vmo_perms & vmar_perms,
            align,
            vmo_offset,
            size,
            populate: if flags.contains(VmOptions::MAP_RANGE) {
                Populate::Now
            } else {
                Populate::OnFault
            },
            fault_limit: if flags.contains(VmOptions::FAULT_BEYOND_STREAM_SIZE) {
                FaultLimit::ContentPage
            } else {
                FaultLimit::VmoSize
            },
            kind: MappingKind::Data,
        })
    }
}

impl VmAddressRegion {
    /// Maps `vmo` (`zx_vmar_map`): [`MapRequest::parse`] then
    /// [`VmAddressRegion::map_request`]. Returns the mapping's address.
    #[expect(
        clippy::too_many_arguments,
        reason = "zx_vmar_map's parameters, each checked in Zircon's order"
    )]
    pub fn map(
        &self,
        vmar_rights: Rights,
        options: u32,
        vmar_offset: usize,
        vmo: &Arc<VmObject>,
        vmo_rights: Rights,
        vmo_offset: u64,
        len: usize,
    ) -> ZxResult<usize> {
        let req = MapRequest::parse(
            vmar_rights,
            options,
            vmar_offset,
            vmo,
            vmo_rights,
            vmo_offset,
            len,
        )?;
        self.map_request(vmo, &req)
    }

    /// Maps `vmo` as `req` says; the region's checks run in Zircon's order
    /// (destroyed region, size, the region's CAN_MAP permissions, then the
    /// placement). Returns the mapping's address.
    pub fn map_request(&self, vmo: &Arc<VmObject>, req: &MapRequest) -> ZxResult<usize> {
        let &MapRequest {
            placement,
            vmar_offset,
            perms,
            max_perms,
            align,
            vmo_offset,
            size,
            populate,
            fault_limit,
            kind,
        } = req;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r.flags.can_map_perms().contains(perms) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (specific, limit) = self.check_placement(r, placement, vmar_offset, size, align)?;
        let base = match specific {
            Some(b) => {
                if placement == Placement::Specific(Overwrite::Replace) {
                    let pieces = r.overlapping(b, b + size);
                    if pieces
                        .iter()
                        .any(|(_, c)| matches!(c.kind, ChildKind::Region(_)))
                    {
                        return Err(ZxError::INVALID_ARGS);
                    }
                    if pieces.iter().any(|(_, c)| match c.kind {
                        ChildKind::Mapping(m) => st.mappings[&m].kind == MappingKind::VdsoCode,
                        ChildKind::Region(_) => false,
                    }) {
                        return Err(ZxError::ACCESS_DENIED);
                    }
                    for (_, c) in pieces {
                        if let ChildKind::Mapping(m) = c.kind {
                            self.aspace.unmap_part(&mut st, m, b, b + size);
                        }
                    }
                }
                b
            }
            None => r
                .gaps
                .find(size, align, limit, self.gap_strategy(VmOptions::empty()))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        let id = st.alloc_id();
        let mut prot = RangeMap::new();
        prot.insert(base..base + size, perms);
        let mut m = Mapping {
            region: self.id,
            base,
            size,
            vmo: vmo.clone(),
            vmo_offset,
            max_perms,
            prot,
            host: RangeMap::new(),
            kind,
            fault_limit,
        };
        // Register with the VMO first, so a copy-on-write racing with the
        // population below revokes what it maps.
        vmo.add_mapping(MappingRef {
            aspace: Arc::downgrade(&self.aspace),
            id,
            bias: base.wrapping_sub(vmo_offset),
            lo: base,
            hi: base + size,
        });
        if populate == Populate::Now {
            let aspace = &self.aspace;
            // Never past where faults stop (the stream end's page).
            let limit = m.vmo_limit();
            let populated =
                vmo.backed_runs(vmo_offset, vmo_offset.saturating_add(size), &mut |run| {
                    aspace.host_map_run(&mut m, run, limit)
                });
            if let Err(e) = populated {
                let (b, e2) = (m.base, m.end());
                self.aspace.host_unmap(&mut m, b, e2);
                vmo.remove_mapping(&Arc::downgrade(&self.aspace), id);
                return Err(e);
            }
        }
        st.regions
            .get_mut(&self.id)
            .expect("checked above")
            .insert_child(base, base + size, ChildKind::Mapping(id));
        st.mappings.insert(id, m);
        Ok(base)
    }
}
