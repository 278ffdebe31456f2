//! The log view in the real app against the sandbox: a pod's log equals kubectl's, search finds
//! and counts, the filter keeps matching lines, and a followed log shows a line appended to the
//! kwok log file.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::App;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn sandbox_kubeconfig() -> String {
    std::env::var("LOUPE_SANDBOX_KUBECONFIG")
        .expect("LOUPE_SANDBOX_KUBECONFIG must name the sandbox's merged kubeconfig")
}

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

async fn text_of(app: &App, css: &str) -> String {
    match app.client.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
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
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("logger").await.unwrap();
    app.click("[data-testid=row][data-name=logger] td:nth-child(2)")
        .await;
    app.click("[data-testid=panel-logs]").await;
    app.wait_for("[data-testid=log-view]").await;
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
