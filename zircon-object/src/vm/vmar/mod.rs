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
use super::gaps::Placement;
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

pub use info::MapsEntry;
pub use op_range::VmarOp;

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

    fn placement(&self, flags: VmOptions) -> Placement {
        if flags.contains(VmOptions::COMPACT) || self.flags.contains(VmOptions::COMPACT) {
            Placement::Compact
        } else {
            Placement::Random(self.aspace.next_seed())
        }
    }

    /// Checks the placement arguments shared by allocate and map and returns
    /// the absolute base (`Some` for SPECIFIC) and the upper limit.
    #[allow(clippy::too_many_arguments)]
    fn check_placement(
        &self,
        r: &Region,
        flags: VmOptions,
        offset: usize,
        size: usize,
        align: usize,
        overwrite_ok: bool,
    ) -> ZxResult<(Option<usize>, usize)> {
        let specific = flags.intersects(VmOptions::SPECIFIC | VmOptions::SPECIFIC_OVERWRITE);
        let upper = flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT);
        if specific && upper {
            return Err(ZxError::INVALID_ARGS);
        }
        if !specific && !upper && offset != 0 {
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
        if specific {
            let base = r.base + offset;
            if !base.is_multiple_of(align) {
                return Err(ZxError::INVALID_ARGS);
            }
            if !overwrite_ok && !r.gaps.is_free(base, base + size) {
                return Err(ZxError::ALREADY_EXISTS);
            }
            return Ok((Some(base), usize::MAX));
        }
        Ok((None, usize::MAX))
    }
}
