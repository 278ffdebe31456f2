//! A small API catalogue and resource resolver for the RBAC commands.
//!
//! `kubectl auth can-i` resolves its TYPE argument with kubectl's RESTMapper (short names,
//! singular names, `resource.group`, `resource.version.group`, group prefixes, priority of the
//! core group and of preferred versions) and warns about unknown and cluster-scoped resources.
//! This module reproduces exactly that, on top of kube-rs' aggregated discovery (two requests),
//! with the per-group discovery as fallback for servers before 1.26.
//!
//! It is deliberately self-contained: when the shared discovery (`crate::resources`) lands, only
//! [`ApiCatalog::load`] needs to be swapped; the resolution rules stay.

use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};
use kube::core::discovery::v2::{APIGroupDiscovery, APIGroupDiscoveryList};

/// One resource as discovery describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResourceInfo {
    /// API group (`""` = core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Plural name (`deployments`).
    pub resource: String,
    /// Singular name (`deployment`); guessed from the kind when discovery has none.
    pub singular: String,
    /// Short names (`deploy`).
    pub short_names: Vec<String>,
    /// Kind (`Deployment`).
    pub kind: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs served.
    pub verbs: Vec<String>,
    /// Subresources: name and verbs.
    pub subresources: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone)]
struct GroupEntry {
    name: String,
    /// Preferred version first.
    versions: Vec<(String, Vec<ApiResourceInfo>)>,
}

/// The API groups, versions and resources a server offers, in discovery order (core first,
/// then the groups as the server lists them, preferred version first).
#[derive(Debug, Clone, Default)]
pub struct ApiCatalog {
    groups: Vec<GroupEntry>,
}

/// A resource argument resolved as kubectl resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// API group.
    pub group: String,
    /// Version (empty when unresolved).
    pub version: String,
    /// Resource; for an unknown argument, the argument itself (as kubectl sends it).
    pub resource: String,
    /// Whether discovery knows it.
    pub known: bool,
}

/// A (group, version, resource) request as kubectl's mapper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Gvr {
    group: String,
    version: String,
    resource: String,
}

impl ApiCatalog {
    /// Discovers the server's APIs: aggregated discovery (two requests), else one request per
    /// group version.
    pub async fn load(cc: &ContextClient) -> Result<Self, CoreError> {
        let client = &cc.client;
        let (core, apis) = tokio::join!(
            client.list_core_api_versions_aggregated(),
            client.list_api_groups_aggregated()
        );
        if let (Ok(core), Ok(apis)) = (core, apis)
            && !core.items.is_empty()
        {
            return Ok(Self::from_aggregated(&core, &apis));
        }
        Self::load_legacy(cc).await
    }

    async fn load_legacy(cc: &ContextClient) -> Result<Self, CoreError> {
        let client = cc.client.clone();
        let err = |e| CoreError::cluster(ClusterError::Kube(e), &cc.target);
        let core = client.list_core_api_versions().await.map_err(err)?;
        let groups = client.list_api_groups().await.map_err(err)?;
        let mut set = tokio::task::JoinSet::new();
        let mut order: Vec<(String, Vec<String>)> = Vec::new();
        order.push((String::new(), core.versions.clone()));
        for v in core.versions {
            let c = client.clone();
            set.spawn(async move {
                let r = c.list_core_api_resources(&v).await;
                (String::new(), v, r)
            });
        }
        for g in groups.groups {
            let mut versions: Vec<String> = Vec::new();
            if let Some(p) = &g.preferred_version {
                versions.push(p.version.clone());
            }
            for v in &g.versions {
                if !versions.contains(&v.version) {
                    versions.push(v.version.clone());
                }
            }
            for v in &g.versions {
                let c = client.clone();
                let gv = v.group_version.clone();
                let (name, ver) = (g.name.clone(), v.version.clone());
                set.spawn(async move {
                    let r = c.list_api_group_resources(&gv).await;
                    (name, ver, r)
                });
            }
            order.push((g.name, versions));
        }
        let mut lists = std::collections::HashMap::new();
        while let Some(joined) = set.join_next().await {
            let Ok((group, version, result)) = joined else {
                continue;
            };
            // A broken aggregated API must not hide the rest (kubectl also carries on).
            if let Ok(list) = result {
                lists.insert((group, version), list);
            }
        }
        let mut catalog = ApiCatalog::default();
        for (group, versions) in order {
            let mut entry = GroupEntry {
                name: group.clone(),
                versions: Vec::new(),
            };
            for version in versions {
                let Some(list) = lists.remove(&(group.clone(), version.clone())) else {
                    continue;
                };
                let mut resources: Vec<ApiResourceInfo> = Vec::new();
                for r in &list.resources {
                    if let Some((parent, sub)) = r.name.split_once('/') {
                        if let Some(p) = resources.iter_mut().find(|p| p.resource == parent) {
                            p.subresources.push((sub.to_string(), r.verbs.clone()));
                        }
                        continue;
                    }
                    let singular = if r.singular_name.is_empty() {
                        r.kind.to_lowercase()
                    } else {
                        r.singular_name.clone()
                    };
                    resources.push(ApiResourceInfo {
                        group: group.clone(),
                        version: version.clone(),
                        resource: r.name.clone(),
                        singular,
                        short_names: r.short_names.clone().unwrap_or_default(),
                        kind: r.kind.clone(),
                        namespaced: r.namespaced,
                        verbs: r.verbs.clone(),
                        subresources: Vec::new(),
                    });
                }
                entry.versions.push((version, resources));
            }
            catalog.groups.push(entry);
        }
        Ok(catalog)
    }

    /// Builds the catalogue from aggregated discovery answers (`/api` and `/apis`).
    pub fn from_aggregated(core: &APIGroupDiscoveryList, apis: &APIGroupDiscoveryList) -> Self {
        let mut catalog = ApiCatalog::default();
        for g in core.items.iter().chain(apis.items.iter()) {
            catalog.groups.push(group_from_v2(g));
        }
        catalog
    }

    /// A catalogue from a list of resources (for tests and offline use); groups keep the order
    /// of first appearance, versions too.
    pub fn from_resources(resources: Vec<ApiResourceInfo>) -> Self {
        let mut catalog = ApiCatalog::default();
        for r in resources {
            let gi = match catalog.groups.iter().position(|g| g.name == r.group) {
                Some(i) => i,
                None => {
                    catalog.groups.push(GroupEntry {
                        name: r.group.clone(),
                        versions: Vec::new(),
                    });
                    catalog.groups.len() - 1
                }
            };
            let g = &mut catalog.groups[gi];
            match g.versions.iter_mut().find(|(v, _)| *v == r.version) {
                Some((_, list)) => list.push(r),
                None => g.versions.push((r.version.clone(), vec![r])),
            }
        }
        catalog
    }

    /// Every resource of every version, in discovery order.
    fn all(&self) -> impl Iterator<Item = &ApiResourceInfo> {
        self.groups
            .iter()
            .flat_map(|g| g.versions.iter().flat_map(|(_, rs)| rs.iter()))
    }

    /// One entry per (group, resource): the preferred version's, else the first version that
    /// has it. In discovery order.
    pub fn preferred_resources(&self) -> Vec<&ApiResourceInfo> {
        let mut out: Vec<&ApiResourceInfo> = Vec::new();
        for g in &self.groups {
            let mut seen = std::collections::HashSet::new();
            for (_, rs) in &g.versions {
                for r in rs {
                    if seen.insert(r.resource.as_str()) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }

    /// Group names in discovery order.
    pub fn group_names(&self) -> Vec<&str> {
        self.groups.iter().map(|g| g.name.as_str()).collect()
    }

    /// The discovery entry of an exact (group, version, resource).
    pub fn get(&self, group: &str, version: &str, resource: &str) -> Option<&ApiResourceInfo> {
        self.all()
            .find(|r| r.group == group && r.version == version && r.resource == resource)
    }

    /// The entry of (group, resource) in its preferred version.
    pub fn find(&self, group: &str, resource: &str) -> Option<&ApiResourceInfo> {
        self.all()
            .find(|r| r.group == group && r.resource == resource)
    }

    /// Resolves `kubectl auth can-i`'s TYPE argument (the part before `/NAME`) exactly as kubectl
    /// does. Returns the resolution and kubectl's warning when the server has no such type.
    ///
    /// An unknown type is sent as given (not lower-cased) with an empty group, as kubectl does;
    /// `users` and `groups` (impersonation targets that discovery does not list) resolve quietly.
    pub fn resolve_type(&self, arg: &str) -> (Resolved, Option<String>) {
        if arg == "*" {
            return (
                Resolved {
                    group: String::new(),
                    version: String::new(),
                    resource: "*".into(),
                    known: false,
                },
                None,
            );
        }
        let lower = arg.to_lowercase();
        let (full, gr) = parse_resource_arg(&lower);
        let mut found = full.and_then(|f| self.resource_for(&f));
        if found.is_none() {
            found = self.resource_for(&Gvr {
                group: gr.group.clone(),
                version: String::new(),
                resource: gr.resource.clone(),
            });
        }
        match found {
            Some(r) => (
                Resolved {
                    group: r.group.clone(),
                    version: r.version.clone(),
                    resource: r.resource.clone(),
                    known: true,
                },
                None,
            ),
            None => {
                let gr_string = if gr.group.is_empty() {
                    gr.resource.clone()
                } else {
                    format!("{}.{}", gr.resource, gr.group)
                };
                let warning = (!matches!(gr_string.as_str(), "users" | "groups")).then(|| {
                    if gr.group.is_empty() {
                        format!("the server doesn't have a resource type '{}'", gr.resource)
                    } else {
                        format!(
                            "the server doesn't have a resource type '{}' in group '{}'",
                            gr.resource, gr.group
                        )
                    }
                });
                (
                    Resolved {
                        group: String::new(),
                        version: String::new(),
                        resource: arg.to_string(),
                        known: false,
                    },
                    warning,
                )
            }
        }
    }

    /// Whether a resolved resource is namespaced (`None` when discovery does not know it).
    pub fn is_namespaced(&self, r: &Resolved) -> Option<bool> {
        if !r.known {
            return None;
        }
        self.get(&r.group, &r.version, &r.resource)
            .map(|i| i.namespaced)
    }

    /// kubectl's shortcut expander followed by its priority REST mapper.
    fn resource_for(&self, input: &Gvr) -> Option<&ApiResourceInfo> {
        let expanded = self.expand_shortcut(input);
        let matches = self.resources_for(&expanded);
        match matches.len() {
            0 => None,
            1 => Some(matches[0]),
            _ => {
                let ranked: Vec<(usize, &ApiResourceInfo)> =
                    matches.iter().map(|r| (self.rank(r), *r)).collect();
                let best = ranked.iter().map(|(k, _)| *k).min()?;
                let top: Vec<&ApiResourceInfo> = ranked
                    .iter()
                    .filter(|(k, _)| *k == best)
                    .map(|(_, r)| *r)
                    .collect();
                // Two resources of one group version matching the same word is ambiguous.
                (top.len() == 1).then(|| top[0])
            }
        }
    }

    /// Position in kubectl's resource priority: core v1 first, then each group's preferred
    /// version, then its other versions, in discovery order.
    fn rank(&self, r: &ApiResourceInfo) -> usize {
        if r.group.is_empty() && r.version == "v1" {
            return 0;
        }
        let mut i = 1;
        for g in &self.groups {
            for (v, _) in &g.versions {
                if g.name == r.group && *v == r.version {
                    return i;
                }
                i += 1;
            }
        }
        usize::MAX
    }

    /// `DefaultRESTMapper.ResourcesFor` over every group version (`MultiRESTMapper`).
    fn resources_for(&self, input: &Gvr) -> Vec<&ApiResourceInfo> {
        let res = input.resource.as_str();
        let word = |r: &ApiResourceInfo| r.resource == res || r.singular == res;
        let mut out: Vec<&ApiResourceInfo> =
            match (input.group.is_empty(), input.version.is_empty()) {
                (false, false) => self
                    .all()
                    .filter(|r| r.group == input.group && r.version == input.version && word(r))
                    .collect(),
                (false, true) => {
                    let exact: Vec<_> = self
                        .all()
                        .filter(|r| r.group == input.group && word(r))
                        .collect();
                    if exact.is_empty() {
                        // `storageclass.storage` finds `storage.k8s.io`.
                        self.all()
                            .filter(|r| r.group.starts_with(&input.group) && word(r))
                            .collect()
                    } else {
                        exact
                    }
                }
                (true, false) => self
                    .all()
                    .filter(|r| r.version == input.version && word(r))
                    .collect(),
                (true, true) => self.all().filter(|r| word(r)).collect(),
            };
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert((r.group.clone(), r.version.clone(), r.resource.clone())));
        out
    }

    /// `shortcutExpander.expandResourceShortcut`.
    fn expand_shortcut(&self, input: &Gvr) -> Gvr {
        let group_ok = |g: &str| input.group.is_empty() || input.group == g;
        // An exact resource or singular name wins over any short name.
        if self.all().any(|r| {
            group_ok(&r.group) && (input.resource == r.resource || input.resource == r.singular)
        }) {
            return input.clone();
        }
        let shortcuts: Vec<(&str, &str, &str)> = self
            .all()
            .flat_map(|r| {
                r.short_names
                    .iter()
                    .map(move |s| (r.group.as_str(), s.as_str(), r.resource.as_str()))
            })
            .collect();
        for (group, short, long) in &shortcuts {
            if group_ok(group) && input.resource == *short {
                return Gvr {
                    group: group.to_string(),
                    version: input.version.clone(),
                    resource: long.to_string(),
                };
            }
        }
        if input.group.is_empty() {
            return input.clone();
        }
        for (group, short, long) in &shortcuts {
            if group.starts_with(&input.group) && input.resource == *short {
                return Gvr {
                    group: group.to_string(),
                    version: input.version.clone(),
                    resource: long.to_string(),
                };
            }
        }
        input.clone()
    }
}

fn group_from_v2(g: &APIGroupDiscovery) -> GroupEntry {
    let name = g
        .metadata
        .as_ref()
        .and_then(|m| m.name.clone())
        .unwrap_or_default();
    let versions = g
        .versions
        .iter()
        .map(|v| {
            let version = v.version.clone().unwrap_or_default();
            let resources = v
                .resources
                .iter()
                .map(|r| {
                    let kind = r
                        .response_kind
                        .as_ref()
                        .and_then(|k| k.kind.clone())
                        .unwrap_or_default();
                    let singular = r
                        .singular_resource
                        .clone()
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| kind.to_lowercase());
                    ApiResourceInfo {
                        group: name.clone(),
                        version: version.clone(),
                        resource: r.resource.clone().unwrap_or_default(),
                        singular,
                        short_names: r.short_names.clone(),
                        kind,
                        namespaced: r.scope.as_deref() == Some("Namespaced"),
                        verbs: r.verbs.clone(),
                        subresources: r
                            .subresources
                            .iter()
                            .map(|s| (s.subresource.clone().unwrap_or_default(), s.verbs.clone()))
                            .collect(),
                    }
                })
                .collect();
            (version, resources)
        })
        .collect();
    GroupEntry { name, versions }
}

/// `schema.GroupResource` as kubectl parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GroupResource {
    group: String,
    resource: String,
}

/// `schema.ParseResourceArg`: `a.b.c...` with two or more dots is also read as
/// resource.version.group; the group resource is split at the first dot.
fn parse_resource_arg(arg: &str) -> (Option<Gvr>, GroupResource) {
    let full = (arg.matches('.').count() >= 2).then(|| {
        let mut it = arg.splitn(3, '.');
        let resource = it.next().unwrap_or_default().to_string();
        let version = it.next().unwrap_or_default().to_string();
        let group = it.next().unwrap_or_default().to_string();
        Gvr {
            group,
            version,
            resource,
        }
    });
    let gr = match arg.split_once('.') {
        Some((r, g)) => GroupResource {
            group: g.to_string(),
            resource: r.to_string(),
        },
        None => GroupResource {
            group: String::new(),
            resource: arg.to_string(),
        },
    };
    (full, gr)
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub(crate) fn res(
        group: &str,
        version: &str,
        plural: &str,
        kind: &str,
        short: &[&str],
        ns: bool,
    ) -> ApiResourceInfo {
        ApiResourceInfo {
            group: group.into(),
            version: version.into(),
            resource: plural.into(),
            singular: kind.to_lowercase(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            kind: kind.into(),
            namespaced: ns,
            verbs: vec!["get".into(), "list".into()],
            subresources: Vec::new(),
        }
    }

    pub(crate) fn catalog() -> ApiCatalog {
        ApiCatalog::from_resources(vec![
            res("", "v1", "pods", "Pod", &["po"], true),
            res("", "v1", "nodes", "Node", &["no"], false),
            res("", "v1", "events", "Event", &["ev"], true),
            res("", "v1", "configmaps", "ConfigMap", &["cm"], true),
            res("apps", "v1", "deployments", "Deployment", &["deploy"], true),
            res("events.k8s.io", "v1", "events", "Event", &["ev"], true),
            res(
                "storage.k8s.io",
                "v1",
                "storageclasses",
                "StorageClass",
                &["sc"],
                false,
            ),
            res(
                "autoscaling",
                "v2",
                "horizontalpodautoscalers",
                "HorizontalPodAutoscaler",
                &["hpa"],
                true,
            ),
            res(
                "autoscaling",
                "v1",
                "horizontalpodautoscalers",
                "HorizontalPodAutoscaler",
                &["hpa"],
                true,
            ),
            res(
                "demo.loupe.dev",
                "v1alpha1",
                "widgets",
                "Widget",
                &["wdg"],
                true,
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::catalog;

    fn resolve(arg: &str) -> (String, String, String, Option<String>) {
        let (r, w) = catalog().resolve_type(arg);
        (r.group, r.version, r.resource, w)
    }

    #[test]
    fn short_singular_kind_and_group_forms() {
        assert_eq!(resolve("deploy").2, "deployments");
        assert_eq!(resolve("deploy").0, "apps");
        assert_eq!(resolve("Deployment").2, "deployments");
        assert_eq!(resolve("deployment.apps").0, "apps");
        assert_eq!(resolve("deployments.v1.apps").1, "v1");
        assert_eq!(resolve("wdg").0, "demo.loupe.dev");
        assert_eq!(resolve("widgets.demo").0, "demo.loupe.dev");
        assert_eq!(resolve("sc.storage").2, "storageclasses");
        assert_eq!(resolve("nodes.v1.").2, "nodes");
    }

    #[test]
    fn core_group_and_preferred_version_win() {
        // events exist in core and events.k8s.io: core v1 comes first.
        assert_eq!(resolve("events").0, "");
        assert_eq!(resolve("events.events.k8s.io").0, "events.k8s.io");
        // The preferred (first listed) version wins.
        assert_eq!(resolve("hpa").1, "v2");
    }

    #[test]
    fn unknown_types_warn_like_kubectl() {
        let (g, _, r, w) = resolve("Foos");
        assert_eq!((g.as_str(), r.as_str()), ("", "Foos"));
        assert_eq!(
            w.as_deref(),
            Some("the server doesn't have a resource type 'foos'")
        );
        let (_, _, r, w) = resolve("foos.bar");
        assert_eq!(r, "foos.bar");
        assert_eq!(
            w.as_deref(),
            Some("the server doesn't have a resource type 'foos' in group 'bar'")
        );
        assert_eq!(resolve("users").3, None);
        assert_eq!(resolve("groups").3, None);
        assert_eq!(resolve("*").2, "*");
    }

    #[test]
    fn scope_comes_from_discovery() {
        let c = catalog();
        assert_eq!(c.is_namespaced(&c.resolve_type("no").0), Some(false));
        assert_eq!(c.is_namespaced(&c.resolve_type("po").0), Some(true));
        assert_eq!(c.is_namespaced(&c.resolve_type("nope").0), None);
    }
}
