//! What a log view needs to know about a pod: its containers and their states, the container
//! kubectl picks by default, whether a log can be read yet, and short labels.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use loupe_model::logs::{
    ContainerInfo, ContainerKind, ContainerState, DefaultContainerFrom, PodContainers,
};
use std::cmp::Ordering;

/// kubectl's annotation naming the container to use when none is given.
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

/// The containers of `pod` with their states, in kubectl's listing order (regular, ephemeral,
/// init), and the default container.
pub fn pod_containers(pod: &Pod) -> PodContainers {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let find = |list: &Option<Vec<ContainerStatus>>, name: &str| {
        list.as_ref()
            .and_then(|l| l.iter().find(|s| s.name == name).cloned())
    };
    let mut containers = Vec::new();
    for c in &spec.containers {
        containers.push(info(
            &c.name,
            ContainerKind::Regular,
            false,
            c.image.clone(),
            find(&status.container_statuses, &c.name),
        ));
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        containers.push(info(
            &c.name,
            ContainerKind::Ephemeral,
            false,
            c.image.clone(),
            find(&status.ephemeral_container_statuses, &c.name),
        ));
    }
    for c in spec.init_containers.iter().flatten() {
        containers.push(info(
            &c.name,
            ContainerKind::Init,
            c.restart_policy.as_deref() == Some("Always"),
            c.image.clone(),
            find(&status.init_container_statuses, &c.name),
        ));
    }
    let meta = &pod.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let mut annotation_notice = None;
    let annotated = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CONTAINER_ANNOTATION))
        .filter(|n| !n.is_empty());
    let (default_container, default_from) = match annotated {
        Some(n) if containers.iter().any(|c| &c.name == n) => {
            (n.clone(), DefaultContainerFrom::Annotation)
        }
        other => {
            if let Some(n) = other {
                annotation_notice = Some(format!(
                    "Default container name \"{n}\" not found in pod {name}"
                ));
            }
            let first = spec
                .containers
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_default();
            if containers.len() > 1 {
                (first, DefaultContainerFrom::First)
            } else {
                (first, DefaultContainerFrom::OnlyContainer)
            }
        }
    };
    let default_notice = (default_from == DefaultContainerFrom::First).then(|| {
        format!(
            "Defaulted container \"{default_container}\" out of: {}",
            all_container_names(&containers)
        )
    });
    let unscheduled_reason = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled" && c.status == "False")
        .map(|c| {
            let mut s = c.reason.clone().unwrap_or_else(|| "Unschedulable".into());
            if let Some(m) = c.message.as_deref().filter(|m| !m.is_empty()) {
                s = format!("{s}: {m}");
            }
            s
        });
    PodContainers {
        namespace: meta.namespace.clone().unwrap_or_default(),
        pod: name,
        phase: status.phase.clone().unwrap_or_else(|| "Unknown".into()),
        node: spec.node_name.clone().filter(|n| !n.is_empty()),
        unscheduled_reason,
        deleting: meta.deletion_timestamp.is_some(),
        containers,
        default_container,
        default_from,
        default_notice,
        annotation_notice,
    }
}

/// kubectl's `podcmd.AllContainerNames`: `app, debug (ephem), setup (init)`.
fn all_container_names(containers: &[ContainerInfo]) -> String {
    containers
        .iter()
        .map(|c| match c.kind {
            ContainerKind::Regular => c.name.clone(),
            ContainerKind::Ephemeral => format!("{} (ephem)", c.name),
            ContainerKind::Init => format!("{} (init)", c.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn info(
    name: &str,
    kind: ContainerKind,
    sidecar: bool,
    image: Option<String>,
    status: Option<ContainerStatus>,
) -> ContainerInfo {
    let state = status
        .as_ref()
        .and_then(|s| s.state.as_ref())
        .map_or(ContainerState::Unknown, state_of);
    let last_state = status
        .as_ref()
        .and_then(|s| s.last_state.as_ref())
        .map(state_of)
        .filter(|s| *s != ContainerState::Unknown);
    let restart_count = status.as_ref().map_or(0, |s| s.restart_count);
    let started = match &state {
        ContainerState::Running { .. } | ContainerState::Terminated { .. } => true,
        ContainerState::Waiting { .. } => restart_count > 0 || last_state.is_some(),
        ContainerState::Unknown => false,
    };
    ContainerInfo {
        name: name.to_string(),
        kind,
        sidecar,
        image,
        state,
        last_state,
        restart_count,
        ready: status.as_ref().is_some_and(|s| s.ready),
        started,
    }
}

fn state_of(s: &k8s_openapi::api::core::v1::ContainerState) -> ContainerState {
    let time = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.as_ref().map(|t| t.0.to_string())
    };
    if let Some(r) = &s.running {
        ContainerState::Running {
            started_at: time(&r.started_at),
        }
    } else if let Some(t) = &s.terminated {
        ContainerState::Terminated {
            exit_code: t.exit_code,
            reason: t.reason.clone(),
            finished_at: time(&t.finished_at),
        }
    } else if let Some(w) = &s.waiting {
        ContainerState::Waiting {
            reason: w.reason.clone(),
            message: w.message.clone(),
        }
    } else {
        ContainerState::Unknown
    }
}

/// Whether a container's log can be read now, and if not why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// It runs or has run: a log exists.
    Readable,
    /// Not yet: `(reason, message)` for [`loupe_model::logs::SourceState::Waiting`].
    Waiting(String, Option<String>),
}

/// Whether `container` of `pods` has a log to read yet.
pub fn readiness(pc: &PodContainers, container: &str) -> Readiness {
    if pc.node.is_none() {
        return Readiness::Waiting(
            "Unscheduled".into(),
            pc.unscheduled_reason
                .clone()
                .or_else(|| Some("the pod is not assigned to a node yet".into())),
        );
    }
    match pc.containers.iter().find(|c| c.name == container) {
        Some(c) if c.started => Readiness::Readable,
        Some(ContainerInfo {
            state: ContainerState::Waiting { reason, message },
            ..
        }) => Readiness::Waiting(
            reason.clone().unwrap_or_else(|| "Waiting".into()),
            message.clone(),
        ),
        Some(_) => Readiness::Waiting("ContainerCreating".into(), None),
        // Unknown containers are the server's to reject.
        None => Readiness::Readable,
    }
}

/// The container's state when a followed stream ended: gone for good, or worth reopening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterEnd {
    /// It still runs (or will run again): open the stream again.
    Reopen,
    /// Waiting to run again (`CrashLoopBackOff`, ...): wait, then reopen.
    Wait(String, Option<String>),
    /// It stopped and this pod will not run it again.
    Terminated(Option<i32>, Option<String>),
}

/// What to do when a followed stream of `container` ended.
pub fn after_end(pod: &Pod, container: &str) -> AfterEnd {
    let pc = pod_containers(pod);
    let restart_policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_else(|| "Always".into());
    let finished_pod = matches!(pc.phase.as_str(), "Succeeded" | "Failed");
    let Some(c) = pc.containers.iter().find(|c| c.name == container) else {
        return AfterEnd::Terminated(None, Some("container gone".into()));
    };
    match &c.state {
        ContainerState::Running { .. } => AfterEnd::Reopen,
        ContainerState::Terminated {
            exit_code, reason, ..
        } => {
            let restarts = !finished_pod
                && c.kind != ContainerKind::Ephemeral
                && (c.kind != ContainerKind::Init || c.sidecar)
                && match restart_policy.as_str() {
                    "Always" => true,
                    "OnFailure" => *exit_code != 0,
                    _ => false,
                };
            if restarts {
                AfterEnd::Wait(
                    reason.clone().unwrap_or_else(|| "Terminated".into()),
                    Some(format!("exit code {exit_code}")),
                )
            } else {
                AfterEnd::Terminated(Some(*exit_code), reason.clone())
            }
        }
        ContainerState::Waiting { reason, message } if !finished_pod => AfterEnd::Wait(
            reason.clone().unwrap_or_else(|| "Waiting".into()),
            message.clone(),
        ),
        _ => AfterEnd::Terminated(None, None),
    }
}

/// A short label for the line gutter: the pod name without its owner's name
/// (`web-85467b49fb-945dq` → `945dq`; StatefulSet pods keep their ordinal name).
pub fn short_label(pod: &Pod) -> String {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind != "StatefulSet");
    match owner.and_then(|o| name.strip_prefix(&format!("{}-", o.name))) {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => name,
    }
}

/// kubectl's `podutils.ByLogging`: the pod `kubectl logs deploy/NAME` picks comes first
/// (scheduled, running, ready, ready longest, most restarts, oldest).
pub fn by_logging(a: &Pod, b: &Pod) -> Ordering {
    fn node(p: &Pod) -> bool {
        p.spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some_and(|n| !n.is_empty())
    }
    fn phase_rank(p: &Pod) -> u8 {
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => 0,
            Some("Unknown") => 1,
            Some("Pending") => 2,
            _ => 0, // Go's map lookup of a missing key: 0
        }
    }
    fn ready_since(p: &Pod) -> Option<jiff::Timestamp> {
        p.status
            .as_ref()?
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Ready" && c.status == "True")
            .map(|c| {
                c.last_transition_time
                    .as_ref()
                    .map_or(jiff::Timestamp::UNIX_EPOCH, |t| t.0)
            })
    }
    fn restarts(p: &Pod) -> (i32, i32) {
        let Some(st) = p.status.as_ref() else {
            return (0, 0);
        };
        let regular = st
            .container_statuses
            .iter()
            .flatten()
            .map(|c| c.restart_count)
            .max()
            .unwrap_or(0);
        let sidecars: Vec<String> = p
            .spec
            .iter()
            .flat_map(|s| s.init_containers.iter().flatten())
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .map(|c| c.name.clone())
            .collect();
        let sidecar = st
            .init_container_statuses
            .iter()
            .flatten()
            .filter(|c| sidecars.contains(&c.name))
            .map(|c| c.restart_count)
            .max()
            .unwrap_or(0);
        (regular, sidecar)
    }
    // afterOrZero(t1, t2): t1 is zero, or t1 is after t2.
    fn after_or_zero(t1: Option<jiff::Timestamp>, t2: Option<jiff::Timestamp>) -> bool {
        match (t1, t2) {
            (None, _) | (_, None) => t1.is_none(),
            (Some(a), Some(b)) => a > b,
        }
    }
    fn less(a: &Pod, b: &Pod) -> bool {
        if node(a) != node(b) {
            return node(a);
        }
        if phase_rank(a) != phase_rank(b) {
            return phase_rank(a) < phase_rank(b);
        }
        let (ra, rb) = (ready_since(a), ready_since(b));
        if ra.is_some() != rb.is_some() {
            return ra.is_some();
        }
        if ra.is_some() && ra != rb {
            return after_or_zero(rb, ra);
        }
        let (xa, xb) = (restarts(a), restarts(b));
        if xa.0 != xb.0 {
            return xa.0 > xb.0;
        }
        if xa.1 != xb.1 {
            return xa.1 > xb.1;
        }
        let created = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
        if created(a) != created(b) {
            return after_or_zero(created(b), created(a));
        }
        false
    }
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn default_container_follows_kubectl() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "logger", "namespace": "default"},
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}],
                     "initContainers": [{"name": "setup"}],
                     "ephemeralContainers": [{"name": "dbg"}]},
        }));
        let pc = pod_containers(&p);
        assert_eq!(pc.default_container, "app");
        assert_eq!(pc.default_from, DefaultContainerFrom::First);
        assert_eq!(
            pc.default_notice.as_deref(),
            Some("Defaulted container \"app\" out of: app, sidecar, dbg (ephem), setup (init)")
        );
        let names: Vec<&str> = pc.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app", "sidecar", "dbg", "setup"]);

        let p = pod(serde_json::json!({
            "metadata": {"name": "x", "annotations": {DEFAULT_CONTAINER_ANNOTATION: "sidecar"}},
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}]},
        }));
        let pc = pod_containers(&p);
        assert_eq!(pc.default_container, "sidecar");
        assert_eq!(pc.default_from, DefaultContainerFrom::Annotation);
        assert_eq!(pc.default_notice, None);

        let p = pod(serde_json::json!({
            "metadata": {"name": "x", "annotations": {DEFAULT_CONTAINER_ANNOTATION: "nope"}},
            "spec": {"containers": [{"name": "only"}]},
        }));
        let pc = pod_containers(&p);
        assert_eq!(pc.default_container, "only");
        assert_eq!(pc.default_from, DefaultContainerFrom::OnlyContainer);
        assert_eq!(
            pc.annotation_notice.as_deref(),
            Some("Default container name \"nope\" not found in pod x")
        );
    }

    #[test]
    fn readiness_explains_why_there_is_no_log_yet() {
        let unscheduled = pod(serde_json::json!({
            "metadata": {"name": "stuck"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                "reason": "Unschedulable", "message": "0/3 nodes are available"}]},
        }));
        let pc = pod_containers(&unscheduled);
        assert_eq!(
            readiness(&pc, "app"),
            Readiness::Waiting(
                "Unscheduled".into(),
                Some("Unschedulable: 0/3 nodes are available".into())
            )
        );
        let creating = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"nodeName": "n", "containers": [{"name": "app"}]},
            "status": {"containerStatuses": [{"name": "app", "image": "i", "imageID": "", "ready": false,
                "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]},
        }));
        assert_eq!(
            readiness(&pod_containers(&creating), "app"),
            Readiness::Waiting("ContainerCreating".into(), None)
        );
        let crashing = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"nodeName": "n", "containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "i", "imageID": "", "ready": false,
                "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]},
        }));
        let pc = pod_containers(&crashing);
        assert_eq!(
            readiness(&pc, "app"),
            Readiness::Readable,
            "the last run has a log"
        );
        assert!(pc.containers[0].last_state.is_some());
        assert_eq!(
            after_end(&crashing, "app"),
            AfterEnd::Wait("CrashLoopBackOff".into(), None)
        );
    }

    #[test]
    fn after_end_knows_when_a_container_is_done() {
        let done = pod(serde_json::json!({
            "metadata": {"name": "job-x"},
            "spec": {"nodeName": "n", "restartPolicy": "Never", "containers": [{"name": "app"}]},
            "status": {"phase": "Succeeded", "containerStatuses": [{"name": "app", "image": "i", "imageID": "", "ready": false,
                "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]},
        }));
        assert_eq!(
            after_end(&done, "app"),
            AfterEnd::Terminated(Some(0), Some("Completed".into()))
        );
    }

    #[test]
    fn labels_drop_the_owner_name() {
        let p = pod(
            serde_json::json!({"metadata": {"name": "web-85467b49fb-945dq",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-85467b49fb", "uid": "u", "controller": true}]}}),
        );
        assert_eq!(short_label(&p), "945dq");
        let p = pod(serde_json::json!({"metadata": {"name": "db-0",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "u", "controller": true}]}}));
        assert_eq!(short_label(&p), "db-0");
        let p = pod(serde_json::json!({"metadata": {"name": "bare"}}));
        assert_eq!(short_label(&p), "bare");
    }

    #[test]
    fn by_logging_prefers_scheduled_running_ready_pods() {
        let mk = |name: &str, node: Option<&str>, phase: &str, ready: bool, restarts: i32| {
            pod(serde_json::json!({
                "metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"nodeName": node, "containers": [{"name": "c"}]},
                "status": {"phase": phase,
                    "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"},
                                    "lastTransitionTime": "2026-01-01T00:00:10Z"}],
                    "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": ready,
                        "restartCount": restarts}]},
            }))
        };
        let mut pods = [
            mk("pending", None, "Pending", false, 0),
            mk("not-ready", Some("n"), "Running", false, 0),
            mk("ready-restarted", Some("n"), "Running", true, 2),
            mk("ready", Some("n"), "Running", true, 0),
        ];
        pods.sort_by(by_logging);
        let names: Vec<_> = pods
            .iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["ready-restarted", "ready", "not-ready", "pending"]);
    }
}
