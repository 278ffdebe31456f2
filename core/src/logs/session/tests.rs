#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use super::*;
use crate::logs::fake::{Fake, Script, lines, running_pod};
use crate::logs::{Plan, PodSet, Tuning, open};
use loupe_model::logs::{
    ContainerSelection, LogLine, LogMarker, LogOptions, LogText, filter_indices,
};

fn line(seq: u64, text: &str) -> LogLine {
    LogLine {
        timestamp: Some(format!("2026-01-01T00:00:{:02}Z", seq % 60)),
        ..LogLine::plain(seq, text)
    }
}

fn batch(seqs: std::ops::Range<u64>, text: impl Fn(u64) -> String) -> LogBatch {
    LogBatch {
        events: vec![LogEvent::Lines {
            lines: seqs.map(|s| line(s, &text(s))).collect(),
        }],
    }
}

fn look(pattern: &str) -> LogLook {
    LogLook {
        pattern: pattern.into(),
        ..LogLook::default()
    }
}

fn seqs(w: &LogWindow) -> Vec<u64> {
    w.lines.iter().map(|l| l.line.seq).collect()
}

#[test]
fn a_window_is_the_rows_asked_for_and_the_end_follows_the_log() {
    let s = LogSession::new(100);
    s.apply(batch(0..250, |i| format!("line {i}")));
    let st = s.status();
    assert_eq!((st.received, st.kept, st.dropped), (250, 100, 150));
    let req = LogWindowRequest {
        look: LogLook::default(),
        first_row: 10,
        rows: 5,
        at_end: false,
    };
    let w = s.window(&req);
    assert_eq!((w.shown, w.total_rows, w.first_row), (100, 100, 10));
    // The rows asked for and one more (a row partly visible at the bottom).
    assert_eq!(seqs(&w), (160..166).collect::<Vec<_>>());
    assert_eq!(w.lines[0].position, 10);
    let end = s.window(&LogWindowRequest {
        at_end: true,
        ..req.clone()
    });
    assert_eq!(end.first_row, 95);
    assert_eq!(seqs(&end), (245..250).collect::<Vec<_>>());
    // Past the end: nothing, not a panic.
    let past = s.window(&LogWindowRequest {
        first_row: 10_000,
        ..req
    });
    assert!(past.lines.is_empty());
}

#[test]
fn search_filter_and_jump_agree_with_a_full_scan() {
    let s = LogSession::new(1000);
    s.apply(batch(0..300, |i| {
        if i % 7 == 0 {
            format!("ERROR {i}")
        } else {
            format!("ok {i}")
        }
    }));
    let mut marker = line(300, "pod joined");
    marker.marker = Some(LogMarker::Joined);
    s.apply(LogBatch {
        events: vec![LogEvent::Lines {
            lines: vec![marker],
        }],
    });
    let w = s.window(&LogWindowRequest {
        look: look("error"),
        rows: 10,
        ..LogWindowRequest::default()
    });
    assert_eq!(w.matches, Some(43), "0, 7, …, 294");
    assert_eq!(w.shown, 301, "no filter: every line");
    let filtered = LogLook {
        filter_only: true,
        ..look("error")
    };
    let f = s.window(&LogWindowRequest {
        look: filtered.clone(),
        rows: 1000,
        ..LogWindowRequest::default()
    });
    assert_eq!(f.shown, 44, "the matches and the marker");
    let buffer_seqs: Vec<u64> = {
        let st = s.lock();
        let m = search_matcher("error").unwrap();
        filter_indices(&st.buffer, &m, true)
            .into_iter()
            .map(|i| st.buffer.get(i).unwrap().seq)
            .collect()
    };
    assert_eq!(seqs(&f), buffer_seqs);
    // Jumps: forward from 7 is 14 (position 2 when filtered), backward from 0 wraps to 294.
    let j = s.jump(&filtered, Some(7), true).unwrap();
    assert_eq!((j.seq, j.position, j.row), (14, 2, 2));
    assert_eq!(s.jump(&look("error"), Some(0), false).unwrap().seq, 294);
    assert_eq!(s.jump(&look("error"), None, true).unwrap().row, 0);
    assert!(s.jump(&look("nothing"), None, true).is_none());
    // A bad regex is reported, and shows everything.
    let bad = s.window(&LogWindowRequest {
        look: look("/(/"),
        rows: 1,
        ..LogWindowRequest::default()
    });
    assert!(bad.pattern_error.is_some());
    assert_eq!((bad.matches, bad.shown), (None, 301));
}

#[test]
fn wrapped_and_json_lines_take_their_rows() {
    let s = LogSession::new(100);
    s.apply(batch(0..3, |i| match i {
        0 => "x".repeat(25),
        1 => r#"{"a":1,"b":2}"#.into(),
        _ => "short".into(),
    }));
    let wrap = LogLook {
        wrap_columns: Some(10),
        ..LogLook::default()
    };
    let w = s.window(&LogWindowRequest {
        look: wrap,
        rows: 100,
        ..LogWindowRequest::default()
    });
    let rows: Vec<u32> = w.lines.iter().map(|l| l.rows).collect();
    assert_eq!(rows, [3, 2, 1]);
    assert_eq!(w.total_rows, 6);
    let json = LogLook {
        json: true,
        ..LogLook::default()
    };
    let j = s.window(&LogWindowRequest {
        look: json.clone(),
        first_row: 2,
        rows: 1,
        at_end: false,
    });
    // Row 2 is inside the JSON line (rows 1–4).
    assert_eq!(j.first_row, 1);
    assert_eq!(seqs(&j)[0], 1);
    let LogText { text, lines: n } = s.text(&json, true);
    assert_eq!(n, 3);
    assert!(
        text.contains("2026-01-01T00:00:01Z {\n  \"a\": 1"),
        "{text}"
    );
    // A smaller ring drops lines and says so.
    s.set_capacity(1);
    let st = s.status();
    assert_eq!((st.kept, st.dropped, st.capacity), (1, 2, 1));
}

#[tokio::test]
async fn run_feeds_the_session_and_reports_until_the_end() {
    let body = lines(1_790_000_000, "line", 0..2500);
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::Body(vec![body]));
    let plan = Plan {
        namespace: "ns".into(),
        pods: PodSet::Named("p".into()),
        containers: ContainerSelection::Default,
        options: LogOptions::default(),
        max_streams: None,
    };
    let stream = LogStream::new(open(fake, plan, Tuning::default()));
    let session = LogSession::new(1000);
    let mut statuses = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        run(
            Arc::clone(&session),
            stream,
            Duration::from_millis(20),
            |st| {
                statuses.push(st);
                true
            },
        ),
    )
    .await
    .expect("the run ends with the stream");
    let last = statuses.last().unwrap();
    assert!(last.ended);
    assert_eq!((last.received, last.kept, last.dropped), (2500, 1000, 1500));
    assert_eq!(last.sources.len(), 1);
    assert!(
        statuses.windows(2).all(|w| w[0].version < w[1].version),
        "each status is news"
    );
    // Still readable after the run.
    let w = session.window(&LogWindowRequest {
        rows: 1,
        at_end: true,
        ..LogWindowRequest::default()
    });
    assert_eq!(w.lines[0].line.text, "line 2499");
}

#[tokio::test]
async fn views_are_found_by_id_until_closed() {
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::Open(vec![lines(1_790_000_000, "line", 0..3)]));
    let plan = Plan {
        namespace: "ns".into(),
        pods: PodSet::Named("p".into()),
        containers: ContainerSelection::Default,
        options: LogOptions {
            follow: true,
            ..LogOptions::default()
        },
        max_streams: None,
    };
    let views = LogViews::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    views.open(
        3,
        LogStream::new(open(fake, plan, Tuning::default())),
        10,
        move |st| tx.send(st).is_ok(),
    );
    // The followed stream stays open; its lines arrive.
    loop {
        let st = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if st.kept == 3 {
            assert!(!st.ended);
            break;
        }
    }
    assert_eq!(views.get(3).unwrap().status().received, 3);
    assert!(views.close(3));
    assert!(!views.close(3));
    views.close_all();
    let err = views.get(3).unwrap_err();
    assert_eq!(err.to_string(), "this log view is closed");
    // The job is gone: its status sender is dropped.
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while rx.recv().await.is_some() {}
    })
    .await;
    assert!(rest.is_ok(), "the status channel closes");
}
