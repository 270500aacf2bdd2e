//! Read-only views of the tree and its consistency check, for tests and
//! diagnostics.

use kernel_hal::MMUFlags;

use super::AddressSpace;
use crate::vm::mapping::Mapping;
use crate::vm::region::ChildKind;

/// A read-only view of one mapping, for diagnostics and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingView {
    /// First address.
    pub base: usize,
    /// Size in bytes.
    pub size: usize,
    /// koid of the mapped VMO.
    pub vmo_koid: u64,
    /// Offset into the VMO of `base`.
    pub vmo_offset: usize,
    /// Protection of this piece.
    pub flags: MMUFlags,
}

impl AddressSpace {
    /// Returns every mapping piece (one per protection range), in address
    /// order, for tests and diagnostics.
    pub fn mapping_views(&self) -> Vec<MappingView> {
        let st = self.lock();
        let mut maps: Vec<&Mapping> = st.mappings.values().collect();
        maps.sort_by_key(|m| m.base);
        maps.iter()
            .flat_map(|m| {
                m.prot
                    .iter()
                    .map(|(piece, &f)| (piece.start, piece.end, f))
                    .map(|(s, e, f)| MappingView {
                        base: s,
                        size: e - s,
                        vmo_koid: m.vmo.base.koid(),
                        vmo_offset: m.vmo_offset + (s - m.base),
                        flags: f,
                    })
            })
            .collect()
    }

    /// Returns the number of live regions (root included) and mappings.
    pub fn counts(&self) -> (usize, usize) {
        let st = self.lock();
        (st.regions.len(), st.mappings.len())
    }

    /// Checks the tree's invariants (children inside their region, no
    /// overlaps, gaps complementing children, protection ranges tiling each
    /// mapping, host ranges inside mappings and VMOs); panics on violation.
    pub fn check_consistency(&self) {
        let st = self.lock();
        for (&id, r) in &st.regions {
            let mut cursor = r.base;
            let mut gaps = Vec::new();
            for (&b, c) in &r.children {
                assert!(
                    b >= cursor && c.end > b && c.end <= r.end(),
                    "child out of place in {id}"
                );
                if b > cursor {
                    gaps.push((cursor, b));
                }
                cursor = c.end;
                match c.kind {
                    ChildKind::Region(s) => {
                        let sub = &st.regions[&s];
                        assert_eq!((sub.base, sub.end(), sub.parent), (b, c.end, Some(id)));
                    }
                    ChildKind::Mapping(m) => {
                        let m = &st.mappings[&m];
                        assert_eq!((m.base, m.end(), m.region), (b, c.end, id));
                    }
                }
            }
            if cursor < r.end() {
                gaps.push((cursor, r.end()));
            }
            assert_eq!(r.gaps.iter().collect::<Vec<_>>(), gaps, "gap index of {id}");
        }
        for m in st.mappings.values() {
            let mut cursor = m.base;
            for (piece, &f) in m.prot.iter() {
                let (s, e) = (piece.start, piece.end);
                assert!(
                    s == cursor && e > s,
                    "protection ranges must tile the mapping"
                );
                assert!(m.max_perms.contains(f));
                cursor = e;
            }
            assert_eq!(cursor, m.end());
            for (piece, ()) in m.host.iter() {
                let (s, e) = (piece.start, piece.end);
                assert!(s >= m.base && e <= m.end() && s < e);
            }
        }
    }
}
