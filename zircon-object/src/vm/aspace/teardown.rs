//! Tearing down: removing a mapping (whole or part), a region with
//! everything in it, or the whole address space.

use kernel_hal::range_map::RangeMap;

use super::{AddressSpace, AspaceState};
use crate::vm::mapping::Mapping;
use crate::vm::region::{ChildKind, MappingId, VmarId};
use crate::vm::vmo::MappingRef;

impl AddressSpace {
    /// Removes mapping `id` entirely: host pages, region child, VMO link.
    pub(in crate::vm) fn destroy_mapping(&self, st: &mut AspaceState, id: MappingId) {
        let mut m = st.mappings.remove(&id).expect("mapping exists");
        let (b, e) = (m.base, m.end());
        self.host_unmap(&mut m, b, e);
        if let Some(r) = st.regions.get_mut(&m.region) {
            r.remove_child(m.base);
        }
        m.vmo.remove_mapping(&self.self_ref, id);
    }

    /// Removes `[start, end)` from mapping `id` (which it overlaps),
    /// trimming or splitting it.
    pub(in crate::vm) fn unmap_part(
        &self,
        st: &mut AspaceState,
        id: MappingId,
        start: usize,
        end: usize,
    ) {
        let (mb, me) = {
            let m = &st.mappings[&id];
            (m.base, m.end())
        };
        let (start, end) = (start.max(mb), end.min(me));
        if start <= mb && end >= me {
            self.destroy_mapping(st, id);
            return;
        }
        let new_id = st.alloc_id();
        let m = st.mappings.get_mut(&id).expect("mapping exists");
        self.host_unmap(m, start, end);
        let region = m.region;
        // Split off the right part, if any, as a new mapping.
        let right = if end < me {
            let mut prot = RangeMap::new();
            for (piece, f) in m.prot.clipped(end..me) {
                prot.insert(piece, f);
            }
            let mut host = RangeMap::new();
            for (piece, ()) in m.host.clipped(end..me) {
                host.insert(piece, ());
            }
            Some(Mapping {
                region,
                base: end,
                size: me - end,
                vmo: m.vmo.clone(),
                vmo_offset: m.vmo_offset + (end - mb),
                max_perms: m.max_perms,
                prot,
                host,
                kind: m.kind,
                fault_limit: m.fault_limit,
            })
        } else {
            None
        };
        if let Some(right) = &right {
            // Register the right part with the VMO before the left part may
            // go, so a copy-on-write never misses its host pages.
            right.vmo.add_mapping(MappingRef {
                aspace: self.self_ref.clone(),
                id: new_id,
                bias: right.base.wrapping_sub(right.vmo_offset),
                lo: right.base,
                hi: right.end(),
            });
        }
        // Trim the left part to [mb, start) or drop it if empty.
        let r = st.regions.get_mut(&region).expect("region exists");
        r.remove_child(mb);
        let m = st.mappings.get_mut(&id).expect("mapping exists");
        if start > mb {
            m.size = start - mb;
            m.prot.remove(start..me);
            m.host.remove(start..me);
            let r = st.regions.get_mut(&region).expect("region exists");
            r.insert_child(mb, start, ChildKind::Mapping(id));
        } else {
            let mut left = st.mappings.remove(&id).expect("mapping exists");
            left.vmo.remove_mapping(&self.self_ref, id);
            left.host = RangeMap::new();
        }
        if let Some(right) = right {
            let (b, e) = (right.base, right.end());
            st.mappings.insert(new_id, right);
            st.regions
                .get_mut(&region)
                .expect("region exists")
                .insert_child(b, e, ChildKind::Mapping(new_id));
        }
    }

    /// Destroys the whole address space (its process died): every region
    /// and mapping goes, so the VMOs lose these mappings and their host
    /// pages, operations on any of its VMARs answer `BAD_STATE`, and guest
    /// code still running here faults `NOT_FOUND`. The window itself stays
    /// reserved until the address space is dropped.
    pub fn destroy_all(&self) {
        let mut st = self.lock();
        if st.regions.contains_key(&self.root) {
            self.destroy_region(&mut st, self.root);
        }
    }

    /// Destroys region `id` and everything in it; detaches it from its parent.
    pub(in crate::vm) fn destroy_region(&self, st: &mut AspaceState, id: VmarId) {
        let mut all = Vec::new();
        st.subtree(id, &mut all);
        for &r in all.iter().rev() {
            let maps: Vec<MappingId> = st.regions[&r]
                .children
                .values()
                .filter_map(|c| match c.kind {
                    ChildKind::Mapping(m) => Some(m),
                    ChildKind::Region(_) => None,
                })
                .collect();
            for m in maps {
                self.destroy_mapping(st, m);
            }
        }
        for &r in all.iter().rev() {
            let region = st.regions.remove(&r).expect("region exists");
            if let Some(p) = region.parent {
                if let Some(parent) = st.regions.get_mut(&p) {
                    parent.remove_child(region.base);
                }
            }
        }
    }
}
