//! `zx_vmar_map`: mapping a VMO into a region.

use std::collections::BTreeMap;
use std::sync::Arc;

use kernel_hal::{page_round_up, PAGE_SIZE};

use crate::vm::mapping::Mapping;
use crate::vm::options::{check_perm_combination, perms_for_rights, split_options, VmOptions};
use crate::vm::region::ChildKind;
use crate::vm::vmo::{MappingRef, VmObject};
use crate::{Rights, ZxError, ZxResult};

use super::VmAddressRegion;

impl VmAddressRegion {
    /// Maps `vmo` (`zx_vmar_map`). `vmar_rights`/`vmo_rights` are the rights
    /// of the two handles; `options` the raw `ZX_VM_*` bits. Checks run in
    /// Zircon's order. Returns the mapping's address.
    #[allow(clippy::too_many_arguments)]
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
        self.map_ext(
            vmar_rights,
            options,
            vmar_offset,
            vmo,
            vmo_rights,
            vmo_offset,
            len,
            false,
        )
    }

    /// Like [`VmAddressRegion::map`]; `vdso_code` marks the vDSO's code
    /// mapping, which later unmap/protect/op_range calls refuse to touch.
    #[allow(clippy::too_many_arguments)]
    pub fn map_ext(
        &self,
        vmar_rights: Rights,
        options: u32,
        vmar_offset: usize,
        vmo: &Arc<VmObject>,
        vmo_rights: Rights,
        vmo_offset: u64,
        len: usize,
        vdso_code: bool,
    ) -> ZxResult<usize> {
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
        let max_perms = vmo_perms & vmar_perms;
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
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r.flags.can_map_perms().contains(perms) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let overwrite = flags.contains(VmOptions::SPECIFIC_OVERWRITE);
        let (specific, limit) =
            self.check_placement(r, flags, vmar_offset, size, align, overwrite)?;
        let upper = flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT);
        let base = match specific {
            Some(b) => {
                if overwrite {
                    let pieces = r.overlapping(b, b + size);
                    if pieces
                        .iter()
                        .any(|(_, c)| matches!(c.kind, ChildKind::Region(_)))
                    {
                        return Err(ZxError::INVALID_ARGS);
                    }
                    if pieces.iter().any(|(_, c)| match c.kind {
                        ChildKind::Mapping(m) => st.mappings[&m].vdso_code,
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
                .find(size, align, limit, self.placement(flags))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        // Zircon maps an upper-limit mapping at VMO offset 0 (a quirk of
        // vm_address_region.cc that tests can observe).
        let vmo_offset = if upper { 0 } else { vmo_offset as usize };
        let id = st.alloc_id();
        let mut prot = BTreeMap::new();
        prot.insert(base, (base + size, perms));
        let mut m = Mapping {
            region: self.id,
            base,
            size,
            vmo: vmo.clone(),
            vmo_offset,
            max_perms,
            prot,
            host: BTreeMap::new(),
            vdso_code,
            fault_beyond_stream: flags.contains(VmOptions::FAULT_BEYOND_STREAM_SIZE),
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
        if flags.contains(VmOptions::MAP_RANGE) {
            let aspace = &self.aspace;
            let populated = vmo.backed_runs(
                vmo_offset,
                vmo_offset.saturating_add(size),
                &mut |o, l, pa, writable| {
                    let va = base + (o - vmo_offset);
                    aspace.host_map(&mut m, va, va + l, pa, writable)
                },
            );
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
