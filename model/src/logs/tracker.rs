//! Search results kept up to date as lines stream in: only new lines are tested.
//!
//! A view that searches a followed log redraws several times a second; testing all 100,000
//! kept lines each time (a regex over megabytes of text) kept the page busy for tens of
//! milliseconds per redraw. [`MatchTracker`] remembers which kept lines match and, on each
//! update, forgets the lines the ring dropped and tests only the lines that arrived since.

use super::{LogBuffer, LogMatcher};
use std::collections::VecDeque;

/// The matching lines (and markers) of a [`LogBuffer`] for one pattern, by sequence number.
#[derive(Debug, Clone, Default)]
pub struct MatchTracker {
    /// The pattern the entries were computed for.
    pattern: Option<String>,
    /// The buffer's [`LogBuffer::generation`] they were computed in (it changes on clear).
    generation: u64,
    /// `(seq, matches)` of every kept line that matches or is a marker, oldest first.
    entries: VecDeque<(u64, bool)>,
    /// Matching lines among `entries`.
    matches: usize,
    /// The seq of the newest line tested.
    last_seq: Option<u64>,
}

impl MatchTracker {
    /// Brings the results up to date with `buffer` for `matcher`, compiled from `pattern`.
    /// A new pattern, or a buffer that was cleared or restarted, tests every line again.
    pub fn update(&mut self, buffer: &LogBuffer, pattern: &str, matcher: &LogMatcher) {
        let newest = buffer.iter().next_back().map(|l| l.seq);
        if self.pattern.as_deref() != Some(pattern) || self.generation != buffer.generation() {
            *self = Self {
                pattern: Some(pattern.to_string()),
                generation: buffer.generation(),
                ..Self::default()
            };
        }
        // Forget what the ring dropped.
        let first = buffer.get(0).map_or(u64::MAX, |l| l.seq);
        while let Some(&(seq, m)) = self.entries.front() {
            if seq >= first {
                break;
            }
            self.entries.pop_front();
            self.matches -= usize::from(m);
        }
        // Test what arrived: the lines after the newest one tested.
        let start = match self.last_seq {
            Some(last) => buffer
                .iter()
                .rposition(|l| l.seq <= last)
                .map_or(0, |i| i + 1),
            None => 0,
        };
        for line in buffer.range(start, buffer.len()) {
            let m = matcher.matches_line(line);
            if m || line.marker.is_some() {
                self.entries.push_back((line.seq, m));
                self.matches += usize::from(m);
            }
        }
        if newest.is_some() {
            self.last_seq = newest;
        }
    }

    /// Lines that match (markers never do). Zero for an empty pattern.
    pub fn count(&self, matcher: &LogMatcher) -> usize {
        if matcher.is_empty() { 0 } else { self.matches }
    }

    /// Indices into `buffer` of the lines a filter shows: matching lines, and markers when
    /// `keep_markers` (the same as [`super::filter_indices`], without testing any line).
    pub fn indices(&self, buffer: &LogBuffer, keep_markers: bool) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.entries.len());
        let mut lines = buffer.iter().enumerate().peekable();
        for &(seq, m) in &self.entries {
            if !m && !keep_markers {
                continue;
            }
            // Both are sorted by seq: walk the buffer forward to this entry.
            while let Some((i, l)) = lines.peek() {
                if l.seq < seq {
                    lines.next();
                } else {
                    if l.seq == seq {
                        out.push(*i);
                    }
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{LogLine, LogMarker, count_matches, filter_indices};

    fn line(seq: u64, text: &str) -> LogLine {
        LogLine::plain(seq, text)
    }

    fn check(t: &MatchTracker, b: &LogBuffer, m: &LogMatcher) {
        assert_eq!(t.count(m), count_matches(b, m));
        assert_eq!(t.indices(b, true), filter_indices(b, m, true));
        assert_eq!(t.indices(b, false), filter_indices(b, m, false));
    }

    #[test]
    fn agrees_with_a_full_scan_as_lines_come_and_go() {
        let mut b = LogBuffer::new(50);
        let mut t = MatchTracker::default();
        let m = LogMatcher::plain("7", false);
        let mut seq = 0;
        for round in 0..20 {
            let mut batch = Vec::new();
            for _ in 0..(round * 3 % 17 + 1) {
                let mut l = line(seq, &format!("line {seq}"));
                if seq % 11 == 0 {
                    l.marker = Some(LogMarker::Joined);
                }
                batch.push(l);
                // Skipped lines leave gaps in seq.
                seq += 1 + seq % 3;
            }
            b.extend(batch);
            t.update(&b, "7", &m);
            check(&t, &b, &m);
        }
        assert!(b.dropped() > 0, "the ring dropped lines along the way");
        // Shrinking the ring, a new pattern, a cleared buffer: still the same as a full scan.
        b.set_capacity(10);
        t.update(&b, "7", &m);
        check(&t, &b, &m);
        let re = LogMatcher::regex("line [0-9]*[13]$", true).unwrap();
        t.update(&b, "/line [0-9]*[13]$/", &re);
        check(&t, &b, &re);
        // Cleared and refilled between two updates: the new lines' seqs start again at 0.
        b.clear();
        b.extend((0..5).map(|i| line(i, &format!("line {i}"))));
        t.update(&b, "/line [0-9]*[13]$/", &re);
        check(&t, &b, &re);
        assert_eq!(t.count(&re), 2);
        let empty = LogMatcher::plain("", false);
        t.update(&b, "", &empty);
        assert_eq!(t.count(&empty), 0);
    }
}
