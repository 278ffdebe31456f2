//! Types of changes to cluster objects (edit with a dry-run diff, create, delete, scale, rollout
//! restart), the permissions that gate them, and the local action log.

use crate::resources::ApiResource;
use serde::{Deserialize, Serialize};

/// One object of the cluster: its kind (from discovery), namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// The kind.
    pub resource: ApiResource,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectRef {
    /// `deployment.apps/web`, kubectl's `TYPE/NAME` form.
    pub fn type_name(&self) -> String {
        format!("{}/{}", self.resource.kind_prefix(), self.name)
    }

    /// `deployment.apps/web -n team-b` (namespace only when the kind is namespaced).
    pub fn kubectl_args(&self) -> String {
        match &self.namespace {
            Some(ns) if self.resource.namespaced => format!("{} -n {ns}", self.type_name()),
            _ => self.type_name(),
        }
    }
}

/// What a change does; the action log and the permission checks use the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeVerb {
    /// Replace an object with edited YAML.
    Edit,
    /// Create an object from YAML.
    Create,
    /// Delete an object.
    Delete,
    /// Set the replicas through the scale subresource.
    Scale,
    /// `kubectl rollout restart`.
    Restart,
}

impl ChangeVerb {
    /// Lower-case word (`edit`, `scale`).
    pub fn word(self) -> &'static str {
        match self {
            ChangeVerb::Edit => "edit",
            ChangeVerb::Create => "create",
            ChangeVerb::Delete => "delete",
            ChangeVerb::Scale => "scale",
            ChangeVerb::Restart => "restart",
        }
    }
}

/// The outcome of a server-side dry run: what would change, as a unified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    /// Unified diff of the live object (empty for a create) against the dry-run result, both as
    /// YAML without managedFields, resourceVersion and generation (noise for a reader).
    pub diff: String,
    /// Whether anything would change.
    pub changed: bool,
    /// The object the API server would store, as YAML (managedFields left out).
    pub result_yaml: String,
    /// The kubectl commands that do the same dry run.
    pub kubectl: String,
}

/// A change the API server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeOutcome {
    /// The object changed.
    pub object: String,
    /// kubectl's message for the same change (`deployment.apps/web scaled`).
    pub message: String,
    /// The kubectl command that does the same.
    pub kubectl: String,
}

/// Whether the user may run one action, from an access review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// The API server allows it.
    pub allowed: bool,
    /// The permission it needs, in words (`delete on pods in team-b`).
    pub needs: String,
    /// When denied: the built-in role and the kubectl command that would grant it, when Loupe
    /// could read the cluster's roles.
    pub granted_by: Option<String>,
    /// The API server's reason, when it gave one.
    pub reason: String,
    /// The Access view's cell for this permission (its why, and who may).
    #[serde(default)]
    pub focus: Option<crate::rbac::AccessFocus>,
}

impl Permission {
    /// The tooltip of a disabled action.
    pub fn denied_text(&self) -> String {
        let mut s = format!("You may not: needs {}.", self.needs);
        if let Some(g) = &self.granted_by {
            s.push(' ');
            s.push_str(g);
        }
        s
    }
}

/// Which actions the user may run on one object (or create in one namespace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionPermissions {
    /// One entry per action the object supports.
    pub actions: Vec<(ChangeVerb, Permission)>,
}

impl ActionPermissions {
    /// The permission of `verb`, if the object supports it.
    pub fn get(&self, verb: ChangeVerb) -> Option<&Permission> {
        self.actions
            .iter()
            .find(|(v, _)| *v == verb)
            .map(|(_, p)| p)
    }
}

/// One line of the local action log (JSON lines). Holds the command and the outcome, never the
/// object's body (it may hold secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionLogEntry {
    /// RFC 3339 time.
    pub time: String,
    /// The kubeconfig context.
    pub context: String,
    /// What was done.
    pub verb: ChangeVerb,
    /// `TYPE/NAME`, with ` -n NS` for namespaced objects.
    pub object: String,
    /// The equivalent kubectl command.
    pub kubectl: String,
    /// Whether the API server accepted it.
    pub ok: bool,
    /// kubectl's message on success, the error otherwise.
    pub result: String,
    /// A dry run only.
    #[serde(default)]
    pub dry_run: bool,
}

/// Whether a kind has a scale subresource.
pub fn scalable(r: &ApiResource) -> bool {
    r.subresources.iter().any(|s| s == "scale")
}

/// Whether `kubectl rollout restart` works on a kind.
pub fn restartable(r: &ApiResource) -> bool {
    r.group == "apps" && matches!(r.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet")
}

/// `kubectl replace` of edited YAML (on stdin), `--dry-run=server -o yaml` for the dry run.
pub fn replace_command(context: &str, dry_run: bool) -> String {
    let dr = if dry_run {
        " --dry-run=server -o yaml"
    } else {
        ""
    };
    format!("kubectl replace --context={context}{dr} -f - # the edited YAML on stdin")
}

/// `kubectl create` of YAML on stdin (`-n NS` for a namespaced kind).
pub fn create_command(context: &str, namespace: Option<&str>, dry_run: bool) -> String {
    let mut s = format!("kubectl create --context={context}");
    if let Some(ns) = namespace {
        s.push_str(&format!(" -n {ns}"));
    }
    if dry_run {
        s.push_str(" --dry-run=server -o yaml");
    }
    s.push_str(" -f - # the YAML on stdin");
    s
}

/// `kubectl delete TYPE/NAME` (kubectl's default cascade is background, as Loupe's).
pub fn delete_command(context: &str, target: &ObjectRef) -> String {
    format!(
        "kubectl delete {} --context={context}",
        target.kubectl_args()
    )
}

/// `kubectl scale TYPE/NAME --replicas=N`.
pub fn scale_command(context: &str, target: &ObjectRef, replicas: i32) -> String {
    format!(
        "kubectl scale {} --replicas={replicas} --context={context}",
        target.kubectl_args()
    )
}

/// `kubectl rollout restart TYPE/NAME`.
pub fn restart_command(context: &str, target: &ObjectRef) -> String {
    format!(
        "kubectl rollout restart {} --context={context}",
        target.kubectl_args()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ResourceCategory;

    fn deploy() -> ObjectRef {
        ObjectRef {
            resource: ApiResource {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                plural: "deployments".into(),
                singular: "deployment".into(),
                short_names: vec![],
                categories: vec![],
                namespaced: true,
                verbs: vec![],
                subresources: vec!["scale".into(), "status".into()],
                preferred: true,
                category: ResourceCategory::Workloads,
            },
            namespace: Some("team-b".into()),
            name: "api".into(),
        }
    }

    #[test]
    fn kubectl_commands_name_type_namespace_and_context() {
        let t = deploy();
        assert_eq!(
            delete_command("c", &t),
            "kubectl delete deployment.apps/api -n team-b --context=c"
        );
        assert_eq!(
            scale_command("c", &t, 3),
            "kubectl scale deployment.apps/api -n team-b --replicas=3 --context=c"
        );
        assert_eq!(
            restart_command("c", &t),
            "kubectl rollout restart deployment.apps/api -n team-b --context=c"
        );
        assert!(scalable(&t.resource) && restartable(&t.resource));
        assert_eq!(
            create_command("c", Some("x"), true),
            "kubectl create --context=c -n x --dry-run=server -o yaml -f - # the YAML on stdin"
        );
    }
}
