//! The ring buffer a log view keeps: bounded in lines and bytes, counting what it dropped.

use super::{LogEvent, LogLine};
use std::collections::VecDeque;

/// Rough memory of one line besides its text: the struct, the deque slot and allocator
/// overhead. Keeps the byte limit honest for floods of short lines.
const LINE_OVERHEAD: usize = 96;

/// The lines a view shows, oldest first, at most `capacity` of them and about `max_bytes` of
/// memory. When full, the oldest lines are dropped and counted in [`LogBuffer::dropped`], so
/// the view can show "N earlier lines dropped" (a download still gets everything).
///
/// Lines are addressed by index (0 = oldest kept) for a virtualised list, or by their
/// [`LogLine::seq`], which stays valid while the line is kept.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    dropped: u64,
    generation: u64,
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl LogBuffer {
    /// Lines kept per view unless configured otherwise.
    pub const DEFAULT_CAPACITY: usize = 100_000;
    /// Memory kept per view unless configured otherwise (text plus per-line overhead).
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

    /// A buffer of at most `capacity` lines (at least 1) and [`Self::DEFAULT_MAX_BYTES`].
    pub fn new(capacity: usize) -> Self {
        Self::with_limits(capacity, Self::DEFAULT_MAX_BYTES)
    }

    /// A buffer of at most `capacity` lines and about `max_bytes` bytes (each at least one
    /// line's worth: the newest line is always kept).
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            max_bytes,
            bytes: 0,
            dropped: 0,
            generation: 0,
        }
    }

    /// The line limit.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes the line limit, dropping the oldest lines if there are now too many.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.trim();
    }

    /// Lines kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// No line kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Approximate memory held by the kept lines.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Lines dropped (oldest first) since the buffer was created or cleared.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Appends one line, dropping the oldest if full. Returns how many were dropped.
    pub fn push(&mut self, line: LogLine) -> usize {
        self.bytes += cost(&line);
        self.lines.push_back(line);
        self.trim()
    }

    /// Appends lines in order. Returns how many old lines were dropped.
    pub fn extend(&mut self, lines: impl IntoIterator<Item = LogLine>) -> usize {
        let mut dropped = 0;
        for line in lines {
            self.bytes += cost(&line);
            self.lines.push_back(line);
            // Trim as we go so a huge batch never holds more than the limits.
            if self.lines.len() > self.capacity || self.bytes > self.max_bytes {
                dropped += self.trim();
            }
        }
        dropped
    }

    /// Takes the lines out of `events` into the buffer and returns the other events (sources,
    /// states, errors, end) for the view to handle. Returns also how many lines were dropped.
    pub fn push_events(&mut self, events: Vec<LogEvent>) -> (Vec<LogEvent>, usize) {
        let mut rest = Vec::new();
        let mut dropped = 0;
        for e in events {
            match e {
                LogEvent::Lines { lines } => dropped += self.extend(lines),
                other => rest.push(other),
            }
        }
        (rest, dropped)
    }

    fn trim(&mut self) -> usize {
        let mut n = 0;
        while self.lines.len() > self.capacity
            || (self.bytes > self.max_bytes && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= cost(&old);
                n += 1;
            }
        }
        self.dropped += n as u64;
        n
    }

    /// The line at `index` (0 = oldest kept).
    pub fn get(&self, index: usize) -> Option<&LogLine> {
        self.lines.get(index)
    }

    /// Lines `start..end` (clamped), for the visible rows of a virtualised list.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &LogLine> {
        let end = end.min(self.lines.len());
        let start = start.min(end);
        self.lines.range(start..end)
    }

    /// All kept lines, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// The index of the line with sequence number `seq`, if it is still kept.
    pub fn index_of_seq(&self, seq: u64) -> Option<usize> {
        // seq increases along the buffer.
        let (a, b) = self.lines.as_slices();
        match a.binary_search_by_key(&seq, |l| l.seq) {
            Ok(i) => Some(i),
            Err(_) => b
                .binary_search_by_key(&seq, |l| l.seq)
                .ok()
                .map(|i| i + a.len()),
        }
    }

    /// Forgets every line and the dropped count (the view's "clear").
    pub fn clear(&mut self) {
        self.lines.clear();
        self.bytes = 0;
        self.dropped = 0;
        self.generation += 1;
    }

    /// Changes on every [`Self::clear`]: what was computed over the lines before (search
    /// results, row heights) no longer applies, even where sequence numbers repeat.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

fn cost(line: &LogLine) -> usize {
    line.text.len() + line.timestamp.as_ref().map_or(0, String::len) + LINE_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, text: &str) -> LogLine {
        LogLine::plain(seq, text)
    }

    #[test]
    fn drops_the_oldest_and_counts_them() {
        let mut b = LogBuffer::new(3);
        assert_eq!(b.extend((0..5).map(|i| line(i, "x"))), 2);
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(b.get(0).map(|l| l.seq), Some(2));
        assert_eq!(b.push(line(5, "y")), 1);
        assert_eq!(b.dropped(), 3);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
    }

    #[test]
    fn byte_limit_keeps_memory_bounded_but_keeps_the_newest_line() {
        let mut b = LogBuffer::with_limits(1000, 3 * (LINE_OVERHEAD + 10));
        b.extend((0..10).map(|i| line(i, "0123456789")));
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 7);
        assert!(b.bytes() <= 3 * (LINE_OVERHEAD + 10));
        b.push(line(10, &"z".repeat(10_000)));
        assert_eq!(b.len(), 1, "a line above the limit is still kept alone");
        assert_eq!(b.get(0).map(|l| l.seq), Some(10));
    }

    #[test]
    fn range_and_seq_lookup_work_across_the_wrap() {
        let mut b = LogBuffer::new(4);
        b.extend((0..7).map(|i| line(i, "x")));
        // The deque has wrapped: both slices are in use after pops and pushes.
        let seqs: Vec<u64> = b.range(1, 100).map(|l| l.seq).collect();
        assert_eq!(seqs, [4, 5, 6]);
        assert_eq!(b.range(10, 2).count(), 0);
        for (i, seq) in (3..7).enumerate() {
            assert_eq!(b.index_of_seq(seq), Some(i));
        }
        assert_eq!(b.index_of_seq(2), None);
        assert_eq!(b.index_of_seq(99), None);
    }

    #[test]
    fn shrinking_the_capacity_drops_lines() {
        let mut b = LogBuffer::new(10);
        b.extend((0..10).map(|i| line(i, "x")));
        b.set_capacity(4);
        assert_eq!(b.len(), 4);
        assert_eq!(b.dropped(), 6);
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.dropped(), 0);
        assert_eq!(b.bytes(), 0);
    }

    #[test]
    fn push_events_keeps_lines_and_returns_the_rest() {
        let mut b = LogBuffer::new(10);
        let (rest, dropped) = b.push_events(vec![
            LogEvent::Lines {
                lines: vec![line(0, "a"), line(1, "b")],
            },
            LogEvent::End {
                reason: super::super::EndReason::Complete,
            },
        ]);
        assert_eq!(dropped, 0);
        assert_eq!(b.len(), 2);
        assert_eq!(rest.len(), 1);
    }
}
