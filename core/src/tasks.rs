//! Long-running jobs a UI starts and stops by id (watches, log streams): each is a tokio task
//! that is aborted when stopped, replaced, or when the set is dropped.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use tokio::task::AbortHandle;

/// A running job.
#[derive(Debug)]
struct Job {
    handle: AbortHandle,
}

/// Running jobs by id.
#[derive(Debug, Default)]
pub struct TaskSet {
    tasks: Mutex<HashMap<u64, Job>>,
}

impl TaskSet {
    /// Runs `job` on the current tokio runtime as job `id`, stopping an earlier job of that id.
    pub fn start(&self, id: u64, job: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(job).abort_handle();
        if let Ok(mut tasks) = self.tasks.lock() {
            // Finished jobs are dropped here so the map stays small.
            tasks.retain(|_, j| !j.handle.is_finished());
            if let Some(old) = tasks.insert(id, Job { handle }) {
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

    /// Stops every job (the page that started them is gone).
    pub fn stop_all(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            for (_, j) in tasks.drain() {
                j.handle.abort();
            }
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
        set.start(2, tick("c", tx.clone()));
        set.start(3, tick("d", tx.clone()));
        assert_eq!(set.running(), 2);
        set.stop_all();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(set.running(), 0);
        assert!(!set.stop(2), "stop_all forgot them");
    }
}
