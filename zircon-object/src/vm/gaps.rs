//! The free-space index of a VMAR: gaps between its children, indexed both
//! by address and by size so placement is O(log n).
//!
//! Invariants: gaps never overlap, never touch (adjacent gaps are merged),
//! and `by_start` and `by_size` always describe the same set.

use std::collections::{BTreeMap, BTreeSet};

/// How to choose among the places where a new child fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Smallest gap that fits, lowest address in it (`ZX_VM_COMPACT`).
    Compact,
    /// A random slot, as Zircon's ASLR does; `seed` drives the choice.
    Random(u64),
}

/// Free gaps of one region.
#[derive(Debug, Clone, Default)]
pub struct GapIndex {
    /// start → end (exclusive).
    by_start: BTreeMap<usize, usize>,
    /// (len, start).
    by_size: BTreeSet<(usize, usize)>,
}

fn align_up(x: usize, align: usize) -> Option<usize> {
    Some(x.checked_add(align - 1)? & !(align - 1))
}

impl GapIndex {
    /// Creates an index where `[start, end)` is entirely free.
    pub fn new(start: usize, end: usize) -> Self {
        let mut g = GapIndex::default();
        if end > start {
            g.insert(start, end);
        }
        g
    }

    fn insert(&mut self, start: usize, end: usize) {
        self.by_start.insert(start, end);
        self.by_size.insert((end - start, start));
    }

    fn remove(&mut self, start: usize) -> usize {
        let end = self.by_start.remove(&start).expect("gap exists");
        self.by_size.remove(&(end - start, start));
        end
    }

    /// Returns the gap containing `addr`, if any.
    pub fn gap_at(&self, addr: usize) -> Option<(usize, usize)> {
        let (&s, &e) = self.by_start.range(..=addr).next_back()?;
        (addr < e).then_some((s, e))
    }

    /// Returns whether `[start, end)` is entirely free.
    pub fn is_free(&self, start: usize, end: usize) -> bool {
        matches!(self.gap_at(start), Some((_, e)) if end <= e)
    }

    /// Marks the free range `[start, end)` used. Panics if it is not free.
    pub fn take(&mut self, start: usize, end: usize) {
        let (gs, ge) = self.gap_at(start).expect("taking a range that is not free");
        assert!(end <= ge, "taking a range that is not free");
        self.remove(gs);
        if gs < start {
            self.insert(gs, start);
        }
        if end < ge {
            self.insert(end, ge);
        }
    }

    /// Marks the used range `[start, end)` free again, merging neighbours.
    pub fn give(&mut self, mut start: usize, mut end: usize) {
        if let Some((&ps, &pe)) = self.by_start.range(..start).next_back() {
            debug_assert!(pe <= start, "freeing a range that overlaps a gap");
            if pe == start {
                self.remove(ps);
                start = ps;
            }
        }
        if let Some(ne) = self.by_start.get(&end).copied() {
            self.remove(end);
            end = ne;
        }
        self.insert(start, end);
    }

    /// Returns the first and last aligned start in gap `(gs, ge)` for a child
    /// of `size` that must end at or below `limit`.
    fn slots(
        gs: usize,
        ge: usize,
        size: usize,
        align: usize,
        limit: usize,
    ) -> Option<(usize, usize)> {
        let lo = align_up(gs, align)?;
        let hi = ge.min(limit).checked_sub(size)? & !(align - 1);
        (lo <= hi).then_some((lo, hi))
    }

    /// Finds a free, `align`-aligned start for `size` bytes ending at or
    /// below `limit`.
    pub fn find(
        &self,
        size: usize,
        align: usize,
        limit: usize,
        placement: Placement,
    ) -> Option<usize> {
        debug_assert!(align.is_power_of_two() && size > 0);
        match placement {
            Placement::Compact => self.best_fit(size, align, limit),
            Placement::Random(seed) => {
                // Start from the gap at a random address and look at a few
                // gaps after it; fall back to best fit. Expected O(log n).
                let (&first, _) = self.by_start.iter().next()?;
                let (&last, &last_end) = self.by_start.iter().next_back()?;
                let span = last_end - first;
                let hint = first + (seed % span as u64) as usize;
                let _ = last;
                let mut candidates = self
                    .by_start
                    .range(..=hint)
                    .next_back()
                    .into_iter()
                    .chain(self.by_start.range(hint + 1..))
                    .chain(self.by_start.iter())
                    .take(16);
                let found = candidates.find_map(|(&s, &e)| Self::slots(s, e, size, align, limit));
                let (lo, hi) = match found {
                    Some(r) => r,
                    None => {
                        let s = self.best_fit(size, align, limit)?;
                        let e = self.by_start.range(..=s).next_back().map(|(_, &e)| e)?;
                        Self::slots(s, e, size, align, limit)?
                    }
                };
                let n = ((hi - lo) / align) as u64 + 1;
                let pick = (seed.rotate_left(17).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % n;
                Some(lo + pick as usize * align)
            }
        }
    }

    fn best_fit(&self, size: usize, align: usize, limit: usize) -> Option<usize> {
        if limit < usize::MAX {
            // Upper-limited searches scan by address up to the limit.
            return self
                .by_start
                .range(..limit)
                .find_map(|(&s, &e)| Self::slots(s, e, size, align, limit).map(|(lo, _)| lo));
        }
        self.by_size.range((size, 0)..).find_map(|&(_, s)| {
            let e = self.by_start[&s];
            Self::slots(s, e, size, align, limit).map(|(lo, _)| lo)
        })
    }

    /// Iterates the gaps in address order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.by_start.iter().map(|(&s, &e)| (s, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_and_give_merge() {
        let mut g = GapIndex::new(0, 100);
        g.take(10, 20);
        g.take(30, 40);
        assert!(!g.is_free(15, 16));
        assert!(g.is_free(20, 30));
        assert!(!g.is_free(20, 31));
        g.give(10, 20);
        g.give(30, 40);
        assert_eq!(g.iter().collect::<Vec<_>>(), vec![(0, 100)]);
    }

    #[test]
    fn find_respects_alignment_and_limit() {
        let mut g = GapIndex::new(0x1000, 0x100000);
        g.take(0x1000, 0x3000);
        assert_eq!(
            g.find(0x1000, 0x1000, usize::MAX, Placement::Compact),
            Some(0x3000)
        );
        assert_eq!(
            g.find(0x1000, 0x10000, usize::MAX, Placement::Compact),
            Some(0x10000)
        );
        assert_eq!(g.find(0x2000, 0x1000, 0x4000, Placement::Compact), None);
        assert_eq!(
            g.find(0x1000, 0x1000, 0x4000, Placement::Compact),
            Some(0x3000)
        );
        for seed in 0..100 {
            let a = g
                .find(0x1000, 0x4000, usize::MAX, Placement::Random(seed))
                .unwrap();
            assert_eq!(a % 0x4000, 0);
            assert!(g.is_free(a, a + 0x1000));
        }
        assert_eq!(
            g.find(0x200000, 0x1000, usize::MAX, Placement::Random(3)),
            None
        );
    }
}
