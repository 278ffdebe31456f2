//! Lines per second through the core of a log view, without a cluster: a 1,000,000-line log
//! (served from memory in 64 KiB chunks, as a fast API server would) goes through the splitter,
//! the view (merge, batches of 1,000 lines / 50 ms), the conversion to the UI's model types and
//! a 100,000-line `LogBuffer`.
//!
//! `cargo run --release -p loupe-core --example logs_throughput [LINES]`

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use loupe_core::CoreError;
use loupe_core::cluster::Target;
use loupe_core::logs::{
    Backend, LogStream, Plan, PodSet, PodWatch, RawEvent, Reader, Tuning, open,
};
use loupe_model::logs::{ContainerSelection, LogBuffer, LogEvent, LogOptions, WorkloadKind};
use std::sync::Arc;
use std::time::Instant;

/// Serves one big log body.
#[derive(Clone)]
struct Memory {
    body: Arc<Vec<u8>>,
    target: Target,
}

impl Backend for Memory {
    async fn open(&self, _: &str, _: &str, _: &LogParams) -> Result<Reader, kube::Error> {
        let body = self.body.clone();
        let chunks = (0..body.len().div_ceil(65_536)).map(move |i| {
            let end = ((i + 1) * 65_536).min(body.len());
            Ok::<_, std::io::Error>(body[i * 65_536..end].to_vec())
        });
        Ok(Box::pin(futures::stream::iter(chunks).into_async_read()))
    }

    async fn get_pod(&self, _: &str, name: &str) -> Result<Option<Pod>, kube::Error> {
        Ok(Some(
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "namespace": "bench", "uid": "u"},
                "spec": {"nodeName": "n", "containers": [{"name": "app"}]},
                "status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "i",
                    "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}]},
            }))
            .map_err(kube::Error::SerdeError)?,
        ))
    }

    async fn list_pods(&self, _: &str, _: &str) -> Result<Vec<Pod>, kube::Error> {
        Ok(Vec::new())
    }

    async fn selector_of(&self, _: &str, _: WorkloadKind, _: &str) -> Result<String, CoreError> {
        Ok(String::new())
    }

    fn watch_pods(&self, _: &str, _: Option<&str>, _: Option<&str>) -> Option<PodWatch> {
        None
    }

    fn target(&self) -> &Target {
        &self.target
    }
}

fn plan() -> Plan {
    Plan {
        namespace: "bench".into(),
        pods: PodSet::Named("bench".into()),
        containers: ContainerSelection::Default,
        options: LogOptions::default(),
        max_streams: None,
    }
}

fn body(lines: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines * 100);
    for i in 0..lines {
        let secs = i / 1000;
        let line = format!(
            "2026-01-01T{:02}:{:02}:{:02}.{:09}Z bench line {i} lorem ipsum dolor sit amet, consectetur adipiscing\n",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            (i % 1000) * 1_000_000
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let body = Arc::new(body(lines));
    let mb = body.len() as f64 / 1e6;
    let backend = Memory {
        body,
        target: Target::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // UI path: model batches into a ring buffer.
        let start = Instant::now();
        let mut stream = LogStream::new(open(backend.clone(), plan(), Tuning::default()));
        let mut buffer = LogBuffer::default();
        let mut batches = 0usize;
        while let Some(batch) = stream.next().await {
            batches += 1;
            let (rest, _) = buffer.push_events(batch.events);
            if rest.iter().any(|e| matches!(e, LogEvent::End { .. })) {
                break;
            }
        }
        let got = buffer.len() + buffer.dropped() as usize;
        let secs = start.elapsed().as_secs_f64();
        println!(
            "ui path:  {got} lines ({mb:.1} MB) in {secs:.3} s = {:.0} lines/s ({batches} batches; buffer keeps {} lines, ~{:.1} MB, {} dropped)",
            got as f64 / secs,
            buffer.len(),
            buffer.bytes() as f64 / 1e6,
            buffer.dropped()
        );

        // CLI path: raw lines, nothing kept.
        let start = Instant::now();
        let mut raw = open(backend, plan(), Tuning::default());
        let mut n = 0usize;
        while let Some(batch) = raw.next_batch().await {
            let mut end = false;
            for e in batch.events {
                match e {
                    RawEvent::Lines(l) => n += l.len(),
                    RawEvent::End(_) => end = true,
                    _ => {}
                }
            }
            if end {
                break;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "raw path: {n} lines in {secs:.3} s = {:.0} lines/s",
            n as f64 / secs
        );
    });
}
