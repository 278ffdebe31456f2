//! A log view: its sources (one container, or the containers of a workload's pods) merged in
//! time order, batched for the UI, and kept up to date while following (pods that appear join,
//! pods that go away are marked).

use super::errors::{get_failure, pod_not_found, problem_of};
use super::pods::{Readiness, pod_containers, readiness, short_label};
use super::source::{Backend, PodWatch, SourceMsg, SourceSpec, Wire, run_source};
use super::split::{DEFAULT_MAX_LINE_BYTES, RawLine};
use crate::CoreError;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher;
use loupe_model::UiError;
use loupe_model::logs::{
    ContainerKind, ContainerSelection, EndReason, LogBatch, LogEvent, LogMarker, LogOptions,
    LogProblem, LogSource, SourceState, WorkloadTarget,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

/// Knobs of a view; the defaults suit the UI.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Text bytes kept per line; longer lines are cut and flagged (`usize::MAX`: never cut,
    /// as the CLI prints).
    pub max_line_bytes: usize,
    /// A batch is sent when it holds this many lines...
    pub batch_lines: usize,
    /// ...or this long after its first event, whichever comes first.
    pub batch_interval: Duration,
    /// While following several sources, a line waits at most this long for the other sources
    /// to show they have nothing older (then it is shown anyway).
    pub merge_hold: Duration,
    /// The same when not following (sources are read as fast as the server sends).
    pub merge_hold_snapshot: Duration,
    /// Lines held for merging at most; beyond that the oldest is shown at once.
    pub max_queued: usize,
    /// Batches ready for a slow consumer; then reading the server pauses (back-pressure).
    pub channel_batches: usize,
    /// A workload view whose pods are none at the start ends at once, even when following
    /// (kubectl's behaviour; a UI view rather waits for pods to appear).
    pub end_when_empty: bool,
    /// Ask the server for each line's timestamp even when neither merging nor resuming needs
    /// it, so a view can show or hide them without asking again. The CLI turns this off: the
    /// server then sends about 30 bytes less per line.
    pub line_timestamps: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            batch_lines: 1000,
            batch_interval: Duration::from_millis(50),
            merge_hold: Duration::from_millis(300),
            merge_hold_snapshot: Duration::from_secs(2),
            max_queued: 100_000,
            channel_batches: 16,
            end_when_empty: false,
            line_timestamps: true,
        }
    }
}

/// An event of a view with lines as the server's bytes (see [`RawLine`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawEvent {
    /// A source joined.
    Source(LogSource),
    /// Lines in display order.
    Lines(Vec<RawLine>),
    /// A source changed state.
    State {
        /// The source id.
        source: u32,
        /// The state.
        state: SourceState,
    },
    /// A failure of one source (`Some`) or of the view (`None`, an `End` follows).
    Error {
        /// The source.
        source: Option<u32>,
        /// The category.
        problem: LogProblem,
        /// Message, hint and diagnosis.
        error: UiError,
    },
    /// The view is over.
    End(EndReason),
}

impl RawEvent {
    /// The event as the UI receives it.
    pub fn into_model(self) -> LogEvent {
        match self {
            RawEvent::Source(source) => LogEvent::Source { source },
            RawEvent::Lines(lines) => LogEvent::Lines {
                lines: lines.into_iter().map(RawLine::into_model).collect(),
            },
            RawEvent::State { source, state } => LogEvent::State { source, state },
            RawEvent::Error {
                source,
                problem,
                error,
            } => LogEvent::Error {
                source,
                problem,
                error,
            },
            RawEvent::End(reason) => LogEvent::End { reason },
        }
    }
}

/// A batch of [`RawEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBatch {
    /// The events, in order.
    pub events: Vec<RawEvent>,
}

impl RawBatch {
    /// The batch as the UI receives it.
    pub fn into_model(self) -> LogBatch {
        LogBatch {
            events: self.events.into_iter().map(RawEvent::into_model).collect(),
        }
    }
}

/// A running view with lines as the server's bytes (for the CLI, which prints them as they
/// are). Dropping it stops the view and all its requests.
pub struct RawLogStream {
    rx: mpsc::Receiver<RawBatch>,
    task: AbortHandle,
}

impl Drop for RawLogStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawLogStream {
    /// The next batch; `None` after the `End` event.
    pub async fn next_batch(&mut self) -> Option<RawBatch> {
        self.rx.recv().await
    }
}

impl Stream for RawLogStream {
    type Item = RawBatch;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<RawBatch>> {
        self.rx.poll_recv(cx)
    }
}

/// A running view, as the UI consumes it: [`LogBatch`]es until [`LogEvent::End`]. Dropping
/// it stops the view and all its requests.
pub struct LogStream {
    inner: RawLogStream,
}

impl LogStream {
    /// Wraps a raw stream.
    pub fn new(inner: RawLogStream) -> Self {
        Self { inner }
    }

    /// The next batch; `None` after the `End` event.
    pub async fn next_batch(&mut self) -> Option<LogBatch> {
        self.inner.next_batch().await.map(RawBatch::into_model)
    }
}

impl Stream for LogStream {
    type Item = LogBatch;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<LogBatch>> {
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|b| b.map(RawBatch::into_model))
    }
}

/// Which pods a view reads.
#[derive(Debug, Clone)]
pub enum PodSet {
    /// One pod by name; the view ends when it is gone.
    Named(String),
    /// The pods of a workload or selector; followed, it never ends by itself.
    Target(WorkloadTarget),
}

/// What a view reads.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The namespace.
    pub namespace: String,
    /// Which pods.
    pub pods: PodSet,
    /// Which containers of each.
    pub containers: ContainerSelection,
    /// The flags.
    pub options: LogOptions,
    /// At most this many streams when following (checked at the start).
    pub max_streams: Option<u32>,
}

/// Starts a view on the current tokio runtime.
pub fn open<B: Backend>(backend: B, plan: Plan, tuning: Tuning) -> RawLogStream {
    let (out, rx) = mpsc::channel(tuning.channel_batches.max(1));
    let (tx, src_rx) = mpsc::channel(64);
    let view = View {
        b: backend,
        plan,
        wire: Wire::default(),
        tuning,
        out,
        tx,
        rx: src_rx,
        tasks: JoinSet::new(),
        slots: Vec::new(),
        pods: HashMap::new(),
        init_seen: None,
        queued: 0,
        seq: 0,
        batch: Vec::new(),
        batch_lines: 0,
        batch_since: None,
        hold_until: None,
        started: false,
        selector: String::new(),
        next_poll: None,
    };
    let task = tokio::spawn(view.run()).abort_handle();
    RawLogStream { rx, task }
}

enum Item {
    Line(Instant, RawLine),
    Event(RawEvent),
    Done(EndReason),
}

struct Slot {
    source: LogSource,
    queue: VecDeque<Item>,
    handle: Option<AbortHandle>,
    /// Waiting for the container to start before reading (while following).
    pending: bool,
    /// A `Done` is queued: nothing more will come.
    closing: bool,
    /// The `Done` was emitted.
    ended: Option<EndReason>,
    /// Timestamp of the last line shown, the merge key of lines without one.
    key: i64,
}

impl Slot {
    /// A source that may still send lines but has none queued: older lines may be on the way.
    fn blocks(&self) -> bool {
        self.handle.is_some() && !self.closing && self.queue.is_empty()
    }
}

struct View<B: Backend> {
    b: B,
    plan: Plan,
    wire: Wire,
    tuning: Tuning,
    out: mpsc::Sender<RawBatch>,
    tx: mpsc::Sender<SourceMsg>,
    rx: mpsc::Receiver<SourceMsg>,
    tasks: JoinSet<()>,
    slots: Vec<Slot>,
    /// Pod uid → its source ids.
    pods: HashMap<String, Vec<u32>>,
    /// Uids seen since the watcher (re)started listing.
    init_seen: Option<HashSet<String>>,
    queued: usize,
    seq: u64,
    batch: Vec<RawEvent>,
    batch_lines: usize,
    batch_since: Option<Instant>,
    hold_until: Option<Instant>,
    /// The initial pods are known (later ones join).
    started: bool,
    /// The label selector of a workload view.
    selector: String,
    /// Without a pod watch, when to look again at pods whose containers have not started.
    next_poll: Option<Instant>,
}

enum Wake {
    Msg(Option<SourceMsg>),
    Watch(Box<Option<Result<watcher::Event<Pod>, watcher::Error>>>),
    Tick,
}

async fn next_event(
    w: &mut Option<PodWatch>,
) -> Option<Result<watcher::Event<Pod>, watcher::Error>> {
    match w {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

impl<B: Backend> View<B> {
    async fn run(mut self) {
        if let Err(e) = self.start().await {
            self.emit(RawEvent::Error {
                source: None,
                problem: problem_of(&e),
                error: e.diagnose(),
            });
            self.emit(RawEvent::End(EndReason::Failed));
            let _ = self.flush().await;
            return;
        }
        self.started = true;
        let mut watch = if self.wire.follow {
            let ns = self.plan.namespace.clone();
            match &self.plan.pods {
                PodSet::Named(name) => {
                    self.b
                        .watch_pods(&ns, None, Some(&format!("metadata.name={name}")))
                }
                PodSet::Target(_) => {
                    let sel = self.selector.clone();
                    self.b.watch_pods(&ns, Some(&sel), None)
                }
            }
        } else {
            None
        };
        loop {
            let now = Instant::now();
            if !self.drain(now, false).await {
                return;
            }
            let done = self.finished(watch.is_some());
            if done {
                if !self.drain(now, true).await {
                    return;
                }
                let reason = self.end_reason();
                self.emit(RawEvent::End(reason));
            }
            let due = self
                .batch_since
                .is_some_and(|t| now >= t + self.tuning.batch_interval);
            if (done || due) && !self.flush().await {
                return;
            }
            if done {
                return;
            }
            if watch.is_none() {
                self.poll_pending(now).await;
            }
            let deadline = self.deadline();
            let wake = tokio::select! {
                m = self.rx.recv() => Wake::Msg(m),
                e = next_event(&mut watch) => Wake::Watch(Box::new(e)),
                () = tokio::time::sleep_until(deadline) => Wake::Tick,
            };
            match wake {
                Wake::Msg(Some(m)) => self.on_msg(m),
                Wake::Msg(None) | Wake::Tick => {}
                Wake::Watch(e) => self.on_watch(*e, &mut watch),
            }
            // Take what else is ready without waiting: fewer, fuller batches.
            for _ in 0..256 {
                match self.rx.try_recv() {
                    Ok(m) => self.on_msg(m),
                    Err(_) => break,
                }
            }
        }
    }

    /// Merges what the queues allow, sending each batch as it fills up. `false` if the
    /// consumer is gone.
    async fn drain(&mut self, now: Instant, all: bool) -> bool {
        loop {
            self.merge(now, all);
            if self.batch_lines < self.tuning.batch_lines {
                return true;
            }
            if !self.flush().await {
                return false;
            }
        }
    }

    fn deadline(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(3600);
        let batch = self
            .batch_since
            .map_or(far, |t| t + self.tuning.batch_interval);
        batch
            .min(self.hold_until.unwrap_or(far))
            .min(self.next_poll.unwrap_or(far))
    }

    /// Without a pod watch (no `watch pods` permission), looks every 2 s at the pods whose
    /// containers have not started yet, so a waiting view still starts (or ends).
    async fn poll_pending(&mut self, now: Instant) {
        let pending: Vec<(String, String)> = self
            .slots
            .iter()
            .filter(|s| s.pending)
            .map(|s| (s.source.namespace.clone(), s.source.pod.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if pending.is_empty() {
            self.next_poll = None;
            return;
        }
        match self.next_poll {
            Some(t) if now < t => return,
            None => {
                self.next_poll = Some(now + Duration::from_secs(2));
                return;
            }
            Some(_) => {}
        }
        self.next_poll = Some(now + Duration::from_secs(2));
        for (ns, name) in pending {
            match self.b.get_pod(&ns, &name).await {
                Ok(Some(pod)) => self.pod_applied(&pod),
                Ok(None) => {
                    let uids: Vec<String> = self
                        .pods
                        .iter()
                        .filter(|(_, ids)| {
                            ids.iter()
                                .any(|id| self.slots[*id as usize].source.pod == name)
                        })
                        .map(|(u, _)| u.clone())
                        .collect();
                    for uid in uids {
                        self.pod_gone(&uid);
                    }
                }
                Err(_) => {}
            }
        }
    }

    async fn start(&mut self) -> Result<(), CoreError> {
        self.wire = Wire::new(&self.plan.options)?;
        let merged = !matches!(self.plan.pods, PodSet::Named(_))
            || self.plan.containers == ContainerSelection::All;
        if !self.tuning.line_timestamps && !self.wire.follow && !merged {
            self.wire.timestamps = self.plan.options.timestamps;
        }
        let ns = self.plan.namespace.clone();
        match self.plan.pods.clone() {
            PodSet::Named(name) => {
                let pod = match self.b.get_pod(&ns, &name).await {
                    Ok(Some(p)) => p,
                    Ok(None) => return Err(pod_not_found(&ns, &name)),
                    Err(e) => {
                        return Err(get_failure(
                            e,
                            self.b.target(),
                            &ns,
                            LogProblem::PodNotFound,
                        ));
                    }
                };
                let containers = self.containers_of(&pod, true)?;
                self.add_pod(&pod, containers, false);
            }
            PodSet::Target(target) => {
                self.selector = match &target {
                    WorkloadTarget::Selector { selector } => selector.clone(),
                    WorkloadTarget::Object { kind, name } => {
                        self.b.selector_of(&ns, *kind, name).await?
                    }
                };
                let pods = self
                    .b
                    .list_pods(&ns, &self.selector)
                    .await
                    .map_err(|e| get_failure(e, self.b.target(), &ns, LogProblem::Other))?;
                let mut plan = Vec::new();
                for p in &pods {
                    plan.push(self.containers_of(p, true)?);
                }
                let count: usize = plan.iter().map(Vec::len).sum();
                if self.wire.follow
                    && let Some(max) = self.plan.max_streams
                    && count > max as usize
                {
                    return Err(CoreError::Logs {
                        problem: LogProblem::TooManyStreams {
                            count: u32::try_from(count).unwrap_or(u32::MAX),
                            max,
                        },
                        message: format!(
                            "you are attempting to follow {count} log streams, but maximum allowed concurrency is {max}, use --max-log-requests to increase the limit"
                        ),
                    });
                }
                for (p, containers) in pods.iter().zip(plan) {
                    self.add_pod(p, containers, false);
                }
            }
        }
        Ok(())
    }

    /// The containers of `pod` the view reads. A named container that the pod lacks is an
    /// error at the start (as kubectl) and skips the pod later.
    fn containers_of(&self, pod: &Pod, strict: bool) -> Result<Vec<String>, CoreError> {
        let pc = pod_containers(pod);
        Ok(match &self.plan.containers {
            ContainerSelection::Default => vec![pc.default_container],
            ContainerSelection::Named(c) => {
                if pc.containers.iter().any(|x| &x.name == c) {
                    vec![c.clone()]
                } else if strict {
                    return Err(CoreError::Logs {
                        problem: LogProblem::ContainerNotFound {
                            available: pc.containers.iter().map(|c| c.name.clone()).collect(),
                        },
                        message: format!("container {c} is not valid for pod {}", pc.pod),
                    });
                } else {
                    Vec::new()
                }
            }
            // kubectl's --all-containers order: init, regular, ephemeral.
            ContainerSelection::All => [
                ContainerKind::Init,
                ContainerKind::Regular,
                ContainerKind::Ephemeral,
            ]
            .iter()
            .flat_map(|k| pc.containers.iter().filter(move |c| c.kind == *k))
            .map(|c| c.name.clone())
            .collect(),
        })
    }

    fn add_pod(&mut self, pod: &Pod, containers: Vec<String>, joined: bool) {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let pc = pod_containers(pod);
        let multi = matches!(self.plan.containers, ContainerSelection::All);
        let short = short_label(pod);
        let mut ids = Vec::new();
        for c in containers {
            let id = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
            let label = if multi {
                format!("{short}/{c}")
            } else {
                short.clone()
            };
            let source = LogSource {
                id,
                namespace: self.plan.namespace.clone(),
                pod: name.clone(),
                container: c.clone(),
                label,
                prefix: format!("[pod/{name}/{c}]"),
            };
            self.emit(RawEvent::Source(source.clone()));
            if joined {
                let text = format!("pod {name} joined (container {c})");
                self.emit_line(RawLine::marker(id, LogMarker::Joined, text));
            }
            self.slots.push(Slot {
                source,
                queue: VecDeque::new(),
                handle: None,
                pending: false,
                closing: false,
                ended: None,
                key: i64::MIN,
            });
            ids.push(id);
            match readiness(&pc, &c) {
                Readiness::Waiting(reason, message) => {
                    self.emit(RawEvent::State {
                        source: id,
                        state: SourceState::Waiting { reason, message },
                    });
                    if self.wire.follow {
                        self.slot_mut(id).pending = true;
                        continue;
                    }
                    // Not following: ask anyway, the server's answer is what kubectl shows.
                    self.spawn(id, joined);
                }
                Readiness::Readable => self.spawn(id, joined),
            }
        }
        self.pods.insert(uid, ids);
    }

    fn slot_mut(&mut self, id: u32) -> &mut Slot {
        &mut self.slots[id as usize]
    }

    fn spawn(&mut self, id: u32, joined: bool) {
        let slot = &self.slots[id as usize];
        let spec = SourceSpec {
            id,
            namespace: slot.source.namespace.clone(),
            pod: slot.source.pod.clone(),
            container: slot.source.container.clone(),
        };
        let mut wire = self.wire.clone();
        if joined {
            // A pod that appeared while following: all of its log is new.
            wire.tail_lines = None;
            wire.since_seconds = None;
            wire.since_time = None;
        }
        let handle = self.tasks.spawn(run_source(
            self.b.clone(),
            spec,
            wire,
            self.tuning.max_line_bytes,
            self.tx.clone(),
        ));
        let slot = self.slot_mut(id);
        slot.pending = false;
        slot.handle = Some(handle);
    }

    fn on_msg(&mut self, m: SourceMsg) {
        let now = Instant::now();
        let (id, item) = match m {
            SourceMsg::Lines(id, lines) => {
                let Some(slot) = self.slots.get_mut(id as usize) else {
                    return;
                };
                if slot.closing || slot.ended.is_some() {
                    return;
                }
                self.queued += lines.len();
                slot.queue
                    .extend(lines.into_iter().map(|l| Item::Line(now, l)));
                return;
            }
            SourceMsg::State(id, state) => (id, Item::Event(RawEvent::State { source: id, state })),
            SourceMsg::Error(id, problem, error) => (
                id,
                Item::Event(RawEvent::Error {
                    source: Some(id),
                    problem,
                    error,
                }),
            ),
            SourceMsg::Done(id, reason) => (id, Item::Done(reason)),
        };
        let Some(slot) = self.slots.get_mut(id as usize) else {
            return;
        };
        if slot.closing || slot.ended.is_some() {
            return;
        }
        if matches!(item, Item::Done(_)) {
            slot.closing = true;
        }
        slot.queue.push_back(item);
    }

    fn on_watch(
        &mut self,
        ev: Option<Result<watcher::Event<Pod>, watcher::Error>>,
        watch: &mut Option<PodWatch>,
    ) {
        match ev {
            None => *watch = None,
            Some(Err(e)) => {
                // Without list/watch rights the view goes on; deletions are then noticed
                // when a stream ends.
                let forbidden = match &e {
                    watcher::Error::InitialListFailed(k)
                    | watcher::Error::WatchStartFailed(k)
                    | watcher::Error::WatchFailed(k) => {
                        super::errors::code_of(k).is_some_and(|c| c == 403 || c == 401)
                    }
                    watcher::Error::WatchError(s) => s.code == 403,
                    watcher::Error::NoResourceVersion => true,
                };
                if forbidden {
                    *watch = None;
                }
            }
            Some(Ok(ev)) => match ev {
                watcher::Event::Init => self.init_seen = Some(HashSet::new()),
                watcher::Event::InitApply(pod) => {
                    if let (Some(seen), Some(uid)) = (&mut self.init_seen, &pod.metadata.uid) {
                        seen.insert(uid.clone());
                    }
                    self.pod_applied(&pod);
                }
                watcher::Event::Apply(pod) => self.pod_applied(&pod),
                watcher::Event::InitDone => {
                    if let Some(seen) = self.init_seen.take() {
                        let gone: Vec<String> = self
                            .pods
                            .keys()
                            .filter(|u| !seen.contains(*u))
                            .cloned()
                            .collect();
                        for uid in gone {
                            self.pod_gone(&uid);
                        }
                    }
                }
                watcher::Event::Delete(pod) => {
                    if let Some(uid) = &pod.metadata.uid {
                        self.pod_gone(uid);
                    }
                }
            },
        }
    }

    fn pod_applied(&mut self, pod: &Pod) {
        let Some(uid) = pod.metadata.uid.clone() else {
            return;
        };
        if let Some(ids) = self.pods.get(&uid).cloned() {
            let pc = pod_containers(pod);
            for id in ids {
                let slot = &self.slots[id as usize];
                if slot.pending && readiness(&pc, &slot.source.container) == Readiness::Readable {
                    self.slot_mut(id)
                        .queue
                        .push_back(Item::Event(RawEvent::State {
                            source: id,
                            state: SourceState::Streaming,
                        }));
                    self.spawn(id, false);
                }
            }
            return;
        }
        // A pod the view did not know: it joins a workload view (a named pod's view ignores a
        // new pod that reuses the name). Pods already being deleted do not join.
        if matches!(self.plan.pods, PodSet::Named(_)) || pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        if let Ok(containers) = self.containers_of(pod, false)
            && !containers.is_empty()
        {
            self.add_pod(pod, containers, self.started);
        }
    }

    fn pod_gone(&mut self, uid: &str) {
        let Some(ids) = self.pods.get(uid).cloned() else {
            return;
        };
        // Lines already read belong before the end.
        while let Ok(m) = self.rx.try_recv() {
            self.on_msg(m);
        }
        for id in ids {
            let slot = self.slot_mut(id);
            if slot.closing || slot.ended.is_some() {
                continue;
            }
            if let Some(h) = slot.handle.take() {
                h.abort();
            }
            slot.pending = false;
            slot.closing = true;
            slot.queue.push_back(Item::Done(EndReason::PodDeleted));
        }
    }

    /// Moves lines (in time order) and events from the source queues into the batch.
    fn merge(&mut self, now: Instant, all: bool) {
        self.hold_until = None;
        let hold = if self.wire.follow {
            self.tuning.merge_hold
        } else {
            self.tuning.merge_hold_snapshot
        };
        while self.batch_lines < self.tuning.batch_lines {
            // Events at the heads go out first: they have no timestamp to wait for.
            for i in 0..self.slots.len() {
                while matches!(
                    self.slots[i].queue.front(),
                    Some(Item::Event(_) | Item::Done(_))
                ) {
                    match self.slots[i].queue.pop_front() {
                        Some(Item::Event(e)) => self.emit(e),
                        Some(Item::Done(reason)) => self.end_slot(i, reason),
                        _ => {}
                    }
                }
            }
            let mut best: Option<(i64, usize)> = None;
            let mut oldest: Option<Instant> = None;
            let mut blocked = false;
            for (i, s) in self.slots.iter().enumerate() {
                match s.queue.front() {
                    Some(Item::Line(at, l)) => {
                        let k = l.ts.unwrap_or(s.key);
                        if best.is_none_or(|(bk, _)| k < bk) {
                            best = Some((k, i));
                        }
                        oldest = Some(oldest.map_or(*at, |o| o.min(*at)));
                    }
                    None if s.blocks() => blocked = true,
                    _ => {}
                }
            }
            let Some((_, i)) = best else { break };
            if blocked && !all && self.queued <= self.tuning.max_queued {
                let release = oldest.map_or(now, |o| o + hold);
                if now < release {
                    self.hold_until = Some(release);
                    break;
                }
            }
            if let Some(Item::Line(_, line)) = self.slots[i].queue.pop_front() {
                self.queued -= 1;
                if let Some(ts) = line.ts {
                    self.slots[i].key = ts;
                }
                self.emit_line(line);
            }
        }
    }

    fn end_slot(&mut self, i: usize, reason: EndReason) {
        let slot = &mut self.slots[i];
        if slot.ended.is_some() {
            return;
        }
        slot.ended = Some(reason.clone());
        slot.handle = None;
        slot.closing = true;
        let id = slot.source.id;
        let what = format!(
            "pod {} (container {})",
            slot.source.pod, slot.source.container
        );
        if self.wire.follow && reason != EndReason::Complete {
            let text = match &reason {
                EndReason::PodDeleted => format!("{what} was deleted"),
                EndReason::ContainerTerminated { exit_code, reason } => {
                    let mut t = format!("{what} stopped");
                    if let Some(c) = exit_code {
                        t.push_str(&format!(" with exit code {c}"));
                    }
                    if let Some(r) = reason {
                        t.push_str(&format!(" ({r})"));
                    }
                    t
                }
                _ => format!("{what}: the stream failed"),
            };
            self.emit_line(RawLine::marker(
                id,
                LogMarker::Left {
                    reason: reason.clone(),
                },
                text,
            ));
        }
        self.emit(RawEvent::State {
            source: id,
            state: SourceState::Ended { reason },
        });
    }

    fn finished(&self, watching: bool) -> bool {
        let all_ended = self
            .slots
            .iter()
            .all(|s| s.ended.is_some() && s.queue.is_empty());
        if !self.wire.follow {
            return all_ended;
        }
        match self.plan.pods {
            PodSet::Named(_) => all_ended,
            // A followed workload waits for new pods while it can see them.
            PodSet::Target(_) => {
                (all_ended && !watching && !self.slots.is_empty())
                    || (self.tuning.end_when_empty && self.slots.is_empty())
            }
        }
    }

    fn end_reason(&self) -> EndReason {
        let reasons: Vec<&EndReason> = self.slots.iter().filter_map(|s| s.ended.as_ref()).collect();
        match reasons.as_slice() {
            [] => EndReason::Complete,
            [one] => (*one).clone(),
            many if many.iter().all(|r| **r == EndReason::Failed) => EndReason::Failed,
            many if many.iter().all(|r| **r == EndReason::PodDeleted) => EndReason::PodDeleted,
            _ => EndReason::Complete,
        }
    }

    fn emit(&mut self, ev: RawEvent) {
        if self.batch_since.is_none() {
            self.batch_since = Some(Instant::now());
        }
        self.batch.push(ev);
    }

    fn emit_line(&mut self, mut line: RawLine) {
        line.seq = self.seq;
        self.seq += 1;
        self.batch_lines += 1;
        if let Some(RawEvent::Lines(v)) = self.batch.last_mut() {
            v.push(line);
        } else {
            let mut v = Vec::with_capacity(64);
            v.push(line);
            self.emit(RawEvent::Lines(v));
        }
    }

    async fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = RawBatch {
            events: std::mem::take(&mut self.batch),
        };
        self.batch_lines = 0;
        self.batch_since = None;
        self.out.send(batch).await.is_ok()
    }
}

#[cfg(test)]
mod tests;
