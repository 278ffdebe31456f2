//! Live connections against the sandbox cluster (tests/sandbox): every working identity connects
//! and reports v1.34.4, every broken kubeconfig fails with the expected diagnosis.
//!
//! Run with `./dev test` (it sets `LOUPE_SANDBOX_KUBECONFIG`), or by hand:
//! `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml cargo test -p loupe-core
//! --test cluster_sandbox -- --include-ignored`.

use base64::Engine as _;
use loupe_core::cluster::{ConnectOptions, ConnectionManager, connect};
use loupe_core::kubeconfig::{ChainOrigin, FileConfig, Kubeconfig, LoadRules};
use loupe_model::{ConnectionState, ConnectionStatus, DiagnosisKind};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn sandbox_path() -> PathBuf {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to its \
             kubeconfigs/sandbox.yaml"
        )
    });
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "LOUPE_SANDBOX_KUBECONFIG={} does not exist: is the sandbox up?",
        path.display()
    );
    path
}

fn sandbox() -> Kubeconfig {
    Kubeconfig::load(&LoadRules {
        explicit: Some(sandbox_path()),
        ..Default::default()
    })
}

fn opts() -> ConnectOptions {
    ConnectOptions {
        allow_exec: false,
        timeout: Duration::from_secs(20),
        ..ConnectOptions::default()
    }
}

fn describe(s: &ConnectionStatus) -> String {
    match &s.error {
        Some(d) => format!(
            "{}: {:?} {:?}\n  title: {}\n  message: {}\n  fix: {}\n  kubectl: {}",
            s.context,
            s.state,
            d.kind,
            d.title,
            d.message,
            d.fix,
            d.kubectl_says.as_deref().unwrap_or("-")
        ),
        None => format!(
            "{}: {:?} {:?} {:?} ms as {:?}",
            s.context, s.state, s.server_version, s.latency_ms, s.user
        ),
    }
}

fn assert_connected(s: &ConnectionStatus, user: &str) {
    assert_eq!(s.state, ConnectionState::Connected, "{}", describe(s));
    assert_eq!(
        s.server_version.as_deref(),
        Some("v1.34.4"),
        "{}",
        describe(s)
    );
    assert!(s.latency_ms.is_some(), "{}", describe(s));
    assert_eq!(s.user.as_deref(), Some(user), "{}", describe(s));
    assert!(s.error.is_none());
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn working_contexts_connect() {
    let kc = sandbox();
    for (context, user) in [
        ("sandbox-admin", "loupe-admin"),
        ("sandbox-viewer", "viewer"),
        ("sandbox-editor-b", "editor-b"),
        ("sandbox-auditor", "auditor"),
        ("sandbox-ci-bot", "system:serviceaccount:team-a:ci-bot"),
    ] {
        let s = connect(&kc, context, &opts()).await;
        println!("{}", describe(&s));
        assert_connected(&s, user);
    }
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn broken_contexts_are_diagnosed() {
    let kc = sandbox();
    for (context, kind, code) in [
        ("broken-wrong-ca", DiagnosisKind::TlsUnknownAuthority, None),
        ("broken-wrong-name", DiagnosisKind::TlsNameMismatch, None),
        ("broken-bad-token", DiagnosisKind::Unauthorized, Some(401)),
        ("broken-wrong-port", DiagnosisKind::ConnectionRefused, None),
        ("broken-exec-missing", DiagnosisKind::ExecNotApproved, None),
        (
            "broken-missing-cluster",
            DiagnosisKind::MissingCluster,
            None,
        ),
    ] {
        let s = connect(&kc, context, &opts()).await;
        println!("{}", describe(&s));
        assert_eq!(s.state, ConnectionState::Failed, "{}", describe(&s));
        let d = s.error.as_ref().expect("a failed status has a diagnosis");
        assert_eq!(d.kind, kind, "{}", describe(&s));
        assert_eq!(d.status_code, code, "{}", describe(&s));
        assert!(!d.title.is_empty() && !d.fix.is_empty());
        assert!(s.server_version.is_none());
    }
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn approved_but_missing_exec_plugin() {
    let kc = sandbox();
    let o = ConnectOptions {
        allow_exec: true,
        ..opts()
    };
    let s = connect(&kc, "broken-exec-missing", &o).await;
    println!("{}", describe(&s));
    let d = s.error.as_ref().expect("fails");
    assert_eq!(d.kind, DiagnosisKind::ExecPluginMissing);
    assert!(
        d.title.contains("kubectl-oidc_login-notinstalled"),
        "{}",
        d.title
    );
    assert!(d.fix.contains("deliberately not installed"), "{}", d.fix);
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn specific_details_in_diagnoses() {
    let kc = sandbox();
    let refused = connect(&kc, "broken-wrong-port", &opts()).await;
    let port_server = kc
        .cluster("sandbox-wrong-port")
        .and_then(|c| c.body.get("server")?.as_str().map(str::to_string))
        .expect("the sandbox defines sandbox-wrong-port");
    let addr = port_server.trim_start_matches("https://");
    let d = refused.error.expect("fails");
    assert_eq!(d.title, format!("Nothing is listening at {addr}."));

    let name = connect(&kc, "broken-wrong-name", &opts()).await;
    let d = name.error.expect("fails");
    assert!(d.title.contains("not-in-cert.example"), "{}", d.title);
    assert!(d.fix.contains("localhost"), "{}", d.fix);

    let token = connect(&kc, "broken-bad-token", &opts()).await;
    let d = token.error.expect("fails");
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some("error: You must be logged in to the server (Unauthorized)")
    );
    let bad = kc
        .user("bad-token")
        .and_then(|u| u.body.get("token")?.as_str().map(str::to_string))
        .expect("bad-token has a token");
    assert!(!d.message.contains(&bad), "token leaked: {}", d.message);
}

/// Writes the sandbox's credentials to files and a kubeconfig that refers to them by relative
/// path, with a `tokenFile` that ends in a newline and a wrong inline `token` (kubectl uses the
/// file; kube-rs alone would use the inline token, or choke on the newline).
#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn token_file_and_relative_paths_work_like_kubectl() {
    let kc = sandbox();
    let cluster = &kc.cluster("sandbox").expect("sandbox cluster").body;
    let server = cluster["server"].as_str().expect("server");
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("base64 field"))
            .expect("valid base64")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("creds");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(
        sub.join("ca.crt"),
        b64(&cluster["certificate-authority-data"]),
    )
    .expect("ca");
    let viewer_token = kc.user("viewer").expect("viewer").body["token"]
        .as_str()
        .expect("viewer token")
        .to_string();
    std::fs::write(sub.join("viewer.token"), format!("{viewer_token}\n")).expect("token");
    let admin = &kc.user("admin").expect("admin").body;
    std::fs::write(
        sub.join("admin.crt"),
        b64(&admin["client-certificate-data"]),
    )
    .expect("crt");
    std::fs::write(sub.join("admin.key"), b64(&admin["client-key-data"])).expect("key");

    let yaml = format!(
        "apiVersion: v1\nkind: Config\n\
         clusters:\n- name: s\n  cluster: {{server: '{server}', certificate-authority: creds/ca.crt}}\n\
         users:\n\
         - name: file-token\n  user: {{token: wrong-inline-token, tokenFile: creds/viewer.token}}\n\
         - name: cert-files\n  user: {{client-certificate: creds/admin.crt, client-key: creds/admin.key}}\n\
         contexts:\n\
         - name: via-token-file\n  context: {{cluster: s, user: file-token}}\n\
         - name: via-cert-files\n  context: {{cluster: s, user: cert-files}}\n"
    );
    let path = dir.path().join("config");
    std::fs::write(&path, &yaml).expect("write kubeconfig");
    let local = Kubeconfig::from_files(vec![FileConfig::load(&path)], ChainOrigin::Explicit);

    let s = connect(&local, "via-token-file", &opts()).await;
    println!("{}", describe(&s));
    assert_connected(&s, "viewer");
    let s = connect(&local, "via-cert-files", &opts()).await;
    println!("{}", describe(&s));
    assert_connected(&s, "loupe-admin");
    assert!(Path::new(&path).is_file());
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn manager_keeps_one_client_per_context() {
    let kc = sandbox();
    let m = ConnectionManager::new(Duration::from_secs(20));
    assert!(m.client("sandbox-admin").await.is_none());
    let s = m.status(&kc, "sandbox-admin", false).await;
    assert_connected(&s, "loupe-admin");
    let failed = m.status(&kc, "broken-wrong-port", false).await;
    assert_eq!(failed.state, ConnectionState::Failed);

    let client = m.client("sandbox-admin").await.expect("connected client");
    let ns: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client);
    let names: Vec<String> = ns
        .list(&Default::default())
        .await
        .expect("admin lists namespaces")
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(names.iter().any(|n| n == "team-a"), "{names:?}");

    let refreshed = m.refresh("sandbox-admin").await.expect("known context");
    assert_connected(&refreshed, "loupe-admin");
    let all = m.statuses().await;
    assert_eq!(
        all.iter().map(|s| s.context.as_str()).collect::<Vec<_>>(),
        ["broken-wrong-port", "sandbox-admin"]
    );
    assert!(m.client("broken-wrong-port").await.is_none());
    assert!(m.disconnect("sandbox-admin").await);
    assert!(m.client("sandbox-admin").await.is_none());
}

/// Approved exec plugins run: one prints the viewer's token (named by a path relative to the
/// kubeconfig, as client-go allows), one fails with exit code 3 and a token on stderr.
#[cfg(unix)]
#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn approved_exec_plugins_run() {
    use std::os::unix::fs::PermissionsExt as _;
    let kc = sandbox();
    let cluster = &kc.cluster("sandbox").expect("sandbox cluster").body;
    let server = cluster["server"].as_str().expect("server");
    let ca = cluster["certificate-authority-data"].as_str().expect("ca");
    let token = kc.user("viewer").expect("viewer").body["token"]
        .as_str()
        .expect("viewer token")
        .to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let script = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).expect("script");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    };
    script(
        "good-plugin",
        &format!(
            "echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'"
        ),
    );
    // Loupe cannot know what an unknown plugin considers secret; it scrubs what has a
    // recognisable shape (JWTs, Bearer values, PEM keys, the exec environment).
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2aWV3ZXIifQ.c2lnbmF0dXJl";
    script(
        "bad-plugin",
        &format!("echo 'login expired, cached id-token {jwt}' >&2; exit 3"),
    );
    let exec = |cmd: &str| {
        format!(
            "{{exec: {{apiVersion: client.authentication.k8s.io/v1, command: {cmd}, interactiveMode: Never}}}}"
        )
    };
    let yaml = format!(
        "apiVersion: v1\nkind: Config\n\
         clusters:\n- name: s\n  cluster: {{server: '{server}', certificate-authority-data: {ca}}}\n\
         users:\n- name: good\n  user: {}\n- name: bad\n  user: {}\n\
         contexts:\n\
         - name: good\n  context: {{cluster: s, user: good}}\n\
         - name: bad\n  context: {{cluster: s, user: bad}}\n",
        exec("./good-plugin"),
        exec("./bad-plugin"),
    );
    let path = dir.path().join("config");
    std::fs::write(&path, &yaml).expect("write kubeconfig");
    let local = Kubeconfig::from_files(vec![FileConfig::load(&path)], ChainOrigin::Explicit);
    let approved = ConnectOptions {
        allow_exec: true,
        ..opts()
    };

    let s = connect(&local, "good", &opts()).await;
    assert_eq!(
        s.error.map(|d| d.kind),
        Some(DiagnosisKind::ExecNotApproved)
    );
    let s = connect(&local, "good", &approved).await;
    println!("{}", describe(&s));
    assert_connected(&s, "viewer");

    let s = connect(&local, "bad", &approved).await;
    println!("{}", describe(&s));
    let d = s.error.as_ref().expect("fails");
    assert_eq!(d.kind, DiagnosisKind::Other);
    assert_eq!(
        d.title,
        "The credential helper `./bad-plugin` failed (exit code 3)."
    );
    assert!(d.message.contains("login expired"), "{}", d.message);
    assert!(!d.message.contains(jwt), "token leaked: {}", d.message);
}
