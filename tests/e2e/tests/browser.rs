//! The resource browser in the real app against the sandbox cluster: kinds, the watched pod
//! table (rows equal kubectl's), live changes made by kubectl, filter, YAML, and a limited user.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::{App, sandbox_kubeconfig, text_of};
use std::process::Command;
use std::time::Duration;

fn kubectl(kc: &str, args: &[&str]) -> String {
    let out = Command::new("/usr/bin/kubectl")
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn row_names(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for el in app
        .client
        .find_all(Locator::Css("[data-testid=row]"))
        .await
        .unwrap()
    {
        out.push(
            el.attr("data-name")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
    }
    out.sort();
    out
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn browse_pods_live_filter_and_yaml() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    app.wait_for("[data-testid=resource-browser]").await;
    // Pods of all namespaces, as kubectl lists them (asked again on each try: pods left by
    // earlier tests may still be going away).
    let pods = |kc: &str| {
        let mut v: Vec<String> = kubectl(kc, &["get", "pods", "-A", "-o", "name"])
            .lines()
            .map(|l| l.trim_start_matches("pod/").to_string())
            .collect();
        v.sort();
        v
    };
    assert!(!pods(&kc).is_empty());
    app.eventually(
        "the pod rows equal kubectl's",
        Duration::from_secs(20),
        || async { row_names(&app).await == pods(&kc) },
    )
    .await;
    app.eventually("the watch is live", Duration::from_secs(10), || async {
        text_of(&app, "[data-testid=watch-state]").await == "live"
    })
    .await;
    // The default columns are kubectl's, with NAMESPACE first for all namespaces.
    let mut heads = Vec::new();
    for th in app.client.find_all(Locator::Css(".vt th")).await.unwrap() {
        heads.push(th.text().await.unwrap());
    }
    assert_eq!(
        heads,
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );

    // A pod created by kubectl shows up; deleted, it goes.
    kubectl(
        &kc,
        &[
            "create",
            "namespace",
            "e2e-browser",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
    );
    let _ = Command::new("/usr/bin/kubectl")
        .args(["--kubeconfig", &kc, "create", "namespace", "e2e-browser"])
        .output();
    kubectl(
        &kc,
        &[
            "-n",
            "e2e-browser",
            "run",
            "e2e-live",
            "--image=busybox",
            "--restart=Never",
        ],
    );
    app.eventually("the new pod appears", Duration::from_secs(10), || async {
        row_names(&app).await.contains(&"e2e-live".to_string())
    })
    .await;
    kubectl(
        &kc,
        &[
            "-n",
            "e2e-browser",
            "delete",
            "pod",
            "e2e-live",
            "--wait=false",
            "--grace-period=0",
            "--force",
        ],
    );
    app.eventually(
        "the deleted pod disappears",
        Duration::from_secs(15),
        || async { !row_names(&app).await.contains(&"e2e-live".to_string()) },
    )
    .await;
    let _ = Command::new("/usr/bin/kubectl")
        .args([
            "--kubeconfig",
            &kc,
            "delete",
            "namespace",
            "e2e-browser",
            "--wait=false",
        ])
        .output();

    // The filter keeps matching rows only.
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("web-").await.unwrap();
    app.eventually("only web pods", Duration::from_secs(5), || async {
        let rows = row_names(&app).await;
        !rows.is_empty() && rows.iter().all(|r| r.starts_with("web-"))
    })
    .await;
    let count = text_of(&app, "[data-testid=row-count]").await;
    assert!(count.contains(" of "), "{count}");
    app.screenshot("screenshot-pods.png").await;

    // Opening a row shows its YAML.
    app.click("[data-testid=row] td:nth-child(2)").await;
    let yaml = app.wait_for("[data-testid=object-yaml]").await;
    let text = yaml.text().await.unwrap();
    assert!(text.contains("kind: Pod"), "{text}");
    assert!(text.contains("name: web-"), "{text}");
    // It is highlighted: keys and values are separate pieces (the text above is unchanged).
    let keys = app
        .client
        .find_all(Locator::Css("[data-testid=object-yaml] .y-key"))
        .await
        .unwrap();
    assert_eq!(keys[0].text().await.unwrap(), "apiVersion");
    let kind_value = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=object-yaml] .y-key')]\
               .find(k => k.textContent === 'kind').nextElementSibling.nextElementSibling.nextElementSibling.textContent",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kind_value.as_str(), Some("Pod"));
    // The summary reads the pod: phase, its container's state, its owner.
    app.eventually("the pod's summary", Duration::from_secs(10), || async {
        text_of(&app, "[data-testid=summary-phase]").await == "Running"
    })
    .await;
    let container = text_of(&app, "[data-testid=summary-container]").await;
    assert!(container.contains("running"), "{container}");
    let owner = text_of(&app, "[data-testid=summary-owner]").await;
    assert!(owner.starts_with("ReplicaSet web-"), "{owner}");
    // The pod's events (the scheduler's at least) are listed.
    app.eventually("the pod's events", Duration::from_secs(10), || async {
        text_of(&app, "[data-testid=object-events]")
            .await
            .contains("Scheduled")
    })
    .await;
    app.screenshot("screenshot-yaml.png").await;
    // managedFields are folded until asked for.
    assert!(!text.contains("managedFields"), "{text}");
    app.click("[data-testid=show-managed-fields]").await;
    app.eventually("managedFields shown", Duration::from_secs(10), || async {
        text_of(&app, "[data-testid=object-yaml]")
            .await
            .contains("managedFields")
    })
    .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn a_user_who_cannot_list_namespaces_still_browses_their_own() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=context-item][data-name=sandbox-editor-b]")
        .await;
    app.click("[data-testid=tab-cluster]").await;
    let notice = app.wait_for("[data-testid=namespace-fallback]").await;
    assert!(notice.text().await.unwrap().contains("team-b"));
    let want = || {
        let mut v: Vec<String> = kubectl(&kc, &["get", "pods", "-n", "team-b", "-o", "name"])
            .lines()
            .map(|l| l.trim_start_matches("pod/").to_string())
            .collect();
        v.sort();
        v
    };
    app.eventually("team-b's pods", Duration::from_secs(20), || async {
        row_names(&app).await == want()
    })
    .await;
    assert!(
        app.client
            .find(Locator::Css("[data-testid=watch-error]"))
            .await
            .is_err(),
        "no error for a namespace the user may list"
    );
    app.screenshot("screenshot-limited.png").await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn two_clusters_as_tabs_keep_their_view() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=context-item][data-name=sandbox-admin]")
        .await;
    app.click("[data-testid=tab-cluster]").await;
    let admin = ".cluster-pane[data-context=sandbox-admin]";
    app.click(&format!(
        "{admin} [data-testid=kind][data-plural=deployments]"
    ))
    .await;
    app.eventually(
        "admin shows deployments",
        Duration::from_secs(10),
        || async {
            text_of(&app, &format!("{admin} [data-testid=kind-title]")).await == "Deployment"
        },
    )
    .await;
    // A second cluster opens in its own tab.
    app.click("[data-testid=context-item][data-name=sandbox-editor-b]")
        .await;
    app.wait_for(".cluster-pane[data-context=sandbox-editor-b] [data-testid=resource-browser]")
        .await;
    app.eventually("two cluster tabs", Duration::from_secs(10), || async {
        app.client
            .find_all(Locator::Css("[data-testid=cluster-tab]"))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
            == 2
    })
    .await;
    app.eventually("editor-b's pods", Duration::from_secs(20), || async {
        text_of(
            &app,
            ".cluster-pane[data-context=sandbox-editor-b] [data-testid=kind-title]",
        )
        .await
            == "Pod"
    })
    .await;
    app.screenshot("screenshot-cluster-tabs.png").await;
    // Back to the first: its kind is still selected, and nothing was reloaded.
    app.click(
        "[data-testid=cluster-tab][data-context=sandbox-admin] [data-testid=cluster-tab-open]",
    )
    .await;
    app.eventually("admin's pane is shown", Duration::from_secs(10), || async {
        match app.client.find(Locator::Css(admin)).await {
            Ok(el) => el.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    })
    .await;
    assert_eq!(
        text_of(&app, &format!("{admin} [data-testid=kind-title]")).await,
        "Deployment"
    );
    assert_eq!(
        text_of(&app, &format!("{admin} [data-testid=watch-state]")).await,
        "live"
    );
    // Closing a tab unmounts its browser (and stops its watches).
    app.click(
        "[data-testid=cluster-tab][data-context=sandbox-editor-b] [data-testid=cluster-tab-close]",
    )
    .await;
    app.eventually("one tab left", Duration::from_secs(10), || async {
        app.client
            .find(Locator::Css(".cluster-pane[data-context=sandbox-editor-b]"))
            .await
            .is_err()
    })
    .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn the_last_view_survives_a_reload() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=context-item][data-name=sandbox-admin]")
        .await;
    app.click("[data-testid=tab-cluster]").await;
    app.click("[data-testid=kind][data-plural=deployments]")
        .await;
    let filter = app.wait_for("[data-testid=row-filter]").await;
    filter.send_keys("web").await.unwrap();
    app.click("[data-testid=row][data-name=web] td").await;
    app.wait_for("[data-testid=object-panel]").await;
    // The page starts again, as after an app restart (localStorage stays, keyed by context).
    app.client
        .execute("window.location.reload();", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=context-item][data-name=sandbox-admin]")
        .await;
    app.click("[data-testid=tab-cluster]").await;
    app.eventually(
        "the kind, filter and object come back",
        Duration::from_secs(20),
        || async {
            text_of(&app, "[data-testid=kind-title]").await == "Deployment"
                && text_of(&app, "[data-testid=object-panel] h2").await == "Deployment web"
        },
    )
    .await;
    let value = app
        .wait_for("[data-testid=row-filter]")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some("web"));
    app.close().await;
}
