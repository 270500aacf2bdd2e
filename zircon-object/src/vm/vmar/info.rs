//! `ZX_INFO_VMAR` and the `ZX_INFO_PROCESS_MAPS` walk.

use kernel_hal::MMUFlags;

use super::VmAddressRegion;
use crate::vm::aspace::AspaceState;
use crate::vm::region::{ChildKind, VmarId};
use crate::vm::vmo::{Attribution, VmObject};

/// One entry of a `ZX_INFO_PROCESS_MAPS`-style walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapsEntry {
    /// A region.
    Vmar {
        /// Name ("root" or "useralloc").
        name: String,
        /// Base address.
        base: usize,
        /// Size.
        size: usize,
        /// Depth (root VMAR = 1).
        depth: usize,
    },
    /// One protection range of a mapping.
    Mapping {
        /// The VMO's name.
        name: [u8; 32],
        /// Base address of the piece.
        base: usize,
        /// Size of the piece.
        size: usize,
        /// Depth.
        depth: usize,
        /// Protection.
        flags: MMUFlags,
        /// VMO koid.
        vmo_koid: u64,
        /// VMO offset of `base`.
        vmo_offset: usize,
        /// Committed bytes of the piece, and how they are shared.
        committed: Attribution,
    },
}

impl VmAddressRegion {
    /// Returns `(base, len)` for `ZX_INFO_VMAR`.
    pub fn info(&self) -> (usize, usize) {
        (self.addr, self.size)
    }

    /// Walks this region depth first (pre-order) for `ZX_INFO_PROCESS_MAPS`:
    /// regions, then one entry per protection range of each mapping, with
    /// adjacent compatible pieces of the same VMO merged. `depth` is this
    /// region's depth.
    pub fn maps(&self, depth: usize) -> Vec<MapsEntry> {
        let st = self.aspace.lock();
        let mut out = Vec::new();
        if st.regions.contains_key(&self.id) {
            Self::walk_maps(&st, self.id, depth, &mut out);
        }
        out
    }

    fn walk_maps(st: &AspaceState, id: VmarId, depth: usize, out: &mut Vec<MapsEntry>) {
        let r = &st.regions[&id];
        out.push(MapsEntry::Vmar {
            name: if r.parent.is_none() {
                "root"
            } else {
                "useralloc"
            }
            .to_string(),
            base: r.base,
            size: r.size,
            depth,
        });
        for c in r.children.values() {
            match c.kind {
                ChildKind::Region(sub) => Self::walk_maps(st, sub, depth + 1, out),
                ChildKind::Mapping(mid) => {
                    let m = &st.mappings[&mid];
                    for (piece, &f) in m.prot.iter() {
                        let (s, e) = (piece.start, piece.end);
                        let off = m.vmo_offset + (s - m.base);
                        let committed = committed_in_vmo(&m.vmo, off, e - s);
                        let koid = m.vmo.base.koid();
                        if let Some(MapsEntry::Mapping {
                            base,
                            size,
                            depth: d,
                            flags,
                            vmo_koid,
                            vmo_offset,
                            committed: total,
                            ..
                        }) = out.last_mut()
                        {
                            if *d == depth + 1
                                && *base + *size == s
                                && *vmo_koid == koid
                                && *vmo_offset + *size == off
                                && *flags == f
                            {
                                *size += e - s;
                                total.add(&committed);
                                continue;
                            }
                        }
                        out.push(MapsEntry::Mapping {
                            name: m.vmo.base.name_bytes(),
                            base: s,
                            size: e - s,
                            depth: depth + 1,
                            flags: f,
                            vmo_koid: koid,
                            vmo_offset: off,
                            committed,
                        });
                    }
                }
            }
        }
    }
}

/// One mapping of an address space (`ZX_INFO_TASK_STATS`,
/// `ZX_INFO_PROCESS_VMOS`).
#[derive(Debug, Clone)]
pub struct MappedVmo {
    /// The mapped VMO.
    pub vmo: std::sync::Arc<VmObject>,
    /// The VMO offset of the mapping's first byte.
    pub vmo_offset: usize,
    /// The mapping's size.
    pub size: usize,
}

impl VmAddressRegion {
    /// Every mapping in this region and below it, in address order.
    pub fn mapped_vmos(&self) -> Vec<MappedVmo> {
        let st = self.aspace.lock();
        let mut out = Vec::new();
        if st.regions.contains_key(&self.id) {
            Self::walk_mappings(&st, self.id, &mut out);
        }
        out
    }

    fn walk_mappings(st: &AspaceState, id: VmarId, out: &mut Vec<MappedVmo>) {
        for c in st.regions[&id].children.values() {
            match c.kind {
                ChildKind::Region(sub) => Self::walk_mappings(st, sub, out),
                ChildKind::Mapping(mid) => {
                    let m = &st.mappings[&mid];
                    out.push(MappedVmo {
                        vmo: m.vmo.clone(),
                        vmo_offset: m.vmo_offset,
                        size: m.size,
                    });
                }
            }
        }
    }
}

fn committed_in_vmo(vmo: &VmObject, off: usize, len: usize) -> Attribution {
    vmo.attribution_of(off, len)
}
