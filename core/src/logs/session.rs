//! A log view's lines, kept in the backend: the ring buffer, the search results and the row
//! layout. The webview asks for the rows it draws ([`LogSession::window`]) and is told when
//! something changed ([`run`]), so a million lines or a follow at 50,000 lines a second never
//! pass through the page (whose heap grew by 100–250 MB when every line did).

use super::LogStream;
use crate::CoreError;
use crate::tasks::TaskSet;
use futures::StreamExt;
use loupe_model::UiError;
use loupe_model::logs::{
    LogBatch, LogBuffer, LogEvent, LogJump, LogLook, LogMatcher, LogProblem, LogSource, LogStatus,
    LogText, LogWindow, LogWindowRequest, MatchTracker, SourceState, WindowLine, next_match,
    pretty_json, rows_of, search_matcher,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// A view's state. Shared by the task that feeds it and the commands that read it.
#[derive(Debug)]
pub struct LogSession {
    state: Mutex<State>,
    version: watch::Sender<u64>,
}

#[derive(Debug)]
struct State {
    buffer: LogBuffer,
    received: u64,
    sources: BTreeMap<u32, LogSource>,
    states: BTreeMap<u32, SourceState>,
    error: Option<UiError>,
    ended: bool,
    /// The last pattern compiled, and what it compiled to.
    compiled: Option<(String, Result<LogMatcher, String>)>,
    tracker: MatchTracker,
    /// Rows per line (by seq) for one way of drawing: a batch only lays out its new lines.
    row_key: Option<(u64, bool, Option<u32>)>,
    rows: HashMap<u64, u32>,
}

/// The lines shown after the filter: all of them, or these buffer indexes.
enum Shown {
    All(usize),
    Some(Vec<usize>),
}

impl Shown {
    fn len(&self) -> usize {
        match self {
            Shown::All(n) => *n,
            Shown::Some(v) => v.len(),
        }
    }

    fn index(&self, position: usize) -> Option<usize> {
        match self {
            Shown::All(n) => (position < *n).then_some(position),
            Shown::Some(v) => v.get(position).copied(),
        }
    }

    fn position(&self, index: usize) -> Option<usize> {
        match self {
            Shown::All(n) => (index < *n).then_some(index),
            Shown::Some(v) => v.binary_search(&index).ok(),
        }
    }
}

/// Where each shown line starts, in rows.
enum Layout {
    /// Every line is one row.
    Uniform(usize),
    /// Rows before each line, and the total last: one more entry than lines.
    Rows(Vec<u64>),
}

impl Layout {
    fn len(&self) -> usize {
        match self {
            Layout::Uniform(n) => *n,
            Layout::Rows(p) => p.len() - 1,
        }
    }

    /// Rows before line `i` (`i` = `len()` gives the total).
    fn row_of(&self, i: usize) -> u64 {
        match self {
            Layout::Uniform(n) => i.min(*n) as u64,
            Layout::Rows(p) => p.get(i).or(p.last()).copied().unwrap_or(0),
        }
    }

    /// The line that holds `row` (`len()` past the end).
    fn item_at(&self, row: u64) -> usize {
        match self {
            Layout::Uniform(n) => usize::try_from(row).unwrap_or(usize::MAX).min(*n),
            Layout::Rows(p) => p
                .partition_point(|&r| r <= row)
                .saturating_sub(1)
                .min(self.len()),
        }
    }
}

impl State {
    fn apply(&mut self, batch: LogBatch) {
        self.received += batch.lines().count() as u64;
        let (rest, _) = self.buffer.push_events(batch.events);
        for e in rest {
            match e {
                LogEvent::Source { source } => {
                    self.sources.insert(source.id, source);
                }
                LogEvent::State { source, state } => {
                    self.states.insert(source, state);
                }
                LogEvent::Error {
                    error,
                    source: None,
                    ..
                } => self.error = Some(error),
                LogEvent::Error {
                    error,
                    source: Some(_),
                    ..
                } => {
                    self.error.get_or_insert(error);
                }
                LogEvent::End { .. } => self.ended = true,
                LogEvent::Lines { .. } => {}
            }
        }
    }

    /// The matcher of `pattern` (compiled once per pattern).
    fn matcher(&mut self, pattern: &str) -> Result<LogMatcher, String> {
        match &self.compiled {
            Some((p, m)) if p == pattern => m.clone(),
            _ => {
                let m = search_matcher(pattern).map_err(|e| e.to_string());
                self.compiled = Some((pattern.to_string(), m.clone()));
                m
            }
        }
    }

    /// Brings the search results up to date; the matcher when the pattern is valid and not
    /// empty.
    fn search(&mut self, look: &LogLook) -> Option<LogMatcher> {
        let m = self.matcher(&look.pattern).ok().filter(|m| !m.is_empty())?;
        self.tracker.update(&self.buffer, &look.pattern, &m);
        Some(m)
    }

    fn shown(&mut self, look: &LogLook) -> Shown {
        match self.search(look) {
            Some(_) if look.filter_only => Shown::Some(self.tracker.indices(&self.buffer, true)),
            _ => Shown::All(self.buffer.len()),
        }
    }

    fn layout(&mut self, look: &LogLook, shown: &Shown) -> Layout {
        if !look.variable() {
            return Layout::Uniform(shown.len());
        }
        let key = Some((self.buffer.generation(), look.json, look.wrap_columns));
        if self.row_key != key {
            self.row_key = key;
            self.rows.clear();
        }
        // Forget lines the ring dropped.
        if self.rows.len() > 2 * self.buffer.len() + 1_000
            && let Some(first) = self.buffer.get(0).map(|l| l.seq)
        {
            self.rows.retain(|seq, _| *seq >= first);
        }
        let cols = look.wrap_columns.map(|c| c as usize);
        let mut prefix = Vec::with_capacity(shown.len() + 1);
        let mut total = 0u64;
        prefix.push(0);
        for position in 0..shown.len() {
            if let Some(l) = shown.index(position).and_then(|i| self.buffer.get(i)) {
                total += u64::from(
                    *self
                        .rows
                        .entry(l.seq)
                        .or_insert_with(|| rows_of(l, look.json, cols)),
                );
            }
            prefix.push(total);
        }
        Layout::Rows(prefix)
    }

    fn status(&self, version: u64) -> LogStatus {
        LogStatus {
            version,
            received: self.received,
            kept: self.buffer.len() as u64,
            dropped: self.buffer.dropped(),
            capacity: self.buffer.capacity() as u64,
            sources: self.sources.values().cloned().collect(),
            states: self.states.iter().map(|(id, s)| (*id, s.clone())).collect(),
            error: self.error.clone(),
            ended: self.ended,
        }
    }
}

impl LogSession {
    /// An empty view that keeps at most `capacity` lines.
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                buffer: LogBuffer::new(capacity),
                received: 0,
                sources: BTreeMap::new(),
                states: BTreeMap::new(),
                error: None,
                ended: false,
                compiled: None,
                tracker: MatchTracker::default(),
                row_key: None,
                rows: HashMap::new(),
            }),
            version: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state and counts the change: the version lives in the watch channel that
    /// wakes [`run`], bumped under the lock so a status never pairs old lines with a new
    /// version.
    fn change(&self, f: impl FnOnce(&mut State)) {
        let mut s = self.lock();
        f(&mut s);
        self.version.send_modify(|v| *v += 1);
    }

    /// The version of the state now (call with the state locked).
    fn version(&self) -> u64 {
        *self.version.borrow()
    }

    /// Takes in a batch of the view's stream.
    pub fn apply(&self, batch: LogBatch) {
        self.change(|s| s.apply(batch));
    }

    /// Changes the ring's size, dropping the oldest lines if there are now too many.
    pub fn set_capacity(&self, capacity: usize) {
        self.change(|s| s.buffer.set_capacity(capacity));
    }

    /// The view's state now.
    pub fn status(&self) -> LogStatus {
        let s = self.lock();
        s.status(self.version())
    }

    /// The rows `req` asks for, drawn as it says.
    pub fn window(&self, req: &LogWindowRequest) -> LogWindow {
        let mut s = self.lock();
        let look = &req.look;
        let pattern_error = s.matcher(&look.pattern).err();
        let matches = s
            .search(look)
            .map(|m| s.tracker.count(&m) as u64)
            .filter(|_| !look.pattern.is_empty());
        let shown = s.shown(look);
        let layout = s.layout(look, &shown);
        let total_rows = layout.row_of(layout.len());
        let first_row = if req.at_end {
            total_rows.saturating_sub(req.rows)
        } else {
            req.first_row.min(total_rows)
        };
        let first = layout.item_at(first_row);
        let last = (layout.item_at(first_row.saturating_add(req.rows)) + 1).min(layout.len());
        let lines = (first..last)
            .filter_map(|position| {
                let line = s.buffer.get(shown.index(position)?)?.clone();
                Some(WindowLine {
                    position: position as u64,
                    rows: (layout.row_of(position + 1) - layout.row_of(position)) as u32,
                    line,
                })
            })
            .collect();
        LogWindow {
            status: s.status(self.version()),
            shown: shown.len() as u64,
            total_rows,
            first_row: layout.row_of(first),
            lines,
            matches,
            pattern_error,
        }
    }

    /// The next match of `look`'s pattern after the line `from` (a seq; `None`: from the
    /// start, or the end going back), wrapping around.
    pub fn jump(&self, look: &LogLook, from: Option<u64>, forward: bool) -> Option<LogJump> {
        let mut s = self.lock();
        let m = s.search(look)?;
        let from = from.and_then(|seq| s.buffer.index_of_seq(seq));
        let index = next_match(&s.buffer, &m, from, forward)?;
        let shown = s.shown(look);
        let position = shown.position(index)?;
        let layout = s.layout(look, &shown);
        Some(LogJump {
            seq: s.buffer.get(index)?.seq,
            position: position as u64,
            row: layout.row_of(position),
        })
    }

    /// The shown lines as text, as kubectl would print them: the pod prefix when the view has
    /// several sources, timestamps when `timestamps`, pretty-printed when JSON is on; markers
    /// left out.
    pub fn text(&self, look: &LogLook, timestamps: bool) -> LogText {
        let mut s = self.lock();
        let shown = s.shown(look);
        let multi = s.sources.len() > 1;
        let mut out = String::new();
        let mut n = 0u64;
        for l in (0..shown.len()).filter_map(|p| s.buffer.get(shown.index(p)?)) {
            if l.marker.is_some() {
                continue;
            }
            if multi && let Some(src) = s.sources.get(&l.source) {
                out.push_str(&src.prefix);
                out.push(' ');
            }
            if timestamps && let Some(t) = &l.timestamp {
                out.push_str(t);
                out.push(' ');
            }
            match look.json.then(|| pretty_json(&l.text)).flatten() {
                Some(p) => out.push_str(&p),
                None => out.push_str(&l.text),
            }
            out.push('\n');
            n += 1;
        }
        LogText {
            text: out,
            lines: n,
        }
    }
}

/// Feeds `stream` into `session` and reports its status with `on_status` whenever it changed,
/// at most once per `tick`, until the stream has ended and its last status is out (or
/// `on_status` returns `false`: the view is gone). The session stays readable afterwards.
pub async fn run(
    session: Arc<LogSession>,
    mut stream: LogStream,
    tick: Duration,
    mut on_status: impl FnMut(LogStatus) -> bool,
) {
    let mut changes = session.version.subscribe();
    let feeder = Arc::clone(&session);
    let ingest = async move {
        while let Some(batch) = stream.next().await {
            feeder.apply(batch);
        }
    };
    tokio::pin!(ingest);
    let mut done = false;
    loop {
        tokio::select! {
            () = &mut ingest, if !done => done = true,
            changed = changes.changed() => {
                if changed.is_err() || !on_status(session.status()) {
                    return;
                }
                // At most one status per tick; the stream is read on meanwhile.
                let pause = tokio::time::sleep(tick);
                tokio::pin!(pause);
                loop {
                    tokio::select! {
                        () = &mut pause => break,
                        () = &mut ingest, if !done => done = true,
                    }
                }
            }
        }
        if done && !changes.has_changed().unwrap_or(false) {
            return;
        }
    }
}

/// The open log views, by the id the UI gave them: each a [`LogSession`] and the job that
/// feeds it. What the Tauri commands of a log view call.
#[derive(Debug, Default)]
pub struct LogViews {
    sessions: Mutex<HashMap<u64, Arc<LogSession>>>,
    jobs: TaskSet,
}

impl LogViews {
    /// Status ticks per view, at most: each makes the UI ask for its window again.
    pub const TICK: Duration = Duration::from_millis(100);

    /// Opens view `id` (closing an earlier one of that id): `stream` feeds a ring of `capacity`
    /// lines, and `on_status` hears of every change (at most every [`Self::TICK`]) until the
    /// stream ends or it returns `false`. Must be called inside a tokio runtime.
    pub fn open(
        &self,
        id: u64,
        stream: LogStream,
        capacity: usize,
        on_status: impl FnMut(LogStatus) -> bool + Send + 'static,
    ) {
        let session = LogSession::new(capacity);
        if let Ok(mut m) = self.sessions.lock() {
            m.insert(id, Arc::clone(&session));
        }
        self.jobs
            .start(id, run(session, stream, Self::TICK, on_status));
    }

    /// View `id`, while it is open.
    pub fn get(&self, id: u64) -> Result<Arc<LogSession>, CoreError> {
        self.sessions
            .lock()
            .ok()
            .and_then(|m| m.get(&id).cloned())
            .ok_or_else(|| CoreError::Logs {
                problem: LogProblem::Other,
                message: "this log view is closed".into(),
            })
    }

    /// Closes view `id`: its stream stops and its lines are freed. Returns whether it was open.
    pub fn close(&self, id: u64) -> bool {
        let running = self.jobs.stop(id);
        let known = self
            .sessions
            .lock()
            .is_ok_and(|mut m| m.remove(&id).is_some());
        running || known
    }

    /// Closes every view (the page that opened them is gone, or reloaded).
    pub fn close_all(&self) {
        self.jobs.stop_all();
        if let Ok(mut m) = self.sessions.lock() {
            m.clear();
        }
    }
}

#[cfg(test)]
mod tests;
