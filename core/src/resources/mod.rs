//! Discovery, listing (the server's Table format, as `kubectl get` prints it) and watching of
//! every kind of object, CRDs included.
//!
//! - [`discover`]: every resource the server serves ([`loupe_model::resources::ApiDiscovery`]), from
//!   aggregated discovery (2 requests) or the legacy per-group form.
//! - [`discovery_updates`]: discovery again whenever CRDs change.
//! - [`resolve`]: a user's `KIND` argument to a resource, exactly as kubectl resolves it.
//! - [`list_table`] / [`get_table`]: rows and columns as `kubectl get` shows them;
//!   [`list_objects`] / [`get_object`]: full objects (for `-o json|yaml`).
//! - [`print`](mod@print): kubectl's text output of tables, names, JSON and YAML.
//! - [`watch_table`]: a snapshot and then batched deltas for a live table.
//! - [`change`]: edit (dry-run diff, replace), create, delete, scale, rollout restart, the
//!   permissions that gate them and the local action log.
//! - [`visible_namespaces`]: what a user can pick, falling back when listing is forbidden.
//!
//! Every function takes a [`ContextClient`] so failures come back diagnosed
//! ([`CoreError::Cluster`]) against the context they happened in.

pub mod change;
pub mod discovery;
pub mod namespaces;
pub mod print;
pub mod table;
pub mod view;
pub mod watch;

pub use discovery::{Resolved, discover, discovery_updates, expand_category, resolve};
pub use namespaces::visible_namespaces;
pub use table::{get_object, get_table, list_objects, list_table};
pub use watch::{TableWatch, WatchOptions, watch_table};

use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};

/// A failed request to `cc`'s API server, diagnosed.
pub(crate) fn api_error(cc: &ContextClient, e: kube::Error) -> CoreError {
    CoreError::cluster(ClusterError::Kube(e), &cc.target)
}

/// The HTTP status of an API error (`404`, `403`, `410`), if the server answered with one.
pub fn status_code(err: &CoreError) -> Option<u16> {
    err.api_status().map(|s| s.code)
}

/// The error as kubectl prints it (its `StandardErrorMessage`): `Error from server (NotFound):
/// pods "x" not found`, `error: You must be logged in to the server (Unauthorized)`, or
/// `error: ...` for anything else.
pub fn kubectl_message(err: &CoreError) -> String {
    // Proxies answer with HTML; kube-rs then invents this reason. kubectl prints the body,
    // which the diagnosis says better.
    if let Some(s) = err
        .api_status()
        .filter(|s| s.reason != "Failed to parse error data")
    {
        return if s.reason == "Unauthorized" {
            format!("error: You must be logged in to the server ({})", s.message)
        } else if s.reason.is_empty() {
            format!("Error from server: {}", s.message)
        } else {
            format!("Error from server ({}): {}", s.reason, s.message)
        };
    }
    if let CoreError::Cluster { diagnosis, .. } = err
        && let Some(k) = &diagnosis.kubectl_says
    {
        return k.clone();
    }
    let msg = err.to_string();
    if msg.starts_with("error: ") {
        msg
    } else {
        format!("error: {msg}")
    }
}

/// A label selector in kubectl's text form (`app=web,tier in (a,b),!canary`).
pub fn selector_string(
    sel: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => format!("{} {other} ({values})", e.key),
        });
    }
    parts.join(",")
}
