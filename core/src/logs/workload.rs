//! Workloads as sets of pods: the label selector of a Deployment, StatefulSet, DaemonSet, Job,
//! ReplicaSet or Service, and the pod kubectl picks from them.

use super::errors::get_failure;
use super::pods::by_logging;
use super::source::{Backend, KubeBackend};
use crate::CoreError;
use crate::cluster::{ContextClient, Target};
use crate::resources::selector_string;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::Api;
use loupe_model::logs::{LogProblem, WorkloadKind};
use std::collections::BTreeMap;

/// kubectl's resource names for the kinds `kubectl logs TYPE/NAME` accepts (singular, plural,
/// short name, with or without the group), lowercase.
pub fn parse_kind(s: &str) -> Option<WorkloadKind> {
    let lower = s.to_ascii_lowercase();
    let (name, group) = lower.split_once('.').unwrap_or((&lower, ""));
    let (kind, groups): (WorkloadKind, &[&str]) = match name {
        "pod" | "pods" | "po" => (WorkloadKind::Pod, &[""]),
        "deployment" | "deployments" | "deploy" => (WorkloadKind::Deployment, &["apps"]),
        "statefulset" | "statefulsets" | "sts" => (WorkloadKind::StatefulSet, &["apps"]),
        "daemonset" | "daemonsets" | "ds" => (WorkloadKind::DaemonSet, &["apps"]),
        "replicaset" | "replicasets" | "rs" => (WorkloadKind::ReplicaSet, &["apps"]),
        "job" | "jobs" => (WorkloadKind::Job, &["batch"]),
        "service" | "services" | "svc" => (WorkloadKind::Service, &[""]),
        _ => return None,
    };
    // `deployments.apps` and `deployments.v1.apps` name the same resource.
    let group = group.strip_prefix("v1.").unwrap_or(group);
    (group.is_empty() || groups.contains(&group)).then_some(kind)
}

/// The `resource.group` kubectl names in messages (`deployments.apps "x" not found`).
pub fn resource_name(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Pod => "pods",
        WorkloadKind::Deployment => "deployments.apps",
        WorkloadKind::StatefulSet => "statefulsets.apps",
        WorkloadKind::DaemonSet => "daemonsets.apps",
        WorkloadKind::ReplicaSet => "replicasets.apps",
        WorkloadKind::Job => "jobs.batch",
        WorkloadKind::Service => "services",
    }
}

fn map_selector(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads one namespaced object; 404 in kubectl's words.
async fn fetch<K>(
    client: &kube::Client,
    target: &Target,
    namespace: &str,
    name: &str,
) -> Result<K, CoreError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|e| get_failure(e, target, namespace, LogProblem::WorkloadNotFound))
}

/// The label selector of a workload object (a pod's is its labels; views of one pod use
/// [`super::PodSet::Named`] instead).
pub async fn selector_of(
    client: &kube::Client,
    target: &Target,
    namespace: &str,
    kind: WorkloadKind,
    name: &str,
) -> Result<String, CoreError> {
    let (c, t, ns) = (client, target, namespace);
    let sel = match kind {
        WorkloadKind::Deployment => fetch::<Deployment>(c, t, ns, name)
            .await?
            .spec
            .map(|s| selector_string(&s.selector)),
        WorkloadKind::StatefulSet => fetch::<StatefulSet>(c, t, ns, name)
            .await?
            .spec
            .map(|s| selector_string(&s.selector)),
        WorkloadKind::DaemonSet => fetch::<DaemonSet>(c, t, ns, name)
            .await?
            .spec
            .map(|s| selector_string(&s.selector)),
        WorkloadKind::ReplicaSet => fetch::<ReplicaSet>(c, t, ns, name)
            .await?
            .spec
            .map(|s| selector_string(&s.selector)),
        WorkloadKind::Job => fetch::<Job>(c, t, ns, name)
            .await?
            .spec
            .and_then(|s| s.selector)
            .map(|s| selector_string(&s)),
        WorkloadKind::Service => fetch::<Service>(c, t, ns, name)
            .await?
            .spec
            .and_then(|s| s.selector)
            .map(|m| map_selector(&m)),
        WorkloadKind::Pod => fetch::<Pod>(c, t, ns, name)
            .await?
            .metadata
            .labels
            .map(|m| map_selector(&m)),
    };
    match sel {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(CoreError::Logs {
            problem: LogProblem::InvalidRequest,
            message: format!(
                "cannot get the logs from {}: selector for {name} is empty",
                resource_name(kind)
            ),
        }),
    }
}

/// The pod `kubectl logs TYPE/NAME` reads (kubectl's `ByLogging` order) and how many pods the
/// object has. While it has none, waits up to `wait` for one to appear (kubectl's
/// `--pod-running-timeout`, 20 s by default), then fails as kubectl does.
pub async fn first_pod(
    cc: &ContextClient,
    namespace: &str,
    kind: WorkloadKind,
    name: &str,
    wait: std::time::Duration,
) -> Result<(String, usize), CoreError> {
    let backend = KubeBackend::new(cc);
    let selector = backend.selector_of(namespace, kind, name).await?;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // By name, as the server lists them: Go's sort of a handful of pods is an insertion
        // sort, which keeps that order for ties, as this stable sort does.
        let mut pods = backend
            .list_pods(namespace, &selector)
            .await
            .map_err(|e| get_failure(e, &cc.target, namespace, LogProblem::Other))?;
        pods.sort_by(by_logging);
        let count = pods.len();
        if let Some(pod) = pods.into_iter().next().and_then(|p| p.metadata.name) {
            return Ok((pod, count));
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            // kubectl's words when its watch for a first pod times out.
            return Err(CoreError::Logs {
                problem: LogProblem::PodNotFound,
                message: "timed out waiting for the condition".into(),
            });
        }
        // Polling a list is enough here: the answer is the same as kubectl's watch, a
        // fraction of a second later at most.
        tokio::time::sleep((deadline - now).min(std::time::Duration::from_millis(250))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_as_kubectl_spells_them() {
        assert_eq!(parse_kind("deploy"), Some(WorkloadKind::Deployment));
        assert_eq!(
            parse_kind("Deployments.apps"),
            Some(WorkloadKind::Deployment)
        );
        assert_eq!(
            parse_kind("deployments.v1.apps"),
            Some(WorkloadKind::Deployment)
        );
        assert_eq!(parse_kind("sts"), Some(WorkloadKind::StatefulSet));
        assert_eq!(parse_kind("ds"), Some(WorkloadKind::DaemonSet));
        assert_eq!(parse_kind("job.batch"), Some(WorkloadKind::Job));
        assert_eq!(parse_kind("svc"), Some(WorkloadKind::Service));
        assert_eq!(parse_kind("po"), Some(WorkloadKind::Pod));
        assert_eq!(parse_kind("deploy.batch"), None);
        assert_eq!(parse_kind("foo"), None);
    }

    #[test]
    fn selectors_in_kubectl_syntax() {
        let sel: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector =
            serde_json::from_value(serde_json::json!({
                "matchLabels": {"app": "web", "tier": "front"},
                "matchExpressions": [
                    {"key": "env", "operator": "In", "values": ["a", "b"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "zone", "operator": "Exists"},
                    {"key": "x", "operator": "NotIn", "values": ["y"]},
                ],
            }))
            .unwrap();
        assert_eq!(
            selector_string(&sel),
            "app=web,tier=front,env in (a,b),!canary,zone,x notin (y)"
        );
    }
}
