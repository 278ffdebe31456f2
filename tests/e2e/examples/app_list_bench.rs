//! App benchmark for the resource browser (run by tests/bench/app-list.sh; prints figures and
//! asserts nothing about them): with the sandbox scaled to many pods, in the real app,
//! 1. memory (PSS summed over the app and its WebKit processes) at idle, before the Cluster tab;
//! 2. time from the click on the Cluster tab to the first pod rows painted, and to the whole
//!    list synced (pods of all namespaces, watched);
//! 3. memory with that list open and watched;
//! 4. scroll: time from a jump to the middle of the table to its rows painted;
//! 5. delta latency under churn: `churn` (core example) patches pods at RATE/s and creates a
//!    marker pod every 500 ms; the table is filtered to the markers, and each marker's latency is
//!    the time its row appeared in the page minus the time just before its create request.
//!
//! Environment: LOUPE_APP, LOUPE_SANDBOX_KUBECONFIG, LOUPE_CHURN (the churn binary),
//! LOUPE_BENCH_RATE (default 500), LOUPE_BENCH_SECONDS (default 30).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a failed step ends it loudly

use fantoccini::wd::TimeoutConfiguration;
use loupe_e2e::App;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// PIDs of `root` and all its descendants (from /proc/*/stat's ppid field).
fn tree(root: u32) -> Vec<u32> {
    let mut parent = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // comm may hold spaces or parentheses: the fields after the last ')' are fixed.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        if let Some(ppid) = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
        {
            parent.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// The newest process running `bin`.
fn app_pid(bin: &Path) -> Option<u32> {
    let bin = std::fs::canonicalize(bin).ok()?;
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            (std::fs::read_link(e.path().join("exe")).ok()? == bin).then_some(pid)
        })
        .max()
}

/// PSS in MB summed over the app's process tree, and the process names.
fn pss_mb(pid: u32) -> (f64, String) {
    let mut kb = 0u64;
    let mut names = Vec::new();
    for p in tree(pid) {
        let rollup = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).unwrap_or_default();
        kb += rollup
            .lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        if let Ok(c) = std::fs::read_to_string(format!("/proc/{p}/comm")) {
            names.push(c.trim().to_string());
        }
    }
    names.sort();
    names.dedup();
    (kb as f64 / 1024.0, names.join(","))
}

async fn text(app: &App, css: &str) -> String {
    let js = format!("const e = document.querySelector('{css}'); return e ? e.textContent : '';");
    app.client
        .execute(&js, vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let kc = std::env::var("LOUPE_SANDBOX_KUBECONFIG").expect("LOUPE_SANDBOX_KUBECONFIG");
    let churn = PathBuf::from(std::env::var("LOUPE_CHURN").expect("LOUPE_CHURN"));
    let rate = std::env::var("LOUPE_BENCH_RATE").unwrap_or_else(|_| "500".into());
    let seconds = std::env::var("LOUPE_BENCH_SECONDS").unwrap_or_else(|_| "30".into());
    let bin = loupe_e2e::app_binary();

    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(180)),
            None,
            None,
        ))
        .await
        .expect("script timeout");
    app.wait_for("[data-testid=context-item]").await;
    let pid = app_pid(&bin).expect("the app's process");
    tokio::time::sleep(Duration::from_secs(8)).await;
    let (idle, procs) = pss_mb(pid);
    println!("processes: {procs}");
    println!("idle PSS (context list, no cluster view): {idle:.0} MB");

    // Request to first rows: the click is the request; a row in the DOM plus one animation
    // frame is "painted".
    let first = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const t0 = performance.now();\
             const has = () => document.querySelector('[data-testid=row]');\
             const fin = () => requestAnimationFrame(() => done(performance.now() - t0));\
             const obs = new MutationObserver(() => { if (has()) { obs.disconnect(); fin(); } });\
             obs.observe(document.body, { childList: true, subtree: true });\
             document.querySelector('[data-testid=tab-cluster]').click();",
            vec![],
        )
        .await
        .expect("first rows")
        .as_f64()
        .unwrap_or(f64::NAN);
    let t_click = Instant::now();
    println!("click on Cluster -> first pod rows painted: {first:.0} ms");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if text(&app, "[data-testid=watch-state]").await == "live" {
            break;
        }
        assert!(Instant::now() < deadline, "the list never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let count = text(&app, "[data-testid=row-count]").await;
    println!(
        "-> whole list synced and watched (polled every 50 ms): {:.0} ms after first rows, {count} rows",
        t_click.elapsed().as_secs_f64() * 1000.0
    );
    let rows_in_dom = app
        .client
        .execute(
            "return document.querySelectorAll('[data-testid=row]').length",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    println!("rows in the DOM (virtualised): {rows_in_dom}");
    app.screenshot("bench-list.png").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(5)).await;
        open.push(pss_mb(pid).0);
    }
    println!(
        "PSS with the list open and watched (3 samples, 5 s apart): {} MB; above idle: {:.0} MB",
        open.iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(" / "),
        open.iter().copied().fold(f64::MIN, f64::max) - idle
    );

    // Scroll: jump to the middle; time until the first visible row changed and painted.
    let scroll = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const vt = document.querySelector('[data-testid=table]');\
             const before = document.querySelector('[data-testid=row]').dataset.name;\
             const t0 = performance.now();\
             const obs = new MutationObserver(() => {\
               const r = document.querySelector('[data-testid=row]');\
               if (r && r.dataset.name !== before) { obs.disconnect();\
                 requestAnimationFrame(() => done(performance.now() - t0)); } });\
             obs.observe(vt, { childList: true, subtree: true });\
             vt.scrollTop = vt.scrollHeight / 2;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    println!("scroll to the middle -> rows painted: {scroll:.0} ms");

    // Churn: filter to the markers and record when each marker row shows up.
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("mark-").await.expect("filter typed");
    app.client
        .execute(
            "window.__seen = {};\
             const note = () => document.querySelectorAll('[data-testid=row]').forEach(r => {\
               const n = r.dataset.name; if (n && n.startsWith('mark-') && !(n in window.__seen))\
                 window.__seen[n] = Date.now(); });\
             new MutationObserver(note).observe(document.body, { childList: true, subtree: true });",
            vec![],
        )
        .await
        .expect("observer installed");
    // Baseline: kubectl's own watch of the marker namespace, timestamped as its lines arrive.
    let mut watch = Command::new("/usr/bin/kubectl")
        .args([
            "--kubeconfig",
            &kc,
            "--context",
            "sandbox-admin",
            "get",
            "pods",
        ])
        .args(["-n", "bench-marks", "--watch", "-o", "name"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl watch started");
    let watch_out = watch.stdout.take().expect("kubectl stdout");
    let kubectl_seen = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut seen = std::collections::HashMap::new();
        for line in std::io::BufReader::new(watch_out)
            .lines()
            .map_while(Result::ok)
        {
            let name = line.trim().trim_start_matches("pod/").to_string();
            seen.entry(name).or_insert_with(unix_ms);
        }
        seen
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let churner = Command::new(&churn)
        .args([&kc, "sandbox-admin", &rate, &seconds])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("churn started");
    let secs: u64 = seconds.parse().unwrap_or(30);
    tokio::time::sleep(Duration::from_secs(secs / 2)).await;
    let (under, _) = pss_mb(pid);
    let out = tokio::task::spawn_blocking(move || churner.wait_with_output())
        .await
        .expect("join")
        .expect("churn output");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let seen = app
        .client
        .execute("return window.__seen", vec![])
        .await
        .expect("marks read");
    let _ = watch.kill();
    let _ = watch.wait();
    let kubectl_seen = kubectl_seen.join().unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (mut lat, mut lat_ack, mut lat_kubectl) = (Vec::new(), Vec::new(), Vec::new());
    let mut missing = 0;
    for l in stdout.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        match f.as_slice() {
            ["mark", name, sent, ack] => {
                let sent: f64 = sent.parse().unwrap_or(f64::NAN);
                let ack: f64 = ack.parse().unwrap_or(f64::NAN);
                match seen.get(*name).and_then(|v| v.as_f64()) {
                    Some(at) => {
                        lat.push(at - sent);
                        lat_ack.push(at - ack);
                    }
                    None => missing += 1,
                }
                if let Some(at) = kubectl_seen.get(*name) {
                    lat_kubectl.push(*at as f64 - sent);
                }
            }
            ["patches", n, per_s, "errors", e] => {
                println!(
                    "churn: {n} pod patches at {per_s}/s achieved (target {rate}/s), {e} errors, for {secs} s"
                );
            }
            _ => {}
        }
    }
    let show = |what: &str, mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        println!(
            "  {what:<44} n={:<3} median {:>5.0} ms  p95 {:>5.0} ms  max {:>5.0} ms",
            v.len(),
            percentile(&v, 0.5),
            percentile(&v, 0.95),
            v.last().copied().unwrap_or(f64::NAN)
        );
    };
    println!("delta latency under churn (marker pods; never seen in the app: {missing}):");
    show("create sent -> row in the app's page", lat);
    show("create answered -> row in the app's page", lat_ack);
    show("create sent -> line from `kubectl get -w`", lat_kubectl);
    println!(
        "PSS under churn: {under:.0} MB (above idle: {:.0} MB)",
        under - idle
    );
    app.screenshot("bench-churn.png").await;
    app.close().await;
}
