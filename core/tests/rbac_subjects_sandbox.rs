//! The access view's core against the sandbox: another subject's matrix by impersonation equals
//! the local evaluation of the same subject; who-can through the per-context cache; the cache
//! serves the same snapshot until invalidated; identities that may neither impersonate nor read
//! RBAC get a plain refusal.
//!
//! Run with `./dev test`, or by hand: `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml
//! cargo test -p loupe-core --test rbac_subjects_sandbox -- --include-ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_core::cluster::{ConnectOptions, ContextClient, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::rbac::RbacCache;
use loupe_core::rbac::matrix::{local_matrix, resources_from_catalog};
use loupe_core::rbac::subject::{self, subject_matrix, subject_user};
use loupe_model::rbac::{
    BindingKind, CellState, MatrixMethod, MatrixScope, SubjectKind, SubjectMatrixRequest,
    SubjectRef,
};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

fn sandbox() -> Kubeconfig {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG")
        .expect("LOUPE_SANDBOX_KUBECONFIG must name the sandbox's kubeconfigs/sandbox.yaml");
    Kubeconfig::load(&LoadRules {
        explicit: Some(PathBuf::from(path)),
        ..Default::default()
    })
}

async fn client(kc: &Kubeconfig, ctx: &str) -> ContextClient {
    open_client(kc, ctx, &ConnectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{ctx}: {e}"))
}

fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn user(name: &str) -> SubjectRef {
    SubjectRef {
        kind: SubjectKind::User,
        name: name.into(),
        namespace: None,
    }
}

fn request(subject: SubjectRef) -> SubjectMatrixRequest {
    SubjectMatrixRequest {
        subject: Some(subject),
        namespaces: vec!["team-a".into(), "team-b".into()],
        all_namespaces: false,
        cluster: true,
    }
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn impersonated_matrices_equal_the_local_evaluation() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let cache = RbacCache::default();
    let subjects = [
        user("viewer"),
        user("editor-b"),
        SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: "ci-bot".into(),
            namespace: Some("team-a".into()),
        },
        SubjectRef {
            kind: SubjectKind::Group,
            name: "loupe:auditors".into(),
            namespace: None,
        },
    ];
    let (snapshot, _) = cache.snapshot(&admin).await.unwrap();
    let catalog = cache.catalog(&admin).await.unwrap();
    let mut compared = 0;
    for s in subjects {
        let sm = subject_matrix(&cache, &admin, &kc, false, &request(s.clone()))
            .await
            .unwrap();
        // loupe-admin is bound to cluster-admin: it may impersonate anyone.
        assert_eq!(sm.method, MatrixMethod::Impersonation, "{s:?}");
        let (u, g) = subject_user(&s);
        let scopes: Vec<MatrixScope> = sm.matrix.scopes.iter().map(|x| x.scope.clone()).collect();
        let local = local_matrix(
            &snapshot,
            &u,
            &g,
            resources_from_catalog(&catalog, true),
            &scopes,
            &sm.matrix.verbs,
        );
        assert_eq!(local.resources, sm.matrix.resources);
        for (a, b) in sm.matrix.scopes.iter().zip(&local.scopes) {
            for (ra, rb) in a.rows.iter().zip(&b.rows) {
                for (ca, cb) in ra.cells.iter().zip(&rb.cells) {
                    let res = &sm.matrix.resources[ra.resource].key;
                    assert_eq!(
                        ca.state,
                        cb.state,
                        "{s:?}: {} {res} in {}",
                        ca.verb,
                        a.scope.label()
                    );
                    compared += 1;
                }
            }
        }
        let cell = |ns: &str, res: &str, verb: &str| {
            let sc = sm
                .matrix
                .scopes
                .iter()
                .find(|x| x.scope.namespace() == Some(ns))
                .unwrap();
            let ri = sm
                .matrix
                .resources
                .iter()
                .position(|r| r.key == res)
                .unwrap();
            let row = sc.rows.iter().find(|r| r.resource == ri).unwrap();
            row.cells.iter().find(|c| c.verb == verb).unwrap().state
        };
        if s.name == "viewer" {
            assert_eq!(cell("team-a", "pods", "get"), CellState::Allowed);
            assert_eq!(cell("team-a", "pods", "delete"), CellState::Denied);
            assert_eq!(cell("team-b", "pods", "get"), CellState::Denied);
        }
        if s.name == "ci-bot" {
            assert_eq!(
                cell("team-a", "deployments.apps", "create"),
                CellState::Allowed
            );
            assert_eq!(
                cell("team-b", "deployments.apps", "create"),
                CellState::Denied
            );
        }
    }
    report(&format!(
        "impersonation vs local evaluation: {compared} cells agree"
    ));
    assert!(compared > 1000);
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn limited_identities_are_told_why_not() {
    let kc = sandbox();
    let editor = client(&kc, "sandbox-editor-b").await;
    let cache = RbacCache::default();
    let e = subject_matrix(&cache, &editor, &kc, false, &request(user("viewer")))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("impersonate") && e.contains("RBAC objects"),
        "{e}"
    );
    let e = subject::who_can(&cache, &editor, "delete", "secrets", Some("team-b"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("may not read ClusterRoles"), "{e}");
    // Its own matrix still works (rules reviews need no right).
    let own = SubjectMatrixRequest {
        subject: None,
        namespaces: vec!["team-b".into()],
        all_namespaces: false,
        cluster: false,
    };
    let sm = subject_matrix(&cache, &editor, &kc, false, &own)
        .await
        .unwrap();
    assert_eq!(sm.method, MatrixMethod::Own);
    assert_eq!(sm.user, "editor-b");
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn who_can_and_the_cache() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let cache = RbacCache::default();
    let wc = subject::who_can(&cache, &admin, "delete", "secrets", Some("team-b"), None)
        .await
        .unwrap();
    let editor = wc
        .subjects
        .iter()
        .find(|s| s.subject.kind == SubjectKind::User && s.subject.name == "editor-b")
        .expect("editor-b may delete secrets in team-b");
    assert!(
        editor
            .grants
            .iter()
            .any(|g| g.binding.kind == BindingKind::RoleBinding
                && g.binding.name == "editor-b-edit"
                && g.role.name == "edit")
    );
    assert!(!wc.subjects.iter().any(|s| s.subject.name == "viewer"));
    // Subresources: pods/log in team-a includes viewer (view grants it).
    let wc = subject::who_can(&cache, &admin, "get", "pods/log", Some("team-a"), None)
        .await
        .unwrap();
    assert!(wc.subjects.iter().any(|s| s.subject.name == "viewer"));

    let (a, _) = cache.snapshot(&admin).await.unwrap();
    let (b, age) = cache.snapshot(&admin).await.unwrap();
    assert!(
        Arc::ptr_eq(&a, &b),
        "a second call is served from the cache"
    );
    report(&format!("cached snapshot age: {age:?}"));
    cache.invalidate("sandbox-admin");
    assert!(!cache.has_snapshot("sandbox-admin"));
    let (c, _) = cache.snapshot(&admin).await.unwrap();
    assert!(!Arc::ptr_eq(&a, &c), "invalidate reads the cluster again");
}
