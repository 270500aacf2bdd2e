//! Virtual memory address regions (`zx_vmar_*`) and the address space they
//! carve up.
//!
//! An [`AddressSpace`] owns one HAL page table (one window of the host
//! address space) and the whole tree of regions and mappings inside it. The
//! tree lives under **one lock** (`AddressSpace::state`), as Zircon's aspace
//! lock does: every VMAR operation, and the fault path, take it once and work
//! on [`AspaceState`], which holds
//!
//! * `regions`: every live region by id. A region's children (sub-regions
//!   and mappings) are kept in a `BTreeMap` keyed by base address, and its
//!   free space in a [`GapIndex`], so finding the child at an address, the
//!   pieces of a range, or a free gap is O(log n).
//! * `mappings`: every live mapping by id. A mapping records the VMO, its
//!   offset, the maximum permissions fixed at map time, its protection
//!   ranges, and which of its pages the host currently maps (`host`).
//!
//! A [`VmAddressRegion`] is the kernel object a VMAR handle names: it holds
//! the address space and its region's id. A destroyed region is removed from
//! `regions`, so every later operation through any handle to it, or to one
//! of its descendants, answers `BAD_STATE`.
//!
//! Host mapping invariant: a page of the window is mapped from the frame file
//! only if it lies in a live mapping, inside that mapping's VMO, and is
//! recorded in that mapping's `host` set. Everything else is the HAL's
//! inaccessible reservation, so touching it faults into
//! [`AddressSpace::handle_page_fault`].
//!
//! Lock order: `AddressSpace::state` → `VmObject::inner` → HAL locks.

use crate::sync::{Mutex, MutexGuard};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use kernel_hal::{
    is_page_aligned, page_round_up, FaultError, FaultResolver, HalRef, MMUFlags, PageFaultAccess,
    PageTable, PhysAddr, VirtAddr, PAGE_SIZE,
};

use super::gaps::{GapIndex, Placement};
use super::options::{
    check_perm_combination, perms_for_rights, rights_for_perms, split_options, VmOptions,
};
use super::vmo::{MappingRef, VmObject};
use crate::object::{KObjectBase, ObjType};
use crate::{impl_kobject, Rights, ZxError, ZxResult};

/// Identifies a region inside its address space.
pub type VmarId = u64;
/// Identifies a mapping inside its address space.
pub type MappingId = u64;

/// `ZX_VMAR_OP_*` values (equal to the matching `ZX_VMO_OP_*`).
pub mod vmar_op {
    /// `ZX_VMAR_OP_COMMIT`
    pub const COMMIT: u32 = 1;
    /// `ZX_VMAR_OP_DECOMMIT`
    pub const DECOMMIT: u32 = 2;
    /// `ZX_VMAR_OP_MAP_RANGE`
    pub const MAP_RANGE: u32 = 3;
    /// `ZX_VMAR_OP_ZERO`
    pub const ZERO: u32 = 10;
    /// `ZX_VMAR_OP_DONT_NEED`
    pub const DONT_NEED: u32 = 12;
    /// `ZX_VMAR_OP_ALWAYS_NEED`
    pub const ALWAYS_NEED: u32 = 13;
    /// `ZX_VMAR_OP_PREFETCH`
    pub const PREFETCH: u32 = 14;
}

#[derive(Debug, Clone, Copy)]
enum ChildKind {
    Region(VmarId),
    Mapping(MappingId),
}

#[derive(Debug, Clone, Copy)]
struct Child {
    end: usize,
    kind: ChildKind,
}

#[derive(Debug)]
struct Region {
    base: usize,
    size: usize,
    /// CAN_MAP_* and COMPACT bits.
    flags: VmOptions,
    parent: Option<VmarId>,
    /// Children by base address.
    children: BTreeMap<usize, Child>,
    /// Free space between children.
    gaps: GapIndex,
}

impl Region {
    fn end(&self) -> usize {
        self.base + self.size
    }

    /// Returns the children overlapping `[start, end)`, in address order.
    fn overlapping(&self, start: usize, end: usize) -> Vec<(usize, Child)> {
        let mut out = Vec::new();
        if let Some((&b, &c)) = self.children.range(..start).next_back() {
            if c.end > start {
                out.push((b, c));
            }
        }
        out.extend(self.children.range(start..end).map(|(&b, &c)| (b, c)));
        out
    }

    fn insert_child(&mut self, base: usize, end: usize, kind: ChildKind) {
        self.gaps.take(base, end);
        self.children.insert(base, Child { end, kind });
    }

    fn remove_child(&mut self, base: usize) -> Child {
        let c = self.children.remove(&base).expect("child exists");
        self.gaps.give(base, c.end);
        c
    }
}

#[derive(Debug)]
struct Mapping {
    region: VmarId,
    base: usize,
    size: usize,
    vmo: Arc<VmObject>,
    vmo_offset: usize,
    /// The most this mapping may ever allow (both handles' rights at map time).
    max_perms: MMUFlags,
    /// Protection ranges: start → (end, flags); they tile `[base, base+size)`.
    prot: BTreeMap<usize, (usize, MMUFlags)>,
    /// Ranges the host maps from the frame file: start → end, merged.
    host: BTreeMap<usize, usize>,
    /// Whether this is the vDSO's code (cannot be unmapped or changed).
    vdso_code: bool,
    /// `ZX_VM_FAULT_BEYOND_STREAM_SIZE`: pages past the one holding the
    /// VMO's content (stream) end fault `OUT_OF_RANGE`.
    fault_beyond_stream: bool,
}

impl Mapping {
    fn end(&self) -> usize {
        self.base + self.size
    }

    /// The VMO offset where this mapping's accessible part ends: the VMO's
    /// size, or for a `FAULT_BEYOND_STREAM_SIZE` mapping the end of the
    /// page holding the content end.
    fn vmo_limit(&self) -> usize {
        let size = self.vmo.size();
        if self.fault_beyond_stream {
            let content = kernel_hal::page_round_up(self.vmo.content_size()).unwrap_or(size);
            content.min(size)
        } else {
            size
        }
    }

    fn prot_at(&self, va: usize) -> MMUFlags {
        let (_, &(end, flags)) = self
            .prot
            .range(..=va)
            .next_back()
            .expect("prot tiles mapping");
        debug_assert!(va < end);
        flags
    }

    /// Protection pieces overlapping `[start, end)`, clipped.
    fn prot_pieces(&self, start: usize, end: usize) -> Vec<(usize, usize, MMUFlags)> {
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
    fn host_pieces(&self, start: usize, end: usize) -> Vec<(usize, usize)> {
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

    fn host_insert(&mut self, mut start: usize, mut end: usize) {
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

    fn host_remove(&mut self, start: usize, end: usize) {
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
    fn set_prot(&mut self, start: usize, end: usize, flags: MMUFlags) {
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

/// The tree of regions and mappings of one address space.
#[derive(Debug)]
struct AspaceState {
    regions: HashMap<VmarId, Region>,
    mappings: HashMap<MappingId, Mapping>,
    next_id: u64,
}

impl AspaceState {
    fn alloc_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn region(&self, id: VmarId) -> ZxResult<&Region> {
        self.regions.get(&id).ok_or(ZxError::BAD_STATE)
    }

    /// Finds the mapping containing `va`, descending from `root`.
    fn find_mapping(&self, root: VmarId, va: usize) -> Option<MappingId> {
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
    fn mappings_in(
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

    #[allow(clippy::too_many_arguments)]
    fn walk_range(
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
    fn subtree(&self, region: VmarId, out: &mut Vec<VmarId>) {
        out.push(region);
        for c in self.regions[&region].children.values() {
            if let ChildKind::Region(r) = c.kind {
                self.subtree(r, out);
            }
        }
    }
}

/// The kernel side of a user copy.
enum UserBuf<'a> {
    /// Guest memory is copied into this buffer.
    Into(&'a mut [u8]),
    /// This buffer is copied to guest memory.
    From(&'a [u8]),
}

/// One address space: a HAL page table plus the region tree inside it.
pub struct AddressSpace {
    // Field order matters for drop: the page table goes first, so every host
    // mapping of the window is gone before any mapping releases its VMO (and
    // with it, possibly, the frames).
    pt: Box<dyn PageTable>,
    hal: HalRef,
    base: usize,
    size: usize,
    root: VmarId,
    state: Mutex<AspaceState>,
    self_ref: Weak<AddressSpace>,
    rng: AtomicU64,
}

impl std::fmt::Debug for AddressSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressSpace")
            .field("base", &self.base)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

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
        /// Committed pages of the piece.
        committed_pages: usize,
    },
}

impl AddressSpace {
    /// Creates an address space with a fresh window; returns it with the id
    /// of its root region, which covers the whole window.
    fn new(hal: HalRef) -> ZxResult<Arc<AddressSpace>> {
        let pt = hal.new_page_table()?;
        let (base, size) = pt.window();
        let root = 1;
        let mut regions = HashMap::new();
        regions.insert(
            root,
            Region {
                base,
                size,
                flags: VmOptions::CAN_MAP_RWX | VmOptions::CAN_MAP_SPECIFIC,
                parent: None,
                children: BTreeMap::new(),
                gaps: GapIndex::new(base, base + size),
            },
        );
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let aspace = Arc::new_cyclic(|me| AddressSpace {
            pt,
            hal,
            base,
            size,
            root,
            state: Mutex::new(AspaceState {
                regions,
                mappings: HashMap::new(),
                next_id: root,
            }),
            self_ref: me.clone(),
            rng: AtomicU64::new(seed | 1),
        });
        let resolver: Weak<dyn FaultResolver> = aspace.self_ref.clone();
        aspace.pt.set_fault_resolver(resolver);
        Ok(aspace)
    }

    fn lock(&self) -> MutexGuard<'_, AspaceState> {
        self.state.lock()
    }

    fn next_seed(&self) -> u64 {
        // splitmix64 step.
        let x = self.rng.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns the HAL this address space lives on.
    pub fn hal(&self) -> &HalRef {
        &self.hal
    }

    /// Returns the window `(base, size)`.
    pub fn window(&self) -> (usize, usize) {
        (self.base, self.size)
    }

    /// Returns the HAL page table (for tests and benchmarks).
    pub fn page_table(&self) -> &dyn PageTable {
        &*self.pt
    }

    /// Maps the part of `[start, end)` the host should map for mapping `m`,
    /// given that VMO offsets of that range start at physical `paddr`.
    /// With `writable` false (the memory is shared copy-on-write), pages
    /// are mapped without write access whatever their protection; a write
    /// then faults and gets a private copy.
    fn host_map(
        &self,
        m: &mut Mapping,
        start: usize,
        end: usize,
        paddr: PhysAddr,
        writable: bool,
    ) -> ZxResult {
        for (s, e, f) in m.prot_pieces(start, end) {
            let f = if writable { f } else { f - MMUFlags::WRITE };
            self.pt.map(s, paddr + (s - start), e - s, f)?;
        }
        m.host_insert(start, end);
        Ok(())
    }

    /// Makes the host forget `[start, end)` of mapping `m`.
    fn host_unmap(&self, m: &mut Mapping, start: usize, end: usize) {
        if m.host_pieces(start, end).is_empty() {
            return;
        }
        self.pt
            .unmap(start, end - start)
            .expect("unmapping a range inside the window cannot fail");
        m.host_remove(start, end);
    }

    /// Resolves a fault at `va`: checks the mapping allows `access`, makes
    /// sure the VMO has memory there, and maps the whole chunk around it
    /// (fault-around). Answers NOT_FOUND (no mapping), ACCESS_DENIED
    /// (protection) or OUT_OF_RANGE (past the VMO's end), as Zircon's page
    /// fault handler does.
    pub fn handle_page_fault(&self, va: VirtAddr, access: PageFaultAccess) -> ZxResult {
        let mut st = self.lock();
        let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
        let m = st.mappings.get_mut(&id).expect("mapping exists");
        if !m.prot_at(va).contains(access.required_flags()) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let off = m.vmo_offset + (va - m.base);
        let limit = m.vmo_limit();
        if off >= limit {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let vmo = m.vmo.clone();
        let write = access == PageFaultAccess::Write;
        // Map under the VMO's lock, so a copy-on-write elsewhere cannot
        // swap the chunk between our lookup and our mapping.
        vmo.fault_map(
            kernel_hal::page_round_down(off),
            write,
            &mut |rs, rl, pa, writable| {
                // The run in VMO offsets, clipped to what this mapping shows.
                let lo = rs.max(m.vmo_offset);
                let hi = (rs + rl).min(m.vmo_offset + m.size).min(limit);
                let va_lo = m.base + (lo - m.vmo_offset);
                let va_hi = m.base + (hi - m.vmo_offset);
                self.host_map(m, va_lo, va_hi, pa + (lo - rs), writable)
            },
        )
    }

    /// Unmaps `[lo, hi)` (clipped to the window, rounded out to pages) from
    /// the page table without the address-space lock, for a VMO revoking
    /// its memory; the mappings' `host` sets stay as they are (they may
    /// over-approximate what the host maps) and the pages fault back in.
    pub(crate) fn hal_revoke(&self, lo: usize, hi: usize) {
        let lo = kernel_hal::page_round_down(lo.max(self.base));
        let hi = kernel_hal::page_round_up(hi.min(self.base + self.size))
            .unwrap_or(self.base + self.size);
        if lo < hi {
            self.pt
                .unmap(lo, hi - lo)
                .expect("unmapping a range inside the window cannot fail");
        }
    }

    /// Revokes the host pages of mapping `id` that lie at or past VMO offset
    /// `vmo_end` (called by a shrinking VMO).
    pub(crate) fn revoke_vmo_range(&self, id: MappingId, vmo_end: usize) {
        let mut st = self.lock();
        let Some(m) = st.mappings.get_mut(&id) else {
            return;
        };
        let cut = if vmo_end <= m.vmo_offset {
            m.base
        } else {
            m.base.saturating_add(vmo_end - m.vmo_offset)
        };
        if cut < m.end() {
            let end = m.end();
            self.host_unmap(m, cut, end);
        }
    }

    /// Revokes the host pages of mapping `id` at or past VMO offset
    /// `stream_end` if it is a `FAULT_BEYOND_STREAM_SIZE` mapping (called
    /// when the VMO's content shrinks).
    pub(crate) fn revoke_stream_range(&self, id: MappingId, stream_end: usize) {
        let fault_beyond = {
            let st = self.lock();
            st.mappings.get(&id).is_some_and(|m| m.fault_beyond_stream)
        };
        if fault_beyond {
            self.revoke_vmo_range(id, stream_end);
        }
    }

    /// Removes mapping `id` entirely: host pages, region child, VMO link.
    fn destroy_mapping(&self, st: &mut AspaceState, id: MappingId) {
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
    fn unmap_part(&self, st: &mut AspaceState, id: MappingId, start: usize, end: usize) {
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
            let mut prot = m.prot.split_off(&end);
            if let Some((&s, &(e, f))) = m.prot.range(..end).next_back() {
                if e > end {
                    m.prot.insert(s, (end, f));
                    prot.insert(end, (e, f));
                }
            }
            let host = m.host.split_off(&end);
            Some(Mapping {
                region,
                base: end,
                size: me - end,
                vmo: m.vmo.clone(),
                vmo_offset: m.vmo_offset + (end - mb),
                max_perms: m.max_perms,
                prot,
                host,
                vdso_code: false,
                fault_beyond_stream: m.fault_beyond_stream,
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
            m.prot.retain(|&s, _| s < start);
            if let Some((_, pe)) = m.prot.iter_mut().next_back() {
                pe.0 = pe.0.min(start);
            }
            m.host.retain(|&s, _| s < start);
            let r = st.regions.get_mut(&region).expect("region exists");
            r.insert_child(mb, start, ChildKind::Mapping(id));
        } else {
            let mut left = st.mappings.remove(&id).expect("mapping exists");
            left.vmo.remove_mapping(&self.self_ref, id);
            left.host.clear();
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
    fn destroy_region(&self, st: &mut AspaceState, id: VmarId) {
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

    /// Copies guest memory at `va` into `buf` for `zx_process_read_memory`:
    /// reads from the single mapping containing `va`, stopping at its end or
    /// at the VMO's end, and returns the bytes read. Protections do not
    /// apply (it is a debugger interface).
    pub fn read_memory(&self, va: VirtAddr, buf: &mut [u8]) -> ZxResult<usize> {
        let (vmo, off, n) = self.memory_span(va, buf.len())?;
        vmo.read(off as u64, &mut buf[..n])?;
        Ok(n)
    }

    /// Writes `buf` to guest memory at `va` (`zx_process_write_memory`);
    /// same rules as [`AddressSpace::read_memory`].
    pub fn write_memory(&self, va: VirtAddr, buf: &[u8]) -> ZxResult<usize> {
        let (vmo, off, n) = self.memory_span(va, buf.len())?;
        vmo.write(off as u64, &buf[..n])?;
        Ok(n)
    }

    fn memory_span(&self, va: VirtAddr, len: usize) -> ZxResult<(Arc<VmObject>, usize, usize)> {
        let st = self.lock();
        let id = st.find_mapping(self.root, va).ok_or(ZxError::NOT_FOUND)?;
        let m = &st.mappings[&id];
        let off = m.vmo_offset + (va - m.base);
        let vmo_size = m.vmo_limit();
        if off >= vmo_size {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let n = len.min(m.end() - va).min(vmo_size - off);
        Ok((m.vmo.clone(), off, n))
    }

    /// Copies `buf.len()` bytes from guest address `va` as a syscall reading
    /// a user buffer would: every page must be mapped (NOT_FOUND), readable
    /// (ACCESS_DENIED) and inside its VMO (OUT_OF_RANGE). Pieces the host
    /// already maps are copied through the page table under the address
    /// space lock (so they cannot be unmapped meanwhile); the rest goes
    /// through the VMO. Never touches host memory outside guest mappings and
    /// the frame file.
    pub fn copy_from_user(&self, va: VirtAddr, buf: &mut [u8]) -> ZxResult {
        self.user_copy(va, UserBuf::Into(buf))
    }

    /// Copies `buf` to guest address `va` as a syscall writing a user buffer
    /// would (pages must be mapped writable).
    pub fn copy_to_user(&self, va: VirtAddr, buf: &[u8]) -> ZxResult {
        self.user_copy(va, UserBuf::From(buf))
    }

    fn user_copy(&self, va: VirtAddr, mut buf: UserBuf<'_>) -> ZxResult {
        let (len, need) = match &buf {
            UserBuf::Into(b) => (b.len(), MMUFlags::READ),
            UserBuf::From(b) => (b.len(), MMUFlags::WRITE),
        };
        va.checked_add(len).ok_or(ZxError::INVALID_ARGS)?;
        let mut pos = 0;
        while pos < len {
            let cur = va + pos;
            let (vmo, off, n) = {
                let st = self.lock();
                let id = st.find_mapping(self.root, cur).ok_or(ZxError::NOT_FOUND)?;
                let m = &st.mappings[&id];
                let (_, &(pend, flags)) = m.prot.range(..=cur).next_back().expect("tiles");
                if !flags.contains(need) {
                    return Err(ZxError::ACCESS_DENIED);
                }
                let off = m.vmo_offset + (cur - m.base);
                let vmo_size = m.vmo_limit();
                if off >= vmo_size {
                    return Err(ZxError::OUT_OF_RANGE);
                }
                let n = (len - pos).min(pend - cur).min(vmo_size - off);
                // Fast path: the host maps this piece, and holding the lock
                // keeps it so for the copy.
                let mapped = m.host_pieces(cur, cur + n);
                let whole = mapped.len() == 1 && mapped[0] == (cur, cur + n);
                let copied = whole
                    && match &mut buf {
                        UserBuf::Into(b) => self.pt.read_mapped(cur, &mut b[pos..pos + n]),
                        UserBuf::From(b) => self.pt.write_mapped(cur, &b[pos..pos + n]),
                    };
                if copied {
                    pos += n;
                    continue;
                }
                (m.vmo.clone(), off, n)
            };
            match &mut buf {
                UserBuf::Into(b) => vmo.read(off as u64, &mut b[pos..pos + n])?,
                UserBuf::From(b) => vmo.write(off as u64, &b[pos..pos + n])?,
            }
            pos += n;
        }
        Ok(())
    }

    /// Returns every mapping piece (one per protection range), in address
    /// order, for tests and diagnostics.
    pub fn mapping_views(&self) -> Vec<MappingView> {
        let st = self.lock();
        let mut maps: Vec<&Mapping> = st.mappings.values().collect();
        maps.sort_by_key(|m| m.base);
        maps.iter()
            .flat_map(|m| {
                m.prot.iter().map(|(&s, &(e, f))| MappingView {
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
            for (&s, &(e, f)) in &m.prot {
                assert!(
                    s == cursor && e > s,
                    "protection ranges must tile the mapping"
                );
                assert!(m.max_perms.contains(f));
                cursor = e;
            }
            assert_eq!(cursor, m.end());
            for (&s, &e) in &m.host {
                assert!(s >= m.base && e <= m.end() && s < e);
            }
        }
    }
}

impl FaultResolver for AddressSpace {
    fn resolve_fault(&self, vaddr: VirtAddr, access: PageFaultAccess) -> Result<(), FaultError> {
        self.handle_page_fault(vaddr, access)
            .map_err(FaultError::from)
    }
}

/// A VMAR: the kernel object a VMAR handle names.
#[derive(Debug)]
pub struct VmAddressRegion {
    base: KObjectBase,
    aspace: Arc<AddressSpace>,
    id: VmarId,
    addr: usize,
    size: usize,
    flags: VmOptions,
}

impl_kobject!(VmAddressRegion, ObjType::Vmar);

impl VmAddressRegion {
    /// Creates a new address space and returns its root VMAR, which covers
    /// the HAL window and may map anything anywhere.
    pub fn new_root(hal: HalRef) -> ZxResult<Arc<VmAddressRegion>> {
        let aspace = AddressSpace::new(hal)?;
        let (addr, size) = aspace.window();
        Ok(Arc::new(VmAddressRegion {
            base: KObjectBase::with_name("root"),
            id: aspace.root,
            aspace,
            addr,
            size,
            flags: VmOptions::CAN_MAP_RWX | VmOptions::CAN_MAP_SPECIFIC,
        }))
    }

    /// Returns the base address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Returns the size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Returns the address space.
    pub fn aspace(&self) -> &Arc<AddressSpace> {
        &self.aspace
    }

    /// Returns whether this is its address space's root region.
    pub fn is_root(&self) -> bool {
        self.id == self.aspace.root
    }

    /// Returns the rights of a new handle to this VMAR:
    /// `ZX_DEFAULT_VMAR_RIGHTS` plus READ/WRITE/EXECUTE per CAN_MAP flag.
    pub fn default_rights(&self) -> Rights {
        Rights::DEFAULT_VMAR | rights_for_perms(self.flags.can_map_perms())
    }

    /// Returns whether the region has been destroyed.
    pub fn is_destroyed(&self) -> bool {
        !self.aspace.lock().regions.contains_key(&self.id)
    }

    /// Returns `(base, len)` for `ZX_INFO_VMAR`.
    pub fn info(&self) -> (usize, usize) {
        (self.addr, self.size)
    }

    fn placement(&self, flags: VmOptions) -> Placement {
        if flags.contains(VmOptions::COMPACT) || self.flags.contains(VmOptions::COMPACT) {
            Placement::Compact
        } else {
            Placement::Random(self.aspace.next_seed())
        }
    }

    /// Checks the placement arguments shared by allocate and map and returns
    /// the absolute base (`Some` for SPECIFIC) and the upper limit.
    #[allow(clippy::too_many_arguments)]
    fn check_placement(
        &self,
        r: &Region,
        flags: VmOptions,
        offset: usize,
        size: usize,
        align: usize,
        overwrite_ok: bool,
    ) -> ZxResult<(Option<usize>, usize)> {
        let specific = flags.intersects(VmOptions::SPECIFIC | VmOptions::SPECIFIC_OVERWRITE);
        let upper = flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT);
        if specific && upper {
            return Err(ZxError::INVALID_ARGS);
        }
        if !specific && !upper && offset != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !is_page_aligned(offset) {
            return Err(ZxError::INVALID_ARGS);
        }
        if (specific || upper) && !r.flags.contains(VmOptions::CAN_MAP_SPECIFIC) {
            return Err(ZxError::ACCESS_DENIED);
        }
        if upper {
            if offset > r.size || size > r.size || size > offset {
                return Err(ZxError::INVALID_ARGS);
            }
            return Ok((None, r.base + offset));
        }
        if offset >= r.size || size > r.size - offset {
            return Err(ZxError::INVALID_ARGS);
        }
        if specific {
            let base = r.base + offset;
            if !base.is_multiple_of(align) {
                return Err(ZxError::INVALID_ARGS);
            }
            if !overwrite_ok && !r.gaps.is_free(base, base + size) {
                return Err(ZxError::ALREADY_EXISTS);
            }
            return Ok((Some(base), usize::MAX));
        }
        Ok((None, usize::MAX))
    }

    /// Allocates a sub-region (`zx_vmar_allocate`). `rights` are the
    /// caller's handle rights; `options` the raw `ZX_VM_*` bits. Returns the
    /// new region.
    pub fn allocate(
        &self,
        rights: Rights,
        options: u32,
        offset: usize,
        size: usize,
    ) -> ZxResult<Arc<VmAddressRegion>> {
        let raw_flags = VmOptions::from_bits_truncate(options);
        if !rights.contains(rights_for_perms(raw_flags.can_map_perms())) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (flags, align) = split_options(options)?;
        if flags.intersects(VmOptions::PERMS) {
            return Err(ZxError::INVALID_ARGS);
        }
        if !is_page_aligned(size) {
            return Err(ZxError::INVALID_ARGS);
        }
        let allowed = VmOptions::SPECIFIC
            | VmOptions::CAN_MAP_SPECIFIC
            | VmOptions::COMPACT
            | VmOptions::CAN_MAP_RWX
            | VmOptions::OFFSET_IS_UPPER_LIMIT;
        if !allowed.contains(flags) {
            return Err(ZxError::INVALID_ARGS);
        }
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r.flags.can_map_perms().contains(flags.can_map_perms()) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let (specific, limit) = self.check_placement(r, flags, offset, size, align, false)?;
        let base = match specific {
            Some(b) => b,
            None => r
                .gaps
                .find(size, align, limit, self.placement(flags))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        let id = st.alloc_id();
        let child_flags = flags & (VmOptions::CAN_MAP | VmOptions::COMPACT);
        st.regions.insert(
            id,
            Region {
                base,
                size,
                flags: child_flags,
                parent: Some(self.id),
                children: BTreeMap::new(),
                gaps: GapIndex::new(base, base + size),
            },
        );
        st.regions
            .get_mut(&self.id)
            .expect("checked above")
            .insert_child(base, base + size, ChildKind::Region(id));
        drop(st);
        Ok(Arc::new(VmAddressRegion {
            base: KObjectBase::with_name("useralloc"),
            aspace: self.aspace.clone(),
            id,
            addr: base,
            size,
            flags: child_flags,
        }))
    }

    /// Maps `vmo` (`zx_vmar_map`). `vmar_rights`/`vmo_rights` are the rights
    /// of the two handles; `options` the raw `ZX_VM_*` bits. Checks run in
    /// Zircon's order. Returns the mapping's address.
    #[allow(clippy::too_many_arguments)]
    pub fn map(
        &self,
        vmar_rights: Rights,
        options: u32,
        vmar_offset: usize,
        vmo: &Arc<VmObject>,
        vmo_rights: Rights,
        vmo_offset: u64,
        len: usize,
    ) -> ZxResult<usize> {
        self.map_ext(
            vmar_rights,
            options,
            vmar_offset,
            vmo,
            vmo_rights,
            vmo_offset,
            len,
            false,
        )
    }

    /// Like [`VmAddressRegion::map`]; `vdso_code` marks the vDSO's code
    /// mapping, which later unmap/protect/op_range calls refuse to touch.
    #[allow(clippy::too_many_arguments)]
    pub fn map_ext(
        &self,
        vmar_rights: Rights,
        options: u32,
        vmar_offset: usize,
        vmo: &Arc<VmObject>,
        vmo_rights: Rights,
        vmo_offset: u64,
        len: usize,
        vdso_code: bool,
    ) -> ZxResult<usize> {
        if !vmo_rights.contains(Rights::MAP) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let mut raw = VmOptions::from_bits_truncate(options);
        if raw.contains(VmOptions::PERM_READ_IF_XOM_UNSUPPORTED) {
            raw |= VmOptions::PERM_READ;
        }
        let perms = raw.perms();
        check_perm_combination(perms)?;
        if raw.contains(VmOptions::MAP_RANGE | VmOptions::SPECIFIC_OVERWRITE) {
            return Err(ZxError::INVALID_ARGS);
        }
        if raw.intersects(VmOptions::CAN_MAP) {
            return Err(ZxError::INVALID_ARGS);
        }
        let vmo_perms = perms_for_rights(vmo_rights);
        let vmar_perms = perms_for_rights(vmar_rights);
        if !vmo_perms.contains(perms) || !vmar_perms.contains(perms) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let max_perms = vmo_perms & vmar_perms;
        if raw.contains(VmOptions::FAULT_BEYOND_STREAM_SIZE)
            && !raw.contains(VmOptions::ALLOW_FAULTS)
        {
            return Err(ZxError::INVALID_ARGS);
        }
        let (flags, align) = split_options(options)?;
        if flags.contains(VmOptions::REQUIRE_NON_RESIZABLE) && vmo.is_resizable() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        if !flags.contains(VmOptions::ALLOW_FAULTS) && vmo.is_discardable() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        if flags.contains(VmOptions::COMPACT) {
            return Err(ZxError::INVALID_ARGS);
        }
        if !vmo_offset.is_multiple_of(PAGE_SIZE as u64) {
            return Err(ZxError::INVALID_ARGS);
        }
        let size = page_round_up(len).ok_or(ZxError::OUT_OF_RANGE)?;
        vmo_offset
            .checked_add(size as u64)
            .ok_or(ZxError::OUT_OF_RANGE)?;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        if size == 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        if !r.flags.can_map_perms().contains(perms) {
            return Err(ZxError::ACCESS_DENIED);
        }
        let overwrite = flags.contains(VmOptions::SPECIFIC_OVERWRITE);
        let (specific, limit) =
            self.check_placement(r, flags, vmar_offset, size, align, overwrite)?;
        let upper = flags.contains(VmOptions::OFFSET_IS_UPPER_LIMIT);
        let base = match specific {
            Some(b) => {
                if overwrite {
                    let pieces = r.overlapping(b, b + size);
                    if pieces
                        .iter()
                        .any(|(_, c)| matches!(c.kind, ChildKind::Region(_)))
                    {
                        return Err(ZxError::INVALID_ARGS);
                    }
                    if pieces.iter().any(|(_, c)| match c.kind {
                        ChildKind::Mapping(m) => st.mappings[&m].vdso_code,
                        ChildKind::Region(_) => false,
                    }) {
                        return Err(ZxError::ACCESS_DENIED);
                    }
                    for (_, c) in pieces {
                        if let ChildKind::Mapping(m) = c.kind {
                            self.aspace.unmap_part(&mut st, m, b, b + size);
                        }
                    }
                }
                b
            }
            None => r
                .gaps
                .find(size, align, limit, self.placement(flags))
                .ok_or(ZxError::NO_RESOURCES)?,
        };
        // Zircon maps an upper-limit mapping at VMO offset 0 (a quirk of
        // vm_address_region.cc that tests can observe).
        let vmo_offset = if upper { 0 } else { vmo_offset as usize };
        let id = st.alloc_id();
        let mut prot = BTreeMap::new();
        prot.insert(base, (base + size, perms));
        let mut m = Mapping {
            region: self.id,
            base,
            size,
            vmo: vmo.clone(),
            vmo_offset,
            max_perms,
            prot,
            host: BTreeMap::new(),
            vdso_code,
            fault_beyond_stream: flags.contains(VmOptions::FAULT_BEYOND_STREAM_SIZE),
        };
        // Register with the VMO first, so a copy-on-write racing with the
        // population below revokes what it maps.
        vmo.add_mapping(MappingRef {
            aspace: Arc::downgrade(&self.aspace),
            id,
            bias: base.wrapping_sub(vmo_offset),
            lo: base,
            hi: base + size,
        });
        if flags.contains(VmOptions::MAP_RANGE) {
            let aspace = &self.aspace;
            let populated = vmo.backed_runs(
                vmo_offset,
                vmo_offset.saturating_add(size),
                &mut |o, l, pa, writable| {
                    let va = base + (o - vmo_offset);
                    aspace.host_map(&mut m, va, va + l, pa, writable)
                },
            );
            if let Err(e) = populated {
                let (b, e2) = (m.base, m.end());
                self.aspace.host_unmap(&mut m, b, e2);
                vmo.remove_mapping(&Arc::downgrade(&self.aspace), id);
                return Err(e);
            }
        }
        st.regions
            .get_mut(&self.id)
            .expect("checked above")
            .insert_child(base, base + size, ChildKind::Mapping(id));
        st.mappings.insert(id, m);
        Ok(base)
    }

    /// Unmaps `[addr, addr + len)` (`zx_vmar_unmap`): trims or splits
    /// partially covered mappings and destroys wholly covered sub-regions;
    /// holes are fine.
    pub fn unmap(&self, rights: Rights, addr: usize, len: usize) -> ZxResult {
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS);
        }
        let len = rounded_len(len)?;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        let end = end_inside(r, addr, len)?;
        let pieces = r.overlapping(addr, end);
        // The vDSO's code can never be unmapped, however deep it lies.
        let (nested, _) = st.mappings_in(self.id, addr, end);
        if nested.iter().any(|(m, _)| st.mappings[m].vdso_code) {
            return Err(ZxError::ACCESS_DENIED);
        }
        for (b, c) in &pieces {
            match c.kind {
                ChildKind::Region(_) => {
                    let covered = *b >= addr && c.end <= end;
                    if !covered || !rights.contains(Rights::OP_CHILDREN) {
                        return Err(ZxError::INVALID_ARGS);
                    }
                }
                ChildKind::Mapping(_) => {}
            }
        }
        for (_, c) in pieces {
            match c.kind {
                ChildKind::Mapping(m) => self.aspace.unmap_part(&mut st, m, addr, end),
                ChildKind::Region(sub) => self.aspace.destroy_region(&mut st, sub),
            }
        }
        Ok(())
    }

    /// Changes protections (`zx_vmar_protect`); all or nothing.
    pub fn protect(&self, rights: Rights, options: u32, addr: usize, len: usize) -> ZxResult {
        let mut raw = VmOptions::from_bits_truncate(options);
        if raw.contains(VmOptions::PERM_READ_IF_XOM_UNSUPPORTED) {
            raw |= VmOptions::PERM_READ;
        }
        let perms = raw.perms();
        if !rights.contains(rights_for_perms(perms)) {
            return Err(ZxError::ACCESS_DENIED);
        }
        check_perm_combination(perms)?;
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS);
        }
        let (flags, align) = split_options(options)?;
        if !VmOptions::PERMS.contains(flags) || align != PAGE_SIZE || options >> 24 != 0 {
            return Err(ZxError::INVALID_ARGS);
        }
        let len = rounded_len(len)?;
        let mut st = self.aspace.lock();
        let r = st.region(self.id)?;
        let end = end_inside(r, addr, len)?;
        let (maps, _) = st.mappings_in(self.id, addr, end);
        let mut cursor = addr;
        for &(id, direct) in &maps {
            let m = &st.mappings[&id];
            // Zircon checks for a hole before looking at the mapping after it.
            if m.base.max(addr) > cursor {
                return Err(ZxError::NOT_FOUND);
            }
            if !m.max_perms.contains(perms) {
                return Err(ZxError::ACCESS_DENIED);
            }
            if m.vdso_code {
                return Err(ZxError::ACCESS_DENIED);
            }
            if !direct {
                if !rights.contains(Rights::OP_CHILDREN) {
                    return Err(ZxError::INVALID_ARGS);
                }
                let adds = m
                    .prot_pieces(addr.max(m.base), end.min(m.end()))
                    .iter()
                    .any(|&(_, _, f)| !f.contains(perms));
                if adds {
                    return Err(ZxError::ACCESS_DENIED);
                }
            }
            cursor = m.end();
        }
        if cursor < end {
            return Err(ZxError::NOT_FOUND);
        }
        for (id, _) in maps {
            let m = st.mappings.get_mut(&id).expect("collected above");
            let (s, e) = (addr.max(m.base), end.min(m.end()));
            m.set_prot(s, e, perms);
            for (hs, he) in m.host_pieces(s, e) {
                self.aspace.pt.protect(hs, he - hs, perms)?;
            }
        }
        Ok(())
    }

    /// Destroys the region (`zx_vmar_destroy`): unmaps everything in it and
    /// makes it and its descendants unusable.
    pub fn destroy(&self) -> ZxResult {
        if self.is_root() {
            return Err(ZxError::NOT_SUPPORTED);
        }
        let mut st = self.aspace.lock();
        st.region(self.id)?;
        self.aspace.destroy_region(&mut st, self.id);
        Ok(())
    }

    /// Performs `op` on the mappings of `[addr, addr + len)`
    /// (`zx_vmar_op_range`); `rights` are the handle's rights.
    pub fn op_range(&self, rights: Rights, op: u32, addr: usize, len: usize) -> ZxResult {
        use vmar_op::*;
        if !matches!(
            op,
            COMMIT | DECOMMIT | MAP_RANGE | ZERO | DONT_NEED | ALWAYS_NEED | PREFETCH
        ) {
            return Err(ZxError::INVALID_ARGS);
        }
        let len = rounded_len(len)?;
        if !is_page_aligned(addr) {
            return Err(ZxError::INVALID_ARGS);
        }
        let end = addr.checked_add(len).ok_or(ZxError::OUT_OF_RANGE)?;
        if addr < self.addr || end > self.addr + self.size {
            return Err(ZxError::OUT_OF_RANGE);
        }
        let mut st = self.aspace.lock();
        st.region(self.id)?;
        let (maps, _) = st.mappings_in(self.id, addr, end);
        // One pass in address order, as Zircon's range-op walk does: each
        // mapping is checked and then operated on, so an error stops the walk
        // with earlier mappings already done.
        let mut cursor = addr;
        for (id, direct) in maps {
            let m = st.mappings.get_mut(&id).expect("collected above");
            if m.vdso_code {
                return Err(ZxError::ACCESS_DENIED);
            }
            if m.base.max(addr) > cursor {
                return Err(ZxError::BAD_STATE);
            }
            cursor = m.end();
            if !direct
                && (matches!(op, COMMIT | DECOMMIT | PREFETCH)
                    || !rights.contains(Rights::OP_CHILDREN))
            {
                return Err(ZxError::INVALID_ARGS);
            }
            match op {
                COMMIT | DECOMMIT if !m.max_perms.contains(MMUFlags::WRITE) => {
                    return Err(ZxError::ACCESS_DENIED)
                }
                PREFETCH if !m.max_perms.contains(MMUFlags::READ) => {
                    return Err(ZxError::ACCESS_DENIED)
                }
                ZERO => return Err(ZxError::NOT_SUPPORTED),
                _ => {}
            }
            let (s, e) = (addr.max(m.base), end.min(m.end()));
            let (vs, ve) = (m.vmo_offset + (s - m.base), m.vmo_offset + (e - m.base));
            match op {
                COMMIT => m.vmo.commit(vs as u64, (ve - vs) as u64)?,
                DECOMMIT => m.vmo.decommit(vs as u64, (ve - vs) as u64)?,
                MAP_RANGE | PREFETCH => {
                    if op == PREFETCH {
                        m.vmo.op_bounds(vs as u64, (ve - vs) as u64)?;
                    }
                    let vmo = m.vmo.clone();
                    let aspace = &self.aspace;
                    vmo.backed_runs(vs, ve, &mut |o, l, pa, writable| {
                        let va = m.base + (o - m.vmo_offset);
                        aspace.host_map(m, va, va + l, pa, writable)
                    })?;
                }
                _ => {}
            }
        }
        if cursor < end {
            return Err(ZxError::BAD_STATE);
        }
        Ok(())
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
                    for (&s, &(e, f)) in &m.prot {
                        let off = m.vmo_offset + (s - m.base);
                        let committed = committed_in_vmo(&m.vmo, off, e - s) / PAGE_SIZE;
                        let koid = m.vmo.base.koid();
                        if let Some(MapsEntry::Mapping {
                            base,
                            size,
                            depth: d,
                            flags,
                            vmo_koid,
                            vmo_offset,
                            committed_pages,
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
                                *committed_pages += committed;
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
                            committed_pages: committed,
                        });
                    }
                }
            }
        }
    }
}

/// Rounds a range length up to pages; 0 (or overflow) → `INVALID_ARGS`,
/// as unmap, protect and op_range answer.
fn rounded_len(len: usize) -> ZxResult<usize> {
    match page_round_up(len) {
        Some(l) if l > 0 => Ok(l),
        _ => Err(ZxError::INVALID_ARGS),
    }
}

/// Returns the end of `[addr, addr + len)` if it lies inside region `r`
/// (`INVALID_ARGS` otherwise, wrap-around included).
fn end_inside(r: &Region, addr: usize, len: usize) -> ZxResult<usize> {
    let end = addr.checked_add(len).ok_or(ZxError::INVALID_ARGS)?;
    if addr < r.base || end > r.end() {
        return Err(ZxError::INVALID_ARGS);
    }
    Ok(end)
}

fn committed_in_vmo(vmo: &VmObject, off: usize, len: usize) -> usize {
    let size = vmo.size();
    if off >= size {
        return 0;
    }
    vmo.committed_bytes_in(off, off + len.min(size - off))
}
