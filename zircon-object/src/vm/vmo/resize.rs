//! Changing a VMO's size (`zx_vmo_set_size`), its content size and its
//! cache policy.

use std::sync::Arc;

use kernel_hal::PAGE_SIZE;

use super::{round_vmo_size, VmObject, VmoKind, ZX_CACHE_POLICY_MASK};
use crate::{ZxError, ZxResult};

impl VmObject {
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
}
