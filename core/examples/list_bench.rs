//! Times the core's listing of one kind across all namespaces: as Table rows (what the UI and
//! `loupe get` show), as full objects (`-o json`), and as a watch (time to the first rows and
//! to the complete snapshot). Prints one `name median_ms min_ms count` line per measure.
//!
//! `cargo run --release -p loupe-core --example list_bench -- KUBECONFIG CONTEXT [KIND] [RUNS]`
//! (used by tests/bench/list.sh).

use loupe_core::cluster::{ConnectOptions, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::resources::{
    WatchOptions, discover, list_objects, list_table, resolve, watch_table,
};
use loupe_model::resources::{ListOptions, NamespaceScope, TableDelta};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[0]))
}

fn report(name: &str, times: Vec<Duration>, count: usize) {
    let (med, min) = median(times);
    println!("{name} {med:.0} {min:.0} {count}");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(context)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: list_bench KUBECONFIG CONTEXT [KIND] [RUNS]");
        std::process::exit(2);
    };
    let kind = args.get(3).map_or("pods", String::as_str);
    let runs: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(5);
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(path.into()),
        ..Default::default()
    });
    let cc = open_client(&kc, context, &ConnectOptions::default()).await?;
    let d = discover(&cc).await?;
    let r = resolve(&d, kind)?.resource;
    let opts = ListOptions::default();

    let (mut times, mut count) = (Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let page = list_table(&cc, &r, &NamespaceScope::All, &opts).await?;
        times.push(t.elapsed());
        count = page.rows.len();
    }
    report("table", times, count);

    let (mut times, mut count) = (Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let items = list_objects(&cc, &r, &NamespaceScope::All, &opts).await?;
        times.push(t.elapsed());
        count = items.len();
    }
    report("objects", times, count);

    let unpaged = ListOptions {
        page_size: Some(0),
        ..ListOptions::default()
    };
    let (mut times, mut count) = (Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let page = list_table(&cc, &r, &NamespaceScope::All, &unpaged).await?;
        times.push(t.elapsed());
        count = page.rows.len();
    }
    report("table-unpaged", times, count);

    let (mut times, mut count) = (Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let items = list_objects(&cc, &r, &NamespaceScope::All, &unpaged).await?;
        times.push(t.elapsed());
        count = items.len();
    }
    report("objects-unpaged", times, count);

    let (mut first, mut synced, mut count) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let mut w = watch_table(
            cc.clone(),
            r.clone(),
            NamespaceScope::All,
            WatchOptions::default(),
        );
        let mut rows = 0;
        while let Some(delta) = w.next_delta().await {
            match delta {
                TableDelta::Reset { rows: r, .. } => {
                    first.push(t.elapsed());
                    rows = r.len();
                }
                TableDelta::Changes { upserted, .. } => rows += upserted.len(),
                TableDelta::Synced { total, .. } => {
                    synced.push(t.elapsed());
                    assert_eq!(total, rows);
                    count = total;
                    break;
                }
                TableDelta::Status { .. } => {}
            }
        }
    }
    report("watch-first-rows", first, count);
    report("watch-synced", synced, count);
    Ok(())
}
