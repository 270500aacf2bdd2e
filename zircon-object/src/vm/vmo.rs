//! Virtual memory objects (`zx_vmo_*`).
//!
//! A [`VmObject`] is either *paged* (it owns memory) or a *slice* (a window
//! onto a range of another VMO's pages). A paged VMO takes physical memory
//! in chunks: runs of `hal.chunk_frames()` contiguous frames (2 MiB on the
//! real HAL). A chunk is allocated the first time anything needs one of its
//! pages (a write, a commit, or a fault through a mapping); a chunk that is
//! allocated but untouched still holds no host memory, because the frame
//! file is sparse. So an untouched page reads as zero and costs nothing, as
//! on Zircon, and a mapping can map whole chunks at once and let the host
//! resolve first touches inside them.
//!
//! Snapshot children (`ZX_VMO_CHILD_SNAPSHOT*`) copy the parent's committed
//! pages when they are created; uncommitted pages stay uncommitted in the
//! child, so sparse VMOs stay cheap to snapshot. Later writes on either side
//! are invisible to the other, which is the contract of both snapshot kinds.
//!
//! Lock order: an address space's lock may be held while taking a VMO's
//! `inner` lock, never the reverse. A VMO never calls into an address space
//! while holding its own lock (see [`VmObject::set_size`]).

use crate::sync::{Mutex, MutexGuard};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};

use kernel_hal::{HalRef, PhysAddr, PAGE_SIZE};

use super::aspace::AddressSpace;
use super::region::MappingId;
use crate::object::{signals, KObjectBase, Koid, ObjType};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// The largest VMO size (`VmPageList::MAX_SIZE`): `ROUNDDOWN(u64::MAX, 2·16·P)`.
pub const MAX_VMO_SIZE: u64 = !(2 * 16 * PAGE_SIZE as u64 - 1);

/// `ZX_VMO_RESIZABLE`
pub const ZX_VMO_RESIZABLE: u32 = 1 << 1;
/// `ZX_VMO_DISCARDABLE`
pub const ZX_VMO_DISCARDABLE: u32 = 1 << 2;
/// `ZX_VMO_UNBOUNDED`
pub const ZX_VMO_UNBOUNDED: u32 = 1 << 4;

/// `ZX_VMO_CHILD_SNAPSHOT`
pub const ZX_VMO_CHILD_SNAPSHOT: u32 = 1 << 0;
/// `ZX_VMO_CHILD_RESIZABLE`
pub const ZX_VMO_CHILD_RESIZABLE: u32 = 1 << 2;
/// `ZX_VMO_CHILD_SLICE`
pub const ZX_VMO_CHILD_SLICE: u32 = 1 << 3;
/// `ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE`
pub const ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE: u32 = 1 << 4;
/// `ZX_VMO_CHILD_NO_WRITE`
pub const ZX_VMO_CHILD_NO_WRITE: u32 = 1 << 5;
/// `ZX_VMO_CHILD_REFERENCE`
pub const ZX_VMO_CHILD_REFERENCE: u32 = 1 << 6;
/// `ZX_VMO_CHILD_SNAPSHOT_MODIFIED`
pub const ZX_VMO_CHILD_SNAPSHOT_MODIFIED: u32 = 1 << 7;

/// `ZX_INFO_VMO_*` flag bits.
pub mod info_flags {
    /// `ZX_INFO_VMO_TYPE_PAGED`
    pub const TYPE_PAGED: u32 = 1 << 0;
    /// `ZX_INFO_VMO_RESIZABLE`
    pub const RESIZABLE: u32 = 1 << 1;
    /// `ZX_INFO_VMO_IS_COW_CLONE`
    pub const IS_COW_CLONE: u32 = 1 << 2;
    /// `ZX_INFO_VMO_VIA_HANDLE`
    pub const VIA_HANDLE: u32 = 1 << 3;
    /// `ZX_INFO_VMO_VIA_MAPPING`
    pub const VIA_MAPPING: u32 = 1 << 4;
    /// `ZX_INFO_VMO_DISCARDABLE`
    pub const DISCARDABLE: u32 = 1 << 7;
    /// `ZX_INFO_VMO_IMMUTABLE`
    pub const IMMUTABLE: u32 = 1 << 8;
}

/// Cache policies (`ZX_CACHE_POLICY_*`).
pub const ZX_CACHE_POLICY_CACHED: u32 = 0;
/// `ZX_CACHE_POLICY_MASK`
pub const ZX_CACHE_POLICY_MASK: u32 = 3;

/// A mapping of this VMO somewhere, so a shrink or a copy-on-write can
/// revoke host pages.
#[derive(Debug, Clone)]
pub(crate) struct MappingRef {
    pub aspace: Weak<AddressSpace>,
    pub id: MappingId,
    /// Virtual address of VMO offset 0 in this mapping (wrapping): constant
    /// for a mapping's lifetime, since trims keep it and splits copy it.
    pub bias: usize,
    /// The mapping's extent when it was made; it only ever shrinks.
    pub lo: usize,
    /// End of that extent.
    pub hi: usize,
}

/// One chunk of a paged VMO: a run of frames holding the VMO's offsets
/// `[idx·C, (idx+1)·C)`. Snapshot relatives share chunks until one of them
/// writes (copy on write); the frames go back when the last owner drops it.
struct Chunk {
    paddr: PhysAddr,
    frames: usize,
    hal: HalRef,
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
struct KeepAlive {
    vmos: Vec<Arc<VmObject>>,
    aspaces: Vec<Arc<AddressSpace>>,
}

/// A VMO's lock guard with the [`KeepAlive`] of the walk under it. Fields
/// drop in declaration order, so the guard goes first and the kept
/// references after it.
struct Locked<'a> {
    inner: MutexGuard<'a, VmoInner>,
    keep: KeepAlive,
}

/// What a walk over a paged VMO's chunks needs from each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Only look: missing chunks are reported as holes, shared ones as is.
    Look,
    /// Memory, but not ownership (committing never changes contents).
    Allocate,
    /// A private chunk: allocate if missing, copy if shared (writes).
    Own,
    /// A private chunk if there is one at all (zeroing).
    OwnIfPresent,
}

#[derive(Debug)]
enum VmoKind {
    Paged,
    Slice {
        parent: Arc<VmObject>,
        offset: usize,
    },
}

#[derive(Debug)]
struct VmoInner {
    /// Size in bytes, page aligned. Fixed for slices.
    size: usize,
    /// The content ("stream") size, unrounded, ≤ size.
    content_size: usize,
    /// Chunk index → chunk (paged VMOs only).
    chunks: BTreeMap<usize, Arc<Chunk>>,
    /// Live mappings of this VMO, keyed by (address space, mapping id).
    mappings: HashMap<(usize, MappingId), MappingRef>,
    /// Live children.
    children: Vec<Weak<VmObject>>,
    cache_policy: u32,
}

/// What `ZX_INFO_VMO` reports.
#[derive(Debug, Clone, Default)]
pub struct VmoInfo {
    /// koid
    pub koid: Koid,
    /// name, NUL padded
    pub name: [u8; 32],
    /// size in bytes
    pub size_bytes: u64,
    /// parent's koid or 0
    pub parent_koid: Koid,
    /// live children
    pub num_children: u64,
    /// live mappings
    pub num_mappings: u64,
    /// `ZX_INFO_VMO_*` flags (without VIA_HANDLE/VIA_MAPPING, which the caller adds)
    pub flags: u32,
    /// committed bytes
    pub committed_bytes: u64,
    /// cache policy
    pub cache_policy: u32,
}

/// A virtual memory object.
pub struct VmObject {
    pub(crate) base: KObjectBase,
    hal: HalRef,
    kind: VmoKind,
    resizable: bool,
    unbounded: bool,
    discardable: bool,
    immutable: bool,
    cow_clone: bool,
    parent_koid: Koid,
    /// The parent, told when this child goes (for `ZX_VMO_ZERO_CHILDREN`).
    parent_link: Weak<VmObject>,
    chunk_size: usize,
    inner: Mutex<VmoInner>,
}

impl_kobject!(VmObject, ObjType::Vmo);

impl Drop for VmObject {
    fn drop(&mut self) {
        if let Some(parent) = self.parent_link.upgrade() {
            let mut inner = parent.lock();
            inner.children.retain(|c| c.strong_count() > 0);
            if inner.children.is_empty() {
                parent.base.signal_change(0, signals::VMO_ZERO_CHILDREN);
            }
        }
    }
}

impl std::fmt::Debug for VmObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VmObject")
            .field("koid", &self.base.koid())
            .field("kind", &self.kind)
            .field("resizable", &self.resizable)
            .finish_non_exhaustive()
    }
}

/// Rounds a requested VMO size up to pages, failing like `zx_vmo_create`.
pub fn round_vmo_size(size: u64) -> ZxResult<usize> {
    let rounded = size
        .checked_add(PAGE_SIZE as u64 - 1)
        .ok_or(ZxError::OUT_OF_RANGE)?
        & !(PAGE_SIZE as u64 - 1);
    if rounded > MAX_VMO_SIZE {
        return Err(ZxError::OUT_OF_RANGE);
    }
    Ok(rounded as usize)
}

fn range_end(offset: u64, len: usize, size: usize) -> ZxResult<usize> {
    let end = offset
        .checked_add(len as u64)
        .ok_or(ZxError::OUT_OF_RANGE)?;
    if end > size as u64 {
        return Err(ZxError::OUT_OF_RANGE);
    }
    Ok(end as usize)
}

impl VmObject {
    fn new_paged(
        hal: HalRef,
        size: usize,
        content_size: usize,
        resizable: bool,
        parent_koid: Koid,
    ) -> VmObject {
        let chunk_size = hal.chunk_frames() * PAGE_SIZE;
        let base = KObjectBase::default();
        base.signal_change(0, signals::VMO_ZERO_CHILDREN);
        VmObject {
            base,
            hal,
            kind: VmoKind::Paged,
            resizable,
            unbounded: false,
            discardable: false,
            immutable: false,
            cow_clone: false,
            parent_koid,
            parent_link: Weak::new(),
            chunk_size,
            inner: Mutex::new(VmoInner {
                size,
                content_size,
                chunks: BTreeMap::new(),
                mappings: HashMap::new(),
                children: Vec::new(),
                cache_policy: ZX_CACHE_POLICY_CACHED,
            }),
        }
    }

    /// Creates a paged VMO (`zx_vmo_create`). `options` are the raw
    /// `ZX_VMO_*` flags.
    pub fn create(hal: HalRef, size: u64, options: u32) -> ZxResult<Arc<VmObject>> {
        if options & !(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE | ZX_VMO_UNBOUNDED) != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let resizable = options & ZX_VMO_RESIZABLE != 0;
        let unbounded = options & ZX_VMO_UNBOUNDED != 0;
        if resizable && unbounded {
            return Err(ZxError::INVALID_ARGS);
        }
        let rounded = round_vmo_size(size)?;
        let (size, content) = if unbounded {
            (MAX_VMO_SIZE as usize, size as usize)
        } else {
            (rounded, size as usize)
        };
        let mut vmo = Self::new_paged(hal, size, content, resizable, 0);
        vmo.unbounded = unbounded;
        vmo.discardable = options & ZX_VMO_DISCARDABLE != 0;
        Ok(Arc::new(vmo))
    }

    /// Returns the default rights of a new handle to this VMO.
    pub fn default_rights(&self) -> Rights {
        if self.resizable {
            Rights::DEFAULT_VMO | Rights::RESIZE
        } else {
            Rights::DEFAULT_VMO
        }
    }

    fn lock(&self) -> MutexGuard<'_, VmoInner> {
        self.inner.lock()
    }

    /// Takes the lock for a walk that may revoke host pages (and so upgrade
    /// weak links); see [`Locked`].
    fn lock_for_revoke(&self) -> Locked<'_> {
        Locked {
            inner: self.lock(),
            keep: KeepAlive::default(),
        }
    }

    /// Returns the size in bytes (page aligned).
    pub fn size(&self) -> usize {
        self.lock().size
    }

    /// Returns the content ("stream") size.
    pub fn content_size(&self) -> usize {
        self.lock().content_size
    }

    /// Sets the content size (`ZX_PROP_VMO_CONTENT_SIZE`); it may exceed the
    /// VMO size only up to that size.
    pub fn set_content_size(&self, content: u64) -> ZxResult {
        let (shrunk, mappings) = {
            let mut inner = self.lock();
            if content > inner.size as u64 {
                return Err(ZxError::OUT_OF_RANGE);
            }
            let old = inner.content_size;
            inner.content_size = content as usize;
            let shrunk =
                kernel_hal::page_round_up(content as usize) < kernel_hal::page_round_up(old);
            (shrunk, inner.mappings.values().cloned().collect::<Vec<_>>())
        };
        if shrunk {
            // Mappings that fault beyond the stream stop showing its tail.
            let end = kernel_hal::page_round_up(content as usize).unwrap_or(usize::MAX);
            for m in &mappings {
                if let Some(aspace) = m.aspace.upgrade() {
                    aspace.revoke_stream_range(m.id, end);
                }
            }
        }
        Ok(())
    }

    /// Returns whether the VMO can be resized.
    pub fn is_resizable(&self) -> bool {
        self.resizable
    }

    /// Returns whether the VMO is discardable.
    pub fn is_discardable(&self) -> bool {
        self.discardable
    }

    /// Returns the HAL this VMO allocates from.
    pub fn hal(&self) -> &HalRef {
        &self.hal
    }

    /// Returns the name.
    pub fn name(&self) -> String {
        self.base.name()
    }

    /// Sets the name.
    pub fn set_name(&self, raw: &[u8]) {
        self.base.set_name(raw)
    }

    /// Calls `f(vmo_offset, len, Some(paddr) | None, shared)` for each piece
    /// of `[offset, end)` in order, splitting at chunk boundaries; `None`
    /// means no chunk yet, `shared` that the chunk is shared with snapshot
    /// relatives (and must not be written). `need` says what to do with
    /// missing or shared chunks first. `f` runs under the owning paged
    /// VMO's lock, so nothing can swap the chunk under it.
    fn for_each_piece(
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
    fn new_chunk(&self) -> ZxResult<Arc<Chunk>> {
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
    fn unshare_locked(&self, locked: &mut Locked<'_>, idx: usize) -> ZxResult {
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
    fn revoke_locked(&self, inner: &VmoInner, start: usize, end: usize, keep: &mut KeepAlive) {
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

    fn check_cached(&self) -> ZxResult {
        if self.lock().cache_policy != ZX_CACHE_POLICY_CACHED {
            return Err(ZxError::BAD_STATE);
        }
        Ok(())
    }

    /// Reads `buf.len()` bytes at `offset` (`zx_vmo_read`).
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> ZxResult {
        let end = range_end(offset, buf.len(), self.size())?;
        self.check_cached()?;
        let start = offset as usize;
        self.for_each_piece(start, end, Need::Look, &mut |o, l, pa, _| {
            let dst = &mut buf[o - start..o - start + l];
            match pa {
                Some(pa) => self.hal.phys().read(pa, dst)?,
                None => dst.fill(0),
            }
            Ok(())
        })
    }

    /// Writes `buf` at `offset` (`zx_vmo_write`).
    pub fn write(&self, offset: u64, buf: &[u8]) -> ZxResult {
        let end = range_end(offset, buf.len(), self.size())?;
        self.check_cached()?;
        let start = offset as usize;
        self.for_each_piece(start, end, Need::Own, &mut |o, l, pa, _| {
            let pa = pa.expect("allocated");
            self.hal.phys().write(pa, &buf[o - start..o - start + l])?;
            Ok(())
        })
    }

    /// Commits `[offset, offset + len)` (rounded out to pages).
    pub fn commit(&self, offset: u64, len: u64) -> ZxResult {
        let (start, end) = self.op_bounds(offset, len)?;
        let (start, end) = (
            kernel_hal::page_round_down(start),
            kernel_hal::page_round_up(end).ok_or(ZxError::OUT_OF_RANGE)?,
        );
        self.for_each_piece(start, end, Need::Allocate, &mut |_, l, pa, _| {
            self.hal.phys().commit(pa.expect("allocated"), l)?;
            Ok(())
        })
    }

    /// Decommits `[offset, offset + len)`, which must be page aligned: the
    /// pages read as zero afterwards, through every mapping.
    pub fn decommit(&self, offset: u64, len: u64) -> ZxResult {
        if !offset.is_multiple_of(PAGE_SIZE as u64) || !len.is_multiple_of(PAGE_SIZE as u64) {
            return Err(ZxError::INVALID_ARGS);
        }
        let (start, end) = self.op_bounds(offset, len)?;
        self.zero_range(start, end)
    }

    /// Zeroes `[offset, offset + len)` (`ZX_VMO_OP_ZERO`), releasing whole
    /// pages.
    pub fn zero(&self, offset: u64, len: u64) -> ZxResult {
        let (start, end) = self.op_bounds(offset, len)?;
        self.zero_range(start, end)
    }

    fn zero_range(&self, start: usize, end: usize) -> ZxResult {
        self.for_each_piece(start, end, Need::OwnIfPresent, &mut |_, l, pa, _| {
            if let Some(pa) = pa {
                self.hal.phys().zero(pa, l)?;
            }
            Ok(())
        })
    }

    /// Checks an op range against the size: `offset + len` must not wrap or
    /// pass the end.
    pub fn op_bounds(&self, offset: u64, len: u64) -> ZxResult<(usize, usize)> {
        let end = offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if end > self.size() as u64 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        Ok((offset as usize, end as usize))
    }

    /// Returns the committed bytes of `[offset, end)` (page aligned).
    pub fn committed_bytes_in(&self, offset: usize, end: usize) -> usize {
        let mut total = 0;
        let _ = self.for_each_piece(offset, end, Need::Look, &mut |_, l, pa, _| {
            if let Some(pa) = pa {
                total += self.hal.phys().committed_bytes(pa, l);
            }
            Ok(())
        });
        total
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

    /// Resizes the VMO (`zx_vmo_set_size`). Shrinking revokes the host pages
    /// of every mapping past the new end first, then frees the memory, so
    /// a mapping past the end faults `OUT_OF_RANGE` and never sees freed
    /// frames; growing exposes zero pages.
    pub fn set_size(self: &Arc<Self>, size: u64) -> ZxResult {
        if !self.resizable {
            return Err(ZxError::UNAVAILABLE);
        }
        let new_size = round_vmo_size(size)?;
        let (old_size, mappings) = {
            let mut inner = self.lock();
            let old = inner.size;
            inner.size = new_size;
            inner.content_size = size as usize;
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            (old, inner.mappings.values().cloned().collect::<Vec<_>>())
        };
        if new_size < old_size {
            for m in &mappings {
                if let Some(aspace) = m.aspace.upgrade() {
                    aspace.revoke_vmo_range(m.id, new_size);
                }
            }
            // Now no host mapping reaches past the end: free whole chunks and
            // zero the tail of the last one.
            let mut locked = self.lock_for_revoke();
            // A concurrent shrink may have cut further; free past the current size.
            let cur = locked.inner.size;
            let first_dead = cur.div_ceil(self.chunk_size);
            // Dropping a chunk frees it once no snapshot relative holds it.
            drop(locked.inner.chunks.split_off(&first_dead));
            if !cur.is_multiple_of(self.chunk_size)
                && locked.inner.chunks.contains_key(&(cur / self.chunk_size))
            {
                let idx = cur / self.chunk_size;
                self.unshare_locked(&mut locked, idx)?;
                let off = cur % self.chunk_size;
                self.hal
                    .phys()
                    .zero(locked.inner.chunks[&idx].paddr + off, self.chunk_size - off)?;
            }
        } else if new_size > old_size {
            // A chunk shared with a bigger relative may hold its data past our
            // old end; what the VMO grows into must read as zero.
            self.zero_range(
                old_size,
                new_size.min(old_size.next_multiple_of(self.chunk_size)),
            )?;
        }
        // Bytes between the content size and the page end read as zero.
        let tail = size as usize;
        if !tail.is_multiple_of(PAGE_SIZE) && tail < new_size {
            self.zero_range(tail, new_size)?;
        }
        Ok(())
    }

    /// Sets the cache policy (`zx_vmo_set_cache_policy`).
    pub fn set_cache_policy(&self, policy: u32) -> ZxResult {
        if policy > ZX_CACHE_POLICY_MASK {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut inner = self.lock();
        inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
        inner.children.retain(|c| c.strong_count() > 0);
        if !inner.mappings.is_empty()
            || !inner.children.is_empty()
            || !matches!(self.kind, VmoKind::Paged)
            || self.parent_koid != 0
            || !inner.chunks.is_empty()
        {
            return Err(ZxError::BAD_STATE);
        }
        inner.cache_policy = policy;
        Ok(())
    }

    /// Creates a child (`zx_vmo_create_child`); `options` are raw
    /// `ZX_VMO_CHILD_*` flags already checked for handle rights. Returns the
    /// child and whether it should lose `WRITE` (NO_WRITE).
    pub fn create_child(
        self: &Arc<Self>,
        options: u32,
        offset: u64,
        size: u64,
    ) -> ZxResult<Arc<VmObject>> {
        let no_write = options & ZX_VMO_CHILD_NO_WRITE != 0;
        let opts = options & !ZX_VMO_CHILD_NO_WRITE;
        let resizable = opts & ZX_VMO_CHILD_RESIZABLE != 0;
        if self.discardable {
            return Err(ZxError::NOT_SUPPORTED);
        }
        let rounded = round_vmo_size(size)?;
        let snapshot_kinds = ZX_VMO_CHILD_SNAPSHOT
            | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
            | ZX_VMO_CHILD_SNAPSHOT_MODIFIED;
        let child = if opts & ZX_VMO_CHILD_SLICE != 0 {
            if opts != ZX_VMO_CHILD_SLICE {
                return Err(ZxError::INVALID_ARGS);
            }
            if self.resizable {
                return Err(ZxError::NOT_SUPPORTED);
            }
            if !offset.is_multiple_of(PAGE_SIZE as u64) {
                return Err(ZxError::INVALID_ARGS);
            }
            let end = offset
                .checked_add(rounded as u64)
                .ok_or(ZxError::OUT_OF_RANGE)?;
            if end > self.size() as u64 {
                return Err(ZxError::INVALID_ARGS);
            }
            self.check_cached()?;
            let base = KObjectBase::default();
            base.signal_change(0, signals::VMO_ZERO_CHILDREN);
            VmObject {
                base,
                hal: self.hal.clone(),
                kind: VmoKind::Slice {
                    parent: self.clone(),
                    offset: offset as usize,
                },
                resizable: false,
                unbounded: false,
                discardable: false,
                immutable: false,
                cow_clone: false,
                parent_koid: self.base.koid(),
                parent_link: Weak::new(),
                chunk_size: self.chunk_size,
                inner: Mutex::new(VmoInner {
                    size: rounded,
                    content_size: size as usize,
                    chunks: BTreeMap::new(),
                    mappings: HashMap::new(),
                    children: Vec::new(),
                    cache_policy: ZX_CACHE_POLICY_CACHED,
                }),
            }
        } else if opts & ZX_VMO_CHILD_REFERENCE != 0 {
            return Err(ZxError::NOT_SUPPORTED);
        } else {
            let kind = opts & snapshot_kinds;
            if kind.count_ones() != 1 || opts & !(snapshot_kinds | ZX_VMO_CHILD_RESIZABLE) != 0 {
                return Err(ZxError::INVALID_ARGS);
            }
            if !offset.is_multiple_of(PAGE_SIZE as u64) {
                return Err(ZxError::INVALID_ARGS);
            }
            offset
                .checked_add(rounded as u64)
                .ok_or(ZxError::OUT_OF_RANGE)?;
            self.check_cached()?;
            let mut child = Self::new_paged(
                self.hal.clone(),
                rounded,
                size as usize,
                resizable,
                self.base.koid(),
            );
            child.cow_clone = true;
            child.immutable = no_write && opts & ZX_VMO_CHILD_SNAPSHOT != 0;
            self.populate_snapshot(&child, offset as usize, rounded)?;
            child
        };
        let mut child = child;
        child.parent_link = Arc::downgrade(self);
        let child = Arc::new(child);
        let mut inner = self.lock();
        inner.children.retain(|c| c.strong_count() > 0);
        inner.children.push(Arc::downgrade(&child));
        self.base.signal_change(signals::VMO_ZERO_CHILDREN, 0);
        Ok(child)
    }

    /// Gives the fresh paged VMO `child` this VMO's contents in
    /// `[offset, offset + len)` at 0. When the range starts on a chunk
    /// boundary of a paged VMO, the chunks are shared copy-on-write: both
    /// sides keep reading the same frames, this VMO's mappings lose write
    /// access to them, and whichever side writes first gets its own copy.
    /// Otherwise the committed pages are copied now (holes stay holes).
    fn populate_snapshot(&self, child: &VmObject, offset: usize, len: usize) -> ZxResult {
        let end = offset.saturating_add(len).min(self.size());
        if offset >= end {
            return Ok(());
        }
        if matches!(self.kind, VmoKind::Paged) && offset.is_multiple_of(self.chunk_size) {
            let mut locked = self.lock_for_revoke();
            let first = offset / self.chunk_size;
            let last = end.div_ceil(self.chunk_size);
            let shared: Vec<(usize, Arc<Chunk>)> = locked
                .inner
                .chunks
                .range(first..last)
                .map(|(&i, c)| (i - first, c.clone()))
                .collect();
            if shared.is_empty() {
                return Ok(());
            }
            // Mappings of this VMO may have these chunks writable: take them
            // away; they come back read-only on the next touch.
            self.revoke_locked(
                &locked.inner,
                first * self.chunk_size,
                last * self.chunk_size,
                &mut locked.keep,
            );
            child.lock().chunks.extend(shared);
            return Ok(());
        }
        self.for_each_piece(offset, end, Need::Look, &mut |o, l, pa, _| {
            let Some(pa) = pa else { return Ok(()) };
            if self.hal.phys().committed_bytes(pa, l) == 0 {
                return Ok(());
            }
            let dst = o - offset;
            // Split the run where the child's chunks split.
            child.for_each_piece(dst, dst + l, Need::Own, &mut |co, cl, cpa, _| {
                self.hal
                    .phys()
                    .copy(cpa.expect("allocated"), pa + (co - dst), cl)?;
                Ok(())
            })
        })
    }

    /// Returns the `ZX_INFO_VMO` data (the caller adds VIA_* flags and
    /// handle rights).
    pub fn info(&self) -> VmoInfo {
        let (size, nmap, nchild, policy) = {
            let mut inner = self.lock();
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            inner.children.retain(|c| c.strong_count() > 0);
            (
                inner.size,
                inner.mappings.len(),
                inner.children.len(),
                inner.cache_policy,
            )
        };
        let mut flags = info_flags::TYPE_PAGED;
        if self.resizable {
            flags |= info_flags::RESIZABLE;
        }
        if self.cow_clone {
            flags |= info_flags::IS_COW_CLONE;
        }
        if self.discardable {
            flags |= info_flags::DISCARDABLE;
        }
        if self.immutable {
            flags |= info_flags::IMMUTABLE;
        }
        let committed = match self.kind {
            VmoKind::Paged => self.committed_bytes_in(0, size.min(self.backed_extent())),
            // A slice's pages are attributed to its parent, as on Zircon.
            VmoKind::Slice { .. } => 0,
        };
        VmoInfo {
            koid: self.base.koid(),
            name: self.base.name_bytes(),
            size_bytes: size as u64,
            parent_koid: self.parent_koid,
            num_children: nchild as u64,
            num_mappings: nmap as u64,
            flags,
            committed_bytes: committed as u64,
            cache_policy: policy,
        }
    }

    /// Returns the end of the last allocated chunk (bounds committed-byte
    /// walks of huge sparse VMOs).
    fn backed_extent(&self) -> usize {
        let inner = self.lock();
        inner
            .chunks
            .keys()
            .next_back()
            .map_or(0, |&i| (i + 1) * self.chunk_size)
    }

    /// Returns the committed bytes of the whole VMO.
    pub fn committed_bytes(&self) -> usize {
        self.info().committed_bytes as usize
    }

    /// Returns whether this is an unbounded VMO.
    pub fn is_unbounded(&self) -> bool {
        self.unbounded
    }

    pub(crate) fn add_mapping(&self, m: MappingRef) {
        let key = (m.aspace.as_ptr() as usize, m.id);
        self.lock().mappings.insert(key, m);
    }

    pub(crate) fn remove_mapping(&self, aspace: &Weak<AddressSpace>, id: MappingId) {
        self.lock().mappings.remove(&(aspace.as_ptr() as usize, id));
    }

    /// Returns the number of live mappings.
    pub fn num_mappings(&self) -> usize {
        self.info().num_mappings as usize
    }
}

/// Computes a child VMO handle's rights from its parent handle's rights and
/// the `ZX_VMO_CHILD_*` options, as `zx_vmo_create_child` does.
pub fn child_rights(parent: Rights, options: u32) -> Rights {
    let mut r = (parent & !Rights::RESIZE) | Rights::GET_PROPERTY | Rights::SET_PROPERTY;
    if options & ZX_VMO_CHILD_RESIZABLE != 0 {
        r |= Rights::RESIZE;
    }
    let snapshot = options
        & (ZX_VMO_CHILD_SNAPSHOT
            | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
            | ZX_VMO_CHILD_SNAPSHOT_MODIFIED)
        != 0;
    if options & ZX_VMO_CHILD_NO_WRITE != 0 {
        r.remove(Rights::WRITE);
    } else if snapshot {
        r.insert(Rights::WRITE);
        r.remove(Rights::EXECUTE);
    }
    r
}
