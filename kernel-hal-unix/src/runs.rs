//! The page table's bookkeeping: which runs of a window are mapped to which
//! frames, with which permissions.
//!
//! [`RunMap`] is a [`RangeMap`] of virtual addresses whose values are the
//! frame address and flags of each run's first page. It is
//! pure data — no system calls — so it is unit tested on its own.
//! Invariants, re-checked by [`RunMap::check_invariants`] in tests:
//!
//! * runs are page aligned, non-empty and do not overlap;
//! * no two adjacent runs could be merged (contiguous addresses, contiguous
//!   frames and equal flags), so the map holds as few runs as possible.
//!
//! Range arithmetic is done on half-open `[start, end)` ranges whose `end`
//! the caller has already checked for overflow.

use kernel_hal::range_map::{RangeMap, RangeValue};
use kernel_hal::{MMUFlags, PhysAddr, VirtAddr};

/// One mapped run: `len` bytes starting at its key, mapped to the frames at
/// `paddr` with `flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    /// Length in bytes (page aligned, > 0).
    pub len: usize,
    /// Frame address of the first page.
    pub paddr: PhysAddr,
    /// Permissions of every page in the run.
    pub flags: MMUFlags,
}

/// What a run maps its first page to; later pages follow in the frame file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frames {
    paddr: PhysAddr,
    flags: MMUFlags,
}

impl RangeValue for Frames {
    fn tail(&self, offset: usize) -> Self {
        Frames {
            paddr: self.paddr + offset,
            flags: self.flags,
        }
    }

    fn continues(&self, len: usize, next: &Self) -> bool {
        self.paddr + len == next.paddr && self.flags == next.flags
    }
}

/// Mapped runs of one window; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct RunMap {
    runs: RangeMap<Frames>,
}

impl RunMap {
    /// Forgets every mapping in `[start, end)`, splitting runs that straddle
    /// its edges.
    pub(crate) fn remove(&mut self, start: VirtAddr, end: VirtAddr) {
        self.runs.remove(start..end);
    }

    /// Records that `[start, start + run.len)` maps to `run`, replacing
    /// what was there.
    pub(crate) fn insert(&mut self, start: VirtAddr, run: Run) {
        let frames = Frames {
            paddr: run.paddr,
            flags: run.flags,
        };
        self.runs.insert(start..start + run.len, frames);
    }

    /// Returns whether every page of `[start, end)` is mapped.
    pub(crate) fn covers(&self, start: VirtAddr, end: VirtAddr) -> bool {
        self.covers_with(start, end, MMUFlags::empty())
    }

    /// Returns whether every page of `[start, end)` is mapped with at least
    /// `need` (for an empty range: whether the page at `start` is).
    pub(crate) fn covers_with(&self, start: VirtAddr, end: VirtAddr, need: MMUFlags) -> bool {
        match self.runs.get(start) {
            Some((_, f)) if f.flags.contains(need) => {}
            _ => return false,
        }
        let mut reached = start;
        for (r, f) in self.runs.overlapping(start..end) {
            if r.start > reached || !f.flags.contains(need) {
                return false;
            }
            reached = r.end;
        }
        reached >= end
    }

    /// Returns the maximal mapped pieces of `[start, end)`, clipped, in
    /// order (adjacent runs joined).
    pub(crate) fn mapped_pieces(
        &self,
        start: VirtAddr,
        end: VirtAddr,
    ) -> Vec<(VirtAddr, VirtAddr)> {
        let mut out: Vec<(VirtAddr, VirtAddr)> = Vec::new();
        for (r, _) in self.runs.overlapping(start..end) {
            let (lo, hi) = (r.start.max(start), r.end.min(end));
            match out.last_mut() {
                Some(last) if last.1 == lo => last.1 = hi,
                _ => out.push((lo, hi)),
            }
        }
        out
    }

    /// Sets the flags of `[start, end)`, which must be covered.
    pub(crate) fn set_flags(&mut self, start: VirtAddr, end: VirtAddr, flags: MMUFlags) {
        debug_assert!(self.covers(start, end));
        self.runs.update(start..end, |f| f.flags = flags);
    }

    /// Returns the frame and flags of the page at `addr`.
    pub(crate) fn lookup(&self, addr: VirtAddr) -> Option<(PhysAddr, MMUFlags)> {
        let (r, f) = self.runs.get(addr)?;
        Some((f.paddr + (addr - r.start), f.flags))
    }

    /// Returns the number of runs.
    pub(crate) fn len(&self) -> usize {
        self.runs.len()
    }

    /// Returns the number of mapped bytes.
    pub(crate) fn mapped_bytes(&self) -> usize {
        self.runs.iter().map(|(r, _)| r.len()).sum()
    }

    /// Panics if an invariant from the module docs is broken.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        use kernel_hal::is_page_aligned;
        self.runs.assert_invariants();
        for (r, f) in self.runs.iter() {
            assert!(is_page_aligned(r.start) && is_page_aligned(r.len()));
            assert!(is_page_aligned(f.paddr));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel_hal::PAGE_SIZE as P;

    const R: MMUFlags = MMUFlags::READ;
    fn rw() -> MMUFlags {
        MMUFlags::READ | MMUFlags::WRITE
    }

    fn run(len: usize, paddr: usize, flags: MMUFlags) -> Run {
        Run { len, paddr, flags }
    }

    #[test]
    fn mapped_pieces_join_and_clip() {
        let mut m = RunMap::default();
        m.insert(0, run(2 * P, 0, R));
        m.insert(2 * P, run(P, 100 * P, rw()));
        m.insert(5 * P, run(2 * P, 200 * P, R));
        assert_eq!(m.mapped_pieces(P, 6 * P), vec![(P, 3 * P), (5 * P, 6 * P)]);
        assert_eq!(m.mapped_pieces(3 * P, 5 * P), vec![]);
    }

    #[test]
    fn covers_with_checks_every_run_and_its_flags() {
        let mut m = RunMap::default();
        m.insert(0, run(2 * P, 0, R));
        m.insert(2 * P, run(2 * P, 100 * P, rw()));
        assert!(m.covers_with(0, 4 * P, R));
        assert!(m.covers_with(P, P + 1, R), "inside one run");
        assert!(!m.covers_with(0, 4 * P, MMUFlags::WRITE));
        assert!(m.covers_with(2 * P, 4 * P, MMUFlags::WRITE));
        assert!(!m.covers_with(0, 5 * P, R), "runs past the end");
        assert!(!m.covers_with(5 * P, 6 * P, R));
        m.remove(P, 2 * P);
        assert!(!m.covers_with(0, 3 * P, R), "a hole in the middle");
    }

    #[test]
    fn insert_lookup_and_merge() {
        let mut m = RunMap::default();
        m.insert(10 * P, run(2 * P, 100 * P, R));
        m.insert(12 * P, run(P, 102 * P, R));
        m.check_invariants();
        assert_eq!(m.len(), 1, "contiguous frames and equal flags merge");
        assert_eq!(m.lookup(12 * P), Some((102 * P, R)));
        assert_eq!(m.lookup(13 * P), None);
        assert_eq!(m.lookup(9 * P), None);
        m.insert(13 * P, run(P, 500 * P, R));
        m.check_invariants();
        assert_eq!(m.len(), 2, "discontiguous frames stay apart");
        assert_eq!(m.mapped_bytes(), 4 * P);
    }

    #[test]
    fn insert_replaces_overlaps() {
        let mut m = RunMap::default();
        m.insert(0, run(10 * P, 0, R));
        m.insert(3 * P, run(2 * P, 1000 * P, rw()));
        m.check_invariants();
        assert_eq!(m.len(), 3);
        assert_eq!(m.lookup(2 * P), Some((2 * P, R)));
        assert_eq!(m.lookup(4 * P), Some((1001 * P, rw())));
        assert_eq!(m.lookup(5 * P), Some((5 * P, R)));
        // Putting the original frames back merges everything again.
        m.insert(3 * P, run(2 * P, 3 * P, R));
        m.check_invariants();
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn remove_splits() {
        let mut m = RunMap::default();
        m.insert(0, run(10 * P, 0, R));
        m.remove(2 * P, 4 * P);
        m.check_invariants();
        assert_eq!(m.len(), 2);
        assert_eq!(m.lookup(P), Some((P, R)));
        assert_eq!(m.lookup(2 * P), None);
        assert_eq!(m.lookup(4 * P), Some((4 * P, R)));
        m.remove(0, 100 * P);
        assert_eq!(m.len(), 0);
        // Removing nothing is fine.
        m.remove(0, P);
    }

    #[test]
    fn covers_and_set_flags() {
        let mut m = RunMap::default();
        m.insert(0, run(2 * P, 0, R));
        m.insert(2 * P, run(2 * P, 50 * P, R));
        m.insert(6 * P, run(P, 60 * P, R));
        assert!(m.covers(0, 4 * P));
        assert!(m.covers(P, 3 * P));
        assert!(!m.covers(0, 5 * P));
        assert!(!m.covers(4 * P, 5 * P));
        assert!(m.covers(6 * P, 7 * P));
        m.set_flags(P, 3 * P, rw());
        m.check_invariants();
        assert_eq!(m.lookup(0), Some((0, R)));
        assert_eq!(m.lookup(P), Some((P, rw())));
        assert_eq!(m.lookup(2 * P), Some((50 * P, rw())));
        assert_eq!(m.lookup(3 * P), Some((51 * P, R)));
        m.set_flags(0, 4 * P, R);
        m.check_invariants();
        assert_eq!(m.len(), 3);
    }

    /// Seeded random operations against a page-granular model.
    #[test]
    fn random_ops_match_model() {
        use std::collections::BTreeMap;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut m = RunMap::default();
        let mut model: BTreeMap<usize, (usize, MMUFlags)> = BTreeMap::new();
        let flag_set = [MMUFlags::empty(), R, rw()];
        for _ in 0..3000 {
            let a = rnd(64);
            let n = 1 + rnd(16);
            let (s, e) = (a * P, (a + n) * P);
            match rnd(3) {
                0 => {
                    let pa = rnd(8) * 8;
                    let f = flag_set[rnd(3)];
                    m.insert(s, run(n * P, pa * P, f));
                    for i in 0..n {
                        model.insert(a + i, ((pa + i) * P, f));
                    }
                }
                1 => {
                    m.remove(s, e);
                    for i in 0..n {
                        model.remove(&(a + i));
                    }
                }
                _ => {
                    let covered = (a..a + n).all(|p| model.contains_key(&p));
                    assert_eq!(m.covers(s, e), covered);
                    if covered {
                        let f = flag_set[rnd(3)];
                        m.set_flags(s, e, f);
                        for i in 0..n {
                            model.get_mut(&(a + i)).unwrap().1 = f;
                        }
                    }
                }
            }
            m.check_invariants();
            for p in 0..96 {
                assert_eq!(m.lookup(p * P), model.get(&p).copied(), "page {p}");
            }
        }
    }
}
