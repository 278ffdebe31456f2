//! Benchmark: the full access matrix of one identity across every namespace of the sandbox
//! (plus the cluster scope and non-resource URLs), three ways, in one run:
//!
//! 1. Loupe: one SelfSubjectRulesReview per scope in parallel (+ discovery), in process and as
//!    the `loupe auth matrix` command;
//! 2. `kubectl auth can-i --list -n NS`, once per namespace (what a user would run);
//! 3. rakkess's method: one SelfSubjectAccessReview per applicable cell (16 in flight, and one at
//!    a time).
//!
//! Prints the figures; skipped unless `LOUPE_BENCH=1` (so `./dev test` does not run it). Run with
//! `tests/bench/rbac.sh`, or: `LOUPE_BENCH=1 LOUPE_SANDBOX_KUBECONFIG=... cargo test -p loupe-cli
//! --test auth_bench -- --include-ignored --nocapture`. `LOUPE_BENCH_CONTEXT` picks the identity
//! (default `sandbox-editor-b`).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_core::cluster::{ConnectOptions, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::rbac::{can_i, matrix};
use loupe_model::rbac::{Action, MatrixRequest};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[test]
#[ignore = "benchmark: LOUPE_BENCH=1 tests/bench/rbac.sh"]
fn full_matrix_three_ways() {
    if std::env::var_os("LOUPE_BENCH").is_none() {
        eprintln!("skipped: set LOUPE_BENCH=1");
        return;
    }
    let path = PathBuf::from(std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap());
    let ctx = std::env::var("LOUPE_BENCH_CONTEXT").unwrap_or_else(|_| "sandbox-editor-b".into());
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(path.clone()),
        ..Default::default()
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };

    // The namespaces, listed as admin (the identity itself may not list them).
    let namespaces: Vec<String> = rt.block_on(async {
        let admin = open_client(&kc, "sandbox-admin", &ConnectOptions::default())
            .await
            .unwrap();
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(admin.client);
        let mut n: Vec<String> = api
            .list_metadata(&Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect();
        n.sort();
        n
    });
    line(format!(
        "identity {ctx}; {} namespaces ({}) + cluster scope + non-resource URLs",
        namespaces.len(),
        namespaces.join(", ")
    ));
    let req = MatrixRequest {
        namespaces: namespaces.clone(),
        ..MatrixRequest::default()
    };

    // 1. Loupe in process: a fresh client (TLS handshake included), then the matrix.
    let (m, loupe_cold, loupe_warm) = rt.block_on(async {
        let t = Instant::now();
        let cc = open_client(&kc, &ctx, &ConnectOptions::default())
            .await
            .unwrap();
        let m = matrix(&cc, &req).await.unwrap();
        let cold = t.elapsed();
        let t = Instant::now();
        let _ = matrix(&cc, &req).await.unwrap();
        (m, cold, t.elapsed())
    });
    let applicable: usize = m
        .scopes
        .iter()
        .flat_map(|s| s.rows.iter().flat_map(|r| r.cells.iter()))
        .filter(|c| c.applicable)
        .count()
        + m.non_resource.iter().map(|r| r.cells.len()).sum::<usize>();
    line(format!(
        "matrix: {} resources (subresources, CRDs and impersonation targets included) x {} verbs, {} cells ({applicable} applicable)",
        m.resources.len(),
        m.verbs.len(),
        m.stats.cells
    ));
    line(format!(
        "1. Loupe matrix() in process: {} with a new connection, {} on a warm one ({} rules reviews, {} access reviews, discovery {} ms)",
        ms(loupe_cold),
        ms(loupe_warm),
        m.stats.rules_reviews,
        m.stats.access_reviews,
        m.stats.discovery_ms
    ));
    let mut args = vec![
        "--context".to_string(),
        ctx.clone(),
        "auth".into(),
        "matrix".into(),
        "-o".into(),
        "json".into(),
    ];
    for n in &namespaces {
        args.push("-n".into());
        args.push(n.clone());
    }
    let t = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(&args)
        .env("KUBECONFIG", &path)
        .output()
        .unwrap();
    let loupe_cli = t.elapsed();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    line(format!(
        "   `loupe auth matrix -o json` (process start to exit): {}",
        ms(loupe_cli)
    ));

    // 2. kubectl auth can-i --list, one process per namespace (cache warmed first).
    let home = tempfile::tempdir().unwrap();
    let kubectl = |ns: &str| {
        Command::new("/usr/bin/kubectl")
            .args(["--context", &ctx, "auth", "can-i", "--list", "-n", ns])
            .env("KUBECONFIG", &path)
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    kubectl("default");
    let t = Instant::now();
    for ns in &namespaces {
        assert!(kubectl(ns).status.success());
    }
    let kubectl_time = t.elapsed();
    line(format!(
        "2. kubectl auth can-i --list per namespace: {} for {} namespaces ({} each; rules only, no cluster scope, no matrix)",
        ms(kubectl_time),
        namespaces.len(),
        ms(kubectl_time / namespaces.len() as u32)
    ));

    // 3. rakkess's method: one access review per applicable cell.
    let mut actions = Vec::new();
    for s in &m.scopes {
        for row in &s.rows {
            let r = &m.resources[row.resource];
            for c in row.cells.iter().filter(|c| c.applicable) {
                let mut a = Action::resource(&c.verb, &r.group, &r.resource)
                    .with_subresource(&r.subresource);
                a.namespace = s.scope.namespace().unwrap_or_default().to_string();
                actions.push(a);
            }
        }
    }
    for row in &m.non_resource {
        for c in &row.cells {
            actions.push(Action::non_resource(&c.verb, &row.path));
        }
    }
    for concurrency in [16usize, 1] {
        let t = Instant::now();
        let allowed = rt.block_on(async {
            let cc = open_client(&kc, &ctx, &ConnectOptions::default())
                .await
                .unwrap();
            let sem = Arc::new(tokio::sync::Semaphore::new(concurrency));
            let mut set = tokio::task::JoinSet::new();
            for a in actions.clone() {
                let (cc, sem) = (cc.clone(), sem.clone());
                set.spawn(async move {
                    let _p = sem.acquire_owned().await;
                    can_i(&cc, &a).await.unwrap().allowed
                });
            }
            let mut n = 0;
            while let Some(r) = set.join_next().await {
                n += usize::from(r.unwrap());
            }
            n
        });
        line(format!(
            "3. one SelfSubjectAccessReview per cell, {concurrency} in flight: {} for {} reviews ({allowed} allowed)",
            ms(t.elapsed()),
            actions.len()
        ));
    }
    let _ = write!(std::io::stderr(), "{out}");
}
