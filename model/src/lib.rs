//! Types shared by Loupe's backend and its webview UI.
//!
//! Everything here is plain data with serde derives: it compiles for the native backend and for
//! `wasm32-unknown-unknown`, and it must never depend on k8s-openapi or kube (they would bloat the
//! wasm bundle). Field names are camelCase on the wire, matching Tauri's argument convention.
#![forbid(unsafe_code)]

pub mod changes;
mod cluster;
mod error;
mod forbidden;
pub mod highlight;
mod kubeconfig;
pub mod logs;
pub mod rbac;
pub mod resources;

pub use cluster::*;
pub use error::{ErrorKind, UiError};
pub use forbidden::{Denied, parse_forbidden};
pub use kubeconfig::{
    AuthKind, CaSource, CertFacts, ClusterInsight, ContextEntry, CredentialSource, EditRequest,
    EditResult, ExecFacts, Impersonation, JwtFacts, KubeconfigOverview, Notice, NoticeLevel,
    SecretField, ShadowedEntry, SourceFile, SourceStatus, UserInsight,
};

/// Names of the backend commands, shared so the UI and the shell cannot drift apart.
pub mod commands {
    /// Loads the kubeconfig chain and returns a [`crate::KubeconfigOverview`].
    pub const KUBECONFIG_OVERVIEW: &str = "kubeconfig_overview";
    /// Subscribes a Channel to overview updates (sent whenever the files change).
    pub const WATCH_KUBECONFIG: &str = "watch_kubeconfig";
    /// Tells the backend the first context list is on screen (start-up time is logged once).
    pub const STARTUP_PAINTED: &str = "startup_painted";
    /// Connects to a context (or returns its live status) as a [`crate::ConnectionStatus`].
    pub const CONNECT_CONTEXT: &str = "connect_context";
    /// Applies an [`crate::EditRequest`] to the kubeconfig files, as kubectl would.
    pub const EDIT_KUBECONFIG: &str = "edit_kubeconfig";
    /// Approves a context's exec credential plugin and connects with it.
    pub const APPROVE_EXEC_PLUGIN: &str = "approve_exec_plugin";
    /// Imports a kubeconfig file into Loupe's chain (by reference) and returns the overview.
    pub const IMPORT_KUBECONFIG: &str = "import_kubeconfig";
    /// Removes an imported kubeconfig file from the chain and returns the overview.
    pub const REMOVE_KUBECONFIG_SOURCE: &str = "remove_kubeconfig_source";
    /// Returns one secret of a user entry (an explicit user action; never logged).
    pub const REVEAL_SECRET: &str = "reveal_secret";
    /// Discovers every resource a context's API server serves.
    pub const DISCOVER_RESOURCES: &str = "discover_resources";
    /// The namespaces the user can pick (with a fallback when listing them is forbidden).
    pub const VISIBLE_NAMESPACES: &str = "visible_namespaces";
    /// Watches a kind as a table; deltas arrive over a Channel until `stop_watch`.
    pub const WATCH_TABLE: &str = "watch_table";
    /// Stops a watch or stream by the id the UI gave it.
    pub const STOP_WATCH: &str = "stop_watch";
    /// One object's summary and `kubectl get -o yaml`.
    pub const OBJECT_DETAIL: &str = "object_detail";
    /// The identity the API server sees, and how the kubeconfig establishes it.
    pub const WHOAMI: &str = "whoami";
    /// The access matrix (resources x verbs) for namespaces and the cluster scope.
    pub const ACCESS_MATRIX: &str = "access_matrix";
    /// Why an action is allowed or denied (granting chains, checked with the API server).
    pub const EXPLAIN_ACCESS: &str = "explain_access";
    /// A pod's containers and kubectl's default, for the log view's picker.
    pub const POD_CONTAINERS: &str = "pod_containers";
    /// Opens a log view of one container: the backend keeps its lines and sends its status
    /// over a Channel until `stop_watch`.
    pub const STREAM_LOGS: &str = "stream_logs";
    /// Opens a log view of every pod of a workload, merged in time order, until `stop_watch`.
    pub const STREAM_WORKLOAD_LOGS: &str = "stream_workload_logs";
    /// The rows of a log view the UI draws.
    pub const LOG_WINDOW: &str = "log_window";
    /// The next (or previous) search match of a log view.
    pub const LOG_JUMP: &str = "log_jump";
    /// A log view's shown lines as text (Copy).
    pub const LOG_TEXT: &str = "log_text";
    /// Changes how many lines a log view keeps.
    pub const LOG_CAPACITY: &str = "log_capacity";
    /// Saves a pod's whole log to the Downloads folder; returns the path.
    pub const DOWNLOAD_LOGS: &str = "download_logs";
    /// Every subject that may do an action, with the granting bindings (reads RBAC objects).
    pub const WHO_CAN: &str = "who_can";
    /// Roles, bindings, ServiceAccounts and the subject → binding → role graph.
    pub const RBAC_BROWSE: &str = "rbac_browse";
    /// Forgets a context's cached RBAC objects and identity.
    pub const REFRESH_ACCESS: &str = "refresh_access";
    /// Writes an access matrix as CSV or JSON to the Downloads folder; returns the path.
    pub const EXPORT_ACCESS_MATRIX: &str = "export_access_matrix";
    /// Server-side dry run of replacing an object with edited YAML; returns the diff.
    pub const DRY_RUN_EDIT: &str = "dry_run_edit";
    /// Replaces an object with edited YAML.
    pub const APPLY_EDIT: &str = "apply_edit";
    /// Server-side dry run of creating an object from YAML.
    pub const DRY_RUN_CREATE: &str = "dry_run_create";
    /// Creates an object from YAML.
    pub const CREATE_OBJECT: &str = "create_object";
    /// Deletes an object (background propagation, like kubectl).
    pub const DELETE_OBJECT: &str = "delete_object";
    /// Sets replicas through the scale subresource.
    pub const SCALE_OBJECT: &str = "scale_object";
    /// `kubectl rollout restart`.
    pub const RESTART_OBJECT: &str = "restart_object";
    /// Which changes the user may make to an object (access reviews).
    pub const ACTION_PERMISSIONS: &str = "action_permissions";
    /// The local action log, newest first.
    pub const ACTION_LOG: &str = "action_log";
    /// Objects owned by an object (a Deployment's ReplicaSets, a ReplicaSet's Pods).
    pub const OWNED_OBJECTS: &str = "owned_objects";
    /// Which sidebar kinds the user may list, with the reason for the others.
    pub const LIST_PERMISSIONS: &str = "list_permissions";
}
