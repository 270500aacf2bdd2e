//! The free-space index of a VMAR: gaps between its children, indexed both
//! by address and by size so placement is O(log n).
//!
//! Invariants: gaps never overlap, never touch (adjacent gaps are merged;
//! `by_start` is a [`RangeMap`], which keeps them so), and `by_start` and
//! `by_size` always describe the same set.

use std::collections::BTreeSet;

use kernel_hal::range_map::RangeMap;

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
    /// The gaps, by address.
    by_start: RangeMap<()>,
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
        self.by_start.insert(start..end, ());
        self.by_size.insert((end - start, start));
    }

    /// Returns the gap containing `addr`, if any.
    pub fn gap_at(&self, addr: usize) -> Option<(usize, usize)> {
        self.by_start.get(addr).map(|(g, _)| (g.start, g.end))
    }

    /// Returns whether `[start, end)` is entirely free.
    pub fn is_free(&self, start: usize, end: usize) -> bool {
        matches!(self.gap_at(start), Some((_, e)) if end <= e)
    }

    /// Marks the free range `[start, end)` used. Panics if it is not free.
    pub fn take(&mut self, start: usize, end: usize) {
        let (gs, ge) = self.gap_at(start).expect("taking a range that is not free");
        assert!(end <= ge, "taking a range that is not free");
        self.by_size.remove(&(ge - gs, gs));
        self.by_start.remove(start..end);
        if gs < start {
            self.by_size.insert((start - gs, gs));
        }
        if end < ge {
            self.by_size.insert((ge - end, end));
        }
    }

    /// Marks the used range `[start, end)` free again, merging neighbours
    /// (nothing if it is empty).
    pub fn give(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        debug_assert!(
            self.by_start.overlapping(start..end).next().is_none(),
            "freeing a range that overlaps a gap"
        );
        let before = start.checked_sub(1).and_then(|a| self.gap_at(a));
        for (gs, ge) in before.into_iter().chain(self.gap_at(end)) {
            self.by_size.remove(&(ge - gs, gs));
        }
        self.by_start.insert(start..end, ());
        let (gs, ge) = self.gap_at(start).expect("just inserted");
        self.by_size.insert((ge - gs, gs));
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
                let (first, _) = self.by_start.iter().next()?;
                let (last, _) = self.by_start.iter().next_back()?;
                let span = last.end - first.start;
                let hint = first.start + (seed % span as u64) as usize;
                // The gap starting at or before `hint`, the gaps starting
                // after it, then the gaps from the bottom.
                let at_or_before = self.by_start.overlapping(first.start..hint + 1).next_back();
                let after = self
                    .by_start
                    .overlapping(hint + 1..usize::MAX)
                    .filter(|(g, _)| g.start > hint);
                let mut candidates = at_or_before
                    .into_iter()
                    .chain(after)
                    .chain(self.by_start.iter())
                    .take(16);
                let found =
                    candidates.find_map(|(g, _)| Self::slots(g.start, g.end, size, align, limit));
                let (lo, hi) = match found {
                    Some(r) => r,
                    None => {
                        let s = self.best_fit(size, align, limit)?;
                        let (_, e) = self.gap_at(s)?;
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
            return self.by_start.overlapping(0..limit).find_map(|(g, _)| {
                Self::slots(g.start, g.end, size, align, limit).map(|(lo, _)| lo)
            });
        }
        self.by_size.range((size, 0)..).find_map(|&(_, s)| {
            let (_, e) = self.gap_at(s)?;
            Self::slots(s, e, size, align, limit).map(|(lo, _)| lo)
        })
    }

    /// Iterates the gaps in address order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.by_start.iter().map(|(g, _)| (g.start, g.end))
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

    /// Seeded random takes and gives: the two indexes agree, gaps are
    /// maximal, and every place `find` offers is free, aligned and below
    /// the limit.
    #[test]
    fn random_takes_and_gives_keep_the_index_consistent() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (base, end) = (0x1000, 0x1000 * 200);
        let mut g = GapIndex::new(base, end);
        let mut used: Vec<(usize, usize)> = Vec::new();
        for _ in 0..3000 {
            if used.is_empty() || rnd(3) != 0 {
                let size = 0x1000 * (1 + rnd(8));
                let align = 0x1000 << rnd(3);
                let limit = if rnd(4) == 0 {
                    base + rnd(end - base)
                } else {
                    usize::MAX
                };
                let placement = if rnd(2) == 0 {
                    Placement::Compact
                } else {
                    Placement::Random(rnd(1 << 30) as u64)
                };
                if let Some(a) = g.find(size, align, limit, placement) {
                    assert!(a % align == 0 && a + size <= limit && g.is_free(a, a + size));
                    g.take(a, a + size);
                    used.push((a, a + size));
                }
            } else {
                let (s, e) = used.swap_remove(rnd(used.len()));
                g.give(s, e);
            }
            g.by_start.assert_invariants();
            let by_size: BTreeSet<(usize, usize)> = g.iter().map(|(s, e)| (e - s, s)).collect();
            assert_eq!(by_size, g.by_size);
            let free: usize = g.iter().map(|(s, e)| e - s).sum();
            let taken: usize = used.iter().map(|(s, e)| e - s).sum();
            assert_eq!(free + taken, end - base);
        }
    }
}
