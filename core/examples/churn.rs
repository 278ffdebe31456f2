//! Load for the app benchmark (tests/bench/app-list.sh): changes the sandbox's scale pods at a
//! steady rate (an annotation patch each, so every change is a MODIFIED watch event with a new
//! resourceVersion) and, every MARK_MS, creates a marker pod in namespace `bench-marks`.
//!
//! Prints `mark NAME SENT_MS ACK_MS` for each marker (Unix ms just before the create and when
//! the API server answered it) and a
//! final `patches COUNT RATE_PER_S errors ERRORS`; the bench reads when each marker's row
//! appeared in the app and subtracts. Deletes its markers at the end.
//!
//! `cargo run --release -p loupe-core --example churn -- KUBECONFIG CONTEXT RATE SECONDS [MARK_MS]`

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use loupe_core::cluster::{ConnectOptions, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MARK_NS: &str = "bench-marks";
/// Patches in flight at most (the API server's default mutating limit is 200).
const IN_FLIGHT: usize = 128;

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: churn KUBECONFIG CONTEXT RATE SECONDS [MARK_MS]";
    let (Some(path), Some(context), Some(rate), Some(secs)) =
        (args.get(1), args.get(2), args.get(3), args.get(4))
    else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let rate: u64 = rate.parse()?;
    let secs: u64 = secs.parse()?;
    let mark_ms: u64 = args.get(5).map_or(Ok(500), |m| m.parse())?;
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(path.into()),
        ..Default::default()
    });
    let cc = open_client(&kc, context, &ConnectOptions::default()).await?;
    let client = cc.client.clone();

    let scale: Vec<(String, String)> = Api::<Pod>::all(client.clone())
        .list_metadata(&ListParams::default().labels("loupe.dev/scale=true"))
        .await?
        .items
        .into_iter()
        .filter_map(|p| Some((p.metadata.namespace?, p.metadata.name?)))
        .collect();
    if scale.is_empty() {
        eprintln!("no pods labelled loupe.dev/scale=true: run sandbox.sh scale first");
        std::process::exit(1);
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": { "name": MARK_NS }
    }))?;
    let _ = namespaces.create(&PostParams::default(), &ns).await; // may exist already
    let marks: Api<Pod> = Api::namespaced(client.clone(), MARK_NS);

    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);

    // Markers: one pod each MARK_MS, timed from just before the create request.
    let marker = {
        let marks = marks.clone();
        tokio::spawn(async move {
            let mut names = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(mark_ms));
            let mut i = 0u32;
            while Instant::now() < end {
                tick.tick().await;
                let name = format!("mark-{i:04}");
                i += 1;
                let pod: Pod = match serde_json::from_value(serde_json::json!({
                    "metadata": { "name": name },
                    "spec": { "containers": [{ "name": "c", "image": "busybox" }] }
                })) {
                    Ok(p) => p,
                    Err(_) => continue,
                };
                let sent = unix_ms();
                if marks.create(&PostParams::default(), &pod).await.is_ok() {
                    println!("mark {name} {sent} {}", unix_ms());
                    names.push(name);
                }
            }
            names
        })
    };

    // Patches: RATE per second, spread over 10 ms ticks, at most IN_FLIGHT at once.
    let per_tick = (rate / 100).max(1);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut next = 0usize;
    let mut serial = 0u64;
    let in_flight = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    while Instant::now() < end {
        tick.tick().await;
        for _ in 0..per_tick {
            let (ns, name) = scale[next % scale.len()].clone();
            next += 1;
            serial += 1;
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                break;
            };
            let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
            let (done, errors) = (done.clone(), errors.clone());
            let body = serde_json::json!({
                "metadata": { "annotations": { "loupe.dev/churn": serial.to_string() } }
            });
            tokio::spawn(async move {
                match api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&body))
                    .await
                {
                    Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                    Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                };
                drop(permit);
            });
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let _ = in_flight.acquire_many(IN_FLIGHT as u32).await;
    let names = marker.await.unwrap_or_default();
    let n = done.load(Ordering::Relaxed);
    println!(
        "patches {n} {:.0} errors {}",
        n as f64 / elapsed,
        errors.load(Ordering::Relaxed)
    );
    // Leave the cluster as it was: the markers go (in parallel, without waiting).
    futures::stream::iter(names)
        .for_each_concurrent(16, |name| {
            let marks = marks.clone();
            async move {
                let _ = marks.delete(&name, &DeleteParams::background()).await;
            }
        })
        .await;
    Ok(())
}
