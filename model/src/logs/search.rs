//! Search and filter over log lines: plain text or regular expressions, with match positions
//! for highlighting and next/previous navigation. Pure functions over [`LogBuffer`].

use super::{LogBuffer, LogLine};
use std::fmt;

/// A match in a line's text: byte offsets `start..end` (always on character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MatchRange {
    /// First byte of the match.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

/// A pattern that is not a valid regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchError(pub String);

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MatchError {}

#[derive(Debug, Clone)]
enum Kind {
    /// Matches every line, highlights nothing.
    Empty,
    /// Case-sensitive substring.
    Plain(String),
    /// A regex (also used for case-insensitive plain text, escaped).
    Regex(regex::Regex),
}

/// What the search box holds, compiled once and applied to many lines.
#[derive(Debug, Clone)]
pub struct LogMatcher {
    kind: Kind,
}

impl LogMatcher {
    /// Plain text (`case_sensitive` or not). An empty needle matches every line.
    pub fn plain(needle: &str, case_sensitive: bool) -> Self {
        let kind = if needle.is_empty() {
            Kind::Empty
        } else if case_sensitive {
            Kind::Plain(needle.to_string())
        } else {
            match regex::RegexBuilder::new(&regex::escape(needle))
                .case_insensitive(true)
                .build()
            {
                Ok(re) => Kind::Regex(re),
                // An escaped literal always compiles; fall back to exact text just in case.
                Err(_) => Kind::Plain(needle.to_string()),
            }
        };
        Self { kind }
    }

    /// A regular expression (Rust `regex` syntax: no look-around or backreferences, linear
    /// time on any input). An empty pattern matches every line.
    pub fn regex(pattern: &str, case_sensitive: bool) -> Result<Self, MatchError> {
        if pattern.is_empty() {
            return Ok(Self { kind: Kind::Empty });
        }
        regex::RegexBuilder::new(pattern)
            .case_insensitive(!case_sensitive)
            // Bounded compile size: a search box must not be able to exhaust memory.
            .size_limit(1 << 20)
            .build()
            .map(|re| Self {
                kind: Kind::Regex(re),
            })
            .map_err(|e| MatchError(e.to_string()))
    }

    /// [`LogMatcher::regex`] when `is_regex`, else [`LogMatcher::plain`].
    pub fn new(pattern: &str, is_regex: bool, case_sensitive: bool) -> Result<Self, MatchError> {
        if is_regex {
            Self::regex(pattern, case_sensitive)
        } else {
            Ok(Self::plain(pattern, case_sensitive))
        }
    }

    /// Whether the pattern is empty (every line matches, nothing is highlighted).
    pub fn is_empty(&self) -> bool {
        matches!(self.kind, Kind::Empty)
    }

    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Plain(n) => text.contains(n.as_str()),
            Kind::Regex(re) => re.is_match(text),
        }
    }

    /// Whether a line matches. Markers (pod joined/left, resumed) never do.
    pub fn matches_line(&self, line: &LogLine) -> bool {
        line.marker.is_none() && self.is_match(&line.text)
    }

    /// Every non-overlapping match in `text`, left to right, for highlighting. Empty matches
    /// (a regex like `a*`) are left out.
    pub fn find_iter(&self, text: &str) -> Vec<MatchRange> {
        match &self.kind {
            Kind::Empty => Vec::new(),
            Kind::Plain(n) => text
                .match_indices(n.as_str())
                .map(|(start, m)| MatchRange {
                    start,
                    end: start + m.len(),
                })
                .collect(),
            Kind::Regex(re) => re
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .map(|m| MatchRange {
                    start: m.start(),
                    end: m.end(),
                })
                .collect(),
        }
    }
}

/// Indices (into `buffer`) of the lines a filter shows: those that match, plus markers when
/// `keep_markers`. An empty matcher shows everything.
pub fn filter_indices(buffer: &LogBuffer, matcher: &LogMatcher, keep_markers: bool) -> Vec<usize> {
    buffer
        .iter()
        .enumerate()
        .filter(|(_, l)| (keep_markers && l.marker.is_some()) || matcher.matches_line(l))
        .map(|(i, _)| i)
        .collect()
}

/// The next matching line after index `from` (`forward`) or before it (backward), wrapping
/// around the buffer; `from = None` starts at the first (or last) line. `None` when no line
/// matches or the matcher is empty.
pub fn next_match(
    buffer: &LogBuffer,
    matcher: &LogMatcher,
    from: Option<usize>,
    forward: bool,
) -> Option<usize> {
    let n = buffer.len();
    if n == 0 || matcher.is_empty() {
        return None;
    }
    let hit = |i: usize| buffer.get(i).is_some_and(|l| matcher.matches_line(l));
    let (start, steps) = match (from, forward) {
        (None, true) => (0, n),
        (None, false) => (n - 1, n),
        (Some(f), true) => ((f.min(n - 1) + 1) % n, n),
        (Some(f), false) => ((f.min(n - 1) + n - 1) % n, n),
    };
    (0..steps)
        .map(|k| {
            if forward {
                (start + k) % n
            } else {
                (start + n - k) % n
            }
        })
        .find(|&i| hit(i))
}

/// How many lines of `buffer` match (for "3 of 41").
pub fn count_matches(buffer: &LogBuffer, matcher: &LogMatcher) -> usize {
    if matcher.is_empty() {
        return 0;
    }
    buffer.iter().filter(|l| matcher.matches_line(l)).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{EndReason, LogMarker};

    fn buf(texts: &[&str]) -> LogBuffer {
        let mut b = LogBuffer::new(100);
        b.extend(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| LogLine::plain(i as u64, *t)),
        );
        b
    }

    fn ranges(m: &LogMatcher, text: &str) -> Vec<(usize, usize)> {
        m.find_iter(text).iter().map(|r| (r.start, r.end)).collect()
    }

    #[test]
    fn plain_search_is_literal_and_finds_every_occurrence() {
        let m = LogMatcher::plain("a.b", true);
        assert!(m.is_match("xa.by"));
        assert!(!m.is_match("axb"), "the dot is not a wildcard");
        assert_eq!(ranges(&m, "a.b a.b"), [(0, 3), (4, 7)]);
        let m = LogMatcher::plain("aa", true);
        assert_eq!(ranges(&m, "aaaa"), [(0, 2), (2, 4)], "non-overlapping");
    }

    #[test]
    fn case_insensitive_plain_search_handles_non_ascii() {
        let m = LogMatcher::plain("ÉTÉ", false);
        assert!(m.is_match("un été chaud"));
        // Byte offsets on char boundaries, so slicing the original text works.
        let text = "un été chaud";
        let r = m.find_iter(text);
        assert_eq!(&text[r[0].start..r[0].end], "été");
        let m = LogMatcher::plain("(x)", false);
        assert!(m.is_match("f(X)"), "special characters are escaped");
    }

    #[test]
    fn regex_search_and_errors() {
        let m = LogMatcher::regex(r"status=(4|5)\d\d", true).unwrap();
        assert!(m.is_match("GET / status=503"));
        assert!(!m.is_match("GET / status=200"));
        assert_eq!(ranges(&m, "status=404 status=500"), [(0, 10), (11, 21)]);
        let m = LogMatcher::regex("error", false).unwrap();
        assert!(m.is_match("ERROR: boom"));
        let e = LogMatcher::regex("(unclosed", true).unwrap_err();
        assert!(e.to_string().contains("unclosed"), "{e}");
        // Empty matches are not highlighted.
        let m = LogMatcher::regex("x*", true).unwrap();
        assert_eq!(ranges(&m, "abc"), []);
    }

    #[test]
    fn empty_pattern_matches_all_and_highlights_nothing() {
        let m = LogMatcher::new("", true, true).unwrap();
        assert!(m.is_empty());
        assert!(m.is_match("anything"));
        assert!(m.find_iter("anything").is_empty());
        let b = buf(&["a", "b"]);
        assert_eq!(filter_indices(&b, &m, false), [0, 1]);
        assert_eq!(next_match(&b, &m, None, true), None);
        assert_eq!(count_matches(&b, &m), 0);
    }

    #[test]
    fn filter_keeps_matching_lines_and_optionally_markers() {
        let mut b = buf(&["GET /a", "POST /b", "GET /c"]);
        b.push(LogLine {
            seq: 3,
            source: 1,
            text: "pod web-1 left (GET)".into(),
            timestamp: None,
            full_len: None,
            lossy: false,
            partial: false,
            marker: Some(LogMarker::Left {
                reason: EndReason::PodDeleted,
            }),
        });
        let m = LogMatcher::plain("GET", true);
        assert_eq!(filter_indices(&b, &m, false), [0, 2]);
        assert_eq!(filter_indices(&b, &m, true), [0, 2, 3]);
        assert_eq!(count_matches(&b, &m), 2);
    }

    #[test]
    fn next_and_previous_wrap_around() {
        let b = buf(&["x", "hit", "y", "hit", "z"]);
        let m = LogMatcher::plain("hit", true);
        assert_eq!(next_match(&b, &m, None, true), Some(1));
        assert_eq!(next_match(&b, &m, Some(1), true), Some(3));
        assert_eq!(next_match(&b, &m, Some(3), true), Some(1), "wraps forward");
        assert_eq!(next_match(&b, &m, None, false), Some(3));
        assert_eq!(next_match(&b, &m, Some(3), false), Some(1));
        assert_eq!(
            next_match(&b, &m, Some(1), false),
            Some(3),
            "wraps backward"
        );
        assert_eq!(next_match(&b, &m, Some(99), true), Some(1), "clamped start");
        let none = LogMatcher::plain("nope", true);
        assert_eq!(next_match(&b, &none, Some(0), true), None);
    }
}
