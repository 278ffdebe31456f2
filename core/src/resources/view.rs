//! Objects as the detail panel shows them.

use loupe_model::resources::{ConditionSummary, ContainerSummary, ObjectSummary, OwnerSummary};
use serde_json::Value;

/// What the detail panel shows above the YAML: phase, conditions, containers, labels,
/// annotations and owners, read from any object (fields it lacks stay empty).
pub fn summary(object: &Value) -> ObjectSummary {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let pairs = |v: Option<&Value>| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = v
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    };
    let meta = object.get("metadata");
    let status = object.get("status");
    let list = |v: Option<&Value>, k: &str| -> Vec<Value> {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let conditions = list(status, "conditions")
        .iter()
        .filter_map(|c| {
            Some(ConditionSummary {
                kind: text(c, "type")?,
                status: text(c, "status").unwrap_or_default(),
                reason: text(c, "reason").filter(|r| !r.is_empty()),
                message: text(c, "message").filter(|m| !m.is_empty()),
            })
        })
        .collect();
    let spec = object.get("spec");
    let mut containers = Vec::new();
    for (key, status_key, init) in [
        ("initContainers", "initContainerStatuses", true),
        ("containers", "containerStatuses", false),
    ] {
        let statuses = list(status, status_key);
        for c in list(spec, key) {
            let Some(name) = text(&c, "name") else {
                continue;
            };
            let st = statuses
                .iter()
                .find(|s| text(s, "name").as_deref() == Some(&name));
            containers.push(ContainerSummary {
                image: text(&c, "image").unwrap_or_default(),
                init,
                state: st.map_or_else(
                    || "unknown".to_string(),
                    |s| container_state(s.get("state")),
                ),
                ready: st
                    .and_then(|s| s.get("ready"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                restarts: st
                    .and_then(|s| s.get("restartCount"))
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                name,
            });
        }
    }
    let mut annotations = pairs(meta.and_then(|m| m.get("annotations")));
    annotations.retain(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration");
    ObjectSummary {
        phase: status.and_then(|s| text(s, "phase")),
        conditions,
        containers,
        labels: pairs(meta.and_then(|m| m.get("labels"))),
        annotations,
        owners: list(meta, "ownerReferences")
            .iter()
            .filter_map(|o| {
                Some(OwnerSummary {
                    api_version: text(o, "apiVersion").unwrap_or_default(),
                    kind: text(o, "kind")?,
                    name: text(o, "name")?,
                    uid: text(o, "uid").unwrap_or_default(),
                    controller: o
                        .get("controller")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
            })
            .collect(),
    }
}

fn container_state(state: Option<&Value>) -> String {
    let Some(state) = state.and_then(Value::as_object) else {
        return "unknown".into();
    };
    let reason = |v: &Value| v.get("reason").and_then(Value::as_str).map(str::to_string);
    if state.contains_key("running") {
        "running".into()
    } else if let Some(w) = state.get("waiting") {
        match reason(w) {
            Some(r) => format!("waiting ({r})"),
            None => "waiting".into(),
        }
    } else if let Some(t) = state.get("terminated") {
        let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
        match reason(t) {
            Some(r) => format!("terminated ({r}, exit {code})"),
            None => format!("terminated (exit {code})"),
        }
    } else {
        "unknown".into()
    }
}

/// `kubectl get -o yaml` of `object`, with `metadata.managedFields` left out unless
/// `managed_fields` (they are long and rarely what a reader wants; kubectl also hides them by
/// default since 1.21).
pub fn object_yaml(mut object: Value, managed_fields: bool) -> String {
    if !managed_fields {
        super::print::omit_managed_fields(&mut object);
    }
    super::print::yaml_text(&object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_reads_pods_and_tolerates_anything() {
        let pod = json!({
            "metadata": {"labels": {"b": "2", "a": "1"}, "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "x"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "controller": true}]},
            "spec": {"initContainers": [{"name": "init", "image": "busybox"}], "containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
                "initContainerStatuses": [{"name": "init", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
        });
        let s = summary(&pod);
        assert_eq!(s.phase.as_deref(), Some("Running"));
        assert_eq!(
            s.labels,
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(s.annotations, [("note".into(), "x".into())]);
        assert_eq!(s.owners[0].kind, "ReplicaSet");
        assert!(s.owners[0].controller);
        assert_eq!(
            s.conditions[0].reason.as_deref(),
            Some("ContainersNotReady")
        );
        assert_eq!(s.containers.len(), 2);
        assert_eq!(s.containers[0].state, "terminated (Completed, exit 0)");
        assert!(s.containers[0].init);
        assert_eq!(s.containers[1].state, "waiting (CrashLoopBackOff)");
        assert_eq!(s.containers[1].restarts, 3);
        assert_eq!(summary(&json!("not an object")), ObjectSummary::default());
        assert_eq!(
            summary(&json!({"spec": {"containers": [{"image": "no name"}]}}))
                .containers
                .len(),
            0
        );
    }

    #[test]
    fn managed_fields_are_folded_unless_asked() {
        let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "managedFields": [{"manager": "kubectl"}]}});
        let folded = object_yaml(obj.clone(), false);
        assert!(!folded.contains("managedFields"), "{folded}");
        assert!(folded.contains("name: p"), "{folded}");
        assert!(object_yaml(obj, true).contains("manager: kubectl"));
    }
}
