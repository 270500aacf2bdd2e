//! Pager-backed VMOs (`zx_pager_create_vmo`): which pages are present,
//! waiting for the pager to supply missing ones, `zx_pager_supply_pages`,
//! `ZX_PAGER_OP_FAIL` and `zx_pager_detach_vmo` on the VMO side. The
//! pager, the requests and their packets are in `vm/pager.rs`.
//!
//! A pager-backed VMO is a paged VMO with a [`PageSource`] and a set of
//! present pages (`VmoInner::present`). Its chunks hold frames as any
//! paged VMO's do, but only present pages are ever host-mapped, read or
//! written: the fault path maps the present run around a faulting page
//! and never past it (so a present page next to a missing one in the same
//! 2 MiB chunk still leaves the missing one faulting), and a fault on a
//! missing page answers `SHOULD_WAIT` so the thread waits for the pager
//! outside the signal handler. Syscalls that need pages call
//! [`VmObject::wait_present`] first, with no lock held.
//!
//! An at-least-on-write snapshot (`ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE`
//! or `_MODIFIED`) of a pager-backed VMO keeps a present set too, with its
//! parent as its source: a missing page is fetched by waiting for the
//! parent's page (and so, at the root, for the pager) and copying it, on
//! first use. Later changes of the parent's page are not seen, which the
//! at-least-on-write contract allows; pages past the parent's end are zero.

use std::sync::Arc;

use kernel_hal::{HalRef, PAGE_SIZE};

use kernel_hal::range_map::RangeValue;
use kernel_hal::PageFaultAccess;

use super::{VmObject, VmoInner, VmoKind};
use crate::vm::pager::{Kind, PageSource};
use crate::{ZxError, ZxResult};

/// How much `supply_pages` copies from the auxiliary VMO at a time.
const SUPPLY_STEP: usize = 64 << 10;

/// The dirty state of a present page of a pager's own VMO; pages not in
/// `VmoInner::dirty` are clean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirtyState {
    /// Written since it was supplied.
    Dirty,
    /// Dirty, and all zero: zeroed whole, or grown into, and not written
    /// since (`ZX_VMO_DIRTY_RANGE_IS_ZERO`).
    DirtyZero,
    /// `ZX_PAGER_OP_WRITEBACK_BEGIN` came; `WRITEBACK_END` makes it clean
    /// unless it is written again first.
    AwaitingClean,
}

impl RangeValue for DirtyState {
    fn tail(&self, _offset: usize) -> Self {
        *self
    }

    fn continues(&self, _len: usize, next: &Self) -> bool {
        self == next
    }
}

/// The first run of `[start, end)` (inside `inner`'s dirty map) whose
/// pages are not `Dirty`, if any.
fn first_not_dirty(inner: &VmoInner, start: usize, end: usize) -> Option<std::ops::Range<usize>> {
    let mut pos = start;
    for (r, st) in inner.dirty.overlapping(start..end) {
        if *st == DirtyState::AwaitingClean {
            continue;
        }
        if r.start > pos {
            return Some(pos..r.start.min(end));
        }
        pos = pos.max(r.end);
    }
    (pos < end).then_some(pos..end)
}

/// Where an at-least-on-write snapshot of a pager-backed VMO reads the
/// pages it has not copied yet.
#[derive(Debug)]
pub(super) struct CloneSource {
    pub(super) parent: Arc<VmObject>,
    /// This child's offset 0 in the parent.
    pub(super) offset: usize,
    /// Serializes fetches into the child (held across the copy, never
    /// while waiting; taken before either VMO's `inner`).
    fetch: crate::sync::Mutex<()>,
}

impl VmObject {
    /// Makes a pager-backed VMO of `size` bytes (page aligned) and content
    /// size `content` with no page present.
    pub(crate) fn create_pager_backed(
        hal: HalRef,
        size: usize,
        content: usize,
        resizable: bool,
        unbounded: bool,
        source: Arc<PageSource>,
    ) -> Arc<VmObject> {
        let mut vmo = Self::new_paged(hal, size, content, resizable, 0);
        vmo.unbounded = unbounded;
        vmo.source = Some(source);
        Arc::new(vmo)
    }

    /// Makes an at-least-on-write snapshot of `[offset, offset + size)` of
    /// this pager-backed VMO: nothing copied yet; what lies past this VMO's
    /// end is present (zero) from the start.
    pub(super) fn new_pager_clone(
        self: &Arc<Self>,
        offset: usize,
        size: usize,
        content: usize,
        resizable: bool,
    ) -> VmObject {
        let mut child =
            Self::new_paged(self.hal.clone(), size, content, resizable, self.base.koid());
        child.cow_clone = true;
        let beyond = self.size().saturating_sub(offset).min(size);
        if beyond < size {
            child.lock().present.insert(beyond..size, ());
        }
        child.clone_src = Some(CloneSource {
            parent: self.clone(),
            offset,
            fetch: crate::sync::Mutex::new(()),
        });
        child
    }

    /// Returns the pager source of this VMO, or of the VMO a slice shows
    /// or a snapshot reads through to.
    pub(crate) fn page_source(&self) -> Option<&Arc<PageSource>> {
        match &self.kind {
            VmoKind::Slice { parent, .. } => parent.page_source(),
            VmoKind::Paged => match &self.clone_src {
                Some(c) => c.parent.page_source(),
                None => self.source.as_ref(),
            },
        }
    }

    /// Whether this paged VMO keeps a present set (pager-backed, or a
    /// snapshot reading through to one).
    pub(super) fn tracks_presence(&self) -> bool {
        self.source.is_some() || self.clone_src.is_some()
    }

    /// Returns whether the VMO's pages come from a user pager
    /// (`ZX_INFO_VMO_PAGER_BACKED`; slices of such a VMO too).
    pub fn is_pager_backed(&self) -> bool {
        self.page_source().is_some()
    }

    /// Returns the koid of the pager that created this VMO (0 if none):
    /// only the pager's own VMO, not its children, as Zircon's
    /// `VmObjectDispatcher::pager_koid`.
    pub fn pager_koid(&self) -> crate::object::Koid {
        self.source.as_ref().map_or(0, |s| s.pager_koid())
    }

    /// The source of this VMO itself, when the caller checked it was made
    /// by a pager.
    fn own_source(&self) -> ZxResult<&Arc<PageSource>> {
        self.source.as_ref().ok_or(ZxError::INVALID_ARGS)
    }

    /// The fault path's run around `offset` inside `[lo, hi)` (one chunk),
    /// and whether it may be mapped writable. Any VMO that does not track
    /// presence: all of it. A missing page: `SHOULD_WAIT` (the thread waits
    /// for the pager outside the signal handler). A snapshot of a pager's
    /// VMO: the present run. A pager's own VMO: the present run read-only
    /// for a read; for a write, the page becomes dirty (unless the VMO
    /// traps dirtying and it is not dirty yet: `SHOULD_WAIT`, the thread
    /// asks the pager) and the dirty run around it is mapped writable.
    pub(super) fn fault_run(
        &self,
        inner: &mut VmoInner,
        offset: usize,
        access: PageFaultAccess,
        lo: usize,
        hi: usize,
    ) -> ZxResult<(usize, usize, bool)> {
        if !self.tracks_presence() {
            return Ok((lo, hi, true));
        }
        let (r, _) = inner.present.get(offset).ok_or(ZxError::SHOULD_WAIT)?;
        let (plo, phi) = (r.start.max(lo), r.end.min(hi));
        let Some(source) = &self.source else {
            return Ok((plo, phi, true));
        };
        if access != PageFaultAccess::Write {
            return Ok((plo, phi, false));
        }
        let page = kernel_hal::page_round_down(offset);
        let was_dirty = matches!(
            inner.dirty.get(offset),
            Some((_, DirtyState::Dirty | DirtyState::DirtyZero))
        );
        if !was_dirty && source.trap_dirty() {
            return Err(ZxError::SHOULD_WAIT);
        }
        inner
            .dirty
            .insert(page..page + PAGE_SIZE, DirtyState::Dirty);
        inner.modified = true;
        let (d, _) = inner.dirty.get(offset).expect("just made dirty");
        Ok((d.start.max(plo), d.end.min(phi), true))
    }

    /// The paged VMO whose pages this one shows (itself, or a slice's
    /// root), and this VMO's offset 0 in it.
    fn owner(&self) -> (&VmObject, usize) {
        match &self.kind {
            VmoKind::Slice { parent, offset, .. } => {
                let (o, at) = parent.owner();
                (o, at + offset)
            }
            VmoKind::Paged => (self, 0),
        }
    }

    /// Whether this VMO shows a pager's own pages, whose writes are
    /// tracked (so they are host-mapped writable only by a write fault).
    pub(super) fn dirty_tracked(&self) -> bool {
        self.owner().0.source.is_some()
    }

    /// Blocks until every page of `[start, end)` is present and dirty,
    /// for a write to a pager's own VMO made with `ZX_VMO_TRAP_DIRTY`:
    /// clean runs go to the pager as `ZX_PAGER_VMO_DIRTY` requests
    /// (`batch` as for [`VmObject::wait_present`]). Any other VMO answers
    /// at once.
    pub fn wait_dirty(&self, start: usize, end: usize, batch: bool) -> ZxResult {
        let (owner, shift) = self.owner();
        let Some(source) = owner.source.as_ref().filter(|s| s.trap_dirty()) else {
            return Ok(());
        };
        let (start, end) = (
            kernel_hal::page_round_down(start + shift),
            kernel_hal::page_round_up(end + shift).ok_or(ZxError::OUT_OF_RANGE)?,
        );
        loop {
            owner.wait_present(start, end, batch)?;
            let done = {
                let inner = owner.lock();
                let Some(gap) = first_not_dirty(&inner, start, end) else {
                    return Ok(());
                };
                if !inner.present.covers(gap.clone()) {
                    continue;
                }
                let gap_end = if batch {
                    gap.end
                } else {
                    gap.start + PAGE_SIZE
                };
                source.request(Kind::Dirty, gap.start, gap_end)?
            };
            done.wait()?;
        }
    }

    /// Notes a write of `[start, end)` made through the VMO (not a
    /// mapping): a pager's pages there become dirty, and the VMO modified.
    pub(super) fn note_written(&self, start: usize, end: usize) {
        self.note_dirty(start, end, DirtyState::Dirty);
    }

    /// Notes that whole pages `[start, end)` became zero (zeroed, or grown
    /// into): dirty, reported as zero.
    pub(super) fn note_zeroed(&self, start: usize, end: usize) {
        self.note_dirty(start, end, DirtyState::DirtyZero);
    }

    fn note_dirty(&self, start: usize, end: usize, state: DirtyState) {
        let (owner, shift) = self.owner();
        if owner.source.is_none() || start >= end {
            return;
        }
        let (s, e) = (
            kernel_hal::page_round_down(start + shift),
            kernel_hal::page_round_up(end + shift).unwrap_or(usize::MAX),
        );
        let mut inner = owner.lock();
        let present: Vec<std::ops::Range<usize>> = inner
            .present
            .overlapping(s..e)
            .map(|(r, _)| r.start.max(s)..r.end.min(e))
            .collect();
        for r in present {
            inner.dirty.insert(r, state);
        }
        inner.modified = true;
    }

    /// Calls `f` with each present run of `[lo, hi)` (for a VMO that is not
    /// pager-backed: the whole range once).
    pub(super) fn for_present(
        &self,
        inner: &VmoInner,
        lo: usize,
        hi: usize,
        f: &mut dyn FnMut(usize, usize) -> ZxResult,
    ) -> ZxResult {
        if !self.tracks_presence() {
            return f(lo, hi);
        }
        for (r, _) in inner.present.overlapping(lo..hi) {
            let (s, e) = (r.start.max(lo), r.end.min(hi));
            if s < e {
                f(s, e)?;
            }
        }
        Ok(())
    }

    /// Marks `[start, end)` present without asking the pager (pages the VMO
    /// itself zeroed, or grew into), and completes requests that wanted
    /// them.
    pub(super) fn mark_present(&self, start: usize, end: usize) {
        if !self.tracks_presence() {
            return;
        }
        let mut inner = self.lock();
        let end = end.min(inner.size);
        if start >= end {
            return;
        }
        inner.present.insert(start..end, ());
        if let Some(source) = &self.source {
            source.on_supplied(start, end, &|s, e| inner.present.covers(s..e));
        }
    }

    /// Blocks until every page of `[start, end)` is present (rounded out to
    /// pages), raising requests for the missing ones and waiting for the
    /// pager with no lock held. `batch`: ask for each whole run of missing
    /// pages at once (syscalls); otherwise one page (faults). Returns the
    /// status a failed request carries, `BAD_STATE` once the pager is
    /// detached or gone, `OUT_OF_RANGE` if the VMO shrank below the range,
    /// or the end of an interrupted wait. Any VMO that is not pager-backed
    /// answers at once.
    pub fn wait_present(&self, start: usize, end: usize, batch: bool) -> ZxResult {
        let (parent, shift) = match &self.kind {
            VmoKind::Slice { parent, offset, .. } => (Some(parent), *offset),
            VmoKind::Paged => (None, 0),
        };
        if let Some(parent) = parent {
            return parent.wait_present(start + shift, end + shift, batch);
        }
        if let Some(cs) = &self.clone_src {
            return self.fetch_from_parent(cs, start, end, batch);
        }
        let Some(source) = &self.source else {
            return Ok(());
        };
        let start = kernel_hal::page_round_down(start);
        let end = kernel_hal::page_round_up(end).ok_or(ZxError::OUT_OF_RANGE)?;
        loop {
            let done = {
                let inner = self.lock();
                if end > inner.size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                let Some(gap) = inner.present.gaps(start..end).next() else {
                    return Ok(());
                };
                let gap_end = if batch {
                    gap.end
                } else {
                    gap.start + PAGE_SIZE
                };
                source.request(crate::vm::pager::Kind::Read, gap.start, gap_end)?
            };
            done.wait()?;
        }
    }

    /// [`VmObject::wait_present`] for a snapshot of a pager-backed VMO:
    /// each missing run is waited for in the parent, with no lock held,
    /// then copied (the parts still missing) under the fetch lock.
    fn fetch_from_parent(
        &self,
        cs: &CloneSource,
        start: usize,
        end: usize,
        batch: bool,
    ) -> ZxResult {
        let start = kernel_hal::page_round_down(start);
        let end = kernel_hal::page_round_up(end).ok_or(ZxError::OUT_OF_RANGE)?;
        loop {
            let gap = {
                let inner = self.lock();
                if end > inner.size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                let Some(gap) = inner.present.gaps(start..end).next() else {
                    return Ok(());
                };
                gap
            };
            let gap_end = if batch {
                gap.end
            } else {
                gap.start + PAGE_SIZE
            };
            let parent_size = cs.parent.size();
            let (ps, pe) = (
                gap.start + cs.offset,
                (gap_end + cs.offset).min(parent_size),
            );
            if ps < pe {
                cs.parent.wait_readable(ps, pe, batch)?;
            }
            let _fetch = cs.fetch.lock();
            let missing: Vec<std::ops::Range<usize>> =
                self.lock().present.gaps(gap.start..gap_end).collect();
            let mut buf = vec![0u8; SUPPLY_STEP.min(gap_end - gap.start)];
            for m in missing {
                let mut pos = m.start;
                while pos < m.end {
                    let n = (m.end - pos).min(SUPPLY_STEP);
                    let from = pos + cs.offset;
                    let have = parent_size.saturating_sub(from).min(n);
                    buf[..n].fill(0);
                    // A parent that shrank meanwhile reads as zero past its end.
                    if have > 0 && cs.parent.read_through_now(from, &mut buf[..have]).is_err() {
                        buf[..have].fill(0);
                    }
                    self.write_now(pos, &buf[..n])?;
                    pos += n;
                }
                // The child's mappings may show the parent's frames there
                // (read faults map them read-only): they go, and the next
                // touch maps the copy.
                let mut locked = self.lock_for_revoke();
                locked.inner.present.insert(m.clone(), ());
                self.revoke_locked(&locked.inner, m.start, m.end, &mut locked.keep);
            }
        }
    }

    /// Blocks until every page of `[start, end)` can be read, without
    /// copying anything into snapshots: a pager's own VMO waits for its
    /// missing pages; a snapshot of one waits, for the pages it has not
    /// copied, in its parent; a slice in its parent; anything else answers
    /// at once.
    pub fn wait_readable(&self, start: usize, end: usize, batch: bool) -> ZxResult {
        match &self.kind {
            VmoKind::Slice { parent, offset, .. } => {
                parent.wait_readable(start + offset, end + offset, batch)
            }
            VmoKind::Paged => match &self.clone_src {
                None => self.wait_present(start, end, batch),
                Some(cs) => {
                    let (s, e) = (
                        kernel_hal::page_round_down(start),
                        kernel_hal::page_round_up(end).ok_or(ZxError::OUT_OF_RANGE)?,
                    );
                    let gaps: Vec<std::ops::Range<usize>> = {
                        let inner = self.lock();
                        if e > inner.size {
                            return Err(ZxError::OUT_OF_RANGE);
                        }
                        inner.present.gaps(s..e).collect()
                    };
                    let parent_size = cs.parent.size();
                    for g in gaps {
                        let (ps, pe) = (g.start + cs.offset, (g.end + cs.offset).min(parent_size));
                        if ps < pe {
                            cs.parent.wait_readable(ps, pe, batch)?;
                        }
                        // Past the parent's end (it shrank just now): zero
                        // pages of our own.
                        let beyond = parent_size.saturating_sub(cs.offset).max(g.start);
                        if beyond < g.end {
                            self.own_zero(beyond, g.end);
                        }
                    }
                    Ok(())
                }
            },
        }
    }

    /// Reads `buf.len()` bytes at `start` as they are now, a snapshot's
    /// pages it has not copied from its parent (zero past the parent's
    /// end), a slice's from its parent. Never waits.
    pub(super) fn read_through_now(&self, start: usize, buf: &mut [u8]) -> ZxResult {
        let cs = match (&self.kind, &self.clone_src) {
            (VmoKind::Slice { parent, offset, .. }, _) => {
                return parent.read_through_now(start + offset, buf)
            }
            (VmoKind::Paged, Some(cs)) => cs,
            (VmoKind::Paged, None) => return self.read_now(start, buf),
        };
        let end = super::range_end(start as u64, buf.len(), self.size())?;
        // Owned (copied) runs from here, the rest from the parent.
        let owned: Vec<std::ops::Range<usize>> = {
            let inner = self.lock();
            inner
                .present
                .overlapping(start..end)
                .map(|(r, _)| r.start.max(start)..r.end.min(end))
                .collect()
        };
        let mut pos = start;
        let parent_size = cs.parent.size();
        let through = |from: usize, to: usize, buf: &mut [u8]| -> ZxResult {
            let dst = &mut buf[from - start..to - start];
            dst.fill(0);
            let pfrom = from + cs.offset;
            let have = parent_size.saturating_sub(pfrom).min(to - from);
            if have > 0 {
                cs.parent.read_through_now(pfrom, &mut dst[..have])?;
            }
            Ok(())
        };
        for r in owned {
            if pos < r.start {
                through(pos, r.start, buf)?;
            }
            self.read_now(r.start, &mut buf[r.start - start..r.end - start])?;
            pos = r.end;
        }
        if pos < end {
            through(pos, end, buf)?;
        }
        Ok(())
    }

    /// A read fault on a page a snapshot has not copied: maps the parent's
    /// frames there read-only (so the snapshot sees the parent's page as
    /// it is, until it writes), clipped to the run of pages it has not
    /// copied. Runs under the parent's lock, then takes the snapshot's
    /// (parent before child, as revocation does); a page copied meanwhile
    /// maps nothing (the retry maps the copy). A page the parent cannot
    /// show (missing: `SHOULD_WAIT`; past its end, now) has the thread
    /// wait or copy outside the signal handler.
    pub(super) fn fault_through_parent(
        &self,
        cs: &CloneSource,
        offset: usize,
        f: &mut dyn FnMut(super::Run) -> ZxResult,
    ) -> ZxResult {
        let r = cs
            .parent
            .fault_map(offset + cs.offset, PageFaultAccess::Read, &mut |run| {
                let inner = self.lock();
                if inner.present.get(offset).is_some() {
                    return Ok(());
                }
                let lo = inner
                    .present
                    .overlapping(0..offset)
                    .next_back()
                    .map_or(0, |(r, _)| r.end);
                let hi = inner
                    .present
                    .overlapping(offset..inner.size)
                    .next()
                    .map_or(inner.size, |(r, _)| r.start);
                let start = (run.vmo_offset.max(cs.offset) - cs.offset).max(lo);
                let end = (run.vmo_offset + run.len - cs.offset).min(hi);
                if start >= end {
                    return Ok(());
                }
                f(super::Run {
                    vmo_offset: start,
                    len: end - start,
                    paddr: run.paddr + (start + cs.offset - run.vmo_offset),
                    sharing: super::Sharing::CopyOnWrite,
                })
            });
        match r {
            Err(ZxError::OUT_OF_RANGE) => Err(ZxError::SHOULD_WAIT),
            other => other,
        }
    }

    /// This VMO shrank to `new_size`: its snapshots see zeros where its
    /// pages were (and not what it may grow into later): the pages they
    /// have not copied past the new end become theirs, zero.
    pub(super) fn clones_lose_pages(&self, new_size: usize) {
        let children: Vec<Arc<VmObject>> = {
            let inner = self.lock();
            inner.children.iter().filter_map(|c| c.upgrade()).collect()
        };
        for c in children {
            if let Some(cs) = &c.clone_src {
                c.own_zero(new_size.saturating_sub(cs.offset), usize::MAX);
            }
        }
    }

    /// Makes the pages of `[from, to)` (clipped to the size) this
    /// snapshot's own, zero where it had not copied them.
    fn own_zero(&self, from: usize, to: usize) {
        let gaps: Vec<std::ops::Range<usize>> = {
            let mut inner = self.lock();
            let to = to.min(inner.size);
            if from >= to {
                return;
            }
            let gaps: Vec<_> = inner.present.gaps(from..to).collect();
            inner.present.insert(from..to, ());
            gaps
        };
        for g in gaps {
            let _ = self.zero_range(g.start, g.end);
        }
    }

    /// `zx_pager_supply_pages` on the VMO side: moves `[aux_offset,
    /// aux_offset + len)` of `aux` into `[offset, offset + len)` of this
    /// pager-backed VMO. Pages already present stay as they are (the
    /// auxiliary ones are dropped); the auxiliary range is decommitted.
    /// The caller checked alignment and that this VMO belongs to the
    /// pager. Errors, checked before anything changes: `aux` not a plain
    /// paged VMO (a slice, a snapshot, a pager's), or with children →
    /// `BAD_STATE`; either range
    /// outside its VMO → `OUT_OF_RANGE`; this VMO detached → `BAD_STATE`.
    pub fn supply_pages(&self, offset: u64, len: u64, aux: &VmObject, aux_offset: u64) -> ZxResult {
        let source = self.own_source()?;
        let aux_end = aux_offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        {
            let mut ai = aux.lock();
            ai.mappings.retain(|_, m| m.aspace.strong_count() > 0);
            ai.children.retain(|c| c.strong_count() > 0);
            // Pages move only out of a VMO that owns them alone: not a
            // slice, a snapshot, a pager's VMO, or a VMO with children.
            // (A mapped one is fine: its mappings read zeros afterwards.)
            if !matches!(aux.kind, VmoKind::Paged)
                || aux.tracks_presence()
                || aux.cow_clone
                || !ai.children.is_empty()
            {
                return Err(ZxError::BAD_STATE);
            }
            if aux_end > ai.size as u64 {
                return Err(ZxError::OUT_OF_RANGE);
            }
        }
        aux.check_cached().map_err(|_| ZxError::BAD_STATE)?;
        let end = offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if end > self.size() as u64 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        if source.is_detached() {
            return Err(ZxError::BAD_STATE);
        }
        let (start, end) = (offset as usize, end as usize);
        let shift = aux_offset as usize;
        let _one_supply = source.supply_lock();
        let gaps: Vec<std::ops::Range<usize>> = {
            let inner = self.lock();
            inner.present.gaps(start..end).collect()
        };
        let mut buf = vec![0u8; SUPPLY_STEP.min(len as usize)];
        for gap in gaps {
            let mut pos = gap.start;
            while pos < gap.end {
                let n = (gap.end - pos).min(SUPPLY_STEP);
                aux.read_now(pos - start + shift, &mut buf[..n])?;
                self.write_now(pos, &buf[..n])?;
                pos += n;
            }
            let mut inner = self.lock();
            inner.present.insert(gap.clone(), ());
            source.on_supplied(gap.start, gap.end, &|s, e| inner.present.covers(s..e));
        }
        // The pages moved: the auxiliary range is left decommitted.
        aux.zero_range(shift, aux_end as usize)
    }

    /// `ZX_PAGER_OP_FAIL` on the VMO side: outstanding requests overlapping
    /// `[offset, offset + len)` complete with `status`. The range must lie
    /// inside the VMO (`OUT_OF_RANGE`).
    pub fn fail_pages(&self, offset: u64, len: u64, status: ZxError) -> ZxResult {
        let source = self.own_source()?;
        let end = offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if end > self.size() as u64 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let _inner = self.lock();
        source.fail(offset as usize, end as usize, status);
        Ok(())
    }

    /// `zx_pager_detach_vmo` on the VMO side: the clean pages go (as on
    /// Zircon, which decommits them: they read as missing, and so fail
    /// with `BAD_STATE`, from now on; dirty ones stay, their content being
    /// nowhere else), then the source detaches.
    pub fn detach_pager(&self) -> ZxResult {
        let source = self.own_source()?;
        let clean: Vec<std::ops::Range<usize>> = {
            let mut locked = self.lock_for_revoke();
            let mut clean = locked.inner.present.clone();
            for (r, _) in locked.inner.dirty.iter() {
                clean.remove(r);
            }
            let clean: Vec<_> = clean.iter().map(|(r, _)| r).collect();
            for r in &clean {
                locked.inner.present.remove(r.clone());
                self.revoke_locked(&locked.inner, r.start, r.end, &mut locked.keep);
            }
            source.detach();
            clean
        };
        for r in clean {
            self.zero_range(r.start, r.end)?;
        }
        Ok(())
    }

    /// A pager-backed VMO's size changed from `old` to `new`: what it grew
    /// into is present (zero, asking nobody); what it lost is not, and
    /// requests past the new end end.
    pub(super) fn pager_resized(&self, old: usize, new: usize) {
        if !self.tracks_presence() {
            return;
        }
        if new > old {
            self.mark_present(old, new);
            self.note_zeroed(old, new);
        } else {
            let mut inner = self.lock();
            inner.present.remove(new..old);
            inner.dirty.remove(new..old);
            if let Some(source) = &self.source {
                inner.modified = true;
                source.on_resize(new);
            }
        }
    }

    /// Returns whether every page of `[start, end)` can be used now: always
    /// for a VMO that is not pager-backed, else whether all are present.
    pub fn is_present(&self, start: usize, end: usize) -> bool {
        match &self.kind {
            VmoKind::Slice { parent, offset, .. } => {
                parent.is_present(start + offset, end + offset)
            }
            VmoKind::Paged if !self.tracks_presence() => true,
            VmoKind::Paged => {
                let (s, e) = (
                    kernel_hal::page_round_down(start),
                    kernel_hal::page_round_up(end).unwrap_or(usize::MAX),
                );
                s >= e || self.lock().present.covers(s..e)
            }
        }
    }

    /// Checks `[offset, offset + len)` lies inside the VMO; returns it.
    fn pager_range(&self, offset: u64, len: u64) -> ZxResult<(usize, usize)> {
        let end = offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if end > self.size() as u64 {
            return Err(ZxError::OUT_OF_RANGE);
        }
        Ok((offset as usize, end as usize))
    }

    /// `ZX_PAGER_OP_DIRTY`: the pages of the range (all present, else
    /// `NOT_FOUND`) become dirty, and the dirty requests they satisfy
    /// complete.
    pub fn dirty_pages(&self, offset: u64, len: u64) -> ZxResult {
        let source = self.own_source()?;
        let (start, end) = self.pager_range(offset, len)?;
        let mut inner = self.lock();
        if !inner.present.covers(start..end) {
            return Err(ZxError::NOT_FOUND);
        }
        inner.dirty.insert(start..end, DirtyState::Dirty);
        source.on_dirtied(start, end, &|s, e| first_not_dirty(&inner, s, e).is_none());
        Ok(())
    }

    /// `ZX_PAGER_OP_WRITEBACK_BEGIN`: dirty pages of the range await clean;
    /// their host mappings go, so that a write faults and dirties them
    /// again.
    pub fn writeback_begin(&self, offset: u64, len: u64) -> ZxResult {
        self.own_source()?;
        let (start, end) = self.pager_range(offset, len)?;
        let mut locked = self.lock_for_revoke();
        locked
            .inner
            .dirty
            .update(start..end, |s| *s = DirtyState::AwaitingClean);
        self.revoke_locked(&locked.inner, start, end, &mut locked.keep);
        Ok(())
    }

    /// `ZX_PAGER_OP_WRITEBACK_END`: pages of the range still awaiting clean
    /// become clean.
    pub fn writeback_end(&self, offset: u64, len: u64) -> ZxResult {
        self.own_source()?;
        let (start, end) = self.pager_range(offset, len)?;
        let mut inner = self.lock();
        let clean: Vec<std::ops::Range<usize>> = inner
            .dirty
            .overlapping(start..end)
            .filter(|(_, s)| **s == DirtyState::AwaitingClean)
            .map(|(r, _)| r.start.max(start)..r.end.min(end))
            .collect();
        for r in clean {
            inner.dirty.remove(r);
        }
        Ok(())
    }

    /// `zx_pager_query_dirty_ranges`: the runs of dirty (or awaiting clean)
    /// pages in `[offset, offset + len)`, rounded out to pages, as
    /// `(offset, length, options)` (`ZX_VMO_DIRTY_RANGE_IS_ZERO` for runs
    /// known to be zero).
    pub fn dirty_ranges(&self, offset: u64, len: u64) -> ZxResult<Vec<(u64, u64, u64)>> {
        self.own_source()?;
        let end = offset.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        let (start, end) = (
            kernel_hal::page_round_down(offset as usize),
            kernel_hal::page_round_up(end as usize).ok_or(ZxError::OUT_OF_RANGE)?,
        );
        let inner = self.lock();
        if end > inner.size {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let mut out: Vec<(u64, u64, u64)> = Vec::new();
        for (r, st) in inner.dirty.overlapping(start..end) {
            let (s, e) = (r.start.max(start) as u64, r.end.min(end) as u64);
            let options = u64::from(*st == DirtyState::DirtyZero);
            match out.last_mut() {
                Some((ls, ll, lo)) if *ls + *ll == s && *lo == options => *ll += e - s,
                _ => out.push((s, e - s, options)),
            }
        }
        Ok(out)
    }

    /// `zx_pager_query_vmo_stats`: whether the VMO was modified since the
    /// last reset; `reset` starts a new period (the host mappings go, so
    /// the next write through one faults and is seen).
    pub fn pager_stats(&self, reset: bool) -> ZxResult<bool> {
        self.own_source()?;
        let mut locked = self.lock_for_revoke();
        let modified = locked.inner.modified;
        if reset {
            locked.inner.modified = false;
            let size = locked.inner.size;
            self.revoke_locked(&locked.inner, 0, size, &mut locked.keep);
        }
        Ok(modified)
    }

    /// Returns the present ranges (tests).
    pub fn present_ranges(&self) -> Vec<(usize, usize)> {
        let inner = self.lock();
        inner
            .present
            .iter()
            .map(|(r, _)| (r.start, r.end))
            .collect()
    }
}
