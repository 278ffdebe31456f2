//! Types of the log views (pod and workload logs) as they cross the IPC boundary.
//!
//! A view is opened with a [`LogRequest`] (one container of one pod) or a [`WorkloadLogRequest`]
//! (every pod of a Deployment, StatefulSet, DaemonSet, Job, ReplicaSet or label selector, merged
//! in time order). Its stream is a series of [`LogBatch`]es: each is a short list of
//! [`LogEvent`]s, in order, made at most every 50 ms or every 1,000 lines. Lines refer to their
//! pod/container by a small [`LogSource`] id, announced once with [`LogEvent::Source`].
//!
//! The backend keeps a view's lines in a [`LogBuffer`] (a ring buffer: old lines are dropped
//! and counted), searches it with [`LogMatcher`] (kept current by a [`MatchTracker`]) and lays
//! it out in rows ([`rows_of`]); the UI gets a [`LogStatus`] as it changes and asks for the
//! rows it draws ([`LogWindowRequest`] → [`LogWindow`]). All of it is plain Rust that also
//! builds for wasm32 (the UI highlights matches and renders ANSI colours itself).

use serde::{Deserialize, Serialize};

mod ansi;
mod buffer;
mod json;
mod search;
mod tracker;
mod window;

pub use ansi::{StyledRun, has_ansi, parse_ansi};
pub use buffer::LogBuffer;
pub use json::pretty_json;
pub use search::{LogMatcher, MatchError, MatchRange, count_matches, filter_indices, next_match};
pub use tracker::MatchTracker;
pub use window::{
    DISPLAY_MAX_CHARS, LogJump, LogLook, LogStatus, LogText, LogWindow, LogWindowRequest,
    WindowLine, cut_note, display_text, rows_of, search_matcher, thousands,
};

fn is_false(b: &bool) -> bool {
    !*b
}

/// Where the log starts (kubectl's `--since` / `--since-time`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LogSince {
    /// Lines written in the last N seconds (`--since=5m` is 300).
    Seconds(i64),
    /// Lines written at or after this RFC 3339 time (`--since-time`). The API server only
    /// honours whole seconds.
    Time(String),
}

/// What to fetch, shared by pod and workload views (the flags of `kubectl logs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogOptions {
    /// Keep the stream open and deliver new lines as they are written (`-f`).
    pub follow: bool,
    /// Only the last N lines of each container (`--tail`).
    pub tail_lines: Option<i64>,
    /// Only lines written since then (`--since`, `--since-time`).
    pub since: Option<LogSince>,
    /// Show the server's timestamp before each line (`--timestamps`). Lines carry their
    /// timestamp in [`LogLine::timestamp`] either way when the server gave one, so a view can
    /// toggle this without asking again.
    pub timestamps: bool,
    /// The previous (terminated) instance of the container (`-p`).
    pub previous: bool,
    /// Stop after about this many bytes per container (`--limit-bytes`).
    pub limit_bytes: Option<i64>,
}

/// One container's log (`kubectl logs POD [-c CONTAINER]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRequest {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container; `None` picks kubectl's default (see [`PodContainers::default_container`]).
    #[serde(default)]
    pub container: Option<String>,
    /// What to fetch.
    #[serde(default)]
    pub options: LogOptions,
}

/// Kinds of objects whose pods can be merged into one log view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WorkloadKind {
    /// `apps/v1` Deployment.
    Deployment,
    /// `apps/v1` StatefulSet.
    StatefulSet,
    /// `apps/v1` DaemonSet.
    DaemonSet,
    /// `batch/v1` Job.
    Job,
    /// `apps/v1` ReplicaSet.
    ReplicaSet,
    /// `v1` Service (the pods its selector picks).
    Service,
    /// A single pod (with [`ContainerSelection::All`]: all its containers, merged).
    Pod,
}

/// Which pods a workload view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WorkloadTarget {
    /// The pods an object selects (its `spec.selector`).
    Object {
        /// The kind.
        kind: WorkloadKind,
        /// The object's name.
        name: String,
    },
    /// The pods matching a label selector (`-l app=web,tier!=cache`).
    Selector {
        /// The selector, in kubectl's syntax.
        selector: String,
    },
}

/// Which containers of each pod a workload view shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerSelection {
    /// Each pod's default container (kubectl's rule).
    #[default]
    Default,
    /// The container with this name (pods without it are skipped with a notice).
    Named(String),
    /// Every container: init, regular and ephemeral (`--all-containers`).
    All,
}

/// The logs of every pod of a workload, merged in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadLogRequest {
    /// The namespace.
    pub namespace: String,
    /// Which pods.
    pub target: WorkloadTarget,
    /// Which containers of each pod.
    #[serde(default)]
    pub containers: ContainerSelection,
    /// What to fetch. Pods that appear while following are read from their start.
    #[serde(default)]
    pub options: LogOptions,
    /// When following, at most this many containers are streamed at once (kubectl's
    /// `--max-log-requests`, default 5 there); more is an error at the start. `None`: no limit.
    #[serde(default)]
    pub max_streams: Option<u32>,
}

/// What kind of container this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerKind {
    /// Runs to completion before the regular containers start (or a sidecar, see
    /// [`ContainerInfo::sidecar`]).
    Init,
    /// A regular container.
    Regular,
    /// Added later with `kubectl debug`.
    Ephemeral,
}

/// The state of one container, from the pod's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum ContainerState {
    /// No status yet (the pod is not scheduled or the kubelet has not reported).
    Unknown,
    /// Not running: `ContainerCreating`, `PodInitializing`, `CrashLoopBackOff`,
    /// `ImagePullBackOff`, ...
    Waiting {
        /// The reason, as the kubelet reports it.
        reason: Option<String>,
        /// The kubelet's message, if any.
        message: Option<String>,
    },
    /// Running.
    Running {
        /// When it started (RFC 3339).
        started_at: Option<String>,
    },
    /// Exited.
    Terminated {
        /// The exit code.
        exit_code: i32,
        /// `Completed`, `Error`, `OOMKilled`, ...
        reason: Option<String>,
        /// When it exited (RFC 3339).
        finished_at: Option<String>,
    },
}

/// One container of a pod, for the container picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerInfo {
    /// The name.
    pub name: String,
    /// Init, regular or ephemeral.
    pub kind: ContainerKind,
    /// An init container with `restartPolicy: Always` (a native sidecar): it keeps running.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sidecar: bool,
    /// The image.
    pub image: Option<String>,
    /// Its current state.
    pub state: ContainerState,
    /// The state of the previous instance, when there was one (then `previous` logs may exist).
    pub last_state: Option<ContainerState>,
    /// How often it restarted.
    pub restart_count: i32,
    /// Whether it passes its readiness probe.
    pub ready: bool,
    /// Whether a log can be read now (it runs or has run). `false` while it was never started:
    /// the server would answer "waiting to start" (or nothing, on an unscheduled pod).
    pub started: bool,
}

/// Why a container was chosen when none was named (kubectl's rule, in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DefaultContainerFrom {
    /// The `kubectl.kubernetes.io/default-container` annotation names it.
    Annotation,
    /// It is the pod's only container.
    OnlyContainer,
    /// It is the first of several regular containers (kubectl prints "Defaulted container").
    First,
}

/// A pod's containers and their states, for the container picker of a log view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodContainers {
    /// The namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The pod's phase (`Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`).
    pub phase: String,
    /// The node it runs on; `None` while it is not scheduled.
    pub node: Option<String>,
    /// Why it is not scheduled, when the scheduler said so (`0/3 nodes are available: ...`).
    pub unscheduled_reason: Option<String>,
    /// The pod is being deleted.
    pub deleting: bool,
    /// Regular containers first, then init, then ephemeral (kubectl's listing order).
    pub containers: Vec<ContainerInfo>,
    /// The container kubectl would pick without `-c`.
    pub default_container: String,
    /// Why that one.
    pub default_from: DefaultContainerFrom,
    /// kubectl's notice on stderr when it picks the first of several containers:
    /// `Defaulted container "app" out of: app, sidecar`.
    pub default_notice: Option<String>,
    /// A default-container annotation that names no container: kubectl's stderr notice.
    pub annotation_notice: Option<String>,
}

/// A pod/container a view reads from. Lines name it by [`LogSource::id`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSource {
    /// Small number, unique within the view (also a good colour index).
    pub id: u32,
    /// The namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container.
    pub container: String,
    /// A short label for the line gutter: the part of the pod name after its owner's
    /// name (`web-7d9f-x2k4q` → `x2k4q`), plus `/container` when the view shows several
    /// containers per pod.
    pub label: String,
    /// kubectl's `--prefix`: `[pod/NAME/CONTAINER]`.
    pub prefix: String,
}

/// A line the view shows that is not log content: a source joined or left, a stream resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum LogMarker {
    /// A pod appeared while following and its log is now part of the view.
    Joined,
    /// A pod went away (deleted, or its container stopped): no more lines from it.
    Left {
        /// Why it ended.
        #[serde(flatten)]
        reason: EndReason,
    },
    /// The server closed the stream while following; it was opened again from the last
    /// timestamp seen, and the lines already shown were skipped.
    Resumed {
        /// Lines the server sent again and the view skipped.
        skipped: u64,
    },
}

/// One line of a log view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Position in the view: increases by one per line (markers included), never reused.
    pub seq: u64,
    /// The [`LogSource::id`] it came from.
    pub source: u32,
    /// The text, without the line break. Invalid UTF-8 is replaced (see `lossy`); very long
    /// lines are cut (see `fullLen`). For a marker: a short description.
    pub text: String,
    /// The server's timestamp (RFC 3339 with nanoseconds, as written by the kubelet), when
    /// it sent one.
    pub timestamp: Option<String>,
    /// The line's full length in bytes when `text` was cut for display (a download keeps it
    /// whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_len: Option<u64>,
    /// Bytes that were not valid UTF-8 were replaced by U+FFFD.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
    /// The log ended without a line break after this line (a `--limit-bytes` cut, say).
    #[serde(default, skip_serializing_if = "is_false")]
    pub partial: bool,
    /// Not log content but an event at this position in the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<LogMarker>,
}

impl LogLine {
    /// A line of log content from source 0, without timestamp or flags.
    pub fn plain(seq: u64, text: impl Into<String>) -> Self {
        Self {
            seq,
            source: 0,
            text: text.into(),
            timestamp: None,
            full_len: None,
            lossy: false,
            partial: false,
            marker: None,
        }
    }
}

/// Why a stream (or one source of a view) ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "end")]
pub enum EndReason {
    /// Everything was delivered (not following, or `--limit-bytes` reached).
    Complete,
    /// The pod was deleted.
    PodDeleted,
    /// The container stopped and will not run again in this pod.
    ContainerTerminated {
        /// Its exit code, when known.
        exit_code: Option<i32>,
        /// `Completed`, `Error`, ...
        reason: Option<String>,
    },
    /// It failed; a [`LogEvent::Error`] came before.
    Failed,
}

/// What a source is doing, for the status line of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum SourceState {
    /// Not started yet: the pod is not scheduled, or the container is waiting
    /// (`ContainerCreating`, `PodInitializing`, `CrashLoopBackOff`, ...). While following,
    /// the stream starts when it does.
    Waiting {
        /// The reason (`Unschedulable`, `ContainerCreating`, ...).
        reason: String,
        /// Details, when the server gave some.
        message: Option<String>,
    },
    /// Lines are flowing.
    Streaming,
    /// The connection broke while following; trying again.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before this attempt, in milliseconds.
        delay_ms: u64,
    },
    /// No more lines will come from this source.
    Ended {
        /// Why.
        #[serde(flatten)]
        reason: EndReason,
    },
}

/// What went wrong, as a category the view can branch on (its text is in the `UiError`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "problem")]
pub enum LogProblem {
    /// The pod does not exist.
    PodNotFound,
    /// The workload object does not exist.
    WorkloadNotFound,
    /// The pod has no container with that name.
    ContainerNotFound {
        /// The containers it has (kubectl's listing).
        available: Vec<String>,
    },
    /// The container has not started yet (the server said "waiting to start").
    ContainerWaiting {
        /// `ContainerCreating`, `PodInitializing`, `ImagePullBackOff`, ...
        reason: Option<String>,
    },
    /// `previous` was asked but there is no previous instance.
    NoPreviousContainer,
    /// RBAC denies it; `permission` is what is missing: `get pods/log in namespace "team-a"`.
    Forbidden {
        /// The missing permission, in words.
        permission: String,
    },
    /// Following would open more streams than allowed (kubectl's `--max-log-requests`).
    TooManyStreams {
        /// Streams needed.
        count: u32,
        /// The limit.
        max: u32,
    },
    /// The request is not valid (a bad selector or time, say).
    InvalidRequest,
    /// Anything else: the cluster's answer, a broken connection, ...
    Other,
}

/// One event of a log view, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum LogEvent {
    /// A source joined (sent before its first line).
    Source {
        /// Its description.
        source: LogSource,
    },
    /// Lines, in display order.
    Lines {
        /// The lines.
        lines: Vec<LogLine>,
    },
    /// A source changed state.
    State {
        /// The source id.
        source: u32,
        /// Its new state.
        state: SourceState,
    },
    /// Something failed: for the whole view (`source` is `None`, the view ends), or for one
    /// source (the others go on).
    Error {
        /// The source, when one source failed.
        source: Option<u32>,
        /// The category.
        problem: LogProblem,
        /// The message, hint and diagnosis.
        error: crate::UiError,
    },
    /// The view is over; nothing follows.
    End {
        /// Why: `complete` when not following, `podDeleted` for a followed pod that is gone,
        /// `failed` after an error.
        #[serde(flatten)]
        reason: EndReason,
    },
}

/// A batch of events, as the backend sends them to a view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogBatch {
    /// The events, in order.
    pub events: Vec<LogEvent>,
}

impl LogBatch {
    /// The lines of all [`LogEvent::Lines`] events, in order.
    pub fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.events.iter().flat_map(|e| match e {
            LogEvent::Lines { lines } => lines.as_slice(),
            _ => &[],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_camel_case_and_tagged() {
        let batch = LogBatch {
            events: vec![
                LogEvent::Lines {
                    lines: vec![LogLine {
                        seq: 7,
                        source: 1,
                        text: "hello".into(),
                        timestamp: Some("2026-01-01T00:00:00.5Z".into()),
                        full_len: Some(70_000),
                        lossy: false,
                        partial: false,
                        marker: None,
                    }],
                },
                LogEvent::State {
                    source: 1,
                    state: SourceState::Ended {
                        reason: EndReason::PodDeleted,
                    },
                },
                LogEvent::End {
                    reason: EndReason::Complete,
                },
            ],
        };
        let json = serde_json::to_string(&batch).unwrap();
        for key in [
            "\"type\":\"lines\"",
            "\"fullLen\":70000",
            "\"type\":\"state\"",
            "\"state\":\"ended\",\"end\":\"podDeleted\"",
            "\"type\":\"end\",\"end\":\"complete\"",
        ] {
            assert!(json.contains(key), "{key} in {json}");
        }
        assert!(!json.contains("lossy"), "false flags are left out: {json}");
        let back: LogBatch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, batch);
        assert_eq!(back.lines().count(), 1);
    }

    #[test]
    fn requests_accept_minimal_json() {
        let r: LogRequest = serde_json::from_str(r#"{"namespace":"a","pod":"p"}"#).unwrap();
        assert_eq!(r.container, None);
        assert_eq!(r.options, LogOptions::default());
        let w: WorkloadLogRequest = serde_json::from_str(
            r#"{"namespace":"a","target":{"object":{"kind":"deployment","name":"web"}},
                "containers":"all","options":{"follow":true,"since":{"seconds":60}}}"#,
        )
        .unwrap();
        assert_eq!(w.containers, ContainerSelection::All);
        assert_eq!(w.options.since, Some(LogSince::Seconds(60)));
        assert!(w.options.follow);
    }
}
