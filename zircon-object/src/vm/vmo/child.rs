//! `zx_vmo_create_child`: slices and snapshots, and the rights of the new
//! handle.

use crate::sync::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};

use kernel_hal::PAGE_SIZE;

use super::chunks::{Chunk, Need, Piece};
use super::*;
use crate::object::{signals, KObjectBase};
use crate::{Rights, ZxError, ZxResult};

impl VmObject {
    /// Creates a child (`zx_vmo_create_child`); `options` are raw
    /// `ZX_VMO_CHILD_*` flags already checked for handle rights. Returns the
    /// child; [`child_rights`] gives its handle's rights (NO_WRITE drops
    /// `WRITE` there).
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
        // A slice's offset is checked before its size, as on Zircon.
        if opts & ZX_VMO_CHILD_SLICE != 0 && !offset.is_multiple_of(PAGE_SIZE as u64) {
            return Err(ZxError::INVALID_ARGS);
        }
        let rounded = round_vmo_size(size)?;
        let snapshot_kinds = ZX_VMO_CHILD_SNAPSHOT
            | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE
            | ZX_VMO_CHILD_SNAPSHOT_MODIFIED;
        let child = if opts & ZX_VMO_CHILD_SLICE != 0 {
            if opts != ZX_VMO_CHILD_SLICE {
                return Err(ZxError::INVALID_ARGS);
            }
            // Wholly inside the parent (a range that wraps is not), then
            // not of a resizable parent.
            match offset.checked_add(rounded as u64) {
                Some(end) if end <= self.size() as u64 => {}
                _ => return Err(ZxError::INVALID_ARGS),
            }
            if self.resizable {
                return Err(ZxError::NOT_SUPPORTED);
            }
            self.check_cached()?;
            self.new_slice(offset as usize, rounded, size as usize, false)
        } else if opts & ZX_VMO_CHILD_REFERENCE != 0 {
            // Zircon's order: only RESIZABLE may come along, the range must
            // be empty (a reference spans the whole parent), no reference
            // of a slice, a resizable one only of a resizable parent.
            if opts & !(ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE) != 0
                || offset != 0
                || size != 0
            {
                return Err(ZxError::INVALID_ARGS);
            }
            if matches!(self.kind, VmoKind::Slice { .. }) || (resizable && !self.resizable) {
                return Err(ZxError::NOT_SUPPORTED);
            }
            // A reference would have to follow its parent's resizes; the
            // emulator's windows have a fixed size (README deviation).
            if self.resizable {
                return Err(ZxError::NOT_SUPPORTED);
            }
            self.check_cached()?;
            self.new_slice(0, self.size(), 0, true)
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
            // A pager-backed hierarchy: Zircon refuses a plain snapshot; the
            // other kinds read what they have not copied from the parent.
            if self.is_pager_backed() {
                if kind == ZX_VMO_CHILD_SNAPSHOT {
                    return Err(ZxError::NOT_SUPPORTED);
                }
                let child =
                    self.new_pager_clone(offset as usize, rounded, size as usize, resizable);
                return Ok(self.adopt_child(child));
            }
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
        Ok(self.adopt_child(child))
    }

    /// Links the new `child` to this VMO and returns it.
    fn adopt_child(self: &Arc<Self>, mut child: VmObject) -> Arc<VmObject> {
        child.parent_link = Arc::downgrade(self);
        let child = Arc::new(child);
        let mut inner = self.lock();
        inner.children.retain(|c| c.strong_count() > 0);
        inner.children.push(Arc::downgrade(&child));
        self.base.signal_change(signals::VMO_ZERO_CHILDREN, 0);
        child
    }

    /// Makes a slice of `[offset, offset + size)` (page aligned, inside
    /// this VMO) with the content size `content`, or a reference (then the
    /// content size is this VMO's and `content` is unused).
    fn new_slice(
        self: &Arc<Self>,
        offset: usize,
        size: usize,
        content: usize,
        reference: bool,
    ) -> VmObject {
        let base = KObjectBase::default();
        base.signal_change(0, signals::VMO_ZERO_CHILDREN);
        VmObject {
            base,
            hal: self.hal.clone(),
            kind: VmoKind::Slice {
                parent: self.clone(),
                offset,
                reference,
            },
            resizable: false,
            unbounded: false,
            discardable: false,
            immutable: false,
            cow_clone: false,
            parent_koid: self.base.koid(),
            parent_link: Weak::new(),
            chunk_size: self.chunk_size,
            source: None,
            clone_src: None,
            content_lock: Mutex::new(()),
            inner: Mutex::new(VmoInner {
                size,
                content_size: content,
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

    /// Gives the fresh paged VMO `child` this VMO's contents in
    /// `[offset, offset + len)` at 0. When the range starts on a chunk
    /// boundary of a paged VMO, the chunks are shared copy-on-write: both
    /// sides keep reading the same frames, this VMO's mappings lose write
    /// access to them, and whichever side writes first gets its own copy.
    /// Otherwise the committed pages are copied now (holes stay holes).
    pub(super) fn populate_snapshot(
        &self,
        child: &VmObject,
        offset: usize,
        len: usize,
    ) -> ZxResult {
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
                self.chunk_end(last - 1),
                &mut locked.keep,
            );
            child.lock().chunks.extend(shared);
            return Ok(());
        }
        self.for_each_piece(
            offset,
            end,
            Need::Look,
            &mut |Piece {
                      vmo_offset: o,
                      len: l,
                      paddr: pa,
                      ..
                  }| {
                let Some(pa) = pa else { return Ok(()) };
                if self.hal.phys().committed_bytes(pa, l) == 0 {
                    return Ok(());
                }
                let dst = o - offset;
                // Split the run where the child's chunks split.
                child.for_each_piece(
                    dst,
                    dst + l,
                    Need::Own,
                    &mut |Piece {
                              vmo_offset: co,
                              len: cl,
                              paddr: cpa,
                              ..
                          }| {
                        self.hal
                            .phys()
                            .copy(cpa.expect("allocated"), pa + (co - dst), cl)?;
                        Ok(())
                    },
                )
            },
        )
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
