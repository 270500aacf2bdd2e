//! Changing a VMO's size (`zx_vmo_set_size`), its content (stream) size
//! (`ZX_PROP_VMO_CONTENT_SIZE`, `zx_vmo_set_stream_size`, growth by stream
//! writes) and its cache policy.

use std::sync::Arc;

use kernel_hal::PAGE_SIZE;

use super::{round_vmo_size, VmObject, VmoKind, ZX_CACHE_POLICY_CACHED, ZX_CACHE_POLICY_MASK};
use crate::{ZxError, ZxResult};

impl VmObject {
    /// Sets the content size (`ZX_PROP_VMO_CONTENT_SIZE`). Any value is
    /// accepted, even one past the VMO's size, as on Zircon; what lies
    /// between the new content size and the VMO's end reads as zero
    /// afterwards.
    pub fn set_content_size(&self, content: u64) -> ZxResult {
        let owner = self.content_owner();
        if !std::ptr::eq(owner, self) {
            return owner.set_content_size(content);
        }
        let _content = self.lock_content();
        let size = self.size();
        let old = self.content_size();
        if (content as usize) < size {
            self.zero_range(content as usize, size)?;
        }
        self.lock().content_size = content as usize;
        self.content_shrunk(old, content as usize);
        Ok(())
    }

    /// Sets the stream size (`zx_vmo_set_stream_size`): at most the VMO's
    /// size (else `OUT_OF_RANGE`; the VMO never grows). Everything from the
    /// smaller of the old and new stream sizes to the VMO's end reads as
    /// zero afterwards, so a stream grows into zeros and a shrunk one keeps
    /// nothing past its end. Setting the current size changes nothing.
    pub fn set_stream_size(&self, stream: u64) -> ZxResult {
        let owner = self.content_owner();
        if !std::ptr::eq(owner, self) {
            return owner.set_stream_size(stream);
        }
        let _content = self.lock_content();
        let size = self.size();
        let old = self.content_size();
        if stream == old as u64 {
            return Ok(());
        }
        if stream > size as u64 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        // On failure the stream size stays the old one (Zircon cancels).
        self.zero_range(old.min(stream as usize), size)?;
        self.lock().content_size = stream as usize;
        self.content_shrunk(old, stream as usize);
        Ok(())
    }

    /// After the content size went from `old` to `new`: if the page holding
    /// its end moved down, `FAULT_BEYOND_STREAM_SIZE` mappings lose the host
    /// pages past it, so touching them faults `OUT_OF_RANGE`. (Growing needs
    /// nothing: faults read the content size when they happen.)
    fn content_shrunk(&self, old: usize, new: usize) {
        let end = kernel_hal::page_round_up(new).unwrap_or(usize::MAX);
        if end >= kernel_hal::page_round_up(old).unwrap_or(usize::MAX) {
            return;
        }
        // This VMO's mappings and those of its references, which share
        // the content size.
        let (mut mappings, children) = {
            let mut inner = self.lock();
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            (
                inner.mappings.values().cloned().collect::<Vec<_>>(),
                inner.children.clone(),
            )
        };
        let references: Vec<Arc<VmObject>> = children
            .iter()
            .filter_map(|c| c.upgrade())
            .filter(|c| {
                matches!(
                    c.kind,
                    VmoKind::Slice {
                        reference: true,
                        ..
                    }
                )
            })
            .collect();
        for r in &references {
            let mut inner = r.lock();
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            mappings.extend(inner.mappings.values().cloned());
        }
        for m in &mappings {
            if let Some(aspace) = m.aspace.upgrade() {
                aspace.revoke_stream_range(m.id, end);
            }
        }
    }

    /// Resizes the VMO (`zx_vmo_set_size`): the size becomes `size` rounded
    /// up to pages, the content size exactly `size`, and the bytes from
    /// `size` to the page end read as zero.
    pub fn set_size(self: &Arc<Self>, size: u64) -> ZxResult {
        let _content = self.lock_content();
        self.resize_pages(size)?;
        let old = {
            let mut inner = self.lock();
            std::mem::replace(&mut inner.content_size, size as usize)
        };
        // Bytes between the content size and the page end read as zero.
        let tail = size as usize;
        let new_size = self.size();
        if !tail.is_multiple_of(PAGE_SIZE) && tail < new_size {
            self.zero_range(tail, new_size)?;
        }
        self.content_shrunk(old, size as usize);
        Ok(())
    }

    /// Grows the VMO so a stream can hold `requested` bytes (Zircon's
    /// `ExpandIfNecessary`, run with the content lock held): returns the
    /// VMO's size afterwards and whether it could reach `requested` rounded
    /// up to pages. The rounding overflowing is `OUT_OF_RANGE`; a VMO the
    /// stream may not resize (`can_resize`: its VMO handle had
    /// `ZX_RIGHT_RESIZE`) is `NOT_SUPPORTED`; a failed resize reports its
    /// status. The content size is the caller's business.
    pub(crate) fn expand_for_stream(
        self: &Arc<Self>,
        requested: u64,
        can_resize: bool,
    ) -> (u64, ZxResult) {
        let current = self.size() as u64;
        let Some(required) = requested
            .checked_add(PAGE_SIZE as u64 - 1)
            .map(|r| r & !(PAGE_SIZE as u64 - 1))
        else {
            return (current, Err(ZxError::OUT_OF_RANGE));
        };
        if required <= current {
            return (current, Ok(()));
        }
        if !can_resize {
            return (current, Err(ZxError::NOT_SUPPORTED));
        }
        match self.resize_pages(required) {
            Ok(()) => (required, Ok(())),
            Err(e) => (current, Err(e)),
        }
    }

    /// Sets the content size for a stream write that holds the content
    /// lock and already made `[.., content)` hold what it should.
    pub(crate) fn set_content_size_locked(&self, content: usize) {
        self.content_owner().lock().content_size = content;
    }

    /// Zeroes `[start, end)` for a stream write that extends the content
    /// past a gap (`end` ≤ the VMO's size).
    pub(crate) fn zero_content_gap(&self, start: usize, end: usize) -> ZxResult {
        self.zero_range(start, end)
    }

    /// Changes the size to `size` rounded up to pages, leaving the content
    /// size alone. Shrinking revokes the host pages of every mapping past
    /// the new end first, then frees the memory, so a mapping past the end
    /// faults `OUT_OF_RANGE` and never sees freed frames; growing exposes
    /// zero pages.
    fn resize_pages(&self, size: u64) -> ZxResult {
        if !self.resizable {
            return Err(ZxError::UNAVAILABLE);
        }
        let new_size = round_vmo_size(size)?;
        let (old_size, mappings) = {
            let mut inner = self.lock();
            let old = inner.size;
            inner.size = new_size;
            self.size
                .store(new_size, std::sync::atomic::Ordering::Release);
            inner.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            (old, inner.mappings.values().cloned().collect::<Vec<_>>())
        };
        if new_size < old_size {
            for m in &mappings {
                if let Some(aspace) = m.aspace.upgrade() {
                    aspace.revoke_vmo_range(m.id, new_size);
                }
            }
            // Snapshots of a pager's VMO that show its pages past the new
            // end take zero pages of their own there, and lose the view.
            if self.is_pager_backed() {
                self.clones_lose_pages(new_size);
                let mut locked = self.lock_for_revoke();
                self.revoke_locked(&locked.inner, new_size, old_size, &mut locked.keep);
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
        self.pager_resized(old_size, new_size);
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
        {
            return Err(ZxError::BAD_STATE);
        }
        // Committed pages do not stand in the way, as on Zircon (which cleans
        // and invalidates them; the emulator has no caches to keep coherent
        // with a device). A discardable VMO stays cached.
        if self.discardable {
            return if policy == ZX_CACHE_POLICY_CACHED {
                Ok(())
            } else {
                Err(ZxError::BAD_STATE)
            };
        }
        inner.cache_policy = policy;
        Ok(())
    }
}
