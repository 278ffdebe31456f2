//! The access view's who-can, another subject's matrix, several namespaces with export, and the
//! RBAC graph, in the real app against the sandbox (connected as the admin, who may read RBAC
//! objects and impersonate; and as editor-b, who may do neither).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use fantoccini::Locator;
use loupe_e2e::{App, sandbox_kubeconfig, text_of};
use std::path::{Path, PathBuf};
use std::time::Duration;

async fn attr(app: &App, css: &str, name: &str) -> Option<String> {
    app.wait_for(css).await.attr(name).await.unwrap()
}

/// Scrolls an element into view, then clicks it.
async fn click_in_view(app: &App, css: &str) {
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

/// Picks `value` in a `<select>` (through the DOM: WebKitWebDriver cannot click options).
async fn select(app: &App, css: &str, value: &str) {
    app.wait_for(css).await;
    app.client
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];\
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap();
}

/// Types into an input (replacing its value) and fires `input`.
async fn type_into(app: &App, css: &str, value: &str) {
    app.wait_for(css).await;
    app.client
        .execute(
            "const i = document.querySelector(arguments[0]); i.value = arguments[1];\
             i.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap();
}

async fn open_access(app: &App, context: &str) {
    app.wait_for("[data-testid=context-item]").await;
    app.click(&format!("[data-testid=context-item][data-name={context}]"))
        .await;
    app.click("[data-testid=tab-access]").await;
    app.wait_for("[data-testid=matrix]").await;
}

async fn cell_state(app: &App, scope: &str, verb: &str, resource: &str) -> String {
    let css = format!(
        "[data-testid=cell][data-scope=\"{scope}\"][data-verb=\"{verb}\"][data-resource=\"{resource}\"]"
    );
    attr(app, &css, "data-state").await.unwrap_or_default()
}

/// Ticks a namespace in the namespace picker (opening it first).
async fn add_namespace(app: &App, ns: &str) {
    let picker = app.wait_for("[data-testid=ns-picker]").await;
    if picker.attr("open").await.unwrap().is_none() {
        app.click("[data-testid=ns-summary]").await;
    }
    let css = format!("[data-testid=ns-option][data-ns=\"{ns}\"]");
    let checked = app
        .wait_for(&css)
        .await
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        == Some("true");
    if !checked {
        app.click(&css).await;
    }
}

async fn matrix_ready(app: &App) {
    app.eventually("the matrix", Duration::from_secs(20), || async {
        app.client
            .find(Locator::Css("[data-testid=matrix-loading]"))
            .await
            .is_err()
            && app
                .client
                .find(Locator::Css("[data-testid=matrix]"))
                .await
                .is_ok()
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn who_can_names_the_binding_and_opens_the_subjects_matrix() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-admin").await;
    app.click("[data-testid=access-tab-whocan]").await;
    type_into(&app, "[data-testid=whocan-verb]", "delete").await;
    type_into(&app, "[data-testid=whocan-resource]", "secrets").await;
    app.eventually(
        "namespaces in the form",
        Duration::from_secs(10),
        || async {
            app.client
                .find(Locator::Css(
                    "[data-testid=whocan-namespace] option[value=team-b]",
                ))
                .await
                .is_ok()
        },
    )
    .await;
    select(&app, "[data-testid=whocan-namespace]", "team-b").await;
    app.click("[data-testid=whocan-ask]").await;
    let row = "[data-testid=whocan-row][data-subject=\"user:editor-b\"]";
    app.wait_for(row).await;
    let t = text_of(&app, row).await;
    assert!(t.contains("RoleBinding team-b/editor-b-edit"), "{t}");
    assert!(t.contains("ClusterRole edit"), "{t}");
    // viewer may only read team-a: not a deleter of team-b's secrets.
    assert!(
        app.client
            .find(Locator::Css(
                "[data-testid=whocan-row][data-subject=\"user:viewer\"]"
            ))
            .await
            .is_err()
    );
    let summary = text_of(&app, "[data-testid=whocan-summary]").await;
    assert!(summary.contains("may delete secrets"), "{summary}");
    let _ = app
        .client
        .execute(
            "document.querySelector('[data-testid=whocan]').scrollIntoView({block: 'start'})",
            vec![],
        )
        .await;
    app.screenshot("screenshot-access-whocan.png").await;

    // A subject opens its own matrix (exact: the admin may impersonate).
    app.click(&format!("{row} [data-testid=whocan-subject]"))
        .await;
    app.eventually("editor-b's matrix", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=matrix-heading]").await == "What can user editor-b do"
            && app
                .client
                .find(Locator::Css("[data-testid=matrix-method]"))
                .await
                .is_ok()
    })
    .await;
    assert_eq!(
        attr(&app, "[data-testid=matrix-method]", "data-method")
            .await
            .as_deref(),
        Some("impersonation")
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn another_subjects_matrix_by_impersonation_and_typed() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-admin").await;
    matrix_ready(&app).await;
    add_namespace(&app, "team-a").await;
    add_namespace(&app, "team-b").await;
    app.click("[data-testid=ns-summary]").await; // close the picker
    app.eventually(
        "viewer in the subject list",
        Duration::from_secs(15),
        || async {
            app.client
                .find(Locator::Css(
                    "[data-testid=subject-select] option[value=\"user:viewer\"]",
                ))
                .await
                .is_ok()
        },
    )
    .await;
    select(&app, "[data-testid=subject-select]", "user:viewer").await;
    app.eventually("viewer's matrix", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=matrix-heading]").await == "What can user viewer do"
    })
    .await;
    matrix_ready(&app).await;
    let method = attr(&app, "[data-testid=matrix-method]", "data-method").await;
    assert_eq!(method.as_deref(), Some("impersonation"));
    let banner = text_of(&app, "[data-testid=matrix-method]").await;
    assert!(
        banner.contains("Exact") && banner.contains("impersonating"),
        "{banner}"
    );
    assert_eq!(cell_state(&app, "team-a", "get", "pods").await, "allowed");
    assert_eq!(cell_state(&app, "team-a", "delete", "pods").await, "denied");
    assert_eq!(cell_state(&app, "team-b", "get", "pods").await, "denied");
    // Why, for viewer (not for the admin): the RoleBinding in team-a.
    click_in_view(
        &app,
        "[data-testid=cell][data-scope=\"team-a\"][data-verb=\"get\"][data-resource=\"pods\"]",
    )
    .await;
    app.eventually("viewer's chain", Duration::from_secs(15), || async {
        let t = text_of(&app, "[data-testid=why]").await;
        t.contains("viewer-view") && t.contains("User \"viewer\"")
    })
    .await;
    app.screenshot("screenshot-access-subject.png").await;

    // A typed ServiceAccount.
    select(&app, "[data-testid=subject-kind]", "sa").await;
    type_into(&app, "[data-testid=subject-input]", "team-a:ci-bot").await;
    app.click("[data-testid=subject-show]").await;
    app.eventually("ci-bot's matrix", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=matrix-heading]").await
            == "What can serviceaccount team-a/ci-bot do"
    })
    .await;
    matrix_ready(&app).await;
    assert_eq!(
        cell_state(&app, "team-a", "create", "deployments.apps").await,
        "allowed"
    );
    assert_eq!(
        cell_state(&app, "team-b", "create", "deployments.apps").await,
        "denied"
    );
    app.close().await;
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn limited_identity_is_told_why_who_can_and_other_matrices_are_unavailable() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-editor-b").await;
    matrix_ready(&app).await;
    select(&app, "[data-testid=subject-kind]", "user").await;
    type_into(&app, "[data-testid=subject-input]", "viewer").await;
    app.click("[data-testid=subject-show]").await;
    app.wait_for("[data-testid=matrix-error]").await;
    let e = text_of(&app, "[data-testid=matrix-error]").await;
    assert!(
        e.contains("impersonate") && e.contains("RBAC objects"),
        "{e}"
    );
    app.click("[data-testid=access-tab-whocan]").await;
    app.click("[data-testid=whocan-ask]").await;
    app.wait_for("[data-testid=whocan-error]").await;
    let e = text_of(&app, "[data-testid=whocan-error]").await;
    assert!(
        e.contains("not available") && e.contains("may not read"),
        "{e}"
    );
    app.close().await;
}

fn cli_binary() -> PathBuf {
    let app = PathBuf::from(std::env::var("LOUPE_APP").expect("LOUPE_APP names the app binary"));
    app.parent().unwrap().join("loupe")
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn several_namespaces_export_equals_the_cli_csv() {
    let downloads = std::env::temp_dir().join("loupe-e2e-access-downloads");
    let _ = std::fs::remove_dir_all(&downloads);
    let app = App::launch(&[
        ("KUBECONFIG", &sandbox_kubeconfig()),
        ("XDG_DOWNLOAD_DIR", downloads.to_str().unwrap()),
    ])
    .await;
    open_access(&app, "sandbox-admin").await;
    matrix_ready(&app).await;
    // Start from "default", add team-a and team-b: three namespaces plus the cluster scope.
    add_namespace(&app, "team-a").await;
    add_namespace(&app, "team-b").await;
    app.click("[data-testid=ns-summary]").await;
    app.eventually("subjects", Duration::from_secs(15), || async {
        app.client
            .find(Locator::Css(
                "[data-testid=subject-select] option[value=\"user:viewer\"]",
            ))
            .await
            .is_ok()
    })
    .await;
    select(&app, "[data-testid=subject-select]", "user:viewer").await;
    app.eventually("viewer's matrix", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=matrix-heading]").await == "What can user viewer do"
    })
    .await;
    matrix_ready(&app).await;
    for scope in ["default", "team-a", "team-b", "cluster"] {
        let css = format!("[data-testid=cell][data-scope=\"{scope}\"]");
        app.wait_for(&css).await;
    }
    let summary = text_of(&app, "[data-testid=ns-summary]").await;
    assert_eq!(summary, "default, team-a, team-b + cluster scope");
    app.click("[data-testid=export-csv]").await;
    app.wait_for("[data-testid=export-path]").await;
    let shown = text_of(&app, "[data-testid=export-path] code").await;
    let path = Path::new(&shown);
    assert!(path.starts_with(&downloads), "{shown}");
    let csv = std::fs::read_to_string(path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the export is private");
    }
    app.screenshot("screenshot-access-export.png").await;
    app.close().await;

    // The same matrix from the CLI: `loupe --as viewer auth matrix -n ... -o csv`.
    let out = std::process::Command::new(cli_binary())
        .env("KUBECONFIG", sandbox_kubeconfig())
        .args([
            "--context",
            "sandbox-admin",
            "--as",
            "viewer",
            "auth",
            "matrix",
            "-n",
            "default",
            "-n",
            "team-a",
            "-n",
            "team-b",
            "-o",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), cli.lines().count());
    let differing: Vec<(&str, &str)> = csv
        .lines()
        .zip(cli.lines())
        .filter(|(a, b)| a != b)
        .take(10)
        .collect();
    assert!(
        csv == cli,
        "the exported CSV differs from the CLI's (app, cli): {differing:#?}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("team-a,pods,,,true,false,get,yes,"))
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("team-b,pods,,,true,false,get,no,"))
    );
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn graph_shows_a_subjects_bindings_and_opens_their_yaml() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-admin").await;
    app.click("[data-testid=access-tab-browse]").await;
    app.wait_for("[data-testid=rbac-graph]").await;
    // Without system:* objects, the sandbox's own bindings: every identity's.
    for id in [
        "RoleBinding:team-a/viewer-view",
        "RoleBinding:team-b/editor-b-edit",
        "ClusterRoleBinding:loupe-auditors",
    ] {
        app.wait_for(&format!("[data-testid=graph-node][data-id=\"{id}\"]"))
            .await;
    }
    let _ = app
        .client
        .execute(
            "document.querySelector('[data-testid=rbac-browse]').scrollIntoView({block: 'start'})",
            vec![],
        )
        .await;
    app.screenshot("screenshot-access-graph.png").await;
    type_into(&app, "[data-testid=browse-filter]", "ci-bot").await;
    let binding = "[data-testid=graph-node][data-id=\"RoleBinding:team-a/ci-bot-deployer\"]";
    app.wait_for(binding).await;
    app.wait_for("[data-testid=graph-node][data-id=\"Role:team-a/deployer\"]")
        .await;
    app.wait_for("[data-testid=graph-node][data-subject=\"sa:team-a:ci-bot\"]")
        .await;
    let counts = text_of(&app, "[data-testid=graph-counts]").await;
    assert!(
        counts.starts_with("1 subject(s) → 1 binding(s) → 1 role(s)"),
        "{counts}"
    );
    // SVG groups are not "interactable" for WebKitWebDriver: click the node's box, or fire the
    // click the box would.
    let rect = format!("{binding} rect");
    app.wait_for(&rect).await;
    let clicked = app
        .client
        .find(Locator::Css(&rect))
        .await
        .unwrap()
        .click()
        .await;
    if clicked.is_err() {
        app.client
            .execute(
                "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                vec![serde_json::json!(rect)],
            )
            .await
            .unwrap();
    }
    app.wait_for("[data-testid=rbac-yaml]").await;
    app.eventually("the binding's YAML", Duration::from_secs(15), || async {
        let y = text_of(&app, "[data-testid=rbac-yaml]").await;
        y.contains("kind: RoleBinding") && y.contains("name: ci-bot-deployer")
    })
    .await;
    app.screenshot("screenshot-access-yaml.png").await;
    app.click("[data-testid=rbac-yaml-close]").await;

    // The lists: RoleBindings in team-b, in the dark theme.
    let _ = app
        .client
        .execute(
            "document.documentElement.setAttribute('data-theme', 'dark')",
            vec![],
        )
        .await;
    app.click("[data-testid=browse-rbs]").await;
    type_into(&app, "[data-testid=browse-filter]", "").await;
    select(&app, "[data-testid=browse-namespace]", "team-b").await;
    app.wait_for("[data-testid=browse-row][data-name=\"editor-b-edit\"]")
        .await;
    let t = text_of(&app, "[data-testid=browse-table]").await;
    assert!(
        t.contains("ClusterRole edit") && t.contains("user editor-b"),
        "{t}"
    );
    assert!(
        !t.contains("viewer-view"),
        "team-a's binding is filtered out"
    );
    app.screenshot("screenshot-access-bindings-dark.png").await;
    app.close().await;
}

/// A ServiceAccount that may read RBAC objects but not impersonate: its kubeconfig (a copy of
/// the sandbox's with one more context, `sandbox-rbac-reader`) and a guard that deletes it.
struct Reader {
    kubeconfig: PathBuf,
}

const READER_OBJECTS: &str = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: loupe-e2e-rbac-reader, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: loupe-e2e-rbac-reader}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings, clusterroles, clusterrolebindings]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [serviceaccounts, namespaces]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: loupe-e2e-rbac-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: loupe-e2e-rbac-reader}
subjects:
- {kind: ServiceAccount, name: loupe-e2e-rbac-reader, namespace: team-a}
"#;

fn kubectl(kubeconfig: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("/usr/bin/kubectl")
        .env("KUBECONFIG", kubeconfig)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl Reader {
    fn create() -> Reader {
        let kc = sandbox_kubeconfig();
        let admin = ["--context", "sandbox-admin"];
        kubectl(
            &kc,
            &[&admin[..], &["apply", "-f", "-"]].concat(),
            Some(READER_OBJECTS),
        );
        let token = kubectl(
            &kc,
            &[
                &admin[..],
                &[
                    "create",
                    "token",
                    "loupe-e2e-rbac-reader",
                    "-n",
                    "team-a",
                    "--duration=1h",
                ],
            ]
            .concat(),
            None,
        );
        let cluster = kubectl(
            &kc,
            &[
                "config",
                "view",
                "-o",
                "jsonpath={.contexts[?(@.name==\"sandbox-admin\")].context.cluster}",
            ],
            None,
        );
        let dir = std::env::temp_dir().join("loupe-e2e-rbac-reader");
        std::fs::create_dir_all(&dir).unwrap();
        let copy = dir.join("kubeconfig.yaml");
        std::fs::copy(&kc, &copy).unwrap();
        let copy_s = copy.to_str().unwrap();
        kubectl(
            copy_s,
            &[
                "config",
                "set-credentials",
                "rbac-reader",
                &format!("--token={}", token.trim()),
            ],
            None,
        );
        kubectl(
            copy_s,
            &[
                "config",
                "set-context",
                "sandbox-rbac-reader",
                &format!("--cluster={}", cluster.trim()),
                "--user=rbac-reader",
            ],
            None,
        );
        Reader { kubeconfig: copy }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = std::process::Command::new("/usr/bin/kubectl")
            .env("KUBECONFIG", sandbox_kubeconfig())
            .args([
                "--context",
                "sandbox-admin",
                "delete",
                "--ignore-not-found",
                "clusterrolebinding/loupe-e2e-rbac-reader",
                "clusterrole/loupe-e2e-rbac-reader",
            ])
            .output();
        let _ = std::process::Command::new("/usr/bin/kubectl")
            .env("KUBECONFIG", sandbox_kubeconfig())
            .args([
                "--context",
                "sandbox-admin",
                "delete",
                "--ignore-not-found",
                "-n",
                "team-a",
                "serviceaccount/loupe-e2e-rbac-reader",
            ])
            .output();
        let _ = std::fs::remove_file(&self.kubeconfig);
    }
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn without_impersonation_another_matrix_is_evaluated_locally() {
    let reader = Reader::create();
    let app = App::launch(&[("KUBECONFIG", reader.kubeconfig.to_str().unwrap())]).await;
    open_access(&app, "sandbox-rbac-reader").await;
    matrix_ready(&app).await;
    add_namespace(&app, "team-a").await;
    app.click("[data-testid=ns-summary]").await;
    app.eventually(
        "viewer in the subject list",
        Duration::from_secs(15),
        || async {
            app.client
                .find(Locator::Css(
                    "[data-testid=subject-select] option[value=\"user:viewer\"]",
                ))
                .await
                .is_ok()
        },
    )
    .await;
    select(&app, "[data-testid=subject-select]", "user:viewer").await;
    app.eventually("viewer's matrix", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=matrix-heading]").await == "What can user viewer do"
    })
    .await;
    matrix_ready(&app).await;
    let method = attr(&app, "[data-testid=matrix-method]", "data-method").await;
    assert_eq!(method.as_deref(), Some("localRbac"));
    let banner = text_of(&app, "[data-testid=matrix-method]").await;
    assert!(
        banner.contains("Evaluated locally") && banner.contains("may not impersonate"),
        "{banner}"
    );
    assert_eq!(cell_state(&app, "team-a", "get", "pods").await, "allowed");
    assert_eq!(cell_state(&app, "team-a", "delete", "pods").await, "denied");
    let _ = app
        .client
        .execute(
            "document.querySelector('[data-testid=matrix-card]').scrollIntoView({block: 'start'})",
            vec![],
        )
        .await;
    app.screenshot("screenshot-access-local.png").await;
    app.close().await;
    drop(reader);
}

#[tokio::test]
#[ignore = "needs the built app, tauri-driver, a display and the sandbox cluster: run ./dev test"]
async fn all_namespaces_and_keyboard_navigation() {
    let app = App::launch(&[("KUBECONFIG", &sandbox_kubeconfig())]).await;
    open_access(&app, "sandbox-admin").await;
    matrix_ready(&app).await;
    app.click("[data-testid=ns-summary]").await;
    app.click("[data-testid=ns-all]").await;
    app.click("[data-testid=ns-summary]").await;
    app.eventually("every namespace", Duration::from_secs(20), || async {
        text_of(&app, "[data-testid=ns-summary]").await == "all namespaces + cluster scope"
    })
    .await;
    matrix_ready(&app).await;
    for scope in ["default", "kube-system", "team-a", "team-b", "cluster"] {
        app.wait_for(&format!("[data-testid=cell][data-scope=\"{scope}\"]"))
            .await;
    }
    // Only pods rows, then keyboard: ArrowRight from get goes to list, Enter explains it.
    type_into(&app, "[data-testid=access-filter]", "pods").await;
    let get =
        "[data-testid=cell][data-scope=\"team-b\"][data-verb=\"get\"][data-resource=\"pods\"]";
    app.wait_for(get).await;
    let _ = app
        .client
        .execute(
            "const c = document.querySelector(arguments[0]); c.scrollIntoView({block: 'center'}); c.focus();",
            vec![serde_json::json!(get)],
        )
        .await;
    let cell = app.wait_for(get).await;
    cell.send_keys("\u{E014}").await.unwrap(); // ArrowRight
    let focused = app
        .client
        .execute(
            "return document.activeElement.getAttribute('data-verb') + ' ' + document.activeElement.getAttribute('data-scope')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused.as_str(), Some("list team-b"));
    let list =
        "[data-testid=cell][data-scope=\"team-b\"][data-verb=\"list\"][data-resource=\"pods\"]";
    app.wait_for(list)
        .await
        .send_keys("\u{E007}") // Enter
        .await
        .unwrap();
    app.eventually("the why of list pods", Duration::from_secs(15), || async {
        text_of(&app, "[data-testid=why] h2").await == "Why: list pods in team-b"
    })
    .await;
    app.close().await;
}
