//! Changes to objects, each with the kubectl command that does the same: edit (server-side dry
//! run, a diff of the live object against the dry-run result, then the real replace), create
//! from YAML (dry run first), delete (background propagation, like kubectl), scale (the scale
//! subresource) and rollout restart (kubectl's `restartedAt` annotation on the pod template).
//!
//! Requests go through kube-rs's dynamic API (`Api<DynamicObject>`) with the kind from
//! discovery, so CRDs work like built-in kinds.

use super::api_error;
use super::print::{omit_managed_fields, yaml_text};
use crate::CoreError;
use crate::cluster::ContextClient;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use loupe_model::changes::{ChangeOutcome, DryRun, ObjectRef, restartable, scalable};
use loupe_model::resources::{ApiDiscovery, ApiResource};
use serde_json::{Value, json};

pub mod diff;
pub mod log;
pub mod permissions;

/// What is wrong with a change before or after it reached the API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeProblem {
    /// The YAML does not parse; nothing was sent.
    InvalidYaml {
        /// 1-based line, when the parser knows it.
        line: Option<u64>,
        /// 1-based column.
        column: Option<u64>,
    },
    /// The YAML parses but is not the object being edited (or not an object at all).
    WrongObject,
    /// Someone changed the object after it was opened (HTTP 409 on the replace).
    Conflict,
    /// The kind has no scale subresource, or cannot be restarted.
    Unsupported,
    /// The API server serves no such kind.
    UnknownKind,
}

/// The UI's view of a [`ChangeProblem`]: the message and what to do.
pub fn diagnose(p: &ChangeProblem, message: String) -> loupe_model::UiError {
    use loupe_model::{ErrorKind, UiError};
    let (kind, hint) = match p {
        ChangeProblem::InvalidYaml { .. } => (
            ErrorKind::InvalidState,
            "Nothing was sent. Fix the YAML at the line named (indentation and `key: value` pairs matter), then run the dry run again.",
        ),
        ChangeProblem::WrongObject => (
            ErrorKind::InvalidState,
            "Nothing was sent. An edit changes one object: keep its apiVersion, kind, name and namespace.",
        ),
        ChangeProblem::Conflict => (
            ErrorKind::InvalidState,
            "Nothing was changed. Reload the object to get its current YAML and make your edit again.",
        ),
        ChangeProblem::Unsupported => (
            ErrorKind::InvalidState,
            "Nothing was sent. kubectl refuses the same request.",
        ),
        ChangeProblem::UnknownKind => (
            ErrorKind::NotFound,
            "`kubectl api-resources` lists the kinds this cluster serves; check the apiVersion and kind.",
        ),
    };
    UiError::new(kind, message).with_hint(hint)
}

fn problem(problem: ChangeProblem, message: impl Into<String>) -> CoreError {
    CoreError::Change {
        problem,
        message: message.into(),
    }
}

fn kube_resource(r: &ApiResource) -> kube::discovery::ApiResource {
    kube::discovery::ApiResource {
        group: r.group.clone(),
        version: r.version.clone(),
        api_version: r.api_version(),
        kind: r.kind.clone(),
        plural: r.plural.clone(),
    }
}

fn api(cc: &ContextClient, r: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
    let ar = kube_resource(r);
    match namespace {
        Some(ns) if r.namespaced => Api::namespaced_with(cc.client.clone(), ns, &ar),
        _ => Api::all_with(cc.client.clone(), &ar),
    }
}

/// Parses the user's YAML into one object. Malformed YAML is a [`ChangeProblem::InvalidYaml`]
/// with the parser's line and column.
pub fn parse_manifest(text: &str) -> Result<Value, CoreError> {
    let v: Value = serde_saphyr::from_str(text).map_err(|e| {
        let loc = e.location();
        let (line, column) = (loc.map(|l| l.line()), loc.map(|l| l.column()));
        let at = match (line, column) {
            (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
            _ => String::new(),
        };
        // The parser's own text repeats the location; keep its first line.
        let detail = e.to_string();
        let detail = detail.lines().next().unwrap_or_default().to_string();
        problem(
            ChangeProblem::InvalidYaml { line, column },
            format!("the YAML is not valid{at}: {detail}"),
        )
    })?;
    if !v.is_object() {
        return Err(problem(
            ChangeProblem::WrongObject,
            "the YAML is not one object (a mapping with apiVersion, kind and metadata)",
        ));
    }
    for key in ["apiVersion", "kind"] {
        if v.get(key).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(problem(
                ChangeProblem::WrongObject,
                format!("the object has no {key}"),
            ));
        }
    }
    if name_of(&v).is_none() {
        return Err(problem(
            ChangeProblem::WrongObject,
            "the object has no metadata.name",
        ));
    }
    Ok(v)
}

fn name_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn namespace_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Checks that `v` is the object `target` names (kubectl edit refuses to change kind, name or
/// namespace, too), and fills in a missing namespace.
fn check_same_object(v: &mut Value, target: &ObjectRef) -> Result<(), CoreError> {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    if kind != target.resource.kind || group != target.resource.group {
        return Err(problem(
            ChangeProblem::WrongObject,
            format!(
                "the YAML is a {kind} ({api_version}), but you are editing {}",
                target.type_name()
            ),
        ));
    }
    if name_of(v) != Some(target.name.as_str()) {
        return Err(problem(
            ChangeProblem::WrongObject,
            format!(
                "metadata.name must stay {:?}: to copy an object, use Create",
                target.name
            ),
        ));
    }
    if target.resource.namespaced
        && let Some(ns) = &target.namespace
    {
        match namespace_of(v) {
            Some(n) if n != ns => {
                return Err(problem(
                    ChangeProblem::WrongObject,
                    format!("metadata.namespace must stay {ns:?}"),
                ));
            }
            Some(_) => {}
            None => {
                if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.insert("namespace".into(), Value::String(ns.clone()));
                }
            }
        }
    }
    Ok(())
}

fn to_dynamic(v: &Value) -> Result<DynamicObject, CoreError> {
    serde_json::from_value(v.clone()).map_err(|e| {
        problem(
            ChangeProblem::WrongObject,
            format!("the object's metadata is not valid: {e}"),
        )
    })
}

fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// A 409 from a replace, in words that say what to do.
fn conflict_or(cc: &ContextClient, e: kube::Error, what: &ObjectRef) -> CoreError {
    if let kube::Error::Api(s) = &e
        && s.code == 409
        && s.reason == "Conflict"
    {
        return problem(
            ChangeProblem::Conflict,
            format!(
                "{} was changed by someone else after you opened it (its resourceVersion is no longer the one in your YAML). Reload it, make your edit again, then apply. The API server said: {}",
                what.type_name(),
                s.message
            ),
        );
    }
    api_error(cc, e)
}

/// The object as the diff shows it: managedFields, resourceVersion and generation removed
/// (they change on every write and say nothing about the edit), Secret values masked as
/// `kubectl diff` masks them.
fn for_diff(mut v: Value) -> Value {
    omit_managed_fields(&mut v);
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
        m.remove("generation");
    }
    v
}

/// kubectl diff's Secret masking: values become `***`, or `*** (before)` / `*** (after)` where
/// they differ, so a diff shows which keys changed without showing any value.
fn mask_secrets(live: &mut Value, merged: &mut Value) {
    let is_secret = |v: &Value| {
        v.get("kind").and_then(Value::as_str) == Some("Secret")
            && v.get("apiVersion").and_then(Value::as_str) == Some("v1")
    };
    if !is_secret(live) && !is_secret(merged) {
        return;
    }
    for field in ["data", "stringData"] {
        let before = live.get(field).cloned();
        let after = merged.get(field).cloned();
        let mask = |v: &mut Value, other: Option<&Value>, tag: &str| {
            if let Some(m) = v.get_mut(field).and_then(Value::as_object_mut) {
                for (k, val) in m.iter_mut() {
                    let same = other.and_then(|o| o.get(k)) == Some(&*val);
                    *val = Value::String(if same {
                        "***".into()
                    } else {
                        format!("*** ({tag})")
                    });
                }
            }
        };
        mask(live, after.as_ref(), "before");
        mask(merged, before.as_ref(), "after");
    }
}

fn dry_run_of(live: Option<Value>, result: Value, kubectl: String) -> DryRun {
    let result_yaml = {
        let mut r = result.clone();
        omit_managed_fields(&mut r);
        if r.get("kind").and_then(Value::as_str) == Some("Secret") {
            mask_secrets(&mut r.clone(), &mut r);
        }
        yaml_text(&r)
    };
    let mut after = for_diff(result);
    let mut before = live.map(for_diff);
    if let Some(b) = before.as_mut() {
        mask_secrets(b, &mut after);
    } else {
        mask_secrets(&mut Value::Null, &mut after);
    }
    let old = before.as_ref().map(yaml_text).unwrap_or_default();
    let new = yaml_text(&after);
    let diff = diff::unified(&old, &new, "live", "dry-run", 3);
    DryRun {
        changed: !diff.is_empty(),
        diff,
        result_yaml,
        kubectl,
    }
}

/// The kubectl command for an edit (see [`loupe_model::changes::replace_command`]).
pub fn replace_command(cc: &ContextClient, dry_run: bool) -> String {
    loupe_model::changes::replace_command(&cc.target.context, dry_run)
}

/// Server-side dry run (`dryRun=All`) of replacing `target` with `yaml`, and the unified diff of
/// the live object against what the API server would store. Nothing is changed.
pub async fn edit_dry_run(
    cc: &ContextClient,
    target: &ObjectRef,
    yaml: &str,
) -> Result<DryRun, CoreError> {
    let mut v = parse_manifest(yaml)?;
    check_same_object(&mut v, target)?;
    let obj = to_dynamic(&v)?;
    let api = api(cc, &target.resource, target.namespace.as_deref());
    let live = api.get(&target.name).await.map_err(|e| api_error(cc, e))?;
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let result = api
        .replace(&target.name, &pp, &obj)
        .await
        .map_err(|e| conflict_or(cc, e, target))?;
    Ok(dry_run_of(
        Some(to_value(&live)),
        to_value(&result),
        replace_command(cc, true),
    ))
}

/// Replaces `target` with `yaml` (a PUT, like `kubectl replace`). A resourceVersion in the YAML
/// that is no longer current gives a [`ChangeProblem::Conflict`].
pub async fn apply_edit(
    cc: &ContextClient,
    target: &ObjectRef,
    yaml: &str,
) -> Result<ChangeOutcome, CoreError> {
    let mut v = parse_manifest(yaml)?;
    check_same_object(&mut v, target)?;
    let obj = to_dynamic(&v)?;
    api(cc, &target.resource, target.namespace.as_deref())
        .replace(&target.name, &PostParams::default(), &obj)
        .await
        .map_err(|e| conflict_or(cc, e, target))?;
    Ok(ChangeOutcome {
        object: target.kubectl_args(),
        message: format!("{} replaced", target.type_name()),
        kubectl: replace_command(cc, false),
    })
}

/// The kind of a manifest, from discovery (the version it names, not the preferred one).
pub fn resource_for(d: &ApiDiscovery, v: &Value) -> Result<ApiResource, CoreError> {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    d.resources
        .iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)
        .cloned()
        .ok_or_else(|| {
            problem(
                ChangeProblem::UnknownKind,
                format!(
                    "no matches for kind {kind:?} in version {api_version:?}: the API server does not serve it (is its CRD installed?)"
                ),
            )
        })
}

/// What a create would make: the object, its kind, and where.
struct CreatePlan {
    target: ObjectRef,
    object: DynamicObject,
}

fn plan_create(
    d: &ApiDiscovery,
    yaml: &str,
    default_namespace: &str,
) -> Result<CreatePlan, CoreError> {
    let mut v = parse_manifest(yaml)?;
    let resource = resource_for(d, &v)?;
    let name = name_of(&v).unwrap_or_default().to_string();
    let namespace = if resource.namespaced {
        let ns = namespace_of(&v).unwrap_or(default_namespace).to_string();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("namespace".into(), Value::String(ns.clone()));
        }
        Some(ns)
    } else {
        None
    };
    Ok(CreatePlan {
        object: to_dynamic(&v)?,
        target: ObjectRef {
            resource,
            namespace,
            name,
        },
    })
}

/// The kubectl command for a create.
pub fn create_command(cc: &ContextClient, ns: Option<&str>, dry_run: bool) -> String {
    loupe_model::changes::create_command(&cc.target.context, ns, dry_run)
}

/// Server-side dry run of creating the object in `yaml` (in `default_namespace` when it names
/// none): what the API server would store, as a diff against nothing.
pub async fn create_dry_run(
    cc: &ContextClient,
    d: &ApiDiscovery,
    yaml: &str,
    default_namespace: &str,
) -> Result<(ObjectRef, DryRun), CoreError> {
    let plan = plan_create(d, yaml, default_namespace)?;
    let api = api(cc, &plan.target.resource, plan.target.namespace.as_deref());
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let result = api
        .create(&pp, &plan.object)
        .await
        .map_err(|e| api_error(cc, e))?;
    let kubectl = create_command(cc, plan.target.namespace.as_deref(), true);
    Ok((plan.target, dry_run_of(None, to_value(&result), kubectl)))
}

/// Creates the object in `yaml` (`kubectl create -f`).
pub async fn create(
    cc: &ContextClient,
    d: &ApiDiscovery,
    yaml: &str,
    default_namespace: &str,
) -> Result<ChangeOutcome, CoreError> {
    let plan = plan_create(d, yaml, default_namespace)?;
    api(cc, &plan.target.resource, plan.target.namespace.as_deref())
        .create(&PostParams::default(), &plan.object)
        .await
        .map_err(|e| api_error(cc, e))?;
    Ok(ChangeOutcome {
        object: plan.target.kubectl_args(),
        message: format!("{} created", plan.target.type_name()),
        kubectl: create_command(cc, plan.target.namespace.as_deref(), false),
    })
}

/// The kubectl command for `delete`.
pub fn delete_command(cc: &ContextClient, target: &ObjectRef) -> String {
    loupe_model::changes::delete_command(&cc.target.context, target)
}

/// Deletes `target` with background propagation (kubectl's default `--cascade=background`):
/// the object goes at once, the garbage collector removes what it owns.
pub async fn delete(cc: &ContextClient, target: &ObjectRef) -> Result<ChangeOutcome, CoreError> {
    api(cc, &target.resource, target.namespace.as_deref())
        .delete(&target.name, &DeleteParams::background())
        .await
        .map_err(|e| api_error(cc, e))?;
    Ok(ChangeOutcome {
        object: target.kubectl_args(),
        // kubectl: `pod "web-1" deleted`.
        message: format!(
            "{} \"{}\" deleted",
            target.resource.kind_prefix(),
            target.name
        ),
        kubectl: delete_command(cc, target),
    })
}

/// The kubectl command for `scale`.
pub fn scale_command(cc: &ContextClient, target: &ObjectRef, replicas: i32) -> String {
    loupe_model::changes::scale_command(&cc.target.context, target, replicas)
}

/// Sets `spec.replicas` through the scale subresource (Deployments, StatefulSets, ReplicaSets,
/// ReplicationControllers, and any CRD that declares one).
pub async fn scale(
    cc: &ContextClient,
    target: &ObjectRef,
    replicas: i32,
) -> Result<ChangeOutcome, CoreError> {
    if !scalable(&target.resource) {
        return Err(problem(
            ChangeProblem::Unsupported,
            format!(
                "{} has no scale subresource, so it cannot be scaled",
                target.resource.group_resource()
            ),
        ));
    }
    if replicas < 0 {
        return Err(problem(
            ChangeProblem::Unsupported,
            "the number of replicas cannot be negative",
        ));
    }
    api(cc, &target.resource, target.namespace.as_deref())
        .patch_scale(
            &target.name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": replicas}})),
        )
        .await
        .map_err(|e| api_error(cc, e))?;
    Ok(ChangeOutcome {
        object: target.kubectl_args(),
        message: format!("{} scaled", target.type_name()),
        kubectl: scale_command(cc, target, replicas),
    })
}

/// The kubectl command for `rollout restart`.
pub fn restart_command(cc: &ContextClient, target: &ObjectRef) -> String {
    loupe_model::changes::restart_command(&cc.target.context, target)
}

/// The time kubectl writes into `restartedAt`: Go's `time.Now().Format(time.RFC3339)`.
pub fn restarted_at_now() -> String {
    let now = jiff::Zoned::now();
    let offset = now.offset();
    let base = now.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if offset.seconds() == 0 {
        format!("{base}Z")
    } else {
        format!("{base}{}", now.strftime("%:z"))
    }
}

/// `kubectl rollout restart`: patches the pod template's
/// `kubectl.kubernetes.io/restartedAt` annotation with the current time, so the controller
/// rolls every pod. Deployments, StatefulSets and DaemonSets; a paused Deployment is refused
/// as kubectl refuses it.
pub async fn restart(cc: &ContextClient, target: &ObjectRef) -> Result<ChangeOutcome, CoreError> {
    if !restartable(&target.resource) {
        return Err(problem(
            ChangeProblem::Unsupported,
            format!(
                "{} cannot be restarted: rollout restart works on deployments, statefulsets and daemonsets",
                target.type_name()
            ),
        ));
    }
    let api = api(cc, &target.resource, target.namespace.as_deref());
    if target.resource.kind == "Deployment" {
        let live = api.get(&target.name).await.map_err(|e| api_error(cc, e))?;
        if live.data.pointer("/spec/paused").and_then(Value::as_bool) == Some(true) {
            return Err(problem(
                ChangeProblem::Unsupported,
                format!(
                    "{} is paused: can't restart paused deployment (run rollout resume first)",
                    target.type_name()
                ),
            ));
        }
    }
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": restarted_at_now()
    }}}}});
    api.patch(
        &target.name,
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .map_err(|e| api_error(cc, e))?;
    Ok(ChangeOutcome {
        object: target.kubectl_args(),
        message: format!("{} restarted", target.type_name()),
        kubectl: restart_command(cc, target),
    })
}

/// Objects in `target`'s namespace that name it (by uid) among their ownerReferences: a
/// Deployment's ReplicaSets, a ReplicaSet's, StatefulSet's, DaemonSet's or Job's Pods, a
/// CronJob's Jobs.
pub async fn owned_objects(
    cc: &ContextClient,
    d: &ApiDiscovery,
    target: &ObjectRef,
    uid: &str,
) -> Result<Vec<(ObjectRef, String)>, CoreError> {
    let children: &[(&str, &str)] = match (
        target.resource.group.as_str(),
        target.resource.kind.as_str(),
    ) {
        ("apps", "Deployment") => &[("apps", "replicasets")],
        ("apps", "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job")
        | ("", "ReplicationController") => &[("", "pods")],
        ("batch", "CronJob") => &[("batch", "jobs")],
        _ => &[],
    };
    let Some(ns) = target.namespace.as_deref() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (group, plural) in children {
        let Some(r) = d.find(group, plural) else {
            continue;
        };
        let items = super::list_objects(
            cc,
            r,
            &loupe_model::resources::NamespaceScope::one(ns),
            &Default::default(),
        )
        .await?;
        for item in items {
            let owned = item
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|o| o.get("uid").and_then(Value::as_str) == Some(uid))
                });
            if owned && let Some(name) = name_of(&item) {
                let child_uid = item
                    .pointer("/metadata/uid")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                out.push((
                    ObjectRef {
                        resource: r.clone(),
                        namespace: Some(ns.to_string()),
                        name: name.to_string(),
                    },
                    child_uid,
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_yaml_names_line_and_column() {
        let err =
            parse_manifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n").unwrap_err();
        match err {
            CoreError::Change {
                problem: ChangeProblem::InvalidYaml { line, .. },
                message,
            } => {
                assert!(line.is_some(), "{message}");
                assert!(message.contains("line"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_manifest("- a\n- b\n"),
            Err(CoreError::Change {
                problem: ChangeProblem::WrongObject,
                ..
            })
        ));
        assert!(matches!(
            parse_manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"),
            Err(CoreError::Change {
                problem: ChangeProblem::WrongObject,
                ..
            })
        ));
    }

    fn cm_ref() -> ObjectRef {
        ObjectRef {
            resource: ApiResource {
                group: String::new(),
                version: "v1".into(),
                kind: "ConfigMap".into(),
                plural: "configmaps".into(),
                singular: "configmap".into(),
                short_names: vec![],
                categories: vec![],
                namespaced: true,
                verbs: vec![],
                subresources: vec![],
                preferred: true,
                category: loupe_model::resources::ResourceCategory::Config,
            },
            namespace: Some("team-b".into()),
            name: "cfg".into(),
        }
    }

    #[test]
    fn edits_must_keep_kind_name_and_namespace() {
        let t = cm_ref();
        let mut ok =
            parse_manifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n").unwrap();
        check_same_object(&mut ok, &t).unwrap();
        assert_eq!(ok.pointer("/metadata/namespace"), Some(&json!("team-b")));
        for bad in [
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfg\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: team-a\n",
        ] {
            let mut v = parse_manifest(bad).unwrap();
            assert!(check_same_object(&mut v, &t).is_err(), "{bad}");
        }
    }

    #[test]
    fn diff_hides_noise_and_secret_values() {
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "resourceVersion": "1", "managedFields": [{"manager": "x"}]}, "data": {"a": "YQ==", "b": "Yg=="}});
        let after = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "resourceVersion": "2"}, "data": {"a": "YQ==", "b": "Yw=="}});
        let d = dry_run_of(Some(live), after, String::new());
        assert!(d.changed);
        assert!(!d.diff.contains("Yw=="), "{}", d.diff);
        assert!(!d.diff.contains("resourceVersion"), "{}", d.diff);
        assert!(
            d.diff.contains("-  b: '*** (before)'") || d.diff.contains("-  b: \"*** (before)\""),
            "{}",
            d.diff
        );
        assert!(!d.result_yaml.contains("Yw=="), "{}", d.result_yaml);
        let same = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "1", "generation": 1}});
        let mut after = same.clone();
        after["metadata"]["resourceVersion"] = json!("2");
        after["metadata"]["generation"] = json!(2);
        assert!(!dry_run_of(Some(same), after, String::new()).changed);
    }

    #[test]
    fn restarted_at_is_rfc3339_to_the_second() {
        let t = restarted_at_now();
        assert_eq!(t.len(), if t.ends_with('Z') { 20 } else { 25 }, "{t}");
        assert!(
            jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", t.replace('Z', "+00:00")).is_ok()
                || t.parse::<jiff::Timestamp>().is_ok(),
            "{t}"
        );
    }
}
