//! Discardable VMOs (`ZX_VMO_DISCARDABLE`): `ZX_VMO_OP_LOCK`, `TRY_LOCK`
//! and `UNLOCK`.
//!
//! Zircon may reclaim the pages of an unlocked discardable VMO when memory
//! runs low, and a later lock then reports the VMO as discarded (and reads
//! see zeros). The emulator never discards: a VMO keeps its pages until it
//! is decommitted or dies, which is one of the behaviours Zircon allows
//! (reclaim is never promised), so every lock succeeds with nothing
//! discarded. The lock count is kept all the same: unlocking more often
//! than locking is an error.

use super::VmObject;
use crate::{ZxError, ZxResult};

/// What `ZX_VMO_OP_LOCK` reports (`zx_vmo_lock_state_t`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockState {
    /// The locked range's offset (always 0: the whole VMO).
    pub offset: u64,
    /// The locked range's size.
    pub size: u64,
    /// The discarded range's offset (0: nothing discarded).
    pub discarded_offset: u64,
    /// The discarded range's size (0: nothing discarded).
    pub discarded_size: u64,
}

impl VmObject {
    /// Checks a lock operation: the VMO must be discardable
    /// (`NOT_SUPPORTED`), and the range must be the whole VMO
    /// (`OUT_OF_RANGE`).
    fn check_lock_range(&self, offset: u64, len: u64) -> ZxResult<u64> {
        if !self.discardable {
            return Err(ZxError::NOT_SUPPORTED);
        }
        let size = self.size() as u64;
        if offset != 0 || len != size {
            return Err(ZxError::OUT_OF_RANGE);
        }
        Ok(size)
    }

    /// `ZX_VMO_OP_LOCK`: locks the whole VMO, discarded or not.
    pub fn lock_range(&self, offset: u64, len: u64) -> ZxResult<LockState> {
        let size = self.check_lock_range(offset, len)?;
        self.lock().lock_count += 1;
        Ok(LockState {
            offset: 0,
            size,
            ..LockState::default()
        })
    }

    /// `ZX_VMO_OP_TRY_LOCK`: locks the whole VMO unless it was discarded
    /// (`UNAVAILABLE`; never, here).
    pub fn try_lock_range(&self, offset: u64, len: u64) -> ZxResult {
        self.check_lock_range(offset, len)?;
        self.lock().lock_count += 1;
        Ok(())
    }

    /// `ZX_VMO_OP_UNLOCK`: `BAD_STATE` if the VMO is not locked.
    pub fn unlock_range(&self, offset: u64, len: u64) -> ZxResult {
        self.check_lock_range(offset, len)?;
        let mut inner = self.lock();
        if inner.lock_count == 0 {
            return Err(ZxError::BAD_STATE);
        }
        inner.lock_count -= 1;
        Ok(())
    }
}
