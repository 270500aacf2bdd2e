//! The address space: one HAL page table (one window of the host address
//! space) and the whole tree of regions and mappings inside it.
//!
//! The tree lives under **one lock** (`AddressSpace::state`), as Zircon's
//! aspace lock does: every VMAR operation, and the fault path, take it once
//! and work on `AspaceState`.
//!
//! * `fault.rs`: the page-fault path (`handle_page_fault`).
//! * `user_copy.rs`: syscall copies of user buffers and debugger reads/writes.
//! * `teardown.rs`: removing mappings (whole or part) and regions, and
//!   destroying the whole address space.
//! * `check.rs`: read-only views and the consistency check for tests.
//!
//! Host mapping invariant: a page of the window is mapped from the frame file
//! only if it lies in a live mapping, inside that mapping's VMO, and is
//! recorded in that mapping's `host` set. Everything else is the HAL's
//! inaccessible reservation, so touching it faults into
//! [`AddressSpace::handle_page_fault`].

use crate::sync::{Mutex, MutexGuard};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use kernel_hal::{FaultResolver, HalRef, MMUFlags, PageTable, PhysAddr};

use super::gaps::GapIndex;
use super::mapping::Mapping;
use super::options::VmOptions;
use super::region::{MappingId, Region, VmarId};
use super::vmar::FaultLimit;
use super::vmo::{Run, Sharing};
use crate::ZxResult;

pub mod check;
mod fault;
mod teardown;
mod user_copy;

pub use check::MappingView;

/// The tree of regions and mappings of one address space; all of it is
/// protected by `AddressSpace::state`.
#[derive(Debug)]
pub(in crate::vm) struct AspaceState {
    /// Every live region by id (the root included until `destroy_all`).
    pub(in crate::vm) regions: HashMap<VmarId, Region>,
    /// Every live mapping by id.
    pub(in crate::vm) mappings: HashMap<MappingId, Mapping>,
    /// The last id handed out (regions and mappings share the sequence).
    pub(in crate::vm) next_id: u64,
}

impl AspaceState {
    pub(in crate::vm) fn alloc_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// One address space: a HAL page table plus the region tree inside it.
pub struct AddressSpace {
    // Field order matters for drop: the page table goes first, so every host
    // mapping of the window is gone before any mapping releases its VMO (and
    // with it, possibly, the frames).
    /// The HAL page table of the window; internally synchronised (the HAL
    /// lock is the innermost lock).
    pub(in crate::vm) pt: Box<dyn PageTable>,
    /// Immutable.
    pub(in crate::vm) hal: HalRef,
    /// The window's base; immutable.
    pub(in crate::vm) base: usize,
    /// The window's size; immutable.
    pub(in crate::vm) size: usize,
    /// The root region's id; immutable.
    pub(in crate::vm) root: VmarId,
    /// The region tree: the address-space lock, the outermost VM lock.
    pub(in crate::vm) state: Mutex<AspaceState>,
    /// Immutable; what mappings register with their VMOs.
    pub(in crate::vm) self_ref: Weak<AddressSpace>,
    /// Placement randomness; atomic, no lock.
    pub(in crate::vm) rng: AtomicU64,
}

impl std::fmt::Debug for AddressSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressSpace")
            .field("base", &self.base)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl AddressSpace {
    /// Creates an address space with a fresh window; returns it with the id
    /// of its root region, which covers the whole window.
    pub(in crate::vm) fn new(hal: HalRef) -> ZxResult<Arc<AddressSpace>> {
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

    pub(in crate::vm) fn lock(&self) -> MutexGuard<'_, AspaceState> {
        self.state.lock()
    }

    pub(in crate::vm) fn next_seed(&self) -> u64 {
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

    /// Maps `[start, end)` of mapping `m` from physical `paddr` onwards.
    /// Memory shared copy-on-write is mapped without write access whatever
    /// its protection; a write then faults and gets a private copy.
    pub(in crate::vm) fn host_map(
        &self,
        m: &mut Mapping,
        start: usize,
        end: usize,
        paddr: PhysAddr,
        sharing: Sharing,
    ) -> ZxResult {
        for (piece, f) in m.prot.clipped(start..end) {
            let (s, e) = (piece.start, piece.end);
            let f = match sharing {
                Sharing::Private => f,
                Sharing::CopyOnWrite => f - MMUFlags::WRITE,
            };
            self.pt.map(s, paddr + (s - start), e - s, f)?;
        }
        m.host.insert(start..end, ());
        Ok(())
    }

    /// Maps the part of `run` (in VMO offsets) that mapping `m` shows, up
    /// to VMO offset `limit` (`usize::MAX`: the mapping's end).
    pub(in crate::vm) fn host_map_run(&self, m: &mut Mapping, run: Run, limit: usize) -> ZxResult {
        let lo = run.vmo_offset.max(m.vmo_offset);
        let hi = (run.vmo_offset + run.len)
            .min(m.vmo_offset + m.size)
            .min(limit);
        if lo >= hi {
            return Ok(());
        }
        let va_lo = m.base + (lo - m.vmo_offset);
        let va_hi = m.base + (hi - m.vmo_offset);
        let paddr = run.paddr + (lo - run.vmo_offset);
        self.host_map(m, va_lo, va_hi, paddr, run.sharing)
    }

    /// Makes the host forget `[start, end)` of mapping `m`.
    pub(in crate::vm) fn host_unmap(&self, m: &mut Mapping, start: usize, end: usize) {
        if m.host.overlapping(start..end).next().is_none() {
            return;
        }
        self.pt
            .unmap(start, end - start)
            .expect("unmapping a range inside the window cannot fail");
        m.host.remove(start..end);
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
            st.mappings
                .get(&id)
                .is_some_and(|m| m.fault_limit == FaultLimit::ContentPage)
        };
        if fault_beyond {
            self.revoke_vmo_range(id, stream_end);
        }
    }
}
