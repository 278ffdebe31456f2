//! Live tables: an initial snapshot of rows, then batched deltas, for as long as the caller
//! keeps the [`TableWatch`].
//!
//! # Why the Table format for the watch too
//!
//! The list and the watch both ask the API server for its Table rendering (`watch=1` with the
//! Table Accept header gives one row per event, with the object's metadata). The alternative,
//! watching typed objects and asking for a Table row on each change, would cost a second
//! request per change (500 changes/s would be 500 extra requests/s) and hold every full object
//! in memory (a 10,000-pod reflector is hundreds of MB); rendering columns in Loupe instead
//! would never match kubectl for CRD printer columns and every built-in kind. With the Table
//! format every kind, CRDs included, shows exactly the columns `kubectl get` shows, a change
//! costs nothing extra, and the watcher keeps only a uid → resourceVersion index (about 100
//! bytes per object): rows pass through to the caller and are never held twice. The cost: time-
//! relative cells (AGE, a pod's "2 (5s ago)") are rendered when the event happens; the UI
//! recomputes AGE from `creationTimestamp` ([`loupe_model::resources::age_text`]).
//!
//! # Recovery
//!
//! Each namespace of the scope (or the whole cluster) has its own list-then-watch loop. When the
//! connection drops (API server restart, network), it reconnects with exponential backoff and
//! resumes from the last resourceVersion it saw (bookmarks keep that fresh). When the server
//! answers `410 Gone` (it no longer has that version, typical after a restart), it lists again
//! and reconciles: new and changed rows are sent as upserts, rows that are gone as deletes, so
//! after recovery the rows equal a fresh list without the table flickering. Forbidden or
//! unknown resources on the first list end that namespace's loop with
//! [`WatchState::Failed`].

use super::api_error;
use super::table::{WireTable, scope_targets, table_page};
use crate::CoreError;
use crate::backoff::Backoff;
use crate::cluster::ContextClient;
use futures::{Stream, StreamExt};
use kube::api::WatchParams;
use kube::core::WatchEvent;
use loupe_model::UiError;
use loupe_model::resources::{
    ApiResource, ListOptions, NamespaceScope, TableColumn, TableDelta, TableRow, WatchState,
};
use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep, sleep_until, timeout};

/// Tuning of a [`watch_table`].
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Server-side filters and the list page size.
    pub list: ListOptions,
    /// How long changes are collected before they are sent as one message.
    pub batch_window: Duration,
    /// A batch is sent early when it holds this many rows.
    pub max_batch: usize,
    /// First reconnection delay; doubles up to `backoff_max`.
    pub backoff_initial: Duration,
    /// Longest reconnection delay.
    pub backoff_max: Duration,
    /// `timeoutSeconds` of each watch request (the server ends it then; Loupe resumes).
    pub watch_timeout_secs: u32,
    /// Start from this resourceVersion instead of listing first, for the first namespace
    /// target only. Meant for tests of the relist path (an old version gets `410 Gone`).
    pub resume_from: Option<String>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            list: ListOptions::default(),
            batch_window: Duration::from_millis(100),
            max_batch: 1000,
            backoff_initial: Duration::from_millis(200),
            backoff_max: Duration::from_secs(5),
            watch_timeout_secs: 290,
            resume_from: None,
        }
    }
}

/// A running watch. Read it as a [`Stream`] of [`TableDelta`]s (or with
/// [`TableWatch::next_delta`]); drop it to stop watching.
pub struct TableWatch {
    rx: mpsc::Receiver<TableDelta>,
    task: JoinHandle<()>,
}

impl TableWatch {
    /// The next batch, or `None` once the watch has ended (every namespace failed).
    pub async fn next_delta(&mut self) -> Option<TableDelta> {
        self.rx.recv().await
    }
}

impl Drop for TableWatch {
    fn drop(&mut self) {
        // Aborting the coordinator drops its JoinSet, which aborts every namespace loop.
        self.task.abort();
    }
}

impl Stream for TableWatch {
    type Item = TableDelta;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TableDelta>> {
        self.rx.poll_recv(cx)
    }
}

impl std::fmt::Debug for TableWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWatch").finish_non_exhaustive()
    }
}

/// Watches `resource` in `scope` as a table: first [`TableDelta::Reset`] (columns and the first
/// rows), the rest of the list as [`TableDelta::Changes`], [`TableDelta::Synced`], then changes
/// batched over [`WatchOptions::batch_window`]. Must be called inside a Tokio runtime.
pub fn watch_table(
    cc: ContextClient,
    resource: ApiResource,
    scope: NamespaceScope,
    opts: WatchOptions,
) -> TableWatch {
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(coordinate(cc, resource, scope, opts, tx));
    TableWatch { rx, task }
}

/// What a namespace loop tells the coordinator.
enum Ev {
    /// The columns of a list response.
    Columns(Vec<TableColumn>),
    /// A list of `target` begins.
    ListStart(usize),
    /// A row from a list page or an ADDED/MODIFIED event.
    Row(usize, TableRow),
    /// A DELETED event.
    Delete(String),
    /// A list of `target` is complete.
    ListEnd(usize),
    /// A connection state change of `target`.
    State(usize, WatchState, Option<UiError>),
}

struct Entry {
    target: usize,
    rv: String,
    /// The list generation that last saw this row (for the reconciliation after a relist).
    seen: u64,
}

/// Collects changes and turns them into [`TableDelta`] messages.
struct Batcher {
    targets: Vec<Option<String>>,
    columns: Option<Vec<TableColumn>>,
    reset_sent: bool,
    index: HashMap<String, Entry>,
    /// Per target: the generation of the list in progress, if any.
    listing: Vec<Option<u64>>,
    /// Per target: whether its first list is complete (or it failed).
    synced: Vec<bool>,
    /// Whether the first [`TableDelta::Synced`] went out.
    first_synced_sent: bool,
    generation: u64,
    pending: Vec<(String, Option<TableRow>)>,
    pending_at: HashMap<String, usize>,
    pending_since: Option<Instant>,
}

impl Batcher {
    fn new(targets: Vec<Option<String>>) -> Self {
        let n = targets.len();
        Self {
            targets,
            columns: None,
            reset_sent: false,
            index: HashMap::new(),
            listing: vec![None; n],
            synced: vec![false; n],
            first_synced_sent: false,
            generation: 0,
            pending: Vec::new(),
            pending_at: HashMap::new(),
            pending_since: None,
        }
    }

    fn queue(&mut self, uid: String, row: Option<TableRow>) {
        if let Some(&i) = self.pending_at.get(&uid) {
            self.pending[i].1 = row;
        } else {
            self.pending_at.insert(uid.clone(), self.pending.len());
            self.pending.push((uid, row));
        }
        self.pending_since.get_or_insert_with(Instant::now);
    }

    /// Handles one event; returns messages to send now (in order) and whether the columns
    /// changed (then everything restarts).
    fn handle(&mut self, ev: Ev, out: &mut Vec<TableDelta>) -> bool {
        match ev {
            Ev::Columns(cols) => match &self.columns {
                None => self.columns = Some(cols),
                Some(c) if *c == cols => {}
                Some(_) => {
                    self.columns = Some(cols);
                    return true;
                }
            },
            Ev::ListStart(t) => {
                self.generation += 1;
                self.listing[t] = Some(self.generation);
                if self.synced[t] {
                    self.flush(out);
                    out.push(TableDelta::Status {
                        namespace: self.targets[t].clone(),
                        state: WatchState::Listing,
                        error: None,
                    });
                }
            }
            Ev::Row(t, row) => {
                let seen = self.listing[t].unwrap_or(0);
                match self.index.get_mut(&row.uid) {
                    Some(e) => {
                        e.seen = seen.max(e.seen);
                        if e.rv != row.resource_version {
                            e.rv.clone_from(&row.resource_version);
                            self.queue(row.uid.clone(), Some(row));
                        }
                    }
                    None => {
                        self.index.insert(
                            row.uid.clone(),
                            Entry {
                                target: t,
                                rv: row.resource_version.clone(),
                                seen,
                            },
                        );
                        self.queue(row.uid.clone(), Some(row));
                    }
                }
            }
            Ev::Delete(uid) => {
                if self.index.remove(&uid).is_some() {
                    self.queue(uid, None);
                } else if let Some(&i) = self.pending_at.get(&uid) {
                    self.pending[i].1 = None;
                }
            }
            Ev::ListEnd(t) => {
                let generation = self.listing[t].take().unwrap_or(0);
                let gone: Vec<String> = self
                    .index
                    .iter()
                    .filter(|(_, e)| e.target == t && e.seen < generation)
                    .map(|(uid, _)| uid.clone())
                    .collect();
                for uid in gone {
                    self.index.remove(&uid);
                    self.queue(uid, None);
                }
                let relisted = self.synced[t];
                self.synced[t] = true;
                if relisted && self.first_synced_sent {
                    self.flush(out);
                    out.push(TableDelta::Synced {
                        total: self.index.len(),
                        relisted: true,
                    });
                }
                self.maybe_first_synced(out);
            }
            Ev::State(t, state, error) => {
                self.flush(out);
                out.push(TableDelta::Status {
                    namespace: self.targets[t].clone(),
                    state,
                    error,
                });
                if state == WatchState::Failed {
                    self.synced[t] = true;
                    self.maybe_first_synced(out);
                }
            }
        }
        false
    }

    /// The first Synced, once every target listed (or failed).
    fn maybe_first_synced(&mut self, out: &mut Vec<TableDelta>) {
        if !self.first_synced_sent && self.synced.iter().all(|s| *s) {
            self.first_synced_sent = true;
            self.flush(out);
            out.push(TableDelta::Synced {
                total: self.index.len(),
                relisted: false,
            });
        }
    }

    fn due(&self, window: Duration, max: usize) -> Option<Instant> {
        let since = self.pending_since?;
        if self.pending.len() >= max {
            return Some(since);
        }
        Some(since + window)
    }

    fn flush(&mut self, out: &mut Vec<TableDelta>) {
        self.pending_since = None;
        self.pending_at.clear();
        let pending = std::mem::take(&mut self.pending);
        if !self.reset_sent {
            // Nothing is sent before the columns are known.
            let Some(columns) = self.columns.clone() else {
                // Keep the rows for the Reset.
                for (uid, row) in pending {
                    self.queue(uid, row);
                }
                self.pending_since = None;
                return;
            };
            self.reset_sent = true;
            out.push(TableDelta::Reset {
                columns,
                rows: pending.into_iter().filter_map(|(_, r)| r).collect(),
            });
            return;
        }
        if pending.is_empty() {
            return;
        }
        let mut upserted = Vec::new();
        let mut deleted = Vec::new();
        for (uid, row) in pending {
            match row {
                Some(r) => upserted.push(r),
                None => deleted.push(uid),
            }
        }
        out.push(TableDelta::Changes { upserted, deleted });
    }
}

async fn coordinate(
    cc: ContextClient,
    resource: ApiResource,
    scope: NamespaceScope,
    opts: WatchOptions,
    tx: mpsc::Sender<TableDelta>,
) {
    let targets = scope_targets(&resource, &scope);
    let mut restart_columns: Option<Vec<TableColumn>> = None;
    loop {
        let (ev_tx, mut ev_rx) = mpsc::channel::<Ev>(1024);
        let mut loops = JoinSet::new();
        for (i, ns) in targets.iter().enumerate() {
            let resume = if i == 0 {
                opts.resume_from.clone()
            } else {
                None
            };
            loops.spawn(run_target(
                cc.clone(),
                resource.clone(),
                ns.clone(),
                i,
                opts.clone(),
                resume,
                ev_tx.clone(),
            ));
        }
        drop(ev_tx);
        let mut b = Batcher::new(targets.clone());
        if let Some(cols) = restart_columns.take() {
            // The columns changed: a new Reset with the new columns, rows to follow.
            b.columns = Some(cols);
        }
        let mut out = Vec::new();
        let changed = loop {
            let ev = match b.due(opts.batch_window, opts.max_batch) {
                Some(at) => tokio::select! {
                    ev = ev_rx.recv() => ev,
                    () = sleep_until(at) => {
                        b.flush(&mut out);
                        if !send_all(&tx, &mut out).await {
                            return;
                        }
                        continue;
                    }
                },
                None => ev_rx.recv().await,
            };
            let Some(ev) = ev else {
                // Every namespace loop ended (all failed).
                b.flush(&mut out);
                send_all(&tx, &mut out).await;
                return;
            };
            if b.handle(ev, &mut out) {
                break b.columns.take();
            }
            if b.pending.len() >= opts.max_batch {
                b.flush(&mut out);
            }
            if !send_all(&tx, &mut out).await {
                return;
            }
        };
        loops.abort_all();
        restart_columns = changed;
    }
}

/// Sends `out`'s messages; `false` when the receiver is gone (the watch was dropped).
async fn send_all(tx: &mpsc::Sender<TableDelta>, out: &mut Vec<TableDelta>) -> bool {
    for d in out.drain(..) {
        if tx.send(d).await.is_err() {
            return false;
        }
    }
    true
}

/// Whether an error means "stop": the server understood and refused (credentials, rights, no
/// such resource). Only before the first success; afterwards Loupe keeps retrying (RBAC is not
/// ready for a moment after an API server restarts).
fn is_refusal(e: &CoreError) -> bool {
    matches!(super::status_code(e), Some(401 | 403 | 404 | 405))
}

fn is_gone(e: &CoreError) -> bool {
    super::status_code(e) == Some(410)
}

/// One namespace (or the whole cluster): list, then watch from the list's resourceVersion,
/// forever.
async fn run_target(
    cc: ContextClient,
    r: ApiResource,
    ns: Option<String>,
    t: usize,
    opts: WatchOptions,
    resume_from: Option<String>,
    tx: mpsc::Sender<Ev>,
) {
    let mut rv: Option<String> = resume_from;
    let backoff = Backoff {
        initial: opts.backoff_initial,
        max: opts.backoff_max,
    };
    // Failures since the last success: the next delay is `backoff.delay(failures)`.
    let mut failures = 0u32;
    let mut ever_ok = false;
    // The last failure announced (`None`: live), so each change is sent once.
    let mut trouble: Option<String> = None;
    macro_rules! send {
        ($ev:expr) => {
            if tx.send($ev).await.is_err() {
                return;
            }
        };
    }
    // Announces a failure (unless it is the one already announced), then waits.
    macro_rules! retry_after {
        ($e:expr) => {{
            let e: CoreError = $e;
            let ui = e.diagnose();
            if trouble.as_deref() != Some(ui.message.as_str()) {
                trouble = Some(ui.message.clone());
                send!(Ev::State(t, WatchState::Reconnecting, Some(ui)));
            }
            failures = failures.saturating_add(1);
            sleep(backoff.delay(failures)).await;
        }};
    }
    macro_rules! recovered {
        () => {
            failures = 0;
            if trouble.take().is_some() {
                send!(Ev::State(t, WatchState::Live, None));
            }
        };
    }
    loop {
        if rv.is_none() {
            match list_into(&cc, &r, ns.as_deref(), t, &opts.list, &tx).await {
                Ok(Some(list_rv)) => {
                    rv = Some(list_rv);
                    ever_ok = true;
                    recovered!();
                }
                Ok(None) => return, // the coordinator is gone
                Err(e) if !ever_ok && is_refusal(&e) => {
                    send!(Ev::State(t, WatchState::Failed, Some(e.diagnose())));
                    return;
                }
                Err(e) => {
                    retry_after!(e);
                    continue;
                }
            }
        }
        let from = rv.clone().unwrap_or_default();
        let stream = match start_watch(&cc, &r, ns.as_deref(), &opts, &from).await {
            Ok(s) => s,
            Err(e) if is_gone(&e) => {
                rv = None;
                continue;
            }
            Err(e) if !ever_ok && is_refusal(&e) => {
                send!(Ev::State(t, WatchState::Failed, Some(e.diagnose())));
                return;
            }
            Err(e) => {
                retry_after!(e);
                continue;
            }
        };
        // The server accepted the watch: connected again (a `410` would come as its first
        // event, and the relist that follows is announced as `Listing`).
        ever_ok = true;
        // Live again, but the backoff only resets once an event arrives: a watch that a proxy
        // ends at once must keep backing off.
        if trouble.take().is_some() {
            send!(Ev::State(t, WatchState::Live, None));
        }
        let started = Instant::now();
        let mut events = 0usize;
        let mut stream = std::pin::pin!(stream);
        // A dead peer sends nothing; the server ends every watch after watch_timeout_secs, so
        // silence beyond that means the connection is gone.
        let idle = Duration::from_secs(u64::from(opts.watch_timeout_secs) + 30);
        loop {
            let next = match timeout(idle, stream.next()).await {
                Ok(Some(next)) => next,
                Ok(None) | Err(_) => {
                    // Ended by the server (its timeout) or silent: resume from `rv`. A watch
                    // that ends at once without a word is a failure in disguise (a proxy
                    // cutting long requests): wait before the next one.
                    if events == 0 && started.elapsed() < Duration::from_secs(1) {
                        failures = failures.saturating_add(1);
                        sleep(backoff.delay(failures)).await;
                    }
                    break;
                }
            };
            if events == 0 {
                failures = 0;
            }
            events += 1;
            match next {
                Ok(WatchEvent::Added(mut tab) | WatchEvent::Modified(mut tab)) => {
                    if let Some(v) = tab.metadata.resource_version.take() {
                        rv = Some(v);
                    }
                    // The first event of a watch carries the columns (needed when it resumed
                    // without a list).
                    if let Some(cols) = tab.columns() {
                        send!(Ev::Columns(cols));
                    }
                    for row in tab.take_rows() {
                        send!(Ev::Row(t, row));
                    }
                }
                Ok(WatchEvent::Deleted(mut tab)) => {
                    if let Some(v) = tab.metadata.resource_version.take() {
                        rv = Some(v);
                    }
                    for row in tab.take_rows() {
                        send!(Ev::Delete(row.uid));
                    }
                }
                Ok(WatchEvent::Bookmark(b)) => rv = Some(b.metadata.resource_version),
                Ok(WatchEvent::Error(status)) if status.code == 410 => {
                    rv = None;
                    break;
                }
                Ok(WatchEvent::Error(status)) => {
                    retry_after!(api_error(&cc, kube::Error::Api(status)));
                    break;
                }
                Err(e) => {
                    retry_after!(api_error(&cc, e));
                    break;
                }
            }
        }
    }
}

/// Lists every page of one target into the coordinator; the list's resourceVersion, or
/// `Ok(None)` when the coordinator is gone.
async fn list_into(
    cc: &ContextClient,
    r: &ApiResource,
    ns: Option<&str>,
    t: usize,
    list: &ListOptions,
    tx: &mpsc::Sender<Ev>,
) -> Result<Option<String>, CoreError> {
    let mut token = None;
    let mut first = true;
    loop {
        let mut page: WireTable = table_page(cc, r, ns, list, token.take()).await?;
        if first {
            first = false;
            if let Some(cols) = page.columns()
                && tx.send(Ev::Columns(cols)).await.is_err()
            {
                return Ok(None);
            }
            if tx.send(Ev::ListStart(t)).await.is_err() {
                return Ok(None);
            }
        }
        for row in page.take_rows() {
            if tx.send(Ev::Row(t, row)).await.is_err() {
                return Ok(None);
            }
        }
        match page.metadata.continue_token.filter(|c| !c.is_empty()) {
            Some(c) => token = Some(c),
            None => {
                if tx.send(Ev::ListEnd(t)).await.is_err() {
                    return Ok(None);
                }
                return Ok(Some(page.metadata.resource_version.unwrap_or_default()));
            }
        }
    }
}

async fn start_watch(
    cc: &ContextClient,
    r: &ApiResource,
    ns: Option<&str>,
    opts: &WatchOptions,
    from: &str,
) -> Result<impl Stream<Item = Result<WatchEvent<WireTable>, kube::Error>> + use<>, CoreError> {
    let wp = WatchParams {
        label_selector: opts.list.label_selector.clone(),
        field_selector: opts.list.field_selector.clone(),
        timeout: Some(opts.watch_timeout_secs),
        bookmarks: true,
        ..WatchParams::default()
    };
    let mut req = kube::core::Request::new(super::table::collection_path(r, ns))
        .watch(&wp, from)
        .map_err(|e| api_error(cc, kube::Error::BuildRequest(e)))?;
    req.headers_mut().insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static(super::table::ACCEPT_TABLE),
    );
    cc.client
        .request_events::<WireTable>(req)
        .await
        .map_err(|e| api_error(cc, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uid: &str, rv: &str) -> TableRow {
        TableRow {
            namespace: Some("ns".into()),
            name: uid.into(),
            uid: uid.into(),
            resource_version: rv.into(),
            creation_timestamp: None,
            cells: vec![serde_json::json!(uid)],
        }
    }

    fn col() -> Vec<TableColumn> {
        vec![TableColumn {
            name: "Name".into(),
            column_type: "string".into(),
            format: "name".into(),
            description: String::new(),
            priority: 0,
            age: false,
        }]
    }

    #[test]
    fn snapshot_then_coalesced_changes_then_relist_reconciles() {
        let mut b = Batcher::new(vec![Some("ns".into())]);
        let mut out = Vec::new();
        b.handle(Ev::Columns(col()), &mut out);
        b.handle(Ev::ListStart(0), &mut out);
        for (u, v) in [("a", "1"), ("b", "1"), ("c", "1")] {
            b.handle(Ev::Row(0, row(u, v)), &mut out);
        }
        b.handle(Ev::ListEnd(0), &mut out);
        assert!(matches!(&out[0], TableDelta::Reset { rows, .. } if rows.len() == 3));
        assert_eq!(
            out[1],
            TableDelta::Synced {
                total: 3,
                relisted: false
            }
        );
        out.clear();
        // Changes within one window are coalesced: b changes twice, d comes and goes.
        b.handle(Ev::Row(0, row("b", "2")), &mut out);
        b.handle(Ev::Row(0, row("b", "3")), &mut out);
        b.handle(Ev::Row(0, row("d", "4")), &mut out);
        b.handle(Ev::Delete("d".into()), &mut out);
        b.handle(Ev::Delete("a".into()), &mut out);
        assert!(out.is_empty());
        b.flush(&mut out);
        match &out[0] {
            TableDelta::Changes { upserted, deleted } => {
                assert_eq!(upserted.len(), 1);
                assert_eq!(upserted[0].resource_version, "3");
                assert_eq!(deleted, &["d".to_string(), "a".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        out.clear();
        // A relist: b unchanged (not resent), c gone, e new.
        b.handle(Ev::ListStart(0), &mut out);
        b.handle(Ev::Row(0, row("b", "3")), &mut out);
        b.handle(Ev::Row(0, row("e", "5")), &mut out);
        b.handle(Ev::ListEnd(0), &mut out);
        assert!(matches!(
            &out[0],
            TableDelta::Status {
                state: WatchState::Listing,
                ..
            }
        ));
        match &out[1] {
            TableDelta::Changes { upserted, deleted } => {
                assert_eq!(
                    upserted.iter().map(|r| r.uid.as_str()).collect::<Vec<_>>(),
                    ["e"]
                );
                assert_eq!(deleted, &["c".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            out[2],
            TableDelta::Synced {
                total: 2,
                relisted: true
            }
        );
    }

    #[test]
    fn synced_waits_for_every_namespace() {
        let mut b = Batcher::new(vec![Some("a".into()), Some("b".into())]);
        let mut out = Vec::new();
        b.handle(Ev::Columns(col()), &mut out);
        b.handle(Ev::ListStart(0), &mut out);
        b.handle(Ev::Row(0, row("x", "1")), &mut out);
        b.handle(Ev::ListEnd(0), &mut out);
        assert!(out.is_empty());
        b.handle(Ev::ListStart(1), &mut out);
        b.handle(Ev::Row(1, row("y", "1")), &mut out);
        b.handle(Ev::ListEnd(1), &mut out);
        assert!(matches!(&out[0], TableDelta::Reset { rows, .. } if rows.len() == 2));
        assert_eq!(
            out[1],
            TableDelta::Synced {
                total: 2,
                relisted: false
            }
        );
    }

    #[test]
    fn changed_columns_restart() {
        let mut b = Batcher::new(vec![None]);
        let mut out = Vec::new();
        assert!(!b.handle(Ev::Columns(col()), &mut out));
        assert!(!b.handle(Ev::Columns(col()), &mut out));
        let mut other = col();
        other[0].name = "Other".into();
        assert!(b.handle(Ev::Columns(other), &mut out));
    }
}
