//! What a log view asks the backend for, and gets: the rows on screen, not the whole log.
//!
//! The backend keeps each view's lines (its ring buffer, search results and row layout); the
//! webview holds only the few dozen lines it draws. A log of a million lines or a follow at
//! 50,000 lines a second then costs the page nothing but a status tick ten times a second and
//! a window of lines per redraw, and its memory stays flat.

use super::{LogLine, LogMatcher, LogSource, MatchError, SourceState, pretty_json};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Characters of one line put on screen at most; the rest is marked (Copy and Download keep
/// the whole line). Laying out 64 KiB in one row would stall the webview.
pub const DISPLAY_MAX_CHARS: usize = 5_000;

/// How a view is drawn, which decides what it shows and how many rows each line takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogLook {
    /// The search box: plain text (case-insensitive), or `/regex/`. Empty: no search.
    pub pattern: String,
    /// Show only the lines that match (and markers).
    pub filter_only: bool,
    /// Pretty-print lines that are JSON objects (they take several rows).
    pub json: bool,
    /// Wrap lines at this many columns; `None`: no wrap (one row per text line).
    pub wrap_columns: Option<u32>,
}

impl LogLook {
    /// Lines take different numbers of rows (wrap or JSON on).
    pub fn variable(&self) -> bool {
        self.json || self.wrap_columns.is_some()
    }
}

/// A window of rows of a view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogWindowRequest {
    /// How lines are drawn.
    pub look: LogLook,
    /// The first row wanted (ignored with `at_end`).
    pub first_row: u64,
    /// Rows wanted.
    pub rows: u64,
    /// The last `rows` rows, whatever their number now (a view that follows the log).
    pub at_end: bool,
}

/// One line of a window, with the rows it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowLine {
    /// Its position among the shown lines (after the filter).
    pub position: u64,
    /// Rows it takes (1 unless wrapped or pretty-printed).
    pub rows: u32,
    /// The line.
    pub line: LogLine,
}

/// The rows of a view the UI draws, and what it needs around them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogWindow {
    /// The view's state.
    pub status: LogStatus,
    /// Lines shown (after the filter).
    pub shown: u64,
    /// Rows of all shown lines.
    pub total_rows: u64,
    /// The row where the first returned line starts.
    pub first_row: u64,
    /// The lines of the window, in order.
    pub lines: Vec<WindowLine>,
    /// Lines that match the pattern; `None` without a pattern.
    pub matches: Option<u64>,
    /// The pattern is not a valid regular expression: why.
    pub pattern_error: Option<String>,
}

/// What a view's stream has done: sent to the UI as it changes (at most ten times a second).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogStatus {
    /// Changes whenever the lines or anything else here change.
    pub version: u64,
    /// Lines received since the stream started (the ring may have dropped some).
    pub received: u64,
    /// Lines kept.
    pub kept: u64,
    /// Lines dropped, oldest first.
    pub dropped: u64,
    /// The ring's size in lines.
    pub capacity: u64,
    /// The sources (pods/containers), by id.
    pub sources: Vec<LogSource>,
    /// What each source is doing, by id.
    pub states: Vec<(u32, SourceState)>,
    /// What stopped the view (or one source), if anything.
    pub error: Option<crate::UiError>,
    /// No more lines will come.
    pub ended: bool,
}

/// A search hit to jump to: the line and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogJump {
    /// The line's [`LogLine::seq`] (highlighted as the current match).
    pub seq: u64,
    /// Its position among the shown lines.
    pub position: u64,
    /// The row where it starts.
    pub row: u64,
}

/// A view's shown lines as text, for Copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogText {
    /// One line per shown log line, each ending in a line break.
    pub text: String,
    /// How many lines.
    pub lines: u64,
}

/// The matcher of a search box: `/regex/` is a regular expression, anything else plain,
/// case-insensitive text.
pub fn search_matcher(text: &str) -> Result<LogMatcher, MatchError> {
    match text.strip_prefix('/').and_then(|t| t.strip_suffix('/')) {
        Some(re) if !re.is_empty() => LogMatcher::regex(re, false),
        _ => Ok(LogMatcher::plain(text, false)),
    }
}

/// The text a line shows: pretty-printed when `json` and it is a JSON object, at most
/// [`DISPLAY_MAX_CHARS`]; with how many characters were left out.
pub fn display_text(line: &LogLine, json: bool) -> (Cow<'_, str>, usize) {
    let text: Cow<'_, str> = match (json && line.marker.is_none())
        .then(|| pretty_json(&line.text))
        .flatten()
    {
        Some(p) => Cow::Owned(p),
        None => Cow::Borrowed(&line.text),
    };
    match text.char_indices().nth(DISPLAY_MAX_CHARS) {
        Some((at, _)) => {
            let hidden = text[at..].chars().count();
            (Cow::Owned(text[..at].to_string()), hidden)
        }
        None => (text, 0),
    }
}

/// `100000` → `100,000`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The note after a line that is not shown whole.
pub fn cut_note(line: &LogLine, hidden: usize) -> Option<String> {
    match (line.full_len, hidden) {
        (Some(n), _) => Some(format!(
            " … (a line of {} bytes, cut for display; Download keeps it whole)",
            thousands(n)
        )),
        (None, h) if h > 0 => Some(format!(
            " … (+{} characters not shown; Copy and Download keep the whole line)",
            thousands(h as u64)
        )),
        _ => None,
    }
}

/// Rows a line takes: one per line of its text (pretty JSON has several), each split every
/// `cols` columns when wrapping. A tab counts as 8 columns, and a wide character (CJK, most
/// emoji) as 2: its glyph comes from a fallback font about 1em wide, near 1.7 columns of the
/// log font, so counting 2 may leave a little room but never clips a row.
pub fn rows_of(line: &LogLine, json: bool, cols: Option<usize>) -> u32 {
    let (text, hidden) = display_text(line, json);
    let mut visible: String = if super::has_ansi(&text) {
        super::parse_ansi(&text)
            .into_iter()
            .map(|r| r.text)
            .collect()
    } else {
        text.into_owned()
    };
    if let Some(note) = cut_note(line, hidden) {
        visible.push_str(&note);
    }
    visible
        .split('\n')
        .map(|row| match cols {
            Some(c) => {
                let n: usize = row.chars().map(columns_of).sum();
                n.div_ceil(c.max(1)).max(1) as u32
            }
            None => 1,
        })
        .sum()
}

/// Columns a character takes when wrapping (see [`rows_of`]). Control characters other than
/// tab are drawn as one replacement glyph.
fn columns_of(ch: char) -> usize {
    use unicode_width::UnicodeWidthChar;
    match ch {
        '\t' => 8,
        c => c.width().unwrap_or(1).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> LogLine {
        LogLine::plain(0, text)
    }

    #[test]
    fn rows_count_wide_characters_twice_and_json_by_its_lines() {
        assert_eq!(rows_of(&line("abcdefghij"), false, Some(5)), 2);
        assert_eq!(rows_of(&line("abcdefghij"), false, None), 1);
        // Ten CJK characters are 20 columns.
        assert_eq!(rows_of(&line("日本語日本語日本語日"), false, Some(10)), 2);
        assert_eq!(rows_of(&line("\tx"), false, Some(4)), 3);
        assert_eq!(rows_of(&line(r#"{"a":1,"b":2}"#), true, None), 4);
        let long = line(&"x".repeat(DISPLAY_MAX_CHARS + 10));
        let (text, hidden) = display_text(&long, false);
        assert_eq!((text.chars().count(), hidden), (DISPLAY_MAX_CHARS, 10));
        assert!(cut_note(&long, hidden).unwrap().contains("+10 characters"));
    }

    #[test]
    fn search_boxes_compile_to_plain_text_or_regex() {
        assert!(search_matcher("ERROR").unwrap().is_match("an error"));
        assert!(search_matcher("/err(or)?$/").unwrap().is_match("an ERR"));
        assert!(search_matcher("/a.c/").unwrap().is_match("abc"));
        assert!(!search_matcher("/a.c/").unwrap().is_match("ac"));
        assert!(search_matcher("/(/").is_err());
        assert!(search_matcher("").unwrap().is_empty());
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
