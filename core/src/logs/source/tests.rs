use super::*;

fn line(ts: Option<i64>) -> RawLine {
    RawLine {
        seq: 0,
        source: 0,
        ts,
        bytes: Vec::new(),
        text_start: 0,
        full_len: None,
        partial: false,
        marker: None,
    }
}

#[test]
fn dedup_skips_older_lines_and_the_lines_with_the_last_timestamp_already_shown() {
    let mut seen = Seen::default();
    for ts in [10, 20, 20, 30, 30] {
        seen.record(Some(ts));
    }
    assert_eq!((seen.last, seen.same), (Some(30), 2));
    // The reopened stream starts at the second: everything from 10 again, plus a new 30 and 40.
    let mut d = Dedup {
        ts: 30,
        same_left: seen.same,
        skipped: 0,
    };
    let admitted: Vec<bool> = [10, 20, 20, 30, 30, 30, 40]
        .iter()
        .map(|t| d.admit(&line(Some(*t))))
        .collect();
    assert_eq!(admitted, [false, false, false, false, false, true, true]);
    assert_eq!(d.skipped, 5);
    // A line without a timestamp cannot be placed: it is shown.
    let mut d = Dedup {
        ts: 30,
        same_left: 1,
        skipped: 0,
    };
    assert!(d.admit(&line(None)));
}

#[test]
fn seen_ignores_lines_going_back_in_time() {
    let mut seen = Seen::default();
    seen.record(Some(5));
    seen.record(Some(3));
    seen.record(None);
    assert_eq!((seen.last, seen.same), (Some(5), 1));
}

#[test]
fn wire_asks_for_timestamps_unless_they_change_the_content() {
    let w = Wire::new(&LogOptions::default()).unwrap();
    assert!(w.timestamps, "needed to merge and resume");
    let w = Wire::new(&LogOptions {
        limit_bytes: Some(30),
        ..Default::default()
    })
    .unwrap();
    assert!(!w.timestamps, "limitBytes counts the timestamps");
    let w = Wire::new(&LogOptions {
        since: Some(LogSince::Time("2026-01-01T00:00:00.9Z".into())),
        ..Default::default()
    })
    .unwrap();
    // Floored, so kube-rs's rounding to seconds never starts later than asked.
    assert_eq!(
        w.params("c").since_time.map(|t| t.to_string()).as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
    let e = Wire::new(&LogOptions {
        since: Some(LogSince::Time("bad".into())),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().starts_with("parsing time \"bad\""), "{e}");
}
