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
  cluster: {server: 'https://127.0.0.1:6443'}
- name: shared-cluster
  cluster: {server: 'https://127.0.0.1:7443'}
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
  cluster: {server: 'https://127.0.0.1:8443'}
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
    app.screenshot("screenshot-merged.png").await;

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
    // The files card (on the Kubeconfig tab) lists both, in chain order, with their state.
    app.click("[data-testid=tab-kubeconfig]").await;
    app.wait_for("[data-testid=sources]").await;
    let mut sources = Vec::new();
    for el in app
        .client
        .find_all(Locator::Css("[data-testid=source]"))
        .await
        .unwrap()
    {
        sources.push((attr(&el, "data-status").await, el.text().await.unwrap()));
    }
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_eq!(sources[0].0, "broken");
    assert!(sources[0].1.contains(&bad.display().to_string()));
    assert_eq!(sources[1].0, "loaded");
    assert!(sources[1].1.contains("2 contexts"), "{sources:?}");
    let _ = app
        .client
        .execute(
            "document.querySelector('[data-testid=sources]').scrollIntoView()",
            vec![],
        )
        .await;
    app.screenshot("screenshot-files.png").await;
    app.close().await;
}

async fn connection_state(app: &App) -> (String, String) {
    match app
        .client
        .find(Locator::Css("[data-testid=connection-state]"))
        .await
    {
        Ok(el) => (attr(&el, "data-state").await, attr(&el, "data-kind").await),
        Err(_) => (String::new(), String::new()),
    }
}

async fn select(app: &App, context: &str) {
    app.client
        .find(Locator::Css(&format!(
            "[data-testid=context-item][data-name={context}]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no context {context} in the sidebar: {e}"))
        .click()
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn sandbox_contexts_connect_and_failures_are_explained() {
    let kc = std::env::var("LOUPE_SANDBOX_KUBECONFIG")
        .expect("LOUPE_SANDBOX_KUBECONFIG must name the sandbox's merged kubeconfig");
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    assert_eq!(detail_name(&app).await, "sandbox-admin");

    // The current context connects to the real API server.
    app.eventually(
        "sandbox-admin connects",
        Duration::from_secs(20),
        || async { connection_state(&app).await.0 == "connected" },
    )
    .await;
    let version = app.wait_for("[data-testid=server-version]").await;
    assert_eq!(version.text().await.unwrap(), "v1.34.4");
    let user = app.wait_for("[data-testid=server-user]").await;
    assert_eq!(user.text().await.unwrap(), "loupe-admin");
    app.screenshot("screenshot.png").await;

    // Broken contexts fail with a diagnosis of the right kind, not a raw error.
    for (context, kind) in [
        ("broken-wrong-ca", "TlsUnknownAuthority"),
        ("broken-bad-token", "Unauthorized"),
        ("broken-wrong-port", "ConnectionRefused"),
        ("broken-exec-missing", "ExecNotApproved"),
    ] {
        select(&app, context).await;
        app.eventually(
            &format!("{context} is diagnosed as {kind}"),
            Duration::from_secs(20),
            || async {
                detail_name(&app).await == context
                    && connection_state(&app).await == ("failed".to_string(), kind.to_string())
            },
        )
        .await;
        let fix = app.wait_for("[data-testid=diagnosis-fix]").await;
        assert!(
            !fix.text().await.unwrap().trim().is_empty(),
            "{context}: no fix shown"
        );
        if context == "broken-wrong-ca" {
            app.screenshot("screenshot-diagnosis.png").await;
        }
    }

    // The exec plugin is shown before it runs; once approved, Loupe tries it (and finds it is
    // not installed).
    let shown = app.wait_for("[data-testid=exec-command]").await;
    assert!(
        shown
            .text()
            .await
            .unwrap()
            .starts_with("kubectl-oidc_login-notinstalled"),
        "the command to approve is shown"
    );
    app.click("[data-testid=approve-exec]").await;
    app.eventually(
        "after approval the missing plugin is diagnosed",
        Duration::from_secs(20),
        || async {
            connection_state(&app).await == ("failed".to_string(), "ExecPluginMissing".to_string())
        },
    )
    .await;
    app.close().await;
}

/// `kubectl config view --raw -o json` of one file: what kubectl makes of it, for comparing the
/// files Loupe wrote with the ones kubectl writes for the same commands.
fn kubectl_view(file: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new("/usr/bin/kubectl")
        .args(["config", "view", "--raw", "-o", "json", "--kubeconfig"])
        .arg(file)
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("kubectl prints JSON")
}

fn kubectl(chain: &str, args: &[&str]) {
    let out = std::process::Command::new("/usr/bin/kubectl")
        .arg("config")
        .args(args)
        .env("KUBECONFIG", chain)
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn action_result(app: &App) -> (String, String) {
    match app
        .client
        .find(Locator::Css("[data-testid=action-result] [data-state]"))
        .await
    {
        Ok(el) => (
            attr(&el, "data-state").await,
            el.text().await.unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    }
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run ./dev test"]
async fn edits_in_the_app_change_the_files_as_kubectl_would() {
    let dir = fixture_dir("edits");
    let (a, b) = (dir.join("a.yaml"), dir.join("b.yaml"));
    let commented_a = format!("# my clusters, keep this comment\n{A}x-unknown-field: keep-me\n");
    std::fs::write(&a, &commented_a).unwrap();
    std::fs::write(&b, B).unwrap();
    // The same starting files for kubectl.
    let kdir = fixture_dir("edits-kubectl");
    let (ka, kb) = (kdir.join("a.yaml"), kdir.join("b.yaml"));
    std::fs::write(&ka, &commented_a).unwrap();
    std::fs::write(&kb, B).unwrap();
    let chain = format!("{}:{}", a.display(), b.display());
    let kchain = format!("{}:{}", ka.display(), kb.display());

    let app = App::launch(&[("KUBECONFIG", &chain)]).await;
    app.wait_for("[data-testid=context-item]").await;

    // 1. use-context prod (defined in b.yaml; kubectl writes current-context to the first file).
    select(&app, "prod").await;
    app.eventually("prod selected", Duration::from_secs(5), || async {
        detail_name(&app).await == "prod"
    })
    .await;
    app.click("[data-testid=use-context]").await;
    // The file reload re-renders the card, so state and text are read together, and again if
    // the element was replaced between the two reads.
    app.eventually(
        "use-context reports kubectl's message and command",
        Duration::from_secs(10),
        || async {
            let (state, text) = action_result(&app).await;
            state == "done"
                && text.contains("Switched to context \"prod\".")
                && text.contains("kubectl config use-context prod")
        },
    )
    .await;
    kubectl(&kchain, &["use-context", "prod"]);
    app.eventually(
        "the sidebar follows the file",
        Duration::from_secs(5),
        || async {
            context_items(&app)
                .await
                .iter()
                .any(|(n, c, _)| n == "prod" && c == "true")
        },
    )
    .await;

    // 2. set-context prod --namespace=payments (prod lives in b.yaml).
    // A late file reload can replace the form between finding and typing: retry on that.
    app.eventually(
        "namespace typed and saved",
        Duration::from_secs(10),
        || async {
            let input = app.wait_for("[data-testid=namespace-input]").await;
            if input.clear().await.is_err() || input.send_keys("payments").await.is_err() {
                return false;
            }
            match app
                .client
                .find(Locator::Css("[data-testid=namespace-save]"))
                .await
            {
                Ok(save) => save.click().await.is_ok(),
                Err(_) => false,
            }
        },
    )
    .await;
    app.eventually("namespace saved", Duration::from_secs(10), || async {
        let (state, text) = action_result(&app).await;
        state == "done" && text.contains("kubectl config set-context prod --namespace=payments")
    })
    .await;
    kubectl(&kchain, &["set-context", "prod", "--namespace=payments"]);
    app.eventually(
        "detail shows the new namespace",
        Duration::from_secs(5),
        || async {
            match app
                .client
                .find(Locator::Css("[data-testid=detail-namespace]"))
                .await
            {
                Ok(el) => el.text().await.unwrap_or_default() == "payments",
                Err(_) => false,
            }
        },
    )
    .await;
    app.screenshot("screenshot-edit.png").await;
    app.close().await;

    // Each file means to kubectl exactly what kubectl's own edits produced...
    for (mine, theirs) in [(&a, &ka), (&b, &kb)] {
        assert_eq!(
            kubectl_view(mine),
            kubectl_view(theirs),
            "{}",
            mine.display()
        );
    }
    // ...and Loupe kept what kubectl would have dropped.
    let after = std::fs::read_to_string(&a).unwrap();
    assert!(
        after.contains("# my clusters, keep this comment"),
        "{after}"
    );
    assert!(after.contains("x-unknown-field: keep-me"), "{after}");
}

async fn names_of(app: &App, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in app.client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(attr(&el, "data-name").await);
    }
    out
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver and a display: run ./dev test"]
async fn kubeconfig_view_shows_every_entry_and_imports_a_file_by_reference() {
    let dir = fixture_dir("import");
    let (a, b) = (dir.join("a.yaml"), dir.join("team-b.yaml"));
    std::fs::write(&a, A).unwrap();
    std::fs::write(&b, B).unwrap();
    let app = App::launch(&[("KUBECONFIG", &a.display().to_string())]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-kubeconfig]").await;
    app.wait_for("[data-testid=kubeconfig-view]").await;
    assert_eq!(
        names_of(&app, "[data-testid=which-entry]").await,
        ["dev", "staging"]
    );
    assert_eq!(
        names_of(&app, "[data-testid=where-entry]").await,
        ["dev-cluster", "shared-cluster"]
    );
    assert_eq!(names_of(&app, "[data-testid=who-entry]").await, ["alice"]);
    // NOW's context, cluster and user are the highlighted ones.
    assert_eq!(
        names_of(&app, ".entry.now").await,
        ["dev", "dev-cluster", "alice"]
    );

    // Secrets are masked: the token is nowhere in the page until the user reveals it.
    let source = app.client.source().await.unwrap();
    assert!(!source.contains("not-a-real-token"));
    app.click("[data-testid=who-entry][data-name=alice] [data-testid=reveal-toggle]")
        .await;
    let secret = app.wait_for("[data-testid=secret-value]").await;
    assert_eq!(secret.text().await.unwrap(), "not-a-real-token");
    app.click("[data-testid=who-entry][data-name=alice] [data-testid=reveal-toggle]")
        .await;
    app.eventually("the token hidden again", Duration::from_secs(5), || async {
        !app.client
            .source()
            .await
            .unwrap()
            .contains("not-a-real-token")
    })
    .await;

    // A path that is not a kubeconfig is refused with the reason; nothing changes.
    let input = app.wait_for("[data-testid=import-path]").await;
    input
        .send_keys(&dir.join("nope.yaml").display().to_string())
        .await
        .unwrap();
    app.click("[data-testid=import-button]").await;
    let err = app.wait_for("[data-testid=import-error]").await;
    assert!(err.text().await.unwrap().contains("no such file"));

    let input = app.wait_for("[data-testid=import-path]").await;
    input.clear().await.unwrap();
    input.send_keys(&b.display().to_string()).await.unwrap();
    app.click("[data-testid=import-button]").await;
    app.wait_for("[data-testid=import-result]").await;
    app.eventually(
        "the imported contexts in the sidebar",
        Duration::from_secs(5),
        || async {
            let names: Vec<String> = context_items(&app)
                .await
                .into_iter()
                .map(|(n, _, _)| n)
                .collect();
            names == ["dev", "prod", "staging"]
        },
    )
    .await;
    assert_eq!(
        names_of(&app, "[data-testid=where-entry]").await,
        ["dev-cluster", "prod-cluster", "shared-cluster"]
    );
    // kubectl's file still wins `staging`; the imported one only adds.
    let staging = app
        .wait_for("[data-testid=which-entry][data-name=staging]")
        .await;
    assert!(staging.text().await.unwrap().contains("from-file-a"));
    let imported = app.wait_for("[data-testid=imported]").await;
    assert_eq!(imported.text().await.unwrap(), "imported");
    let _ = app
        .client
        .execute("document.querySelector('main').scrollTop = 0", vec![])
        .await;
    app.screenshot("screenshot-kubeconfig.png").await;

    // Remove: the contexts go, the file stays.
    app.click("[data-testid=remove-source]").await;
    app.eventually(
        "the imported contexts gone",
        Duration::from_secs(5),
        || async {
            let names: Vec<String> = context_items(&app)
                .await
                .into_iter()
                .map(|(n, _, _)| n)
                .collect();
            names == ["dev", "staging"]
        },
    )
    .await;
    assert!(b.exists());
    app.close().await;
}
