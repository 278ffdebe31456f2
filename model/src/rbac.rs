//! Types of the RBAC views (who am I, access matrix, why, who can) as they cross the IPC boundary.
//!
//! Everything is plain data: the core computes it (`loupe_core::rbac`), the UI only renders it.
//! Names follow the Kubernetes vocabulary (subject, binding, role, rule) so what the UI shows can
//! be found in `kubectl` and in the API documentation.

use crate::JwtFacts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The group whose members may do anything, before any authorizer runs (no binding needed).
pub const SUPERUSER_GROUP: &str = "system:masters";

// ---------------------------------------------------------------------------------------------
// Who am I

/// Who the API server says the user of a context is, and how that identity came about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The context asked about.
    pub context: String,
    /// The user name RBAC matches `User` subjects against (empty when unknown).
    pub username: String,
    /// The user's UID, when the authenticator sets one.
    pub uid: Option<String>,
    /// Groups RBAC matches `Group` subjects against (`system:authenticated` included).
    pub groups: Vec<String>,
    /// Extra attributes (e.g. `authentication.kubernetes.io/credential-id`).
    pub extra: BTreeMap<String, Vec<String>>,
    /// Where these attributes come from.
    pub source: IdentitySource,
    /// When the server answered (the review's `metadata.creationTimestamp`).
    pub reviewed_at: Option<String>,
    /// How the kubeconfig user entry authenticates, most relevant first.
    pub established_by: Vec<AuthEvidence>,
    /// Impersonation in effect (kubeconfig `as`/`as-groups` or `--as`/`--as-group`).
    pub impersonation: Option<ImpersonationInfo>,
    /// Whether the identity is in `system:masters`, which bypasses RBAC entirely.
    pub superuser: bool,
    /// Plain-language explanation, one sentence per line.
    pub explanation: Vec<String>,
}

impl Identity {
    /// The attributes of `action` done by this identity (for [`Decision`]s and reviews).
    pub fn attributes(&self, action: Action) -> Attributes {
        Attributes {
            user: self.username.clone(),
            groups: self.groups.clone(),
            action,
        }
    }
}

/// Where an [`Identity`]'s attributes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum IdentitySource {
    /// The API server's answer to a SelfSubjectReview (authoritative).
    SelfSubjectReview {
        /// The API version that answered (`authentication.k8s.io/v1`, `v1beta1`, `v1alpha1`).
        api_version: String,
    },
    /// Derived offline from the kubeconfig because the server could not be asked.
    Kubeconfig {
        /// Why the server was not asked (e.g. the API is not served).
        reason: String,
        /// Whether the derivation is certain for this kind of credential (client certificates
        /// and ServiceAccount tokens: yes; other tokens and plugins: the server decides).
        certain: bool,
    },
}

/// One way the kubeconfig user entry proves who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthEvidence {
    /// An X.509 client certificate: user name = subject CN, groups = subject O.
    ClientCertificate {
        /// Subject common name.
        common_name: Option<String>,
        /// Subject organisations.
        organizations: Vec<String>,
        /// Issuer common name.
        issuer: Option<String>,
        /// End of validity (RFC 3339).
        not_after: Option<String>,
    },
    /// A ServiceAccount token (claims only; the token itself is never kept).
    ServiceAccountToken {
        /// The ServiceAccount's namespace.
        namespace: String,
        /// The ServiceAccount's name.
        service_account: String,
        /// The pod the token is bound to, if any.
        bound_pod: Option<String>,
        /// The node the token is bound to, if any.
        bound_node: Option<String>,
        /// `iss`.
        issuer: Option<String>,
        /// `exp` (RFC 3339); `None` for legacy Secret tokens, which never expire.
        expires: Option<String>,
        /// Whether it is a legacy (Secret-based, non-expiring) token.
        legacy: bool,
        /// Whether it came from `tokenFile` rather than inline `token`.
        from_file: bool,
    },
    /// Another bearer token (OIDC id token, static token file, cloud token, ...).
    BearerToken {
        /// Claims, when the token is a JWT.
        jwt: Option<JwtFacts>,
        /// Whether it came from `tokenFile` rather than inline `token`.
        from_file: bool,
    },
    /// An exec credential plugin produces the credential at connection time.
    ExecPlugin {
        /// The command.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// The ExecCredential API version.
        api_version: Option<String>,
    },
    /// A legacy `auth-provider` (oidc, gcp, azure).
    AuthProvider {
        /// Provider name.
        name: String,
    },
    /// Username and password (basic auth; removed from Kubernetes in 1.19).
    Basic {
        /// The user name.
        username: Option<String>,
    },
    /// No credentials: requests are anonymous (`system:anonymous`).
    Anonymous,
}

/// Impersonation in effect for a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpersonationInfo {
    /// The impersonated user (`Impersonate-User`).
    pub user: Option<String>,
    /// The impersonated groups (`Impersonate-Group`).
    pub groups: Vec<String>,
    /// Whether it came from command-line flags (`--as`) rather than the kubeconfig (`as:`).
    pub from_flags: bool,
}

// ---------------------------------------------------------------------------------------------
// Requests and rules

/// What is being done: the attributes an authorizer sees, minus the user.
///
/// A resource request has `resource` set; a non-resource request (`/healthz`) has
/// `non_resource_url` set instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// The verb (`get`, `list`, `create`, `impersonate`, ... or `*`).
    pub verb: String,
    /// API group (`""` = core).
    pub api_group: String,
    /// Resource (plural, lower case), empty for non-resource requests.
    pub resource: String,
    /// Subresource (`log`, `exec`, `scale`, ...), empty for none.
    pub subresource: String,
    /// Object name, empty for collections (list, create, deletecollection).
    pub name: String,
    /// Namespace, empty for cluster-scoped or all-namespaces requests.
    pub namespace: String,
    /// The path of a non-resource request.
    pub non_resource_url: Option<String>,
}

impl Action {
    /// A resource request.
    pub fn resource(verb: &str, api_group: &str, resource: &str) -> Self {
        Self {
            verb: verb.into(),
            api_group: api_group.into(),
            resource: resource.into(),
            ..Self::default()
        }
    }

    /// A non-resource request (`get /healthz`).
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Self {
            verb: verb.into(),
            non_resource_url: Some(path.into()),
            ..Self::default()
        }
    }

    /// With a subresource.
    #[must_use]
    pub fn with_subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.into();
        self
    }

    /// With an object name.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// In a namespace.
    #[must_use]
    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Whether this is a resource request.
    pub fn is_resource(&self) -> bool {
        self.non_resource_url.is_none()
    }

    /// `resource/subresource` as RBAC rules spell it (`pods/log`).
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// A short description: `get pods/log "web-1" in team-a`, `list nodes (cluster-wide)`,
    /// `get /healthz`.
    pub fn describe(&self) -> String {
        if let Some(url) = &self.non_resource_url {
            return format!("{} {url}", self.verb);
        }
        let mut res = self.resource.clone();
        if !self.api_group.is_empty() {
            res.push('.');
            res.push_str(&self.api_group);
        }
        if !self.subresource.is_empty() {
            res.push('/');
            res.push_str(&self.subresource);
        }
        let mut s = format!("{} {res}", self.verb);
        if !self.name.is_empty() {
            s.push_str(&format!(" \"{}\"", self.name));
        }
        if self.namespace.is_empty() {
            s.push_str(" (cluster-wide)");
        } else {
            s.push_str(&format!(" in {}", self.namespace));
        }
        s
    }
}

/// An action done by a user with groups: everything an authorizer decides on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    /// User name (`alice`, `system:serviceaccount:team-a:ci-bot`).
    pub user: String,
    /// Groups, as the authenticator sets them (`system:authenticated` included).
    pub groups: Vec<String>,
    /// What is being done.
    pub action: Action,
}

/// An RBAC policy rule (also used for the rules a SelfSubjectRulesReview returns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    /// Verbs (`*` = all).
    pub verbs: Vec<String>,
    /// API groups (`""` = core, `*` = all).
    pub api_groups: Vec<String>,
    /// Resources (`*` = all including subresources, `pods/log`, `*/scale`).
    pub resources: Vec<String>,
    /// Object names the rule is limited to (empty = all).
    pub resource_names: Vec<String>,
    /// Non-resource URLs (`/healthz`, `/api/*`, `*`).
    pub non_resource_urls: Vec<String>,
}

impl PolicyRule {
    /// Whether any of verbs, API groups or resources is `*`.
    pub fn has_wildcard(&self) -> bool {
        self.verbs.iter().any(|v| v == "*")
            || self.api_groups.iter().any(|g| g == "*")
            || self
                .resources
                .iter()
                .any(|r| r == "*" || r.starts_with("*/"))
            || self.non_resource_urls.iter().any(|u| u == "*")
    }

    /// The rule in `kubectl describe role` style: `pods, pods/log [get list] names=[a]`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if self.non_resource_urls.is_empty() {
            let groups: Vec<&str> = self
                .api_groups
                .iter()
                .map(|g| if g.is_empty() { "core" } else { g.as_str() })
                .collect();
            s.push_str(&format!(
                "{} ({}) [{}]",
                self.resources.join(", "),
                groups.join(", "),
                self.verbs.join(" ")
            ));
            if !self.resource_names.is_empty() {
                s.push_str(&format!(" names=[{}]", self.resource_names.join(" ")));
            }
        } else {
            s.push_str(&format!(
                "{} [{}]",
                self.non_resource_urls.join(", "),
                self.verbs.join(" ")
            ));
        }
        s
    }
}

impl PolicyRule {
    /// Like [`PolicyRule::describe`], keeping only the resources that concern `action` (the
    /// others counted), so a long aggregated rule stays readable: `pods/log (+8 more) (core)
    /// [get list watch]`.
    pub fn describe_for(&self, action: &Action) -> String {
        if !self.non_resource_urls.is_empty() || self.resources.len() <= 3 {
            return self.describe();
        }
        let combined = action.combined_resource();
        let keep: Vec<&String> = self
            .resources
            .iter()
            .filter(|r| {
                *r == "*"
                    || **r == combined
                    || (!action.subresource.is_empty()
                        && r.len() == action.subresource.len() + 2
                        && r.starts_with("*/")
                        && r.ends_with(&action.subresource))
            })
            .collect();
        if keep.is_empty() {
            return self.describe();
        }
        let mut short = self.clone();
        short.resources = keep.iter().map(|s| s.to_string()).collect();
        let hidden = self.resources.len() - keep.len();
        let text = short.describe();
        match text.split_once(" (") {
            Some((res, rest)) if hidden > 0 => format!("{res} (+{hidden} more) ({rest}"),
            _ => text,
        }
    }
}

/// The answer of a SelfSubjectAccessReview or SubjectAccessReview (the full authorizer chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReview {
    /// The request reviewed.
    pub action: Action,
    /// Allowed by some authorizer.
    pub allowed: bool,
    /// Explicitly denied (only webhooks, ABAC and AlwaysDeny deny; RBAC never does).
    pub denied: bool,
    /// The authorizer's reason (`RBAC: allowed by ClusterRoleBinding ...`), may be empty.
    pub reason: String,
    /// An error while evaluating (e.g. a role that does not exist), may be empty.
    pub evaluation_error: String,
    /// Which review answered.
    pub kind: ReviewKind,
}

/// The review API used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReviewKind {
    /// `SelfSubjectAccessReview`: about the caller.
    SelfSubjectAccessReview,
    /// `SubjectAccessReview`: about any user and groups (needs `create subjectaccessreviews`).
    SubjectAccessReview,
}

/// The rules a SelfSubjectRulesReview returned for one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesReview {
    /// The namespace asked about.
    pub namespace: String,
    /// Resource rules (from ClusterRoleBindings and this namespace's RoleBindings).
    pub resource_rules: Vec<PolicyRule>,
    /// Non-resource rules.
    pub non_resource_rules: Vec<PolicyRule>,
    /// Whether some authorizer could not list its rules (webhook, Node): then a missing rule is
    /// not a denial.
    pub incomplete: bool,
    /// Why the list is incomplete.
    pub evaluation_error: String,
}

// ---------------------------------------------------------------------------------------------
// RBAC objects

/// The kind of a binding subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubjectKind {
    /// A user name.
    User,
    /// A group name.
    Group,
    /// A ServiceAccount (`system:serviceaccount:NS:NAME`).
    ServiceAccount,
    /// A kind RBAC does not know: never matches.
    Other,
}

/// A subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectRef {
    /// User, Group or ServiceAccount.
    pub kind: SubjectKind,
    /// The name.
    pub name: String,
    /// For ServiceAccounts: the namespace (defaulted to the binding's in RoleBindings).
    pub namespace: Option<String>,
}

impl SubjectRef {
    /// The user name a ServiceAccount subject authenticates as, or the name.
    pub fn username(&self) -> String {
        match (self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => {
                format!("system:serviceaccount:{ns}:{}", self.name)
            }
            _ => self.name.clone(),
        }
    }

    /// `User "alice"`, `Group "devs"`, `ServiceAccount "ci-bot/team-a"` (the API server's wording).
    pub fn describe(&self) -> String {
        match self.kind {
            SubjectKind::ServiceAccount => format!(
                "ServiceAccount \"{}/{}\"",
                self.name,
                self.namespace.as_deref().unwrap_or_default()
            ),
            SubjectKind::User => format!("User \"{}\"", self.name),
            SubjectKind::Group => format!("Group \"{}\"", self.name),
            SubjectKind::Other => format!("\"{}\"", self.name),
        }
    }
}

/// ClusterRoleBinding or RoleBinding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BindingKind {
    /// Cluster-wide: all namespaces, cluster-scoped resources and non-resource URLs.
    ClusterRoleBinding,
    /// One namespace only.
    RoleBinding,
}

/// A binding, by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingRef {
    /// ClusterRoleBinding or RoleBinding.
    pub kind: BindingKind,
    /// Its name.
    pub name: String,
    /// Its namespace (RoleBindings).
    pub namespace: Option<String>,
}

/// ClusterRole or Role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoleKind {
    /// Cluster-wide definition, usable from both binding kinds.
    ClusterRole,
    /// Defined in one namespace, usable from RoleBindings there.
    Role,
}

/// A role, by name, with what the explanation needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    /// ClusterRole or Role.
    pub kind: RoleKind,
    /// Its name.
    pub name: String,
    /// Its namespace (Roles).
    pub namespace: Option<String>,
    /// Whether it is an aggregated ClusterRole (rules filled in by the controller-manager from
    /// the ClusterRoles its `aggregationRule` selects).
    pub aggregated: bool,
    /// Whether it is one of Kubernetes' default roles (label
    /// `kubernetes.io/bootstrapping=rbac-defaults`).
    pub bootstrap: bool,
}

/// How a binding's subject matched the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SubjectMatch {
    /// The user name equals the `User` subject.
    UserName,
    /// The user is in the `Group` subject.
    Group {
        /// The group.
        group: String,
    },
    /// The user name is the ServiceAccount's `system:serviceaccount:NS:NAME`.
    ServiceAccount,
}

/// One chain that grants an action: subject → binding → role → rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantChain {
    /// The binding's subject that matched (the first one, as the API server reports).
    pub subject: SubjectRef,
    /// How it matched the user (for who-can: `None`, nothing was matched).
    pub matched_by: Option<SubjectMatch>,
    /// The binding.
    pub binding: BindingRef,
    /// The role it references.
    pub role: RoleRef,
    /// The rule of the role that allows the action.
    pub rule: PolicyRule,
    /// Its index in the role's `rules`.
    pub rule_index: usize,
    /// For aggregated ClusterRoles: the ClusterRoles the rule was aggregated from.
    pub aggregated_from: Vec<String>,
    /// The API server's allow reason for this chain
    /// (`RBAC: allowed by RoleBinding "x/ns" of ClusterRole "view" to User "alice"`).
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Why

/// Which part of the authorizer chain decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DecisionVia {
    /// The user is in `system:masters`: allowed before RBAC runs, no binding needed.
    Superuser,
    /// RBAC allowed it through one or more grant chains.
    Rbac,
    /// No rule grants it: RBAC has no opinion, so the request is forbidden (unless another
    /// authorizer, e.g. a webhook, allows it).
    NoRule,
}

/// A local RBAC decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// What was evaluated.
    pub attributes: Attributes,
    /// Whether it is allowed.
    pub allowed: bool,
    /// What decided.
    pub via: DecisionVia,
    /// Every chain that grants it, in the order the API server visits them
    /// (ClusterRoleBindings, then RoleBindings of the namespace).
    pub grants: Vec<GrantChain>,
    /// The reason an access review would give (first grant, or resolution errors).
    pub reason: String,
    /// One plain sentence.
    pub summary: String,
    /// When denied: the default roles that would grant it, and how to bind them.
    pub would_grant: Vec<SuggestedGrant>,
    /// When denied: rules that apply to the user and miss by one attribute.
    pub near_misses: Vec<NearMiss>,
    /// Bindings whose role could not be resolved (the API server's evaluation errors).
    pub errors: Vec<String>,
    /// What this local evaluation cannot see (unreadable RBAC objects, webhooks, ...).
    pub caveats: Vec<String>,
}

/// A local [`Decision`] next to the API server's own answer for the same attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckedDecision {
    /// Loupe's explanation.
    pub decision: Decision,
    /// The access review's answer, when one could be made.
    pub review: Option<AccessReview>,
    /// Whether both say the same; `None` without a review.
    pub agrees: Option<bool>,
    /// What a disagreement (or a missing review) means.
    pub note: Option<String>,
}

/// A default role that would grant a denied action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestedGrant {
    /// The ClusterRole (`view`, `edit`, `admin`, `cluster-admin`).
    pub role: String,
    /// Binding kind needed (RoleBinding for a namespaced request, else ClusterRoleBinding).
    pub binding_kind: BindingKind,
    /// The namespace for a RoleBinding.
    pub namespace: Option<String>,
    /// The kubectl command that creates the binding.
    pub command: String,
}

/// What a near-miss rule lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Mismatch {
    /// The rule lacks the verb.
    Verb,
    /// The rule is for other API groups.
    ApiGroup,
    /// The rule names other resources (`pods` does not cover `pods/log`).
    Resource,
    /// The rule is limited to other object names (or the request has no name: list, create).
    ResourceName {
        /// The names the rule allows.
        allowed: Vec<String>,
    },
    /// The rule is for other non-resource URLs.
    NonResourceUrl,
    /// The rule is granted by a RoleBinding in another namespace; cluster-wide requests only
    /// use ClusterRoleBindings.
    Scope {
        /// The namespace of the RoleBinding.
        namespace: String,
    },
}

/// A rule that applies to the user and almost allows the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    /// The chain of the rule.
    pub chain: GrantChain,
    /// The one attribute it misses.
    pub mismatch: Mismatch,
}

// ---------------------------------------------------------------------------------------------
// Who can

/// Everyone bindings allow to do one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCan {
    /// The action.
    pub action: Action,
    /// Subjects with a granting binding, users first, then groups, then ServiceAccounts.
    pub subjects: Vec<WhoCanSubject>,
    /// Groups allowed without any binding (`system:masters`).
    pub superuser_groups: Vec<String>,
    /// Bindings whose role could not be resolved.
    pub errors: Vec<String>,
    /// What this answer cannot see.
    pub caveats: Vec<String>,
}

/// One subject that may do the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanSubject {
    /// The subject.
    pub subject: SubjectRef,
    /// Every binding → role → rule that grants it.
    pub grants: Vec<GrantChain>,
    /// For well-known groups, who they contain (`every authenticated user`).
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Browse

/// Whether one kind of RBAC object could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ReadState {
    /// Listed in all namespaces (or cluster-wide).
    All,
    /// Listed in these namespaces only.
    Namespaces {
        /// The namespaces.
        namespaces: Vec<String>,
    },
    /// Not readable.
    Forbidden {
        /// The server's message.
        message: String,
    },
    /// Reading failed for another reason.
    Failed {
        /// The error.
        message: String,
    },
    /// Not asked (objects supplied offline).
    Offline,
}

impl ReadState {
    /// Whether every object of the kind was read.
    pub fn complete(&self) -> bool {
        matches!(self, ReadState::All | ReadState::Offline)
    }
}

/// What the RBAC snapshot covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacCoverage {
    /// ClusterRoles.
    pub cluster_roles: ReadState,
    /// ClusterRoleBindings.
    pub cluster_role_bindings: ReadState,
    /// Roles.
    pub roles: ReadState,
    /// RoleBindings.
    pub role_bindings: ReadState,
    /// ServiceAccounts.
    pub service_accounts: ReadState,
}

/// A Role or ClusterRole for the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleSummary {
    /// Kind, name, namespace and flags.
    pub role: RoleRef,
    /// Its rules.
    pub rules: Vec<PolicyRule>,
    /// For aggregated ClusterRoles: the label selectors, as `key=value` texts.
    pub aggregation_selectors: Vec<String>,
    /// For aggregated ClusterRoles: the ClusterRoles currently selected.
    pub aggregates: Vec<String>,
    /// Bindings that reference it.
    pub bound_by: Vec<BindingRef>,
}

/// A RoleBinding or ClusterRoleBinding for the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingSummary {
    /// Kind, name, namespace.
    pub binding: BindingRef,
    /// The role it references.
    pub role: RoleRef,
    /// Whether that role exists (a missing one grants nothing).
    pub role_exists: bool,
    /// Its subjects.
    pub subjects: Vec<SubjectRef>,
}

/// A ServiceAccount for the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountSummary {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The user name it authenticates as.
    pub username: String,
    /// Bindings that name it directly.
    pub bound_by: Vec<BindingRef>,
}

/// Every RBAC object Loupe could read, ready for the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacOverview {
    /// ClusterRoles, by name.
    pub cluster_roles: Vec<RoleSummary>,
    /// Roles, by namespace and name.
    pub roles: Vec<RoleSummary>,
    /// ClusterRoleBindings, by name.
    pub cluster_role_bindings: Vec<BindingSummary>,
    /// RoleBindings, by namespace and name.
    pub role_bindings: Vec<BindingSummary>,
    /// ServiceAccounts, by namespace and name.
    pub service_accounts: Vec<ServiceAccountSummary>,
    /// What could be read.
    pub coverage: RbacCoverage,
}

/// The kind of a graph node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphNodeKind {
    /// A User subject.
    User,
    /// A Group subject.
    Group,
    /// A ServiceAccount subject.
    ServiceAccount,
    /// A ClusterRoleBinding.
    ClusterRoleBinding,
    /// A RoleBinding.
    RoleBinding,
    /// A ClusterRole.
    ClusterRole,
    /// A Role.
    Role,
}

/// A node of the subject → binding → role graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphNode {
    /// Stable id (`User:alice`, `RoleBinding:team-a/x`, `ClusterRole:view`).
    pub id: String,
    /// Kind.
    pub kind: GraphNodeKind,
    /// Name shown.
    pub label: String,
    /// Namespace, if any.
    pub namespace: Option<String>,
    /// A referenced role that does not exist.
    pub missing: bool,
}

/// An edge: subject → binding, binding → role, or aggregated role → source role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphEdge {
    /// From node id.
    pub from: String,
    /// To node id.
    pub to: String,
    /// `subject`, `roleRef` or `aggregates`.
    pub relation: String,
}

/// The subject → binding → role graph.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacGraph {
    /// Nodes.
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
}

// ---------------------------------------------------------------------------------------------
// Access matrix

/// The verbs of the matrix by default: the eight API verbs, then RBAC's special ones.
pub const MATRIX_VERBS: [&str; 11] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
];

/// Verbs of the non-resource part of the matrix.
pub const NON_RESOURCE_VERBS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRequest {
    /// Namespaces to cover (each a scope of namespaced resources).
    pub namespaces: Vec<String>,
    /// Every namespace the user may list (added to `namespaces`).
    pub all_namespaces: bool,
    /// Also the cluster scope: cluster-scoped resources, and namespaced ones across all
    /// namespaces (what `-A` asks).
    pub cluster: bool,
    /// Verbs (columns); empty = [`MATRIX_VERBS`].
    pub verbs: Vec<String>,
    /// Include subresources (`pods/log`, `pods/exec`, `deployments/scale`, ...).
    pub subresources: bool,
    /// Include the non-resource URL part.
    pub non_resource_urls: bool,
    /// Limit of access reviews in flight (for cells a rules review cannot settle).
    pub max_concurrent_reviews: usize,
}

impl Default for MatrixRequest {
    fn default() -> Self {
        Self {
            namespaces: Vec::new(),
            all_namespaces: false,
            cluster: true,
            verbs: Vec::new(),
            subresources: true,
            non_resource_urls: true,
            max_concurrent_reviews: 16,
        }
    }
}

/// One resource (row) of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixResource {
    /// `pods`, `deployments.apps/scale`, `widgets.demo.loupe.dev` (kubectl's spelling).
    pub key: String,
    /// API group.
    pub group: String,
    /// Preferred version.
    pub version: String,
    /// Resource (plural).
    pub resource: String,
    /// Subresource, empty for none.
    pub subresource: String,
    /// Kind, when discovery names one.
    pub kind: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Served by a CustomResourceDefinition (or an aggregated API), not built in.
    pub custom: bool,
    /// Verbs the API serves for it (from discovery), plus the RBAC-only verbs that apply.
    pub verbs: Vec<String>,
}

/// The answer of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CellState {
    /// Allowed for every object.
    Allowed,
    /// Allowed only for some object names (see [`Cell::names`]).
    NamedOnly,
    /// Not allowed.
    Denied,
    /// Could not be determined.
    Unknown,
}

/// Where a cell's answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CellSource {
    /// A SelfSubjectRulesReview for the scope (complete).
    RulesReview,
    /// A SelfSubjectAccessReview (the rules review was incomplete).
    AccessReview,
    /// `system:masters` membership.
    Superuser,
    /// Loupe's local RBAC evaluation (another subject's matrix).
    LocalRbac,
    /// Nothing answered (a failed review).
    None,
}

/// A risky kind of grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RiskKind {
    /// get/list/watch on secrets: read every credential in scope.
    SecretsRead,
    /// pods/exec: run commands in containers (and read their secrets).
    PodExec,
    /// pods/attach: attach to running containers.
    PodAttach,
    /// A wildcard rule (`*` verbs, resources or API groups): also covers future resources.
    Wildcard,
    /// escalate on roles: write roles with more rights than one holds.
    Escalate,
    /// bind on roles: bind roles with more rights than one holds.
    Bind,
    /// impersonate: act as other users, groups or ServiceAccounts.
    Impersonate,
    /// nodes/proxy: reach the kubelet API (exec into any pod on the node).
    NodesProxy,
    /// create serviceaccounts/token: mint tokens for ServiceAccounts.
    ServiceAccountToken,
}

/// One cell: may the identity do `verb` on the row's resource in the scope?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    /// The verb (column).
    pub verb: String,
    /// The answer.
    pub state: CellState,
    /// Where it comes from.
    pub source: CellSource,
    /// Whether the API serves this verb for the resource (else the cell is moot).
    pub applicable: bool,
    /// For [`CellState::NamedOnly`]: the names allowed.
    pub names: Vec<String>,
    /// The risks of this grant.
    pub risks: Vec<RiskKind>,
    /// The rule that settles it, when a rules review did.
    pub rule: Option<PolicyRule>,
    /// Extra detail (the access review's reason or error).
    pub detail: Option<String>,
}

/// Cluster scope or one namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MatrixScope {
    /// Cluster-scoped resources, and namespaced ones across all namespaces.
    Cluster,
    /// One namespace.
    Namespace {
        /// Its name.
        name: String,
    },
}

impl MatrixScope {
    /// The namespace, or `None` for the cluster scope.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            MatrixScope::Cluster => None,
            MatrixScope::Namespace { name } => Some(name),
        }
    }

    /// `cluster` or the namespace name.
    pub fn label(&self) -> &str {
        self.namespace().unwrap_or("(cluster)")
    }
}

/// A row: one resource's cells in one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    /// Index into [`AccessMatrix::resources`].
    pub resource: usize,
    /// One cell per verb of [`AccessMatrix::verbs`].
    pub cells: Vec<Cell>,
}

/// The matrix of one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeAccess {
    /// Cluster or a namespace.
    pub scope: MatrixScope,
    /// Whether the rules review was incomplete (cells confirmed by access reviews).
    pub incomplete: bool,
    /// The rules review's evaluation error.
    pub evaluation_error: Option<String>,
    /// The rules the review returned.
    pub rules: Vec<PolicyRule>,
    /// Rows (namespaced resources in a namespace; all resources in the cluster scope).
    pub rows: Vec<MatrixRow>,
}

/// A row of the non-resource part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NonResourceRow {
    /// The URL path (`/healthz`, `/metrics`, or a rule's pattern such as `/api/*`).
    pub path: String,
    /// One cell per verb of [`NON_RESOURCE_VERBS`].
    pub cells: Vec<Cell>,
}

/// A risky grant found in the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskFinding {
    /// What kind of risk.
    pub kind: RiskKind,
    /// Where.
    pub scope: MatrixScope,
    /// The resource key (or the rule, for wildcards).
    pub resource: String,
    /// The verbs concerned.
    pub verbs: Vec<String>,
    /// Why it matters, in one sentence.
    pub message: String,
}

/// How the matrix was computed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixStats {
    /// SelfSubjectRulesReviews sent.
    pub rules_reviews: usize,
    /// SelfSubjectAccessReviews sent.
    pub access_reviews: usize,
    /// Cells computed.
    pub cells: usize,
    /// Discovery time, milliseconds.
    pub discovery_ms: u64,
    /// Total time, milliseconds.
    pub elapsed_ms: u64,
}

/// What the identity may do: resources × verbs per scope, plus non-resource URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessMatrix {
    /// Whose matrix (user name), when known.
    pub subject: Option<String>,
    /// Whether the identity is a superuser (`system:masters`).
    pub superuser: bool,
    /// The verbs (columns).
    pub verbs: Vec<String>,
    /// All resources (rows are indices into this).
    pub resources: Vec<MatrixResource>,
    /// One matrix per scope.
    pub scopes: Vec<ScopeAccess>,
    /// Non-resource URLs (cluster-wide only).
    pub non_resource: Vec<NonResourceRow>,
    /// Risky grants.
    pub risks: Vec<RiskFinding>,
    /// Notes on how it was computed (incomplete reviews, unknown cells, ...).
    pub notes: Vec<String>,
    /// Counts and timings.
    pub stats: MatrixStats,
}

impl AccessMatrix {
    /// The action a cell stands for (to explain it with a [`Decision`] or confirm it with an
    /// access review): `scope` and `row` index [`AccessMatrix::scopes`] and its rows, `cell`
    /// the row's cells.
    pub fn action(&self, scope: usize, row: usize, cell: usize) -> Option<Action> {
        let s = self.scopes.get(scope)?;
        let r = s.rows.get(row)?;
        let c = r.cells.get(cell)?;
        let res = self.resources.get(r.resource)?;
        let mut a =
            Action::resource(&c.verb, &res.group, &res.resource).with_subresource(&res.subresource);
        a.namespace = s.scope.namespace().unwrap_or_default().to_string();
        Some(a)
    }

    /// The action of a non-resource cell.
    pub fn non_resource_action(&self, row: usize, cell: usize) -> Option<Action> {
        let r = self.non_resource.get(row)?;
        let c = r.cells.get(cell)?;
        Some(Action::non_resource(&c.verb, &r.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_of_an_action_uses_the_matrix_spelling() {
        let a = Action::resource("update", "apps", "deployments")
            .with_subresource("scale")
            .in_namespace("team-a");
        let f = AccessFocus::from_action(&a).unwrap();
        assert_eq!(f.resource, "deployments.apps/scale");
        assert_eq!(f.namespace.as_deref(), Some("team-a"));
        assert_eq!(f.verb, "update");
        let nodes = AccessFocus::from_action(&Action::resource("list", "", "nodes")).unwrap();
        assert_eq!((nodes.resource.as_str(), nodes.namespace), ("nodes", None));
        assert!(AccessFocus::from_action(&Action::non_resource("get", "/healthz")).is_none());
        let d = crate::parse_forbidden(
            r#"deployments.apps "web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "team-a""#,
        )
        .unwrap();
        let f = AccessFocus::from_denied(&d).unwrap();
        assert_eq!(f.resource, "deployments.apps/scale");
        assert_eq!(
            (f.verb.as_str(), f.namespace.as_deref()),
            ("patch", Some("team-a"))
        );
    }

    #[test]
    fn wire_names_are_camel_case() {
        let a = Action::resource("get", "apps", "deployments")
            .with_subresource("scale")
            .in_namespace("team-a");
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("\"apiGroup\":\"apps\""), "{json}");
        assert!(json.contains("\"nonResourceUrl\":null"), "{json}");
        let back: Action = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let s = serde_json::to_string(&MatrixScope::Namespace { name: "x".into() }).unwrap();
        assert_eq!(s, r#"{"kind":"namespace","name":"x"}"#);
    }

    #[test]
    fn describes_actions_and_subjects() {
        assert_eq!(
            Action::resource("get", "", "pods")
                .with_subresource("log")
                .named("web")
                .in_namespace("team-a")
                .describe(),
            "get pods/log \"web\" in team-a"
        );
        assert_eq!(
            Action::resource("list", "apps", "deployments").describe(),
            "list deployments.apps (cluster-wide)"
        );
        assert_eq!(
            Action::non_resource("get", "/healthz").describe(),
            "get /healthz"
        );
        let sa = SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: "ci-bot".into(),
            namespace: Some("team-a".into()),
        };
        assert_eq!(sa.username(), "system:serviceaccount:team-a:ci-bot");
        assert_eq!(sa.describe(), "ServiceAccount \"ci-bot/team-a\"");
    }

    #[test]
    fn long_rules_are_shortened_to_what_matters() {
        let r = PolicyRule {
            verbs: vec!["get".into()],
            api_groups: vec!["".into()],
            resources: ["pods", "pods/log", "events", "nodes"]
                .map(String::from)
                .to_vec(),
            ..Default::default()
        };
        let a = Action::resource("get", "", "pods").with_subresource("log");
        assert_eq!(r.describe_for(&a), "pods/log (+3 more) (core) [get]");
        assert_eq!(
            r.describe_for(&Action::resource("get", "", "secrets")),
            r.describe()
        );
    }

    #[test]
    fn wildcards_are_detected() {
        let r = PolicyRule {
            verbs: vec!["get".into()],
            api_groups: vec!["".into()],
            resources: vec!["*/scale".into()],
            ..Default::default()
        };
        assert!(r.has_wildcard());
        let r = PolicyRule {
            verbs: vec!["get".into()],
            api_groups: vec!["".into()],
            resources: vec!["pods".into()],
            ..Default::default()
        };
        assert!(!r.has_wildcard());
    }
}

// ---------------------------------------------------------------------------------------------
// Another subject's matrix, export, browse, focus

/// How a subject's matrix was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MatrixMethod {
    /// The caller's own rights, from the API server's rules reviews.
    Own,
    /// The API server's rules reviews sent while impersonating the subject: exact, every
    /// authorizer included.
    Impersonation,
    /// Evaluated locally from the RBAC objects: RBAC only, and only the bindings Loupe could read.
    LocalRbac,
}

/// Whose matrix to compute and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectMatrixRequest {
    /// The subject; `None` for the caller itself.
    pub subject: Option<SubjectRef>,
    /// Namespaces (each a scope).
    pub namespaces: Vec<String>,
    /// Every namespace (the ones the caller may list, else the ones with RoleBindings).
    pub all_namespaces: bool,
    /// Also the cluster scope.
    pub cluster: bool,
}

/// A subject's matrix and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectMatrix {
    /// The subject (`None`: the caller).
    pub subject: Option<SubjectRef>,
    /// The user name evaluated (or impersonated).
    pub user: String,
    /// The groups evaluated (or sent as `Impersonate-Group`; empty: the server's defaults).
    pub groups: Vec<String>,
    /// The method used.
    pub method: MatrixMethod,
    /// What the method means for this answer, in plain words.
    pub explanation: String,
    /// The matrix.
    pub matrix: AccessMatrix,
}

/// File formats of a matrix export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// One line per cell.
    Csv,
    /// The matrix as the model's JSON.
    Json,
}

/// The RBAC objects of a cluster for the Browse part of the access view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RbacBrowse {
    /// Roles, ClusterRoles, bindings, ServiceAccounts.
    pub overview: RbacOverview,
    /// Every subject named by a binding.
    pub subjects: Vec<SubjectRef>,
    /// The subject → binding → role graph (all namespaces).
    pub graph: RbacGraph,
    /// Seconds since the objects were read (they are cached per context).
    pub age_secs: u64,
}

/// A cell of the access view to select and explain, e.g. from a 403 elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessFocus {
    /// The namespace; `None` for the cluster scope.
    pub namespace: Option<String>,
    /// The resource as the matrix spells it (`pods`, `pods/log`, `deployments.apps`).
    pub resource: String,
    /// The verb.
    pub verb: String,
}

impl AccessFocus {
    /// The cell of an API server 403 (see [`crate::parse_forbidden`]); `None` for a denied
    /// non-resource URL.
    pub fn from_denied(d: &crate::Denied) -> Option<Self> {
        Self::from_action(&d.action())
    }

    /// The cell of a resource action (e.g. parsed from a 403's message); `None` for a
    /// non-resource URL, which has no cell in the resource matrix.
    pub fn from_action(action: &Action) -> Option<Self> {
        if !action.is_resource() {
            return None;
        }
        let mut resource = action.resource.clone();
        if !action.api_group.is_empty() {
            resource.push('.');
            resource.push_str(&action.api_group);
        }
        if !action.subresource.is_empty() {
            resource.push('/');
            resource.push_str(&action.subresource);
        }
        Some(Self {
            namespace: (!action.namespace.is_empty()).then(|| action.namespace.clone()),
            resource,
            verb: action.verb.clone(),
        })
    }
}
