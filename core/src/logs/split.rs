//! Bytes from the API server into lines: split on `\n`, the kubelet's timestamp parsed off the
//! front, very long lines cut for display (their full length kept), any bytes accepted.

use super::time::parse_rfc3339;
use loupe_model::logs::{LogLine, LogMarker};

/// Lines longer than this (in bytes, without the timestamp) are cut for display unless a view
/// asks otherwise. A download always keeps them whole.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

/// One line of a view as the core holds it: the server's bytes, unchanged. The CLI prints
/// these; [`RawLine::into_model`] makes the [`LogLine`] a UI receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    /// Position in the view (assigned when the view emits the line).
    pub seq: u64,
    /// The source id.
    pub source: u32,
    /// The server's timestamp in nanoseconds since the Unix epoch, when it sent one.
    pub ts: Option<i64>,
    /// `<timestamp> <text>` as the server sent it (or just the text), without the line break.
    /// The text is cut at the view's limit, see `full_len`.
    pub bytes: Vec<u8>,
    /// Where the text starts in `bytes` (after the timestamp and its space).
    pub text_start: usize,
    /// The text's full length when it was cut.
    pub full_len: Option<u64>,
    /// The stream ended without a line break after this line.
    pub partial: bool,
    /// A marker instead of log content (`bytes` then holds its description).
    pub marker: Option<LogMarker>,
}

impl RawLine {
    /// A marker line for `source`.
    pub fn marker(source: u32, marker: LogMarker, text: String) -> Self {
        Self {
            seq: 0,
            source,
            ts: None,
            bytes: text.into_bytes(),
            text_start: 0,
            full_len: None,
            partial: false,
            marker: Some(marker),
        }
    }

    /// The text without the timestamp.
    pub fn text(&self) -> &[u8] {
        &self.bytes[self.text_start..]
    }

    /// The timestamp as the server wrote it.
    pub fn timestamp(&self) -> Option<&[u8]> {
        (self.text_start > 0).then(|| &self.bytes[..self.text_start - 1])
    }

    /// The [`LogLine`] a UI receives: text decoded as UTF-8 (invalid bytes replaced and the
    /// line flagged), a trailing `\r` removed.
    pub fn into_model(self) -> LogLine {
        let timestamp = self
            .timestamp()
            .map(|t| String::from_utf8_lossy(t).into_owned());
        let mut text = self.text();
        if let [rest @ .., b'\r'] = text {
            text = rest;
        }
        let (text, lossy) = decode(text);
        LogLine {
            seq: self.seq,
            source: self.source,
            text,
            timestamp,
            full_len: self.full_len,
            lossy,
            partial: self.partial,
            marker: self.marker,
        }
    }
}

fn decode(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

/// Splits a byte stream into [`RawLine`]s. Holds at most one (cut) line of state.
#[derive(Debug)]
pub struct Splitter {
    max_line: usize,
    timestamps: bool,
    /// The kept bytes of the line being read.
    buf: Vec<u8>,
    /// Bytes of that line seen so far (kept or not).
    seen: u64,
}

impl Splitter {
    /// `timestamps`: the server prefixes each line with its timestamp and a space.
    /// `max_line`: text bytes kept per line (the rest is counted, not kept).
    pub fn new(max_line: usize, timestamps: bool) -> Self {
        Self {
            max_line,
            timestamps,
            buf: Vec::new(),
            seen: 0,
        }
    }

    /// Feeds bytes; complete lines are appended to `out`.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut Vec<RawLine>) {
        while let Some(i) = memchr::memchr(b'\n', chunk) {
            self.append(&chunk[..i]);
            self.emit(false, out);
            chunk = &chunk[i + 1..];
        }
        self.append(chunk);
    }

    /// The stream ended: a last line without a line break is emitted as `partial`.
    pub fn finish(&mut self, out: &mut Vec<RawLine>) {
        if self.seen > 0 {
            self.emit(true, out);
        }
    }

    /// Forgets a half-read line (the stream broke; it will be sent again).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.seen = 0;
    }

    /// Room for the timestamp (at most 35 bytes with an offset) on top of the text limit.
    fn limit(&self) -> usize {
        if self.timestamps {
            self.max_line.saturating_add(40)
        } else {
            self.max_line
        }
    }

    fn append(&mut self, seg: &[u8]) {
        self.seen += seg.len() as u64;
        let room = self.limit().saturating_sub(self.buf.len());
        let keep = &seg[..seg.len().min(room)];
        if self.buf.is_empty() {
            // The usual case, a whole line in one chunk: one exact allocation.
            self.buf.reserve_exact(keep.len());
        }
        self.buf.extend_from_slice(keep);
    }

    fn emit(&mut self, partial: bool, out: &mut Vec<RawLine>) {
        let mut bytes = std::mem::take(&mut self.buf);
        let seen = std::mem::replace(&mut self.seen, 0);
        let (ts, text_start) = if self.timestamps {
            split_timestamp(&bytes)
        } else {
            (None, 0)
        };
        let full_text = seen - text_start as u64;
        let max_end = text_start.saturating_add(self.max_line);
        let full_len = if full_text > self.max_line as u64 || bytes.len() > max_end {
            bytes.truncate(max_end.min(bytes.len()));
            // Never end inside a UTF-8 sequence: that would look like invalid input.
            let text = &bytes[text_start..];
            if let Err(e) = std::str::from_utf8(text)
                && e.error_len().is_none()
            {
                bytes.truncate(text_start + e.valid_up_to());
            }
            Some(full_text)
        } else {
            None
        };
        out.push(RawLine {
            seq: 0,
            source: 0,
            ts,
            bytes,
            text_start,
            full_len,
            partial,
            marker: None,
        });
    }
}

/// `(timestamp, where the text starts)` of a line the kubelet prefixed with its timestamp.
fn split_timestamp(line: &[u8]) -> (Option<i64>, usize) {
    let head = &line[..line.len().min(40)];
    match memchr::memchr(b' ', head) {
        Some(sp) => match parse_rfc3339(&line[..sp]) {
            Some(ts) => (Some(ts), sp + 1),
            None => (None, 0),
        },
        // A line that is only a timestamp: the log line was empty.
        None => match parse_rfc3339(line) {
            Some(ts) => (Some(ts), line.len()),
            None => (None, 0),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max: usize, ts: bool) -> Vec<RawLine> {
        let mut s = Splitter::new(max, ts);
        let mut out = Vec::new();
        for c in chunks {
            s.push(c, &mut out);
        }
        s.finish(&mut out);
        out
    }

    #[test]
    fn lines_split_across_chunks() {
        let out = split(&[b"one\ntw", b"o\n", b"", b"three"], 100, false);
        let texts: Vec<&[u8]> = out.iter().map(RawLine::text).collect();
        assert_eq!(texts, [&b"one"[..], b"two", b"three"]);
        assert!(!out[1].partial);
        assert!(out[2].partial, "no line break at the end");
        assert!(split(&[b"a\n"], 100, false).iter().all(|l| !l.partial));
        assert!(split(&[], 100, false).is_empty());
    }

    #[test]
    fn timestamps_are_parsed_off_the_front() {
        let out = split(
            &[b"2026-11-29T17:24:59.475026211Z hello world\n2026-11-29T17:24:59Z \nnot a ts\n"],
            100,
            true,
        );
        assert_eq!(out[0].text(), b"hello world");
        assert_eq!(
            out[0].timestamp(),
            Some(&b"2026-11-29T17:24:59.475026211Z"[..])
        );
        assert_eq!(out[0].ts, Some(1_795_973_099_475_026_211));
        assert_eq!(out[1].text(), b"", "an empty log line");
        assert!(out[1].ts.is_some());
        assert_eq!(out[2].ts, None);
        assert_eq!(out[2].text(), b"not a ts");
        let m = out[0].clone().into_model();
        assert_eq!(m.text, "hello world");
        assert_eq!(
            m.timestamp.as_deref(),
            Some("2026-11-29T17:24:59.475026211Z")
        );
    }

    #[test]
    fn long_lines_are_cut_but_their_length_is_kept() {
        let long = vec![b'x'; 1000];
        let mut input = b"2026-11-29T17:24:59Z ".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\nshort\n");
        // Fed in small chunks, as a network would.
        let chunks: Vec<&[u8]> = input.chunks(7).collect();
        let out = split(&chunks, 100, true);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].text().len(), 100);
        assert_eq!(out[0].full_len, Some(1000));
        assert!(out[0].ts.is_some(), "the timestamp survives the cut");
        assert_eq!(out[1].full_len, None);
        // Without timestamps too, and exactly at the limit nothing is cut.
        let out = split(&[&[b'y'; 100], b"\n", &[b'z'; 101], b"\n"], 100, false);
        assert_eq!(out[0].full_len, None);
        assert_eq!(out[1].full_len, Some(101));
        assert_eq!(out[1].text().len(), 100);
    }

    #[test]
    fn cuts_never_split_a_character() {
        // "é" is two bytes; a limit of 5 would fall inside the third one.
        let out = split(&["ééé\n".as_bytes()], 5, false);
        assert_eq!(out[0].text(), "éé".as_bytes());
        let m = out[0].clone().into_model();
        assert!(!m.lossy, "a clean cut is not a decoding problem");
        assert_eq!(m.full_len, Some(6));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let out = split(&[b"ok \xff\xfe bytes\r\n"], 100, false);
        assert_eq!(
            out[0].text(),
            b"ok \xff\xfe bytes\r",
            "raw bytes kept for the CLI"
        );
        let m = out[0].clone().into_model();
        assert!(m.lossy);
        assert_eq!(
            m.text, "ok \u{fffd}\u{fffd} bytes",
            "\\r dropped for display"
        );
    }

    #[test]
    fn reset_forgets_a_half_line() {
        let mut s = Splitter::new(100, false);
        let mut out = Vec::new();
        s.push(b"complete\nhalf", &mut out);
        s.reset();
        s.push(b"again\n", &mut out);
        let texts: Vec<&[u8]> = out.iter().map(RawLine::text).collect();
        assert_eq!(texts, [&b"complete"[..], b"again"]);
    }
}
