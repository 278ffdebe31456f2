//! `loupe get` compared with the real kubectl (the oracle) on the sandbox cluster: stdout,
//! stderr (warnings, `No resources found ...`, `Error from server (...)` lines) and the exit
//! code, as the cluster admin and as a user limited to one namespace (`sandbox-editor-b`).
//!
//! The cluster keeps moving while the tests run (AGE cells tick every second, the crash-looping
//! pod and the nodes' heartbeats change status and resourceVersion, a CronJob makes a pod every
//! five minutes), so each case runs kubectl, then loupe, then kubectl again, and passes when
//! loupe's output equals either kubectl run; a case that straddles two changes is retried (up
//! to 5 times).
//!
//! What is compared:
//! - tables, `-o name`, errors: the exact bytes of stdout and stderr, and the exit code;
//! - `-o json` / `-o yaml`: the parsed documents (serde_json; YAML via serde-saphyr into the
//!   same JSON model) and also the exact bytes. kubectl's list wrapper has
//!   `metadata.resourceVersion: ""` (kubectl never fills it in), so nothing random is left out:
//!   the objects' own resourceVersions must match too, which the bracketing allows for.
//!
//! Run with `./dev test`, or by hand with `LOUPE_SANDBOX_KUBECONFIG` set to the sandbox's
//! `kubeconfigs/sandbox.yaml` and `cargo test -p loupe-cli --test get_oracle -- --ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

const KUBECTL: &str = "/usr/bin/kubectl";
const ATTEMPTS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn kubeconfig() -> String {
    let kc = std::env::var("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to \
             its kubeconfigs/sandbox.yaml"
        )
    });
    assert!(
        Path::new(&kc).is_file(),
        "{kc} does not exist: is the sandbox up?"
    );
    kc
}

fn loupe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loupe"))
}

fn run(bin: &Path, home: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .args(args)
        .env("KUBECONFIG", kubeconfig())
        // A private HOME: no discovery cache shared with the developer's kubectl, no exec
        // approvals of theirs.
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Doc {
    Text,
    Json,
    Yaml,
}

fn parse(kind: Doc, text: &str) -> Option<serde_json::Value> {
    match kind {
        Doc::Text => None,
        Doc::Json => Some(serde_json::from_str(text).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{text}");
        })),
        Doc::Yaml => Some(serde_saphyr::from_str(text).unwrap_or_else(|e| {
            panic!("not YAML ({e}):\n{text}");
        })),
    }
}

/// Equal in every respect the module documentation lists.
fn same(kind: Doc, a: &Run, b: &Run) -> bool {
    a == b
        && (kind == Doc::Text
            || a.code != Some(0)
            || parse(kind, &a.stdout) == parse(kind, &b.stdout))
}

fn doc_kind(args: &[&str]) -> Doc {
    let pos = args.iter().position(|a| *a == "-o");
    match pos.and_then(|i| args.get(i + 1)) {
        Some(&"json") => Doc::Json,
        Some(&"yaml") => Doc::Yaml,
        _ => Doc::Text,
    }
}

/// Runs `get ARGS` with kubectl and loupe under `context` and asserts they agree.
fn assert_same(context: &str, args: &[&str]) {
    assert!(
        Path::new(KUBECTL).exists(),
        "the oracle {KUBECTL} is missing"
    );
    let home = tempfile::tempdir().unwrap();
    let mut full = vec!["--context", context, "get"];
    full.extend_from_slice(args);
    let kind = doc_kind(args);
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let before = run(Path::new(KUBECTL), home.path(), &full);
        let l = run(&loupe(), home.path(), &full);
        let after = run(Path::new(KUBECTL), home.path(), &full);
        if same(kind, &l, &before) || same(kind, &l, &after) {
            if kind != Doc::Text && l.code == Some(0) {
                assert!(parse(kind, &l.stdout).is_some());
            }
            return;
        }
        last = Some((l, before));
    }
    let (l, k) = last.unwrap();
    let diff = |what: &str, a: &str, b: &str| {
        if a != b {
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
            format!(
                "{what} differs from line {}:\n--- kubectl\n{}\n--- loupe\n{}\n",
                line + 1,
                b.lines().skip(line).take(5).collect::<Vec<_>>().join("\n"),
                a.lines().skip(line).take(5).collect::<Vec<_>>().join("\n"),
            )
        } else {
            String::new()
        }
    };
    panic!(
        "loupe {full:?} differs from kubectl {ATTEMPTS} times in a row:\n{}{}exit code: kubectl {:?}, loupe {:?}",
        diff("stdout", &l.stdout, &k.stdout),
        diff("stderr", &l.stderr, &k.stderr),
        k.code,
        l.code
    );
}

const ADMIN: &str = "sandbox-admin";
const EDITOR_B: &str = "sandbox-editor-b";

/// Every way of listing one kind: namespace, all namespaces, wide, name, no headers, JSON, YAML.
fn all_forms(kind: &str) {
    for args in [
        vec![kind],
        vec![kind, "-n", "team-a"],
        vec![kind, "-A"],
        vec![kind, "-A", "-o", "wide"],
        vec![kind, "-A", "-o", "name"],
        vec![kind, "-A", "--no-headers"],
        vec![kind, "-n", "team-b", "-o", "wide", "--no-headers"],
        vec![kind, "-A", "-o", "json"],
        vec![kind, "-A", "-o", "yaml"],
        vec![kind, "-n", "team-b", "-o", "yaml"],
    ] {
        assert_same(ADMIN, &args);
    }
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn pods() {
    all_forms("pods");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn deployments() {
    all_forms("deployments");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn replicasets() {
    all_forms("rs");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn services() {
    all_forms("svc");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn configmaps() {
    all_forms("configmaps");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn secrets() {
    all_forms("secrets");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn serviceaccounts() {
    all_forms("sa");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn nodes() {
    all_forms("nodes");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn namespaces() {
    all_forms("ns");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn roles() {
    all_forms("roles");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn rolebindings() {
    all_forms("rolebindings.rbac.authorization.k8s.io");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn clusterroles() {
    all_forms("clusterroles");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn customresourcedefinitions() {
    all_forms("crd");
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn widgets() {
    // The CRD's printer columns, Owner at priority 1 (wide only), a null Phase cell.
    all_forms("widgets");
    assert_same(ADMIN, &["wdg.demo", "-A", "-o", "wide"]);
    assert_same(ADMIN, &["Widget", "-n", "team-a"]);
    assert_same(ADMIN, &["widgets.v1alpha1.demo.loupe.dev", "-n", "team-b"]);
    assert_same(ADMIN, &["loupe", "-A"]); // the CRD's category
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn label_selectors() {
    assert_same(ADMIN, &["pods", "-A", "-l", "app=web"]);
    assert_same(
        ADMIN,
        &["pods", "-A", "-l", "app in (web,api),app!=db", "-o", "wide"],
    );
    assert_same(
        ADMIN,
        &["deploy", "-n", "team-a", "-l", "app=web", "-o", "name"],
    );
    assert_same(ADMIN, &["cm", "-A", "-l", "nope=1"]);
    assert_same(ADMIN, &["cm", "-n", "team-a", "-l", "nope=1"]);
    assert_same(
        ADMIN,
        &["pods", "-n", "team-a", "-l", "app=web", "-o", "json"],
    );
    assert_same(ADMIN, &["pods", "-n", "team-a", "web", "-l", "app=web"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn named_objects() {
    assert_same(ADMIN, &["pod", "crashy", "stuck", "-n", "team-a"]);
    assert_same(ADMIN, &["pod", "crashy", "-n", "team-a", "-o", "wide"]);
    assert_same(ADMIN, &["deploy", "web", "-n", "team-a", "-o", "yaml"]);
    assert_same(ADMIN, &["deploy", "web", "-n", "team-a", "-o", "json"]);
    assert_same(ADMIN, &["ns", "team-a", "team-b"]);
    assert_same(ADMIN, &["node", "kwok-node-0", "-o", "json"]);
    assert_same(ADMIN, &["widget", "alpha", "-n", "team-a", "-o", "wide"]);
    assert_same(ADMIN, &["crd", "widgets.demo.loupe.dev", "-o", "yaml"]);
    assert_same(ADMIN, &["clusterrole", "view", "-o", "name"]);
    assert_same(
        ADMIN,
        &[
            "cm",
            "app-settings",
            "other-settings",
            "-n",
            "team-a",
            "-o",
            "yaml",
        ],
    );
    assert_same(
        ADMIN,
        &["secret", "web-credentials", "-n", "team-a", "--no-headers"],
    );
    // Not found: kubectl's `Error from server (NotFound)` lines, exit 1.
    assert_same(ADMIN, &["pod", "nope", "-n", "team-a"]);
    assert_same(ADMIN, &["pod", "nope", "web-x", "-n", "team-a"]);
    assert_same(
        ADMIN,
        &["pod", "crashy", "nope", "-n", "team-a", "-o", "json"],
    );
    assert_same(ADMIN, &["pod", "nope", "-n", "team-a", "-o", "yaml"]);
    assert_same(
        ADMIN,
        &["pod", "crashy", "nope", "-n", "team-a", "-o", "name"],
    );
    assert_same(ADMIN, &["pods", "crashy", "-A"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn several_kinds() {
    assert_same(ADMIN, &["pods,svc", "-n", "team-a"]);
    assert_same(ADMIN, &["all", "-n", "team-b"]);
    assert_same(ADMIN, &["all", "-n", "team-b", "--no-headers"]);
    assert_same(
        ADMIN,
        &["pod/crashy", "svc/web", "pod/stuck", "-n", "team-a"],
    );
    assert_same(ADMIN, &["deploy,wdg", "-A", "-o", "name"]);
    assert_same(ADMIN, &["svc,deploy", "web", "-n", "team-a"]);
    assert_same(ADMIN, &["pods,svc", "web", "-n", "team-a"]);
    assert_same(ADMIN, &["sa,cm,secrets", "-n", "team-b", "-o", "yaml"]);
    assert_same(ADMIN, &["pods,svc", "-n", "kube-system"]);
    assert_same(ADMIN, &["nodes,ns"]);
    assert_same(ADMIN, &["pod/crashy", "pods", "-n", "team-a"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn empty_results() {
    assert_same(ADMIN, &["pods", "-n", "kube-system"]);
    assert_same(ADMIN, &["pods", "-n", "no-such-namespace"]);
    assert_same(ADMIN, &["pods", "-n", "kube-system", "-o", "json"]);
    assert_same(ADMIN, &["pods", "-n", "kube-system", "-o", "yaml"]);
    assert_same(ADMIN, &["pods", "-n", "kube-system", "-o", "name"]);
    assert_same(ADMIN, &["ns", "-l", "nope=1"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn unknown_kinds() {
    assert_same(ADMIN, &["foo"]);
    assert_same(ADMIN, &["foo.bar"]);
    assert_same(ADMIN, &["pods,foo", "-n", "team-a"]);
    assert_same(ADMIN, &["foo,pods"]);
    assert_same(ADMIN, &["widgets.v1.demo.loupe.dev", "-A"]);
    assert_same(ADMIN, &["foo", "bar", "-o", "json"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn limited_user() {
    // editor-b may edit team-b (its context namespace) and nothing else.
    for args in [
        vec!["pods"],
        vec!["pods", "-o", "wide"],
        vec!["pods", "-o", "json"],
        vec!["deploy,rs,svc,cm,secrets,sa,roles,rolebindings"],
        vec!["deploy,rs,svc,cm,secrets,sa", "-o", "yaml"],
        vec!["pods", "-l", "app=api", "-o", "name"],
        vec!["deploy", "api", "-o", "yaml"],
        // Forbidden: kubectl's `Error from server (Forbidden): ...` line, exit 1.
        vec!["pods", "-A"],
        vec!["pods", "-A", "-o", "json"],
        vec!["pods", "-A", "-o", "name"],
        vec!["pods", "-n", "team-a"],
        vec!["ns"],
        vec!["nodes"],
        vec!["clusterroles"],
        vec!["crd"],
        vec!["widgets"],
        vec!["pods,ns"],
        vec!["pods,ns", "-o", "name"],
        vec!["pod", "crashy", "-n", "team-a", "-o", "yaml"],
        vec!["pod", "crashy", "stuck", "-n", "team-a", "-o", "yaml"],
        vec!["ns", "team-b"],
    ] {
        assert_same(EDITOR_B, &args);
    }
}
