//! The log view in the real app against the sandbox: a pod's log equals kubectl's, search finds
//! and counts, the filter keeps matching lines, and a followed log shows a line appended to the
//! kwok log file. A second test covers pretty JSON, wrap, copy and the ring capacity on the
//! sidecar container (its log gets a JSON line and a 20,000-character line).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::{App, sandbox_kubeconfig, text_of};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

async fn log_lines(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for el in app
        .client
        .find_all(Locator::Css("[data-testid=log-line]"))
        .await
        .unwrap()
    {
        out.push(el.text().await.unwrap_or_default());
    }
    out
}

/// Opens the log view of default/logger from the cluster's pod list.
async fn open_logger_logs(app: &App) {
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("logger").await.unwrap();
    app.click("[data-testid=row][data-name=logger] td:nth-child(2)")
        .await;
    app.click("[data-testid=panel-logs]").await;
    app.wait_for("[data-testid=log-view]").await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn pod_logs_equal_kubectl_and_follow_search_filter_work() {
    let kc = sandbox_kubeconfig();
    let want: Vec<String> = {
        let out = Command::new("/usr/bin/kubectl")
            .args([
                "--kubeconfig",
                &kc,
                "logs",
                "-n",
                "default",
                "logger",
                "-c",
                "app",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert!(!want.is_empty());

    let downloads = std::env::temp_dir().join("loupe-e2e").join("downloads");
    let _ = std::fs::remove_dir_all(&downloads);
    let app = App::launch(&[
        ("KUBECONFIG", &kc),
        ("XDG_DOWNLOAD_DIR", &downloads.display().to_string()),
    ])
    .await;
    open_logger_logs(&app).await;
    // kubectl's default container (app), all lines (the file is short).
    app.eventually(
        "the log equals kubectl logs",
        Duration::from_secs(15),
        || async { log_lines(&app).await == want },
    )
    .await;

    // Follow: a line appended to the kwok log file shows up.
    let state_dir = PathBuf::from(&kc)
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .to_path_buf();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sandbox/sandbox.sh");
    // Unique, so a second run against the same sandbox cannot pass on the first run's line.
    let marker = format!(
        "e2e-followed-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let appended = Command::new(&script)
        .args(["append-log", "logger-app.log", &marker])
        .env("LOUPE_SANDBOX_DIR", &state_dir)
        .status()
        .unwrap();
    assert!(appended.success());
    app.eventually("the appended line", Duration::from_secs(10), || async {
        log_lines(&app).await.contains(&marker)
    })
    .await;

    // Search counts matches; the filter keeps only matching lines.
    let search = app.wait_for("[data-testid=log-search]").await;
    search.send_keys(&marker).await.unwrap();
    app.eventually("one match", Duration::from_secs(5), || async {
        text_of(&app, "[data-testid=log-count]").await == "1 match"
    })
    .await;
    app.click("[data-testid=log-filter]").await;
    app.eventually("only the matching line", Duration::from_secs(5), || async {
        log_lines(&app).await == [marker.clone()]
    })
    .await;
    app.screenshot("screenshot-logs.png").await;

    // Download saves the whole log (not the filtered view) as kubectl prints it.
    app.click("[data-testid=log-download]").await;
    let saved = app.wait_for("[data-testid=log-saved]").await;
    let text = saved.text().await.unwrap();
    let path = text.trim_start_matches("Saved to ").to_string();
    assert!(path.starts_with(&downloads.display().to_string()), "{text}");
    let content = std::fs::read_to_string(&path).unwrap();
    let mut expected = want.join("\n");
    expected.push('\n');
    expected.push_str(&marker);
    expected.push('\n');
    assert_eq!(content, expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    app.close().await;
}

/// The clipboard of the Xvfb display, when xclip is installed (else `None`: the test then
/// relies on the view's own confirmation).
fn x_clipboard() -> Option<String> {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn js(app: &App, script: &str) -> serde_json::Value {
    app.client.execute(script, vec![]).await.unwrap()
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn json_wrap_copy_and_capacity() {
    let kc = sandbox_kubeconfig();
    let state_dir = PathBuf::from(&kc)
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .to_path_buf();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sandbox/sandbox.sh");
    let append = |text: &str| {
        let ok = Command::new(&script)
            .args(["append-log", "logger-sidecar.log", text])
            .env("LOUPE_SANDBOX_DIR", &state_dir)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    };
    let tag = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let json_id = format!("e2e-json-{tag}");
    let json_line = format!(r#"{{"level":"info","msg":"{json_id}","attempt":2,"tags":["a","b"]}}"#);
    // 20,000 characters: more than the view lays out (5,000).
    let long_id = format!("e2e-long-{tag}");
    let long_line = format!("{long_id} {}", "x".repeat(20_000 - long_id.len() - 1));
    // Wide characters (CJK, emoji) take about two columns each: a wrapped row must not clip them.
    let wide_id = format!("e2e-wide-{tag}");
    let wide_line = format!("{wide_id} {}", "日本語のログ行、幅の広い文字🚀".repeat(60));
    append(&json_line);
    append(&long_line);
    append(&wide_line);

    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    open_logger_logs(&app).await;
    // The sidecar's log: the other tests compare the app container's log with kubectl's.
    app.wait_for("[data-testid=log-container]")
        .await
        .select_by_value("sidecar")
        .await
        .unwrap();
    app.eventually("both new lines", Duration::from_secs(15), || async {
        let lines = log_lines(&app).await;
        [&json_id, &long_id, &wide_id]
            .iter()
            .all(|id| lines.iter().any(|l| l.contains(id.as_str())))
    })
    .await;

    // Wrap off: the long line is one row, cut with a marker, and the view scrolls sideways.
    let row = js(
        &app,
        &format!(
            "const l = [...document.querySelectorAll('[data-testid=log-line]')].find(e => e.textContent.startsWith('{long_id}'));
             const s = document.querySelector('[data-testid=log-lines]');
             return [l.getBoundingClientRect().height, s.scrollWidth > s.clientWidth + 100, l.textContent.length, l.textContent.includes('+15,000 characters not shown')];"
        ),
    )
    .await;
    assert_eq!(row[0].as_f64(), Some(18.0), "one row: {row}");
    assert_eq!(row[1], true, "scrolls sideways: {row}");
    assert!(row[2].as_u64().unwrap() < 5_200, "cut for display: {row}");
    assert_eq!(row[3], true, "the cut is marked: {row}");
    // Wrap on: the same line takes many rows and nothing scrolls sideways.
    app.click("[data-testid=log-wrap]").await;
    app.eventually("the long line wraps", Duration::from_secs(5), || async {
        let r = js(
            &app,
            &format!(
                "const l = [...document.querySelectorAll('[data-testid=log-line]')].find(e => e.textContent.startsWith('{long_id}'));
                 const s = document.querySelector('[data-testid=log-lines]');
                 if (!l) return false;
                 const t = l.querySelector('.text');
                 return l.getBoundingClientRect().height > 18 * 20 && s.scrollWidth <= s.clientWidth
                     && t.scrollHeight <= l.getBoundingClientRect().height + 1;"
            ),
        )
        .await;
        r == true
    })
    .await;
    // The wide line spans several rows, and its text fits in them (nothing clipped).
    let wide = js(
        &app,
        &format!(
            "const l = [...document.querySelectorAll('[data-testid=log-line]')].find(e => e.textContent.startsWith('{wide_id}'));
             const s = document.querySelector('[data-testid=log-lines]');
             if (!l) return [null, [...document.querySelectorAll('[data-testid=log-line]')].map(e => e.textContent.slice(0, 30)), s.scrollTop, s.scrollHeight, s.clientHeight, document.querySelector('[data-testid=log-state]').textContent];
             l.scrollIntoView({{block: 'center'}});
             const t = l.querySelector('.text');
             return [l.getBoundingClientRect().height, t.scrollHeight];"
        ),
    )
    .await;
    let (height, text_height) = (
        wide[0].as_f64().unwrap_or_else(|| panic!("{wide}")),
        wide[1].as_f64().unwrap(),
    );
    assert!(height > 18.0 * 3.0, "the wide line wraps: {wide}");
    assert!(
        text_height <= height + 1.0,
        "the wide line is not clipped: {wide}"
    );
    app.screenshot("screenshot-logs-wrap.png").await;
    // Scrolling up pauses following; End goes back to the bottom and follows again.
    js(
        &app,
        "document.querySelector('[data-testid=log-lines]').scrollTop = 0; return true;",
    )
    .await;
    app.eventually("following pauses", Duration::from_secs(5), || async {
        text_of(&app, "[data-testid=log-state]")
            .await
            .starts_with("paused")
    })
    .await;
    app.wait_for("[data-testid=log-lines]")
        .await
        .send_keys(&fantoccini::key::Key::End.to_string())
        .await
        .unwrap();
    app.eventually("following resumes", Duration::from_secs(5), || async {
        text_of(&app, "[data-testid=log-state]").await == "following"
    })
    .await;
    app.click("[data-testid=log-wrap]").await;

    // JSON on: the object line is indented over several rows; search and filter still work.
    app.click("[data-testid=log-json]").await;
    let search = app.wait_for("[data-testid=log-search]").await;
    search.send_keys(&json_id).await.unwrap();
    app.eventually("one match", Duration::from_secs(5), || async {
        text_of(&app, "[data-testid=log-count]").await == "1 match"
    })
    .await;
    app.click("[data-testid=log-filter]").await;
    let pretty = format!(
        "{{\n  \"level\": \"info\",\n  \"msg\": \"{json_id}\",\n  \"attempt\": 2,\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}}"
    );
    app.eventually(
        "only the JSON line, pretty",
        Duration::from_secs(5),
        || async { log_lines(&app).await == [pretty.clone()] },
    )
    .await;
    let height = js(
        &app,
        "return document.querySelector('[data-testid=log-line]').getBoundingClientRect().height;",
    )
    .await;
    assert_eq!(height.as_f64(), Some(18.0 * 9.0), "nine rows");
    app.screenshot("screenshot-logs-json.png").await;
    app.click("[data-testid=theme-toggle]").await;
    app.screenshot("screenshot-logs-json-dark.png").await;
    app.click("[data-testid=theme-toggle]").await;

    // Copy: the lines shown (one, pretty) go to the clipboard.
    app.click("[data-testid=log-copy]").await;
    let copied = app.wait_for("[data-testid=log-copied]").await;
    assert_eq!(copied.text().await.unwrap(), "Copied 1 line");
    if let Some(clip) = x_clipboard() {
        assert_eq!(clip, format!("{pretty}\n"), "the X clipboard");
        eprintln!("clipboard checked with xclip");
    } else {
        eprintln!("xclip not installed: clipboard content not checked");
    }
    // Keyboard: j turns JSON off again (focus on the lines, not the search box).
    app.click("[data-testid=log-lines]").await;
    app.wait_for("[data-testid=log-lines]")
        .await
        .send_keys("j")
        .await
        .unwrap();
    app.eventually("JSON off by key", Duration::from_secs(5), || async {
        log_lines(&app).await == [json_line.clone()]
    })
    .await;

    // Capacity: a smaller ring is kept and remembered.
    let select = app.wait_for("[data-testid=log-capacity]").await;
    select.select_by_value("10000").await.unwrap();
    app.eventually("the capacity is saved", Duration::from_secs(5), || async {
        js(&app, "return localStorage.getItem('loupe.logs.capacity');").await == "10000"
    })
    .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn a_deployment_log_merges_its_pods_with_labels() {
    let kc = sandbox_kubeconfig();
    let pods: Vec<String> = {
        let out = Command::new("/usr/bin/kubectl")
            .args(["--kubeconfig", &kc, "get", "pods", "-n", "team-a"])
            .args(["-l", "app=web", "-o", "name"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.trim_start_matches("pod/").to_string())
            .collect()
    };
    assert_eq!(pods.len(), 3, "{pods:?}");
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    app.click("[data-testid=kind][data-plural=deployments]")
        .await;
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("web").await.unwrap();
    app.click("[data-testid=row][data-name=web] td:nth-child(2)")
        .await;
    let tab = app.wait_for("[data-testid=panel-logs]").await;
    assert_eq!(tab.text().await.unwrap(), "Logs (all pods)");
    tab.click().await.unwrap();
    app.wait_for("[data-testid=log-view]").await;
    // Every pod's lines, each tagged with the pod's short label (the part after the
    // ReplicaSet's name).
    let want: Vec<String> = {
        let mut v: Vec<String> = pods
            .iter()
            .map(|p| p.rsplit('-').next().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    app.eventually("lines of all three pods", Duration::from_secs(15), || async {
        let labels = js(
            &app,
            "return [...new Set([...document.querySelectorAll('[data-testid=log-line] .src')].map(e => e.textContent))].sort();",
        )
        .await;
        labels == serde_json::json!(want)
    })
    .await;
    app.screenshot("screenshot-logs-workload.png").await;
    app.close().await;
}
