//! The region tree: a `Region`'s children (sub-regions and mappings) by
//! base address and its free gaps, and the walks over the tree that the
//! VMAR operations and the fault path share.

use std::collections::BTreeMap;

use super::aspace::AspaceState;
use super::gaps::GapIndex;
use super::options::VmOptions;
use crate::{ZxError, ZxResult};

/// Identifies a region inside its address space.
pub type VmarId = u64;
/// Identifies a mapping inside its address space.
pub type MappingId = u64;

#[derive(Debug, Clone, Copy)]
pub(super) enum ChildKind {
    Region(VmarId),
    Mapping(MappingId),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Child {
    pub(super) end: usize,
    pub(super) kind: ChildKind,
}

#[derive(Debug)]
pub(super) struct Region {
    pub(super) base: usize,
    pub(super) size: usize,
    /// CAN_MAP_* and COMPACT bits.
    pub(super) flags: VmOptions,
    pub(super) parent: Option<VmarId>,
    /// Children by base address.
    pub(super) children: BTreeMap<usize, Child>,
    /// Free space between children.
    pub(super) gaps: GapIndex,
}

impl Region {
    pub(super) fn end(&self) -> usize {
        self.base + self.size
    }

    /// Returns the children overlapping `[start, end)`, in address order.
    pub(super) fn overlapping(&self, start: usize, end: usize) -> Vec<(usize, Child)> {
        let mut out = Vec::new();
        if let Some((&b, &c)) = self.children.range(..start).next_back() {
            if c.end > start {
                out.push((b, c));
            }
        }
        out.extend(self.children.range(start..end).map(|(&b, &c)| (b, c)));
        out
    }

    pub(super) fn insert_child(&mut self, base: usize, end: usize, kind: ChildKind) {
        self.gaps.take(base, end);
        self.children.insert(base, Child { end, kind });
    }

    pub(super) fn remove_child(&mut self, base: usize) -> Child {
        let c = self.children.remove(&base).expect("child exists");
        self.gaps.give(base, c.end);
        c
    }
}

impl AspaceState {
    pub(super) fn region(&self, id: VmarId) -> ZxResult<&Region> {
        self.regions.get(&id).ok_or(ZxError::BAD_STATE)
    }

    /// Finds the mapping containing `va`, descending from `root`.
    pub(super) fn find_mapping(&self, root: VmarId, va: usize) -> Option<MappingId> {
        let mut region = self.regions.get(&root)?;
        loop {
            let (_, c) = region.children.range(..=va).next_back()?;
            if va >= c.end {
                return None;
            }
            match c.kind {
                ChildKind::Mapping(m) => return Some(m),
                ChildKind::Region(r) => region = self.regions.get(&r)?,
            }
        }
    }

    /// Collects the mappings covering `[start, end)` under `region`, in
    /// order, each with whether it is a direct child. Returns `false` as the
    /// second value if some address in the range is not covered.
    pub(super) fn mappings_in(
        &self,
        region: VmarId,
        start: usize,
        end: usize,
    ) -> (Vec<(MappingId, bool)>, bool) {
        let mut out = Vec::new();
        let mut cursor = start;
        let mut complete = true;
        self.walk_range(
            region,
            start,
            end,
            true,
            &mut out,
            &mut cursor,
            &mut complete,
        );
        if cursor < end {
            complete = false;
        }
        (out, complete)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the walk's position and its visitor; a struct would only rename them"
    )]
    pub(super) fn walk_range(
        &self,
        region: VmarId,
        start: usize,
        end: usize,
        direct: bool,
        out: &mut Vec<(MappingId, bool)>,
        cursor: &mut usize,
        complete: &mut bool,
    ) {
        let r = &self.regions[&region];
        for (base, c) in r.overlapping(start, end) {
            match c.kind {
                ChildKind::Mapping(m) => {
                    if base.max(start) > *cursor {
                        *complete = false;
                    }
                    out.push((m, direct));
                    *cursor = c.end.min(end);
                }
                ChildKind::Region(sub) => {
                    self.walk_range(
                        sub,
                        base.max(start),
                        c.end.min(end),
                        false,
                        out,
                        cursor,
                        complete,
                    );
                }
            }
        }
    }

    /// Collects `region` and all its descendants.
    pub(super) fn subtree(&self, region: VmarId, out: &mut Vec<VmarId>) {
        out.push(region);
        for c in self.regions[&region].children.values() {
            if let ChildKind::Region(r) = c.kind {
                self.subtree(r, out);
            }
        }
    }
}

/// Rounds a range length up to pages; 0 (or overflow) → `INVALID_ARGS`,
/// as unmap, protect and op_range answer.
pub(super) fn rounded_len(len: usize) -> ZxResult<usize> {
    match kernel_hal::page_round_up(len) {
        Some(l) if l > 0 => Ok(l),
        _ => Err(ZxError::INVALID_ARGS),
    }
}

/// Returns the end of `[addr, addr + len)` if it lies inside region `r`
/// (`INVALID_ARGS` otherwise, wrap-around included).
pub(super) fn end_inside(r: &Region, addr: usize, len: usize) -> ZxResult<usize> {
    let end = addr.checked_add(len).ok_or(ZxError::INVALID_ARGS)?;
    if addr < r.base || end > r.end() {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(end)
}
