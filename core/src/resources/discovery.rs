//! Every resource the API server serves, and kubectl's resolution of a `KIND` argument.
//!
//! kube-rs's `Discovery::run_aggregated()` would do the requests, but its `ApiResource` drops
//! short names, singular names and categories, which kubectl's resolution needs. So Loupe makes
//! the same two requests itself (kube-rs's `list_*_aggregated` calls, `GET /api` and `GET /apis`
//! with the aggregated Accept header) and keeps every field; servers without aggregated
//! discovery (before 1.26) get the legacy form, one request per group version, run concurrently.

use super::api_error;
use crate::CoreError;
use crate::cluster::ContextClient;
use futures::future::join_all;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList, APIVersions};
use kube::core::discovery::v2::{ACCEPT_AGGREGATED_DISCOVERY_V2, APIGroupDiscoveryList};
use loupe_model::resources::{ApiDiscovery, ApiResource, DiscoveryFailure, ResourceCategory};
use serde_json::Value;

/// Reads every resource `cc`'s server serves, CRDs and aggregated APIs included.
///
/// Group versions that fail (an aggregated API server that is down, or marked stale in
/// aggregated discovery) are reported in [`ApiDiscovery::failures`]; the rest is returned. Only
/// a failure of the core requests (`/api`, `/apis`) is an error.
pub async fn discover(cc: &ContextClient) -> Result<ApiDiscovery, CoreError> {
    let core = get_json(cc, "/api", ACCEPT_AGGREGATED_DISCOVERY_V2).await?;
    if core.get("kind").and_then(Value::as_str) == Some("APIGroupDiscoveryList") {
        let apis = get_json(cc, "/apis", ACCEPT_AGGREGATED_DISCOVERY_V2).await?;
        let parse = |v: Value| -> Result<APIGroupDiscoveryList, CoreError> {
            serde_json::from_value(v).map_err(|e| api_error(cc, kube::Error::SerdeError(e)))
        };
        let mut lists = vec![parse(core)?];
        lists.push(parse(apis)?);
        return Ok(from_aggregated(&lists));
    }
    legacy(cc, core).await
}

async fn get_json(cc: &ContextClient, path: &str, accept: &str) -> Result<Value, CoreError> {
    let req = http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(|e| api_error(cc, kube::Error::HttpError(e)))?;
    cc.client
        .request::<Value>(req)
        .await
        .map_err(|e| api_error(cc, e))
}

/// Discovery again whenever CustomResourceDefinitions change (a CRD added, established,
/// edited or removed), for as long as the stream is kept: a fresh [`ApiDiscovery`] (or the
/// error of that attempt) after each burst of changes, never the initial state. `None` when the
/// server serves no CRDs. Users who may not list CRDs get a stream that ends at once; refresh
/// by calling [`discover`] then.
pub fn discovery_updates(
    cc: ContextClient,
    current: &ApiDiscovery,
) -> Option<impl futures::Stream<Item = Result<ApiDiscovery, CoreError>> + use<>> {
    use super::watch::{WatchOptions, watch_table};
    use loupe_model::resources::{NamespaceScope, TableDelta, WatchState};
    let crd = current
        .find("apiextensions.k8s.io", "customresourcedefinitions")?
        .clone();
    let opts = WatchOptions {
        // A CRD is created, then established moments later: one rediscovery for both.
        batch_window: std::time::Duration::from_millis(1500),
        ..WatchOptions::default()
    };
    let watch = watch_table(cc.clone(), crd, NamespaceScope::All, opts);
    Some(futures::stream::unfold(
        (watch, cc, false),
        |(mut watch, cc, mut synced)| async move {
            loop {
                match watch.next_delta().await? {
                    TableDelta::Synced { .. } => synced = true,
                    TableDelta::Changes { .. } if synced => {
                        let d = discover(&cc).await;
                        return Some((d, (watch, cc, synced)));
                    }
                    TableDelta::Status {
                        state: WatchState::Failed,
                        ..
                    } => return None,
                    _ => {}
                }
            }
        },
    ))
}

/// Builds the model from aggregated discovery documents (`/api` first, then `/apis`).
pub fn from_aggregated(lists: &[APIGroupDiscoveryList]) -> ApiDiscovery {
    let mut out = ApiDiscovery {
        aggregated: true,
        ..Default::default()
    };
    for list in lists {
        for group in &list.items {
            let gname = group
                .metadata
                .as_ref()
                .and_then(|m| m.name.clone())
                .unwrap_or_default();
            for ver in &group.versions {
                let version = ver.version.clone().unwrap_or_default();
                if ver.freshness.as_deref() == Some("Stale") {
                    out.failures.push(DiscoveryFailure {
                        group_version: join_gv(&gname, &version),
                        message: "the server reports this API as stale (its aggregated API \
                                  server may be unavailable)"
                            .into(),
                    });
                    continue;
                }
                for r in &ver.resources {
                    let Some(plural) = r.resource.clone() else {
                        continue;
                    };
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
                    out.resources.push(ApiResource {
                        category: category(&gname, &plural),
                        group: gname.clone(),
                        version: version.clone(),
                        kind,
                        plural,
                        singular,
                        short_names: r.short_names.clone(),
                        categories: r.categories.clone(),
                        namespaced: r.scope.as_deref() == Some("Namespaced"),
                        verbs: r.verbs.clone(),
                        subresources: r
                            .subresources
                            .iter()
                            .filter_map(|s| s.subresource.clone())
                            .collect(),
                        preferred: false,
                    });
                }
            }
        }
    }
    mark_preferred(&mut out.resources);
    out
}

async fn legacy(cc: &ContextClient, core: Value) -> Result<ApiDiscovery, CoreError> {
    let versions: APIVersions = match serde_json::from_value(core) {
        Ok(v) => v,
        Err(_) => {
            let v = get_json(cc, "/api", "application/json").await?;
            serde_json::from_value(v).map_err(|e| api_error(cc, kube::Error::SerdeError(e)))?
        }
    };
    let groups: APIGroupList =
        serde_json::from_value(get_json(cc, "/apis", "application/json").await?)
            .map_err(|e| api_error(cc, kube::Error::SerdeError(e)))?;
    // (group, version, path) in kubectl's priority order: core, then each group's preferred
    // version followed by its other versions.
    let mut gvs: Vec<(String, String, String)> = versions
        .versions
        .iter()
        .map(|v| (String::new(), v.clone(), format!("/api/{v}")))
        .collect();
    for g in &groups.groups {
        let preferred = g.preferred_version.as_ref().map(|p| p.version.clone());
        let mut vs: Vec<&String> = g.versions.iter().map(|v| &v.version).collect();
        if let Some(p) = &preferred
            && let Some(i) = vs.iter().position(|v| *v == p)
        {
            let pv = vs.remove(i);
            vs.insert(0, pv);
        }
        for v in vs {
            gvs.push((g.name.clone(), v.clone(), format!("/apis/{}/{v}", g.name)));
        }
    }
    let fetched = join_all(
        gvs.iter()
            .map(|(_, _, path)| get_json(cc, path, "application/json")),
    )
    .await;
    let mut out = ApiDiscovery::default();
    for ((group, version, _), res) in gvs.into_iter().zip(fetched) {
        let list: Result<APIResourceList, String> = res
            .map_err(|e| e.to_string())
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()));
        match list {
            Ok(list) => push_legacy(&mut out.resources, &group, &version, list),
            Err(message) => out.failures.push(DiscoveryFailure {
                group_version: join_gv(&group, &version),
                message,
            }),
        }
    }
    mark_preferred(&mut out.resources);
    Ok(out)
}

fn push_legacy(out: &mut Vec<ApiResource>, group: &str, version: &str, list: APIResourceList) {
    let start = out.len();
    for r in list.resources {
        if let Some((parent, sub)) = r.name.split_once('/') {
            if let Some(p) = out[start..].iter_mut().find(|p| p.plural == parent) {
                p.subresources.push(sub.to_string());
            }
            continue;
        }
        let singular = if r.singular_name.is_empty() {
            r.kind.to_lowercase()
        } else {
            r.singular_name
        };
        out.push(ApiResource {
            category: category(group, &r.name),
            group: group.to_string(),
            version: version.to_string(),
            kind: r.kind,
            plural: r.name,
            singular,
            short_names: r.short_names.unwrap_or_default(),
            categories: r.categories.unwrap_or_default(),
            namespaced: r.namespaced,
            verbs: r.verbs,
            subresources: Vec::new(),
            preferred: false,
        });
    }
}

fn join_gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// The first occurrence of each group/resource (in priority order) is the one kubectl uses.
fn mark_preferred(resources: &mut [ApiResource]) {
    let mut seen = std::collections::HashSet::new();
    for r in resources {
        r.preferred = seen.insert((r.group.clone(), r.plural.clone()));
    }
}

/// Groups built into Kubernetes (plus metrics-server's well-known API). A kind from any other
/// group is a custom resource (CRD or an add-on's aggregated API), even under `*.k8s.io`
/// (`gateway.networking.k8s.io` and `snapshot.storage.k8s.io` are CRDs).
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "metrics.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// The Lens-style sidebar section of a resource.
pub fn category(group: &str, plural: &str) -> ResourceCategory {
    use ResourceCategory::*;
    if !BUILT_IN_GROUPS.contains(&group) {
        return CustomResources;
    }
    match (group, plural) {
        ("", "pods" | "replicationcontrollers" | "podtemplates") | ("apps", _) | ("batch", _) => {
            Workloads
        }
        ("", "services" | "endpoints") | ("discovery.k8s.io", _) | ("networking.k8s.io", _) => {
            Network
        }
        ("", "configmaps" | "secrets" | "resourcequotas" | "limitranges")
        | ("autoscaling", _)
        | ("policy", _)
        | ("scheduling.k8s.io", _)
        | ("node.k8s.io", _)
        | ("coordination.k8s.io", _)
        | ("admissionregistration.k8s.io", _) => Config,
        ("", "persistentvolumeclaims" | "persistentvolumes") | ("storage.k8s.io", _) => Storage,
        ("", "serviceaccounts") | ("rbac.authorization.k8s.io", _) => AccessControl,
        ("apiextensions.k8s.io", _) => CustomResources,
        _ => Cluster,
    }
}

/// A resolved `KIND` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The resource kubectl would use.
    pub resource: ApiResource,
    /// What kubectl warns about on the way (printed as `Warning: ...`), e.g. a short name that
    /// also matches a lower-priority resource.
    pub warnings: Vec<String>,
}

/// kubectl's category expansion (`all`, or a CRD's categories): the resources it stands for, as
/// `resource` or `resource.group`, in discovery order; `None` if `arg` is no category. kubectl
/// expands categories before it resolves names, so a category wins over a resource of the
/// same name.
pub fn expand_category(d: &ApiDiscovery, arg: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for r in &d.resources {
        if r.categories.iter().any(|c| c == arg) {
            let gr = r.group_resource();
            if !out.contains(&gr) {
                out.push(gr);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Resolves a `KIND` argument as kubectl does (its `Builder.mappingFor` over a shortcut-expanding,
/// priority-ordered REST mapper): plural, singular or short name, optionally qualified as
/// `resource.group` or `resource.version.group`, then the kind (`Deployment`,
/// `Deployment.apps`, `Deployment.v1.apps`). Among several matches the highest-priority one
/// wins (core first, then the server's group order, preferred versions first), as in kubectl.
///
/// Fails with kubectl's `the server doesn't have a resource type "foo"`.
pub fn resolve(d: &ApiDiscovery, arg: &str) -> Result<Resolved, CoreError> {
    let mut warnings = Vec::new();
    // 1. As a resource: `resource.version.group` first, then `resource.group`.
    let (gvr, (gr_resource, gr_group)) = parse_resource_arg(arg);
    if let Some((group, version, resource)) = gvr
        && let Some(r) = kind_for(d, group, Some(version), resource, &mut warnings)
    {
        return Ok(Resolved {
            resource: r.clone(),
            warnings,
        });
    }
    warnings.clear();
    if let Some(r) = kind_for(d, gr_group, None, gr_resource, &mut warnings) {
        return Ok(Resolved {
            resource: r.clone(),
            warnings,
        });
    }
    warnings.clear();
    // 2. As a kind.
    if arg.matches('.').count() >= 2 {
        let mut parts = arg.splitn(3, '.');
        let kind = parts.next().unwrap_or_default();
        let version = parts.next().unwrap_or_default();
        let group = parts.next().unwrap_or_default();
        if let Some(r) = d
            .resources
            .iter()
            .find(|r| r.group == group && r.version == version && kind_matches(r, kind))
        {
            return Ok(Resolved {
                resource: r.clone(),
                warnings,
            });
        }
    }
    let (kind, group) = arg.split_once('.').unwrap_or((arg, ""));
    if let Some(r) = d
        .resources
        .iter()
        .find(|r| r.group == group && kind_matches(r, kind))
    {
        return Ok(Resolved {
            resource: r.clone(),
            warnings,
        });
    }
    Err(CoreError::UnknownResourceType(gr_resource.to_string()))
}

/// kubectl maps both the kind and its lower-cased form.
fn kind_matches(r: &ApiResource, kind: &str) -> bool {
    r.kind == kind || r.kind.to_lowercase() == kind
}

type Gvr<'a> = (&'a str, &'a str, &'a str);

/// `schema.ParseResourceArg`: (group, version, resource) when there are two dots or more, and
/// (resource, group) split at the first dot.
fn parse_resource_arg(arg: &str) -> (Option<Gvr<'_>>, (&str, &str)) {
    let gvr = (arg.matches('.').count() >= 2).then(|| {
        let mut parts = arg.splitn(3, '.');
        let resource = parts.next().unwrap_or_default();
        let version = parts.next().unwrap_or_default();
        let group = parts.next().unwrap_or_default();
        (group, version, resource)
    });
    (gvr, arg.split_once('.').unwrap_or((arg, "")))
}

/// The shortcut expander (short names) and then the REST mapper's `KindFor` (plural or
/// singular, case-insensitive), first match in priority order.
fn kind_for<'a>(
    d: &'a ApiDiscovery,
    group: &str,
    version: Option<&str>,
    resource: &str,
    warnings: &mut Vec<String>,
) -> Option<&'a ApiResource> {
    let (group, version, resource) = expand_shortcut(d, group, version, resource, warnings);
    let lower = resource.to_lowercase();
    d.resources.iter().find(|r| {
        (group.is_empty() || r.group == group)
            && version
                .as_deref()
                .is_none_or(|v| v.is_empty() || r.version == v)
            && (r.plural == lower || r.singular == lower)
    })
}

/// client-go's `shortcutExpander.expandResourceShortcut`.
fn expand_shortcut(
    d: &ApiDiscovery,
    group: &str,
    version: Option<&str>,
    resource: &str,
    warnings: &mut Vec<String>,
) -> (String, Option<String>, String) {
    let unchanged = (
        group.to_string(),
        version.map(str::to_string),
        resource.to_string(),
    );
    // An exact plural or singular name is never expanded.
    if d.resources.iter().any(|r| {
        (group.is_empty() || r.group == group) && (r.plural == resource || r.singular == resource)
    }) {
        return unchanged;
    }
    let mut found: Option<(&str, &str)> = None;
    let mut warned = false;
    for r in &d.resources {
        if !group.is_empty() && r.group != group {
            continue;
        }
        if !r.short_names.iter().any(|s| s == resource) {
            continue;
        }
        match found {
            None => found = Some((&r.group, &r.plural)),
            Some((g, p)) if g == r.group && p == r.plural => {}
            Some(_) => {
                if !warned {
                    warnings.push(format!(
                        "short name \"{resource}\" could also match lower priority resource {}",
                        r.group_resource()
                    ));
                    warned = true;
                }
            }
        }
    }
    if let Some((g, p)) = found {
        // kubectl drops the version here.
        return (g.to_string(), None, p.to_string());
    }
    if group.is_empty() {
        return unchanged;
    }
    // `autoscal` matches `autoscaling`: a group prefix with a short name.
    for r in &d.resources {
        if r.group.starts_with(group) && r.short_names.iter().any(|s| s == resource) {
            return (
                r.group.clone(),
                version.map(str::to_string),
                r.plural.clone(),
            );
        }
    }
    unchanged
}

#[cfg(test)]
mod tests;
