//! Discardable VMOs (`ZX_VMO_DISCARDABLE`): `ZX_VMO_OP_LOCK`, `TRY_LOCK`
//! and `UNLOCK`, and their reclamation.
//!
//! As on Zircon (`discardable_vmo_tracker.cc`), a discardable VMO is in one
//! of four states: never locked (never reclaimed), locked (lock count > 0),
//! reclaimable (its lock count went from 1 to 0) or discarded. Reclamation
//! ([`reclaim_discardable`]) discards every reclaimable VMO that has
//! committed pages: it takes every host mapping of its pages away and frees
//! them, under the VMO's lock, so nothing can see a page after it went.
//! While discarded and unlocked, the VMO's pages are gone: reads, writes,
//! commits and faults through its mappings fail with `NOT_FOUND`. The next
//! `LOCK` reports the whole VMO discarded and finds it zero-filled;
//! `TRY_LOCK` answers `UNAVAILABLE` and leaves it discarded.
//!
//! What reclaims: the memory-pressure watchdog when free memory falls to
//! the critical level or below (`system/pressure.rs`), and
//! `zx_debug_send_command(resource, "scanner reclaim_all")`, the kernel
//! console command Fuchsia's tests use to force reclamation.

use std::sync::{Arc, Weak};

use super::VmObject;
use crate::sync::Mutex;
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
    /// The discarded range's size (0: nothing discarded; else the whole
    /// VMO).
    pub discarded_size: u64,
}

/// Where a discardable VMO is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum DiscardState {
    /// Never locked: not a candidate for reclamation.
    #[default]
    NeverLocked,
    /// Locked at least once more than unlocked.
    Locked,
    /// Unlocked after being locked: may be discarded.
    Reclaimable,
    /// Discarded, and not locked since.
    Discarded,
}

/// Every discardable VMO, for reclamation and `ZX_INFO_KMEM_STATS`. A leaf
/// lock, held only to list or prune the entries: the VMOs are locked (and
/// the references dropped) after it is released.
static DISCARDABLE: Mutex<Vec<Weak<VmObject>>> = Mutex::new(Vec::new());

/// Enters `vmo` (discardable) into the registry, and makes sure the
/// memory-pressure watchdog runs, which reclaims when memory is low.
pub(super) fn register(vmo: &Arc<VmObject>) {
    {
        let mut all = DISCARDABLE.lock();
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(vmo));
    }
    crate::system::MemoryWatchdog::global(&vmo.hal);
}

/// The live discardable VMOs (references taken under the registry lock,
/// used and dropped after it).
fn live() -> Vec<Arc<VmObject>> {
    let mut all = DISCARDABLE.lock();
    all.retain(|w| w.strong_count() > 0);
    all.iter().filter_map(Weak::upgrade).collect()
}

/// Discards every reclaimable discardable VMO that has committed pages;
/// returns how many it discarded. No lock may be held by the caller (it
/// takes each VMO's lock, and through it page tables).
pub fn reclaim_discardable() -> usize {
    live().iter().filter(|vmo| vmo.discard()).count()
}

/// The committed bytes of discardable VMOs that are locked, and of those
/// that are reclaimable (`ZX_INFO_KMEM_STATS`'s
/// `vmo_discardable_locked_bytes` and `_unlocked_bytes`; VMOs never locked
/// count in neither, as on Zircon).
pub fn discardable_bytes() -> (u64, u64) {
    let (mut locked, mut unlocked) = (0, 0);
    for vmo in live() {
        let state = vmo.lock().discard_state;
        match state {
            DiscardState::Locked => locked += vmo.attribution_of(0, vmo.size()).committed,
            DiscardState::Reclaimable => unlocked += vmo.attribution_of(0, vmo.size()).committed,
            DiscardState::NeverLocked | DiscardState::Discarded => {}
        }
    }
    (locked, unlocked)
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

    /// `ZX_VMO_OP_LOCK`: locks the whole VMO; a discarded one is reported
    /// as such (the whole VMO) and reads as zeros from now on.
    pub fn lock_range(&self, offset: u64, len: u64) -> ZxResult<LockState> {
        let size = self.check_lock_range(offset, len)?;
        let mut inner = self.lock();
        let discarded = inner.discard_state == DiscardState::Discarded;
        inner.lock_count += 1;
        inner.discard_state = DiscardState::Locked;
        Ok(LockState {
            offset: 0,
            size,
            discarded_offset: 0,
            discarded_size: if discarded { size } else { 0 },
        })
    }

    /// `ZX_VMO_OP_TRY_LOCK`: locks the whole VMO unless it was discarded
    /// (`UNAVAILABLE`, and it stays discarded).
    pub fn try_lock_range(&self, offset: u64, len: u64) -> ZxResult {
        self.check_lock_range(offset, len)?;
        let mut inner = self.lock();
        if inner.discard_state == DiscardState::Discarded {
            return Err(ZxError::UNAVAILABLE);
        }
        inner.lock_count += 1;
        inner.discard_state = DiscardState::Locked;
        Ok(())
    }

    /// `ZX_VMO_OP_UNLOCK`: `BAD_STATE` if the VMO is not locked; the last
    /// unlock makes it reclaimable.
    pub fn unlock_range(&self, offset: u64, len: u64) -> ZxResult {
        self.check_lock_range(offset, len)?;
        let mut inner = self.lock();
        if inner.lock_count == 0 {
            return Err(ZxError::BAD_STATE);
        }
        inner.lock_count -= 1;
        if inner.lock_count == 0 {
            inner.discard_state = DiscardState::Reclaimable;
        }
        Ok(())
    }

    /// Whether the VMO is discarded (and not locked since): its pages are
    /// gone and every access is `NOT_FOUND`.
    pub fn is_discarded(&self) -> bool {
        self.discardable && self.lock().discard_state == DiscardState::Discarded
    }

    /// Discards the VMO if it is reclaimable and has committed pages:
    /// takes its pages out of every mapping and frees them, all under its
    /// lock (which every fault and copy of its pages takes), so no access
    /// sees a page after it is freed. Returns whether it discarded.
    fn discard(&self) -> bool {
        if !self.discardable {
            return false;
        }
        let mut locked = self.lock_for_revoke();
        if locked.inner.discard_state != DiscardState::Reclaimable || locked.inner.chunks.is_empty()
        {
            return false;
        }
        let size = locked.inner.size;
        self.revoke_locked(&locked.inner, 0, size, &mut locked.keep);
        // Discardable VMOs have no children, so no chunk is shared: each
        // is freed as it is dropped.
        locked.inner.chunks.clear();
        locked.inner.discard_state = DiscardState::Discarded;
        true
    }

    /// `NOT_FOUND` if the VMO is discarded (and not locked since).
    pub(super) fn check_not_discarded(&self, inner: &super::VmoInner) -> ZxResult {
        if inner.discard_state == DiscardState::Discarded {
            Err(ZxError::NOT_FOUND)
        } else {
            Ok(())
        }
    }
}
