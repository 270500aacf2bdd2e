//! `zx_vmar_op_range`: commit, decommit, zero, map-range and friends over the mappings of a range.

use std::sync::Arc;

use kernel_hal::{is_page_aligned, MMUFlags};

use super::map::FaultLimit;
use super::{MappingKind, VmAddressRegion};
use crate::vm::region::rounded_len;
use crate::{Rights, ZxError, ZxResult};

/// A `zx_vmar_op_range` operation (`ZX_VMAR_OP_*`, equal to the matching
/// `ZX_VMO_OP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum VmarOp {
    /// `ZX_VMAR_OP_COMMIT`
    Commit = 1,
    /// `ZX_VMAR_OP_DECOMMIT`
    Decommit = 2,
    /// `ZX_VMAR_OP_MAP_RANGE`
    MapRange = 3,
    /// `ZX_VMAR_OP_ZERO`
    Zero = 10,
    /// `ZX_VMAR_OP_DONT_NEED`
    DontNeed = 12,
    /// `ZX_VMAR_OP_ALWAYS_NEED`
    AlwaysNeed = 13,
    /// `ZX_VMAR_OP_PREFETCH`
    Prefetch = 14,
}

impl TryFrom<u32> for VmarOp {
    type Error = ZxError;

    /// Any other value → `INVALID_ARGS`.
    fn try_from(op: u32) -> ZxResult<VmarOp> {
        Ok(match op {
            1 => VmarOp::Commit,
            2 => VmarOp::Decommit,
            3 => VmarOp::MapRange,
            10 => VmarOp::Zero,
            12 => VmarOp::DontNeed,
            13 => VmarOp::AlwaysNeed,
            14 => VmarOp::Prefetch,
            _ => return Err(ZxError::INVALID_ARGS),
        })
    }
}

/// Why one walk of [`VmAddressRegion::op_range`] stopped.
enum Stop {
    /// The operation failed.
    Status(ZxError),
    /// Pages of this VMO range must come from its pager first.
    Wait(Arc<crate::vm::VmObject>, usize, usize),
}

impl From<ZxError> for Stop {
    fn from(e: ZxError) -> Self {
        Stop::Status(e)
    }
}

impl VmAddressRegion {
    /// Performs `op` on the mappings of `[addr, addr + len)`
    /// (`zx_vmar_op_range`); `rights` are the handle's rights.
    pub fn op_range(&self, rights: Rights, op: VmarOp, addr: usize, len: usize) -> ZxResult {
        // Pages a user pager has not supplied yet are waited for with no
        // lock held, then the walk starts again (what it already did is
        // idempotent).
        loop {
            match self.op_range_once(rights, op, addr, len) {
                Ok(()) => return Ok(()),
                Err(Stop::Status(e)) => return Err(e),
                Err(Stop::Wait(vmo, vs, ve)) => vmo.wait_present(vs, ve, true)?,
            }
        }
    }

    fn op_range_once(
        &self,
        rights: Rights,
        op: VmarOp,
        addr: usize,
        len: usize,
    ) -> Result<(), Stop> {
        use VmarOp::*;
        let len = rounded_len(len)?;
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS.into());
        }
        let end = addr.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if addr < self.addr || end > self.addr + self.size {
            return Err(ZxError::OUT_OF_RANGE.into());
        }
        let mut st = self.aspace.lock();
        st.region(self.id)?;
        let (maps, _) = st.mappings_in(self.id, addr, end);
        // One pass in address order, as Zircon's range-op walk does: each
        // mapping is checked and then operated on, so an error stops the walk
        // with earlier mappings already done.
        let mut cursor = addr;
        for (id, direct) in maps {
            let m = st.mappings.get_mut(&id).expect("collected above");
            if m.kind == MappingKind::VdsoCode {
                return Err(ZxError::ACCESS_DENIED.into());
            }
            if m.base.max(addr) > cursor {
                return Err(ZxError::BAD_STATE.into());
            }
            cursor = m.end();
            if !direct
                && (matches!(op, Commit | Decommit | Prefetch)
                    || !rights.contains(Rights::OP_CHILDREN))
            {
                return Err(ZxError::INVALID_ARGS.into());
            }
            match op {
                Commit | Decommit | Zero if !m.max_perms.contains(MMUFlags::WRITE) => {
                    return Err(ZxError::ACCESS_DENIED.into())
                }
                Prefetch if !m.max_perms.contains(MMUFlags::READ) => {
                    return Err(ZxError::ACCESS_DENIED.into())
                }
                _ => {}
            }
            let (s, e) = (addr.max(m.base), end.min(m.end()));
            let (vs, ve) = (m.vmo_offset + (s - m.base), m.vmo_offset + (e - m.base));
            // A FAULT_BEYOND_STREAM_SIZE mapping ends, for these ops, at the
            // page holding the stream end: a range past it is refused whole
            // (Zircon's Vmar.FaultBeyondStreamSizeRange).
            if matches!(op, Commit | Decommit | Prefetch)
                && m.fault_limit == FaultLimit::ContentPage
                && ve > m.vmo_limit()
            {
                return Err(ZxError::OUT_OF_RANGE.into());
            }
            if matches!(op, Commit | Prefetch) && !m.vmo.is_present(vs, ve) {
                return Err(Stop::Wait(m.vmo.clone(), vs, ve));
            }
            match op {
                Commit => m.vmo.commit(vs as u64, (ve - vs) as u64)?,
                Decommit => m.vmo.decommit(vs as u64, (ve - vs) as u64)?,
                Zero => m.vmo.zero(vs as u64, (ve - vs) as u64)?,
                // `ALWAYS_NEED` maps what is there too, as Zircon's does.
                MapRange | Prefetch | AlwaysNeed => {
                    if op == Prefetch {
                        m.vmo.op_bounds(vs as u64, (ve - vs) as u64)?;
                    }
                    let vmo = m.vmo.clone();
                    let aspace = &self.aspace;
                    // Never past where faults stop (the stream end's page).
                    let limit = m.vmo_limit();
                    vmo.backed_runs(vs, ve, &mut |run| aspace.host_map_run(m, run, limit))?;
                }
                _ => {}
            }
        }
        if cursor < end {
            return Err(ZxError::BAD_STATE.into());
        }
        Ok(())
    }
}
