//! The chunks of a paged VMO and the walk over them that reads, writes,
//! faults and snapshots share; copy on write and revoking host pages.

use std::sync::Arc;

use kernel_hal::{HalRef, PhysAddr, PAGE_SIZE};

use super::{VmObject, VmoInner, VmoKind};
use crate::sync::MutexGuard;
use crate::vm::aspace::AddressSpace;
use crate::{ZxError, ZxResult};

/// One chunk of a paged VMO: a run of frames holding the VMO's offsets
/// `[idx·C, (idx+1)·C)`. Snapshot relatives share chunks until one of them
/// writes (copy on write); the frames go back when the last owner drops it.
pub(super) struct Chunk {
    pub(super) paddr: PhysAddr,
    pub(super) frames: usize,
    pub(super) hal: HalRef,
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chunk({:#x})", self.paddr)
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        self.hal.phys().free_frames(self.paddr, self.frames);
    }
}

/// References a walk under a VMO's lock took by upgrading weak links (slice
/// children, the address spaces of mappings). They must outlive the lock:
/// if one is the last reference, dropping it runs `Drop for VmObject`,
/// which locks the parent (maybe the VMO whose lock is held), or drops an
/// address space whose mappings release their VMOs. gVisor's rule: never
/// drop the last reference to an object while holding a lock it may take.
#[derive(Default)]
pub(super) struct KeepAlive {
    pub(super) vmos: Vec<Arc<VmObject>>,
    pub(super) aspaces: Vec<Arc<AddressSpace>>,
}

/// A VMO's lock guard with the [`KeepAlive`] of the walk under it. Fields
/// drop in declaration order, so the guard goes first and the kept
/// references after it.
pub(super) struct Locked<'a> {
    pub(super) inner: MutexGuard<'a, VmoInner>,
    pub(super) keep: KeepAlive,
}

/// What a walk over a paged VMO's chunks needs from each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Only look: missing chunks are reported as holes, shared ones as is.
    Look,
    /// Memory, but not ownership (committing never changes contents).
    Allocate,
    /// A private chunk: allocate if missing, copy if shared (writes).
    Own,
    /// A private chunk if there is one at all (zeroing).
    OwnIfPresent,
}

impl VmObject {
    /// Takes the lock for a walk that may revoke host pages (and so upgrade
    /// weak links); see [`Locked`].
    pub(super) fn lock_for_revoke(&self) -> Locked<'_> {
        Locked {
            inner: self.lock(),
            keep: KeepAlive::default(),
        }
    }

    /// Calls `f(vmo_offset, len, Some(paddr) | None, shared)` for each piece
    /// of `[offset, end)` in order, splitting at chunk boundaries; `None`
    /// means no chunk yet, `shared` that the chunk is shared with snapshot
    /// relatives (and must not be written). `need` says what to do with
    /// missing or shared chunks first. `f` runs under the owning paged
    /// VMO's lock, so nothing can swap the chunk under it.
    pub(super) fn for_each_piece(
        &self,
        offset: usize,
        end: usize,
        need: Need,
        f: &mut dyn FnMut(usize, usize, Option<PhysAddr>, bool) -> ZxResult,
    ) -> ZxResult {
        match &self.kind {
            VmoKind::Slice { parent, offset: so } => {
                parent.for_each_piece(offset + so, end + so, need, &mut |o, l, p, sh| {
                    f(o - so, l, p, sh)
                })
            }
            VmoKind::Paged => {
                let mut locked = self.lock_for_revoke();
                let mut pos = offset;
                while pos < end {
                    let idx = pos / self.chunk_size;
                    let missing = !locked.inner.chunks.contains_key(&idx);
                    if missing && matches!(need, Need::Look | Need::OwnIfPresent) {
                        // Skip the whole run of missing chunks in one step.
                        let next = locked
                            .inner
                            .chunks
                            .range(idx..)
                            .next()
                            .map_or(end, |(&i, _)| (i * self.chunk_size).min(end));
                        f(pos, next - pos, None, false)?;
                        pos = next;
                        continue;
                    }
                    let chunk_end = ((idx + 1) * self.chunk_size).min(end);
                    if missing {
                        let chunk = self.new_chunk()?;
                        locked.inner.chunks.insert(idx, chunk);
                    } else if matches!(need, Need::Own | Need::OwnIfPresent) {
                        self.unshare_locked(&mut locked, idx)?;
                    }
                    let chunk = &locked.inner.chunks[&idx];
                    let shared = Arc::strong_count(chunk) > 1;
                    let pa = chunk.paddr + pos % self.chunk_size;
                    f(pos, chunk_end - pos, Some(pa), shared)?;
                    pos = chunk_end;
                }
                Ok(())
            }
        }
    }

    /// Allocates an empty chunk.
    pub(super) fn new_chunk(&self) -> ZxResult<Arc<Chunk>> {
        let frames = self.chunk_size / PAGE_SIZE;
        let paddr = self.hal.phys().alloc_frames(frames)?;
        Ok(Arc::new(Chunk {
            paddr,
            frames,
            hal: self.hal.clone(),
        }))
    }

    /// Makes chunk `idx` (present) private to this VMO: if snapshot
    /// relatives share it, copies its committed pages into a new chunk,
    /// takes every host mapping of the old one out of this VMO's mappings
    /// (and its slices'), and swaps the new one in. Host mappings of a
    /// shared chunk are always read-only, so the old chunk cannot change
    /// while it is copied.
    pub(super) fn unshare_locked(&self, locked: &mut Locked<'_>, idx: usize) -> ZxResult {
        let old = &locked.inner.chunks[&idx];
        if Arc::strong_count(old) == 1 {
            return Ok(());
        }
        let fresh = self.new_chunk()?;
        self.hal
            .phys()
            .copy(fresh.paddr, old.paddr, self.chunk_size)?;
        let start = idx * self.chunk_size;
        self.revoke_locked(
            &locked.inner,
            start,
            start + self.chunk_size,
            &mut locked.keep,
        );
        locked.inner.chunks.insert(idx, fresh);
        Ok(())
    }

    /// Unmaps `[start, end)` (VMO offsets) from the host page tables of
    /// every mapping of this VMO and of its slices. Works on page tables
    /// directly (no address-space lock), so it may be called with this
    /// VMO's lock held; the mappings fault the pages back in on next touch.
    /// The references it upgrades go into `keep`, to be dropped after the
    /// caller releases its lock.
    pub(super) fn revoke_locked(
        &self,
        inner: &VmoInner,
        start: usize,
        end: usize,
        keep: &mut KeepAlive,
    ) {
        for m in inner.mappings.values() {
            if let Some(aspace) = m.aspace.upgrade() {
                let lo = start.wrapping_add(m.bias).max(m.lo);
                let hi = end.wrapping_add(m.bias).min(m.hi);
                if lo < hi {
                    aspace.hal_revoke(lo, hi);
                }
                keep.aspaces.push(aspace);
            }
        }
        for child in inner.children.iter().filter_map(|c| c.upgrade()) {
            if let VmoKind::Slice { offset: so, .. } = child.kind {
                let cinner = child.lock();
                let (lo, hi) = (
                    start.max(so) - so,
                    end.min(so + cinner.size).saturating_sub(so),
                );
                if start < so + cinner.size && end > so && lo < hi {
                    child.revoke_locked(&cinner, lo, hi, keep);
                }
            }
            keep.vmos.push(child);
        }
    }

    /// Resolves a fault at `offset`: finds (allocating if needed) the
    /// physically contiguous run of pages around it and calls
    /// `f(run_start, run_len, paddr_of_run_start, writable)` with the run in
    /// this VMO's offsets, clipped to the VMO's size, under the lock of the
    /// VMO that owns the memory (so the run cannot be swapped or revoked
    /// while `f` maps it). With `write`, a chunk shared with snapshot
    /// relatives is first made private (copy on write); `writable` is false
    /// when the run is still shared and must be mapped read-only. `offset`
    /// past the end → `OUT_OF_RANGE`.
    pub fn fault_map(
        &self,
        offset: usize,
        write: bool,
        f: &mut dyn FnMut(usize, usize, PhysAddr, bool) -> ZxResult,
    ) -> ZxResult {
        match &self.kind {
            VmoKind::Slice { parent, offset: so } => {
                let size = self.size();
                if offset >= size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                parent.fault_map(offset + so, write, &mut |ps, pl, ppa, w| {
                    let start = ps.max(*so);
                    let end = (ps + pl).min(so + size);
                    f(start - so, end - start, ppa + (start - ps), w)
                })
            }
            VmoKind::Paged => {
                let idx = offset / self.chunk_size;
                let start = idx * self.chunk_size;
                let mut locked = self.lock_for_revoke();
                if offset >= locked.inner.size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                let end = (start + self.chunk_size).min(locked.inner.size);
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    locked.inner.chunks.entry(idx)
                {
                    slot.insert(self.new_chunk()?);
                } else if write {
                    self.unshare_locked(&mut locked, idx)?;
                }
                let chunk = &locked.inner.chunks[&idx];
                let writable = Arc::strong_count(chunk) == 1;
                f(start, end - start, chunk.paddr, writable)
            }
        }
    }

    /// Calls `f(run_start, run_len, paddr, writable)` for every run of
    /// `[offset, end)` that already has memory (for `ZX_VM_MAP_RANGE`),
    /// under the owning VMO's lock; shared runs are not writable.
    pub fn backed_runs(
        &self,
        offset: usize,
        end: usize,
        f: &mut dyn FnMut(usize, usize, PhysAddr, bool) -> ZxResult,
    ) -> ZxResult {
        let end = end.min(self.size());
        if offset >= end {
            return Ok(());
        }
        self.for_each_piece(offset, end, Need::Look, &mut |o, l, pa, shared| match pa {
            Some(pa) => f(o, l, pa, !shared),
            None => Ok(()),
        })
    }
}
