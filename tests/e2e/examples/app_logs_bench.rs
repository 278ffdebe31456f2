//! A benchmark of the app's log view, driven through WebDriver: memory (PSS over all the app's
//! processes) at idle and while 1,000,000 lines stream into an open view, lines per second
//! reaching the UI while following a fast writer, and how long a scroll and a search take to
//! show while following. It prints figures and asserts only that the view kept working.
//!
//! Run by `tests/bench/app-logs.sh` (which creates the pod and its 1,000,000-line log file). An
//! example, not a test: `./dev test` runs the e2e tests with `--include-ignored`.

#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

use loupe_e2e::{App, app_binary};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The app's process and all its descendants (WebKitWebProcess, WebKitNetworkProcess, ...).
fn app_processes() -> Vec<(u32, String)> {
    let app = std::fs::canonicalize(app_binary()).unwrap();
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut roots = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_link(entry.path().join("exe")).is_ok_and(|e| e == app) {
            roots.push(pid);
        }
        // `pid (comm) state ppid ...`; comm may hold spaces, so split after the last ')'.
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("stat"))
            && let Some((_, rest)) = stat.rsplit_once(')')
            && let Some(ppid) = rest.split_whitespace().nth(1)
            && let Ok(ppid) = ppid.parse()
        {
            parent.insert(pid, ppid);
        }
    }
    let mut all = Vec::new();
    for &pid in &parent.keys().copied().collect::<Vec<_>>() {
        let mut p = pid;
        // Walk up: is this process the app or below it?
        for _ in 0..64 {
            if roots.contains(&p) {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                all.push((pid, comm));
                break;
            }
            match parent.get(&p) {
                Some(&pp) if pp > 1 => p = pp,
                _ => break,
            }
        }
    }
    all
}

/// PSS in MB summed over the app's processes, and the sum per process name
/// ("loupe-app 105 WebKitWebProces 380 ...": which process holds the memory).
fn pss_mb() -> (f64, String) {
    let mut by_name: std::collections::BTreeMap<String, u64> = Default::default();
    for (pid, comm) in app_processes() {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            let kb = s
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            *by_name.entry(comm).or_default() += kb;
        }
    }
    let total = by_name.values().sum::<u64>() as f64 / 1024.0;
    let parts = by_name
        .iter()
        .map(|(n, kb)| format!("{n} {:.0}", *kb as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(" ");
    (total, parts)
}

async fn attr(app: &App, name: &str) -> u64 {
    let v = app
        .client
        .execute(
            &format!(
                "const v = document.querySelector('[data-testid=log-view]'); return v ? v.getAttribute('{name}') : null;"
            ),
            vec![],
        )
        .await
        .unwrap();
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Appends CRI-format lines to `file` at `rate` lines/s (in 20 ms slices) until `stop`.
fn writer(
    file: PathBuf,
    rate: u64,
    stop: Arc<AtomicBool>,
    written: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        let per_slice = (rate / 50).max(1);
        let start = Instant::now();
        let mut slice = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let mut buf = String::with_capacity(per_slice as usize * 120);
            for _ in 0..per_slice {
                let i = written.fetch_add(1, Ordering::Relaxed);
                let (s, ns) = (i / 1_000_000, (i % 1_000_000) * 1000);
                buf.push_str(&format!(
                    "2026-01-02T{:02}:{:02}:{:02}.{ns:09}Z stdout F follow line {i} lorem ipsum dolor sit amet, consectetur adipiscing\n",
                    s / 3600 % 24,
                    s / 60 % 60,
                    s % 60
                ));
            }
            f.write_all(buf.as_bytes()).unwrap();
            slice += 1;
            let next = start + Duration::from_millis(20 * slice);
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    })
}

/// Scrolls the lines to `frac` of their height; ms until a rendered line fills the top of the
/// viewport (-1: not within 10 s).
const SCROLL_JS: &str = "
const done = arguments[arguments.length - 1];
const s = document.querySelector('[data-testid=log-lines]');
const frac = arguments[0];
const t0 = performance.now();
s.scrollTop = Math.floor((s.scrollHeight - s.clientHeight) * frac);
function check() {
  const r = s.getBoundingClientRect();
  for (const l of s.querySelectorAll('[data-testid=log-line]')) {
    const b = l.getBoundingClientRect();
    if (b.top <= r.top + 20 && b.bottom > r.top) { done(performance.now() - t0); return; }
  }
  if (performance.now() - t0 > 10000) { done(-1); return; }
  requestAnimationFrame(check);
}
requestAnimationFrame(check);";

/// Types `arguments[0]` into the search box; ms until the match count shows, and the count.
const SEARCH_JS: &str = "
const done = arguments[arguments.length - 1];
const i = document.querySelector('[data-testid=log-search]');
const c = document.querySelector('[data-testid=log-count]');
const term = arguments[0];
const t0 = performance.now();
i.value = term;
i.dispatchEvent(new Event('input', { bubbles: true }));
function check() {
  const t = c.textContent;
  if (term === '' ? t.endsWith(' lines') : (t.includes('match') || t.startsWith('bad'))) {
    done([performance.now() - t0, t]); return;
  }
  if (performance.now() - t0 > 20000) { done([-1, t]); return; }
  requestAnimationFrame(check);
}
requestAnimationFrame(check);";

fn stats(v: &[f64]) -> String {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let median = s.get(s.len() / 2).copied().unwrap_or(f64::NAN);
    let max = s.last().copied().unwrap_or(f64::NAN);
    format!("median {median:.0} ms, max {max:.0} ms ({} runs)", s.len())
}

#[tokio::main]
async fn main() {
    let kc = std::env::var("LOUPE_SANDBOX_KUBECONFIG").expect("LOUPE_SANDBOX_KUBECONFIG");
    let log_file = PathBuf::from(std::env::var("LOUPE_BENCH_LOG").expect("LOUPE_BENCH_LOG"));
    let lines: u64 = env_or("LOUPE_BENCH_LINES", "1000000").parse().unwrap();
    let rate: u64 = env_or("LOUPE_BENCH_RATE", "50000").parse().unwrap();
    let follow_secs: u64 = env_or("LOUPE_BENCH_FOLLOW_SECS", "10").parse().unwrap();
    assert!(Path::new(&log_file).is_file());
    println!("app: {}", app_binary().display());

    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("bench").await.unwrap();
    app.wait_for("[data-testid=row][data-name=bench] td:nth-child(2)")
        .await;
    // Count the IPC fetches (and failures) from here on; see the report after (a).
    app.client
        .execute(
            "window.__benchIpcFetches = 0; window.__benchIpcFailed = 0; const f = window.fetch;
             window.fetch = (u, o) => {
               if (!String(u).startsWith('ipc:')) return f(u, o);
               window.__benchIpcFetches++;
               return f(u, o).catch(e => { window.__benchIpcFailed++; throw e; });
             };",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (idle, procs) = pss_mb();
    println!("(a) memory, PSS over all the app's processes");
    println!("    idle (pod table open, no log view): {idle:.0} MB ({procs})");

    // Open the pod's log with every line (tail: all) and follow.
    app.click("[data-testid=row][data-name=bench] td:nth-child(2)")
        .await;
    app.click("[data-testid=panel-logs]").await;
    app.wait_for("[data-testid=log-view]").await;
    let start = Instant::now();
    app.wait_for("[data-testid=log-tail]")
        .await
        .select_by_value("-1")
        .await
        .unwrap();
    println!(
        "    {:>6} {:>10} {:>8} {:>10} {:>9} {:>9}  by process (MB)",
        "t s", "received", "kept", "dropped", "PSS MB", "+idle"
    );
    let mut done_at = None;
    let mut after = Vec::new();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let received = attr(&app, "data-received").await;
        let (pss, parts) = pss_mb();
        let t = start.elapsed().as_secs_f64();
        println!(
            "    {t:>6.1} {received:>10} {:>8} {:>10} {pss:>9.0} {:>9.0}  {parts} (wasm heap {})",
            attr(&app, "data-kept").await,
            attr(&app, "data-dropped").await,
            pss - idle,
            attr(&app, "data-wasm-bytes").await / 1_000_000
        );
        if done_at.is_none() && received >= lines {
            done_at = Some(t);
        }
        if done_at.is_some() {
            after.push(pss);
            if after.len() >= 4 {
                break;
            }
        }
        assert!(
            t < 600.0,
            "1,000,000 lines did not arrive within 10 minutes"
        );
    }
    let t = done_at.unwrap_or(f64::NAN);
    println!(
        "    {lines} lines in the view after {t:.1} s ({:.0} lines/s, file to screen)",
        lines as f64 / t
    );
    println!(
        "    after: PSS {} MB above idle (samples 2 s apart: flat when the ring is full)",
        after
            .iter()
            .map(|p| format!("{:.0}", p - idle))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let kept = attr(&app, "data-kept").await;
    let dropped = attr(&app, "data-dropped").await;
    assert_eq!(kept, 100_000, "the default ring keeps 100,000 lines");
    assert_eq!(kept + dropped, attr(&app, "data-received").await);
    // A smaller ring drops more, and the marker says so.
    app.wait_for("[data-testid=log-capacity]")
        .await
        .select_by_value("10000")
        .await
        .unwrap();
    app.eventually("the ring shrinks", Duration::from_secs(10), || async {
        attr(&app, "data-kept").await == 10_000
    })
    .await;
    let marker = app
        .wait_for("[data-testid=log-dropped]")
        .await
        .text()
        .await
        .unwrap();
    println!("    capacity 10,000: {marker}");
    assert_eq!(attr(&app, "data-dropped").await, dropped + 90_000);
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!(
        "    PSS with a 10,000-line ring: {:.0} MB above idle",
        pss_mb().0 - idle
    );
    app.wait_for("[data-testid=log-capacity]")
        .await
        .select_by_value("100000")
        .await
        .unwrap();

    // (b) A writer appends `rate` lines/s to the pod's log file; count what reaches the UI.
    // How batches reach the page: Tauri fetches large Channel messages over its `ipc:` custom
    // protocol, unless that failed and it fell back to postMessage (then raw bytes travel as
    // a JS array literal in an eval'd script: far more garbage per batch).
    let ipc = app
        .client
        .execute(
            "return [window.__benchIpcFetches, window.__benchIpcFailed];",
            vec![],
        )
        .await
        .unwrap();
    println!("    IPC over the ipc: protocol [fetches, failed]: {ipc}");
    // The same scrolls as in (c), with nothing streaming: the view's own latency.
    let mut idle_scrolls = Vec::new();
    for frac in [0.5, 0.1, 0.8, 0.3, 0.95] {
        let ms = app
            .client
            .execute_async(SCROLL_JS, vec![serde_json::json!(frac)])
            .await
            .unwrap();
        idle_scrolls.push(ms.as_f64().unwrap_or(-1.0));
    }
    println!(
        "    idle: scroll to a new position, first line painted: {} [{}]",
        stats(&idle_scrolls),
        idle_scrolls
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // Back to the bottom, following again.
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=log-lines]'); s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await
        .unwrap();
    println!("(b) follow: {rate} lines/s appended for {follow_secs} s");
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let base = attr(&app, "data-received").await;
    let w = writer(log_file.clone(), rate, stop.clone(), written.clone());
    let start = Instant::now();
    let mut last = (0.0, base);
    let mut rates = Vec::new();
    while start.elapsed() < Duration::from_secs(follow_secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (t, r) = (
            start.elapsed().as_secs_f64(),
            attr(&app, "data-received").await,
        );
        rates.push((r - last.1) as f64 / (t - last.0));
        last = (t, r);
    }
    stop.store(true, Ordering::Relaxed);
    w.join().unwrap();
    let total = written.load(Ordering::Relaxed);
    let wrote_for = start.elapsed().as_secs_f64();
    println!(
        "    written {total} lines in {wrote_for:.1} s ({:.0}/s); reaching the UI per second: {}",
        total as f64 / wrote_for,
        rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let catch_up = Instant::now();
    while attr(&app, "data-received").await < base + total
        && catch_up.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = attr(&app, "data-received").await - base;
    println!(
        "    all {got} of {total} lines in the UI {:.1} s after the writer stopped; overall {:.0} lines/s",
        catch_up.elapsed().as_secs_f64(),
        got as f64 / start.elapsed().as_secs_f64()
    );
    let (pss, parts) = pss_mb();
    println!("    PSS {:.0} MB above idle ({parts})", pss - idle);

    // (c) Scroll and search while following the same writer.
    println!("(c) responsiveness while following {rate} lines/s");
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(log_file.clone(), rate, stop.clone(), written.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut scrolls = Vec::new();
    for frac in [0.5, 0.1, 0.8, 0.3, 0.95, 0.2, 0.6] {
        let ms = app
            .client
            .execute_async(SCROLL_JS, vec![serde_json::json!(frac)])
            .await
            .unwrap();
        scrolls.push(ms.as_f64().unwrap_or(-1.0));
    }
    let mut searches = Vec::new();
    let mut counts = Vec::new();
    // All lines, about one in ten, about one in ten by regex, none.
    for term in [
        "lorem",
        "7 lorem",
        "/line [0-9]+3 lorem/",
        "nothing-matches-this",
    ] {
        let _ = app
            .client
            .execute_async(SEARCH_JS, vec![serde_json::json!("")])
            .await;
        let r = app
            .client
            .execute_async(SEARCH_JS, vec![serde_json::json!(term)])
            .await
            .unwrap();
        searches.push(r[0].as_f64().unwrap_or(-1.0));
        counts.push(format!("{term:?}: {}", r[1].as_str().unwrap_or("")));
    }
    stop.store(true, Ordering::Relaxed);
    w.join().unwrap();
    println!(
        "    scroll to a new position, first line painted: {} [{}]",
        stats(&scrolls),
        scrolls
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "    search typed, match count shown: {} [{}]",
        stats(&searches),
        searches
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("    counts: {}", counts.join("; "));
    let (pss, parts) = pss_mb();
    println!(
        "    PSS at the end: {:.0} MB above idle ({parts})",
        pss - idle
    );
    assert!(scrolls.iter().all(|&m| m >= 0.0), "a scroll never painted");
    app.screenshot("bench-logs.png").await;
    app.close().await;
}
