//! Local RBAC evaluation with the API server's exact semantics.
//!
//! The rules are those of `plugin/pkg/auth/authorizer/rbac` and `pkg/registry/rbac/validation`
//! (reference rbac.md §2–§5):
//!
//! - every ClusterRoleBinding is visited, then, for a namespaced request, the RoleBindings of
//!   that namespace; a binding applies through its first matching subject (User by name, Group
//!   by membership, ServiceAccount by `system:serviceaccount:NS:NAME`, the namespace defaulting
//!   to the RoleBinding's);
//! - a RoleBinding's Role lives in the binding's namespace; a ClusterRole referenced by a
//!   RoleBinding grants its rules in that namespace only;
//! - a rule matches on verb (`*`), API group (`*`), resource (`*` covers subresources,
//!   `*/scale` any `scale` subresource, `pods` does not cover `pods/log`), resourceNames (empty =
//!   all; a request without a name never matches a named rule), or non-resource URL (exact, `*`,
//!   or a prefix for rules ending in `*`);
//! - a missing role is an evaluation error, not a denial; RBAC never denies, it has no opinion;
//! - aggregated ClusterRoles are read as stored (the controller-manager fills `.rules`);
//! - `system:masters` is allowed before RBAC runs, without any binding.
//!
//! [`RbacSnapshot`] holds the objects; its methods are pure and answer "why" ([`RbacSnapshot::why`]),
//! "who can" ([`RbacSnapshot::who_can`]) and "which rules" ([`RbacSnapshot::rules_for`]).

use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};
use crate::kubeconfig::go_quote;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1 as rbac;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ListParams};
use loupe_model::rbac::{
    Action, Attributes, BindingKind, BindingRef, BindingSummary, Decision, DecisionVia, GrantChain,
    GraphEdge, GraphNode, GraphNodeKind, Mismatch, NearMiss, PolicyRule, RbacCoverage, RbacGraph,
    RbacOverview, ReadState, RoleKind, RoleRef, RoleSummary, RulesReview, SUPERUSER_GROUP,
    ServiceAccountSummary, SubjectKind, SubjectMatch, SubjectRef, SuggestedGrant, WhoCan,
    WhoCanSubject,
};
use std::collections::BTreeMap;

/// The label Kubernetes puts on its default roles.
const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");

/// The user-facing default ClusterRoles, least powerful first.
pub const BUILTIN_ROLES: [&str; 4] = ["view", "edit", "admin", "cluster-admin"];

/// Near misses reported at most per decision.
const MAX_NEAR_MISSES: usize = 20;

// ---------------------------------------------------------------------------------------------
// Rule matching (pkg/apis/rbac/v1/evaluation_helpers.go)

/// `VerbMatches`.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `APIGroupMatches`.
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `ResourceMatches`: `*` covers everything including subresources; `*/sub` covers the `sub`
/// subresource of any resource.
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// `ResourceNameMatches`: no names means all; otherwise the request's name must be listed (so a
/// request without a name, such as list or create, never matches a named rule).
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `NonResourceURLMatches`: exact, `*`, or a prefix for rules ending in `*`.
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// `RuleAllows`: whether one rule allows an action.
pub fn rule_allows(rule: &PolicyRule, action: &Action) -> bool {
    match &action.non_resource_url {
        Some(path) => verb_matches(rule, &action.verb) && non_resource_url_matches(rule, path),
        None => {
            verb_matches(rule, &action.verb)
                && api_group_matches(rule, &action.api_group)
                && resource_matches(rule, &action.combined_resource(), &action.subresource)
                && resource_name_matches(rule, &action.name)
        }
    }
}

/// What a rule lacks to allow an action (empty = it allows it).
pub fn mismatches(rule: &PolicyRule, action: &Action) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if !verb_matches(rule, &action.verb) {
        out.push(Mismatch::Verb);
    }
    match &action.non_resource_url {
        Some(path) => {
            if !non_resource_url_matches(rule, path) {
                out.push(Mismatch::NonResourceUrl);
            }
        }
        None => {
            if !api_group_matches(rule, &action.api_group) {
                out.push(Mismatch::ApiGroup);
            }
            if !resource_matches(rule, &action.combined_resource(), &action.subresource) {
                out.push(Mismatch::Resource);
            }
            if !resource_name_matches(rule, &action.name) {
                out.push(Mismatch::ResourceName {
                    allowed: rule.resource_names.clone(),
                });
            }
        }
    }
    out
}

/// Whether a rule is a resource rule (it has resources) and non-resource rule (URLs).
fn is_resource_rule(rule: &PolicyRule) -> bool {
    !rule.resources.is_empty()
}

/// The API server's 403 message for a request (`endpoints/handlers/responsewriters`): e.g.
/// `pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the
/// namespace "team-b"`.
pub fn forbidden_message(attributes: &Attributes) -> String {
    let a = &attributes.action;
    let user = go_quote(&attributes.user);
    if let Some(path) = &a.non_resource_url {
        return format!(
            "forbidden: User {user} cannot {} path {}",
            a.verb,
            go_quote(path)
        );
    }
    let combined = a.combined_resource();
    let msg = if a.namespace.is_empty() {
        format!(
            "User {user} cannot {} resource {} in API group {} at the cluster scope",
            a.verb,
            go_quote(&combined),
            go_quote(&a.api_group)
        )
    } else {
        format!(
            "User {user} cannot {} resource {} in API group {} in the namespace {}",
            a.verb,
            go_quote(&combined),
            go_quote(&a.api_group),
            go_quote(&a.namespace)
        )
    };
    let qualified = if a.api_group.is_empty() {
        a.resource.clone()
    } else {
        format!("{}.{}", a.resource, a.api_group)
    };
    if a.name.is_empty() {
        format!("{qualified} is forbidden: {msg}")
    } else {
        format!("{qualified} {} is forbidden: {msg}", go_quote(&a.name))
    }
}

// ---------------------------------------------------------------------------------------------
// The snapshot

#[derive(Debug, Clone)]
struct RoleData {
    kind: RoleKind,
    name: String,
    namespace: Option<String>,
    rules: Vec<PolicyRule>,
    labels: BTreeMap<String, String>,
    selectors: Vec<LabelSelector>,
    aggregated: bool,
}

impl RoleData {
    fn role_ref(&self) -> RoleRef {
        RoleRef {
            kind: self.kind,
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            aggregated: self.aggregated,
            bootstrap: self.labels.get(BOOTSTRAP_LABEL.0).map(String::as_str)
                == Some(BOOTSTRAP_LABEL.1),
        }
    }
}

#[derive(Debug, Clone)]
struct SubjectData {
    kind: String,
    name: String,
    namespace: Option<String>,
}

#[derive(Debug, Clone)]
struct BindingData {
    kind: BindingKind,
    name: String,
    namespace: Option<String>,
    role_kind: String,
    role_name: String,
    subjects: Vec<SubjectData>,
}

impl BindingData {
    fn binding_ref(&self) -> BindingRef {
        BindingRef {
            kind: self.kind,
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }

    /// The subject as a model type, the ServiceAccount namespace defaulted to a RoleBinding's.
    fn subject_ref(&self, s: &SubjectData) -> SubjectRef {
        let kind = match s.kind.as_str() {
            "User" => SubjectKind::User,
            "Group" => SubjectKind::Group,
            "ServiceAccount" => SubjectKind::ServiceAccount,
            _ => SubjectKind::Other,
        };
        let namespace = match kind {
            SubjectKind::ServiceAccount => s
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| self.namespace.clone()),
            _ => None,
        };
        SubjectRef {
            kind,
            name: s.name.clone(),
            namespace,
        }
    }

    /// The API server's allow reason (`clusterRoleBindingDescriber` / `roleBindingDescriber`).
    fn reason(&self, s: &SubjectData) -> String {
        let binding_ns = self.namespace.as_deref().unwrap_or_default();
        let subject = if s.kind == "ServiceAccount" {
            let ns = s
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            format!("{} {}", s.kind, go_quote(&format!("{}/{ns}", s.name)))
        } else {
            format!("{} {}", s.kind, go_quote(&s.name))
        };
        match self.kind {
            BindingKind::ClusterRoleBinding => format!(
                "RBAC: allowed by ClusterRoleBinding {} of {} {} to {subject}",
                go_quote(&self.name),
                self.role_kind,
                go_quote(&self.role_name)
            ),
            BindingKind::RoleBinding => format!(
                "RBAC: allowed by RoleBinding {} of {} {} to {subject}",
                go_quote(&format!("{}/{binding_ns}", self.name)),
                self.role_kind,
                go_quote(&self.role_name)
            ),
        }
    }
}

/// `appliesToUser`: how a subject matches a user (ServiceAccount namespace defaulting to the
/// namespace being evaluated, which for RoleBindings is the binding's).
fn subject_matches(
    s: &SubjectData,
    user: &str,
    groups: &[String],
    namespace: &str,
) -> Option<SubjectMatch> {
    match s.kind.as_str() {
        "User" => (user == s.name).then_some(SubjectMatch::UserName),
        "Group" => groups.contains(&s.name).then(|| SubjectMatch::Group {
            group: s.name.clone(),
        }),
        "ServiceAccount" => {
            let ns = s
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .unwrap_or(namespace);
            (!ns.is_empty() && user == format!("system:serviceaccount:{ns}:{}", s.name))
                .then_some(SubjectMatch::ServiceAccount)
        }
        _ => None,
    }
}

/// `appliesTo`: the first subject of a binding that matches. ClusterRoleBindings are matched
/// with no namespace (a ServiceAccount subject there must name its namespace), RoleBindings with
/// their own.
fn applies_to<'a>(
    b: &'a BindingData,
    user: &str,
    groups: &[String],
) -> Option<(&'a SubjectData, SubjectMatch)> {
    let namespace = b.namespace.as_deref().unwrap_or_default();
    b.subjects
        .iter()
        .find_map(|s| subject_matches(s, user, groups, namespace).map(|m| (s, m)))
}

/// A label selector (`matchLabels` and `matchExpressions`) against labels.
fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_ok = sel
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let exprs_ok = sel.match_expressions.iter().flatten().all(|e| {
        let values = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| values.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !values.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

fn rule_from(r: &rbac::PolicyRule) -> PolicyRule {
    PolicyRule {
        verbs: r.verbs.clone(),
        api_groups: r.api_groups.clone().unwrap_or_default(),
        resources: r.resources.clone().unwrap_or_default(),
        resource_names: r.resource_names.clone().unwrap_or_default(),
        non_resource_urls: r.non_resource_urls.clone().unwrap_or_default(),
    }
}

fn subjects_from(s: Option<&Vec<rbac::Subject>>) -> Vec<SubjectData> {
    s.into_iter()
        .flatten()
        .map(|s| SubjectData {
            kind: s.kind.clone(),
            name: s.name.clone(),
            namespace: s.namespace.clone(),
        })
        .collect()
}

/// Every RBAC object of a cluster (as far as the caller could read them), evaluated locally.
#[derive(Debug, Clone)]
pub struct RbacSnapshot {
    cluster_roles: BTreeMap<String, RoleData>,
    roles: BTreeMap<(String, String), RoleData>,
    cluster_role_bindings: Vec<BindingData>,
    role_bindings: BTreeMap<String, Vec<BindingData>>,
    service_accounts: Vec<(String, String)>,
    coverage: RbacCoverage,
}

/// The objects an [`RbacSnapshot`] is built from.
#[derive(Debug, Clone, Default)]
pub struct RbacObjects {
    /// ClusterRoles.
    pub cluster_roles: Vec<rbac::ClusterRole>,
    /// Roles.
    pub roles: Vec<rbac::Role>,
    /// ClusterRoleBindings.
    pub cluster_role_bindings: Vec<rbac::ClusterRoleBinding>,
    /// RoleBindings.
    pub role_bindings: Vec<rbac::RoleBinding>,
    /// ServiceAccounts.
    pub service_accounts: Vec<ServiceAccount>,
}

async fn list_all<K>(cc: &ContextClient) -> Result<(Vec<K>, ReadState), CoreError>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let api: Api<K> = Api::all(cc.client.clone());
    match api.list(&ListParams::default()).await {
        Ok(list) => Ok((list.items, ReadState::All)),
        Err(kube::Error::Api(s)) if s.code == 403 => {
            Ok((Vec::new(), ReadState::Forbidden { message: s.message }))
        }
        Err(kube::Error::Api(s)) => Ok((Vec::new(), ReadState::Failed { message: s.message })),
        Err(e) => Err(CoreError::cluster(ClusterError::Kube(e), &cc.target)),
    }
}

impl RbacSnapshot {
    /// Lists ClusterRoles, ClusterRoleBindings, Roles, RoleBindings and ServiceAccounts of every
    /// namespace, in parallel. Kinds the caller may not list are recorded in
    /// [`RbacSnapshot::coverage`] (answers then carry a caveat); only a failing connection is an
    /// error.
    pub async fn load(cc: &ContextClient) -> Result<Self, CoreError> {
        let (crs, crbs, roles, rbs, sas) = tokio::join!(
            list_all::<rbac::ClusterRole>(cc),
            list_all::<rbac::ClusterRoleBinding>(cc),
            list_all::<rbac::Role>(cc),
            list_all::<rbac::RoleBinding>(cc),
            list_all::<ServiceAccount>(cc),
        );
        let (crs, crs_state) = crs?;
        let (crbs, crbs_state) = crbs?;
        let (roles, roles_state) = roles?;
        let (rbs, rbs_state) = rbs?;
        let (sas, sas_state) = sas?;
        let mut snap = Self::from_objects(RbacObjects {
            cluster_roles: crs,
            roles,
            cluster_role_bindings: crbs,
            role_bindings: rbs,
            service_accounts: sas,
        });
        snap.coverage = RbacCoverage {
            cluster_roles: crs_state,
            cluster_role_bindings: crbs_state,
            roles: roles_state,
            role_bindings: rbs_state,
            service_accounts: sas_state,
        };
        Ok(snap)
    }

    /// A snapshot of objects obtained elsewhere (coverage: offline, i.e. complete).
    pub fn from_objects(objects: RbacObjects) -> Self {
        let mut cluster_roles = BTreeMap::new();
        for cr in objects.cluster_roles {
            let name = cr.metadata.name.clone().unwrap_or_default();
            let selectors = cr
                .aggregation_rule
                .as_ref()
                .and_then(|a| a.cluster_role_selectors.clone())
                .unwrap_or_default();
            cluster_roles.insert(
                name.clone(),
                RoleData {
                    kind: RoleKind::ClusterRole,
                    name,
                    namespace: None,
                    rules: cr.rules.iter().flatten().map(rule_from).collect(),
                    labels: cr.metadata.labels.clone().unwrap_or_default(),
                    aggregated: cr.aggregation_rule.is_some(),
                    selectors,
                },
            );
        }
        let mut roles = BTreeMap::new();
        for r in objects.roles {
            let name = r.metadata.name.clone().unwrap_or_default();
            let ns = r.metadata.namespace.clone().unwrap_or_default();
            roles.insert(
                (ns.clone(), name.clone()),
                RoleData {
                    kind: RoleKind::Role,
                    name,
                    namespace: Some(ns),
                    rules: r.rules.iter().flatten().map(rule_from).collect(),
                    labels: r.metadata.labels.clone().unwrap_or_default(),
                    selectors: Vec::new(),
                    aggregated: false,
                },
            );
        }
        let mut cluster_role_bindings: Vec<BindingData> = objects
            .cluster_role_bindings
            .iter()
            .map(|b| BindingData {
                kind: BindingKind::ClusterRoleBinding,
                name: b.metadata.name.clone().unwrap_or_default(),
                namespace: None,
                role_kind: b.role_ref.kind.clone(),
                role_name: b.role_ref.name.clone(),
                subjects: subjects_from(b.subjects.as_ref()),
            })
            .collect();
        cluster_role_bindings.sort_by(|a, b| a.name.cmp(&b.name));
        let mut role_bindings: BTreeMap<String, Vec<BindingData>> = BTreeMap::new();
        for b in &objects.role_bindings {
            let ns = b.metadata.namespace.clone().unwrap_or_default();
            role_bindings
                .entry(ns.clone())
                .or_default()
                .push(BindingData {
                    kind: BindingKind::RoleBinding,
                    name: b.metadata.name.clone().unwrap_or_default(),
                    namespace: Some(ns),
                    role_kind: b.role_ref.kind.clone(),
                    role_name: b.role_ref.name.clone(),
                    subjects: subjects_from(b.subjects.as_ref()),
                });
        }
        for list in role_bindings.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let mut service_accounts: Vec<(String, String)> = objects
            .service_accounts
            .iter()
            .map(|s| {
                (
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default(),
                )
            })
            .collect();
        service_accounts.sort();
        Self {
            cluster_roles,
            roles,
            cluster_role_bindings,
            role_bindings,
            service_accounts,
            coverage: RbacCoverage {
                cluster_roles: ReadState::Offline,
                cluster_role_bindings: ReadState::Offline,
                roles: ReadState::Offline,
                role_bindings: ReadState::Offline,
                service_accounts: ReadState::Offline,
            },
        }
    }

    /// A snapshot of YAML or JSON manifests (several documents, `List`s allowed); objects of
    /// other kinds are ignored. For offline analysis, follow with
    /// [`RbacSnapshot::with_computed_aggregation`].
    pub fn from_manifests(text: &str) -> Result<Self, String> {
        let docs: Vec<serde_json::Value> =
            serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?;
        let mut objects = RbacObjects::default();
        let mut queue: Vec<serde_json::Value> = docs;
        while let Some(doc) = queue.pop() {
            let kind = doc["kind"].as_str().unwrap_or_default().to_string();
            let parse_err = |e: serde_json::Error| format!("{kind}: {e}");
            match kind.as_str() {
                "List" => {
                    if let Some(items) = doc["items"].as_array() {
                        queue.extend(items.iter().rev().cloned());
                    }
                }
                "ClusterRole" => objects
                    .cluster_roles
                    .push(serde_json::from_value(doc).map_err(parse_err)?),
                "Role" => objects
                    .roles
                    .push(serde_json::from_value(doc).map_err(parse_err)?),
                "ClusterRoleBinding" => objects
                    .cluster_role_bindings
                    .push(serde_json::from_value(doc).map_err(parse_err)?),
                "RoleBinding" => objects
                    .role_bindings
                    .push(serde_json::from_value(doc).map_err(parse_err)?),
                "ServiceAccount" => objects
                    .service_accounts
                    .push(serde_json::from_value(doc).map_err(parse_err)?),
                _ => {}
            }
        }
        Ok(Self::from_objects(objects))
    }

    /// Fills the rules of aggregated ClusterRoles as the controller-manager does (the union of
    /// the rules of every ClusterRole its selectors match, visited by name, itself skipped,
    /// duplicates dropped). Needed for manifests and clusters without a controller-manager.
    #[must_use]
    pub fn with_computed_aggregation(mut self) -> Self {
        // Aggregated roles can select aggregated roles (edit is aggregated into admin): repeat
        // until nothing changes.
        for _ in 0..8 {
            let mut changed = false;
            let names: Vec<String> = self
                .cluster_roles
                .values()
                .filter(|r| r.aggregated)
                .map(|r| r.name.clone())
                .collect();
            for name in names {
                let rules = self.aggregate_rules(&name);
                if let Some(r) = self.cluster_roles.get_mut(&name)
                    && r.rules != rules
                {
                    r.rules = rules;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self
    }

    fn aggregate_rules(&self, name: &str) -> Vec<PolicyRule> {
        let mut rules: Vec<PolicyRule> = Vec::new();
        for source in self.aggregation_sources(name) {
            if let Some(r) = self.cluster_roles.get(&source) {
                for rule in &r.rules {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                    }
                }
            }
        }
        rules
    }

    /// The ClusterRoles an aggregated ClusterRole selects, by name.
    fn aggregation_sources(&self, name: &str) -> Vec<String> {
        let Some(role) = self.cluster_roles.get(name) else {
            return Vec::new();
        };
        self.cluster_roles
            .values()
            .filter(|c| c.name != name)
            .filter(|c| {
                role.selectors
                    .iter()
                    .any(|s| selector_matches(s, &c.labels))
            })
            .map(|c| c.name.clone())
            .collect()
    }

    /// What could be read.
    pub fn coverage(&self) -> &RbacCoverage {
        &self.coverage
    }

    /// Sets the coverage (for snapshots assembled from partial reads).
    pub fn set_coverage(&mut self, coverage: RbacCoverage) {
        self.coverage = coverage;
    }

    fn covers_cluster_roles(&self) -> bool {
        self.coverage.cluster_roles.complete()
    }

    fn covers_roles_in(&self, ns: &str) -> bool {
        match &self.coverage.roles {
            ReadState::Namespaces { namespaces } => namespaces.iter().any(|n| n == ns),
            s => s.complete(),
        }
    }

    /// `GetRoleReferenceRules`: the role a binding references, or the API server's error text.
    /// `Ok(None)` when the role may exist but could not be read.
    fn resolve_role(&self, b: &BindingData) -> Result<Option<&RoleData>, String> {
        match b.role_kind.as_str() {
            "ClusterRole" => match self.cluster_roles.get(&b.role_name) {
                Some(r) => Ok(Some(r)),
                None if !self.covers_cluster_roles() => Ok(None),
                None => Err(format!(
                    "clusterrole.rbac.authorization.k8s.io {} not found",
                    go_quote(&b.role_name)
                )),
            },
            "Role" => {
                let ns = b.namespace.clone().unwrap_or_default();
                match self.roles.get(&(ns.clone(), b.role_name.clone())) {
                    Some(r) => Ok(Some(r)),
                    None if !ns.is_empty() && !self.covers_roles_in(&ns) => Ok(None),
                    None => Err(format!(
                        "role.rbac.authorization.k8s.io {} not found",
                        go_quote(&b.role_name)
                    )),
                }
            }
            other => Err(format!(
                "unsupported role reference kind: {}",
                go_quote(other)
            )),
        }
    }

    /// The bindings the authorizer visits for a namespace: all ClusterRoleBindings, then the
    /// namespace's RoleBindings.
    fn bindings_for(&self, namespace: &str) -> impl Iterator<Item = &BindingData> {
        let rbs: &[BindingData] = if namespace.is_empty() {
            &[]
        } else {
            self.role_bindings
                .get(namespace)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        self.cluster_role_bindings.iter().chain(rbs.iter())
    }

    fn chain(
        &self,
        b: &BindingData,
        s: &SubjectData,
        matched_by: Option<SubjectMatch>,
        role: &RoleData,
        index: usize,
    ) -> GrantChain {
        let rule = role.rules[index].clone();
        let aggregated_from = if role.aggregated {
            self.aggregation_sources(&role.name)
                .into_iter()
                .filter(|src| {
                    self.cluster_roles
                        .get(src)
                        .is_some_and(|r| r.rules.contains(&rule))
                })
                .collect()
        } else {
            Vec::new()
        };
        GrantChain {
            subject: b.subject_ref(s),
            matched_by,
            binding: b.binding_ref(),
            role: role.role_ref(),
            rule,
            rule_index: index,
            aggregated_from,
            reason: b.reason(s),
        }
    }

    /// Explains whether a user with groups may do an action, as the API server's authorizers
    /// (superuser group, then RBAC) would decide: every granting chain, or why nothing grants it
    /// and which default role would.
    pub fn why(&self, attributes: &Attributes) -> Decision {
        let a = &attributes.action;
        let user = attributes.user.as_str();
        let groups = attributes.groups.as_slice();
        let mut grants = Vec::new();
        let mut errors = Vec::new();
        let mut near = Vec::new();
        for b in self.bindings_for(&a.namespace) {
            let Some((s, m)) = applies_to(b, user, groups) else {
                continue;
            };
            let role = match self.resolve_role(b) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            for (i, rule) in role.rules.iter().enumerate() {
                let miss = mismatches(rule, a);
                if miss.is_empty() {
                    grants.push(self.chain(b, s, Some(m.clone()), role, i));
                } else if miss.len() == 1 && near.len() < MAX_NEAR_MISSES {
                    near.push(NearMiss {
                        chain: self.chain(b, s, Some(m.clone()), role, i),
                        mismatch: miss.into_iter().next().unwrap_or(Mismatch::Verb),
                    });
                }
            }
        }
        // Cluster-wide requests ignore RoleBindings; say so when one would have granted it.
        if a.namespace.is_empty() {
            for (ns, list) in &self.role_bindings {
                for b in list {
                    let Some((s, m)) = applies_to(b, user, groups) else {
                        continue;
                    };
                    let Ok(Some(role)) = self.resolve_role(b) else {
                        continue;
                    };
                    for (i, rule) in role.rules.iter().enumerate() {
                        if near.len() < MAX_NEAR_MISSES && mismatches(rule, a).is_empty() {
                            near.push(NearMiss {
                                chain: self.chain(b, s, Some(m.clone()), role, i),
                                mismatch: Mismatch::Scope {
                                    namespace: ns.clone(),
                                },
                            });
                        }
                    }
                }
            }
        }
        let superuser = groups.iter().any(|g| g == SUPERUSER_GROUP);
        let allowed = superuser || !grants.is_empty();
        let via = if superuser {
            DecisionVia::Superuser
        } else if allowed {
            DecisionVia::Rbac
        } else {
            DecisionVia::NoRule
        };
        let reason = if superuser {
            String::new()
        } else if let Some(g) = grants.first() {
            g.reason.clone()
        } else if errors.is_empty() {
            String::new()
        } else if errors.len() == 1 {
            format!("RBAC: {}", errors[0])
        } else {
            format!("RBAC: [{}]", errors.join(", "))
        };
        let who = if user.is_empty() { "the user" } else { user };
        let summary = match via {
            DecisionVia::Superuser => format!(
                "Allowed: {who} is in {SUPERUSER_GROUP}, which may do anything before RBAC runs (no binding needed)."
            ),
            DecisionVia::Rbac => {
                let g = &grants[0];
                let via_subject = match &g.matched_by {
                    Some(SubjectMatch::Group { group }) => {
                        format!(" (as a member of group {group})")
                    }
                    _ => String::new(),
                };
                format!(
                    "Allowed: {} {} binds {} {} to {}{via_subject}; its rule {} covers {}.{}",
                    kind_word(g.binding.kind),
                    qualified(&g.binding.name, g.binding.namespace.as_deref()),
                    role_word(g.role.kind),
                    qualified(&g.role.name, g.role.namespace.as_deref()),
                    g.subject.describe(),
                    g.rule.describe_for(a),
                    a.describe(),
                    if grants.len() > 1 {
                        format!(" {} more chain(s) grant it too.", grants.len() - 1)
                    } else {
                        String::new()
                    }
                )
            }
            DecisionVia::NoRule => format!(
                "Denied: no rule grants {} to {who}. RBAC never denies, it has no opinion, so the API server answers 403: {}",
                a.describe(),
                forbidden_message(attributes)
            ),
        };
        let would_grant = if allowed {
            Vec::new()
        } else {
            self.suggestions(attributes)
        };
        Decision {
            attributes: attributes.clone(),
            allowed,
            via,
            grants,
            reason,
            summary,
            would_grant,
            near_misses: if allowed { Vec::new() } else { near },
            errors,
            caveats: self.caveats(a),
        }
    }

    /// The default ClusterRoles (view, edit, admin, cluster-admin) that would grant a denied
    /// action, and the kubectl command binding the smallest scope that works.
    fn suggestions(&self, attributes: &Attributes) -> Vec<SuggestedGrant> {
        let a = &attributes.action;
        let namespaced = a.is_resource() && !a.namespace.is_empty();
        let (flag, short) = match attributes
            .user
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
        {
            Some((ns, name)) => (format!("--serviceaccount={ns}:{name}"), name.to_string()),
            None => (
                format!("--user={}", attributes.user),
                attributes.user.replace(':', "-"),
            ),
        };
        BUILTIN_ROLES
            .iter()
            .filter_map(|name| self.cluster_roles.get(*name))
            .filter(|r| r.rules.iter().any(|rule| rule_allows(rule, a)))
            .map(|r| {
                let binding = format!("{short}-{}", r.name);
                if namespaced {
                    SuggestedGrant {
                        role: r.name.clone(),
                        binding_kind: BindingKind::RoleBinding,
                        namespace: Some(a.namespace.clone()),
                        command: format!(
                            "kubectl create rolebinding {binding} --clusterrole={} {flag} -n {}",
                            r.name, a.namespace
                        ),
                    }
                } else {
                    SuggestedGrant {
                        role: r.name.clone(),
                        binding_kind: BindingKind::ClusterRoleBinding,
                        namespace: None,
                        command: format!(
                            "kubectl create clusterrolebinding {binding} --clusterrole={} {flag}",
                            r.name
                        ),
                    }
                }
            })
            .collect()
    }

    fn caveats(&self, a: &Action) -> Vec<String> {
        let mut out = Vec::new();
        let c = &self.coverage;
        let mut unread = |what: &str, s: &ReadState| match s {
            ReadState::Forbidden { .. } | ReadState::Failed { .. } => out.push(format!(
                "{what} could not be read: grants through them are invisible here."
            )),
            ReadState::Namespaces { namespaces } => out.push(format!(
                "{what} were read only in {}.",
                namespaces.join(", ")
            )),
            _ => {}
        };
        unread("ClusterRoles", &c.cluster_roles);
        unread("ClusterRoleBindings", &c.cluster_role_bindings);
        if !a.namespace.is_empty() {
            unread("Roles", &c.roles);
            unread("RoleBindings", &c.role_bindings);
        }
        out.push("Only RBAC is evaluated here: a webhook or Node authorizer can allow what RBAC does not (an access review asks all of them).".into());
        out
    }

    /// Every subject that bindings allow to do an action, with the granting chains; plus the
    /// superuser group, which needs no binding.
    pub fn who_can(&self, action: &Action) -> WhoCan {
        let mut by_subject: BTreeMap<SubjectRef, Vec<GrantChain>> = BTreeMap::new();
        let mut errors = Vec::new();
        let ns = if action.is_resource() {
            action.namespace.as_str()
        } else {
            ""
        };
        for b in self.bindings_for(ns) {
            let role = match self.resolve_role(b) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => {
                    errors.push(format!(
                        "{} {}: {e}",
                        kind_word(b.kind),
                        qualified(&b.name, b.namespace.as_deref())
                    ));
                    continue;
                }
            };
            for (i, rule) in role.rules.iter().enumerate() {
                if !rule_allows(rule, action) {
                    continue;
                }
                for s in &b.subjects {
                    let subject = b.subject_ref(s);
                    // A ServiceAccount subject without namespace in a ClusterRoleBinding never
                    // matches anyone.
                    if subject.kind == SubjectKind::Other
                        || (subject.kind == SubjectKind::ServiceAccount
                            && subject.namespace.is_none())
                    {
                        continue;
                    }
                    by_subject
                        .entry(subject)
                        .or_default()
                        .push(self.chain(b, s, None, role, i));
                }
            }
        }
        let mut subjects: Vec<WhoCanSubject> = by_subject
            .into_iter()
            .map(|(subject, grants)| WhoCanSubject {
                note: group_note(&subject),
                subject,
                grants,
            })
            .collect();
        subjects.sort_by(|a, b| {
            (a.subject.kind, &a.subject.namespace, &a.subject.name).cmp(&(
                b.subject.kind,
                &b.subject.namespace,
                &b.subject.name,
            ))
        });
        let mut caveats = self.caveats(action);
        caveats.push("Group members are known only to the authenticator (certificate O, token file, OIDC claims): no RBAC object lists them.".into());
        WhoCan {
            action: action.clone(),
            subjects,
            superuser_groups: vec![SUPERUSER_GROUP.to_string()],
            errors,
            caveats,
        }
    }

    /// The rules RBAC gives a user in a namespace: what a SelfSubjectRulesReview returns (for
    /// RBAC; the superuser group is not a rule resolver). An empty namespace gives the
    /// cluster-wide rules (ClusterRoleBindings only).
    pub fn rules_for(&self, user: &str, groups: &[String], namespace: &str) -> RulesReview {
        let mut review = RulesReview {
            namespace: namespace.to_string(),
            ..Default::default()
        };
        let mut errors = Vec::new();
        for b in self.bindings_for(namespace) {
            if applies_to(b, user, groups).is_none() {
                continue;
            }
            match self.resolve_role(b) {
                Ok(Some(role)) => {
                    for r in &role.rules {
                        if is_resource_rule(r) {
                            review.resource_rules.push(PolicyRule {
                                non_resource_urls: Vec::new(),
                                ..r.clone()
                            });
                        }
                        if !r.non_resource_urls.is_empty() {
                            review.non_resource_rules.push(PolicyRule {
                                verbs: r.verbs.clone(),
                                non_resource_urls: r.non_resource_urls.clone(),
                                ..Default::default()
                            });
                        }
                    }
                }
                Ok(None) => review.incomplete = true,
                Err(e) => errors.push(e),
            }
        }
        review.evaluation_error = match errors.len() {
            0 => String::new(),
            1 => errors.remove(0),
            _ => format!("[{}]", errors.join(", ")),
        };
        review
    }

    /// Namespaces that have RoleBindings.
    pub fn namespaces_with_bindings(&self) -> Vec<String> {
        self.role_bindings.keys().cloned().collect()
    }

    /// Every subject named by some binding (users, groups, ServiceAccounts), sorted.
    pub fn subjects(&self) -> Vec<SubjectRef> {
        let mut set = std::collections::BTreeSet::new();
        for b in self
            .cluster_role_bindings
            .iter()
            .chain(self.role_bindings.values().flatten())
        {
            for s in &b.subjects {
                set.insert(b.subject_ref(s));
            }
        }
        set.into_iter().collect()
    }

    /// The objects as lists for the Browse view.
    pub fn overview(&self) -> RbacOverview {
        let all_bindings: Vec<&BindingData> = self
            .cluster_role_bindings
            .iter()
            .chain(self.role_bindings.values().flatten())
            .collect();
        let bound_by = |r: &RoleData| -> Vec<BindingRef> {
            all_bindings
                .iter()
                .filter(|b| {
                    b.role_name == r.name
                        && match r.kind {
                            RoleKind::ClusterRole => b.role_kind == "ClusterRole",
                            RoleKind::Role => b.role_kind == "Role" && b.namespace == r.namespace,
                        }
                })
                .map(|b| b.binding_ref())
                .collect()
        };
        let summary = |r: &RoleData| RoleSummary {
            role: r.role_ref(),
            rules: r.rules.clone(),
            aggregation_selectors: r
                .selectors
                .iter()
                .map(crate::resources::selector_string)
                .collect(),
            aggregates: if r.aggregated {
                self.aggregation_sources(&r.name)
            } else {
                Vec::new()
            },
            bound_by: bound_by(r),
        };
        let binding = |b: &BindingData| {
            let resolved = self.resolve_role(b);
            BindingSummary {
                binding: b.binding_ref(),
                role: match &resolved {
                    Ok(Some(r)) => r.role_ref(),
                    _ => RoleRef {
                        kind: if b.role_kind == "Role" {
                            RoleKind::Role
                        } else {
                            RoleKind::ClusterRole
                        },
                        name: b.role_name.clone(),
                        namespace: (b.role_kind == "Role")
                            .then(|| b.namespace.clone())
                            .flatten(),
                        aggregated: false,
                        bootstrap: false,
                    },
                },
                role_exists: resolved.is_ok(),
                subjects: b.subjects.iter().map(|s| b.subject_ref(s)).collect(),
            }
        };
        RbacOverview {
            cluster_roles: self.cluster_roles.values().map(summary).collect(),
            roles: self.roles.values().map(summary).collect(),
            cluster_role_bindings: self.cluster_role_bindings.iter().map(binding).collect(),
            role_bindings: self.role_bindings.values().flatten().map(binding).collect(),
            service_accounts: self
                .service_accounts
                .iter()
                .map(|(ns, name)| {
                    let username = format!("system:serviceaccount:{ns}:{name}");
                    ServiceAccountSummary {
                        namespace: ns.clone(),
                        name: name.clone(),
                        bound_by: all_bindings
                            .iter()
                            .filter(|b| {
                                b.subjects.iter().any(|s| {
                                    let r = b.subject_ref(s);
                                    r.kind == SubjectKind::ServiceAccount
                                        && r.username() == username
                                })
                            })
                            .map(|b| b.binding_ref())
                            .collect(),
                        username,
                    }
                })
                .collect(),
            coverage: self.coverage.clone(),
        }
    }

    /// The subject → binding → role graph (plus aggregated role → source role edges).
    /// `namespace` limits RoleBindings and Roles to one namespace; `None` takes all.
    pub fn graph(&self, namespace: Option<&str>) -> RbacGraph {
        let mut g = RbacGraph::default();
        let mut ids = std::collections::HashSet::new();
        let mut node = |g: &mut RbacGraph, n: GraphNode| {
            if ids.insert(n.id.clone()) {
                g.nodes.push(n);
            }
        };
        let rbs = self
            .role_bindings
            .iter()
            .filter(|(ns, _)| namespace.is_none_or(|n| n == ns.as_str()))
            .flat_map(|(_, l)| l.iter());
        for b in self.cluster_role_bindings.iter().chain(rbs) {
            let (bkind, bid) = match b.kind {
                BindingKind::ClusterRoleBinding => (
                    GraphNodeKind::ClusterRoleBinding,
                    format!("ClusterRoleBinding:{}", b.name),
                ),
                BindingKind::RoleBinding => (
                    GraphNodeKind::RoleBinding,
                    format!(
                        "RoleBinding:{}/{}",
                        b.namespace.as_deref().unwrap_or_default(),
                        b.name
                    ),
                ),
            };
            node(
                &mut g,
                GraphNode {
                    id: bid.clone(),
                    kind: bkind,
                    label: b.name.clone(),
                    namespace: b.namespace.clone(),
                    missing: false,
                },
            );
            let (rkind, rid, rns) = if b.role_kind == "Role" {
                let ns = b.namespace.clone().unwrap_or_default();
                (
                    GraphNodeKind::Role,
                    format!("Role:{ns}/{}", b.role_name),
                    Some(ns),
                )
            } else {
                (
                    GraphNodeKind::ClusterRole,
                    format!("ClusterRole:{}", b.role_name),
                    None,
                )
            };
            node(
                &mut g,
                GraphNode {
                    id: rid.clone(),
                    kind: rkind,
                    label: b.role_name.clone(),
                    namespace: rns,
                    missing: self.resolve_role(b).is_err(),
                },
            );
            g.edges.push(GraphEdge {
                from: bid.clone(),
                to: rid,
                relation: "roleRef".into(),
            });
            for s in &b.subjects {
                let r = b.subject_ref(s);
                let (kind, id) = match r.kind {
                    SubjectKind::User => (GraphNodeKind::User, format!("User:{}", r.name)),
                    SubjectKind::Group => (GraphNodeKind::Group, format!("Group:{}", r.name)),
                    _ => (
                        GraphNodeKind::ServiceAccount,
                        format!(
                            "ServiceAccount:{}/{}",
                            r.namespace.as_deref().unwrap_or_default(),
                            r.name
                        ),
                    ),
                };
                node(
                    &mut g,
                    GraphNode {
                        id: id.clone(),
                        kind,
                        label: r.name.clone(),
                        namespace: r.namespace.clone(),
                        missing: false,
                    },
                );
                g.edges.push(GraphEdge {
                    from: id,
                    to: bid.clone(),
                    relation: "subject".into(),
                });
            }
        }
        let aggregated: Vec<&RoleData> = self
            .cluster_roles
            .values()
            .filter(|r| r.aggregated && ids_contains(&g, &format!("ClusterRole:{}", r.name)))
            .collect();
        for r in aggregated {
            for src in self.aggregation_sources(&r.name) {
                let id = format!("ClusterRole:{src}");
                node(
                    &mut g,
                    GraphNode {
                        id: id.clone(),
                        kind: GraphNodeKind::ClusterRole,
                        label: src.clone(),
                        namespace: None,
                        missing: false,
                    },
                );
                g.edges.push(GraphEdge {
                    from: format!("ClusterRole:{}", r.name),
                    to: id,
                    relation: "aggregates".into(),
                });
            }
        }
        g
    }
}

fn ids_contains(g: &RbacGraph, id: &str) -> bool {
    g.nodes.iter().any(|n| n.id == id)
}

fn kind_word(k: BindingKind) -> &'static str {
    match k {
        BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        BindingKind::RoleBinding => "RoleBinding",
    }
}

fn role_word(k: RoleKind) -> &'static str {
    match k {
        RoleKind::ClusterRole => "ClusterRole",
        RoleKind::Role => "Role",
    }
}

fn qualified(name: &str, ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// Who a well-known group contains.
fn group_note(s: &SubjectRef) -> Option<String> {
    match s.kind {
        SubjectKind::Group => Some(match s.name.as_str() {
            "system:authenticated" => "every authenticated user".to_string(),
            "system:unauthenticated" => "anonymous requests".to_string(),
            "system:serviceaccounts" => "every ServiceAccount".to_string(),
            "system:masters" => "superusers (allowed everything anyway)".to_string(),
            "system:nodes" => "kubelets (node credentials)".to_string(),
            n => match n.strip_prefix("system:serviceaccounts:") {
                Some(ns) => format!("every ServiceAccount in namespace {ns}"),
                None => return None,
            },
        }),
        SubjectKind::ServiceAccount => Some(s.username()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small world shaped like the sandbox, plus the corner cases.
    const WORLD: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- apiGroups: [""]
  resources: [pods, pods/log, configmaps, namespaces]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, deployments/scale]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:aggregate-to-view, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}
rules:
- apiGroups: [""]
  resources: [pods, pods/log, configmaps, namespaces]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, deployments/scale]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit}
rules:
- apiGroups: ["", apps]
  resources: [pods, pods/exec, configmaps, secrets, deployments]
  verbs: [get, list, watch, create, update, patch, delete, deletecollection]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: auditor}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list]}
- {apiGroups: [""], resources: [configmaps], resourceNames: [app-settings], verbs: [get, list, watch]}
- {apiGroups: [apps], resources: ["*/scale"], verbs: [get]}
- {nonResourceURLs: ["/logs/*", /metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auditors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: auditor}
subjects:
- {kind: Group, name: "loupe:auditors"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: root}
- {kind: ServiceAccount, name: nons}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dangling}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: does-not-exist}
subjects:
- {kind: Group, name: system:authenticated}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-view, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, name: viewer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: team-a}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [get, create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: ci-bot}
- {kind: Group, name: "system:serviceaccounts:team-b"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: ci-bot, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: system:serviceaccounts}
"#;

    fn world() -> RbacSnapshot {
        RbacSnapshot::from_manifests(WORLD).unwrap()
    }

    fn user(name: &str, groups: &[&str], action: Action) -> Attributes {
        let mut g: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
        g.push("system:authenticated".into());
        Attributes {
            user: name.into(),
            groups: g,
            action,
        }
    }

    fn sa(ns: &str, name: &str, action: Action) -> Attributes {
        Attributes {
            user: format!("system:serviceaccount:{ns}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                "system:authenticated".into(),
            ],
            action,
        }
    }

    fn pods(verb: &str) -> Action {
        Action::resource(verb, "", "pods")
    }

    #[test]
    fn rule_matching_follows_the_api_server() {
        let r = |res: &[&str]| PolicyRule {
            verbs: vec!["get".into()],
            api_groups: vec!["".into()],
            resources: res.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        // `*` covers subresources; `pods` does not cover `pods/log`.
        assert!(rule_allows(
            &r(&["*"]),
            &pods("get").with_subresource("log")
        ));
        assert!(!rule_allows(
            &r(&["pods"]),
            &pods("get").with_subresource("log")
        ));
        assert!(rule_allows(
            &r(&["pods/log"]),
            &pods("get").with_subresource("log")
        ));
        assert!(!rule_allows(&r(&["pods/log"]), &pods("get")));
        // `*/scale` covers any scale subresource, and nothing else.
        let scale = Action::resource("get", "", "replicationcontrollers").with_subresource("scale");
        assert!(rule_allows(&r(&["*/scale"]), &scale));
        assert!(!rule_allows(
            &r(&["*/scale"]),
            &Action::resource("get", "", "replicationcontrollers")
        ));
        assert!(!rule_allows(
            &r(&["*/scale"]),
            &pods("get").with_subresource("log")
        ));
        // API group and verb wildcards.
        let mut any = r(&["deployments"]);
        any.api_groups = vec!["*".into()];
        any.verbs = vec!["*".into()];
        assert!(rule_allows(
            &any,
            &Action::resource("patch", "apps", "deployments")
        ));
        assert!(!rule_allows(
            &r(&["deployments"]),
            &Action::resource("get", "apps", "deployments")
        ));
        // Names: a named rule never covers a request without a name (list, create).
        let mut named = r(&["configmaps"]);
        named.resource_names = vec!["a".into()];
        named.verbs = vec!["get".into(), "list".into(), "create".into()];
        let cm = |v: &str| Action::resource(v, "", "configmaps");
        assert!(rule_allows(&named, &cm("get").named("a")));
        assert!(!rule_allows(&named, &cm("get").named("b")));
        assert!(!rule_allows(&named, &cm("list")));
        assert!(rule_allows(&named, &cm("list").named("a"))); // fieldSelector metadata.name=a
        assert!(!rule_allows(&named, &cm("create")));
        // Non-resource URLs: exact, `*`, trailing-`*` prefix.
        let u = |urls: &[&str]| PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: urls.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert!(rule_allows(
            &u(&["/healthz"]),
            &Action::non_resource("get", "/healthz")
        ));
        assert!(!rule_allows(
            &u(&["/healthz"]),
            &Action::non_resource("get", "/healthz/etcd")
        ));
        assert!(rule_allows(
            &u(&["/healthz/*"]),
            &Action::non_resource("get", "/healthz/etcd")
        ));
        assert!(rule_allows(
            &u(&["/api*"]),
            &Action::non_resource("get", "/apis/apps")
        ));
        assert!(rule_allows(
            &u(&["*"]),
            &Action::non_resource("get", "/anything")
        ));
        assert!(!rule_allows(
            &u(&["/healthz"]),
            &Action::non_resource("post", "/healthz")
        ));
        // A resource rule never covers a non-resource request and vice versa.
        assert!(!rule_allows(
            &r(&["*"]),
            &Action::non_resource("get", "/healthz")
        ));
        assert!(!rule_allows(&u(&["*"]), &pods("get")));
    }

    #[test]
    fn rolebinding_to_clusterrole_grants_in_its_namespace_only() {
        let w = world();
        let d = w.why(&user("viewer", &[], pods("list").in_namespace("team-a")));
        assert!(d.allowed);
        assert_eq!(d.via, DecisionVia::Rbac);
        assert_eq!(
            d.reason,
            "RBAC: allowed by RoleBinding \"viewer-view/team-a\" of ClusterRole \"view\" to User \"viewer\""
        );
        let g = &d.grants[0];
        assert!(g.role.aggregated && g.role.bootstrap);
        assert_eq!(g.aggregated_from, ["system:aggregate-to-view"]);
        assert_eq!(g.matched_by, Some(SubjectMatch::UserName));
        // Not in team-b, and not cluster-wide (RoleBindings are ignored there) ...
        let d = w.why(&user("viewer", &[], pods("list").in_namespace("team-b")));
        assert!(!d.allowed);
        assert_eq!(d.via, DecisionVia::NoRule);
        // The dangling binding to system:authenticated shows up as the server's reason.
        assert_eq!(
            d.reason,
            "RBAC: clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found"
        );
        let d = w.why(&user("viewer", &[], pods("list")));
        assert!(!d.allowed);
        // ... and the explanation points at the RoleBinding that would grant it in team-a.
        assert!(d.near_misses.iter().any(|n| n.mismatch
            == Mismatch::Scope {
                namespace: "team-a".into()
            }));
        // A cluster-scoped resource through a RoleBinding: granted in the namespace (as an access
        // review with a namespace says), useless for the real cluster-scoped request.
        let ns = Action::resource("list", "", "namespaces");
        assert!(
            w.why(&user("viewer", &[], ns.clone().in_namespace("team-a")))
                .allowed
        );
        assert!(!w.why(&user("viewer", &[], ns)).allowed);
    }

    #[test]
    fn subresources_and_names() {
        let w = world();
        let v = |a: Action| {
            w.why(&user("viewer", &[], a.in_namespace("team-a")))
                .allowed
        };
        assert!(v(pods("get").with_subresource("log")));
        assert!(!v(pods("create").with_subresource("exec")));
        assert!(v(
            Action::resource("get", "apps", "deployments").with_subresource("scale")
        ));
        assert!(!v(
            Action::resource("update", "apps", "deployments").with_subresource("scale")
        ));
        let aud = |a: Action| w.why(&user("auditor", &["loupe:auditors"], a)).allowed;
        let cm = |verb: &str| Action::resource(verb, "", "configmaps").in_namespace("team-a");
        assert!(aud(cm("get").named("app-settings")));
        assert!(!aud(cm("get").named("other")));
        assert!(!aud(cm("list")));
        assert!(aud(cm("watch").named("app-settings")));
        // */scale in apps.
        assert!(aud(Action::resource("get", "apps", "statefulsets")
            .with_subresource("scale")
            .in_namespace("x")));
        assert!(!aud(Action::resource("get", "", "replicationcontrollers")
            .with_subresource("scale")
            .in_namespace("x")));
        // Non-resource URLs from a ClusterRoleBinding.
        assert!(aud(Action::non_resource("get", "/logs/kube-apiserver.log")));
        assert!(aud(Action::non_resource("get", "/metrics")));
        assert!(!aud(Action::non_resource("get", "/metrics/slis")));
        // The near miss for a wrong name names the allowed names.
        let d = w.why(&user(
            "auditor",
            &["loupe:auditors"],
            cm("get").named("other"),
        ));
        assert!(d.near_misses.iter().any(|n| n.mismatch
            == Mismatch::ResourceName {
                allowed: vec!["app-settings".into()]
            }));
    }

    #[test]
    fn service_accounts_and_their_groups() {
        let w = world();
        let dep =
            |verb: &str, ns: &str| Action::resource(verb, "apps", "deployments").in_namespace(ns);
        // RoleBinding subject without namespace: the binding's namespace.
        let d = w.why(&sa("team-a", "ci-bot", dep("create", "team-a")));
        assert!(d.allowed);
        assert_eq!(d.grants[0].matched_by, Some(SubjectMatch::ServiceAccount));
        assert_eq!(
            d.grants[0].reason,
            "RBAC: allowed by RoleBinding \"ci/team-a\" of Role \"deployer\" to ServiceAccount \"ci-bot/team-a\""
        );
        // The same name in another namespace is another ServiceAccount.
        assert!(
            !w.why(&sa("team-c", "ci-bot", dep("create", "team-a")))
                .allowed
        );
        // Explicit namespace in another namespace's RoleBinding; the Role is team-b's deployer,
        // which does not exist: an evaluation error, not a denial reason of its own.
        let d = w.why(&sa("team-a", "ci-bot", dep("create", "team-b")));
        assert!(d.allowed, "via system:serviceaccounts → edit in team-b");
        assert!(
            d.errors
                .iter()
                .any(|e| e.contains("role.rbac.authorization.k8s.io \"deployer\" not found"))
        );
        // Group system:serviceaccounts:team-b in team-a.
        let d = w.why(&sa("team-b", "x", dep("get", "team-a")));
        assert!(d.allowed);
        assert_eq!(
            d.grants[0].matched_by,
            Some(SubjectMatch::Group {
                group: "system:serviceaccounts:team-b".into()
            })
        );
        // A ServiceAccount subject without namespace in a ClusterRoleBinding matches nobody.
        assert!(!w.why(&sa("", "nons", pods("get"))).allowed);
        assert!(
            !w.why(&sa("default", "nons", pods("get").in_namespace("default")))
                .allowed
        );
    }

    #[test]
    fn superuser_needs_no_binding_and_missing_roles_are_errors() {
        let w = world();
        let d = w.why(&user(
            "kube",
            &["system:masters"],
            pods("delete").in_namespace("x"),
        ));
        assert!(d.allowed);
        assert_eq!(d.via, DecisionVia::Superuser);
        assert!(d.grants.is_empty());
        assert_eq!(d.reason, "");
        let d = w.why(&user("nobody", &[], pods("get").in_namespace("x")));
        assert!(!d.allowed);
        assert_eq!(
            d.reason,
            "RBAC: clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found"
        );
        assert!(d.summary.contains(
            "pods is forbidden: User \"nobody\" cannot get resource \"pods\" in API group \"\" in the namespace \"x\""
        ));
        // view grants it in x; the suggestion is a RoleBinding there, view first.
        assert_eq!(d.would_grant[0].role, "view");
        assert_eq!(
            d.would_grant[0].command,
            "kubectl create rolebinding nobody-view --clusterrole=view --user=nobody -n x"
        );
        let names: Vec<&str> = d.would_grant.iter().map(|s| s.role.as_str()).collect();
        assert_eq!(names, ["view", "edit", "cluster-admin"]);
        let d = w.why(&sa(
            "team-a",
            "ci-bot",
            Action::resource("list", "", "nodes"),
        ));
        assert_eq!(d.would_grant.len(), 1);
        assert_eq!(
            d.would_grant[0].command,
            "kubectl create clusterrolebinding ci-bot-cluster-admin --clusterrole=cluster-admin --serviceaccount=team-a:ci-bot"
        );
        assert_eq!(
            forbidden_message(&user("v", &[], Action::non_resource("get", "/metrics"))),
            "forbidden: User \"v\" cannot get path \"/metrics\""
        );
        assert_eq!(
            forbidden_message(&user(
                "v",
                &[],
                Action::resource("get", "apps", "deployments").named("web")
            )),
            "deployments.apps \"web\" is forbidden: User \"v\" cannot get resource \"deployments\" in API group \"apps\" at the cluster scope"
        );
    }

    #[test]
    fn forbidden_messages_round_trip() {
        // The model's parser (used by the UI and diagnoses) reads back what the evaluator writes.
        let parse = |m: &str| loupe_model::parse_forbidden(m).map(|d| (d.user.clone(), d.action()));
        for (user, action) in [
            ("viewer", pods("list").in_namespace("team-b")),
            (
                "v",
                Action::resource("get", "apps", "deployments")
                    .with_subresource("scale")
                    .named("web")
                    .in_namespace("a"),
            ),
            (
                "system:serviceaccount:a:b",
                Action::resource("list", "", "nodes"),
            ),
            ("v", Action::non_resource("get", "/metrics")),
        ] {
            let msg = forbidden_message(&Attributes {
                user: user.into(),
                groups: vec![],
                action: action.clone(),
            });
            assert_eq!(
                parse(&msg),
                Some((user.to_string(), action.clone())),
                "{msg}"
            );
            let kubectl = format!(
                "Error from server (Forbidden): {msg}: RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found"
            );
            assert_eq!(
                parse(&kubectl),
                Some((user.to_string(), action)),
                "{kubectl}"
            );
        }
        // Captured from the sandbox (kubectl v1.32).
        assert_eq!(
            parse(
                "Error from server (Forbidden): users \"foo\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
            ),
            Some((
                "viewer".into(),
                Action::resource("impersonate", "", "users").named("foo")
            ))
        );
        assert_eq!(parse("connection refused"), None);
    }

    #[test]
    fn who_can_lists_every_subject_with_its_bindings() {
        let w = world();
        let wc =
            w.who_can(&Action::resource("create", "apps", "deployments").in_namespace("team-a"));
        let names: Vec<String> = wc.subjects.iter().map(|s| s.subject.describe()).collect();
        assert_eq!(
            names,
            [
                "User \"root\"",
                "Group \"system:serviceaccounts:team-b\"",
                "ServiceAccount \"ci-bot/team-a\"",
            ]
        );
        assert_eq!(wc.superuser_groups, ["system:masters"]);
        assert!(wc.errors.iter().any(|e| e.contains("does-not-exist")));
        let ci = &wc.subjects[2];
        assert_eq!(ci.grants[0].binding.name, "ci");
        assert_eq!(
            ci.note.as_deref(),
            Some("system:serviceaccount:team-a:ci-bot")
        );
        // Names: only the auditor's named rule for app-settings.
        let cm = |n: &str| {
            Action::resource("get", "", "configmaps")
                .named(n)
                .in_namespace("team-a")
        };
        let who = |a: Action| -> Vec<String> {
            w.who_can(&a)
                .subjects
                .iter()
                .map(|s| s.subject.name.clone())
                .collect()
        };
        assert!(who(cm("app-settings")).contains(&"loupe:auditors".to_string()));
        assert!(!who(cm("other")).contains(&"loupe:auditors".to_string()));
        assert!(who(cm("other")).contains(&"viewer".to_string()));
        // Non-resource URLs only through ClusterRoleBindings, with prefix rules.
        assert_eq!(
            who(Action::non_resource("get", "/logs/x")),
            ["root", "loupe:auditors"]
        );
    }

    #[test]
    fn rules_for_is_what_a_rules_review_returns() {
        let w = world();
        let groups = vec![
            "loupe:auditors".to_string(),
            "system:authenticated".to_string(),
        ];
        let r = w.rules_for("auditor", &groups, "team-a");
        assert_eq!(r.resource_rules.len(), 3);
        assert_eq!(r.non_resource_rules.len(), 1);
        assert!(!r.incomplete);
        assert_eq!(
            r.evaluation_error,
            "clusterrole.rbac.authorization.k8s.io \"does-not-exist\" not found"
        );
        let r = w.rules_for("viewer", &["system:authenticated".to_string()], "team-a");
        assert_eq!(r.resource_rules.len(), 2);
        let r = w.rules_for("viewer", &["system:authenticated".to_string()], "");
        assert!(r.resource_rules.is_empty());
    }

    #[test]
    fn aggregation_can_be_computed_offline() {
        let text = r#"
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: agg}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {team: x}
  - matchExpressions: [{key: tier, operator: In, values: [a, b]}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: b-part, labels: {tier: b}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: a-part, labels: {team: x}}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
- {apiGroups: [""], resources: [secrets], verbs: [get]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: other, labels: {tier: c}}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
"#;
        let raw = RbacSnapshot::from_manifests(text).unwrap();
        let cr = |s: &RbacSnapshot| s.cluster_roles["agg"].rules.clone();
        assert!(cr(&raw).is_empty());
        let s = raw.with_computed_aggregation();
        let rules = cr(&s);
        assert_eq!(rules.len(), 2, "{rules:?}");
        assert_eq!(rules[0].resources, ["pods"]);
        let o = s.overview();
        let agg = o
            .cluster_roles
            .iter()
            .find(|r| r.role.name == "agg")
            .unwrap();
        assert_eq!(agg.aggregates, ["a-part", "b-part"]);
        assert_eq!(agg.aggregation_selectors, ["team=x", "tier in (a,b)"]);
    }

    #[test]
    fn overview_and_graph() {
        let w = world();
        let o = w.overview();
        let dangling = o
            .cluster_role_bindings
            .iter()
            .find(|b| b.binding.name == "dangling")
            .unwrap();
        assert!(!dangling.role_exists);
        let view = o
            .cluster_roles
            .iter()
            .find(|r| r.role.name == "view")
            .unwrap();
        assert_eq!(view.bound_by.len(), 1);
        let g = w.graph(Some("team-a"));
        assert!(
            g.nodes
                .iter()
                .any(|n| n.id == "ServiceAccount:team-a/ci-bot")
        );
        assert!(!g.nodes.iter().any(|n| n.id == "RoleBinding:team-b/editors"));
        assert!(g.edges.iter().any(|e| e.from == "ClusterRole:view"
            && e.to == "ClusterRole:system:aggregate-to-view"
            && e.relation == "aggregates"));
        assert!(
            g.nodes
                .iter()
                .any(|n| n.id == "ClusterRole:does-not-exist" && n.missing)
        );
    }

    #[test]
    fn unreadable_roles_are_caveats_not_errors() {
        let mut w = world();
        w.set_coverage(RbacCoverage {
            cluster_roles: ReadState::Forbidden {
                message: "no".into(),
            },
            ..w.coverage().clone()
        });
        let d = w.why(&user("nobody", &[], pods("get").in_namespace("x")));
        assert!(d.errors.is_empty());
        assert!(
            d.caveats
                .iter()
                .any(|c| c.starts_with("ClusterRoles could not be read"))
        );
    }
}
