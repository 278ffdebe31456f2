//! The access view in the real app against the sandbox: who am I, the matrix, and why a cell is
//! allowed (the granting chain) or denied (what would grant it), for two limited identities.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_e2e::{App, sandbox_kubeconfig, text_of};
use std::time::Duration;

/// Scrolls a cell of the (scrollable) matrix into view, then clicks it.
async fn click_cell(app: &App, css: &str) {
    app.wait_for(css).await;
    let _ = app
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center', inline: 'nearest'})",
            vec![serde_json::json!(css)],
        )
        .await;
    app.click(css).await;
}

async fn open_access(app: &App, context: &str) {
    app.wait_for("[data-testid=context-item]").await;
    app.click(&format!("[data-testid=context-item][data-name={context}]"))
        .await;
    app.click("[data-testid=tab-access]").await;
    app.wait_for("[data-testid=matrix]").await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn viewer_sees_the_matrix_and_why_a_cell_is_allowed() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-viewer").await;
    assert_eq!(text_of(&app, "[data-testid=whoami-user]").await, "viewer");
    let get_pods = "[data-testid=cell][data-scope=team-a][data-verb=get][data-resource=pods]";
    let cell = app.wait_for(get_pods).await;
    assert_eq!(cell.attr("data-state").await.unwrap().unwrap(), "allowed");
    let delete_pods = "[data-testid=cell][data-scope=team-a][data-verb=delete][data-resource=pods]";
    let cell = app.wait_for(delete_pods).await;
    assert_eq!(cell.attr("data-state").await.unwrap().unwrap(), "denied");

    click_cell(&app, get_pods).await;
    // viewer may not read RBAC objects, so the chain comes from the API server's reason.
    app.eventually("the granting binding", Duration::from_secs(15), || async {
        let t = text_of(&app, "[data-testid=why]").await;
        t.contains("viewer-view") && t.contains("ClusterRole \"view\"")
    })
    .await;
    let verdict = app.wait_for("[data-testid=why-verdict]").await;
    assert_eq!(verdict.attr("data-allowed").await.unwrap().unwrap(), "true");
    app.screenshot("screenshot-access.png").await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn a_denied_cell_says_what_would_grant_it() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-editor-b").await;
    let cell = "[data-testid=cell][data-scope=team-b][data-verb=delete][data-resource=secrets]";
    let state = app.wait_for(cell).await.attr("data-state").await.unwrap();
    // editor-b edits team-b: deleting secrets there is allowed; escalate on roles is not.
    assert_eq!(state.as_deref(), Some("allowed"));
    let denied = "[data-testid=cell][data-scope=team-b][data-verb=escalate][data-resource=\"roles.rbac.authorization.k8s.io\"]";
    let state = app.wait_for(denied).await.attr("data-state").await.unwrap();
    assert_eq!(state.as_deref(), Some("denied"));
    click_cell(&app, denied).await;
    app.eventually("a denied verdict", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=why-verdict]")
            .await
            .starts_with("Denied")
    })
    .await;
    app.close().await;
}
