//! Virtual memory address regions (`zx_vmar_*`): the kernel object a VMAR
//! handle names, one file per operation family.
//!
//! A [`VmAddressRegion`] holds the address space and its region's id. A
//! destroyed region is removed from the address space's `regions`, so every
//! later operation through any handle to it, or to one of its descendants,
//! answers `BAD_STATE`.
//!
//! * `allocate.rs`: `zx_vmar_allocate`.
//! * `map.rs`: `zx_vmar_map`.
//! * `unmap.rs`: `zx_vmar_unmap` and `zx_vmar_destroy`.
//! * `protect.rs`: `zx_vmar_protect`.
//! * `op_range.rs`: `zx_vmar_op_range`.
//! * `info.rs`: `ZX_INFO_VMAR` and the `ZX_INFO_PROCESS_MAPS` walk.

use std::sync::Arc;

use kernel_hal::{is_page_aligned, HalRef};

use super::aspace::AddressSpace;
use super::gaps::Placement as GapStrategy;
use super::options::{rights_for_perms, VmOptions};
use super::region::{Region, VmarId};
use crate::object::{KObjectBase, ObjType};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

mod allocate;
pub mod info;
mod map;
mod op_range;
mod protect;
mod unmap;

pub use allocate::AllocateRequest;
pub use info::MapsEntry;
pub use map::{FaultLimit, MapRequest, MappingKind, Populate};
pub use op_range::VmarOp;
pub use protect::ProtectRequest;

/// Where a new mapping or region goes in its parent, from `ZX_VM_SPECIFIC`,
/// `ZX_VM_SPECIFIC_OVERWRITE` and `ZX_VM_OFFSET_IS_UPPER_LIMIT`; the offset
/// the call names travels beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Wherever there is room (the offset must be 0).
    Anywhere,
    /// At the offset exactly.
    Specific(Overwrite),
    /// Wherever there is room below the offset.
    BelowLimit,
    /// SPECIFIC with OFFSET_IS_UPPER_LIMIT, which Zircon refuses
    /// (`INVALID_ARGS`) only after its checks of the region.
    Conflicting,
}

/// What a specific placement does with what is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Anything there → `ALREADY_EXISTS`.
    Refuse,
    /// Mappings there are unmapped first (`ZX_VM_SPECIFIC_OVERWRITE`).
    Replace,
}

impl Placement {
    /// Decodes the placement bits of `flags`.
    pub(super) fn from_options(flags: VmOptions) -> Placement {
        let specific = flags.intersects(VmOptions::SPECIFIC | VmOptions::SPECIFIC_OVERWRITE);
        match (specific, flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT)) {
            (true, true) => Placement::Conflicting,
            (true, false) if flags.contains(VmOptions::SPECIFIC_OVERWRITE) => {
                Placement::Specific(Overwrite::Replace)
            }
            (true, false) => Placement::Specific(Overwrite::Refuse),
            (false, true) => Placement::BelowLimit,
            (false, false) => Placement::Anywhere,
        }
    }
}

/// A VMAR: the kernel object a VMAR handle names.
#[derive(Debug)]
pub struct VmAddressRegion {
    base: KObjectBase,
    aspace: Arc<AddressSpace>,
    id: VmarId,
    addr: usize,
    size: usize,
    flags: VmOptions,
}

impl_kobject!(VmAddressRegion, ObjType::Vmar);

impl VmAddressRegion {
    /// Creates a new address space and returns its root VMAR, which covers
    /// the HAL window and may map anything anywhere.
    pub fn new_root(hal: HalRef) -> ZxResult<Arc<VmAddressRegion>> {
        let aspace = AddressSpace::new(hal)?;
        let (addr, size) = aspace.window();
        Ok(Arc::new(VmAddressRegion {
            base: KObjectBase::with_name("root"),
            id: aspace.root,
            aspace,
            addr,
            size,
            flags: VmOptions::CAN_MAP_RWX | VmOptions::CAN_MAP_SPECIFIC,
        }))
    }

    /// Returns the base address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Returns the size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Returns the address space.
    pub fn aspace(&self) -> &Arc<AddressSpace> {
        &self.aspace
    }

    /// Returns whether this is its address space's root region.
    pub fn is_root(&self) -> bool {
        self.id == self.aspace.root
    }

    /// Returns the rights of a new handle to this VMAR:
    /// `ZX_DEFAULT_VMAR_RIGHTS` plus READ/WRITE/EXECUTE per CAN_MAP flag.
    pub fn default_rights(&self) -> Rights {
        Rights::DEFAULT_VMAR | rights_for_perms(self.flags.can_map_perms())
    }

    /// Returns whether the region has been destroyed.
    pub fn is_destroyed(&self) -> bool {
        !self.aspace.lock().regions.contains_key(&self.id)
    }

    /// How the gap index picks a free range: compact if the request or
    /// the region asks for it, random otherwise.
    fn gap_strategy(&self, requested: VmOptions) -> GapStrategy {
        if requested.contains(VmOptions::COMPACT) || self.flags.contains(VmOptions::COMPACT) {
            GapStrategy::Compact
        } else {
            GapStrategy::Random(self.aspace.next_seed())
        }
    }

    /// Checks the placement of a new child of `size` bytes at `offset` in
    /// region `r` (shared by allocate and map, in Zircon's order) and
    /// returns the absolute base (`Some` for a specific placement) and the
    /// upper limit for a search.
    fn check_placement(
        &self,
        r: &Region,
        placement: Placement,
        offset: usize,
        size: usize,
        align: usize,
    ) -> ZxResult<(Option<usize>, usize)> {
        let specific = matches!(placement, Placement::Specific(_) | Placement::Conflicting);
        let upper = matches!(placement, Placement::BelowLimit | Placement::Conflicting);
        if placement == Placement::Conflicting {
            return Err(ZxError::INVALID_ARGS);
        }
        if placement == Placement::Anywhere && offset != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !is_page_aligned(offset) {
            return Err(ZxError::INVALID_ARGS);
        }
        if (specific || upper) && !r.flags.contains(VmOptions::CAN_MAP_SPECIFIC) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if upper {
            if offset > r.size || size > r.size || size > offset {
                return Err(ZxError::INVALID_ARGS);
            }
            return Ok((None, r.base + offset));
        }
        if offset >= r.size || size > r.size - offset {
            return Err(ZxError::INVALID_ARGS);
        }
        if let Placement::Specific(overwrite) = placement {
            let base = r.base + offset;
            if !base.is_multiple_of(align) {
                return Err(ZxError::INVALID_ARGS);
            }
            if overwrite == Overwrite::Refuse && !r.gaps.is_free(base, base + size) {
                return Err(ZxError::ALREADY_EXISTS);
            }
            return Ok((Some(base), usize::MAX));
        }
        Ok((None, usize::MAX))
    }
}
