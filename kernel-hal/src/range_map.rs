//! [`RangeMap`]: non-overlapping half-open ranges of `usize`, each with a
//! value, in an ordered map keyed by start.
//!
//! One type for every interval map of the tree (page-table runs, frame
//! runs, protection ranges, host-mapped ranges, free gaps). Writing an
//! overlapping range replaces what was there, splitting the ranges that
//! straddle its edges; afterwards neighbours that touch are joined if their
//! values say they continue each other ([`RangeValue::continues`]).
//!
//! Values need not be equal to join, and a value need not stay the same when
//! its range is cut: a run of frames keeps its physical address for its
//! first byte, so the tail of a split run starts `offset` frames further on
//! ([`RangeValue::tail`]), and two runs join only if the second's frames
//! follow the first's.
//!
//! Invariants (checked by [`RangeMap::assert_invariants`]):
//!
//! * every range is non-empty and no two ranges overlap;
//! * no range ends where the next starts with a value that
//!   [continues](RangeValue::continues) it — ranges are maximal.
//!
//! A half-open range cannot contain `usize::MAX` itself; nothing here adds
//! to an address, so no arithmetic can wrap. Empty (or reversed) ranges
//! passed to any method touch nothing.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::MMUFlags;

/// A value stored for a range of a [`RangeMap`].
pub trait RangeValue: Sized {
    /// Returns the value for the part of this value's range that begins
    /// `offset` units after the range's start (`0 < offset < len`). Used
    /// when a range is split.
    fn tail(&self, offset: usize) -> Self;

    /// Returns whether `next`, stored for the range that starts right where
    /// this value's range (of `len` units) ends, continues this value, so
    /// the two ranges may become one with this value. Must agree with
    /// [`RangeValue::tail`]: `v.continues(n, &v.tail(n))` for values that
    /// join at all.
    fn continues(&self, len: usize, next: &Self) -> bool;
}

/// Ranges with no data: the map is a set of ranges and touching ranges
/// always join.
impl RangeValue for () {
    fn tail(&self, _offset: usize) {}

    fn continues(&self, _len: usize, _next: &()) -> bool {
        true
    }
}

/// Protection ranges: a cut keeps the flags; equal flags join.
impl RangeValue for MMUFlags {
    fn tail(&self, _offset: usize) -> Self {
        *self
    }

    fn continues(&self, _len: usize, next: &Self) -> bool {
        self == next
    }
}

/// A range that never joins its neighbours: each inserted range stays its
/// own entry (for instance one allocation), until it is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Separate;

impl RangeValue for Separate {
    fn tail(&self, _offset: usize) -> Self {
        Separate
    }

    fn continues(&self, _len: usize, _next: &Self) -> bool {
        false
    }
}

/// Non-overlapping, maximal ranges with values; see the module docs.
#[derive(Debug, Clone)]
pub struct RangeMap<V> {
    /// start → (end, value).
    map: BTreeMap<usize, (usize, V)>,
}

impl<V> Default for RangeMap<V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
        }
    }
}

impl<V: RangeValue> RangeMap<V> {
    /// Creates an empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the number of ranges.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Returns whether the map holds no range.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Returns the range containing `point` and its value.
    pub fn get(&self, point: usize) -> Option<(Range<usize>, &V)> {
        let (&start, (end, value)) = self.map.range(..=point).next_back()?;
        (point < *end).then_some((start..*end, value))
    }

    /// Iterates every range in address order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Range<usize>, &V)> + '_ {
        self.map.iter().map(|(&s, (e, v))| (s..*e, v))
    }

    /// Iterates, in order, the ranges that overlap `range`. Ranges are
    /// yielded whole (not clipped to `range`), with the value of the whole.
    pub fn overlapping(
        &self,
        range: Range<usize>,
    ) -> impl DoubleEndedIterator<Item = (Range<usize>, &V)> + '_ {
        let Range { start, end } = range;
        let end = end.max(start);
        let head = self
            .map
            .range(..start)
            .next_back()
            .filter(|(_, (e, _))| start < end && *e > start);
        head.into_iter()
            .chain(self.map.range(start..end))
            .map(|(&s, (e, v))| (s..*e, v))
    }

    /// Iterates, in order, the covered pieces of `range`: each overlapping
    /// range clipped to `range`, with the value for the clipped piece (the
    /// [tail](RangeValue::tail) when the front was cut off).
    pub fn clipped(
        &self,
        range: Range<usize>,
    ) -> impl DoubleEndedIterator<Item = (Range<usize>, V)> + '_
    where
        V: Clone,
    {
        let Range { start, end } = range;
        self.overlapping(start..end).map(move |(r, v)| {
            let value = if r.start < start {
                v.tail(start - r.start)
            } else {
                v.clone()
            };
            (r.start.max(start)..r.end.min(end), value)
        })
    }

    /// Iterates, in order, the maximal pieces of `range` that no range
    /// covers.
    pub fn gaps(&self, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        let Range { start, end } = range;
        let mut covered = self.overlapping(start..end);
        let mut cursor = start;
        std::iter::from_fn(move || {
            while cursor < end {
                match covered.next() {
                    Some((r, _)) if r.start <= cursor => cursor = cursor.max(r.end),
                    Some((r, _)) => {
                        let gap = cursor..r.start;
                        cursor = r.end;
                        return Some(gap);
                    }
                    None => {
                        let gap = cursor..end;
                        cursor = end;
                        return Some(gap);
                    }
                }
            }
            None
        })
    }

    /// Returns the first uncovered piece of `range` of at least `len` units
    /// (the whole gap, clipped to `range`).
    pub fn first_gap(&self, range: Range<usize>, len: usize) -> Option<Range<usize>> {
        self.gaps(range).find(|g| g.len() >= len)
    }

    /// Returns whether ranges cover every unit of `range` (true if `range`
    /// is empty).
    pub fn covers(&self, range: Range<usize>) -> bool {
        self.gaps(range).next().is_none()
    }

    /// Stores `value` for `range`, replacing whatever overlapped it, then
    /// joins it with the neighbours it continues or that continue it.
    pub fn insert(&mut self, range: Range<usize>, value: V) {
        if range.is_empty() {
            return;
        }
        self.remove(range.clone());
        let Range { start, end } = range;
        let joins_next =
            matches!(self.map.get(&end), Some((_, next)) if value.continues(end - start, next));
        let end = if joins_next {
            self.map.remove(&end).map_or(end, |(next_end, _)| next_end)
        } else {
            end
        };
        if let Some((&prev_start, prev)) = self.map.range_mut(..start).next_back() {
            if prev.0 == start && prev.1.continues(start - prev_start, &value) {
                prev.0 = end;
                return;
            }
        }
        self.map.insert(start, (end, value));
    }

    /// Forgets `range`, cutting the ranges that straddle its edges. Ranges
    /// left on either side are not joined (they do not touch).
    pub fn remove(&mut self, range: Range<usize>) {
        let Range { start, end } = range;
        if start >= end {
            return;
        }
        // A range that starts before `start`: keep its head, and its tail
        // too if it reaches past `end` (then nothing else overlaps).
        if let Some((&head_start, head)) = self.map.range_mut(..start).next_back() {
            if head.0 > start {
                let head_end = std::mem::replace(&mut head.0, start);
                if head_end > end {
                    let tail = head.1.tail(end - head_start);
                    self.map.insert(end, (head_end, tail));
                    return;
                }
            }
        }
        // Ranges that start inside; only the last may reach past `end`.
        while let Some((&s, _)) = self.map.range(start..end).next_back() {
            if let Some((e, v)) = self.map.remove(&s) {
                if e > end {
                    self.map.insert(end, (e, v.tail(end - s)));
                }
            }
        }
    }

    /// Removes the range that starts exactly at `start`, whole, and returns
    /// it with its value. Nothing is cut.
    pub fn remove_starting_at(&mut self, start: usize) -> Option<(Range<usize>, V)> {
        let (end, value) = self.map.remove(&start)?;
        Some((start..end, value))
    }

    /// Calls `f` on the value of every piece of `range` that is covered,
    /// after cutting the ranges that straddle its edges (so `f` changes only
    /// `range`), then joins whatever now continues its neighbour in and
    /// around `range`. Gaps stay gaps.
    pub fn update(&mut self, range: Range<usize>, mut f: impl FnMut(&mut V)) {
        if range.is_empty() {
            return;
        }
        self.split_at(range.start);
        self.split_at(range.end);
        let mut starts = Vec::new();
        for (&s, (_, v)) in self.map.range_mut(range.clone()) {
            f(v);
            starts.push(s);
        }
        self.join_at(range.end);
        for s in starts {
            self.join_at(s);
        }
    }

    /// Cuts the range containing `at` (if it does not start there) in two.
    fn split_at(&mut self, at: usize) {
        let Some((&start, entry)) = self.map.range_mut(..at).next_back() else {
            return;
        };
        if at < entry.0 {
            let tail = entry.1.tail(at - start);
            let end = std::mem::replace(&mut entry.0, at);
            self.map.insert(at, (end, tail));
        }
    }

    /// Joins the range starting at `at` to the one ending there, if the
    /// latter's value continues into the former's.
    fn join_at(&mut self, at: usize) {
        let Some((next_end, next)) = self.map.get(&at) else {
            return;
        };
        let Some((&prev_start, (prev_end, prev))) = self.map.range(..at).next_back() else {
            return;
        };
        if *prev_end != at || !prev.continues(at - prev_start, next) {
            return;
        }
        let next_end = *next_end;
        self.map.remove(&at);
        if let Some(prev) = self.map.get_mut(&prev_start) {
            prev.0 = next_end;
        }
    }

    /// Panics if an invariant from the module docs is broken.
    pub fn assert_invariants(&self) {
        let mut prev: Option<(usize, usize, &V)> = None;
        for (&s, (e, v)) in &self.map {
            assert!(s < *e, "empty range at {s:#x}");
            if let Some((ps, pe, pv)) = prev {
                assert!(pe <= s, "ranges {ps:#x}..{pe:#x} and {s:#x}.. overlap");
                assert!(
                    !(pe == s && pv.continues(pe - ps, v)),
                    "ranges {ps:#x}..{pe:#x} and {s:#x}..{e:#x} should have been joined"
                );
            }
            prev = Some((s, *e, v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A run whose per-unit value grows by one per unit (like a frame
    /// address), with a tag (like flags) that must be equal to join.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Run {
        base: usize,
        tag: u8,
    }

    impl RangeValue for Run {
        fn tail(&self, offset: usize) -> Self {
            Run {
                base: self.base + offset,
                tag: self.tag,
            }
        }

        fn continues(&self, len: usize, next: &Self) -> bool {
            self.tag == next.tag && self.base + len == next.base
        }
    }

    fn run(base: usize, tag: u8) -> Run {
        Run { base, tag }
    }

    fn entries<V: RangeValue + Copy>(m: &RangeMap<V>) -> Vec<(Range<usize>, V)> {
        m.iter().map(|(r, v)| (r, *v)).collect()
    }

    #[test]
    fn insert_splits_shifts_and_joins() {
        let mut m = RangeMap::new();
        m.insert(0..10, run(100, 1));
        m.insert(3..5, run(7, 2));
        m.assert_invariants();
        assert_eq!(
            entries(&m),
            vec![(0..3, run(100, 1)), (3..5, run(7, 2)), (5..10, run(105, 1))]
        );
        // The original values back: everything joins into one range again.
        m.insert(3..5, run(103, 1));
        assert_eq!(entries(&m), vec![(0..10, run(100, 1))]);
        // Touching but not continuing: stays apart.
        m.insert(10..12, run(500, 1));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(11), Some((10..12, &run(500, 1))));
        assert_eq!(m.get(12), None);
    }

    #[test]
    fn remove_cuts_and_remove_starting_at_takes_whole() {
        let mut m = RangeMap::new();
        m.insert(0..10, ());
        m.remove(2..4);
        assert_eq!(entries(&m), vec![(0..2, ()), (4..10, ())]);
        assert_eq!(m.remove_starting_at(3), None);
        assert_eq!(m.remove_starting_at(4), Some((4..10, ())));
        m.remove(5..5);
        m.remove(0..usize::MAX);
        assert!(m.is_empty());
    }

    #[test]
    fn separate_ranges_never_join() {
        let mut m = RangeMap::new();
        m.insert(0..4, Separate);
        m.insert(4..8, Separate);
        m.assert_invariants();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(5), Some((4..8, &Separate)));
    }

    #[test]
    fn overlapping_gaps_and_cover() {
        let mut m = RangeMap::new();
        m.insert(2..4, MMUFlags::READ);
        m.insert(4..6, MMUFlags::WRITE);
        m.insert(9..12, MMUFlags::READ);
        let over: Vec<_> = m.overlapping(3..10).map(|(r, _)| r).collect();
        assert_eq!(over, vec![2..4, 4..6, 9..12], "whole ranges, not clipped");
        assert_eq!(m.overlapping(6..9).count(), 0);
        assert_eq!(m.overlapping(3..3).count(), 0, "empty query");
        let clipped: Vec<_> = m.clipped(3..10).collect();
        assert_eq!(
            clipped,
            vec![
                (3..4, MMUFlags::READ),
                (4..6, MMUFlags::WRITE),
                (9..10, MMUFlags::READ)
            ]
        );
        assert_eq!(m.gaps(0..20).collect::<Vec<_>>(), vec![0..2, 6..9, 12..20]);
        assert_eq!(m.gaps(3..10).collect::<Vec<_>>(), vec![6..9]);
        assert_eq!(m.first_gap(0..20, 3), Some(6..9));
        assert_eq!(m.first_gap(0..20, 4), Some(12..20));
        assert_eq!(m.first_gap(0..11, 4), None);
        assert!(m.covers(2..6));
        assert!(!m.covers(2..7));
        assert!(m.covers(5..5));
    }

    #[test]
    fn update_changes_only_its_range_and_joins() {
        let mut m = RangeMap::new();
        m.insert(0..4, MMUFlags::READ);
        m.insert(6..8, MMUFlags::READ);
        m.update(2..7, |f| *f = MMUFlags::WRITE);
        m.assert_invariants();
        assert_eq!(
            entries(&m),
            vec![
                (0..2, MMUFlags::READ),
                (2..4, MMUFlags::WRITE),
                (6..7, MMUFlags::WRITE),
                (7..8, MMUFlags::READ)
            ]
        );
        m.update(0..8, |f| *f = MMUFlags::READ);
        assert_eq!(
            entries(&m),
            vec![(0..4, MMUFlags::READ), (6..8, MMUFlags::READ)]
        );
    }

    #[test]
    fn ranges_up_to_usize_max() {
        let top = usize::MAX;
        let mut m = RangeMap::new();
        m.insert(top - 10..top, run(0, 0));
        m.remove(top - 5..top);
        assert_eq!(entries(&m), vec![(top - 10..top - 5, run(0, 0))]);
        assert_eq!(m.first_gap(0..top, top - 10), Some(0..top - 10));
        assert_eq!(m.gaps(top - 8..top).collect::<Vec<_>>(), vec![top - 5..top]);
    }

    /// Universe of the model: units `0..U`.
    const U: usize = 48;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(Range<usize>, Run),
        Remove(Range<usize>),
        Retag(Range<usize>, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        let range = (0..=U, 0..=U).prop_map(|(a, b)| a.min(b)..a.max(b));
        prop_oneof![
            (range.clone(), 0..4usize, 0..3u8)
                .prop_map(|(r, b, tag)| Op::Insert(r, run(b * 8, tag))),
            range.clone().prop_map(Op::Remove),
            (range, 0..3u8).prop_map(|(r, tag)| Op::Retag(r, tag)),
        ]
    }

    /// Per-unit value of the map: `(base + offset, tag)`.
    fn unit(m: &RangeMap<Run>, u: usize) -> Option<(usize, u8)> {
        m.get(u).map(|(r, v)| (v.base + (u - r.start), v.tag))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Random operations against a per-unit model; invariants, point
        /// lookups, overlap, gap and cover queries after every step.
        #[test]
        fn matches_per_unit_model(ops in proptest::collection::vec(op(), 1..40),
                                  q in (0..=U, 0..=U)) {
            let mut m = RangeMap::new();
            let mut model: Vec<Option<(usize, u8)>> = vec![None; U];
            for op in ops {
                match op {
                    Op::Insert(r, v) => {
                        for u in r.clone() {
                            model[u] = Some((v.base + (u - r.start), v.tag));
                        }
                        m.insert(r, v);
                    }
                    Op::Remove(r) => {
                        for u in r.clone() {
                            model[u] = None;
                        }
                        m.remove(r);
                    }
                    Op::Retag(r, tag) => {
                        for u in r.clone() {
                            if let Some(x) = &mut model[u] {
                                x.1 = tag;
                            }
                        }
                        m.update(r, |v| v.tag = tag);
                    }
                }
                m.assert_invariants();
                for (u, want) in model.iter().enumerate() {
                    prop_assert_eq!(unit(&m, u), *want, "unit {}", u);
                }
                // Maximality against the model: a range boundary only where
                // the model's per-unit values do not continue.
                for (r, _) in m.iter() {
                    prop_assert!(r.end == U || unit(&m, r.end).is_none()
                        || model[r.end] != model[r.end - 1].map(|(b, t)| (b + 1, t)));
                }
                let (a, b) = (q.0.min(q.1), q.0.max(q.1));
                let want_gaps: Vec<Range<usize>> = {
                    let mut out: Vec<Range<usize>> = Vec::new();
                    for u in (a..b).filter(|&u| model[u].is_none()) {
                        match out.last_mut() {
                            Some(g) if g.end == u => g.end = u + 1,
                            _ => out.push(u..u + 1),
                        }
                    }
                    out
                };
                prop_assert_eq!(m.gaps(a..b).collect::<Vec<_>>(), want_gaps.clone());
                prop_assert_eq!(m.covers(a..b), want_gaps.is_empty());
                prop_assert_eq!(m.first_gap(a..b, 3),
                    want_gaps.iter().find(|g| g.len() >= 3).cloned());
                let over: Vec<Range<usize>> = m.overlapping(a..b).map(|(r, _)| r).collect();
                let want_over: Vec<Range<usize>> =
                    m.iter().map(|(r, _)| r).filter(|r| a < b && r.start < b && a < r.end).collect();
                prop_assert_eq!(over, want_over);
                let mut clipped_units = vec![None; U];
                for (r, v) in m.clipped(a..b) {
                    prop_assert!(a <= r.start && r.end <= b && !r.is_empty());
                    for u in r.clone() {
                        clipped_units[u] = Some((v.base + (u - r.start), v.tag));
                    }
                }
                let want_clipped: Vec<_> = (0..U).map(|u| if (a..b).contains(&u) { model[u] } else { None }).collect();
                prop_assert_eq!(clipped_units, want_clipped);
            }
        }
    }
}
