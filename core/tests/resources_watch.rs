//! Live tables against the sandbox cluster: discovery, the watch's snapshot and deltas for
//! changes made by kubectl, batching, several namespaces, recovery after the API server is
//! restarted (and the relist after `410 Gone`), and the namespaces a limited user can see.
//!
//! Each test works in namespaces of its own (`loupe-watch-*`), deleted at the end.
//!
//! Run with `./dev test`, or by hand: `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml
//! LOUPE_SANDBOX_DIR=... cargo test -p loupe-core --test resources_watch -- --include-ignored`.
//! The restart test stops and starts the sandbox's kube-apiserver (from its pid file under
//! `$LOUPE_SANDBOX_DIR/pids`, with the same command line), so it runs alone: the other tests of
//! this file wait for it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use futures::StreamExt;
use loupe_core::cluster::{ConnectOptions, ContextClient, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::resources::{
    TableWatch, WatchOptions, discover, discovery_updates, list_table, resolve, visible_namespaces,
    watch_table,
};
use loupe_model::resources::{
    ApiResource, ListOptions, NamespaceScope, TableDelta, TableRow, WatchState,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The restart test takes this for writing; the others for reading.
static API_SERVER: RwLock<()> = RwLock::const_new(());

fn kubeconfig_path() -> PathBuf {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to its \
             kubeconfigs/sandbox.yaml"
        )
    });
    PathBuf::from(path)
}

async fn client(context: &str) -> ContextClient {
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(kubeconfig_path()),
        ..Default::default()
    });
    let opts = ConnectOptions {
        timeout: Duration::from_secs(20),
        ..ConnectOptions::default()
    };
    open_client(&kc, context, &opts).await.unwrap()
}

fn kubectl(args: &[&str]) -> String {
    kubectl_stdin(args, None)
}

fn kubectl_stdin(args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut cmd = Command::new("/usr/bin/kubectl");
    cmd.arg("--kubeconfig")
        .arg(kubeconfig_path())
        .args(["--context", "sandbox-admin"])
        .args(args)
        .env("HOME", std::env::temp_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A namespace for one test, deleted when dropped.
struct TestNs(String);

impl TestNs {
    fn new(tag: &str) -> Self {
        let name = format!("loupe-watch-{tag}-{}", std::process::id());
        let _ = Command::new("/usr/bin/kubectl")
            .arg("--kubeconfig")
            .arg(kubeconfig_path())
            .args([
                "--context",
                "sandbox-admin",
                "delete",
                "ns",
                &name,
                "--wait=true",
            ])
            .env("HOME", std::env::temp_dir())
            .output();
        kubectl(&["create", "ns", &name]);
        TestNs(name)
    }
}

impl Drop for TestNs {
    fn drop(&mut self) {
        let _ = Command::new("/usr/bin/kubectl")
            .arg("--kubeconfig")
            .arg(kubeconfig_path())
            .args([
                "--context",
                "sandbox-admin",
                "delete",
                "ns",
                &self.0,
                "--wait=false",
            ])
            .env("HOME", std::env::temp_dir())
            .output();
    }
}

/// The UI's view of a watched table: rows by uid, built from the deltas alone.
#[derive(Default)]
struct Mirror {
    rows: HashMap<String, TableRow>,
    resets: usize,
    messages: usize,
    synced: usize,
    relisted: usize,
    states: Vec<WatchState>,
}

impl Mirror {
    fn apply(&mut self, d: TableDelta) {
        self.messages += 1;
        match d {
            TableDelta::Reset { rows, columns } => {
                assert!(!columns.is_empty());
                self.resets += 1;
                self.rows = rows.into_iter().map(|r| (r.uid.clone(), r)).collect();
            }
            TableDelta::Changes { upserted, deleted } => {
                for uid in &deleted {
                    assert!(
                        !upserted.iter().any(|r| &r.uid == uid),
                        "uid {uid} both upserted and deleted in one message"
                    );
                    self.rows.remove(uid);
                }
                for r in upserted {
                    self.rows.insert(r.uid.clone(), r);
                }
            }
            TableDelta::Synced { total, relisted } => {
                self.synced += 1;
                if relisted {
                    self.relisted += 1;
                }
                assert_eq!(total, self.rows.len(), "Synced total vs rows received");
            }
            TableDelta::Status { state, .. } => self.states.push(state),
        }
    }

    fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = self
            .rows
            .values()
            .map(|r| format!("{}/{}", r.namespace.clone().unwrap_or_default(), r.name))
            .collect();
        n.sort();
        n
    }

    /// (uid, resourceVersion) pairs, sorted.
    fn versions(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .rows
            .values()
            .map(|r| (r.uid.clone(), r.resource_version.clone()))
            .collect();
        v.sort();
        v
    }

    /// Reads deltas until `done` holds or `limit` passes; returns how long it took.
    async fn until(
        &mut self,
        w: &mut TableWatch,
        limit: Duration,
        what: &str,
        done: impl Fn(&Mirror) -> bool,
    ) -> Duration {
        let start = Instant::now();
        while !done(self) {
            let left = limit.saturating_sub(start.elapsed());
            match tokio::time::timeout(left, w.next_delta()).await {
                Ok(Some(d)) => self.apply(d),
                Ok(None) => panic!("the watch ended while waiting for {what}"),
                Err(_) => panic!(
                    "{what}: not within {limit:?}; rows now: {:?}, states {:?}",
                    self.names(),
                    self.states
                ),
            }
        }
        start.elapsed()
    }

    fn has(&self, name: &str) -> bool {
        self.rows.values().any(|r| r.name == name)
    }

    fn row(&self, name: &str) -> &TableRow {
        self.rows.values().find(|r| r.name == name).unwrap()
    }
}

async fn resource(cc: &ContextClient, kind: &str) -> ApiResource {
    let d = discover(cc).await.unwrap();
    resolve(&d, kind).unwrap().resource
}

/// A fresh list's (uid, resourceVersion) pairs.
async fn fresh(
    cc: &ContextClient,
    r: &ApiResource,
    scope: &NamespaceScope,
) -> Vec<(String, String)> {
    let page = list_table(cc, r, scope, &ListOptions::default())
        .await
        .unwrap();
    let mut v: Vec<_> = page
        .rows
        .into_iter()
        .map(|r| (r.uid, r.resource_version))
        .collect();
    v.sort();
    v
}

const LIMIT: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn discovery_sees_builtins_crds_and_sidebar() {
    let _guard = API_SERVER.read().await;
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    assert!(
        d.aggregated,
        "the sandbox (1.34) serves aggregated discovery"
    );
    assert!(d.failures.is_empty(), "{:?}", d.failures);
    for (g, p) in [
        ("", "pods"),
        ("apps", "deployments"),
        ("demo.loupe.dev", "widgets"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("rbac.authorization.k8s.io", "clusterroles"),
    ] {
        assert!(d.find(g, p).is_some(), "{g}/{p}");
    }
    let sections: Vec<&str> = d.sidebar().iter().map(|(c, _)| c.label()).collect();
    assert_eq!(
        sections,
        [
            "Cluster",
            "Workloads",
            "Config",
            "Network",
            "Storage",
            "Access Control",
            "Custom Resources"
        ]
    );
    // A limited user discovers the same kinds (discovery is open to every authenticated user).
    let limited = discover(&client("sandbox-editor-b").await).await.unwrap();
    assert_eq!(limited.resources.len(), d.resources.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn watch_follows_kubectl_changes() {
    let _guard = API_SERVER.read().await;
    let ns = TestNs::new("changes");
    kubectl(&[
        "-n",
        &ns.0,
        "create",
        "configmap",
        "first",
        "--from-literal=a=1",
    ]);
    let cc = client("sandbox-admin").await;
    let r = resource(&cc, "cm").await;
    let scope = NamespaceScope::one(ns.0.clone());
    let mut w = watch_table(
        cc.clone(),
        r.clone(),
        scope.clone(),
        WatchOptions::default(),
    );
    let mut m = Mirror::default();
    m.until(&mut w, Duration::from_secs(10), "the initial list", |m| {
        m.synced == 1
    })
    .await;
    assert_eq!(m.resets, 1);
    assert!(m.has("first"), "{:?}", m.names());

    kubectl(&[
        "-n",
        &ns.0,
        "create",
        "configmap",
        "second",
        "--from-literal=b=2",
    ]);
    let t = m
        .until(&mut w, LIMIT, "second created", |m| m.has("second"))
        .await;
    eprintln!("create seen after {t:?}");
    let rv = m.row("first").resource_version.clone();
    kubectl(&["-n", &ns.0, "label", "configmap", "first", "changed=yes"]);
    let t = m
        .until(&mut w, LIMIT, "first changed", |m| {
            m.row("first").resource_version != rv
        })
        .await;
    eprintln!("change seen after {t:?}");
    // The DATA column (a count) follows a data change.
    kubectl(&[
        "-n",
        &ns.0,
        "patch",
        "configmap",
        "second",
        "-p",
        r#"{"data":{"c":"3"}}"#,
    ]);
    let t = m
        .until(&mut w, LIMIT, "second's DATA = 2", |m| {
            m.row("second").cells.get(1) == Some(&serde_json::json!(2))
        })
        .await;
    eprintln!("data change seen after {t:?}");
    kubectl(&["-n", &ns.0, "delete", "configmap", "second"]);
    let t = m
        .until(&mut w, LIMIT, "second deleted", |m| !m.has("second"))
        .await;
    eprintln!("delete seen after {t:?}");
    assert_eq!(m.versions(), fresh(&cc, &r, &scope).await);
    assert_eq!(m.resets, 1, "no reset after the first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn bursts_arrive_in_few_batches() {
    let _guard = API_SERVER.read().await;
    let ns = TestNs::new("burst");
    let cc = client("sandbox-admin").await;
    let r = resource(&cc, "configmaps").await;
    let scope = NamespaceScope::one(ns.0.clone());
    let mut w = watch_table(
        cc.clone(),
        r.clone(),
        scope.clone(),
        WatchOptions::default(),
    );
    let mut m = Mirror::default();
    m.until(&mut w, Duration::from_secs(10), "the initial list", |m| {
        m.synced == 1
    })
    .await;
    let before = m.messages;
    // kubectl makes about 20 changes/s; the API directly, 50 at a time, several hundred.
    const N: usize = 500;
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(cc.client.clone(), &ns.0);
    let start = Instant::now();
    futures::stream::iter(0..N)
        .map(|i| {
            let api = api.clone();
            async move {
                let cm: k8s_openapi::api::core::v1::ConfigMap =
                    serde_json::from_value(serde_json::json!({
                        "metadata": {"name": format!("burst-{i}"), "labels": {"burst": "yes"}},
                        "data": {"i": i.to_string()},
                    }))
                    .unwrap();
                api.create(&Default::default(), &cm).await.unwrap();
            }
        })
        .buffer_unordered(50)
        .collect::<Vec<()>>()
        .await;
    let applied = start.elapsed();
    m.until(
        &mut w,
        Duration::from_secs(10),
        "all burst configmaps",
        |m| (0..N).all(|i| m.has(&format!("burst-{i}"))),
    )
    .await;
    let messages = m.messages - before;
    eprintln!(
        "{N} creations in {applied:?} ({:.0}/s) arrived in {messages} messages",
        N as f64 / applied.as_secs_f64()
    );
    // ~100 ms batches: far fewer messages than changes.
    assert!(messages * 10 <= N, "{N} changes took {messages} messages");
    // One request deletes them all: 500 deletions at once.
    let before = m.messages;
    // On a busy server the request may time out while the deletions go on; they still count.
    if let Err(e) = api
        .delete_collection(
            &Default::default(),
            &kube::api::ListParams::default().labels("burst=yes"),
        )
        .await
    {
        eprintln!("deletecollection: {e} (waiting for the deletions anyway)");
    }
    m.until(&mut w, Duration::from_secs(60), "all deleted", |m| {
        !m.rows.values().any(|r| r.name.starts_with("burst-"))
    })
    .await;
    let messages = m.messages - before;
    eprintln!("{N} deletions arrived in {messages} messages");
    assert!(messages * 10 <= N, "{N} deletions took {messages} messages");
    assert_eq!(m.versions(), fresh(&cc, &r, &scope).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn several_namespaces_and_a_selector() {
    let _guard = API_SERVER.read().await;
    let a = TestNs::new("multi-a");
    let b = TestNs::new("multi-b");
    for ns in [&a.0, &b.0] {
        kubectl(&["-n", ns, "create", "configmap", "keep"]);
        kubectl(&["-n", ns, "label", "configmap", "keep", "pick=me"]);
        kubectl(&["-n", ns, "create", "configmap", "skip"]);
    }
    let cc = client("sandbox-admin").await;
    let r = resource(&cc, "configmaps").await;
    let scope = NamespaceScope::Namespaces {
        names: vec![a.0.clone(), b.0.clone()],
    };
    let opts = WatchOptions {
        list: ListOptions {
            label_selector: Some("pick=me".into()),
            ..Default::default()
        },
        ..WatchOptions::default()
    };
    let mut w = watch_table(cc.clone(), r.clone(), scope.clone(), opts);
    let mut m = Mirror::default();
    m.until(&mut w, Duration::from_secs(10), "both lists", |m| {
        m.synced == 1
    })
    .await;
    assert_eq!(
        m.names(),
        [format!("{}/keep", a.0), format!("{}/keep", b.0)]
    );
    kubectl(&["-n", &b.0, "label", "configmap", "skip", "pick=me"]);
    m.until(&mut w, LIMIT, "skip selected", |m| m.names().len() == 3)
        .await;
    // A label change that leaves the selector is a deletion for the watch.
    kubectl(&["-n", &a.0, "label", "configmap", "keep", "pick-"]);
    m.until(&mut w, LIMIT, "keep unselected", |m| m.names().len() == 2)
        .await;
    assert_eq!(
        m.names(),
        [format!("{}/keep", b.0), format!("{}/skip", b.0)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn dropping_the_watch_stops_it() {
    let _guard = API_SERVER.read().await;
    let cc = client("sandbox-admin").await;
    let r = resource(&cc, "pods").await;
    let mut w = watch_table(cc, r, NamespaceScope::All, WatchOptions::default());
    let mut m = Mirror::default();
    m.until(&mut w, Duration::from_secs(10), "the initial list", |m| {
        m.synced == 1
    })
    .await;
    assert!(m.has("crashy"));
    drop(w); // must not hang or panic; the tasks are aborted.
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn forbidden_namespace_fails_plainly() {
    let _guard = API_SERVER.read().await;
    let cc = client("sandbox-editor-b").await;
    let r = resource(&cc, "pods").await;
    let scope = NamespaceScope::Namespaces {
        names: vec!["team-b".into(), "team-a".into()],
    };
    let mut w = watch_table(cc, r, scope, WatchOptions::default());
    let mut m = Mirror::default();
    let mut failed = None;
    let start = Instant::now();
    while m.synced == 0 {
        let d = tokio::time::timeout(Duration::from_secs(10), w.next_delta())
            .await
            .unwrap()
            .unwrap();
        if let TableDelta::Status {
            namespace,
            state: WatchState::Failed,
            error,
        } = &d
        {
            failed = Some((namespace.clone(), error.clone().unwrap()));
        }
        m.apply(d);
        assert!(start.elapsed() < Duration::from_secs(10));
    }
    let (ns, err) = failed.expect("team-a must fail");
    assert_eq!(ns.as_deref(), Some("team-a"));
    assert!(err.message.contains("editor-b"), "{err:?}");
    // team-b's pods are there.
    assert!(
        m.names().iter().all(|n| n.starts_with("team-b/")),
        "{:?}",
        m.names()
    );
    assert!(m.names().len() >= 2, "{:?}", m.names());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn limited_user_sees_its_namespace() {
    let _guard = API_SERVER.read().await;
    let admin = visible_namespaces(&client("sandbox-admin").await, Some("default"), &[])
        .await
        .unwrap();
    assert!(!admin.fell_back);
    assert!(admin.reason.is_none());
    for ns in ["default", "team-a", "team-b", "kube-system"] {
        assert!(
            admin.names.contains(&ns.to_string()),
            "{ns} in {:?}",
            admin.names
        );
    }
    let limited = visible_namespaces(
        &client("sandbox-editor-b").await,
        Some("team-b"),
        &["extra".to_string(), "team-b".to_string()],
    )
    .await
    .unwrap();
    assert!(limited.fell_back);
    assert_eq!(limited.names, ["extra", "team-b"]);
    let reason = limited.reason.unwrap();
    assert!(reason.message.contains("namespaces"), "{reason:?}");
    assert!(reason.hint.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn discovery_follows_crds() {
    let _guard = API_SERVER.read().await;
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    let group = format!("w{}.loupe.test", std::process::id());
    let mut updates = Box::pin(discovery_updates(cc.clone(), &d).unwrap());
    // Give the CRD watch a moment to list (updates never repeat the initial state).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: gadgets.{group}}}\n\
         spec:\n  group: {group}\n  scope: Cluster\n  names: {{plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gdg]}}\n\
         \x20 versions: [{{name: v1, served: true, storage: true, schema: {{openAPIV3Schema: {{type: object}}}}}}]\n"
    );
    kubectl_stdin(&["apply", "-f", "-"], Some(&crd));
    let start = Instant::now();
    let found = loop {
        let next = tokio::time::timeout(Duration::from_secs(15), updates.next())
            .await
            .expect("no discovery update within 15 s of creating a CRD")
            .expect("the update stream ended");
        let d = next.unwrap();
        if let Some(r) = d.find(&group, "gadgets") {
            break r.clone();
        }
    };
    eprintln!("new CRD discovered after {:?}", start.elapsed());
    kubectl(&["delete", "crd", &format!("gadgets.{group}"), "--wait=true"]);
    assert_eq!(found.short_names, ["gdg"]);
    assert!(!found.namespaced);
    assert_eq!(
        found.category,
        loupe_model::resources::ResourceCategory::CustomResources
    );
    // A limited user may not list CRDs: the stream ends instead of failing later.
    let limited = client("sandbox-editor-b").await;
    let mut none = Box::pin(discovery_updates(limited, &d).unwrap());
    let end = tokio::time::timeout(Duration::from_secs(10), none.next()).await;
    assert!(matches!(end, Ok(None)), "expected the stream to end");
}

// ---------------------------------------------------------------------------------------------
// API server restart

struct ApiServer {
    pid_file: PathBuf,
    pid: u32,
    bin: String,
    args: Vec<String>,
    log: PathBuf,
}

fn api_server() -> ApiServer {
    let dir = std::env::var_os("LOUPE_SANDBOX_DIR")
        .map(PathBuf::from)
        .expect("LOUPE_SANDBOX_DIR must name the sandbox's state dir (./dev test sets it)");
    let pid_file = dir.join("pids/kube-apiserver.pid");
    let text = std::fs::read_to_string(&pid_file).unwrap();
    let (pid, bin) = text.trim().split_once(' ').unwrap();
    let pid: u32 = pid.parse().unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let mut parts = cmdline
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned());
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/exe")).unwrap(),
        PathBuf::from(bin),
        "the pid file does not name a running kube-apiserver"
    );
    let _argv0 = parts.next();
    ApiServer {
        pid_file,
        pid,
        bin: bin.to_string(),
        args: parts.collect(),
        log: dir.join("logs/components/kube-apiserver.log"),
    }
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.split_whitespace().nth(2) != Some("Z"))
}

impl ApiServer {
    /// SIGTERM, then SIGKILL after 5 s: a terminating kube-apiserver stops listening at once
    /// but may take minutes to exit while watches are open (sandbox.sh kills it after 15 s).
    fn stop(&self) {
        let kill = |sig: &str| {
            Command::new("kill")
                .args([sig, &self.pid.to_string()])
                .status()
                .is_ok_and(|s| s.success())
        };
        assert!(kill("-TERM"), "kill -TERM {}", self.pid);
        let start = Instant::now();
        while alive(self.pid) {
            if start.elapsed() > Duration::from_secs(5) {
                kill("-KILL");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "kube-apiserver {} did not stop",
                self.pid
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts it again with the same command line, as sandbox.sh does (own session, log
    /// appended), and records the new pid so `sandbox.sh down` stops it.
    fn start(&self) {
        use std::os::unix::process::CommandExt;
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(&self.bin)
            .args(&self.args)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        std::fs::write(&self.pid_file, format!("{} {}\n", child.id(), self.bin)).unwrap();
        // Not waited for: it keeps running after the test, like the one sandbox.sh started.
        std::mem::forget(child);
        let start = Instant::now();
        loop {
            let ready = Command::new("/usr/bin/kubectl")
                .arg("--kubeconfig")
                .arg(kubeconfig_path())
                .args(["--context", "sandbox-admin", "get", "--raw", "/readyz"])
                .env("HOME", std::env::temp_dir())
                .output()
                .is_ok_and(|o| o.status.success());
            if ready {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "kube-apiserver not ready 90 s after restart (log: {})",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn survives_an_api_server_restart() {
    let _guard = API_SERVER.write().await;
    let ns = TestNs::new("restart");
    for name in ["stays", "changes", "goes"] {
        kubectl(&["-n", &ns.0, "create", "configmap", name]);
    }
    let cc = client("sandbox-admin").await;
    let r = resource(&cc, "configmaps").await;
    let scope = NamespaceScope::one(ns.0.clone());
    let opts = WatchOptions {
        // A slow retry, so the changes below land while the watch is away.
        backoff_initial: Duration::from_secs(4),
        backoff_max: Duration::from_secs(4),
        ..WatchOptions::default()
    };
    let mut w = watch_table(cc.clone(), r.clone(), scope.clone(), opts);
    let mut m = Mirror::default();
    m.until(&mut w, Duration::from_secs(10), "the initial list", |m| {
        m.synced == 1
    })
    .await;

    let server = api_server();
    server.stop();
    m.until(
        &mut w,
        Duration::from_secs(10),
        "the watch to notice",
        |m| m.states.contains(&WatchState::Reconnecting),
    )
    .await;
    server.start();
    // Changes the watch cannot see as they happen.
    kubectl(&["-n", &ns.0, "create", "configmap", "new"]);
    kubectl(&["-n", &ns.0, "label", "configmap", "changes", "x=y"]);
    kubectl(&["-n", &ns.0, "delete", "configmap", "goes"]);
    let want = fresh(&cc, &r, &scope).await;
    let t = m
        .until(
            &mut w,
            Duration::from_secs(30),
            "rows equal to a fresh list",
            |m| m.versions() == want,
        )
        .await;
    eprintln!(
        "recovered {t:?} after the changes; states {:?}, relists {}",
        m.states, m.relisted
    );
    assert!(m.states.contains(&WatchState::Live), "{:?}", m.states);
    assert_eq!(m.resets, 1, "recovery must not reset the table");
    // Still live after recovery.
    kubectl(&["-n", &ns.0, "create", "configmap", "after"]);
    m.until(&mut w, LIMIT, "a change after recovery", |m| m.has("after"))
        .await;
    assert_eq!(m.versions(), fresh(&cc, &r, &scope).await);

    // The relist path, deterministically: a watch resumed from a version older than the
    // restarted server's watch cache (which starts at the restart) gets `410 Gone`, lists
    // again and reconciles.
    let opts = WatchOptions {
        resume_from: Some("1".into()),
        ..WatchOptions::default()
    };
    let mut w2 = watch_table(cc.clone(), r.clone(), scope.clone(), opts);
    let mut m2 = Mirror::default();
    m2.until(
        &mut w2,
        Duration::from_secs(10),
        "the relist after 410",
        |m| m.synced >= 1,
    )
    .await;
    assert_eq!(m2.versions(), fresh(&cc, &r, &scope).await);
    assert!(m2.has("after") && !m2.has("goes"), "{:?}", m2.names());
}
