//! Changes against the sandbox cluster, each result checked with the real kubectl: edit (dry
//! run changes nothing, the diff shows the changed line, the apply changes the field, a stale
//! resourceVersion is a conflict, malformed YAML sends nothing), create, scale, rollout restart,
//! delete, and the permissions that gate them for a limited user.
//!
//! Each test works in a namespace of its own (`loupe-chg-*`), deleted at the end.
//! Run: `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml cargo test -p
//! loupe-core --test changes_sandbox -- --include-ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_core::CoreError;
use loupe_core::cluster::{ConnectOptions, ContextClient, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::resources::change::{self, ChangeProblem, permissions};
use loupe_core::resources::{discover, get_object, view};
use loupe_model::changes::{ChangeVerb, ObjectRef};
use loupe_model::resources::ApiDiscovery;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn kubeconfig_path() -> PathBuf {
    PathBuf::from(std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!("LOUPE_SANDBOX_KUBECONFIG is not set: these tests need the sandbox cluster (./dev up)")
    }))
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

fn kubectl_raw(args: &[&str]) -> Output {
    Command::new("/usr/bin/kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig_path())
        .args(["--context", "sandbox-admin"])
        .args(args)
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap()
}

fn kubectl(args: &[&str]) -> String {
    let out = kubectl_raw(args);
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A namespace for one test, deleted when dropped.
struct Ns(String);

impl Ns {
    fn new(name: &str) -> Self {
        let _ = kubectl_raw(&["delete", "ns", name, "--wait=true", "--ignore-not-found"]);
        kubectl(&["create", "ns", name]);
        Ns(name.to_string())
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = kubectl_raw(&["delete", "ns", &self.0, "--wait=false"]);
    }
}

fn target(d: &ApiDiscovery, group: &str, plural: &str, ns: &str, name: &str) -> ObjectRef {
    ObjectRef {
        resource: d.find(group, plural).unwrap().clone(),
        namespace: Some(ns.to_string()),
        name: name.to_string(),
    }
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn edit_dry_run_diff_apply_and_conflict() {
    let ns = Ns::new("loupe-chg-edit");
    kubectl(&[
        "create",
        "configmap",
        "settings",
        "-n",
        &ns.0,
        "--from-literal=mode=slow",
    ]);
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    let t = target(&d, "", "configmaps", &ns.0, "settings");
    // The YAML the panel shows (managedFields folded), edited.
    let live = get_object(&cc, &t.resource, Some(&ns.0), "settings")
        .await
        .unwrap();
    let yaml = view::object_yaml(live, false);
    assert!(yaml.contains("mode: slow"), "{yaml}");
    let edited = yaml.replace("mode: slow", "mode: fast");

    let dry = change::edit_dry_run(&cc, &t, &edited).await.unwrap();
    assert!(dry.changed);
    assert!(dry.diff.contains("-  mode: slow"), "{}", dry.diff);
    assert!(dry.diff.contains("+  mode: fast"), "{}", dry.diff);
    assert!(!dry.diff.contains("managedFields"), "{}", dry.diff);
    assert!(dry.kubectl.contains("--dry-run=server"), "{}", dry.kubectl);
    // The dry run changed nothing on the server.
    let jp = |_: ()| {
        kubectl(&[
            "get",
            "cm",
            "settings",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.data.mode}",
        ])
    };
    assert_eq!(jp(()), "slow");

    // Malformed YAML: a typed error with the line, and nothing sent.
    let broken = edited.replace("mode: fast", "mode: [fast");
    match change::edit_dry_run(&cc, &t, &broken).await {
        Err(CoreError::Change {
            problem: ChangeProblem::InvalidYaml { line: Some(l), .. },
            message,
        }) => assert!(l > 1 && message.contains("line"), "{message}"),
        other => panic!("{other:?}"),
    }

    let done = change::apply_edit(&cc, &t, &edited).await.unwrap();
    assert_eq!(done.message, "configmap/settings replaced");
    assert_eq!(jp(()), "fast");

    // The YAML still carries the old resourceVersion: applying it again is a conflict.
    let stale = edited.replace("mode: fast", "mode: stale");
    match change::apply_edit(&cc, &t, &stale).await {
        Err(CoreError::Change {
            problem: ChangeProblem::Conflict,
            message,
        }) => assert!(message.contains("changed by someone else"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(jp(()), "fast");
    // Editing another object's YAML is refused before anything is sent.
    let other = edited.replace("name: settings", "name: other");
    assert!(matches!(
        change::edit_dry_run(&cc, &t, &other).await,
        Err(CoreError::Change {
            problem: ChangeProblem::WrongObject,
            ..
        })
    ));
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn create_after_dry_run_then_delete() {
    let ns = Ns::new("loupe-chg-create");
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\ndata:\n  k: v\n";
    let (t, dry) = change::create_dry_run(&cc, &d, yaml, &ns.0).await.unwrap();
    assert_eq!(t.namespace.as_deref(), Some(ns.0.as_str()));
    assert!(dry.diff.contains("+  k: v"), "{}", dry.diff);
    // Dry run: nothing exists yet.
    let got = kubectl_raw(&["get", "cm", "fresh", "-n", &ns.0]);
    assert!(String::from_utf8_lossy(&got.stderr).contains("NotFound"));

    let done = change::create(&cc, &d, yaml, &ns.0).await.unwrap();
    assert_eq!(done.message, "configmap/fresh created");
    assert_eq!(
        kubectl(&[
            "get",
            "cm",
            "fresh",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.data.k}"
        ]),
        "v"
    );
    // A kind the server does not serve.
    let bad = "apiVersion: example.com/v1\nkind: Nope\nmetadata:\n  name: x\n";
    assert!(matches!(
        change::create_dry_run(&cc, &d, bad, &ns.0).await,
        Err(CoreError::Change {
            problem: ChangeProblem::UnknownKind,
            ..
        })
    ));

    let gone = change::delete(&cc, &t).await.unwrap();
    assert_eq!(gone.message, "configmap \"fresh\" deleted");
    assert!(
        gone.kubectl
            .starts_with(&format!("kubectl delete configmap/fresh -n {}", ns.0)),
        "{}",
        gone.kubectl
    );
    let got = kubectl_raw(&["get", "cm", "fresh", "-n", &ns.0]);
    assert!(!got.status.success());
    assert!(
        String::from_utf8_lossy(&got.stderr).contains("NotFound"),
        "{}",
        String::from_utf8_lossy(&got.stderr)
    );
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn scale_and_restart_a_deployment() {
    let ns = Ns::new("loupe-chg-scale");
    kubectl(&[
        "create",
        "deployment",
        "web",
        "-n",
        &ns.0,
        "--image=nginx",
        "--replicas=1",
    ]);
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    let t = target(&d, "apps", "deployments", &ns.0, "web");
    let done = change::scale(&cc, &t, 3).await.unwrap();
    assert_eq!(done.message, "deployment.apps/web scaled");
    assert!(
        done.kubectl.starts_with(&format!(
            "kubectl scale deployment.apps/web -n {} --replicas=3",
            ns.0
        )) || done.kubectl.contains("--replicas=3"),
        "{}",
        done.kubectl
    );
    assert_eq!(
        kubectl(&[
            "get",
            "deploy",
            "web",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "3"
    );
    // Configmaps have no scale subresource.
    let cm = target(&d, "", "configmaps", &ns.0, "x");
    assert!(matches!(
        change::scale(&cc, &cm, 1).await,
        Err(CoreError::Change {
            problem: ChangeProblem::Unsupported,
            ..
        })
    ));

    let before = Instant::now();
    let done = change::restart(&cc, &t).await.unwrap();
    assert_eq!(done.message, "deployment.apps/web restarted");
    let at = kubectl(&[
        "get",
        "deploy",
        "web",
        "-n",
        &ns.0,
        "-o",
        "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    ]);
    let t_at: jiff::Timestamp = at.parse().unwrap_or_else(|e| panic!("{at:?}: {e}"));
    let age = jiff::Timestamp::now().duration_since(t_at);
    assert!(
        age.as_secs_f64().abs() < before.elapsed().as_secs_f64() + 5.0,
        "{at}"
    );
    // kubectl reads it back as a rollout: a new ReplicaSet revision exists.
    let history = kubectl(&["rollout", "history", "deploy/web", "-n", &ns.0]);
    assert!(history.contains('2'), "{history}");
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn permissions_of_a_limited_user() {
    // viewer may only read team-a.
    let cc = client("sandbox-viewer").await;
    let d = discover(&cc).await.unwrap();
    let deploy = target(&d, "apps", "deployments", "team-a", "web");
    let p = permissions::object_permissions(
        &cc,
        &loupe_core::rbac::RbacCache::default(),
        &deploy.resource,
        Some("team-a"),
        "web",
    )
    .await
    .unwrap();
    let del = p.get(ChangeVerb::Delete).unwrap();
    assert!(!del.allowed);
    assert_eq!(del.needs, "delete on deployments.apps in team-a");
    let scale = p.get(ChangeVerb::Scale).unwrap();
    assert!(!scale.allowed);
    assert_eq!(scale.needs, "patch on deployments.apps/scale in team-a");
    assert!(p.get(ChangeVerb::Restart).is_some());
    // The same question to kubectl.
    let out = Command::new("/usr/bin/kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig_path())
        .args([
            "--context",
            "sandbox-viewer",
            "auth",
            "can-i",
            "delete",
            "deployments.apps",
            "-n",
            "team-a",
        ])
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");

    // editor-b may change team-b.
    let cc = client("sandbox-editor-b").await;
    let t = target(&d, "apps", "deployments", "team-b", "api");
    let p = permissions::object_permissions(
        &cc,
        &loupe_core::rbac::RbacCache::default(),
        &t.resource,
        Some("team-b"),
        "api",
    )
    .await
    .unwrap();
    for (verb, perm) in &p.actions {
        assert!(perm.allowed, "{verb:?}: {perm:?}");
    }
    let pods = d.find("", "pods").unwrap();
    let nodes = d.find("", "nodes").unwrap();
    let denied = permissions::list_denied(&cc, &[pods.clone(), nodes.clone()], Some("team-b"))
        .await
        .unwrap();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].0, "nodes");
    assert_eq!(denied[0].1.needs, "list on nodes (cluster-wide)");
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn owned_objects_of_a_deployment() {
    let cc = client("sandbox-admin").await;
    let d = discover(&cc).await.unwrap();
    let t = target(&d, "apps", "deployments", "team-a", "web");
    let uid = kubectl(&[
        "get",
        "deploy",
        "web",
        "-n",
        "team-a",
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    let owned = change::owned_objects(&cc, &d, &t, &uid).await.unwrap();
    let want = kubectl(&[
        "get",
        "rs",
        "-n",
        "team-a",
        "-o",
        &format!(
            "jsonpath={{range .items[?(@.metadata.ownerReferences[0].uid==\"{uid}\")]}}{{.metadata.name}}{{\"\\n\"}}{{end}}"
        ),
    ]);
    let mut want: Vec<&str> = want.lines().collect();
    want.sort();
    let got: Vec<&str> = owned.iter().map(|(o, _)| o.name.as_str()).collect();
    assert!(!got.is_empty());
    assert_eq!(got, want);
    assert!(owned.iter().all(|(o, _)| o.resource.kind == "ReplicaSet"));
}

#[tokio::test]
#[ignore = "needs the sandbox cluster"]
async fn scale_a_custom_resource_through_its_scale_subresource() {
    let ns = Ns::new("loupe-chg-crd");
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.scale.loupe.dev
spec:
  group: scale.loupe.dev
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    subresources:
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crd.yaml");
    std::fs::write(&file, crd).unwrap();
    kubectl(&["apply", "-f", file.to_str().unwrap()]);
    kubectl(&[
        "wait",
        "--for=condition=Established",
        "crd/gadgets.scale.loupe.dev",
        "--timeout=30s",
    ]);
    let obj = dir.path().join("gadget.yaml");
    std::fs::write(
        &obj,
        "apiVersion: scale.loupe.dev/v1\nkind: Gadget\nmetadata:\n  name: g1\nspec:\n  replicas: 1\n",
    )
    .unwrap();
    kubectl(&["apply", "-n", &ns.0, "-f", obj.to_str().unwrap()]);
    let cc = client("sandbox-admin").await;
    // Discovery may lag the CRD by a moment.
    let deadline = Instant::now() + Duration::from_secs(20);
    let d = loop {
        let d = discover(&cc).await.unwrap();
        if d.find("scale.loupe.dev", "gadgets").is_some() {
            break d;
        }
        assert!(
            Instant::now() < deadline,
            "the CRD never showed in discovery"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let t = target(&d, "scale.loupe.dev", "gadgets", &ns.0, "g1");
    assert!(loupe_model::changes::scalable(&t.resource));
    let done = change::scale(&cc, &t, 4).await.unwrap();
    assert_eq!(done.message, "gadget.scale.loupe.dev/g1 scaled");
    assert_eq!(
        kubectl(&[
            "get",
            "gadgets.scale.loupe.dev",
            "g1",
            "-n",
            &ns.0,
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "4"
    );
    drop(ns);
    let _ = kubectl_raw(&["delete", "crd", "gadgets.scale.loupe.dev", "--wait=false"]);
}
