//! A `Mapping`: one VMO window inside a region, with its protection
//! ranges and the ranges the host currently maps.

use std::sync::Arc;

use kernel_hal::range_map::RangeMap;
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
    /// Protection ranges; they tile `[base, base+size)`.
    pub(super) prot: RangeMap<MMUFlags>,
    /// Ranges the host maps from the frame file.
    pub(super) host: RangeMap<()>,
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
        *self.prot.get(va).expect("prot tiles mapping").1
    }
}
