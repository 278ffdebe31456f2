//! The RBAC core against the sandbox cluster's identities (tests/sandbox/manifests/10-rbac.yaml):
//! who can answers match the scenario each identity was built for, and are confirmed by
//! SubjectAccessReviews; the local rules equal the server's rules reviews; the access matrix
//! equals one access review per cell; who am I explains each identity's credentials.
//!
//! Run with `./dev test`, or by hand: `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml
//! cargo test -p loupe-core --test rbac_sandbox -- --include-ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use loupe_core::cluster::{ConnectOptions, ContextClient, open_client};
use loupe_core::kubeconfig::{Kubeconfig, LoadRules};
use loupe_core::rbac::matrix::local_matrix;
use loupe_core::rbac::review::CLUSTER_SCOPE_NAMESPACE;
use loupe_core::rbac::{RbacSnapshot, can_i, matrix, rules, subject_access_review, whoami};
use loupe_model::rbac::{
    Action, Attributes, AuthEvidence, BindingKind, CellState, IdentitySource, MatrixRequest,
    MatrixScope, PolicyRule, RiskKind, RoleKind, SubjectKind, WhoCan,
};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;

fn sandbox() -> Kubeconfig {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to its \
             kubeconfigs/sandbox.yaml"
        )
    });
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

async fn client_as(kc: &Kubeconfig, ctx: &str, user: &str, groups: &[&str]) -> ContextClient {
    let opts = ConnectOptions {
        impersonate: Some(user.into()),
        impersonate_groups: groups.iter().map(|s| s.to_string()).collect(),
        ..ConnectOptions::default()
    };
    open_client(kc, ctx, &opts).await.unwrap()
}

fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// (kind, name, namespace, binding, role) of every grant, for readable assertions.
fn grants(wc: &WhoCan) -> BTreeSet<(String, String, String)> {
    wc.subjects
        .iter()
        .flat_map(|s| {
            let who = match s.subject.kind {
                SubjectKind::ServiceAccount => format!(
                    "ServiceAccount {}/{}",
                    s.subject.namespace.as_deref().unwrap_or_default(),
                    s.subject.name
                ),
                k => format!("{k:?} {}", s.subject.name),
            };
            s.grants.iter().map(move |g| {
                let binding = match g.binding.kind {
                    BindingKind::ClusterRoleBinding => {
                        format!("ClusterRoleBinding {}", g.binding.name)
                    }
                    BindingKind::RoleBinding => format!(
                        "RoleBinding {}/{}",
                        g.binding.namespace.as_deref().unwrap_or_default(),
                        g.binding.name
                    ),
                };
                let role = match g.role.kind {
                    RoleKind::ClusterRole => format!("ClusterRole {}", g.role.name),
                    RoleKind::Role => format!("Role {}", g.role.name),
                };
                (who.clone(), binding, role)
            })
        })
        .collect()
}

fn has(wc: &WhoCan, who: &str, binding: &str, role: &str) -> bool {
    grants(wc).contains(&(who.to_string(), binding.to_string(), role.to_string()))
}

fn names(wc: &WhoCan) -> BTreeSet<String> {
    grants(wc).into_iter().map(|g| g.0).collect()
}

fn a(verb: &str, group: &str, resource: &str) -> Action {
    Action::resource(verb, group, resource)
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn who_can_matches_each_identitys_scenario() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let wc = |action: Action| snap.who_can(&action);
    let mut checked = 0;
    let mut check = |ok: bool, what: &str| {
        assert!(ok, "{what}");
        checked += 1;
    };

    // admin: a normal user bound to cluster-admin (not system:masters), everywhere.
    for action in [
        a("delete", "", "secrets").in_namespace("team-b"),
        a("list", "", "nodes"),
        Action::non_resource("get", "/metrics"),
    ] {
        let w = wc(action.clone());
        check(
            has(
                &w,
                "User loupe-admin",
                "ClusterRoleBinding loupe-admin",
                "ClusterRole cluster-admin",
            ),
            &format!("loupe-admin may {}", action.describe()),
        );
        check(
            w.superuser_groups == ["system:masters"],
            "system:masters is listed as superuser",
        );
    }

    // viewer: view in team-a only, no secrets.
    let w = wc(a("list", "", "pods").in_namespace("team-a"));
    check(
        has(
            &w,
            "User viewer",
            "RoleBinding team-a/viewer-view",
            "ClusterRole view",
        ),
        "viewer lists pods in team-a through viewer-view",
    );
    let g = w
        .subjects
        .iter()
        .find(|s| s.subject.name == "viewer")
        .unwrap();
    check(
        g.grants[0].role.aggregated,
        "view is an aggregated ClusterRole",
    );
    check(
        g.grants[0]
            .aggregated_from
            .iter()
            .any(|s| s == "system:aggregate-to-view"),
        "the pods rule comes from system:aggregate-to-view",
    );
    check(
        !names(&wc(a("list", "", "pods").in_namespace("team-b"))).contains("User viewer"),
        "viewer may not list pods in team-b",
    );
    check(
        !names(&wc(a("get", "", "secrets").in_namespace("team-a"))).contains("User viewer"),
        "view excludes secrets",
    );

    // editor-b: edit in team-b only; cannot list namespaces cluster-wide.
    let w = wc(a("create", "apps", "deployments").in_namespace("team-b"));
    check(
        has(
            &w,
            "User editor-b",
            "RoleBinding team-b/editor-b-edit",
            "ClusterRole edit",
        ),
        "editor-b creates deployments in team-b through editor-b-edit",
    );
    check(
        names(&wc(a("create", "", "pods")
            .with_subresource("exec")
            .in_namespace("team-b")))
        .contains("User editor-b"),
        "editor-b may exec in team-b",
    );
    check(
        names(&wc(a("get", "", "secrets").in_namespace("team-b"))).contains("User editor-b"),
        "edit includes secrets",
    );
    check(
        !names(&wc(
            a("create", "apps", "deployments").in_namespace("team-a")
        ))
        .contains("User editor-b"),
        "editor-b has nothing in team-a",
    );
    check(
        !names(&wc(a("list", "", "namespaces"))).contains("User editor-b"),
        "editor-b cannot list namespaces cluster-wide",
    );

    // auditor: loupe-auditor through the group, cluster-wide, narrow, with resourceNames.
    let aud = |action: Action| {
        has(
            &wc(action),
            "Group loupe:auditors",
            "ClusterRoleBinding loupe-auditors",
            "ClusterRole loupe-auditor",
        )
    };
    check(aud(a("list", "", "nodes")), "auditors list nodes");
    check(
        aud(a("get", "", "pods")
            .with_subresource("log")
            .in_namespace("team-b")),
        "auditors read pod logs",
    );
    check(
        aud(a("get", "apps", "deployments")
            .with_subresource("scale")
            .in_namespace("team-a")),
        "auditors get deployments/scale",
    );
    check(
        !aud(a("update", "apps", "deployments")
            .with_subresource("scale")
            .in_namespace("team-a")),
        "auditors may not scale",
    );
    check(
        aud(a("get", "", "configmaps")
            .named("app-settings")
            .in_namespace("team-a")),
        "auditors get configmap app-settings",
    );
    check(
        !aud(a("get", "", "configmaps")
            .named("other-settings")
            .in_namespace("team-a")),
        "but not other-settings",
    );
    check(
        !aud(a("list", "", "configmaps").in_namespace("team-a")),
        "nor list configmaps",
    );
    check(
        aud(a("get", "demo.loupe.dev", "widgets")
            .named("alpha")
            .in_namespace("team-a")),
        "auditors get widget alpha",
    );
    check(
        !aud(a("get", "demo.loupe.dev", "widgets")
            .named("beta")
            .in_namespace("team-a")),
        "but not beta",
    );
    check(
        !aud(a("get", "", "secrets").in_namespace("team-a")),
        "auditors read no secrets",
    );

    // ci-bot: Role deployer in team-a, ServiceAccount subject without namespace.
    let w = wc(a("create", "apps", "deployments").in_namespace("team-a"));
    check(
        has(
            &w,
            "ServiceAccount team-a/ci-bot",
            "RoleBinding team-a/ci-bot-deployer",
            "Role deployer",
        ),
        "ci-bot deploys in team-a through ci-bot-deployer",
    );
    check(
        !names(&wc(
            a("deletecollection", "apps", "deployments").in_namespace("team-a")
        ))
        .contains("ServiceAccount team-a/ci-bot"),
        "deployer has no deletecollection",
    );
    check(
        !names(&wc(
            a("create", "apps", "deployments").in_namespace("team-b")
        ))
        .contains("ServiceAccount team-a/ci-bot"),
        "ci-bot has nothing in team-b",
    );
    check(
        !names(&wc(a("get", "", "secrets").in_namespace("team-a")))
            .contains("ServiceAccount team-a/ci-bot"),
        "ci-bot reads no secrets",
    );
    report(&format!("who-can: {checked} scenario checks passed"));
}

/// Every subject who-can lists is confirmed by a SubjectAccessReview; every sandbox identity a
/// SubjectAccessReview allows is covered by a listed user, group or ServiceAccount.
#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn who_can_agrees_with_subject_access_reviews() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let mut identities = Vec::new();
    for ctx in [
        "sandbox-viewer",
        "sandbox-editor-b",
        "sandbox-auditor",
        "sandbox-ci-bot",
    ] {
        let id = whoami(&client(&kc, ctx).await, &kc).await.unwrap();
        identities.push((id.username, id.groups));
    }
    let actions = [
        a("get", "", "pods").in_namespace("team-a"),
        a("list", "", "pods").in_namespace("team-b"),
        a("create", "apps", "deployments").in_namespace("team-a"),
        a("get", "", "secrets").in_namespace("team-b"),
        a("get", "", "configmaps")
            .named("app-settings")
            .in_namespace("team-a"),
        a("list", "", "nodes"),
        a("create", "", "pods")
            .with_subresource("exec")
            .in_namespace("team-b"),
        a("impersonate", "", "serviceaccounts").in_namespace("team-b"),
        Action::non_resource("get", "/healthz"),
    ];
    let (mut confirmed, mut covered) = (0, 0);
    for action in &actions {
        let w = snap.who_can(action);
        for s in &w.subjects {
            let (user, groups) = match s.subject.kind {
                SubjectKind::User => (
                    s.subject.name.clone(),
                    vec!["system:authenticated".to_string()],
                ),
                SubjectKind::Group => (
                    "loupe-test-member".to_string(),
                    vec![s.subject.name.clone(), "system:authenticated".to_string()],
                ),
                SubjectKind::ServiceAccount => {
                    let ns = s.subject.namespace.clone().unwrap();
                    (
                        s.subject.username(),
                        vec![
                            "system:serviceaccounts".to_string(),
                            format!("system:serviceaccounts:{ns}"),
                            "system:authenticated".to_string(),
                        ],
                    )
                }
                SubjectKind::Other => continue,
            };
            let r = subject_access_review(
                &admin,
                &Attributes {
                    user: user.clone(),
                    groups,
                    action: action.clone(),
                },
            )
            .await
            .unwrap();
            assert!(
                r.allowed,
                "who-can lists {user} for {}, the server disagrees",
                action.describe()
            );
            confirmed += 1;
        }
        for (user, groups) in &identities {
            let r = subject_access_review(
                &admin,
                &Attributes {
                    user: user.clone(),
                    groups: groups.clone(),
                    action: action.clone(),
                },
            )
            .await
            .unwrap();
            let listed = w.subjects.iter().any(|s| match s.subject.kind {
                SubjectKind::User | SubjectKind::ServiceAccount => s.subject.username() == *user,
                SubjectKind::Group => groups.contains(&s.subject.name),
                SubjectKind::Other => false,
            });
            assert_eq!(r.allowed, listed, "{user}: {}", action.describe());
            covered += 1;
        }
    }
    report(&format!(
        "who-can vs SubjectAccessReview: {confirmed} listed subjects confirmed, {covered} identity answers agree"
    ));
}

/// Breaks rules down to (group, resource, verb, name) and (url, verb) tuples.
fn tuples(rules: &[PolicyRule]) -> BTreeSet<(String, String, String, String)> {
    let mut out = BTreeSet::new();
    for r in rules {
        for v in &r.verbs {
            for u in &r.non_resource_urls {
                out.insert((String::new(), u.clone(), v.clone(), String::new()));
            }
            for g in &r.api_groups {
                for res in &r.resources {
                    if r.resource_names.is_empty() {
                        out.insert((g.clone(), res.clone(), v.clone(), String::new()));
                    }
                    for n in &r.resource_names {
                        out.insert((g.clone(), res.clone(), v.clone(), n.clone()));
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn local_rules_equal_the_servers_rules_reviews() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let mut n = 0;
    for ctx in [
        "sandbox-admin",
        "sandbox-viewer",
        "sandbox-editor-b",
        "sandbox-auditor",
        "sandbox-ci-bot",
    ] {
        let cc = client(&kc, ctx).await;
        let id = whoami(&cc, &kc).await.unwrap();
        for ns in [
            "team-a",
            "team-b",
            "default",
            "kube-system",
            CLUSTER_SCOPE_NAMESPACE,
        ] {
            let server = rules(&cc, ns).await.unwrap();
            let local_ns = if ns == CLUSTER_SCOPE_NAMESPACE {
                ""
            } else {
                ns
            };
            let local = snap.rules_for(&id.username, &id.groups, local_ns);
            assert_eq!(
                tuples(&server.resource_rules),
                tuples(&local.resource_rules),
                "{ctx} in {ns}"
            );
            assert_eq!(
                tuples(&server.non_resource_rules),
                tuples(&local.non_resource_rules),
                "{ctx} in {ns}"
            );
            assert_eq!(server.incomplete, local.incomplete);
            n += 1;
        }
    }
    report(&format!(
        "rules: local == SelfSubjectRulesReview for {n} (identity, namespace) pairs"
    ));
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn matrix_equals_one_access_review_per_cell() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let mut total = 0;
    for ctx in [
        "sandbox-viewer",
        "sandbox-editor-b",
        "sandbox-auditor",
        "sandbox-ci-bot",
    ] {
        let cc = client(&kc, ctx).await;
        let req = MatrixRequest {
            namespaces: vec!["team-a".into(), "team-b".into()],
            ..MatrixRequest::default()
        };
        let m = matrix(&cc, &req).await.unwrap();
        assert_eq!(
            m.stats.rules_reviews, 3,
            "two namespaces and the cluster scope"
        );
        assert_eq!(
            m.stats.access_reviews, 0,
            "RBAC-only rules reviews are complete"
        );
        // Every applicable cell against an access review (rakkess's method).
        let mut set = tokio::task::JoinSet::new();
        let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(24));
        for s in &m.scopes {
            for row in &s.rows {
                let r = &m.resources[row.resource];
                for c in row.cells.iter().filter(|c| c.applicable) {
                    let mut action = Action::resource(&c.verb, &r.group, &r.resource)
                        .with_subresource(&r.subresource);
                    action.namespace = s.scope.namespace().unwrap_or_default().to_string();
                    let expect = c.state == CellState::Allowed;
                    let (cc, sem) = (cc.clone(), sem.clone());
                    set.spawn(async move {
                        let _p = sem.acquire_owned().await;
                        let r = can_i(&cc, &action).await.unwrap();
                        (action, expect, r.allowed)
                    });
                }
            }
        }
        for row in &m.non_resource {
            for c in &row.cells {
                let action = Action::non_resource(&c.verb, &row.path);
                let expect = c.state == CellState::Allowed;
                let cc = cc.clone();
                set.spawn(async move {
                    let r = can_i(&cc, &action).await.unwrap();
                    (action, expect, r.allowed)
                });
            }
        }
        let mut cells = 0;
        while let Some(r) = set.join_next().await {
            let (action, expect, got) = r.unwrap();
            assert_eq!(expect, got, "{ctx}: {}", action.describe());
            cells += 1;
        }
        total += cells;
        // The same matrix, evaluated locally from the RBAC objects.
        let id = whoami(&cc, &kc).await.unwrap();
        let scopes: Vec<MatrixScope> = m.scopes.iter().map(|s| s.scope.clone()).collect();
        let local = local_matrix(
            &snap,
            &id.username,
            &id.groups,
            m.resources.clone(),
            &scopes,
            &m.verbs,
        );
        for (live, loc) in m.scopes.iter().zip(&local.scopes) {
            for (lr, rr) in live.rows.iter().zip(&loc.rows) {
                for (lc, rc) in lr.cells.iter().zip(&rr.cells) {
                    assert_eq!(
                        (lc.state, &lc.names),
                        (rc.state, &rc.names),
                        "{ctx} {} {} {}",
                        live.scope.label(),
                        m.resources[lr.resource].key,
                        lc.verb
                    );
                }
            }
        }
        // Risks the scenario implies.
        let risks: BTreeSet<(RiskKind, String)> = m
            .risks
            .iter()
            .map(|f| (f.kind, f.scope.label().to_string()))
            .collect();
        match ctx {
            "sandbox-editor-b" => {
                for k in [
                    RiskKind::SecretsRead,
                    RiskKind::PodExec,
                    RiskKind::ServiceAccountToken,
                    RiskKind::Impersonate,
                ] {
                    assert!(
                        risks.contains(&(k, "team-b".into())),
                        "{ctx}: {k:?} in {risks:?}"
                    );
                }
                assert!(!risks.iter().any(|(_, s)| s == "team-a"), "{risks:?}");
            }
            _ => assert!(
                !risks.iter().any(|(k, _)| matches!(
                    k,
                    RiskKind::SecretsRead | RiskKind::PodExec | RiskKind::Wildcard
                )),
                "{ctx}: {risks:?}"
            ),
        }
    }
    report(&format!(
        "matrix: {total} cells equal to one SelfSubjectAccessReview each, and to the local evaluation"
    ));
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn superusers_get_every_cell_without_a_binding() {
    let kc = sandbox();
    // loupe-admin may impersonate; system:masters is then added to the request's groups.
    let cc = client_as(&kc, "sandbox-admin", "someone", &["system:masters"]).await;
    let id = whoami(&cc, &kc).await.unwrap();
    assert!(id.superuser, "{id:?}");
    let imp = id.impersonation.as_ref().unwrap();
    assert!(imp.from_flags);
    assert_eq!(imp.user.as_deref(), Some("someone"));
    let m = matrix(
        &cc,
        &MatrixRequest {
            namespaces: vec!["team-a".into()],
            subresources: false,
            ..MatrixRequest::default()
        },
    )
    .await
    .unwrap();
    assert!(m.superuser);
    assert!(
        m.scopes
            .iter()
            .flat_map(|s| s.rows.iter().flat_map(|r| r.cells.iter()))
            .all(|c| c.state == CellState::Allowed)
    );
    let admin = client(&kc, "sandbox-admin").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let d = snap.why(&Attributes {
        user: "someone".into(),
        groups: id.groups.clone(),
        action: a("delete", "", "nodes"),
    });
    assert!(d.allowed);
    assert_eq!(d.via, loupe_model::rbac::DecisionVia::Superuser);
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn whoami_explains_each_identity() {
    let kc = sandbox();
    let id = |ctx: &'static str| {
        let kc = kc.clone();
        async move { whoami(&client(&kc, ctx).await, &kc).await.unwrap() }
    };
    let admin = id("sandbox-admin").await;
    assert_eq!(admin.username, "loupe-admin");
    assert!(
        !admin.superuser,
        "the sandbox admin is bound to cluster-admin, not in system:masters"
    );
    assert!(
        matches!(&admin.source, IdentitySource::SelfSubjectReview { api_version } if api_version == "authentication.k8s.io/v1")
    );
    assert!(
        matches!(&admin.established_by[0], AuthEvidence::ClientCertificate { common_name: Some(cn), .. } if cn == "loupe-admin")
    );
    let editor = id("sandbox-editor-b").await;
    assert!(
        matches!(&editor.established_by[0], AuthEvidence::ClientCertificate { organizations, .. } if organizations == &["loupe:team-b"])
    );
    assert!(editor.groups.contains(&"loupe:team-b".to_string()));
    let viewer = id("sandbox-viewer").await;
    assert_eq!(viewer.uid.as_deref(), Some("uid-viewer"));
    assert!(matches!(
        &viewer.established_by[0],
        AuthEvidence::BearerToken { jwt: None, .. }
    ));
    let ci = id("sandbox-ci-bot").await;
    assert_eq!(ci.username, "system:serviceaccount:team-a:ci-bot");
    match &ci.established_by[0] {
        AuthEvidence::ServiceAccountToken {
            namespace,
            service_account,
            legacy,
            expires,
            ..
        } => {
            assert_eq!(
                (namespace.as_str(), service_account.as_str(), *legacy),
                ("team-a", "ci-bot", false)
            );
            assert!(expires.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        ci.explanation
            .iter()
            .any(|l| l.contains("ServiceAccount token for team-a/ci-bot"))
    );
    let auditor = id("sandbox-auditor").await;
    assert!(auditor.groups.contains(&"loupe:auditors".to_string()));
    report("whoami: 5 identities explained");
}

#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn explain_cross_checks_with_the_api_server() {
    let kc = sandbox();
    let admin = client(&kc, "sandbox-admin").await;
    let viewer = client(&kc, "sandbox-viewer").await;
    let snap = RbacSnapshot::load(&admin).await.unwrap();
    let me = whoami(&viewer, &kc).await.unwrap();
    let action = a("get", "", "pods")
        .with_subresource("log")
        .in_namespace("team-a");
    // The viewer asks about itself: a SelfSubjectAccessReview.
    let c = loupe_core::rbac::explain(&viewer, &snap, &me.attributes(action.clone()), true)
        .await
        .unwrap();
    assert_eq!(c.agrees, Some(true));
    assert!(c.decision.allowed);
    // The admin asks about the viewer: a SubjectAccessReview.
    let c = loupe_core::rbac::explain(
        &admin,
        &snap,
        &me.attributes(action.in_namespace("team-b")),
        false,
    )
    .await
    .unwrap();
    assert_eq!(c.agrees, Some(true));
    assert!(!c.decision.allowed);
    assert_eq!(c.decision.would_grant[0].role, "view");
    // The viewer may not create SubjectAccessReviews: RBAC only, and said so.
    let c = loupe_core::rbac::explain(
        &viewer,
        &snap,
        &me.attributes(a("list", "", "nodes")),
        false,
    )
    .await
    .unwrap();
    assert!(c.review.is_none() && c.note.is_some());
    // A 403 read back into the view.
    let err = loupe_core::rbac::eval::forbidden_message(
        &me.attributes(a("list", "", "secrets").in_namespace("team-a")),
    );
    let denied = loupe_model::parse_forbidden(&err).unwrap();
    assert_eq!(denied.user, "viewer");
    assert!(!snap.why(&me.attributes(denied.action())).allowed);
}

/// What a webhook authorizer does to a rules review (`incomplete`), simulated on the viewer's
/// real rules: every cell the rules do not allow is confirmed by an access review, and the
/// result equals the complete matrix.
#[tokio::test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
async fn incomplete_rules_reviews_are_settled_by_access_reviews() {
    use loupe_core::rbac::ApiCatalog;
    use loupe_core::rbac::matrix::{confirm_unknown, resources_from_catalog, scope_from_rules};
    use loupe_model::rbac::{AccessMatrix, CellSource, MATRIX_VERBS, MatrixStats};
    let kc = sandbox();
    let cc = client(&kc, "sandbox-viewer").await;
    let catalog = ApiCatalog::load(&cc).await.unwrap();
    let resources = resources_from_catalog(&catalog, true);
    let verbs: Vec<String> = MATRIX_VERBS.iter().map(|s| s.to_string()).collect();
    let scope = MatrixScope::Namespace {
        name: "team-a".into(),
    };
    let complete = rules(&cc, "team-a").await.unwrap();
    let mut incomplete = complete.clone();
    incomplete.incomplete = true;
    incomplete.evaluation_error = "webhook authorizer does not support user rule resolution".into();
    let mk = |r| AccessMatrix {
        subject: None,
        superuser: false,
        verbs: verbs.clone(),
        resources: resources.clone(),
        scopes: vec![scope_from_rules(
            &resources,
            &verbs,
            &scope,
            r,
            false,
            CellSource::RulesReview,
        )],
        non_resource: Vec::new(),
        risks: Vec::new(),
        notes: Vec::new(),
        stats: MatrixStats::default(),
    };
    let want = mk(&complete);
    let mut got = mk(&incomplete);
    let unknown = got.scopes[0]
        .rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .filter(|c| c.state == CellState::Unknown && c.applicable)
        .count();
    assert!(unknown > 100);
    confirm_unknown(&cc, &mut got, 16).await;
    assert_eq!(got.stats.access_reviews, unknown);
    for (w, g) in want.scopes[0].rows.iter().zip(&got.scopes[0].rows) {
        for (wc, gc) in w.cells.iter().zip(&g.cells) {
            if !wc.applicable {
                continue;
            }
            let w_allowed = wc.state == CellState::Allowed;
            let g_allowed = gc.state == CellState::Allowed;
            assert_eq!(
                w_allowed, g_allowed,
                "{} {}",
                resources[w.resource].key, wc.verb
            );
            assert_ne!(gc.state, CellState::Unknown);
        }
    }
    report(&format!(
        "matrix: {unknown} cells of an incomplete rules review settled by access reviews"
    ));
}
