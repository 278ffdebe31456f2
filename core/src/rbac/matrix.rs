//! The access matrix: resources × verbs for one or more namespaces and the cluster scope, plus
//! non-resource URLs, with risky grants flagged.
//!
//! One SelfSubjectRulesReview per scope (all in parallel) settles every cell RBAC can settle; a
//! SelfSubjectAccessReview (bounded concurrency) is sent only for cells a review marked
//! `incomplete` cannot settle (another authorizer such as a webhook might allow them). The
//! cluster scope uses a rules review for a namespace that cannot exist
//! ([`super::review::CLUSTER_SCOPE_NAMESPACE`]), which leaves exactly the ClusterRoleBindings'
//! rules. Members of `system:masters` get every cell allowed without any review of rules.
//!
//! [`scope_from_rules`] is pure, so the same cells come out of a local evaluation
//! ([`local_matrix`]) for any subject.

use super::eval::{RbacSnapshot, rule_allows};
use super::resolve::ApiCatalog;
use super::review::{self, CLUSTER_SCOPE_NAMESPACE};
use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use loupe_model::rbac::{
    AccessMatrix, Action, Cell, CellSource, CellState, MATRIX_VERBS, MatrixRequest, MatrixResource,
    MatrixRow, MatrixScope, MatrixStats, NON_RESOURCE_VERBS, NonResourceRow, PolicyRule,
    RiskFinding, RiskKind, RulesReview, SUPERUSER_GROUP, ScopeAccess,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Non-resource URLs every matrix shows (others appear when a rule names them).
const STANDARD_PATHS: [&str; 9] = [
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
    "/metrics",
    "/api",
    "/apis",
    "/openapi/v2",
    "/logs",
];

/// Rows that exist only for RBAC (impersonation targets no discovery lists).
const IMPERSONATION_ROWS: [(&str, &str, &str); 3] = [
    ("", "users", "User"),
    ("", "groups", "Group"),
    ("authentication.k8s.io", "uids", "UID"),
];

/// Whether a group is Kubernetes' own (core, unqualified groups, `*.k8s.io`) rather than a
/// CustomResourceDefinition's or an aggregated API's.
fn builtin_group(group: &str) -> bool {
    group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io")
}

fn key_of(group: &str, resource: &str, sub: &str) -> String {
    let mut k = resource.to_string();
    if !group.is_empty() {
        k.push('.');
        k.push_str(group);
    }
    if !sub.is_empty() {
        k.push('/');
        k.push_str(sub);
    }
    k
}

/// RBAC-only verbs that apply to a resource (escalate/bind on roles, impersonate on identities).
fn special_verbs(group: &str, resource: &str, sub: &str) -> Vec<String> {
    if !sub.is_empty() {
        return Vec::new();
    }
    match (group, resource) {
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => {
            vec!["escalate".into(), "bind".into()]
        }
        ("", "serviceaccounts" | "users" | "groups") | ("authentication.k8s.io", "uids") => {
            vec!["impersonate".into()]
        }
        _ => Vec::new(),
    }
}

/// The matrix rows from discovery: each resource in its preferred version, its subresources
/// (when asked), and the impersonation targets (`users`, `groups`, `uids`).
pub fn resources_from_catalog(catalog: &ApiCatalog, subresources: bool) -> Vec<MatrixResource> {
    let mut out = Vec::new();
    for r in catalog.preferred_resources() {
        let mut verbs = r.verbs.clone();
        verbs.extend(special_verbs(&r.group, &r.resource, ""));
        out.push(MatrixResource {
            key: key_of(&r.group, &r.resource, ""),
            group: r.group.clone(),
            version: r.version.clone(),
            resource: r.resource.clone(),
            subresource: String::new(),
            kind: r.kind.clone(),
            namespaced: r.namespaced,
            custom: !builtin_group(&r.group),
            verbs,
        });
        if subresources {
            for (sub, verbs) in &r.subresources {
                out.push(MatrixResource {
                    key: key_of(&r.group, &r.resource, sub),
                    group: r.group.clone(),
                    version: r.version.clone(),
                    resource: r.resource.clone(),
                    subresource: sub.clone(),
                    kind: r.kind.clone(),
                    namespaced: r.namespaced,
                    custom: !builtin_group(&r.group),
                    verbs: verbs.clone(),
                });
            }
        }
    }
    for (group, resource, kind) in IMPERSONATION_ROWS {
        out.push(MatrixResource {
            key: key_of(group, resource, ""),
            group: group.into(),
            version: String::new(),
            resource: resource.into(),
            subresource: String::new(),
            kind: kind.into(),
            namespaced: false,
            custom: false,
            verbs: vec!["impersonate".into()],
        });
    }
    out
}

/// The risks of an allowed (or name-restricted) cell.
fn risks_of(r: &MatrixResource, verb: &str, rule: Option<&PolicyRule>) -> Vec<RiskKind> {
    let mut out = Vec::new();
    let core = r.group.is_empty();
    match (core, r.resource.as_str(), r.subresource.as_str(), verb) {
        (true, "secrets", "", "get" | "list" | "watch") => out.push(RiskKind::SecretsRead),
        (true, "pods", "exec", "create" | "get") => out.push(RiskKind::PodExec),
        (true, "pods", "attach", "create" | "get") => out.push(RiskKind::PodAttach),
        (true, "nodes", "proxy", _) => out.push(RiskKind::NodesProxy),
        (true, "serviceaccounts", "token", "create") => out.push(RiskKind::ServiceAccountToken),
        _ => {}
    }
    match verb {
        "escalate" => out.push(RiskKind::Escalate),
        "bind" => out.push(RiskKind::Bind),
        "impersonate" => out.push(RiskKind::Impersonate),
        _ => {}
    }
    if rule.is_some_and(PolicyRule::has_wildcard) {
        out.push(RiskKind::Wildcard);
    }
    out
}

/// One cell from a scope's rules: allowed by a rule; allowed only for some names; or denied.
fn cell_from_rules(r: &MatrixResource, verb: &str, ns: &str, rules: &[PolicyRule]) -> Cell {
    let action = Action {
        verb: verb.to_string(),
        api_group: r.group.clone(),
        resource: r.resource.clone(),
        subresource: r.subresource.clone(),
        name: String::new(),
        namespace: ns.to_string(),
        non_resource_url: None,
    };
    let applicable = r.verbs.iter().any(|v| v == verb);
    if let Some(rule) = rules.iter().find(|rule| rule_allows(rule, &action)) {
        return Cell {
            verb: verb.into(),
            state: CellState::Allowed,
            source: CellSource::RulesReview,
            applicable,
            names: Vec::new(),
            risks: risks_of(r, verb, Some(rule)),
            rule: Some(rule.clone()),
            detail: None,
        };
    }
    // Rules that would allow it for some object names.
    let mut names: Vec<String> = Vec::new();
    let mut named_rule = None;
    for rule in rules.iter().filter(|r| !r.resource_names.is_empty()) {
        let unnamed = PolicyRule {
            resource_names: Vec::new(),
            ..rule.clone()
        };
        if rule_allows(&unnamed, &action) {
            named_rule.get_or_insert_with(|| rule.clone());
            for n in &rule.resource_names {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
    }
    let state = if names.is_empty() {
        CellState::Denied
    } else {
        CellState::NamedOnly
    };
    Cell {
        verb: verb.into(),
        state,
        source: CellSource::RulesReview,
        applicable,
        risks: if names.is_empty() {
            Vec::new()
        } else {
            risks_of(r, verb, named_rule.as_ref())
        },
        names,
        rule: named_rule,
        detail: None,
    }
}

/// The cells of one scope from its rules (pure). `source` labels settled cells; with
/// `incomplete`, cells the rules do not allow become [`CellState::Unknown`] (to be confirmed by
/// an access review).
pub fn scope_from_rules(
    resources: &[MatrixResource],
    verbs: &[String],
    scope: &MatrixScope,
    review: &RulesReview,
    superuser: bool,
    source: CellSource,
) -> ScopeAccess {
    let ns = scope.namespace().unwrap_or_default();
    // The API server returns rules in no fixed order (its binding caches are maps), and a cell
    // shows the first rule that allows it: sorted, two reviews of the same rights read the same.
    let mut rules = review.resource_rules.clone();
    rules.sort();
    let rows = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| scope.namespace().is_none() || r.namespaced)
        .map(|(i, r)| MatrixRow {
            resource: i,
            cells: verbs
                .iter()
                .map(|v| {
                    let mut c = cell_from_rules(r, v, ns, &rules);
                    if superuser {
                        c.state = CellState::Allowed;
                        c.source = CellSource::Superuser;
                        c.names.clear();
                        c.rule = None;
                        c.risks = risks_of(r, v, None);
                    } else {
                        c.source = source;
                        if review.incomplete && c.state != CellState::Allowed {
                            c.state = CellState::Unknown;
                        }
                    }
                    c
                })
                .collect(),
        })
        .collect();
    ScopeAccess {
        scope: scope.clone(),
        incomplete: review.incomplete && !superuser,
        evaluation_error: (!review.evaluation_error.is_empty())
            .then(|| review.evaluation_error.clone()),
        rules,
        rows,
    }
}

/// The non-resource part from the cluster-wide rules (pure).
pub fn non_resource_from_rules(
    review: &RulesReview,
    superuser: bool,
    source: CellSource,
) -> Vec<NonResourceRow> {
    let mut rules = review.non_resource_rules.clone();
    rules.sort(); // a fixed order, as in `scope_from_rules`
    let mut paths: Vec<String> = STANDARD_PATHS.iter().map(|s| s.to_string()).collect();
    for r in &rules {
        for u in &r.non_resource_urls {
            if !paths.contains(u) {
                paths.push(u.clone());
            }
        }
    }
    paths
        .into_iter()
        .map(|path| NonResourceRow {
            cells: NON_RESOURCE_VERBS
                .iter()
                .map(|verb| {
                    let action = Action::non_resource(verb, &path);
                    let rule = rules.iter().find(|r| rule_allows(r, &action));
                    let (state, source) = match (superuser, rule) {
                        (true, _) => (CellState::Allowed, CellSource::Superuser),
                        (false, Some(_)) => (CellState::Allowed, source),
                        (false, None) if review.incomplete => (CellState::Unknown, source),
                        (false, None) => (CellState::Denied, source),
                    };
                    Cell {
                        verb: verb.to_string(),
                        state,
                        source,
                        applicable: true,
                        names: Vec::new(),
                        risks: if rule.is_some_and(PolicyRule::has_wildcard) {
                            vec![RiskKind::Wildcard]
                        } else {
                            Vec::new()
                        },
                        rule: rule.cloned(),
                        detail: None,
                    }
                })
                .collect(),
            path,
        })
        .collect()
}

fn risk_message(kind: RiskKind) -> &'static str {
    match kind {
        RiskKind::SecretsRead => {
            "Reading Secrets reveals every credential stored in this scope (tokens, passwords, keys)."
        }
        RiskKind::PodExec => {
            "Exec into pods runs commands in containers, with their service account tokens and mounted secrets."
        }
        RiskKind::PodAttach => "Attaching to pods reaches the processes of running containers.",
        RiskKind::Wildcard => {
            "A wildcard rule also grants every resource and verb added later (CRDs included)."
        }
        RiskKind::Escalate => {
            "escalate lets one write roles with permissions one does not hold: a path to cluster-admin."
        }
        RiskKind::Bind => {
            "bind lets one bind roles with permissions one does not hold: a path to cluster-admin."
        }
        RiskKind::Impersonate => {
            "impersonate lets one act as other users, groups or ServiceAccounts, with their rights."
        }
        RiskKind::NodesProxy => {
            "nodes/proxy reaches the kubelet API, which can exec into any pod on the node."
        }
        RiskKind::ServiceAccountToken => {
            "Creating ServiceAccount tokens lets one act as those ServiceAccounts."
        }
    }
}

/// Collects the risky grants of a matrix: one finding per (scope, risk, resource), and one per
/// wildcard rule.
pub fn findings(m: &AccessMatrix) -> Vec<RiskFinding> {
    let mut out: Vec<RiskFinding> = Vec::new();
    for s in &m.scopes {
        let mut grouped: BTreeMap<(RiskKind, usize), Vec<String>> = BTreeMap::new();
        let mut wildcard_rules: Vec<PolicyRule> = Vec::new();
        for row in &s.rows {
            for c in &row.cells {
                if !matches!(c.state, CellState::Allowed | CellState::NamedOnly) || !c.applicable {
                    continue;
                }
                for k in &c.risks {
                    if *k == RiskKind::Wildcard {
                        if let Some(rule) = &c.rule
                            && !wildcard_rules.contains(rule)
                        {
                            wildcard_rules.push(rule.clone());
                        }
                        continue;
                    }
                    grouped
                        .entry((*k, row.resource))
                        .or_default()
                        .push(c.verb.clone());
                }
            }
        }
        for ((kind, i), verbs) in grouped {
            out.push(RiskFinding {
                kind,
                scope: s.scope.clone(),
                resource: m.resources[i].key.clone(),
                verbs,
                message: risk_message(kind).into(),
            });
        }
        for rule in wildcard_rules {
            out.push(RiskFinding {
                kind: RiskKind::Wildcard,
                scope: s.scope.clone(),
                resource: rule.describe(),
                verbs: rule.verbs.clone(),
                message: risk_message(RiskKind::Wildcard).into(),
            });
        }
    }
    if m.superuser {
        out.insert(
            0,
            RiskFinding {
                kind: RiskKind::Wildcard,
                scope: MatrixScope::Cluster,
                resource: "*".into(),
                verbs: vec!["*".into()],
                message: format!(
                    "Member of {SUPERUSER_GROUP}: allowed everything, with no binding that could be removed."
                ),
            },
        );
    }
    out
}

pub(crate) async fn list_namespaces(cc: &ContextClient) -> Result<Vec<String>, CoreError> {
    let api: Api<Namespace> = Api::all(cc.client.clone());
    let list = api
        .list_metadata(&ListParams::default())
        .await
        .map_err(|e| CoreError::cluster(ClusterError::Kube(e), &cc.target))?;
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    names.sort();
    Ok(names)
}

/// Computes the caller's access matrix (see the module documentation for the method).
pub async fn matrix(cc: &ContextClient, req: &MatrixRequest) -> Result<AccessMatrix, CoreError> {
    let start = Instant::now();
    let mut notes = Vec::new();
    let verbs: Vec<String> = if req.verbs.is_empty() {
        MATRIX_VERBS.iter().map(|s| s.to_string()).collect()
    } else {
        req.verbs.clone()
    };

    // Discovery and "who am I" run while the namespaces are listed and the rules reviewed.
    let discovery = async {
        let t = Instant::now();
        let c = ApiCatalog::load(cc).await;
        (c, t.elapsed())
    };
    let identity = super::whoami::self_review_user(cc);
    let reviews = async {
        let mut namespaces = req.namespaces.clone();
        let mut note = None;
        if req.all_namespaces {
            match list_namespaces(cc).await {
                Ok(all) => {
                    for n in all {
                        if !namespaces.contains(&n) {
                            namespaces.push(n);
                        }
                    }
                }
                Err(e) => {
                    note = Some(format!(
                        "The namespaces could not be listed ({e}); only the ones asked for are shown."
                    ))
                }
            }
        }
        let mut scopes: Vec<MatrixScope> = namespaces
            .into_iter()
            .map(|name| MatrixScope::Namespace { name })
            .collect();
        if req.cluster || req.non_resource_urls {
            scopes.push(MatrixScope::Cluster);
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, s) in scopes.iter().enumerate() {
            let cc = cc.clone();
            let ns = s.namespace().unwrap_or(CLUSTER_SCOPE_NAMESPACE).to_string();
            set.spawn(async move { (i, review::rules(&cc, &ns).await) });
        }
        let mut results: Vec<Option<Result<RulesReview, CoreError>>> =
            (0..scopes.len()).map(|_| None).collect();
        while let Some(joined) = set.join_next().await {
            if let Ok((i, r)) = joined {
                results[i] = Some(r);
            }
        }
        (scopes, results, note)
    };
    let ((catalog, discovery_time), user, (scopes, results, ns_note)) =
        tokio::join!(discovery, identity, reviews);
    let catalog = catalog?;
    notes.extend(ns_note);
    let (subject, superuser) = match user {
        Some((name, groups)) => {
            let su = groups.iter().any(|g| g == SUPERUSER_GROUP);
            (Some(name), su)
        }
        None => (None, false),
    };
    if superuser {
        notes.push(format!(
            "You are in {SUPERUSER_GROUP}: every request is allowed before RBAC runs; rules reviews do not show this."
        ));
    }
    let resources = resources_from_catalog(&catalog, req.subresources);
    let rules_reviews = scopes.len();
    let mut scope_access = Vec::new();
    let mut cluster_review = None;
    for (scope, result) in scopes.into_iter().zip(results) {
        let review = match result {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                notes.push(format!(
                    "The rules review for {} failed ({e}); its cells are unknown and were asked one by one.",
                    scope.label()
                ));
                RulesReview {
                    namespace: scope.namespace().unwrap_or_default().to_string(),
                    incomplete: true,
                    evaluation_error: e.to_string(),
                    ..Default::default()
                }
            }
            None => RulesReview {
                incomplete: true,
                ..Default::default()
            },
        };
        if review.incomplete {
            notes.push(format!(
                "The rules review for {} is incomplete{}: cells it does not allow were confirmed with access reviews.",
                scope.label(),
                if review.evaluation_error.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", review.evaluation_error)
                }
            ));
        }
        if scope == MatrixScope::Cluster {
            cluster_review = Some(review.clone());
            if !req.cluster {
                continue;
            }
        }
        scope_access.push(scope_from_rules(
            &resources,
            &verbs,
            &scope,
            &review,
            superuser,
            CellSource::RulesReview,
        ));
    }
    let non_resource = match (&cluster_review, req.non_resource_urls) {
        (Some(r), true) => non_resource_from_rules(r, superuser, CellSource::RulesReview),
        _ => Vec::new(),
    };
    let mut m = AccessMatrix {
        subject,
        superuser,
        verbs,
        resources,
        scopes: scope_access,
        non_resource,
        risks: Vec::new(),
        notes,
        stats: MatrixStats {
            rules_reviews,
            discovery_ms: u64::try_from(discovery_time.as_millis()).unwrap_or(u64::MAX),
            ..Default::default()
        },
    };
    confirm_unknown(cc, &mut m, req.max_concurrent_reviews.max(1)).await;
    m.risks = findings(&m);
    m.stats.cells = m
        .scopes
        .iter()
        .map(|s| s.rows.len() * m.verbs.len())
        .sum::<usize>()
        + m.non_resource.len() * NON_RESOURCE_VERBS.len();
    m.stats.elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(m)
}

/// Sends one access review per unknown, applicable cell (at most `limit` in flight) and fills in
/// the answers ([`CellSource::AccessReview`]). [`matrix`] calls it for incomplete rules reviews.
pub async fn confirm_unknown(cc: &ContextClient, m: &mut AccessMatrix, limit: usize) {
    // (scope index or usize::MAX for non-resource, row, cell) → action
    let mut pending: Vec<((usize, usize, usize), Action)> = Vec::new();
    for (si, s) in m.scopes.iter().enumerate() {
        for (ri, row) in s.rows.iter().enumerate() {
            let r = &m.resources[row.resource];
            for (ci, c) in row.cells.iter().enumerate() {
                if c.state == CellState::Unknown && c.applicable {
                    let mut a = Action::resource(&c.verb, &r.group, &r.resource)
                        .with_subresource(&r.subresource);
                    a.namespace = s.scope.namespace().unwrap_or_default().to_string();
                    pending.push(((si, ri, ci), a));
                }
            }
        }
    }
    for (ri, row) in m.non_resource.iter().enumerate() {
        for (ci, c) in row.cells.iter().enumerate() {
            if c.state == CellState::Unknown {
                pending.push((
                    (usize::MAX, ri, ci),
                    Action::non_resource(&c.verb, &row.path),
                ));
            }
        }
    }
    if pending.is_empty() {
        return;
    }
    let semaphore = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut set = tokio::task::JoinSet::new();
    for (at, action) in pending {
        let cc = cc.clone();
        let sem = semaphore.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            (at, review::can_i(&cc, &action).await)
        });
    }
    let mut sent = 0;
    while let Some(joined) = set.join_next().await {
        let Ok(((si, ri, ci), result)) = joined else {
            continue;
        };
        sent += 1;
        let cell = if si == usize::MAX {
            &mut m.non_resource[ri].cells[ci]
        } else {
            &mut m.scopes[si].rows[ri].cells[ci]
        };
        match result {
            Ok(r) => {
                cell.state = match (r.allowed, cell.names.is_empty()) {
                    (true, _) => CellState::Allowed,
                    // Denied for any name, still allowed for the names the rules list.
                    (false, false) => CellState::NamedOnly,
                    (false, true) => CellState::Denied,
                };
                cell.source = CellSource::AccessReview;
                let detail = [r.reason, r.evaluation_error]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" - ");
                cell.detail = (!detail.is_empty()).then_some(detail);
            }
            Err(e) => {
                cell.source = CellSource::None;
                cell.detail = Some(e.to_string());
            }
        }
    }
    m.stats.access_reviews += sent;
}

/// Another subject's matrix from the RBAC objects (no request to the server): the same cells a
/// rules review would give, labelled [`CellSource::LocalRbac`].
pub fn local_matrix(
    snapshot: &RbacSnapshot,
    user: &str,
    groups: &[String],
    resources: Vec<MatrixResource>,
    scopes: &[MatrixScope],
    verbs: &[String],
) -> AccessMatrix {
    let start = Instant::now();
    let verbs: Vec<String> = if verbs.is_empty() {
        MATRIX_VERBS.iter().map(|s| s.to_string()).collect()
    } else {
        verbs.to_vec()
    };
    let superuser = groups.iter().any(|g| g == SUPERUSER_GROUP);
    let scope_access: Vec<ScopeAccess> = scopes
        .iter()
        .map(|s| {
            let rules = snapshot.rules_for(user, groups, s.namespace().unwrap_or_default());
            scope_from_rules(
                &resources,
                &verbs,
                s,
                &rules,
                superuser,
                CellSource::LocalRbac,
            )
        })
        .collect();
    let cluster = snapshot.rules_for(user, groups, "");
    let mut m = AccessMatrix {
        subject: Some(user.to_string()),
        superuser,
        verbs,
        resources,
        scopes: scope_access,
        non_resource: non_resource_from_rules(&cluster, superuser, CellSource::LocalRbac),
        risks: Vec::new(),
        notes: vec!["Evaluated locally from the RBAC objects Loupe could read (RBAC only: webhooks are not seen).".into()],
        stats: MatrixStats::default(),
    };
    m.risks = findings(&m);
    m.stats.cells = m
        .scopes
        .iter()
        .map(|s| s.rows.len() * m.verbs.len())
        .sum::<usize>()
        + m.non_resource.len() * NON_RESOURCE_VERBS.len();
    m.stats.elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    m
}

// ---------------------------------------------------------------------------------------------
// Export

/// A cell as one word: `yes`, `no`, `names:a|b`, `unknown`, `n/a`.
pub fn cell_text(c: &Cell) -> String {
    if !c.applicable {
        return "n/a".into();
    }
    match c.state {
        CellState::Allowed => "yes".into(),
        CellState::Denied => "no".into(),
        CellState::NamedOnly => format!("names:{}", c.names.join("|")),
        CellState::Unknown => "unknown".into(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A serde unit variant's wire name (`secretsRead`), for text output.
pub fn enum_word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The matrix as CSV, one line per cell (easy to filter and pivot):
/// `scope,resource,apiGroup,subresource,namespaced,custom,verb,access,source,risks,rule`.
/// Non-resource URLs come last with scope `(cluster)` and the path as resource.
pub fn to_csv(m: &AccessMatrix) -> String {
    let mut out = String::from(
        "scope,resource,apiGroup,subresource,namespaced,custom,verb,access,source,risks,rule\n",
    );
    let mut line = |fields: Vec<String>| {
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    };
    let risks = |c: &Cell| c.risks.iter().map(enum_word).collect::<Vec<_>>().join("|");
    for s in &m.scopes {
        for row in &s.rows {
            let r = &m.resources[row.resource];
            for c in &row.cells {
                line(vec![
                    s.scope.label().to_string(),
                    r.resource.clone(),
                    r.group.clone(),
                    r.subresource.clone(),
                    r.namespaced.to_string(),
                    r.custom.to_string(),
                    c.verb.clone(),
                    cell_text(c),
                    enum_word(&c.source),
                    risks(c),
                    c.rule
                        .as_ref()
                        .map(PolicyRule::describe)
                        .unwrap_or_default(),
                ]);
            }
        }
    }
    for row in &m.non_resource {
        for c in &row.cells {
            line(vec![
                MatrixScope::Cluster.label().to_string(),
                row.path.clone(),
                String::new(),
                String::new(),
                "false".into(),
                "false".into(),
                c.verb.clone(),
                cell_text(c),
                enum_word(&c.source),
                risks(c),
                c.rule
                    .as_ref()
                    .map(PolicyRule::describe)
                    .unwrap_or_default(),
            ]);
        }
    }
    out
}

/// The matrix as pretty JSON (the model's camelCase wire format).
pub fn to_json(m: &AccessMatrix) -> String {
    serde_json::to_string_pretty(m).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::super::resolve::ApiResourceInfo;
    use super::*;

    fn info(
        group: &str,
        resource: &str,
        ns: bool,
        verbs: &[&str],
        subs: &[(&str, &[&str])],
    ) -> ApiResourceInfo {
        ApiResourceInfo {
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            singular: String::new(),
            short_names: Vec::new(),
            kind: String::new(),
            namespaced: ns,
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            subresources: subs
                .iter()
                .map(|(n, v)| (n.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    const CRUD: &[&str] = &[
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];

    fn resources() -> Vec<MatrixResource> {
        let c = ApiCatalog::from_resources(vec![
            info(
                "",
                "pods",
                true,
                CRUD,
                &[("log", &["get"]), ("exec", &["create", "get"])],
            ),
            info("", "secrets", true, CRUD, &[]),
            info("", "nodes", false, CRUD, &[("proxy", &["create", "get"])]),
            info("", "serviceaccounts", true, CRUD, &[("token", &["create"])]),
            info(
                "apps",
                "deployments",
                true,
                CRUD,
                &[("scale", &["get", "patch", "update"])],
            ),
            info("rbac.authorization.k8s.io", "roles", true, CRUD, &[]),
            info("demo.loupe.dev", "widgets", true, CRUD, &[]),
        ]);
        resources_from_catalog(&c, true)
    }

    fn rule(verbs: &[&str], groups: &[&str], res: &[&str], names: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        PolicyRule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(res),
            resource_names: v(names),
            non_resource_urls: Vec::new(),
        }
    }

    fn verbs() -> Vec<String> {
        MATRIX_VERBS.iter().map(|s| s.to_string()).collect()
    }

    fn cell<'a>(s: &'a ScopeAccess, rs: &[MatrixResource], key: &str, verb: &str) -> &'a Cell {
        let row = s
            .rows
            .iter()
            .find(|r| rs[r.resource].key == key)
            .unwrap_or_else(|| panic!("no row {key}"));
        row.cells.iter().find(|c| c.verb == verb).unwrap()
    }

    #[test]
    fn rows_cover_subresources_crds_and_special_verbs() {
        let rs = resources();
        let keys: Vec<&str> = rs.iter().map(|r| r.key.as_str()).collect();
        for k in [
            "pods/log",
            "pods/exec",
            "serviceaccounts/token",
            "nodes/proxy",
            "widgets.demo.loupe.dev",
            "users",
            "groups",
            "uids.authentication.k8s.io",
        ] {
            assert!(keys.contains(&k), "{k} in {keys:?}");
        }
        let roles = rs
            .iter()
            .find(|r| r.key == "roles.rbac.authorization.k8s.io")
            .unwrap();
        assert!(
            roles.verbs.contains(&"escalate".to_string())
                && roles.verbs.contains(&"bind".to_string())
        );
        assert!(
            rs.iter()
                .find(|r| r.key == "widgets.demo.loupe.dev")
                .unwrap()
                .custom
        );
        assert!(
            !rs.iter()
                .find(|r| r.key == "deployments.apps")
                .unwrap()
                .custom
        );
    }

    #[test]
    fn cells_follow_the_rules_with_names_and_risks() {
        let rs = resources();
        let review = RulesReview {
            namespace: "team-a".into(),
            resource_rules: vec![
                rule(
                    &["get", "list", "watch"],
                    &[""],
                    &["pods", "pods/log", "secrets"],
                    &[],
                ),
                rule(&["create"], &[""], &["pods/exec"], &[]),
                rule(&["get"], &[""], &["serviceaccounts"], &["ci-bot"]),
                rule(&["get"], &["apps"], &["*/scale"], &[]),
            ],
            ..Default::default()
        };
        let scope = MatrixScope::Namespace {
            name: "team-a".into(),
        };
        let s = scope_from_rules(
            &rs,
            &verbs(),
            &scope,
            &review,
            false,
            CellSource::RulesReview,
        );
        // Only namespaced rows in a namespace.
        assert!(s.rows.iter().all(|r| rs[r.resource].namespaced));
        assert_eq!(cell(&s, &rs, "pods", "list").state, CellState::Allowed);
        assert_eq!(cell(&s, &rs, "pods", "delete").state, CellState::Denied);
        assert_eq!(cell(&s, &rs, "pods/log", "get").state, CellState::Allowed);
        assert!(!cell(&s, &rs, "pods/log", "list").applicable);
        let exec = cell(&s, &rs, "pods/exec", "create");
        assert_eq!(
            (exec.state, exec.risks.as_slice()),
            (CellState::Allowed, [RiskKind::PodExec].as_slice())
        );
        assert_eq!(
            cell(&s, &rs, "secrets", "get").risks,
            [RiskKind::SecretsRead]
        );
        let sa = cell(&s, &rs, "serviceaccounts", "get");
        assert_eq!(
            (sa.state, sa.names.as_slice()),
            (CellState::NamedOnly, ["ci-bot".to_string()].as_slice())
        );
        assert_eq!(
            cell(&s, &rs, "deployments.apps/scale", "get").state,
            CellState::Allowed
        );
        assert_eq!(
            cell(&s, &rs, "deployments.apps", "get").state,
            CellState::Denied
        );
        assert_eq!(
            cell(&s, &rs, "serviceaccounts", "impersonate").state,
            CellState::Denied
        );
    }

    #[test]
    fn the_order_of_the_reviews_rules_does_not_change_the_matrix() {
        // The API server lists rules in no fixed order; two rules allow `get pods` here.
        let rules = vec![
            rule(&["get", "list"], &[""], &["pods", "services"], &[]),
            rule(&["get"], &[""], &["pods"], &[]),
            rule(&["get"], &[""], &["secrets"], &["b", "a"]),
            rule(&["get"], &[""], &["secrets"], &["c"]),
        ];
        let mut reversed = rules.clone();
        reversed.reverse();
        let scope = |rules: Vec<PolicyRule>| {
            let review = RulesReview {
                resource_rules: rules,
                ..Default::default()
            };
            scope_from_rules(
                &resources(),
                &verbs(),
                &MatrixScope::Namespace { name: "a".into() },
                &review,
                false,
                CellSource::RulesReview,
            )
        };
        let (one, two) = (scope(rules), scope(reversed));
        assert_eq!(one, two);
        let rs = resources();
        assert_eq!(
            cell(&one, &rs, "secrets", "get").state,
            CellState::NamedOnly
        );
        assert!(cell(&one, &rs, "pods", "get").rule.is_some());
    }

    #[test]
    fn incomplete_reviews_leave_unknown_cells_and_superusers_get_everything() {
        let rs = resources();
        let review = RulesReview {
            resource_rules: vec![rule(&["get"], &[""], &["pods"], &[])],
            incomplete: true,
            evaluation_error: "webhook authorizer does not support user rule resolution".into(),
            ..Default::default()
        };
        let s = scope_from_rules(
            &rs,
            &verbs(),
            &MatrixScope::Cluster,
            &review,
            false,
            CellSource::RulesReview,
        );
        assert!(s.incomplete);
        assert_eq!(cell(&s, &rs, "pods", "get").state, CellState::Allowed);
        assert_eq!(cell(&s, &rs, "pods", "list").state, CellState::Unknown);
        // Cluster scope: cluster-scoped rows too.
        assert_eq!(
            cell(&s, &rs, "nodes/proxy", "get").state,
            CellState::Unknown
        );
        let s = scope_from_rules(
            &rs,
            &verbs(),
            &MatrixScope::Cluster,
            &RulesReview::default(),
            true,
            CellSource::RulesReview,
        );
        let c = cell(&s, &rs, "nodes/proxy", "create");
        assert_eq!(
            (c.state, c.source),
            (CellState::Allowed, CellSource::Superuser)
        );
        assert_eq!(c.risks, [RiskKind::NodesProxy]);
        let nr = non_resource_from_rules(&review, false, CellSource::RulesReview);
        assert_eq!(nr[0].path, "/healthz");
        assert_eq!(nr[0].cells[0].state, CellState::Unknown);
    }

    #[test]
    fn findings_and_exports() {
        let rs = resources();
        let review = RulesReview {
            resource_rules: vec![rule(&["*"], &["*"], &["*"], &[])],
            non_resource_rules: vec![PolicyRule {
                verbs: vec!["get".into()],
                non_resource_urls: vec!["/healthz".into(), "/api/*".into()],
                ..Default::default()
            }],
            ..Default::default()
        };
        let scope = MatrixScope::Namespace { name: "a".into() };
        let mut m = AccessMatrix {
            subject: Some("u".into()),
            superuser: false,
            verbs: verbs(),
            scopes: vec![scope_from_rules(
                &rs,
                &verbs(),
                &scope,
                &review,
                false,
                CellSource::RulesReview,
            )],
            resources: rs,
            non_resource: non_resource_from_rules(&review, false, CellSource::RulesReview),
            risks: Vec::new(),
            notes: Vec::new(),
            stats: MatrixStats::default(),
        };
        m.risks = findings(&m);
        let kinds: Vec<RiskKind> = m.risks.iter().map(|f| f.kind).collect();
        for k in [
            RiskKind::SecretsRead,
            RiskKind::PodExec,
            RiskKind::ServiceAccountToken,
            RiskKind::Escalate,
            RiskKind::Bind,
            RiskKind::Impersonate,
            RiskKind::Wildcard,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
        assert_eq!(
            kinds.iter().filter(|k| **k == RiskKind::Wildcard).count(),
            1
        );
        assert!(m.non_resource.iter().any(|r| r.path == "/api/*"));
        let csv = to_csv(&m);
        assert!(csv.starts_with(
            "scope,resource,apiGroup,subresource,namespaced,custom,verb,access,source,risks,rule\n"
        ));
        assert!(
            csv.contains(
                "\na,secrets,,,true,false,get,yes,rulesReview,secretsRead|wildcard,* (*) [*]\n"
            ),
            "{csv}"
        );
        assert!(
            csv.contains(
                "\n(cluster),/healthz,,,false,false,get,yes,rulesReview,,/healthz, /api/* [get]\n"
            ) || csv.contains("\"/healthz, /api/* [get]\""),
            "{csv}"
        );
        let json = to_json(&m);
        let back: AccessMatrix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn local_matrix_uses_the_snapshot() {
        let snap = RbacSnapshot::from_manifests(
            r#"
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: r}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: b, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, name: alice}]
"#,
        )
        .unwrap();
        let scopes = [
            MatrixScope::Namespace { name: "a".into() },
            MatrixScope::Namespace { name: "b".into() },
            MatrixScope::Cluster,
        ];
        let m = local_matrix(
            &snap,
            "alice",
            &["system:authenticated".into()],
            resources(),
            &scopes,
            &[],
        );
        let rs = &m.resources;
        assert_eq!(
            cell(&m.scopes[0], rs, "pods", "list").state,
            CellState::Allowed
        );
        assert_eq!(
            cell(&m.scopes[0], rs, "pods", "list").source,
            CellSource::LocalRbac
        );
        assert_eq!(
            cell(&m.scopes[1], rs, "pods", "list").state,
            CellState::Denied
        );
        assert_eq!(
            cell(&m.scopes[2], rs, "pods", "list").state,
            CellState::Denied
        );
    }
}
