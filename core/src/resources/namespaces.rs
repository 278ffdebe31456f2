//! The namespaces a user can pick from, also when they may not list namespaces.
//!
//! Kubernetes has no "namespaces I may use" query (kubernetes/kubernetes#61958): listing
//! namespaces is all or nothing, and tenants often may not. Then Loupe falls back to the
//! context's namespace plus those the user added by hand, and says so
//! ([`VisibleNamespaces::fell_back`]) instead of failing the whole view.

use super::api_error;
use crate::CoreError;
use crate::cluster::ContextClient;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use loupe_model::resources::VisibleNamespaces;

/// Every namespace, when the user may list them; else `context_namespace` (kubectl's
/// `default` when the context names none) plus `added`, with `fell_back` set and the 403
/// explained in `reason`. Other failures (the cluster is unreachable) are errors.
pub async fn visible_namespaces(
    cc: &ContextClient,
    context_namespace: Option<&str>,
    added: &[String],
) -> Result<VisibleNamespaces, CoreError> {
    let api: Api<Namespace> = Api::all(cc.client.clone());
    match api.list_metadata(&ListParams::default()).await {
        Ok(list) => {
            let mut names: Vec<String> = list
                .items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect();
            names.sort();
            Ok(VisibleNamespaces {
                names,
                fell_back: false,
                reason: None,
            })
        }
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let err = api_error(cc, kube::Error::Api(s));
            let mut names: Vec<String> = added
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(
                    context_namespace
                        .filter(|n| !n.is_empty())
                        .unwrap_or("default"),
                ))
                .map(str::to_string)
                .collect();
            names.sort();
            names.dedup();
            let mut reason = err.diagnose();
            reason.hint = Some(format!(
                "You may not list the cluster's namespaces, so Loupe shows {} and the ones you add. \
                 Namespaces exist that are not shown here; add one by name to open it.",
                context_namespace.filter(|n| !n.is_empty()).map_or_else(
                    || "\"default\"".to_string(),
                    |n| format!("your context's namespace \"{n}\"")
                )
            ));
            Ok(VisibleNamespaces {
                names,
                fell_back: true,
                reason: Some(reason),
            })
        }
        Err(e) => Err(api_error(cc, e)),
    }
}
