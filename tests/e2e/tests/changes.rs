//! Changes in the real app against the sandbox cluster, each checked with kubectl: edit a
//! ConfigMap (dry-run diff, then apply), scale and restart a Deployment, follow its owned
//! ReplicaSet, delete it after the confirmation, the action log; and a limited user whose
//! Delete is disabled with the permission it lacks.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::{App, sandbox_kubeconfig, text_of};
use std::process::{Command, Output};
use std::time::Duration;

const NS: &str = "e2e-changes";

fn kubectl_raw(kc: &str, args: &[&str]) -> Output {
    Command::new("/usr/bin/kubectl")
        .args(["--kubeconfig", kc, "--context", "sandbox-admin"])
        .args(args)
        .output()
        .unwrap()
}

fn kubectl(kc: &str, args: &[&str]) -> String {
    let out = kubectl_raw(kc, args);
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn attr_of(app: &App, css: &str, attr: &str) -> Option<String> {
    let el = app.client.find(Locator::Css(css)).await.ok()?;
    el.attr(attr).await.ok().flatten()
}

/// Scrolls an element into view, then clicks it.
async fn click_into_view(app: &App, css: &str) {
    let el = app.wait_for(css).await;
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&el).unwrap()],
        )
        .await
        .unwrap();
    el.click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Sets a form control's value as a user would (an `input` or `change` event follows).
async fn set_value(app: &App, css: &str, js_expr: &str, event: &str) {
    let el = app.wait_for(css).await;
    app.client
        .execute(
            &format!(
                "const el = arguments[0]; const v = el.value; el.value = {js_expr}; \
                 el.dispatchEvent(new Event('{event}', {{bubbles: true}}));"
            ),
            vec![serde_json::to_value(&el).unwrap()],
        )
        .await
        .unwrap();
}

/// Waits until an action button has its permission answer and is enabled.
async fn wait_enabled(app: &App, css: &str) {
    app.eventually(
        &format!("{css} enabled"),
        Duration::from_secs(20),
        || async {
            match app.client.find(Locator::Css(css)).await {
                Ok(el) => el.is_enabled().await.unwrap_or(false),
                Err(_) => false,
            }
        },
    )
    .await;
}

async fn open_kind_in_namespace(app: &App, plural: &str, ns: &str) {
    click_into_view(app, &format!("[data-testid=kind][data-plural={plural}]")).await;
    set_value(
        app,
        "[data-testid=namespace-select]",
        &format!("'{ns}'"),
        "change",
    )
    .await;
}

async fn open_row(app: &App, name: &str) {
    click_into_view(app, &format!("[data-testid=row][data-name=\"{name}\"] td")).await;
    app.wait_for("[data-testid=object-panel]").await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn edit_scale_restart_and_delete_checked_with_kubectl() {
    let kc = sandbox_kubeconfig();
    let _ = kubectl_raw(
        &kc,
        &["delete", "ns", NS, "--wait=true", "--ignore-not-found"],
    );
    kubectl(&kc, &["create", "ns", NS]);
    kubectl(
        &kc,
        &[
            "create",
            "configmap",
            "e2e-settings",
            "-n",
            NS,
            "--from-literal=mode=slow",
        ],
    );
    kubectl(
        &kc,
        &[
            "create",
            "deployment",
            "e2e-web",
            "-n",
            NS,
            "--image=nginx",
            "--replicas=1",
        ],
    );
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    app.wait_for("[data-testid=resource-browser]").await;

    // Edit a ConfigMap: dry run shows the diff and changes nothing; apply changes it.
    open_kind_in_namespace(&app, "configmaps", NS).await;
    open_row(&app, "e2e-settings").await;
    app.wait_for("[data-testid=object-yaml]").await;
    wait_enabled(&app, "[data-testid=action-edit]").await;
    app.click("[data-testid=action-edit]").await;
    set_value(
        &app,
        "[data-testid=edit-yaml]",
        "v.replace('mode: slow', 'mode: fast')",
        "input",
    )
    .await;
    let cmd = text_of(&app, "[data-testid=dialog-kubectl]").await;
    assert!(
        cmd.starts_with("kubectl replace --context=sandbox-admin --dry-run=server"),
        "{cmd}"
    );
    app.click("[data-testid=edit-dry-run]").await;
    let diff = app
        .wait_for("[data-testid=diff]")
        .await
        .text()
        .await
        .unwrap();
    assert!(diff.contains("-  mode: slow"), "{diff}");
    assert!(diff.contains("+  mode: fast"), "{diff}");
    let mode = || {
        kubectl(
            &kc,
            &[
                "get",
                "cm",
                "e2e-settings",
                "-n",
                NS,
                "-o",
                "jsonpath={.data.mode}",
            ],
        )
    };
    assert_eq!(mode(), "slow", "the dry run changed nothing");
    app.screenshot("screenshot-edit-diff.png").await;
    wait_enabled(&app, "[data-testid=edit-apply]").await;
    app.click("[data-testid=edit-apply]").await;
    app.eventually("the apply result", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=change-result]")
            .await
            .contains("configmap/e2e-settings replaced")
    })
    .await;
    assert_eq!(mode(), "fast");

    // Scale a Deployment.
    open_kind_in_namespace(&app, "deployments", NS).await;
    open_row(&app, "e2e-web").await;
    wait_enabled(&app, "[data-testid=action-scale]").await;
    app.click("[data-testid=action-scale]").await;
    set_value(&app, "[data-testid=scale-replicas]", "'3'", "input").await;
    app.eventually("the scale command", Duration::from_secs(5), || async {
        text_of(&app, "[data-testid=dialog-kubectl]")
            .await
            .contains("kubectl scale deployment.apps/e2e-web -n e2e-changes --replicas=3")
    })
    .await;
    app.click("[data-testid=scale-run]").await;
    let replicas = || {
        kubectl(
            &kc,
            &[
                "get",
                "deploy",
                "e2e-web",
                "-n",
                NS,
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        )
    };
    app.eventually(
        "kubectl shows 3 replicas",
        Duration::from_secs(15),
        || async { replicas() == "3" },
    )
    .await;

    // Rollout restart: kubectl sees the annotation.
    wait_enabled(&app, "[data-testid=action-restart]").await;
    app.click("[data-testid=action-restart]").await;
    app.click("[data-testid=restart-run]").await;
    let restarted_at = || {
        kubectl(
            &kc,
            &[
                "get",
                "deploy",
                "e2e-web",
                "-n",
                NS,
                "-o",
                "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
            ],
        )
    };
    app.eventually(
        "the restartedAt annotation",
        Duration::from_secs(15),
        || async { !restarted_at().is_empty() },
    )
    .await;

    // Owned objects: the Deployment's ReplicaSets, opened by link.
    app.eventually("owned ReplicaSets", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=owned-link]")
            .await
            .starts_with("ReplicaSet e2e-web-")
    })
    .await;
    app.screenshot("screenshot-actions.png").await;

    // Delete: Esc closes the confirmation; confirming deletes.
    wait_enabled(&app, "[data-testid=action-delete]").await;
    app.click("[data-testid=action-delete]").await;
    let dialog = app.wait_for("[data-testid=delete-dialog]").await;
    let cmd = text_of(
        &app,
        "[data-testid=delete-dialog] [data-testid=dialog-kubectl]",
    )
    .await;
    assert_eq!(
        cmd,
        "kubectl delete deployment.apps/e2e-web -n e2e-changes --context=sandbox-admin"
    );
    app.screenshot("screenshot-delete-confirm.png").await;
    dialog.send_keys("\u{e00c}").await.unwrap(); // Escape
    app.eventually("Esc closes the dialog", Duration::from_secs(5), || async {
        app.client
            .find(Locator::Css("[data-testid=delete-dialog]"))
            .await
            .is_err()
    })
    .await;
    assert_eq!(replicas(), "3", "nothing deleted on Esc");
    app.click("[data-testid=action-delete]").await;
    app.click("[data-testid=delete-confirm]").await;
    app.eventually("kubectl says NotFound", Duration::from_secs(15), || async {
        let out = kubectl_raw(&kc, &["get", "deploy", "e2e-web", "-n", NS]);
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("NotFound")
    })
    .await;

    // The action log lists the changes, newest first.
    app.click("[data-testid=object-panel] .card-head button")
        .await;
    click_into_view(&app, "[data-testid=action-log-button]").await;
    app.eventually("the action log", Duration::from_secs(10), || async {
        let entries = app
            .client
            .find_all(Locator::Css("[data-testid=action-log-entry]"))
            .await
            .unwrap_or_default();
        entries.len() >= 5
    })
    .await;
    let first = text_of(&app, "[data-testid=action-log-entry]").await;
    assert!(first.contains("delete"), "{first}");
    assert!(
        first.contains("deployment.apps/e2e-web -n e2e-changes"),
        "{first}"
    );
    let log = text_of(&app, "[data-testid=action-log]").await;
    assert!(log.contains("scale"), "{log}");
    assert!(log.contains("configmap/e2e-settings replaced"), "{log}");
    app.screenshot("screenshot-action-log.png").await;
    app.close().await;
    let _ = kubectl_raw(&kc, &["delete", "ns", NS, "--wait=false"]);
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn owner_links_open_the_owner() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=tab-cluster]").await;
    open_kind_in_namespace(&app, "pods", "team-a").await;
    let pod = kubectl(
        &kc,
        &[
            "get",
            "pods",
            "-n",
            "team-a",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ],
    );
    open_row(&app, &pod).await;
    app.click("[data-testid=summary-owner]").await;
    // The ReplicaSet opens in the panel; it lists its pods, the one we came from among them.
    app.eventually(
        "the ReplicaSet's panel",
        Duration::from_secs(15),
        || async {
            text_of(&app, "[data-testid=object-panel] h2")
                .await
                .starts_with("ReplicaSet web-")
        },
    )
    .await;
    app.eventually("its pods as links", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=object-panel]")
            .await
            .contains(&format!("Pod {pod}"))
    })
    .await;
    app.click("[data-testid=summary-owner]").await;
    app.eventually(
        "the Deployment's panel",
        Duration::from_secs(15),
        || async { text_of(&app, "[data-testid=object-panel] h2").await == "Deployment web" },
    )
    .await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn a_viewer_sees_delete_disabled_with_the_missing_permission() {
    let kc = sandbox_kubeconfig();
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=context-item][data-name=sandbox-viewer]")
        .await;
    app.click("[data-testid=tab-cluster]").await;
    app.wait_for("[data-testid=namespace-fallback]").await;
    click_into_view(&app, "[data-testid=row] td").await;
    app.wait_for("[data-testid=object-panel]").await;
    app.eventually("Delete answered", Duration::from_secs(20), || async {
        attr_of(&app, "[data-testid=action-delete]", "title")
            .await
            .is_some_and(|t| t.contains("needs"))
    })
    .await;
    let del = app.wait_for("[data-testid=action-delete]").await;
    assert!(!del.is_enabled().await.unwrap());
    assert_eq!(
        del.attr("data-denied").await.unwrap().as_deref(),
        Some("true")
    );
    let title = del.attr("title").await.unwrap().unwrap();
    assert!(title.contains("needs delete on pods in team-a"), "{title}");
    let reasons = text_of(&app, "[data-testid=action-denied-reasons]").await;
    assert!(
        reasons.contains("needs delete on pods in team-a"),
        "{reasons}"
    );
    // kubectl agrees.
    let out = Command::new("/usr/bin/kubectl")
        .args([
            "--kubeconfig",
            &kc,
            "--context",
            "sandbox-viewer",
            "auth",
            "can-i",
            "delete",
            "pods",
            "-n",
            "team-a",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    let edit = app.wait_for("[data-testid=action-edit]").await;
    assert!(!edit.is_enabled().await.unwrap());
    // Kinds the viewer may not list are locked in the sidebar, with the reason.
    app.eventually("nodes locked", Duration::from_secs(20), || async {
        attr_of(&app, "[data-testid=kind][data-plural=nodes]", "data-locked")
            .await
            .as_deref()
            == Some("true")
    })
    .await;
    let t = attr_of(&app, "[data-testid=kind][data-plural=nodes]", "title")
        .await
        .unwrap();
    assert!(t.contains("needs list on nodes (cluster-wide)"), "{t}");
    app.screenshot("screenshot-denied.png").await;
    click_into_view(&app, "[data-testid=kind][data-plural=nodes]").await;
    let banner = app.wait_for("[data-testid=kind-locked]").await;
    assert!(banner.text().await.unwrap().contains("list on nodes"));
    assert!(
        app.client
            .find(Locator::Css("[data-testid=watch-error]"))
            .await
            .is_err(),
        "a locked kind is not an error"
    );
    app.screenshot("screenshot-locked.png").await;

    // "Why?" on the lock opens the Access view with that cell (list nodes, cluster scope)
    // picked and its verdict shown.
    click_into_view(&app, "[data-testid=kind-locked] [data-testid=why-link]").await;
    app.wait_for("[data-testid=matrix]").await;
    let nodes = "[data-testid=cell][data-scope=cluster][data-verb=list][data-resource=nodes]";
    assert_eq!(
        attr_of(&app, nodes, "data-state").await.as_deref(),
        Some("denied")
    );
    app.eventually("the why of list nodes", Duration::from_secs(30), || async {
        let t = text_of(&app, "[data-testid=why]").await;
        t.contains("list") && t.contains("nodes")
    })
    .await;
    app.eventually("a denied verdict", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=why-verdict]")
            .await
            .starts_with("Denied")
    })
    .await;
    app.screenshot("screenshot-why-link.png").await;

    // Back in the cluster, the panel's denied Delete links to its cell in team-a.
    app.click("[data-testid=tab-cluster]").await;
    click_into_view(&app, "[data-testid=kind][data-plural=pods]").await;
    click_into_view(&app, "[data-testid=row] td").await;
    app.eventually("the denied reasons", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=action-denied-reasons]")
            .await
            .contains("delete on pods")
    })
    .await;
    let links = app
        .client
        .find_all(Locator::Css(
            "[data-testid=action-denied-reasons] [data-testid=why-link]",
        ))
        .await
        .unwrap();
    let mut delete_link = None;
    for l in links {
        if l.attr("title")
            .await
            .unwrap()
            .is_some_and(|t| t.contains("delete pods in team-a"))
        {
            delete_link = Some(l);
        }
    }
    let delete_link = delete_link.expect("a Why? link for delete pods in team-a");
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&delete_link).unwrap()],
        )
        .await
        .unwrap();
    delete_link.click().await.unwrap();
    let cell = "[data-testid=cell][data-scope=team-a][data-verb=delete][data-resource=pods]";
    app.wait_for(cell).await;
    app.eventually(
        "the why of delete pods",
        Duration::from_secs(30),
        || async {
            let t = text_of(&app, "[data-testid=why]").await;
            t.contains("delete") && t.contains("pods") && t.contains("team-a")
        },
    )
    .await;
    assert!(
        text_of(&app, "[data-testid=why-verdict]")
            .await
            .starts_with("Denied")
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn create_from_yaml_after_a_dry_run() {
    let kc = sandbox_kubeconfig();
    let ns = "e2e-create";
    let _ = kubectl_raw(
        &kc,
        &["delete", "ns", ns, "--wait=true", "--ignore-not-found"],
    );
    kubectl(&kc, &["create", "ns", ns]);
    let app = App::launch(&[("KUBECONFIG", &kc)]).await;
    app.wait_for("[data-testid=context-item]").await;
    app.click("[data-testid=theme-toggle]").await;
    app.click("[data-testid=tab-cluster]").await;
    open_kind_in_namespace(&app, "configmaps", ns).await;
    wait_enabled(&app, "[data-testid=create-button]").await;
    app.click("[data-testid=create-button]").await;
    let template = app
        .wait_for("[data-testid=create-yaml]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(template.contains("kind: ConfigMap"), "{template}");
    assert!(template.contains(&format!("namespace: {ns}")), "{template}");
    set_value(
        &app,
        "[data-testid=create-yaml]",
        "v.replace('name: my-configmap', 'name: made-in-loupe').replace('key: value', 'colour: blue')",
        "input",
    )
    .await;
    app.click("[data-testid=create-dry-run]").await;
    let diff = app
        .wait_for("[data-testid=diff]")
        .await
        .text()
        .await
        .unwrap();
    assert!(diff.contains("+  colour: blue"), "{diff}");
    let missing = kubectl_raw(&kc, &["get", "cm", "made-in-loupe", "-n", ns]);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("NotFound"),
        "the dry run created nothing"
    );
    app.screenshot("screenshot-create-dark.png").await;
    wait_enabled(&app, "[data-testid=create-run]").await;
    app.click("[data-testid=create-run]").await;
    app.eventually("created", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=create-result]")
            .await
            .contains("configmap/made-in-loupe created")
    })
    .await;
    assert_eq!(
        kubectl(
            &kc,
            &[
                "get",
                "cm",
                "made-in-loupe",
                "-n",
                ns,
                "-o",
                "jsonpath={.data.colour}"
            ]
        ),
        "blue"
    );
    app.close().await;
    let _ = kubectl_raw(&kc, &["delete", "ns", ns, "--wait=false"]);
}
