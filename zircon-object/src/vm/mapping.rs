//! A `Mapping`: one VMO window inside a region, with its protection
//! ranges and the ranges the host currently maps.

use std::collections::BTreeMap;
use std::sync::Arc;

use kernel_hal::MMUFlags;

use super::region::VmarId;
use super::vmar::{FaultLimit, MappingKind};
use super::vmo::VmObject;

/// A mapping lives in `AspaceState::mappings`, so every field is protected
/// by its address space's lock.
#[derive(Debug)]
pub(super) struct Mapping {
    /// The region it is a child of.
    pub(super) region: VmarId,
    /// First address; a trim or split may move it.
    pub(super) base: usize,
    /// Size in bytes; a trim or split may shrink it.
    pub(super) size: usize,
    /// The mapped VMO, which also records this mapping (`MappingRef`).
    pub(super) vmo: Arc<VmObject>,
    /// VMO offset of `base`.
    pub(super) vmo_offset: usize,
    /// The most this mapping may ever allow (both handles' rights at map time).
    pub(super) max_perms: MMUFlags,
    /// Protection ranges: start → (end, flags); they tile `[base, base+size)`.
    pub(super) prot: BTreeMap<usize, (usize, MMUFlags)>,
    /// Ranges the host maps from the frame file: start → end, merged.
    pub(super) host: BTreeMap<usize, usize>,
    /// Ordinary or the vDSO's code (which cannot be unmapped or changed).
    pub(super) kind: MappingKind,
    /// Where faults stop being resolved (`OUT_OF_RANGE` past it).
    pub(super) fault_limit: FaultLimit,
}

impl Mapping {
    pub(super) fn end(&self) -> usize {
        self.base + self.size
    }

    /// The VMO offset where this mapping's accessible part ends: the VMO's
    /// size, or for a `FAULT_BEYOND_STREAM_SIZE` mapping the end of the
    /// page holding the content end.
    pub(super) fn vmo_limit(&self) -> usize {
        let size = self.vmo.size();
        if self.fault_limit == FaultLimit::ContentPage {
            let content = kernel_hal::page_round_up(self.vmo.content_size()).unwrap_or(size);
            content.min(size)
        } else {
            size
        }
    }

    pub(super) fn prot_at(&self, va: usize) -> MMUFlags {
        let (_, &(end, flags)) = self
            .prot
            .range(..=va)
            .next_back()
            .expect("prot tiles mapping");
        debug_assert!(va < end);
        flags
    }

    /// Protection pieces overlapping `[start, end)`, clipped.
    pub(super) fn prot_pieces(&self, start: usize, end: usize) -> Vec<(usize, usize, MMUFlags)> {
        let mut out = Vec::new();
        let first = self
            .prot
            .range(..=start)
            .next_back()
            .map(|(&s, _)| s)
            .unwrap_or(start);
        for (&s, &(e, f)) in self.prot.range(first..end) {
            let (s2, e2) = (s.max(start), e.min(end));
            if s2 < e2 {
                out.push((s2, e2, f));
            }
        }
        out
    }

    /// Host-mapped pieces overlapping `[start, end)`, clipped.
    pub(super) fn host_pieces(&self, start: usize, end: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let first = self
            .host
            .range(..=start)
            .next_back()
            .map(|(&s, _)| s)
            .unwrap_or(start);
        for (&s, &e) in self.host.range(first..end) {
            let (s2, e2) = (s.max(start), e.min(end));
            if s2 < e2 {
                out.push((s2, e2));
            }
        }
        out
    }

    pub(super) fn host_insert(&mut self, mut start: usize, mut end: usize) {
        // Merge with every overlapping or touching range.
        let first = self
            .host
            .range(..=start)
            .next_back()
            .map(|(&s, _)| s)
            .unwrap_or(start);
        let touching: Vec<(usize, usize)> = self
            .host
            .range(first..=end)
            .filter(|(_, &e)| e >= start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touching {
            self.host.remove(&s);
            start = start.min(s);
            end = end.max(e);
        }
        self.host.insert(start, end);
    }

    pub(super) fn host_remove(&mut self, start: usize, end: usize) {
        for (s, e) in self.host_pieces(start, end) {
            let (os, oe) = {
                let (&os, &oe) = self.host.range(..=s).next_back().expect("piece exists");
                (os, oe)
            };
            self.host.remove(&os);
            if os < s {
                self.host.insert(os, s);
            }
            if e < oe {
                self.host.insert(e, oe);
            }
        }
    }

    /// Sets the protection of `[start, end)` to `flags`, splitting ranges
    /// and merging equal neighbours.
    pub(super) fn set_prot(&mut self, start: usize, end: usize, flags: MMUFlags) {
        for (s, e, f) in self.prot_pieces(start, end) {
            let (&os, &(oe, of)) = self.prot.range(..=s).next_back().expect("tiles");
            debug_assert_eq!(of, f);
            self.prot.remove(&os);
            if os < s {
                self.prot.insert(os, (s, of));
            }
            if e < oe {
                self.prot.insert(e, (oe, of));
            }
        }
        self.prot.insert(start, (end, flags));
        // Merge with equal neighbours.
        let mut s = start;
        if let Some((&ps, &(pe, pf))) = self.prot.range(..start).next_back() {
            if pe == start && pf == flags {
                self.prot.remove(&start);
                self.prot.insert(ps, (end, flags));
                s = ps;
            }
        }
        if let Some(&(ne, nf)) = self.prot.get(&end) {
            if nf == flags {
                self.prot.remove(&end);
                self.prot.get_mut(&s).expect("just inserted").0 = ne;
            }
        }
    }
}
