//! `loupe auth` compared with the real kubectl (the oracle) on the sandbox cluster's five
//! identities, and Loupe's local RBAC evaluator compared with the API server's
//! SubjectAccessReview on the same checks.
//!
//! - (a) `auth can-i`: hundreds of generated (identity, verb, resource, namespace) checks,
//!   subresources, resourceNames, short names, groups, unknown types and non-resource URLs
//!   included: stdout, stderr and exit code must be identical.
//! - (b) `auth can-i --list` per identity and namespace: identical text.
//! - (c) every check of (a) evaluated by `RbacSnapshot::why` (objects read as sandbox-admin) and
//!   by a SubjectAccessReview (created as sandbox-admin) with the identity's user and groups:
//!   same decision, the server's allow reason among Loupe's chains, and the same answer as
//!   kubectl's SelfSubjectAccessReview.
//! - (e) `auth whoami` (table, `-o json`, `-o yaml`) identical for every identity.
//!
//! Run with `./dev test`, or by hand: `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml
//! cargo test -p loupe-cli --test auth_oracle -- --include-ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_core::cluster::{ConnectOptions, ContextClient, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::rbac::review::{CanIArgs, plan_can_i};
use loupe_core::rbac::{ApiCatalog, RbacSnapshot, subject_access_review};
use loupe_model::rbac::Attributes;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

const KUBECTL: &str = "/usr/bin/kubectl";
const IDENTITIES: [&str; 5] = [
    "sandbox-admin",
    "sandbox-viewer",
    "sandbox-editor-b",
    "sandbox-auditor",
    "sandbox-ci-bot",
];
/// Namespace flags, cycled through (empty = the context's namespace, as kubectl defaults).
const NAMESPACES: [&[&str]; 6] = [
    &["-n", "team-a"],
    &["-n", "team-b"],
    &["-n", "default"],
    &["-n", "kube-system"],
    &["-A"],
    &[],
];

/// `can-i` arguments after the verb: every kind of argument kubectl resolves differently.
const PROBES: &[&[&str]] = &[
    &["get", "pods"],
    &["list", "pods"],
    &["watch", "pods"],
    &["create", "pods"],
    &["delete", "pods"],
    &["deletecollection", "pods"],
    &["get", "pods", "--subresource", "log"],
    &["create", "pods", "--subresource", "exec"],
    &["get", "pods", "--subresource", "exec"],
    &["create", "pods", "--subresource", "portforward"],
    &["create", "pods", "--subresource", "attach"],
    &["create", "pods", "--subresource", "eviction"],
    &["get", "pods/web-0"],
    &["get", "po"],
    &["list", "deploy"],
    &["create", "deployments.apps"],
    &["update", "deployments.v1.apps"],
    &["patch", "deploy/web"],
    &["get", "deployments", "--subresource", "scale"],
    &["update", "deployments", "--subresource", "scale"],
    &["get", "statefulsets", "--subresource", "scale"],
    &["get", "replicationcontrollers", "--subresource", "scale"],
    &["list", "replicasets"],
    &["create", "replicasets.apps"],
    &["deletecollection", "deployments"],
    &["list", "statefulsets"],
    &["create", "jobs.batch"],
    &["list", "cronjobs"],
    &["get", "configmaps/app-settings"],
    &["get", "configmaps/other-settings"],
    &["list", "cm"],
    &["watch", "configmaps/app-settings"],
    &["update", "cm/app-settings"],
    &["create", "configmaps"],
    &["get", "secrets"],
    &["list", "secrets"],
    &["get", "secrets/web-credentials"],
    &["get", "wdg/alpha"],
    &["get", "widgets/beta"],
    &["list", "widgets.demo.loupe.dev"],
    &["create", "wdg"],
    &["patch", "widgets", "--subresource", "status"],
    &["list", "events"],
    &["list", "events.events.k8s.io"],
    &["create", "services"],
    &["get", "svc"],
    &["create", "serviceaccounts", "--subresource", "token"],
    &["impersonate", "serviceaccounts"],
    &["list", "serviceaccounts"],
    &["list", "roles"],
    &["create", "rolebindings.rbac.authorization.k8s.io"],
    &["escalate", "roles"],
    &["bind", "clusterroles"],
    &["list", "nodes"],
    &["get", "nodes", "--subresource", "proxy"],
    &["list", "namespaces"],
    &["get", "namespaces/team-a"],
    &["list", "clusterroles"],
    &["create", "persistentvolumes"],
    &["impersonate", "users"],
    &["impersonate", "groups"],
    &["*", "*"],
    &["get", "*"],
    &["get", "foos"],
    &["get", "foos.bar"],
    &["frob", "pods"],
    &["list", "Deployment"],
    &["get", "leases.coordination.k8s.io"],
    &["create", "selfsubjectaccessreviews.authorization.k8s.io"],
    &["get", "/healthz"],
    &["get", "/metrics"],
    &["get", "/api"],
    &["get", "/apis/apps/v1"],
    &["post", "/healthz"],
    &["get", "/logs/kube-apiserver.log"],
    &["get", "/version"],
    &["list", "pods", "-q"],
];

fn sandbox_path() -> PathBuf {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to its \
             kubeconfigs/sandbox.yaml"
        )
    });
    PathBuf::from(path)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(bin: &Path, kubeconfig: &Path, home: &Path, args: &[String]) -> Run {
    let out = Command::new(bin)
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", home)
        .env_remove("KUBECTL_EXTERNAL_DIFF")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

fn loupe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loupe"))
}

/// Runs both tools on every argument list, `threads` at a time; returns (args, kubectl, loupe).
fn both(argsets: Vec<Vec<String>>, threads: usize) -> Vec<(Vec<String>, Run, Run)> {
    let kc = sandbox_path();
    // One HOME for every run, so kubectl's discovery cache is shared and warm.
    let home = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(args) = argsets.get(i) else { break };
                    let k = run(Path::new(KUBECTL), &kc, home.path(), args);
                    let l = run(&loupe(), &kc, home.path(), args);
                    results.lock().unwrap().push((i, args.clone(), k, l));
                }
            });
        }
    });
    let mut r = results.into_inner().unwrap();
    r.sort_by_key(|x| x.0);
    r.into_iter().map(|(_, a, k, l)| (a, k, l)).collect()
}

fn report(line: &str) {
    // Straight to stderr, so `./dev test` shows the counts even when the test passes.
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The generated checks: (context, can-i arguments after `auth can-i`).
fn checks() -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    for (i, ctx) in IDENTITIES.iter().enumerate() {
        for (p, probe) in PROBES.iter().enumerate() {
            let ns = NAMESPACES[(p + i) % NAMESPACES.len()];
            let mut args: Vec<String> = probe.iter().map(|s| s.to_string()).collect();
            args.extend(ns.iter().map(|s| s.to_string()));
            out.push((*ctx, args));
        }
    }
    out
}

fn argv(ctx: &str, tail: &[&str], rest: &[String]) -> Vec<String> {
    let mut v = vec!["--context".to_string(), ctx.to_string()];
    v.extend(tail.iter().map(|s| s.to_string()));
    v.extend(rest.iter().cloned());
    v
}

fn show(r: &Run) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    )
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn can_i_matches_kubectl_and_the_evaluator_matches_subject_access_reviews() {
    let checks = checks();
    assert!(checks.len() >= 200, "{} checks", checks.len());
    let argsets: Vec<Vec<String>> = checks
        .iter()
        .map(|(ctx, args)| argv(ctx, &["auth", "can-i"], args))
        .collect();
    let results = both(argsets, 4);
    let mut mismatches = Vec::new();
    for (args, k, l) in &results {
        if k != l {
            mismatches.push(format!(
                "loupe {}\n== kubectl\n{}== loupe\n{}",
                args.join(" "),
                show(k),
                show(l)
            ));
        }
    }
    let subresources = checks
        .iter()
        .filter(|(_, a)| a.iter().any(|x| x == "--subresource"))
        .count();
    let names = checks
        .iter()
        .filter(|(_, a)| !a[1].starts_with('/') && a[1].contains('/'))
        .count();
    let yes = results.iter().filter(|(_, k, _)| k.code == Some(0)).count();
    report(&format!(
        "auth can-i: loupe == kubectl (stdout, stderr, exit code) on {}/{} checks ({} yes, {} no; {subresources} with --subresource, {names} with a resource name)",
        results.len() - mismatches.len(),
        results.len(),
        yes,
        results.len() - yes
    ));
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // (c) The local evaluator against SubjectAccessReviews, on the same checks.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kubectl_allowed: Vec<bool> = results.iter().map(|(_, k, _)| k.code == Some(0)).collect();
    rt.block_on(evaluator_agrees(&checks, &kubectl_allowed));
}

async fn client(kc: &Kubeconfig, ctx: &str) -> ContextClient {
    open_client(kc, ctx, &ConnectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{ctx}: {e}"))
}

async fn evaluator_agrees(checks: &[(&'static str, Vec<String>)], kubectl_allowed: &[bool]) {
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(sandbox_path()),
        ..Default::default()
    });
    let admin = client(&kc, "sandbox-admin").await;
    let snapshot = RbacSnapshot::load(&admin).await.unwrap();
    assert!(snapshot.coverage().cluster_roles.complete());
    let catalog = ApiCatalog::load(&admin).await.unwrap();
    // Each identity's user and groups, as the API server sees them.
    let mut who = std::collections::HashMap::new();
    for ctx in IDENTITIES {
        let cc = client(&kc, ctx).await;
        let id = loupe_core::rbac::whoami(&cc, &kc).await.unwrap();
        who.insert(ctx, (id.username, id.groups));
    }
    let mut set = tokio::task::JoinSet::new();
    let mut attrs = Vec::new();
    for (i, (ctx, args)) in checks.iter().enumerate() {
        // The same argument handling as `loupe auth can-i` (and kubectl).
        let mut positional = Vec::new();
        let mut namespace = Some(
            kc.context(ctx)
                .and_then(|c| c.namespace.map(str::to_string))
                .unwrap_or_else(|| "default".into()),
        );
        let mut subresource = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-n" => namespace = it.next().cloned(),
                "-A" => namespace = None,
                "--subresource" => subresource = it.next().cloned(),
                "-q" => {}
                _ => positional.push(a.clone()),
            }
        }
        let plan = plan_can_i(
            &catalog,
            &CanIArgs {
                verb: positional[0].clone(),
                target: positional[1].clone(),
                name: None,
                subresource,
                namespace,
            },
        )
        .unwrap();
        let (user, groups) = who[ctx].clone();
        let a = Attributes {
            user,
            groups,
            action: plan.action,
        };
        let admin = admin.clone();
        let a2 = a.clone();
        set.spawn(async move { (i, subject_access_review(&admin, &a2).await.unwrap()) });
        attrs.push(a);
    }
    let mut sar = vec![None; checks.len()];
    while let Some(r) = set.join_next().await {
        let (i, review) = r.unwrap();
        sar[i] = Some(review);
    }
    let mut agree = 0;
    let mut reasons = 0;
    let mut failures = Vec::new();
    for (i, a) in attrs.iter().enumerate() {
        let review = sar[i].as_ref().unwrap();
        let d = snapshot.why(a);
        let same = d.allowed == review.allowed && review.allowed == kubectl_allowed[i];
        // The server names one granting chain (the first it visits): it must be one of ours.
        let reason_ok = !review.allowed || d.grants.iter().any(|g| g.reason == review.reason);
        if review.allowed && reason_ok {
            reasons += 1;
        }
        if same && reason_ok {
            agree += 1;
        } else {
            failures.push(format!(
                "{} {:?}: local {} ({:?}), SubjectAccessReview {} ({:?}), kubectl {}",
                checks[i].0,
                a.action,
                d.allowed,
                d.grants
                    .iter()
                    .map(|g| g.reason.clone())
                    .collect::<Vec<_>>(),
                review.allowed,
                review.reason,
                kubectl_allowed[i]
            ));
        }
    }
    report(&format!(
        "local evaluator == SubjectAccessReview == kubectl's SelfSubjectAccessReview on {agree}/{} checks ({reasons} allow reasons found among Loupe's chains)",
        attrs.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn can_i_list_matches_kubectl() {
    let mut argsets = Vec::new();
    for ctx in IDENTITIES {
        for ns in [
            &["-n", "team-a"][..],
            &["-n", "team-b"],
            &["-n", "default"],
            &["-n", "kube-system"],
            &[],
        ] {
            let rest: Vec<String> = ns.iter().map(|s| s.to_string()).collect();
            argsets.push(argv(ctx, &["auth", "can-i", "--list"], &rest));
        }
        argsets.push(argv(ctx, &["auth", "can-i", "--list", "--no-headers"], &[]));
    }
    // kubectl's own errors for --list.
    argsets.push(argv(
        "sandbox-viewer",
        &["auth", "can-i", "--list", "-A"],
        &[],
    ));
    argsets.push(argv(
        "sandbox-viewer",
        &["auth", "can-i", "--list", "get", "pods"],
        &[],
    ));
    argsets.push(argv(
        "sandbox-viewer",
        &["auth", "can-i", "get", "pods", "--no-headers"],
        &[],
    ));
    let results = both(argsets, 4);
    let bad: Vec<String> = results
        .iter()
        .filter(|(_, k, l)| k != l)
        .map(|(a, k, l)| {
            format!(
                "{}\n== kubectl\n{}== loupe\n{}",
                a.join(" "),
                show(k),
                show(l)
            )
        })
        .collect();
    let rows: usize = results
        .iter()
        .map(|(_, k, _)| k.stdout.lines().count())
        .sum();
    report(&format!(
        "auth can-i --list: loupe == kubectl on {}/{} runs ({rows} rows compared)",
        results.len() - bad.len(),
        results.len()
    ));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// kubectl and Loupe ask at slightly different times: the review's creation second may differ.
fn without_timestamp(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.contains("creationTimestamp") {
                "creationTimestamp: <t>".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn whoami_matches_kubectl() {
    let mut argsets = Vec::new();
    for ctx in IDENTITIES {
        argsets.push(argv(ctx, &["auth", "whoami"], &[]));
        argsets.push(argv(ctx, &["auth", "whoami", "-o", "json"], &[]));
        argsets.push(argv(ctx, &["auth", "whoami", "-o", "yaml"], &[]));
    }
    // Impersonation (admin may impersonate), refused impersonation, groups without a user.
    argsets.push(argv(
        "sandbox-admin",
        &[
            "--as",
            "viewer",
            "--as-group",
            "loupe:viewers",
            "auth",
            "whoami",
        ],
        &[],
    ));
    argsets.push(argv(
        "sandbox-admin",
        &[
            "--as",
            "system:serviceaccount:team-a:ci-bot",
            "auth",
            "whoami",
        ],
        &[],
    ));
    argsets.push(argv(
        "sandbox-viewer",
        &["--as", "someone", "auth", "whoami"],
        &[],
    ));
    argsets.push(argv(
        "sandbox-admin",
        &["--as-group", "x", "auth", "whoami"],
        &[],
    ));
    let results = both(argsets, 4);
    let bad: Vec<String> = results
        .iter()
        .filter(|(_, k, l)| {
            without_timestamp(&k.stdout) != without_timestamp(&l.stdout)
                || k.stderr != l.stderr
                || k.code != l.code
        })
        .map(|(a, k, l)| {
            format!(
                "{}\n== kubectl\n{}== loupe\n{}",
                a.join(" "),
                show(k),
                show(l)
            )
        })
        .collect();
    report(&format!(
        "auth whoami: loupe == kubectl on {}/{} runs",
        results.len() - bad.len(),
        results.len()
    ));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
