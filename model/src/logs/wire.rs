//! The compact bytes a [`LogBatch`] travels in from the backend to a view.
//!
//! A fast log sends tens of thousands of lines a second through the webview, and every byte
//! that crosses becomes a short-lived buffer there (the page's heap grew by 150+ MB while a
//! million lines streamed in as JSON). So lines are packed: no key names, sequence numbers as
//! deltas, and each timestamp as the part that differs from the line before (kubelet
//! timestamps share their first 20 or so characters). Other events, rare, stay JSON.
//!
//! ```text
//! batch   = VERSION event*
//! event   = LINES varint(count) line*          | OTHER varint(len) json(LogEvent)
//! line    = varint(seq - previous seq) varint(source) flags str(text)
//!           [varint(shared prefix) str(rest of timestamp)]  (flag TS)
//!           [varint(full length)]                             (flag FULL_LEN)
//!           [str(json(LogMarker))]                            (flag MARKER)
//! str     = varint(byte length) bytes (UTF-8)
//! varint  = LEB128, at most 10 bytes
//! ```

use super::{LogBatch, LogEvent, LogLine, LogMarker};

const VERSION: u8 = 1;
const LINES: u8 = 0;
const OTHER: u8 = 1;

const TS: u8 = 1;
const LOSSY: u8 = 2;
const PARTIAL: u8 = 4;
const FULL_LEN: u8 = 8;
const MARKER: u8 = 16;

/// Bytes that are not a batch of [`encode`]: what was wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// What was wrong.
    pub what: String,
    /// Byte offset where decoding stopped.
    pub at: usize,
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

impl std::error::Error for WireError {}

/// The bytes of `batch`.
pub fn encode(batch: &LogBatch) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + batch.lines().map(|l| l.text.len() + 16).sum::<usize>());
    out.push(VERSION);
    let mut prev_seq = 0u64;
    let mut prev_ts = String::new();
    for event in &batch.events {
        match event {
            LogEvent::Lines { lines } => {
                out.push(LINES);
                varint(&mut out, lines.len() as u64);
                for line in lines {
                    encode_line(&mut out, line, &mut prev_seq, &mut prev_ts);
                }
            }
            other => {
                out.push(OTHER);
                // Plain data with string keys: serialising cannot fail.
                bytes(&mut out, &serde_json::to_vec(other).unwrap_or_default());
            }
        }
    }
    out
}

fn encode_line(out: &mut Vec<u8>, line: &LogLine, prev_seq: &mut u64, prev_ts: &mut String) {
    // Wrapping: a decreasing seq (never sent, but possible in a hand-made batch) still
    // round-trips.
    varint(out, line.seq.wrapping_sub(*prev_seq));
    *prev_seq = line.seq;
    varint(out, u64::from(line.source));
    let flags = if line.timestamp.is_some() { TS } else { 0 }
        | if line.lossy { LOSSY } else { 0 }
        | if line.partial { PARTIAL } else { 0 }
        | if line.full_len.is_some() { FULL_LEN } else { 0 }
        | if line.marker.is_some() { MARKER } else { 0 };
    out.push(flags);
    bytes(out, line.text.as_bytes());
    if let Some(ts) = &line.timestamp {
        let mut shared = ts
            .bytes()
            .zip(prev_ts.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !ts.is_char_boundary(shared) {
            shared -= 1;
        }
        varint(out, shared as u64);
        bytes(out, &ts.as_bytes()[shared..]);
        prev_ts.clone_from(ts);
    }
    if let Some(n) = line.full_len {
        varint(out, n);
    }
    if let Some(m) = &line.marker {
        bytes(out, &serde_json::to_vec(m).unwrap_or_default());
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Reads the bytes of [`encode`] back.
pub fn decode(input: &[u8]) -> Result<LogBatch, WireError> {
    let mut r = Reader { input, at: 0 };
    let version = r.byte()?;
    if version != VERSION {
        return Err(r.error(format!("unknown log batch version {version}")));
    }
    let mut events = Vec::new();
    let mut prev_seq = 0u64;
    let mut prev_ts = String::new();
    while r.at < input.len() {
        match r.byte()? {
            LINES => {
                let count = r.varint()?;
                // Each line takes at least 4 bytes: a bogus count cannot reserve a huge vector.
                let mut lines = Vec::with_capacity(count.min((r.left() / 4) as u64) as usize);
                for _ in 0..count {
                    lines.push(r.line(&mut prev_seq, &mut prev_ts)?);
                }
                events.push(LogEvent::Lines { lines });
            }
            OTHER => {
                let at = r.at;
                let json = r.bytes()?;
                let event = serde_json::from_slice(json).map_err(|e| WireError {
                    what: format!("bad event: {e}"),
                    at,
                })?;
                events.push(event);
            }
            tag => return Err(r.error(format!("unknown event tag {tag}"))),
        }
    }
    Ok(LogBatch { events })
}

struct Reader<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, what: impl Into<String>) -> WireError {
        WireError {
            what: what.into(),
            at: self.at,
        }
    }

    fn left(&self) -> usize {
        self.input.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, WireError> {
        let b = *self
            .input
            .get(self.at)
            .ok_or_else(|| self.error("unexpected end"))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, WireError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.error("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let len = self.varint()?;
        if len > self.left() as u64 {
            return Err(self.error(format!("{len} bytes announced, {} left", self.left())));
        }
        let b = &self.input[self.at..self.at + len as usize];
        self.at += len as usize;
        Ok(b)
    }

    fn str(&mut self) -> Result<&'a str, WireError> {
        let at = self.at;
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|e| WireError {
            what: format!("text is not UTF-8: {e}"),
            at,
        })
    }

    fn line(&mut self, prev_seq: &mut u64, prev_ts: &mut String) -> Result<LogLine, WireError> {
        let seq = prev_seq.wrapping_add(self.varint()?);
        *prev_seq = seq;
        let source = u32::try_from(self.varint()?).map_err(|_| self.error("source id too big"))?;
        let flags = self.byte()?;
        let text = self.str()?.to_string();
        let timestamp = if flags & TS != 0 {
            let shared = self.varint()?;
            let rest = self.str()?;
            let shared = usize::try_from(shared)
                .ok()
                .filter(|&n| n <= prev_ts.len() && prev_ts.is_char_boundary(n))
                .ok_or_else(|| self.error("timestamp prefix out of range"))?;
            prev_ts.truncate(shared);
            prev_ts.push_str(rest);
            Some(prev_ts.clone())
        } else {
            None
        };
        let full_len = if flags & FULL_LEN != 0 {
            Some(self.varint()?)
        } else {
            None
        };
        let marker = if flags & MARKER != 0 {
            let at = self.at;
            let json = self.bytes()?;
            Some(
                serde_json::from_slice::<LogMarker>(json).map_err(|e| WireError {
                    what: format!("bad marker: {e}"),
                    at,
                })?,
            )
        } else {
            None
        };
        Ok(LogLine {
            seq,
            source,
            text,
            timestamp,
            full_len,
            lossy: flags & LOSSY != 0,
            partial: flags & PARTIAL != 0,
            marker,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{EndReason, LogSource, SourceState};

    fn line(seq: u64, text: &str, ts: Option<&str>) -> LogLine {
        LogLine {
            seq,
            source: 3,
            text: text.into(),
            timestamp: ts.map(str::to_string),
            full_len: None,
            lossy: false,
            partial: false,
            marker: None,
        }
    }

    fn sample() -> LogBatch {
        let mut cut = line(12, "x".repeat(300).as_str(), None);
        cut.full_len = Some(70_000);
        cut.lossy = true;
        cut.partial = true;
        let mut marker = line(13, "pod web-1 left", Some("2026-01-01T00:00:02Z"));
        marker.marker = Some(LogMarker::Left {
            reason: EndReason::ContainerTerminated {
                exit_code: Some(1),
                reason: Some("Error".into()),
            },
        });
        LogBatch {
            events: vec![
                LogEvent::Source {
                    source: LogSource {
                        id: 3,
                        namespace: "ns".into(),
                        pod: "web-1".into(),
                        container: "app".into(),
                        label: "1".into(),
                        prefix: "[pod/web-1/app]".into(),
                    },
                },
                LogEvent::Lines {
                    lines: vec![
                        line(10, "first", Some("2026-01-01T00:00:01.000000001Z")),
                        line(
                            11,
                            "ünïcödé 日本 🚀",
                            Some("2026-01-01T00:00:01.000000002Z"),
                        ),
                        cut,
                        marker,
                        line(14, "", Some("2026-01-01T00:00:02Z")),
                    ],
                },
                LogEvent::State {
                    source: 3,
                    state: SourceState::Streaming,
                },
                LogEvent::Lines {
                    lines: vec![line(u64::MAX, "last", Some("2027-06-01T00:00:00Z"))],
                },
                LogEvent::End {
                    reason: EndReason::Complete,
                },
            ],
        }
    }

    #[test]
    fn round_trips_every_kind_of_event_and_line() {
        let batch = sample();
        let wire = encode(&batch);
        assert_eq!(decode(&wire).unwrap(), batch);
        assert_eq!(
            decode(&encode(&LogBatch::default())).unwrap(),
            LogBatch::default()
        );
    }

    #[test]
    fn is_much_smaller_than_json_for_plain_lines() {
        let lines = (0..1000)
            .map(|i| {
                let ts = format!("2026-01-01T00:00:{:02}.{:09}Z", i / 100, i * 1_000_000);
                line(
                    1000 + i,
                    &format!("bench line {i} lorem ipsum dolor sit amet"),
                    Some(&ts),
                )
            })
            .collect();
        let batch = LogBatch {
            events: vec![LogEvent::Lines { lines }],
        };
        let (wire, json) = (
            encode(&batch).len(),
            serde_json::to_vec(&batch).unwrap().len(),
        );
        assert!(wire * 2 < json, "{wire} bytes packed vs {json} as JSON");
        eprintln!("1,000 lines: {wire} bytes packed, {json} as JSON");
        assert_eq!(decode(&encode(&batch)).unwrap(), batch);
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        let wire = encode(&sample());
        // Every truncation fails cleanly (or, at an event boundary, decodes fewer events).
        for n in 0..wire.len() {
            if let Ok(b) = decode(&wire[..n]) {
                assert!(b.events.len() < sample().events.len(), "cut at {n}");
            }
        }
        assert!(decode(&[]).is_err());
        assert!(decode(&[9]).unwrap_err().what.contains("version"));
        assert!(decode(&[VERSION, 7]).unwrap_err().what.contains("tag"));
        // A huge count with no lines behind it.
        let mut huge = vec![VERSION, LINES];
        varint(&mut huge, u64::MAX);
        assert!(decode(&huge).is_err());
        // Text that is not UTF-8.
        let mut bad = vec![VERSION, LINES, 1, 0, 0, 0, 2, 0xff, 0xfe];
        assert!(decode(&bad).unwrap_err().what.contains("UTF-8"));
        // A timestamp prefix longer than the previous timestamp.
        bad = vec![VERSION, LINES, 1, 0, 0, TS, 0, 5, 1, b'x'];
        assert!(decode(&bad).unwrap_err().what.contains("prefix"));
        // A varint that never ends.
        assert!(
            decode(&[
                VERSION, LINES, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ])
            .is_err()
        );
    }
}
