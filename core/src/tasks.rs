//! Long-running jobs a UI starts and stops by id (watches, log streams): each is a tokio task
//! that is aborted when stopped, replaced, or when the set is dropped.
//!
//! A job may be paced by its consumer ([`TaskSet::forward_paced`]): the consumer acknowledges
//! the items it has processed ([`TaskSet::ack`]) and the job keeps at most a window of items
//! unacknowledged. Without this, a consumer slower than the source (a webview fed 50,000 log
//! lines a second) lets items pile up in the transport between them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// How a paced job waits for its consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Items sent but not yet acknowledged, at most.
    pub window: u64,
    /// A job that waits this long for an acknowledgement ends: its consumer is gone (a page
    /// that reloaded never acknowledges again) and the job would otherwise hold its source open.
    pub stall: Duration,
}

impl Pacing {
    /// A log view's pacing: 6 batches of up to 1,000 lines in flight keep the webview busy
    /// (one round trip is a few milliseconds) while bounding what waits in the IPC layer.
    pub const LOGS: Pacing = Pacing {
        window: 6,
        stall: Duration::from_secs(60),
    };
}

/// The consumer's acknowledgements of one paced job: how many items it has processed.
#[derive(Debug)]
pub struct Credit {
    window: u64,
    processed: watch::Sender<u64>,
}

impl Credit {
    /// Credit for a window of `window` items (at least 1).
    pub fn new(window: u64) -> Self {
        Self {
            window: window.max(1),
            processed: watch::Sender::new(0),
        }
    }

    /// Records that the consumer has processed `processed` items in all. Acknowledgements are
    /// cumulative, so a late or repeated one changes nothing.
    pub fn ack(&self, processed: u64) {
        self.processed.send_if_modified(|p| {
            let newer = processed > *p;
            if newer {
                *p = processed;
            }
            newer
        });
    }

    /// Items processed so far.
    pub fn processed(&self) -> u64 {
        *self.processed.borrow()
    }

    /// Whether one more item may be sent now, after `sent` items.
    pub fn has_room(&self, sent: u64) -> bool {
        sent.saturating_sub(self.processed()) < self.window
    }

    /// Waits until one more item may be sent after `sent` items.
    pub async fn ready(&self, sent: u64) {
        let window = self.window;
        let mut rx = self.processed.subscribe();
        // `self` owns the sender, so the channel cannot close while this waits.
        let _ = rx.wait_for(|p| sent.saturating_sub(*p) < window).await;
    }
}

/// A running job and, if it is paced, its credit.
#[derive(Debug)]
struct Job {
    handle: AbortHandle,
    credit: Option<Arc<Credit>>,
}

/// Running jobs by id.
#[derive(Debug, Default)]
pub struct TaskSet {
    tasks: Mutex<HashMap<u64, Job>>,
}

impl TaskSet {
    /// Runs `job` on the current tokio runtime as job `id`, stopping an earlier job of that id.
    pub fn start(&self, id: u64, job: impl Future<Output = ()> + Send + 'static) {
        self.start_job(id, job, None);
    }

    fn start_job(
        &self,
        id: u64,
        job: impl Future<Output = ()> + Send + 'static,
        credit: Option<Arc<Credit>>,
    ) {
        let handle = tokio::spawn(job).abort_handle();
        if let Ok(mut tasks) = self.tasks.lock() {
            // Finished jobs are dropped here so the map stays small.
            tasks.retain(|_, j| !j.handle.is_finished());
            if let Some(old) = tasks.insert(id, Job { handle, credit }) {
                old.handle.abort();
            }
        }
    }

    /// Runs job `id`: every item of `stream` goes to `send` until the stream ends or `send`
    /// returns `false` (its receiver is gone). Watches and log streams reach the UI this way.
    pub fn forward<S>(
        &self,
        id: u64,
        mut stream: S,
        mut send: impl FnMut(S::Item) -> bool + Send + 'static,
    ) where
        S: futures::Stream + Unpin + Send + 'static,
        S::Item: Send,
    {
        use futures::StreamExt as _;
        self.start(id, async move {
            while let Some(item) = stream.next().await {
                if !send(item) {
                    break;
                }
            }
        });
    }

    /// [`Self::forward`], paced by the consumer: at most `pacing.window` items are sent and not
    /// yet acknowledged with [`Self::ack`]; meanwhile `stream` is not polled, so its source is
    /// read later rather than buffered here (a log stream then stops reading the server).
    /// The job ends when no acknowledgement comes for `pacing.stall`.
    pub fn forward_paced<S>(
        &self,
        id: u64,
        mut stream: S,
        pacing: Pacing,
        mut send: impl FnMut(S::Item) -> bool + Send + 'static,
    ) where
        S: futures::Stream + Unpin + Send + 'static,
        S::Item: Send,
    {
        use futures::StreamExt as _;
        let credit = Arc::new(Credit::new(pacing.window));
        let gate = Arc::clone(&credit);
        let job = async move {
            let mut sent = 0u64;
            loop {
                // Credit is awaited before the next item is pulled: nothing is held meanwhile.
                if tokio::time::timeout(pacing.stall, gate.ready(sent))
                    .await
                    .is_err()
                {
                    tracing::debug!(
                        "paced job {id}: no acknowledgement for {:?}, stopping",
                        pacing.stall
                    );
                    break;
                }
                let Some(item) = stream.next().await else {
                    break;
                };
                if !send(item) {
                    break;
                }
                sent += 1;
            }
        };
        self.start_job(id, job, Some(credit));
    }

    /// [`Self::forward_paced`], but `stream` is read on while the consumer is behind: items
    /// that arrive meanwhile are folded into one pending item with `merge`, which also bounds
    /// it (a log view's batches keep only the lines its ring would keep). The source is never
    /// held back, and the consumer gets the latest state as soon as it has room.
    pub fn forward_coalesced<S>(
        &self,
        id: u64,
        mut stream: S,
        pacing: Pacing,
        mut merge: impl FnMut(&mut S::Item, S::Item) + Send + 'static,
        mut send: impl FnMut(S::Item) -> bool + Send + 'static,
    ) where
        S: futures::Stream + Unpin + Send + 'static,
        S::Item: Send,
    {
        use futures::StreamExt as _;
        let credit = Arc::new(Credit::new(pacing.window));
        let gate = Arc::clone(&credit);
        let job = async move {
            let mut sent = 0u64;
            let mut pending: Option<S::Item> = None;
            let mut ended = false;
            // When the current wait for credit began: the stall clock.
            let mut waiting_since = None::<tokio::time::Instant>;
            loop {
                if ended && pending.is_none() {
                    break;
                }
                let stall_at = waiting_since.map(|t| t + pacing.stall);
                tokio::select! {
                    biased;
                    _ = gate.ready(sent), if pending.is_some() => {
                        waiting_since = None;
                        if let Some(item) = pending.take() {
                            if !send(item) {
                                break;
                            }
                            sent += 1;
                        }
                    }
                    next = stream.next(), if !ended => match next {
                        Some(item) => {
                            match pending.as_mut() {
                                Some(p) => merge(p, item),
                                None => pending = Some(item),
                            }
                            if waiting_since.is_none() && !gate.has_room(sent) {
                                waiting_since = Some(tokio::time::Instant::now());
                            }
                        }
                        None => ended = true,
                    },
                    _ = tokio::time::sleep_until(stall_at.unwrap_or_else(tokio::time::Instant::now)),
                        if stall_at.is_some() =>
                    {
                        tracing::debug!(
                            "paced job {id}: no acknowledgement for {:?}, stopping",
                            pacing.stall
                        );
                        break;
                    }
                }
            }
        };
        self.start_job(id, job, Some(credit));
    }

    /// Acknowledges that the consumer of paced job `id` has processed `processed` items in all;
    /// returns whether such a job is known (a stopped or unpaced one is not).
    pub fn ack(&self, id: u64, processed: u64) -> bool {
        let credit = self
            .tasks
            .lock()
            .ok()
            .and_then(|t| t.get(&id).and_then(|j| j.credit.clone()));
        match credit {
            Some(c) => {
                c.ack(processed);
                true
            }
            None => false,
        }
    }

    /// Stops job `id`; returns whether it was running.
    pub fn stop(&self, id: u64) -> bool {
        let job = self.tasks.lock().ok().and_then(|mut t| t.remove(&id));
        match job {
            Some(j) => {
                let running = !j.handle.is_finished();
                j.handle.abort();
                running
            }
            None => false,
        }
    }

    /// Number of jobs still running.
    #[cfg(test)]
    fn running(&self) -> usize {
        self.tasks
            .lock()
            .map(|t| t.values().filter(|j| !j.handle.is_finished()).count())
            .unwrap_or(0)
    }
}

impl Drop for TaskSet {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.get_mut() {
            for j in tasks.values() {
                j.handle.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn start_replace_and_stop() {
        let set = TaskSet::default();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tick = |tag: &'static str, tx: tokio::sync::mpsc::UnboundedSender<&'static str>| async move {
            loop {
                if tx.send(tag).is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        set.start(1, tick("a", tx.clone()));
        assert_eq!(rx.recv().await, Some("a"));
        // Replacing job 1 stops "a".
        set.start(1, tick("b", tx.clone()));
        tokio::time::sleep(Duration::from_millis(30)).await;
        while rx.try_recv().is_ok() {}
        tokio::time::sleep(Duration::from_millis(30)).await;
        let mut seen = Vec::new();
        while let Ok(t) = rx.try_recv() {
            seen.push(t);
        }
        assert!(
            !seen.is_empty() && seen.iter().all(|t| *t == "b"),
            "{seen:?}"
        );
        assert_eq!(set.running(), 1);
        assert!(set.stop(1));
        assert!(!set.stop(1));
        tokio::time::sleep(Duration::from_millis(20)).await;
        while rx.try_recv().is_ok() {}
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(rx.try_recv().is_err(), "a stopped job sends nothing");
        assert_eq!(set.running(), 0);
    }

    /// A fake consumer of a paced job: what it was sent, and how many items the job pulled.
    struct Fake {
        rx: tokio::sync::mpsc::UnboundedReceiver<u64>,
        pulled: Arc<std::sync::atomic::AtomicU64>,
        /// Set when the job dropped its stream (it stopped).
        dropped: Arc<std::sync::atomic::AtomicBool>,
    }

    /// Drops flag the stream's end of life.
    struct DropFlag(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Starts paced job `id` over `0..n` (or an endless source) feeding a [`Fake`].
    fn paced(set: &TaskSet, id: u64, n: Option<u64>, pacing: Pacing) -> Fake {
        use futures::StreamExt as _;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let pulled = Arc::new(AtomicU64::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let (p, flag) = (Arc::clone(&pulled), DropFlag(Arc::clone(&dropped)));
        let source = futures::stream::iter(0..n.unwrap_or(u64::MAX)).inspect(move |_| {
            let _keep = &flag;
            p.fetch_add(1, Ordering::SeqCst);
        });
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        set.forward_paced(id, source, pacing, move |i| tx.send(i).is_ok());
        Fake {
            rx,
            pulled,
            dropped,
        }
    }

    fn drain(rx: &mut tokio::sync::mpsc::UnboundedReceiver<u64>) -> Vec<u64> {
        let mut got = Vec::new();
        while let Ok(i) = rx.try_recv() {
            got.push(i);
        }
        got
    }

    const PACING: Pacing = Pacing {
        window: 4,
        stall: Duration::from_secs(30),
    };

    #[tokio::test]
    async fn paced_job_keeps_at_most_a_window_in_flight() {
        use std::sync::atomic::Ordering;
        let set = TaskSet::default();
        let mut fake = paced(&set, 7, Some(100), PACING);
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Nothing acknowledged: the window is sent and the source is not read further.
        assert_eq!(drain(&mut fake.rx), vec![0, 1, 2, 3]);
        assert_eq!(fake.pulled.load(Ordering::SeqCst), 4);
        assert!(set.ack(7, 3));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(drain(&mut fake.rx), vec![4, 5, 6]);
        // A stale acknowledgement gives no credit back.
        assert!(set.ack(7, 1));
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(drain(&mut fake.rx).is_empty());
        assert_eq!(fake.pulled.load(Ordering::SeqCst), 7);
        // A consumer that acknowledges each item gets all of them, in order.
        let mut got = (0..7).collect::<Vec<u64>>();
        assert!(set.ack(7, 7));
        while got.len() < 100 {
            let i = tokio::time::timeout(Duration::from_secs(5), fake.rx.recv())
                .await
                .expect("the job keeps sending while acknowledged")
                .expect("the job ends after the last item");
            got.push(i);
            assert!(set.ack(7, got.len() as u64));
        }
        assert_eq!(got, (0..100).collect::<Vec<u64>>());
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(set.running(), 0);
    }

    #[tokio::test]
    async fn stop_ends_a_job_waiting_for_credit() {
        use std::sync::atomic::Ordering;
        let set = TaskSet::default();
        let mut fake = paced(&set, 1, None, PACING);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(drain(&mut fake.rx).len(), 4);
        assert!(!fake.dropped.load(Ordering::SeqCst));
        assert!(set.stop(1), "a job waiting for credit is running");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(fake.dropped.load(Ordering::SeqCst), "its source is closed");
        assert_eq!(set.running(), 0);
        assert!(!set.ack(1, 4), "a stopped job takes no acknowledgements");
    }

    #[tokio::test]
    async fn a_consumer_that_stops_acknowledging_ends_the_job() {
        use std::sync::atomic::Ordering;
        let set = TaskSet::default();
        let pacing = Pacing {
            window: 2,
            stall: Duration::from_millis(50),
        };
        let mut fake = paced(&set, 3, None, pacing);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(drain(&mut fake.rx), vec![0, 1]);
        assert!(fake.dropped.load(Ordering::SeqCst), "the source is closed");
        assert_eq!(set.running(), 0);
    }

    #[tokio::test]
    async fn a_gone_consumer_ends_the_job_and_unpaced_jobs_take_no_acks() {
        use std::sync::atomic::Ordering;
        let set = TaskSet::default();
        let fake = paced(&set, 4, None, PACING);
        drop(fake.rx);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(fake.dropped.load(Ordering::SeqCst));
        assert_eq!(fake.pulled.load(Ordering::SeqCst), 1);
        assert!(!set.ack(9, 1), "no such job");
        set.start(5, std::future::pending());
        assert!(!set.ack(5, 1), "job 5 is not paced");
        assert!(set.stop(5));
    }

    /// Starts coalesced job `id` over `[0]..[n]`; pending items keep their last `keep` values.
    fn coalesced(
        set: &TaskSet,
        id: u64,
        n: u64,
        keep: usize,
        pacing: Pacing,
    ) -> tokio::sync::mpsc::UnboundedReceiver<Vec<u64>> {
        let source = futures::stream::iter((0..n).map(|i| vec![i]));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        set.forward_coalesced(
            id,
            source,
            pacing,
            move |pending: &mut Vec<u64>, next| {
                pending.extend(next);
                let excess = pending.len().saturating_sub(keep);
                pending.drain(..excess);
            },
            move |i| tx.send(i).is_ok(),
        );
        rx
    }

    #[tokio::test]
    async fn a_coalesced_job_reads_on_and_sends_the_latest_when_there_is_room() {
        let set = TaskSet::default();
        let window = Pacing {
            window: 2,
            stall: Duration::from_secs(30),
        };
        let mut rx = coalesced(&set, 8, 20, 5, window);
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The window went out; everything after it was read and folded, keeping the newest.
        let mut got = Vec::new();
        while let Ok(i) = rx.try_recv() {
            got.push(i);
        }
        assert_eq!(got, vec![vec![0], vec![1]]);
        assert_eq!(set.running(), 1, "the job waits to send what it holds");
        assert!(set.ack(8, 1));
        let last = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        assert_eq!(last, Ok(Some(vec![15, 16, 17, 18, 19])));
        // The source has ended and nothing is pending: the job is done.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(set.running(), 0);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_coalesced_job_whose_consumer_stalls_ends() {
        let set = TaskSet::default();
        let pacing = Pacing {
            window: 1,
            stall: Duration::from_millis(50),
        };
        let mut rx = coalesced(&set, 9, 3, 5, pacing);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(rx.try_recv(), Ok(vec![0]));
        assert_eq!(
            set.running(),
            0,
            "no acknowledgement for the stall time ends it"
        );
        assert!(rx.try_recv().is_err(), "what it held is not sent");
    }

    #[test]
    fn credit_counts_cumulative_acknowledgements() {
        let c = Credit::new(0);
        assert_eq!(c.window, 1, "a window is at least one item");
        c.ack(5);
        c.ack(2);
        assert_eq!(c.processed(), 5);
    }
}
