//! Access reviews: "may I?" (SelfSubjectAccessReview), "may they?" (SubjectAccessReview) and
//! "what may I?" (SelfSubjectRulesReview), plus `kubectl auth can-i`'s argument handling and
//! output, reproduced exactly.

use super::resolve::ApiCatalog;
use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};
use crate::table::tabwrite;
use k8s_openapi::api::authorization::v1::{
    NonResourceAttributes, ResourceAttributes, SelfSubjectAccessReview,
    SelfSubjectAccessReviewSpec, SelfSubjectRulesReview, SelfSubjectRulesReviewSpec,
    SubjectAccessReview, SubjectAccessReviewSpec, SubjectAccessReviewStatus,
};
use kube::api::{Api, PostParams};
use loupe_model::rbac::{AccessReview, Action, Attributes, PolicyRule, ReviewKind, RulesReview};

/// The namespace Loupe sends in a SelfSubjectRulesReview to get the cluster-wide rules. The API
/// requires a namespace; this one can never exist (`:` is not allowed in namespace names), so no
/// RoleBinding contributes and only ClusterRoleBindings remain: exactly the rules the authorizer
/// uses for cluster-scoped and all-namespaces requests.
pub const CLUSTER_SCOPE_NAMESPACE: &str = "loupe:cluster-scope";

/// Verbs kubectl knows for resource requests (`cani.go`); others get a warning.
const KNOWN_RESOURCE_VERBS: [&str; 16] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// Verbs kubectl knows for non-resource URLs.
const KNOWN_NON_RESOURCE_VERBS: [&str; 8] = [
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

fn kube_err(cc: &ContextClient) -> impl Fn(kube::Error) -> CoreError + '_ {
    |e| CoreError::cluster(ClusterError::Kube(e), &cc.target)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn resource_attributes(a: &Action) -> ResourceAttributes {
    ResourceAttributes {
        namespace: opt(&a.namespace),
        verb: opt(&a.verb),
        group: opt(&a.api_group),
        resource: opt(&a.resource),
        subresource: opt(&a.subresource),
        name: opt(&a.name),
        ..Default::default()
    }
}

fn review_of(
    action: &Action,
    kind: ReviewKind,
    status: Option<SubjectAccessReviewStatus>,
) -> AccessReview {
    let s = status.unwrap_or_default();
    AccessReview {
        action: action.clone(),
        allowed: s.allowed,
        denied: s.denied.unwrap_or(false),
        reason: s.reason.unwrap_or_default(),
        evaluation_error: s.evaluation_error.unwrap_or_default(),
        kind,
    }
}

/// Asks the API server whether the caller may do `action` (the full authorizer chain:
/// superuser group, RBAC, webhooks, ...). One SelfSubjectAccessReview.
pub async fn can_i(cc: &ContextClient, action: &Action) -> Result<AccessReview, CoreError> {
    let spec = match &action.non_resource_url {
        Some(path) => SelfSubjectAccessReviewSpec {
            non_resource_attributes: Some(NonResourceAttributes {
                path: Some(path.clone()),
                verb: opt(&action.verb),
            }),
            ..Default::default()
        },
        None => SelfSubjectAccessReviewSpec {
            resource_attributes: Some(resource_attributes(action)),
            ..Default::default()
        },
    };
    let review = SelfSubjectAccessReview {
        spec,
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(cc.client.clone());
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(kube_err(cc))?;
    Ok(review_of(
        action,
        ReviewKind::SelfSubjectAccessReview,
        answer.status,
    ))
}

/// Asks the API server whether a user with groups may do an action (SubjectAccessReview; the
/// caller needs `create subjectaccessreviews`). The server does not look groups up: they must
/// be given.
pub async fn subject_access_review(
    cc: &ContextClient,
    attributes: &Attributes,
) -> Result<AccessReview, CoreError> {
    let a = &attributes.action;
    let mut spec = SubjectAccessReviewSpec {
        user: opt(&attributes.user),
        groups: Some(attributes.groups.clone()),
        ..Default::default()
    };
    match &a.non_resource_url {
        Some(path) => {
            spec.non_resource_attributes = Some(NonResourceAttributes {
                path: Some(path.clone()),
                verb: opt(&a.verb),
            });
        }
        None => spec.resource_attributes = Some(resource_attributes(a)),
    }
    let review = SubjectAccessReview {
        spec,
        ..Default::default()
    };
    let api: Api<SubjectAccessReview> = Api::all(cc.client.clone());
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(kube_err(cc))?;
    Ok(review_of(a, ReviewKind::SubjectAccessReview, answer.status))
}

/// The rules the caller has in `namespace` (one SelfSubjectRulesReview): ClusterRoleBindings
/// plus the namespace's RoleBindings. The namespace is required by the API.
pub async fn rules(cc: &ContextClient, namespace: &str) -> Result<RulesReview, CoreError> {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(namespace.to_string()),
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectRulesReview> = Api::all(cc.client.clone());
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .map_err(kube_err(cc))?;
    let status = answer.status.unwrap_or_default();
    Ok(RulesReview {
        namespace: namespace.to_string(),
        resource_rules: status
            .resource_rules
            .into_iter()
            .map(|r| PolicyRule {
                verbs: r.verbs,
                api_groups: r.api_groups.unwrap_or_default(),
                resources: r.resources.unwrap_or_default(),
                resource_names: r.resource_names.unwrap_or_default(),
                non_resource_urls: Vec::new(),
            })
            .collect(),
        non_resource_rules: status
            .non_resource_rules
            .into_iter()
            .map(|r| PolicyRule {
                verbs: r.verbs,
                non_resource_urls: r.non_resource_urls.unwrap_or_default(),
                ..Default::default()
            })
            .collect(),
        incomplete: status.incomplete,
        evaluation_error: status.evaluation_error.unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------------
// kubectl auth can-i

/// The arguments of `kubectl auth can-i VERB TYPE[/NAME]|URL`, plus Loupe's optional third
/// argument: `VERB RESOURCE[/SUBRESOURCE] NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanIArgs {
    /// The verb.
    pub verb: String,
    /// `TYPE`, `TYPE/NAME` or `/non-resource-url` (kubectl's second argument).
    pub target: String,
    /// Loupe's third argument: the object name; `target` is then `RESOURCE[/SUBRESOURCE]`.
    pub name: Option<String>,
    /// `--subresource`.
    pub subresource: Option<String>,
    /// The namespace; `None` for `--all-namespaces`.
    pub namespace: Option<String>,
}

/// What `can-i` will ask, and kubectl's warnings about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanIPlan {
    /// The attributes sent.
    pub action: Action,
    /// Warnings in kubectl's order and wording, without the `Warning: ` prefix.
    pub warnings: Vec<String>,
}

/// Resolves `can-i`'s arguments as kubectl does: TYPE through the RESTMapper (short names,
/// groups), warnings for unknown types, cluster-scoped types checked in a namespace, and unknown
/// verbs. Errors carry kubectl's messages.
pub fn plan_can_i(catalog: &ApiCatalog, args: &CanIArgs) -> Result<CanIPlan, CoreError> {
    let mut warnings = Vec::new();
    let verb = args.verb.clone();
    let namespace = args.namespace.clone().unwrap_or_default();
    let all_namespaces = args.namespace.is_none();
    if args.target.starts_with('/') {
        if args.subresource.as_deref().is_some_and(|s| !s.is_empty()) {
            return Err(CoreError::InvalidArgument(
                "--subresource can not be used with NonResourceURL".into(),
            ));
        }
        if args.name.is_some() {
            return Err(CoreError::InvalidArgument(
                "NonResourceURL and ResourceName can not specified together".into(),
            ));
        }
        if !KNOWN_NON_RESOURCE_VERBS.contains(&verb.as_str()) {
            warnings.push(format!("verb '{verb}' is not a known verb"));
        }
        return Ok(CanIPlan {
            action: Action::non_resource(&verb, &args.target),
            warnings,
        });
    }
    let (type_arg, name, mut subresource) = match &args.name {
        // kubectl: TYPE/NAME.
        None => {
            let (t, n) = args
                .target
                .split_once('/')
                .unwrap_or((args.target.as_str(), ""));
            (t.to_string(), n.to_string(), String::new())
        }
        // Loupe: RESOURCE[/SUBRESOURCE] NAME.
        Some(n) => {
            let (t, s) = args
                .target
                .split_once('/')
                .unwrap_or((args.target.as_str(), ""));
            (t.to_string(), n.clone(), s.to_string())
        }
    };
    if let Some(s) = args.subresource.as_deref().filter(|s| !s.is_empty()) {
        if !subresource.is_empty() && subresource != s {
            return Err(CoreError::InvalidArgument(format!(
                "the subresource is given twice: {subresource:?} in {:?} and --subresource {s:?}",
                args.target
            )));
        }
        subresource = s.to_string();
    }
    let (resolved, warning) = catalog.resolve_type(&type_arg);
    warnings.extend(warning);
    if !all_namespaces {
        if catalog.is_namespaced(&resolved) == Some(false) {
            warnings.push(if resolved.group.is_empty() {
                format!("resource '{}' is not namespace scoped", resolved.resource)
            } else {
                format!(
                    "resource '{}' is not namespace scoped in group '{}'",
                    resolved.resource, resolved.group
                )
            });
        }
        if !KNOWN_RESOURCE_VERBS.contains(&verb.as_str()) {
            warnings.push(format!("verb '{verb}' is not a known verb"));
        }
    }
    let action = Action {
        verb,
        api_group: resolved.group,
        resource: resolved.resource,
        subresource,
        name,
        namespace,
        non_resource_url: None,
    };
    Ok(CanIPlan { action, warnings })
}

/// Resolves `VERB RESOURCE[/SUBRESOURCE] [NAME]` (or `VERB /URL`) for Loupe's own commands
/// (`why`, `who-can`): unlike `can-i`'s `TYPE/NAME`, the part after the slash is a subresource.
/// A cluster-scoped resource is looked at cluster-wide whatever the namespace (the namespace
/// would make RoleBindings count, which the real request ignores); the plan's warnings say so.
pub fn plan_action(
    catalog: &ApiCatalog,
    verb: &str,
    target: &str,
    name: Option<&str>,
    subresource: Option<&str>,
    namespace: Option<&str>,
) -> Result<CanIPlan, CoreError> {
    let url = target.starts_with('/');
    let mut plan = plan_can_i(
        catalog,
        &CanIArgs {
            verb: verb.to_string(),
            target: target.to_string(),
            name: (!url).then(|| name.unwrap_or_default().to_string()),
            subresource: subresource.map(str::to_string),
            namespace: namespace.map(str::to_string),
        },
    )?;
    if url && name.is_some() {
        return Err(CoreError::InvalidArgument(
            "NonResourceURL and ResourceName can not specified together".into(),
        ));
    }
    let scoped = format!(
        "resource '{}' is not namespace scoped",
        plan.action.resource
    );
    if let Some(i) = plan.warnings.iter().position(|w| w.starts_with(&scoped)) {
        plan.warnings[i] = format!(
            "{} is cluster-scoped: checked cluster-wide, where only ClusterRoleBindings count",
            plan.action.resource
        );
        plan.action.namespace.clear();
    }
    Ok(plan)
}

/// `kubectl auth can-i`'s answer line: `yes`, `no`, `no - REASON`, `no - REASON - ERROR`.
pub fn format_answer(review: &AccessReview) -> String {
    if review.allowed {
        return "yes\n".into();
    }
    let mut s = String::from("no");
    if !review.reason.is_empty() {
        s.push_str(" - ");
        s.push_str(&review.reason);
    }
    if !review.evaluation_error.is_empty() {
        s.push_str(" - ");
        s.push_str(&review.evaluation_error);
    }
    s.push('\n');
    s
}

/// A warning line as kubectl's warning printer writes it. `can-i`'s own warnings end in a
/// newline of their own, so kubectl leaves an empty line after them: `blank_line` reproduces it.
pub fn format_warning(message: &str, blank_line: bool) -> String {
    if blank_line {
        format!("Warning: {message}\n\n")
    } else {
        format!("Warning: {message}\n")
    }
}

/// Go's `%v` of a `[]string`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The generated `PolicyRule.String()` kubectl sorts `--list` rows by.
fn go_rule_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        go_list(&r.api_groups),
        go_list(&r.resources),
        go_list(&r.resource_names),
        go_list(&r.non_resource_urls)
    )
}

/// `rbacutil.BreakdownRule`: one rule per group × resource × verb (× name), and per URL × verb.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for g in &rule.api_groups {
        for r in &rule.resources {
            for v in &rule.verbs {
                let one = |names: Vec<String>| PolicyRule {
                    verbs: vec![v.clone()],
                    api_groups: vec![g.clone()],
                    resources: vec![r.clone()],
                    resource_names: names,
                    non_resource_urls: Vec::new(),
                };
                if rule.resource_names.is_empty() {
                    out.push(one(Vec::new()));
                } else {
                    for n in &rule.resource_names {
                        out.push(one(vec![n.clone()]));
                    }
                }
            }
        }
    }
    for u in &rule.non_resource_urls {
        for v in &rule.verbs {
            out.push(PolicyRule {
                verbs: vec![v.clone()],
                non_resource_urls: vec![u.clone()],
                ..Default::default()
            });
        }
    }
    out
}

/// `rbacutil.CompactRules`: rules with one group, one resource and at most one name that differ
/// only in verbs are merged (verbs appended in order, duplicates kept).
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1
            && rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1;
        if !is_simple {
            out.push(rule);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups
                && s.resources == rule.resources
                && s.resource_names == rule.resource_names
        }) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    out.extend(simple);
    out
}

/// `describe.CombineResourceGroup`: `deployments.apps/scale`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (base, sub) = match first.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (first.as_str(), None),
    };
    let mut s = base.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        s.push('.');
        s.push_str(g);
    }
    if let Some(sub) = sub {
        s.push('/');
        s.push_str(sub);
    }
    s
}

/// The rules of a review broken down, merged and sorted as `kubectl auth can-i --list` does,
/// as (resources, non-resource URLs, resource names, verbs) rows.
pub fn list_rows(review: &RulesReview) -> Vec<[String; 4]> {
    let mut broken = Vec::new();
    for r in review
        .resource_rules
        .iter()
        .chain(review.non_resource_rules.iter())
    {
        broken.extend(breakdown(r));
    }
    let mut rules = compact(broken);
    rules.sort_by_cached_key(go_rule_string);
    rules
        .iter()
        .map(|r| {
            [
                combine_resource_group(&r.resources, &r.api_groups),
                go_list(&r.non_resource_urls),
                go_list(&r.resource_names),
                go_list(&r.verbs),
            ]
        })
        .collect()
}

/// `kubectl auth can-i --list` output (stdout), byte for byte. The incomplete warning goes to
/// stderr: see [`format_warning`].
pub fn format_rules_list(review: &RulesReview, headers: bool) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if headers {
        rows.push(
            ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]
                .map(str::to_string)
                .to_vec(),
        );
    }
    rows.extend(list_rows(review).into_iter().map(Vec::from));
    tabwrite(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        PolicyRule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            resource_names: v(names),
            non_resource_urls: Vec::new(),
        }
    }

    fn url(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            non_resource_urls: urls.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn list_matches_kubectl_for_the_auditor() {
        // kubectl v1.32 `auth can-i --list` as sandbox-auditor in team-a (first rows).
        let review = RulesReview {
            namespace: "team-a".into(),
            resource_rules: vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &[],
                ),
                rule(
                    &["create"],
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                    &[],
                ),
                rule(
                    &["get", "list", "watch"],
                    &[""],
                    &["pods", "pods/log", "events", "namespaces", "nodes"],
                    &[],
                ),
                rule(&["get"], &[""], &["configmaps"], &["app-settings"]),
            ],
            non_resource_rules: vec![
                url(&["get"], &["/healthz", "/version"]),
                url(&["get"], &["/healthz"]),
            ],
            incomplete: false,
            evaluation_error: String::new(),
        };
        let expected = "\
Resources                                       Non-Resource URLs   Resource Names   Verbs
selfsubjectreviews.authentication.k8s.io        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
events                                          []                  []               [get list watch]
namespaces                                      []                  []               [get list watch]
nodes                                           []                  []               [get list watch]
pods/log                                        []                  []               [get list watch]
pods                                            []                  []               [get list watch]
                                                [/healthz]          []               [get]
                                                [/healthz]          []               [get]
                                                [/version]          []               [get]
configmaps                                      []                  [app-settings]   [get]
";
        assert_eq!(format_rules_list(&review, true), expected);
    }

    #[test]
    fn verbs_of_one_resource_merge_in_order() {
        let review = RulesReview {
            resource_rules: vec![
                rule(&["get"], &["apps"], &["deployments"], &[]),
                rule(&["create", "get"], &["apps"], &["deployments"], &[]),
                rule(&["*"], &["*"], &["*"], &[]),
            ],
            ..Default::default()
        };
        let rows = list_rows(&review);
        assert_eq!(rows[0][0], "*.*");
        assert_eq!(rows[1][0], "deployments.apps");
        assert_eq!(rows[1][3], "[get create get]");
    }

    #[test]
    fn answers_and_warnings_are_kubectls() {
        let mut r = AccessReview {
            action: Action::default(),
            allowed: true,
            denied: false,
            reason: String::new(),
            evaluation_error: String::new(),
            kind: ReviewKind::SelfSubjectAccessReview,
        };
        assert_eq!(format_answer(&r), "yes\n");
        r.allowed = false;
        assert_eq!(format_answer(&r), "no\n");
        r.reason = "RBAC: x".into();
        r.evaluation_error = "e".into();
        assert_eq!(format_answer(&r), "no - RBAC: x - e\n");
        assert_eq!(format_warning("w", true), "Warning: w\n\n");
    }

    fn args(verb: &str, target: &str, ns: Option<&str>) -> CanIArgs {
        CanIArgs {
            verb: verb.into(),
            target: target.into(),
            namespace: ns.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn plans_like_kubectl() {
        let c = super::super::resolve::tests_support::catalog();
        let p = plan_can_i(&c, &args("get", "deploy/web", Some("team-a"))).unwrap();
        assert_eq!(
            p.action,
            Action::resource("get", "apps", "deployments")
                .named("web")
                .in_namespace("team-a")
        );
        assert!(p.warnings.is_empty());
        // kubectl's TYPE/NAME: pods/log is the pod named "log".
        let p = plan_can_i(&c, &args("get", "pods/log", Some("x"))).unwrap();
        assert_eq!(
            (p.action.name.as_str(), p.action.subresource.as_str()),
            ("log", "")
        );
        let p = plan_can_i(&c, &args("list", "nodes", Some("default"))).unwrap();
        assert_eq!(p.warnings, ["resource 'nodes' is not namespace scoped"]);
        let p = plan_can_i(&c, &args("list", "nodes", None)).unwrap();
        assert!(p.warnings.is_empty());
        let p = plan_can_i(&c, &args("frob", "foos", Some("a"))).unwrap();
        assert_eq!(
            p.warnings,
            [
                "the server doesn't have a resource type 'foos'",
                "verb 'frob' is not a known verb"
            ]
        );
        // -A skips the scope and verb checks, as kubectl does.
        let p = plan_can_i(&c, &args("frob", "pods", None)).unwrap();
        assert!(p.warnings.is_empty());
        let p = plan_can_i(&c, &args("frob", "/healthz", Some("a"))).unwrap();
        assert_eq!(p.action, Action::non_resource("frob", "/healthz"));
        assert_eq!(p.warnings, ["verb 'frob' is not a known verb"]);
        let mut a = args("get", "/logs", Some("a"));
        a.subresource = Some("log".into());
        assert_eq!(
            plan_can_i(&c, &a).unwrap_err().to_string(),
            "--subresource can not be used with NonResourceURL"
        );
        // Loupe's three-argument form: RESOURCE/SUBRESOURCE NAME.
        let mut a = args("get", "pods/log", Some("team-a"));
        a.name = Some("web-1".into());
        let p = plan_can_i(&c, &a).unwrap();
        assert_eq!(
            p.action,
            Action::resource("get", "", "pods")
                .with_subresource("log")
                .named("web-1")
                .in_namespace("team-a")
        );
    }
}
