//! One source of a view: the log of one container, read from the API server, split into lines,
//! and, while following, reopened after the server closes it: from the last timestamp seen,
//! skipping the lines already delivered, so nothing is shown twice.

use super::errors::{code_of, log_failure};
use super::pods::{AfterEnd, after_end};
use super::split::{RawLine, Splitter};
use super::time::floor_seconds;
use crate::CoreError;
use crate::backoff::Backoff;
use crate::cluster::Target;
use futures::StreamExt;
use futures::io::{AsyncBufRead, AsyncBufReadExt};
use futures::stream::BoxStream;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};
use kube::runtime::{WatchStreamExt, watcher};
use loupe_model::UiError;
use loupe_model::logs::{
    EndReason, LogMarker, LogOptions, LogProblem, LogSince, SourceState, WorkloadKind,
};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::mpsc;

/// A log body being read.
pub type Reader = Pin<Box<dyn AsyncBufRead + Send>>;

/// Pod watch events, as kube-runtime's watcher yields them.
pub type PodWatch = BoxStream<'static, Result<watcher::Event<Pod>, watcher::Error>>;

/// What a view needs from a cluster. [`KubeBackend`] is the real one; tests use fakes.
pub trait Backend: Clone + Send + Sync + 'static {
    /// Opens `pods/log` of `pod`.
    fn open(
        &self,
        namespace: &str,
        pod: &str,
        params: &LogParams,
    ) -> impl Future<Output = Result<Reader, kube::Error>> + Send;
    /// Reads a pod; `None` if it does not exist.
    fn get_pod(
        &self,
        namespace: &str,
        pod: &str,
    ) -> impl Future<Output = Result<Option<Pod>, kube::Error>> + Send;
    /// Lists the pods matching a label selector, by name.
    fn list_pods(
        &self,
        namespace: &str,
        selector: &str,
    ) -> impl Future<Output = Result<Vec<Pod>, kube::Error>> + Send;
    /// The label selector of a workload object (`error from server (NotFound): ...` when it
    /// does not exist).
    fn selector_of(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
    ) -> impl Future<Output = Result<String, CoreError>> + Send;
    /// Watches pods by label selector (`labels`) or field selector (`fields`); `None` if this
    /// backend cannot watch.
    fn watch_pods(
        &self,
        namespace: &str,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Option<PodWatch>;
    /// What the client points at, for diagnoses.
    fn target(&self) -> &Target;
}

/// The API server, through a kube-rs client.
#[derive(Clone)]
pub struct KubeBackend {
    client: kube::Client,
    target: Target,
}

impl KubeBackend {
    /// A backend for a connected context.
    pub fn new(cc: &crate::cluster::ContextClient) -> Self {
        Self {
            client: cc.client.clone(),
            target: cc.target.clone(),
        }
    }

    fn pods(&self, namespace: &str) -> Api<Pod> {
        Api::namespaced(self.client.clone(), namespace)
    }
}

impl Backend for KubeBackend {
    async fn open(
        &self,
        namespace: &str,
        pod: &str,
        params: &LogParams,
    ) -> Result<Reader, kube::Error> {
        let r = self.pods(namespace).log_stream(pod, params).await?;
        Ok(Box::pin(r))
    }

    async fn get_pod(&self, namespace: &str, pod: &str) -> Result<Option<Pod>, kube::Error> {
        self.pods(namespace).get_opt(pod).await
    }

    async fn list_pods(&self, namespace: &str, selector: &str) -> Result<Vec<Pod>, kube::Error> {
        let mut items = self
            .pods(namespace)
            .list(&ListParams::default().labels(selector))
            .await?
            .items;
        items.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(items)
    }

    async fn selector_of(
        &self,
        namespace: &str,
        kind: WorkloadKind,
        name: &str,
    ) -> Result<String, CoreError> {
        super::workload::selector_of(&self.client, &self.target, namespace, kind, name).await
    }

    fn watch_pods(
        &self,
        namespace: &str,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Option<PodWatch> {
        let mut cfg = watcher::Config::default();
        if let Some(l) = labels {
            cfg = cfg.labels(l);
        }
        if let Some(f) = fields {
            cfg = cfg.fields(f);
        }
        Some(watcher(self.pods(namespace), cfg).default_backoff().boxed())
    }

    fn target(&self) -> &Target {
        &self.target
    }
}

/// Messages from source tasks to the view.
#[derive(Debug)]
pub enum SourceMsg {
    /// Lines, in order.
    Lines(u32, Vec<RawLine>),
    /// A state change.
    State(u32, SourceState),
    /// A failure (a `Done(Failed)` follows).
    Error(u32, LogProblem, UiError),
    /// The source is finished.
    Done(u32, EndReason),
}

/// The request parameters as sent to the server.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    /// `follow`.
    pub follow: bool,
    /// `previous`.
    pub previous: bool,
    /// `tailLines`.
    pub tail_lines: Option<i64>,
    /// `sinceSeconds`.
    pub since_seconds: Option<i64>,
    /// `sinceTime`.
    pub since_time: Option<jiff::Timestamp>,
    /// `limitBytes`.
    pub limit_bytes: Option<i64>,
    /// `timestamps`: asked for whenever it does not change the content (not with
    /// `limitBytes`, which counts the timestamps), so lines can be merged and resumed.
    pub timestamps: bool,
}

impl Wire {
    /// The wire parameters for a view's options.
    pub fn new(opts: &LogOptions) -> Result<Self, CoreError> {
        let (since_seconds, since_time) = match &opts.since {
            None => (None, None),
            Some(LogSince::Seconds(s)) => (Some(*s), None),
            Some(LogSince::Time(t)) => (
                None,
                Some(
                    super::time::parse_since_time(t).map_err(|m| CoreError::Logs {
                        problem: LogProblem::InvalidRequest,
                        message: m,
                    })?,
                ),
            ),
        };
        Ok(Self {
            follow: opts.follow,
            previous: opts.previous,
            tail_lines: opts.tail_lines,
            since_seconds,
            since_time,
            limit_bytes: opts.limit_bytes,
            timestamps: opts.timestamps || opts.limit_bytes.is_none(),
        })
    }

    /// kube-rs parameters for `container`.
    pub fn params(&self, container: &str) -> LogParams {
        LogParams {
            container: Some(container.to_string()),
            follow: self.follow,
            limit_bytes: self.limit_bytes,
            pretty: false,
            previous: self.previous,
            since_seconds: self.since_seconds,
            // kube-rs rounds to whole seconds (the server's precision); floor first so a
            // resume never starts after the last line seen.
            since_time: self
                .since_time
                .map(|t| jiff::Timestamp::from_second(t.as_second()).unwrap_or(t)),
            tail_lines: self.tail_lines,
            timestamps: self.timestamps,
        }
    }

    /// Whether a followed stream can be reopened without duplicates or gaps.
    fn resumable(&self) -> bool {
        self.follow && self.timestamps && self.limit_bytes.is_none() && !self.previous
    }
}

/// One source's identity.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// The source id.
    pub id: u32,
    /// The namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container.
    pub container: String,
}

/// The newest timestamp delivered and how many lines carried it.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    last: Option<i64>,
    same: u64,
}

impl Seen {
    fn record(&mut self, ts: Option<i64>) {
        let Some(t) = ts else { return };
        match self.last {
            Some(l) if t == l => self.same += 1,
            Some(l) if t < l => {}
            _ => {
                self.last = Some(t);
                self.same = 1;
            }
        }
    }
}

/// Skips what a reopened stream sends again: lines older than the last one delivered, and as
/// many lines with its exact timestamp as were delivered.
#[derive(Debug)]
struct Dedup {
    ts: i64,
    same_left: u64,
    skipped: u64,
}

impl Dedup {
    /// Whether `line` is new.
    fn admit(&mut self, line: &RawLine) -> bool {
        match line.ts {
            Some(t) if t < self.ts => {}
            Some(t) if t == self.ts && self.same_left > 0 => self.same_left -= 1,
            _ => return true,
        }
        self.skipped += 1;
        false
    }
}

fn transient(err: &kube::Error) -> bool {
    match code_of(err) {
        Some(c) => c == 429 || c >= 500,
        None => true,
    }
}

/// Reads `spec`'s log until it ends (or, while following, until the pod or container is
/// gone), sending lines and states to `tx`. Returns when done or when `tx` is closed.
pub async fn run_source<B: Backend>(
    backend: B,
    spec: SourceSpec,
    mut wire: Wire,
    max_line: usize,
    tx: mpsc::Sender<SourceMsg>,
) {
    let id = spec.id;
    let mut splitter = Splitter::new(max_line, wire.timestamps);
    let mut seen = Seen::default();
    let mut opened = false;
    let mut failures: u32 = 0;
    let send = |m: SourceMsg| {
        let tx = tx.clone();
        async move { tx.send(m).await.is_ok() }
    };
    loop {
        let params = match seen.last {
            Some(last) if opened => LogParams {
                since_time: jiff::Timestamp::from_second(floor_seconds(last)).ok(),
                since_seconds: None,
                tail_lines: None,
                ..wire.params(&spec.container)
            },
            _ => wire.params(&spec.container),
        };
        let reader = match backend.open(&spec.namespace, &spec.pod, &params).await {
            Ok(r) => r,
            Err(e) => {
                if opened && code_of(&e) == Some(404) {
                    let _ = send(SourceMsg::Done(id, EndReason::PodDeleted)).await;
                    return;
                }
                if !wire.follow || !transient(&e) {
                    let (problem, err) = log_failure(e, backend.target());
                    let _ = send(SourceMsg::Error(id, problem, err.diagnose())).await;
                    let _ = send(SourceMsg::Done(id, EndReason::Failed)).await;
                    return;
                }
                failures += 1;
                let delay = Backoff::LOGS.delay(failures);
                if !send(SourceMsg::State(id, reconnecting(failures, delay))).await {
                    return;
                }
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        if !opened && wire.since_time.is_none() {
            // A relative window is fixed at the first open, so a reopen keeps the same start.
            if let Some(s) = wire.since_seconds.take() {
                wire.since_time = jiff::Timestamp::now()
                    .checked_sub(jiff::SignedDuration::from_secs(s))
                    .ok();
            }
        }
        let mut dedup = match seen.last {
            Some(ts) if opened => Some(Dedup {
                ts,
                same_left: seen.same,
                skipped: 0,
            }),
            _ => None,
        };
        if !send(SourceMsg::State(id, SourceState::Streaming)).await {
            return;
        }
        opened = true;
        let Some((delivered, broken)) =
            read_all(reader, &mut splitter, &mut seen, &mut dedup, id, &tx).await
        else {
            return;
        };
        if !wire.follow || !wire.resumable() {
            if broken.is_none() || !wire.follow {
                let mut last = Vec::new();
                splitter.finish(&mut last);
                if !last.is_empty() && !send(SourceMsg::Lines(id, tag(last, id))).await {
                    return;
                }
            }
            if let Some(e) = broken {
                let err = CoreError::Logs {
                    problem: LogProblem::Other,
                    message: format!("the log stream broke: {e}"),
                };
                let _ = send(SourceMsg::Error(id, LogProblem::Other, err.diagnose())).await;
                let _ = send(SourceMsg::Done(id, EndReason::Failed)).await;
            } else {
                let _ = send(SourceMsg::Done(id, EndReason::Complete)).await;
            }
            return;
        }
        // Following, and the server closed the stream: the line being read comes again.
        splitter.reset();
        failures = if delivered > 0 { 0 } else { failures + 1 };
        loop {
            match backend.get_pod(&spec.namespace, &spec.pod).await {
                Ok(None) => {
                    let _ = send(SourceMsg::Done(id, EndReason::PodDeleted)).await;
                    return;
                }
                Ok(Some(pod)) => match after_end(&pod, &spec.container) {
                    AfterEnd::Reopen => break,
                    AfterEnd::Terminated(exit_code, reason) => {
                        let _ = send(SourceMsg::Done(
                            id,
                            EndReason::ContainerTerminated { exit_code, reason },
                        ))
                        .await;
                        return;
                    }
                    AfterEnd::Wait(reason, message) => {
                        if !send(SourceMsg::State(
                            id,
                            SourceState::Waiting { reason, message },
                        ))
                        .await
                        {
                            return;
                        }
                        failures += 1;
                        tokio::time::sleep(Backoff::LOGS.delay(failures)).await;
                    }
                },
                Err(_) => {
                    failures += 1;
                    let delay = Backoff::LOGS.delay(failures);
                    if !send(SourceMsg::State(id, reconnecting(failures, delay))).await {
                        return;
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
        let delay = if failures == 0 {
            Duration::ZERO
        } else {
            Backoff::LOGS.delay(failures)
        };
        if !send(SourceMsg::State(id, reconnecting(failures.max(1), delay))).await {
            return;
        }
        tokio::time::sleep(delay).await;
    }
}

fn reconnecting(attempt: u32, delay: Duration) -> SourceState {
    SourceState::Reconnecting {
        attempt,
        delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
    }
}

fn tag(mut lines: Vec<RawLine>, id: u32) -> Vec<RawLine> {
    for l in &mut lines {
        l.source = id;
    }
    lines
}

/// Reads a body to its end. Returns the lines delivered and the read error that ended it (if
/// it did not end cleanly), or `None` if the view is gone.
async fn read_all(
    mut reader: Reader,
    splitter: &mut Splitter,
    seen: &mut Seen,
    dedup: &mut Option<Dedup>,
    id: u32,
    tx: &mpsc::Sender<SourceMsg>,
) -> Option<(u64, Option<std::io::Error>)> {
    let mut delivered = 0u64;
    loop {
        let mut lines = Vec::new();
        let n = match reader.fill_buf().await {
            Ok([]) => return Some((delivered, None)),
            Ok(buf) => {
                splitter.push(buf, &mut lines);
                buf.len()
            }
            Err(e) => return Some((delivered, Some(e))),
        };
        reader.consume_unpin(n);
        if let Some(d) = dedup {
            let before = lines.len();
            let mut iter = std::mem::take(&mut lines).into_iter();
            for line in iter.by_ref() {
                if d.admit(&line) {
                    lines.push(RawLine::marker(
                        id,
                        LogMarker::Resumed { skipped: d.skipped },
                        resumed_text(d.skipped),
                    ));
                    lines.push(line);
                    *dedup = None;
                    break;
                }
            }
            lines.extend(iter);
            debug_assert!(lines.len() <= before + 1);
        }
        for l in &mut lines {
            l.source = id;
            if l.marker.is_none() {
                seen.record(l.ts);
                delivered += 1;
            }
        }
        if !lines.is_empty() && tx.send(SourceMsg::Lines(id, lines)).await.is_err() {
            return None;
        }
    }
}

fn resumed_text(skipped: u64) -> String {
    match skipped {
        0 => "stream reopened by Loupe after the server closed it".into(),
        1 => {
            "stream reopened by Loupe after the server closed it (1 line already shown was skipped)"
                .into()
        }
        n => format!(
            "stream reopened by Loupe after the server closed it ({n} lines already shown were skipped)"
        ),
    }
}

#[cfg(test)]
mod tests;
