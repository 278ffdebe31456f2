//! The real app, driven like a user would: it must show the merged contexts of two kubeconfig
//! files (first wins), mark the current one, follow clicks and file changes, and explain what a
//! kubeconfig is when there is none.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::App;
use std::time::Duration;

const A: &str = "apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: {server: 'https://127.0.0.1:16443'}
- name: shared-cluster
  cluster: {server: 'https://127.0.0.1:17443'}
users:
- name: alice
  user: {token: not-a-real-token}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: alice, namespace: team-a}
- name: staging
  context: {cluster: shared-cluster, user: alice, namespace: from-file-a}
";

const B: &str = "apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster: {server: 'https://127.0.0.1:18443'}
users:
- name: bob
  user: {token: not-a-real-token}
contexts:
- name: prod
  context: {cluster: prod-cluster, user: bob}
- name: staging
  context: {cluster: prod-cluster, user: bob, namespace: from-file-b}
";

/// A fresh folder with a stable path, so screenshots (which show file paths) do not change from
/// run to run.
fn fixture_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("loupe-e2e").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn attr(el: &fantoccini::elements::Element, name: &str) -> String {
    el.attr(name).await.ok().flatten().unwrap_or_default()
}

async fn context_items(app: &App) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for el in app
        .client
        .find_all(Locator::Css("[data-testid=context-item]"))
        .await
        .expect("context items")
    {
        out.push((
            attr(&el, "data-name").await,
            attr(&el, "data-current").await,
            attr(&el, "aria-selected").await,
        ));
    }
    out
}

async fn detail_name(app: &App) -> String {
    match app
        .client
        .find(Locator::Css("[data-testid=detail-name]"))
        .await
    {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run ./dev test"]
async fn sidebar_shows_the_merged_contexts_and_follows_clicks_and_files() {
    let dir = fixture_dir("merged");
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    std::fs::write(&a, A).unwrap();
    std::fs::write(&b, B).unwrap();
    let chain = format!("{}:{}", a.display(), b.display());
    let app = App::launch(&[("KUBECONFIG", &chain)]).await;

    app.wait_for("[data-testid=context-item]").await;
    let items = context_items(&app).await;
    let names: Vec<&str> = items.iter().map(|(n, _, _)| n.as_str()).collect();
    // Merged, first file wins for `staging`, sorted by name like kubectl.
    assert_eq!(names, ["dev", "prod", "staging"]);
    let current: Vec<&str> = items
        .iter()
        .filter(|(_, c, _)| c == "true")
        .map(|(n, _, _)| n.as_str())
        .collect();
    // a.yaml is first and sets current-context: dev.
    assert_eq!(current, ["dev"]);
    assert_eq!(detail_name(&app).await, "dev");
    let ns = app.wait_for("[data-testid=detail-namespace]").await;
    assert_eq!(ns.text().await.unwrap(), "team-a");
    // The shadowed `staging` of b.yaml is reported, not silently dropped.
    let notices = app.wait_for("[data-testid=notices]").await;
    let text = notices.text().await.unwrap();
    assert!(
        text.contains("\"staging\"") && text.contains("first file wins"),
        "{text}"
    );
    app.screenshot("screenshot.png").await;

    // Clicking another context shows it.
    app.client
        .find(Locator::Css(
            "[data-testid=context-item][data-name=staging]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.eventually("detail shows staging", Duration::from_secs(5), || async {
        detail_name(&app).await == "staging"
    })
    .await;
    let origin = app.wait_for("[data-testid=detail-origin]").await;
    assert_eq!(origin.text().await.unwrap(), a.display().to_string());
    let selected: Vec<String> = context_items(&app)
        .await
        .into_iter()
        .filter(|(_, _, s)| s == "true")
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(selected, ["staging"]);

    // Keyboard: ArrowUp from `staging` selects `prod`.
    app.client
        .find(Locator::Css(
            "[data-testid=context-item][data-name=staging]",
        ))
        .await
        .unwrap()
        .send_keys("\u{E013}")
        .await
        .unwrap();
    app.eventually("ArrowUp selects prod", Duration::from_secs(5), || async {
        detail_name(&app).await == "prod"
    })
    .await;

    // kubectl (or an editor) changes the file: the app follows without a restart.
    let tmp = dir.join("a.yaml.tmp");
    std::fs::write(
        &tmp,
        A.replace("current-context: dev", "current-context: staging"),
    )
    .unwrap();
    std::fs::rename(&tmp, &a).unwrap();
    app.eventually("NOW moves to staging", Duration::from_secs(5), || async {
        context_items(&app)
            .await
            .iter()
            .any(|(n, c, _)| n == "staging" && c == "true")
    })
    .await;

    // Dark theme, for the README.
    app.client
        .find(Locator::Css("[data-testid=theme-toggle]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.eventually("dark theme applied", Duration::from_secs(5), || async {
        app.client
            .execute(
                "return document.documentElement.getAttribute('data-theme')",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .is_some_and(|t| t == "dark")
    })
    .await;
    app.screenshot("screenshot-dark.png").await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run ./dev test"]
async fn no_kubeconfig_explains_what_one_is() {
    let dir = fixture_dir("empty");
    let missing = dir.join("nothing-here.yaml");
    let app = App::launch(&[("KUBECONFIG", &missing.display().to_string())]).await;
    let empty = app.wait_for("[data-testid=empty-state]").await;
    let text = empty.text().await.unwrap();
    for word in ["WHERE", "WHO", "WHICH", "NOW", "kubeconfig"] {
        assert!(text.contains(word), "empty state lacks {word}: {text}");
    }
    assert!(text.contains("not found"), "{text}");
    app.screenshot("screenshot-empty.png").await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run ./dev test"]
async fn a_broken_file_is_reported_and_the_rest_still_loads() {
    let dir = fixture_dir("broken");
    let (bad, good) = (dir.join("bad.yaml"), dir.join("good.yaml"));
    std::fs::write(&bad, "clusters: [\n  - name: x\n  cluster: {").unwrap();
    std::fs::write(&good, B).unwrap();
    let chain = format!("{}:{}", bad.display(), good.display());
    let app = App::launch(&[("KUBECONFIG", &chain)]).await;
    app.wait_for("[data-testid=context-item]").await;
    let names: Vec<String> = context_items(&app)
        .await
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(names, ["prod", "staging"]);
    let notices = app.wait_for("[data-testid=notices]").await;
    let text = notices.text().await.unwrap();
    assert!(text.contains(&bad.display().to_string()), "{text}");
    app.close().await;
}
