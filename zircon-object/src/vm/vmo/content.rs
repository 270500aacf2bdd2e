//! Reading and writing a VMO's contents, and the commit, decommit and zero
//! operations.

use std::sync::Arc;

use kernel_hal::PAGE_SIZE;

use super::chunks::{Need, Piece};
use super::{range_end, VmObject, ZX_CACHE_POLICY_CACHED};
use crate::{ZxError, ZxResult};

/// The fraction bits of a scaled byte count (`zx_info_vmo_t`'s
/// `*_fractional_scaled_bytes`: fixed point, `1 << 63` is one byte).
const SCALE_BITS: u32 = 63;

/// Who committed bytes belong to (`ZX_INFO_VMO`, `ZX_INFO_TASK_STATS`,
/// `ZX_INFO_PROCESS_MAPS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attribution {
    /// Committed bytes, shared ones included.
    pub committed: u64,
    /// Committed bytes no snapshot relative shares.
    pub private: u64,
    /// Committed bytes, each divided by the number of VMOs sharing it, in
    /// fixed point with [`SCALE_BITS`] fraction bits.
    pub scaled: u128,
}

impl Attribution {
    /// The whole bytes of the scaled count.
    pub fn scaled_integral(&self) -> u64 {
        (self.scaled >> SCALE_BITS) as u64
    }

    /// The fraction of a byte the scaled count has beyond its whole bytes.
    pub fn scaled_fraction(&self) -> u64 {
        (self.scaled & ((1u128 << SCALE_BITS) - 1)) as u64
    }

    /// Adds `other`'s counts (two pieces of one mapping).
    pub fn add(&mut self, other: &Attribution) {
        self.committed += other.committed;
        self.private += other.private;
        self.scaled += other.scaled;
    }
}

/// The fraction bits of [`Attribution::scaled`] (`1 << SCALE_BITS` is one
/// byte).
pub const ATTRIBUTION_SCALE_BITS: u32 = SCALE_BITS;

/// A `zx_vmo_op_range` operation (`ZX_VMO_OP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum VmoOp {
    /// `ZX_VMO_OP_COMMIT`
    Commit = 1,
    /// `ZX_VMO_OP_DECOMMIT`
    Decommit = 2,
    /// `ZX_VMO_OP_LOCK`
    Lock = 3,
    /// `ZX_VMO_OP_UNLOCK`
    Unlock = 4,
    /// `ZX_VMO_OP_CACHE_SYNC`
    CacheSync = 6,
    /// `ZX_VMO_OP_CACHE_INVALIDATE`
    CacheInvalidate = 7,
    /// `ZX_VMO_OP_CACHE_CLEAN`
    CacheClean = 8,
    /// `ZX_VMO_OP_CACHE_CLEAN_INVALIDATE`
    CacheCleanInvalidate = 9,
    /// `ZX_VMO_OP_ZERO`
    Zero = 10,
    /// `ZX_VMO_OP_TRY_LOCK`
    TryLock = 11,
    /// `ZX_VMO_OP_DONT_NEED`
    DontNeed = 12,
    /// `ZX_VMO_OP_ALWAYS_NEED`
    AlwaysNeed = 13,
    /// `ZX_VMO_OP_PREFETCH`
    Prefetch = 14,
}

impl TryFrom<u32> for VmoOp {
    type Error = ZxError;

    /// Any other value → `INVALID_ARGS`.
    fn try_from(op: u32) -> ZxResult<VmoOp> {
        use VmoOp::*;
        Ok(match op {
            1 => Commit,
            2 => Decommit,
            3 => Lock,
            4 => Unlock,
            6 => CacheSync,
            7 => CacheInvalidate,
            8 => CacheClean,
            9 => CacheCleanInvalidate,
            10 => Zero,
            11 => TryLock,
            12 => DontNeed,
            13 => AlwaysNeed,
            14 => Prefetch,
            _ => return Err(ZxError::INVALID_ARGS),
        })
    }
}

impl VmObject {
    pub(super) fn check_cached(&self) -> ZxResult {
        if self.lock().cache_policy != ZX_CACHE_POLICY_CACHED {
            return Err(ZxError::BAD_STATE);
        }
        Ok(())
    }

    /// Reads `buf.len()` bytes at `offset` (`zx_vmo_read`). Pages of a
    /// pager-backed VMO that are not present are asked for and waited on
    /// first (with no lock held: see [`VmObject::wait_present`]).
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> ZxResult {
        let end = range_end(offset, buf.len(), self.size())?;
        self.check_cached()?;
        self.wait_readable(offset as usize, end, true)?;
        self.read_through_now(offset as usize, buf)
    }

    /// Reads the bytes at `start` as they are now, present or not.
    pub(super) fn read_now(&self, start: usize, buf: &mut [u8]) -> ZxResult {
        let end = range_end(start as u64, buf.len(), self.size())?;
        self.for_each_piece(
            start,
            end,
            Need::Look,
            &mut |Piece {
                      vmo_offset: o,
                      len: l,
                      paddr: pa,
                      ..
                  }| {
                let dst = &mut buf[o - start..o - start + l];
                match pa {
                    Some(pa) => self.hal.phys().read(pa, dst)?,
                    None => dst.fill(0),
                }
                Ok(())
            },
        )
    }

    /// Writes `buf` at `offset` (`zx_vmo_write`); missing pages of a
    /// pager-backed VMO are waited for first, as for a read.
    pub fn write(&self, offset: u64, buf: &[u8]) -> ZxResult {
        let end = range_end(offset, buf.len(), self.size())?;
        self.check_cached()?;
        self.wait_present(offset as usize, end, true)?;
        self.wait_dirty(offset as usize, end, true)?;
        self.write_now(offset as usize, buf)?;
        self.note_written(offset as usize, end);
        Ok(())
    }

    /// Writes the bytes at `start`, present or not.
    pub(super) fn write_now(&self, start: usize, buf: &[u8]) -> ZxResult {
        let end = range_end(start as u64, buf.len(), self.size())?;
        self.for_each_piece(
            start,
            end,
            Need::Own,
            &mut |Piece {
                      vmo_offset: o,
                      len: l,
                      paddr: pa,
                      ..
                  }| {
                let pa = pa.expect("allocated");
                self.hal.phys().write(pa, &buf[o - start..o - start + l])?;
                Ok(())
            },
        )
    }

    /// Commits `[offset, offset + len)` (rounded out to pages).
    pub fn commit(&self, offset: u64, len: u64) -> ZxResult {
        let (start, end) = self.op_bounds(offset, len)?;
        let (start, end) = (
            kernel_hal::page_round_down(start),
            kernel_hal::page_round_up(end).ok_or(ZxError::OUT_OF_RANGE)?,
        );
        // A pager-backed VMO commits by having its pages supplied. One
        // resized meanwhile commits what is left of the range, as Zircon's
        // commit trims itself to the new size.
        let mut end = end;
        loop {
            match self.wait_present(start, end, true) {
                Err(ZxError::OUT_OF_RANGE) if self.size() < end => {
                    end = self.size();
                    if start >= end {
                        return Ok(());
                    }
                }
                r => break r?,
            }
        }
        self.for_each_piece(
            start,
            end,
            Need::Allocate,
            &mut |Piece {
                      len: l, paddr: pa, ..
                  }| {
                self.hal.phys().commit(pa.expect("allocated"), l)?;
                Ok(())
            },
        )
    }

    /// Decommits `[offset, offset + len)`, which must be page aligned: the
    /// pages read as zero afterwards, through every mapping.
    pub fn decommit(&self, offset: u64, len: u64) -> ZxResult {
        if !offset.is_multiple_of(PAGE_SIZE as u64) || !len.is_multiple_of(PAGE_SIZE as u64) {
            return Err(ZxError::INVALID_ARGS);
        }
        let (start, end) = self.op_bounds(offset, len)?;
        // Zircon decommits nothing of a pager-backed hierarchy (its own VMO
        // or a snapshot of it).
        if self.is_pager_backed() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        // A discarded VMO has no pages left to decommit.
        if self.is_discarded() {
            return Ok(());
        }
        self.zero_range(start, end)
    }

    /// Zeroes `[offset, offset + len)` (`ZX_VMO_OP_ZERO`), releasing whole
    /// pages.
    pub fn zero(&self, offset: u64, len: u64) -> ZxResult {
        let (start, end) = self.op_bounds(offset, len)?;
        match &self.kind {
            super::VmoKind::Slice { parent, offset, .. } if self.is_pager_backed() => {
                parent.zero(*offset as u64 + start as u64, (end - start) as u64)
            }
            _ if self.is_pager_backed() => {
                // Partial pages at the ends keep the rest of their bytes, so
                // those must come from the pager; whole pages become zero
                // pages without asking it.
                let (lo, hi) = (
                    kernel_hal::page_round_up(start).unwrap_or(end).min(end),
                    kernel_hal::page_round_down(end).max(start),
                );
                if start < lo {
                    self.wait_present(start, lo, true)?;
                }
                if hi < end {
                    self.wait_present(hi, end, true)?;
                }
                self.zero_range(start, end)?;
                if lo < hi {
                    self.mark_present(lo, hi);
                    self.note_zeroed(lo, hi);
                }
                self.note_written(start, lo.min(end));
                self.note_written(hi.max(start), end);
                Ok(())
            }
            _ => self.zero_range(start, end),
        }
    }

    pub(super) fn zero_range(&self, start: usize, end: usize) -> ZxResult {
        self.for_each_piece(
            start,
            end,
            Need::OwnIfPresent,
            &mut |Piece {
                      len: l, paddr: pa, ..
                  }| {
                if let Some(pa) = pa {
                    self.hal.phys().zero(pa, l)?;
                }
                Ok(())
            },
        )
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

    /// Returns how the committed bytes of `[offset, end)` (page aligned) of
    /// a paged VMO are shared: see [`Attribution`]. A chunk shared by `n`
    /// snapshot relatives counts `1/n` of its bytes to each of them.
    pub(super) fn attribution_in(&self, offset: usize, end: usize) -> Attribution {
        let mut a = Attribution::default();
        let inner = self.lock();
        let first = offset / self.chunk_size;
        for (&idx, chunk) in inner.chunks.range(first..) {
            let chunk_start = idx * self.chunk_size;
            if chunk_start >= end {
                break;
            }
            let from = offset.max(chunk_start);
            let to = end.min(self.chunk_end(idx));
            let bytes = self
                .hal
                .phys()
                .committed_bytes(chunk.paddr + (from - chunk_start), to - from);
            let sharers = Arc::strong_count(chunk).max(1);
            a.committed += bytes as u64;
            if sharers == 1 {
                a.private += bytes as u64;
            }
            a.scaled += ((bytes as u128) << SCALE_BITS) / sharers as u128;
        }
        a
    }

    /// How the committed bytes of `[offset, offset + len)` are shared, as
    /// [`VmObject::info`] counts them for the whole VMO; a slice's pages
    /// are its parent's.
    pub fn attribution_of(&self, offset: usize, len: usize) -> Attribution {
        let size = self.size();
        if offset >= size {
            return Attribution::default();
        }
        let end = offset + len.min(size - offset);
        match &self.kind {
            super::VmoKind::Paged => self.attribution_in(offset, end),
            super::VmoKind::Slice {
                parent, offset: at, ..
            } => parent.attribution_of(at + offset, end - offset),
        }
    }

    /// Returns the committed bytes of `[offset, end)` (page aligned).
    pub fn committed_bytes_in(&self, offset: usize, end: usize) -> usize {
        let mut total = 0;
        let _ = self.for_each_piece(
            offset,
            end,
            Need::Look,
            &mut |Piece {
                      len: l, paddr: pa, ..
                  }| {
                if let Some(pa) = pa {
                    total += self.hal.phys().committed_bytes(pa, l);
                }
                Ok(())
            },
        );
        total
    }
}
