use super::*;
use crate::logs::fake::{Fake, Script, lines, running_pod};
use loupe_model::logs::{ContainerSelection, LogMarker, LogOptions};

const T0: i64 = 1_790_000_000;

fn plan(pods: PodSet, follow: bool) -> Plan {
    Plan {
        namespace: "ns".into(),
        pods,
        containers: ContainerSelection::Default,
        options: LogOptions {
            follow,
            ..Default::default()
        },
        max_streams: None,
    }
}

/// Reads batches until `stop` says so (or the view ends), at most 10 s.
async fn collect(mut s: RawLogStream, stop: impl Fn(&[RawEvent]) -> bool) -> Vec<RawEvent> {
    let mut all = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(b)) = tokio::time::timeout_at(deadline, s.next_batch()).await {
        all.extend(b.events);
        if stop(&all) {
            break;
        }
    }
    all
}

fn texts(events: &[RawEvent]) -> Vec<String> {
    events
        .iter()
        .flat_map(|e| match e {
            RawEvent::Lines(l) => l.as_slice(),
            _ => &[],
        })
        .map(|l| String::from_utf8_lossy(l.text()).into_owned())
        .collect()
}

fn ended(events: &[RawEvent]) -> Option<&EndReason> {
    events.iter().find_map(|e| match e {
        RawEvent::End(r) => Some(r),
        _ => None,
    })
}

#[tokio::test]
async fn a_pod_log_arrives_in_order_batched_and_numbered() {
    let body = lines(T0, "line", 0..2500);
    let chunks: Vec<Vec<u8>> = body.chunks(1000).map(<[u8]>::to_vec).collect();
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::Body(chunks));
    let mut s = open(
        fake.clone(),
        plan(PodSet::Named("p".into()), false),
        Tuning::default(),
    );
    let mut lines_seen = Vec::new();
    let mut events = Vec::new();
    while let Some(b) = s.next_batch().await {
        let n: usize = b
            .events
            .iter()
            .map(|e| match e {
                RawEvent::Lines(l) => l.len(),
                _ => 0,
            })
            .sum();
        assert!(n <= 1000, "a batch holds at most 1,000 lines, not {n}");
        for e in &b.events {
            if let RawEvent::Lines(l) = e {
                lines_seen.extend(l.iter().map(|l| l.seq));
            }
        }
        events.extend(b.events);
    }
    assert_eq!(lines_seen, (0..2500).collect::<Vec<u64>>());
    let t = texts(&events);
    assert_eq!(t[0], "line 0");
    assert_eq!(t[2499], "line 2499");
    assert_eq!(ended(&events), Some(&EndReason::Complete));
    assert!(
        matches!(&events[0], RawEvent::Source(s) if s.container == "app" && s.prefix == "[pod/p/app]")
    );
    let opens = fake.opens();
    assert_eq!(opens.len(), 1);
    assert!(
        opens[0].1.timestamps,
        "timestamps asked for, to merge and resume"
    );
    assert_eq!(opens[0].1.container.as_deref(), Some("app"));
}

#[tokio::test]
async fn a_cut_stream_resumes_from_the_last_timestamp_without_duplicates() {
    // Lines 0..5, two of them in the same second as line 4; the server cuts after line 4.
    let mut first = lines(T0, "a", 0..4);
    let same_second = jiff::Timestamp::from_second(T0 + 3).unwrap();
    first.extend_from_slice(format!("{same_second} b 3\n").as_bytes());
    first.extend_from_slice(b"2026-01-01T00:00:00Z half a li"); // cut mid-line
    // Reopened from that second, the server sends both lines of it again, then new ones.
    let mut second = lines(T0, "a", 3..4);
    second.extend_from_slice(format!("{same_second} b 3\n").as_bytes());
    second.extend_from_slice(&lines(T0, "a", 4..6));
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::Cut(vec![first]))
        .script("p", Script::Open(vec![second]));
    let s = open(
        fake.clone(),
        plan(PodSet::Named("p".into()), true),
        Tuning::default(),
    );
    let events = collect(s, |e| texts(e).iter().any(|t| t == "a 5")).await;
    let t = texts(&events);
    assert_eq!(
        t,
        [
            "a 0",
            "a 1",
            "a 2",
            "a 3",
            "b 3",
            "stream reopened by Loupe after the server closed it (2 lines already shown were skipped)",
            "a 4",
            "a 5"
        ]
    );
    let marker = events
        .iter()
        .flat_map(|e| match e {
            RawEvent::Lines(l) => l.clone(),
            _ => Vec::new(),
        })
        .find_map(|l| l.marker);
    assert_eq!(marker, Some(LogMarker::Resumed { skipped: 2 }));
    let opens = fake.opens();
    assert_eq!(opens.len(), 2);
    assert_eq!(
        opens[1].1.since_time,
        jiff::Timestamp::from_second(T0 + 3).ok()
    );
    assert_eq!(opens[1].1.tail_lines, None);
    assert!(events.iter().any(|e| matches!(
        e,
        RawEvent::State {
            state: SourceState::Reconnecting { .. },
            ..
        }
    )));
}

#[tokio::test]
async fn a_deleted_pod_ends_a_followed_stream_with_a_marker() {
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::CutAndDelete(vec![lines(T0, "x", 0..2)]));
    let s = open(
        fake,
        plan(PodSet::Named("p".into()), true),
        Tuning::default(),
    );
    let events = collect(s, |_| false).await;
    let t = texts(&events);
    assert_eq!(t, ["x 0", "x 1", "pod p (container app) was deleted"]);
    assert_eq!(ended(&events), Some(&EndReason::PodDeleted));
}

#[tokio::test]
async fn forbidden_names_the_missing_permission() {
    let msg = "pods \"p\" is forbidden: User \"system:serviceaccount:team-a:ci-bot\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"team-a\"";
    let fake = Fake::default()
        .with_pod(running_pod("p", "u1", &["app"]))
        .script("p", Script::Status(403, "Forbidden", msg.into()));
    let s = open(
        fake,
        plan(PodSet::Named("p".into()), false),
        Tuning::default(),
    );
    let events = collect(s, |_| false).await;
    let (problem, error) = events
        .iter()
        .find_map(|e| match e {
            RawEvent::Error { problem, error, .. } => Some((problem, error)),
            _ => None,
        })
        .expect("an error event");
    assert_eq!(
        problem,
        &LogProblem::Forbidden {
            permission: "get pods/log in namespace \"team-a\"".into()
        }
    );
    let d = error.diagnosis.as_ref().expect("a diagnosis");
    assert!(
        d.title.contains("get pods/log in namespace \"team-a\""),
        "{}",
        d.title
    );
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(format!("Error from server (Forbidden): {msg}").as_str())
    );
    assert_eq!(ended(&events), Some(&EndReason::Failed));
}

#[tokio::test]
async fn missing_pod_and_container_are_typed_errors() {
    let s = open(
        Fake::default(),
        plan(PodSet::Named("nope".into()), false),
        Tuning::default(),
    );
    let events = collect(s, |_| false).await;
    assert!(events.iter().any(|e| matches!(e,
        RawEvent::Error { source: None, problem: LogProblem::PodNotFound, error }
            if error.message == "error from server (NotFound): pods \"nope\" not found in namespace \"ns\"")));
    assert_eq!(ended(&events), Some(&EndReason::Failed));

    let fake = Fake::default().with_pod(running_pod("p", "u1", &["app", "side"]));
    let mut p = plan(PodSet::Named("p".into()), false);
    p.containers = ContainerSelection::Named("zzz".into());
    let events = collect(open(fake, p, Tuning::default()), |_| false).await;
    assert!(events.iter().any(|e| matches!(e,
        RawEvent::Error { problem: LogProblem::ContainerNotFound { available }, error, .. }
            if error.message == "container zzz is not valid for pod p" && available == &["app", "side"])));
}

#[tokio::test]
async fn a_waiting_container_is_a_state_not_a_hang() {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
        "spec": {"nodeName": "n", "containers": [{"name": "app"}]},
        "status": {"phase": "Pending", "containerStatuses": [{"name": "app", "image": "i", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]},
    }))
    .unwrap();
    let fake = Fake::default().with_pod(pod);
    let s = open(
        fake.clone(),
        plan(PodSet::Named("p".into()), true),
        Tuning::default(),
    );
    let events = collect(s, |e| {
        e.iter().any(|e| {
            matches!(
                e,
                RawEvent::State {
                    state: SourceState::Waiting { .. },
                    ..
                }
            )
        })
    })
    .await;
    assert!(events.iter().any(|e| matches!(e,
        RawEvent::State { state: SourceState::Waiting { reason, .. }, .. } if reason == "ContainerCreating")));
    assert!(
        fake.opens().is_empty(),
        "no request before the container starts"
    );
}

#[tokio::test]
async fn workload_lines_are_merged_in_time_order_and_tagged() {
    // Two pods whose lines interleave in time; each pod's stream arrives in one piece.
    let mut a = Vec::new();
    let mut b = Vec::new();
    for i in 0..6 {
        let ts = jiff::Timestamp::from_second(T0 + i).unwrap();
        let target = if i % 2 == 0 { &mut a } else { &mut b };
        target.extend_from_slice(format!("{ts} line {i}\n").as_bytes());
    }
    let fake = Fake::default()
        .with_pod(running_pod("web-1", "u1", &["app"]))
        .with_pod(running_pod("web-2", "u2", &["app"]))
        .script("web-1", Script::Body(vec![a]))
        .script("web-2", Script::Body(vec![b]));
    let target = WorkloadTarget::Selector {
        selector: "app=web".into(),
    };
    let s = open(fake, plan(PodSet::Target(target), false), Tuning::default());
    let events = collect(s, |_| false).await;
    assert_eq!(
        texts(&events),
        ["line 0", "line 1", "line 2", "line 3", "line 4", "line 5"]
    );
    let sources: Vec<u32> = events
        .iter()
        .flat_map(|e| match e {
            RawEvent::Lines(l) => l.iter().map(|l| l.source).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(sources, [0, 1, 0, 1, 0, 1]);
    assert_eq!(ended(&events), Some(&EndReason::Complete));
}

#[tokio::test]
async fn too_many_followed_streams_is_an_error_like_kubectl() {
    let fake = Fake::default()
        .with_pod(running_pod("a", "u1", &["app"]))
        .with_pod(running_pod("b", "u2", &["app"]))
        .with_pod(running_pod("c", "u3", &["app"]));
    let mut p = plan(
        PodSet::Target(WorkloadTarget::Selector {
            selector: "app=web".into(),
        }),
        true,
    );
    p.max_streams = Some(2);
    let events = collect(open(fake, p, Tuning::default()), |_| false).await;
    assert!(events.iter().any(|e| matches!(e,
        RawEvent::Error { problem: LogProblem::TooManyStreams { count: 3, max: 2 }, error, .. }
            if error.message == "you are attempting to follow 3 log streams, but maximum allowed concurrency is 2, use --max-log-requests to increase the limit")));
}

#[tokio::test]
async fn without_a_watch_a_waiting_container_is_polled_until_it_starts() {
    let waiting: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
        "spec": {"nodeName": "n", "containers": [{"name": "app"}]},
        "status": {"phase": "Pending", "containerStatuses": [{"name": "app", "image": "i", "imageID": "",
            "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]},
    }))
    .unwrap();
    let fake = Fake::default()
        .with_pod(waiting)
        .script("p", Script::Open(vec![lines(T0, "started", 0..1)]));
    let s = open(
        fake.clone(),
        plan(PodSet::Named("p".into()), true),
        Tuning::default(),
    );
    // The fake cannot watch; the container starts a moment later.
    let f = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = f.with_pod(running_pod("p", "u1", &["app"]));
    });
    let events = collect(s, |e| texts(e).iter().any(|t| t == "started 0")).await;
    assert!(
        texts(&events).contains(&"started 0".to_string()),
        "{events:?}"
    );
}
