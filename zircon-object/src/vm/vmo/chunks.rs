//! The chunks of a paged VMO and the walk over them that reads, writes,
//! faults and snapshots share; copy on write and revoking host pages.

use std::sync::Arc;

use kernel_hal::{HalRef, PageFaultAccess, PhysAddr, PAGE_SIZE};

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

/// Whether a run of frames belongs to one VMO or is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Only this VMO (and its slices) use the frames: map as protected.
    Private,
    /// Snapshot relatives share the frames: map without write access, so a
    /// write faults and gets a private copy.
    CopyOnWrite,
}

/// A physically contiguous run of a VMO's pages, as `fault_map` and
/// `backed_runs` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// VMO offset of the run's first byte.
    pub vmo_offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// Physical address of the run's first byte.
    pub paddr: PhysAddr,
    /// Whether the frames may be mapped writable.
    pub sharing: Sharing,
}

/// One piece of a chunk walk: like a [`Run`], but with no frames yet
/// (`paddr` `None`) where no chunk is allocated.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub(super) vmo_offset: usize,
    pub(super) len: usize,
    pub(super) paddr: Option<PhysAddr>,
    pub(super) sharing: Sharing,
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

    /// Calls `f` with each [`Piece`] of `[offset, end)` in order, splitting
    /// at chunk boundaries; a piece without `paddr` has no chunk yet, a
    /// `CopyOnWrite` one is shared with snapshot relatives (and must not be
    /// written). `need` says what to do with
    /// missing or shared chunks first. `f` runs under the owning paged
    /// VMO's lock, so nothing can swap the chunk under it.
    pub(super) fn for_each_piece(
        &self,
        offset: usize,
        end: usize,
        need: Need,
        f: &mut dyn FnMut(Piece) -> ZxResult,
    ) -> ZxResult {
        match &self.kind {
            VmoKind::Slice {
                parent, offset: so, ..
            } => parent.for_each_piece(offset + so, end + so, need, &mut |p| {
                f(Piece {
                    vmo_offset: p.vmo_offset - so,
                    ..p
                })
            }),
            VmoKind::Paged => {
                let mut locked = self.lock_for_revoke();
                if offset < end {
                    self.check_not_discarded(&locked.inner)?;
                }
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
                        f(Piece {
                            vmo_offset: pos,
                            len: next - pos,
                            paddr: None,
                            sharing: Sharing::Private,
                        })?;
                        pos = next;
                        continue;
                    }
                    let chunk_end = self.chunk_end(idx).min(end);
                    if missing {
                        let chunk = self.new_chunk()?;
                        locked.inner.chunks.insert(idx, chunk);
                    } else if matches!(need, Need::Own | Need::OwnIfPresent) {
                        self.unshare_locked(&mut locked, idx)?;
                    }
                    let chunk = &locked.inner.chunks[&idx];
                    f(Piece {
                        vmo_offset: pos,
                        len: chunk_end - pos,
                        paddr: Some(chunk.paddr + pos % self.chunk_size),
                        sharing: sharing_of(chunk),
                    })?;
                    pos = chunk_end;
                }
                Ok(())
            }
        }
    }

    /// Returns the VMO offset just past chunk `idx`. The last chunk of a
    /// VMO of the largest size (an unbounded one) ends at 2^64, which
    /// saturates to `usize::MAX`: still past every VMO's end.
    pub(super) fn chunk_end(&self, idx: usize) -> usize {
        (idx * self.chunk_size).saturating_add(self.chunk_size)
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
        let end = self.chunk_end(idx);
        self.revoke_locked(&locked.inner, start, end, &mut locked.keep);
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
            // A snapshot of a pager's VMO may map this VMO's frames where
            // it has not copied them.
            let shown = match (&child.kind, &child.clone_src) {
                (VmoKind::Slice { offset: so, .. }, _) => Some(*so),
                (VmoKind::Paged, Some(cs)) => Some(cs.offset),
                _ => None,
            };
            if let Some(so) = shown {
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
    /// physically contiguous [`Run`] of pages around it and calls `f` with
    /// it in this VMO's offsets, clipped to the VMO's size, under the lock
    /// of the VMO that owns the memory (so the run cannot be swapped or
    /// revoked while `f` maps it). For a write access, a chunk shared with
    /// snapshot relatives is first made private (copy on write); otherwise
    /// a still-shared run comes as `CopyOnWrite`, to be mapped read-only.
    /// `offset` past the end → `OUT_OF_RANGE`.
    pub fn fault_map(
        &self,
        offset: usize,
        access: PageFaultAccess,
        f: &mut dyn FnMut(Run) -> ZxResult,
    ) -> ZxResult {
        match &self.kind {
            VmoKind::Slice {
                parent, offset: so, ..
            } => {
                let size = self.size();
                if offset >= size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                parent.fault_map(offset + so, access, &mut |run| {
                    let start = run.vmo_offset.max(*so);
                    let end = (run.vmo_offset + run.len).min(so + size);
                    f(Run {
                        vmo_offset: start - so,
                        len: end - start,
                        paddr: run.paddr + (start - run.vmo_offset),
                        sharing: run.sharing,
                    })
                })
            }
            VmoKind::Paged => {
                // A snapshot of a pager's VMO shows its parent's page where
                // it has not copied one, until it writes.
                if let Some(cs) = &self.clone_src {
                    if access != PageFaultAccess::Write {
                        let owned = {
                            let inner = self.lock();
                            if offset >= inner.size {
                                return Err(ZxError::OUT_OF_RANGE);
                            }
                            inner.present.get(offset).is_some()
                        };
                        if !owned {
                            return self.fault_through_parent(cs, offset, f);
                        }
                    }
                }
                let idx = offset / self.chunk_size;
                let start = idx * self.chunk_size;
                let mut locked = self.lock_for_revoke();
                if offset >= locked.inner.size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                self.check_not_discarded(&locked.inner)?;
                let end = self.chunk_end(idx).min(locked.inner.size);
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    locked.inner.chunks.entry(idx)
                {
                    slot.insert(self.new_chunk()?);
                } else if access == PageFaultAccess::Write {
                    self.unshare_locked(&mut locked, idx)?;
                }
                // A pager-backed VMO maps only the present pages around
                // the fault; a missing one waits for the pager, outside
                // the signal handler (`SHOULD_WAIT`).
                let (lo, hi, writable) =
                    self.fault_run(&mut locked.inner, offset, access, start, end)?;
                let chunk = &locked.inner.chunks[&idx];
                f(Run {
                    vmo_offset: lo,
                    len: hi - lo,
                    paddr: chunk.paddr + (lo - start),
                    sharing: if writable {
                        sharing_of(chunk)
                    } else {
                        Sharing::CopyOnWrite
                    },
                })
            }
        }
    }

    /// Calls `f` with every [`Run`] of `[offset, end)` that already has
    /// memory (for `ZX_VM_MAP_RANGE`), under the owning VMO's lock.
    pub fn backed_runs(
        &self,
        offset: usize,
        end: usize,
        f: &mut dyn FnMut(Run) -> ZxResult,
    ) -> ZxResult {
        let end = end.min(self.size());
        if offset >= end || self.is_discarded() {
            // A discarded VMO has nothing to map; touching it faults.
            return Ok(());
        }
        // A pager's own pages are only made writable by a write fault, so
        // that writes are seen (dirty tracking, `zx_pager_query_vmo_stats`).
        let read_only = self.dirty_tracked();
        for (lo, hi) in self.present_in(offset, end) {
            self.for_each_piece(lo, hi, Need::Look, &mut |p| match p.paddr {
                Some(paddr) => f(Run {
                    vmo_offset: p.vmo_offset,
                    len: p.len,
                    paddr,
                    sharing: if read_only {
                        Sharing::CopyOnWrite
                    } else {
                        p.sharing
                    },
                }),
                None => Ok(()),
            })?;
        }
        Ok(())
    }

    /// The parts of `[offset, end)` whose pages may be mapped now: all of
    /// it, but for a pager-backed VMO only the present pages.
    fn present_in(&self, offset: usize, end: usize) -> Vec<(usize, usize)> {
        match &self.kind {
            VmoKind::Slice {
                parent, offset: so, ..
            } => parent
                .present_in(offset + so, end + so)
                .into_iter()
                .map(|(a, b)| (a - so, b - so))
                .collect(),
            VmoKind::Paged => {
                let inner = self.lock();
                let mut out = Vec::new();
                let _ = self.for_present(&inner, offset, end, &mut |a, b| {
                    out.push((a, b));
                    Ok(())
                });
                out
            }
        }
    }
}

/// A chunk held by more than one VMO is shared copy-on-write.
fn sharing_of(chunk: &Arc<Chunk>) -> Sharing {
    if Arc::strong_count(chunk) == 1 {
        Sharing::Private
    } else {
        Sharing::CopyOnWrite
    }
}
