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
//! Snapshot children (`ZX_VMO_CHILD_SNAPSHOT*`) of a paged VMO that start
//! on a chunk boundary share the parent's chunks copy-on-write: both sides
//! read the same frames until one writes, and the writer gets its own copy
//! of that chunk. Other snapshots copy the parent's committed pages when
//! they are created. Either way uncommitted pages stay uncommitted in the
//! child, and later writes on either side are invisible to the other, which
//! is the contract of both snapshot kinds.
//!
//! Where things are:
//!
//! * `chunks.rs`: the chunk walk every operation is built on, copy on
//!   write, revoking host pages, the fault path (`fault_map`).
//! * `content.rs`: `zx_vmo_read`/`write` and the commit/decommit/zero ops.
//! * `resize.rs`: `zx_vmo_set_size`, the content size, the cache policy.
//! * `child.rs`: `zx_vmo_create_child` (slices and snapshots).
//! * `discard.rs`: locking and unlocking discardable VMOs.
//!
//! Locks: a VMO's `inner` lock may be taken with an address space's lock
//! held, never the reverse; under its own lock a VMO only unmaps page
//! tables directly (`AddressSpace::hal_revoke`), and any reference it
//! upgrades meanwhile is dropped after the lock is released. A slice's lock
//! is taken with its parent's held (revocation walks parent → slice).

use crate::sync::{Mutex, MutexGuard};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use kernel_hal::{HalRef, PAGE_SIZE};

use super::aspace::AddressSpace;
use super::region::MappingId;
use crate::object::{signals, KObjectBase, Koid, ObjType};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

mod child;
mod chunks;
mod content;
mod discard;
mod pager_backed;
mod resize;

pub use child::child_rights;
use chunks::Chunk;
pub use chunks::{Run, Sharing};
pub use content::{Attribution, VmoOp, ATTRIBUTION_SCALE_BITS};
pub use discard::{discardable_bytes, reclaim_discardable, LockState};

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
    /// `ZX_INFO_VMO_PAGER_BACKED`
    pub const PAGER_BACKED: u32 = 1 << 5;
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

#[derive(Debug)]
pub(super) enum VmoKind {
    Paged,
    /// A window on `parent`'s pages from `offset`. A reference
    /// (`ZX_VMO_CHILD_REFERENCE`) is a window on all of them that also
    /// shares the parent's content size and its lock.
    Slice {
        parent: Arc<VmObject>,
        offset: usize,
        reference: bool,
    },
}

#[derive(Debug)]
/// The mutable state of a VMO, all protected by `VmObject::inner`.
pub(super) struct VmoInner {
    /// Size in bytes, page aligned. Fixed for slices.
    size: usize,
    /// The content ("stream") size, unrounded. `zx_vmo_set_stream_size`
    /// and `zx_vmo_set_size` keep it ≤ size; `ZX_PROP_VMO_CONTENT_SIZE`
    /// may set any value, as on Zircon. Changed only with `content_lock`
    /// held too.
    content_size: usize,
    /// Chunk index → chunk (paged VMOs only).
    chunks: BTreeMap<usize, Arc<Chunk>>,
    /// Live mappings of this VMO, keyed by (address space, mapping id).
    mappings: HashMap<(usize, MappingId), MappingRef>,
    /// Live children (dead ones are pruned lazily).
    children: Vec<Weak<VmObject>>,
    /// `ZX_CACHE_POLICY_*`; settable only while the VMO is unused.
    cache_policy: u32,
    /// Outstanding `ZX_VMO_OP_LOCK`/`TRY_LOCK`s of a discardable VMO.
    lock_count: u64,
    /// Where a discardable VMO is in its life (`discard.rs`).
    discard_state: discard::DiscardState,
    /// The pages present, for a pager-backed VMO (supplied by the pager,
    /// or zeroed or grown into by the VMO's own operations); the rest must
    /// be requested from the pager before anything reads, writes or maps
    /// them. Unused otherwise.
    present: kernel_hal::range_map::RangeMap<()>,
    /// The present pages of a pager-backed VMO that are dirty or awaiting
    /// clean (the rest of the present pages are clean); unused otherwise.
    dirty: kernel_hal::range_map::RangeMap<pager_backed::DirtyState>,
    /// Whether a pager-backed VMO was modified since its pager last reset
    /// the statistics (`zx_pager_query_vmo_stats`).
    modified: bool,
}

/// The host memory one chunk of a VMO costs to track, as
/// `ZX_INFO_VMO.metadata_bytes` counts it (Zircon counts its page-list
/// nodes): the shared chunk record behind its `Arc` (two reference counts
/// and the [`Chunk`]) and the chunk table's entry (index and pointer).
const CHUNK_METADATA_BYTES: usize = 2 * std::mem::size_of::<usize>()
    + std::mem::size_of::<Chunk>()
    + std::mem::size_of::<(usize, Arc<Chunk>)>();

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
    /// host memory tracking the VMO's pages (its chunk table)
    pub metadata_bytes: u64,
    /// committed bytes, those shared with copy-on-write relatives included
    pub committed_bytes: u64,
    /// committed bytes no copy-on-write relative shares
    pub committed_private_bytes: u64,
    /// committed bytes, each divided by the number of VMOs sharing it
    /// (whole bytes)
    pub committed_scaled_bytes: u64,
    /// the fraction of a byte truncated from `committed_scaled_bytes`, in
    /// fixed point with 63 fraction bits (`1 << 63` is one byte)
    pub committed_fractional_scaled_bytes: u64,
    /// cache policy
    pub cache_policy: u32,
}

/// A virtual memory object.
///
/// Every field but `inner` is immutable after creation.
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
    /// The user pager behind a pager-backed VMO (`zx_pager_create_vmo`);
    /// `None` for every other VMO (slices reach their parent's).
    source: Option<Arc<crate::vm::pager::PageSource>>,
    /// For an at-least-on-write snapshot of a pager-backed VMO: the parent
    /// it reads missing pages from (`pager_backed.rs`).
    clone_src: Option<pager_backed::CloneSource>,
    /// Serializes every change of the content (stream) size and the stream
    /// I/O that reads or moves it (`zx_stream_*`, `zx_vmo_set_size`,
    /// `zx_vmo_set_stream_size`, `ZX_PROP_VMO_CONTENT_SIZE`), as Zircon's
    /// content-size manager orders them. Taken before any address space's
    /// lock (stream I/O copies guest memory under it) and so before
    /// `inner`; see `docs/LOCKING.md`.
    content_lock: Mutex<()>,
    /// The VMO's lock: taken after an address space's, before a slice
    /// child's and the HAL's.
    inner: Mutex<VmoInner>,
    /// `inner.size`, stored whenever it changes (under `inner`), so that
    /// [`VmObject::size`] takes no lock.
    size: AtomicUsize,
}

impl_kobject!(VmObject, ObjType::Vmo);

impl Drop for VmObject {
    fn drop(&mut self) {
        // No reference to the VMO remains: its pager hears COMPLETE.
        if let Some(source) = &self.source {
            source.detach();
        }
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

pub(super) fn range_end(offset: u64, len: usize, size: usize) -> ZxResult<usize> {
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
            source: None,
            clone_src: None,
            content_lock: Mutex::new(()),
            inner: Mutex::new(VmoInner {
                size,
                content_size,
                chunks: BTreeMap::new(),
                mappings: HashMap::new(),
                children: Vec::new(),
                cache_policy: ZX_CACHE_POLICY_CACHED,
                lock_count: 0,
                discard_state: Default::default(),
                present: Default::default(),
                dirty: Default::default(),
                modified: false,
            }),
            size: AtomicUsize::new(size),
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
        let vmo = Arc::new(vmo);
        if vmo.discardable {
            discard::register(&vmo);
        }
        Ok(vmo)
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

    /// Takes the content-size lock (see the field); stream I/O holds it
    /// across its whole operation.
    pub(crate) fn lock_content(&self) -> MutexGuard<'_, ()> {
        self.content_owner().content_lock.lock()
    }

    /// Returns the VMO whose content size this one reports: the parent for
    /// a reference, else itself.
    pub(super) fn content_owner(&self) -> &VmObject {
        match &self.kind {
            VmoKind::Slice {
                parent,
                reference: true,
                ..
            } => parent,
            _ => self,
        }
    }

    /// Returns the size in bytes (page aligned).
    pub fn size(&self) -> usize {
        self.size.load(Ordering::Acquire)
    }

    /// Returns the content ("stream") size.
    pub fn content_size(&self) -> usize {
        self.content_owner().lock().content_size
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

    /// Returns the `ZX_INFO_VMO` data (the caller adds VIA_* flags and
    /// handle rights).
    pub fn info(&self) -> VmoInfo {
        let (size, nmap, nchild, policy, nchunks) = {
            let mut inner = self.lock();
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            inner.children.retain(|c| c.strong_count() > 0);
            (
                inner.size,
                inner.mappings.len(),
                inner.children.len(),
                inner.cache_policy,
                inner.chunks.len(),
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
        if self.is_pager_backed() {
            flags |= info_flags::PAGER_BACKED;
        }
        let attr = match self.kind {
            VmoKind::Paged => self.attribution_in(0, size.min(self.backed_extent())),
            // A slice's pages are attributed to its parent, as on Zircon.
            VmoKind::Slice { .. } => Default::default(),
        };
        VmoInfo {
            koid: self.base.koid(),
            name: self.base.name_bytes(),
            size_bytes: size as u64,
            parent_koid: self.parent_koid,
            num_children: nchild as u64,
            num_mappings: nmap as u64,
            flags,
            metadata_bytes: (nchunks * CHUNK_METADATA_BYTES) as u64,
            committed_bytes: attr.committed,
            committed_private_bytes: attr.private,
            committed_scaled_bytes: attr.scaled_integral(),
            committed_fractional_scaled_bytes: attr.scaled_fraction(),
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
            .map_or(0, |&i| self.chunk_end(i))
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

    /// The number of distinct address spaces that map the VMO
    /// (`zx_info_vmo_t.share_count`).
    pub fn share_count(&self) -> usize {
        let mut inner = self.lock();
        inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
        let mut spaces: Vec<*const AddressSpace> =
            inner.mappings.values().map(|m| m.aspace.as_ptr()).collect();
        spaces.sort();
        spaces.dedup();
        spaces.len()
    }

    /// Returns the number of live mappings.
    pub fn num_mappings(&self) -> usize {
        self.info().num_mappings as usize
    }
}
